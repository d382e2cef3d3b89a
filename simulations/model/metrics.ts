/**
 * The KPI recorder the model feeds while it runs: counts per sample interval, levels at each interval's end, the
 * lead-time sample and the travel heat map. Pure: times come from the caller (virtual time), nothing is read from
 * the machine.
 */
import { percentile } from '../../server/twin/kpis.ts';
import type { EpochMs, FloorPoint } from '../../server/twin/ids.ts';
import type { Distribution, SimulationSeries, TravelHeatmap } from './result.ts';

/** Bins of the default histogram (the step is rounded up to 1, 2 or 5 × 10^k, so there may be a few fewer). */
const DEFAULT_BINS = 20;
const MS_PER_MINUTE = 60_000;

const ascending = (a: number, b: number): number => a - b;

/** The smallest of 1, 2, 5 × 10^k that is ≥ `x` (x > 0). */
function niceStep(x: number): number {
  const power = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 5, 10]) if (m * power >= x) return m * power;
  return 10 * power;
}

/** Edges from a multiple of a nice step at or below `min` to the first one above `max` (the max gets a bin). */
function defaultEdges(min: number, max: number): number[] {
  // A floor on the width keeps the edges distinct in floating point for a sample of (nearly) equal values.
  const width = max > min ? (max - min) / DEFAULT_BINS : 1;
  const step = niceStep(Math.max(width, Math.abs(max) * 1e-9, 1e-9));
  const first = Math.floor(min / step) * step;
  const edges = [first];
  while (edges[edges.length - 1]! <= max) edges.push(first + edges.length * step);
  return edges;
}

/**
 * Count, mean, nearest-rank quantiles, max and a histogram of `values`. Bin i counts edges[i] ≤ v < edges[i + 1];
 * values below the first edge fall in the first bin and values at or above the last edge in the last, so the counts
 * always sum to `count`. Without `edges`, about 20 bins of a round width cover the sample. An empty sample gives
 * zeros (JSON has no NaN).
 */
export function distributionOf(values: readonly number[], edges?: readonly number[]): Distribution {
  const sorted = [...values].sort(ascending);
  const n = sorted.length;
  if (edges !== undefined) {
    if (edges.length < 2) throw new RangeError('a histogram needs at least two edges');
    for (let i = 1; i < edges.length; i++) {
      if (!(edges[i]! > edges[i - 1]!)) throw new RangeError('histogram edges must be strictly increasing');
    }
  }
  const binEdges = edges ? [...edges] : n === 0 ? [0, 1] : defaultEdges(sorted[0]!, sorted[n - 1]!);
  const counts = new Array<number>(binEdges.length - 1).fill(0);
  let bin = 0;
  let sum = 0;
  for (const v of sorted) {
    sum += v;
    while (bin < counts.length - 1 && v >= binEdges[bin + 1]!) bin++;
    counts[bin]!++;
  }
  const q = (p: number): number => percentile(sorted, p) ?? 0;
  return {
    count: n,
    mean: n === 0 ? 0 : sum / n,
    p50: q(0.5),
    p90: q(0.9),
    p95: q(0.95),
    p99: q(0.99),
    max: n === 0 ? 0 : sorted[n - 1]!,
    histogram: { edges: binEdges, counts },
  };
}

export interface MetricsRecorderOptions {
  readonly startAt: EpochMs;
  readonly endAt: EpochMs;
  /** Length of one series interval, minutes (> 0); the last interval may be shorter. */
  readonly sampleMinutes: number;
  /** Floor area the heat map covers, metres; walks outside it are added to the nearest edge cell. */
  readonly layoutBounds: { readonly minX: number; readonly minY: number; readonly maxX: number; readonly maxY: number };
  /** Side of a heat map cell, metres. Default 1. */
  readonly cellMetres?: number;
}

/** Running totals, for the KPIs the model computes itself. */
export interface MetricsTotals {
  readonly ordersArrived: number;
  readonly linesArrived: number;
  readonly linesPicked: number;
  readonly ordersDespatched: number;
  readonly ordersDespatchedByCutoff: number;
  readonly metresWalked: number;
}

interface Level {
  readonly backlog: number;
  readonly pickersOnShift: number;
  readonly pickersBusy: number;
}

/**
 * Records what happens during a run. Interval i covers [startAt + i·sample, startAt + (i+1)·sample); a time before
 * `startAt` counts in the first interval and one at or after `endAt` in the last. Levels are step functions: the
 * last `levels` call in an interval is its value at the interval's end, and an interval without a call keeps the
 * previous interval's value (zero before the first call).
 */
export class MetricsRecorder {
  private readonly startAt: number;
  private readonly sampleMs: number;
  private readonly intervalEnds: readonly number[];
  private readonly ordersArrivedPer: number[];
  private readonly linesPickedPer: number[];
  private readonly ordersDespatchedPer: number[];
  private readonly levelPer: (Level | undefined)[];
  private readonly leadTimes: number[] = [];
  private readonly originX: number;
  private readonly originY: number;
  private readonly cellMetres: number;
  private readonly cols: number;
  private readonly rows: number;
  private readonly cells: Float64Array;
  private totalsSoFar = { ordersArrived: 0, linesArrived: 0, linesPicked: 0, ordersDespatched: 0, ordersDespatchedByCutoff: 0, metresWalked: 0 };

  constructor(options: MetricsRecorderOptions) {
    const { startAt, endAt, sampleMinutes, layoutBounds } = options;
    const cellMetres = options.cellMetres ?? 1;
    if (!(endAt > startAt)) throw new RangeError('endAt must be after startAt');
    if (!(sampleMinutes > 0)) throw new RangeError('sampleMinutes must be positive');
    if (!(cellMetres > 0)) throw new RangeError('cellMetres must be positive');
    if (!(layoutBounds.maxX >= layoutBounds.minX && layoutBounds.maxY >= layoutBounds.minY)) {
      throw new RangeError('layoutBounds must have max ≥ min');
    }
    this.startAt = startAt;
    this.sampleMs = sampleMinutes * MS_PER_MINUTE;
    const intervals = Math.ceil((endAt - startAt) / this.sampleMs);
    this.intervalEnds = Array.from({ length: intervals }, (_, i) => Math.min(endAt, startAt + (i + 1) * this.sampleMs));
    this.ordersArrivedPer = new Array<number>(intervals).fill(0);
    this.linesPickedPer = new Array<number>(intervals).fill(0);
    this.ordersDespatchedPer = new Array<number>(intervals).fill(0);
    this.levelPer = new Array<Level | undefined>(intervals).fill(undefined);
    this.originX = layoutBounds.minX;
    this.originY = layoutBounds.minY;
    this.cellMetres = cellMetres;
    this.cols = Math.max(1, Math.ceil((layoutBounds.maxX - layoutBounds.minX) / cellMetres));
    this.rows = Math.max(1, Math.ceil((layoutBounds.maxY - layoutBounds.minY) / cellMetres));
    this.cells = new Float64Array(this.cols * this.rows);
  }

  /** Running totals so far. */
  get totals(): MetricsTotals {
    return { ...this.totalsSoFar };
  }

  orderArrived(at: EpochMs, lines: number): void {
    this.ordersArrivedPer[this.intervalOf(at)]!++;
    this.totalsSoFar.ordersArrived++;
    this.totalsSoFar.linesArrived += lines;
  }

  linesPicked(at: EpochMs, count: number): void {
    this.linesPickedPer[this.intervalOf(at)]! += count;
    this.totalsSoFar.linesPicked += count;
  }

  orderDespatched(at: EpochMs, arrivedAt: EpochMs, byCutoff: boolean): void {
    this.ordersDespatchedPer[this.intervalOf(at)]!++;
    this.leadTimes.push((at - arrivedAt) / MS_PER_MINUTE);
    this.totalsSoFar.ordersDespatched++;
    if (byCutoff) this.totalsSoFar.ordersDespatchedByCutoff++;
  }

  /**
   * A straight walk from a to b: its metres are split over the heat map cells it crosses, in proportion to the
   * length inside each (a grid traversal, so the cells' metres sum to the walk's length).
   */
  walked(a: FloorPoint, b: FloorPoint): void {
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const length = Math.hypot(dx, dy);
    if (length === 0) return;
    this.totalsSoFar.metresWalked += length;
    const c = this.cellMetres;
    const fx = (a.x - this.originX) / c; // position in cell units
    const fy = (a.y - this.originY) / c;
    let ix = Math.floor(fx);
    let iy = Math.floor(fy);
    const stepX = dx > 0 ? 1 : -1;
    const stepY = dy > 0 ? 1 : -1;
    // Parameter t (0..1 along the walk) of the next vertical / horizontal grid line, and between two of them.
    const tDeltaX = dx === 0 ? Infinity : c / Math.abs(dx);
    const tDeltaY = dy === 0 ? Infinity : c / Math.abs(dy);
    let tMaxX = dx === 0 ? Infinity : ((dx > 0 ? ix + 1 - fx : fx - ix) * c) / Math.abs(dx);
    let tMaxY = dy === 0 ? Infinity : ((dy > 0 ? iy + 1 - fy : fy - iy) * c) / Math.abs(dy);
    let t = 0;
    for (;;) {
      const tNext = Math.min(tMaxX, tMaxY, 1);
      this.addToCell(ix, iy, (tNext - t) * length);
      t = tNext;
      if (t >= 1) return;
      if (tMaxX < tMaxY) {
        ix += stepX;
        tMaxX += tDeltaX;
      } else {
        iy += stepY;
        tMaxY += tDeltaY;
      }
    }
  }

  levels(at: EpochMs, level: { backlog: number; pickersOnShift: number; pickersBusy: number }): void {
    this.levelPer[this.intervalOf(at)] = { backlog: level.backlog, pickersOnShift: level.pickersOnShift, pickersBusy: level.pickersBusy };
  }

  finish(): { leadTimeMinutes: Distribution; series: SimulationSeries; heatmap: TravelHeatmap } {
    const backlog: number[] = [];
    const pickersOnShift: number[] = [];
    const pickersBusy: number[] = [];
    let last: Level = { backlog: 0, pickersOnShift: 0, pickersBusy: 0 };
    for (const level of this.levelPer) {
      last = level ?? last;
      backlog.push(last.backlog);
      pickersOnShift.push(last.pickersOnShift);
      pickersBusy.push(last.pickersBusy);
    }
    return {
      leadTimeMinutes: distributionOf(this.leadTimes),
      series: {
        at: this.intervalEnds.map((ms) => new Date(ms).toISOString()),
        ordersArrived: [...this.ordersArrivedPer],
        linesPicked: [...this.linesPickedPer],
        ordersDespatched: [...this.ordersDespatchedPer],
        backlog,
        pickersOnShift,
        pickersBusy,
      },
      heatmap: {
        originX: this.originX,
        originY: this.originY,
        cellMetres: this.cellMetres,
        cols: this.cols,
        rows: this.rows,
        metres: Array.from(this.cells),
      },
    };
  }

  private intervalOf(at: number): number {
    const i = Math.floor((at - this.startAt) / this.sampleMs);
    return Math.min(this.intervalEnds.length - 1, Math.max(0, i));
  }

  private addToCell(ix: number, iy: number, metres: number): void {
    const col = Math.min(this.cols - 1, Math.max(0, ix));
    const row = Math.min(this.rows - 1, Math.max(0, iy));
    this.cells[row * this.cols + col]! += metres;
  }
}
