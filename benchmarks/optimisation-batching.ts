/**
 * Batching benchmark (issue 7): 100 orders on the demo site, cart capacity 45 items, orders from a seeded 20/80
 * generator (80 % of lines at a fixed 20 % of the locations, spread at random over the site). Per method: the routed
 * distance (the router's `best`, exact on this site), % saved against first-come batching, batches, router calls and
 * solve time (wall clock, and this process's CPU time, which a loaded machine inflates less).
 * Target: savings with local search ≥ 15 % below first-come, ≤ 0.5 s.
 * `batchingRows()` feeds `npm run bench -- optimisation`; `npx tsx benchmarks/optimisation-batching.ts` prints the table.
 */
import { fileURLToPath } from 'node:url';
import { DEMO_SITE_PARAMS, DEMO_SITE_SEED } from '../server/twin/layout/demo-site.ts';
import { generateSite } from '../server/twin/layout/generator.ts';
import type { Layout } from '../server/twin/layout/types.ts';
import { createRng, randomInt } from '../server/twin/rng.ts';
import type { Rng } from '../server/twin/rng.ts';
import { BATCHING_METHODS, batchOrders, isBatchingError } from '../solver/batching/batching.ts';
import type { BatchingOrder } from '../solver/batching/batching.ts';
import { printTable, type Row } from './bench-util.ts';

const ORDERS = 100;
const CAPACITY_ITEMS = 45;
const INSTANCES = Math.max(1, Number(process.env.BATCHING_BENCH_INSTANCES ?? 5));

/** Orders of 1–6 lines (fewer more likely), 1–3 items a line; a line is at a fast location with probability 0.8. */
export function skewedOrders(layout: Layout, count: number, rng: Rng): BatchingOrder[] {
  const locations = layout.locations.map((l) => l.id);
  for (let i = locations.length - 1; i > 0; i--) {
    const j = randomInt(rng, 0, i);
    [locations[i], locations[j]] = [locations[j]!, locations[i]!];
  }
  const fast = Math.round(locations.length * 0.2);
  return Array.from({ length: count }, (_, k) => {
    const lines = 1 + Math.min(5, Math.floor(-Math.log(1 - rng.next()) * 2));
    const picks = Array.from({ length: lines }, () => {
      const at = rng.next() < 0.8 ? randomInt(rng, 0, fast - 1) : randomInt(rng, fast, locations.length - 1);
      return { locationId: locations[at]!, items: randomInt(rng, 1, 3) };
    });
    return { id: `O${String(k + 1).padStart(3, '0')}`, picks };
  });
}

/** One row per method: mean over INSTANCES seeded instances. */
export function batchingRows(): Promise<Row[]> {
  const { site } = generateSite(DEMO_SITE_PARAMS, DEMO_SITE_SEED);
  const layout = site.layout;
  const instances = Array.from({ length: INSTANCES }, (_, s) => skewedOrders(layout, ORDERS, createRng(7000 + s)));
  // Warm the router and the JIT so the first method's time is not compile time.
  batchOrders({ layout, orders: skewedOrders(layout, ORDERS, createRng(1)), capacity: { items: CAPACITY_ITEMS } });
  const fcfsDistance: number[] = [];
  const rows: Row[] = [];
  for (const method of BATCHING_METHODS) {
    let distance = 0;
    let saved = 0;
    let batches = 0;
    let maxMs = 0;
    let totalMs = 0;
    let routerCalls = 0;
    let fallbacks = 0;
    let cpuMs = 0;
    instances.forEach((orders, s) => {
      const started = performance.now();
      const cpu = process.cpuUsage();
      const r = batchOrders({ layout, orders, capacity: { items: CAPACITY_ITEMS }, method });
      const ms = performance.now() - started;
      const used = process.cpuUsage(cpu);
      cpuMs += (used.user + used.system) / 1000;
      if (isBatchingError(r)) throw new Error(r.error.message);
      if (method === 'fcfs') fcfsDistance[s] = r.distance;
      distance += r.distance;
      saved += (100 * (fcfsDistance[s]! - r.distance)) / fcfsDistance[s]!;
      batches += r.batches.length;
      routerCalls += r.routerCalls;
      if (r.fellBackToFcfs) fallbacks++;
      totalMs += ms;
      maxMs = Math.max(maxMs, ms);
    });
    rows.push({
      method,
      'distance m': Math.round(distance / INSTANCES),
      '% saved vs fcfs': saved / INSTANCES,
      batches: batches / INSTANCES,
      'router calls': Math.round(routerCalls / INSTANCES),
      'fcfs fallbacks': fallbacks,
      'mean ms': totalMs / INSTANCES,
      'max ms': maxMs,
      'mean cpu ms': cpuMs / INSTANCES,
    });
  }
  return Promise.resolve(rows);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rows = await batchingRows();
  printTable(`Batching: ${ORDERS} orders, cart ${CAPACITY_ITEMS} items, demo site, ${INSTANCES} instances (20/80 orders)`, rows);
}
