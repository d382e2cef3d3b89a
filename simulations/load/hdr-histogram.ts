/**
 * A small HDR-style latency histogram: log-linear buckets (128 linear sub-buckets per power of two above 256 units),
 * so any recorded value is known to within 1/128 (< 0.8 %) of itself, in constant memory whatever the count. Values
 * are non-negative numbers in the caller's unit (ms for the load mode) quantised to `resolution`.
 */

/** Linear sub-buckets per power of two; the relative width of a bucket is at most 1 / SUB_BUCKETS. */
const SUB_BUCKETS = 128;
const SUB_BITS = 7;
/** Below this many resolution units every integer has its own bucket (exact). */
const LINEAR_LIMIT = 2 * SUB_BUCKETS;

/** Bucket index of the integer `n` ≥ 0. */
function indexOf(n: number): number {
  if (n < LINEAR_LIMIT) return n;
  const exponent = Math.floor(Math.log2(n)) - SUB_BITS;
  // Guard against log2 rounding at exact powers of two.
  const e = n / 2 ** exponent >= LINEAR_LIMIT ? exponent + 1 : n / 2 ** exponent < SUB_BUCKETS ? exponent - 1 : exponent;
  return LINEAR_LIMIT + (e - 1) * SUB_BUCKETS + (Math.floor(n / 2 ** e) - SUB_BUCKETS);
}

/** The integer range [lo, hi) of bucket `index`. */
function rangeOf(index: number): { lo: number; hi: number } {
  if (index < LINEAR_LIMIT) return { lo: index, hi: index + 1 };
  const e = Math.floor((index - LINEAR_LIMIT) / SUB_BUCKETS) + 1;
  const sub = ((index - LINEAR_LIMIT) % SUB_BUCKETS) + SUB_BUCKETS;
  return { lo: sub * 2 ** e, hi: (sub + 1) * 2 ** e };
}

/** A mergeable histogram of non-negative values; percentiles within 1 % of the exact value from 50 × `resolution` up. */
export class HdrHistogram {
  private counts: number[] = [];
  private total = 0;
  private sum = 0;
  private minValue = Number.POSITIVE_INFINITY;
  private maxValue = Number.NEGATIVE_INFINITY;

  /** `resolution`: the smallest difference kept, in the values' unit (default 0.001: 1 µs for ms). */
  constructor(readonly resolution = 0.001) {
    if (!(resolution > 0)) throw new Error(`resolution must be positive, got ${resolution}`);
  }

  /** Records `value` (≥ 0, finite) `times` times. */
  record(value: number, times = 1): void {
    if (!Number.isFinite(value) || value < 0) throw new Error(`a histogram value must be a finite number ≥ 0, got ${value}`);
    const index = indexOf(Math.floor(value / this.resolution));
    while (this.counts.length <= index) this.counts.push(0);
    this.counts[index] = (this.counts[index] ?? 0) + times;
    this.total += times;
    this.sum += value * times;
    if (value < this.minValue) this.minValue = value;
    if (value > this.maxValue) this.maxValue = value;
  }

  /** Adds every value recorded in `other` (same resolution) to this one. */
  merge(other: HdrHistogram): this {
    if (other.resolution !== this.resolution) throw new Error(`cannot merge resolution ${other.resolution} into ${this.resolution}`);
    other.counts.forEach((count, index) => {
      if (count === 0) return;
      while (this.counts.length <= index) this.counts.push(0);
      this.counts[index] = (this.counts[index] ?? 0) + count;
    });
    this.total += other.total;
    this.sum += other.sum;
    this.minValue = Math.min(this.minValue, other.minValue);
    this.maxValue = Math.max(this.maxValue, other.maxValue);
    return this;
  }

  get count(): number {
    return this.total;
  }

  /** Exact smallest / largest recorded value; NaN when empty. */
  get min(): number {
    return this.total === 0 ? Number.NaN : this.minValue;
  }

  get max(): number {
    return this.total === 0 ? Number.NaN : this.maxValue;
  }

  get mean(): number {
    return this.total === 0 ? Number.NaN : this.sum / this.total;
  }

  /**
   * The value at percentile `p` (0–100) by nearest rank, as the middle of its bucket clamped to [min, max]; NaN when
   * empty.
   */
  percentile(p: number): number {
    if (this.total === 0) return Number.NaN;
    if (!(p >= 0 && p <= 100)) throw new Error(`percentile must be in [0, 100], got ${p}`);
    const rank = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    for (let index = 0; index < this.counts.length; index++) {
      seen += this.counts[index] ?? 0;
      if (seen >= rank) {
        const { lo, hi } = rangeOf(index);
        const middle = ((lo + hi) / 2) * this.resolution;
        return Math.min(this.maxValue, Math.max(this.minValue, middle));
      }
    }
    return this.maxValue;
  }

  /** Count, mean, min, max and the usual percentiles, for reports. */
  summary(): LatencySummary {
    return {
      count: this.total,
      mean: this.mean,
      min: this.min,
      p50: this.percentile(50),
      p95: this.percentile(95),
      p99: this.percentile(99),
      p999: this.percentile(99.9),
      max: this.max,
    };
  }
}

/** A histogram's headline figures (in its unit; NaN when nothing was recorded). */
export interface LatencySummary {
  readonly count: number;
  readonly mean: number;
  readonly min: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}
