/** Public API of the pure twin core: create a state, decide commands, apply events, snapshot and restore. */
import type { DurableEvent, TwinEvent } from './events.ts';
import type { EpochMs, LocationId, OperativeId, OrderId, TaskId } from './ids.ts';
import type { Location } from './layout/types.ts';
import type { SiteDefinition, Sku } from './site.ts';
import type { RmaState } from './state.ts';
import type { AsnState, BlockedSegment, CountHistory, CountRequest, CountTask, Hold, OperativeState, OrderState, PickTask, Quant, SiteCounters, TwinState } from './state.ts';
import { ORDER_DEFAULTS, insertQuant } from './apply.ts';
import { segmentKey } from './blocks.ts';
import { externalKey } from './keys.ts';
import { noteHeld } from './stock-status.ts';
import { cloneRma } from './returns.ts';
import { cloneMoveTask, rebuildMoving } from './move-tasks.ts';
import { cloneInbound, cloneTransfer, rebuildTransferring } from './transfers.ts';
import type { InboundTransferState, SerialState, TransferState } from './state.ts';
import type { MoveTask, PickFace } from './state.ts';

export { apply, applyEvents, applySequenced } from './apply.ts';
export { decide } from './decide.ts';
export { effectiveLayout, segmentKey, segmentExists } from './blocks.ts';
export type { DecideContext, Decision } from './decide.ts';
export { quantKey, skuKey, MAX_ORDER_LINES, PICK_WINDOW_MS } from './keys.ts';

/** A fresh twin for a site: static indexes built, no stock, orders, tasks or operatives; seq 0. */
export function createTwinState(site: SiteDefinition, now: EpochMs): TwinState {
  const locationsById = new Map<LocationId, Location>();
  for (const l of site.layout.locations) locationsById.set(l.id, l);
  const skusById = new Map<Sku['id'], Sku>();
  for (const s of site.skus) skusById.set(s.id, s);
  return {
    site,
    locationsById,
    skusById,
    seq: 0,
    now,
    quants: new Map(),
    quantsByLocation: new Map(),
    quantsBySku: new Map(),
    orders: new Map(),
    tasks: new Map(),
    releaseQueue: [],
    operatives: new Map(),
    counters: { ordersReceived: 0, ordersPicked: 0, ordersDespatched: 0, linesPicked: 0, unitsPicked: 0 },
    recentPickTimes: [],
    blockedEdges: new Map(),
    ordersByExternal: new Map(),
    heldOrders: new Map(),
    lastSsccSerial: 0,
    waves: new Set(),
    countRequests: new Map(),
    counts: new Map(),
    openCountByLocation: new Map(),
    closedCounts: [],
    countHistory: new Map(),
    holds: new Map(),
    heldByQuant: new Map(),
    asns: new Map(),
    qcRules: new Set(),
    receiptIds: new Set(),
    rmas: new Map(),
    moveTasks: new Map(),
    movingByQuant: new Map(),
    pickFaces: new Map(),
    transfers: new Map(),
    inboundTransfers: new Map(),
    transferringByQuant: new Map(),
    serials: new Map(),
    serialGaps: new Set(),
  };
}

/** What a floor view must refresh after an event: real bins whose stock changed and operatives that changed. */
export interface Touched {
  readonly locations: LocationId[];
  readonly operatives: OperativeId[];
}

/**
 * The real locations (never virtual ones) and operatives an event changes, for diff accumulation. Reads `state` only
 * for context that is not in the event (the operatives holding tasks of a despatched or released order are not needed).
 */
export function touchedBy(state: TwinState, event: TwinEvent): Touched {
  switch (event.type) {
    case 'StockReceived':
      return { locations: [event.locationId], operatives: [] };
    case 'StockMoved':
      return { locations: [event.fromLocationId, event.toLocationId], operatives: [] };
    case 'OrderCancelled':
    case 'AllocationExpired':
      return { locations: [...new Set(event.releases.map((r) => r.locationId))], operatives: [] };
    case 'OrderAllocated':
      // Reservations do not change fill but do change what a bin can give; views showing availability refresh.
      return { locations: [...new Set(event.allocations.map((a) => a.locationId))], operatives: [] };
    case 'PickConfirmed':
    case 'PickShorted':
      return { locations: [event.locationId], operatives: [event.operativeId] };
    case 'CountAdjusted':
      return { locations: [event.locationId], operatives: [] };
    case 'MoveTaskCompleted':
      return { locations: [event.fromLocationId, event.toLocationId].filter((id) => state.locationsById.has(id)), operatives: [event.operativeId] };
    // Committed units change what a bin can give, not its fill (R57); a pick face is a bin attribute.
    case 'MoveTaskCreated':
      return { locations: [event.fromLocationId].filter((id) => state.locationsById.has(id)), operatives: [] };
    case 'MoveTaskCancelled': {
      const from = state.moveTasks.get(event.taskId)?.fromLocationId;
      return { locations: from !== undefined && state.locationsById.has(from) ? [from] : [], operatives: [] };
    }
    case 'PickFaceSet':
    case 'PickFaceCleared':
      return { locations: [event.locationId], operatives: [] };
    // R71/R72: committed units change what a bin can give; R73: despatch empties bins; transit and docks are no bins.
    case 'TransferCreated':
    case 'TransferDespatched':
      return { locations: [...new Set(event.lines.map((l) => l.fromLocationId))].filter((id) => state.locationsById.has(id)), operatives: [] };
    case 'TransferCancelled':
      return { locations: [...new Set(state.transfers.get(event.transferId)?.lines.map((l) => l.fromLocationId) ?? [])].filter((id) => state.locationsById.has(id)), operatives: [] };
    case 'TransferLinePicked':
    case 'InboundTransferExpected':
    case 'TransferReceived':
    case 'InboundTransferClosed':
    case 'TransferReceiptConfirmed':
    case 'TransferRefusedByDestination':
      return { locations: [], operatives: [] };
    // R76a: units back from transit onto the dock (no bin) or a named bin.
    case 'TransferReturned':
      return { locations: [event.locationId].filter((id) => state.locationsById.has(id)), operatives: [] };
    case 'MoveTaskAssigned':
      return { locations: [], operatives: [event.operativeId] };
    // Held units change what a bin can give, not its fill; the dock is no layout bin.
    case 'HoldPlaced':
    case 'HoldReleased':
      return { locations: [...new Set(event.lines.map((l) => l.locationId))].filter((id) => state.locationsById.has(id)), operatives: [] };
    case 'AsnCreated':
    case 'GoodsReceived':
    case 'AsnClosed':
    case 'QcRuleSet':
    case 'RmaCreated':
    case 'ReturnReceived': // onto the returns desk, no layout bin (R51)
    case 'ReturnInspected':
    case 'RmaClosed':
      return { locations: [], operatives: [] };
    case 'OperativeSignedOn':
    case 'OperativeSignedOff':
    case 'TasksAssigned':
    case 'TasksUnassigned':
    case 'OperativeMoved':
      return { locations: [], operatives: [event.operativeId] };
    // A route changes no bin and nothing the floor view shows of an operative; a blocked segment is not a bin either.
    case 'RoutePlanned':
    case 'SegmentBlocked':
    case 'SegmentUnblocked':
    case 'OrderCreated':
    case 'OrderReleased':
    case 'OrderPicked':
    case 'OrderPacked':
    case 'OrderDespatched':
    case 'WaveReleased':
    case 'CountRequested':
    case 'ShipmentLabelled':
    case 'CountCreated':
    case 'CountStarted':
    case 'CountSubmitted':
    case 'CountRejected':
      return { locations: [], operatives: [] };
  }
}

/** Plain JSON-able copy of the dynamic state at one seq (the static site is not included). */
export interface TwinSnapshotData {
  readonly seq: number;
  readonly now: number;
  readonly quants: readonly Quant[];
  readonly orders: readonly OrderState[];
  readonly tasks: readonly PickTask[];
  readonly operatives: readonly OperativeState[];
  readonly counters: SiteCounters;
  readonly releaseQueue: readonly string[];
  readonly recentPickTimes: readonly number[];
  /** Blocked segments (R28); absent in snapshots written before blocks existed. */
  readonly blockedEdges?: readonly BlockedSegment[];
  /** Absent in snapshots written before packing issued SSCCs. */
  readonly lastSsccSerial?: number;
  readonly waves?: readonly string[];
  readonly countRequests?: readonly CountRequest[];
  /** Cycle counts (R33–R37) and each bin's count history (R38); absent in snapshots written before counting existed. */
  readonly counts?: readonly CountTask[];
  readonly countHistory?: readonly CountHistory[];
  /** Goods-in and stock statuses (R39–R46); absent in snapshots written before them. */
  readonly holds?: readonly Hold[];
  readonly asns?: readonly AsnState[];
  readonly qcRules?: readonly string[];
  readonly receiptIds?: readonly string[];
  /** Returns (R50–R55); absent in snapshots written before them. */
  readonly rmas?: readonly RmaState[];
  /** Move tasks and pick faces (R56–R66); absent in snapshots written before them. The commitment index is rebuilt. */
  readonly moveTasks?: readonly MoveTask[];
  readonly pickFaces?: readonly PickFace[];
  /** Transfers between sites and serials (R71–R80); absent in snapshots written before them. The commitment index is rebuilt. */
  readonly transfers?: readonly TransferState[];
  readonly inboundTransfers?: readonly InboundTransferState[];
  readonly serials?: readonly SerialState[];
  /** Serial-tracked SKUs moved without serials (R80); absent in older snapshots (then every serial-tracked SKU with stock or serials counts as one). */
  readonly serialGaps?: readonly string[];
}

const cloneHold = (h: Hold): Hold => ({ ...h, lines: h.lines.map((l) => ({ ...l })) });
const cloneAsn = (a: AsnState): AsnState => ({
  ...a,
  lines: a.lines.map((l) => ({ ...l, reasons: [...l.reasons] })),
  unexpected: a.unexpected.map((u) => ({ ...u, reasons: [...u.reasons] })),
});

/** Deep copy of a count task. */
const cloneCount = (c: CountTask): CountTask => ({
  ...c,
  attempts: c.attempts.map((a) => ({
    ...a,
    expected: a.expected.map((l) => ({ ...l })),
    moved: a.moved.map((l) => ({ ...l })),
    counted: a.counted === null ? null : a.counted.map((l) => ({ ...l })),
    variances: a.variances === null ? null : a.variances.map((v) => ({ ...v })),
    scanId: (a as Partial<typeof a>).scanId ?? null,
  })),
  adjustments: c.adjustments.map((a) => ({ ...a })),
});

/** Deep copy of an order (the state's own objects, so every field is there). */
const cloneOrder = (o: OrderState): OrderState => ({
  ...o,
  shipTo: o.shipTo === null ? null : { ...o.shipTo },
  lines: o.lines.map((l) => ({ ...l })),
  allocations: o.allocations.map((a) => ({ ...a })),
  taskIds: [...o.taskIds],
});
/** An order read from a snapshot, which may predate fields added since: those take their empty values. */
const restoreOrder = (o: OrderState): OrderState =>
  cloneOrder({
    ...ORDER_DEFAULTS,
    ...o,
    lines: o.lines.map((l) => ({ ...l, cancelled: (l as Partial<typeof l>).cancelled ?? 0 })),
  });
const cloneTask = (t: PickTask): PickTask => {
  const old = t as Partial<PickTask>;
  return { ...t, waveId: old.waveId ?? null, batchId: old.batchId ?? null, scanId: old.scanId ?? null, pushed: old.pushed ?? false };
};
/** Deep copy of an operative; `now` stands in for progress in snapshots written before R70. */
const cloneOperative = (o: OperativeState, now: EpochMs = o.lastProgressAt): OperativeState => ({
  ...o,
  position: { x: o.position.x, y: o.position.y },
  taskIds: [...o.taskIds],
  // Snapshots written before routes existed have no route field.
  route: o.route === null || o.route === undefined ? null : { ...o.route, taskIds: [...o.route.taskIds] },
  // Snapshots written before zones and skills (R67) have none: every zone, no skills.
  zones: [...((o as Partial<OperativeState>).zones ?? [])],
  skills: [...((o as Partial<OperativeState>).skills ?? [])],
  lastProgressAt: (o as Partial<OperativeState>).lastProgressAt ?? now,
});

/** Deep copy of the dynamic state, safe to JSON.stringify and independent of later `apply` calls. */
export function toSnapshotData(state: TwinState): TwinSnapshotData {
  return {
    seq: state.seq,
    now: state.now,
    quants: [...state.quants.values()].map((q) => ({ ...q })),
    orders: [...state.orders.values()].map(cloneOrder),
    tasks: [...state.tasks.values()].map(cloneTask),
    operatives: [...state.operatives.values()].map((o) => cloneOperative(o)),
    counters: { ...state.counters },
    releaseQueue: [...state.releaseQueue],
    recentPickTimes: [...state.recentPickTimes],
    blockedEdges: [...state.blockedEdges.values()].map((s) => ({ ...s })),
    lastSsccSerial: state.lastSsccSerial,
    waves: [...state.waves],
    countRequests: [...state.countRequests.values()].map((c) => ({ ...c })),
    counts: [...state.counts.values()].map(cloneCount),
    countHistory: [...state.countHistory.values()].map((h) => ({ ...h })),
    holds: [...state.holds.values()].map(cloneHold),
    asns: [...state.asns.values()].map(cloneAsn),
    qcRules: [...state.qcRules],
    receiptIds: [...state.receiptIds],
    rmas: [...state.rmas.values()].map(cloneRma),
    moveTasks: [...state.moveTasks.values()].map(cloneMoveTask),
    pickFaces: [...state.pickFaces.values()].map((f) => ({ ...f })),
    transfers: [...state.transfers.values()].map(cloneTransfer),
    inboundTransfers: [...state.inboundTransfers.values()].map(cloneInbound),
    serials: [...state.serials.values()].map((s) => ({ ...s })),
    serialGaps: [...state.serialGaps],
  };
}

/**
 * The snapshot as JSON text, written straight from the live state: the same document as `toSnapshotData`, without
 * its deep copy (which cost four times the serialisation). Synchronous, so it is one consistent state.
 */
export function snapshotJson(state: TwinState): string {
  const view: TwinSnapshotData = {
    seq: state.seq,
    now: state.now,
    quants: [...state.quants.values()],
    orders: [...state.orders.values()],
    tasks: [...state.tasks.values()],
    operatives: [...state.operatives.values()],
    counters: state.counters,
    releaseQueue: state.releaseQueue,
    recentPickTimes: state.recentPickTimes,
    blockedEdges: [...state.blockedEdges.values()],
    lastSsccSerial: state.lastSsccSerial,
    waves: [...state.waves],
    countRequests: [...state.countRequests.values()],
    counts: [...state.counts.values()],
    countHistory: [...state.countHistory.values()],
    holds: [...state.holds.values()],
    asns: [...state.asns.values()],
    qcRules: [...state.qcRules],
    receiptIds: [...state.receiptIds],
    rmas: [...state.rmas.values()],
    moveTasks: [...state.moveTasks.values()],
    pickFaces: [...state.pickFaces.values()],
    transfers: [...state.transfers.values()],
    inboundTransfers: [...state.inboundTransfers.values()],
    serials: [...state.serials.values()],
    serialGaps: [...state.serialGaps],
  };
  return JSON.stringify(view);
}

/** Rebuilds a twin (indexes included) from a snapshot of the same site; the data is copied, not shared. */
export function fromSnapshotData(site: SiteDefinition, data: TwinSnapshotData): TwinState {
  const state = createTwinState(site, data.now as EpochMs);
  state.seq = data.seq;
  for (const q of data.quants) insertQuant(state, { ...q });
  for (const o of data.orders) {
    const order = restoreOrder(o);
    state.orders.set(order.id, order);
    if (order.externalRef !== null) state.ordersByExternal.set(externalKey(order.tenantId, order.channel, order.externalRef), order.id);
    if (order.holdUntil !== null) state.heldOrders.set(order.id, order.holdUntil);
  }
  for (const t of data.tasks) state.tasks.set(t.id, cloneTask(t));
  for (const o of data.operatives) state.operatives.set(o.id, cloneOperative(o, data.now as EpochMs));
  Object.assign(state.counters, data.counters);
  state.releaseQueue.push(...(data.releaseQueue as OrderId[]));
  state.recentPickTimes.push(...(data.recentPickTimes as EpochMs[]));
  for (const s of data.blockedEdges ?? []) state.blockedEdges.set(segmentKey(s.a, s.b), { ...s });
  state.lastSsccSerial = data.lastSsccSerial ?? 0;
  for (const w of data.waves ?? []) state.waves.add(w);
  for (const c of data.countRequests ?? []) state.countRequests.set(c.locationId, { ...c });
  for (const c of data.counts ?? []) {
    const count = cloneCount(c);
    state.counts.set(count.id, count);
    if (count.status !== 'adjusted' && count.status !== 'rejected') state.openCountByLocation.set(count.locationId, count.id);
  }
  // Only the closing times matter for retention, so closing order is rebuilt from them.
  const closed = [...state.counts.values()].filter((c) => c.closedAt !== null).sort((a, b) => (a.closedAt as number) - (b.closedAt as number));
  state.closedCounts.push(...closed.map((c) => c.id));
  for (const h of data.countHistory ?? []) state.countHistory.set(h.locationId, { ...h });
  for (const h of data.holds ?? []) {
    state.holds.set(h.id, cloneHold(h));
    noteHeld(state, h.lines, 1);
  }
  for (const a of data.asns ?? []) state.asns.set(a.ref, cloneAsn(a));
  for (const r of data.qcRules ?? []) state.qcRules.add(r);
  for (const r of data.receiptIds ?? []) state.receiptIds.add(r);
  for (const r of data.rmas ?? []) state.rmas.set(r.id, cloneRma(r));
  for (const t of data.moveTasks ?? []) state.moveTasks.set(t.id, cloneMoveTask(t));
  for (const f of data.pickFaces ?? []) state.pickFaces.set(f.locationId, { ...f });
  rebuildMoving(state);
  for (const t of data.transfers ?? []) state.transfers.set(t.id, cloneTransfer(t));
  for (const t of data.inboundTransfers ?? []) state.inboundTransfers.set(t.id, cloneInbound(t));
  for (const s of data.serials ?? []) state.serials.set(`${s.tenantId}|${s.skuId}|${s.serial}`, { ...s });
  if (data.serialGaps !== undefined) for (const g of data.serialGaps) state.serialGaps.add(g);
  else {
    // Written before R80 tracked gaps: whatever serial-tracked SKU has stock or serials may have moved unscanned.
    for (const q of state.quants.values()) if (state.skusById.get(q.skuId)?.serialTracked === true) state.serialGaps.add(`${q.tenantId}|${q.skuId}`);
    for (const s of state.serials.values()) state.serialGaps.add(`${s.tenantId}|${s.skuId}`);
  }
  rebuildTransferring(state);
  return state;
}

/** Ids of tasks not yet done (released or assigned), for views and the simulator. */
/** The operative's planned route minus the tasks done since (R27); empty when there is no route. */
export function remainingRoute(state: TwinState, operativeId: OperativeId): TaskId[] {
  const op = state.operatives.get(operativeId);
  if (op === undefined || op.route === null) return [];
  return op.route.taskIds.filter((id) => {
    const task = state.tasks.get(id);
    return task !== undefined && task.status === 'assigned' && task.operativeId === operativeId;
  });
}

/**
 * True when the operative's route covers exactly their open assigned tasks (nothing assigned since the plan).
 * False when there is no route. The route service re-plans an operative whose route is not current.
 */
export function routeIsCurrent(state: TwinState, operativeId: OperativeId): boolean {
  const op = state.operatives.get(operativeId);
  if (op === undefined || op.route === null) return false;
  const remaining = remainingRoute(state, operativeId);
  return remaining.length === op.taskIds.length && remaining.every((id) => op.taskIds.includes(id));
}

export function openTaskIds(state: TwinState, order: OrderState): TaskId[] {
  return order.taskIds.filter((id) => {
    const s = state.tasks.get(id)?.status;
    return s === 'released' || s === 'assigned';
  });
}

/** Narrows a decided event list to the durable ones (what a store appends). */
export function durableOnly(events: readonly TwinEvent[]): DurableEvent[] {
  return events.filter((e): e is DurableEvent => e.type !== 'OperativeMoved');
}
