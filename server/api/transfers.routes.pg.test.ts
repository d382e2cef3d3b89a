/**
 * Transfers and serials over HTTP on a real Postgres (R71–R80): the source side (create, pick with serials, despatch,
 * transit), the receiving side (a transfer the relay announced, dock receipts with serials), the serial audit, and B6 —
 * each bad request refused with a specific code and nothing written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SiteRunner } from '../site/site-runner.ts';
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
});
