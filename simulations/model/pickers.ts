/**
 * The pickers (SPEC M3–M6): shifts and breaks, trips the twin assigns by the batching policy, walking the solver's
 * routes, congestion in aisle segments, and picks confirmed through the twin.
 */
import type { FloorPoint, LocationId, OperativeId, OrderId, TaskId } from '../../server/twin/ids.ts';
import { asOperativeId, epochMs } from '../../server/twin/ids.ts';
import { minutesOfDay } from '../scenario/time-of-day.ts';
import type { BatchingPolicy, ScenarioCongestion, ScenarioLabour } from '../scenario/types.ts';
import type { AisleSegments, SegmentBoard } from './aisle-segments.ts';
import type { ModelContext } from './context.ts';
import { dailyInstants, dailyWindows } from './time-of-day.ts';
import type { SavingsTrips } from './savings-trips.ts';
import type { Leg, PlannedTrip, TripPlanner } from './trip-planner.ts';

const MINUTE_MS = 60_000;

interface Trip {
  readonly plan: PlannedTrip;
  /** Tasks to pick at each stop (parallel to plan.stops). */
  readonly tasksAt: readonly TaskId[][];
  readonly orders: readonly OrderId[];
  readonly startedAt: number;
  /** Index of the leg being walked (leg k ends at stop k; the last one at the depot). */
  leg: number;
  waitFrom: number;
  /** What the picker does on the current leg, and when that leg's walk started and ends (for the floor recording). */
  doing: 'walking' | 'blocked' | 'picking';
  legFrom: number;
  legTo: number;
}

interface Picker {
  readonly id: OperativeId;
  readonly name: string;
  readonly windows: readonly { readonly start: number; readonly end: number }[];
  /** Break starts and lengths over the run, ascending (M3). */
  readonly breaks: readonly { readonly at: number; readonly ms: number }[];
  nextBreak: number;
  mode: 'off' | 'idle' | 'trip' | 'break';
  shiftEnd: number;
  signedOnAt: number;
  breakFrom: number;
  trip: Trip | null;
}

/** How the crew walks and where it stands. */
export interface CrewFloor {
  readonly planner: TripPlanner;
  readonly segments: AisleSegments;
  readonly board: SegmentBoard;
  /** Feeds one walk (a polyline) to the heat map. */
  readonly walked: (points: readonly FloorPoint[]) => void;
  /** Savings batching (M14): forms each trip; null for the other policies (the twin's requestWork forms it, M4). */
  readonly savings: SavingsTrips | null;
}

/**
 * Where a picker is and what it does, for the floor recording (recording.ts, M13): at the depot (idle or on a break),
 * walking `leg` (started at `legFrom`, arriving at `legTo`), or at the end of `leg` waiting for its segment or picking.
 */
export interface PickerOnFloor {
  readonly id: OperativeId;
  readonly name: string;
  readonly doing: 'off' | 'depot' | 'walking' | 'blocked' | 'picking';
  /** The leg walked or just walked; null unless on a trip. */
  readonly leg: Leg | null;
  readonly legFrom: number;
  readonly legTo: number;
}

/** What the crew did, for the KPIs (M11). */
export interface CrewTotals {
  readonly linesPicked: number;
  readonly metresWalked: number;
  readonly congestionMs: number;
  readonly busyMs: number;
  readonly onShiftMs: number;
  readonly breakMs: number;
}

/** All pickers of a run. */
export class PickerCrew {
  /** Called after a confirmed pick from a bin (replenishment looks at it). */
  onPicked: (locationId: LocationId) => void = () => undefined;
  /** Called when a picker is back at the depot with the orders of its trip (packing takes those that are picked). */
  onTripDone: (orderIds: readonly OrderId[]) => void = () => undefined;
  private readonly pickers: Picker[] = [];
  /** Idle pickers at the depot, longest idle first. */
  private readonly idle: Picker[] = [];
  private readonly walkMsPerMetre: number;
  /** Extra walking time per metre in a segment where a picker stands, as a share of the normal time (M6). */
  private readonly slowdown: number;
  private linesPicked = 0;
  private metresWalked = 0;
  private congestionMs = 0;
  private busyMs = 0;
  private onShiftMs = 0;
  private breakMs = 0;

  constructor(
    private readonly ctx: ModelContext,
    private readonly labour: ScenarioLabour,
    private readonly batching: BatchingPolicy,
    private readonly congestion: ScenarioCongestion,
    private readonly floor: CrewFloor,
    /** Prefix of the operative ids. */
    prefix: string,
  ) {
    this.walkMsPerMetre = 1000 / labour.walkSpeedMps;
    const f = congestion.passingSpeedFactor;
    this.slowdown = f > 0 && f < 1 ? 1 / f - 1 : 0;
    labour.shifts.forEach((shift, s) => {
      const windows = dailyWindows(minutesOfDay(shift.start) * MINUTE_MS, minutesOfDay(shift.end) * MINUTE_MS, ctx.startAt, ctx.endAt);
      for (let k = 0; k < shift.pickers; k++) {
        const breaks: { at: number; ms: number }[] = [];
        for (const rule of labour.breaks) {
          const offset = (minutesOfDay(rule.at) + k * rule.staggerMinutes) * MINUTE_MS;
          for (const w of windows) for (const at of dailyInstants(offset, w.start, w.end)) breaks.push({ at, ms: Math.round(rule.minutes * MINUTE_MS) });
        }
        breaks.sort((a, b) => a.at - b.at);
        this.pickers.push({
          id: asOperativeId(`${prefix}-S${s + 1}-P${k + 1}`),
          name: `Picker ${s + 1}.${k + 1}`,
          windows,
          breaks,
          nextBreak: 0,
          mode: 'off',
          shiftEnd: ctx.startAt,
          signedOnAt: ctx.startAt,
          breakFrom: ctx.startAt,
          trip: null,
        });
      }
    });
  }

  /** Schedules every picker's sign-on, sign-off and breaks over the run (M3). */
  schedule(): void {
    const { sim } = this.ctx;
    for (const p of this.pickers) {
      for (const w of p.windows) {
        sim.schedule(w.start, () => this.signOn(p, w.end));
        sim.schedule(w.end, () => {
          // A picker on a trip finishes it and signs off at the depot (seekWork).
          if (p.mode === 'idle' || p.mode === 'break') this.signOff(p);
        });
      }
      for (const b of p.breaks) {
        sim.schedule(b.at, () => {
          if (p.mode === 'idle' && (p.breaks[p.nextBreak]?.at ?? Infinity) <= sim.now()) this.startBreak(p);
        });
      }
    }
  }

  /** Wakes the longest-idle picker to ask for work (one per release; each wakes the next while work remains). */
  wake(): void {
    const p = this.idle.shift();
    if (p === undefined) return;
    this.ctx.sim.scheduleIn(0, () => {
      if (p.mode === 'idle' && !this.idle.includes(p)) this.seekWork(p);
    });
  }

  /** Pickers signed on (breaks included) and on a trip, now. */
  levels(): { onShift: number; busy: number } {
    let onShift = 0;
    let busy = 0;
    for (const p of this.pickers) {
      if (p.mode !== 'off') onShift++;
      if (p.mode === 'trip') busy++;
    }
    return { onShift, busy };
  }

  /** Every picker's place on the floor now, in a fixed order; reads only (M13). */
  onFloor(): PickerOnFloor[] {
    return this.pickers.map((p): PickerOnFloor => {
      const trip = p.trip;
      if (p.mode === 'trip' && trip !== null) {
        return { id: p.id, name: p.name, doing: trip.doing, leg: trip.plan.legs[trip.leg] ?? null, legFrom: trip.legFrom, legTo: trip.legTo };
      }
      return { id: p.id, name: p.name, doing: p.mode === 'off' ? 'off' : 'depot', leg: null, legFrom: 0, legTo: 0 };
    });
  }

  /** Totals at the end of the run (shifts, breaks and trips still going count up to `endAt`). */
  totals(): CrewTotals {
    const { endAt } = this.ctx;
    let { onShiftMs, breakMs, busyMs } = this;
    for (const p of this.pickers) {
      if (p.mode === 'off') continue;
      onShiftMs += endAt - p.signedOnAt;
      if (p.mode === 'break') breakMs += endAt - p.breakFrom;
      if (p.trip !== null) busyMs += endAt - p.trip.startedAt;
    }
    return { linesPicked: this.linesPicked, metresWalked: this.metresWalked, congestionMs: this.congestionMs, busyMs, onShiftMs, breakMs };
  }

  private signOn(p: Picker, shiftEnd: number): void {
    const now = this.ctx.sim.now();
    this.ctx.send({ type: 'signOn', operativeId: p.id, name: p.name });
    p.mode = 'idle';
    p.shiftEnd = shiftEnd;
    p.signedOnAt = now;
    while ((p.breaks[p.nextBreak]?.at ?? Infinity) < now) p.nextBreak++;
    this.seekWork(p);
  }

  private signOff(p: Picker): void {
    const now = this.ctx.sim.now();
    this.leaveIdle(p);
    if (p.mode === 'break') this.breakMs += now - p.breakFrom;
    this.ctx.send({ type: 'signOff', operativeId: p.id });
    this.onShiftMs += now - p.signedOnAt;
    p.mode = 'off';
  }

  private startBreak(p: Picker): void {
    const { sim } = this.ctx;
    const b = p.breaks[p.nextBreak++];
    if (b === undefined) return;
    this.leaveIdle(p);
    p.mode = 'break';
    p.breakFrom = sim.now();
    sim.schedule(Math.min(sim.now() + b.ms, p.shiftEnd), () => {
      if (p.mode !== 'break') return;
      this.breakMs += sim.now() - p.breakFrom;
      p.mode = 'idle';
      this.seekWork(p);
    });
  }

  private leaveIdle(p: Picker): void {
    const i = this.idle.indexOf(p);
    if (i >= 0) this.idle.splice(i, 1);
  }

  private releasedTasks(id: OrderId): number {
    const { state } = this.ctx;
    const o = state.orders.get(id);
    let n = 0;
    if (o !== undefined) for (const t of o.taskIds) if (state.tasks.get(t)?.status === 'released') n++;
    return n;
  }

  /** M4: how many tasks to ask for so that the twin's requestWork hands out exactly the trip the policy forms. */
  private tripSize(): number {
    const queue = this.ctx.state.releaseQueue;
    if (queue.length === 0) return 0;
    const batching = this.batching;
    if (batching.kind === 'single-order' || batching.kind === 'savings') return this.releasedTasks(queue[0] as OrderId);
    const maxLines = Math.max(1, Math.floor(batching.maxLines));
    let tasks = 0;
    let count = 0;
    for (const id of queue) {
      const n = this.releasedTasks(id);
      if (count === 0 && n >= maxLines) return maxLines;
      if (count + 1 > batching.maxOrders || tasks + n > maxLines) break;
      tasks += n;
      count++;
    }
    return tasks;
  }

  /** A picker at the depot decides what next: sign off, a break, a trip, or wait for work. */
  private seekWork(p: Picker): void {
    const { sim, state, send } = this.ctx;
    const t = sim.now();
    if (t >= p.shiftEnd) {
      this.signOff(p);
      return;
    }
    if ((p.breaks[p.nextBreak]?.at ?? Infinity) <= t) {
      this.startBreak(p);
      return;
    }
    const savings = this.floor.savings;
    if (savings === null) {
      const maxTasks = this.tripSize();
      if (maxTasks > 0) send({ type: 'requestWork', operativeId: p.id, maxTasks });
    } else if ((state.operatives.get(p.id)?.taskIds.length ?? 0) === 0) {
      // M14: the engine's savings batch of the head order, handed to the picker.
      const taskIds = savings.next(state);
      if (taskIds.length > 0) send({ type: 'assignWork', operativeId: p.id, taskIds });
    }
    const held = state.operatives.get(p.id)?.taskIds ?? [];
    if (held.length === 0) {
      this.idle.push(p);
      return;
    }
    this.startTrip(p, [...held]);
    if (state.releaseQueue.length > 0) this.wake();
  }

  private startTrip(p: Picker, taskIds: readonly TaskId[]): void {
    const { state } = this.ctx;
    const byLocation = new Map<LocationId, TaskId[]>();
    const orders: OrderId[] = [];
    const seenOrders = new Set<OrderId>();
    for (const id of taskIds) {
      const task = state.tasks.get(id);
      if (task === undefined) continue;
      const list = byLocation.get(task.locationId);
      if (list === undefined) byLocation.set(task.locationId, [id]);
      else list.push(id);
      if (!seenOrders.has(task.orderId)) {
        seenOrders.add(task.orderId);
        orders.push(task.orderId);
      }
    }
    const planner = this.floor.planner;
    const plan = planner.plan([...byLocation.keys()]);
    if (planner.lastFallback !== null) this.ctx.reject(`planRoute:${planner.lastFallback}`);
    const stopOf = new Map<number, number>();
    plan.stops.forEach((node, i) => stopOf.set(node, i));
    const tasksAt: TaskId[][] = plan.stops.map(() => []);
    for (const [locationId, ids] of byLocation) {
      const node = state.locationsById.get(locationId)?.accessNode;
      const i = node === undefined ? undefined : stopOf.get(node);
      if (i !== undefined) tasksAt[i]?.push(...ids);
    }
    const trip: Trip = { plan, tasksAt, orders, startedAt: this.ctx.sim.now(), leg: 0, waitFrom: 0, doing: 'walking', legFrom: 0, legTo: 0 };
    p.trip = trip;
    p.mode = 'trip';
    this.walkLeg(p, trip);
  }

  /** M5, M6: walks the trip's next leg, slowed where another picker stands in an aisle segment it runs through. */
  private walkLeg(p: Picker, trip: Trip): void {
    const { sim } = this.ctx;
    const leg = trip.plan.legs[trip.leg] as Leg;
    let ms = leg.metres * this.walkMsPerMetre;
    if (this.congestion.enabled && this.slowdown > 0) {
      for (let i = 0; i < leg.segments.length; i++) {
        if (this.floor.board.occupants(leg.segments[i] as number) === 0) continue;
        const extra = (leg.segmentMetres[i] as number) * this.walkMsPerMetre * this.slowdown;
        ms += extra;
        this.congestionMs += extra;
      }
    }
    this.metresWalked += leg.metres;
    this.floor.walked(leg.points);
    const at = sim.now() + Math.round(ms);
    trip.doing = 'walking';
    trip.legFrom = sim.now();
    trip.legTo = at;
    if (trip.leg < trip.plan.stops.length) sim.schedule(at, () => this.arriveAtStop(p, trip));
    else sim.schedule(at, () => this.arriveAtDepot(p, trip));
  }

  private arriveAtStop(p: Picker, trip: Trip): void {
    const segment = this.congestion.enabled ? this.floor.segments.segmentOfAccessNode(trip.plan.stops[trip.leg] as number) : -1;
    if (segment < 0) {
      this.startPicking(p, trip, -1);
      return;
    }
    trip.waitFrom = this.ctx.sim.now();
    trip.doing = 'blocked';
    const entered = this.floor.board.enter(segment, () => {
      this.congestionMs += this.ctx.sim.now() - trip.waitFrom;
      this.startPicking(p, trip, segment);
    });
    if (entered) this.startPicking(p, trip, segment);
  }

  private startPicking(p: Picker, trip: Trip, segment: number): void {
    trip.doing = 'picking';
    let seconds = 0;
    for (const id of trip.tasksAt[trip.leg] ?? []) {
      const task = this.ctx.state.tasks.get(id);
      if (task !== undefined) seconds += this.labour.pickSecondsPerLine + this.labour.pickSecondsPerUnit * task.qty;
    }
    this.ctx.sim.scheduleIn(Math.round(seconds * 1000), () => this.finishPicking(p, trip, segment));
  }

  private finishPicking(p: Picker, trip: Trip, segment: number): void {
    const { state, send, sim } = this.ctx;
    let picked = 0;
    for (const id of trip.tasksAt[trip.leg] ?? []) {
      const task = state.tasks.get(id);
      if (task === undefined || task.status !== 'assigned' || task.operativeId !== p.id) continue;
      const barcode = state.skusById.get(task.skuId)?.barcode ?? '';
      if (!send({ type: 'confirmPick', taskId: id, operativeId: p.id, scannedLocation: task.locationId, scannedItem: barcode, qty: task.qty })) continue;
      picked++;
      this.onPicked(task.locationId);
    }
    if (picked > 0) {
      this.linesPicked += picked;
      this.ctx.metrics.linesPicked(epochMs(sim.now()), picked);
    }
    this.floor.board.leave(segment);
    trip.leg++;
    this.walkLeg(p, trip);
  }

  private arriveAtDepot(p: Picker, trip: Trip): void {
    const { sim, state } = this.ctx;
    this.busyMs += sim.now() - trip.startedAt;
    this.onTripDone(trip.orders);
    p.trip = null;
    p.mode = 'idle';
    if (sim.now() === trip.startedAt && (state.operatives.get(p.id)?.taskIds.length ?? 0) > 0) {
      // A trip that took no time and left tasks unpicked would repeat at this instant forever: try again later.
      sim.scheduleIn(MINUTE_MS, () => {
        if (p.mode === 'idle' && !this.idle.includes(p)) this.seekWork(p);
      });
      return;
    }
    this.seekWork(p);
  }
}
