/**
 * The HTML report of a real run as a planner opens it: written to disk, opened from file:// in headless Chromium with every
 * network request refused. Checks each chart drew (uPlot canvases with ink on them), the heat map and its legend
 * drew, and nothing failed. Screenshot: test-output/simulation-report.png.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, saveShot } from '../../client/e2e/browser-kit.ts';
import { REPO_ROOT, loadScenarioFile } from '../io/scenario-files.ts';
import { runScenario } from '../model/run-scenario.ts';
import { writeReport } from './report-assets.ts';

describe('simulation report in a browser', () => {
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    browser = await launchChromium();
    dir = await mkdtemp(path.join(tmpdir(), 'floortwin-report-'));
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('draws every chart and the heat map from a file on disk, offline', async () => {
    const file = path.join(dir, 'report.html');
    // A real run of the small labour-bound scenario (a few seconds), under a name that needs escaping.
    const resolved = await loadScenarioFile(path.join(REPO_ROOT, 'data/scenarios/labour-bound-small.json'));
    const result = runScenario(resolved);
    await writeReport(file, { ...result, scenario: 'labour-bound <small>' });

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
    await page.route('**/*', async (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      requests.push(url);
      return route.abort();
    });
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction(() => document.querySelectorAll('.uplot canvas').length >= 4, undefined, { timeout: 20_000 });

    // Share of a canvas's pixels that are not transparent: a drawn chart has axes, grid and series on it.
    const inked = (selector: string) => page.evaluate((sel) => {
      const canvas = document.querySelector<HTMLCanvasElement>(sel);
      const context = canvas?.getContext('2d');
      if (!canvas || !context || canvas.width === 0 || canvas.height === 0) return 0;
      const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
      let painted = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
      return painted / (data.length / 4);
    }, selector);

    for (const id of ['chart-throughput', 'chart-backlog', 'chart-lead-time', 'chart-utilisation']) {
      const drawn = await inked(`#${id} .uplot canvas`);
      expect(drawn, id).toBeGreaterThan(0.01);
    }
    // The heat map fills its background and colours walked cells: more than two colours on it.
    const heatColours = await page.evaluate(() => {
      const canvas = document.querySelector<HTMLCanvasElement>('#heatmap-canvas')!;
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      const colours = new Set<number>();
      for (let i = 0; i < data.length; i += 4) colours.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
      return colours.size;
    });
    expect(heatColours).toBeGreaterThan(5);
    expect(await inked('#heatmap-legend')).toBeGreaterThan(0.1);
    await expect(page.title()).resolves.toBe('Simulation report: labour-bound <small>');
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);

    const shot = await saveShot('simulation-report.png', await page.screenshot({ fullPage: true }));
    expect(shot).toMatch(/simulation-report\.png$/);
    await page.close();
  });
});
