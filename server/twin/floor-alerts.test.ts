import { describe, expect, it } from 'vitest';
import {
  CUTOFF_WARNING_MS,
  IDLE_ALERT_MS,
  compareAlerts,
  floorAlerts,
  formatMinutes,
  inspectLocation,
  inspectOperative,
  inspectSku,
  noteIdle,
  searchFloor,
  topAlerts,
  type FloorAlert,
} from './floor-alerts.ts';
import type { EpochMs, LocationId, OperativeId } from './ids.ts';
import { asLocationId, asOperativeId, asOrderId, asSkuId, asTaskId, epochMs } from './ids.ts';
import type { TestTwin } from './test-site.ts';
import { LOC, newTwin, SKU_A, SKU_B, SKU_C, SKU_D, T0, T1, T2, TEST_SITE } from './test-site.ts';

const L1 = LOC[0] as LocationId;
const L2 = LOC[1] as LocationId;
const L4 = LOC[3] as LocationId;
const P1 = asOperativeId('P1');
const P2 = asOperativeId('P2');
const at = (minutes: number): EpochMs => epochMs(T0 + minutes * 60_000);

/** L1: 30 A; L2: B in two lots (FEFO: LOT2 expires first); L4: 10 C of globex. */
function stocked(): TestTwin {
  const t = newTwin();
  t.ok({ type: 'receiveStock', tenantId: T1, locationId: L1, skuId: SKU_A, qty: 30 });
  t.ok({ type: 'receiveStock', tenantId: T1, locationId: L2, skuId: SKU_B, qty: 5, lot: 'LOT1', expiry: '2027-03-01' });
  t.ok({ type: 'receiveStock', tenantId: T1, locationId: L2, skuId: SKU_B, qty: 7, lot: 'LOT2', expiry: '2027-01-01' });
  t.ok({ type: 'receiveStock', tenantId: T2, locationId: L4, skuId: SKU_C, qty: 10 });
  return t;
}

describe('inspectLocation', () => {
  it('lists stock by tenant, SKU and lot (FEFO), totals, open tasks at the bin and the count request', () => {
    const t = stocked();
    t.ok({ type: 'createOrder', orderId: asOrderId('O1'), tenantId: T1, lines: [{ skuId: SKU_B, qty: 3 }] });
    t.ok({ type: 'allocateOrder', orderId: asOrderId('O1') });
    t.ok({ type: 'releaseOrder', orderId: asOrderId('O1') });
    const view = inspectLocation(t.state, L2);
    expect(view).toMatchObject({ locationId: 'L2', x: 1, y: 6, level: 0, aisle: 1, countRequest: null });
    expect(view?.stock.map((s) => [s.skuId, s.lot, s.expiry, s.onHand, s.reserved, s.available])).toEqual([
      ['B', 'LOT2', '2027-01-01', 7, 3, 4],
      ['B', 'LOT1', '2027-03-01', 5, 0, 5],
    ]);
    expect(view?.stock[0]?.description).toBe('item B');
    expect(view?.totals).toEqual({ onHand: 12, reserved: 3, available: 9 });
    expect(view?.openTasks).toEqual([
      { taskId: 'O1-T1', orderId: 'O1', locationId: 'L2', skuId: 'B', lot: 'LOT2', qty: 3, status: 'released', operativeId: null },
    ]);
    expect(inspectLocation(t.state, L4)?.stock).toEqual([
      { tenantId: 'globex', skuId: 'C', description: 'item C', lot: '', expiry: null, onHand: 10, reserved: 0, available: 10 },
    ]);
  });

  it('answers undefined for an unknown location and an empty list for an empty bin', () => {
    const t = stocked();
    expect(inspectLocation(t.state, asLocationId('NOPE'))).toBeUndefined();
    expect(inspectLocation(t.state, LOC[5] as LocationId)).toMatchObject({ stock: [], openTasks: [], totals: { onHand: 0, reserved: 0, available: 0 } });
  });
});

describe('inspectSku', () => {
  it('gives stock per bin and lot, the available total, and open orders with their backorders', () => {
    const t = stocked();
    t.ok({ type: 'createOrder', orderId: asOrderId('O1'), tenantId: T1, externalRef: '#1001', lines: [{ skuId: SKU_A, qty: 25 }] });
    t.ok({ type: 'allocateOrder', orderId: asOrderId('O1') });
    t.ok({ type: 'createOrder', orderId: asOrderId('O2'), tenantId: T1, lines: [{ skuId: SKU_A, qty: 8 }] });
    t.ok({ type: 'allocateOrder', orderId: asOrderId('O2'), policy: 'partial' });
    const view = inspectSku(t.state, SKU_A);
    expect(view).toMatchObject({ skuId: 'A', tenantId: 'acme', barcode: 'BC-A', onHand: 30, reserved: 30, available: 0, backordered: 3 });
    expect(view?.stock).toEqual([{ locationId: 'L1', x: 1, y: 4, lot: '', expiry: null, onHand: 30, reserved: 30, available: 0 }]);
    expect(view?.openOrders.map((o) => [o.orderId, o.externalRef, o.status, o.ordered, o.allocated, o.backordered, o.outstanding])).toEqual([
      ['O1', '#1001', 'allocated', 25, 25, 0, 25],
      ['O2', null, 'allocated', 8, 5, 3, 8],
    ]);
    expect(inspectSku(t.state, asSkuId('NOPE'))).toBeUndefined();
  });
});

describe('searchFloor', () => {
  it('finds locations by id prefix, SKUs by barcode or description, orders by external ref, operatives by name', () => {
    const t = stocked();
    t.ok({ type: 'createOrder', orderId: asOrderId('O1'), tenantId: T1, externalRef: 'SHOP-77', lines: [{ skuId: SKU_A, qty: 2 }] });
    t.ok({ type: 'allocateOrder', orderId: asOrderId('O1') });
    t.ok({ type: 'releaseOrder', orderId: asOrderId('O1') });
    t.ok({ type: 'signOn', operativeId: P1, name: 'Pat Lee' });

    expect(searchFloor(t.state, 'l').filter((h) => h.kind === 'location').map((h) => h.id)).toEqual(['L1', 'L2', 'L3', 'L4', 'L5', 'L6']);
    expect(searchFloor(t.state, 'L4')).toEqual([{ kind: 'location', id: 'L4', label: 'L4 · aisle 2, bay 1, level 0', x: 5, y: 4 }]);
    expect(searchFloor(t.state, 'bc-b')).toEqual([{ kind: 'sku', id: 'B', label: 'B · item B (acme)', x: 1, y: 6 }]);
    expect(searchFloor(t.state, 'item d')).toEqual([{ kind: 'sku', id: 'D', label: 'D · item D (acme)' }]);
    // The order sits where its first open task is (L1).
    expect(searchFloor(t.state, 'shop-7')).toEqual([{ kind: 'order', id: 'O1', label: 'O1 · SHOP-77 · released', x: 1, y: 4 }]);
    expect(searchFloor(t.state, 'pat')).toEqual([
      { kind: 'operative', id: 'P1', label: 'Pat Lee (P1) · idle', x: TEST_SITE.layout.depot.x, y: TEST_SITE.layout.depot.y },
    ]);
  });

  it('ranks exact before prefix before substring, caps the hits and finds nothing for a blank query', () => {
    const t = stocked();
    t.ok({ type: 'createOrder', orderId: asOrderId('XL1'), tenantId: T1, lines: [{ skuId: SKU_A, qty: 1 }] });
    expect(searchFloor(t.state, 'l1').map((h) => `${h.kind}:${h.id}`)).toEqual(['location:L1', 'order:XL1']);
    expect(searchFloor(t.state, 'l', 3)).toHaveLength(3);
    expect(searchFloor(t.state, '   ')).toEqual([]);
  });
});

const kindsOf = (alerts: FloorAlert[]): string[] => alerts.map((a) => a.id);

describe('floorAlerts', () => {
  it('warns of an order due within 30 min and is critical once the cut-off has passed; cancelled orders never alert', () => {
    const t = stocked();
    t.ok({ type: 'createOrder', orderId: asOrderId('SOON'), tenantId: T1, lines: [{ skuId: SKU_A, qty: 1 }], dueAt: at(20) });
    t.ok({ type: 'createOrder', orderId: asOrderId('LATER'), tenantId: T1, lines: [{ skuId: SKU_A, qty: 1 }], dueAt: at(120) });
    t.ok({ type: 'allocateOrder', orderId: asOrderId('SOON') });
    t.ok({ type: 'releaseOrder', orderId: asOrderId('SOON') });
    t.ok({ type: 'allocateOrder', orderId: asOrderId('LATER') });

    const soon = floorAlerts(t.state, { now: at(0) });
    expect(soon).toEqual([
      { id: 'cutoff:SOON', kind: 'cutoff', severity: 'warning', message: 'Order SOON cut-off in 20 min, still released', x: 1, y: 4, ref: { kind: 'order', id: 'SOON' }, at: at(20) },
    ]);
    expect(at(120) - at(0)).toBeGreaterThan(CUTOFF_WARNING_MS);

    const late = floorAlerts(t.state, { now: at(100) });
    expect(late.map((a) => [a.id, a.severity])).toEqual([
      ['cutoff:SOON', 'critical'],
      ['cutoff:LATER', 'warning'],
    ]);
    expect(late[0]?.message).toBe('Order SOON missed its cut-off by 1 h 20 min, still released');
    // A cancelled order never alerts; LATER sits at its reserved bin.
    t.ok({ type: 'cancelOrder', orderId: asOrderId('SOON'), reason: 'customer' });
    expect(floorAlerts(t.state, { now: at(100) }).map((a) => [a.id, a.x])).toEqual([['cutoff:LATER', 1]]);
  });

  it('reports a SKU with nothing available and open demand (backordered or unallocated), at a bin that holds it', () => {
    const t = stocked();
    t.ok({ type: 'createOrder', orderId: asOrderId('O1'), tenantId: T1, lines: [{ skuId: SKU_A, qty: 30 }] });
    t.ok({ type: 'allocateOrder', orderId: asOrderId('O1') });
    expect(floorAlerts(t.state)).toEqual([]);
    t.ok({ type: 'createOrder', orderId: asOrderId('O2'), tenantId: T1, lines: [{ skuId: SKU_A, qty: 4 }] });
    t.ok({ type: 'createOrder', orderId: asOrderId('O3'), tenantId: T1, lines: [{ skuId: SKU_D, qty: 1 }] });
    const alerts = floorAlerts(t.state);
    expect(alerts.map((a) => [a.id, a.kind, a.ref, a.x, a.y])).toEqual([
      ['stockout:acme|D', 'stockout', { kind: 'sku', id: 'D' }, null, null],
      ['stockout:acme|A', 'stockout', { kind: 'sku', id: 'A' }, 1, 4],
    ]);
    expect(alerts[1]?.message).toBe('A (acme) has none available; 1 order need 4 units');
  });

  it('raises a short-pick alert at the bin the count request names', () => {
    const t = stocked();
    t.ok({ type: 'createOrder', orderId: asOrderId('O1'), tenantId: T1, lines: [{ skuId: SKU_A, qty: 5 }] });
    t.ok({ type: 'allocateOrder', orderId: asOrderId('O1') });
    t.ok({ type: 'releaseOrder', orderId: asOrderId('O1') });
    t.ok({ type: 'signOn', operativeId: P1, name: 'Pat' });
    t.ok({ type: 'requestWork', operativeId: P1, maxTasks: 5 });
    t.ok({ type: 'shortPick', taskId: asTaskId('O1-T1'), operativeId: P1, foundQty: 2 });
    const shorts = floorAlerts(t.state).filter((a) => a.kind === 'shortPick');
    expect(shorts).toEqual([
      expect.objectContaining({ id: 'shortPick:L1', severity: 'warning', x: 1, y: 4, ref: { kind: 'location', id: 'L1' }, message: 'Count L1: short pick (task O1-T1)' }),
    ]);
    expect(inspectLocation(t.state, L1)?.countRequest).toMatchObject({ reason: 'short pick', taskId: 'O1-T1' });
  });

  it('reports idle operatives with no task: all of them without a since-map, only those idle over 5 min with one', () => {
    const t = stocked();
    t.ok({ type: 'signOn', operativeId: P1, name: 'Pat' });
    t.ok({ type: 'signOn', operativeId: P2, name: 'Sam' });
    expect(kindsOf(floorAlerts(t.state))).toEqual(['idle:P1', 'idle:P2']);

    const idleSince = new Map<OperativeId, EpochMs>();
    noteIdle(idleSince, t.state, [P1, P2], at(0));
    t.ok({ type: 'updatePosition', operativeId: P2, position: { x: 3, y: 3 }, activity: 'walking' });
    noteIdle(idleSince, t.state, [P2], at(1));
    expect([...idleSince.keys()]).toEqual([P1]);
    expect(floorAlerts(t.state, { now: at(5), idleSince })).toEqual([]);
    const alerts = floorAlerts(t.state, { now: epochMs(at(0) + IDLE_ALERT_MS + 60_000), idleSince });
    expect(alerts).toEqual([
      { id: 'idle:P1', kind: 'idle', severity: 'info', message: 'Pat has been idle with no task for 6 min', x: 4, y: 0, ref: { kind: 'operative', id: 'P1' }, at: at(0) },
    ]);
    expect(inspectOperative(t.state, P1, idleSince)).toMatchObject({ operativeId: 'P1', activity: 'idle', idleSince: new Date(at(0)).toISOString(), openTasks: [] });
    t.ok({ type: 'signOff', operativeId: P1 });
    noteIdle(idleSince, t.state, [P1], at(7));
    expect(idleSince.size).toBe(0);
  });

  it('answers the first alerts with the total, writing only those', () => {
    const t = stocked();
    for (const id of ['O1', 'O2', 'O3']) t.ok({ type: 'createOrder', orderId: asOrderId(id), tenantId: T1, lines: [{ skuId: SKU_D, qty: 1 }], dueAt: at(Number(id.slice(1))) });
    const all = floorAlerts(t.state, { now: at(10) });
    expect(all.map((a) => a.id)).toEqual(['cutoff:O3', 'cutoff:O2', 'cutoff:O1', 'stockout:acme|D']);
    expect(topAlerts(t.state, 2, { now: at(10) })).toEqual({ total: 4, alerts: all.slice(0, 2) });
  });

  it('sorts most severe first, then newest', () => {
    const a = (id: string, severity: FloorAlert['severity'], when: number): FloorAlert => ({
      id, kind: 'idle', severity, message: id, x: 0, y: 0, ref: { kind: 'operative', id }, at: when,
    });
    const sorted = [a('i', 'info', 9), a('w-old', 'warning', 1), a('c', 'critical', 0), a('w-new', 'warning', 5)].sort(compareAlerts);
    expect(sorted.map((x) => x.id)).toEqual(['c', 'w-new', 'w-old', 'i']);
    expect([formatMinutes(30_000), formatMinutes(60 * 60_000), formatMinutes(61 * 60_000)]).toEqual(['<1 min', '1 h', '1 h 1 min']);
  });
});

