/**
 * The simulation model: runs a scenario on the production core under a virtual clock. Orders arrive from the demand
 * model, pickers walk the solver's routes, pack stations and trucks close orders, replenishers top bins up — and every
 * stock change is a twin command decided and applied by the real core. Synchronous and pure: the same scenario and
 * seed give the same result, byte for byte. Rules: ../SPEC.md (M1–M13).
 */
import { checkTwinInvariants } from '../../server/twin/invariants.ts';
import type { FloorPoint, OrderId } from '../../server/twin/ids.ts';
import { epochMs } from '../../server/twin/ids.ts';
import type { Layout } from '../../server/twin/layout/types.ts';
import type { TwinEvent } from '../../server/twin/events.ts';
import type { TwinState } from '../../server/twin/state.ts';
import { effectiveLayout, fromSnapshotData, toSnapshotData } from '../../server/twin/twin.ts';
import type { EventListKind } from '../engine/event-list.ts';
import { Simulation } from '../engine/simulation.ts';
import { createDemandModel } from '../scenario/demand.ts';
import type { ResolvedScenario } from '../scenario/resolve.ts';
import { AisleSegments, SegmentBoard } from './aisle-segments.ts';
import { createModelContext } from './context.ts';
import { MetricsRecorder } from './metrics.ts';
import { OrderBook } from './orders.ts';
import { PickerCrew } from './pickers.ts';
import { FloorRecorder, type RecordingOptions } from './recording.ts';
import { Replenishment } from './replenishment.ts';
import type { LineConservation, SimulationResult } from './result.ts';
import { PackStations, Trucks } from './stations.ts';
import { reslot, slottingHistory, type ReslotSummary } from './reslot.ts';
import { SavingsTrips } from './savings-trips.ts';
import { TripPlanner } from './trip-planner.ts';

/** A scenario with its site and start state (`resolveScenario`); the state is copied by the run, never changed. */
export type { ResolvedScenario } from '../scenario/resolve.ts';

/** Options of one run; none changes the result (a recording only adds `recording` to it). */
export interface RunOptions {
  /** Event list implementation: the binary heap (default) or the array-scanned peer (benchmark only). */
  readonly eventList?: EventListKind;
  /** Called with the fraction of virtual time done, at most every simulated 5 minutes. */
  readonly onProgress?: (fraction: number) => void;
  /** Record a window of the run on the floor (M13); absent: no recording. */
  readonly record?: RecordingOptions;
  /**
   * Called with the events of every accepted command, in the order they were applied (durable and volatile; the log's
   * are those `isDurable` keeps). Applying them to a copy of the start state gives the run's end state. Only reads.
   */
  readonly onEvents?: (events: readonly TwinEvent[]) => void;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const PROGRESS_MS = 5 * MINUTE_MS;

/** Runs `input` to the end of its scenario and reports what happened (M1–M13). Synchronous; never changes `input`. */
export function runScenario(input: ResolvedScenario, options: RunOptions = {}): SimulationResult {
  const { scenario, site } = input;
  const startAt = Date.parse(scenario.startAt);
  if (!Number.isFinite(startAt)) throw new RangeError(`startAt must be an ISO 8601 time, got ${JSON.stringify(scenario.startAt)}`);
  if (!(scenario.durationHours > 0)) throw new RangeError(`durationHours must be > 0, got ${scenario.durationHours}`);
  if (!(scenario.labour.walkSpeedMps > 0)) throw new RangeError(`labour.walkSpeedMps must be > 0`);
  const endAt = startAt + Math.round(scenario.durationHours * HOUR_MS);
  const { labour, stations, policies, congestion } = scenario;

  // M1: the run's own twin, a copy of the start state; commands are decided and applied at the virtual time.
  // M15: re-slotted by the engine first when the policy asks for it.
  let state = fromSnapshotData(site, toSnapshotData(input.state));
  let demand = createDemandModel(scenario, state);
  let slotting: ReslotSummary | undefined;
  if (policies.slotting !== 'as-is') {
    const history = slottingHistory(policies.slotting.history, state, demand, scenario.seed);
    const done = reslot(site, effectiveLayout(state), toSnapshotData(state), policies.slotting, history, scenario.seed);
    state = fromSnapshotData(site, done.data);
    demand = createDemandModel(scenario, state);
    slotting = done.summary;
  }
  const sim = new Simulation({ seed: scenario.seed, startAt: epochMs(startAt), eventList: options.eventList ?? 'heap' });
  const layout: Layout = effectiveLayout(state);
  const metrics = new MetricsRecorder({ startAt: epochMs(startAt), endAt: epochMs(endAt), sampleMinutes: scenario.sampleMinutes, layoutBounds: boundsOf(layout) });
  // M13: the recorder reads the twin and the pickers at its frame times and sees every applied event; it changes nothing.
  const recorder = options.record === undefined ? null : new FloorRecorder(state, layout.depot, { startAt, endAt }, options.record);
  const observers = [recorder?.observe, options.onEvents].filter((f) => f !== undefined);
  const observe = observers.length === 0 ? undefined : (events: readonly TwinEvent[]): void => observers.forEach((f) => f(events));
  const ctx = createModelContext(sim, state, metrics, { startAt, endAt }, observe);
  const walked = (points: readonly FloorPoint[]): void => {
    for (let i = 1; i < points.length; i++) metrics.walked(points[i - 1] as FloorPoint, points[i] as FloorPoint);
  };
  const prefix = `SIM${startAt.toString(36)}`;

  const book = new OrderBook(ctx, stations.cutoffs, policies.release, prefix);
  const trucks = new Trucks(ctx, book, stations);
  const packing = new PackStations(ctx, book, stations, (order) => trucks.load(order));
  const replenishment = new Replenishment(ctx, scenario.replenishment, labour.replenishers, layout.graph, 1000 / labour.walkSpeedMps, walked);
  const segments = new AisleSegments(layout);
  const crew = new PickerCrew(ctx, labour, policies.batching, congestion, {
    planner: new TripPlanner(layout, policies.routing, segments),
    segments,
    board: new SegmentBoard(segments.count, Math.max(1, Math.floor(congestion.pickersPerSegment))),
    walked,
    savings: policies.batching.kind === 'savings' ? new SavingsTrips(layout, policies.batching) : null,
  }, prefix);
  book.onReleased = () => crew.wake();
  replenishment.onReceived = (tenantId, skuId) => book.refill(tenantId, skuId);
  crew.onPicked = (locationId) => replenishment.check(locationId);
  crew.onTripDone = (orderIds) => {
    for (const id of orderIds) packing.enqueue(id);
  };

  // M9: operatives of the start state are not modelled; signing them off returns their tasks to the release queue.
  for (const id of [...state.operatives.keys()].sort()) ctx.send({ type: 'signOff', operativeId: id });
  const backlog = [...state.orders.values()]
    .filter((o) => o.status !== 'despatched' && o.status !== 'cancelled')
    .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const o of backlog) {
    const order = book.track(o.id, o.createdAt, o.lines.length, o.dueAt);
    switch (o.status) {
      case 'open':
        if (book.allocate(o.id)) book.release(o.id);
        break;
      case 'allocated':
        if (o.allocations.length > 0) book.release(o.id);
        break;
      case 'picked':
        packing.enqueue(o.id);
        break;
      case 'packed':
        trucks.load(order);
        break;
      case 'released':
      case 'despatched':
      case 'cancelled':
        break;
    }
  }

  // The timetable: shifts and breaks, trucks, waves, arrivals.
  crew.schedule();
  trucks.schedule();
  if (policies.release.kind === 'waves') {
    const everyMs = Math.max(1, Math.round(policies.release.everyMinutes * MINUTE_MS));
    book.releaseWave();
    for (let t = startAt + everyMs; t < endAt; t += everyMs) sim.schedule(t, () => book.releaseWave());
  }
  book.startArrivals(demand);

  // M12: sample levels at each interval's end and report progress; neither adds events.
  const sampleMs = Math.max(1, Math.round(scenario.sampleMinutes * MINUTE_MS));
  let nextSample = Math.min(endAt, startAt + sampleMs);
  let nextProgress = startAt + PROGRESS_MS;
  for (;;) {
    // Levels belong to the interval that ends at nextSample: everything before it has run, nothing at it.
    const t = Math.min(nextSample - 1, nextProgress, recorder?.nextAt ?? Infinity);
    sim.runUntil(t);
    if (recorder !== null && t === recorder.nextAt) recorder.capture(t, crew.onFloor());
    if (t === nextSample - 1) {
      const { onShift, busy } = crew.levels();
      metrics.levels(epochMs(t), { backlog: book.orders.size - trucks.despatched, pickersOnShift: onShift, pickersBusy: busy });
      if (nextSample >= endAt) break;
      nextSample = Math.min(endAt, nextSample + sampleMs);
    }
    if (t === nextProgress) {
      options.onProgress?.((t - startAt) / (endAt - startAt));
      nextProgress += PROGRESS_MS;
    }
  }
  sim.runUntil(endAt);
  while (recorder !== null && recorder.nextAt <= endAt) recorder.capture(recorder.nextAt, crew.onFloor());
  options.onProgress?.(1);

  // M10–M11: the result.
  const crewTotals = crew.totals();
  const finished = metrics.finish();
  const workingMs = crewTotals.onShiftMs - crewTotals.breakMs;
  let due = 0;
  let madeIt = 0;
  let byCutoff = 0;
  for (const o of book.orders.values()) {
    if (o.despatchedByCutoff) byCutoff++;
    if (o.dueAt !== null && o.dueAt <= endAt) {
      due++;
      if (o.despatchedByCutoff) madeIt++;
    }
  }
  const packCapacityMs = Math.max(0, Math.floor(stations.packStations)) * (endAt - startAt);
  return {
    scenario: scenario.name,
    seed: scenario.seed,
    startAt: new Date(startAt).toISOString(),
    endAt: new Date(endAt).toISOString(),
    events: sim.eventsProcessed,
    kpis: {
      ordersArrived: book.orders.size,
      ordersDespatched: trucks.despatched,
      ordersDespatchedByCutoff: byCutoff,
      cutoffHitRate: due === 0 ? 1 : madeIt / due,
      linesPicked: crewTotals.linesPicked,
      leadTimeP50Minutes: finished.leadTimeMinutes.p50,
      leadTimeP95Minutes: finished.leadTimeMinutes.p95,
      distanceWalkedMetres: crewTotals.metresWalked,
      picksPerPickerHour: workingMs > 0 ? crewTotals.linesPicked / (workingMs / HOUR_MS) : 0,
      pickerUtilisation: workingMs > 0 ? Math.min(1, crewTotals.busyMs / workingMs) : 0,
      packUtilisation: packCapacityMs > 0 ? packing.busyMs / packCapacityMs : 0,
      congestionMinutes: crewTotals.congestionMs / MINUTE_MS,
    },
    lines: conservation(state, book.orders.values()),
    leadTimeMinutes: finished.leadTimeMinutes,
    series: finished.series,
    heatmap: finished.heatmap,
    invariantViolations: checkTwinInvariants(state),
    rejected: ctx.rejected(),
    ...(slotting === undefined ? {} : { slotting }),
    ...(recorder === null ? {} : { recording: recorder.result() }),
  };
}

/**
 * M10: where each order line of the run ended, read from the twin. A line of a despatched order is despatched when
 * some of it was picked (else cancelled: shipped without it); one still allocated or picked is open; one waiting for
 * stock (backordered, or its order never allocated) is backordered; anything else closed is cancelled. Lines the twin
 * never took (a refused createOrder) are in none, so the balance shows them.
 */
export function conservation(state: TwinState, orders: Iterable<{ readonly id: OrderId; readonly lines: number }>): LineConservation {
  let arrived = 0;
  let despatched = 0;
  let backordered = 0;
  let cancelled = 0;
  let open = 0;
  for (const { id, lines } of orders) {
    arrived += lines;
    const o = state.orders.get(id);
    if (o === undefined) continue;
    for (const l of o.lines) {
      if (o.status === 'despatched') {
        if (l.picked > 0) despatched++;
        else cancelled++;
      } else if (o.status === 'cancelled') cancelled++;
      else if (l.allocated > 0) open++;
      else if (l.backordered > 0 || o.status === 'open') backordered++;
      else cancelled++;
    }
  }
  return { arrived, despatched, backordered, cancelled, open, balanced: arrived === despatched + backordered + cancelled + open };
}

/** Floor area of a layout (locations and walk graph), metres. */
function boundsOf(layout: Layout): { minX: number; minY: number; maxX: number; maxY: number } {
  let minX = layout.depot.x;
  let maxX = layout.depot.x;
  let minY = layout.depot.y;
  let maxY = layout.depot.y;
  const add = (x: number, y: number): void => {
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  };
  for (const n of layout.graph.nodes) add(n.x, n.y);
  for (const l of layout.locations) {
    add(l.x - l.depth / 2, l.y - l.width / 2);
    add(l.x + l.depth / 2, l.y + l.width / 2);
  }
  return { minX: Math.floor(minX), minY: Math.floor(minY), maxX: Math.ceil(maxX), maxY: Math.ceil(maxY) };
}
