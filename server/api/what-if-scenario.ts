/**
 * Builds the two scenarios of a what-if from a fork of the live twin: the rest of the shift as it stands (baseline)
 * and under the planner's changed assumptions. Pure: the fork, the site and the request in, scenarios out.
 */
import { minutesOfDay, msOfDay } from '../../simulations/scenario/time-of-day.ts';
import { SCENARIO_DEFAULTS } from '../../simulations/scenario/defaults.ts';
import type { Scenario } from '../../simulations/scenario/types.ts';
import type { SiteDefinition } from '../twin/site.ts';
import type { TwinSnapshotData } from '../twin/twin.ts';
import type { RouteMethod } from '../../solver/routing/plan-route.ts';
import type { WhatIfPlanView } from '../protocol/what-if.ts';

const HOUR_MS = 3_600_000;

/** What the planner asks (the body of `POST …/what-if`, defaults filled except `hours`). */
export interface WhatIfRequest {
  /** Simulated hours; absent: until the day's last cut-off, or {@link FALLBACK_HOURS} when it has passed. */
  readonly hours?: number | undefined;
  /** Scales the live arrival rate (1.4 is "+40 % orders"). */
  readonly orderMultiplier: number;
  /** Pickers added to (or, negative, taken from) those signed on now. */
  readonly pickerDelta: number;
  /** Routing of the what-if; absent: the live floor's, as the baseline. */
  readonly routing?: RouteMethod | undefined;
  /** Seed of both runs (common random numbers); absent: the fork's seq, so the same fork gives the same answer. */
  readonly seed?: number | undefined;
  /** Record the what-if run's first hour on the floor for playback; absent: true. */
  readonly watch?: boolean | undefined;
}

/** Everything the what-if settled on, shown to the planner next to the results. */
export interface WhatIfPlan extends WhatIfPlanView {
  readonly baseline: Scenario;
  readonly whatIf: Scenario;
}

/** Cut-off used when no open order of the fork carries one (the site configures none). */
export const DEFAULT_CUTOFF = '17:00';
/** Hours simulated when the request names none and the day's last cut-off has passed. */
export const FALLBACK_HOURS = 8;
export const MIN_HOURS = 0.5;
export const MAX_HOURS = 24;
/** The live floor's routing (the route service plans with the solver's default) and the baseline's. */
const LIVE_ROUTING: RouteMethod = 'best';

const pad2 = (n: number): string => String(n).padStart(2, '0');
/** `HH:MM` (UTC) of an instant, rounded down to the minute. */
export function timeOfDay(at: number): string {
  const minutes = Math.floor(msOfDay(at) / 60_000);
  return `${pad2(Math.floor(minutes / 60))}:${pad2(minutes % 60)}`;
}

/** The cut-offs the floor works to: distinct times of day of the open orders' `dueAt`, sorted; else 17:00. */
export function cutoffsOf(snapshot: TwinSnapshotData): string[] {
  const times = new Set<string>();
  for (const order of snapshot.orders) {
    if (order.dueAt !== null && order.status !== 'despatched' && order.status !== 'cancelled') times.add(timeOfDay(order.dueAt));
  }
  return times.size === 0 ? [DEFAULT_CUTOFF] : [...times].sort();
}

/** Default run length: from the fork to the day's last cut-off when that is still ahead, else {@link FALLBACK_HOURS}. */
export function defaultHours(now: number, cutoffs: readonly string[]): number {
  const midnight = now - msOfDay(now);
  const last = Math.max(...cutoffs.map((c) => midnight + minutesOfDay(c) * 60_000));
  const hours = (last - now) / HOUR_MS;
  return hours >= MIN_HOURS ? Math.min(MAX_HOURS, hours) : FALLBACK_HOURS;
}

/**
 * Order lines per hour arriving on the live floor: those created in the hour before the fork; when none, all the
 * fork's orders over their span (at least an hour); when there are no orders, 0.
 */
export function liveLineRate(snapshot: TwinSnapshotData): { linesPerHour: number; from: WhatIfPlan['rateFrom'] } {
  const lines = (o: TwinSnapshotData['orders'][number]): number => o.lines.length;
  let recent = 0;
  for (const order of snapshot.orders) if (order.createdAt > snapshot.now - HOUR_MS && order.createdAt <= snapshot.now) recent += lines(order);
  if (recent > 0) return { linesPerHour: recent, from: 'last-hour' };
  if (snapshot.orders.length === 0) return { linesPerHour: 0, from: 'none' };
  let total = 0;
  let earliest = snapshot.now;
  for (const order of snapshot.orders) {
    total += lines(order);
    earliest = Math.min(earliest, order.createdAt);
  }
  return { linesPerHour: total / Math.max(1, (snapshot.now - earliest) / HOUR_MS), from: 'all-orders' };
}

/** The baseline (as things stand) and the what-if, both starting from `snapshot` of `site`. */
export function planWhatIf(site: SiteDefinition, snapshot: TwinSnapshotData, request: WhatIfRequest): WhatIfPlan {
  const cutoffs = cutoffsOf(snapshot);
  const hours = request.hours ?? defaultHours(snapshot.now, cutoffs);
  const startAt = new Date(snapshot.now).toISOString();
  const seed = request.seed ?? snapshot.seq;
  const pickersNow = snapshot.operatives.length;
  const pickers = Math.max(0, pickersNow + request.pickerDelta);
  const rate = liveLineRate(snapshot);
  const routing = request.routing ?? LIVE_ROUTING;
  const hasHistory = snapshot.orders.length > 0;
  const startClock = timeOfDay(snapshot.now);

  // What the live site does not record (pick and pack times, stations, congestion, replenishment) takes the scenario
  // defaults; both runs share them, so the difference is the planner's change alone.
  const scenario = (name: string, multiplier: number, pickerCount: number, method: RouteMethod): Scenario => ({
    ...SCENARIO_DEFAULTS,
    name,
    description: `Fork of site ${site.id} at seq ${snapshot.seq}: ${hours} h, orders × ${multiplier}, ${pickerCount} pickers, ${method} routing.`,
    seed,
    startAt,
    durationHours: hours,
    site: { kind: 'definition', definition: site },
    start: { kind: 'state', snapshot },
    demand: {
      ...SCENARIO_DEFAULTS.demand,
      lines: rate.linesPerHour * hours,
      // Flat: the live rate holds for the rest of the run.
      hourlyProfile: Array.from({ length: 24 }, () => 1),
      peaks: [],
      multiplier,
      // Fitted from the fork's orders; with none there is nothing to fit (and the rate is 0): the defaults stand.
      ...(hasHistory ? { linesPerOrder: { kind: 'history' }, unitsPerLine: { kind: 'history' }, skuPopularity: { kind: 'history' } } : {}),
    },
    // One shift from the fork's minute round the clock (end = start is 24 h), so it covers any run up to 24 h.
    labour: { ...SCENARIO_DEFAULTS.labour, shifts: [{ start: startClock, end: startClock, pickers: pickerCount }] },
    stations: { ...SCENARIO_DEFAULTS.stations, cutoffs: cutoffs.map((at) => ({ carrier: `cutoff-${at}`, at })) },
    policies: { ...SCENARIO_DEFAULTS.policies, routing: method },
  });

  return {
    startAt,
    hours,
    fromSeq: snapshot.seq,
    seed,
    orderMultiplier: request.orderMultiplier,
    pickerDelta: request.pickerDelta,
    routing,
    pickersNow,
    pickers,
    linesPerHour: rate.linesPerHour,
    rateFrom: rate.from,
    cutoffs,
    watch: request.watch ?? true,
    baseline: scenario(`what-if baseline (${site.id} @${snapshot.seq})`, 1, pickersNow, LIVE_ROUTING),
    whatIf: scenario(`what-if (${site.id} @${snapshot.seq})`, request.orderMultiplier, pickers, routing),
  };
}
