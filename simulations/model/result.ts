/**
 * What one simulation run reports. Plain JSON-safe data (no Maps, no Dates): written as `result.json`, rendered by
 * the HTML report, compared by experiments, shown on the planner view. Times are ISO 8601 UTC strings or minutes
 * (the floor recording, in the live floor's wire shapes, uses epoch ms as they do).
 */
import type { FloorDiff, FloorSnapshot } from '../../server/protocol/floor.ts';
import type { ReslotSummary } from './reslot.ts';

/** Quantiles and a histogram of a sample. */
export interface Distribution {
  readonly count: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  /** Bin edges (length = counts.length + 1) and counts. */
  readonly histogram: { readonly edges: readonly number[]; readonly counts: readonly number[] };
}

/** Headline KPIs: the numbers experiments compare (each a number, higher or lower is better as its name says). */
export interface SimulationKpis {
  readonly ordersArrived: number;
  readonly ordersDespatched: number;
  /** Orders despatched on the truck of their carrier cut-off (or earlier). */
  readonly ordersDespatchedByCutoff: number;
  /** Share of the orders due by the end of the run that made their cut-off, 0..1. */
  readonly cutoffHitRate: number;
  readonly linesPicked: number;
  readonly leadTimeP50Minutes: number;
  readonly leadTimeP95Minutes: number;
  /** Metres walked by all pickers. */
  readonly distanceWalkedMetres: number;
  /** Lines picked per picker-hour on shift (breaks excluded). */
  readonly picksPerPickerHour: number;
  /** Share of on-shift picker time spent walking or picking, 0..1. */
  readonly pickerUtilisation: number;
  readonly packUtilisation: number;
  /** Picker-minutes lost waiting for, or slowed by, another picker in the same aisle segment. */
  readonly congestionMinutes: number;
}

/** Where every order line ended (conservation: arrived = despatched + backordered + cancelled + open). */
export interface LineConservation {
  readonly arrived: number;
  readonly despatched: number;
  readonly backordered: number;
  readonly cancelled: number;
  /** Still in progress at the end of the run (allocated, picked or packed, not yet despatched). */
  readonly open: number;
  readonly balanced: boolean;
}

/** Time series at `sampleMinutes`: counts in each interval, levels at its end. */
export interface SimulationSeries {
  readonly at: readonly string[];
  readonly ordersArrived: readonly number[];
  readonly linesPicked: readonly number[];
  readonly ordersDespatched: readonly number[];
  /** Orders arrived but not yet despatched, at the interval's end. */
  readonly backlog: readonly number[];
  /** Pickers on shift, and busy (walking or picking), at the interval's end. */
  readonly pickersOnShift: readonly number[];
  readonly pickersBusy: readonly number[];
}

/** Metres walked per floor cell (row-major, `rows` × `cols`, cell `cellMetres` square, from `originX/Y`). */
export interface TravelHeatmap {
  readonly originX: number;
  readonly originY: number;
  readonly cellMetres: number;
  readonly cols: number;
  readonly rows: number;
  readonly metres: readonly number[];
}

/**
 * A window of the run on the floor (M13), in the shapes the live floor and the replay player use: the floor at `from`,
 * then `frames[k]` leading to virtual time min(from + (k + 1) · stepMs, to). Epoch ms.
 */
export interface FloorRecording {
  readonly siteId: string;
  readonly from: number;
  readonly to: number;
  readonly stepMs: number;
  readonly snapshot: FloorSnapshot;
  readonly frames: readonly FloorDiff[];
}

export interface SimulationResult {
  readonly scenario: string;
  readonly seed: number;
  readonly startAt: string;
  readonly endAt: string;
  /** Events the engine ran (the simulator benchmark's events/s is this over wall time). */
  readonly events: number;
  readonly kpis: SimulationKpis;
  readonly lines: LineConservation;
  readonly leadTimeMinutes: Distribution;
  readonly series: SimulationSeries;
  readonly heatmap: TravelHeatmap;
  /** The twin invariants checked on the final state (`checkTwinInvariants`); empty when they all hold. */
  readonly invariantViolations: readonly string[];
  /** Commands the twin refused, by `command:code`. */
  readonly rejected: Readonly<Record<string, number>>;
  /** What re-slotting did before the run (M15); absent with `policies.slotting: 'as-is'`. */
  readonly slotting?: ReslotSummary;
  /** The floor recording, when the run was asked for one (`RunOptions.record`); nothing else depends on it. */
  readonly recording?: FloorRecording;
}
