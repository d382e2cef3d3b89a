import { describe, expect, it } from 'vitest';
import { createRng } from '../../server/twin/rng.ts';
import { estimate, pairedDifference, regularizedBeta, studentTCdf, studentTQuantile } from './stats.ts';

describe('Student t', () => {
  it('matches published quantiles (two-sided 95 %, 90 %, 99 %)', () => {
    const table: [p: number, df: number, t: number][] = [
      [0.975, 1, 12.706204736], [0.975, 2, 4.302652730], [0.975, 3, 3.182446305], [0.975, 4, 2.776445105],
      [0.975, 5, 2.570581836], [0.975, 9, 2.262157163], [0.975, 10, 2.228138852], [0.975, 29, 2.045229642],
      [0.975, 30, 2.042272456], [0.975, 100, 1.983971519], [0.95, 4, 2.131846786], [0.995, 7, 3.499483297],
      [0.995, 1, 63.656741163], [0.975, 1e7, 1.959964],
    ];
    for (const [p, df, t] of table) expect(studentTQuantile(p, df)).toBeCloseTo(t, 6);
  });

  it('is symmetric and inverts the CDF', () => {
    expect(studentTQuantile(0.025, 6)).toBeCloseTo(-studentTQuantile(0.975, 6), 12);
    expect(studentTQuantile(0.5, 3)).toBeCloseTo(0, 12);
    for (const df of [1, 2.5, 8, 50]) {
      for (const p of [0.01, 0.3, 0.8, 0.999]) expect(studentTCdf(studentTQuantile(p, df), df)).toBeCloseTo(p, 10);
    }
  });

  it('has the closed-form CDF for 1 and 2 degrees of freedom', () => {
    expect(studentTCdf(1, 1)).toBeCloseTo(0.75, 12); // Cauchy: 1/2 + atan(t)/π
    expect(studentTCdf(-3, 1)).toBeCloseTo(0.5 + Math.atan(-3) / Math.PI, 12);
    expect(studentTCdf(2, 2)).toBeCloseTo(0.5 + 2 / (2 * Math.sqrt(6)), 12);
    expect(regularizedBeta(0.3, 1, 1)).toBeCloseTo(0.3, 12);
    expect(regularizedBeta(0.3, 2, 3)).toBeCloseTo(0.3483, 12); // 1 − Σ binomial terms
  });

  it('rejects probabilities outside (0, 1) and non-positive degrees of freedom', () => {
    expect(() => studentTQuantile(1, 3)).toThrow(RangeError);
    expect(() => studentTQuantile(0.5, 0)).toThrow(RangeError);
  });
});

describe('estimate', () => {
  it('gives the mean, sample standard deviation and t interval', () => {
    const e = estimate([2, 4, 4, 4, 5, 5, 7, 9]);
    const sd = Math.sqrt(32 / 7);
    const half = (2.364624252 * sd) / Math.sqrt(8);
    expect(e.n).toBe(8);
    expect(e.mean).toBe(5);
    expect(e.sd).toBeCloseTo(sd, 12);
    expect(e.halfWidth).toBeCloseTo(half, 8);
    expect(e.ci?.[0]).toBeCloseTo(5 - half, 8);
    expect(e.ci?.[1]).toBeCloseTo(5 + half, 8);
  });

  it('has no spread or interval for a single value, and needs at least one', () => {
    expect(estimate([3])).toEqual({ n: 1, mean: 3, sd: null, halfWidth: null, ci: null });
    expect(() => estimate([])).toThrow(RangeError);
  });

  it('covers the true mean about 95 % of the time for small normal samples', () => {
    const rng = createRng(7);
    const normal = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
    let covered = 0;
    const trials = 4000;
    for (let i = 0; i < trials; i++) {
      const { ci } = estimate(Array.from({ length: 4 }, () => 10 + 3 * normal()));
      if (ci && ci[0] <= 10 && 10 <= ci[1]) covered++;
    }
    // A z interval (1.96) would cover only ~86 % at n = 4; the t interval ~95 % (binomial sd ≈ 0.35 %).
    expect(covered / trials).toBeGreaterThan(0.935);
    expect(covered / trials).toBeLessThan(0.965);
  });
});

describe('pairedDifference', () => {
  it('estimates the mean of the per-pair differences', () => {
    const d = pairedDifference([10, 12, 14], [9, 10, 12]);
    expect(d.mean).toBeCloseTo(5 / 3, 12);
    expect(d.sd).toBeCloseTo(Math.sqrt(1 / 3), 12);
    expect(pairedDifference([5, 6], [5, 6])).toMatchObject({ mean: 0, sd: 0, halfWidth: 0 });
    expect(() => pairedDifference([1, 2], [1])).toThrow(RangeError);
  });
});
