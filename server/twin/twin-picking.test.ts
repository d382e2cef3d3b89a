import { describe, expect, it } from 'vitest';
import type { OrderLineInput } from './commands.ts';
import type { LocationId, OrderId, TaskId } from './ids.ts';
import { asOperativeId, asOrderId, asTaskId, epochMs } from './ids.ts';
import { checkTwinInvariants, ledgerBalances } from './invariants.ts';
import { quantKey } from './keys.ts';
import type { TestTwin } from './test-site.ts';
import { LOC, newTwin, SKU_A, SKU_D, T1, TEST_SITE } from './test-site.ts';

const P1 = asOperativeId('P1');
const P2 = asOperativeId('P2');
const L1 = LOC[0] as LocationId;
const L2 = LOC[1] as LocationId;

/** Stocks L1 with 50 A and L2 with 50 D, signs on P1. */
function floor(): TestTwin {
  const t = newTwin();
  t.ok({ type: 'receiveStock', tenantId: T1, locationId: L1, skuId: SKU_A, qty: 50 });
  t.ok({ type: 'receiveStock', tenantId: T1, locationId: L2, skuId: SKU_D, qty: 50 });
  t.ok({ type: 'signOn', operativeId: P1, name: 'Pat' });
  return t;
}

/** Creates, allocates and releases an order. */
function released(t: TestTwin, id: string, lines: OrderLineInput[], priority = 0): OrderId {
  const orderId = asOrderId(id);
  t.ok({ type: 'createOrder', orderId, tenantId: T1, lines, priority });
  t.ok({ type: 'allocateOrder', orderId });
  t.ok({ type: 'releaseOrder', orderId });
  return orderId;
}

const pick = (taskId: string, over: Partial<{ scannedLocation: string; scannedItem: string; qty: number; operativeId: typeof P1; scanId: string }> = {}) => ({
  type: 'confirmPick' as const,
  taskId: asTaskId(taskId),
  operativeId: P1,
  scannedLocation: 'L1',
  scannedItem: 'BC-A',
  qty: 2,
  ...over,
});

describe('operatives', () => {
  it('[R14] signs on at the depot, idle, and refuses a second sign-on', () => {
    const t = floor();
    expect(t.state.operatives.get(P1)).toMatchObject({ name: 'Pat', position: TEST_SITE.layout.depot, activity: 'idle', taskIds: [] });
    const d = t.run({ type: 'signOn', operativeId: P1, name: 'Pat' });
    expect(d.ok ? 'ok' : d.error.code).toBe('ALREADY_SIGNED_ON');
  });

  it('[R14] sign-off returns unfinished tasks to the pool and the order to the queue', () => {
    const t = floor();
    const o = released(t, 'O1', [{ skuId: SKU_A, qty: 2 }, { skuId: SKU_D, qty: 1 }]);
    t.ok({ type: 'requestWork', operativeId: P1, maxTasks: 5 });
    expect(t.state.releaseQueue).toEqual([]);
    t.ok(pick('O1-T1'));
    const d = t.ok({ type: 'signOff', operativeId: P1 });
    expect(d.events[0]).toMatchObject({ type: 'OperativeSignedOff', unassignedTaskIds: ['O1-T2'] });
    expect(t.state.operatives.has(P1)).toBe(false);
    expect(t.state.tasks.get(asTaskId('O1-T2'))).toMatchObject({ status: 'released', operativeId: null });
    expect(t.state.releaseQueue).toEqual([o]);
    const again = t.run({ type: 'signOff', operativeId: P1 });
    expect(again.ok ? 'ok' : again.error.code).toBe('OPERATIVE_NOT_SIGNED_ON');
    expect(checkTwinInvariants(t.state)).toEqual([]);
  });

  it('[R15] position updates are volatile and need a signed-on operative', () => {
    const t = floor();
    const seq = t.state.seq;
    const d = t.ok({ type: 'updatePosition', operativeId: P1, position: { x: 3, y: 7 } });
    expect(d.events).toEqual([{ type: 'OperativeMoved', at: expect.any(Number) as number, operativeId: P1, position: { x: 3, y: 7 }, activity: 'idle' }]);
    expect(t.state.seq).toBe(seq);
    expect(t.state.operatives.get(P1)?.position).toEqual({ x: 3, y: 7 });
    t.ok({ type: 'updatePosition', operativeId: P1, position: { x: 3, y: 8 }, activity: 'walking' });
    expect(t.state.operatives.get(P1)?.activity).toBe('walking');
    const bad = t.run({ type: 'updatePosition', operativeId: P1, position: { x: Number.NaN, y: 0 } });
    expect(bad.ok ? 'ok' : bad.error.code).toBe('INVALID_QUANTITY');
    const off = t.run({ type: 'updatePosition', operativeId: P2, position: { x: 0, y: 0 } });
    expect(off.ok ? 'ok' : off.error.code).toBe('OPERATIVE_NOT_SIGNED_ON');
  });
});

describe('requestWork', () => {
  it('[R16] nothing released is ok with no events; bad maxTasks and unknown operatives are refused', () => {
    const t = floor();
    expect(t.ok({ type: 'requestWork', operativeId: P1, maxTasks: 3 }).events).toEqual([]);
    const bad = t.run({ type: 'requestWork', operativeId: P1, maxTasks: 0 });
    expect(bad.ok ? 'ok' : bad.error.code).toBe('INVALID_QUANTITY');
    const off = t.run({ type: 'requestWork', operativeId: P2, maxTasks: 3 });
    expect(off.ok ? 'ok' : off.error.code).toBe('OPERATIVE_NOT_SIGNED_ON');
  });

  it('[R16] serves highest priority first, then oldest, in whole orders', () => {
    const t = floor();
    released(t, 'OLD', [{ skuId: SKU_A, qty: 1 }, { skuId: SKU_D, qty: 1 }]);
    released(t, 'NEW', [{ skuId: SKU_A, qty: 1 }]);
    released(t, 'URGENT', [{ skuId: SKU_D, qty: 1 }], 5);
    expect(t.state.releaseQueue).toEqual(['URGENT', 'OLD', 'NEW']);
    const d = t.ok({ type: 'requestWork', operativeId: P1, maxTasks: 4 });
    expect(d.events[0]).toMatchObject({ type: 'TasksAssigned', taskIds: ['URGENT-T1', 'OLD-T1', 'OLD-T2', 'NEW-T1'] });
    expect(t.state.operatives.get(P1)?.taskIds).toHaveLength(4);
  });

  it('[R16] never splits an order to fill a batch, and stops rather than jumping the queue', () => {
    const t = floor();
    released(t, 'A1', [{ skuId: SKU_A, qty: 1 }]);
    released(t, 'A2', [{ skuId: SKU_A, qty: 1 }, { skuId: SKU_D, qty: 1 }]);
    released(t, 'A3', [{ skuId: SKU_D, qty: 1 }]);
    const d = t.ok({ type: 'requestWork', operativeId: P1, maxTasks: 2 });
    expect(d.events[0]).toMatchObject({ taskIds: ['A1-T1'] });
    expect(t.state.releaseQueue).toEqual(['A2', 'A3']);
  });

  it('[R16] splits an order only when it alone exceeds maxTasks', () => {
    const t = floor();
    released(t, 'BIG', [{ skuId: SKU_A, qty: 1 }, { skuId: SKU_D, qty: 1 }, { skuId: SKU_A, qty: 2 }]);
    t.ok({ type: 'receiveStock', tenantId: T1, locationId: LOC[2] as LocationId, skuId: SKU_A, qty: 1 });
    const d = t.ok({ type: 'requestWork', operativeId: P1, maxTasks: 2 });
    expect(d.events[0]).toMatchObject({ taskIds: ['BIG-T1', 'BIG-T2'] });
    expect(t.state.releaseQueue).toEqual(['BIG']);
    t.ok({ type: 'signOn', operativeId: P2, name: 'Sam' });
    const rest = t.ok({ type: 'requestWork', operativeId: P2, maxTasks: 2 });
    expect(rest.events[0]).toMatchObject({ taskIds: ['BIG-T3'] });
    expect(t.state.releaseQueue).toEqual([]);
    expect(checkTwinInvariants(t.state)).toEqual([]);
  });
});

describe('confirmPick', () => {
  function assigned(): TestTwin {
    const t = floor();
    released(t, 'O1', [{ skuId: SKU_A, qty: 2 }, { skuId: SKU_D, qty: 3 }]);
    t.ok({ type: 'requestWork', operativeId: P1, maxTasks: 5 });
    return t;
  }

  it('[R17] checks task, operative, assignment, location, item and qty in that order', () => {
    const t = assigned();
    t.ok({ type: 'signOn', operativeId: P2, name: 'Sam' });
    const code = (c: ReturnType<typeof pick>): string => {
      const d = t.run(c);
      return d.ok ? 'ok' : d.error.code;
    };
    expect(code(pick('NOPE'))).toBe('UNKNOWN_TASK');
    expect(code(pick('O1-T1', { operativeId: asOperativeId('ghost') }))).toBe('OPERATIVE_NOT_SIGNED_ON');
    expect(code(pick('O1-T1', { operativeId: P2 }))).toBe('TASK_NOT_ASSIGNED');
    expect(code(pick('O1-T1', { scannedLocation: 'L2', scannedItem: 'wrong' }))).toBe('WRONG_LOCATION_SCANNED');
    expect(code(pick('O1-T1', { scannedItem: 'BC-D', qty: 1 }))).toBe('WRONG_ITEM_SCANNED');
    expect(code(pick('O1-T1', { qty: 1 }))).toBe('INVALID_QUANTITY');
    expect(code(pick('O1-T1', { qty: 3 }))).toBe('INVALID_QUANTITY');
    expect(code(pick('O1-T1', { scanId: 'S-1' }))).toBe('ok');
    // [R17] the same scan again is a resend: acknowledged, nothing applied; anything else on a done task is TASK_DONE.
    const resend = t.run(pick('O1-T1', { scanId: 'S-1' }));
    expect(resend.ok && resend.events).toEqual([]);
    expect(code(pick('O1-T1', { scanId: 'S-2' }))).toBe('TASK_DONE');
    expect(code(pick('O1-T1'))).toBe('TASK_DONE');
  });

  it('[R17] a released task not yet assigned cannot be picked', () => {
    const t = floor();
    released(t, 'O1', [{ skuId: SKU_A, qty: 2 }]);
    const d = t.run(pick('O1-T1'));
    expect(d.ok ? 'ok' : d.error.code).toBe('TASK_NOT_ASSIGNED');
  });

  it('[R18] moves stock to PACKING: on hand and reserved both fall; OrderPicked after the last task', () => {
    const t = assigned();
    const first = t.ok(pick('O1-T1'));
    expect(first.events.map((e) => e.type)).toEqual(['PickConfirmed']);
    expect(t.state.quants.get(quantKey(L1, T1, SKU_A, ''))).toMatchObject({ onHand: 48, reserved: 0 });
    expect(t.state.tasks.get(asTaskId('O1-T1'))).toMatchObject({ status: 'picked', pickedQty: 2 });
    expect(t.state.operatives.get(P1)?.taskIds).toEqual(['O1-T2']);
    const last = t.ok(pick('O1-T2', { scannedLocation: 'L2', scannedItem: 'BC-D', qty: 3 }));
    expect(last.events.map((e) => e.type)).toEqual(['PickConfirmed', 'OrderPicked']);
    expect(t.state.orders.get(asOrderId('O1'))?.status).toBe('picked');
    expect(t.state.orders.get(asOrderId('O1'))?.lines.map((l) => l.picked)).toEqual([2, 3]);
    expect(checkTwinInvariants(t.state)).toEqual([]);
  });
});

describe('shortPick', () => {
  it('[R19] picks what was found, writes off the rest and releases the whole reservation', () => {
    const t = floor();
    released(t, 'O1', [{ skuId: SKU_A, qty: 5 }]);
    t.ok({ type: 'requestWork', operativeId: P1, maxTasks: 5 });
    const d = t.ok({ type: 'shortPick', taskId: asTaskId('O1-T1'), operativeId: P1, foundQty: 3 });
    // No other bin holds SKU_A, so the 2 short units are backordered and the bin is to be counted.
    expect(d.events.map((e) => e.type)).toEqual(['PickShorted', 'OrderAllocated', 'CountRequested', 'OrderPicked']);
    expect(d.events[0]).toMatchObject({ pickedQty: 3, shortQty: 2 });
    expect(t.state.quants.get(quantKey(L1, T1, SKU_A, ''))).toMatchObject({ onHand: 45, reserved: 0 });
    expect(t.state.orders.get(asOrderId('O1'))?.lines[0]).toMatchObject({ picked: 3, shorted: 2, allocated: 3, backordered: 2 });
    expect(t.state.countRequests.get(L1)).toMatchObject({ reason: 'short pick', taskId: 'O1-T1' });
    expect(t.state.tasks.get(asTaskId('O1-T1'))).toMatchObject({ status: 'shorted', pickedQty: 3 });
    expect(checkTwinInvariants(t.state)).toEqual([]);
    expect(ledgerBalances(t.log.map((s) => s.event)).balances.get(`V:ADJUSTMENT|${T1}|${SKU_A}`)).toBe(2);
  });

  it('[R19] found quantity must be 0 … task qty − 1; zero found counts no pick', () => {
    const t = floor();
    released(t, 'O1', [{ skuId: SKU_A, qty: 2 }]);
    t.ok({ type: 'requestWork', operativeId: P1, maxTasks: 5 });
    for (const foundQty of [-1, 2, 3, 0.5]) {
      const d = t.run({ type: 'shortPick', taskId: asTaskId('O1-T1'), operativeId: P1, foundQty });
      expect(d.ok ? 'ok' : d.error.code).toBe('INVALID_QUANTITY');
    }
    t.ok({ type: 'shortPick', taskId: asTaskId('O1-T1'), operativeId: P1, foundQty: 0 });
    expect(t.state.counters).toMatchObject({ linesPicked: 0, unitsPicked: 0, ordersPicked: 1 });
    expect(t.state.recentPickTimes).toEqual([]);
    expect(t.state.quants.get(quantKey(L1, T1, SKU_A, ''))?.onHand).toBe(48);
  });

  it('[R17] a short pick needs the task assigned to that operative', () => {
    const t = floor();
    released(t, 'O1', [{ skuId: SKU_A, qty: 2 }]);
    const d = t.run({ type: 'shortPick', taskId: asTaskId('O1-T1'), operativeId: P1, foundQty: 1 });
    expect(d.ok ? 'ok' : d.error.code).toBe('TASK_NOT_ASSIGNED');
  });
});

describe('pack and despatch', () => {
  it('[R20][R21] picked → packed → despatched, and not out of order', () => {
    const t = floor();
    const o = released(t, 'O1', [{ skuId: SKU_A, qty: 2 }]);
    const early = t.run({ type: 'packOrder', orderId: o });
    expect(early.ok ? 'ok' : early.error.code).toBe('INVALID_STATE');
    const earlyDespatch = t.run({ type: 'despatchOrder', orderId: o });
    expect(earlyDespatch.ok ? 'ok' : earlyDespatch.error.code).toBe('INVALID_STATE');
    t.ok({ type: 'requestWork', operativeId: P1, maxTasks: 1 });
    t.ok(pick('O1-T1'));
    t.ok({ type: 'packOrder', orderId: o });
    expect(t.state.orders.get(o)?.status).toBe('packed');
    const twice = t.run({ type: 'packOrder', orderId: o });
    expect(twice.ok ? 'ok' : twice.error.code).toBe('INVALID_STATE');
    const d = t.ok({ type: 'despatchOrder', orderId: o, carrier: 'DPD', trackingNumber: '123' });
    expect(d.events[0]).toMatchObject({ type: 'OrderDespatched', carrier: 'DPD', trackingNumber: '123' });
    expect(t.state.orders.get(o)).toMatchObject({ status: 'despatched', despatchedAt: d.events[0]?.at });
    const unknown = t.run({ type: 'despatchOrder', orderId: asOrderId('X') });
    expect(unknown.ok ? 'ok' : unknown.error.code).toBe('UNKNOWN_ORDER');
    const unknownPack = t.run({ type: 'packOrder', orderId: asOrderId('X') });
    expect(unknownPack.ok ? 'ok' : unknownPack.error.code).toBe('UNKNOWN_ORDER');
    const { balances, problems } = ledgerBalances(t.log.map((s) => s.event));
    expect(problems).toEqual([]);
    expect(balances.get(`V:CUSTOMER|${T1}|${SKU_A}`)).toBe(2);
    expect(balances.get(`V:PACKING|${T1}|${SKU_A}`)).toBe(0);
  });
});

describe('counters', () => {
  it('[R22] count orders, pick lines and units, and keep only the last hour of pick times', () => {
    const t = floor();
    released(t, 'O1', [{ skuId: SKU_A, qty: 2 }, { skuId: SKU_D, qty: 3 }]);
    released(t, 'O2', [{ skuId: SKU_A, qty: 2 }]);
    t.ok({ type: 'requestWork', operativeId: P1, maxTasks: 5 });
    t.ok(pick('O1-T1'));
    t.now = epochMs(t.now + 3_000_000);
    t.ok(pick('O1-T2', { scannedLocation: 'L2', scannedItem: 'BC-D', qty: 3 }));
    t.now = epochMs(t.now + 1_000_000);
    const at = t.now;
    t.ok(pick('O2-T1'));
    t.ok({ type: 'packOrder', orderId: asOrderId('O1') });
    t.ok({ type: 'despatchOrder', orderId: asOrderId('O1') });
    expect(t.state.counters).toEqual({ ordersReceived: 2, ordersPicked: 2, ordersDespatched: 1, linesPicked: 3, unitsPicked: 7 });
    // The first pick is more than an hour before the last one.
    expect(t.state.recentPickTimes).toHaveLength(2);
    expect(t.state.recentPickTimes[1]).toBe(at);
  });
});

describe('task ids', () => {
  it('[R13] task ids derive from the order id and allocation index', () => {
    const t = floor();
    released(t, 'ORD-9', [{ skuId: SKU_A, qty: 1 }, { skuId: SKU_D, qty: 1 }]);
    expect([...t.state.tasks.keys()]).toEqual(['ORD-9-T1', 'ORD-9-T2'] as TaskId[]);
  });
});
