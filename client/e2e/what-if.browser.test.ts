/**
 * What-if from the live floor as a planner uses it: the real server with the demo shift (the shared one of
 * `npm run test:e2e`; the what-if forks it and changes nothing live), the built client in headless Chromium, signed in
 * as the planner. Asks for +40 % orders with 2 pickers fewer over the next hour and reads the table of the floor
 * as it stands against the what-if; then watches the what-if's simulated hour on the floor at 100× (pickers move, the
 * banner's simulated time runs) and goes back to live. Screenshots: test-output/what-if.png, what-if-watch-1.png,
 * what-if-watch-2.png.
 */
import { describe, expect, it } from 'vitest';
import { openFloor, saveShot, serverAndBrowser } from './browser-kit.ts';
import type {} from '../src/test-hooks.ts';
import type {} from '../src/net/replay-player.ts';

/** Software WebGL on a busy machine, two simulated hours on a worker thread, then a simulated hour watched at 100×. */
const BROWSER_TEST_TIMEOUT_MS = 480_000;

describe('what-if in a browser', () => {
  const fixture = serverAndBrowser();

  it('runs +40 % orders with 2 pickers fewer for an hour and shows both columns', async () => {
    const { server } = fixture;
    // Some live orders first, so the what-if has a rate to scale.
    const deadline = Date.now() + 90_000;
    const received = async (): Promise<number> =>
      ((await (await server.fetch('/api/sites/demo/summary')).json()) as { counters: { ordersReceived: number } }).counters.ordersReceived;
    while ((await received()) < 10) {
      if (Date.now() > deadline) throw new Error('no orders within 90 s');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }

    // Software WebGL keeps the page's main thread busy: input events are acknowledged slowly on a loaded machine.
    const { page, errors } = await openFloor(fixture.browser, server, { email: 'planner@demo.floortwin', timeoutMs: 120_000 });

    await page.getByTestId('what-if-toggle').click();
    await page.getByLabel('Orders ±%', { exact: true }).fill('40');
    await page.getByLabel('Pickers ±', { exact: true }).fill('-2');
    await page.getByLabel('Hours', { exact: true }).fill('1');
    await page.getByTestId('what-if-run').click();
    await page.getByTestId('what-if-results').waitFor({ timeout: 180_000 });

    const numbers = /^\d[\d,]*(\.\d+)?%?$/;
    const baseline = await page.getByTestId('what-if-baseline').allTextContents();
    const whatIf = await page.getByTestId('what-if-result').allTextContents();
    expect(baseline).toHaveLength(7);
    expect(whatIf).toHaveLength(7);
    for (const cell of [...baseline, ...whatIf]) expect(cell).toMatch(numbers);
    await expect(page.getByTestId('what-if-report').getAttribute('href')).resolves.toMatch(/^\/api\/sites\/demo\/what-if\/[\w-]+\/report$/);
    await saveShot('what-if.png', await page.screenshot());

    // Watch the what-if on the floor: its first simulated hour plays at 100× under a simulation banner.
    await expect(page.evaluate(() => window.__floortwinReplay?.mode)).resolves.toBe('live');
    const liveIds = await page.evaluate(() => (window.__floortwin?.operatives() ?? []).map((o) => o.id));
    await page.getByTestId('what-if-watch').click();
    await page.waitForFunction(() => window.__floortwinReplay?.source === 'simulation' && window.__floortwinReplay.frame >= 20, undefined, { timeout: 60_000 });
    const read = () =>
      page.evaluate(() => ({
        frame: window.__floortwinReplay?.frame ?? 0,
        at: window.__floortwinReplay?.at ?? 0,
        operatives: window.__floortwin?.operatives() ?? [],
        time: document.querySelector('[data-testid="simulation-time"]')?.textContent ?? '',
      }));
    const first = await read();
    await expect(page.getByTestId('simulation-banner').textContent()).resolves.toMatch(/^Simulation · what-if \(demo @\d+\): orders ×1\.4, pickers \d+ → \d+ · simulated \d+ \w+,? \d\d:\d\d:\d\d · not the live floor$/);
    // The simulated pickers stand on the floor instead of the live ones; the results stay readable beside it.
    expect(first.operatives.length).toBeGreaterThan(0);
    expect(first.operatives.some((o) => liveIds.includes(o.id))).toBe(false);
    await expect(page.getByTestId('what-if-results').isVisible()).resolves.toBe(true);
    await saveShot('what-if-watch-1.png', await page.screenshot());
    await page.waitForFunction((frame) => (window.__floortwinReplay?.frame ?? 0) >= frame + 30, first.frame, { timeout: 60_000 });
    const second = await read();
    await saveShot('what-if-watch-2.png', await page.screenshot());
    expect(second.at).toBeGreaterThan(first.at);
    expect(second.time).not.toBe(first.time);
    const moved = second.operatives.filter((o) => first.operatives.some((p) => p.id === o.id && (p.x !== o.x || p.y !== o.y)));
    expect(moved.length).toBeGreaterThan(0);

    await page.getByTestId('what-if-live').click();
    await page.waitForFunction(() => window.__floortwinReplay?.mode === 'live', undefined, { timeout: 10_000 });
    await expect(page.getByTestId('simulation-banner').count()).resolves.toBe(0);
    await page.waitForFunction((ids) => (window.__floortwin?.operatives() ?? []).some((o) => ids.includes(o.id)), liveIds, { timeout: 30_000 });
    expect(errors).toEqual([]);
    await page.close();
  }, BROWSER_TEST_TIMEOUT_MS);
});
