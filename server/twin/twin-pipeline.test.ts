import { describe, expect, it } from 'vitest';
import type { OrderLineInput } from './commands.ts';
import type { LocationId, OrderId } from './ids.ts';
import { asOperativeId, asOrderId, asTaskId, epochMs } from './ids.ts';
import { availableOf } from './availability.ts';
import { hasValidCheckDigit } from './barcodes/gs1.ts';
import { checkTwinInvariants, ledgerBalances } from './invariants.ts';
import { selectWaveOrders } from './order-lifecycle.ts';
import type { TestTwin } from './test-site.ts';
import { LOC, newTwin, SKU_A, SKU_B, SKU_D, T0, T1, TEST_SITE } from './test-site.ts';
import { fromSnapshotData, snapshotJson, toSnapshotData, type TwinSnapshotData } from './twin.ts';

const P1 = asOperativeId('P1');
const [L1, L2, L3] = LOC as [LocationId, LocationId, LocationId];
const GB = { name: 'Ada Lovelace', line1: '1 Analytical St', city: 'London', postcode: 'N1 1AA', country: 'GB' };

/** 50 A in L1, 50 D in L2, P1 signed on. */
function floor(): TestTwin {
  const t = newTwin();
  t.ok({ type: 'receiveStock', tenantId: T1, locationId: L1, skuId: SKU_A, qty: 50 });
  t.ok({ type: 'receiveStock', tenantId: T1, locationId: L2, skuId: SKU_D, qty: 50 });
  t.ok({ type: 'signOn', operativeId: P1, name: 'Pat' });
  return t;
}

function allocated(t: TestTwin, id: string, lines: OrderLineInput[], extra: { ttlMs?: number; dueAt?: number; priority?: number } = {}): OrderId {
  const orderId = asOrderId(id);
  t.ok({ type: 'createOrder', orderId, tenantId: T1, lines, shipTo: GB, ...(extra.dueAt ? { dueAt: epochMs(extra.dueAt) } : {}), priority: extra.priority ?? 0 });
  t.ok({ type: 'allocateOrder', orderId, policy: 'partial', ...(extra.ttlMs ? { ttlMs: extra.ttlMs } : {}) });
  return orderId;
}

const code = (t: TestTwin, command: Parameters<TestTwin['run']>[0]): string => {
  const d = t.run(command);
  return d.ok ? 'ok' : d.error.code;
};

/** Picks every task assigned to P1 with the right scans. */
function pickAll(t: TestTwin): void {
  t.ok({ type: 'requestWork', operativeId: P1, maxTasks: 50 });
  for (const taskId of [...(t.state.operatives.get(P1)?.taskIds ?? [])]) {
    const task = t.state.tasks.get(taskId);
    if (task === undefined) continue;
    const sku = TEST_SITE.skus.find((s) => s.id === task.skuId);
    t.ok({ type: 'confirmPick', taskId, operativeId: P1, scannedLocation: task.locationId, scannedItem: sku?.barcode ?? '', qty: task.qty });
  }
}

describe('channel orders', () => {
  it('[R7] one order per (tenant, channel, external id); another channel may reuse the id', () => {
    const t = floor();
    t.ok({ type: 'createOrder', orderId: asOrderId('S1'), tenantId: T1, channel: 'shopify-acme', externalRef: '1001', lines: [{ skuId: SKU_A, qty: 1 }] });
    const dup = t.run({ type: 'createOrder', orderId: asOrderId('S2'), tenantId: T1, channel: 'shopify-acme', externalRef: '1001', lines: [{ skuId: SKU_A, qty: 1 }] });
    expect(dup.ok ? null : dup.error).toMatchObject({ code: 'DUPLICATE_ORDER', details: { orderId: 'S1' } });
    expect(code(t, { type: 'createOrder', orderId: asOrderId('W1'), tenantId: T1, channel: 'woo-acme', externalRef: '1001', lines: [{ skuId: SKU_A, qty: 1 }] })).toBe('ok');
    // The index survives a snapshot.
    const restored = fromSnapshotData(TEST_SITE, JSON.parse(JSON.stringify(toSnapshotData(t.state))) as TwinSnapshotData);
    expect(restored.ordersByExternal.get('acme|shopify-acme|1001')).toBe('S1');
  });

  it('[R7] a ship-to address needs a recipient, street, town, postcode and ISO country', () => {
    const t = floor();
    const bad = t.run({ type: 'createOrder', orderId: asOrderId('X'), tenantId: T1, lines: [{ skuId: SKU_A, qty: 1 }], shipTo: { ...GB, country: 'United Kingdom' } });
    expect(bad.ok ? null : bad.error.code).toBe('INVALID_STATE');
    expect(t.state.orders.size).toBe(0);
  });
});

describe('cancel and expiry', () => {
  it('[R29] cancelling releases allocations and open tasks exactly once; a second cancel is a no-op', () => {
    const t = floor();
    const o = allocated(t, 'O1', [{ skuId: SKU_A, qty: 5 }, { skuId: SKU_D, qty: 2 }]);
    t.ok({ type: 'releaseOrder', orderId: o });
    t.ok({ type: 'requestWork', operativeId: P1, maxTasks: 1 });
    expect(availableOf(t.state, T1, SKU_A)).toBe(45);
    const d = t.ok({ type: 'cancelOrder', orderId: o, reason: 'customer changed mind' });
    expect(d.events.map((e) => e.type)).toEqual(['OrderCancelled']);
    expect(availableOf(t.state, T1, SKU_A)).toBe(50);
    expect(availableOf(t.state, T1, SKU_D)).toBe(50);
    expect(t.state.operatives.get(P1)?.taskIds).toEqual([]);
    expect(t.state.releaseQueue).toEqual([]);
    expect(t.state.orders.get(o)?.lines.map((l) => l.cancelled)).toEqual([5, 2]);
    expect(t.ok({ type: 'cancelOrder', orderId: o, reason: 'again' }).events).toEqual([]);
    expect(checkTwinInvariants(t.state)).toEqual([]);
  });

  it('[R29] an order with a unit picked cannot be cancelled', () => {
    const t = floor();
    const o = allocated(t, 'O1', [{ skuId: SKU_A, qty: 1 }, { skuId: SKU_D, qty: 1 }]);
    t.ok({ type: 'releaseOrder', orderId: o });
    t.ok({ type: 'requestWork', operativeId: P1, maxTasks: 5 });
    t.ok({ type: 'confirmPick', taskId: asTaskId('O1-T1'), operativeId: P1, scannedLocation: 'L1', scannedItem: 'BC-A', qty: 1 });
    expect(code(t, { type: 'cancelOrder', orderId: o, reason: 'late' })).toBe('ORDER_IN_PROGRESS');
  });

  it('[R30] an allocated order past its hold goes back to open and its stock to available; released orders never expire', () => {
    const t = floor();
    const held = allocated(t, 'H1', [{ skuId: SKU_A, qty: 10 }], { ttlMs: 60_000 });
    const kept = allocated(t, 'H2', [{ skuId: SKU_A, qty: 10 }], { ttlMs: 60_000 });
    t.ok({ type: 'releaseOrder', orderId: kept });
    expect(t.ok({ type: 'expireReservations' }).events).toEqual([]);
    t.now = epochMs(T0 + 120_000);
    const d = t.ok({ type: 'expireReservations' });
    expect(d.events.map((e) => e.type)).toEqual(['AllocationExpired']);
    expect(t.state.orders.get(held)?.status).toBe('open');
    expect(t.state.orders.get(kept)?.status).toBe('released');
    expect(availableOf(t.state, T1, SKU_A)).toBe(40);
    expect(t.ok({ type: 'expireReservations' }).events).toEqual([]);
    // It may be allocated again.
    expect(code(t, { type: 'allocateOrder', orderId: held })).toBe('ok');
    expect(checkTwinInvariants(t.state)).toEqual([]);
  });
});

describe('backorders and short picks', () => {
  it('[R12] a partial allocation backorders the rest; a refill after a receipt adds tasks to the released order', () => {
    const t = floor();
    const o = allocated(t, 'O1', [{ skuId: SKU_A, qty: 70 }]);
    expect(t.state.orders.get(o)?.lines[0]).toMatchObject({ allocated: 50, backordered: 20 });
    t.ok({ type: 'releaseOrder', orderId: o });
    expect(code(t, { type: 'allocateOrder', orderId: o })).toBe('OUT_OF_STOCK');
    t.ok({ type: 'receiveStock', tenantId: T1, locationId: L3, skuId: SKU_A, qty: 30 });
    const d = t.ok({ type: 'allocateOrder', orderId: o });
    expect(d.events.map((e) => e.type)).toEqual(['OrderAllocated', 'OrderReleased']);
    expect(t.state.orders.get(o)?.lines[0]).toMatchObject({ allocated: 70, backordered: 0 });
    expect(t.state.orders.get(o)?.taskIds).toEqual(['O1-T1', 'O1-T2']);
    expect(checkTwinInvariants(t.state)).toEqual([]);
  });

  it('[R19] a short pick re-allocates from another bin as a new task, and raises a count for the short bin', () => {
    const t = floor();
    t.ok({ type: 'receiveStock', tenantId: T1, locationId: L3, skuId: SKU_A, qty: 10 });
    const o = allocated(t, 'O1', [{ skuId: SKU_A, qty: 5 }]);
    t.ok({ type: 'releaseOrder', orderId: o });
    t.ok({ type: 'requestWork', operativeId: P1, maxTasks: 5 });
    const first = t.state.tasks.get(asTaskId('O1-T1'));
    const d = t.ok({ type: 'shortPick', taskId: asTaskId('O1-T1'), operativeId: P1, foundQty: 1, scanId: 'scan-1' });
    expect(d.events.map((e) => e.type)).toEqual(['PickShorted', 'OrderAllocated', 'OrderReleased', 'CountRequested']);
    const next = t.state.tasks.get(asTaskId('O1-T2'));
    expect(next).toMatchObject({ qty: 4, status: 'released' });
    expect(next?.locationId).not.toBe(first?.locationId);
    expect(t.state.countRequests.has(first?.locationId as LocationId)).toBe(true);
    expect(t.state.orders.get(o)?.status).toBe('released');
    // The resend of the short is acknowledged without effect.
    expect(t.ok({ type: 'shortPick', taskId: asTaskId('O1-T1'), operativeId: P1, foundQty: 1, scanId: 'scan-1' }).events).toEqual([]);
    pickAll(t);
    expect(t.state.orders.get(o)).toMatchObject({ status: 'picked' });
    expect(t.state.orders.get(o)?.lines[0]).toMatchObject({ picked: 5, shorted: 4, allocated: 5, backordered: 0 });
    expect(checkTwinInvariants(t.state)).toEqual([]);
  });
});

describe('GS1 item scans', () => {
  it('[R17] accepts a GS1 element string whose GTIN is the item barcode, checks the lot, refuses bad check digits', () => {
    const site = { ...TEST_SITE, skus: TEST_SITE.skus.map((s) => (s.id === SKU_B ? { ...s, barcode: '09521234543213' } : s)) };
    const t = newTwin(site);
    t.ok({ type: 'receiveStock', tenantId: T1, locationId: L1, skuId: SKU_B, qty: 10, lot: '123ABC', expiry: '2027-01-31' });
    t.ok({ type: 'signOn', operativeId: P1, name: 'Pat' });
    const o = asOrderId('G1');
    t.ok({ type: 'createOrder', orderId: o, tenantId: T1, lines: [{ skuId: SKU_B, qty: 2 }] });
    t.ok({ type: 'allocateOrder', orderId: o });
    t.ok({ type: 'releaseOrder', orderId: o });
    t.ok({ type: 'requestWork', operativeId: P1, maxTasks: 5 });
    const pick = (scannedItem: string) =>
      code(t, { type: 'confirmPick', taskId: asTaskId('G1-T1'), operativeId: P1, scannedLocation: 'L1', scannedItem, qty: 2 });
    expect(pick('(01)09521234543214(10)123ABC')).toBe('WRONG_ITEM_SCANNED');
    expect(pick('(01)09521234543213(10)OTHER')).toBe('WRONG_ITEM_SCANNED');
    expect(t.log.filter((e) => e.event.type === 'PickConfirmed')).toEqual([]);
    expect(pick(']C101095212345432131727013110123ABC')).toBe('ok');
  });
});

describe('waves and batches', () => {
  it('[R31] releases orders together, batches small ones, and hands a batch out whole', () => {
    const t = floor();
    const ids = ['W1', 'W2', 'W3', 'W4', 'W5'].map((id) => allocated(t, id, [{ skuId: SKU_A, qty: 1 }]));
    const d = t.ok({ type: 'releaseWave', waveId: 'WAVE-1', orderIds: ids, maxBatchOrders: 3 });
    expect(d.events[0]).toMatchObject({ type: 'WaveReleased', batches: [{ batchId: 'WAVE-1-B1', orderIds: ['W1', 'W2', 'W3'] }, { batchId: 'WAVE-1-B2', orderIds: ['W4', 'W5'] }] });
    expect(code(t, { type: 'releaseWave', waveId: 'WAVE-1', orderIds: ids })).toBe('INVALID_STATE');
    t.ok({ type: 'requestWork', operativeId: P1, maxTasks: 4 });
    // The first batch (3 tasks) fits; the second (2 more) would not, so it is not split.
    expect(t.state.operatives.get(P1)?.taskIds).toEqual(['W1-T1', 'W2-T1', 'W3-T1']);
    expect(checkTwinInvariants(t.state)).toEqual([]);
  });

  it('[R31] automatic selection takes the earliest carrier cut-off first, then priority', () => {
    const t = floor();
    allocated(t, 'late', [{ skuId: SKU_A, qty: 1 }], { dueAt: T0 + 9 * 3_600_000 });
    allocated(t, 'soon', [{ skuId: SKU_A, qty: 1 }], { dueAt: T0 + 3_600_000 });
    allocated(t, 'none-urgent', [{ skuId: SKU_A, qty: 1 }], { priority: 9 });
    allocated(t, 'none', [{ skuId: SKU_A, qty: 1 }]);
    expect(selectWaveOrders(t.state, { maxOrders: 3 })).toEqual(['soon', 'late', 'none-urgent']);
  });
});

describe('packing, labels and despatch', () => {
  it('[R20] packing checks the scans, issues consecutive valid SSCCs that survive a restart; despatch closes backorders', () => {
    const t = floor();
    const a = allocated(t, 'P1', [{ skuId: SKU_A, qty: 2 }, { skuId: SKU_D, qty: 80 }]);
    t.ok({ type: 'releaseOrder', orderId: a });
    pickAll(t);
    const mismatch = t.run({ type: 'packOrder', orderId: a, scannedItems: [{ code: 'BC-A', qty: 1 }, { code: 'BC-D', qty: 50 }, { code: 'BC-X', qty: 1 }] });
    expect(mismatch.ok ? null : mismatch.error).toMatchObject({ code: 'PACK_MISMATCH', details: { differences: [{ skuId: 'A', expected: 2, scanned: 1 }], unexpected: ['BC-X'] } });
    t.ok({ type: 'packOrder', orderId: a, cartonCode: 'M1', weightG: 900, scannedItems: [{ code: 'BC-A', qty: 2 }, { code: 'BC-D', qty: 50 }] });
    const sscc = t.state.orders.get(a)?.sscc ?? '';
    expect(sscc).toMatch(/^\d{18}$/);
    expect(hasValidCheckDigit(sscc)).toBe(true);
    expect(code(t, { type: 'despatchOrder', orderId: asOrderId('nope') })).toBe('UNKNOWN_ORDER');
    t.ok({ type: 'labelShipment', orderId: a, carrier: 'floortwin-post', service: 'standard', trackingNumber: 'AA000000019GB' });
    t.ok({ type: 'despatchOrder', orderId: a });
    expect(t.state.orders.get(a)).toMatchObject({ status: 'despatched', carrier: 'floortwin-post', trackingNumber: 'AA000000019GB' });
    expect(t.state.orders.get(a)?.lines[1]).toMatchObject({ picked: 50, backordered: 0, cancelled: 30 });

    const restored = fromSnapshotData(TEST_SITE, JSON.parse(JSON.stringify(toSnapshotData(t.state))) as TwinSnapshotData);
    const b = allocated(t, 'P2', [{ skuId: SKU_A, qty: 1 }]);
    t.ok({ type: 'releaseOrder', orderId: b });
    pickAll(t);
    t.ok({ type: 'packOrder', orderId: b });
    const next = t.state.orders.get(b)?.sscc ?? '';
    expect(BigInt(next.slice(0, 17)) - BigInt(sscc.slice(0, 17))).toBe(1n);
    expect(restored.lastSsccSerial).toBe(1);
    // [R24] the snapshot written straight from the live state is the same document as the deep copy.
    expect(JSON.parse(snapshotJson(t.state))).toEqual(JSON.parse(JSON.stringify(toSnapshotData(t.state))));
    expect(checkTwinInvariants(t.state)).toEqual([]);
    expect(ledgerBalances(t.log.map((e) => e.event)).problems).toEqual([]);
  });
});
