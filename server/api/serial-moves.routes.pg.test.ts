/**
 * Serials follow moves, counts and disposals over HTTP on a real Postgres (twin SPEC R80): `POST …/stock/moves`,
 * `…/move-tasks/:id/complete`, `…/counts/:id/submit` and `…/rmas/:id/inspections` take `serials`; refusals are named
 * and write nothing; `serial_history` gets a row per serial moved, written off or disposed, read by
 * `GET …/serials/:sku/:serial`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SiteRunner } from '../site/site-runner.ts';
import { checkStore } from '../store/check.pg.ts';
import type { PgEventStore } from '../store/event-store.pg.ts';
import { startApiOnPostgres, type ApiOnPostgres } from '../testing/api-on-postgres.ts';
import type { Command } from '../twin/commands.ts';
import { asCountId } from '../twin/counting.ts';
import { asLocationId, asOperativeId, asOrderId } from '../twin/ids.ts';
import { checkTwinInvariants } from '../twin/invariants.ts';
import { returnsLocationId } from '../twin/returns.ts';
import type { SiteDefinition, Sku } from '../twin/site.ts';
import { dockLocationId } from '../twin/stock-status.ts';

interface Audit {
  current: { status: string; locationId: string | null } | null;
  history: { event: string; status: string; locationId: string | null }[];
}

describe('[R80] serials follow moves, counts and disposals over HTTP', () => {
  let api: ApiOnPostgres;
  let store: PgEventStore;
  let runner: SiteRunner;
  let site: SiteDefinition;
  let base: string;
  let serialSku: Sku;

  const submit = async (c: Command): Promise<void> => {
    const r = await runner.submit(c);
    if (!r.ok) throw new Error(`${c.type}: ${r.error.code} ${r.error.message}`);
  };
  const post = (path: string, body: unknown) => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const errorOf = async (r: Response) => ({ status: r.status, ...((await r.json()) as { error: { code: string; message: string } }).error });
  const audit = async (serial: string): Promise<Audit> => {
    await runner.idle();
    const r = await fetch(`${base}/serials/${serialSku.id}/${serial}`);
    expect(r.status).toBe(200);
    return (await r.json()) as Audit;
  };
  /** Asserts the request is refused with `status`/`code` naming `mention`, and that nothing was appended. */
  const refused = async (path: string, body: unknown, status: number, code: string, mention: RegExp): Promise<void> => {
    await runner.idle();
    const before = await store.lastSeq(site.id);
    const e = await errorOf(await post(path, body));
    expect({ status: e.status, code: e.code }).toEqual({ status, code });
    expect(e.message).toMatch(mention);
    expect(await store.lastSeq(site.id)).toBe(before);
  };
  const storeClean = async () => {
    await runner.idle();
    expect((await checkStore(store.pool, store.tables.schema, site.id)).filter((r) => !r.ok)).toEqual([]);
    expect(await runner.read((twin) => checkTwinInvariants(twin))).toEqual([]);
  };
  /** Empty bins that are no pick face, found when the API starts. */
  let empty: string[] = [];
  const bin = (i: number): string => empty[i - 40]!;

  beforeAll(async () => {
    let serialId = '';
    api = await startApiOnPostgres('serial-moves', {
      site: (demo) => {
        serialId = (demo.skus.findLast((s) => !s.lotTracked) as Sku).id;
        return { ...demo, skus: demo.skus.map((s) => (s.id === serialId ? { ...s, serialTracked: true } : s)) };
      },
    });
    ({ store, runner, site, base } = api);
    serialSku = site.skus.find((s) => s.id === serialId) as Sku;
    empty = await runner.read((twin) => site.layout.locations.filter((l) => !twin.quantsByLocation.has(l.id) && !twin.pickFaces.has(l.id)).map((l) => l.id as string));
  });

  afterAll(async () => {
    await api?.close();
  });

  it('moveStock and a put-away task name the serials moved; the history shows the bin', async () => {
    await submit({ type: 'receiveGoods', receiptId: 'G-M', tenantId: serialSku.tenantId, skuId: serialSku.id, qty: 3, serials: ['MV-1', 'MV-2', 'MV-3'] });
    const move = { tenantId: serialSku.tenantId, skuId: serialSku.id, fromLocationId: dockLocationId(site.id), toLocationId: bin(40), qty: 1 };
    await refused('/stock/moves', move, 422, 'SERIAL_REQUIRED', /serial/);
    await refused('/stock/moves', { ...move, serials: ['MV 1'] }, 400, 'VALIDATION_FAILED', /serials/);
    await refused('/stock/moves', { ...move, serials: ['MV-9'] }, 422, 'UNKNOWN_SERIAL', /MV-9/);
    expect((await post('/stock/moves', { ...move, serials: ['MV-1'] })).status).toBe(201);
    expect((await audit('MV-1')).current).toMatchObject({ status: 'in-stock', locationId: bin(40) });

    const op = asOperativeId('op-serial');
    await submit({ type: 'signOn', operativeId: op, name: 'Sam' });
    await submit({ type: 'createMoveTask', taskId: 'PA-S1', kind: 'putaway', tenantId: serialSku.tenantId, skuId: serialSku.id, fromLocationId: dockLocationId(site.id), toLocationId: asLocationId(bin(40)), qty: 2 });
    await submit({ type: 'assignMoveTask', taskId: 'PA-S1', operativeId: op });
    const complete = { operativeId: op, fromScan: dockLocationId(site.id), toScan: bin(40), scanId: 'sc-1' };
    await refused('/move-tasks/PA-S1/complete', complete, 422, 'SERIAL_REQUIRED', /serial/);
    await refused('/move-tasks/PA-S1/complete', { ...complete, serials: 'MV-2' }, 400, 'VALIDATION_FAILED', /serials/);
    const done = await post('/move-tasks/PA-S1/complete', { ...complete, serials: ['MV-2', 'MV-3'] });
    expect(done.status).toBeLessThan(300);
    const history = await audit('MV-3');
    expect(history.current).toMatchObject({ status: 'in-stock', locationId: bin(40) });
    expect(history.history).toEqual([
      expect.objectContaining({ event: 'GoodsReceived', status: 'in-stock', locationId: dockLocationId(site.id) }),
      expect.objectContaining({ event: 'MoveTaskCompleted', status: 'in-stock', locationId: bin(40) }),
    ]);
    await storeClean();
  });

  it('a count by serial writes off the serial not found and records it', async () => {
    // 30 units in a bin of their own: one missing is within tolerance (R36), so the count adjusts at once.
    const serials = Array.from({ length: 30 }, (_, i) => `CT-${i + 1}`);
    await submit({ type: 'receiveGoods', receiptId: 'G-C', tenantId: serialSku.tenantId, skuId: serialSku.id, qty: 30, serials });
    await submit({ type: 'moveStock', tenantId: serialSku.tenantId, skuId: serialSku.id, fromLocationId: dockLocationId(site.id), toLocationId: asLocationId(bin(41)), qty: 30, serials });
    const countId = asCountId('CNT-S1');
    await submit({ type: 'createCounts', reason: 'manual', counts: [{ countId, locationId: asLocationId(bin(41)) }] });
    await submit({ type: 'startCount', countId, counterId: 'k1' });
    const path = `/counts/${countId}/submit`;
    await refused(path, { counterId: 'k1', attempt: 1, lines: [{ skuId: serialSku.id, qty: 29 }] }, 422, 'SERIAL_REQUIRED', /serial/);
    await refused(path, { counterId: 'k1', attempt: 1, lines: [{ skuId: serialSku.id, qty: 1, serials: [42] }] }, 400, 'VALIDATION_FAILED', /serials/);
    const r = await post(path, { counterId: 'k1', attempt: 1, lines: [{ skuId: serialSku.id, qty: 29, serials: serials.slice(0, 29) }] });
    expect(r.status).toBeLessThan(300);
    const lost = await audit('CT-30');
    expect(lost.current).toMatchObject({ status: 'written-off', locationId: null });
    // In seq order (numeric, not text: seq 12 after seq 8).
    expect(lost.history.map((h) => h.event)).toEqual(['GoodsReceived', 'StockMoved', 'CountAdjusted']);
    expect(lost.history.at(-1)).toMatchObject({ event: 'CountAdjusted', status: 'written-off', locationId: bin(41) });
    await storeClean();
  });

  it('a disposed return names its serial: disposed in the twin and the history; quarantine keeps it on the desk', async () => {
    const serials = ['RT-D-1', 'RT-D-2'];
    await submit({ type: 'receiveGoods', receiptId: 'G-R', tenantId: serialSku.tenantId, skuId: serialSku.id, qty: 2, serials });
    await submit({ type: 'moveStock', tenantId: serialSku.tenantId, skuId: serialSku.id, fromLocationId: dockLocationId(site.id), toLocationId: asLocationId(bin(42)), qty: 2, serials });
    const orderId = asOrderId('O-RD');
    await submit({ type: 'createOrder', orderId, tenantId: serialSku.tenantId, lines: [{ skuId: serialSku.id, qty: 2 }] });
    await submit({ type: 'allocateOrder', orderId });
    await submit({ type: 'releaseOrder', orderId });
    const picker = asOperativeId('P-RD');
    await submit({ type: 'signOn', operativeId: picker, name: 'Pat' });
    await submit({ type: 'requestWork', operativeId: picker, maxTasks: 20 });
    const tasks = await runner.read((twin) => (twin.orders.get(orderId)?.taskIds ?? []).map((t) => twin.tasks.get(t)!));
    const toPick = [...serials];
    for (const t of tasks) await submit({ type: 'confirmPick', taskId: t.id, operativeId: picker, scannedLocation: t.locationId, scannedItem: serialSku.barcode, qty: t.qty, serials: toPick.splice(0, t.qty) });
    await submit({ type: 'packOrder', orderId });
    await submit({ type: 'despatchOrder', orderId });
    await submit({ type: 'createRma', rmaId: 'RMA-D', tenantId: serialSku.tenantId, orderId, lines: [{ skuId: serialSku.id, qty: 2, reason: 'defective' }] });
    await submit({ type: 'receiveReturn', rmaId: 'RMA-D', receiptId: 'rr-1', scan: serialSku.barcode, qty: 1, serial: 'RT-D-1' });
    await submit({ type: 'receiveReturn', rmaId: 'RMA-D', receiptId: 'rr-2', scan: serialSku.barcode, qty: 1, serial: 'RT-D-2' });

    const inspect = { skuId: serialSku.id, qty: 1, grade: 'unsellable', disposition: 'dispose' };
    await refused('/rmas/RMA-D/inspections', { ...inspect, serials: ['RT-D-1', 'RT-D-2'] }, 422, 'SERIAL_REQUIRED', /serial/);
    await refused('/rmas/RMA-D/inspections', { ...inspect, serials: [] }, 400, 'VALIDATION_FAILED', /serials/);
    await refused('/rmas/RMA-D/inspections', { ...inspect, serials: ['CT-1'] }, 422, 'UNKNOWN_SERIAL', /CT-1/);
    expect((await post('/rmas/RMA-D/inspections', { ...inspect, inspectionId: 'i-1', serials: ['RT-D-1'] })).status).toBeLessThan(300);
    const disposed = await audit('RT-D-1');
    expect(disposed.current).toMatchObject({ status: 'disposed', locationId: null });
    expect(disposed.history.at(-1)).toMatchObject({ event: 'ReturnInspected', status: 'disposed', locationId: returnsLocationId(site.id) });

    expect((await post('/rmas/RMA-D/inspections', { skuId: serialSku.id, qty: 1, grade: 'C', disposition: 'quarantine', inspectionId: 'i-2' })).status).toBeLessThan(300);
    expect((await audit('RT-D-2')).current).toMatchObject({ status: 'in-stock', locationId: returnsLocationId(site.id) });
    await storeClean();
  });
});
