/**
 * The demo shift: a pure model that keeps a site alive — orders arrive, pickers walk optimised routes, confirm
 * picks, pack and despatch, and goods-in tops up stock. It changes the twin only through a `TwinPort`, on a
 * `Simulation` that the caller advances (the server from a timer, tests to completion). Rules: ../SPEC.md (S1–S8).
 */
import type { Command } from '../../server/twin/commands.ts';
import type { DomainError } from '../../server/twin/errors.ts';
import type { EpochMs, FloorPoint, LocationId, OperativeId, OrderId, SkuId, TaskId, TenantId } from '../../server/twin/ids.ts';
import { asOperativeId, asOrderId } from '../../server/twin/ids.ts';
import type { Layout } from '../../server/twin/layout/types.ts';
import type { Rng } from '../../server/twin/rng.ts';
import { pickWeighted, randomExponential, randomInt } from '../../server/twin/rng.ts';
import type { Sku } from '../../server/twin/site.ts';
import type { OperativeActivity, TwinState } from '../../server/twin/state.ts';
import { isRouteError, planRoute as realPlanRoute } from '../../solver/routing/plan-route.ts';
import { walkThrough } from '../../solver/worker.ts';
import type { RouteError, RouteMethod, RouteRequest, RouteResult } from '../../solver/routing/plan-route.ts';
import { Simulation } from '../engine/simulation.ts';
import { arcLengthOf, createWalkPath, pointAt, type WalkPath } from './walk-path.ts';

/**
 * Outcome of one submitted command: ok once committed, or why not — a `DomainError`, or an adapter's own error with
 * a code (e.g. the site runner's UNAVAILABLE), so the server's `SiteRunner.submit` fits as it is.
 */
export type SubmitResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly error: DomainError | { readonly code: string; readonly message: string } };

/** How the model reaches the twin (S1). The server implements it with its site runner; tests with the core. */
export interface TwinPort {
  /** The live state; read only. */
  state(): TwinState;
  /** Decides, commits and applies `command`; resolves after the commit. */
  submit(command: Command): Promise<SubmitResult>;
}

/** Plans a pick route (the solver's `planRoute` by default). */
export type RoutePlanner = (request: RouteRequest) => RouteResult | RouteError;

/** Parameters of the demo shift; times are virtual, epoch ms. */
export interface DemoShiftOptions {
  readonly port: TwinPort;
  readonly seed: number;
  readonly pickers: number;
  readonly ordersPerHour: number;
  readonly startAt: EpochMs;
  /** Walking speed, metres per second (default 1.2). */
  readonly walkSpeedMps?: number;
  /** Time at a location per task before confirming it, seconds (default 8). */
  readonly pickSecondsPerLine?: number;
  /** Virtual time between position updates while walking, ms (default 500). */
  readonly positionIntervalMs?: number;
  /** Most tasks a picker asks for per trip (default 12). */
  readonly maxTasksPerTrip?: number;
  /** Chance that a task is short-picked (default 0.01). */
  readonly shortProbability?: number;
  /** How long an idle picker waits before asking for work again, ms (default 15 000). */
  readonly idleRetryMs?: number;
  /** Time between goods-in passes, ms (default 5 minutes). */
  readonly replenishIntervalMs?: number;
  /** A SKU whose total available stock falls below this is received (default 20 units). */
  readonly replenishBelowUnits?: number;
  /** Routing algorithm (default the router's own default). */
  readonly routeMethod?: RouteMethod;
  /** Route planner; defaults to the solver's `planRoute`. */
  readonly planRoute?: RoutePlanner;
  /**
   * Where a trip's order comes from (S7): `plan` (default) plans it in the model; `twin` walks the route the twin
   * holds for the picker (`operative.route`, planned by the server's route service), waiting for it if need be.
   */
  readonly routeSource?: 'twin' | 'plan';
  /** With `routeSource: 'twin'`: virtual time between looks for the twin's route, ms (default 500). */
  readonly routeWaitMs?: number;
  /** With `routeSource: 'twin'`: looks before the picker plans the trip itself (default 20). */
  readonly routeWaitTries?: number;
  /** A picker blocked at a stop (S8) looks again after this much virtual time, ms (default 1 000). */
  readonly blockedRetryMs?: number;
}

/** Counters of what the shift has done; `rejected` counts refused or failed commands by error code (S5). */
export interface DemoShiftStats {
  ordersCreated: number;
  ordersReleased: number;
  /** Arrivals that found no stock to order. */
  ordersSkipped: number;
  trips: number;
  picksConfirmed: number;
  shorts: number;
  ordersPacked: number;
  ordersDespatched: number;
  positionUpdates: number;
  stockReceipts: number;
  unitsReceived: number;
  commandsSubmitted: number;
  /** Trips walked on a straight-line fallback because the router refused them. */
  routeFallbacks: number;
  /** Trips walked in the order of the twin's route (routeSource `twin`). */
  twinRoutes: number;
  /** Trips that waited for the twin's route until `routeWaitTries` ran out and were planned in the model. */
  twinRouteTimeouts: number;
  /** Arrivals at a stop that had to wait for another picker to clear the aisle segment (S8). */
  blockedWaits: number;
  /** Virtual time pickers spent blocked, ms (S8). */
  blockedMs: number;
  readonly rejected: Record<string, number>;
  /** Same rejections keyed `commandType:code`, to tell which step was refused. */
  readonly rejectedByCommand: Record<string, number>;
}

/** A running demo shift: advance `sim` to move it; `start` once, `stop` to let it wind down (no new steps). */
export interface DemoShift {
  readonly sim: Simulation;
  readonly stats: DemoShiftStats;
  readonly pickerIds: readonly OperativeId[];
  start(): void;
  stop(): void;
}

/** Code counted when `submit` itself throws or rejects (a transport or storage failure, not a domain refusal). */
export const SUBMIT_FAILED = 'SUBMIT_FAILED';

interface Stop {
  readonly s: number;
  readonly locationId: LocationId;
  readonly taskIds: readonly TaskId[];
}

interface Trip {
  readonly path: WalkPath;
  readonly stops: readonly Stop[];
  next: number;
  s: number;
}

interface Picker {
  readonly id: OperativeId;
  readonly name: string;
  readonly rng: Rng;
  idle: boolean;
  /** Access node of the stop the picker is picking at, or null (S8). */
  pickingAt: number | null;
  /** Virtual time the picker began waiting at the current stop, or null when not blocked (S8). */
  blockedSince: number | null;
}

interface Home {
  readonly locationId: LocationId;
  readonly lot: string;
  readonly expiry: string | null;
}

/** Creates the demo shift model on a fresh `Simulation` seeded with `seed` and starting at `startAt`. */
export function createDemoShift(options: DemoShiftOptions): DemoShift {
  const { port, startAt } = options;
  const walkSpeed = options.walkSpeedMps ?? 1.2;
  const pickMs = Math.round((options.pickSecondsPerLine ?? 8) * 1000);
  const intervalMs = Math.max(1, Math.round(options.positionIntervalMs ?? 500));
  const maxTasks = Math.max(1, Math.floor(options.maxTasksPerTrip ?? 12));
  const shortProbability = options.shortProbability ?? 0.01;
  const idleRetryMs = Math.max(1, options.idleRetryMs ?? 15_000);
  const replenishIntervalMs = Math.max(1, options.replenishIntervalMs ?? 300_000);
  const replenishBelow = options.replenishBelowUnits ?? 20;
  const route = options.planRoute ?? realPlanRoute;
  const routeSource = options.routeSource ?? 'plan';
  const routeWaitMs = Math.max(1, Math.round(options.routeWaitMs ?? 500));
  const routeWaitTries = Math.max(0, Math.floor(options.routeWaitTries ?? 20));
  const blockedRetryMs = Math.max(1, Math.round(options.blockedRetryMs ?? 1_000));
  const meanArrivalMs = options.ordersPerHour > 0 ? 3_600_000 / options.ordersPerHour : Number.POSITIVE_INFINITY;
  if (!(walkSpeed > 0)) throw new RangeError('walkSpeedMps must be > 0');

  const sim = new Simulation({ seed: options.seed, startAt });
  const stats: DemoShiftStats = {
    ordersCreated: 0,
    ordersReleased: 0,
    ordersSkipped: 0,
    trips: 0,
    picksConfirmed: 0,
    shorts: 0,
    ordersPacked: 0,
    ordersDespatched: 0,
    positionUpdates: 0,
    stockReceipts: 0,
    unitsReceived: 0,
    commandsSubmitted: 0,
    routeFallbacks: 0,
    twinRoutes: 0,
    twinRouteTimeouts: 0,
    blockedWaits: 0,
    blockedMs: 0,
    rejected: {},
    rejectedByCommand: {},
  };
  // S2: arrival times and order contents have their own streams, so nothing else moves them.
  const arrivalRng = sim.stream('order-arrivals');
  const contentRng = sim.stream('order-contents');
  const orderPrefix = `D${startAt.toString(36)}`;
  let orderCount = 0;
  let started = false;
  let stopped = false;

  const pickers: Picker[] = [];
  for (let i = 1; i <= options.pickers; i++) {
    pickers.push({ id: asOperativeId(`SIM-P${i}`), name: `Picker ${i}`, rng: sim.stream(`picker:${i}`), idle: false, pickingAt: null, blockedSince: null });
  }
  /**
   * Orders on a trip, or left picked/packed by an earlier run, not yet despatched: whoever is next at the depot packs
   * and despatches those that are ready (a Set keeps insertion order, so this stays deterministic).
   */
  const finishing = new Set<OrderId>();
  /** Locations that have held each SKU, for goods-in (empty quants disappear from the twin). */
  const homes = new Map<SkuId, Home[]>();

  const layout = (): Layout => port.state().site.layout;

  const countRejection = (type: string, code: string): void => {
    stats.rejected[code] = (stats.rejected[code] ?? 0) + 1;
    const key = `${type}:${code}`;
    stats.rejectedByCommand[key] = (stats.rejectedByCommand[key] ?? 0) + 1;
  };

  /** Submits one command; true when the twin accepted it. Never throws (S5). */
  const send = async (command: Command): Promise<boolean> => {
    stats.commandsSubmitted++;
    let result: SubmitResult;
    try {
      result = await port.submit(command);
    } catch {
      countRejection(command.type, SUBMIT_FAILED);
      return false;
    }
    if (result.ok) return true;
    countRejection(command.type, result.error.code);
    return false;
  };

  const moveTo = async (picker: Picker, position: FloorPoint, activity: OperativeActivity): Promise<void> => {
    stats.positionUpdates++;
    await send({ type: 'updatePosition', operativeId: picker.id, position: { x: position.x, y: position.y }, activity });
  };

  // ---- stock views ------------------------------------------------------------------------------------------

  /** Available units per SKU in real (layout) locations. */
  const availableBySku = (state: TwinState): Map<SkuId, number> => {
    const out = new Map<SkuId, number>();
    for (const q of state.quants.values()) {
      if (!state.locationsById.has(q.locationId)) continue;
      const free = q.onHand - q.reserved;
      if (free > 0) out.set(q.skuId, (out.get(q.skuId) ?? 0) + free);
    }
    return out;
  };

  const learnHomes = (state: TwinState): void => {
    for (const q of state.quants.values()) {
      if (!state.locationsById.has(q.locationId)) continue;
      let list = homes.get(q.skuId);
      if (list === undefined) {
        list = [];
        homes.set(q.skuId, list);
      }
      if (!list.some((h) => h.locationId === q.locationId && h.lot === q.lot)) {
        list.push({ locationId: q.locationId, lot: q.lot, expiry: q.expiry });
      }
    }
  };

  // ---- orders (S2) ------------------------------------------------------------------------------------------

  const createOrder = async (): Promise<void> => {
    const state = port.state();
    const available = availableBySku(state);
    const byTenant = new Map<TenantId, Sku[]>();
    for (const sku of state.site.skus) {
      if ((available.get(sku.id) ?? 0) <= 0 || !(sku.demandWeight > 0)) continue;
      let list = byTenant.get(sku.tenantId);
      if (list === undefined) {
        list = [];
        byTenant.set(sku.tenantId, list);
      }
      list.push(sku);
    }
    const tenants = state.site.tenants.filter((t) => byTenant.has(t.id));
    if (tenants.length === 0) {
      stats.ordersSkipped++;
      return;
    }
    const tenantCum: number[] = [];
    let total = 0;
    for (const t of tenants) {
      for (const sku of byTenant.get(t.id) ?? []) total += sku.demandWeight;
      tenantCum.push(total);
    }
    const tenant = tenants[pickWeighted(contentRng, tenantCum)];
    if (tenant === undefined) return;
    const candidates = [...(byTenant.get(tenant.id) ?? [])];
    const lineCount = Math.min(randomInt(contentRng, 1, 5), candidates.length);
    const lines: { skuId: SkuId; qty: number }[] = [];
    for (let i = 0; i < lineCount; i++) {
      const cum: number[] = [];
      let sum = 0;
      for (const sku of candidates) {
        sum += sku.demandWeight;
        cum.push(sum);
      }
      const index = pickWeighted(contentRng, cum);
      const sku = candidates[index];
      if (sku === undefined) break;
      candidates.splice(index, 1);
      const qty = Math.min(randomInt(contentRng, 1, 3), available.get(sku.id) ?? 0);
      if (qty > 0) lines.push({ skuId: sku.id, qty });
    }
    if (lines.length === 0) {
      stats.ordersSkipped++;
      return;
    }
    orderCount++;
    const orderId = asOrderId(`${orderPrefix}-${String(orderCount).padStart(5, '0')}`);
    if (!(await send({ type: 'createOrder', orderId, tenantId: tenant.id, channel: 'demo', externalRef: orderId, lines }))) return;
    stats.ordersCreated++;
    if (!(await send({ type: 'allocateOrder', orderId, policy: 'partial' }))) return;
    if (!(await send({ type: 'releaseOrder', orderId }))) return;
    stats.ordersReleased++;
  };

  const orderArrival = async (s: Simulation): Promise<void> => {
    if (stopped) return;
    // Schedule the next arrival first: arrival times depend on nothing but their stream (S2).
    if (Number.isFinite(meanArrivalMs)) s.scheduleIn(Math.round(randomExponential(arrivalRng, meanArrivalMs)), orderArrival);
    await createOrder();
  };

  // ---- pickers (S3) -----------------------------------------------------------------------------------------

  const openTasksOf = (state: TwinState, picker: Picker): TaskId[] => {
    const op = state.operatives.get(picker.id);
    if (op === undefined) return [];
    return op.taskIds.filter((id) => {
      const t = state.tasks.get(id);
      return t !== undefined && t.status === 'assigned' && t.operativeId === picker.id;
    });
  };

  const pickerStart = async (s: Simulation, picker: Picker): Promise<void> => {
    if (stopped) return;
    const state = port.state();
    // Restart-safe: a picker the twin already has is adopted with whatever it holds (S6).
    if (!state.operatives.has(picker.id)) {
      await send({ type: 'signOn', operativeId: picker.id, name: picker.name });
      await moveTo(picker, layout().depot, 'idle');
      picker.idle = true;
    }
    const held = openTasksOf(port.state(), picker);
    if (held.length > 0) startTrip(s, picker, held);
    else await requestWork(s, picker);
  };

  const requestWork = async (s: Simulation, picker: Picker): Promise<void> => {
    if (stopped) return;
    if (!port.state().operatives.has(picker.id)) {
      // Signed off from elsewhere: sign on again after a pause.
      s.scheduleIn(idleRetryMs, (sim2) => pickerStart(sim2, picker));
      return;
    }
    await send({ type: 'requestWork', operativeId: picker.id, maxTasks: maxTasks });
    const tasks = openTasksOf(port.state(), picker);
    if (tasks.length > 0) {
      startTrip(s, picker, tasks);
      return;
    }
    if (!picker.idle) {
      await moveTo(picker, layout().depot, 'idle');
      picker.idle = true;
    }
    s.scheduleIn(idleRetryMs, (sim2) => requestWork(sim2, picker));
  };

  /**
   * The twin's route for exactly these tasks, as a location sequence and its walk; null while the twin has none
   * that covers them (not planned yet, or planned before the last assignment).
   */
  const twinRoute = (state: TwinState, picker: Picker, taskIds: readonly TaskId[]): { sequence: LocationId[]; points: FloorPoint[] } | null => {
    const planned = state.operatives.get(picker.id)?.route;
    if (planned === null || planned === undefined) return null;
    const wanted = new Set(taskIds);
    const ordered = planned.taskIds.filter((id) => wanted.has(id));
    if (ordered.length !== wanted.size) return null;
    const sequence: LocationId[] = [];
    for (const id of ordered) {
      const locationId = state.tasks.get(id)?.locationId;
      if (locationId !== undefined && sequence[sequence.length - 1] !== locationId) sequence.push(locationId);
    }
    const points = walkThrough(state.site.layout, { from: null, stops: sequence });
    return points === null ? null : { sequence, points };
  };

  /** Looks for the twin's route again after `routeWaitMs` (S7). */
  const awaitTwinRoute = (s: Simulation, picker: Picker, tries: number): void => {
    s.scheduleIn(routeWaitMs, async (sim2) => {
      if (stopped) return;
      if (!port.state().operatives.has(picker.id)) {
        sim2.scheduleIn(idleRetryMs, (sim3) => pickerStart(sim3, picker));
        return;
      }
      const tasks = openTasksOf(port.state(), picker);
      if (tasks.length > 0) startTrip(sim2, picker, tasks, tries);
      else await requestWork(sim2, picker);
    });
  };

  const startTrip = (s: Simulation, picker: Picker, taskIds: readonly TaskId[], tries = 0): void => {
    const state = port.state();
    const lay = state.site.layout;
    let fromTwin: { sequence: LocationId[]; points: FloorPoint[] } | null = null;
    if (routeSource === 'twin') {
      fromTwin = twinRoute(state, picker, taskIds);
      if (fromTwin === null) {
        if (tries < routeWaitTries) {
          awaitTwinRoute(s, picker, tries + 1);
          return;
        }
        stats.twinRouteTimeouts++;
      }
    }
    const byLocation = new Map<LocationId, TaskId[]>();
    for (const id of taskIds) {
      const task = state.tasks.get(id);
      if (task === undefined) continue;
      const list = byLocation.get(task.locationId);
      if (list === undefined) byLocation.set(task.locationId, [id]);
      else list.push(id);
      finishing.add(task.orderId);
    }
    const picks = [...byLocation.keys()];
    let sequence: readonly LocationId[];
    let points: FloorPoint[];
    const planned: RouteResult | RouteError | null =
      fromTwin !== null ? null : route(options.routeMethod === undefined ? { layout: lay, picks } : { layout: lay, picks, method: options.routeMethod });
    if (fromTwin !== null) {
      stats.twinRoutes++;
      sequence = fromTwin.sequence;
      points = fromTwin.points;
    } else if (planned === null || isRouteError(planned) || planned.path.length === 0) {
      // Keep the floor moving: walk straight between access points in task order (counted, S5-like).
      stats.routeFallbacks++;
      sequence = picks;
      points = [lay.depot, ...picks.map((id) => state.locationsById.get(id)?.access ?? lay.depot), lay.depot];
    } else {
      sequence = planned.sequence;
      points = planned.path;
    }
    const path = createWalkPath(points);
    const stops: Stop[] = [];
    let s0 = 0;
    const seen = new Set<LocationId>();
    for (const locationId of sequence) {
      if (seen.has(locationId)) continue;
      seen.add(locationId);
      const access = state.locationsById.get(locationId)?.access;
      const tasks = byLocation.get(locationId);
      if (access === undefined || tasks === undefined) continue;
      s0 = arcLengthOf(path, access, s0);
      stops.push({ s: s0, locationId, taskIds: tasks });
    }
    if (stops.length === 0) {
      // Nothing on the floor to walk to (tasks at unknown locations): do not spin at one instant; ask again later.
      s.scheduleIn(idleRetryMs, (sim2) => requestWork(sim2, picker));
      return;
    }
    stats.trips++;
    picker.idle = false;
    const trip: Trip = { path, stops, next: 0, s: 0 };
    s.scheduleIn(0, (sim2) => walk(sim2, picker, trip));
  };

  /** One walking step: report where the picker is, then go on to the next sample, stop, or the depot. */
  const walk = async (s: Simulation, picker: Picker, trip: Trip): Promise<void> => {
    if (stopped) return;
    if (!port.state().operatives.has(picker.id)) {
      // Signed off from elsewhere mid-trip: the twin took the tasks back; come back on after a pause.
      s.scheduleIn(idleRetryMs, (sim2) => pickerStart(sim2, picker));
      return;
    }
    await moveTo(picker, pointAt(trip.path, trip.s), 'walking');
    const stop = trip.stops[trip.next];
    const targetS = stop === undefined ? trip.path.length : stop.s;
    const stepM = (walkSpeed * intervalMs) / 1000;
    if (trip.s + stepM >= targetS) {
      const dtMs = Math.max(0, Math.round(((targetS - trip.s) / walkSpeed) * 1000));
      trip.s = targetS;
      if (stop === undefined) s.scheduleIn(dtMs, (sim2) => atDepot(sim2, picker));
      else s.scheduleIn(dtMs, (sim2) => atStop(sim2, picker, trip, stop));
    } else {
      trip.s += stepM;
      s.scheduleIn(intervalMs, (sim2) => walk(sim2, picker, trip));
    }
  };

  /** Walk-graph neighbours of each node: an aisle segment is a node and the edges at it (S8). */
  const neighbours = new Map<number, number[]>();
  for (const e of layout().graph.edges) {
    for (const [a, b] of [[e.a, e.b], [e.b, e.a]] as const) {
      const list = neighbours.get(a);
      if (list === undefined) neighbours.set(a, [b]);
      else list.push(b);
    }
  }

  /** True when another picker is picking at `node` or one walk-graph edge from it (S8). */
  const segmentTaken = (picker: Picker, node: number): boolean => {
    const near = neighbours.get(node) ?? [];
    return pickers.some((other) => other !== picker && other.pickingAt !== null && (other.pickingAt === node || near.includes(other.pickingAt)));
  };

  const atStop = async (s: Simulation, picker: Picker, trip: Trip, stop: Stop): Promise<void> => {
    if (stopped) return;
    if (!port.state().operatives.has(picker.id)) {
      picker.blockedSince = null;
      s.scheduleIn(idleRetryMs, (sim2) => pickerStart(sim2, picker));
      return;
    }
    const node = port.state().locationsById.get(stop.locationId)?.accessNode ?? null;
    if (node !== null && segmentTaken(picker, node)) {
      // S8: wait for the other picker to clear the segment, shown as blocked (reported once per wait).
      if (picker.blockedSince === null) {
        picker.blockedSince = s.now();
        stats.blockedWaits++;
        await moveTo(picker, pointAt(trip.path, trip.s), 'blocked');
      }
      s.scheduleIn(blockedRetryMs, (sim2) => atStop(sim2, picker, trip, stop));
      return;
    }
    if (picker.blockedSince !== null) stats.blockedMs += s.now() - picker.blockedSince;
    picker.blockedSince = null;
    picker.pickingAt = node;
    await moveTo(picker, pointAt(trip.path, trip.s), 'picking');
    s.scheduleIn(pickMs, (sim2) => pickTask(sim2, picker, trip, stop, 0));
  };

  const pickTask = async (s: Simulation, picker: Picker, trip: Trip, stop: Stop, index: number): Promise<void> => {
    if (stopped) return;
    const taskId = stop.taskIds[index];
    if (taskId !== undefined) await pickOne(picker, taskId);
    if (index + 1 < stop.taskIds.length) {
      s.scheduleIn(pickMs, (sim2) => pickTask(sim2, picker, trip, stop, index + 1));
      return;
    }
    trip.next++;
    picker.pickingAt = null;
    await walk(s, picker, trip);
  };

  const pickOne = async (picker: Picker, taskId: TaskId): Promise<void> => {
    const state = port.state();
    const task = state.tasks.get(taskId);
    // A task taken away meanwhile (sign-off elsewhere, restart) is simply passed by.
    if (task === undefined || task.status !== 'assigned' || task.operativeId !== picker.id) return;
    const sku = state.skusById.get(task.skuId);
    if (sku === undefined) return;
    if (picker.rng.next() < shortProbability) {
      const foundQty = randomInt(picker.rng, 0, task.qty - 1);
      if (await send({ type: 'shortPick', taskId, operativeId: picker.id, foundQty })) stats.shorts++;
      return;
    }
    const ok = await send({
      type: 'confirmPick',
      taskId,
      operativeId: picker.id,
      scannedLocation: task.locationId,
      scannedItem: sku.barcode,
      qty: task.qty,
    });
    if (ok) stats.picksConfirmed++;
  };

  /** Packs and despatches every order in `finishing` that is ready; forgets those that are gone or done. */
  const finishOrders = async (): Promise<void> => {
    for (const orderId of [...finishing]) {
      let status = port.state().orders.get(orderId)?.status;
      if (status === 'picked') {
        if (await send({ type: 'packOrder', orderId })) stats.ordersPacked++;
        status = port.state().orders.get(orderId)?.status;
      }
      if (status === 'packed') {
        const tracking = `DEMO${orderId.replace(/[^0-9A-Za-z]/g, '')}`;
        if (await send({ type: 'despatchOrder', orderId, carrier: 'DEMO', trackingNumber: tracking })) stats.ordersDespatched++;
        status = port.state().orders.get(orderId)?.status;
      }
      if (status === undefined || status === 'despatched' || status === 'cancelled') finishing.delete(orderId);
    }
  };

  const atDepot = async (s: Simulation, picker: Picker): Promise<void> => {
    if (stopped) return;
    await moveTo(picker, layout().depot, 'idle');
    picker.idle = true;
    await finishOrders();
    await requestWork(s, picker);
  };

  // ---- goods-in (S4) ----------------------------------------------------------------------------------------

  const goodsIn = async (s: Simulation): Promise<void> => {
    if (stopped) return;
    s.scheduleIn(replenishIntervalMs, goodsIn);
    learnHomes(port.state());
    const available = availableBySku(port.state());
    for (const sku of port.state().site.skus) {
      if ((available.get(sku.id) ?? 0) >= replenishBelow) continue;
      for (const home of homes.get(sku.id) ?? []) {
        const state = port.state();
        const location = state.locationsById.get(home.locationId);
        if (location === undefined) continue;
        let onHand = 0;
        let foreign = false;
        for (const key of state.quantsByLocation.get(home.locationId) ?? []) {
          const q = state.quants.get(key);
          if (q === undefined) continue;
          if (q.skuId !== sku.id || q.tenantId !== sku.tenantId || (q.lot === home.lot && q.expiry !== home.expiry)) foreign = true;
          onHand += q.onHand;
        }
        const room = location.capacityUnits - onHand;
        if (foreign || room <= 0) continue;
        const base = { type: 'receiveStock', tenantId: sku.tenantId, locationId: home.locationId, skuId: sku.id, qty: room } as const;
        let command: Command = base;
        if (sku.lotTracked) {
          // More of the same lot (same expiry) as the bin held: the twin requires lot and expiry for such SKUs.
          if (home.lot === '' || home.expiry === null) continue;
          command = { ...base, lot: home.lot, expiry: home.expiry };
        }
        if (await send(command)) {
          stats.stockReceipts++;
          stats.unitsReceived += room;
        }
      }
    }
  };

  return {
    sim,
    stats,
    pickerIds: pickers.map((p) => p.id),
    start(): void {
      if (started) return;
      started = true;
      const state = port.state();
      learnHomes(state);
      for (const order of state.orders.values()) if (order.status === 'picked' || order.status === 'packed') finishing.add(order.id);
      // Started late (the caller already advanced the clock): begin now rather than in the past (E4).
      const t0 = Math.max(startAt, sim.now());
      sim.schedule(t0, goodsIn);
      if (Number.isFinite(meanArrivalMs)) sim.schedule(t0 + Math.round(randomExponential(arrivalRng, meanArrivalMs)), orderArrival);
      // Pickers come on a few seconds apart so they do not walk in lockstep.
      pickers.forEach((picker, i) => sim.schedule(t0 + i * 3_000, (s) => pickerStart(s, picker)));
    },
    stop(): void {
      stopped = true;
    },
  };
}
