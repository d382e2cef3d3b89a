/**
 * The optimisation engine (issue 7 targets). Slotting: on the demo site with a seeded skewed (≈ 20/80) order history
 * with affinity, the routed distance per order (the router's `best`, exact on this site) for random storage (over the
 * whole site, and over the slots COI uses), ABC zones, COI and COI + affinity — target ≥ 25 % below random and below ABC. Re-slotting: 10,000 SKUs over 12,000
 * locations, COI target and full move plan in ≤ 10 s, the first 100 moves delivering ≥ half the plan's saving.
 * Batching: W5's section (benchmarks/optimisation-batching.ts); family-to-zone MIP: W6's (optimisation-lp.ts). Run: `npm run bench -- optimisation`.
 * Writes bench/results/optimisation.json.
 */
import type { LocationId, SkuId } from '../server/twin/ids.ts';
import { DEMO_SITE_PARAMS, DEMO_SITE_SEED } from '../server/twin/layout/demo-site.ts';
import { generateSite } from '../server/twin/layout/generator.ts';
import type { SiteParams } from '../server/twin/layout/generator.ts';
import { createRng } from '../server/twin/rng.ts';
import { assignAbc, assignCoi, assignRandom, improveByAffinity } from '../solver/slotting/assign.ts';
import { evaluateRouted } from '../solver/slotting/evaluate.ts';
import { syntheticHistory } from '../solver/slotting/history.ts';
import type { Assignment } from '../solver/slotting/model.ts';
import { assignmentCost, picksFromHistory, slotCosts, slotSkusFromSite, validateAssignment } from '../solver/slotting/model.ts';
import { applyMoves, planMoves } from '../solver/slotting/move-plan.ts';
import { printTable, writeResults, type Row } from './bench-util.ts';
import { batchingRows } from './optimisation-batching.ts';
import { zoneAssignmentRows } from './optimisation-lp.ts';

const HISTORY_ORDERS = 20_000;
const EVAL_SAMPLE = Math.max(1, Number(process.env.OPT_BENCH_SAMPLE ?? 2_000));
const TARGET_VS_RANDOM = 0.25;
const RESLOT_TARGET_SECONDS = 10;
const FIRST_MOVES = 100;

const ms = (t0: number): number => Math.round(performance.now() - t0);
const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

// ── Slotting on the demo site ──
const { site: demo } = generateSite(DEMO_SITE_PARAMS, DEMO_SITE_SEED);
const layout = demo.layout;
const history = syntheticHistory(demo.skus, { orders: HISTORY_ORDERS }, createRng(DEMO_SITE_SEED + 7));
const picks = picksFromHistory(history);
const skus = slotSkusFromSite(demo.skus, picks);
const byId = new Map(skus.map((s) => [s.id, s]));
const lines = [...picks.values()].sort((a, b) => b - a);
const top20Share = lines.slice(0, Math.round(skus.length * 0.2)).reduce((a, x) => a + x, 0) / lines.reduce((a, x) => a + x, 0);
const costs = slotCosts(layout);

const strategies: { name: string; build: () => Assignment }[] = [
  { name: 'random', build: () => assignRandom(layout, skus, createRng(11)).assignment },
  // Random within the slots COI uses (one ABC class): separates "use the near slots" from "order by velocity".
  { name: 'random, COI slots', build: () => assignAbc(layout, skus, createRng(13), {}, [1, 0], costs).assignment },
  { name: 'ABC zones', build: () => assignAbc(layout, skus, createRng(12), {}, undefined, costs).assignment },
  { name: 'COI', build: () => assignCoi(layout, skus, {}, costs).assignment },
];
const results: { name: string; assignment: Assignment; solveMs: number; distance: number }[] = [];
for (const s of strategies) {
  const t0 = performance.now();
  const assignment = s.build();
  results.push({ name: s.name, assignment, solveMs: ms(t0), distance: 0 });
}
{
  const coi = results[3]!;
  const t0 = performance.now();
  const assignment = improveByAffinity(layout, coi.assignment, skus, history, {}, {}, costs);
  results.push({ name: 'COI + affinity', assignment, solveMs: coi.solveMs + ms(t0), distance: 0 });
}
const slottingRows: Row[] = [];
for (const r of results) {
  const errors = validateAssignment(layout, r.assignment, skus, {}, true);
  if (errors.length > 0) throw new Error(`${r.name}: ${errors.slice(0, 3).join('; ')}`);
  r.distance = evaluateRouted(layout, r.assignment, history, { sample: EVAL_SAMPLE, seed: 5 }).meanDistance;
}
const randomDistance = results[0]!.distance;
const abcDistance = results[2]!.distance;
for (const r of results) {
  slottingRows.push({
    strategy: r.name,
    'm/order': r.distance,
    'vs random': pct(1 - r.distance / randomDistance),
    'vs ABC': pct(1 - r.distance / abcDistance),
    'slot cost (picks·m)': Math.round(assignmentCost(layout, r.assignment, byId, costs)),
    'solve ms': r.solveMs,
  });
}
printTable(`Slotting — demo site (${layout.locations.length} locations, ${skus.length} SKUs), ${HISTORY_ORDERS} orders (top 20 % of SKUs = ${pct(top20Share)} of lines), routed best on ${EVAL_SAMPLE} sampled orders`, slottingRows);

// ── Re-slotting at scale ──
const bigParams: SiteParams = {
  ...DEMO_SITE_PARAMS, id: 'reslot', name: 'Re-slotting bench', aisles: 24, depotX: 34.5, skuCount: 10_000,
  stockFillRatio: 10_000 / 12_000, maxLocationsPerSku: 1,
};
const { site: big, initialStock } = generateSite(bigParams, 4242);
const bigHistory = syntheticHistory(big.skus, { orders: 50_000 }, createRng(4243));
const bigSkus = slotSkusFromSite(big.skus, picksFromHistory(bigHistory));
const bigById = new Map(bigSkus.map((s) => [s.id, s]));
const current = new Map<LocationId, SkuId>(initialStock.map((r) => [r.locationId, r.skuId]));
const t0 = performance.now();
const bigCosts = slotCosts(big.layout);
const target = assignCoi(big.layout, bigSkus, {}, bigCosts).assignment;
const plan = planMoves(big.layout, current, target, bigSkus, {}, { costs: bigCosts });
const reslotSeconds = (performance.now() - t0) / 1000;
const after = applyMoves(current, plan.moves);
const afterFirst = applyMoves(current, plan.moves.slice(0, FIRST_MOVES));
const bigErrors = validateAssignment(big.layout, after, bigSkus, {}, true);
if (bigErrors.length > 0) throw new Error(`re-slotting: ${bigErrors.slice(0, 3).join('; ')}`);
const costBefore = assignmentCost(big.layout, current, bigById, bigCosts);
const reevaluated = costBefore - assignmentCost(big.layout, after, bigById, bigCosts);
const firstSaving = plan.moves.slice(0, FIRST_MOVES).reduce((a, m) => a + m.saving, 0);
const firstShare = firstSaving / plan.predictedSaving;
const routedSample = Math.min(EVAL_SAMPLE, 1_000);
const routed = (a: Assignment): number => evaluateRouted(big.layout, a, bigHistory, { sample: routedSample, seed: 6 }).meanDistance;
const routedBefore = routed(current);
const routedFirst = routed(afterFirst);
const routedAfter = routed(after);
const reslotRows: Row[] = [
  { measure: 'locations / SKUs', value: `${big.layout.locations.length} / ${bigSkus.length}` },
  { measure: 'COI target + move plan (s)', value: reslotSeconds.toFixed(2) },
  { measure: 'moves in full plan (swaps)', value: `${plan.moves.length} (${plan.moves.filter((m) => m.kind === 'swap').length})` },
  { measure: 'predicted saving (picks·m)', value: Math.round(plan.predictedSaving) },
  { measure: 're-evaluated saving (picks·m)', value: Math.round(reevaluated) },
  { measure: `share of saving in first ${FIRST_MOVES} moves`, value: pct(firstShare) },
  { measure: `routed m/order before / after ${FIRST_MOVES} / after all (${routedSample} orders)`, value: `${routedBefore.toFixed(1)} / ${routedFirst.toFixed(1)} / ${routedAfter.toFixed(1)}` },
];
printTable('Re-slotting from the generated (random) storage to COI', reslotRows);

// ── Batching (W5) ──
const batching = await batchingRows();
printTable('Batching', batching);

// ── Family-to-zone LP/MIP (W6) ──
const zoneAssignment = await zoneAssignmentRows();
printTable('Family-to-zone assignment (MIP)', zoneAssignment);

const coiAff = results[4]!;
const verdict: Row[] = [
  { target: `COI+affinity ≥ ${pct(TARGET_VS_RANDOM)} below random`, measured: pct(1 - coiAff.distance / randomDistance), ok: 1 - coiAff.distance / randomDistance >= TARGET_VS_RANDOM ? 'yes' : 'NO' },
  { target: 'COI+affinity below ABC', measured: pct(1 - coiAff.distance / abcDistance), ok: coiAff.distance < abcDistance ? 'yes' : 'NO' },
  { target: `re-slotting ≤ ${RESLOT_TARGET_SECONDS} s`, measured: `${reslotSeconds.toFixed(2)} s`, ok: reslotSeconds <= RESLOT_TARGET_SECONDS ? 'yes' : 'NO' },
  { target: `first ${FIRST_MOVES} moves ≥ 50 % of saving`, measured: pct(firstShare), ok: firstShare >= 0.5 ? 'yes' : 'NO' },
  { target: 'predicted saving = re-evaluation', measured: `Δ ${Math.abs(plan.predictedSaving - reevaluated).toExponential(1)}`, ok: Math.abs(plan.predictedSaving - reevaluated) <= 1e-9 * costBefore ? 'yes' : 'NO' },
];
printTable('Targets', verdict);

console.log(`\nwrote ${await writeResults('optimisation', {
  slotting: { site: 'demo', historyOrders: HISTORY_ORDERS, evalSample: EVAL_SAMPLE, top20Share, rows: slottingRows },
  reslotting: { rows: reslotRows, seconds: reslotSeconds, moves: plan.moves.length, firstShare, predicted: plan.predictedSaving, reevaluated },
  batching,
  zoneAssignment,
  targets: verdict,
})}`);

// ── Event-loop responsiveness while the solver pool optimises (X1; benchmarks/optimisation-event-loop.ts) ──
const { eventLoopRows } = await import('./optimisation-event-loop.ts');
const eventLoop = await eventLoopRows();
printTable('Event loop while optimising in the solver pool (target lag p99 ≤ 20 ms; baseline: nothing running)', eventLoop.rows);
printTable('Target', [{ target: 'event-loop lag p99 ≤ 20 ms while optimising', measured: `${eventLoop.loaded.p99Ms} ms (baseline ${eventLoop.baseline.p99Ms} ms)`, ok: eventLoop.ok ? 'yes' : 'NO' }]);
console.log(`wrote ${await writeResults('optimisation-event-loop', eventLoop)}`);

// ── Waves and waveless release (benchmarks/optimisation-waves.ts) ──
const { waveRows } = await import('./optimisation-waves.ts');
const waves = waveRows();
printTable('Release policies on a simulated peak: count waves, planned waves (15 and 5 min), waveless (30 s)', waves);
console.log(`wrote ${await writeResults('optimisation-waves', { rows: waves })}`);

// ── Task assignment (benchmarks/optimisation-assignment.ts) ──
const { assignmentRows } = await import('./optimisation-assignment.ts');
const assignment = assignmentRows();
printTable('Task assignment: optimal per round vs nearest idle first come (demo site)', assignment);
console.log(`wrote ${await writeResults('optimisation-assignment', { rows: assignment })}`);
