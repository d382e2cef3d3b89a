import { describe, expect, it } from 'vitest';
import type { SetRoute } from './commands.ts';
import type { LocationId, TaskId } from './ids.ts';
import { asOperativeId, asOrderId, asTaskId } from './ids.ts';
import { checkTwinInvariants } from './invariants.ts';
import type { TestTwin } from './test-site.ts';
import { LOC, newTwin, SKU_A, SKU_D, T1, TEST_SITE } from './test-site.ts';
import { applySequenced, createTwinState, fromSnapshotData, remainingRoute, routeIsCurrent, toSnapshotData } from './twin.ts';

const P1 = asOperativeId('P1');
const L1 = LOC[0] as LocationId;
const L2 = LOC[1] as LocationId;
const T1_ = asTaskId('O1-T1');
const T2_ = asTaskId('O1-T2');

/** P1 signed on and holding two tasks of O1: T1 at L1 (2 × A), T2 at L2 (1 × D). */
function assigned(): TestTwin {
  const t = newTwin();
  t.ok({ type: 'receiveStock', tenantId: T1, locationId: L1, skuId: SKU_A, qty: 50 });
  t.ok({ type: 'receiveStock', tenantId: T1, locationId: L2, skuId: SKU_D, qty: 50 });
  t.ok({ type: 'signOn', operativeId: P1, name: 'Pat' });
  const orderId = asOrderId('O1');
  t.ok({ type: 'createOrder', orderId, tenantId: T1, lines: [{ skuId: SKU_A, qty: 2 }, { skuId: SKU_D, qty: 1 }] });
  t.ok({ type: 'allocateOrder', orderId });
  t.ok({ type: 'releaseOrder', orderId });
  t.ok({ type: 'requestWork', operativeId: P1, maxTasks: 10 });
  return t;
}

const setRoute = (taskIds: readonly TaskId[], over: Partial<SetRoute> = {}): SetRoute => ({
  type: 'setRoute',
  operativeId: P1,
  taskIds,
  distanceM: 42.5,
  method: 'best',
  ...over,
});

const codeOf = (t: TestTwin, command: SetRoute): string => {
  const d = t.run(command);
  return d.ok ? 'ok' : d.error.code;
};

describe('routes', () => {
  it('[R27] a new operative has no route', () => {
    const t = assigned();
    expect(t.state.operatives.get(P1)?.route).toBeNull();
    expect(remainingRoute(t.state, P1)).toEqual([]);
    expect(routeIsCurrent(t.state, P1)).toBe(false);
  });

  it('[R27] records the open tasks in visit order with distance, method, seq and time', () => {
    const t = assigned();
    const d = t.ok(setRoute([T2_, T1_]));
    expect(d.events).toEqual([{ type: 'RoutePlanned', at: expect.any(Number) as unknown, operativeId: P1, taskIds: [T2_, T1_], distanceM: 42.5, method: 'best' }]);
    const seq = t.log[t.log.length - 1]?.seq;
    expect(t.state.operatives.get(P1)?.route).toEqual({ taskIds: [T2_, T1_], distanceM: 42.5, method: 'best', seq, at: d.events[0]?.at });
    expect(t.state.seq).toBe(seq);
    expect(routeIsCurrent(t.state, P1)).toBe(true);
    expect(checkTwinInvariants(t.state)).toEqual([]);
  });

  it('[R27] refuses a stale or malformed task list with INVALID_STATE naming the open tasks', () => {
    const t = assigned();
    expect(codeOf(t, setRoute([T1_]))).toBe('INVALID_STATE'); // one missing
    expect(codeOf(t, setRoute([T1_, T2_, asTaskId('O9-T1')]))).toBe('INVALID_STATE'); // one extra
    expect(codeOf(t, setRoute([T1_, T1_]))).toBe('INVALID_STATE'); // duplicate instead of T2
    expect(codeOf(t, setRoute([T1_, T2_, T1_]))).toBe('INVALID_STATE'); // duplicate on top
    const d = t.run(setRoute([T1_]));
    expect(!d.ok && d.error.details).toMatchObject({ openTaskIds: [T1_, T2_] });
    expect(t.state.operatives.get(P1)?.route).toBeNull();
  });

  it('[R27] checks the operative, then distance, then method, then tasks', () => {
    const t = assigned();
    expect(codeOf(t, setRoute([T1_, T2_], { operativeId: asOperativeId('NOBODY') }))).toBe('OPERATIVE_NOT_SIGNED_ON');
    expect(codeOf(t, setRoute([T1_], { distanceM: Number.NaN }))).toBe('INVALID_QUANTITY');
    expect(codeOf(t, setRoute([T1_], { distanceM: -1 }))).toBe('INVALID_QUANTITY');
    expect(codeOf(t, setRoute([T1_, T2_], { method: '' }))).toBe('INVALID_STATE');
    expect(codeOf(t, setRoute([T1_, T2_], { method: 'x'.repeat(65) }))).toBe('INVALID_STATE');
  });

  it('[R27] an operative with no open tasks cannot be given a route', () => {
    const t = newTwin();
    t.ok({ type: 'signOn', operativeId: P1, name: 'Pat' });
    expect(codeOf(t, setRoute([]))).toBe('INVALID_STATE');
  });

  it('[R27] picks leave the route as planned; the remaining route is its open tasks in route order', () => {
    const t = assigned();
    t.ok(setRoute([T2_, T1_]));
    t.ok({ type: 'confirmPick', taskId: T2_, operativeId: P1, scannedLocation: 'L2', scannedItem: 'BC-D', qty: 1 });
    expect(t.state.operatives.get(P1)?.route?.taskIds).toEqual([T2_, T1_]);
    expect(remainingRoute(t.state, P1)).toEqual([T1_]);
    expect(routeIsCurrent(t.state, P1)).toBe(true);
    // A new plan must list only what is still open.
    expect(codeOf(t, setRoute([T2_, T1_]))).toBe('INVALID_STATE');
    t.ok(setRoute([T1_], { distanceM: 10 }));
    expect(t.state.operatives.get(P1)?.route).toMatchObject({ taskIds: [T1_], distanceM: 10 });
  });

  it('[R27] a new assignment makes the route not current until re-planned', () => {
    const t = assigned();
    t.ok(setRoute([T1_, T2_]));
    const orderId = asOrderId('O2');
    t.ok({ type: 'createOrder', orderId, tenantId: T1, lines: [{ skuId: SKU_A, qty: 1 }] });
    t.ok({ type: 'allocateOrder', orderId });
    t.ok({ type: 'releaseOrder', orderId });
    t.ok({ type: 'requestWork', operativeId: P1, maxTasks: 10 });
    expect(routeIsCurrent(t.state, P1)).toBe(false);
    expect(remainingRoute(t.state, P1)).toEqual([T1_, T2_]);
    t.ok(setRoute([asTaskId('O2-T1'), T1_, T2_]));
    expect(routeIsCurrent(t.state, P1)).toBe(true);
  });

  it('[R27] sign-off drops the route with the operative; signing on again starts with none', () => {
    const t = assigned();
    t.ok(setRoute([T1_, T2_]));
    t.ok({ type: 'signOff', operativeId: P1 });
    t.ok({ type: 'signOn', operativeId: P1, name: 'Pat' });
    expect(t.state.operatives.get(P1)?.route).toBeNull();
  });

  it('[R24][R27] routes survive a snapshot round trip and replay equals the live state', () => {
    const t = assigned();
    t.ok(setRoute([T2_, T1_]));
    const data = JSON.parse(JSON.stringify(toSnapshotData(t.state))) as ReturnType<typeof toSnapshotData>;
    const restored = fromSnapshotData(TEST_SITE, data);
    expect(toSnapshotData(restored)).toEqual(toSnapshotData(t.state));
    const replayed = createTwinState(TEST_SITE, t.state.now);
    for (const entry of t.log) applySequenced(replayed, entry);
    expect(toSnapshotData(replayed)).toEqual(toSnapshotData(t.state));
  });

  it('[R27] a snapshot written before routes existed restores route: null', () => {
    const t = assigned();
    const data = JSON.parse(JSON.stringify(toSnapshotData(t.state))) as { operatives: Record<string, unknown>[] };
    for (const op of data.operatives) delete op['route'];
    const restored = fromSnapshotData(TEST_SITE, data as never);
    expect(restored.operatives.get(P1)?.route).toBeNull();
  });
});
