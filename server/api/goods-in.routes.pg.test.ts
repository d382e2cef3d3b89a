/** Goods-in and holds over HTTP on a real Postgres (R39–R46): ASN JSON/CSV, scan receipt, put-away, holds, close report. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SiteRunner } from '../site/site-runner.ts';
import { checkStore } from '../store/check.pg.ts';
import type { PgEventStore } from '../store/event-store.pg.ts';
import { startApiOnPostgres, type ApiOnPostgres } from '../testing/api-on-postgres.ts';
import { availableOf } from '../twin/availability.ts';
import { gs1CheckDigit } from '../twin/barcodes/gs1.ts';
import { checkTwinInvariants } from '../twin/invariants.ts';
import type { SiteDefinition, Sku } from '../twin/site.ts';
import { dockLocationId } from '../twin/stock-status.ts';

const GTIN = `0950600013430${gs1CheckDigit('0950600013430')}`;

describe('[R39]–[R46] goods-in over HTTP on Postgres', () => {
  let store: PgEventStore;
  let runner: SiteRunner;
  let site: SiteDefinition;
  let api: ApiOnPostgres;
  let base: string;
  /** A lot-tracked SKU (barcode set to a GTIN), a plain one of the same client, and a SKU of another client. */
  let lotSku: Sku;
  let plain: Sku;
  let foreign: Sku;
  /** A plain SKU of the same client made serial-tracked (R77). */
  let serialSku: Sku;

  beforeAll(async () => {
    // The lot-tracked SKU carries a real GTIN so a GS1-128 scan can name it.
    let lotId = '';
    let serialId = '';
    api = await startApiOnPostgres('goodsin', {
      site: (demo) => {
        const lotted = demo.skus.find((s) => s.lotTracked) as Sku;
        lotId = lotted.id;
        serialId = (demo.skus.findLast((s) => !s.lotTracked && s.tenantId === lotted.tenantId) as Sku).id;
        return { ...demo, skus: demo.skus.map((s) => (s.id === lotId ? { ...s, barcode: GTIN } : s.id === serialId ? { ...s, serialTracked: true } : s)) };
      },
    });
    ({ store, runner, site, base } = api);
    lotSku = site.skus.find((s) => s.id === lotId) as Sku;
    serialSku = site.skus.find((s) => s.id === serialId) as Sku;
    plain = site.skus.find((s) => !s.lotTracked && s.tenantId === lotSku.tenantId) as Sku;
    expect(plain.id).not.toBe(serialSku.id);
    foreign = site.skus.find((s) => s.tenantId !== lotSku.tenantId) as Sku;
  });

  afterAll(async () => {
    await api?.close();
  });

  const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = async <T>(r: Response): Promise<T> => (await r.json()) as T;
  const errorOf = async (r: Response) => ({ status: r.status, code: (await json<{ error: { code: string } }>(r)).error.code });
  const rows = async (sql: string, params: unknown[] = []) => (await store.pool.query(sql.replaceAll('$S', `"${store.tables.schema}"`), params)).rows as Record<string, unknown>[];
  const storeClean = async () => {
    await runner.idle();
    const results = await checkStore(store.pool, store.tables.schema, site.id);
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(await runner.read((twin) => checkTwinInvariants(twin))).toEqual([]);
  };

  it('creates an ASN, receives a GS1-128 scan onto the dock, puts it away, closes with a report', async () => {
    const created = await post(`${base}/asns`, {
      asnRef: 'ASN-100',
      tenantId: lotSku.tenantId,
      lines: [
        { skuId: lotSku.id, qty: 30, lot: 'LOT-9' },
        { skuId: plain.id, qty: 5 },
      ],
    });
    expect(created.status).toBe(201);
    // The same ASN again is acknowledged, not duplicated.
    expect((await post(`${base}/asns`, { asnRef: 'ASN-100', tenantId: lotSku.tenantId, lines: [{ skuId: lotSku.id, qty: 30, lot: 'LOT-9' }, { skuId: plain.id, qty: 5 }] })).status).toBe(200);

    const scan = `(01)${GTIN}(17)271231(10)LOT-9(37)24`;
    const r = await post(`${base}/receipts`, { receiptId: 'scan-1', asnRef: 'ASN-100', scan });
    expect(r.status).toBe(201);
    expect(await json(r)).toMatchObject({ skuId: lotSku.id, lot: 'LOT-9', expiry: '2027-12-31', qty: 24, lineNo: 1, blind: false });
    // The device resends the same scan: acknowledged, nothing written twice.
    expect(await json(await post(`${base}/receipts`, { receiptId: 'scan-1', asnRef: 'ASN-100', scan }))).toEqual({ receiptId: 'scan-1', duplicate: true });
    const damaged = await post(`${base}/receipts`, { receiptId: 'scan-2', asnRef: 'ASN-100', skuId: plain.id, qty: 6, damagedQty: 2, reason: 'one extra; two crushed' });
    expect(damaged.status).toBe(201);

    const dock = dockLocationId(site.id);
    expect(await rows(`SELECT on_hand FROM $S.stock_quant WHERE site_id = $1 AND location_id = $2 AND sku_id = $3`, [site.id, dock, lotSku.id])).toEqual([{ on_hand: 24 }]);
    expect(await rows(`SELECT receipt_id, blind, over_qty, damaged_qty FROM $S.goods_receipts WHERE site_id = $1 ORDER BY receipt_id`, [site.id])).toEqual([
      { receipt_id: 'scan-1', blind: false, over_qty: 0, damaged_qty: 0 },
      { receipt_id: 'scan-2', blind: false, over_qty: 1, damaged_qty: 2 },
    ]);
    expect(await rows(`SELECT hold_id, status, units FROM $S.stock_holds WHERE site_id = $1`, [site.id])).toEqual([{ hold_id: 'scan-2/damaged', status: 'damaged', units: 2 }]);

    // Put-away from the dock with the existing moveStock; the stock becomes available.
    const bin = site.layout.locations[3]!.id;
    const moved = await runner.submit({ type: 'moveStock', tenantId: lotSku.tenantId, fromLocationId: dock, toLocationId: bin, skuId: lotSku.id, lot: 'LOT-9', qty: 24 });
    expect(moved.ok).toBe(true);
    expect(await runner.read((twin) => availableOf(twin, lotSku.tenantId, lotSku.id))).toBeGreaterThanOrEqual(24);

    expect(await errorOf(await post(`${base}/asns/ASN-100/close`, {}))).toEqual({ status: 422, code: 'REASON_REQUIRED' });
    const closed = await post(`${base}/asns/ASN-100/close`, { reason: 'rest next week' });
    expect(closed.status).toBe(200);
    const view = await json<{ status: string; report: unknown[] }>(closed);
    expect(view.status).toBe('closed');
    expect(view.report).toEqual([
      { lineNo: 1, skuId: lotSku.id, lot: 'LOT-9', expectedQty: 30, receivedQty: 24, damagedQty: 0, overQty: 0, shortQty: 6, reasons: [] },
      { lineNo: 2, skuId: plain.id, lot: null, expectedQty: 5, receivedQty: 6, damagedQty: 2, overQty: 1, shortQty: 0, reasons: ['one extra; two crushed'] },
    ]);
    expect(await rows(`SELECT status, report IS NOT NULL AS reported FROM $S.asns WHERE site_id = $1 AND asn_ref = 'ASN-100'`, [site.id])).toEqual([{ status: 'closed', reported: true }]);
    await storeClean();
  });

  it('B6: unknown or closed ASN, SKU of another client, qty ≤ 0, hold on nothing, unknown hold: specific codes, nothing written', async () => {
    const before = await store.lastSeq(site.id);
    expect(await errorOf(await post(`${base}/receipts`, { asnRef: 'NOPE', skuId: plain.id, qty: 1 }))).toEqual({ status: 404, code: 'UNKNOWN_ASN' });
    expect(await errorOf(await post(`${base}/receipts`, { asnRef: 'ASN-100', skuId: plain.id, qty: 1 }))).toEqual({ status: 409, code: 'ASN_CLOSED' });
    expect(await errorOf(await post(`${base}/receipts`, { tenantId: lotSku.tenantId, skuId: foreign.id, qty: 1 }))).toEqual({ status: 422, code: 'TENANT_MISMATCH' });
    expect((await post(`${base}/receipts`, { tenantId: plain.tenantId, skuId: plain.id, qty: 0 })).status).toBe(400);
    expect(await errorOf(await post(`${base}/receipts`, { tenantId: plain.tenantId, scan: '(01)12345' }))).toEqual({ status: 422, code: 'INVALID_SCAN' });
    expect(await errorOf(await post(`${base}/asns`, { asnRef: 'ASN-X', tenantId: lotSku.tenantId, lines: [{ skuId: foreign.id, qty: 1 }] }))).toEqual({ status: 422, code: 'TENANT_MISMATCH' });
    expect(await errorOf(await post(`${base}/holds`, { tenantId: foreign.tenantId, status: 'quarantine', reason: 'x', skuId: foreign.id }))).toEqual({ status: 409, code: 'NOTHING_TO_HOLD' });
    expect(await errorOf(await post(`${base}/holds/NOPE/release`, { reason: 'x' }))).toEqual({ status: 404, code: 'UNKNOWN_HOLD' });
    expect(await store.lastSeq(site.id)).toBe(before);
  });

  it('CSV import: errors name line and column and create nothing; a re-import creates nothing twice', async () => {
    const bad = await post(`${base}/asns/import`, { csv: `asn_ref,tenant,sku,qty\nC-1,${plain.tenantId},${plain.id},x\n` });
    expect(bad.status).toBe(400);
    expect(await json(bad)).toMatchObject({ error: { code: 'INVALID_CSV', details: { errors: [{ line: 2, column: 'qty' }] } } });
    const foreignLine = await post(`${base}/asns/import`, { csv: `asn_ref,tenant,sku,qty\nC-1,${plain.tenantId},${plain.id},3\nC-2,${plain.tenantId},${foreign.id},3\n` });
    expect(foreignLine.status).toBe(422);
    expect(await json(foreignLine)).toMatchObject({ error: { code: 'TENANT_MISMATCH', details: { line: 3 } } });
    expect(await runner.read((twin) => twin.asns.has('C-1'))).toBe(false);
    const csv = `asn_ref,tenant,sku,qty\nC-1,${plain.tenantId},${plain.id},3\nC-1,${plain.tenantId},${lotSku.id},4\n`;
    const first = await post(`${base}/asns/import`, { csv });
    expect(first.status).toBe(201);
    expect(await json(first)).toEqual({ asns: ['C-1'], created: ['C-1'] });
    const again = await post(`${base}/asns/import`, { csv });
    expect(again.status).toBe(200);
    expect(await json(again)).toEqual({ asns: ['C-1'], created: [] });
    expect(await rows(`SELECT count(*)::int AS n FROM $S.asns WHERE site_id = $1 AND asn_ref = 'C-1'`, [site.id])).toEqual([{ n: 1 }]);
    // The file itself, as text/csv (the app lets this path through its JSON-only rule, as for orders).
    const asText = await fetch(`${base}/asns/import`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv.replaceAll('C-1', 'C-9') });
    expect(asText.status).toBe(201);
    expect(await json(asText)).toEqual({ asns: ['C-9'], created: ['C-9'] });
  });

  it('holds: place, list, release; a QC rule holds a blind receipt; expiry sweep and alert', async () => {
    const bin = site.layout.locations[3]!.id;
    const placed = await post(`${base}/holds`, { holdId: 'H-1', tenantId: lotSku.tenantId, status: 'quarantine', reason: 'recall check', locationId: bin, qty: 4 });
    expect(placed.status).toBe(201);
    const avail = () => runner.read((twin) => availableOf(twin, lotSku.tenantId, lotSku.id));
    const withHold = await avail();
    expect((await json<{ holds: { id: string }[] }>(await fetch(`${base}/holds?status=quarantine`))).holds.map((h) => h.id)).toEqual(['H-1']);
    expect((await post(`${base}/holds/H-1/release`, { reason: 'cleared' })).status).toBe(200);
    expect(await avail()).toBe(withHold + 4);

    const rule = await fetch(`${base}/qc-rules`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tenantId: plain.tenantId, skuId: plain.id, hold: true }) });
    expect(rule.status).toBe(200);
    const blind = await post(`${base}/receipts`, { receiptId: 'blind-1', tenantId: plain.tenantId, skuId: plain.id, qty: 3 });
    expect(await json(blind)).toMatchObject({ blind: true, asnRef: null, holds: [{ status: 'qc', qty: 3 }] });
    expect(await rows(`SELECT blind FROM $S.goods_receipts WHERE site_id = $1 AND receipt_id = 'blind-1'`, [site.id])).toEqual([{ blind: true }]);

    const alert = await json<{ lots: { lot: string; daysLeft: number }[] }>(await fetch(`${base}/lots/expiring?asOf=2027-12-01&withinDays=60`));
    expect(alert.lots.find((l) => l.lot === 'LOT-9')).toMatchObject({ daysLeft: 30 });
    const beforeSweep = await avail();
    const swept = await json<{ lines: { lot: string; qty: number }[] }>(await post(`${base}/lots/expire`, { asOf: '2028-01-01' }));
    expect(swept.lines.find((l) => l.lot === 'LOT-9')?.qty).toBeGreaterThan(0);
    expect(await avail()).toBeLessThanOrEqual(beforeSweep - 24);
    expect((await json<{ lines: unknown[] }>(await post(`${base}/lots/expire`, { asOf: '2028-01-01' }))).lines).toEqual([]);
    expect(await rows(`SELECT count(*)::int AS n FROM $S.stock_holds WHERE site_id = $1 AND released_seq IS NOT NULL`, [site.id])).toEqual([{ n: 1 }]);
    await storeClean();
  });
  it('[R77] a serial-tracked SKU is received with one distinct new serial per unit; B6: missing, short, repeated, known, malformed or unwanted serials are refused by name, nothing written', async () => {
    const receipt = (body: object) => post(`${base}/receipts`, { tenantId: serialSku.tenantId, skuId: serialSku.id, qty: 3, ...body });
    const ok = await receipt({ receiptId: 'serial-1', serials: ['GI-SN-1', 'GI-SN-2', 'GI-SN-3'] });
    expect(ok.status).toBe(201);
    expect(await json(ok)).toMatchObject({ skuId: serialSku.id, qty: 3, serials: ['GI-SN-1', 'GI-SN-2', 'GI-SN-3'] });
    await runner.idle();
    expect(await rows(`SELECT serial, status, location_id FROM $S.serial_history WHERE site_id = $1 AND sku_id = $2 ORDER BY serial`, [site.id, serialSku.id])).toEqual(
      ['GI-SN-1', 'GI-SN-2', 'GI-SN-3'].map((serial) => ({ serial, status: 'in-stock', location_id: dockLocationId(site.id) })),
    );

    const before = await store.lastSeq(site.id);
    const refused = async (body: object) => {
      const r = await receipt(body);
      const error = (await json<{ error: { code: string; message: string } }>(r)).error;
      return { status: r.status, code: error.code, message: error.message };
    };
    expect(await refused({})).toMatchObject({ status: 422, code: 'SERIAL_REQUIRED', message: expect.stringMatching(/one serial per unit \(3\), got 0/) as unknown });
    expect(await refused({ serials: ['GI-SN-4', 'GI-SN-5'] })).toMatchObject({ status: 422, code: 'SERIAL_REQUIRED' });
    expect(await refused({ serials: ['GI-SN-4', 'GI-SN-4', 'GI-SN-5'] })).toMatchObject({ status: 409, code: 'DUPLICATE_SERIAL', message: expect.stringMatching(/GI-SN-4/) as unknown });
    expect(await refused({ serials: ['GI-SN-1', 'GI-SN-4', 'GI-SN-5'] })).toMatchObject({ status: 409, code: 'DUPLICATE_SERIAL', message: expect.stringMatching(/GI-SN-1 .*already in-stock/) as unknown });
    expect(await refused({ serials: ['GI SN 4', 'GI-SN-5', 'GI-SN-6'] })).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', message: expect.stringMatching(/serial/) as unknown });
    expect(await refused({ serials: [] })).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(await refused({ skuId: plain.id, serials: ['GI-SN-4', 'GI-SN-5', 'GI-SN-6'] })).toMatchObject({ status: 409, code: 'INVALID_STATE', message: expect.stringMatching(/not serial-tracked/) as unknown });
    expect(await store.lastSeq(site.id)).toBe(before);
    await storeClean();
  });
});
