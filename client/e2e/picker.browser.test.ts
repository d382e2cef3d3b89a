/**
 * What a picker and a site manager see of routes: the real server with the demo shift, the built client in headless
 * Chromium. The handheld (360×740) shows SIM-P1's next pick, the same location the route API names, and a mini-map
 * with the walk on it; on the 3D floor, choosing an operative draws their route over the floor.
 */
import { writeFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteView } from '../../server/protocol/route.ts';
import { launchChromium, distinctColours } from './browser-kit.ts';
import { startServerProcess, uniqueSchema, type ServerProcess } from '../../server/testing/server-process.ts';
// Bring in the types of window.__floortwin and window.__floortwinPicker.
import type {} from '../src/picker/picker-hooks.ts';
import type {} from '../src/test-hooks.ts';

/** Software WebGL on a busy CI machine can draw ~1 frame/s; screenshots and overlay draws wait for frames. */
const BROWSER_TEST_TIMEOUT_MS = 240_000;
/** Screenshots are kept for a human to look at. */
const SHOTS = process.env['E2E_SHOTS_DIR'] ?? '/tmp';


/** The first open stop of an operative's route as the HTTP API reports it (null without a route). */
async function firstOpenStop(url: string, operativeId: string): Promise<string | null> {
  const response = await fetch(`${url}/api/sites/demo/operatives/${operativeId}/route`);
  if (!response.ok) return null;
  const body = (await response.json()) as Partial<RouteView> & { route?: RouteView };
  const route = body.route ?? body;
  return route.stops?.find((s) => s.status === 'open')?.locationId ?? null;
}

describe('routes in a browser', () => {
  let server: ServerProcess;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServerProcess({ DB_SCHEMA: uniqueSchema('e2e_route'), DEMO_SHIFT: 'on', SHIFT_SPEED: '2', SHIFT_PICKERS: '6' });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('the handheld shows the next pick of SIM-P1, as the route API has it, with a mini-map', async () => {
    const page = await browser.newPage({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${server.url}/picker?operative=SIM-P1`);
    await page.waitForFunction(() => window.__floortwinPicker?.nextLocationId != null, undefined, { timeout: 90_000 });
    await expect(page.evaluate(() => window.__floortwinPicker?.operativeId)).resolves.toBe('SIM-P1');

    // The route moves on as the simulated picker works: compare the page and the API until they agree on a moment.
    let shown: string | null = null;
    let api: string | null = null;
    for (let attempt = 0; attempt < 20; attempt++) {
      shown = await page.evaluate(() => window.__floortwinPicker?.nextLocationId ?? null);
      api = await firstOpenStop(server.url, 'SIM-P1');
      if (shown !== null && shown === api) break;
      await page.waitForTimeout(250);
    }
    expect(shown).not.toBeNull();
    expect(shown).toBe(api);
    await expect(page.getByTestId('next-location').textContent()).resolves.toBe(shown);
    expect(await page.evaluate(() => window.__floortwinPicker?.stops ?? 0)).toBeGreaterThan(0);

    // The map draws racks, the walk and the stops: plenty of colours, and the walk is on it.
    const map = page.getByTestId('mini-map');
    await map.waitFor({ state: 'visible', timeout: 30_000 });
    await expect(map.locator('polyline').count()).resolves.toBeGreaterThan(0);
    const mapShot = await map.screenshot();
    expect(await distinctColours(page, mapShot, 3)).toBeGreaterThan(20);
    await writeFile(`${SHOTS}/picker-360.png`, await page.screenshot({ fullPage: true }));

    // Nothing is wider than the phone.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(errors).toEqual([]);
    await page.close();
  }, BROWSER_TEST_TIMEOUT_MS);

  it('on the 3D floor, choosing an operative overlays their route; Escape clears it', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(server.url);
    await page.waitForFunction(() => window.__floortwin?.ready === true, undefined, { timeout: 60_000 });
    await page.waitForFunction(() => (window.__floortwin?.operatives().length ?? 0) > 0, undefined, { timeout: 60_000 });
    expect(await page.evaluate(() => window.__floortwin?.route())).toBeNull();

    const select = page.getByTestId('route-select');
    await page.waitForFunction(() => document.querySelector('[data-testid="route-select"] option[value="SIM-P1"]') !== null, undefined, { timeout: 60_000 });
    await select.selectOption('SIM-P1');
    await page.waitForFunction(() => (window.__floortwin?.route()?.pathPoints ?? 0) > 1, undefined, { timeout: 60_000 });
    const drawn = await page.evaluate(() => window.__floortwin?.route());
    expect(drawn?.operativeId).toBe('SIM-P1');
    expect(drawn?.stops).toBeGreaterThan(0);
    await page.waitForTimeout(300);
    await writeFile(`${SHOTS}/floor-route.png`, await page.screenshot());

    await page.keyboard.press('Escape');
    await page.waitForFunction(() => window.__floortwin?.route() === null, undefined, { timeout: 10_000 });
    expect(errors).toEqual([]);
    await page.close();
  }, BROWSER_TEST_TIMEOUT_MS);
});
