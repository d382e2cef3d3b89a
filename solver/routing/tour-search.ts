/**
 * Iterated local search for closed tours over a (possibly asymmetric) distance matrix whose index 0 is the depot.
 * Local search: 2-opt, Or-opt (runs of 1–3, both orientations) and or-3opt (segment insertion without reversal, any
 * length), all driven by neighbour lists; perturbation: a double-bridge kick (also orientation-preserving). The depot
 * stays at both ends of the working path, so a tour is the order of stops 1..n−1. Deterministic for a given seed.
 */
import { createRng, randomInt } from '../../server/twin/rng.ts';
import type { Rng } from '../../server/twin/rng.ts';
import type { DistanceMatrix } from './tour.ts';

/** Tuning of `searchTour`. */
export interface TourSearchOptions {
  /** Seed of the kicks' random choices; the same seed gives the same tour. Default 1. */
  readonly seed?: number;
  /** Double-bridge kicks of the iterated local search; default `defaultKicks(stops)`. 0 = local search only. */
  readonly kicks?: number;
  /** Independent ILS runs (each from the best start, its own random stream); default 1. */
  readonly runs?: number;
  /** Neighbour-list length; default 10. */
  readonly neighbours?: number;
}

/** Default kick budget by number of stops: enough for near-optimal picker tours while 100 stops stay within ~10 ms. */
export function defaultKicks(stops: number): number {
  if (stops <= 3) return 0;
  if (stops <= 40) return 40;
  if (stops <= 70) return 80;
  return 120;
}

const EPS = 1e-9;

/** Working state of one local search: the path 0, t[1..m], 0 and its derived arrays. */
class Work {
  readonly n: number;
  readonly m: number;
  readonly t: Int32Array;
  readonly pos: Int32Array;
  /** fwd[k] = Σ_{q<k} D[t[q]][t[q+1]]; bwd[k] = Σ_{q<k} D[t[q+1]][t[q]] (reversed legs, for 2-opt on asymmetric matrices). */
  readonly fwd: Float64Array;
  readonly bwd: Float64Array;
  readonly scratch: Int32Array;
  /** Don't-look bits: only stops next to a recent change are searched from (1 = look). */
  readonly active: Uint8Array;

  constructor(readonly D: Float64Array, n: number, readonly nb: Int32Array, readonly k: number) {
    this.n = n;
    this.m = n - 1;
    this.t = new Int32Array(n + 1);
    this.pos = new Int32Array(n);
    this.fwd = new Float64Array(n + 1);
    this.bwd = new Float64Array(n + 1);
    this.scratch = new Int32Array(n + 1);
    this.active = new Uint8Array(n).fill(1);
    this.touched = new Uint8Array(n);
  }

  /** Stops touched during the current round: they stay active for the next one. */
  readonly touched: Uint8Array;

  private touch4(a: number, b: number, c: number, d: number): void {
    const { t, active, touched } = this;
    active[t[a]!] = 1;
    active[t[b]!] = 1;
    active[t[c]!] = 1;
    active[t[d]!] = 1;
    touched[t[a]!] = 1;
    touched[t[b]!] = 1;
    touched[t[c]!] = 1;
    touched[t[d]!] = 1;
  }

  /** True when the edge t[p] → t[p+1] has an end worth searching from. */
  private look(p: number): boolean {
    return this.active[this.t[p]!] === 1 || this.active[this.t[p + 1]!] === 1;
  }

  load(order: ArrayLike<number>): void {
    this.t[0] = 0;
    for (let i = 0; i < this.m; i++) this.t[i + 1] = order[i]!;
    this.t[this.m + 1] = 0;
    this.refresh();
  }

  refresh(): void {
    const { t, D, n, pos, fwd, bwd } = this;
    for (let i = 1; i <= this.m; i++) pos[t[i]!] = i;
    pos[0] = 0;
    fwd[0] = 0;
    bwd[0] = 0;
    for (let q = 0; q <= this.m; q++) {
      fwd[q + 1] = fwd[q]! + D[t[q]! * n + t[q + 1]!]!;
      bwd[q + 1] = bwd[q]! + D[t[q + 1]! * n + t[q]!]!;
    }
  }

  cost(): number {
    return this.fwd[this.m + 1]!;
  }

  /** Reverses t[i..j]. */
  reverse(i: number, j: number): void {
    const t = this.t;
    this.touch4(i - 1, i, j, j + 1);
    for (let a = i, b = j; a < b; a++, b--) {
      const x = t[a]!;
      t[a] = t[b]!;
      t[b] = x;
    }
    this.refresh();
  }

  /** Moves t[i..j] (reversed when asked) to sit between t[k] and t[k+1], k outside [i−1, j]. */
  move(i: number, j: number, k: number, reversed: boolean): void {
    const { t, scratch } = this;
    this.touch4(i - 1, i, j, j + 1);
    this.touch4(k, k + 1, k, k + 1);
    let w = 0;
    const [lo, hi] = k < i ? [k + 1, i - 1] : [j + 1, k];
    // Before the run's new place, then the run, then the rest: k < i puts it earlier, k > j later.
    const headEnd = k < i ? k : i - 1;
    for (let q = 0; q <= headEnd; q++) scratch[w++] = t[q]!;
    if (k > j) for (let q = lo; q <= hi; q++) scratch[w++] = t[q]!;
    if (reversed) for (let q = j; q >= i; q--) scratch[w++] = t[q]!;
    else for (let q = i; q <= j; q++) scratch[w++] = t[q]!;
    if (k < i) for (let q = lo; q <= hi; q++) scratch[w++] = t[q]!;
    for (let q = (k < i ? j : k) + 1; q <= this.m + 1; q++) scratch[w++] = t[q]!;
    t.set(scratch.subarray(0, this.m + 2));
    this.refresh();
  }

  /** 2-opt with neighbour lists; applies improving reversals as found. True when the tour changed. */
  twoOpt(): boolean {
    const { D, n, t, pos, fwd, bwd, nb, k: K, m } = this;
    let changed = false;
    for (let p = 0; p < m; p++) {
      if (!this.look(p)) continue;
      // New edge a → c with c = t[j]: reverse t[p+1..j].
      const a = t[p]!;
      for (let x = 0; x < K; x++) {
        const c = nb[a * K + x]!;
        if (c === 0) continue;
        const j = pos[c]!;
        if (j < p + 2) continue;
        const b = t[p + 1]!;
        const e = t[j + 1]!;
        const delta = D[a * n + c]! + D[b * n + e]! - D[a * n + b]! - D[c * n + e]! + (bwd[j]! - bwd[p + 1]!) - (fwd[j]! - fwd[p + 1]!);
        if (delta < -EPS) {
          this.reverse(p + 1, j);
          changed = true;
          break;
        }
      }
      // New edge c → f with c = t[i], f = t[p+1]... seen from the end: reverse t[i..p].
      const f = t[p + 1]!;
      if (f === 0) continue;
      for (let x = 0; x < K; x++) {
        const c = nb[f * K + x]!;
        if (c === 0) continue;
        const i = pos[c]!;
        if (i > p - 1) continue;
        // Reverse t[i..p]: new edges t[i−1] → t[p] and t[i] → t[p+1].
        const before = t[i - 1]!;
        const last = t[p]!;
        const delta = D[before * n + last]! + D[c * n + f]! - D[before * n + c]! - D[last * n + f]! + (bwd[p]! - bwd[i]!) - (fwd[p]! - fwd[i]!);
        if (delta < -EPS) {
          this.reverse(i, p);
          changed = true;
          break;
        }
      }
    }
    return changed;
  }

  /** Or-opt: moves runs of 1–3 stops next to a neighbour, forwards or reversed. True when the tour changed. */
  orOpt(): boolean {
    const { D, n, t, pos, nb, k: K, m } = this;
    let changed = false;
    for (let len = 1; len <= 3; len++) {
      for (let i = 1; i + len - 1 <= m; i++) {
        const j = i + len - 1;
        if (!this.look(i - 1) && !this.look(j)) continue;
        const s = t[i]!;
        const e = t[j]!;
        const p = t[i - 1]!;
        const q = t[j + 1]!;
        let inF = 0;
        let inB = 0;
        for (let r = i; r < j; r++) {
          inF += D[t[r]! * n + t[r + 1]!]!;
          inB += D[t[r + 1]! * n + t[r]!]!;
        }
        const gain = D[p * n + s]! + D[e * n + q]! + inF - D[p * n + q]!;
        let done = false;
        for (let side = 0; side < 2 && !done; side++) {
          const ref = side === 0 ? s : e;
          for (let x = 0; x < K && !done; x++) {
            const c = nb[ref * K + x]!;
            // c as the stop before the run (k = pos c) or after it (k = pos c − 1).
            for (let asSucc = 0; asSucc < 2; asSucc++) {
              const kk = asSucc === 0 ? pos[c]! : (c === 0 ? m : pos[c]! - 1);
              if (kk >= i - 1 && kk <= j) continue;
              const u = t[kk]!;
              const v = t[kk + 1]!;
              const base = D[u * n + v]!;
              const forward = D[u * n + s]! + inF + D[e * n + v]! - base;
              const reversed = D[u * n + e]! + inB + D[s * n + v]! - base;
              if (Math.min(forward, reversed) < gain - EPS) {
                this.move(i, j, kk, reversed < forward);
                changed = true;
                done = true;
                break;
              }
            }
          }
        }
      }
    }
    return changed;
  }

  /**
   * or-3opt: tour 0 … a b … c d … e f … 0 becomes 0 … a d … e b … c f … 0 (the run b … c moves after e, unreversed),
   * found by a new edge a → d from a's neighbours, then c → f from c's, with the partial-gain rule.
   */
  or3Opt(): boolean {
    const { D, n, t, pos, nb, k: K, m } = this;
    let changed = false;
    for (let i = 0; i < m; i++) {
      if (!this.look(i)) continue;
      const a = t[i]!;
      const b = t[i + 1]!;
      const ab = D[a * n + b]!;
      let moved = false;
      for (let x = 0; x < K && !moved; x++) {
        const d = nb[a * K + x]!;
        if (d === 0) continue;
        const pd = pos[d]!;
        if (pd < i + 2) continue;
        const j = pd - 1;
        const c = t[j]!;
        const g1 = ab + D[c * n + d]! - D[a * n + d]!;
        if (g1 <= EPS) continue;
        for (let y = 0; y < K; y++) {
          const f = nb[c * K + y]!;
          const pf = f === 0 ? m + 1 : pos[f]!;
          const k = pf - 1;
          if (k < j + 1) continue;
          const e = t[k]!;
          const delta = D[e * n + b]! + D[c * n + f]! - D[e * n + f]! - g1;
          if (delta < -EPS) {
            // Move t[i+1..j] to sit between t[k] and t[k+1].
            this.move(i + 1, j, k, false);
            changed = true;
            moved = true;
            break;
          }
        }
      }
    }
    return changed;
  }

  /** Runs the three neighbourhoods until none improves. */
  localSearch(): void {
    this.touched.fill(0);
    for (let round = 0; round < 10_000; round++) {
      const a = this.twoOpt();
      const b = this.orOpt();
      const c = this.or3Opt();
      if (!a && !b && !c) break;
      // Stops not touched this round found nothing to improve: stop looking from them.
      this.active.set(this.touched);
      this.touched.fill(0);
    }
    this.active.fill(0);
  }

  /** Double bridge on the path: A B C D → A C B D with B, C short runs near a random point. */
  kick(rng: Rng): void {
    const m = this.m;
    if (m < 3) return;
    const span = Math.max(1, Math.min(50, Math.floor(m / 3)));
    const x = randomInt(rng, 1, m - 1);
    const y = Math.min(m, x + randomInt(rng, 1, span));
    const z = Math.min(m + 1, y + randomInt(rng, 1, span));
    if (y >= z) return;
    // B = t[x..y−1], C = t[y..z−1]: move B after C.
    this.move(x, y - 1, z - 1, false);
  }
}

/** Neighbour lists: for each index, the K others nearest by the shorter of the two directed legs (depot included). */
function neighbourLists(D: Float64Array, n: number, K: number): Int32Array {
  const nb = new Int32Array(n * K);
  const idx: number[] = [];
  for (let u = 0; u < n; u++) {
    idx.length = 0;
    for (let v = 0; v < n; v++) if (v !== u) idx.push(v);
    const key = new Float64Array(n);
    for (let v = 0; v < n; v++) key[v] = Math.min(D[u * n + v]!, D[v * n + u]!);
    idx.sort((p, q) => key[p]! - key[q]! || p - q);
    for (let x = 0; x < K; x++) nb[u * K + x] = idx[x] ?? 0;
  }
  return nb;
}

/** A square matrix stored row-major: cells[i · size + j] from i to j. */
export interface FlatMatrix {
  readonly cells: Float64Array;
  readonly size: number;
}

const isFlat = (d: DistanceMatrix | FlatMatrix): d is FlatMatrix => !Array.isArray(d);

/** Flattens a matrix into a Float64Array (row-major). */
export function flatten(d: DistanceMatrix): Float64Array {
  const n = d.length;
  const D = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) D[i * n + j] = d[i]?.[j] ?? Infinity;
  return D;
}

/**
 * Improves each start tour by local search, then runs iterated local search (double-bridge kicks, accepting equal or
 * better tours) from the best; returns the shortest tour found (an order of 1..n−1). Starts must be permutations.
 */
export function searchTour(d: DistanceMatrix | FlatMatrix, starts: readonly (readonly number[])[], options: TourSearchOptions = {}): number[] {
  const { cells: D, size: n } = isFlat(d) ? d : { cells: flatten(d), size: d.length };
  const m = n - 1;
  if (m <= 1) return m === 1 ? [1] : [];
  const K = Math.min(m, options.neighbours ?? 8);
  const nb = neighbourLists(D, n, K);
  const w = new Work(D, n, nb, K);
  let best: Int32Array | null = null;
  let bestCost = Infinity;
  const identity = Array.from({ length: m }, (_, i) => i + 1);
  for (const start of starts.length > 0 ? starts : [identity]) {
    w.load(start);
    w.active.fill(1);
    w.localSearch();
    if (w.cost() < bestCost - EPS) {
      bestCost = w.cost();
      best = w.t.slice();
    }
  }
  const kicks = options.kicks ?? defaultKicks(m);
  const runs = Math.max(1, options.runs ?? 1);
  const seed = options.seed ?? 1;
  const from = best!.slice();
  for (let run = 0; run < runs && kicks > 0; run++) {
    const rng = createRng((seed + run * 0x9e3779b1) >>> 0);
    w.t.set(from);
    w.refresh();
    w.active.fill(0);
    let cur = w.t.slice();
    let curCost = w.cost();
    for (let kick = 0; kick < kicks; kick++) {
      w.kick(rng);
      w.localSearch();
      const c = w.cost();
      if (c <= curCost + EPS) {
        cur = w.t.slice();
        curCost = c;
        if (c < bestCost - EPS) {
          bestCost = c;
          best = cur;
        }
      } else {
        w.t.set(cur);
        w.refresh();
      }
    }
  }
  return Array.from(best!.subarray(1, m + 1));
}
