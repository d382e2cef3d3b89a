/**
 * Order lifecycle rules beyond allocation and picking: cancel (R29), reservation expiry (R30), waves and batches
 * (R31), shipment labels (R32), and the pure wave selection used by automatic release. Each `decide…` returns the
 * events or a domain error, like blocks.ts.
 */
import type { CancelOrder, LabelShipment, ReleaseWave } from './commands.ts';
import type { DomainError } from './errors.ts';
import { domainError } from './errors.ts';
import type { LineChange, PickTaskSpec, ReservationRelease, TwinEvent } from './events.ts';
import type { EpochMs, OrderId, TaskId } from './ids.ts';
import { SMALL_ORDER_TASKS } from './keys.ts';
import { tasksFor } from './allocation.ts';
import type { OrderState, TwinState } from './state.ts';

const isText = (v: unknown, max: number): v is string => typeof v === 'string' && v.trim().length > 0 && v.length <= max;

/** Reservations an order holds: its unreleased allocations and its open tasks. */
function heldBy(state: TwinState, order: OrderState): { releases: ReservationRelease[]; openTaskIds: TaskId[] } {
  const releases: ReservationRelease[] = order.allocations.map((a) => ({
    locationId: a.locationId,
    tenantId: order.tenantId,
    skuId: a.skuId,
    lot: a.lot,
    expiry: a.expiry,
    qty: a.qty,
  }));
  const openTaskIds: TaskId[] = [];
  for (const id of order.taskIds) {
    const t = state.tasks.get(id);
    if (t === undefined || (t.status !== 'released' && t.status !== 'assigned')) continue;
    openTaskIds.push(id);
    releases.push({ locationId: t.locationId, tenantId: t.tenantId, skuId: t.skuId, lot: t.lot, expiry: t.expiry, qty: t.qty });
  }
  return { releases, openTaskIds };
}

/**
 * [R29] Cancels an order while none of its units is picked: every reservation and open task is released and each
 * line closes with `cancelled = qty`. A cancelled order is acknowledged again with no events; once a unit is picked
 * (or the order is packed or despatched) it is ORDER_IN_PROGRESS — the units must come back as a return.
 */
export function decideCancel(state: TwinState, c: CancelOrder, at: EpochMs): TwinEvent[] | DomainError {
  const order = state.orders.get(c.orderId);
  if (order === undefined) return domainError('UNKNOWN_ORDER', `unknown order ${c.orderId}`, { orderId: c.orderId });
  if (!isText(c.reason, 200)) return domainError('INVALID_STATE', 'reason must be 1 to 200 characters', {});
  if (order.status === 'cancelled') return [];
  const pickedUnits = order.lines.reduce((n, l) => n + l.picked, 0);
  if (pickedUnits > 0 || order.status === 'packed' || order.status === 'despatched') {
    return domainError('ORDER_IN_PROGRESS', `order ${order.id} is ${order.status} with ${pickedUnits} units picked; it cannot be cancelled`, {
      orderId: order.id,
      status: order.status,
      pickedUnits,
    });
  }
  const { releases, openTaskIds } = heldBy(state, order);
  const lineChanges: LineChange[] = order.lines.map((l) => ({
    lineNo: l.lineNo,
    dAllocated: -l.allocated,
    dBackordered: -l.backordered,
    dCancelled: l.qty - l.cancelled,
  }));
  return [{ type: 'OrderCancelled', at, orderId: order.id, reason: c.reason, releases, cancelledTaskIds: openTaskIds, lineChanges }];
}

/** [R30] Every allocated order whose hold has passed goes back to open; its stock is available again. */
export function decideExpire(state: TwinState, at: EpochMs): TwinEvent[] {
  const events: TwinEvent[] = [];
  const due = [...state.heldOrders].filter(([, until]) => until <= at).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [orderId] of due) {
    const order = state.orders.get(orderId);
    if (order === undefined || order.status !== 'allocated') continue;
    const { releases } = heldBy(state, order);
    const lineChanges: LineChange[] = order.lines.map((l) => ({ lineNo: l.lineNo, dAllocated: -l.allocated, dBackordered: -l.backordered, dCancelled: 0 }));
    events.push({ type: 'AllocationExpired', at, orderId, releases, lineChanges });
  }
  return events;
}

/** Most orders one wave may release. */
export const MAX_WAVE_ORDERS = 1_000;

/** Commands come from outside, so shapes are checked; a plain boolean keeps the declared types (no narrowing to any[]). */
const isList = (v: unknown): boolean => Array.isArray(v);

/**
 * Explicit batches (R31): each batch's orders must be in the wave and in no other batch; a batch of one is dropped.
 * Returns the batches' order lists, or an error naming the first problem.
 */
function explicitBatches(given: readonly (readonly OrderId[])[], listed: ReadonlySet<OrderId>): OrderId[][] | DomainError {
  if (!isList(given) || given.length > MAX_WAVE_ORDERS) {
    return domainError('INVALID_STATE', `batches must be a list of at most ${MAX_WAVE_ORDERS} lists of order ids`, {});
  }
  const batched = new Set<OrderId>();
  const batches: OrderId[][] = [];
  for (const [n, batch] of given.entries()) {
    if (!isList(batch) || batch.length === 0) return domainError('INVALID_STATE', `batch ${n + 1} must list at least one order`, { batch: n + 1 });
    for (const id of batch) {
      if (!listed.has(id)) return domainError('INVALID_STATE', `batch ${n + 1} lists order ${id}, which is not in the wave`, { batch: n + 1, orderId: id });
      if (batched.has(id)) return domainError('INVALID_STATE', `order ${id} is in more than one batch (again in batch ${n + 1})`, { batch: n + 1, orderId: id });
      batched.add(id);
    }
    batches.push([...batch]);
  }
  return batches;
}

/**
 * [R31] Releases the listed allocated orders together. Orders with at most SMALL_ORDER_TASKS tasks are grouped, in
 * the order listed, into batches of up to `maxBatchOrders` (`${waveId}-B${n}`), which requestWork hands out whole —
 * unless the caller gives the batches itself (`batches`, e.g. from the batching solver).
 */
export function decideReleaseWave(state: TwinState, c: ReleaseWave, at: EpochMs): TwinEvent[] | DomainError {
  if (!isText(c.waveId, 64)) return domainError('INVALID_STATE', 'waveId must be 1 to 64 characters', {});
  if (state.waves.has(c.waveId)) return domainError('INVALID_STATE', `wave ${c.waveId} was already released`, { waveId: c.waveId });
  const maxBatch = c.maxBatchOrders ?? 4;
  if (!Number.isSafeInteger(maxBatch) || maxBatch < 1 || maxBatch > 50) {
    return domainError('INVALID_QUANTITY', 'maxBatchOrders must be a whole number from 1 to 50', { maxBatchOrders: maxBatch });
  }
  if (!Array.isArray(c.orderIds) || c.orderIds.length === 0 || c.orderIds.length > MAX_WAVE_ORDERS) {
    return domainError('INVALID_QUANTITY', `a wave releases 1 to ${MAX_WAVE_ORDERS} orders`, {});
  }
  const orders: OrderState[] = [];
  const seen = new Set<OrderId>();
  for (const id of c.orderIds as readonly OrderId[]) {
    const order = state.orders.get(id);
    if (order === undefined) return domainError('UNKNOWN_ORDER', `unknown order ${id}`, { orderId: id });
    if (seen.has(id)) return domainError('INVALID_STATE', `order ${id} is listed twice`, { orderId: id });
    seen.add(id);
    if (order.status !== 'allocated' || order.allocations.length === 0) {
      return domainError('INVALID_STATE', `order ${id} is ${order.status}, not allocated`, { orderId: id, status: order.status });
    }
    orders.push(order);
  }
  const batches: { batchId: string; orderIds: OrderId[] }[] = [];
  const batchOf = new Map<OrderId, string>();
  if (c.batches !== undefined) {
    const given = explicitBatches(c.batches, seen);
    if (!Array.isArray(given)) return given;
    for (const [n, orderIds] of given.entries()) {
      const batchId = `${c.waveId}-B${n + 1}`;
      batches.push({ batchId, orderIds });
      for (const id of orderIds) batchOf.set(id, batchId);
    }
  } else {
    let open: { batchId: string; orderIds: OrderId[] } | null = null;
    for (const order of orders) {
      if (maxBatch === 1 || order.allocations.length > SMALL_ORDER_TASKS) continue;
      if (open === null || open.orderIds.length >= maxBatch) {
        open = { batchId: `${c.waveId}-B${batches.length + 1}`, orderIds: [] };
        batches.push(open);
      }
      open.orderIds.push(order.id);
      batchOf.set(order.id, open.batchId);
    }
  }
  // A batch of one is just an order.
  for (const b of batches) if (b.orderIds.length === 1) batchOf.delete(b.orderIds[0] as OrderId);
  const events: TwinEvent[] = [
    { type: 'WaveReleased', at, waveId: c.waveId, orderIds: orders.map((o) => o.id), batches: batches.filter((b) => b.orderIds.length > 1) },
  ];
  for (const order of orders) {
    const tasks: PickTaskSpec[] = tasksFor(order, order.allocations, { waveId: c.waveId, batchId: batchOf.get(order.id) ?? null });
    events.push({ type: 'OrderReleased', at, orderId: order.id, tasks });
  }
  return events;
}

/** [R32] Records the carrier's label of a packed order (again to replace it, e.g. after a reprint with a new number). */
export function decideLabel(state: TwinState, c: LabelShipment, at: EpochMs): TwinEvent[] | DomainError {
  const order = state.orders.get(c.orderId);
  if (order === undefined) return domainError('UNKNOWN_ORDER', `unknown order ${c.orderId}`, { orderId: c.orderId });
  if (order.status !== 'packed') return domainError('INVALID_STATE', `order ${order.id} is ${order.status}, not packed`, { status: order.status });
  for (const field of ['carrier', 'service', 'trackingNumber'] as const) {
    if (!isText(c[field], 64)) return domainError('INVALID_STATE', `${field} must be 1 to 64 characters`, { field });
  }
  return [{ type: 'ShipmentLabelled', at, orderId: order.id, carrier: c.carrier, service: c.service, trackingNumber: c.trackingNumber }];
}

/** Options of automatic wave selection. */
export interface WaveSelection {
  /** Most orders to release. */
  readonly maxOrders: number;
}

/**
 * Which allocated orders an automatic release takes next: earliest carrier cut-off (`dueAt`; none last), then highest
 * priority, then oldest, then id — so orders about to miss their cut-off go first. Pure; the adapter decides when.
 */
export function selectWaveOrders(state: TwinState, selection: WaveSelection): OrderId[] {
  const candidates: OrderState[] = [];
  for (const order of state.orders.values()) if (order.status === 'allocated' && order.allocations.length > 0) candidates.push(order);
  candidates.sort((a, b) => {
    const da = a.dueAt ?? Number.POSITIVE_INFINITY;
    const db = b.dueAt ?? Number.POSITIVE_INFINITY;
    if (da !== db) return da - db;
    if (a.priority !== b.priority) return b.priority - a.priority;
    if (a.createdAt !== b.createdAt) return a.createdAt - b.createdAt;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
  return candidates.slice(0, Math.max(0, selection.maxOrders)).map((o) => o.id);
}
