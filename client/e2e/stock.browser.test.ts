/**
 * The stock handheld and the floor's activity markers: the real server on the demo site (its own, no demo shift), the
 * built client in headless Chromium; the handheld signed in as a picker, the floor as the site manager. On a 360×740 handheld an operative receives an item with a typed GS1-128 scan (a blind
 * receipt), sees an unknown code refused with its message, puts the receipt away with two typed scans (when the
 * server mounts the move-task API), and completes a blind count; the 3D floor, open meanwhile, draws an activity
 * marker for the receipt. Screenshots go to the shared test-output folder.
 */
import { readFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveShot, sharedBrowser, signedInPage } from './browser-kit.ts';
import { HANDHELD, expectMessage, fitsThePhone, openNextMove, scan } from './stock-seed.ts';
import { startServerProcess, uniqueSchema, type ServerProcess } from '../../server/testing/server-process.ts';
// Bring in the types of window.__floortwin and window.__floortwinActivity.
import type {} from '../src/test-hooks.ts';
import type {} from '../src/net/activity-store.ts';

const BROWSER_TEST_TIMEOUT_MS = 240_000;

interface DemoSku {
  id: string;
  tenantId: string;
  barcode: string;
  description: string;
  lotTracked: boolean;
}

async function demoSkus(): Promise<DemoSku[]> {
  const url = new URL('../../data/catalogues/demo.json', import.meta.url);
  return (JSON.parse(await readFile(url, 'utf8')) as { skus: DemoSku[] }).skus;
}

/** The API as the site manager (the server's default credential). */
let server: ServerProcess;

async function api<T>(url: string, method: 'GET' | 'POST', body?: unknown): Promise<{ status: number; body: T }> {
  const response = await server.fetch(url, {
    method,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

describe('stock handheld and floor activity', () => {
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServerProcess({ DB_SCHEMA: uniqueSchema('e2e_stock'), DEMO_SHIFT: 'off' }), sharedBrowser()]);
    base = `${server.url}/api/sites/demo`;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('receives by GS1 scan (the floor marks it), puts it away by two scans, and counts a bin blind', async () => {
    const skus = await demoSkus();
    const sku = skus.find((s) => !s.lotTracked && /^\d{13}$/.test(s.barcode));
    if (sku === undefined) throw new Error('the demo catalogue has no plain EAN-13 item');

    // The manager's floor, open while the handheld works.
    const floor = await signedInPage(browser, server);
    const floorErrors: string[] = [];
    floor.on('pageerror', (error) => floorErrors.push(error.message));
    await floor.goto(server.url);
    await floor.waitForFunction(() => window.__floortwin?.ready === true, undefined, { timeout: 90_000 });
    await expect(floor.getByTestId('activity-legend').textContent()).resolves.toContain('Receipt');

    const page = await signedInPage(browser, server, 'picker@demo.floortwin', HANDHELD);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${server.url}/stock`);
    await page.getByTestId('stock-badge').fill('STK-E2E');
    await page.getByTestId('stock-sign-in').click();
    await page.getByTestId('mode-receive').click();

    // Blind receipt for the SKU's client; an unknown code first: refused with the server's message, nothing received.
    await page.getByTestId('blind-receipt').click();
    await page.getByTestId(`client-${sku.tenantId}`).click();
    await page.getByTestId('item-scan').waitFor({ state: 'visible' });
    await scan(page, 'NOT-A-CODE');
    await expect(expectMessage(page, 'bad', 'no item has the code NOT-A-CODE')).resolves.toBe('UNKNOWN_SKU');

    // The GS1-128 label: GTIN-14 of the barcode and a count (37) of 6; the quantity field takes the label's count.
    await scan(page, `(01)0${sku.barcode}(37)6`);
    await page.getByTestId('receipt-form').waitFor({ state: 'visible' });
    await page.getByTestId('receipt-submit').click();
    await expectMessage(page, 'good', `Received 6 × ${sku.description} onto the dock`);
    await saveShot('stock-receive-360.png', await page.screenshot({ fullPage: true }));
    const dock = await api<{ stock: { skuId: string; onHand: number }[] }>(`${base}/dock`, 'GET');
    expect(dock.body.stock.find((s) => s.skuId === sku.id)?.onHand).toBe(6);
    await fitsThePhone(page);

    // The floor got the receipt and drew its marker (at the dock, the depot).
    await floor.waitForFunction(() => (window.__floortwinActivity?.received.receipt ?? 0) >= 1, undefined, { timeout: 30_000 });
    await floor.bringToFront();
    await floor.waitForFunction(() => (window.__floortwinActivity?.drawnTotal ?? 0) >= 1, undefined, { timeout: 30_000 });
    await saveShot('floor-activity-receipt.png', await floor.screenshot());
    await page.bringToFront();

    // Put away with two typed scans.
    const { from, to } = await openNextMove(page, 'putaway');
    // A wrong source is refused on the device: nothing recorded.
    await scan(page, 'A99-B9-999-L9');
    await expect(expectMessage(page, 'bad', 'Wrong location')).resolves.toBe('WRONG_LOCATION_SCANNED');
    await scan(page, from);
    await scan(page, to);
    await expectMessage(page, 'good', `into ${to}`);
    await saveShot('stock-putaway-360.png', await page.screenshot({ fullPage: true }));
    const bin = await api<{ quants: { skuId: string; onHand: number }[] }>(`${base}/stock?locationId=${encodeURIComponent(to)}`, 'GET');
    expect(bin.body.quants.some((q) => q.skuId === sku.id)).toBe(true);
    await floor.waitForFunction(() => (window.__floortwinActivity?.received.putaway ?? 0) >= 1, undefined, { timeout: 30_000 });

    // A blind count of a stocked bin of a plain SKU; the test knows the figure, the page never shows one.
    const stock = await api<{ quants: { locationId: string; skuId: string; lot: string; onHand: number; reserved: number }[] }>(`${base}/stock?limit=1000&offset=3500`, 'GET');
    const plain = new Set(skus.filter((s) => !s.lotTracked).map((s) => s.id));
    let target: (typeof stock.body.quants)[number] | undefined;
    // A bin in a middle aisle (quants are listed by location), so its marker is mid-floor in the screenshot.
    const middleFirst = [...stock.body.quants].sort((a, b) => Number(!a.locationId.startsWith('A08-')) - Number(!b.locationId.startsWith('A08-')));
    for (const q of middleFirst) {
      if (!plain.has(q.skuId) || q.onHand === 0 || q.locationId.includes(':')) continue;
      const inBin = await api<{ quants: unknown[] }>(`${base}/stock?locationId=${encodeURIComponent(q.locationId)}`, 'GET');
      if (inBin.body.quants.length === 1) {
        target = q;
        break;
      }
    }
    if (target === undefined) throw new Error('no bin holding one plain SKU');
    const created = await api<{ counts: { id: string }[] }>(`${base}/counts`, 'POST', { locationIds: [target.locationId], reason: 'manual' });
    expect(created.status).toBe(201);
    await page.getByTestId('stock-menu').click();
    await page.getByTestId('mode-count').click();
    await page.getByTestId('next-count').click();
    await expect(page.getByTestId('count-location').textContent()).resolves.toBe(target.locationId);
    // Blind: the count shows where and nothing else — no figure.
    await expect(page.getByTestId('count-card').textContent()).resolves.toBe(`CountBlind${target.locationId}`);
    await scan(page, target.locationId);
    const barcode = skus.find((s) => s.id === target.skuId)?.barcode ?? '';
    await scan(page, `(01)${barcode.padStart(14, '0')}(37)${target.onHand}`);
    await expect(page.getByTestId('count-lines').textContent()).resolves.toContain(target.skuId);
    await saveShot('stock-count-360.png', await page.screenshot({ fullPage: true }));
    await page.getByTestId('count-submit').click();
    await expectMessage(page, 'good', `Count of ${target.locationId} accepted.`);
    const count = await api<{ status: string }>(`${base}/counts/${created.body.counts[0]?.id ?? ''}`, 'GET');
    expect(count.body.status).toBe('adjusted');
    await floor.waitForFunction(() => (window.__floortwinActivity?.received.count ?? 0) >= 1, undefined, { timeout: 30_000 });
    // The count's marker over its bin in the racks (the receipt's was at the depot), for a reviewer.
    await floor.bringToFront();
    await floor.waitForFunction(() => (window.__floortwinActivity?.drawn ?? 0) >= 1, undefined, { timeout: 30_000 });
    // Let the ring grow for a moment (it is still showing: 4 s from its first frame).
    await floor.waitForTimeout(800);
    await saveShot('floor-activity-count.png', await floor.screenshot());

    expect(errors).toEqual([]);
    expect(floorErrors).toEqual([]);
    await page.close();
    await floor.close();
  }, BROWSER_TEST_TIMEOUT_MS);
});
