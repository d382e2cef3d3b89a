/**
 * The stock flows of issue 8 as a person does them on the stock handheld (360×740, the built client in headless
 * Chromium, the real server on a site of its own): a return (RMA → scan receipt → grade → restock put-away), an ASN
 * receipt, a replenishment task, a transfer picked by bin and serial scans and despatched into transit, a transfer from
 * another site received at the dock by item and serial scans and closed short, and the serial lookup. The desk's part
 * (an RMA, an ASN, a pick face, a transfer to pick) goes through the API as the site manager. Screenshots go to the
 * shared test-output folder.
 *
 * The server runs one site, so nothing in it announces a transfer from another site: before it starts, the test writes
 * into the server's schema, through the same SiteRunner, what the other site's relay would (`expectTransfer`, R74),
 * plus the history the flows start from — the initial stock, one despatched order to return, two serial-tracked units
 * in a bin. One SKU is serial-tracked in this site's catalogue (a copy of the demo's, that SKU without initial stock).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveShot, sharedBrowser, signedInPage } from './browser-kit.ts';
import { HANDHELD, expectMessage, fitsThePhone, openMode, openNextMove, scan, seedSite, type Seeded } from './stock-seed.ts';
import { startServerProcess, uniqueSchema, type ServerProcess } from '../../server/testing/server-process.ts';
import type { LocationId } from '../../server/twin/ids.ts';

const BROWSER_TEST_TIMEOUT_MS = 300_000;

let server: ServerProcess;

async function api<T>(url: string, method: 'GET' | 'POST' | 'PUT', body?: unknown): Promise<{ status: number; body: T }> {
  const response = await server.fetch(url, {
    method,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

/** Takes the next move task of the mode (planning one when none is open) and does its two scans; returns its bins. */
async function doNextMove(page: Page, mode: 'putaway' | 'replenish'): Promise<{ from: string; to: string }> {
  const { from, to } = await openNextMove(page, mode);
  await scan(page, from);
  await scan(page, to);
  return { from, to };
}

describe('stock flows on the handheld', () => {
  let browser: Browser;
  let base: string;
  let seeded: Seeded;
  let workDir: string;
  let picker: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    const schema = uniqueSchema('e2e_stock_flows');
    workDir = await mkdtemp(path.join(tmpdir(), 'stock-flows-'));
    const seed = await seedSite(schema, workDir);
    seeded = seed.seeded;
    [server, browser] = await Promise.all([startServerProcess({ DB_SCHEMA: schema, DEMO_SHIFT: 'off', SITE_FILE: seed.siteFile }), sharedBrowser()]);
    base = `${server.url}/api/sites/demo`;
    picker = await signedInPage(browser, server, 'picker@demo.floortwin', HANDHELD);
    picker.on('pageerror', (error) => errors.push(error.message));
    await picker.goto(`${server.url}/stock`);
    await picker.getByTestId('stock-badge').fill('STK-FLOWS');
    await picker.getByTestId('stock-sign-in').click();
    await picker.getByTestId('stock-modes').waitFor({ state: 'visible' });
  }, 240_000);

  afterAll(async () => {
    await picker?.close();
    await browser?.close();
    await server?.stop();
    if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
  });

  it('a return: the RMA scanned, the items received, graded A and restocked, then put away', async () => {
    const { plain, orderId } = seeded;
    const rma = await api<{ rmaId: string }>(`${base}/rmas`, 'POST', { rmaId: 'RMA-E2E-1', tenantId: plain.tenantId, orderId, lines: [{ skuId: plain.id, qty: 2, reason: 'unwanted' }] });
    expect(rma.status).toBe(201);

    await openMode(picker, 'returns');
    await scan(picker, 'RMA-E2E-1');
    await picker.getByTestId('rma-card').waitFor({ state: 'visible' });
    await expect(picker.getByTestId('rma-card').textContent()).resolves.toContain(`Order ${orderId}`);
    await picker.getByTestId('return-qty').fill('2');
    await picker.getByTestId('return-item-scan').focus();
    await scan(picker, plain.barcode);
    await expectMessage(picker, 'good', `Received 2 units (${plain.barcode}) at the returns desk`);
    await picker.getByTestId(`inspect-${plain.id}`).click();
    await picker.getByTestId('inspect-grade').selectOption('A');
    await picker.getByTestId('inspect-disposition').selectOption('restock');
    await picker.getByTestId('inspect-submit').click();
    await expectMessage(picker, 'good', `Inspected 2 × ${plain.id}: grade A, restock.`);
    await expect(picker.getByText('Nothing more to do for this RMA at the desk.').isVisible()).resolves.toBe(true);
    await saveShot('stock-flows-return-360.png', await picker.screenshot({ fullPage: true }));
    await fitsThePhone(picker);

    // The desk turns the restocked units into a restock task (the put-away API plans from the dock only); the handheld's
    // put-away takes it: returns desk → bin by two scans.
    const restock = await api(`${base}/move-tasks`, 'POST', { kind: 'restock', tenantId: plain.tenantId, skuId: plain.id, fromLocationId: 'RETURNS:demo', toLocationId: seeded.plainBins[1]!.locationId, qty: 2 });
    expect(restock.status).toBe(201);
    const { from, to } = await doNextMove(picker, 'putaway');
    expect([from, to]).toEqual(['RETURNS:demo', seeded.plainBins[1]!.locationId]);
    await expectMessage(picker, 'good', `Put away 2 × ${plain.description} into ${to}`);
    const bin = await api<{ quants: { skuId: string; onHand: number }[] }>(`${base}/stock?locationId=${encodeURIComponent(to)}`, 'GET');
    expect(bin.body.quants.some((q) => q.skuId === plain.id)).toBe(true);
    const after = await api<{ lines: { inspectedQty: number }[] }>(`${base}/rmas/RMA-E2E-1`, 'GET');
    expect(after.body.lines[0]?.inspectedQty).toBe(2);
  }, BROWSER_TEST_TIMEOUT_MS);

  it('an ASN receipt: the ASN scanned, a GS1 label scanned, the units land on the dock against the ASN line', async () => {
    const { plain } = seeded;
    const asn = await api(`${base}/asns`, 'POST', { asnRef: 'ASN-E2E-1', tenantId: plain.tenantId, lines: [{ skuId: plain.id, qty: 5 }] });
    expect(asn.status).toBe(201);
    await openMode(picker, 'receive');
    await scan(picker, 'ASN-E2E-1');
    await picker.getByTestId('item-scan').waitFor({ state: 'visible' });
    await scan(picker, `(01)0${plain.barcode}(37)5`);
    await picker.getByTestId('receipt-form').waitFor({ state: 'visible' });
    await expect(picker.getByTestId('asn-line').textContent()).resolves.toContain('5');
    await picker.getByTestId('receipt-submit').click();
    await expectMessage(picker, 'good', `Received 5 × ${plain.description} onto the dock`);
    await saveShot('stock-flows-asn-360.png', await picker.screenshot({ fullPage: true }));
    const after = await api<{ lines: { receivedQty: number }[] }>(`${base}/asns/ASN-E2E-1`, 'GET');
    expect(after.body.lines[0]?.receivedQty).toBe(5);
  }, BROWSER_TEST_TIMEOUT_MS);

  it('a replenishment: the pick face below its minimum is topped up from its reserve bin by two scans', async () => {
    const { plain, plainBins, site } = seeded;
    const [face, reserve] = plainBins as [{ locationId: LocationId; qty: number }, { locationId: LocationId; qty: number }];
    const capacity = site.layout.locations.find((l) => l.id === face.locationId)?.capacityUnits ?? 0;
    const before = await api<{ quants: { skuId: string; onHand: number }[] }>(`${base}/stock?locationId=${encodeURIComponent(face.locationId)}`, 'GET');
    const onFace = before.body.quants.filter((q) => q.skuId === plain.id).reduce((n, q) => n + q.onHand, 0);
    const max = Math.min(capacity, onFace + 10);
    expect(max).toBeGreaterThan(onFace);
    const set = await api(`${base}/pick-faces/${encodeURIComponent(face.locationId)}`, 'PUT', { tenantId: plain.tenantId, skuId: plain.id, min: onFace + 1 > max - 1 ? max - 1 : onFace + 1, max });
    expect(set.status).toBe(200);

    const { from, to } = await doNextMove(picker, 'replenish');
    expect([from, to]).toEqual([reserve.locationId, face.locationId]);
    await expectMessage(picker, 'good', `Replenished`);
    await expectMessage(picker, 'good', `into ${face.locationId}`);
    await saveShot('stock-flows-replenish-360.png', await picker.screenshot({ fullPage: true }));
    const after = await api<{ quants: { skuId: string; onHand: number }[] }>(`${base}/stock?locationId=${encodeURIComponent(face.locationId)}`, 'GET');
    expect(after.body.quants.filter((q) => q.skuId === plain.id).reduce((n, q) => n + q.onHand, 0)).toBeGreaterThan(onFace);
  }, BROWSER_TEST_TIMEOUT_MS);

  it('a transfer out: each line picked by its bin (and serials), despatched: the units are in transit', async () => {
    const { serialSku, plain, plainBins, serialBin } = seeded;
    const reserve = plainBins[1]!.locationId;
    const created = await api(`${base}/transfers`, 'POST', {
      transferId: 'TR-OUT-E2E',
      toSiteId: 'north',
      lines: [
        { tenantId: serialSku.tenantId, skuId: serialSku.id, qty: 2, fromLocationId: serialBin },
        { tenantId: plain.tenantId, skuId: plain.id, qty: 3, fromLocationId: reserve },
      ],
    });
    expect(created.status).toBe(201);

    await openMode(picker, 'transfer-out');
    await picker.getByTestId('transfer-TR-OUT-E2E').click();
    await picker.getByTestId('transfer-card').waitFor({ state: 'visible' });
    await expectMessage(picker, 'info', `Go to ${serialBin} and scan the bin.`);
    // A wrong bin, then a serial scanned twice: each refused on the device, nothing recorded.
    await scan(picker, reserve);
    await expect(expectMessage(picker, 'bad', `Wrong bin: scanned ${reserve}`)).resolves.toBe('WRONG_LOCATION_SCANNED');
    await scan(picker, serialBin);
    await expectMessage(picker, 'info', 'Scan the serial of each of the 2 units.');
    await scan(picker, 'SN-OUT-1');
    await scan(picker, 'SN-OUT-1');
    await expect(expectMessage(picker, 'bad', 'Serial SN-OUT-1 is scanned already.')).resolves.toBe('DUPLICATE_SERIAL');
    await expect(picker.getByTestId('serial-list').textContent()).resolves.toContain('SN-OUT-1');
    await saveShot('stock-flows-transfer-serials-360.png', await picker.screenshot({ fullPage: true }));
    await scan(picker, 'SN-OUT-2');
    await expectMessage(picker, 'good', `Picked 2 × ${serialSku.description} from ${serialBin}. Next: ${reserve}.`);
    await scan(picker, reserve);
    await expectMessage(picker, 'good', 'Every line is picked: despatch it.');
    await picker.getByTestId('transfer-despatch').click();
    await expectMessage(picker, 'good', 'Despatched TR-OUT-E2E to north: 5 units in transit.');
    await expect(picker.getByTestId('transfer-status').textContent()).resolves.toBe('in transit');
    await saveShot('stock-flows-transfer-out-360.png', await picker.screenshot({ fullPage: true }));
    await fitsThePhone(picker);

    const transfer = await api<{ transfer: { status: string; lines: { serials: string[] }[] } }>(`${base}/transfers/TR-OUT-E2E`, 'GET');
    expect(transfer.body.transfer.status).toBe('despatched');
    expect(transfer.body.transfer.lines[0]?.serials).toEqual(['SN-OUT-1', 'SN-OUT-2']);
    const transit = await api<{ quants: { skuId: string; onHand: number }[] }>(`${base}/stock?locationId=${encodeURIComponent('TRANSIT:demo')}`, 'GET');
    // Beside the seeded transfer north refused (its unit is in transit until the desk returns it, below).
    expect(transit.body.quants.map((q) => [q.skuId, q.onHand]).sort()).toEqual([[plain.id, 3], [serialSku.id, 2], [seeded.refused.skuId, 1]].sort());
  }, BROWSER_TEST_TIMEOUT_MS);

  it('a transfer in: items and serials scanned at the dock, one unit damaged, closed short with a reason', async () => {
    const { serialSku, plain } = seeded;
    // Closing a transfer is a supervisor's step (route policy); the supervisor's handheld does the whole receipt.
    const page = await signedInPage(browser, server, 'supervisor@demo.floortwin', HANDHELD);
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${server.url}/stock?operative=SUP-FLOWS&mode=transfer-in`);
    await page.getByTestId('inbound-TR-IN-E2E').click();
    await page.getByTestId('inbound-card').waitFor({ state: 'visible' });
    await expect(page.getByTestId('inbound-card').textContent()).resolves.toContain('From north');

    // An item not on the transfer is refused.
    const stranger = seeded.site.skus.find((s) => s.id !== plain.id && s.id !== serialSku.id && /^\d{13}$/.test(s.barcode) && s.barcode !== plain.barcode && s.barcode !== serialSku.barcode)!;
    await scan(page, stranger.barcode);
    await expect(expectMessage(page, 'bad', `${stranger.barcode} is not on transfer TR-IN-E2E`)).resolves.toBe('UNKNOWN_SKU');

    // The serial-tracked line: one unit arrived, its serial scanned.
    await scan(page, serialSku.barcode);
    await expectMessage(page, 'info', 'Line 1: scan the serial of each unit.');
    await scan(page, 'SN-IN-1');
    await expect(page.getByTestId('serial-count').textContent()).resolves.toBe('1 unit scanned');
    await page.getByTestId('transfer-receipt-submit').click();
    await expectMessage(page, 'good', `Received 1 × ${serialSku.description} onto the dock.`);

    // The plain line: 3 units, one damaged — refused without a reason, then taken with one.
    await page.getByTestId('transfer-item-scan').focus();
    await scan(page, plain.barcode);
    await page.getByTestId('transfer-receipt-qty').fill('3');
    await page.getByTestId('transfer-receipt-damaged').fill('1');
    await page.getByTestId('transfer-receipt-submit').click();
    await expect(expectMessage(page, 'bad', 'Damaged units: give a reason.')).resolves.toBe('INVALID_ENTRY');
    await page.getByTestId('transfer-receipt-reason').selectOption('Crushed carton');
    await page.getByTestId('transfer-receipt-submit').click();
    await expectMessage(page, 'good', `Received 3 × ${plain.description} onto the dock (1 damaged, held).`);
    await expect(page.getByTestId('inbound-line-2').textContent()).resolves.toContain('3/3');

    // One serial unit never came: closing asks why.
    await page.getByTestId('transfer-close').click();
    await page.getByTestId('close-short-form').waitFor({ state: 'visible' });
    await expect(page.getByTestId('close-short-form').textContent()).resolves.toContain('1 unit did not arrive');
    await page.getByTestId('close-reason').selectOption('Units missing from the delivery');
    await page.getByTestId('close-short-submit').click();
    await expectMessage(page, 'good', 'Transfer TR-IN-E2E closed short (Units missing from the delivery).');
    await expect(page.getByTestId('inbound-status').textContent()).resolves.toBe('closed');
    await saveShot('stock-flows-transfer-in-360.png', await page.screenshot({ fullPage: true }));
    await fitsThePhone(page);

    const inbound = await api<{ transfer: { status: string; report: { receivedQty: number; damagedQty: number }[] } }>(`${base}/transfers/TR-IN-E2E`, 'GET');
    expect(inbound.body.transfer.status).toBe('closed');
    expect(inbound.body.transfer.report.map((l) => [l.receivedQty, l.damagedQty])).toEqual([[1, 0], [3, 1]]);
    await page.close();
  }, BROWSER_TEST_TIMEOUT_MS);

  it('a transfer the other site refused: listed with its reason; a picker may not return it, a supervisor does', async () => {
    const { refused } = seeded;
    // The picker sees the refusal, and the route policy refuses the return: nothing recorded.
    await openMode(picker, 'transfer-out');
    await expect(picker.getByTestId('refusal-TR-REFUSED-E2E').textContent()).resolves.toBe(`north refused: north does not stock ${refused.skuId}`);
    // (The picker page's own session: `api` signs in as the site manager.)
    const byPicker = await picker.request.post(`${base}/transfers/TR-REFUSED-E2E/return`, { data: { reason: 'Sent to the wrong site' } });
    expect(byPicker.status()).toBe(403);
    expect(((await byPicker.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');

    const page = await signedInPage(browser, server, 'supervisor@demo.floortwin', HANDHELD);
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${server.url}/stock?operative=SUP-FLOWS&mode=transfer-out`);
    await page.getByTestId('transfer-TR-REFUSED-E2E').click();
    await expect(page.getByTestId('transfer-status').textContent()).resolves.toBe('refused');
    await expect(page.getByTestId('transfer-refusal').textContent()).resolves.toBe(`north refused it (UNKNOWN_SKU): north does not stock ${refused.skuId}`);
    // No reason, no return: the button waits for one.
    await expect(page.getByTestId('transfer-return').isDisabled()).resolves.toBe(true);
    await page.getByTestId('transfer-return-reason').selectOption('The other site does not stock it');
    await page.getByTestId('transfer-return').click();
    await expectMessage(page, 'good', 'Returned TR-REFUSED-E2E: 1 unit back in stock at DOCK:demo.');
    await expect(page.getByTestId('transfer-returned').isVisible()).resolves.toBe(true);
    await saveShot('stock-flows-transfer-returned-360.png', await page.screenshot({ fullPage: true }));
    await fitsThePhone(page);
    await page.close();

    const transfer = await api<{ transfer: { status: string; returnReason: string } }>(`${base}/transfers/TR-REFUSED-E2E`, 'GET');
    expect(transfer.body.transfer).toMatchObject({ status: 'returned', returnReason: 'The other site does not stock it' });
    const dock = await api<{ quants: { skuId: string; onHand: number }[] }>(`${base}/stock?locationId=${encodeURIComponent('DOCK:demo')}`, 'GET');
    expect(dock.body.quants.find((q) => q.skuId === refused.skuId)?.onHand).toBe(1);
  }, BROWSER_TEST_TIMEOUT_MS);

  it('the serial lookup: where a serial is now and its history; one never here is refused', async () => {
    const { serialSku } = seeded;
    await openMode(picker, 'serial');
    await scan(picker, serialSku.barcode);
    await expect(picker.getByTestId('serial-item').textContent()).resolves.toContain(serialSku.description);
    await scan(picker, 'SN-OUT-1');
    await picker.locator('[data-testid="serial-card"][aria-label="Serial SN-OUT-1"]').waitFor({ state: 'visible' });
    await expect(picker.getByTestId('serial-where').textContent()).resolves.toBe('In transit on transfer TR-OUT-E2E');
    const history = (await picker.getByTestId('serial-history').textContent()) ?? '';
    for (const event of ['GoodsReceived', 'TransferLinePicked', 'TransferDespatched']) expect(history).toContain(event);
    await saveShot('stock-flows-serial-360.png', await picker.screenshot({ fullPage: true }));

    await scan(picker, 'SN-IN-1');
    await picker.locator('[data-testid="serial-card"][aria-label="Serial SN-IN-1"]').waitFor({ state: 'visible' });
    await expect(picker.getByTestId('serial-where').textContent()).resolves.toBe('In stock at DOCK:demo');
    await expect(picker.getByTestId('serial-history').textContent()).resolves.toContain('TransferReceived');
    // SN-IN-2 was on the transfer but never arrived: this site never held it.
    await scan(picker, 'SN-IN-2');
    await expect(expectMessage(picker, 'bad', 'serial SN-IN-2')).resolves.toBe('UNKNOWN_SERIAL');
    await fitsThePhone(picker);
    expect(errors).toEqual([]);
  }, BROWSER_TEST_TIMEOUT_MS);
});
