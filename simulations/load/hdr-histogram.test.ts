import { describe, expect, it } from 'vitest';
import { createRng, randomExponential } from '../../server/twin/rng.ts';
import { HdrHistogram } from './hdr-histogram.ts';

/** Nearest-rank percentile of ascending `sorted`. */
const exact = (sorted: readonly number[], p: number): number => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

/** Latency-like values over six orders of magnitude: exponential bodies with a heavy tail. */
function sample(seed: number, n: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => {
    const scale = [0.2, 5, 80, 2_000, 60_000][Math.floor(rng.next() * 5)] ?? 1;
    return randomExponential(rng, scale);
  });
}

describe('HdrHistogram', () => {
  it('[LM6] answers percentiles within 1 % of the exact nearest-rank value', () => {
    const values = sample(7, 50_000);
    const histogram = new HdrHistogram();
    for (const v of values) histogram.record(v);
    const sorted = [...values].sort((a, b) => a - b);
    for (const p of [1, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 100]) {
      const want = exact(sorted, p);
      const got = histogram.percentile(p);
      // Values under 50 × resolution are kept to ± resolution / 2 instead.
      expect(Math.abs(got - want)).toBeLessThanOrEqual(Math.max(0.01 * want, histogram.resolution / 2));
    }
    expect(histogram.count).toBe(values.length);
    expect(histogram.min).toBe(sorted[0]);
    expect(histogram.max).toBe(sorted[sorted.length - 1]);
    expect(histogram.mean).toBeCloseTo(values.reduce((s, v) => s + v, 0) / values.length, 6);
  });

  it('keeps every value below 256 units in its own bucket', () => {
    const histogram = new HdrHistogram(1);
    for (let v = 0; v < 256; v++) histogram.record(v);
    for (let v = 1; v <= 256; v++) expect(histogram.percentile((v / 256) * 100)).toBe(Math.min(v - 1 + 0.5, 255));
  });

  it('merges to the same answers as recording everything in one', () => {
    const a = sample(1, 5_000);
    const b = sample(2, 7_000);
    const one = new HdrHistogram();
    const left = new HdrHistogram();
    const right = new HdrHistogram();
    for (const v of a) {
      one.record(v);
      left.record(v);
    }
    for (const v of b) {
      one.record(v);
      right.record(v);
    }
    left.merge(right);
    const { mean, ...rest } = left.summary();
    const { mean: wantMean, ...wantRest } = one.summary();
    expect(rest).toEqual(wantRest);
    expect(mean).toBeCloseTo(wantMean, 6);
  });

  it('is empty until something is recorded, and refuses values it cannot hold', () => {
    const histogram = new HdrHistogram();
    expect(histogram.count).toBe(0);
    expect(histogram.percentile(99)).toBeNaN();
    expect(histogram.summary().max).toBeNaN();
    expect(() => histogram.record(-1)).toThrow(/≥ 0/);
    expect(() => histogram.record(Number.NaN)).toThrow(/finite/);
    expect(() => new HdrHistogram(1).merge(new HdrHistogram(2))).toThrow(/resolution/);
    histogram.record(5, 3);
    expect(histogram.count).toBe(3);
    expect(histogram.percentile(0)).toBe(5);
  });
});
