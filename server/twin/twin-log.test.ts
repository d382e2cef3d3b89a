import { describe, expect, it } from 'vitest';
import type { Command } from './commands.ts';
import type { SequencedEvent } from './events.ts';
import { asOperativeId, asOrderId, asTaskId } from './ids.ts';
import { LOC, newTwin, SKU_A, SKU_B, SKU_D, T0, T1, TEST_SITE } from './test-site.ts';
import type { TestTwin } from './test-site.ts';
import { apply, applySequenced, createTwinState, decide, fromSnapshotData, toSnapshotData } from './twin.ts';

const P1 = asOperativeId('P1');

/** A short shift touching every durable event type. */
function shift(): TestTwin {
  const t = newTwin();
  const cmds: Command[] = [
    { type: 'receiveStock', tenantId: T1, locationId: LOC[0]!, skuId: SKU_A, qty: 20 },
    { type: 'receiveStock', tenantId: T1, locationId: LOC[1]!, skuId: SKU_B, qty: 10, lot: 'X1', expiry: '2027-01-31' },
    { type: 'receiveStock', tenantId: T1, locationId: LOC[2]!, skuId: SKU_D, qty: 10 },
    { type: 'moveStock', tenantId: T1, skuId: SKU_A, fromLocationId: LOC[0]!, toLocationId: LOC[3]!, qty: 5 },
    { type: 'signOn', operativeId: P1, name: 'Pat' },
    { type: 'createOrder', orderId: asOrderId('O1'), tenantId: T1, lines: [{ skuId: SKU_A, qty: 3 }, { skuId: SKU_B, qty: 2 }] },
    { type: 'createOrder', orderId: asOrderId('O2'), tenantId: T1, lines: [{ skuId: SKU_D, qty: 4 }], priority: 2 },
    { type: 'allocateOrder', orderId: asOrderId('O1') },
    { type: 'allocateOrder', orderId: asOrderId('O2') },
    { type: 'releaseOrder', orderId: asOrderId('O1') },
    { type: 'releaseOrder', orderId: asOrderId('O2') },
    { type: 'requestWork', operativeId: P1, maxTasks: 1 },
    { type: 'confirmPick', taskId: asTaskId('O2-T1'), operativeId: P1, scannedLocation: 'L3', scannedItem: 'BC-D', qty: 4 },
    { type: 'packOrder', orderId: asOrderId('O2') },
    { type: 'despatchOrder', orderId: asOrderId('O2'), carrier: 'DPD' },
    { type: 'requestWork', operativeId: P1, maxTasks: 5 },
    { type: 'shortPick', taskId: asTaskId('O1-T1'), operativeId: P1, foundQty: 1 },
    { type: 'updatePosition', operativeId: P1, position: { x: 2, y: 3 }, activity: 'walking' },
    { type: 'signOff', operativeId: P1 },
  ];
  for (const c of cmds) t.ok(c);
  return t;
}

describe('decide purity', () => {
  it('[R0] decide never mutates the state, and gives the same events for the same input', () => {
    const t = shift();
    const before = structuredClone(toSnapshotData(t.state));
    const probes: Command[] = [
      { type: 'receiveStock', tenantId: T1, locationId: LOC[4]!, skuId: SKU_A, qty: 3 },
      { type: 'allocateOrder', orderId: asOrderId('O1') },
      { type: 'createOrder', orderId: asOrderId('O3'), tenantId: T1, lines: [{ skuId: SKU_A, qty: 50 }] },
      { type: 'signOn', operativeId: asOperativeId('P9'), name: 'N' },
      { type: 'requestWork', operativeId: P1, maxTasks: 3 },
    ];
    for (const c of probes) {
      const a = decide(t.state, c, { now: t.now });
      const b = decide(t.state, c, { now: t.now });
      expect(a).toEqual(b);
      if (a.ok) for (const e of a.events) expect(e.at).toBe(t.now);
    }
    expect(toSnapshotData(t.state)).toEqual(before);
  });
});

describe('log', () => {
  it('[R23] applySequenced advances seq and rejects a gap or a replay', () => {
    const t = shift();
    const s = createTwinState(TEST_SITE, T0);
    const [first, second, third] = t.log as [SequencedEvent, SequencedEvent, SequencedEvent];
    applySequenced(s, first);
    expect(s.seq).toBe(1);
    expect(() => applySequenced(s, first)).toThrow(/gap/);
    expect(() => applySequenced(s, third)).toThrow(/gap/);
    applySequenced(s, second);
    expect(s.seq).toBe(2);
  });

  it('[R23] volatile events are not logged and do not advance seq', () => {
    const t = shift();
    expect(t.log.map((s) => s.event.type as string)).not.toContain('OperativeMoved');
    expect(t.log.map((s) => s.seq)).toEqual(t.log.map((_, i) => i + 1));
    expect(t.state.seq).toBe(t.log.length);
  });

  it('[R23] apply returns the same state object', () => {
    const s = createTwinState(TEST_SITE, T0);
    const out = apply(s, { type: 'OperativeSignedOn', at: T0, operativeId: P1, name: 'Pat' });
    expect(out).toBe(s);
  });
});

describe('snapshots', () => {
  it('[R24] round trip through JSON equals the state', () => {
    const t = shift();
    const data = toSnapshotData(t.state);
    const json = JSON.parse(JSON.stringify(data)) as typeof data;
    const restored = fromSnapshotData(TEST_SITE, json);
    expect(toSnapshotData(restored)).toEqual(data);
    expect(restored.quantsBySku).toEqual(t.state.quantsBySku);
    expect(restored.quantsByLocation).toEqual(t.state.quantsByLocation);
  });

  it('[R24] restoring a snapshot and applying the rest of the log equals applying the whole log', () => {
    const t = shift();
    for (let cut = 0; cut <= t.log.length; cut++) {
      const head = createTwinState(TEST_SITE, T0);
      for (const s of t.log.slice(0, cut)) applySequenced(head, s);
      const restored = fromSnapshotData(TEST_SITE, JSON.parse(JSON.stringify(toSnapshotData(head))) as ReturnType<typeof toSnapshotData>);
      for (const s of t.log.slice(cut)) applySequenced(restored, s);
      const whole = createTwinState(TEST_SITE, T0);
      for (const s of t.log) applySequenced(whole, s);
      expect(toSnapshotData(restored)).toEqual(toSnapshotData(whole));
    }
  });

  it('[R24] a snapshot is independent of later changes', () => {
    const t = shift();
    const data = toSnapshotData(t.state);
    const copy = structuredClone(data);
    t.ok({ type: 'receiveStock', tenantId: T1, locationId: LOC[0]!, skuId: SKU_A, qty: 1 });
    expect(data).toEqual(copy);
  });
});
