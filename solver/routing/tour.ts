/**
 * Closed tours over a distance matrix whose index 0 is the depot. A tour is the order of the other indices (1..n−1);
 * its cost includes the legs from and back to the depot. The matrix may be asymmetric (one-way lanes).
 */

/** Square matrix of shortest-walk distances in metres; `d[i][j]` from i to j. */
export type DistanceMatrix = readonly (readonly number[])[];

const leg = (d: DistanceMatrix, i: number, j: number): number => d[i]?.[j] ?? Infinity;

/** Cost of the closed tour depot → order… → depot. */
export function tourCost(d: DistanceMatrix, order: readonly number[]): number {
  let cost = 0;
  let at = 0;
  for (const v of order) {
    cost += leg(d, at, v);
    at = v;
  }
  return cost + leg(d, at, 0);
}

/** Largest number of stops Held–Karp is run for (2^n · n² work). */
export const HELD_KARP_MAX = 12;

/** Exact shortest tour by dynamic programming over subsets (Held–Karp); for at most HELD_KARP_MAX stops. */
export function heldKarp(d: DistanceMatrix): number[] {
  const n = d.length - 1;
  if (n <= 0) return [];
  if (n > 16) throw new Error(`heldKarp: ${n} stops is too many`);
  const full = (1 << n) - 1;
  // A flat copy of the legs between stops (stop j is matrix index j + 1): the inner loop runs 2^n · n² times.
  const flat = new Float64Array(n * n);
  for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) flat[j * n + k] = leg(d, j + 1, k + 1);
  const cost = new Float64Array((full + 1) * n).fill(Infinity);
  const parent = new Int8Array((full + 1) * n).fill(-1);
  for (let j = 0; j < n; j++) cost[(1 << j) * n + j] = leg(d, 0, j + 1);
  for (let mask = 1; mask <= full; mask++) {
    for (let j = 0; j < n; j++) {
      if ((mask & (1 << j)) === 0) continue;
      const here = cost[mask * n + j]!;
      if (here === Infinity) continue;
      for (let k = 0; k < n; k++) {
        if ((mask & (1 << k)) !== 0) continue;
        const next = mask | (1 << k);
        const c = here + flat[j * n + k]!;
        if (c < cost[next * n + k]!) {
          cost[next * n + k] = c;
          parent[next * n + k] = j;
        }
      }
    }
  }
  let best = Infinity;
  let last = 0;
  for (let j = 0; j < n; j++) {
    const c = cost[full * n + j]! + leg(d, j + 1, 0);
    if (c < best) {
      best = c;
      last = j;
    }
  }
  const order: number[] = [];
  let mask = full;
  let j = last;
  while (j !== -1) {
    order.push(j + 1);
    const p = parent[mask * n + j]!;
    mask &= ~(1 << j);
    j = p;
  }
  return order.reverse();
}

/** Nearest-neighbour tour from the depot (ties to the lowest index). */
export function nearestNeighbour(d: DistanceMatrix): number[] {
  const n = d.length;
  const seen = new Uint8Array(n);
  const order: number[] = [];
  let at = 0;
  seen[0] = 1;
  for (let step = 1; step < n; step++) {
    let best = -1;
    let bestD = Infinity;
    for (let j = 1; j < n; j++) {
      if (seen[j] === 1) continue;
      const c = leg(d, at, j);
      if (best === -1 || c < bestD) {
        best = j;
        bestD = c;
      }
    }
    seen[best] = 1;
    order.push(best);
    at = best;
  }
  return order;
}

const EPS = 1e-9;

/**
 * 2-opt (segment reversal) to a local optimum, first improvement. Reversal costs are read from prefix sums of the
 * forward and backward legs so asymmetric matrices are handled exactly. Returns true when it changed the tour.
 */
export function twoOpt(d: DistanceMatrix, order: number[], maxPasses = 50): boolean {
  const m = order.length;
  if (m < 2) return false;
  const t = [0, ...order, 0];
  const fwd = new Float64Array(m + 2);
  const bwd = new Float64Array(m + 2);
  const prefix = (): void => {
    for (let k = 0; k <= m; k++) {
      fwd[k + 1] = fwd[k]! + leg(d, t[k]!, t[k + 1]!);
      bwd[k + 1] = bwd[k]! + leg(d, t[k + 1]!, t[k]!);
    }
  };
  let changed = false;
  for (let pass = 0; pass < maxPasses; pass++) {
    prefix();
    let improved = false;
    for (let i = 1; i < m; i++) {
      for (let j = i + 1; j <= m; j++) {
        const before = leg(d, t[i - 1]!, t[i]!) + leg(d, t[j]!, t[j + 1]!) + (fwd[j]! - fwd[i]!);
        const after = leg(d, t[i - 1]!, t[j]!) + leg(d, t[i]!, t[j + 1]!) + (bwd[j]! - bwd[i]!);
        if (after < before - EPS) {
          for (let a = i, b = j; a < b; a++, b--) {
            const tmp = t[a]!;
            t[a] = t[b]!;
            t[b] = tmp;
          }
          // Keep scanning this pass from the changed tour; only the prefix sums need refreshing.
          prefix();
          improved = true;
          changed = true;
        }
      }
    }
    if (!improved) break;
  }
  for (let k = 0; k < m; k++) order[k] = t[k + 1]!;
  return changed;
}

/**
 * Or-opt: moves a run of 1–3 consecutive stops elsewhere in the tour, forwards or reversed, while that shortens it.
 * Returns true when it changed the tour.
 */
export function orOpt(d: DistanceMatrix, order: number[], maxMoves = 10_000): boolean {
  const m = order.length;
  if (m < 2) return false;
  const t = [0, ...order, 0];
  let changed = false;
  for (let moves = 0; moves < maxMoves; moves++) {
    let done = false;
    for (let len = 1; len <= 3 && !done; len++) {
      for (let i = 1; i + len - 1 <= m && !done; i++) {
        const end = i + len - 1;
        const s = t[i]!;
        const e = t[end]!;
        const p = t[i - 1]!;
        const q = t[end + 1]!;
        let inside = 0;
        let insideRev = 0;
        for (let k = i; k < end; k++) {
          inside += leg(d, t[k]!, t[k + 1]!);
          insideRev += leg(d, t[k + 1]!, t[k]!);
        }
        const removeGain = leg(d, p, s) + inside + leg(d, e, q) - leg(d, p, q);
        // Insert between t[k] and t[k + 1], an edge that survives the removal (k + 1 < i, or k > end).
        for (let k = 0; k <= m; k++) {
          if (k >= i - 1 && k <= end) continue;
          const u = t[k]!;
          const v = t[k + 1]!;
          const base = leg(d, u, v);
          const forward = leg(d, u, s) + inside + leg(d, e, v) - base;
          const reversed = leg(d, u, e) + insideRev + leg(d, s, v) - base;
          if (Math.min(forward, reversed) < removeGain - EPS) {
            const run = t.splice(i, len);
            if (reversed < forward) run.reverse();
            const at = k < i ? k + 1 : k + 1 - len;
            t.splice(at, 0, ...run);
            changed = true;
            done = true;
            break;
          }
        }
      }
    }
    if (!done) break;
  }
  for (let x = 0; x < m; x++) order[x] = t[x + 1]!;
  return changed;
}

/** 2-opt and Or-opt alternately until neither improves the tour (in place). */
export function improveTour(d: DistanceMatrix, order: number[]): void {
  for (let round = 0; round < 100; round++) {
    const a = twoOpt(d, order);
    const b = orOpt(d, order);
    if (!a && !b) break;
  }
}
