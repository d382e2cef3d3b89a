import { describe, expect, it } from 'vitest';
import type { Command } from './commands.ts';
import type { LocationId, OrderId, TaskId } from './ids.ts';
import { asOperativeId, asOrderId, asTaskId, epochMs } from './ids.ts';
import { checkTwinInvariants } from './invariants.ts';
import type { TestTwin } from './test-site.ts';
import { LOC, newTwin, SKU_A, SKU_D, T1, TEST_SITE } from './test-site.ts';
import { fromSnapshotData, toSnapshotData, type TwinSnapshotData } from './twin.ts';
import { isBehind } from './work-assignment.ts';

const P1 = asOperativeId('P1');
const P2 = asOperativeId('P2');
const L1 = LOC[0] as LocationId;
const L2 = LOC[1] as LocationId;
const task = (id: string): TaskId => asTaskId(id);

/** Stock in L1 (A) and L2 (D); P1 signed on with zone Z1 and skill reach; P2 with no zones or skills. */
function floor(): TestTwin {
  const t = newTwin();
  t.ok({ type: 'receiveStock', tenantId: T1, locationId: L1, skuId: SKU_A, qty: 50 });
  t.ok({ type: 'receiveStock', tenantId: T1, locationId: L2, skuId: SKU_D, qty: 50 });
  t.ok({ type: 'signOn', operativeId: P1, name: 'Pat', zones: ['Z1'], skills: ['reach'] });
  t.ok({ type: 'signOn', operativeId: P2, name: 'Sam' });
  return t;
}

/** Creates, allocates and releases an order of one A and one D (tasks `${id}-T1` at L1, `${id}-T2` at L2). */
function released(t: TestTwin, id: string, priority = 0): OrderId {
  const orderId = asOrderId(id);
  t.ok({ type: 'createOrder', orderId, tenantId: T1, lines: [{ skuId: SKU_A, qty: 1 }, { skuId: SKU_D, qty: 1 }], priority });
  t.ok({ type: 'allocateOrder', orderId });
  t.ok({ type: 'releaseOrder', orderId });
  return orderId;
}

const snapshot = (t: TestTwin): string => JSON.stringify(toSnapshotData(t.state));

/** The command is refused with `code` and changes nothing. */
function refused(t: TestTwin, command: Command, code: string): void {
  const before = snapshot(t);
  const d = t.run(command);
  expect(d.ok ? 'ok' : d.error.code).toBe(code);
  expect(snapshot(t)).toBe(before);
}

describe('zones and skills', () => {
  it('[R67] sign-on stores zones and skills, in the event and on the operative', () => {
    const t = newTwin();
    const d = t.ok({ type: 'signOn', operativeId: P1, name: 'Pat', zones: ['Z1', 'Z2'], skills: ['reach'] });
    expect(d.events[0]).toMatchObject({ type: 'OperativeSignedOn', zones: ['Z1', 'Z2'], skills: ['reach'] });
    expect(t.state.operatives.get(P1)).toMatchObject({ zones: ['Z1', 'Z2'], skills: ['reach'], lastProgressAt: d.events[0]!.at });
    t.ok({ type: 'signOn', operativeId: P2, name: 'Sam' });
    expect(t.state.operatives.get(P2)).toMatchObject({ zones: [], skills: [] });
  });

  it('[R67] refuses malformed zones or skills with INVALID_STATE, nothing changed', () => {
    const t = newTwin();
    refused(t, { type: 'signOn', operativeId: P1, name: 'Pat', zones: [''] }, 'INVALID_STATE');
    refused(t, { type: 'signOn', operativeId: P1, name: 'Pat', skills: ['reach', 'reach'] }, 'INVALID_STATE');
    refused(t, { type: 'signOn', operativeId: P1, name: 'Pat', zones: Array.from({ length: 51 }, (_, i) => `Z${i}`) }, 'INVALID_STATE');
    refused(t, { type: 'signOn', operativeId: P1, name: 'Pat', skills: ['x'.repeat(65)] }, 'INVALID_STATE');
  });

  it('[R24][R67][R70] zones, skills, progress and pushed flags survive a snapshot; an older snapshot restores defaults', () => {
    const t = floor();
    released(t, 'O1');
    t.ok({ type: 'assignWork', operativeId: P1, taskIds: [task('O1-T1')] });
    const data = toSnapshotData(t.state);
    expect(toSnapshotData(fromSnapshotData(TEST_SITE, JSON.parse(JSON.stringify(data)) as TwinSnapshotData))).toEqual(data);
    expect(fromSnapshotData(TEST_SITE, data).tasks.get(task('O1-T1'))?.pushed).toBe(true);
    const old = JSON.parse(JSON.stringify(data)) as { operatives: Record<string, unknown>[]; tasks: Record<string, unknown>[] };
    for (const o of old.operatives) {
      delete o.zones;
      delete o.skills;
      delete o.lastProgressAt;
    }
    for (const k of old.tasks) delete k.pushed;
    const restored = fromSnapshotData(TEST_SITE, old as unknown as TwinSnapshotData);
    expect(restored.operatives.get(P1)).toMatchObject({ zones: [], skills: [], lastProgressAt: data.now });
    expect(restored.tasks.get(task('O1-T1'))?.pushed).toBe(false);
  });
});

describe('assignWork', () => {
  it('[R68] pushes released tasks as TasksAssigned { pushed: true }; the order leaves the queue once none is released', () => {
    const t = floor();
    const o1 = released(t, 'O1');
    const d = t.ok({ type: 'assignWork', operativeId: P1, taskIds: [task('O1-T1')], requiredSkill: 'reach' });
    expect(d.events).toEqual([{ type: 'TasksAssigned', at: d.events[0]!.at, operativeId: P1, taskIds: ['O1-T1'], pushed: true }]);
    expect(t.state.tasks.get(task('O1-T1'))).toMatchObject({ status: 'assigned', operativeId: P1, pushed: true });
    expect(t.state.releaseQueue).toEqual([o1]);
    t.ok({ type: 'assignWork', operativeId: P2, taskIds: [task('O1-T2')] });
    expect(t.state.releaseQueue).toEqual([]);
    expect(t.state.operatives.get(P1)?.taskIds).toEqual(['O1-T1']);
    expect(checkTwinInvariants(t.state)).toEqual([]);
  });

  it('[R68] refuses, in order, with a specific code each, and changes nothing', () => {
    const t = floor();
    released(t, 'O1');
    released(t, 'O2');
    t.ok({ type: 'assignWork', operativeId: P2, taskIds: [task('O2-T1')] });
    t.ok({ type: 'confirmPick', taskId: task('O2-T1'), operativeId: P2, scannedLocation: 'L1', scannedItem: 'BC-A', qty: 1 });
    t.ok({ type: 'assignWork', operativeId: P2, taskIds: [task('O2-T2')] });
    t.ok({ type: 'signOn', operativeId: asOperativeId('P3'), name: 'Zed', zones: ['Z2'] });
    const assign = (over: Partial<Extract<Command, { type: 'assignWork' }>>): Command => ({ type: 'assignWork', operativeId: P1, taskIds: [task('O1-T1')], ...over });
    refused(t, assign({ operativeId: asOperativeId('NOBODY') }), 'OPERATIVE_NOT_SIGNED_ON');
    refused(t, assign({ taskIds: [] }), 'INVALID_QUANTITY');
    refused(t, assign({ taskIds: [task('O1-T1'), task('O1-T1')] }), 'INVALID_STATE');
    refused(t, assign({ requiredSkill: '' }), 'INVALID_STATE');
    refused(t, assign({ taskIds: [task('O1-T1'), task('NOPE')] }), 'UNKNOWN_TASK');
    refused(t, assign({ taskIds: [task('O1-T1'), task('O2-T2')] }), 'TASK_ALREADY_ASSIGNED');
    refused(t, assign({ taskIds: [task('O2-T1')] }), 'TASK_DONE');
    refused(t, assign({ operativeId: asOperativeId('P3') }), 'ZONE_NOT_ALLOWED');
    refused(t, assign({ requiredSkill: 'hazmat' }), 'SKILL_REQUIRED');
    refused(t, assign({ operativeId: P2, requiredSkill: 'reach' }), 'SKILL_REQUIRED');
    const d = t.run(assign({ taskIds: [task('O1-T1'), task('O2-T2')] }));
    expect(!d.ok && d.error.details).toMatchObject({ taskId: 'O2-T2', assignedTo: P2 });
  });

  it('[R16][R68] requestWork keeps working for others, and hands a pushed operative nothing more until their work is done', () => {
    const t = floor();
    released(t, 'O1');
    released(t, 'O2');
    t.ok({ type: 'assignWork', operativeId: P1, taskIds: [task('O2-T1'), task('O2-T2')] });
    // P1 holds pushed work: pull gives nothing, and what they hold is what they get.
    expect(t.ok({ type: 'requestWork', operativeId: P1, maxTasks: 10 }).events).toEqual([]);
    expect(t.state.operatives.get(P1)?.taskIds).toEqual(['O2-T1', 'O2-T2']);
    // Pull by someone else takes from the queue, never the pushed tasks.
    const pulled = t.ok({ type: 'requestWork', operativeId: P2, maxTasks: 10 });
    expect(pulled.events[0]).toMatchObject({ type: 'TasksAssigned', taskIds: ['O1-T1', 'O1-T2'] });
    expect((pulled.events[0] as { pushed?: boolean }).pushed).toBeUndefined();
    // Once the pushed work is done, P1 pulls again.
    t.ok({ type: 'confirmPick', taskId: task('O2-T1'), operativeId: P1, scannedLocation: 'L1', scannedItem: 'BC-A', qty: 1 });
    t.ok({ type: 'confirmPick', taskId: task('O2-T2'), operativeId: P1, scannedLocation: 'L2', scannedItem: 'BC-D', qty: 1 });
    released(t, 'O3');
    expect(t.ok({ type: 'requestWork', operativeId: P1, maxTasks: 10 }).events[0]).toMatchObject({ taskIds: ['O3-T1', 'O3-T2'] });
    expect(checkTwinInvariants(t.state)).toEqual([]);
  });
});

describe('unassignWork', () => {
  it('[R69] takes every open task back; orders rejoin the queue in their original order', () => {
    const t = floor();
    const low = released(t, 'LOW', 0);
    const high = released(t, 'HIGH', 5);
    const old = released(t, 'OLD', 0);
    expect(t.state.releaseQueue).toEqual([high, low, old]);
    t.ok({ type: 'assignWork', operativeId: P1, taskIds: [task('LOW-T1'), task('LOW-T2'), task('HIGH-T1')] });
    expect(t.state.releaseQueue).toEqual([high, old]);
    const d = t.ok({ type: 'unassignWork', operativeId: P1, reason: 'falls behind' });
    expect(d.events).toEqual([{ type: 'TasksUnassigned', at: d.events[0]!.at, operativeId: P1, taskIds: ['LOW-T1', 'LOW-T2', 'HIGH-T1'], reason: 'falls behind' }]);
    expect(t.state.releaseQueue).toEqual([high, low, old]);
    expect(t.state.operatives.get(P1)?.taskIds).toEqual([]);
    expect(t.state.tasks.get(task('LOW-T1'))).toMatchObject({ status: 'released', operativeId: null, pushed: false });
    // Pull hands them out again in queue order.
    expect(t.ok({ type: 'requestWork', operativeId: P2, maxTasks: 2 }).events[0]).toMatchObject({ taskIds: ['HIGH-T1', 'HIGH-T2'] });
    expect(checkTwinInvariants(t.state)).toEqual([]);
  });

  it('[R69] takes back only the tasks listed, in the operative\'s order; nothing open is ok with no events', () => {
    const t = floor();
    released(t, 'O1');
    t.ok({ type: 'requestWork', operativeId: P1, maxTasks: 10 });
    const d = t.ok({ type: 'unassignWork', operativeId: P1, taskIds: [task('O1-T2')], reason: 'rebalanced' });
    expect(d.events[0]).toMatchObject({ taskIds: ['O1-T2'] });
    expect(t.state.operatives.get(P1)?.taskIds).toEqual(['O1-T1']);
    expect(t.ok({ type: 'unassignWork', operativeId: P2, reason: 'rebalanced' }).events).toEqual([]);
    expect(checkTwinInvariants(t.state)).toEqual([]);
  });

  it('[R69] refuses, in order, with a specific code each, and changes nothing', () => {
    const t = floor();
    released(t, 'O1');
    released(t, 'O2');
    t.ok({ type: 'assignWork', operativeId: P1, taskIds: [task('O1-T1')] });
    t.ok({ type: 'assignWork', operativeId: P2, taskIds: [task('O2-T1')] });
    const un = (over: Partial<Extract<Command, { type: 'unassignWork' }>>): Command => ({ type: 'unassignWork', operativeId: P1, reason: 'why', ...over });
    refused(t, un({ operativeId: asOperativeId('NOBODY') }), 'OPERATIVE_NOT_SIGNED_ON');
    refused(t, un({ reason: '  ' }), 'REASON_REQUIRED');
    refused(t, un({ reason: 'x'.repeat(201) }), 'REASON_REQUIRED');
    refused(t, un({ taskIds: [] }), 'INVALID_QUANTITY');
    refused(t, un({ taskIds: [task('O1-T1'), task('O1-T1')] }), 'INVALID_STATE');
    refused(t, un({ taskIds: [task('NOPE')] }), 'UNKNOWN_TASK');
    refused(t, un({ taskIds: [task('O2-T1')] }), 'TASK_NOT_ASSIGNED');
    refused(t, un({ taskIds: [task('O1-T2')] }), 'TASK_NOT_ASSIGNED');
  });
});

describe('progress', () => {
  it('[R70] progress is sign-on, work given while holding none, and each pick; behind = holding tasks past the threshold', () => {
    const t = floor();
    released(t, 'O1');
    released(t, 'O2');
    const signedOn = t.state.operatives.get(P1)!.lastProgressAt;
    expect(isBehind(t.state.operatives.get(P1)!, epochMs(signedOn + 10 * 60_000), 60_000)).toBe(false);
    const given = t.ok({ type: 'assignWork', operativeId: P1, taskIds: [task('O1-T1')] }).events[0]!.at;
    expect(t.state.operatives.get(P1)!.lastProgressAt).toBe(given);
    // More work on top of work held does not reset the clock.
    t.ok({ type: 'assignWork', operativeId: P1, taskIds: [task('O1-T2')] });
    expect(t.state.operatives.get(P1)!.lastProgressAt).toBe(given);
    const op = t.state.operatives.get(P1)!;
    expect(isBehind(op, epochMs(given + 60_000), 60_000)).toBe(false);
    expect(isBehind(op, epochMs(given + 60_001), 60_000)).toBe(true);
    const picked = t.ok({ type: 'confirmPick', taskId: task('O1-T1'), operativeId: P1, scannedLocation: 'L1', scannedItem: 'BC-A', qty: 1 }).events[0]!.at;
    expect(t.state.operatives.get(P1)!.lastProgressAt).toBe(picked);
  });
});
