/**
 * The floor's colour modes, 2D plan and bin selection in a browser: the real server with the demo shift (so bins have
 * owners and picks; the shared one of `npm run test:e2e`), the built client in headless Chromium, signed in. Switches bins to client colours, toggles the top-down
 * view (focus kept), clicks a bin to select it and flies to it with F. Screenshots go to test-output/.
 */
import { describe, expect, it } from 'vitest';
import type { LayoutView } from '../../server/protocol/floor.ts';
import type { FloorModesTestHooks } from '../src/floor/floor-test-hooks.ts';
import { distinctColours, openFloor, saveShot, serverAndBrowser } from './browser-kit.ts';
// Brings in the type of window.__floortwin (the hooks the page installs).
import type {} from '../src/test-hooks.ts';

/** Software WebGL can draw ~1 frame/s; each canvas screenshot waits for a frame. */
const BROWSER_TEST_TIMEOUT_MS = 240_000;

describe('floor colour modes, 2D plan and bin selection in a browser', () => {
  const fixture = serverAndBrowser();

  it('colours bins by client, switches to the top-down plan keeping the focus, selects a clicked bin and flies to it', async () => {
    const { server } = fixture;
    const { page, errors } = await openFloor(fixture.browser, server);
    const sites = (await (await server.fetch('/api/sites')).json()) as { sites: { id: string }[] };
    const layout = (await (await server.fetch(`/api/sites/${sites.sites[0]!.id}/layout`)).json()) as LayoutView;
    const sample = layout.ids.map((_, i) => i).filter((i) => i % 37 === 0);
    const coloursOf = () =>
      page.evaluate((indices) => indices.map((i) => (window.__floortwin as unknown as FloorModesTestHooks).binColour(i)), sample);
    const canvas = page.getByTestId('floor-canvas').locator('canvas');
    // A page screenshot clipped to the canvas: an element screenshot first waits for two equal frames, slow here.
    const shot = async (name: string): Promise<Buffer> => {
      const png = await page.screenshot({ clip: (await canvas.boundingBox())!, timeout: 90_000 });
      await saveShot(name, png);
      return png;
    };

    // Fill (the default), then client colours.
    expect(await page.evaluate(() => (window.__floortwin as unknown as FloorModesTestHooks).colourMode)).toBe('fill');
    const fill = await coloursOf();
    const fillShot = await shot('floor-modes-fill.png');
    // A dispatched click: at software WebGL's ~1 frame/s, a mouse click on an overlay waits out its timeout.
    await page.getByTestId('colour-mode-client').dispatchEvent('click');
    await page.waitForFunction(
      () => {
        const hooks = window.__floortwin as unknown as FloorModesTestHooks;
        return hooks.colourMode === 'client' && hooks.coloursDrawn;
      },
      undefined,
      { timeout: 60_000 },
    );
    const client = await coloursOf();
    const changed = client.filter((c, k) => c !== fill[k]).length;
    expect(changed).toBeGreaterThan(sample.length / 2);
    // The demo's stock belongs to three clients: at least two client colours show, plus empty bins maybe.
    expect(new Set(client).size).toBeGreaterThanOrEqual(2);
    await expect(page.getByTestId('floor-legend').getAttribute('data-mode')).resolves.toBe('client');
    await expect(page.getByTestId('floor-legend').textContent()).resolves.toMatch(/Acme Outdoor/);
    await page.waitForTimeout(300);
    const clientShot = await shot('floor-modes-client.png');
    expect(clientShot.equals(fillShot)).toBe(false);
    expect(await distinctColours(page, clientShot, 7)).toBeGreaterThan(20);

    // The top-down plan (T) keeps the point the camera looked at.
    const before = await page.evaluate(() => (window.__floortwin as unknown as FloorModesTestHooks).focus());
    await page.keyboard.press('t');
    await page.waitForFunction(
      () => (window.__floortwin as unknown as FloorModesTestHooks).focus()?.camera === 'orthographic',
      undefined,
      { timeout: 30_000 },
    );
    const plan = (await page.evaluate(() => (window.__floortwin as unknown as FloorModesTestHooks).focus()))!;
    expect(await page.evaluate(() => (window.__floortwin as unknown as FloorModesTestHooks).viewMode)).toBe('2d');
    expect(Math.hypot(plan.x - before!.x, plan.y - before!.y)).toBeLessThan(0.5);
    await page.waitForTimeout(300);
    await shot('floor-modes-2d.png');

    // Click the bin nearest the centre of the plan: it becomes the selection; F flies the camera to it.
    let nearest = 0;
    for (let i = 1; i < layout.ids.length; i++) {
      const d = Math.hypot(layout.x[i]! - plan.x - 4, layout.y[i]! - plan.y - 3);
      if (d < Math.hypot(layout.x[nearest]! - plan.x - 4, layout.y[nearest]! - plan.y - 3)) nearest = i;
    }
    const box = (await canvas.boundingBox())!;
    const clickX = box.x + box.width / 2 + (layout.x[nearest]! - plan.x) * plan.zoom;
    const clickY = box.y + box.height / 2 - (layout.y[nearest]! - plan.y) * plan.zoom;
    await page.mouse.click(clickX, clickY);
    await page.waitForFunction(() => (window.__floortwin as unknown as FloorModesTestHooks).selectedLocation !== null, undefined, { timeout: 30_000 });
    const selected = await page.evaluate(() => (window.__floortwin as unknown as FloorModesTestHooks).selectedLocation);
    const at = layout.ids.indexOf(selected!);
    // Bins stack in levels: the click picks the top one of the column clicked.
    expect(Math.hypot(layout.x[at]! - layout.x[nearest]!, layout.y[at]! - layout.y[nearest]!)).toBeLessThan(0.01);
    await page.keyboard.press('f');
    await page.waitForFunction(
      ({ x, y }) => {
        const focus = (window.__floortwin as unknown as FloorModesTestHooks).focus();
        return focus !== null && Math.hypot(focus.x - x, focus.y - y) < 0.05;
      },
      { x: layout.x[at]!, y: layout.y[at]! },
      { timeout: 30_000 },
    );
    await page.waitForTimeout(300);
    await shot('floor-modes-selected.png');
    expect(errors).toEqual([]);
    await page.close();
  }, BROWSER_TEST_TIMEOUT_MS);
});
