/**
 * What a site manager sees: the real server with the demo site and its simulated shift (the shared one of
 * `npm run test:e2e`), the built client in headless Chromium, signed in. The canvas shows the demo's bins, and a
 * picker moves between two screenshots.
 */
import { describe, expect, it } from 'vitest';
import { distinctColours, openFloor, saveShot, serverAndBrowser } from './browser-kit.ts';
// Brings in the type of window.__floortwin (the hooks the page installs).
import type {} from '../src/test-hooks.ts';

/** Software WebGL on a busy CI machine can draw ~1 frame/s; each canvas screenshot waits for a frame. */
const BROWSER_TEST_TIMEOUT_MS = 240_000;

describe('the 3D floor in a browser', () => {
  const fixture = serverAndBrowser();

  it('shows the demo bins and a picker that moves between two screenshots', async () => {
    const { browser, server } = fixture;
    const { page, errors } = await openFloor(browser, server);

    const canvas = page.getByTestId('floor-canvas').locator('canvas');
    await expect(canvas.count()).resolves.toBe(1);
    expect(await page.evaluate(() => window.__floortwin?.bins)).toBe(8000);
    await expect(page.getByTestId('counters').textContent()).resolves.toMatch(/despatched/i);

    // Wait for a picker to be on the floor, then for that picker to move.
    await page.waitForFunction(() => (window.__floortwin?.operatives().length ?? 0) > 0, undefined, { timeout: 60_000 });
    const first = await page.evaluate(() => window.__floortwin?.operatives() ?? []);
    const shot1 = await canvas.screenshot();
    await saveShot('floor-1.png', shot1);
    await page.waitForFunction(
      (before) => {
        const now = window.__floortwin?.operatives() ?? [];
        return now.some((op) => {
          const old = before.find((b) => b.id === op.id);
          return old !== undefined && Math.hypot(op.x - old.x, op.y - old.y) > 1;
        });
      },
      first,
      { timeout: 60_000 },
    );
    await page.waitForTimeout(300);
    const shot2 = await canvas.screenshot();
    await saveShot('floor-2.png', shot2);

    expect(await distinctColours(page, shot1, 7)).toBeGreaterThan(50);
    expect(shot2.equals(shot1)).toBe(false);
    expect(errors).toEqual([]);
    await page.close();
  }, BROWSER_TEST_TIMEOUT_MS);
});
