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
  ReleaseOrder,
  RequestWork,
  SetRoute,
  ShortPick,
  SignOff,
  SignOn,
  UpdatePosition,
} from './commands.ts';
import { decideBlockSegment, decideUnblockSegment } from './blocks.ts';
import type { DomainError } from './errors.ts';
import { domainError } from './errors.ts';
import type { Allocation, OrderLine, PickTaskSpec, TwinEvent } from './events.ts';
import type { EpochMs, LocationId, OperativeId, SkuId, TaskId, TenantId } from './ids.ts';
import { asTaskId } from './ids.ts';
import { MAX_ORDER_LINES, quantKey, skuKey } from './keys.ts';
import type { Location } from './layout/types.ts';
import type { Sku } from './site.ts';
import type { OperativeState, OrderState, PickTask, Quant, TwinState } from './state.ts';

/** Result of `decide`: the events to append and apply, or why the command was refused. */
export type Decision = { readonly ok: true; readonly events: TwinEvent[] } | { readonly ok: false; readonly error: DomainError };

/** What `decide` needs besides the state: the injected time stamped on every event. */
export interface DecideContext {
  readonly now: EpochMs;
}

const refuse = (error: DomainError): Decision => ({ ok: false, error });
const accept = (events: TwinEvent[]): Decision => ({ ok: true, events });

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
  const sku = checkStockRefs(state, c.tenantId, c.skuId, [c.fromLocationId, c.toLocationId]);
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
  const available = source === undefined ? 0 : source.onHand - source.reserved;
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
    },
  ]);
}

function decideCreateOrder(state: TwinState, c: CreateOrder, at: EpochMs): Decision {
  if (state.orders.has(c.orderId)) {
    return refuse(domainError('DUPLICATE_ORDER', `order ${c.orderId} already exists`, { orderId: c.orderId }));
  }
  if (!state.site.tenants.some((t) => t.id === c.tenantId)) {
    return refuse(domainError('UNKNOWN_TENANT', `unknown tenant ${c.tenantId}`, { tenantId: c.tenantId }));
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
    },
  ]);
}

/** Sorts FEFO: earliest expiry first (no expiry last). */
function compareExpiry(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

/**
 * [R9][R10] Picks quants for `need` units: FEFO, then within one expiry the bin with the smallest available that
 * covers the rest (fewest, fullest-emptying picks), else the largest available (fewest splits); ties by location, lot.
 * `taken` holds units already promised to earlier lines of the same order; it is updated.
 */
function allocateLine(
  candidates: readonly Quant[],
  taken: Map<string, number>,
  need: number,
): { quant: Quant; qty: number }[] {
  const out: { quant: Quant; qty: number }[] = [];
  let rest = need;
  const avail = (q: Quant): number => q.onHand - q.reserved - (taken.get(q.key) ?? 0);
  let start = 0;
  while (rest > 0 && start < candidates.length) {
    const expiry = (candidates[start] as Quant).expiry;
    let end = start;
    while (end < candidates.length && (candidates[end] as Quant).expiry === expiry) end++;
    // Within one expiry group, choose greedily until the group is empty or the line is covered.
    for (;;) {
      let best: Quant | undefined;
      let bestAvail = 0;
      let bestCovers = false;
      for (let i = start; i < end; i++) {
        const q = candidates[i] as Quant;
        const a = avail(q);
        if (a <= 0) continue;
        const covers = a >= rest;
        let better: boolean;
        if (best === undefined) better = true;
        else if (covers !== bestCovers) better = covers;
        else if (a !== bestAvail) better = covers ? a < bestAvail : a > bestAvail;
        else better = q.locationId < best.locationId || (q.locationId === best.locationId && q.lot < best.lot);
        if (better) {
          best = q;
          bestAvail = a;
          bestCovers = covers;
        }
      }
      if (best === undefined) break;
      const qty = Math.min(bestAvail, rest);
      out.push({ quant: best, qty });
      taken.set(best.key, (taken.get(best.key) ?? 0) + qty);
      rest -= qty;
      if (rest === 0) break;
    }
    start = end;
  }
  return out;
}

function decideAllocate(state: TwinState, c: AllocateOrder, at: EpochMs): Decision {
  const order = state.orders.get(c.orderId);
  if (order === undefined) return refuse(domainError('UNKNOWN_ORDER', `unknown order ${c.orderId}`, { orderId: c.orderId }));
  if (order.status !== 'open') {
    return refuse(domainError('INVALID_STATE', `order ${order.id} is ${order.status}, not open`, { status: order.status }));
  }
  const policy = c.policy ?? 'all-or-nothing';
  const taken = new Map<string, number>();
  const candidatesBySku = new Map<SkuId, Quant[]>();
  const allocations: Allocation[] = [];
  const backordered: { lineNo: number; qty: number }[] = [];
  const short: { lineNo: number; skuId: SkuId; requested: number; available: number }[] = [];
  for (const line of order.lines) {
    const need = line.qty - line.allocated - line.backordered;
    if (need <= 0) continue;
    let candidates = candidatesBySku.get(line.skuId);
    if (candidates === undefined) {
      candidates = [];
      for (const key of state.quantsBySku.get(skuKey(order.tenantId, line.skuId)) ?? []) {
        const q = state.quants.get(key);
        if (q !== undefined && q.onHand > q.reserved) candidates.push(q);
      }
      candidates.sort((a, b) => compareExpiry(a.expiry, b.expiry));
      candidatesBySku.set(line.skuId, candidates);
    }
    const picks = allocateLine(candidates, taken, need);
    let got = 0;
    for (const { quant, qty } of picks) {
      got += qty;
      allocations.push({
        lineNo: line.lineNo,
        locationId: quant.locationId,
        tenantId: quant.tenantId,
        skuId: quant.skuId,
        lot: quant.lot,
        expiry: quant.expiry,
        qty,
      });
    }
    if (got < need) {
      short.push({ lineNo: line.lineNo, skuId: line.skuId, requested: need, available: got });
      backordered.push({ lineNo: line.lineNo, qty: need - got });
    }
  }
  if ((policy === 'all-or-nothing' && short.length > 0) || allocations.length === 0) {
    return refuse(domainError('OUT_OF_STOCK', `order ${order.id} cannot be allocated`, { orderId: order.id, policy, lines: short }));
  }
  return accept([{ type: 'OrderAllocated', at, orderId: order.id, allocations, backordered }]);
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
  const tasks: PickTaskSpec[] = order.allocations.map((a, i) => ({
    taskId: asTaskId(`${order.id}-T${i + 1}`),
    orderId: order.id,
    lineNo: a.lineNo,
    locationId: a.locationId,
    tenantId: order.tenantId,
    skuId: a.skuId,
    lot: a.lot,
    expiry: a.expiry,
    qty: a.qty,
  }));
  return accept([{ type: 'OrderReleased', at, orderId: order.id, tasks }]);
}

function decideSignOn(state: TwinState, c: SignOn, at: EpochMs): Decision {
  if (state.operatives.has(c.operativeId)) {
    return refuse(domainError('ALREADY_SIGNED_ON', `operative ${c.operativeId} is already signed on`, { operativeId: c.operativeId }));
  }
  return accept([{ type: 'OperativeSignedOn', at, operativeId: c.operativeId, name: c.name }]);
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

function decideRequestWork(state: TwinState, c: RequestWork, at: EpochMs): Decision {
  const op = signedOn(state, c.operativeId);
  if ('code' in op) return refuse(op);
  if (!isPositiveInt(c.maxTasks)) return refuse(badQty('maxTasks', c.maxTasks));
  const taskIds: TaskId[] = [];
  for (const orderId of state.releaseQueue) {
    const order = state.orders.get(orderId);
    if (order === undefined) continue;
    const released: TaskId[] = [];
    for (const id of order.taskIds) if (state.tasks.get(id)?.status === 'released') released.push(id);
    if (released.length === 0) continue;
    if (taskIds.length + released.length <= c.maxTasks) {
      taskIds.push(...released);
      if (taskIds.length === c.maxTasks) break;
      continue;
    }
    // An order bigger than a whole batch is split; otherwise stop rather than jump the queue.
    if (taskIds.length === 0) taskIds.push(...released.slice(0, c.maxTasks));
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

function decideConfirmPick(state: TwinState, c: ConfirmPick, at: EpochMs): Decision {
  const task = ownedTask(state, c.taskId, c.operativeId);
  if ('code' in task) return refuse(task);
  if (c.scannedLocation !== task.locationId) {
    return refuse(
      domainError('WRONG_LOCATION_SCANNED', `scanned ${c.scannedLocation}, expected ${task.locationId}`, {
        expected: task.locationId,
        scanned: c.scannedLocation,
      }),
    );
  }
  const sku = state.skusById.get(task.skuId);
  if (sku === undefined || c.scannedItem !== sku.barcode) {
    return refuse(
      domainError('WRONG_ITEM_SCANNED', `scanned ${c.scannedItem}, not the barcode of ${task.skuId}`, {
        skuId: task.skuId,
        scanned: c.scannedItem,
      }),
    );
  }
  if (c.qty !== task.qty) {
    return refuse(domainError('INVALID_QUANTITY', `confirm exactly ${task.qty}; use a short pick for fewer`, { qty: c.qty, taskQty: task.qty }));
  }
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
    },
  ];
  const order = state.orders.get(task.orderId);
  if (order !== undefined && isLastOpenTask(state, order, task.id)) events.push({ type: 'OrderPicked', at, orderId: order.id });
  return accept(events);
}

function decideShortPick(state: TwinState, c: ShortPick, at: EpochMs): Decision {
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
      shortQty: task.qty - c.foundQty,
    },
  ];
  const order = state.orders.get(task.orderId);
  if (order !== undefined && isLastOpenTask(state, order, task.id)) events.push({ type: 'OrderPicked', at, orderId: order.id });
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

function decidePack(state: TwinState, c: PackOrder, at: EpochMs): Decision {
  const order = state.orders.get(c.orderId);
  if (order === undefined) return refuse(domainError('UNKNOWN_ORDER', `unknown order ${c.orderId}`, { orderId: c.orderId }));
  if (order.status !== 'picked') {
    return refuse(domainError('INVALID_STATE', `order ${order.id} is ${order.status}, not picked`, { status: order.status }));
  }
  return accept([{ type: 'OrderPacked', at, orderId: order.id }]);
}

function decideDespatch(state: TwinState, c: DespatchOrder, at: EpochMs): Decision {
  const order = state.orders.get(c.orderId);
  if (order === undefined) return refuse(domainError('UNKNOWN_ORDER', `unknown order ${c.orderId}`, { orderId: c.orderId }));
  if (order.status !== 'packed') {
    return refuse(domainError('INVALID_STATE', `order ${order.id} is ${order.status}, not packed`, { status: order.status }));
  }
  return accept([
    { type: 'OrderDespatched', at, orderId: order.id, carrier: c.carrier ?? null, trackingNumber: c.trackingNumber ?? null },
  ]);
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
    case 'blockSegment':
    case 'unblockSegment': {
      const out = command.type === 'blockSegment' ? decideBlockSegment(state, command, at) : decideUnblockSegment(state, command, at);
      return Array.isArray(out) ? accept(out) : refuse(out);
    }
  }
}
