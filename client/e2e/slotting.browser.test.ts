/**
 * The slotting planner in a browser against the real server (its own: the history must be the test's orders alone):
 * 60 orders over the seeded demo stock, then at /slotting the planner (signed in) asks for 20 moves with the keyboard, reads the plan table and the before/after figures, checks the plan
 * in the simulator, and releases the first 2 moves (as re-slot tasks for operatives). Screenshot: test-output/slotting.png.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, uniqueSchema, type ServerProcess } from '../../server/testing/server-process.ts';
import { saveShot, sharedBrowser, signedInPage } from './browser-kit.ts';

const BROWSER_TEST_TIMEOUT_MS = 180_000;
const ORDERS = 60;

interface Quant {
  readonly tenantId: string;
  readonly skuId: string;
  readonly lot: string;
  readonly available: number;
}

describe('the slotting planner in a browser', () => {
  let server: ServerProcess;
  let browser: Browser;

  beforeAll(async () => {
    // No demo shift: the history is the test's own orders.
    [server, browser] = await Promise.all([startServerProcess({ DB_SCHEMA: uniqueSchema('e2e_slotting'), DEMO_SHIFT: 'off' }), sharedBrowser()]);
  });

  const postJson = (url: string, body: unknown): Promise<Response> =>
    server.fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('runs a plan on the demo site, shows the moves and releases the first two', async () => {
    const api = `${server.url}/api/sites/demo`;
    // A skewed history over one client's stocked SKUs: a handful in most orders.
    const { quants } = (await (await server.fetch(`${api}/stock?limit=1000`)).json()) as { quants: Quant[] };
    const tenantId = quants[0]!.tenantId;
    const skus = [...new Set(quants.filter((q) => q.tenantId === tenantId && q.lot === '' && q.available >= 10).map((q) => q.skuId))].sort().slice(0, 40);
    expect(skus.length).toBeGreaterThan(10);
    for (let n = 0; n < ORDERS; n++) {
      const lines = [...new Set([skus[n % 4]!, skus[(n * 7) % skus.length]!])].map((skuId) => ({ skuId, qty: 1 }));
      const res = await postJson(`${api}/orders`, { orderId: `E2E-SLOT-${n}`, tenantId, lines });
      expect(res.status, await res.clone().text()).toBe(201);
    }

    const page = await signedInPage(browser, server, 'planner@demo.floortwin');
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${server.url}/slotting`);

    // Keyboard only: the moves field, then Enter submits the form.
    const moves = page.getByLabel('Moves at most');
    await moves.waitFor({ timeout: 30_000 });
    await moves.fill('20');
    await moves.press('Enter');

    const table = page.getByTestId('plan-table');
    await table.waitFor({ timeout: 60_000 });
    await expect(page.getByTestId('status').textContent()).resolves.toContain(`${ORDERS} orders`);
    const rows = await table.locator('tbody tr').count();
    expect(rows).toBeGreaterThan(0);
    expect(rows).toBeLessThanOrEqual(20);
    const figure = async (id: string): Promise<number> => Number(((await page.getByTestId(id).textContent()) ?? '').replace(/[^\d.]/g, ''));
    expect(await figure('after')).toBeLessThan(await figure('before'));
    // The page fits the screen: the actions are in view without scrolling.
    const release = page.getByTestId('release-button');
    const box = await release.boundingBox();
    expect((box?.y ?? 1e9) + (box?.height ?? 0)).toBeLessThanOrEqual(800);

    // The simulator walks the shift as stocked and with the moves; both savings show side by side.
    await page.getByTestId('verify-button').click();
    await page.getByTestId('simulated').waitFor({ timeout: 120_000 });
    await expect(page.getByTestId('verification').textContent()).resolves.toMatch(/Simulated saving -?\d+\.\d % against predicted \d+\.\d %/);

    await page.getByLabel('First').fill('2');
    await release.click();
    await page.getByTestId('release-result').waitFor({ timeout: 30_000 });
    await expect(page.getByTestId('release-result').textContent()).resolves.toMatch(/moves released as re-slot tasks for operatives/);
    await saveShot('slotting.png', await page.screenshot());
    expect(errors).toEqual([]);
    await page.close();
  }, BROWSER_TEST_TIMEOUT_MS);
});
