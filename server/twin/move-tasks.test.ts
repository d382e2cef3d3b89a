import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Command, CreateMoveTask } from './commands.ts';
import type { DomainErrorCode } from './errors.ts';
import type { MoveTaskCompleted } from './events.ts';
import type { LocationId, OperativeId } from './ids.ts';
import { asOperativeId, asOrderId } from './ids.ts';
import { checkTwinInvariants, ledgerBalances } from './invariants.ts';
import { quantKey, skuKey } from './keys.ts';
import { listMoveTasks, moveTasksOf, nextMoveTask, planReplenishment } from './move-tasks.ts';
import { asCountId } from './counting.ts';
import { returnsLocationId } from './returns.ts';
import { asHoldId, dockLocationId, freeOf } from './stock-status.ts';
import type { TestTwin } from './test-site.ts';
import { LOC, newTwin, SKU_A, SKU_B, SKU_C, SKU_D, T0, T1, T2, TEST_SITE } from './test-site.ts';
import { applySequenced, createTwinState, fromSnapshotData, toSnapshotData, touchedBy } from './twin.ts';

const [L1, L2, L3, L4, L5, L6] = LOC as [LocationId, LocationId, LocationId, LocationId, LocationId, LocationId];
const DOCK = dockLocationId(TEST_SITE.id);
const RETURNS = returnsLocationId(TEST_SITE.id);
const P1 = asOperativeId('P1');
const P2 = asOperativeId('P2');

const healthy = (t: TestTwin): void => {
  expect(checkTwinInvariants(t.state)).toEqual([]);
  expect(ledgerBalances(t.log.map((e) => e.event)).problems).toEqual([]);
};
const onHand = (t: TestTwin, loc: LocationId, sku = SKU_A, lot = '', tenant = T1): number => t.state.quants.get(quantKey(loc, tenant, sku, lot))?.onHand ?? 0;
const free = (t: TestTwin, loc: LocationId, sku = SKU_A, lot = '', tenant = T1): number => {
  const q = t.state.quants.get(quantKey(loc, tenant, sku, lot));
  return q === undefined ? 0 : freeOf(t.state, q);
};
const receive = (t: TestTwin, loc: LocationId, qty: number, sku = SKU_A, tenant = T1): void => {
  t.ok({ type: 'receiveStock', tenantId: tenant, locationId: loc, skuId: sku, qty });
};
let receipt = 0;
const toDock = (t: TestTwin, qty: number, sku = SKU_A): void => {
  t.ok({ type: 'receiveGoods', receiptId: `r${++receipt}`, tenantId: T1, skuId: sku, qty });
};
const putaway = (taskId: string, qty: number, to?: LocationId, extra: Partial<CreateMoveTask> = {}): CreateMoveTask => ({
  type: 'createMoveTask',
  taskId,
  kind: 'putaway',
  tenantId: T1,
  skuId: SKU_A,
  fromLocationId: DOCK,
  ...(to === undefined ? {} : { toLocationId: to }),
  qty,
  ...extra,
});
/** Asserts the command is refused with `code` and that nothing changed (state and log). */
const refused = (t: TestTwin, command: Command, code: DomainErrorCode): void => {
  const before = JSON.stringify(toSnapshotData(t.state));
  const logLength = t.log.length;
  const d = t.run(command);
  expect(d.ok ? 'ok' : d.error.code).toBe(code);
  expect(t.log.length).toBe(logLength);
  expect(JSON.stringify({ ...toSnapshotData(t.state), now: 0 })).toBe(JSON.stringify({ ...(JSON.parse(before) as object), now: 0 }));
};
/** Asserts the command is accepted with no events. */
const noEvents = (t: TestTwin, command: Command): void => {
  const d = t.run(command);
  expect(d.ok && d.events.length).toBe(0);
};
const complete = (taskId: string, to: LocationId, extra: Record<string, unknown> = {}): Command =>
  ({ type: 'completeMoveTask', taskId, operativeId: P1, fromScan: DOCK, toScan: to, scanId: `s-${taskId}`, ...extra });

describe('move tasks: create (R56)', () => {
  it('[R56][R59] puts away from the dock with two scans: stock moves dock → bin like StockMoved, the ledger balances', () => {
    const t = newTwin();
    toDock(t, 20);
    const d = t.ok(putaway('PA-1', 20, L1, { reason: 'receipt r1' }));
    expect(d.events[0]).toMatchObject({ type: 'MoveTaskCreated', kind: 'putaway', lot: '', expiry: null, toLocationId: L1, qty: 20, priority: 0 });
    t.ok({ type: 'signOn', operativeId: P1, name: 'Pat' });
    const a = t.ok({ type: 'requestMoveTask', operativeId: P1 });
    expect(a.events).toMatchObject([{ type: 'MoveTaskAssigned', taskId: 'PA-1', operativeId: P1 }]);
    const c = t.ok({ type: 'completeMoveTask', taskId: 'PA-1', operativeId: P1, fromScan: ` ${DOCK} `, toScan: L1, scanId: 'scan-1' });
    expect(c.events).toMatchObject([{ type: 'MoveTaskCompleted', fromLocationId: DOCK, toLocationId: L1, qty: 20, shortQty: 0, overridden: false, overrideReason: null }]);
    expect(onHand(t, DOCK)).toBe(0);
    expect(onHand(t, L1)).toBe(20);
    expect(t.state.moveTasks.get('PA-1')).toMatchObject({ status: 'done', toLocationId: L1, movedQty: 20, scanId: 'scan-1' });
    expect(t.state.movingByQuant.size).toBe(0);
    expect(ledgerBalances(t.log.map((e) => e.event)).balances.get(`${L1}|${T1}|${SKU_A}`)).toBe(20);
    healthy(t);
  });

  it('[R56] refuses bad tasks with a specific code and changes nothing', () => {
    const t = newTwin();
    toDock(t, 20);
    receive(t, L2, 10);
    receive(t, L4, 5, SKU_C, T2);
    receive(t, L5, 5, SKU_D);
    receive(t, L6, 45);
    const base = putaway('X', 5, L1);
    refused(t, { ...base, taskId: '' }, 'INVALID_STATE');
    refused(t, { ...base, kind: 'teleport' as never }, 'INVALID_STATE');
    refused(t, { ...base, qty: 0 }, 'INVALID_QUANTITY');
    refused(t, { ...base, qty: 2.5 }, 'INVALID_QUANTITY');
    refused(t, { ...base, priority: Number.NaN }, 'INVALID_QUANTITY');
    refused(t, { ...base, reason: ' ' }, 'INVALID_STATE');
    refused(t, { ...base, tenantId: 'nobody' as never }, 'UNKNOWN_TENANT');
    refused(t, { ...base, toLocationId: 'L99' as LocationId }, 'UNKNOWN_LOCATION');
    refused(t, { ...base, fromLocationId: 'L99' as LocationId }, 'UNKNOWN_LOCATION');
    refused(t, { ...base, skuId: 'ZZ' as never }, 'UNKNOWN_SKU');
    refused(t, { ...base, skuId: SKU_C }, 'TENANT_MISMATCH');
    refused(t, { ...base, skuId: SKU_B }, 'LOT_REQUIRED');
    refused(t, { ...base, fromLocationId: L2 }, 'INVALID_STATE'); // put-away not from the dock
    refused(t, { ...base, kind: 'restock' }, 'INVALID_STATE'); // restock not from the returns desk
    refused(t, { ...base, kind: 'reslot' }, 'INVALID_STATE'); // reslot from the dock
    refused(t, { ...base, kind: 'reslot', fromLocationId: L2, toLocationId: L2 }, 'INVALID_STATE'); // source = target
    refused(t, { ...base, kind: 'reslot', fromLocationId: L2, toLocationId: DOCK }, 'INVALID_STATE'); // onto the dock
    refused(t, { ...base, kind: 'reslot', fromLocationId: L2, toLocationId: RETURNS }, 'INVALID_STATE');
    refused(t, { ...base, kind: 'replenish', fromLocationId: L2, toLocationId: L1 }, 'INVALID_STATE'); // L1 is no pick face
    refused(t, { ...base, qty: 21 }, 'INSUFFICIENT_STOCK');
    refused(t, { ...base, toLocationId: L4 }, 'CLIENT_MISMATCH'); // holds globex's C (R4)
    refused(t, { ...base, toLocationId: L5 }, 'INVALID_STATE'); // holds acme's D
    refused(t, { ...base, toLocationId: L6, qty: 6 }, 'CAPACITY_EXCEEDED'); // 45 + 6 > 50
    healthy(t);
  });

  it('[R56] the same task again decides no events; the same id with other content is DUPLICATE_TASK', () => {
    const t = newTwin();
    toDock(t, 20);
    t.ok(putaway('PA-1', 5, L1, { priority: 2, reason: 'r' }));
    noEvents(t, putaway('PA-1', 5, L1, { priority: 2, reason: 'r' }));
    refused(t, putaway('PA-1', 6, L1, { priority: 2, reason: 'r' }), 'DUPLICATE_TASK');
    refused(t, putaway('PA-1', 5, L2, { priority: 2, reason: 'r' }), 'DUPLICATE_TASK');
    expect(t.state.moveTasks.size).toBe(1);
    expect(free(t, DOCK)).toBe(15);
  });

  it('[R56][R5] the suggested target counts what open tasks already bring there, and their owner (R4)', () => {
    const t = newTwin();
    toDock(t, 60);
    toDock(t, 10, SKU_D);
    t.ok(putaway('PA-1', 40, L1));
    refused(t, putaway('PA-2', 11, L1), 'CAPACITY_EXCEEDED'); // 40 incoming + 11 > 50
    t.ok(putaway('PA-2', 10, L1));
    refused(t, { ...putaway('PA-3', 1, L1), skuId: SKU_D }, 'INVALID_STATE'); // L1 awaits A
    healthy(t);
  });

  it('[R56] a lot-tracked put-away names the lot and carries its expiry; restock starts at the returns desk', () => {
    const t = newTwin();
    t.ok({ type: 'receiveGoods', receiptId: 'rb', tenantId: T1, skuId: SKU_B, lot: 'LB1', expiry: '2027-05-01', qty: 8 });
    const d = t.ok({ ...putaway('PB', 8, L3), skuId: SKU_B, lot: 'LB1' });
    expect(d.events[0]).toMatchObject({ lot: 'LB1', expiry: '2027-05-01' });
    refused(t, { ...putaway('PB2', 1, L3), skuId: SKU_B, lot: 'NOPE' }, 'INSUFFICIENT_STOCK');
    // Nothing on the returns desk yet: restock has nothing to take.
    refused(t, { ...putaway('RS', 1, L1), kind: 'restock', fromLocationId: RETURNS }, 'INSUFFICIENT_STOCK');
  });
});

describe('committed units (R57)', () => {
  it('[R57][R9][R39] units of open tasks are not free: not moved, allocated, held; cancelling frees them', () => {
    const t = newTwin();
    receive(t, L2, 10);
    t.ok({ type: 'createMoveTask', taskId: 'RS-1', kind: 'reslot', tenantId: T1, skuId: SKU_A, fromLocationId: L2, toLocationId: L3, qty: 8 });
    expect(free(t, L2)).toBe(2);
    refused(t, { type: 'moveStock', tenantId: T1, fromLocationId: L2, toLocationId: L1, skuId: SKU_A, qty: 3 }, 'INSUFFICIENT_STOCK');
    refused(t, { type: 'createMoveTask', taskId: 'RS-2', kind: 'reslot', tenantId: T1, skuId: SKU_A, fromLocationId: L2, qty: 3 }, 'INSUFFICIENT_STOCK');
    refused(t, { type: 'placeHold', holdId: asHoldId('H1'), tenantId: T1, status: 'qc', reason: 'check', locationId: L2, qty: 3 }, 'INSUFFICIENT_STOCK');
    t.ok({ type: 'createOrder', orderId: asOrderId('O1'), tenantId: T1, lines: [{ skuId: SKU_A, qty: 3 }] });
    refused(t, { type: 'allocateOrder', orderId: asOrderId('O1') }, 'OUT_OF_STOCK');
    t.ok({ type: 'cancelMoveTask', taskId: 'RS-1', reason: 'not needed' });
    expect(free(t, L2)).toBe(10);
    t.ok({ type: 'allocateOrder', orderId: asOrderId('O1') });
    healthy(t);
  });

  it('[R57][R37] a count loss never takes committed units: it is deferred, and the task finds the bin short', () => {
    const t = newTwin();
    receive(t, L2, 10);
    t.ok({ type: 'createMoveTask', taskId: 'RS-1', kind: 'reslot', tenantId: T1, skuId: SKU_A, fromLocationId: L2, toLocationId: L3, qty: 8 });
    t.ok({ type: 'createCounts', reason: 'manual', counts: [{ countId: asCountId('C1'), locationId: L2 }] });
    t.ok({ type: 'startCount', countId: asCountId('C1'), counterId: 'k1' });
    // 5 found of 10: a recount (R36) that agrees goes to approval.
    t.ok({ type: 'submitCount', countId: asCountId('C1'), counterId: 'k1', lines: [{ skuId: SKU_A, qty: 5 }] });
    t.ok({ type: 'startCount', countId: asCountId('C1'), counterId: 'k1' });
    t.ok({ type: 'submitCount', countId: asCountId('C1'), counterId: 'k1', lines: [{ skuId: SKU_A, qty: 5 }] });
    const d = t.ok({ type: 'approveCount', countId: asCountId('C1'), approverId: 'boss' });
    expect(d.events[0]).toMatchObject({ type: 'CountAdjusted', adjustments: [{ variance: -5, qty: -2, deferred: -3 }] });
    expect(onHand(t, L2)).toBe(8);
    expect(free(t, L2)).toBe(0);
    healthy(t);
    // The task is still whole; the operative finds the bin short and says so (R59).
    t.ok({ type: 'signOn', operativeId: P1, name: 'Pat' });
    t.ok({ type: 'requestMoveTask', operativeId: P1 });
    t.ok({ type: 'completeMoveTask', taskId: 'RS-1', operativeId: P1, fromScan: L2, toScan: L3, qty: 5, scanId: 'x' });
    expect(onHand(t, L2)).toBe(3);
    healthy(t);
  });
});

describe('next task (R58)', () => {
  it('[R58] highest priority first, then the nearest source; kinds filter; an operative holds one at a time', () => {
    const t = newTwin();
    receive(t, L1, 10);
    receive(t, L4, 10, SKU_D);
    const reslot = (id: string, from: LocationId, to: LocationId, sku = SKU_A, priority = 0): Command =>
      ({ type: 'createMoveTask', taskId: id, kind: 'reslot', tenantId: T1, skuId: sku, fromLocationId: from, toLocationId: to, qty: 1, priority });
    t.ok(reslot('near', L1, L2));
    t.ok(reslot('far', L4, L5, SKU_D));
    t.ok({ type: 'signOn', operativeId: P1, name: 'Pat' });
    t.ok({ type: 'updatePosition', operativeId: P1, position: { x: 6, y: 6 } }); // by aisle 2
    expect(nextMoveTask(t.state, P1)?.id).toBe('far');
    t.ok({ type: 'updatePosition', operativeId: P1, position: { x: 2, y: 4 } }); // by aisle 1
    expect(nextMoveTask(t.state, P1)?.id).toBe('near');
    t.ok(reslot('urgent', L4, L6, SKU_D, 5));
    expect(nextMoveTask(t.state, P1)?.id).toBe('urgent');
    expect(nextMoveTask(t.state, P1, ['putaway'])).toBeNull();
    noEvents(t, { type: 'requestMoveTask', operativeId: P1, kinds: ['putaway'] });
    refused(t, { type: 'requestMoveTask', operativeId: P1, kinds: ['fly' as never] }, 'INVALID_STATE');
    refused(t, { type: 'requestMoveTask', operativeId: P2 }, 'OPERATIVE_NOT_SIGNED_ON');
    t.ok({ type: 'requestMoveTask', operativeId: P1 });
    expect(moveTasksOf(t.state, P1).map((x) => x.id)).toEqual(['urgent']);
    noEvents(t, { type: 'requestMoveTask', operativeId: P1 }); // holds one already
    healthy(t);
  });

  it('[R58] prefers a replenish task whose aisle has no picker in it, even when it is farther', () => {
    const setup = (withPicker: boolean): TestTwin => {
      const t = newTwin();
      receive(t, L1, 2); // pick face of A, aisle 1
      receive(t, L2, 30); // reserve of A
      receive(t, L4, 5, SKU_D); // pick face of D, aisle 2
      receive(t, L5, 30, SKU_D); // reserve of D
      t.ok({ type: 'setPickFace', locationId: L1, tenantId: T1, skuId: SKU_A, min: 5, max: 20 });
      t.ok({ type: 'setPickFace', locationId: L4, tenantId: T1, skuId: SKU_D, min: 10, max: 20 });
      if (withPicker) {
        t.ok({ type: 'createOrder', orderId: asOrderId('O1'), tenantId: T1, lines: [{ skuId: SKU_D, qty: 2 }] });
        t.ok({ type: 'allocateOrder', orderId: asOrderId('O1') });
        t.ok({ type: 'releaseOrder', orderId: asOrderId('O1') });
        t.ok({ type: 'signOn', operativeId: P2, name: 'Picker' });
        t.ok({ type: 'requestWork', operativeId: P2, maxTasks: 5 });
        expect(t.state.tasks.get('O1-T1' as never)?.locationId).toBe(L4);
      }
      for (const c of planReplenishment(t.state)) t.ok(c);
      t.ok({ type: 'signOn', operativeId: P1, name: 'Replenisher' });
      t.ok({ type: 'updatePosition', operativeId: P1, position: { x: 6, y: 6 } }); // nearest to the D tasks
      return t;
    };
    expect(nextMoveTask(setup(false).state, P1)?.suggestedToLocationId).toBe(L4);
    const busy = setup(true);
    const next = nextMoveTask(busy.state, P1);
    expect(next?.suggestedToLocationId).toBe(L1);
    busy.ok({ type: 'requestMoveTask', operativeId: P1 });
    expect(moveTasksOf(busy.state, P1)[0]?.id).toBe(next?.id);
    healthy(busy);
  });

  it('[R58] assignMoveTask pushes an open task; refusals change nothing', () => {
    const t = newTwin();
    toDock(t, 5);
    t.ok(putaway('PA-1', 5, L1));
    refused(t, { type: 'assignMoveTask', taskId: 'nope', operativeId: P1 }, 'UNKNOWN_TASK');
    refused(t, { type: 'assignMoveTask', taskId: 'PA-1', operativeId: P1 }, 'OPERATIVE_NOT_SIGNED_ON');
    t.ok({ type: 'signOn', operativeId: P1, name: 'Pat' });
    t.ok({ type: 'signOn', operativeId: P2, name: 'Sam' });
    t.ok({ type: 'assignMoveTask', taskId: 'PA-1', operativeId: P1 });
    noEvents(t, { type: 'assignMoveTask', taskId: 'PA-1', operativeId: P1 });
    refused(t, { type: 'assignMoveTask', taskId: 'PA-1', operativeId: P2 }, 'TASK_NOT_ASSIGNED');
    t.ok(complete('PA-1', L1));
    refused(t, { type: 'assignMoveTask', taskId: 'PA-1', operativeId: P2 }, 'TASK_DONE');
  });
});

describe('completing (R59), cancelling (R60), sign-off (R61)', () => {
  const ready = (): TestTwin => {
    const t = newTwin();
    toDock(t, 10);
    receive(t, L4, 5, SKU_C, T2);
    receive(t, L5, 5, SKU_D);
    receive(t, L6, 45);
    t.ok(putaway('PA-1', 10, L1));
    t.ok({ type: 'signOn', operativeId: P1, name: 'Pat' });
    t.ok({ type: 'signOn', operativeId: P2, name: 'Sam' });
    t.ok({ type: 'requestMoveTask', operativeId: P1 });
    return t;
  };

  it('[R59] refuses wrong scans, targets and quantities with specific codes; nothing changes', () => {
    const t = ready();
    refused(t, complete('PA-1', L1, { scanId: '' }), 'INVALID_STATE');
    refused(t, complete('nope', L1), 'UNKNOWN_TASK');
    refused(t, complete('PA-1', L1, { operativeId: asOperativeId('ghost') }), 'OPERATIVE_NOT_SIGNED_ON');
    refused(t, complete('PA-1', L1, { operativeId: P2 }), 'TASK_NOT_ASSIGNED');
    refused(t, complete('PA-1', L1, { fromScan: L2 }), 'WRONG_LOCATION_SCANNED');
    refused(t, complete('PA-1', 'L99' as LocationId), 'UNKNOWN_LOCATION');
    refused(t, complete('PA-1', DOCK), 'INVALID_STATE');
    refused(t, complete('PA-1', RETURNS), 'INVALID_STATE');
    refused(t, complete('PA-1', L1, { qty: 11 }), 'INVALID_QUANTITY');
    refused(t, complete('PA-1', L1, { qty: -1 }), 'INVALID_QUANTITY');
    refused(t, complete('PA-1', L2), 'OVERRIDE_REASON_REQUIRED');
    refused(t, complete('PA-1', L2, { overrideReason: ' ' }), 'OVERRIDE_REASON_REQUIRED');
    refused(t, complete('PA-1', L4, { overrideReason: 'closer' }), 'CLIENT_MISMATCH');
    refused(t, complete('PA-1', L5, { overrideReason: 'closer' }), 'INVALID_STATE');
    refused(t, complete('PA-1', L6, { overrideReason: 'closer' }), 'CAPACITY_EXCEEDED');
    t.ok({ type: 'createCounts', reason: 'manual', counts: [{ countId: asCountId('C1'), locationId: L1 }] });
    t.ok({ type: 'startCount', countId: asCountId('C1'), counterId: 'k1' });
    refused(t, complete('PA-1', L1), 'COUNT_IN_PROGRESS');
    healthy(t);
  });

  it('[R59] a target other than the suggestion is taken with a reason and recorded as an override', () => {
    const t = ready();
    const d = t.ok(complete('PA-1', L2, { overrideReason: 'L1 blocked by a pallet' }));
    expect(d.events[0]).toMatchObject({ toLocationId: L2, overridden: true, overrideReason: 'L1 blocked by a pallet' });
    expect(t.state.moveTasks.get('PA-1')).toMatchObject({ toLocationId: L2, suggestedToLocationId: L1, overrideReason: 'L1 blocked by a pallet' });
    expect(onHand(t, L2)).toBe(10);
    healthy(t);
  });

  it('[R59] a resent completing scan is acknowledged with no events; another scan on a done task is TASK_DONE', () => {
    const t = ready();
    t.ok(complete('PA-1', L1));
    noEvents(t, complete('PA-1', L1));
    refused(t, complete('PA-1', L1, { scanId: 'other' }), 'TASK_DONE');
    expect(onHand(t, L1)).toBe(10);
    healthy(t);
  });

  it('[R59] a short move moves what was found, frees the rest and requests a count of a source bin', () => {
    const t = newTwin();
    receive(t, L2, 10);
    t.ok({ type: 'createMoveTask', taskId: 'RS-1', kind: 'reslot', tenantId: T1, skuId: SKU_A, fromLocationId: L2, toLocationId: L3, qty: 8 });
    t.ok({ type: 'signOn', operativeId: P1, name: 'Pat' });
    t.ok({ type: 'assignMoveTask', taskId: 'RS-1', operativeId: P1 });
    const d = t.ok({ type: 'completeMoveTask', taskId: 'RS-1', operativeId: P1, fromScan: L2, toScan: L3, qty: 5, scanId: 'x' });
    expect(d.events.map((e) => e.type)).toEqual(['MoveTaskCompleted', 'CountRequested']);
    expect((d.events[0] as MoveTaskCompleted).shortQty).toBe(3);
    expect(onHand(t, L3)).toBe(5);
    expect(free(t, L2)).toBe(5);
    expect(t.state.countRequests.get(L2)?.reason).toBe('short move');
    expect(t.state.moveTasks.get('RS-1')?.movedQty).toBe(5);
    healthy(t);
  });

  it('[R60] cancelling needs a reason, frees the units and cannot be done twice', () => {
    const t = ready();
    refused(t, { type: 'cancelMoveTask', taskId: 'nope', reason: 'x' }, 'UNKNOWN_TASK');
    refused(t, { type: 'cancelMoveTask', taskId: 'PA-1', reason: '' }, 'REASON_REQUIRED');
    t.ok({ type: 'cancelMoveTask', taskId: 'PA-1', reason: 'wrong receipt' });
    expect(t.state.moveTasks.get('PA-1')).toMatchObject({ status: 'cancelled', operativeId: null, cancelReason: 'wrong receipt' });
    expect(free(t, DOCK)).toBe(10);
    refused(t, { type: 'cancelMoveTask', taskId: 'PA-1', reason: 'again' }, 'TASK_DONE');
    refused(t, complete('PA-1', L1), 'TASK_DONE');
    healthy(t);
  });

  it('[R61] sign-off returns the operative’s assigned move tasks to open', () => {
    const t = ready();
    t.ok({ type: 'signOff', operativeId: P1 });
    expect(t.state.moveTasks.get('PA-1')).toMatchObject({ status: 'open', operativeId: null });
    t.ok({ type: 'requestMoveTask', operativeId: P2 });
    expect(t.state.moveTasks.get('PA-1')).toMatchObject({ status: 'assigned', operativeId: P2 });
    healthy(t);
  });
});

describe('pick faces (R62)', () => {
  it('[R62] sets, re-sets and clears a pick face; refusals change nothing', () => {
    const t = newTwin();
    receive(t, L2, 5, SKU_D);
    receive(t, L3, 5);
    const face = { type: 'setPickFace', locationId: L1, tenantId: T1, skuId: SKU_A, min: 5, max: 20 } as const;
    refused(t, { ...face, locationId: 'L99' as LocationId }, 'UNKNOWN_LOCATION');
    refused(t, { ...face, locationId: DOCK }, 'UNKNOWN_LOCATION');
    refused(t, { ...face, tenantId: 'x' as never }, 'UNKNOWN_TENANT');
    refused(t, { ...face, skuId: 'ZZ' as never }, 'UNKNOWN_SKU');
    refused(t, { ...face, skuId: SKU_C }, 'TENANT_MISMATCH');
    refused(t, { ...face, min: -1 }, 'INVALID_QUANTITY');
    refused(t, { ...face, max: 5 }, 'INVALID_QUANTITY');
    refused(t, { ...face, max: 51 }, 'INVALID_QUANTITY');
    refused(t, { ...face, min: 1.5 }, 'INVALID_QUANTITY');
    refused(t, { ...face, locationId: L2 }, 'INVALID_STATE'); // holds D
    t.ok(face);
    noEvents(t, face);
    t.ok({ ...face, min: 8 });
    expect(t.state.pickFaces.get(L1)).toMatchObject({ min: 8, max: 20 });
    refused(t, { ...face, skuId: SKU_D }, 'INVALID_STATE'); // the face of another SKU: clear it first
    t.ok({ ...face, locationId: L3 });
    t.ok({ type: 'clearPickFace', locationId: L3 });
    noEvents(t, { type: 'clearPickFace', locationId: L3 });
    refused(t, { type: 'clearPickFace', locationId: 'L99' as LocationId }, 'UNKNOWN_LOCATION');
    healthy(t);
  });

  it('[R62] an empty pick face takes only its own SKU, by moveStock, receiveStock or a move task', () => {
    const t = newTwin();
    receive(t, L2, 5, SKU_D);
    t.ok({ type: 'setPickFace', locationId: L1, tenantId: T1, skuId: SKU_A, min: 5, max: 20 });
    refused(t, { type: 'moveStock', tenantId: T1, fromLocationId: L2, toLocationId: L1, skuId: SKU_D, qty: 1 }, 'INVALID_STATE');
    refused(t, { type: 'receiveStock', tenantId: T2, locationId: L1, skuId: SKU_C, qty: 1 }, 'INVALID_STATE');
    refused(t, { type: 'createMoveTask', taskId: 'RS', kind: 'reslot', tenantId: T1, skuId: SKU_D, fromLocationId: L2, toLocationId: L1, qty: 1 }, 'INVALID_STATE');
    receive(t, L1, 3);
    healthy(t);
  });
});

describe('replenishment planning (R64)', () => {
  const faceA = (t: TestTwin, min = 10, max = 30): void => {
    t.ok({ type: 'setPickFace', locationId: L1, tenantId: T1, skuId: SKU_A, min, max });
  };

  it('[R64] a face below min is filled to max from reserve, never from the dock or another face', () => {
    const t = newTwin();
    receive(t, L1, 3);
    receive(t, L2, 12);
    receive(t, L5, 40);
    toDock(t, 50);
    faceA(t);
    const plan = planReplenishment(t.state);
    expect(plan.map((c) => [c.fromLocationId, c.toLocationId, c.qty])).toEqual([
      [L2, L1, 12], // nearer first (no expiry anywhere)
      [L5, L1, 15],
    ]);
    expect(plan[0]).toMatchObject({ kind: 'replenish', priority: 1, reason: 'min 10, on hand 3' });
    for (const c of plan) t.ok(c);
    // Incoming tasks count: the face is covered, nothing more is planned.
    expect(planReplenishment(t.state)).toEqual([]);
    healthy(t);
  });

  it('[R64] FEFO: the reserve lot expiring first is taken, even from a farther bin', () => {
    const t = newTwin();
    t.ok({ type: 'receiveStock', tenantId: T1, locationId: L2, skuId: SKU_B, lot: 'LATE', expiry: '2027-09-01', qty: 30 });
    t.ok({ type: 'receiveStock', tenantId: T1, locationId: L6, skuId: SKU_B, lot: 'SOON', expiry: '2027-01-01', qty: 8 });
    t.ok({ type: 'setPickFace', locationId: L1, tenantId: T1, skuId: SKU_B, min: 5, max: 20 });
    const plan = planReplenishment(t.state);
    expect(plan.map((c) => [c.fromLocationId, c.lot, c.qty])).toEqual([
      [L6, 'SOON', 8],
      [L2, 'LATE', 12],
    ]);
    expect(plan[0]?.priority).toBe(3); // the face is empty
    for (const c of plan) t.ok(c);
    healthy(t);
  });

  it('[R64] wave demand above the level triggers a refill even when the face is above min', () => {
    const t = newTwin();
    receive(t, L1, 12);
    receive(t, L2, 40);
    faceA(t);
    expect(planReplenishment(t.state)).toEqual([]);
    const plan = planReplenishment(t.state, { demandBySku: new Map([[skuKey(T1, SKU_A), 20]]) });
    expect(plan.map((c) => [c.fromLocationId, c.qty, c.priority])).toEqual([[L2, 18, 2]]);
    expect(plan[0]?.reason).toBe('wave demand 20, on hand 12');
    expect(planReplenishment(t.state, { demandBySku: new Map([[skuKey(T1, SKU_A), 12]]) })).toEqual([]);
  });

  it('[R64][R56] the plan is deterministic: the same state plans the same ids, and resubmitting creates nothing twice', () => {
    const t = newTwin();
    receive(t, L1, 1);
    receive(t, L2, 40);
    faceA(t);
    const a = planReplenishment(t.state);
    const b = planReplenishment(t.state);
    expect(a).toEqual(b);
    expect(a[0]?.taskId).toBe(`RPL-${L1}-${t.state.seq}-1`);
    for (const c of a) t.ok(c);
    for (const c of b) noEvents(t, c);
    expect(t.state.moveTasks.size).toBe(a.length);
  });

  it('[R64][R57] never plans more than the reserve’s free units (held, reserved and committed units excluded)', () => {
    const t = newTwin();
    receive(t, L2, 10);
    t.ok({ type: 'placeHold', holdId: asHoldId('H'), tenantId: T1, status: 'qc', reason: 'check', locationId: L2, qty: 4 });
    t.ok({ type: 'createMoveTask', taskId: 'RS', kind: 'reslot', tenantId: T1, skuId: SKU_A, fromLocationId: L2, qty: 3 });
    faceA(t);
    expect(planReplenishment(t.state).map((c) => c.qty)).toEqual([3]);
  });
});

describe('cross-dock (R65)', () => {
  const backordered = (t: TestTwin): void => {
    receive(t, L2, 2);
    t.ok({ type: 'createOrder', orderId: asOrderId('O1'), tenantId: T1, lines: [{ skuId: SKU_A, qty: 5 }] });
    t.ok({ type: 'allocateOrder', orderId: asOrderId('O1'), policy: 'partial' });
    t.ok({ type: 'releaseOrder', orderId: asOrderId('O1') });
  };

  it('[R65] after a receipt a backorder is refilled from the dock and picked there, straight to packing', () => {
    const t = newTwin();
    backordered(t);
    toDock(t, 10);
    const d = t.ok({ type: 'allocateOrder', orderId: asOrderId('O1') });
    expect(d.events[0]).toMatchObject({ type: 'OrderAllocated', allocations: [{ locationId: DOCK, qty: 3 }], backordered: [{ lineNo: 1, qty: -3 }] });
    expect(d.events[1]).toMatchObject({ type: 'OrderReleased', tasks: [{ locationId: DOCK, qty: 3 }] });
    expect(free(t, DOCK)).toBe(7);
    t.ok({ type: 'signOn', operativeId: P1, name: 'Pat' });
    t.ok({ type: 'requestWork', operativeId: P1, maxTasks: 5 });
    // The rest of the receipt can be put away, but not the units promised to the order.
    refused(t, putaway('PA', 8, L1), 'INSUFFICIENT_STOCK');
    t.ok({ type: 'confirmPick', taskId: 'O1-T2' as never, operativeId: P1, scannedLocation: DOCK, scannedItem: 'BC-A', qty: 3 });
    expect(onHand(t, DOCK)).toBe(7);
    expect(t.state.orders.get(asOrderId('O1'))?.lines[0]).toMatchObject({ picked: 3, backordered: 0 });
    t.ok(putaway('PA', 7, L1));
    healthy(t);
  });

  it('[R65] bins go first; a first allocation never uses the dock; units committed to put-away are not cross-docked', () => {
    const t = newTwin();
    backordered(t);
    toDock(t, 10);
    receive(t, L3, 1);
    const d = t.ok({ type: 'allocateOrder', orderId: asOrderId('O1') });
    expect(d.events[0]).toMatchObject({ allocations: [{ locationId: L3, qty: 1 }, { locationId: DOCK, qty: 2 }] });
    t.ok({ type: 'createOrder', orderId: asOrderId('O2'), tenantId: T1, lines: [{ skuId: SKU_A, qty: 1 }] });
    refused(t, { type: 'allocateOrder', orderId: asOrderId('O2'), policy: 'partial' }, 'OUT_OF_STOCK');
    const u = newTwin();
    backordered(u);
    toDock(u, 10);
    u.ok(putaway('PA', 10, L1));
    refused(u, { type: 'allocateOrder', orderId: asOrderId('O1') }, 'OUT_OF_STOCK');
    healthy(t);
    healthy(u);
  });
});

describe('snapshots and history (R63, R66)', () => {
  const busyTwin = (): TestTwin => {
    const t = newTwin();
    toDock(t, 30);
    receive(t, L2, 40);
    t.ok({ type: 'setPickFace', locationId: L1, tenantId: T1, skuId: SKU_A, min: 10, max: 30 });
    for (const c of planReplenishment(t.state)) t.ok(c);
    t.ok(putaway('PA-1', 10, L3));
    t.ok(putaway('PA-2', 5, L3));
    t.ok({ type: 'signOn', operativeId: P1, name: 'Pat' });
    t.ok({ type: 'assignMoveTask', taskId: 'PA-1', operativeId: P1 });
    t.ok(complete('PA-1', L3));
    t.ok({ type: 'cancelMoveTask', taskId: 'PA-2', reason: 'x' });
    t.ok({ type: 'requestMoveTask', operativeId: P1 });
    return t;
  };

  it('[R24][R63] toSnapshotData/fromSnapshotData round-trip move tasks, pick faces and the commitment index', () => {
    const t = busyTwin();
    const data = JSON.parse(JSON.stringify(toSnapshotData(t.state))) as ReturnType<typeof toSnapshotData>;
    const restored = fromSnapshotData(TEST_SITE, data);
    expect(toSnapshotData(restored)).toEqual(toSnapshotData(t.state));
    expect(restored.movingByQuant).toEqual(t.state.movingByQuant);
    expect(restored.pickFaces).toEqual(t.state.pickFaces);
    expect(checkTwinInvariants(restored)).toEqual([]);
    // A snapshot written before move tasks restores none.
    const { moveTasks: _m, pickFaces: _p, ...old } = toSnapshotData(newTwin().state);
    expect(fromSnapshotData(TEST_SITE, old).moveTasks.size).toBe(0);
  });

  it('[R24] restoring a snapshot mid-log and applying the rest equals applying the whole log', () => {
    const t = busyTwin();
    const mid = Math.floor(t.log.length / 2);
    const head = createTwinState(TEST_SITE, T0);
    for (const e of t.log.slice(0, mid)) applySequenced(head, e);
    const restored = fromSnapshotData(TEST_SITE, toSnapshotData(head));
    for (const e of t.log.slice(mid)) applySequenced(restored, e);
    expect(toSnapshotData(restored)).toEqual(toSnapshotData(t.state));
  });

  it('[R66] a completion touches its bins and operative; creation its source bin; a pick face its bin', () => {
    const t = busyTwin();
    const done = t.log.find((e) => e.event.type === 'MoveTaskCompleted')?.event;
    expect(done && touchedBy(t.state, done)).toEqual({ locations: [L3], operatives: [P1] }); // the dock is no bin
    const made = t.log.find((e) => e.event.type === 'MoveTaskCreated' && e.event.fromLocationId === L2)?.event;
    expect(made && touchedBy(t.state, made)).toEqual({ locations: [L2], operatives: [] });
    const face = t.log.find((e) => e.event.type === 'PickFaceSet')?.event;
    expect(face && touchedBy(t.state, face)).toEqual({ locations: [L1], operatives: [] });
  });

  it('[R63] the invariant checker catches a commitment that disagrees with the open tasks', () => {
    const t = busyTwin();
    t.state.movingByQuant.set(quantKey(L2, T1, SKU_A, ''), 999);
    expect(checkTwinInvariants(t.state).join('\n')).toMatch(/moving index .* open tasks commit|moving 999 > onHand/);
  });
});

describe('property: random move-task work keeps every invariant (R57, R63)', () => {
  const OPS: OperativeId[] = [P1, P2];
  const BINS: LocationId[] = [L1, L2, L3, L4, L5, L6];
  const KINDS = ['putaway', 'replenish', 'reslot', 'restock'] as const;
  const SKUS = [SKU_A, SKU_D] as const;
  const w = <T>(weight: number, arbitrary: fc.Arbitrary<T>): fc.WeightedArbitrary<T> => ({ weight, arbitrary });
  const step = fc.oneof(
    w(2, fc.record({ k: fc.constant('receive' as const), bin: fc.constantFrom(...BINS), sku: fc.constantFrom(...SKUS), qty: fc.integer({ min: 1, max: 30 }) })),
    w(2, fc.record({ k: fc.constant('dock' as const), sku: fc.constantFrom(...SKUS), qty: fc.integer({ min: 1, max: 30 }) })),
    w(
      4,
      fc.record({
        k: fc.constant('create' as const),
        kind: fc.constantFrom(...KINDS),
        from: fc.constantFrom<LocationId>(...BINS, DOCK),
        to: fc.option(fc.constantFrom(...BINS), { nil: undefined }),
        sku: fc.constantFrom(...SKUS),
        qty: fc.integer({ min: 1, max: 20 }),
        priority: fc.integer({ min: 0, max: 3 }),
      }),
    ),
    w(1, fc.record({ k: fc.constant('request' as const), op: fc.constantFrom(...OPS) })),
    // Mostly to the suggested target and in full; sometimes elsewhere (an override) or short.
    w(5, fc.record({ k: fc.constant('complete' as const), op: fc.constantFrom(...OPS), to: fc.option(fc.constantFrom(...BINS), { nil: undefined, freq: 3 }), short: fc.constantFrom(0, 0, 0, 1, 3) })),
    w(1, fc.record({ k: fc.constant('cancel' as const), n: fc.nat() })),
    w(1, fc.record({ k: fc.constant('signOff' as const), op: fc.constantFrom(...OPS) })),
    w(1, fc.record({ k: fc.constant('face' as const), bin: fc.constantFrom(...BINS), sku: fc.constantFrom(...SKUS), min: fc.integer({ min: 0, max: 10 }) })),
    w(2, fc.record({ k: fc.constant('plan' as const) })),
    w(1, fc.record({ k: fc.constant('move' as const), from: fc.constantFrom(...BINS), to: fc.constantFrom(...BINS), sku: fc.constantFrom(...SKUS), qty: fc.integer({ min: 1, max: 10 }) })),
    w(2, fc.record({ k: fc.constant('order' as const), sku: fc.constantFrom(...SKUS), qty: fc.integer({ min: 1, max: 10 }) })),
  );


  it('[R57][R63][R65] any sequence: invariants and the ledger hold after every command, refused ones write nothing', () => {
    // What the runs exercised, so the property cannot pass by doing nothing.
    const seen = { completed: 0, short: 0, crossDocked: 0, replenished: 0 };
    fc.assert(
      fc.property(fc.array(step, { minLength: 20, maxLength: 60, size: 'max' }), (steps) => {
        const t = newTwin();
        let n = 0;
        const exec = (c: Command): void => {
          const before = t.log.length;
          const d = t.run(c);
          if (!d.ok) expect(t.log.length).toBe(before);
          for (const e of d.ok ? d.events : []) {
            if (e.type === 'MoveTaskCompleted') {
              seen.completed++;
              if (e.shortQty > 0) seen.short++;
            }
            if (e.type === 'OrderAllocated' && e.allocations.some((a) => a.locationId === DOCK)) seen.crossDocked++;
            if (e.type === 'MoveTaskCreated' && e.kind === 'replenish') seen.replenished++;
          }
          const problems = checkTwinInvariants(t.state);
          if (problems.length > 0) throw new Error(`after ${c.type}: ${problems.join('; ')}`);
        };
        for (const s of steps) {
          n++;
          switch (s.k) {
            case 'receive':
              exec({ type: 'receiveStock', tenantId: T1, locationId: s.bin, skuId: s.sku, qty: s.qty });
              break;
            case 'dock':
              exec({ type: 'receiveGoods', receiptId: `pr${n}`, tenantId: T1, skuId: s.sku, qty: s.qty });
              break;
            case 'create': {
              // Mostly plausible: from a quant that has stock (the dock's put away, a bin's reslotted or replenished).
              const quants = [...t.state.quants.values()];
              const q = s.from === DOCK || quants.length === 0 ? undefined : quants[s.qty % quants.length];
              const from = q?.locationId ?? s.from;
              const skuId = q?.skuId ?? s.sku;
              const face = [...t.state.pickFaces.values()].find((f) => f.skuId === skuId && f.locationId !== from);
              // Now and then the generator's own kind, however implausible (refusals must write nothing).
              const kind = s.priority === 3 ? s.kind : from === DOCK ? 'putaway' : s.kind === 'replenish' && face !== undefined ? 'replenish' : 'reslot';
              const to = kind === 'replenish' ? face?.locationId : s.to;
              const qty = q === undefined ? s.qty : Math.max(1, Math.min(s.qty, freeOf(t.state, q)));
              exec({ type: 'createMoveTask', taskId: `M${n}`, kind, tenantId: T1, skuId, fromLocationId: from, ...(to === undefined ? {} : { toLocationId: to }), qty, priority: s.priority });
              break;
            }
            case 'request':
              if (!t.state.operatives.has(s.op)) exec({ type: 'signOn', operativeId: s.op, name: s.op });
              exec({ type: 'requestMoveTask', operativeId: s.op });
              break;
            case 'complete': {
              if (!t.state.operatives.has(s.op)) exec({ type: 'signOn', operativeId: s.op, name: s.op });
              if (moveTasksOf(t.state, s.op).length === 0) exec({ type: 'requestMoveTask', operativeId: s.op });
              const task = moveTasksOf(t.state, s.op)[0];
              if (task === undefined) break;
              // A bin that can take it: empty or of the same SKU, not the source, not another SKU's pick face.
              const fits = BINS.find((b) => {
                const face = t.state.pickFaces.get(b);
                if (b === task.fromLocationId || (face !== undefined && face.skuId !== task.skuId)) return false;
                return [...(t.state.quantsByLocation.get(b) ?? [])].every((k) => t.state.quants.get(k)?.skuId === task.skuId);
              });
              const to = s.to ?? task.suggestedToLocationId ?? fits ?? L1;
              exec({ type: 'completeMoveTask', taskId: task.id, operativeId: s.op, fromScan: task.fromLocationId, toScan: to, qty: Math.max(0, task.qty - s.short), overrideReason: 'chosen', scanId: `sc${n}` });
              // Could not be done there (full, mixed, being counted): the operative gives it up.
              if (t.state.moveTasks.get(task.id)?.status === 'assigned') exec({ type: 'cancelMoveTask', taskId: task.id, reason: 'no room' });
              break;
            }
            case 'cancel': {
              const open = listMoveTasks(t.state).filter((x) => x.status === 'open' || x.status === 'assigned');
              const task = open[s.n % Math.max(1, open.length)];
              if (task !== undefined) exec({ type: 'cancelMoveTask', taskId: task.id, reason: 'random' });
              break;
            }
            case 'signOff':
              if (t.state.operatives.has(s.op)) exec({ type: 'signOff', operativeId: s.op });
              break;
            case 'face':
              exec({ type: 'setPickFace', locationId: s.bin, tenantId: T1, skuId: s.sku, min: s.min, max: s.min + 20 });
              break;
            case 'plan':
              for (const c of planReplenishment(t.state)) exec(c);
              break;
            case 'move':
              exec({ type: 'moveStock', tenantId: T1, fromLocationId: s.from, toLocationId: s.to, skuId: s.sku, qty: s.qty });
              break;
            case 'order':
              exec({ type: 'createOrder', orderId: asOrderId(`O${n}`), tenantId: T1, lines: [{ skuId: s.sku, qty: s.qty }] });
              exec({ type: 'allocateOrder', orderId: asOrderId(`O${n}`), policy: 'partial' });
              for (const id of [...t.state.orders.keys()]) exec({ type: 'allocateOrder', orderId: id }); // refills: cross-dock
              break;
          }
        }
        expect(ledgerBalances(t.log.map((e) => e.event)).problems).toEqual([]);
        expect(toSnapshotData(fromSnapshotData(TEST_SITE, toSnapshotData(t.state)))).toEqual(toSnapshotData(t.state));
      }),
      { numRuns: 60, seed: 8 },
    );
    for (const [what, times] of Object.entries(seen)) expect(times, what).toBeGreaterThan(5);
  });
});
