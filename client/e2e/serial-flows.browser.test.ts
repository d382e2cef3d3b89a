/**
 * Serial numbers through the handhelds (issue 8, twin R77–R80), as people do it (360×740, the built client in headless
 * Chromium, the real server on a site of its own where one SKU is serial-tracked and has no stock): three units are
 * received at `/stock` against an ASN with one serial scanned each; an operative puts them away at `/stock` (source,
 * one serial per unit, target bin: R80) and the serial's history then shows the bin; the desk releases an order
 * for two; a picker picks it at `/picker` by location, item and one typed serial per unit (a repeated serial refused on
 * the device, one not in stock refused by the server — nothing recorded either time); the desk packs and despatches
 * it and authorises a return; the returns desk at `/stock` scans the item and then the returned unit's serial (one
 * never shipped on that order is refused). The serial's history (`GET /serials/:sku/:serial`) shows each step.
 * The desk's part goes through the API as the site manager. Screenshots go to the shared test-output folder.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveShot, sharedBrowser, signedInPage } from './browser-kit.ts';
import { HANDHELD, expectMessage, fitsThePhone, openMode, scan, writeSerialSiteCopy } from './stock-seed.ts';
import { loadSiteFiles } from '../../server/site/site-loader.ts';
import { startServerProcess, uniqueSchema, type ServerProcess } from '../../server/testing/server-process.ts';
// Bring in the type of window.__floortwinPicker.
import type {} from '../src/picker/picker-hooks.ts';

const BROWSER_TEST_TIMEOUT_MS = 300_000;
const PICKER = 'picker@demo.floortwin';
const SHIP_TO = { name: 'Ada Lovelace', line1: '12 St James Square', city: 'London', postcode: 'SW1Y 4JH', country: 'GB' };
const ORDER = 'E2E-SER-ORDER';

/** What the catalogue lookup says of the serial-tracked SKU. */
interface Item {
  skuId: string;
  tenantId: string;
  description: string;
  barcode: string;
  serialTracked: boolean;
}

interface SerialAudit {
  current: { status: string; locationId: string | null; orderId: string | null } | null;
  history: { event: string; status: string; locationId: string | null; orderId: string | null }[];
}

describe('serial numbers through the handhelds', () => {
  let server: ServerProcess;
  let browser: Browser;
  let workDir: string;
  let stock: Page;
  let item: Item;
  /** A bin with no initial stock: the received units are put there. */
  let bin: string;
  const base = '/api/sites/demo';
  const errors: string[] = [];

  async function api<T>(url: string, method: 'GET' | 'POST', body?: unknown): Promise<{ status: number; body: T }> {
    const response = await server.fetch(`${server.url}${base}${url}`, {
      method,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as T };
  }
  const audit = async (serial: string): Promise<SerialAudit> => {
    const answer = await api<SerialAudit>(`/serials/${encodeURIComponent(item.skuId)}/${encodeURIComponent(serial)}`, 'GET');
    expect(answer.status).toBe(200);
    return answer.body;
  };

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), 'serial-flows-'));
    const { siteFile, serialSkuId } = await writeSerialSiteCopy(workDir);
    const { site, initialStock } = await loadSiteFiles(siteFile);
    const stocked = new Set(initialStock.map((r) => r.locationId));
    bin = site.layout.locations.find((l) => !stocked.has(l.id))?.id ?? '';
    expect(bin).not.toBe('');
    [server, browser] = await Promise.all([
      startServerProcess({ DB_SCHEMA: uniqueSchema('e2e_serials'), DEMO_SHIFT: 'off', SITE_FILE: siteFile }),
      sharedBrowser(),
    ]);
    const lookup = await api<{ matches: Item[] }>(`/catalogue/lookup?code=${encodeURIComponent(serialSkuId)}`, 'GET');
    item = lookup.body.matches[0]!;
    expect(item).toMatchObject({ skuId: serialSkuId, serialTracked: true });

    stock = await signedInPage(browser, server, PICKER, HANDHELD);
    stock.on('pageerror', (error) => errors.push(error.message));
    await stock.goto(`${server.url}/stock`);
    await stock.getByTestId('stock-badge').fill('STK-SER');
    await stock.getByTestId('stock-sign-in').click();
    await stock.getByTestId('stock-modes').waitFor({ state: 'visible' });
  }, 240_000);

  afterAll(async () => {
    await stock?.close();
    await browser?.close();
    await server?.stop();
    if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
  });

  it('[R77] receives at /stock against an ASN with one serial scanned per unit', async () => {
    expect((await api('/asns', 'POST', { asnRef: 'ASN-SER-1', tenantId: item.tenantId, lines: [{ skuId: item.skuId, qty: 3 }] })).status).toBe(201);
    await openMode(stock, 'receive');
    await scan(stock, 'ASN-SER-1');
    await stock.getByTestId('item-scan').waitFor({ state: 'visible' });
    await scan(stock, item.barcode);
    await stock.getByTestId('receipt-form').waitFor({ state: 'visible' });
    // No units field: the units are the serials scanned.
    await expect(stock.getByTestId('receipt-qty').count()).resolves.toBe(0);
    await stock.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'receipt-serial-scan');

    // Receive with nothing scanned: refused on the device, naming what to do.
    await stock.getByTestId('receipt-submit').click();
    await expect(expectMessage(stock, 'bad', 'scan the serial of each unit received')).resolves.toBe('INVALID_ENTRY');
    await stock.getByTestId('receipt-serial-scan').focus();
    await scan(stock, 'SN-E2E-1');
    await scan(stock, 'SN-E2E-1');
    await expect(expectMessage(stock, 'bad', 'Serial SN-E2E-1 is scanned already.')).resolves.toBe('DUPLICATE_SERIAL');
    await scan(stock, 'SN-E2E-2');
    await scan(stock, 'SN-E2E-3');
    await expect(stock.getByTestId('receipt-serial-count').textContent()).resolves.toBe('3 units scanned');
    await expect(stock.getByTestId('serial-list').textContent()).resolves.toMatch(/SN-E2E-1.*SN-E2E-2.*SN-E2E-3/);
    await saveShot('serial-flows-receive-360.png', await stock.screenshot({ fullPage: true }));
    await fitsThePhone(stock);
    await stock.getByTestId('receipt-submit').click();
    await expectMessage(stock, 'good', `Received 3 × ${item.description} onto the dock.`);

    const asn = await api<{ lines: { receivedQty: number }[] }>('/asns/ASN-SER-1', 'GET');
    expect(asn.body.lines[0]?.receivedQty).toBe(3);
    const received = await audit('SN-E2E-2');
    expect(received.current).toMatchObject({ status: 'in-stock', locationId: 'DOCK:demo' });
    expect(received.history.map((h) => h.event)).toEqual(['GoodsReceived']);
  }, BROWSER_TEST_TIMEOUT_MS);

  it('[R80] puts the units away at /stock by serial: source, one serial per unit, target; the history shows the bin', async () => {
    // The desk asks for the put-away into the empty bin; the operative takes it at /stock.
    const created = await api('/move-tasks', 'POST', { taskId: 'PA-SER-1', kind: 'putaway', tenantId: item.tenantId, skuId: item.skuId, fromLocationId: 'DOCK:demo', toLocationId: bin, qty: 3 });
    expect(created.status).toBeLessThan(300);
    await openMode(stock, 'putaway');
    await stock.getByTestId('next-move').click();
    await stock.locator('[data-testid="move-task"][data-task-id="PA-SER-1"]').waitFor({ state: 'visible', timeout: 30_000 });
    await stock.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'move-scan');
    await scan(stock, 'DOCK:demo');
    await expectMessage(stock, 'info', 'Scan the serial of each unit (3).');
    await scan(stock, 'SN-E2E-1');
    await scan(stock, 'SN-E2E-1');
    await expect(expectMessage(stock, 'bad', 'Serial SN-E2E-1 is scanned already.')).resolves.toBe('DUPLICATE_SERIAL');
    await scan(stock, 'SN-E2E-2');
    await scan(stock, 'SN-E2E-3');
    await expectMessage(stock, 'info', `All serials scanned. Take them to ${bin} and scan the bin.`);
    await expect(stock.getByTestId('serial-list').textContent()).resolves.toMatch(/SN-E2E-1.*SN-E2E-2.*SN-E2E-3/);
    await fitsThePhone(stock);
    await saveShot('serial-flows-putaway-360.png', await stock.screenshot({ fullPage: true }));
    await scan(stock, bin);
    await expectMessage(stock, 'good', `Put away 3 × ${item.description} into ${bin}.`);

    const moved = await audit('SN-E2E-2');
    expect(moved.current).toMatchObject({ status: 'in-stock', locationId: bin });
    expect(moved.history.map((h) => [h.event, h.locationId])).toEqual([
      ['GoodsReceived', 'DOCK:demo'],
      ['MoveTaskCompleted', bin],
    ]);
  }, BROWSER_TEST_TIMEOUT_MS);

  it('[R78] picks an order at /picker by location, item and one typed serial per unit', async () => {
    // The desk: an order for two of the units put away, released.
    expect((await api('/orders', 'POST', { orderId: ORDER, tenantId: item.tenantId, lines: [{ skuId: item.skuId, qty: 2 }], shipTo: SHIP_TO })).status).toBe(201);
    expect((await api(`/orders/${ORDER}/allocate`, 'POST', {})).status).toBeLessThan(300);
    expect((await api(`/orders/${ORDER}/release`, 'POST', {})).status).toBeLessThan(300);

    const page = await signedInPage(browser, server, PICKER, HANDHELD);
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${server.url}/picker`);
    await page.getByLabel('Badge / operative id').fill('HH-SER');
    await page.getByTestId('signon-submit').click();
    await page.waitForFunction((order) => window.__floortwinPicker?.pick?.orderId === order, ORDER, { timeout: 30_000 });
    const pick = await page.evaluate(() => window.__floortwinPicker!.pick!);
    expect(pick).toMatchObject({ locationId: bin, skuId: item.skuId, qty: 2 });
    await expect(page.getByTestId('serial-step').textContent()).resolves.toBe('3 · Serials ×2');

    await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'scan-input');
    await page.keyboard.type(pick.locationId);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => window.__floortwinPicker?.step === 'item');
    await page.keyboard.type(item.barcode);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => window.__floortwinPicker?.step === 'serial');
    await page.getByLabel('Serial 1 of 2').waitFor({ state: 'visible' });
    await page.keyboard.type('SN-E2E-1');
    await page.keyboard.press('Enter');
    await page.getByLabel('Serial 2 of 2').waitFor({ state: 'visible' });
    await expect(page.getByTestId('serial-count').textContent()).resolves.toBe('1 of 2 serials scanned');
    // The same serial again: refused on the device.
    await page.keyboard.type('SN-E2E-1');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => window.__floortwinPicker?.messageCode === 'DUPLICATE_SERIAL');
    await expect(page.getByRole('alert').filter({ hasText: 'Serial SN-E2E-1 is scanned already.' }).count()).resolves.toBe(1);
    await saveShot('serial-flows-pick-serials-360.png', await page.screenshot({ fullPage: true }));

    // A serial this site does not hold: sent, refused by the server, nothing recorded; the good one is kept.
    await page.keyboard.type('SN-NOT-HERE');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => window.__floortwinPicker?.messageCode === 'UNKNOWN_SERIAL' && window.__floortwinPicker.pendingScans === 0, undefined, { timeout: 15_000 });
    await expect(page.getByRole('alert').filter({ hasText: 'Serial SN-NOT-HERE is not in stock here' }).count()).resolves.toBe(1);
    expect(await page.evaluate(() => [window.__floortwinPicker?.step, window.__floortwinPicker?.serials])).toEqual(['serial', ['SN-E2E-1']]);
    const untouched = await api<{ status: string; lines: { picked: number }[] }>(`/orders/${ORDER}`, 'GET');
    expect(untouched.body.lines[0]?.picked).toBe(0);

    await page.keyboard.type('SN-E2E-2');
    await page.keyboard.press('Enter');
    await page.waitForFunction((taskId) => window.__floortwinPicker?.pendingScans === 0 && window.__floortwinPicker.pick?.taskId !== taskId, pick.taskId, { timeout: 15_000 });
    await page.getByText(`Picked 2 × ${item.description} at ${bin}.`).waitFor({ state: 'visible' });
    await saveShot('serial-flows-picked-360.png', await page.screenshot({ fullPage: true }));
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.close();

    const picked = await api<{ status: string; lines: { picked: number }[] }>(`/orders/${ORDER}`, 'GET');
    expect(picked.body).toMatchObject({ status: 'picked', lines: [{ picked: 2 }] });
    expect((await audit('SN-E2E-1')).current).toMatchObject({ status: 'picked', orderId: ORDER });
    expect((await audit('SN-E2E-3')).current).toMatchObject({ status: 'in-stock' });
  }, BROWSER_TEST_TIMEOUT_MS);

  it('[R79][R80] returns one unit by serial at /stock; the serial history shows each step', async () => {
    // The desk: packed, despatched, a return authorised for one unit.
    expect((await api(`/orders/${ORDER}/pack`, 'POST', { cartonCode: 'M1', weightG: 900 })).status).toBeLessThan(300);
    expect((await api(`/orders/${ORDER}/despatch`, 'POST', {})).status).toBeLessThan(300);
    expect((await audit('SN-E2E-1')).current).toMatchObject({ status: 'shipped', orderId: ORDER });
    expect((await api('/rmas', 'POST', { rmaId: 'RMA-SER-1', tenantId: item.tenantId, orderId: ORDER, lines: [{ skuId: item.skuId, qty: 1, reason: 'unwanted' }] })).status).toBe(201);

    await openMode(stock, 'returns');
    await scan(stock, 'RMA-SER-1');
    await stock.getByTestId('rma-card').waitFor({ state: 'visible' });
    await stock.getByTestId('return-item-scan').focus();
    await scan(stock, item.barcode);
    await expectMessage(stock, 'info', `${item.description} is serial-tracked: scan the serial of the returned unit.`);
    await stock.getByTestId('return-serial-scan').waitFor({ state: 'visible' });
    await stock.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'return-serial-scan');
    // A serial that never left on this order (still in the bin): the twin refuses it, nothing recorded.
    await scan(stock, 'SN-E2E-3');
    await expect(expectMessage(stock, 'bad', 'serial SN-E2E-3 was not shipped to order')).resolves.toBe('SERIAL_NOT_SHIPPED');
    await scan(stock, 'SN-E2E-1');
    await expectMessage(stock, 'good', `Received 1 × ${item.description} (serial SN-E2E-1) at the returns desk, held for inspection.`);
    await expect(stock.getByTestId('rma-card').textContent()).resolves.toContain('1/1');
    await saveShot('serial-flows-return-360.png', await stock.screenshot({ fullPage: true }));
    await fitsThePhone(stock);

    const returned = await audit('SN-E2E-1');
    expect(returned.current).toMatchObject({ status: 'in-stock', locationId: 'RETURNS:demo' });
    expect(returned.history.map((h) => [h.event, h.status])).toEqual([
      ['GoodsReceived', 'in-stock'],
      ['MoveTaskCompleted', 'in-stock'],
      ['PickConfirmed', 'picked'],
      ['OrderDespatched', 'shipped'],
      ['ReturnReceived', 'in-stock'],
    ]);
    expect(returned.history[2]).toMatchObject({ orderId: ORDER, locationId: bin });
    // The other picked unit stays shipped; the one never picked is still in stock.
    expect((await audit('SN-E2E-2')).current).toMatchObject({ status: 'shipped' });
    expect((await audit('SN-E2E-3')).history.map((h) => h.event)).toEqual(['GoodsReceived', 'MoveTaskCompleted']);
    expect(errors).toEqual([]);
  }, BROWSER_TEST_TIMEOUT_MS);
});
