/**
 * A simulation scenario, as planners write it in `data/scenarios/*.json` (parsed by `parse-scenario.ts`) and as the
 * what-if service builds it from the live floor. Times of day are `HH:MM` on the scenario's own day (UTC); all
 * durations are in the unit their name says. Pure types: no I/O here.
 */
import type { SiteParams } from '../../server/twin/layout/generator.ts';
import type { SiteDefinition } from '../../server/twin/site.ts';
import type { TwinSnapshotData } from '../../server/twin/twin.ts';
import type { RouteMethod } from '../../solver/routing/plan-route.ts';

/** Where the site comes from. */
export type ScenarioSite =
  | { readonly kind: 'demo' }
  | { readonly kind: 'generated'; readonly params: SiteParams; readonly seed: number }
  /** A Floortwin layout/site file, path relative to the repository root. */
  | { readonly kind: 'file'; readonly path: string }
  /** In memory only: the live site, passed by the what-if service. Never in a file. */
  | { readonly kind: 'definition'; readonly definition: SiteDefinition };

/** The twin state the run starts from. */
export type ScenarioStart =
  | { readonly kind: 'empty' }
  /** The site's generated initial stock (the demo's stock for the demo site). */
  | { readonly kind: 'demo-stock' }
  /** A snapshot file written by `GET /api/sites/:siteId/snapshot` (path relative to the repository root). */
  | { readonly kind: 'snapshot'; readonly path: string }
  /** In memory only: the live twin forked by the what-if service. Never in a file. */
  | { readonly kind: 'state'; readonly snapshot: TwinSnapshotData };

/** A discrete distribution over 1..n: `weights[i]` is the relative weight of the value i + 1. */
export interface CountDistribution {
  readonly weights: readonly number[];
}

export interface PeakPeriod {
  readonly from: string;
  readonly to: string;
  readonly multiplier: number;
}

export interface ScenarioDemand {
  /** Order lines arriving over the whole run (before `multiplier`); orders follow from `linesPerOrder`. */
  readonly lines: number;
  /** 24 relative weights, hour 0..23 of the day; arrivals follow this profile (a non-homogeneous Poisson process). */
  readonly hourlyProfile: readonly number[];
  /** Periods whose rate is multiplied (Black Friday 10:00–14:00 × 3). */
  readonly peaks: readonly PeakPeriod[];
  /** Scales all arrivals (what-if "+40 % orders" is 1.4). Default 1. */
  readonly multiplier: number;
  /** Lines per order: given, or fitted from the start state's orders (`history`). */
  readonly linesPerOrder: { readonly kind: 'given'; readonly distribution: CountDistribution } | { readonly kind: 'history' };
  /** Units per line. */
  readonly unitsPerLine: { readonly kind: 'given'; readonly distribution: CountDistribution } | { readonly kind: 'history' };
  /**
   * Which SKUs are ordered: by the site's `demandWeight` (`site`), by how often they appear in the start state's
   * orders (`history`), or by a Zipf law over the SKUs in site order.
   */
  readonly skuPopularity: { readonly kind: 'site' } | { readonly kind: 'history' } | { readonly kind: 'zipf'; readonly exponent: number };
}

export interface ShiftPattern {
  readonly start: string;
  readonly end: string;
  readonly pickers: number;
}

export interface BreakRule {
  /** Time of day the break starts for the first picker; pickers are staggered by `staggerMinutes`. */
  readonly at: string;
  readonly minutes: number;
  readonly staggerMinutes: number;
}

export interface ScenarioLabour {
  /** Shift patterns; the pickers on the floor at any time are those whose shift covers it. */
  readonly shifts: readonly ShiftPattern[];
  readonly breaks: readonly BreakRule[];
  readonly walkSpeedMps: number;
  readonly pickSecondsPerLine: number;
  readonly pickSecondsPerUnit: number;
  /** Replenishment operatives (top up pick faces from reserve), on the floor for the whole run. */
  readonly replenishers: number;
}

export interface CarrierCutoff {
  readonly carrier: string;
  /** Time of day the truck leaves; orders packed by then go on it. */
  readonly at: string;
}

export interface ScenarioStations {
  readonly packStations: number;
  readonly packSecondsPerOrder: number;
  readonly packSecondsPerUnit: number;
  /** Each order is assigned a carrier round-robin over this list; its cut-off is the next `at` after it arrives. */
  readonly cutoffs: readonly CarrierCutoff[];
}

export type BatchingPolicy =
  | { readonly kind: 'single-order' }
  /** First come, first batched: up to `maxOrders` orders and `maxLines` lines per trip. */
  | { readonly kind: 'fcfs'; readonly maxOrders: number; readonly maxLines: number }
  /**
   * Clarke–Wright savings (solver/batching) over the orders waiting at the head of the release queue, each trip the
   * head order's batch; the same cart limits as `fcfs`. `localSearch` adds the engine's move/swap search (M14).
   */
  | { readonly kind: 'savings'; readonly maxOrders: number; readonly maxLines: number; readonly localSearch: boolean };

export type ReleasePolicy =
  | { readonly kind: 'continuous' }
  /** Orders wait and are released together every `everyMinutes`. */
  | { readonly kind: 'waves'; readonly everyMinutes: number };

/**
 * Where stock is at the start of the run: `as-is`, or re-slotted by the engine (solver/slotting) before it starts —
 * `coi` (cube-per-order index: fastest movers per slot nearest the depot), `abc` (classes by zone), `coi-affinity`
 * (COI, then SKUs ordered together into the same aisles). Velocities come from `history`: `demand` (orders drawn from
 * the scenario's own demand model, on a stream of its own) or `start-state` (the start state's orders).
 */
export type SlottingPolicy =
  | 'as-is'
  | { readonly kind: 'coi' | 'abc' | 'coi-affinity'; readonly history: 'demand' | 'start-state' };

export interface ScenarioPolicies {
  readonly routing: RouteMethod;
  readonly batching: BatchingPolicy;
  readonly release: ReleasePolicy;
  /** `as-is` keeps the start state's stock where it is; otherwise the engine re-slots it before the run (M15). */
  readonly slotting: SlottingPolicy;
}

export interface ScenarioCongestion {
  readonly enabled: boolean;
  /** Pickers that can pick in one aisle segment at once; more wait their turn. */
  readonly pickersPerSegment: number;
  /** Walking speed factor while another picker is in the same aisle segment (0 < f ≤ 1). */
  readonly passingSpeedFactor: number;
}

export interface ScenarioReplenishment {
  readonly enabled: boolean;
  /** A location whose units fall to or below this gets a replenishment task. */
  readonly triggerUnits: number;
  /** Time for one replenishment task at the location, seconds (plus the walk from the depot and back). */
  readonly secondsPerTask: number;
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly seed: number;
  /** Start of the run, ISO 8601 UTC (`2026-11-27T06:00:00Z`). */
  readonly startAt: string;
  readonly durationHours: number;
  readonly site: ScenarioSite;
  readonly start: ScenarioStart;
  readonly demand: ScenarioDemand;
  readonly labour: ScenarioLabour;
  readonly stations: ScenarioStations;
  readonly policies: ScenarioPolicies;
  readonly congestion: ScenarioCongestion;
  readonly replenishment: ScenarioReplenishment;
  /** Interval of the time series in the result, minutes. */
  readonly sampleMinutes: number;
}
