/** Returns over HTTP on a real Postgres (R50–R55): RMA, scan receipt, inspection and disposition, close, report, B6. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SiteRunner } from '../site/site-runner.ts';
import { checkStore } from '../store/check.pg.ts';
import type { PgEventStore } from '../store/event-store.pg.ts';
import { startApiOnPostgres, type ApiOnPostgres } from '../testing/api-on-postgres.ts';
import { availableOf } from '../twin/availability.ts';
import type { Command } from '../twin/commands.ts';
import { asOperativeId, asOrderId, type OrderId } from '../twin/ids.ts';
import { checkTwinInvariants } from '../twin/invariants.ts';
import { returnsLocationId } from '../twin/returns.ts';
import type { SiteDefinition, Sku } from '../twin/site.ts';
import { dockLocationId } from '../twin/stock-status.ts';


describe('[R50]–[R55] returns over HTTP on Postgres', () => {
  let store: PgEventStore;
  let runner: SiteRunner;
  let site: SiteDefinition;
  let api: ApiOnPostgres;
  let base: string;
  let sku: Sku;
  let foreign: Sku;
  let order: OrderId;
  let foreignOrder: OrderId;
  /** A plain SKU made serial-tracked (R79), neither `sku` nor `foreign`. */
  let serialSku: Sku;

  const submit = async (c: Command): Promise<void> => {
    const r = await runner.submit(c);
    if (!r.ok) throw new Error(`${c.type}: ${r.error.code} ${r.error.message}`);
  };
  /**
   * Stocks a bin, then creates, picks, packs and despatches an order of `qty` units of the SKU. With `serials`, the SKU
   * is serial-tracked: exactly those units are received, put away and picked by serial.
   */
  const despatch = async (id: string, s: Sku, qty: number, bin: number, serials?: string[]): Promise<OrderId> => {
    const orderId = asOrderId(id);
    const binId = site.layout.locations[bin]!.id;
    if (serials === undefined) await submit({ type: 'receiveStock', tenantId: s.tenantId, locationId: binId, skuId: s.id, qty: 10 });
    else {
      await submit({ type: 'receiveGoods', receiptId: `RG-${id}`, tenantId: s.tenantId, skuId: s.id, qty: serials.length, serials });
      await submit({ type: 'moveStock', tenantId: s.tenantId, fromLocationId: dockLocationId(site.id), toLocationId: binId, skuId: s.id, qty: serials.length, serials });
    }
    const toPick = [...(serials ?? [])];
    await submit({ type: 'createOrder', orderId, tenantId: s.tenantId, lines: [{ skuId: s.id, qty }] });
    await submit({ type: 'allocateOrder', orderId });
    await submit({ type: 'releaseOrder', orderId });
    const picker = asOperativeId(`P-${id}`);
    await submit({ type: 'signOn', operativeId: picker, name: 'Pat' });
    await submit({ type: 'requestWork', operativeId: picker, maxTasks: 20 });
    const tasks = await runner.read((twin) => (twin.orders.get(orderId)?.taskIds ?? []).map((t) => twin.tasks.get(t)!));
    for (const t of tasks) {
      await submit({ type: 'confirmPick', taskId: t.id, operativeId: picker, scannedLocation: t.locationId, scannedItem: s.barcode, qty: t.qty, ...(serials === undefined ? {} : { serials: toPick.splice(0, t.qty) }) });
    }
    await submit({ type: 'packOrder', orderId });
    await submit({ type: 'despatchOrder', orderId });
    return orderId;
  };

  beforeAll(async () => {
    let serialId = '';
    api = await startApiOnPostgres('returns', {
      site: (demo) => {
        serialId = (demo.skus.findLast((s) => !s.lotTracked) as Sku).id;
        return { ...demo, skus: demo.skus.map((s) => (s.id === serialId ? { ...s, serialTracked: true } : s)) };
      },
    });
    ({ store, runner, site, base } = api);
    sku = site.skus.find((s) => !s.lotTracked) as Sku;
    foreign = site.skus.find((s) => !s.lotTracked && s.tenantId !== sku.tenantId) as Sku;
    serialSku = site.skus.find((s) => s.id === serialId) as Sku;
    expect([sku.id, foreign.id]).not.toContain(serialSku.id);
    // A channel connection for the client, so availability changes reach the outbox (R53).
    await store.pool.query(
      `INSERT INTO "${store.tables.schema}".channel_connections (id, kind, site_id, tenant_id, shop, secrets, api_base_url, api_token)
       VALUES ('shop-1', 'shopify', $1, $2, 'shop-1.myshopify.com', ARRAY['s'], 'http://127.0.0.1:1', 't')`,
      [site.id, sku.tenantId],
    );
    order = await despatch('RO-1', sku, 5, 0);
    foreignOrder = await despatch('RO-2', foreign, 2, 1);
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

  it('authorises, receives by scan, inspects with each disposition, puts away, closes and reports', async () => {
    const created = await post(`${base}/rmas`, { rmaId: 'RMA-1', tenantId: sku.tenantId, orderId: order, lines: [{ skuId: sku.id, qty: 4, reason: 'unwanted' }] });
    expect(created.status).toBe(201);
    expect(await json(created)).toMatchObject({ rmaId: 'RMA-1', status: 'open', lines: [{ skuId: sku.id, qty: 4, reason: 'unwanted', receivedQty: 0 }] });

    const r1 = await post(`${base}/rmas/RMA-1/receipts`, { receiptId: 'scan-1', scan: sku.barcode, qty: 4 });
    expect(r1.status).toBe(201);
    // A resent scan is acknowledged and writes nothing twice.
    const again = await post(`${base}/rmas/RMA-1/receipts`, { receiptId: 'scan-1', scan: sku.barcode, qty: 4 });
    expect(again.status).toBe(200);
    expect(await json(again)).toMatchObject({ duplicate: true, lines: [{ receivedQty: 4 }] });
    const desk = returnsLocationId(site.id);
    expect(await rows(`SELECT on_hand FROM $S.stock_quant WHERE site_id = $1 AND location_id = $2`, [site.id, desk])).toEqual([{ on_hand: 4 }]);
    expect(await rows(`SELECT from_location, qty, reason FROM $S.stock_move WHERE site_id = $1 AND to_location = $2`, [site.id, desk])).toEqual([
      { from_location: 'V:CUSTOMER', qty: 4, reason: 'RETURN' },
    ]);
    expect(await rows(`SELECT hold_id, status, units FROM $S.stock_holds WHERE site_id = $1 AND released_seq IS NULL`, [site.id])).toEqual([
      { hold_id: 'RMA:RMA-1:R1', status: 'qc', units: 4 },
    ]);

    const available = await runner.read((twin) => availableOf(twin, sku.tenantId, sku.id));
    const outboxBefore = (await rows(`SELECT count(*)::int AS n FROM $S.outbox WHERE site_id = $1 AND kind = 'stock'`, [site.id]))[0]!['n'] as number;
    const inspect = (id: string, grade: string, disposition: string, qty = 1) => post(`${base}/rmas/RMA-1/inspections`, { inspectionId: id, skuId: sku.id, qty, grade, disposition });
    expect((await inspect('i1', 'A', 'restock')).status).toBe(201);
    expect((await inspect('i2', 'B', 'refurbish')).status).toBe(201);
    expect((await inspect('i3', 'C', 'quarantine')).status).toBe(201);
    const last = await inspect('i4', 'unsellable', 'dispose');
    expect(await json(last)).toMatchObject({ lines: [{ receivedQty: 4, inspectedQty: 4, awaitingInspection: 0 }] });
    expect(await rows(`SELECT kind, grade, disposition, qty FROM $S.rma_steps WHERE site_id = $1 AND kind = 'inspection' ORDER BY seq`, [site.id])).toEqual([
      { kind: 'inspection', grade: 'A', disposition: 'restock', qty: 1 },
      { kind: 'inspection', grade: 'B', disposition: 'refurbish', qty: 1 },
      { kind: 'inspection', grade: 'C', disposition: 'quarantine', qty: 1 },
      { kind: 'inspection', grade: 'unsellable', disposition: 'dispose', qty: 1 },
    ]);
    expect(await rows(`SELECT to_location, qty, reason FROM $S.stock_move WHERE site_id = $1 AND from_location = $2`, [site.id, desk])).toEqual([
      { to_location: 'V:ADJUSTMENT', qty: 1, reason: 'RETURN_DISPOSED' },
    ]);
    expect(await rows(`SELECT hold_id, status, units FROM $S.stock_holds WHERE site_id = $1 AND released_seq IS NULL ORDER BY hold_id`, [site.id])).toEqual([
      { hold_id: 'RMA:RMA-1:I2', status: 'damaged', units: 1 },
      { hold_id: 'RMA:RMA-1:I3', status: 'quarantine', units: 1 },
    ]);
    // The restocked unit is put away from the returns desk: available to the channel again, outbox told.
    await submit({ type: 'moveStock', tenantId: sku.tenantId, fromLocationId: desk, toLocationId: site.layout.locations[0]!.id, skuId: sku.id, qty: 1 });
    expect(await runner.read((twin) => availableOf(twin, sku.tenantId, sku.id))).toBe(available + 1);
    await runner.idle();
    const outboxAfter = (await rows(`SELECT count(*)::int AS n FROM $S.outbox WHERE site_id = $1 AND kind = 'stock' AND sku_id = $2`, [site.id, sku.id]))[0]!['n'] as number;
    expect(outboxAfter).toBeGreaterThan(outboxBefore);

    const closed = await post(`${base}/rmas/RMA-1/close`, { reason: 'done' });
    expect(closed.status).toBe(201);
    expect(await rows(`SELECT status, close_reason FROM $S.rmas WHERE site_id = $1 AND rma_id = 'RMA-1'`, [site.id])).toEqual([{ status: 'closed', close_reason: 'done' }]);

    const report = await fetch(`${base}/returns/report?tenantId=${sku.tenantId}&from=2026-11-27&to=2026-11-28`);
    expect(report.status).toBe(200);
    expect(await json(report)).toMatchObject({
      rmasCreated: 1,
      byReason: [{ reason: 'unwanted', authorised: 4, received: 4, outcomes: { restock: 1, refurbish: 1, quarantine: 1, dispose: 1 } }],
    });
    const list = await json<{ total: number }>(await fetch(`${base}/rmas?tenantId=${sku.tenantId}&status=closed`));
    expect(list.total).toBe(1);
    await storeClean();
  });

  it('B6: more than shipped, unknown RMA, closed RMA, units not received, another client’s order: specific codes, nothing written', async () => {
    const before = await store.lastSeq(site.id);
    const rma = (over: Record<string, unknown>) => post(`${base}/rmas`, { rmaId: 'RMA-2', tenantId: sku.tenantId, orderId: order, lines: [{ skuId: sku.id, qty: 1, reason: 'defective' }], ...over });
    // 5 shipped, 4 received on the closed RMA-1.
    expect(await errorOf(await rma({ lines: [{ skuId: sku.id, qty: 2, reason: 'defective' }] }))).toEqual({ status: 422, code: 'RETURN_EXCEEDS_SHIPPED' });
    expect(await errorOf(await rma({ orderId: foreignOrder }))).toEqual({ status: 422, code: 'TENANT_MISMATCH' });
    expect(await errorOf(await post(`${base}/rmas/NOPE/receipts`, { scan: sku.barcode, qty: 1 }))).toEqual({ status: 404, code: 'UNKNOWN_RMA' });
    expect(await errorOf(await post(`${base}/rmas/RMA-1/receipts`, { scan: sku.barcode, qty: 1 }))).toEqual({ status: 409, code: 'RMA_CLOSED' });
    expect((await rma({ lines: [{ skuId: sku.id, qty: 1, reason: 'because' }] })).status).toBe(400);
    expect((await fetch(`${base}/returns/report?tenantId=${sku.tenantId}&from=2026-11-28&to=2026-11-27`)).status).toBe(400);
    expect(await store.lastSeq(site.id)).toBe(before);
    expect((await rma({})).status).toBe(201);
    const after = await store.lastSeq(site.id);
    expect(await errorOf(await post(`${base}/rmas/RMA-2/inspections`, { skuId: sku.id, qty: 1, grade: 'A', disposition: 'restock' }))).toEqual({
      status: 409,
      code: 'RETURN_NOT_RECEIVED',
    });
    expect(await errorOf(await fetch(`${base}/rmas/NOPE`))).toEqual({ status: 404, code: 'UNKNOWN_RMA' });
    expect(await store.lastSeq(site.id)).toBe(after);
    await storeClean();
  });

  it('[R53][R56] units graded for restock are planned from the handheld as restock tasks off the returns desk and put away', async () => {
    const orderId = await despatch('RO-3', sku, 3, 2);
    expect((await post(`${base}/rmas`, { rmaId: 'RMA-3', tenantId: sku.tenantId, orderId, lines: [{ skuId: sku.id, qty: 3, reason: 'unwanted' }] })).status).toBe(201);
    expect((await post(`${base}/rmas/RMA-3/receipts`, { receiptId: 'scan-3', scan: sku.barcode, qty: 3 })).status).toBe(201);
    // Before inspection the units are under the desk's qc hold: nothing to put away.
    const early = await post(`${base}/move-tasks/putaway`, { receiptLocation: 'returns', skuId: sku.id });
    expect(early.status).toBe(200);
    expect(await json(early)).toMatchObject({ tasks: [], created: [] });
    expect((await post(`${base}/rmas/RMA-3/inspections`, { inspectionId: 'i3-1', skuId: sku.id, qty: 2, grade: 'A', disposition: 'restock' })).status).toBe(201);
    expect((await post(`${base}/rmas/RMA-3/inspections`, { inspectionId: 'i3-2', skuId: sku.id, qty: 1, grade: 'C', disposition: 'quarantine' })).status).toBe(201);

    const desk = returnsLocationId(site.id);
    const planned = await post(`${base}/move-tasks/putaway`, { receiptLocation: 'returns', skuId: sku.id });
    expect(planned.status).toBe(201);
    const { tasks } = await json<{ tasks: { id: string; kind: string; fromLocationId: string; qty: number; suggestedToLocationId: string | null }[] }>(planned);
    // The quarantined unit stays on the desk; the two restocked ones get a task.
    expect(tasks.map((t) => ({ kind: t.kind, from: t.fromLocationId, qty: t.qty }))).toEqual([{ kind: 'restock', from: desk, qty: 2 }]);
    const task = tasks[0]!;
    expect(task.suggestedToLocationId).not.toBeNull();

    const available = await runner.read((twin) => availableOf(twin, sku.tenantId, sku.id));
    const deskUnits = async (): Promise<unknown> => {
      await runner.idle();
      return (await rows(`SELECT on_hand FROM $S.stock_quant WHERE site_id = $1 AND location_id = $2 AND sku_id = $3`, [site.id, desk, sku.id]))[0]?.['on_hand'];
    };
    const onDesk = (await deskUnits()) as number;
    const operativeId = 'P-RESTOCK';
    await submit({ type: 'signOn', operativeId: asOperativeId(operativeId), name: 'Rae' });
    const next = await json<{ task: { id: string } }>(await post(`${base}/move-tasks/next`, { operativeId, kinds: ['restock'] }));
    expect(next.task.id).toBe(task.id);
    const done = await post(`${base}/move-tasks/${task.id}/complete`, { operativeId, fromScan: desk, toScan: task.suggestedToLocationId, scanId: 'restock-scan-1' });
    expect(done.status).toBe(200);
    expect(await runner.read((twin) => availableOf(twin, sku.tenantId, sku.id))).toBe(available + 2);
    expect(await deskUnits()).toBe(onDesk - 2);
    await storeClean();
  });
  it('[R79] a serial-tracked unit comes back by its serial, one per receipt; B6: no serial, a serial not shipped to the order, qty 2, malformed: refused by name, nothing written', async () => {
    const orderId = await despatch('RO-S', serialSku, 2, 3, ['RT-SN-1', 'RT-SN-2']);
    expect((await post(`${base}/rmas`, { rmaId: 'RMA-S', tenantId: serialSku.tenantId, orderId, lines: [{ skuId: serialSku.id, qty: 2, reason: 'defective' }] })).status).toBe(201);
    const receipt = (body: object) => post(`${base}/rmas/RMA-S/receipts`, { scan: serialSku.barcode, qty: 1, ...body });
    const refused = async (body: object) => {
      const r = await receipt(body);
      const error = (await json<{ error: { code: string; message: string } }>(r)).error;
      return { status: r.status, code: error.code, message: error.message };
    };
    await runner.idle();
    const before = await store.lastSeq(site.id);
    expect(await refused({})).toMatchObject({ status: 422, code: 'SERIAL_REQUIRED', message: expect.stringMatching(/serial/) as unknown });
    expect(await refused({ serial: 'RT-SN-9' })).toMatchObject({ status: 422, code: 'SERIAL_NOT_SHIPPED', message: expect.stringMatching(/RT-SN-9 was not shipped/) as unknown });
    expect(await refused({ serial: 'RT-SN-1', qty: 2 })).toMatchObject({ status: 422, code: 'INVALID_QUANTITY', message: expect.stringMatching(/one at a time/) as unknown });
    expect(await refused({ serial: 'RT SN 1' })).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', message: expect.stringMatching(/serial/) as unknown });
    expect(await store.lastSeq(site.id)).toBe(before);

    const back = await receipt({ receiptId: 'scan-s1', serial: 'RT-SN-1' });
    expect(back.status).toBe(201);
    expect(await json(back)).toMatchObject({ lines: [{ skuId: serialSku.id, receivedQty: 1 }] });
    // The same serial again on another receipt is not shipped any more: it is back in stock.
    expect(await refused({ receiptId: 'scan-s2', serial: 'RT-SN-1' })).toMatchObject({ status: 422, code: 'SERIAL_NOT_SHIPPED' });
    await runner.idle();
    expect(await rows(`SELECT event, status, location_id FROM $S.serial_history WHERE site_id = $1 AND serial = 'RT-SN-1' ORDER BY seq DESC LIMIT 1`, [site.id])).toEqual([
      { event: 'ReturnReceived', status: 'in-stock', location_id: returnsLocationId(site.id) },
    ]);
    await storeClean();
  });
});
