/**
 * What the floor's inspector and alert list show, computed from one committed twin state: what a location or a SKU
 * holds, search across locations, SKUs, orders and operatives, and the alerts a site manager acts on (orders about to
 * miss their cut-off, stock-outs with demand, short picks waiting for a count, idle pickers). Pure: no I/O, no clock;
 * "now" is the twin's time unless the caller passes one. Floor coordinates are metres (x across aisles, y along).
 * The shapes here are what the inspect routes answer (the browser imports them type-only).
 */
import { availableOf } from './availability.ts';
import type { EpochMs, LocationId, OperativeId, OrderId, SkuId, TenantId } from './ids.ts';
import { CUTOFF_AT_RISK_MS } from '../protocol/kpis.ts';
import { skuKey } from './keys.ts';
import type { OrderState, PickTask, TaskStatus, TwinState } from './state.ts';

/** Orders whose cut-off (`dueAt`) is this close, or past, raise an alert: the KPIs' "at risk" window. Twin ms. */
export const CUTOFF_WARNING_MS = CUTOFF_AT_RISK_MS;
/** An operative idle with no task for longer than this raises an alert. Twin milliseconds. */
export const IDLE_ALERT_MS = 5 * 60_000;
/** Most hits a search answers. */
export const SEARCH_LIMIT = 20;

/** What can be inspected (and what an alert or a search hit points at). */
export type InspectKind = 'location' | 'sku' | 'order' | 'operative';

/** A thing on the floor, by kind and id. */
export interface InspectRef {
  readonly kind: InspectKind;
  readonly id: string;
}

/** One search hit; `x`/`y` (floor metres) are present when the thing has a place on the floor. */
export interface SearchHit extends InspectRef {
  readonly label: string;
  readonly x?: number;
  readonly y?: number;
}

export type AlertKind = 'cutoff' | 'stockout' | 'shortPick' | 'idle';
export type AlertSeverity = 'critical' | 'warning' | 'info';

/**
 * One alert. `id` is stable while the condition lasts (`kind:refId`), so a client can tell new alerts from old.
 * `x`/`y` is where the camera should fly (floor metres), null when the thing has no place (a SKU in no bin).
 * `at` (epoch ms, twin time) is when the condition arose or, for a cut-off, the cut-off itself.
 */
export interface FloorAlert {
  readonly id: string;
  readonly kind: AlertKind;
  readonly severity: AlertSeverity;
  readonly message: string;
  readonly x: number | null;
  readonly y: number | null;
  readonly ref: InspectRef;
  readonly at: number;
}

/** Stock of one (tenant, SKU, lot) at a location. `available` = onHand − reserved. */
export interface LocationStockRow {
  readonly tenantId: string;
  readonly skuId: string;
  readonly description: string;
  readonly lot: string;
  readonly expiry: string | null;
  readonly onHand: number;
  readonly reserved: number;
  readonly available: number;
}

/** A pick task as the inspector lists it. */
export interface TaskRow {
  readonly taskId: string;
  readonly orderId: string;
  readonly locationId: string;
  readonly skuId: string;
  readonly lot: string;
  readonly qty: number;
  readonly status: TaskStatus;
  readonly operativeId: string | null;
}

/** What a location holds now (the route adds `history` from the ledger). */
export interface LocationInspection {
  readonly locationId: string;
  readonly x: number;
  readonly y: number;
  /** Height of the bin's base, metres. */
  readonly z: number;
  readonly level: number;
  readonly aisle: number;
  readonly bay: number;
  readonly side: string;
  readonly zone: string;
  readonly capacityUnits: number;
  /** By tenant, SKU, then FEFO (earliest expiry first), then lot. */
  readonly stock: readonly LocationStockRow[];
  readonly totals: { readonly onHand: number; readonly reserved: number; readonly available: number };
  /** Released or assigned tasks picking from this bin. */
  readonly openTasks: readonly TaskRow[];
  readonly countRequest: { readonly reason: string; readonly taskId: string | null; readonly at: string } | null;
}

/** One row of the stock ledger touching a location, newest first. `direction` is relative to that location. */
export interface LedgerMoveRow {
  readonly seq: number;
  readonly idx: number;
  /** ISO 8601. */
  readonly at: string;
  readonly tenantId: string;
  readonly skuId: string;
  readonly lot: string;
  readonly expiry: string | null;
  readonly fromLocation: string;
  readonly toLocation: string;
  readonly qty: number;
  readonly orderId: string | null;
  readonly direction: 'in' | 'out';
}

/** `GET /locations/:locationId`. */
export interface LocationInspectionView extends LocationInspection {
  readonly history: readonly LedgerMoveRow[];
}

/** A SKU's stock at one bin and lot. */
export interface SkuStockRow {
  readonly locationId: string;
  readonly x: number;
  readonly y: number;
  readonly lot: string;
  readonly expiry: string | null;
  readonly onHand: number;
  readonly reserved: number;
  readonly available: number;
}

/** An order that still needs units of a SKU. `outstanding` = ordered − picked − shorted − cancelled on its lines. */
export interface SkuDemandRow {
  readonly orderId: string;
  readonly externalRef: string | null;
  readonly status: string;
  readonly ordered: number;
  readonly allocated: number;
  readonly backordered: number;
  readonly outstanding: number;
  /** ISO 8601 or null. */
  readonly dueAt: string | null;
}

/** `GET /skus/:skuId`. */
export interface SkuInspectionView {
  readonly skuId: string;
  readonly tenantId: string;
  readonly description: string;
  readonly barcode: string;
  readonly lotTracked: boolean;
  /** By location, then FEFO. */
  readonly stock: readonly SkuStockRow[];
  readonly onHand: number;
  readonly reserved: number;
  readonly available: number;
  readonly backordered: number;
  /** Oldest first. */
  readonly openOrders: readonly SkuDemandRow[];
}

/** `GET /operatives/:operativeId` (the inspector's view). */
export interface OperativeInspectionView {
  readonly operativeId: string;
  readonly name: string;
  readonly x: number;
  readonly y: number;
  readonly activity: string;
  /** Twin time (ISO 8601) since when the operative has been idle with no task, when known. */
  readonly idleSince: string | null;
  readonly openTasks: readonly TaskRow[];
}

const iso = (ms: number): string => new Date(ms).toISOString();
const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const isOpenTask = (task: PickTask): boolean => task.status === 'released' || task.status === 'assigned';
/** Orders that still have work before they leave. */
const isLiveOrder = (order: OrderState): boolean => order.status !== 'despatched' && order.status !== 'cancelled';

function taskRow(task: PickTask): TaskRow {
  return {
    taskId: task.id,
    orderId: task.orderId,
    locationId: task.locationId,
    skuId: task.skuId,
    lot: task.lot,
    qty: task.qty,
    status: task.status,
    operativeId: task.operativeId,
  };
}

/** Expiry first (null last), then lot: the order allocation takes them in (FEFO). */
function fefo(a: { expiry: string | null; lot: string }, b: { expiry: string | null; lot: string }): number {
  if (a.expiry !== b.expiry) {
    if (a.expiry === null) return 1;
    if (b.expiry === null) return -1;
    return byString(a.expiry, b.expiry);
  }
  return byString(a.lot, b.lot);
}

/** What a location holds, its open tasks and count request; undefined for an unknown location. */
export function inspectLocation(twin: TwinState, locationId: LocationId): LocationInspection | undefined {
  const loc = twin.locationsById.get(locationId);
  if (loc === undefined) return undefined;
  const stock: LocationStockRow[] = [];
  let onHand = 0;
  let reserved = 0;
  for (const key of twin.quantsByLocation.get(locationId) ?? []) {
    const q = twin.quants.get(key);
    if (q === undefined || (q.onHand === 0 && q.reserved === 0)) continue;
    onHand += q.onHand;
    reserved += q.reserved;
    stock.push({
      tenantId: q.tenantId,
      skuId: q.skuId,
      description: twin.skusById.get(q.skuId)?.description ?? q.skuId,
      lot: q.lot,
      expiry: q.expiry,
      onHand: q.onHand,
      reserved: q.reserved,
      available: q.onHand - q.reserved,
    });
  }
  stock.sort((a, b) => byString(a.tenantId, b.tenantId) || byString(a.skuId, b.skuId) || fefo(a, b));
  const openTasks: TaskRow[] = [];
  for (const task of twin.tasks.values()) if (task.locationId === locationId && isOpenTask(task)) openTasks.push(taskRow(task));
  openTasks.sort((a, b) => byString(a.taskId, b.taskId));
  const count = twin.countRequests.get(locationId);
  return {
    locationId: loc.id,
    x: loc.x,
    y: loc.y,
    z: loc.z,
    level: loc.level,
    aisle: loc.aisle,
    bay: loc.bay,
    side: loc.side,
    zone: loc.zone,
    capacityUnits: loc.capacityUnits,
    stock,
    totals: { onHand, reserved, available: onHand - reserved },
    openTasks,
    countRequest: count === undefined ? null : { reason: count.reason, taskId: count.taskId, at: iso(count.at) },
  };
}

/** Units of an order line still to pick. */
const outstandingOf = (line: OrderState['lines'][number]): number => Math.max(0, line.qty - line.picked - line.shorted - line.cancelled);

/** A SKU's stock by bin and lot, totals, and the orders still needing it; undefined for an unknown SKU. */
export function inspectSku(twin: TwinState, skuId: SkuId): SkuInspectionView | undefined {
  const sku = twin.skusById.get(skuId);
  if (sku === undefined) return undefined;
  const stock: SkuStockRow[] = [];
  let onHand = 0;
  let reserved = 0;
  for (const key of twin.quantsBySku.get(skuKey(sku.tenantId, skuId)) ?? []) {
    const q = twin.quants.get(key);
    if (q === undefined || (q.onHand === 0 && q.reserved === 0)) continue;
    const loc = twin.locationsById.get(q.locationId);
    onHand += q.onHand;
    reserved += q.reserved;
    stock.push({
      locationId: q.locationId,
      x: loc?.x ?? 0,
      y: loc?.y ?? 0,
      lot: q.lot,
      expiry: q.expiry,
      onHand: q.onHand,
      reserved: q.reserved,
      available: q.onHand - q.reserved,
    });
  }
  stock.sort((a, b) => byString(a.locationId, b.locationId) || fefo(a, b));
  const openOrders: (SkuDemandRow & { createdAt: number })[] = [];
  let backordered = 0;
  for (const order of twin.orders.values()) {
    if (order.tenantId !== sku.tenantId || !isLiveOrder(order)) continue;
    let ordered = 0;
    let allocated = 0;
    let back = 0;
    let outstanding = 0;
    for (const line of order.lines) {
      if (line.skuId !== skuId) continue;
      ordered += line.qty;
      allocated += line.allocated;
      back += line.backordered;
      outstanding += outstandingOf(line);
    }
    if (outstanding === 0) continue;
    backordered += back;
    openOrders.push({
      orderId: order.id,
      externalRef: order.externalRef,
      status: order.status,
      ordered,
      allocated,
      backordered: back,
      outstanding,
      dueAt: order.dueAt === null ? null : iso(order.dueAt),
      createdAt: order.createdAt,
    });
  }
  openOrders.sort((a, b) => a.createdAt - b.createdAt || byString(a.orderId, b.orderId));
  return {
    skuId: sku.id,
    tenantId: sku.tenantId,
    description: sku.description,
    barcode: sku.barcode,
    lotTracked: sku.lotTracked,
    stock,
    onHand,
    reserved,
    available: onHand - reserved,
    backordered,
    openOrders: openOrders.map(({ createdAt: _createdAt, ...row }) => row),
  };
}

/** An operative's place, activity and open tasks; undefined when not signed on. */
export function inspectOperative(
  twin: TwinState,
  operativeId: OperativeId,
  idleSince?: ReadonlyMap<OperativeId, EpochMs>,
): OperativeInspectionView | undefined {
  const op = twin.operatives.get(operativeId);
  if (op === undefined) return undefined;
  const openTasks: TaskRow[] = [];
  for (const id of op.taskIds) {
    const task = twin.tasks.get(id);
    if (task !== undefined && isOpenTask(task)) openTasks.push(taskRow(task));
  }
  const since = idleSince?.get(operativeId);
  return {
    operativeId: op.id,
    name: op.name,
    x: op.position.x,
    y: op.position.y,
    activity: op.activity,
    idleSince: since === undefined ? null : iso(since),
    openTasks,
  };
}

/** Where an order is on the floor: its first open task's bin, else its first reserved bin; undefined if neither. */
export function orderPlace(twin: TwinState, order: OrderState): { x: number; y: number } | undefined {
  for (const id of order.taskIds) {
    const task = twin.tasks.get(id);
    if (task === undefined || !isOpenTask(task)) continue;
    const loc = twin.locationsById.get(task.locationId);
    if (loc !== undefined) return { x: loc.x, y: loc.y };
  }
  for (const a of order.allocations) {
    const loc = twin.locationsById.get(a.locationId);
    if (loc !== undefined) return { x: loc.x, y: loc.y };
  }
  return undefined;
}

/** How well `text` matches the lower-cased query: 0 exact, 1 prefix, 2 substring, -1 none. */
function matchRank(text: string | null, q: string, prefixOnly = false): number {
  if (text === null) return -1;
  const t = text.toLowerCase();
  if (t === q) return 0;
  if (t.startsWith(q)) return 1;
  return !prefixOnly && t.includes(q) ? 2 : -1;
}

const KIND_ORDER: Record<InspectKind, number> = { location: 0, sku: 1, order: 2, operative: 3 };

/** The better (lower) of two match ranks, -1 when neither matched. */
const better = (a: number, b: number): number => (a < 0 ? b : b < 0 ? a : Math.min(a, b));

/** A match found before its hit is built: labels and places are made only for the hits answered. */
interface Candidate {
  readonly rank: number;
  readonly kind: InspectKind;
  readonly id: string;
  readonly build: () => SearchHit;
}

const compareCandidates = (a: Candidate, b: Candidate): number => a.rank - b.rank || KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || byString(a.id, b.id);

/**
 * The best `limit` candidates, kept sorted as they arrive: a query that matches most of the site (one letter) costs a
 * comparison per match, not a sort of every match. `admits` is checked before a candidate is allocated.
 */
class TopCandidates {
  readonly items: Candidate[] = [];
  constructor(private readonly limit: number) {}

  admits(rank: number, kind: InspectKind, id: string): boolean {
    const worst = this.items[this.limit - 1];
    return worst === undefined || (rank - worst.rank || KIND_ORDER[kind] - KIND_ORDER[worst.kind] || byString(id, worst.id)) < 0;
  }

  add(candidate: Candidate): void {
    let i = this.items.length;
    while (i > 0 && compareCandidates(candidate, this.items[i - 1] as Candidate) < 0) i--;
    this.items.splice(i, 0, candidate);
    if (this.items.length > this.limit) this.items.pop();
  }
}

/** A SKU's place is its fullest bin, if any holds it. */
function skuPlace(twin: TwinState, tenantId: TenantId, skuId: SkuId): { x: number; y: number } | undefined {
  let place: { x: number; y: number; onHand: number } | undefined;
  for (const key of twin.quantsBySku.get(skuKey(tenantId, skuId)) ?? []) {
    const quant = twin.quants.get(key);
    const loc = quant && twin.locationsById.get(quant.locationId);
    if (quant && loc && (place === undefined || quant.onHand > place.onHand)) place = { x: loc.x, y: loc.y, onHand: quant.onHand };
  }
  return place && { x: place.x, y: place.y };
}

/**
 * Up to `limit` hits for `query` (case-insensitive): locations by id prefix, SKUs by id, barcode or description,
 * orders by id or external reference, operatives by id or name. Exact matches first, then prefixes, then substrings;
 * within a rank by kind (location, SKU, order, operative), then id. A blank query finds nothing.
 */
export function searchFloor(twin: TwinState, query: string, limit = SEARCH_LIMIT): SearchHit[] {
  const q = query.trim().toLowerCase();
  if (q === '' || limit <= 0) return [];
  const top = new TopCandidates(limit);
  for (const loc of twin.site.layout.locations) {
    const rank = matchRank(loc.id, q, true);
    if (rank >= 0 && top.admits(rank, 'location', loc.id))
      top.add({ rank, kind: 'location', id: loc.id, build: () => ({ kind: 'location', id: loc.id, label: `${loc.id} · aisle ${loc.aisle}, bay ${loc.bay}, level ${loc.level}`, x: loc.x, y: loc.y }) });
  }
  for (const sku of twin.skusById.values()) {
    const rank = better(better(matchRank(sku.id, q), matchRank(sku.barcode, q)), matchRank(sku.description, q));
    if (rank < 0 || !top.admits(rank, 'sku', sku.id)) continue;
    top.add({
      rank,
      kind: 'sku',
      id: sku.id,
      build: () => ({ kind: 'sku', id: sku.id, label: `${sku.id} · ${sku.description} (${sku.tenantId})`, ...skuPlace(twin, sku.tenantId, sku.id) }),
    });
  }
  for (const order of twin.orders.values()) {
    const rank = better(matchRank(order.id, q), matchRank(order.externalRef, q));
    if (rank < 0 || !top.admits(rank, 'order', order.id)) continue;
    top.add({
      rank,
      kind: 'order',
      id: order.id,
      build: () => {
        const ref = order.externalRef === null ? '' : ` · ${order.externalRef}`;
        return { kind: 'order', id: order.id, label: `${order.id}${ref} · ${order.status}`, ...orderPlace(twin, order) };
      },
    });
  }
  for (const op of twin.operatives.values()) {
    const rank = better(matchRank(op.id, q), matchRank(op.name, q));
    if (rank < 0 || !top.admits(rank, 'operative', op.id)) continue;
    top.add({ rank, kind: 'operative', id: op.id, build: () => ({ kind: 'operative', id: op.id, label: `${op.name} (${op.id}) · ${op.activity}`, x: op.position.x, y: op.position.y }) });
  }
  return top.items.map((c) => c.build());
}

/** True when the operative is idle with no open task (what the idle alert is about). */
export function isIdleWithoutWork(twin: TwinState, operativeId: OperativeId): boolean {
  const op = twin.operatives.get(operativeId);
  return op !== undefined && op.activity === 'idle' && op.taskIds.length === 0;
}

/**
 * Keeps `idleSince` (operative → twin time since when they have been idle with no task) up to date for the operatives
 * an event touched at twin time `at`: starts the clock when the condition begins, clears it when it ends or the
 * operative leaves. The caller owns the map (an adapter watching the runner); the core tracks nothing.
 */
export function noteIdle(idleSince: Map<OperativeId, EpochMs>, twin: TwinState, operativeIds: Iterable<OperativeId>, at: EpochMs): void {
  for (const id of operativeIds) {
    if (!isIdleWithoutWork(twin, id)) idleSince.delete(id);
    else if (!idleSince.has(id)) idleSince.set(id, at);
  }
}

const SEVERITY_RANK: Record<AlertSeverity, number> = { critical: 0, warning: 1, info: 2 };

/** "12 min", "1 h 5 min" for a positive duration in ms (rounded down to the minute; under a minute is "<1 min"). */
export function formatMinutes(ms: number): string {
  const minutes = Math.floor(Math.abs(ms) / 60_000);
  if (minutes < 1) return '<1 min';
  if (minutes < 60) return `${minutes} min`;
  const m = minutes % 60;
  return m === 0 ? `${Math.floor(minutes / 60)} h` : `${Math.floor(minutes / 60)} h ${m} min`;
}

/** Options of `floorAlerts`. */
export interface AlertOptions {
  /** Twin time to judge cut-offs and idleness against; default `twin.now`. */
  readonly now?: EpochMs;
  /**
   * Since when each operative has been idle with no task (see `noteIdle`). Given: only those idle longer than
   * `IDLE_ALERT_MS` are reported. Absent: every operative idle with no task is reported (the core keeps no "since").
   */
  readonly idleSince?: ReadonlyMap<OperativeId, EpochMs>;
}

/** An alert before its message is written: sorting needs only severity, time and id. */
interface AlertCandidate {
  readonly id: string;
  readonly severity: AlertSeverity;
  readonly at: number;
  readonly build: () => FloorAlert;
}

function cutoffAlerts(twin: TwinState, now: number, out: AlertCandidate[]): void {
  const depot = twin.site.layout.depot;
  for (const order of twin.orders.values()) {
    const dueAt = order.dueAt;
    if (dueAt === null || !isLiveOrder(order) || dueAt - now > CUTOFF_WARNING_MS) continue;
    const late = dueAt <= now;
    const severity = late ? 'critical' : 'warning';
    out.push({
      id: `cutoff:${order.id}`,
      severity,
      at: dueAt,
      build: () => {
        const place = orderPlace(twin, order) ?? (order.status === 'picked' || order.status === 'packed' ? depot : undefined);
        const ref = order.externalRef === null ? '' : ` (${order.externalRef})`;
        const when = late ? `missed its cut-off by ${formatMinutes(now - dueAt)}` : `cut-off in ${formatMinutes(dueAt - now)}`;
        return {
          id: `cutoff:${order.id}`,
          kind: 'cutoff',
          severity,
          message: `Order ${order.id}${ref} ${when}, still ${order.status}`,
          x: place?.x ?? null,
          y: place?.y ?? null,
          ref: { kind: 'order', id: order.id },
          at: dueAt,
        };
      },
    });
  }
}

function stockoutAlerts(twin: TwinState, out: AlertCandidate[]): void {
  // Open demand per (tenant, SKU): unallocated units of open orders, backordered units of allocated/released ones.
  const demand = new Map<string, { tenantId: TenantId; skuId: SkuId; units: number; orders: Set<OrderId>; since: number }>();
  for (const order of twin.orders.values()) {
    if (order.status !== 'open' && order.status !== 'allocated' && order.status !== 'released') continue;
    for (const line of order.lines) {
      const units = order.status === 'open' ? Math.max(0, line.qty - line.allocated - line.cancelled) : line.backordered;
      if (units <= 0) continue;
      const key = skuKey(order.tenantId, line.skuId);
      let d = demand.get(key);
      if (d === undefined) demand.set(key, (d = { tenantId: order.tenantId, skuId: line.skuId, units: 0, orders: new Set(), since: order.createdAt }));
      d.units += units;
      d.orders.add(order.id);
      d.since = Math.min(d.since, order.createdAt);
    }
  }
  for (const [key, d] of demand) {
    if (availableOf(twin, d.tenantId, d.skuId) > 0) continue;
    const id = `stockout:${d.tenantId}|${d.skuId}`;
    out.push({
      id,
      severity: 'warning',
      at: d.since,
      build: () => {
        // Fly to a bin that holds it (all reserved), if any; a SKU in no bin has no place.
        let place: { x: number; y: number } | undefined;
        for (const qk of twin.quantsBySku.get(key) ?? []) {
          const quant = twin.quants.get(qk);
          const loc = quant && twin.locationsById.get(quant.locationId);
          if (loc !== undefined) {
            place = { x: loc.x, y: loc.y };
            break;
          }
        }
        const orders = d.orders.size === 1 ? '1 order' : `${d.orders.size} orders`;
        return {
          id,
          kind: 'stockout',
          severity: 'warning',
          message: `${d.skuId} (${d.tenantId}) has none available; ${orders} need ${d.units} unit${d.units === 1 ? '' : 's'}`,
          x: place?.x ?? null,
          y: place?.y ?? null,
          ref: { kind: 'sku', id: d.skuId },
          at: d.since,
        };
      },
    });
  }
}

function shortPickAlerts(twin: TwinState, out: AlertCandidate[]): void {
  for (const request of twin.countRequests.values()) {
    const id = `shortPick:${request.locationId}`;
    out.push({
      id,
      severity: 'warning',
      at: request.at,
      build: () => {
        const loc = twin.locationsById.get(request.locationId);
        const task = request.taskId === null ? '' : ` (task ${request.taskId})`;
        return {
          id,
          kind: 'shortPick',
          severity: 'warning',
          message: `Count ${request.locationId}: ${request.reason}${task}`,
          x: loc?.x ?? null,
          y: loc?.y ?? null,
          ref: { kind: 'location', id: request.locationId },
          at: request.at,
        };
      },
    });
  }
}

function idleAlerts(twin: TwinState, now: number, idleSince: ReadonlyMap<OperativeId, EpochMs> | undefined, out: AlertCandidate[]): void {
  for (const op of twin.operatives.values()) {
    if (!isIdleWithoutWork(twin, op.id)) continue;
    const since = idleSince?.get(op.id);
    if (idleSince !== undefined && (since === undefined || now - since <= IDLE_ALERT_MS)) continue;
    const id = `idle:${op.id}`;
    const at = since ?? now;
    out.push({
      id,
      severity: 'info',
      at,
      build: () => ({
        id,
        kind: 'idle',
        severity: 'info',
        message: since === undefined ? `${op.name} is idle with no task` : `${op.name} has been idle with no task for ${formatMinutes(now - since)}`,
        x: op.position.x,
        y: op.position.y,
        ref: { kind: 'operative', id: op.id },
        at,
      }),
    });
  }
}

/** The alerts' sort keys, unsorted; messages are written by `build`. */
function alertCandidates(twin: TwinState, options: AlertOptions): AlertCandidate[] {
  const now = options.now ?? twin.now;
  const out: AlertCandidate[] = [];
  cutoffAlerts(twin, now, out);
  stockoutAlerts(twin, out);
  shortPickAlerts(twin, out);
  idleAlerts(twin, now, options.idleSince, out);
  return out;
}

/** Most severe first, then newest, then id: the order the alert list shows. */
export function compareAlerts(a: Pick<FloorAlert, 'severity' | 'at' | 'id'>, b: Pick<FloorAlert, 'severity' | 'at' | 'id'>): number {
  return SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || b.at - a.at || byString(a.id, b.id);
}

/** The first `limit` alerts (see `compareAlerts`) and how many there are in all; only those answered are written. */
export function topAlerts(twin: TwinState, limit: number, options: AlertOptions = {}): { total: number; alerts: FloorAlert[] } {
  const candidates = alertCandidates(twin, options).sort(compareAlerts);
  return { total: candidates.length, alerts: candidates.slice(0, Math.max(0, limit)).map((c) => c.build()) };
}

/** Every alert on the floor now, most severe first, then newest (see `compareAlerts`). */
export function floorAlerts(twin: TwinState, options: AlertOptions = {}): FloorAlert[] {
  return alertCandidates(twin, options)
    .sort(compareAlerts)
    .map((c) => c.build());
}
