/**
 * Move tasks, pick faces, replenishment and cross-dock (R56–R66). A move task is directed work to move units of one
 * quant between locations with two scans (source, then target): put-away (dock → bin), replenishment (reserve → pick
 * face), reslotting (bin → bin) and restock (returns desk → bin). While a task is open its units are committed
 * (`movingByQuant`) and no longer free (stock-status.ts `freeOf`). `planReplenishment` is a pure planner: the core
 * issues no commands, adapters submit what it plans.
 */
import type {
  AssignMoveTask,
  CancelMoveTask,
  ClearPickFace,
  CompleteMoveTask,
  CreateMoveTask,
  RequestMoveTask,
  SetPickFace,
} from './commands.ts';
import type { DomainError } from './errors.ts';
import { domainError } from './errors.ts';
import type { TwinEvent } from './events.ts';
import type { EpochMs, FloorPoint, LocationId, OperativeId, SkuId, TenantId } from './ids.ts';
import { quantKey, skuKey } from './keys.ts';
import type { Location } from './layout/types.ts';
import type { MoveTask, MoveTaskKind, MoveTaskStatus, PickFace, Quant, TwinState } from './state.ts';
import { compareExpiry } from './allocation.ts';
import { dockLocationId, freeOf } from './stock-status.ts';
import { returnsLocationId } from './returns.ts';
import { checkSerialsAt, noSerialsFor } from './serials.ts';

export type { MoveTask, MoveTaskKind, MoveTaskStatus, PickFace } from './state.ts';
export { movingOf } from './stock-status.ts';

/** Every move task kind (R56). */
export const MOVE_TASK_KINDS: readonly MoveTaskKind[] = ['putaway', 'replenish', 'reslot', 'restock'];
/** Longest move task id. */
export const MAX_MOVE_TASK_ID = 128;
/** Longest reason (task, override, cancel). */
export const MAX_MOVE_REASON = 200;

const isText = (v: unknown, max: number): v is string => typeof v === 'string' && v.trim().length > 0 && v.length <= max;
const isPositiveInt = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n > 0;

/** True while a task still commits its units (R57). */
export const isOpenMoveTask = (t: Pick<MoveTask, 'status'>): boolean => t.status === 'open' || t.status === 'assigned';

/** Quant key of a task's source stock. */
export const moveTaskQuantKey = (t: Pick<MoveTask, 'fromLocationId' | 'tenantId' | 'skuId' | 'lot'>): string =>
  quantKey(t.fromLocationId, t.tenantId, t.skuId, t.lot);

/** The dock or the returns desk: physical stock outside the layout (R44, R51). */
function isDeskLocation(state: TwinState, id: string): boolean {
  return id === dockLocationId(state.site.id) || id === returnsLocationId(state.site.id);
}

/**
 * [R59] What a location scan names: a layout bin, the dock or the returns desk (labels are location ids; surrounding
 * spaces ignored), else null.
 */
export function resolveLocationScan(state: TwinState, scan: unknown): LocationId | null {
  if (typeof scan !== 'string') return null;
  const id = scan.trim() as LocationId;
  return state.locationsById.has(id) || isDeskLocation(state, id) ? id : null;
}

/** Where an operative stands to work at a location: a bin's access point; the dock and returns desk are at the depot. */
export function standingPoint(state: TwinState, locationId: LocationId): FloorPoint {
  const loc = state.locationsById.get(locationId);
  return loc === undefined ? state.site.layout.depot : loc.access;
}

const distance = (a: FloorPoint, b: FloorPoint): number => Math.hypot(a.x - b.x, a.y - b.y);

/** Units of open move tasks whose suggested target is `locationId`, and the (tenant, SKU)s they bring (R57, R61). */
function incomingAt(state: TwinState, locationId: LocationId, excludeTaskId?: string): { qty: number; owners: MoveTask[] } {
  let qty = 0;
  const owners: MoveTask[] = [];
  for (const t of state.moveTasks.values()) {
    if (!isOpenMoveTask(t) || t.suggestedToLocationId !== locationId || t.id === excludeTaskId) continue;
    qty += t.qty;
    owners.push(t);
  }
  return { qty, owners };
}

/** Stock of one (tenant, SKU, lot, expiry) that is to go into a bin. */
interface Incoming {
  readonly tenantId: TenantId;
  readonly skuId: SkuId;
  readonly lot: string;
  readonly expiry: string | null;
}

/** R4 at a target: another client's stock (or pick face, or incoming task) is CLIENT_MISMATCH, another SKU INVALID_STATE. */
function ownerProblem(locationId: LocationId, what: string, other: { tenantId: TenantId; skuId: SkuId }, s: Incoming): DomainError | null {
  if (other.tenantId !== s.tenantId) {
    return domainError('CLIENT_MISMATCH', `${locationId} ${what} stock of another client (${other.tenantId})`, {
      locationId,
      heldTenantId: other.tenantId,
      tenantId: s.tenantId,
    });
  }
  if (other.skuId !== s.skuId) {
    return domainError('INVALID_STATE', `${locationId} ${what} ${other.skuId}, not ${s.skuId}`, { locationId, heldSkuId: other.skuId, skuId: s.skuId });
  }
  return null;
}

/**
 * [R4][R5][R62] May `qty` units of `s` go into the layout bin `loc`? The bin's stock, its pick face and (when
 * `withIncoming`) the open tasks already heading there must be of the same (tenant, SKU); a lot keeps its expiry; the
 * units on hand (plus incoming) stay within `capacityUnits`.
 */
function targetProblem(state: TwinState, loc: Location, s: Incoming, qty: number, withIncoming: boolean, excludeTaskId?: string): DomainError | null {
  const face = state.pickFaces.get(loc.id);
  if (face !== undefined) {
    const bad = ownerProblem(loc.id, 'is the pick face of', face, s);
    if (bad !== null) return bad;
  }
  let onHand = 0;
  for (const key of state.quantsByLocation.get(loc.id) ?? []) {
    const q = state.quants.get(key);
    if (q === undefined) continue;
    const bad = ownerProblem(loc.id, 'holds', q, s);
    if (bad !== null) return bad;
    if (q.lot === s.lot && q.expiry !== s.expiry) {
      return domainError('INVALID_STATE', `lot ${s.lot} in ${loc.id} has expiry ${q.expiry ?? 'none'}`, { locationId: loc.id, lot: s.lot, expiry: q.expiry });
    }
    onHand += q.onHand;
  }
  let incoming = 0;
  if (withIncoming) {
    const inc = incomingAt(state, loc.id, excludeTaskId);
    for (const t of inc.owners) {
      const bad = ownerProblem(loc.id, 'is the target of a move task with', t, s);
      if (bad !== null) return bad;
    }
    incoming = inc.qty;
  }
  if (onHand + incoming + qty > loc.capacityUnits) {
    return domainError('CAPACITY_EXCEEDED', `location ${loc.id} holds at most ${loc.capacityUnits} units`, {
      locationId: loc.id,
      capacityUnits: loc.capacityUnits,
      onHand,
      incoming,
      qty,
    });
  }
  return null;
}

const sameTask = (t: MoveTask, c: CreateMoveTask): boolean =>
  t.kind === c.kind &&
  t.tenantId === c.tenantId &&
  t.skuId === c.skuId &&
  t.lot === (c.lot ?? '') &&
  t.fromLocationId === c.fromLocationId &&
  t.suggestedToLocationId === (c.toLocationId ?? null) &&
  t.qty === c.qty &&
  t.priority === (c.priority ?? 0) &&
  t.reason === (c.reason ?? null);

/**
 * [R56][R57] Creates a move task committing `qty` free units of one quant at the source. Checks in order: id
 * (INVALID_STATE; an existing id is no events with the same content, DUPLICATE_TASK with other), kind (INVALID_STATE),
 * qty/priority (INVALID_QUANTITY), reason (INVALID_STATE), tenant (UNKNOWN_TENANT), locations (UNKNOWN_LOCATION), SKU
 * (UNKNOWN_SKU, TENANT_MISMATCH), lot (LOT_REQUIRED), the kind's route (INVALID_STATE), free units (INSUFFICIENT_STOCK),
 * the suggested target (CLIENT_MISMATCH, INVALID_STATE, CAPACITY_EXCEEDED, counting what open tasks bring there).
 */
export function decideCreateMoveTask(state: TwinState, c: CreateMoveTask, at: EpochMs): TwinEvent[] | DomainError {
  if (!isText(c.taskId, MAX_MOVE_TASK_ID)) return domainError('INVALID_STATE', `taskId must be 1 to ${MAX_MOVE_TASK_ID} characters`, {});
  const existing = state.moveTasks.get(c.taskId);
  if (existing !== undefined) {
    if (sameTask(existing, c)) return [];
    return domainError('DUPLICATE_TASK', `move task ${c.taskId} already exists with other content`, { taskId: c.taskId });
  }
  if (!MOVE_TASK_KINDS.includes(c.kind)) return domainError('INVALID_STATE', `kind must be one of ${MOVE_TASK_KINDS.join(', ')}`, { kind: c.kind });
  if (!isPositiveInt(c.qty)) return domainError('INVALID_QUANTITY', 'qty must be a positive whole number', { qty: c.qty });
  const priority = c.priority ?? 0;
  if (typeof priority !== 'number' || !Number.isFinite(priority)) return domainError('INVALID_QUANTITY', 'priority must be a finite number', { priority });
  if (c.reason !== undefined && !isText(c.reason, MAX_MOVE_REASON)) return domainError('INVALID_STATE', `reason must be 1 to ${MAX_MOVE_REASON} characters`, {});
  if (!state.site.tenants.some((t) => t.id === c.tenantId)) return domainError('UNKNOWN_TENANT', `unknown tenant ${c.tenantId}`, { tenantId: c.tenantId });
  for (const id of [c.fromLocationId, c.toLocationId]) {
    if (id !== undefined && !state.locationsById.has(id) && !isDeskLocation(state, id)) {
      return domainError('UNKNOWN_LOCATION', `unknown location ${String(id)}`, { locationId: id });
    }
  }
  const sku = state.skusById.get(c.skuId);
  if (sku === undefined) return domainError('UNKNOWN_SKU', `unknown SKU ${c.skuId}`, { skuId: c.skuId });
  if (sku.tenantId !== c.tenantId) return domainError('TENANT_MISMATCH', `SKU ${c.skuId} belongs to another client`, { skuId: c.skuId, tenantId: c.tenantId });
  const lot = c.lot ?? '';
  if (sku.lotTracked && lot === '') return domainError('LOT_REQUIRED', `SKU ${sku.id} is lot-tracked: say which lot to move`, { skuId: sku.id });
  const routeBad = routeProblem(state, c);
  if (routeBad !== null) return routeBad;
  const source = state.quants.get(quantKey(c.fromLocationId, c.tenantId, c.skuId, lot));
  const free = source === undefined ? 0 : freeOf(state, source);
  if (source === undefined || free < c.qty) {
    return domainError('INSUFFICIENT_STOCK', `only ${free} free in ${c.fromLocationId}`, { locationId: c.fromLocationId, available: free, qty: c.qty });
  }
  if (c.toLocationId !== undefined) {
    const target = state.locationsById.get(c.toLocationId) as Location;
    const bad = targetProblem(state, target, { tenantId: c.tenantId, skuId: c.skuId, lot, expiry: source.expiry }, c.qty, true);
    if (bad !== null) return bad;
  }
  return [
    {
      type: 'MoveTaskCreated',
      at,
      taskId: c.taskId,
      kind: c.kind,
      tenantId: c.tenantId,
      skuId: c.skuId,
      lot,
      expiry: source.expiry,
      fromLocationId: c.fromLocationId,
      toLocationId: c.toLocationId ?? null,
      qty: c.qty,
      priority,
      reason: c.reason ?? null,
    },
  ];
}

/**
 * [R56] The kind's route: put-away starts at the dock, restock at the returns desk, replenish and reslot at a layout
 * bin; a replenish task names the SKU's pick face as target; the target is a layout bin other than the source.
 */
function routeProblem(state: TwinState, c: CreateMoveTask): DomainError | null {
  const from = c.fromLocationId;
  const to = c.toLocationId;
  const bad = (message: string): DomainError => domainError('INVALID_STATE', message, { kind: c.kind, fromLocationId: from, toLocationId: to ?? null });
  if (to !== undefined && to === from) return bad('source and target location are the same');
  if (to !== undefined && isDeskLocation(state, to)) return bad(`nothing is moved onto ${to}`);
  if (c.kind === 'putaway' && from !== dockLocationId(state.site.id)) return bad(`a put-away starts at the dock ${dockLocationId(state.site.id)}`);
  if (c.kind === 'restock' && from !== returnsLocationId(state.site.id)) return bad(`a restock starts at the returns desk ${returnsLocationId(state.site.id)}`);
  if ((c.kind === 'replenish' || c.kind === 'reslot') && !state.locationsById.has(from)) return bad(`a ${c.kind} task starts at a bin`);
  if (c.kind === 'replenish') {
    const face = to === undefined ? undefined : state.pickFaces.get(to);
    if (face === undefined || face.tenantId !== c.tenantId || face.skuId !== c.skuId) return bad(`a replenish task goes to a pick face of ${c.skuId}`);
    if (state.pickFaces.has(from)) return bad(`${from} is a pick face, not reserve`);
  }
  return null;
}

function signedOn(state: TwinState, operativeId: OperativeId): DomainError | null {
  return state.operatives.has(operativeId) ? null : domainError('OPERATIVE_NOT_SIGNED_ON', `operative ${operativeId} is not signed on`, { operativeId });
}

/** The operative's assigned move tasks, oldest first. */
export function moveTasksOf(state: TwinState, operativeId: OperativeId): MoveTask[] {
  return [...state.moveTasks.values()].filter((t) => t.status === 'assigned' && t.operativeId === operativeId);
}

/**
 * [R58] Aisles where an operative other than `except` holds an open assigned pick task: someone is picking there, so a
 * replenisher would be in their way.
 */
export function busyAisles(state: TwinState, except: OperativeId | null): Set<number> {
  const aisles = new Set<number>();
  for (const op of state.operatives.values()) {
    if (op.id === except) continue;
    for (const id of op.taskIds) {
      const loc = state.locationsById.get(state.tasks.get(id)?.locationId as LocationId);
      if (loc !== undefined) aisles.add(loc.aisle);
    }
  }
  return aisles;
}

/** Aisle a task works in: its pick face (the suggested target) for a replenish task, else its source; null off-layout. */
function aisleOf(state: TwinState, t: MoveTask): number | null {
  const id = t.kind === 'replenish' && t.suggestedToLocationId !== null ? t.suggestedToLocationId : t.fromLocationId;
  return state.locationsById.get(id)?.aisle ?? null;
}

/**
 * [R58] The open task an operative should do next: highest priority; then a replenish task in an aisle where nobody else
 * is picking before one where someone is; then the source nearest the operative; then oldest, then id. Null when none.
 */
export function nextMoveTask(state: TwinState, operativeId: OperativeId, kinds?: readonly MoveTaskKind[]): MoveTask | null {
  const op = state.operatives.get(operativeId);
  if (op === undefined) return null;
  const busy = busyAisles(state, operativeId);
  let best: MoveTask | null = null;
  let bestKey: [number, number, number, number, string] | null = null;
  for (const t of state.moveTasks.values()) {
    if (t.status !== 'open' || (kinds !== undefined && !kinds.includes(t.kind))) continue;
    const aisle = aisleOf(state, t);
    const collides = t.kind === 'replenish' && aisle !== null && busy.has(aisle) ? 1 : 0;
    const key: [number, number, number, number, string] = [-t.priority, collides, distance(op.position, standingPoint(state, t.fromLocationId)), t.createdAt, t.id];
    if (bestKey === null || compareKeys(key, bestKey) < 0) {
      best = t;
      bestKey = key;
    }
  }
  return best;
}

function compareKeys(a: readonly (number | string)[], b: readonly (number | string)[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number | string;
    const y = b[i] as number | string;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * [R58] Assigns the next open move task to a signed-on operative (OPERATIVE_NOT_SIGNED_ON; `kinds` known, else
 * INVALID_STATE). An operative already holding a move task, or no open task, decides no events.
 */
export function decideRequestMoveTask(state: TwinState, c: RequestMoveTask, at: EpochMs): TwinEvent[] | DomainError {
  const notOn = signedOn(state, c.operativeId);
  if (notOn !== null) return notOn;
  const kinds: unknown = c.kinds;
  const known = (k: unknown): boolean => typeof k === 'string' && (MOVE_TASK_KINDS as readonly string[]).includes(k);
  if (kinds !== undefined && (!Array.isArray(kinds) || !(kinds as readonly unknown[]).every(known))) {
    return domainError('INVALID_STATE', `kinds must be among ${MOVE_TASK_KINDS.join(', ')}`, { kinds: c.kinds });
  }
  if (moveTasksOf(state, c.operativeId).length > 0) return [];
  const task = nextMoveTask(state, c.operativeId, c.kinds);
  if (task === null) return [];
  return [{ type: 'MoveTaskAssigned', at, taskId: task.id, operativeId: c.operativeId }];
}

/**
 * [R58] Pushes an open task to a signed-on operative: UNKNOWN_TASK, OPERATIVE_NOT_SIGNED_ON, TASK_DONE (done or
 * cancelled), TASK_NOT_ASSIGNED (held by someone else); already theirs decides no events.
 */
export function decideAssignMoveTask(state: TwinState, c: AssignMoveTask, at: EpochMs): TwinEvent[] | DomainError {
  const task = state.moveTasks.get(c.taskId);
  if (task === undefined) return domainError('UNKNOWN_TASK', `unknown move task ${c.taskId}`, { taskId: c.taskId });
  const notOn = signedOn(state, c.operativeId);
  if (notOn !== null) return notOn;
  if (!isOpenMoveTask(task)) return domainError('TASK_DONE', `move task ${task.id} is ${task.status}`, { taskId: task.id, status: task.status });
  if (task.status === 'assigned') {
    if (task.operativeId === c.operativeId) return [];
    return domainError('TASK_NOT_ASSIGNED', `move task ${task.id} is assigned to ${String(task.operativeId)}`, { taskId: task.id, assignedTo: task.operativeId });
  }
  return [{ type: 'MoveTaskAssigned', at, taskId: task.id, operativeId: c.operativeId }];
}

/**
 * [R59] Completes a task with its two scans. Checks in order: scanId (INVALID_STATE); the task (UNKNOWN_TASK; done with
 * this scanId → no events; done or cancelled otherwise → TASK_DONE); the operative (OPERATIVE_NOT_SIGNED_ON,
 * TASK_NOT_ASSIGNED); the source scan (WRONG_LOCATION_SCANNED); the target scan (UNKNOWN_LOCATION; the dock, the
 * returns desk or the source → INVALID_STATE); qty 0…task qty (INVALID_QUANTITY); a target other than the suggestion
 * needs an override reason (OVERRIDE_REASON_REQUIRED); the target is not being counted (COUNT_IN_PROGRESS); R4/R5 and
 * pick faces at the target (CLIENT_MISMATCH, INVALID_STATE, CAPACITY_EXCEEDED). A short move requests a count of the
 * source bin.
 */
export function decideCompleteMoveTask(state: TwinState, c: CompleteMoveTask, at: EpochMs): TwinEvent[] | DomainError {
  if (!isText(c.scanId, 128)) return domainError('INVALID_STATE', 'scanId must be 1 to 128 characters', {});
  const task = state.moveTasks.get(c.taskId);
  if (task === undefined) return domainError('UNKNOWN_TASK', `unknown move task ${c.taskId}`, { taskId: c.taskId });
  if (task.status === 'done' && task.scanId === c.scanId) return [];
  if (!isOpenMoveTask(task)) return domainError('TASK_DONE', `move task ${task.id} is ${task.status}`, { taskId: task.id, status: task.status });
  const notOn = signedOn(state, c.operativeId);
  if (notOn !== null) return notOn;
  if (task.status !== 'assigned' || task.operativeId !== c.operativeId) {
    return domainError('TASK_NOT_ASSIGNED', `move task ${task.id} is not assigned to ${c.operativeId}`, { taskId: task.id, status: task.status, assignedTo: task.operativeId });
  }
  if (resolveLocationScan(state, c.fromScan) !== task.fromLocationId) {
    return domainError('WRONG_LOCATION_SCANNED', `scanned ${String(c.fromScan)}, the stock is at ${task.fromLocationId}`, { expected: task.fromLocationId, scanned: c.fromScan });
  }
  const to = resolveLocationScan(state, c.toScan);
  if (to === null) return domainError('UNKNOWN_LOCATION', `scanned ${String(c.toScan)}: no such location`, { scanned: c.toScan });
  if (to === task.fromLocationId || isDeskLocation(state, to)) {
    return domainError('INVALID_STATE', `cannot put the stock in ${to}`, { locationId: to, fromLocationId: task.fromLocationId });
  }
  const qty = c.qty ?? task.qty;
  if (typeof qty !== 'number' || !Number.isSafeInteger(qty) || qty < 0 || qty > task.qty) {
    return domainError('INVALID_QUANTITY', `qty must be a whole number from 0 to ${task.qty}`, { qty, taskQty: task.qty });
  }
  const overridden = task.suggestedToLocationId !== null && to !== task.suggestedToLocationId;
  if (c.overrideReason !== undefined && !isText(c.overrideReason, MAX_MOVE_REASON)) {
    return domainError('OVERRIDE_REASON_REQUIRED', `overrideReason must be 1 to ${MAX_MOVE_REASON} characters`, {});
  }
  if (overridden && c.overrideReason === undefined) {
    return domainError('OVERRIDE_REASON_REQUIRED', `${to} is not the suggested ${String(task.suggestedToLocationId)}: give a reason`, {
      suggested: task.suggestedToLocationId,
      scanned: to,
    });
  }
  const countId = state.openCountByLocation.get(to);
  const count = countId === undefined ? undefined : state.counts.get(countId);
  if (count !== undefined && (count.status === 'counting' || count.status === 'recounting')) {
    return domainError('COUNT_IN_PROGRESS', `${to} is being counted`, { locationId: to, countId: count.id });
  }
  const source = state.quants.get(moveTaskQuantKey(task));
  if (source === undefined || source.onHand < qty) {
    return domainError('INSUFFICIENT_STOCK', `only ${source?.onHand ?? 0} on hand in ${task.fromLocationId}`, { locationId: task.fromLocationId, qty });
  }
  const bad = targetProblem(state, state.locationsById.get(to) as Location, task, qty, false);
  if (bad !== null) return bad;
  // R80: the units of a serial-tracked SKU are scanned one serial each, all in stock at the source.
  const sku = state.skusById.get(task.skuId);
  const serialTracked = sku?.serialTracked === true;
  const badSerial = sku === undefined ? null : serialTracked ? checkSerialsAt(state, sku, task.lot, task.fromLocationId, qty, c.serials) : noSerialsFor(sku, c.serials);
  if (badSerial !== null) return badSerial;
  const events: TwinEvent[] = [
    {
      type: 'MoveTaskCompleted',
      at,
      taskId: task.id,
      operativeId: c.operativeId,
      tenantId: task.tenantId,
      skuId: task.skuId,
      lot: task.lot,
      expiry: task.expiry,
      fromLocationId: task.fromLocationId,
      toLocationId: to,
      qty,
      shortQty: task.qty - qty,
      overridden,
      overrideReason: overridden ? (c.overrideReason ?? null) : null,
      scanId: c.scanId,
      ...(serialTracked ? { serials: [...(c.serials ?? [])] } : {}),
    },
  ];
  // Found short: the source bin is suspect until counted (as a short pick, R19).
  if (qty < task.qty && state.locationsById.has(task.fromLocationId)) {
    events.push({ type: 'CountRequested', at, locationId: task.fromLocationId, reason: 'short move', taskId: null });
  }
  return events;
}

/** [R60] Cancels an open or assigned task (UNKNOWN_TASK, REASON_REQUIRED, TASK_DONE when done or cancelled). */
export function decideCancelMoveTask(state: TwinState, c: CancelMoveTask, at: EpochMs): TwinEvent[] | DomainError {
  const task = state.moveTasks.get(c.taskId);
  if (task === undefined) return domainError('UNKNOWN_TASK', `unknown move task ${c.taskId}`, { taskId: c.taskId });
  if (!isText(c.reason, MAX_MOVE_REASON)) return domainError('REASON_REQUIRED', `cancelling needs a reason (1 to ${MAX_MOVE_REASON} characters)`, {});
  if (!isOpenMoveTask(task)) return domainError('TASK_DONE', `move task ${task.id} is ${task.status}`, { taskId: task.id, status: task.status });
  return [{ type: 'MoveTaskCancelled', at, taskId: task.id, reason: c.reason }];
}

/**
 * [R62] Makes a layout bin the pick face of a client's SKU: UNKNOWN_LOCATION, UNKNOWN_TENANT, UNKNOWN_SKU,
 * TENANT_MISMATCH, INVALID_QUANTITY (whole numbers, 0 ≤ min < max ≤ capacityUnits), INVALID_STATE (the bin holds or
 * awaits another SKU, or is the pick face of another). The same levels again decide no events.
 */
export function decideSetPickFace(state: TwinState, c: SetPickFace, at: EpochMs): TwinEvent[] | DomainError {
  const loc = state.locationsById.get(c.locationId);
  if (loc === undefined) return domainError('UNKNOWN_LOCATION', `unknown bin ${c.locationId}`, { locationId: c.locationId });
  if (!state.site.tenants.some((t) => t.id === c.tenantId)) return domainError('UNKNOWN_TENANT', `unknown tenant ${c.tenantId}`, { tenantId: c.tenantId });
  const sku = state.skusById.get(c.skuId);
  if (sku === undefined) return domainError('UNKNOWN_SKU', `unknown SKU ${c.skuId}`, { skuId: c.skuId });
  if (sku.tenantId !== c.tenantId) return domainError('TENANT_MISMATCH', `SKU ${c.skuId} belongs to another client`, { skuId: c.skuId, tenantId: c.tenantId });
  const whole = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n);
  if (!whole(c.min) || !whole(c.max) || c.min < 0 || c.max <= c.min || c.max > loc.capacityUnits) {
    return domainError('INVALID_QUANTITY', `levels must be whole numbers with 0 ≤ min < max ≤ ${loc.capacityUnits}`, { min: c.min, max: c.max, capacityUnits: loc.capacityUnits });
  }
  const current = state.pickFaces.get(loc.id);
  if (current !== undefined && current.tenantId === c.tenantId && current.skuId === c.skuId && current.min === c.min && current.max === c.max) return [];
  const others: { what: string; owner: { tenantId: TenantId; skuId: SkuId } }[] = [];
  if (current !== undefined) others.push({ what: 'is the pick face of', owner: current });
  for (const key of state.quantsByLocation.get(loc.id) ?? []) {
    const q = state.quants.get(key);
    if (q !== undefined) others.push({ what: 'holds', owner: q });
  }
  for (const t of incomingAt(state, loc.id).owners) others.push({ what: 'is the target of a move task with', owner: t });
  for (const o of others) {
    if (o.owner.tenantId !== c.tenantId || o.owner.skuId !== c.skuId) {
      return domainError('INVALID_STATE', `${loc.id} ${o.what} ${o.owner.skuId} of ${o.owner.tenantId}`, { locationId: loc.id, heldSkuId: o.owner.skuId, heldTenantId: o.owner.tenantId });
    }
  }
  return [{ type: 'PickFaceSet', at, locationId: loc.id, tenantId: c.tenantId, skuId: c.skuId, min: c.min, max: c.max }];
}

/** [R62] The bin stops being a pick face (UNKNOWN_LOCATION); a bin that is none decides no events. */
export function decideClearPickFace(state: TwinState, c: ClearPickFace, at: EpochMs): TwinEvent[] | DomainError {
  if (!state.locationsById.has(c.locationId)) return domainError('UNKNOWN_LOCATION', `unknown bin ${c.locationId}`, { locationId: c.locationId });
  if (!state.pickFaces.has(c.locationId)) return [];
  return [{ type: 'PickFaceCleared', at, locationId: c.locationId }];
}

// ---------------------------------------------------------------------------------------------------------------
// apply helpers (called by apply.ts; they change task state and the commitment index, never quants).

function commit(state: TwinState, key: string, qty: number): void {
  const moving = (state.movingByQuant.get(key) ?? 0) + qty;
  if (moving === 0) state.movingByQuant.delete(key);
  else state.movingByQuant.set(key, moving);
}

/**
 * Applies a move-task or pick-face event to the task state and the commitment index. MoveTaskCompleted's stock move is
 * applied by `apply` (like StockMoved).
 */
export function noteMoveTask(
  state: TwinState,
  e: Extract<TwinEvent, { type: 'MoveTaskCreated' | 'MoveTaskAssigned' | 'MoveTaskCompleted' | 'MoveTaskCancelled' | 'PickFaceSet' | 'PickFaceCleared' }>,
): void {
  switch (e.type) {
    case 'MoveTaskCreated': {
      const task: MoveTask = {
        id: e.taskId,
        kind: e.kind,
        tenantId: e.tenantId,
        skuId: e.skuId,
        lot: e.lot,
        expiry: e.expiry,
        qty: e.qty,
        fromLocationId: e.fromLocationId,
        suggestedToLocationId: e.toLocationId,
        toLocationId: null,
        priority: e.priority,
        status: 'open',
        operativeId: null,
        createdAt: e.at,
        doneAt: null,
        overrideReason: null,
        reason: e.reason,
        movedQty: null,
        scanId: null,
        cancelReason: null,
      };
      state.moveTasks.set(task.id, task);
      commit(state, moveTaskQuantKey(task), task.qty);
      break;
    }
    case 'MoveTaskAssigned': {
      const task = state.moveTasks.get(e.taskId);
      if (task === undefined) break;
      task.status = 'assigned';
      task.operativeId = e.operativeId;
      break;
    }
    case 'MoveTaskCompleted': {
      const task = state.moveTasks.get(e.taskId);
      if (task === undefined) break;
      // The whole commitment goes: moved units leave with the stock, the short rest is free again.
      if (isOpenMoveTask(task)) commit(state, moveTaskQuantKey(task), -task.qty);
      task.status = 'done';
      task.operativeId = e.operativeId;
      task.toLocationId = e.toLocationId;
      task.doneAt = e.at;
      task.movedQty = e.qty;
      task.overrideReason = e.overrideReason;
      task.scanId = e.scanId;
      break;
    }
    case 'MoveTaskCancelled': {
      const task = state.moveTasks.get(e.taskId);
      if (task === undefined) break;
      if (isOpenMoveTask(task)) commit(state, moveTaskQuantKey(task), -task.qty);
      task.status = 'cancelled';
      task.operativeId = null;
      task.doneAt = e.at;
      task.cancelReason = e.reason;
      break;
    }
    case 'PickFaceSet':
      state.pickFaces.set(e.locationId, { locationId: e.locationId, tenantId: e.tenantId, skuId: e.skuId, min: e.min, max: e.max });
      break;
    case 'PickFaceCleared':
      state.pickFaces.delete(e.locationId);
      break;
  }
}

/** [R61] Sign-off: the operative's assigned move tasks go back to `open` (applied with OperativeSignedOff). */
export function releaseMoveTasksOf(state: TwinState, operativeId: OperativeId): void {
  for (const t of state.moveTasks.values()) {
    if (t.status === 'assigned' && t.operativeId === operativeId) {
      t.status = 'open';
      t.operativeId = null;
    }
  }
}

/** Deep copy of a move task; fields added later take their empty values. */
export const cloneMoveTask = (t: MoveTask): MoveTask => {
  const old = t as Partial<MoveTask>;
  return { ...t, movedQty: old.movedQty ?? null, scanId: old.scanId ?? null, cancelReason: old.cancelReason ?? null };
};

/** Rebuilds the commitment index from the tasks (snapshot restore). */
export function rebuildMoving(state: TwinState): void {
  state.movingByQuant.clear();
  for (const t of state.moveTasks.values()) if (isOpenMoveTask(t)) commit(state, moveTaskQuantKey(t), t.qty);
}

/**
 * [R63] Invariants: committed units never exceed what a quant can give (reserved + held + moving ≤ onHand), the
 * commitment index equals Σ of the open tasks per quant, task status and fields agree, pick faces are valid and hold
 * only their SKU.
 */
export function moveTaskProblems(state: TwinState): string[] {
  const problems: string[] = [];
  const sums = new Map<string, number>();
  for (const [id, t] of state.moveTasks) {
    if (id !== t.id) problems.push(`move task ${id}: key mismatch`);
    if (!Number.isSafeInteger(t.qty) || t.qty <= 0) problems.push(`move task ${id}: qty ${t.qty}`);
    if (isOpenMoveTask(t)) sums.set(moveTaskQuantKey(t), (sums.get(moveTaskQuantKey(t)) ?? 0) + t.qty);
    if (t.status === 'open' && t.operativeId !== null) problems.push(`move task ${id}: open but held by ${t.operativeId}`);
    if (t.status === 'assigned' && (t.operativeId === null || !state.operatives.has(t.operativeId))) problems.push(`move task ${id}: assigned but not to a signed-on operative`);
    if (t.status === 'done' && (t.toLocationId === null || t.doneAt === null || t.movedQty === null || t.movedQty < 0 || t.movedQty > t.qty)) {
      problems.push(`move task ${id}: done without a target, time or moved qty within 0…${t.qty}`);
    }
  }
  for (const key of new Set([...sums.keys(), ...state.movingByQuant.keys()])) {
    const moving = state.movingByQuant.get(key) ?? 0;
    if (moving !== (sums.get(key) ?? 0)) problems.push(`moving index ${key}: ${moving}, open tasks commit ${sums.get(key) ?? 0}`);
    const q = state.quants.get(key);
    if (q === undefined) {
      if (moving > 0) problems.push(`moving index ${key}: ${moving} committed on a missing quant`);
      continue;
    }
    const held = state.heldByQuant.get(key) ?? 0;
    if (q.reserved + held + moving > q.onHand) problems.push(`quant ${key}: reserved ${q.reserved} + held ${held} + moving ${moving} > onHand ${q.onHand}`);
  }
  for (const [locationId, f] of state.pickFaces) {
    const loc = state.locationsById.get(locationId);
    if (locationId !== f.locationId) problems.push(`pick face ${locationId}: key mismatch`);
    if (loc === undefined) {
      problems.push(`pick face ${locationId}: not a layout bin`);
      continue;
    }
    if (!(f.min >= 0 && f.min < f.max && f.max <= loc.capacityUnits)) problems.push(`pick face ${locationId}: levels ${f.min}…${f.max} outside 0 ≤ min < max ≤ ${loc.capacityUnits}`);
    if (state.skusById.get(f.skuId)?.tenantId !== f.tenantId) problems.push(`pick face ${locationId}: SKU ${f.skuId} is not of ${f.tenantId}`);
    for (const key of state.quantsByLocation.get(locationId) ?? []) {
      const q = state.quants.get(key);
      if (q !== undefined && (q.tenantId !== f.tenantId || q.skuId !== f.skuId)) problems.push(`pick face ${locationId} of ${f.skuId}: holds ${q.skuId} of ${q.tenantId}`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------------
// Replenishment planning (R64).

export interface ReplenishmentOptions {
  /** Released wave demand per `skuKey(tenant, sku)`, units: a face holding fewer is refilled (R64). */
  readonly demandBySku?: ReadonlyMap<string, number>;
}

/** Units at a pick face: its SKU's on-hand there plus what open move tasks bring (R64). */
export function pickFaceLevel(state: TwinState, face: PickFace): { onHand: number; incoming: number } {
  let onHand = 0;
  for (const key of state.quantsByLocation.get(face.locationId) ?? []) {
    const q = state.quants.get(key);
    if (q !== undefined && q.tenantId === face.tenantId && q.skuId === face.skuId) onHand += q.onHand;
  }
  return { onHand, incoming: incomingAt(state, face.locationId).qty };
}

/**
 * [R64] Replenishment plan (pure; the core submits nothing): for each pick face (by location id) whose on-hand plus
 * incoming is below `min`, or below the SKU's released wave demand, `replenish` tasks filling it to `max` from reserve —
 * layout bins of the SKU that are no pick face, never the dock or returns desk — FEFO (earliest expiry first, none
 * last), then nearest the face, then location id and lot; each takes at most the reserve's free units (less what
 * earlier faces of the plan took). A lot whose expiry differs from the same lot at the face is skipped. Ids
 * `RPL-<locationId>-<seq>-<n>` (seq: the state's), so planning the same state twice plans the same tasks and submitting
 * them twice creates them once. Priority 3 for an empty face, 2 when demand triggered it, else 1.
 */
export function planReplenishment(state: TwinState, options: ReplenishmentOptions = {}): CreateMoveTask[] {
  const out: CreateMoveTask[] = [];
  const taken = new Map<string, number>();
  const faces = [...state.pickFaces.values()].sort((a, b) => (a.locationId < b.locationId ? -1 : a.locationId > b.locationId ? 1 : 0));
  for (const face of faces) {
    const loc = state.locationsById.get(face.locationId);
    if (loc === undefined) continue;
    const { onHand, incoming } = pickFaceLevel(state, face);
    const level = onHand + incoming;
    const demand = options.demandBySku?.get(skuKey(face.tenantId, face.skuId)) ?? 0;
    const belowMin = level < face.min;
    const short = level < demand;
    if (!belowMin && !short) continue;
    let rest = face.max - level;
    if (rest <= 0) continue;
    const atFace = new Map<string, string | null>();
    for (const key of state.quantsByLocation.get(face.locationId) ?? []) {
      const q = state.quants.get(key);
      if (q !== undefined) atFace.set(q.lot, q.expiry);
    }
    const sources: Quant[] = [];
    for (const key of state.quantsBySku.get(skuKey(face.tenantId, face.skuId)) ?? []) {
      const q = state.quants.get(key);
      if (q === undefined || !state.locationsById.has(q.locationId) || state.pickFaces.has(q.locationId)) continue;
      if (atFace.has(q.lot) && atFace.get(q.lot) !== q.expiry) continue;
      if (freeOf(state, q) - (taken.get(q.key) ?? 0) > 0) sources.push(q);
    }
    const here = loc.access;
    const dist = (q: Quant): number => distance(standingPoint(state, q.locationId), here);
    sources.sort((a, b) => compareExpiry(a.expiry, b.expiry) || dist(a) - dist(b) || (a.locationId < b.locationId ? -1 : a.locationId > b.locationId ? 1 : a.lot < b.lot ? -1 : a.lot > b.lot ? 1 : 0));
    const priority = onHand === 0 ? 3 : short ? 2 : 1;
    const reason = belowMin ? `min ${face.min}, on hand ${onHand}${incoming > 0 ? `, incoming ${incoming}` : ''}` : `wave demand ${demand}, on hand ${onHand}${incoming > 0 ? `, incoming ${incoming}` : ''}`;
    let n = 0;
    for (const q of sources) {
      if (rest <= 0) break;
      const qty = Math.min(rest, freeOf(state, q) - (taken.get(q.key) ?? 0));
      if (qty <= 0) continue;
      taken.set(q.key, (taken.get(q.key) ?? 0) + qty);
      rest -= qty;
      n++;
      out.push({
        type: 'createMoveTask',
        taskId: `RPL-${face.locationId}-${state.seq}-${n}`,
        kind: 'replenish',
        tenantId: face.tenantId,
        skuId: face.skuId,
        ...(q.lot === '' ? {} : { lot: q.lot }),
        fromLocationId: q.locationId,
        toLocationId: face.locationId,
        qty,
        priority,
        reason,
      });
    }
  }
  return out;
}

/** Filter of `listMoveTasks`. */
export interface MoveTaskFilter {
  readonly status?: MoveTaskStatus;
  readonly kind?: MoveTaskKind;
  readonly operativeId?: OperativeId;
  readonly tenantId?: TenantId;
}

/** Move tasks matching the filter: highest priority first, then oldest, then id. */
export function listMoveTasks(state: TwinState, f: MoveTaskFilter = {}): MoveTask[] {
  return [...state.moveTasks.values()]
    .filter(
      (t) =>
        (f.status === undefined || t.status === f.status) &&
        (f.kind === undefined || t.kind === f.kind) &&
        (f.operativeId === undefined || t.operativeId === f.operativeId) &&
        (f.tenantId === undefined || t.tenantId === f.tenantId),
    )
    .sort((a, b) => b.priority - a.priority || a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
