/**
 * Event-loop lag while routes are solved: 1,000 routes of 30 picks on the demo layout, solved through the worker pool
 * (PiscinaSolverPool) versus inline on the event loop (baselines: the same burst through InlineSolverPool, and one
 * route per macrotask). Lag is the p99 of
 * `monitorEventLoopDelay` over each run. Target: p99 ≤ 20 ms through the pool.
 * Run: `npx tsx benchmarks/event-loop.bench.ts`. Writes bench/results/event-loop.json.
 */
import path from 'node:path';
import { planRoute, isRouteError, type RouteRequest } from '../solver/routing/plan-route.ts';
import { loadSiteFiles } from '../server/site/site-loader.ts';
import { InlineSolverPool } from '../server/solver-pool/inline-solver-pool.ts';
import { PiscinaSolverPool } from '../server/solver-pool/piscina-solver-pool.ts';
import { createRng, randomInt } from '../server/twin/rng.ts';
import { benchRoot, measureEventLoopLag, printTable, writeResults, type EventLoopLag, type Row } from './bench-util.ts';

const ROUTES = 1_000;
const PICKS = 30;
const TARGET_P99_MS = 20;

const { site } = await loadSiteFiles(path.join(benchRoot, 'data/sites/demo.json'));
const layout = site.layout;
const rng = createRng(11);
const requests: RouteRequest[] = Array.from({ length: ROUTES }, () => ({
  layout,
  picks: Array.from({ length: PICKS }, () => layout.locations[randomInt(rng, 0, layout.locations.length - 1)]!.id),
}));

interface Measured extends EventLoopLag {
  readonly routesPerSec: number;
  readonly errors: number;
}

async function measure(solve: () => Promise<number>): Promise<Measured> {
  const { lag, value: errors } = await measureEventLoopLag(solve);
  return { ...lag, routesPerSec: Math.round(ROUTES / (lag.wallMs / 1000)), errors };
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

// Warm the solver's per-graph caches in this thread (the baseline would otherwise pay them inside its measurement).
planRoute(requests[0]!);

// Baseline as a server would do it without a pool: the burst of plans runs in microtasks and never yields.
const inlinePool = new InlineSolverPool();
const inlineBurst = await measure(async () => {
  const answers = await Promise.all(requests.map((request) => inlinePool.planRoute(request)));
  return answers.filter(isRouteError).length;
});
await inlinePool.close();

// Kinder baseline: inline, but yielding to the loop after every route (lag ≈ one route's solve time).
const inline = await measure(async () => {
  let errors = 0;
  for (const request of requests) {
    if (isRouteError(planRoute(request))) errors++;
    await yieldToLoop();
  }
  return errors;
});

const pool = new PiscinaSolverPool();
// Warm the workers (thread start, tsx, layout copy) outside the measurement, as a running server has.
await Promise.all(Array.from({ length: pool.threads * 2 }, () => pool.planRoute(requests[0]!)));
const pooled = await measure(async () => {
  const answers = await Promise.all(requests.map((request) => pool.planRoute(request)));
  return answers.filter(isRouteError).length;
});
await pool.close();

const rows: Row[] = [
  { mode: 'inline burst (InlineSolverPool)', threads: 0, ...inlineBurst },
  { mode: 'inline, yield per route', threads: 0, ...inline },
  { mode: 'PiscinaSolverPool', threads: pool.threads, ...pooled },
];
printTable(`Event-loop lag while solving ${ROUTES} routes × ${PICKS} picks on the demo layout (${layout.locations.length} locations)`, rows);
const pass = pooled.p99Ms <= TARGET_P99_MS;
console.log(`pool p99 ${pooled.p99Ms} ms, target ≤ ${TARGET_P99_MS} ms: ${pass ? 'PASS' : 'FAIL'}`);
const file = await writeResults('event-loop', { routes: ROUTES, picks: PICKS, targetP99Ms: TARGET_P99_MS, pass, inlineBurst, inlineYielding: inline, pool: { threads: pool.threads, ...pooled } });
console.log(`wrote ${file}`);
