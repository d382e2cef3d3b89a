import { describe, expect, it } from 'vitest';
import { countersOf, fillPercent, floorDiff, floorSnapshot, layoutView } from './floor-view.ts';
import type { LocationId } from './ids.ts';
import { asOperativeId, asOrderId, asTaskId, epochMs } from './ids.ts';
import { LOC, newTwin, SKU_A, SKU_C, T1, T2, TEST_SITE } from './test-site.ts';
import { touchedBy } from './twin.ts';

const L1 = LOC[0] as LocationId;
const L2 = LOC[1] as LocationId;
const P1 = asOperativeId('P1');

describe('floor views', () => {
  it('[R26] fill is whole percent of capacity per location index', () => {
    const t = newTwin();
    t.ok({ type: 'receiveStock', tenantId: T1, locationId: L1, skuId: SKU_A, qty: 25 });
    t.ok({ type: 'receiveStock', tenantId: T2, locationId: L2, skuId: SKU_C, qty: 1 });
    const l1 = t.state.locationsById.get(L1);
    expect(l1 === undefined ? -1 : fillPercent(t.state, l1)).toBe(50);
    const snap = floorSnapshot(t.state);
    expect(snap).toMatchObject({ siteId: 'test-site', seq: 2, fill: [50, 2, 0, 0, 0, 0], operatives: [] });
    expect(snap.counters).toMatchObject({ ordersReceived: 0, ordersOpen: 0, picksLastHour: 0 });
  });

  it('[R26] a diff carries absolute values of listed bins and operatives; signed-off ones are removed', () => {
    const t = newTwin();
    t.ok({ type: 'signOn', operativeId: P1, name: 'Pat' });
    const from = t.state.seq;
    t.ok({ type: 'receiveStock', tenantId: T1, locationId: L2, skuId: SKU_A, qty: 10 });
    t.ok({ type: 'updatePosition', operativeId: P1, position: { x: 1, y: 2 }, activity: 'walking' });
    const diff = floorDiff(t.state, from, [L2, 1, L2], [P1], [asOperativeId('gone')]);
    expect(diff).toMatchObject({
      fromSeq: from,
      toSeq: t.state.seq,
      fill: [1, 20],
      operatives: [{ id: 'P1', name: 'Pat', x: 1, y: 2, activity: 'walking', tasks: 0 }],
      removedOperatives: ['gone'],
    });
    t.ok({ type: 'signOff', operativeId: P1 });
    expect(floorDiff(t.state, from, [], [P1]).removedOperatives).toEqual(['P1']);
  });

  it('[R26] touchedBy names real bins and operatives an event changes', () => {
    const t = newTwin();
    const rec = t.ok({ type: 'receiveStock', tenantId: T1, locationId: L1, skuId: SKU_A, qty: 10 }).events[0];
    expect(rec && touchedBy(t.state, rec)).toEqual({ locations: [L1], operatives: [] });
    const mv = t.ok({ type: 'moveStock', tenantId: T1, skuId: SKU_A, fromLocationId: L1, toLocationId: L2, qty: 3 }).events[0];
    expect(mv && touchedBy(t.state, mv)).toEqual({ locations: [L1, L2], operatives: [] });
    t.ok({ type: 'signOn', operativeId: P1, name: 'Pat' });
    t.ok({ type: 'createOrder', orderId: asOrderId('O1'), tenantId: T1, lines: [{ skuId: SKU_A, qty: 2 }] });
    t.ok({ type: 'allocateOrder', orderId: asOrderId('O1') });
    t.ok({ type: 'releaseOrder', orderId: asOrderId('O1') });
    const assigned = t.ok({ type: 'requestWork', operativeId: P1, maxTasks: 1 }).events[0];
    expect(assigned && touchedBy(t.state, assigned)).toEqual({ locations: [], operatives: [P1] });
    const picked = t.ok({ type: 'confirmPick', taskId: asTaskId('O1-T1'), operativeId: P1, scannedLocation: 'L2', scannedItem: 'BC-A', qty: 2 }).events;
    expect(picked.map((e) => touchedBy(t.state, e))).toEqual([
      { locations: [L2], operatives: [P1] },
      { locations: [], operatives: [] },
    ]);
  });

  it('[R22] picks in the last hour are counted back from twin time', () => {
    const t = newTwin();
    t.state.recentPickTimes.push(epochMs(t.state.now - 3_700_000), epochMs(t.state.now - 10));
    expect(countersOf(t.state).picksLastHour).toBe(1);
  });

  it('[R26] layoutView is columnar, skips blocked segments and bounds everything', () => {
    const v = layoutView(TEST_SITE);
    expect(v.ids).toEqual(['L1', 'L2', 'L3', 'L4', 'L5', 'L6']);
    expect(v.x).toEqual([1, 1, 1, 5, 5, 5]);
    expect(v.w).toHaveLength(6);
    expect(v.segments).toEqual([4, 0, 2, 6, 4, 0, 6, 6, 2, 6, 4, 12]);
    expect(v.depot).toEqual({ x: 4, y: 0 });
    expect(v.bounds.minX).toBeCloseTo(0.5);
    expect(v.bounds.maxX).toBeCloseTo(6);
    expect(v.bounds.minY).toBeCloseTo(0);
    expect(v.bounds.maxY).toBeCloseTo(12);
  });
});
