/**
 * Time travel as a site manager uses it: the real server with the demo shift (the shared one of `npm run test:e2e`,
 * 4×: a twin minute in 15 s), the built client in headless Chromium, signed in. Replays the latest past minute, plays
 * it at 60×, checks the floor showed the past and its stock changed, and goes back to live. Screenshots:
 * test-output/timeline-*.png.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { openFloor, serverAndBrowser } from './browser-kit.ts';
// Bring in the types of window.__floortwin and window.__floortwinReplay.
import type {} from '../src/test-hooks.ts';
import type {} from '../src/net/replay-player.ts';

/** Software WebGL on a busy machine: the run took 76–170 s here. */
const BROWSER_TEST_TIMEOUT_MS = 300_000;
const outputDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test-output');

interface Summary {
  readonly seq: number;
  readonly counters: { readonly linesPicked: number };
}

describe('time travel in a browser', () => {
  const fixture = serverAndBrowser();
  beforeAll(async () => {
    await mkdir(outputDir, { recursive: true });
  });

  const summary = async (): Promise<Summary> => (await (await fixture.server.fetch('/api/sites/demo/summary')).json()) as Summary;

  it('replays a past minute of the floor at 60× and returns to live', async () => {
    // A few twin minutes of picking first (the shared shift has usually done them already).
    const deadline = Date.now() + 90_000;
    while ((await summary()).counters.linesPicked < 20) {
      if (Date.now() > deadline) throw new Error('no picks within 90 s');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }

    const { page, errors } = await openFloor(fixture.browser, fixture.server);
    await expect(page.evaluate(() => window.__floortwinReplay?.mode)).resolves.toBe('live');

    // The default window is the latest minute of history; the live floor is past it by the time it plays.
    const replayButton = page.getByTestId('timeline-replay');
    await page.waitForFunction(() => document.querySelector<HTMLButtonElement>('[data-testid="timeline-replay"]')?.disabled === false, undefined, { timeout: 30_000 });
    await replayButton.click();
    await page.waitForFunction(() => window.__floortwinReplay?.mode === 'replay', undefined, { timeout: 30_000 });
    const atStart = await page.evaluate(() => {
      const r = window.__floortwinReplay;
      return { at: r?.at ?? 0, seq: r?.seq ?? -1, frames: r?.frames ?? 0, fill: r?.fillSum() ?? 0 };
    });
    expect(atStart.frames).toBe(60);
    const liveNow = await summary();
    expect(atStart.seq).toBeGreaterThan(0);
    expect(atStart.seq).toBeLessThan(liveNow.seq);
    await expect(page.getByTestId('timeline-badge').textContent()).resolves.toMatch(/^REPLAY \d\d:\d\d:\d\d$/);
    await expect(page.getByTestId('counters').textContent()).resolves.toMatch(/replay/i);

    // 60× plays the minute in about a second; keyboard only, as a person without a mouse would.
    await page.getByTestId('timeline-speed').selectOption('60');
    await page.getByTestId('timeline-play').focus();
    await page.keyboard.press('Space');
    await page.waitForFunction(() => window.__floortwinReplay?.frame === 60 && window.__floortwinReplay.playing === false, undefined, { timeout: 30_000 });
    const atEnd = await page.evaluate(() => {
      const r = window.__floortwinReplay;
      return { at: r?.at ?? 0, seq: r?.seq ?? -1, fill: r?.fillSum() ?? 0 };
    });
    expect(atEnd.at - atStart.at).toBe(60_000);
    expect(atEnd.seq).toBeGreaterThan(atStart.seq);
    expect(atEnd.seq).toBeLessThan((await summary()).seq);
    // Picks in that minute took stock out of bins: the floor's fill changed across the frames.
    expect(atEnd.fill).not.toBe(atStart.fill);
    await page.waitForFunction(() => window.__floortwin?.ready === true, undefined, { timeout: 30_000 });
    await page.screenshot({ path: path.join(outputDir, 'timeline-replay.png') });

    await page.getByTestId('timeline-live').click();
    await page.waitForFunction(() => window.__floortwinReplay?.mode === 'live', undefined, { timeout: 10_000 });
    await page.waitForFunction((past) => (window.__floortwin?.seq ?? -1) > past, atEnd.seq, { timeout: 30_000 });
    await expect(page.getByTestId('counters').textContent()).resolves.toMatch(/live/i);
    await expect(page.getByTestId('timeline-badge').count()).resolves.toBe(0);
    await page.screenshot({ path: path.join(outputDir, 'timeline-live.png') });
    expect(errors).toEqual([]);
    await page.close();
  }, BROWSER_TEST_TIMEOUT_MS);
});
