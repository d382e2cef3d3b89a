/**
 * Inspecting the floor in a browser: search a location by id with the keyboard, see its stock by lot in the
 * inspector (the camera flies there and the bin is highlighted), close it with Escape; the alerts panel is shown.
 */
import { describe, expect, it } from 'vitest';
import { openFloor, saveShot, serverAndBrowser } from './browser-kit.ts';
import { startServerProcess, uniqueSchema } from '../../server/testing/server-process.ts';
import type {} from '../src/test-hooks.ts';

/** Software WebGL can draw ~1 frame/s; every action waits on the page. */
const BROWSER_TEST_TIMEOUT_MS = 240_000;

describe('inspecting the floor in a browser', () => {
  // Its own server without the shift: the first bin's history must be the seeded receipt alone.
  const fixture = serverAndBrowser(() => startServerProcess({ DB_SCHEMA: uniqueSchema('e2e_inspect'), DEMO_SHIFT: 'off' }));

  it('searches a location, shows its stock by lot, and closes with Escape', async () => {
    const { server } = fixture;
    const { page, errors } = await openFloor(fixture.browser, server);
    // The demo's seeded stock: the first bin holds one SKU.
    const stock = (await (await server.fetch('/api/sites/demo/stock?limit=1')).json()) as { quants: { locationId: string; skuId: string; onHand: number }[] };
    const quant = stock.quants[0];
    expect(quant).toBeDefined();
    if (quant === undefined) return;

    const search = page.getByRole('combobox', { name: 'Search the floor' });
    await search.click();
    await search.pressSequentially(quant.locationId, { delay: 20 });
    await page.getByRole('listbox').getByRole('option').first().waitFor({ timeout: 60_000 });
    await expect(page.getByRole('listbox').getByRole('option').first().textContent()).resolves.toContain(quant.locationId);
    await search.press('Enter');

    const panel = page.locator(`[data-testid="inspect-panel"][data-kind="location"][data-id="${quant.locationId}"]`);
    await panel.locator('table').first().waitFor({ timeout: 60_000 });
    const row = panel.locator('tbody tr').first();
    await expect(row.textContent()).resolves.toContain(quant.skuId);
    await expect(row.textContent()).resolves.toContain(String(quant.onHand));
    await expect(panel.textContent()).resolves.toMatch(/History \(last 1\)/i);
    await page.waitForTimeout(1500); // let the camera finish flying
    await saveShot('inspect-location.png', await page.screenshot());

    await page.getByTestId('alerts-panel').waitFor({ timeout: 30_000 });
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached', timeout: 30_000 });
    expect(errors).toEqual([]);
    await page.close();
  }, BROWSER_TEST_TIMEOUT_MS);
});
