/**
 * The twin core and the router on the demo site: commands/s through decide + apply, floor snapshot size, and route
 * length of Floortwin's default method against the classic policies (S-shape is the baseline, ratio < 1 is better).
 * Run: `npx tsx benchmarks/twin.bench.ts`. Writes bench/results/twin.json.
 */
import path from 'node:path';
import msgpackParser from 'socket.io-msgpack-parser';
import { planRoute, isRouteError, type RouteMethod } from '../solver/routing/plan-route.ts';
import { loadSiteFiles } from '../server/site/site-loader.ts';
import { createRng, randomInt } from '../server/twin/rng.ts';
import { applyEvents, createTwinState, decide } from '../server/twin/twin.ts';
import { floorSnapshot, layoutView } from '../server/twin/floor-view.ts';
import { asOrderId, epochMs, type LocationId } from '../server/twin/ids.ts';
import type { Command } from '../server/twin/commands.ts';
import { benchRoot, printTable, writeResults, type Row } from './bench-util.ts';

const { site, initialStock } = await loadSiteFiles(path.join(benchRoot, 'data/sites/demo.json'));
let now = Date.UTC(2026, 10, 27, 6);
const state = createTwinState(site, epochMs(now));

function run(commands: readonly Command[]): { perSec: number; rejected: number } {
  let rejected = 0;
  const started = performance.now();
  for (const command of commands) {
    const decision = decide(state, command, { now: epochMs((now += 10)) });
    if (decision.ok) applyEvents(state, decision.events);
    else rejected++;
  }
  return { perSec: commands.length / ((performance.now() - started) / 1000), rejected };
}

const throughput: Row[] = [];
const seeded = run(initialStock);
throughput.push({ step: 'receive stock', commands: initialStock.length, perSec: Math.round(seeded.perSec), rejected: seeded.rejected });

const rng = createRng(7);
const stocked = [...state.quants.values()].filter((q) => q.lot === '');
const orders: Command[] = [];
for (let i = 0; i < 5000; i++) {
  const quant = stocked[randomInt(rng, 0, stocked.length - 1)];
  if (!quant) continue;
  const orderId = asOrderId(`B-${i}`);
  orders.push({ type: 'createOrder', orderId, tenantId: quant.tenantId, lines: [{ skuId: quant.skuId, qty: 1 }] });
  orders.push({ type: 'allocateOrder', orderId, policy: 'partial' });
  orders.push({ type: 'releaseOrder', orderId });
}
const lifecycle = run(orders);
throughput.push({ step: 'create + allocate + release', commands: orders.length, perSec: Math.round(lifecycle.perSec), rejected: lifecycle.rejected });
printTable('Twin core: decide + apply on the demo site (8,000 locations, 2,000 SKUs)', throughput);

/** Size of a Socket.IO ack packet carrying `data`, encoded by the parser the server uses. */
function wireBytes(data: unknown): number {
  const encoder = new msgpackParser.Encoder();
  const encoded: unknown = encoder.encode({ type: 3, nsp: '/', id: 1, data: [{ ok: true, kind: 'snapshot', snapshot: data }] });
  const frames = (Array.isArray(encoded) ? encoded : [encoded]) as (ArrayBuffer | Uint8Array | string)[];
  return frames.reduce((sum, frame) => sum + (typeof frame === 'string' ? Buffer.byteLength(frame) : frame.byteLength), 0);
}

const snapshot = floorSnapshot(state);
const sizes: Row[] = [
  { payload: 'floor snapshot (msgpack, as sent)', bytes: wireBytes(snapshot) },
  { payload: 'floor snapshot (JSON)', bytes: Buffer.byteLength(JSON.stringify(snapshot)) },
  { payload: 'layout view (JSON, fetched once)', bytes: Buffer.byteLength(JSON.stringify(layoutView(site))) },
];
printTable('Wire sizes', sizes);

const methods: RouteMethod[] = ['s-shape', 'largest-gap', 'combined', 'best'];
const routing: Row[] = [];
const locations = site.layout.locations;
for (const picks of [10, 30]) {
  const lists: LocationId[][] = Array.from({ length: 30 }, () =>
    Array.from({ length: picks }, () => (locations[randomInt(rng, 0, locations.length - 1)] ?? locations[0])!.id),
  );
  const totals = new Map<RouteMethod, { distance: number; ms: number }>();
  for (const method of methods) {
    let distance = 0;
    const started = performance.now();
    for (const list of lists) {
      const result = planRoute({ layout: site.layout, picks: list, method, includePath: false });
      if (isRouteError(result)) throw new Error(result.error.message);
      distance += result.distance;
    }
    totals.set(method, { distance: distance / lists.length, ms: (performance.now() - started) / lists.length });
  }
  const baseline = totals.get('s-shape')?.distance ?? 1;
  for (const [method, { distance, ms }] of totals)
    routing.push({ picks, method, meanDistanceM: Math.round(distance * 10) / 10, ratioVsSShape: distance / baseline, msPerRoute: ms });
}
printTable('Routing on the demo layout: 30 random pick lists per size (baseline: S-shape)', routing);

console.log(`\nwrote ${await writeResults('twin', { throughput, sizes, routing })}`);
