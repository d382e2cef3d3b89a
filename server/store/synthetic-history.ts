/**
 * A deterministic, valid event history (receive, create, allocate, release, assign, pick or short, pack, despatch) for
 * the store's tests and benchmark. It is not the twin: it only produces events a correct twin could have decided.
 */
import type { DurableEvent, PickTaskSpec } from '../twin/events.ts';
import {
  asLocationId,
  asOperativeId,
  asOrderId,
  asSkuId,
  asTaskId,
  asTenantId,
  epochMs,
  type LocationId,
  type SkuId,
} from '../twin/ids.ts';

/** Options of `syntheticHistory`. */
export interface SyntheticHistoryOptions {
  readonly orders: number;
  readonly skus?: number;
  /** Ids are prefixed with it, so two histories can share a site without clashing. */
  readonly prefix?: string;
  /** Time of the first event, epoch ms. */
  readonly startMs?: number;
}

/** The events of `orders` orders flowing through the whole pipeline, with restocking and some short picks. */
export function syntheticHistory(options: SyntheticHistoryOptions): DurableEvent[] {
  const skuCount = options.skus ?? 20;
  const prefix = options.prefix ?? '';
  let now = options.startMs ?? Date.UTC(2026, 0, 5, 8, 0, 0);
  const at = () => epochMs((now += 250));
  const tenantId = asTenantId(`${prefix}T1`);
  const operativeId = asOperativeId(`${prefix}OP1`);
  const skuId = (i: number): SkuId => asSkuId(`${prefix}SKU-${String(i).padStart(3, '0')}`);
  const locationId = (i: number): LocationId => asLocationId(`${prefix}A-${String(i).padStart(3, '0')}-1`);
  // Odd SKUs are lot-tracked with an expiry, to exercise lots in keys.
  const lotOf = (i: number) => (i % 2 === 1 ? { lot: `LOT-${i}`, expiry: '2027-06-30' } : { lot: '', expiry: null });
  const available = new Array<number>(skuCount).fill(0);
  const events: DurableEvent[] = [{ type: 'OperativeSignedOn', at: at(), operativeId, name: 'Ada' }];

  for (let n = 0; n < options.orders; n++) {
    const orderId = asOrderId(`${prefix}O-${n}`);
    const lineCount = 1 + (n % 3);
    const lines = Array.from({ length: lineCount }, (_, l) => ({
      lineNo: l + 1,
      sku: (n * 7 + l * 3) % skuCount,
      qty: 1 + ((n + l) % 3),
    }));
    for (const l of lines) {
      if (available[l.sku]! < l.qty) {
        events.push({ type: 'StockReceived', at: at(), tenantId, skuId: skuId(l.sku), ...lotOf(l.sku), locationId: locationId(l.sku), qty: 50 });
        available[l.sku]! += 50;
      }
    }
    events.push({
      type: 'OrderCreated',
      at: at(),
      orderId,
      tenantId,
      externalRef: `#${prefix}${1000 + n}`,
      priority: n % 5 === 0 ? 1 : 0,
      lines: lines.map((l) => ({ lineNo: l.lineNo, skuId: skuId(l.sku), qty: l.qty })),
    });
    // Lines of the same SKU in one order still get one allocation each.
    events.push({
      type: 'OrderAllocated',
      at: at(),
      orderId,
      allocations: lines.map((l) => ({ lineNo: l.lineNo, tenantId, skuId: skuId(l.sku), ...lotOf(l.sku), locationId: locationId(l.sku), qty: l.qty })),
      backordered: [],
    });
    for (const l of lines) available[l.sku]! -= l.qty;
    const tasks: PickTaskSpec[] = lines.map((l) => ({
      taskId: asTaskId(`${orderId}-T${l.lineNo}`),
      orderId,
      lineNo: l.lineNo,
      tenantId,
      skuId: skuId(l.sku),
      ...lotOf(l.sku),
      locationId: locationId(l.sku),
      qty: l.qty,
    }));
    events.push({ type: 'OrderReleased', at: at(), orderId, tasks });
    events.push({ type: 'TasksAssigned', at: at(), operativeId, taskIds: tasks.map((t) => t.taskId) });
    const closedBackorders: { lineNo: number; qty: number }[] = [];
    tasks.forEach(({ lineNo, qty, ...t }, i) => {
      if (n % 7 === 3 && i === 0) {
        // As the twin decides a short with no other bin to take from: backordered, the bin to be counted (R19), and
        // the backorder closed at despatch.
        const shortQty = 1;
        events.push({ type: 'PickShorted', at: at(), ...t, operativeId, pickedQty: qty - shortQty, shortQty });
        events.push({ type: 'OrderAllocated', at: at(), orderId, allocations: [], backordered: [{ lineNo, qty: shortQty }], holdUntil: null });
        events.push({ type: 'CountRequested', at: at(), locationId: t.locationId, reason: 'short pick', taskId: t.taskId });
        closedBackorders.push({ lineNo, qty: shortQty });
      } else {
        events.push({ type: 'PickConfirmed', at: at(), ...t, operativeId, qty });
      }
    });
    events.push({ type: 'OrderPicked', at: at(), orderId });
    events.push({ type: 'OrderPacked', at: at(), orderId });
    events.push({ type: 'OrderDespatched', at: at(), orderId, carrier: 'DPD', trackingNumber: `TRK${prefix}${n}`, closedBackorders });
  }
  return events;
}
