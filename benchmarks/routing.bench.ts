/**
 * Routing quality and speed on generated rack-aisle layouts (issue 3): 1–3 blocks × 10/20/30 aisles × 5/10/30/100
 * picks × random / turnover-skewed storage. Per cell and method: mean % over the exact optimum (the `exact` method:
 * Ratliff–Rosenthal style DP or Held–Karp) or, where none applies, over the best known (best of all methods and a long
 * multi-seed run of the heuristic), and median / p99 solve time. `ils` is `best` without the exact rack-aisle method
 * (Held–Karp up to 12 stops, else the iterated local search), to show the heuristic alone.
 * Run: `npm run bench -- routing` (ROUTING_BENCH_INSTANCES=n instances per cell; default 20).
 * Writes bench/results/routing.json.
 */
import { layoutFromRackAisle } from '../server/twin/layout/rack-aisle.ts';
import type { Layout } from '../server/twin/layout/types.ts';
import type { LocationId } from '../server/twin/ids.ts';
import { createRng, pickWeighted, randomInt } from '../server/twin/rng.ts';
import type { Rng } from '../server/twin/rng.ts';
import { shortestDistance } from '../solver/routing/distance-oracle.ts';
import { isRouteError, planRoute } from '../solver/routing/plan-route.ts';
import type { RouteRequest } from '../solver/routing/plan-route.ts';
import { printTable, writeResults, type Row } from './bench-util.ts';

const INSTANCES = Math.max(1, Number(process.env.ROUTING_BENCH_INSTANCES ?? 20));
const BLOCKS = [1, 2, 3];
const AISLES = [10, 20, 30];
const PICKS = [5, 10, 30, 100];
const STORAGE = ['random', 'skewed'] as const;
const METHODS = ['s-shape', 'largest-gap', 'combined', 'nearest-neighbour', 'ils', 'best', 'exact'] as const;
type BenchMethod = (typeof METHODS)[number];

function layoutOf(blocks: number, aisles: number): Layout {
  return layoutFromRackAisle({
    id: `bench-${blocks}b-${aisles}a`, aisles, blocks, baysPerBlock: 20, levels: 1, bayLength: 1, aisleSpacing: 3, crossAisleWidth: 2, depot: { x: 0 },
  });
}

/** Cumulative Zipf-like weights (1 / rank) with locations ranked by walking distance from the depot. */
function skewedWeights(layout: Layout): number[] {
  const g = layout.graph;
  const byDistance = layout.locations.map((l, i) => ({ i, d: shortestDistance(g, g.depotNode, l.accessNode) + shortestDistance(g, l.accessNode, g.depotNode) }));
  byDistance.sort((a, b) => a.d - b.d || a.i - b.i);
  const weight = new Array<number>(layout.locations.length).fill(0);
  byDistance.forEach(({ i }, rank) => (weight[i] = 1 / (rank + 1)));
  let sum = 0;
  return weight.map((w) => (sum += w));
}

function drawPicks(rng: Rng, layout: Layout, n: number, cumulative: number[] | null): LocationId[] {
  return Array.from({ length: n }, () => {
    const i = cumulative === null ? randomInt(rng, 0, layout.locations.length - 1) : pickWeighted(rng, cumulative);
    return layout.locations[i]!.id;
  });
}

function solve(layout: Layout, picks: readonly LocationId[], method: BenchMethod, extra: Partial<RouteRequest> = {}): { distance: number; ms: number } | null {
  const request: RouteRequest = method === 'ils'
    ? { layout, picks, method: 'best', includePath: false, useExactBlock: false, ...extra }
    : { layout, picks, method: method, includePath: false, ...extra };
  const started = performance.now();
  const r = planRoute(request);
  const ms = performance.now() - started;
  if (isRouteError(r)) {
    if (r.error.code === 'NO_EXACT_METHOD') return null;
    throw new Error(r.error.message);
  }
  return { distance: r.distance, ms };
}

const quantile = (xs: readonly number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? NaN;
};

interface Cell {
  blocks: number;
  aisles: number;
  picks: number;
  storage: (typeof STORAGE)[number];
  reference: 'optimum' | 'best known';
  methods: Record<string, { meanPctOver: number; maxPctOver: number; medianMs: number; p99Ms: number; solved: number }>;
}

// Warm the JIT so the first cell's times are not compile times.
{
  const layout = layoutOf(2, 10);
  const rng = createRng(999);
  for (let k = 0; k < 30; k++) for (const m of METHODS) solve(layout, drawPicks(rng, layout, 30, null), m);
}

const cells: Cell[] = [];
const rows: Row[] = [];
const rng = createRng(20261127);
for (const blocks of BLOCKS) {
  for (const aisles of AISLES) {
    const layout = layoutOf(blocks, aisles);
    const skew = skewedWeights(layout);
    for (const storage of STORAGE) {
      for (const n of PICKS) {
        const pct: Record<string, number[]> = {};
        const ms: Record<string, number[]> = {};
        let reference: Cell['reference'] = 'optimum';
        for (let inst = 0; inst < INSTANCES; inst++) {
          const picks = drawPicks(rng, layout, n, storage === 'random' ? null : skew);
          const results = new Map<BenchMethod, { distance: number; ms: number }>();
          for (const m of METHODS) {
            const r = solve(layout, picks, m);
            if (r !== null) results.set(m, r);
          }
          let ref = results.get('exact')?.distance;
          if (ref === undefined) {
            reference = 'best known';
            ref = Math.min(...[...results.values()].map((r) => r.distance));
            for (let seed = 2; seed <= 9; seed++) ref = Math.min(ref, solve(layout, picks, 'ils', { seed, kicks: 3000 })!.distance);
          }
          for (const [m, r] of results) {
            (pct[m] ??= []).push(ref > 0 ? (r.distance / ref - 1) * 100 : 0);
            (ms[m] ??= []).push(r.ms);
          }
        }
        const cell: Cell = { blocks, aisles, picks: n, storage, reference, methods: {} };
        const row: Row = { blocks, aisles, picks: n, storage, ref: reference === 'optimum' ? 'opt' : 'bk' };
        for (const m of METHODS) {
          const p = pct[m];
          const t = ms[m];
          if (p === undefined || t === undefined) {
            row[m] = '—';
            continue;
          }
          const mean = p.reduce((a, b) => a + b, 0) / p.length;
          cell.methods[m] = { meanPctOver: mean, maxPctOver: Math.max(...p), medianMs: quantile(t, 0.5), p99Ms: quantile(t, 0.99), solved: p.length };
          row[m] = `${mean.toFixed(3)}% ${quantile(t, 0.5).toFixed(2)}/${quantile(t, 0.99).toFixed(1)}ms`;
        }
        cells.push(cell);
        rows.push(row);
      }
    }
  }
}
printTable(`Routing: mean % over the reference, median/p99 ms per route (${INSTANCES} instances per cell)`, rows);

/** The targets, judged on method `best`. */
const best = (c: Cell): Cell['methods'][string] | undefined => c.methods.best;
const targets = [
  { target: 'single block: best 0.000 % over optimum', met: cells.filter((c) => c.blocks === 1).every((c) => (best(c)?.maxPctOver ?? 1) < 1e-9) },
  { target: 'multi-block ≤ 12 picks: best 0.000 %', met: cells.filter((c) => c.blocks > 1 && c.picks <= 12).every((c) => (best(c)?.maxPctOver ?? 1) < 1e-9) },
  { target: 'multi-block 30–100 picks: best mean ≤ 0.5 % over reference', met: cells.filter((c) => c.blocks > 1 && c.picks >= 30).every((c) => (best(c)?.meanPctOver ?? 1) <= 0.5) },
  { target: 'ils alone, multi-block 30–100 picks: mean ≤ 0.5 %', met: cells.filter((c) => c.blocks > 1 && c.picks >= 30).every((c) => (c.methods.ils?.meanPctOver ?? 1) <= 0.5) },
  ...[30, 100].map((n) => {
    const limit = n === 30 ? 1 : 10;
    const sel = cells.filter((c) => c.blocks === 3 && c.aisles === 30 && c.picks === n);
    const median = Math.max(...sel.map((c) => best(c)?.medianMs ?? Infinity));
    return { target: `3 blocks, 30 aisles, ${n} picks: best median ≤ ${limit} ms (got ${median.toFixed(2)} ms)`, met: median <= limit };
  }),
];
printTable('Targets', targets.map((t) => ({ target: t.target, met: t.met ? 'yes' : 'NO' })));
const file = await writeResults('routing', { instancesPerCell: INSTANCES, methods: METHODS, cells, targets });
console.log(`\nwrote ${file}`);
