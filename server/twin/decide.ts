/** `decide`: turns a command into events or a domain error. Pure: reads the state, never changes it. Rules: SPEC.md. */
import type {
  AllocateOrder,
  Command,
  ConfirmPick,
  CreateOrder,
  DespatchOrder,
  MoveStock,
  PackOrder,
  ReceiveStock,
  ScannedItem,
  Address,
  ReleaseOrder,
  RequestWork,
  SetRoute,
  ShortPick,
  SignOff,
  SignOn,
  UpdatePosition,
} from './commands.ts';
import { decideBlockSegment, decideUnblockSegment } from './blocks.ts';
import { decideAssignWork, decideUnassignWork, holdsPushedWork, signOnProfile } from './work-assignment.ts';
import type { DomainError } from './errors.ts';
import { domainError } from './errors.ts';
import type { Allocation, OrderLine, TwinEvent } from './events.ts';
import type { EpochMs, LocationId, OperativeId, OrderId, SkuId, TaskId, TenantId } from './ids.ts';
import { DEFAULT_GS1, MAX_ORDER_LINES, externalKey, quantKey } from './keys.ts';
import type { Location } from './layout/types.ts';
import type { Sku } from './site.ts';
import type { OperativeState, OrderState, PickTask, TwinState } from './state.ts';
import { allocationsFor, tasksFor } from './allocation.ts';
import { buildSscc, gtinMatches, looksLikeGs1, parseGs1, ssccSerialCapacity } from './barcodes/gs1.ts';
import { decideCancel, decideExpire, decideLabel, decideReleaseWave } from './order-lifecycle.ts';
import { decideApproveCount, decideCreateCounts, decideRejectCount, decideStartCount, decideSubmitCount } from './counting.ts';
import { decideCloseAsn, decideCreateAsn, decideReceiveGoods, decideSetQcRule } from './goods-in.ts';
import {
  decideCancelTransfer,
  decideNoteTransferRefused,
  decideReturnRefusedTransfer,
  decideCloseTransfer,
  decideConfirmTransferReceipt,
  decideCreateTransfer,
  decideDespatchTransfer,
  decideExpectTransfer,
  decidePickTransferLine,
  decideReceiveTransfer,
} from './transfers.ts';
import { checkSerialsAt, checkSerialsInStock, noSerialsFor } from './serials.ts';
import { decideExpireLots, decidePlaceHold, decideReleaseHold, dockLocationId, freeOf, heldOf } from './stock-status.ts';
import { decideCloseRma, decideCreateRma, decideInspectReturn, decideReceiveReturn, returnsLocationId } from './returns.ts';
import {
  decideAssignMoveTask,
  decideCancelMoveTask,
  decideClearPickFace,
  decideCompleteMoveTask,
  decideCreateMoveTask,
  decideRequestMoveTask,
  decideSetPickFace,
  movingOf,
} from './move-tasks.ts';

/** Result of `decide`: the events to append and apply, or why the command was refused. */
export type Decision = { readonly ok: true; readonly events: TwinEvent[] } | { readonly ok: false; readonly error: DomainError };

/** What `decide` needs besides the state: the injected time stamped on every event. */
export interface DecideContext {
  readonly now: EpochMs;
}

const refuse = (error: DomainError): Decision => ({ ok: false, error });
const accept = (events: TwinEvent[]): Decision => ({ ok: true, events });
const settle = (out: TwinEvent[] | DomainError): Decision => (Array.isArray(out) ? accept(out) : refuse(out));

const isPositiveInt = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n > 0;
const EXPIRY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isValidDate(s: string): boolean {
  const m = EXPIRY_RE.exec(s);
  if (m === null) return false;
  const month = Number(m[2]);
  const day = Number(m[3]);
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

function badQty(what: string, qty: unknown): DomainError {
  return domainError('INVALID_QUANTITY', `${what} must be a positive whole number`, { qty });
}

/** [R1] location, SKU and tenant known; the SKU belongs to the tenant. */
function checkStockRefs(
  state: TwinState,
  tenantId: TenantId,
  skuId: SkuId,
  locationIds: readonly LocationId[],
): DomainError | Sku {
  if (!state.site.tenants.some((t) => t.id === tenantId)) {
    return domainError('UNKNOWN_TENANT', `unknown tenant ${tenantId}`, { tenantId });
  }
  for (const locationId of locationIds) {
    if (!state.locationsById.has(locationId)) {
      return domainError('UNKNOWN_LOCATION', `unknown location ${locationId}`, { locationId });
    }
  }
  const sku = state.skusById.get(skuId);
  if (sku === undefined) return domainError('UNKNOWN_SKU', `unknown SKU ${skuId}`, { skuId });
  if (sku.tenantId !== tenantId) {
    return domainError('TENANT_MISMATCH', `SKU ${skuId} belongs to another tenant`, { skuId, tenantId });
  }
  return sku;
}

/** [R4][R5] the bin may take `qty` more units of (tenant, sku, lot, expiry). */
function checkPutaway(
  state: TwinState,
  location: Location,
  tenantId: TenantId,
  skuId: SkuId,
  lot: string,
  expiry: string | null,
  qty: number,
): DomainError | null {
  // [R62] a pick face takes only its own SKU, even while empty.
  const face = state.pickFaces.get(location.id);
  if (face !== undefined && (face.tenantId !== tenantId || face.skuId !== skuId)) {
    return domainError('INVALID_STATE', `location ${location.id} is the pick face of ${face.skuId} of ${face.tenantId}`, {
      locationId: location.id,
      heldSkuId: face.skuId,
      heldTenantId: face.tenantId,
    });
  }
  let onHand = 0;
  for (const key of state.quantsByLocation.get(location.id) ?? []) {
    const q = state.quants.get(key);
    if (q === undefined) continue;
    if (q.tenantId !== tenantId || q.skuId !== skuId) {
      return domainError('INVALID_STATE', `location ${location.id} already holds ${q.skuId} of ${q.tenantId}`, {
        locationId: location.id,
        heldSkuId: q.skuId,
        heldTenantId: q.tenantId,
      });
    }
    if (q.lot === lot && q.expiry !== expiry) {
      return domainError('INVALID_STATE', `lot ${lot} in ${location.id} has expiry ${q.expiry ?? 'none'}`, {
        locationId: location.id,
        lot,
        expiry: q.expiry,
      });
    }
    onHand += q.onHand;
  }
  if (onHand + qty > location.capacityUnits) {
    return domainError('CAPACITY_EXCEEDED', `location ${location.id} holds at most ${location.capacityUnits} units`, {
      locationId: location.id,
      capacityUnits: location.capacityUnits,
      onHand,
      qty,
    });
  }
  return null;
}

function decideReceive(state: TwinState, c: ReceiveStock, at: EpochMs): Decision {
  const sku = checkStockRefs(state, c.tenantId, c.skuId, [c.locationId]);
  if ('code' in sku) return refuse(sku);
  if (!isPositiveInt(c.qty)) return refuse(badQty('qty', c.qty));
  const lot = c.lot ?? '';
  const expiry = c.expiry === undefined || c.expiry === '' ? null : c.expiry;
  if (sku.lotTracked) {
    if (lot === '' || expiry === null) {
      return refuse(domainError('LOT_REQUIRED', `SKU ${sku.id} is lot-tracked: lot and expiry are required`, { skuId: sku.id }));
    }
    if (!isValidDate(expiry)) {
      return refuse(domainError('INVALID_STATE', `expiry must be YYYY-MM-DD`, { expiry }));
    }
  } else if (lot !== '' || expiry !== null) {
    return refuse(domainError('INVALID_STATE', `SKU ${sku.id} is not lot-tracked: no lot or expiry`, { skuId: sku.id }));
  }
  const location = state.locationsById.get(c.locationId) as Location;
  const err = checkPutaway(state, location, c.tenantId, c.skuId, lot, expiry, c.qty);
  if (err !== null) return refuse(err);
  return accept([
    { type: 'StockReceived', at, tenantId: c.tenantId, skuId: c.skuId, lot, expiry, locationId: c.locationId, qty: c.qty },
  ]);
}

function decideMove(state: TwinState, c: MoveStock, at: EpochMs): Decision {
  // Put-away starts at the dock (R44) or the returns desk (R53), which are not layout bins; nothing is moved onto them.
  const fromDock = c.fromLocationId === dockLocationId(state.site.id) || c.fromLocationId === returnsLocationId(state.site.id);
  const sku = checkStockRefs(state, c.tenantId, c.skuId, fromDock ? [c.toLocationId] : [c.fromLocationId, c.toLocationId]);
  if ('code' in sku) return refuse(sku);
  if (!isPositiveInt(c.qty)) return refuse(badQty('qty', c.qty));
  const lot = c.lot ?? '';
  if (sku.lotTracked && lot === '') {
    return refuse(domainError('LOT_REQUIRED', `SKU ${sku.id} is lot-tracked: say which lot to move`, { skuId: sku.id }));
  }
  if (c.fromLocationId === c.toLocationId) {
    return refuse(domainError('INVALID_STATE', 'source and target location are the same', { locationId: c.fromLocationId }));
  }
  const source = state.quants.get(quantKey(c.fromLocationId, c.tenantId, c.skuId, lot));
  // Held units stay where they are (R39): release the hold to move them.
  const available = source === undefined ? 0 : freeOf(state, source);
  if (source === undefined || available < c.qty) {
    return refuse(
      domainError('INSUFFICIENT_STOCK', `only ${available} available in ${c.fromLocationId}`, {
        locationId: c.fromLocationId,
        available,
        qty: c.qty,
      }),
    );
  }
  const target = state.locationsById.get(c.toLocationId) as Location;
  const err = checkPutaway(state, target, c.tenantId, c.skuId, lot, source.expiry, c.qty);
  if (err !== null) return refuse(err);
  // R80: a serial-tracked SKU moves with one serial per unit, each in stock at the source.
  const badSerial = sku.serialTracked === true ? checkSerialsAt(state, sku, lot, c.fromLocationId, c.qty, c.serials) : noSerialsFor(sku, c.serials);
  if (badSerial !== null) return refuse(badSerial);
  return accept([
    {
      type: 'StockMoved',
      at,
      tenantId: c.tenantId,
      skuId: c.skuId,
      lot,
      expiry: source.expiry,
      fromLocationId: c.fromLocationId,
      toLocationId: c.toLocationId,
      qty: c.qty,
      ...(sku.serialTracked === true ? { serials: [...(c.serials ?? [])] } : {}),
    },
  ]);
}

const MAX_TEXT = 200;
const isText = (v: unknown, max: number): v is string => typeof v === 'string' && v.trim().length > 0 && v.length <= max;

/** [R7] a delivery address names a recipient, a street, a town, a postcode and an ISO country. */
function checkAddress(a: Address): DomainError | null {
  for (const field of ['name', 'line1', 'city', 'postcode'] as const) {
    if (!isText(a[field], MAX_TEXT)) return domainError('INVALID_STATE', `shipTo.${field} must be 1 to ${MAX_TEXT} characters`, { field });
  }
  if (typeof a.country !== 'string' || !/^[A-Z]{2}$/.test(a.country)) {
    return domainError('INVALID_STATE', 'shipTo.country must be an ISO 3166 alpha-2 code (e.g. GB)', { country: a.country });
  }
  return null;
}

function decideCreateOrder(state: TwinState, c: CreateOrder, at: EpochMs): Decision {
  if (state.orders.has(c.orderId)) {
    return refuse(domainError('DUPLICATE_ORDER', `order ${c.orderId} already exists`, { orderId: c.orderId }));
  }
  if (!state.site.tenants.some((t) => t.id === c.tenantId)) {
    return refuse(domainError('UNKNOWN_TENANT', `unknown tenant ${c.tenantId}`, { tenantId: c.tenantId }));
  }
  const channel = c.channel ?? 'api';
  if (!isText(channel, 64)) return refuse(domainError('INVALID_STATE', 'channel must be 1 to 64 characters', { channel }));
  if (c.externalRef !== undefined) {
    if (!isText(c.externalRef, MAX_TEXT)) return refuse(domainError('INVALID_STATE', `externalRef must be 1 to ${MAX_TEXT} characters`, {}));
    const existing = state.ordersByExternal.get(externalKey(c.tenantId, channel, c.externalRef));
    if (existing !== undefined) {
      return refuse(
        domainError('DUPLICATE_ORDER', `${channel} order ${c.externalRef} is already order ${existing}`, {
          orderId: existing,
          channel,
          externalRef: c.externalRef,
        }),
      );
    }
  }
  if (c.lines.length === 0 || c.lines.length > MAX_ORDER_LINES) {
    return refuse(
      domainError('INVALID_QUANTITY', `an order has 1 to ${MAX_ORDER_LINES} lines`, { lines: c.lines.length }),
    );
  }
  const priority = c.priority ?? 0;
  if (typeof priority !== 'number' || !Number.isFinite(priority)) {
    return refuse(domainError('INVALID_QUANTITY', 'priority must be a finite number', { priority }));
  }
  if (c.shipTo !== undefined) {
    const bad = checkAddress(c.shipTo);
    if (bad !== null) return refuse(bad);
  }
  if (c.service !== undefined && !isText(c.service, 32)) return refuse(domainError('INVALID_STATE', 'service must be 1 to 32 characters', {}));
  if (c.dueAt !== undefined && !Number.isSafeInteger(c.dueAt)) {
    return refuse(domainError('INVALID_STATE', 'dueAt must be a time in epoch milliseconds', { dueAt: c.dueAt }));
  }
  const lines: OrderLine[] = [];
  for (let i = 0; i < c.lines.length; i++) {
    const input = c.lines[i];
    if (input === undefined) continue;
    const sku = state.skusById.get(input.skuId);
    if (sku === undefined) return refuse(domainError('UNKNOWN_SKU', `unknown SKU ${input.skuId}`, { lineNo: i + 1, skuId: input.skuId }));
    if (sku.tenantId !== c.tenantId) {
      return refuse(
        domainError('TENANT_MISMATCH', `SKU ${input.skuId} belongs to another tenant`, { lineNo: i + 1, skuId: input.skuId }),
      );
    }
    if (!isPositiveInt(input.qty)) {
      return refuse(domainError('INVALID_QUANTITY', `line ${i + 1}: qty must be a positive whole number`, { lineNo: i + 1, qty: input.qty }));
    }
    lines.push({ lineNo: i + 1, skuId: input.skuId, qty: input.qty });
  }
  return accept([
    {
      type: 'OrderCreated',
      at,
      orderId: c.orderId,
      tenantId: c.tenantId,
      externalRef: c.externalRef ?? null,
      lines,
      priority,
      channel,
      shipTo: c.shipTo === undefined ? null : { ...c.shipTo },
      service: c.service ?? null,
      dueAt: c.dueAt ?? null,
    },
  ]);
}

/** Longest reservation hold: a week. */
const MAX_HOLD_MS = 7 * 24 * 3_600_000;

/**
 * [R8]–[R12] Allocates an open order; or [R12] refills the backorders of an allocated or released order (partial:
 * what is there now), whose new tasks are released at once when the order already is.
 */
function decideAllocate(state: TwinState, c: AllocateOrder, at: EpochMs): Decision {
  const order = state.orders.get(c.orderId);
  if (order === undefined) return refuse(domainError('UNKNOWN_ORDER', `unknown order ${c.orderId}`, { orderId: c.orderId }));
  const refill = (order.status === 'allocated' || order.status === 'released') && order.lines.some((l) => l.backordered > 0);
  if (order.status !== 'open' && !refill) {
    return refuse(domainError('INVALID_STATE', `order ${order.id} is ${order.status}, not open`, { status: order.status }));
  }
  if (c.ttlMs !== undefined && (!isPositiveInt(c.ttlMs) || c.ttlMs > MAX_HOLD_MS)) {
    return refuse(domainError('INVALID_QUANTITY', `ttlMs must be a whole number of ms from 1 to ${MAX_HOLD_MS}`, { ttlMs: c.ttlMs }));
  }
  const policy = refill ? 'partial' : (c.policy ?? 'all-or-nothing');
  const taken = new Map<string, number>();
  const allocations: Allocation[] = [];
  const backordered: { lineNo: number; qty: number }[] = [];
  const short: { lineNo: number; skuId: SkuId; requested: number; available: number }[] = [];
  for (const line of order.lines) {
    const need = refill ? line.backordered : line.qty - line.allocated - line.backordered - line.cancelled;
    if (need <= 0) continue;
    // R65: a refill of backordered units may take stock waiting on the dock (cross-dock), after the bins.
    const got = allocationsFor(state, order, line, need, taken, undefined, refill);
    allocations.push(...got);
    const gotQty = got.reduce((n, a) => n + a.qty, 0);
    if (refill) {
      if (gotQty > 0) backordered.push({ lineNo: line.lineNo, qty: -gotQty });
    } else if (gotQty < need) {
      short.push({ lineNo: line.lineNo, skuId: line.skuId, requested: need, available: gotQty });
      backordered.push({ lineNo: line.lineNo, qty: need - gotQty });
    }
  }
  if ((policy === 'all-or-nothing' && short.length > 0) || allocations.length === 0) {
    return refuse(domainError('OUT_OF_STOCK', `order ${order.id} cannot be allocated`, { orderId: order.id, policy, lines: short }));
  }
  const holdUntil = !refill && c.ttlMs !== undefined ? ((at + c.ttlMs) as EpochMs) : null;
  const events: TwinEvent[] = [{ type: 'OrderAllocated', at, orderId: order.id, allocations, backordered, holdUntil }];
  if (order.status === 'released') events.push({ type: 'OrderReleased', at, orderId: order.id, tasks: tasksFor(order, allocations) });
  return accept(events);
}

function decideRelease(state: TwinState, c: ReleaseOrder, at: EpochMs): Decision {
  const order = state.orders.get(c.orderId);
  if (order === undefined) return refuse(domainError('UNKNOWN_ORDER', `unknown order ${c.orderId}`, { orderId: c.orderId }));
  if (order.status !== 'allocated') {
    return refuse(domainError('INVALID_STATE', `order ${order.id} is ${order.status}, not allocated`, { status: order.status }));
  }
  if (order.allocations.length === 0) {
    return refuse(domainError('INVALID_STATE', `order ${order.id} has nothing allocated`, { orderId: order.id }));
  }
  return accept([{ type: 'OrderReleased', at, orderId: order.id, tasks: tasksFor(order, order.allocations) }]);
}

function decideSignOn(state: TwinState, c: SignOn, at: EpochMs): Decision {
  if (state.operatives.has(c.operativeId)) {
    return refuse(domainError('ALREADY_SIGNED_ON', `operative ${c.operativeId} is already signed on`, { operativeId: c.operativeId }));
  }
  const profile = signOnProfile(c);
  if ('code' in profile) return refuse(profile);
  return accept([{ type: 'OperativeSignedOn', at, operativeId: c.operativeId, name: c.name, zones: profile.zones, skills: profile.skills }]);
}

function signedOn(state: TwinState, operativeId: OperativeId): OperativeState | DomainError {
  return (
    state.operatives.get(operativeId) ??
    domainError('OPERATIVE_NOT_SIGNED_ON', `operative ${operativeId} is not signed on`, { operativeId })
  );
}

function decideSignOff(state: TwinState, c: SignOff, at: EpochMs): Decision {
  const op = signedOn(state, c.operativeId);
  if ('code' in op) return refuse(op);
  return accept([{ type: 'OperativeSignedOff', at, operativeId: op.id, unassignedTaskIds: [...op.taskIds] }]);
}

function decideUpdatePosition(state: TwinState, c: UpdatePosition, at: EpochMs): Decision {
  const op = signedOn(state, c.operativeId);
  if ('code' in op) return refuse(op);
  if (!Number.isFinite(c.position.x) || !Number.isFinite(c.position.y)) {
    return refuse(domainError('INVALID_QUANTITY', 'position must be finite floor metres', { position: c.position }));
  }
  return accept([
    {
      type: 'OperativeMoved',
      at,
      operativeId: op.id,
      position: { x: c.position.x, y: c.position.y },
      activity: c.activity ?? op.activity,
    },
  ]);
}

/** Released tasks of an order, in task order. */
function releasedTasks(state: TwinState, order: OrderState): TaskId[] {
  const out: TaskId[] = [];
  for (const id of order.taskIds) if (state.tasks.get(id)?.status === 'released') out.push(id);
  return out;
}

/** Batch of an order's released tasks, or null (R31). */
function batchOf(state: TwinState, order: OrderState): string | null {
  for (const id of order.taskIds) {
    const task = state.tasks.get(id);
    if (task?.status === 'released') return task.batchId;
  }
  return null;
}

/**
 * [R16] Assigns whole orders from the release queue; [R31] a batch goes as one unit (all its queued orders, at the
 * position of its first), so small orders released together are picked in one trip.
 */
function decideRequestWork(state: TwinState, c: RequestWork, at: EpochMs): Decision {
  const op = signedOn(state, c.operativeId);
  if ('code' in op) return refuse(op);
  if (!isPositiveInt(c.maxTasks)) return refuse(badQty('maxTasks', c.maxTasks));
  // [R68] Work pushed to the operative comes first: they get nothing more until it is done or taken back.
  if (holdsPushedWork(state, op)) return accept([]);
  const taskIds: TaskId[] = [];
  const seenBatches = new Set<string>();
  const queue = state.releaseQueue;
  for (let i = 0; i < queue.length; i++) {
    const order = state.orders.get(queue[i] as OrderId);
    if (order === undefined) continue;
    const batchId = batchOf(state, order);
    if (batchId !== null && seenBatches.has(batchId)) continue;
    const unit: TaskId[] = releasedTasks(state, order);
    if (batchId !== null) {
      seenBatches.add(batchId);
      for (let j = i + 1; j < queue.length; j++) {
        const other = state.orders.get(queue[j] as OrderId);
        if (other !== undefined && batchOf(state, other) === batchId) unit.push(...releasedTasks(state, other));
      }
    }
    if (unit.length === 0) continue;
    if (taskIds.length + unit.length <= c.maxTasks) {
      taskIds.push(...unit);
      if (taskIds.length === c.maxTasks) break;
      continue;
    }
    // A unit bigger than a whole assignment is split; otherwise stop rather than jump the queue.
    if (taskIds.length === 0) taskIds.push(...unit.slice(0, c.maxTasks));
    break;
  }
  if (taskIds.length === 0) return accept([]);
  return accept([{ type: 'TasksAssigned', at, operativeId: op.id, taskIds }]);
}

/** [R17] the task exists and is assigned to this signed-on operative. */
function ownedTask(state: TwinState, taskId: TaskId, operativeId: OperativeId): PickTask | DomainError {
  const task = state.tasks.get(taskId);
  if (task === undefined) return domainError('UNKNOWN_TASK', `unknown task ${taskId}`, { taskId });
  const op = signedOn(state, operativeId);
  if ('code' in op) return op;
  if (task.status !== 'assigned' || task.operativeId !== operativeId) {
    return domainError('TASK_NOT_ASSIGNED', `task ${taskId} is not assigned to ${operativeId}`, {
      taskId,
      status: task.status,
      assignedTo: task.operativeId,
    });
  }
  return task;
}

/** True when every task of the order other than `taskId` is done. */
function isLastOpenTask(state: TwinState, order: OrderState, taskId: TaskId): boolean {
  for (const id of order.taskIds) {
    if (id === taskId) continue;
    const s = state.tasks.get(id)?.status;
    if (s === 'released' || s === 'assigned') return false;
  }
  return true;
}

/**
 * [R17] A resend of the scan that completed a task is acknowledged with no events; any other action on a done task
 * is TASK_DONE. Returns null when the task is open (the normal checks follow).
 */
function doneTask(state: TwinState, taskId: TaskId, scanId: string | undefined): Decision | null {
  const task = state.tasks.get(taskId);
  if (task === undefined || task.status === 'released' || task.status === 'assigned') return null;
  if (scanId !== undefined && task.scanId === scanId) return accept([]);
  return refuse(domainError('TASK_DONE', `task ${taskId} is already ${task.status}`, { taskId, status: task.status }));
}

const MAX_SCAN_ID = 128;

function checkScanIds(c: { readonly scanId?: string; readonly deviceId?: string }): DomainError | null {
  if (c.scanId !== undefined && !isText(c.scanId, MAX_SCAN_ID)) return domainError('INVALID_STATE', `scanId must be 1 to ${MAX_SCAN_ID} characters`, {});
  if (c.deviceId !== undefined && !isText(c.deviceId, MAX_SCAN_ID)) return domainError('INVALID_STATE', `deviceId must be 1 to ${MAX_SCAN_ID} characters`, {});
  return null;
}

/**
 * [R17] What an item scan says: the SKU's own barcode, or a GS1 element string whose (01) GTIN is the SKU's barcode
 * and whose (10) lot, when present, is the task's lot. Returns null when it matches, else why not.
 */
export function itemScanProblem(state: TwinState, sku: Sku, lot: string, scanned: string): DomainError | null {
  const code = scanned.trim();
  if (code === sku.barcode) return null;
  if (!looksLikeGs1(code)) {
    return domainError('WRONG_ITEM_SCANNED', `scanned ${code}, not the barcode of ${sku.id}`, { skuId: sku.id, scanned: code });
  }
  const gs1 = parseGs1(code, { refYear: new Date(state.now).getUTCFullYear() });
  if (!gs1.ok) return domainError('WRONG_ITEM_SCANNED', `unreadable GS1 barcode: ${gs1.error}`, { skuId: sku.id, scanned: code });
  if (gs1.gtin === undefined || !gtinMatches(gs1.gtin, sku.barcode)) {
    return domainError('WRONG_ITEM_SCANNED', `scanned GTIN ${gs1.gtin ?? 'none'}, not ${sku.id} (${sku.barcode})`, {
      skuId: sku.id,
      scanned: code,
    });
  }
  if (gs1.lot !== undefined && lot !== '' && gs1.lot !== lot) {
    return domainError('WRONG_ITEM_SCANNED', `scanned lot ${gs1.lot}, the task is for lot ${lot}`, { skuId: sku.id, lot, scannedLot: gs1.lot });
  }
  return null;
}

function decideConfirmPick(state: TwinState, c: ConfirmPick, at: EpochMs): Decision {
  const bad = checkScanIds(c);
  if (bad !== null) return refuse(bad);
  const done = doneTask(state, c.taskId, c.scanId);
  if (done !== null) return done;
  const task = ownedTask(state, c.taskId, c.operativeId);
  if ('code' in task) return refuse(task);
  if (typeof c.scannedLocation !== 'string' || c.scannedLocation.trim() !== task.locationId) {
    return refuse(
      domainError('WRONG_LOCATION_SCANNED', `scanned ${String(c.scannedLocation)}, expected ${task.locationId}`, {
        expected: task.locationId,
        scanned: c.scannedLocation,
      }),
    );
  }
  const sku = state.skusById.get(task.skuId);
  if (sku === undefined || typeof c.scannedItem !== 'string') {
    return refuse(domainError('WRONG_ITEM_SCANNED', `no item scanned for ${task.skuId}`, { skuId: task.skuId }));
  }
  const wrongItem = itemScanProblem(state, sku, task.lot, c.scannedItem);
  if (wrongItem !== null) return refuse(wrongItem);
  if (c.qty !== task.qty) {
    return refuse(domainError('INVALID_QUANTITY', `confirm exactly ${task.qty}; use a short pick for fewer`, { qty: c.qty, taskQty: task.qty }));
  }
  // R78: a serial-tracked SKU is picked with one serial scanned per unit, each in stock here.
  const badSerial = sku.serialTracked === true ? checkSerialsInStock(state, sku, task.lot, task.qty, c.serials) : (c.serials ?? []).length > 0 ? domainError('INVALID_STATE', `SKU ${sku.id} is not serial-tracked: no serials`, { skuId: sku.id }) : null;
  if (badSerial !== null) return refuse(badSerial);
  const events: TwinEvent[] = [
    {
      type: 'PickConfirmed',
      at,
      taskId: task.id,
      orderId: task.orderId,
      operativeId: c.operativeId,
      locationId: task.locationId,
      tenantId: task.tenantId,
      skuId: task.skuId,
      lot: task.lot,
      expiry: task.expiry,
      qty: task.qty,
      scanId: c.scanId ?? null,
      deviceId: c.deviceId ?? null,
      ...(sku.serialTracked === true ? { serials: [...(c.serials ?? [])] } : {}),
    },
  ];
  const order = state.orders.get(task.orderId);
  if (order !== undefined && isLastOpenTask(state, order, task.id)) events.push({ type: 'OrderPicked', at, orderId: order.id });
  return accept(events);
}

/**
 * [R19] A short pick: found units to PACKING, the rest written off; the short units are re-allocated from other bins
 * (new released tasks in the same decision) or backordered; the bin gets a count request.
 */
function decideShortPick(state: TwinState, c: ShortPick, at: EpochMs): Decision {
  const bad = checkScanIds(c);
  if (bad !== null) return refuse(bad);
  const done = doneTask(state, c.taskId, c.scanId);
  if (done !== null) return done;
  const task = ownedTask(state, c.taskId, c.operativeId);
  if ('code' in task) return refuse(task);
  if (typeof c.foundQty !== 'number' || !Number.isSafeInteger(c.foundQty) || c.foundQty < 0 || c.foundQty >= task.qty) {
    return refuse(
      domainError('INVALID_QUANTITY', `found qty must be a whole number from 0 to ${task.qty - 1}`, {
        foundQty: c.foundQty,
        taskQty: task.qty,
      }),
    );
  }
  const shortQty = task.qty - c.foundQty;
  // R78: the units found of a serial-tracked SKU are scanned one serial each, like a confirmed pick.
  const shortSku = state.skusById.get(task.skuId);
  if (shortSku?.serialTracked === true) {
    const badSerial = checkSerialsInStock(state, shortSku, task.lot, c.foundQty, c.serials);
    if (badSerial !== null) return refuse(badSerial);
  } else if ((c.serials ?? []).length > 0) {
    return refuse(domainError('INVALID_STATE', `SKU ${task.skuId} is not serial-tracked: no serials`, { skuId: task.skuId }));
  }
  const events: TwinEvent[] = [
    {
      type: 'PickShorted',
      at,
      taskId: task.id,
      orderId: task.orderId,
      operativeId: c.operativeId,
      locationId: task.locationId,
      tenantId: task.tenantId,
      skuId: task.skuId,
      lot: task.lot,
      expiry: task.expiry,
      pickedQty: c.foundQty,
      shortQty,
      scanId: c.scanId ?? null,
      deviceId: c.deviceId ?? null,
      ...(shortSku?.serialTracked === true ? { serials: [...(c.serials ?? [])] } : {}),
    },
  ];
  const order = state.orders.get(task.orderId);
  let reallocated = false;
  if (order !== undefined) {
    // The shorted bin is suspect until counted, so the rest comes from other bins only.
    const allocations = allocationsFor(state, order, { lineNo: task.lineNo, skuId: task.skuId }, shortQty, new Map(), task.locationId);
    const got = allocations.reduce((n, a) => n + a.qty, 0);
    const backordered = got < shortQty ? [{ lineNo: task.lineNo, qty: shortQty - got }] : [];
    if (allocations.length > 0 || backordered.length > 0) {
      events.push({ type: 'OrderAllocated', at, orderId: order.id, allocations, backordered, holdUntil: null });
    }
    if (allocations.length > 0) {
      events.push({ type: 'OrderReleased', at, orderId: order.id, tasks: tasksFor(order, allocations) });
      reallocated = true;
    }
  }
  events.push({ type: 'CountRequested', at, locationId: task.locationId, reason: 'short pick', taskId: task.id });
  if (order !== undefined && !reallocated && isLastOpenTask(state, order, task.id)) events.push({ type: 'OrderPicked', at, orderId: order.id });
  return accept(events);
}

/** Longest routing-method name a route may carry. */
const MAX_METHOD_LENGTH = 64;

/**
 * [R27] A route lists exactly the operative's open assigned tasks, each once, in visit order; anything else is a
 * plan made against another task set and is refused so the planner re-plans.
 */
function decideSetRoute(state: TwinState, c: SetRoute, at: EpochMs): Decision {
  const op = signedOn(state, c.operativeId);
  if ('code' in op) return refuse(op);
  if (typeof c.distanceM !== 'number' || !Number.isFinite(c.distanceM) || c.distanceM < 0) {
    return refuse(domainError('INVALID_QUANTITY', 'distanceM must be a finite number of metres ≥ 0', { distanceM: c.distanceM }));
  }
  if (typeof c.method !== 'string' || c.method.length === 0 || c.method.length > MAX_METHOD_LENGTH) {
    return refuse(domainError('INVALID_STATE', `method must be 1 to ${MAX_METHOD_LENGTH} characters`, { method: c.method }));
  }
  if (op.taskIds.length === 0) {
    return refuse(domainError('INVALID_STATE', `operative ${op.id} has no open tasks to route`, { operativeId: op.id }));
  }
  const open = new Set(op.taskIds);
  const listed = new Set(c.taskIds);
  const stale = listed.size !== c.taskIds.length || listed.size !== open.size || c.taskIds.some((id) => !open.has(id));
  if (stale) {
    return refuse(
      domainError('INVALID_STATE', `route does not match the open tasks of ${op.id}`, {
        operativeId: op.id,
        openTaskIds: [...op.taskIds],
        taskIds: [...c.taskIds],
      }),
    );
  }
  return accept([
    { type: 'RoutePlanned', at, operativeId: op.id, taskIds: [...c.taskIds], distanceM: c.distanceM, method: c.method },
  ]);
}

/** [R20] The picked units per SKU of an order. */
function pickedBySku(order: OrderState): Map<SkuId, number> {
  const out = new Map<SkuId, number>();
  for (const l of order.lines) if (l.picked > 0) out.set(l.skuId, (out.get(l.skuId) ?? 0) + l.picked);
  return out;
}

/** [R20] Pack-station scans must add up to the picked units per SKU; codes are barcodes or GS1 strings. */
function packMismatch(state: TwinState, order: OrderState, scanned: readonly ScannedItem[]): DomainError | null {
  const expected = pickedBySku(order);
  const counted = new Map<SkuId, number>();
  const unknown: string[] = [];
  for (const item of scanned) {
    if (typeof item.code !== 'string' || !isPositiveInt(item.qty)) {
      return domainError('INVALID_QUANTITY', 'each scanned item needs a code and a positive whole qty', { item });
    }
    let match: SkuId | undefined;
    for (const skuId of expected.keys()) {
      const sku = state.skusById.get(skuId);
      if (sku !== undefined && itemScanProblem(state, sku, '', item.code) === null) match = skuId;
    }
    if (match === undefined) unknown.push(item.code);
    else counted.set(match, (counted.get(match) ?? 0) + item.qty);
  }
  const differences: { skuId: SkuId; expected: number; scanned: number }[] = [];
  for (const [skuId, qty] of expected) {
    const got = counted.get(skuId) ?? 0;
    if (got !== qty) differences.push({ skuId, expected: qty, scanned: got });
  }
  if (differences.length === 0 && unknown.length === 0) return null;
  const parts = [
    ...differences.map((d) => `${d.skuId}: scanned ${d.scanned} of ${d.expected}`),
    ...unknown.map((code) => `${code} is not in this order`),
  ];
  return domainError('PACK_MISMATCH', `pack check failed: ${parts.join('; ')}`, { differences, unexpected: unknown });
}

function decidePack(state: TwinState, c: PackOrder, at: EpochMs): Decision {
  const order = state.orders.get(c.orderId);
  if (order === undefined) return refuse(domainError('UNKNOWN_ORDER', `unknown order ${c.orderId}`, { orderId: c.orderId }));
  if (order.status !== 'picked') {
    return refuse(domainError('INVALID_STATE', `order ${order.id} is ${order.status}, not picked`, { status: order.status }));
  }
  if (pickedBySku(order).size === 0) {
    return refuse(domainError('INVALID_STATE', `order ${order.id} has no picked units to pack; cancel it instead`, { orderId: order.id }));
  }
  if (c.cartonCode !== undefined && !isText(c.cartonCode, 32)) return refuse(domainError('INVALID_STATE', 'cartonCode must be 1 to 32 characters', {}));
  if (c.weightG !== undefined && (!isPositiveInt(c.weightG) || c.weightG > 1_000_000)) {
    return refuse(domainError('INVALID_QUANTITY', 'weightG must be a whole number of grams from 1 to 1,000,000', { weightG: c.weightG }));
  }
  if (c.scannedItems !== undefined) {
    const mismatch = packMismatch(state, order, c.scannedItems);
    if (mismatch !== null) return refuse(mismatch);
  }
  const gs1 = state.site.gs1 ?? DEFAULT_GS1;
  const serial = state.lastSsccSerial + 1;
  if (serial > ssccSerialCapacity(gs1.companyPrefix)) {
    return refuse(domainError('INVALID_STATE', `SSCC serials of prefix ${gs1.companyPrefix} are used up`, { companyPrefix: gs1.companyPrefix }));
  }
  return accept([
    {
      type: 'OrderPacked',
      at,
      orderId: order.id,
      sscc: buildSscc(gs1.extensionDigit, gs1.companyPrefix, serial),
      ssccSerial: serial,
      cartonCode: c.cartonCode ?? null,
      weightG: c.weightG ?? null,
    },
  ]);
}

function decideDespatch(state: TwinState, c: DespatchOrder, at: EpochMs): Decision {
  const order = state.orders.get(c.orderId);
  if (order === undefined) return refuse(domainError('UNKNOWN_ORDER', `unknown order ${c.orderId}`, { orderId: c.orderId }));
  if (order.status !== 'packed') {
    return refuse(domainError('INVALID_STATE', `order ${order.id} is ${order.status}, not packed`, { status: order.status }));
  }
  const closedBackorders = order.lines.filter((l) => l.backordered > 0).map((l) => ({ lineNo: l.lineNo, qty: l.backordered }));
  return accept([
    {
      type: 'OrderDespatched',
      at,
      orderId: order.id,
      carrier: c.carrier ?? order.carrier,
      trackingNumber: c.trackingNumber ?? order.trackingNumber,
      closedBackorders,
    },
  ]);
}

/**
 * [R39] A count's loss never takes held units: what would is deferred like a loss against reserved units (R37), so
 * the hold still covers stock that is there. Held units found missing are written off by releasing the hold first.
 */
function keepHeld(state: TwinState, out: TwinEvent[] | DomainError): TwinEvent[] | DomainError {
  if (!Array.isArray(out)) return out;
  return out.map((e) => {
    if (e.type !== 'CountAdjusted') return e;
    const adjustments = e.adjustments.map((a) => {
      if (a.qty >= 0) return a;
      const key = quantKey(e.locationId, a.tenantId, a.skuId, a.lot);
      const q = state.quants.get(key);
      const free = q === undefined ? 0 : Math.max(0, freeOf(state, q));
      // Units committed to a move task (R57) are kept like held ones: the task finds the bin short and says so.
      if (-a.qty <= free || heldOf(state, key) + movingOf(state, key) + (state.transferringByQuant.get(key) ?? 0) === 0) return a;
      return { ...a, qty: -free, deferred: a.variance + free };
    });
    return { ...e, adjustments };
  });
}

/**
 * Decides one command against the state: the events that carry it out (each stamped `at: ctx.now`), or a domain
 * error. Pure and deterministic: never mutates `state`, same inputs give the same events. A valid command that
 * changes nothing (requestWork with an empty queue) is `ok` with no events.
 */
export function decide(state: TwinState, command: Command, ctx: DecideContext): Decision {
  const at = ctx.now;
  switch (command.type) {
    case 'receiveStock':
      return decideReceive(state, command, at);
    case 'moveStock':
      return decideMove(state, command, at);
    case 'createOrder':
      return decideCreateOrder(state, command, at);
    case 'allocateOrder':
      return decideAllocate(state, command, at);
    case 'releaseOrder':
      return decideRelease(state, command, at);
    case 'signOn':
      return decideSignOn(state, command, at);
    case 'signOff':
      return decideSignOff(state, command, at);
    case 'updatePosition':
      return decideUpdatePosition(state, command, at);
    case 'requestWork':
      return decideRequestWork(state, command, at);
    case 'assignWork':
      return settle(decideAssignWork(state, command, at));
    case 'unassignWork':
      return settle(decideUnassignWork(state, command, at));
    case 'confirmPick':
      return decideConfirmPick(state, command, at);
    case 'shortPick':
      return decideShortPick(state, command, at);
    case 'setRoute':
      return decideSetRoute(state, command, at);
    case 'packOrder':
      return decidePack(state, command, at);
    case 'despatchOrder':
      return decideDespatch(state, command, at);
    case 'cancelOrder':
      return settle(decideCancel(state, command, at));
    case 'expireReservations':
      return accept(decideExpire(state, at));
    case 'releaseWave':
      return settle(decideReleaseWave(state, command, at));
    case 'labelShipment':
      return settle(decideLabel(state, command, at));
    case 'createCounts':
      return settle(decideCreateCounts(state, command, at));
    case 'startCount':
      return settle(decideStartCount(state, command, at));
    case 'submitCount':
      return settle(keepHeld(state, decideSubmitCount(state, command, at)));
    case 'approveCount':
      return settle(keepHeld(state, decideApproveCount(state, command, at)));
    case 'rejectCount':
      return settle(decideRejectCount(state, command, at));
    case 'placeHold':
      return settle(decidePlaceHold(state, command, at));
    case 'releaseHold':
      return settle(decideReleaseHold(state, command, at));
    case 'expireLots':
      return settle(decideExpireLots(state, command, at));
    case 'createAsn':
      return settle(decideCreateAsn(state, command, at));
    case 'receiveGoods':
      return settle(decideReceiveGoods(state, command, at));
    case 'closeAsn':
      return settle(decideCloseAsn(state, command, at));
    case 'setQcRule':
      return settle(decideSetQcRule(state, command, at));
    case 'createRma':
      return settle(decideCreateRma(state, command, at));
    case 'receiveReturn':
      return settle(decideReceiveReturn(state, command, at));
    case 'inspectReturn':
      return settle(decideInspectReturn(state, command, at));
    case 'closeRma':
      return settle(decideCloseRma(state, command, at));
    case 'createMoveTask':
      return settle(decideCreateMoveTask(state, command, at));
    case 'requestMoveTask':
      return settle(decideRequestMoveTask(state, command, at));
    case 'assignMoveTask':
      return settle(decideAssignMoveTask(state, command, at));
    case 'completeMoveTask':
      return settle(decideCompleteMoveTask(state, command, at));
    case 'cancelMoveTask':
      return settle(decideCancelMoveTask(state, command, at));
    case 'setPickFace':
      return settle(decideSetPickFace(state, command, at));
    case 'clearPickFace':
      return settle(decideClearPickFace(state, command, at));
    case 'createTransfer':
      return settle(decideCreateTransfer(state, command, at));
    case 'pickTransferLine':
      return settle(decidePickTransferLine(state, command, at));
    case 'despatchTransfer':
      return settle(decideDespatchTransfer(state, command, at));
    case 'cancelTransfer':
      return settle(decideCancelTransfer(state, command, at));
    case 'expectTransfer':
      return settle(decideExpectTransfer(state, command, at));
    case 'receiveTransfer':
      return settle(decideReceiveTransfer(state, command, at));
    case 'closeTransfer':
      return settle(decideCloseTransfer(state, command, at));
    case 'confirmTransferReceipt':
      return settle(decideConfirmTransferReceipt(state, command, at));
    case 'noteTransferRefused':
      return settle(decideNoteTransferRefused(state, command, at));
    case 'returnRefusedTransfer':
      return settle(decideReturnRefusedTransfer(state, command, at));
    case 'blockSegment':
    case 'unblockSegment': {
      const out = command.type === 'blockSegment' ? decideBlockSegment(state, command, at) : decideUnblockSegment(state, command, at);
      return Array.isArray(out) ? accept(out) : refuse(out);
    }
  }
}
