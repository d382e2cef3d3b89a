/** The portal's views on the test twin: one tenant's data only, stock groupings, the floor's bins and the SLA per day. */
import { describe, expect, it } from 'vitest';
import { layoutView } from '../twin/floor-view.ts';
import { asOperativeId, asOrderId, epochMs, type LocationId, type OrderId, type SkuId, type TenantId } from '../twin/ids.ts';
import { LOC, newTwin, SKU_A, SKU_B, SKU_C, SKU_D, T0, T1, T2, TEST_SITE, type TestTwin } from '../twin/test-site.ts';
import { ownOrder, portalFloor, portalOrders, portalSla, portalStock, portalSummary } from './portal-views.ts';

const [L1, L2, L3, L4] = LOC as [LocationId, LocationId, LocationId, LocationId];
const PICKER = asOperativeId('P1');
const HOUR = 3_600_000;
const skuIds = (rows: readonly object[]): (string | undefined)[] => rows.map((r) => (r as { skuId?: string }).skuId);

function despatch(t: TestTwin, id: string, tenantId: TenantId, skuId: SkuId, qty: number, dueAt?: number): OrderId {
  const orderId = asOrderId(id);
  t.ok({ type: 'createOrder', orderId, tenantId, lines: [{ skuId, qty }], ...(dueAt === undefined ? {} : { dueAt: epochMs(dueAt) }) });
  t.ok({ type: 'allocateOrder', orderId });
  t.ok({ type: 'releaseOrder', orderId });
  if (!t.state.operatives.has(PICKER)) t.ok({ type: 'signOn', operativeId: PICKER, name: 'Pat' });
  t.ok({ type: 'requestWork', operativeId: PICKER, maxTasks: 50 });
  for (const taskId of t.state.orders.get(orderId)?.taskIds ?? []) {
    const task = t.state.tasks.get(taskId);
    if (task === undefined || task.status !== 'assigned') continue;
    const barcode = TEST_SITE.skus.find((s) => s.id === task.skuId)?.barcode ?? '';
    t.ok({ type: 'confirmPick', taskId, operativeId: PICKER, scannedLocation: task.locationId, scannedItem: barcode, qty: task.qty });
  }
  t.ok({ type: 'packOrder', orderId });
  t.ok({ type: 'despatchOrder', orderId });
  return orderId;
}

/** acme (T1): A at L1 (a pick face), B lot X1 at L2, D at L4; globex (T2): C at L3. */
function stocked(): TestTwin {
  const t = newTwin();
  t.ok({ type: 'receiveStock', tenantId: T1, locationId: L1, skuId: SKU_A, qty: 20 });
  t.ok({ type: 'receiveStock', tenantId: T1, locationId: L2, skuId: SKU_B, qty: 12, lot: 'X1', expiry: '2027-06-30' });
  t.ok({ type: 'receiveStock', tenantId: T2, locationId: L3, skuId: SKU_C, qty: 30 });
  t.ok({ type: 'receiveStock', tenantId: T1, locationId: L4, skuId: SKU_D, qty: 7 });
  t.ok({ type: 'setPickFace', locationId: L1, tenantId: T1, skuId: SKU_A, min: 5, max: 20 });
  return t;
}

describe('portal views', () => {
  it('stock by SKU, lot and location class holds only the tenant\'s quants', () => {
    const t = stocked();
    const bySku = portalStock(t.state, T1, 'sku');
    expect(skuIds(bySku.rows)).toEqual([SKU_A, SKU_B, SKU_D]);
    expect(bySku.totals).toMatchObject({ onHand: 39, available: 39, skus: 3, bins: 3 });
    expect(skuIds(portalStock(t.state, T2, 'sku').rows)).toEqual([SKU_C]);
    const byLot = portalStock(t.state, T1, 'lot');
    expect(byLot.rows.find((r) => (r as { skuId?: string }).skuId === SKU_B)).toMatchObject({ lot: 'X1', expiry: '2027-06-30', onHand: 12, bins: 1 });
    const byClass = portalStock(t.state, T1, 'class');
    expect(byClass.rows).toEqual([
      expect.objectContaining({ locationClass: 'pick-face', onHand: 20, bins: 1, skus: 1 }),
      expect.objectContaining({ locationClass: 'reserve', onHand: 19, bins: 2, skus: 2 }),
    ]);
    // Reserved units show as reserved, not available.
    t.ok({ type: 'createOrder', orderId: asOrderId('O-R'), tenantId: T1, lines: [{ skuId: SKU_A, qty: 4 }] });
    t.ok({ type: 'allocateOrder', orderId: asOrderId('O-R') });
    expect(portalStock(t.state, T1, 'sku', SKU_A).rows).toEqual([expect.objectContaining({ onHand: 20, reserved: 4, available: 16 })]);
  });

  it('the floor lists exactly the layout bins holding the tenant\'s stock, with their layout index', () => {
    const t = stocked();
    const layout = layoutView(TEST_SITE);
    const floor = portalFloor(t.state, layout, T1);
    expect(floor.bins.map((b) => b.locationId)).toEqual([L1, L2, L4]);
    expect(floor.count).toBe(3);
    expect(floor.units).toBe(39);
    for (const bin of floor.bins) expect(layout.ids[bin.index]).toBe(bin.locationId);
    expect(portalFloor(t.state, layout, T2).bins.map((b) => b.locationId)).toEqual([L3]);
  });

  it('orders and lookups never cross tenants', () => {
    const t = stocked();
    const mine = despatch(t, 'O-1', T1, SKU_A, 2);
    const theirs = despatch(t, 'O-2', T2, SKU_C, 3);
    expect(portalOrders(t.state, T1, { limit: 10, offset: 0 }).orders.map((o) => o.id)).toEqual([mine]);
    expect(ownOrder(t.state, T1, theirs)).toBeUndefined();
    expect(ownOrder(t.state, T1, mine)?.id).toBe(mine);
    expect(portalSummary(t.state, T2).orders).toEqual({ despatched: 1 });
  });

  it('SLA: orders despatched at or before their cut-off are on time, per UTC day of the cut-off', () => {
    const t = stocked();
    despatch(t, 'O-ON', T1, SKU_A, 1, T0 + HOUR); // despatched within a minute: on time
    despatch(t, 'O-LATE', T1, SKU_A, 1, T0 - HOUR); // cut-off already passed: late
    t.ok({ type: 'createOrder', orderId: asOrderId('O-PEND'), tenantId: T1, lines: [{ skuId: SKU_D, qty: 1 }], dueAt: epochMs(T0 + 2 * HOUR) });
    t.ok({ type: 'createOrder', orderId: asOrderId('O-MISSED'), tenantId: T1, lines: [{ skuId: SKU_D, qty: 1 }], dueAt: epochMs(T0 - 2 * HOUR) });
    despatch(t, 'O-OTHER', T2, SKU_C, 1, T0 - HOUR); // another tenant's late order never counts
    const day = Date.UTC(2026, 10, 27);
    const sla = portalSla(t.state, T1, day - 86_400_000, day + 86_400_000, t.now);
    expect(sla.days.map((d) => d.day)).toEqual(['2026-11-26', '2026-11-27']);
    expect(sla.days[1]).toEqual({ day: '2026-11-27', due: 4, onTime: 1, late: 2, pending: 1, rate: 1 / 3 });
    expect(sla.totals).toEqual({ onTime: 1, late: 2, pending: 1, rate: 1 / 3 });
    expect(sla.days[0]?.rate).toBeNull();
  });
});
