/**
 * Statistics for comparing simulation runs: sample mean and standard deviation, Student-t confidence intervals, and
 * the paired difference to a baseline. Pure functions; JSON-safe results (null where a value does not exist).
 */

/** Lanczos approximation of ln Γ(x), x > 0 (g = 7, 9 terms; ~15 significant digits). */
function lnGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction for the incomplete beta function (modified Lentz). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return h;
}

/** Regularised incomplete beta function I_x(a, b), 0 ≤ x ≤ 1. */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The continued fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry otherwise.
  return x < (a + 1) / (a + b + 2) ? (front * betaContinuedFraction(x, a, b)) / a : 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

/** P(T ≤ t) for Student's t with `df` > 0 degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  const tail = 0.5 * regularizedBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The t with P(T ≤ t) = p (0 < p < 1) for Student's t with `df` > 0 degrees of freedom, to ~1e-12 relative. */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`p must be in (0, 1), got ${p}`);
  if (!(df > 0)) throw new RangeError(`degrees of freedom must be positive, got ${df}`);
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, df) < p) {
    lo = hi;
    hi *= 2;
  }
  // Bisection: the CDF is monotone, so 200 halvings reach the precision of a double whatever the bracket.
  for (let i = 0; i < 200 && hi - lo > 1e-13 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** A sample's mean with a two-sided confidence interval. */
export interface Estimate {
  readonly n: number;
  readonly mean: number;
  /** Sample standard deviation (n − 1 in the denominator); null for n < 2. */
  readonly sd: number | null;
  /** Half-width of the confidence interval, t(1 − α/2, n − 1) · sd / √n; null for n < 2. */
  readonly halfWidth: number | null;
  /** The interval [mean − halfWidth, mean + halfWidth]; null for n < 2. */
  readonly ci: readonly [number, number] | null;
}

/** Mean, standard deviation and the Student-t confidence interval (default 95 %) of `values` (at least one). */
export function estimate(values: readonly number[], confidence = 0.95): Estimate {
  const n = values.length;
  if (n === 0) throw new RangeError('an estimate needs at least one value');
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  const mean = values.reduce((s, v) => s + v, 0) / n;
  if (n < 2) return { n, mean, sd: null, halfWidth: null, ci: null };
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
  const halfWidth = (studentTQuantile(1 - (1 - confidence) / 2, n - 1) * sd) / Math.sqrt(n);
  return { n, mean, sd, halfWidth, ci: [mean - halfWidth, mean + halfWidth] };
}

/**
 * The difference `values − baseline` estimated from pairs (run i of each used the same seed, so they share random
 * numbers and the pairing removes their common noise): an estimate of the per-pair differences.
 */
export function pairedDifference(values: readonly number[], baseline: readonly number[], confidence = 0.95): Estimate {
  if (values.length !== baseline.length) throw new RangeError(`paired samples differ in size (${values.length} vs ${baseline.length})`);
  return estimate(values.map((v, i) => v - baseline[i]!), confidence);
}
