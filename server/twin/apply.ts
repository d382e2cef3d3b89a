/** `apply`: advances the state by one event. Mutates in place for speed; never validates (decide already did). */
import type { EpochMs, LocationId, OrderId, SkuId, TenantId } from './ids.ts';
import type { DurableEvent, LineChange, ReservationRelease, SequencedEvent, TwinEvent } from './events.ts';
import { isDurable } from './events.ts';
import { segmentKey } from './blocks.ts';
import { PICK_WINDOW_MS, externalKey, quantKey, skuKey } from './keys.ts';
import type { OrderState, PickTask, Quant, TwinState } from './state.ts';
import { closeCount, noteCountMove } from './counting.ts';
import { noteReceipt, qcRuleKey } from './goods-in.ts';
import { noteHeld } from './stock-status.ts';
import { noteRma } from './returns.ts';
import { noteMoveTask, releaseMoveTasksOf } from './move-tasks.ts';
import { noteTransfer } from './transfers.ts';
import { noteSerials } from './serials.ts';

/** Orders waiting for a picker are served highest priority first, then oldest, then by id (deterministic). */
export function compareQueued(a: OrderState, b: OrderState): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  if (a.createdAt !== b.createdAt) return a.createdAt - b.createdAt;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** First index in the sorted release queue whose order does not sort before `order` (binary search, O(log n)). */
function queuePosition(state: TwinState, order: OrderState): number {
  const q = state.releaseQueue;
  let lo = 0;
  let hi = q.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const other = state.orders.get(q[mid] as OrderId);
    if (other !== undefined && compareQueued(other, order) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Inserts an order into the sorted release queue unless it is already there. */
export function enqueueOrder(state: TwinState, orderId: OrderId): void {
  const order = state.orders.get(orderId);
  if (order === undefined) return;
  const i = queuePosition(state, order);
  // The order is a total order over distinct orders, so a queued order sits exactly at its position.
  if (state.releaseQueue[i] !== orderId) state.releaseQueue.splice(i, 0, orderId);
}

function dequeueOrder(state: TwinState, orderId: OrderId): void {
  const order = state.orders.get(orderId);
  if (order === undefined) return;
  const i = queuePosition(state, order);
  if (state.releaseQueue[i] === orderId) state.releaseQueue.splice(i, 1);
}

/** True when the order still has a released (unassigned) task. */
export function hasReleasedTask(state: TwinState, order: OrderState): boolean {
  for (const id of order.taskIds) if (state.tasks.get(id)?.status === 'released') return true;
  return false;
}

function addToIndex<K>(index: Map<K, Set<string>>, k: K, key: string): void {
  let set = index.get(k);
  if (set === undefined) {
    set = new Set();
    index.set(k, set);
  }
  set.add(key);
}

function removeFromIndex<K>(index: Map<K, Set<string>>, k: K, key: string): void {
  const set = index.get(k);
  if (set === undefined) return;
  set.delete(key);
  if (set.size === 0) index.delete(k);
}

/** Adds a quant to the state and both indexes. */
export function insertQuant(state: TwinState, quant: Quant): void {
  state.quants.set(quant.key, quant);
  addToIndex(state.quantsByLocation, quant.locationId, quant.key);
  addToIndex(state.quantsBySku, skuKey(quant.tenantId, quant.skuId), quant.key);
}

function getOrCreateQuant(
  state: TwinState,
  locationId: LocationId,
  tenantId: TenantId,
  skuId: SkuId,
  lot: string,
  expiry: string | null,
): Quant {
  const key = quantKey(locationId, tenantId, skuId, lot);
  const existing = state.quants.get(key);
  if (existing !== undefined) return existing;
  const quant: Quant = { key, locationId, tenantId, skuId, lot, expiry, onHand: 0, reserved: 0 };
  insertQuant(state, quant);
  return quant;
}

/** Empty quants are dropped so a bin's quant set only lists stock that is there (keeps scans short). */
function dropIfEmpty(state: TwinState, quant: Quant): void {
  if (quant.onHand !== 0 || quant.reserved !== 0) return;
  state.quants.delete(quant.key);
  removeFromIndex(state.quantsByLocation, quant.locationId, quant.key);
  removeFromIndex(state.quantsBySku, skuKey(quant.tenantId, quant.skuId), quant.key);
}

function changeQuant(
  state: TwinState,
  locationId: LocationId,
  tenantId: TenantId,
  skuId: SkuId,
  lot: string,
  expiry: string | null,
  onHandDelta: number,
  reservedDelta: number,
): void {
  const quant = getOrCreateQuant(state, locationId, tenantId, skuId, lot, expiry);
  quant.onHand += onHandDelta;
  quant.reserved += reservedDelta;
  dropIfEmpty(state, quant);
  // A count in progress at the bin reconciles against every move made while counting (R35).
  if (onHandDelta !== 0) noteCountMove(state, locationId, { tenantId, skuId, lot, expiry: quant.expiry }, onHandDelta);
}

function recordPick(state: TwinState, at: EpochMs): void {
  const times = state.recentPickTimes;
  times.push(at);
  const cutoff = at - PICK_WINDOW_MS;
  let drop = 0;
  while (drop < times.length && (times[drop] as number) <= cutoff) drop++;
  if (drop > 0) times.splice(0, drop);
}

/** The order fields that start empty (and that snapshots written before they existed lack). */
export const ORDER_DEFAULTS = {
  channel: 'api',
  shipTo: null,
  service: null,
  dueAt: null,
  holdUntil: null,
  sscc: null,
  packedAt: null,
  cartonCode: null,
  weightG: null,
  carrier: null,
  trackingNumber: null,
  cancelReason: null,
} as const;

function releaseReservations(state: TwinState, releases: readonly ReservationRelease[]): void {
  for (const r of releases) changeQuant(state, r.locationId, r.tenantId, r.skuId, r.lot, r.expiry, 0, -r.qty);
}

function changeLines(order: OrderState, changes: readonly LineChange[]): void {
  for (const c of changes) {
    const line = order.lines[c.lineNo - 1];
    if (line === undefined) continue;
    line.allocated += c.dAllocated;
    line.backordered += c.dBackordered;
    line.cancelled += c.dCancelled;
  }
}

/** Takes a task off its operative's list (it was cancelled or done). */
function unassign(state: TwinState, taskId: PickTask['id'], operativeId: PickTask['operativeId']): void {
  const op = operativeId === null ? undefined : state.operatives.get(operativeId);
  if (op === undefined) return;
  const i = op.taskIds.indexOf(taskId);
  if (i >= 0) op.taskIds.splice(i, 1);
}

/**
 * Applies one event to the state in place and returns the same object. Durable events must have been produced by
 * `decide` against this state (or read back from the log); `apply` keeps every index consistent but checks nothing.
 * Does not touch `seq`: use `applySequenced` for events read from the log.
 */
export function apply(state: TwinState, event: TwinEvent): TwinState {
  state.now = event.at;
  switch (event.type) {
    case 'StockReceived':
      changeQuant(state, event.locationId, event.tenantId, event.skuId, event.lot, event.expiry, event.qty, 0);
      break;
    case 'StockMoved': {
      changeQuant(state, event.fromLocationId, event.tenantId, event.skuId, event.lot, event.expiry, -event.qty, 0);
      changeQuant(state, event.toLocationId, event.tenantId, event.skuId, event.lot, event.expiry, event.qty, 0);
      break;
    }
    case 'OrderCreated': {
      const order: OrderState = {
        id: event.orderId,
        tenantId: event.tenantId,
        externalRef: event.externalRef,
        priority: event.priority,
        createdAt: event.at,
        status: 'open',
        lines: event.lines.map((l) => ({
          lineNo: l.lineNo,
          skuId: l.skuId,
          qty: l.qty,
          allocated: 0,
          backordered: 0,
          picked: 0,
          shorted: 0,
          cancelled: 0,
        })),
        allocations: [],
        taskIds: [],
        despatchedAt: null,
        ...ORDER_DEFAULTS,
        channel: event.channel ?? 'api',
        shipTo: event.shipTo ?? null,
        service: event.service ?? null,
        dueAt: event.dueAt ?? null,
      };
      state.orders.set(order.id, order);
      if (order.externalRef !== null) state.ordersByExternal.set(externalKey(order.tenantId, order.channel, order.externalRef), order.id);
      state.counters.ordersReceived++;
      break;
    }
    case 'OrderAllocated': {
      const order = state.orders.get(event.orderId);
      if (order === undefined) break;
      for (const a of event.allocations) {
        changeQuant(state, a.locationId, a.tenantId, a.skuId, a.lot, a.expiry, 0, a.qty);
        const line = order.lines[a.lineNo - 1];
        if (line !== undefined) line.allocated += a.qty;
        order.allocations.push({
          lineNo: a.lineNo,
          locationId: a.locationId,
          skuId: a.skuId,
          lot: a.lot,
          expiry: a.expiry,
          qty: a.qty,
        });
      }
      for (const b of event.backordered) {
        const line = order.lines[b.lineNo - 1];
        if (line !== undefined) line.backordered += b.qty;
      }
      // A refill of a released order's backorders keeps it released (its OrderReleased follows in the same decision).
      if (order.status === 'open') {
        order.status = 'allocated';
        const hold = event.holdUntil ?? null;
        order.holdUntil = hold;
        if (hold !== null) state.heldOrders.set(order.id, hold);
      }
      break;
    }
    case 'OrderReleased': {
      const order = state.orders.get(event.orderId);
      if (order === undefined) break;
      for (const t of event.tasks) {
        state.tasks.set(t.taskId, {
          id: t.taskId,
          orderId: t.orderId,
          tenantId: t.tenantId,
          lineNo: t.lineNo,
          locationId: t.locationId,
          skuId: t.skuId,
          lot: t.lot,
          expiry: t.expiry,
          qty: t.qty,
          status: 'released',
          operativeId: null,
          pickedQty: 0,
          waveId: t.waveId ?? null,
          batchId: t.batchId ?? null,
          scanId: null,
          pushed: false,
        });
        order.taskIds.push(t.taskId);
      }
      // The reservations now belong to the tasks.
      order.allocations = [];
      order.status = 'released';
      order.holdUntil = null;
      state.heldOrders.delete(order.id);
      if (event.tasks.length > 0) enqueueOrder(state, order.id);
      break;
    }
    case 'OperativeSignedOn':
      state.operatives.set(event.operativeId, {
        id: event.operativeId,
        name: event.name,
        position: { x: state.site.layout.depot.x, y: state.site.layout.depot.y },
        activity: 'idle',
        taskIds: [],
        route: null,
        zones: [...(event.zones ?? [])],
        skills: [...(event.skills ?? [])],
        lastProgressAt: event.at,
      });
      break;
    case 'OperativeSignedOff': {
      for (const taskId of event.unassignedTaskIds) {
        const task = state.tasks.get(taskId);
        if (task === undefined) continue;
        task.status = 'released';
        task.operativeId = null;
        task.pushed = false;
        enqueueOrder(state, task.orderId);
      }
      // R61: their move tasks go back to open too.
      releaseMoveTasksOf(state, event.operativeId);
      state.operatives.delete(event.operativeId);
      break;
    }
    case 'TasksAssigned': {
      const op = state.operatives.get(event.operativeId);
      // [R70] Work given to someone holding none starts their clock afresh.
      if (op !== undefined && op.taskIds.length === 0) op.lastProgressAt = event.at;
      const touched = new Set<OrderId>();
      for (const taskId of event.taskIds) {
        const task = state.tasks.get(taskId);
        if (task === undefined) continue;
        task.status = 'assigned';
        task.operativeId = event.operativeId;
        task.pushed = event.pushed === true;
        op?.taskIds.push(taskId);
        touched.add(task.orderId);
      }
      for (const orderId of touched) {
        const order = state.orders.get(orderId);
        if (order !== undefined && !hasReleasedTask(state, order)) dequeueOrder(state, orderId);
      }
      break;
    }
    case 'TasksUnassigned': {
      // [R69] Released again; the queue is sorted, so each order goes back to its own place.
      for (const taskId of event.taskIds) {
        const task = state.tasks.get(taskId);
        if (task === undefined) continue;
        unassign(state, task.id, task.operativeId);
        task.status = 'released';
        task.operativeId = null;
        task.pushed = false;
        enqueueOrder(state, task.orderId);
      }
      break;
    }
    case 'PickConfirmed':
    case 'PickShorted': {
      const picked = event.type === 'PickConfirmed' ? event.qty : event.pickedQty;
      const short = event.type === 'PickConfirmed' ? 0 : event.shortQty;
      const total = picked + short;
      // Picked units leave for PACKING and short units for ADJUSTMENT: both leave the bin and its reservation.
      changeQuant(state, event.locationId, event.tenantId, event.skuId, event.lot, event.expiry, -total, -total);
      const task = state.tasks.get(event.taskId);
      if (task !== undefined) {
        task.status = event.type === 'PickConfirmed' ? 'picked' : 'shorted';
        task.pickedQty = picked;
        task.scanId = event.scanId ?? null;
        unassign(state, task.id, task.operativeId);
        const picker = state.operatives.get(event.operativeId);
        if (picker !== undefined) picker.lastProgressAt = event.at;
        const line = state.orders.get(task.orderId)?.lines[task.lineNo - 1];
        if (line !== undefined) {
          line.picked += picked;
          line.shorted += short;
          // Short units are no longer allocated: the same decision re-allocates or backorders them (R19).
          line.allocated -= short;
        }
      }
      if (picked > 0) {
        state.counters.linesPicked++;
        state.counters.unitsPicked += picked;
        recordPick(state, event.at);
      }
      break;
    }
    case 'RoutePlanned': {
      const op = state.operatives.get(event.operativeId);
      // Durable events are numbered state.seq + 1 by applySequenced, which applies them first and then sets seq.
      if (op !== undefined) {
        op.route = { taskIds: [...event.taskIds], distanceM: event.distanceM, method: event.method, seq: state.seq + 1, at: event.at };
      }
      break;
    }
    case 'OrderPicked': {
      const order = state.orders.get(event.orderId);
      if (order === undefined) break;
      order.status = 'picked';
      dequeueOrder(state, order.id);
      state.counters.ordersPicked++;
      break;
    }
    case 'OrderPacked': {
      const order = state.orders.get(event.orderId);
      if (order === undefined) break;
      order.status = 'packed';
      order.sscc = event.sscc ?? null;
      order.packedAt = event.at;
      order.cartonCode = event.cartonCode ?? null;
      order.weightG = event.weightG ?? null;
      if (event.ssccSerial != null && event.ssccSerial > state.lastSsccSerial) state.lastSsccSerial = event.ssccSerial;
      break;
    }
    case 'ShipmentLabelled': {
      const order = state.orders.get(event.orderId);
      if (order === undefined) break;
      order.carrier = event.carrier;
      order.service = event.service;
      order.trackingNumber = event.trackingNumber;
      break;
    }
    case 'OrderDespatched': {
      const order = state.orders.get(event.orderId);
      if (order === undefined) break;
      order.status = 'despatched';
      order.despatchedAt = event.at;
      if (event.carrier !== null) order.carrier = event.carrier;
      if (event.trackingNumber !== null) order.trackingNumber = event.trackingNumber;
      for (const b of event.closedBackorders ?? []) {
        const line = order.lines[b.lineNo - 1];
        if (line === undefined) continue;
        line.backordered -= b.qty;
        line.cancelled += b.qty;
      }
      state.counters.ordersDespatched++;
      break;
    }
    case 'OrderCancelled': {
      const order = state.orders.get(event.orderId);
      if (order === undefined) break;
      releaseReservations(state, event.releases);
      for (const taskId of event.cancelledTaskIds) {
        const task = state.tasks.get(taskId);
        if (task === undefined) continue;
        unassign(state, task.id, task.operativeId);
        task.status = 'cancelled';
      }
      changeLines(order, event.lineChanges);
      dequeueOrder(state, order.id);
      order.allocations = [];
      order.status = 'cancelled';
      order.cancelReason = event.reason;
      order.holdUntil = null;
      state.heldOrders.delete(order.id);
      break;
    }
    case 'AllocationExpired': {
      const order = state.orders.get(event.orderId);
      if (order === undefined) break;
      releaseReservations(state, event.releases);
      changeLines(order, event.lineChanges);
      order.allocations = [];
      order.status = 'open';
      order.holdUntil = null;
      state.heldOrders.delete(order.id);
      break;
    }
    case 'WaveReleased':
      state.waves.add(event.waveId);
      break;
    case 'CountRequested':
      state.countRequests.set(event.locationId, { locationId: event.locationId, reason: event.reason, taskId: event.taskId, at: event.at });
      break;
    case 'CountCreated':
      state.counts.set(event.countId, {
        id: event.countId,
        locationId: event.locationId,
        reason: event.reason,
        createdAt: event.at,
        status: 'open',
        attempts: [],
        adjustments: [],
        approverId: null,
        rejectReason: null,
        closedAt: null,
      });
      state.openCountByLocation.set(event.locationId, event.countId);
      break;
    case 'CountStarted': {
      const count = state.counts.get(event.countId);
      if (count === undefined) break;
      count.status = count.status === 'recount' ? 'recounting' : 'counting';
      count.attempts.push({
        counterId: event.counterId,
        expectedAtSeq: event.expectedAtSeq,
        startedAt: event.at,
        expected: event.expected.map((l) => ({ ...l })),
        moved: [],
        counted: null,
        variances: null,
        submittedAt: null,
        scanId: null,
      });
      break;
    }
    case 'CountSubmitted': {
      const count = state.counts.get(event.countId);
      const attempt = count?.attempts[count.attempts.length - 1];
      if (count === undefined || attempt === undefined) break;
      attempt.counted = event.counted.map((l) => ({ ...l }));
      attempt.variances = event.variances.map((v) => ({ ...v }));
      attempt.submittedAt = event.at;
      attempt.scanId = event.scanId ?? null;
      // 'adjust' is followed by CountAdjusted in the same decision, which closes the count.
      count.status = event.outcome === 'recount' ? 'recount' : 'pending-approval';
      break;
    }
    case 'CountAdjusted': {
      const count = state.counts.get(event.countId);
      if (count !== undefined) {
        // Closed before the stock changes, so the adjustment is not recorded as a move during the count.
        count.status = 'adjusted';
        count.adjustments = event.adjustments.map((a) => ({ ...a }));
        count.approverId = event.approverId;
        closeCount(state, count, event.at);
      }
      for (const a of event.adjustments) {
        if (a.qty !== 0) changeQuant(state, event.locationId, a.tenantId, a.skuId, a.lot, a.expiry, a.qty, 0);
      }
      state.countRequests.delete(event.locationId);
      break;
    }
    case 'CountRejected': {
      const count = state.counts.get(event.countId);
      if (count !== undefined) {
        count.status = 'rejected';
        count.approverId = event.approverId;
        count.rejectReason = event.reason;
        closeCount(state, count, event.at);
      }
      break;
    }
    case 'HoldPlaced':
      state.holds.set(event.holdId, { id: event.holdId, status: event.status, reason: event.reason, source: event.source, placedAt: event.at, lines: event.lines.map((l) => ({ ...l })) });
      noteHeld(state, event.lines, 1);
      break;
    case 'HoldReleased': {
      const hold = state.holds.get(event.holdId);
      if (hold !== undefined) noteHeld(state, hold.lines, -1);
      state.holds.delete(event.holdId);
      break;
    }
    case 'AsnCreated':
      state.asns.set(event.asnRef, {
        ref: event.asnRef,
        tenantId: event.tenantId,
        createdAt: event.at,
        status: 'open',
        lines: event.lines.map((l) => ({ lineNo: l.lineNo, skuId: l.skuId, expectedQty: l.qty, lot: l.lot, expiry: l.expiry, receivedQty: 0, damagedQty: 0, reasons: [] })),
        unexpected: [],
        closedAt: null,
        closeReason: null,
      });
      break;
    case 'GoodsReceived': {
      changeQuant(state, event.locationId, event.tenantId, event.skuId, event.lot, event.expiry, event.qty, 0);
      const { tenantId, skuId, lot, expiry, locationId } = event;
      for (const h of event.holds) {
        const lines = [{ locationId, tenantId, skuId, lot, expiry, qty: h.qty }];
        const reason = h.status === 'damaged' ? (event.reason ?? 'damaged on receipt') : 'quality hold on receipt';
        state.holds.set(h.holdId, { id: h.holdId, status: h.status, reason, source: 'receipt', placedAt: event.at, lines });
        noteHeld(state, lines, 1);
      }
      noteReceipt(state, event);
      break;
    }
    case 'AsnClosed': {
      const asn = state.asns.get(event.asnRef);
      if (asn !== undefined) {
        asn.status = 'closed';
        asn.closedAt = event.at;
        asn.closeReason = event.reason;
      }
      break;
    }
    case 'RmaCreated':
    case 'RmaClosed':
      noteRma(state, event);
      break;
    case 'ReturnReceived':
      changeQuant(state, event.locationId, event.tenantId, event.skuId, event.lot, event.expiry, event.qty, 0);
      noteRma(state, event);
      break;
    case 'ReturnInspected':
      for (const d of event.disposed) changeQuant(state, event.locationId, event.tenantId, event.skuId, d.lot, d.expiry, -d.qty, 0);
      noteRma(state, event);
      break;
    case 'QcRuleSet':
      if (event.hold) state.qcRules.add(qcRuleKey(event.tenantId, event.skuId));
      else state.qcRules.delete(qcRuleKey(event.tenantId, event.skuId));
      break;
    case 'MoveTaskCreated':
    case 'MoveTaskAssigned':
    case 'MoveTaskCancelled':
    case 'PickFaceSet':
    case 'PickFaceCleared':
      noteMoveTask(state, event);
      break;
    case 'MoveTaskCompleted':
      // R59: the stock moves exactly like StockMoved; the task's commitment is released first.
      noteMoveTask(state, event);
      if (event.qty > 0) {
        changeQuant(state, event.fromLocationId, event.tenantId, event.skuId, event.lot, event.expiry, -event.qty, 0);
        changeQuant(state, event.toLocationId, event.tenantId, event.skuId, event.lot, event.expiry, event.qty, 0);
      }
      break;
    case 'SegmentBlocked': {
      const { a, b, reason, at } = event;
      state.blockedEdges.set(segmentKey(a, b), { a, b, reason, at });
      break;
    }
    case 'SegmentUnblocked':
      state.blockedEdges.delete(segmentKey(event.a, event.b));
      break;
    case 'OperativeMoved': {
      const op = state.operatives.get(event.operativeId);
      if (op !== undefined) {
        op.position = { x: event.position.x, y: event.position.y };
        op.activity = event.activity;
      }
      break;
    }
    // Transfers between sites (R71–R76): the quants change through changeQuant like any ledger move.
    case 'TransferCreated':
    case 'TransferLinePicked':
    case 'TransferCancelled':
    case 'TransferDespatched':
    case 'TransferRefusedByDestination':
    case 'TransferReturned':
    case 'InboundTransferExpected':
    case 'InboundTransferClosed':
    case 'TransferReceiptConfirmed':
      noteTransfer(state, event, (l, t, s, lot, exp, d) => changeQuant(state, l, t, s, lot, exp, d, 0));
      break;
    case 'TransferReceived': {
      noteTransfer(state, event, (l, t, s, lot, exp, d) => changeQuant(state, l, t, s, lot, exp, d, 0));
      const { tenantId, skuId, lot, expiry, locationId } = event;
      for (const h of event.holds) {
        const lines = [{ locationId, tenantId, skuId, lot, expiry, qty: h.qty }];
        const reason = h.status === 'damaged' ? (event.reason ?? 'damaged on receipt') : 'quality hold on receipt';
        state.holds.set(h.holdId, { id: h.holdId, status: h.status, reason, source: 'receipt', placedAt: event.at, lines });
        noteHeld(state, lines, 1);
      }
      break;
    }
  }
  // Serial-tracked units (R77–R80) follow the events that carry or move them.
  noteSerials(state, event);
  return state;
}

/**
 * Applies an event read from (or just appended to) the log and advances `state.seq`.
 * Throws when `seq` is not `state.seq + 1`: a gap or a replay means the caller's log handling is broken.
 */
export function applySequenced(state: TwinState, sequenced: SequencedEvent): TwinState {
  if (sequenced.seq !== state.seq + 1) {
    throw new Error(`event log gap: state is at seq ${state.seq}, got seq ${sequenced.seq}`);
  }
  apply(state, sequenced.event);
  state.seq = sequenced.seq;
  return state;
}

/**
 * Convenience for in-memory runs (simulator, tests): numbers the durable events state.seq + 1, … in order,
 * applies every event (volatile ones too) and returns the durable ones as they would be stored.
 */
export function applyEvents(state: TwinState, events: readonly TwinEvent[]): SequencedEvent[] {
  const out: SequencedEvent[] = [];
  for (const event of events) {
    if (isDurable(event)) {
      const sequenced: SequencedEvent = { seq: state.seq + 1, event: event satisfies DurableEvent };
      applySequenced(state, sequenced);
      out.push(sequenced);
    } else {
      apply(state, event);
    }
  }
  return out;
}
