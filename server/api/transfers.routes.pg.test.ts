/**
 * Transfers and serials over HTTP on a real Postgres (R71–R80): the source side (create, pick with serials, despatch,
 * transit), the receiving side (a transfer the relay announced, dock receipts with serials), the serial audit, a
 * transfer the destination refused (R76a: shown, returned into stock), and B6 — each bad request refused with a
 * specific code and nothing written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SiteRunner } from '../site/site-runner.ts';
import { mayCall } from '../auth/route-policy.ts';
import { checkStore } from '../store/check.pg.ts';
import type { PgEventStore } from '../store/event-store.pg.ts';
import { checkTransit } from '../store/transfers-check.pg.ts';
import { startApiOnPostgres, type ApiOnPostgres } from '../testing/api-on-postgres.ts';
import type { Command } from '../twin/commands.ts';
import { checkTwinInvariants } from '../twin/invariants.ts';
import type { SiteDefinition, Sku } from '../twin/site.ts';
import { dockLocationId } from '../twin/stock-status.ts';
import { transitLocationId } from '../twin/transfers.ts';

describe('[R71]–[R80] transfers and serials over HTTP on Postgres', () => {
  let store: PgEventStore;
  let runner: SiteRunner;
  let site: SiteDefinition;
  let api: ApiOnPostgres;
  let base: string;
  /** A serial-tracked SKU (made so for this test) and its client. */
  let serialSku: Sku;

  const submit = async (c: Command): Promise<void> => {
    const r = await runner.submit(c);
    if (!r.ok) throw new Error(`${c.type}: ${r.error.code} ${r.error.message}`);
  };
  const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = async <T>(r: Response): Promise<T> => (await r.json()) as T;
  const errorOf = async (r: Response) => ({ status: r.status, code: (await json<{ error: { code: string } }>(r)).error.code });
  const seq = () => runner.read((twin) => twin.seq);

  beforeAll(async () => {
    api = await startApiOnPostgres('transfers_api', {
      site: (demo) => {
        const first = demo.skus.find((s) => !s.lotTracked);
        return { ...demo, skus: demo.skus.map((s) => (s.id === first?.id ? { ...s, serialTracked: true } : s)) };
      },
    });
    ({ store, runner, site, base } = api);
    serialSku = site.skus.find((s) => s.serialTracked === true)!;
  });
  afterAll(async () => {
    await api?.close();
  });

  it('[R71]–[R73][R78] create, pick by scan with serials, despatch: units in transit; B6 refusals write nothing', async () => {
    const bin = site.layout.locations[0]!;
    await submit({ type: 'receiveGoods', receiptId: 'G-1', tenantId: serialSku.tenantId, skuId: serialSku.id, qty: 3, serials: ['SN-1', 'SN-2', 'SN-3'] });
    await submit({ type: 'moveStock', tenantId: serialSku.tenantId, skuId: serialSku.id, fromLocationId: dockLocationId(site.id), toLocationId: bin.id, qty: 3, serials: ['SN-1', 'SN-2', 'SN-3'] });
    const line = { tenantId: serialSku.tenantId, skuId: serialSku.id, qty: 2, fromLocationId: bin.id };

    const before = await seq();
    expect(await errorOf(await post(`${base}/transfers`, { transferId: 'TR-1', toSiteId: 'north', lines: [{ ...line, qty: 0 }] }))).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(await errorOf(await post(`${base}/transfers`, { transferId: 'TR-1', toSiteId: 'north', lines: [{ ...line, qty: -2 }] }))).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(await errorOf(await post(`${base}/transfers`, { transferId: 'TR-1', toSiteId: 'north', lines: [{ ...line, qty: 99 }] }))).toEqual({ status: 409, code: 'INSUFFICIENT_STOCK' });
    expect(await errorOf(await post(`${base}/transfers`, { transferId: 'TR-1', toSiteId: site.id, lines: [line] }))).toEqual({ status: 409, code: 'INVALID_STATE' }); // to itself
    expect(await seq()).toBe(before);

    const created = await post(`${base}/transfers`, { transferId: 'TR-1', toSiteId: 'north', lines: [line] });
    expect(created.status).toBe(201);
    const again = await post(`${base}/transfers`, { transferId: 'TR-1', toSiteId: 'north', lines: [line] });
    expect(await json<{ duplicate: boolean }>(again)).toMatchObject({ duplicate: true });

    const mid = await seq();
    const pick = (body: object) => post(`${base}/transfers/TR-1/pick`, { lineNo: 1, sourceScan: bin.id, scanId: 'P-1', ...body });
    expect(await errorOf(await pick({ serials: ['SN-1'] }))).toEqual({ status: 422, code: 'SERIAL_REQUIRED' });
    expect(await errorOf(await pick({ serials: ['SN-1', 'SN-404'] }))).toEqual({ status: 422, code: 'UNKNOWN_SERIAL' });
    expect(await errorOf(await pick({ serials: ['SN-1', 'SN-1'] }))).toEqual({ status: 409, code: 'DUPLICATE_SERIAL' });
    expect(await errorOf(await pick({ sourceScan: 'NOT-A-BIN', serials: ['SN-1', 'SN-2'] }))).toEqual({ status: 422, code: 'WRONG_LOCATION_SCANNED' });
    expect(await seq()).toBe(mid);
    expect((await pick({ serials: ['SN-1', 'SN-2'] })).status).toBe(200);

    const despatched = await post(`${base}/transfers/TR-1/despatch`, {});
    expect(await json<{ transfer: { status: string } }>(despatched)).toMatchObject({ transfer: { status: 'despatched' } });
    await runner.idle();
    expect(await checkTransit(store.pool, store.tables.schema, site.id)).toMatchObject({ ok: true });
    const q = await store.pool.query<{ on_hand: number }>(`SELECT on_hand FROM ${store.tables.stockQuant} WHERE site_id = $1 AND location_id = $2`, [site.id, transitLocationId(site.id)]);
    expect(q.rows).toEqual([{ on_hand: 2 }]);

    const audit = await json<{ current: { status: string }; history: { event: string; status: string }[] }>(await fetch(`${base}/serials/${serialSku.id}/SN-1`));
    expect(audit.current.status).toBe('in-transit');
    expect(audit.history.map((h) => [h.event, h.status])).toEqual([
      ['GoodsReceived', 'in-stock'],
      ['StockMoved', 'in-stock'],
      ['TransferLinePicked', 'picked'],
      ['TransferDespatched', 'in-transit'],
    ]);
    expect(await errorOf(await fetch(`${base}/serials/${serialSku.id}/NEVER`))).toEqual({ status: 404, code: 'UNKNOWN_SERIAL' });
  });

  it('[R75][R77] a transfer announced by the relay is received on the dock by serial; B6: serial twice, unknown serial, qty 0', async () => {
    await submit({ type: 'expectTransfer', transferId: 'TR-IN', fromSiteId: 'south', lines: [{ lineNo: 1, tenantId: serialSku.tenantId, skuId: serialSku.id, lot: '', expiry: null, qty: 2, serials: ['SX-1', 'SX-2'] }] });
    const before = await seq();
    const receipt = (body: object) => post(`${base}/transfers/TR-IN/receipts`, { lineNo: 1, qty: 1, ...body });
    expect(await errorOf(await receipt({ qty: 0, serials: ['SX-1'] }))).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(await errorOf(await receipt({ serials: ['SX-9'] }))).toEqual({ status: 422, code: 'UNKNOWN_SERIAL' });
    expect(await errorOf(await receipt({ serials: ['SN-3'] }))).toEqual({ status: 409, code: 'DUPLICATE_SERIAL' }); // SN-3 is in stock here
    expect(await errorOf(await receipt({ qty: 2, serials: ['SX-1', 'SX-1'] }))).toEqual({ status: 409, code: 'DUPLICATE_SERIAL' });
    expect(await errorOf(await receipt({}))).toEqual({ status: 422, code: 'SERIAL_REQUIRED' });
    expect(await seq()).toBe(before);
    expect((await receipt({ receiptId: 'RX-1', serials: ['SX-1'] })).status).toBe(201);
    expect(await errorOf(await receipt({ receiptId: 'RX-2', serials: ['SX-1'] }))).toEqual({ status: 409, code: 'DUPLICATE_SERIAL' }); // received twice
    expect(await errorOf(await post(`${base}/transfers/TR-IN/close`, {}))).toEqual({ status: 422, code: 'REASON_REQUIRED' });
    const closed = await json<{ transfer: { status: string; report: unknown[] } }>(await post(`${base}/transfers/TR-IN/close`, { reason: 'one unit missing' }));
    expect(closed.transfer).toMatchObject({ status: 'closed', report: [{ lineNo: 1, expectedQty: 2, receivedQty: 1, damagedQty: 0 }] });
    const list = await json<{ outbound: unknown[]; inbound: unknown[] }>(await fetch(`${base}/transfers`));
    expect([list.outbound.length, list.inbound.length]).toEqual([1, 1]);
    await runner.idle();
    expect((await checkStore(store.pool, store.tables.schema, site.id, { recordCheckpoint: false })).filter((r) => !r.ok)).toEqual([]);
    expect(await runner.read((twin) => checkTwinInvariants(twin))).toEqual([]);
  });

  it('[R76a] a refused transfer shows its refusal and is returned into stock with its serials; B6 writes nothing', async () => {
    const bin = site.layout.locations[0]!;
    const other = site.layout.locations[1]!;
    // TR-1 (SN-1, SN-2 in transit, from the first case): the relay records north's refusal at this source site.
    const beforeNote = await seq();
    expect(await errorOf(await post(`${base}/transfers/TR-1/return`, { reason: 'north refused' }))).toEqual({ status: 409, code: 'TRANSFER_NOT_REFUSED' });
    expect(await seq()).toBe(beforeNote);
    await submit({ type: 'noteTransferRefused', transferId: 'TR-1', siteId: 'north', code: 'UNKNOWN_SKU', message: `line 1: unknown SKU ${serialSku.id}` });
    const shown = await json<{ transfer: { status: string; refusal: { siteId: string; code: string; message: string; at: string } | null } }>(await fetch(`${base}/transfers/TR-1`));
    expect(shown.transfer).toMatchObject({ status: 'despatched', refusal: { siteId: 'north', code: 'UNKNOWN_SKU', message: `line 1: unknown SKU ${serialSku.id}` } });
    const listed = await json<{ outbound: { transferId: string; refusal: { code: string } | null }[] }>(await fetch(`${base}/transfers`));
    expect(listed.outbound.find((t) => t.transferId === 'TR-1')?.refusal).toMatchObject({ code: 'UNKNOWN_SKU' });

    const before = await seq();
    expect(await errorOf(await post(`${base}/transfers/TR-1/return`, {}))).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(await errorOf(await post(`${base}/transfers/TR-1/return`, { reason: ' ' }))).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(await errorOf(await post(`${base}/transfers/TR-1/return`, { reason: 'r', locationId: 'NOT-A-BIN' }))).toEqual({ status: 422, code: 'UNKNOWN_LOCATION' });
    expect(await errorOf(await post(`${base}/transfers/TR-404/return`, { reason: 'r' }))).toEqual({ status: 404, code: 'UNKNOWN_TRANSFER' });
    expect(await seq()).toBe(before);

    const returned = await post(`${base}/transfers/TR-1/return`, { reason: 'north does not stock it', locationId: other.id });
    expect(returned.status).toBe(200);
    expect(await json<{ transfer: object; duplicate: boolean }>(returned)).toMatchObject({ transfer: { status: 'returned', returnReason: 'north does not stock it', returnLocationId: other.id }, duplicate: false });
    expect(await json<{ duplicate: boolean }>(await post(`${base}/transfers/TR-1/return`, { reason: 'again' }))).toMatchObject({ duplicate: true });
    await runner.idle();

    const row = await store.pool.query<{ status: string; refusal_code: string; return_location: string }>(
      `SELECT status, refusal_code, return_location FROM ${store.tables.schema}.transfers WHERE site_id = $1 AND transfer_id = 'TR-1'`,
      [site.id],
    );
    expect(row.rows).toEqual([{ status: 'returned', refusal_code: 'UNKNOWN_SKU', return_location: other.id }]);
    const q = await store.pool.query<{ location_id: string; on_hand: number }>(
      `SELECT location_id, on_hand FROM ${store.tables.stockQuant} WHERE site_id = $1 AND sku_id = $2 AND on_hand <> 0 ORDER BY location_id`,
      [site.id, serialSku.id],
    );
    expect(q.rows.filter((r) => r.location_id === other.id || r.location_id === bin.id || r.location_id.startsWith('TRANSIT:'))).toEqual(
      [{ location_id: bin.id, on_hand: 1 }, { location_id: other.id, on_hand: 2 }].sort((a, b) => (a.location_id < b.location_id ? -1 : 1)),
    );
    const audit = await json<{ current: { status: string; locationId: string | null }; history: { event: string; status: string }[] }>(await fetch(`${base}/serials/${serialSku.id}/SN-2`));
    expect(audit.current).toMatchObject({ status: 'in-stock', locationId: other.id });
    expect(audit.history.at(-1)).toMatchObject({ event: 'TransferReturned', status: 'in-stock' });
    expect(await checkTransit(store.pool, store.tables.schema, site.id)).toMatchObject({ ok: true });
    expect((await checkStore(store.pool, store.tables.schema, site.id, { recordCheckpoint: false })).filter((r) => !r.ok)).toEqual([]);
    expect(await runner.read((twin) => checkTwinInvariants(twin))).toEqual([]);
  });

  it('[R76a] returning a refused transfer is supervision’s; a picker sees the refusal', () => {
    const path = '/api/sites/:siteId/transfers/:transferId/return'; // the registered route, as the policy names it
    expect([mayCall('supervisor', 'POST', path), mayCall('site-manager', 'POST', path), mayCall('picker', 'POST', path)]).toEqual([true, true, false]);
    expect(mayCall('picker', 'GET', '/api/sites/:siteId/transfers/:transferId')).toBe(true);
  });
});
