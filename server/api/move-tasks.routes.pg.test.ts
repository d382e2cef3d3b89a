/** Move tasks over HTTP on a real Postgres (R56–R66, R41): put-away with suggestions, scans, overrides, pick faces, FEFO replenishment, cross-dock, B6. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MoveTaskView, PickFaceView } from '../protocol/move-tasks.ts';
import type { SiteRunner } from '../site/site-runner.ts';
import { checkStore } from '../store/check.pg.ts';
import type { PgEventStore } from '../store/event-store.pg.ts';
import { startApiOnPostgres, type ApiOnPostgres } from '../testing/api-on-postgres.ts';
import type { Command } from '../twin/commands.ts';
import { asOperativeId, asOrderId, type LocationId } from '../twin/ids.ts';
import { checkTwinInvariants } from '../twin/invariants.ts';
import type { Location } from '../twin/layout/types.ts';
import type { SiteDefinition, Sku } from '../twin/site.ts';
import { dockLocationId } from '../twin/stock-status.ts';

type TaskWithSuggestion = MoveTaskView & { suggestion: { locationId: string; kind: string; fits: number; travelM: number } | null };

describe('[R56]–[R66] move tasks over HTTP on Postgres', () => {
  let store: PgEventStore;
  let runner: SiteRunner;
  let site: SiteDefinition;
  let api: ApiOnPostgres;
  let base: string;
  let dock: LocationId;
  /** Plain SKUs: two of one client (a, b), one of another client (foreign); a lot-tracked one (lotted). */
  let a: Sku;
  let b: Sku;
  let foreign: Sku;
  let lotted: Sku;
  const picker = asOperativeId('MOVER-1');

  const submit = async (c: Command): Promise<void> => {
    const r = await runner.submit(c);
    if (!r.ok) throw new Error(`${c.type}: ${r.error.code} ${r.error.message}`);
  };
  const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const put = (url: string, body: unknown) => fetch(url, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = async <T>(r: Response): Promise<T> => (await r.json()) as T;
  const errorOf = async (r: Response) => ({ status: r.status, code: (await json<{ error: { code: string } }>(r)).error.code });
  const seq = () => runner.read((twin) => twin.seq);
  const loc = (i: number): Location => site.layout.locations[i]!;
  const onHandAt = (locationId: string, skuId: string) =>
    runner.read((twin) => [...(twin.quantsByLocation.get(locationId as LocationId) ?? [])].map((k) => twin.quants.get(k)!).filter((q) => q.skuId === skuId).reduce((n, q) => n + q.onHand, 0));
  const receive = (receiptId: string, s: Sku, qty: number, extra: Partial<{ lot: string; expiry: string }> = {}) =>
    submit({ type: 'receiveGoods', receiptId, tenantId: s.tenantId, skuId: s.id, qty, ...extra, reason: 'test delivery' });
  const storeClean = async () => {
    await runner.idle();
    expect((await checkStore(store.pool, store.tables.schema, site.id)).filter((r) => !r.ok)).toEqual([]);
    expect(await runner.read((twin) => checkTwinInvariants(twin))).toEqual([]);
  };

  beforeAll(async () => {
    api = await startApiOnPostgres('move_tasks');
    ({ store, runner, site, base } = api);
    dock = dockLocationId(site.id);
    const plain = site.skus.filter((s) => !s.lotTracked);
    a = plain[0]!;
    b = plain.find((s) => s.tenantId === a.tenantId && s.id !== a.id)!;
    foreign = plain.find((s) => s.tenantId !== a.tenantId)!;
    lotted = site.skus.find((s) => s.lotTracked)!;
    await submit({ type: 'signOn', operativeId: picker, name: 'Mo' });
  });

  afterAll(async () => {
    await api?.close();
  });

  it('[S9][R57] puts the dock away: tops up the same SKU first, never another client or SKU, splits by capacity, commits the units', async () => {
    // Near bins: one holds A (top-up), one another client's SKU, one another SKU of A's client.
    await submit({ type: 'receiveStock', tenantId: a.tenantId, locationId: loc(0).id, skuId: a.id, qty: 5 });
    await submit({ type: 'receiveStock', tenantId: foreign.tenantId, locationId: loc(1).id, skuId: foreign.id, qty: 5 });
    await submit({ type: 'receiveStock', tenantId: b.tenantId, locationId: loc(2).id, skuId: b.id, qty: 5 });
    const room = loc(0).capacityUnits - 5;
    await receive('RCV-A1', a, room + 7);
    await receive('RCV-F1', foreign, 3);

    const r = await post(`${base}/move-tasks/putaway`, { tenantId: a.tenantId });
    expect(r.status).toBe(201);
    const body = await json<{ tasks: TaskWithSuggestion[]; unplaced: unknown[] }>(r);
    expect(body.unplaced).toEqual([]);
    expect(body.tasks.map((t) => t.skuId)).toEqual(body.tasks.map(() => a.id)); // only the filtered client's dock line
    const [first, ...rest] = body.tasks;
    expect(first).toMatchObject({ kind: 'putaway', status: 'open', fromLocationId: dock, fromLabel: dock, suggestedToLocationId: loc(0).id, toLabel: loc(0).id, qty: room, skuName: a.description });
    expect(first!.suggestion).toMatchObject({ kind: 'top-up', fits: room });
    expect(first!.suggestion!.travelM).toBeGreaterThan(0);
    expect(rest.reduce((n, t) => n + t.qty, 0)).toBe(7);
    for (const t of rest) {
      expect(t.suggestion?.kind).toBe('empty');
      expect([loc(1).id, loc(2).id]).not.toContain(t.suggestedToLocationId);
    }
    // The units are committed: nothing free is left to plan, and they cannot be moved by hand.
    const again = await post(`${base}/move-tasks/putaway`, { tenantId: a.tenantId });
    expect(again.status).toBe(200);
    expect((await json<{ tasks: unknown[] }>(again)).tasks).toEqual([]);
    const free = await runner.submit({ type: 'moveStock', tenantId: a.tenantId, fromLocationId: dock, toLocationId: loc(40).id, skuId: a.id, qty: 1 });
    expect(free.ok ? 'ok' : free.error.code).toBe('INSUFFICIENT_STOCK');

    const listed = await json<{ tasks: MoveTaskView[] }>(await fetch(`${base}/move-tasks?status=open&kind=putaway`));
    expect(listed.tasks.map((t) => t.id).sort()).toEqual(body.tasks.map((t) => t.id).sort());
  });

  it('[S9] keeps lots apart: a second lot of a SKU never goes into the bin of the first', async () => {
    await submit({ type: 'receiveStock', tenantId: lotted.tenantId, locationId: loc(3).id, skuId: lotted.id, lot: 'L-OLD', expiry: '2030-01-31', qty: 4 });
    await receive('RCV-L2', lotted, 6, { lot: 'L-NEW', expiry: '2030-06-30' });
    const r = await post(`${base}/move-tasks/putaway`, { skuId: lotted.id });
    const tasks = (await json<{ tasks: TaskWithSuggestion[] }>(r)).tasks;
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ lot: 'L-NEW', expiry: '2030-06-30', qty: 6 });
    expect(tasks[0]!.suggestedToLocationId).not.toBe(loc(3).id);
  });

  it('[R58][R59] next task, wrong scans refused with nothing written, override needs a reason and is recorded, resend is a no-op', async () => {
    const next = await post(`${base}/move-tasks/next`, { operativeId: picker, kinds: ['putaway'] });
    expect(next.status).toBe(200);
    const task = (await json<{ task: MoveTaskView }>(next)).task;
    expect(task).toMatchObject({ status: 'assigned', operativeId: picker });
    // Asking again hands back the task already held.
    expect((await json<{ task: MoveTaskView }>(await post(`${base}/move-tasks/next`, { operativeId: picker }))).task.id).toBe(task.id);

    const before = await seq();
    const other = loc(60).id;
    const url = `${base}/move-tasks/${task.id}/complete`;
    expect(await errorOf(await post(url, { operativeId: picker, fromScan: loc(5).id, toScan: other, scanId: 'S-1' }))).toEqual({ status: 422, code: 'WRONG_LOCATION_SCANNED' });
    expect(await errorOf(await post(url, { operativeId: picker, fromScan: dock, toScan: other, scanId: 'S-1' }))).toEqual({ status: 422, code: 'OVERRIDE_REASON_REQUIRED' });
    expect(await errorOf(await post(url, { operativeId: picker, fromScan: dock, toScan: loc(1).id, overrideReason: 'closer', scanId: 'S-1' }))).toEqual({ status: 409, code: 'CLIENT_MISMATCH' });
    expect(await errorOf(await post(url, { operativeId: picker, fromScan: dock, toScan: 'NO-SUCH-BIN', scanId: 'S-1' }))).toEqual({ status: 422, code: 'UNKNOWN_LOCATION' });
    expect(await errorOf(await post(url, { operativeId: picker, fromScan: dock, toScan: other }))).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(await errorOf(await post(url, { operativeId: 'SOMEONE-ELSE', fromScan: dock, toScan: other, overrideReason: 'x', scanId: 'S-1' }))).toEqual({ status: 409, code: 'OPERATIVE_NOT_SIGNED_ON' });
    expect(await seq()).toBe(before);

    const dockBefore = await onHandAt(dock, task.skuId);
    const done = await post(url, { operativeId: picker, fromScan: ` ${dock} `, toScan: other, overrideReason: 'suggested bin is blocked by a pallet', scanId: 'S-1' });
    expect(done.status).toBe(200);
    const doneBody = await json<{ task: MoveTaskView; duplicate: boolean }>(done);
    expect(doneBody).toMatchObject({ duplicate: false, task: { status: 'done', toLocationId: other, toLabel: other, movedQty: task.qty, overrideReason: 'suggested bin is blocked by a pallet' } });
    expect(doneBody.task.suggestedToLocationId).toBe(task.suggestedToLocationId);
    expect(await onHandAt(other, task.skuId)).toBe(task.qty);
    expect(await onHandAt(dock, task.skuId)).toBe(dockBefore - task.qty);
    const ledger = await store.pool.query(`SELECT qty FROM "${store.tables.schema}".stock_move WHERE site_id = $1 AND from_location = $2 AND to_location = $3`, [site.id, dock, other]);
    expect(ledger.rows).toEqual([{ qty: task.qty }]);
    const recorded = await store.pool.query<{ payload: { overridden: boolean; overrideReason: string } }>(
      `SELECT payload FROM "${store.tables.schema}".events WHERE site_id = $1 AND type = 'MoveTaskCompleted' AND payload->>'taskId' = $2`,
      [site.id, task.id],
    );
    expect(recorded.rows[0]?.payload).toMatchObject({ overridden: true, overrideReason: 'suggested bin is blocked by a pallet' });

    const resent = await post(url, { operativeId: picker, fromScan: dock, toScan: other, overrideReason: 'suggested bin is blocked by a pallet', scanId: 'S-1' });
    expect(resent.status).toBe(200);
    expect((await json<{ duplicate: boolean }>(resent)).duplicate).toBe(true);
    expect(await errorOf(await post(url, { operativeId: picker, fromScan: dock, toScan: other, scanId: 'S-2' }))).toEqual({ status: 409, code: 'TASK_DONE' });
    expect(await onHandAt(other, task.skuId)).toBe(task.qty);
  });

  it('[R59] the suggested target needs no reason; a short move moves what was found and releases the rest', async () => {
    const task = (await json<{ task: MoveTaskView }>(await post(`${base}/move-tasks/next`, { operativeId: picker, kinds: ['putaway'] }))).task;
    const target = task.suggestedToLocationId!;
    const before = await onHandAt(target, task.skuId);
    const r = await post(`${base}/move-tasks/${task.id}/complete`, { operativeId: picker, fromScan: dock, toScan: target, qty: task.qty - 1, scanId: 'S-3' });
    expect(r.status).toBe(200);
    expect((await json<{ task: MoveTaskView }>(r)).task).toMatchObject({ status: 'done', movedQty: task.qty - 1, overrideReason: null });
    expect(await onHandAt(target, task.skuId)).toBe(before + task.qty - 1);
    await storeClean();
  });

  it('B6: creating by hand refuses bad input with 400 and domain errors with their code, writing nothing; a taskId resent is a no-op', async () => {
    await receive('RCV-B6', b, 10);
    const ok = { kind: 'putaway', taskId: 'MT-HAND-1', tenantId: b.tenantId, skuId: b.id, fromLocationId: dock, toLocationId: loc(2).id, qty: 4, reason: 'by hand' };
    const before = await seq();
    const cases: [unknown, number, string][] = [
      [{ ...ok, qty: 0 }, 400, 'VALIDATION_FAILED'],
      [{ ...ok, kind: 'teleport' }, 400, 'VALIDATION_FAILED'],
      [{ ...ok, extra: 1 }, 400, 'VALIDATION_FAILED'],
      [{ ...ok, fromLocationId: 'NOWHERE' }, 422, 'UNKNOWN_LOCATION'],
      [{ ...ok, skuId: foreign.id }, 422, 'TENANT_MISMATCH'],
      [{ ...ok, qty: 11 }, 409, 'INSUFFICIENT_STOCK'],
      [{ ...ok, toLocationId: loc(1).id }, 409, 'CLIENT_MISMATCH'],
      [{ ...ok, toLocationId: loc(0).id }, 409, 'INVALID_STATE'], // holds another SKU of the same client
      [{ ...ok, fromLocationId: loc(2).id }, 409, 'INVALID_STATE'], // a put-away starts at the dock
      [{ ...ok, toLocationId: dock }, 409, 'INVALID_STATE'],
      [{ ...ok, tenantId: 'nobody' }, 422, 'UNKNOWN_TENANT'],
    ];
    for (const [body, status, code] of cases) expect({ body, ...(await errorOf(await post(`${base}/move-tasks`, body))) }).toEqual({ body, status, code });
    expect(await seq()).toBe(before);

    const created = await post(`${base}/move-tasks`, ok);
    expect(created.status).toBe(201);
    expect((await json<{ task: MoveTaskView }>(created)).task).toMatchObject({ id: 'MT-HAND-1', status: 'open', reason: 'by hand', suggestedToLocationId: loc(2).id });
    const resent = await post(`${base}/move-tasks`, ok);
    expect(resent.status).toBe(200);
    expect((await json<{ duplicate: boolean }>(resent)).duplicate).toBe(true);
    expect(await errorOf(await post(`${base}/move-tasks`, { ...ok, qty: 3 }))).toEqual({ status: 409, code: 'DUPLICATE_TASK' });

    // Cancel: a reason is required; the units are free again; a second cancel is TASK_DONE.
    const cancelUrl = `${base}/move-tasks/MT-HAND-1/cancel`;
    expect(await errorOf(await post(cancelUrl, {}))).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(await errorOf(await post(`${base}/move-tasks/NOPE/cancel`, { reason: 'x' }))).toEqual({ status: 404, code: 'UNKNOWN_TASK' });
    const cancelled = await post(cancelUrl, { reason: 'pallet went to QC' });
    expect(cancelled.status).toBe(200);
    expect((await json<{ task: MoveTaskView }>(cancelled)).task).toMatchObject({ status: 'cancelled', cancelReason: 'pallet went to QC' });
    expect(await errorOf(await post(cancelUrl, { reason: 'again' }))).toEqual({ status: 409, code: 'TASK_DONE' });
    expect(await errorOf(await fetch(`${base}/move-tasks/NOPE`))).toEqual({ status: 404, code: 'UNKNOWN_TASK' });
    expect(await errorOf(await fetch(`${base}/move-tasks?status=lost`))).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(await errorOf(await post(`${base}/move-tasks/putaway`, { receiptLocation: 'roof' }))).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(await errorOf(await post(`${base}/move-tasks/next`, { operativeId: picker, kinds: ['fly'] }))).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
  });

  it('[R62][R64] pick faces: levels validated; the replenishment plan tops a face up FEFO from reserve, never from the dock', async () => {
    const face = loc(100);
    const faceUrl = `${base}/pick-faces/${face.id}`;
    const before = await seq();
    expect(await errorOf(await put(faceUrl, { tenantId: lotted.tenantId, skuId: lotted.id, min: 10, max: 10 }))).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(await errorOf(await put(faceUrl, { tenantId: lotted.tenantId, skuId: lotted.id, min: 1, max: face.capacityUnits + 1 }))).toEqual({ status: 422, code: 'INVALID_QUANTITY' });
    const otherClient = site.tenants.find((t) => t.id !== lotted.tenantId)!.id;
    expect(await errorOf(await put(faceUrl, { tenantId: otherClient, skuId: lotted.id, min: 1, max: 20 }))).toEqual({ status: 422, code: 'TENANT_MISMATCH' });
    expect(await errorOf(await put(`${base}/pick-faces/${loc(1).id}`, { tenantId: lotted.tenantId, skuId: lotted.id, min: 1, max: 20 }))).toEqual({ status: 409, code: 'INVALID_STATE' });
    expect(await seq()).toBe(before);

    // Reserve: a later lot near, an earlier lot far (and L-OLD, earliest); the face holds 2 of the later lot.
    await submit({ type: 'receiveStock', tenantId: lotted.tenantId, locationId: loc(101).id, skuId: lotted.id, lot: 'L-LATE', expiry: '2031-01-31', qty: 30 });
    await submit({ type: 'receiveStock', tenantId: lotted.tenantId, locationId: loc(3000).id, skuId: lotted.id, lot: 'L-SOON', expiry: '2030-03-31', qty: 12 });
    await submit({ type: 'receiveStock', tenantId: lotted.tenantId, locationId: face.id, skuId: lotted.id, lot: 'L-LATE', expiry: '2031-01-31', qty: 2 });
    const set = await put(faceUrl, { tenantId: lotted.tenantId, skuId: lotted.id, min: 10, max: 20 });
    expect(set.status).toBe(200);
    expect(await json<PickFaceView>(set)).toMatchObject({ locationId: face.id, min: 10, max: 20, onHand: 2, incoming: 0, belowMin: true });

    const plan = await post(`${base}/replenishment/plan`, {});
    expect(plan.status).toBe(201);
    const tasks = (await json<{ tasks: MoveTaskView[] }>(plan)).tasks;
    // Earliest expiry first: the 4 of L-OLD (loc 3, from the lots test), the far L-SOON, then the near L-LATE.
    expect(tasks.map((t) => [t.kind, t.fromLocationId, t.lot, t.qty, t.suggestedToLocationId])).toEqual([
      ['replenish', loc(3).id, 'L-OLD', 4, face.id],
      ['replenish', loc(3000).id, 'L-SOON', 12, face.id],
      ['replenish', loc(101).id, 'L-LATE', 2, face.id],
    ]);
    expect(tasks.every((t) => t.fromLocationId !== dock && t.reason?.startsWith('min 10'))).toBe(true);
    // Incoming counts: planning again creates nothing.
    const again = await post(`${base}/replenishment/plan`, {});
    expect(again.status).toBe(200);
    expect((await json<{ tasks: unknown[] }>(again)).tasks).toEqual([]);
    const listed = await json<{ pickFaces: PickFaceView[] }>(await fetch(`${base}/pick-faces`));
    expect(listed.pickFaces).toEqual([expect.objectContaining({ locationId: face.id, onHand: 2, incoming: 18, belowMin: false })]);

    for (const t of tasks) expect((await post(`${base}/move-tasks/${t.id}/cancel`, { reason: 'test over' })).status).toBe(200);
    const cleared = await fetch(faceUrl, { method: 'DELETE' });
    expect(cleared.status).toBe(200);
    expect(await errorOf(await fetch(faceUrl, { method: 'DELETE' }))).toEqual({ status: 404, code: 'UNKNOWN_PICK_FACE' });
    expect(await errorOf(await fetch(faceUrl))).toEqual({ status: 404, code: 'UNKNOWN_PICK_FACE' });
    await storeClean();
  });

  it('[R65] cross-dock: a receipt for a backordered SKU is allocated from the dock for that order only', async () => {
    const c = site.skus.find((s) => !s.lotTracked && s.tenantId === a.tenantId && s.id !== a.id && s.id !== b.id)!;
    const orderId = asOrderId('XD-1');
    await submit({ type: 'receiveStock', tenantId: c.tenantId, locationId: loc(200).id, skuId: c.id, qty: 1 });
    await submit({ type: 'createOrder', orderId, tenantId: c.tenantId, lines: [{ skuId: c.id, qty: 4 }] });
    await submit({ type: 'allocateOrder', orderId, policy: 'partial' });
    await receive('RCV-XD', c, 10);
    await submit({ type: 'allocateOrder', orderId });
    const allocations = await runner.read((twin) => twin.orders.get(orderId)!.allocations.map((x) => [x.locationId, x.qty]));
    expect(allocations).toEqual([[loc(200).id, 1], [dock, 3]]);
    // Only the free rest of the dock line is put away.
    const r = await post(`${base}/move-tasks/putaway`, { skuId: c.id });
    expect((await json<{ tasks: MoveTaskView[] }>(r)).tasks.reduce((n, t) => n + t.qty, 0)).toBe(7);
    await storeClean();
  });

  it('[R41] expiry alerts: lots expiring within the window, expired ones first and counted', async () => {
    expect(await errorOf(await fetch(`${base}/expiry-alerts?withinDays=soon`))).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    const r = await fetch(`${base}/expiry-alerts?withinDays=60&asOf=2030-03-15`);
    expect(r.status).toBe(200);
    const body = await json<{ asOf: string; expired: number; lots: { lot: string; daysLeft: number }[] }>(r);
    expect(body).toMatchObject({ asOf: '2030-03-15', expired: 1 });
    expect(body.lots.map((l) => l.lot)).toEqual(['L-OLD', 'L-SOON']);
    const today = await json<{ asOf: string }>(await fetch(`${base}/expiry-alerts`));
    expect(today.asOf).toBe(new Date(await runner.read((twin) => twin.now)).toISOString().slice(0, 10));
  });
});
