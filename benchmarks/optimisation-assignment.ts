/**
 * Task assignment benchmark (issue 7): on the demo site, 12 operatives scattered over the floor (some at the depot, a
 * third with the `reach` skill, a third restricted to one block's zone) and 60 pick orders (the batching benchmark's
 * 20/80 generator) plus 12 replenishment moves, cut-offs 10–60 min ahead, priorities 0–2. Compares the optimal
 * assignment (solver/assignment, Hungarian per round) with the nearest-idle first-come baseline (`assignFcfs`, same
 * time model): travel to the first pick, makespan, lateness, solve time. Averages over seeded instances.
 * `assignmentRows()` feeds `npm run bench -- optimisation`; `npx tsx benchmarks/optimisation-assignment.ts` prints it.
 */
import { fileURLToPath } from 'node:url';
import { DEMO_SITE_PARAMS, DEMO_SITE_SEED } from '../server/twin/layout/demo-site.ts';
import { generateSite } from '../server/twin/layout/generator.ts';
import type { Layout } from '../server/twin/layout/types.ts';
import { createRng, randomInt } from '../server/twin/rng.ts';
import type { AssignmentRequest, AssignmentResult, AssignOperative, AssignWorkUnit } from '../solver/assignment/assignment.ts';
import { assignFcfs, assignWork, isAssignmentError } from '../solver/assignment/assignment.ts';
import { printTable, type Row } from './bench-util.ts';
import { skewedOrders } from './optimisation-batching.ts';

const OPERATIVES = 12;
const ORDERS = 60;
const MOVES = 12;
const ROUNDS = ORDERS + MOVES;
/** Rolling rounds: each round serves the operatives free within this window of the first free one (A1). */
const ROUND_WINDOW_S = 60;
const INSTANCES = Math.max(1, Number(process.env.ASSIGNMENT_BENCH_INSTANCES ?? 5));
const NOW = Date.UTC(2026, 10, 27, 9);

function instance(layout: Layout, seed: number): AssignmentRequest {
  const rng = createRng(seed);
  const at = (): { x: number; y: number } => layout.locations[randomInt(rng, 0, layout.locations.length - 1)]!.access;
  const operatives: AssignOperative[] = Array.from({ length: OPERATIVES }, (_, k) => ({
    id: `op${k + 1}`,
    position: k % 4 === 0 ? null : at(),
    loadTasks: 0,
    remainingRouteM: 0,
    zones: k % 3 === 1 ? [k % 2 === 0 ? 'B1' : 'B2'] : [],
    skills: k % 3 === 0 ? ['reach'] : [],
  }));
  const picks: AssignWorkUnit[] = skewedOrders(layout, ORDERS, rng).map((o) => ({
    id: o.id,
    kind: 'pick',
    locationIds: [...new Set(o.picks.map((p) => p.locationId))],
    tasks: o.picks.length,
    dueAtMs: NOW + randomInt(rng, 10, 60) * 60_000,
    priority: randomInt(rng, 0, 2),
  }));
  const moves: AssignWorkUnit[] = Array.from({ length: MOVES }, (_, k) => ({
    id: `M${k + 1}`,
    kind: 'move',
    locationIds: [layout.locations[randomInt(rng, 0, layout.locations.length - 1)]!.id, layout.locations[randomInt(rng, 0, layout.locations.length - 1)]!.id],
    tasks: 1,
    skill: 'reach',
    priority: 1,
  }));
  return { layout, nowMs: NOW, operatives, units: [...picks, ...moves], options: { rounds: ROUNDS, roundWindowS: ROUND_WINDOW_S } };
}

interface Measure {
  assigned: number;
  travelPerUnitM: number;
  firstRoundTravelM: number;
  makespanMin: number;
  lateUnits: number;
  lateMin: number;
  solveMs: number;
}

function measure(run: (r: AssignmentRequest) => ReturnType<typeof assignWork>, request: AssignmentRequest): Measure {
  const t0 = performance.now();
  const result = run(request);
  const solveMs = performance.now() - t0;
  if (isAssignmentError(result)) throw new Error(result.error.message);
  const r: AssignmentResult = result;
  const first = r.assignments.filter((a) => a.round === 1);
  return {
    assigned: r.assignments.length,
    travelPerUnitM: r.travelM / Math.max(1, r.assignments.length),
    firstRoundTravelM: first.reduce((n, a) => n + a.travelM, 0),
    makespanMin: r.makespanMs / 60_000,
    lateUnits: r.assignments.filter((a) => a.lateMs > 0).length,
    lateMin: r.lateMs / 60_000,
    solveMs,
  };
}

function mean(list: readonly Measure[]): Measure {
  const out = { assigned: 0, travelPerUnitM: 0, firstRoundTravelM: 0, makespanMin: 0, lateUnits: 0, lateMin: 0, solveMs: 0 };
  for (const m of list) for (const k of Object.keys(out) as (keyof Measure)[]) out[k] += m[k] / list.length;
  return out;
}

/** The assignment table: optimal vs nearest-idle FCFS, averaged over `INSTANCES` seeded instances. */
export function assignmentRows(): Row[] {
  const { site } = generateSite(DEMO_SITE_PARAMS, DEMO_SITE_SEED);
  const best: Measure[] = [];
  const fcfs: Measure[] = [];
  for (let i = 0; i < INSTANCES; i++) {
    const request = instance(site.layout, 500 + i);
    fcfs.push(measure(assignFcfs, request));
    best.push(measure(assignWork, request));
  }
  const b = mean(best);
  const f = mean(fcfs);
  const pct = (x: number, y: number): string => (y === 0 ? '—' : `${(100 * (1 - x / y)).toFixed(1)} %`);
  const row = (name: string, m: Measure, saved: boolean): Row => ({
    method: name,
    'units assigned': `${m.assigned.toFixed(1)} / ${ORDERS + MOVES}`,
    'travel to 1st pick, round 1 (m)': `${m.firstRoundTravelM.toFixed(0)}${saved ? ` (−${pct(m.firstRoundTravelM, f.firstRoundTravelM)})` : ''}`,
    'travel to 1st pick per unit (m)': `${m.travelPerUnitM.toFixed(1)}${saved ? ` (−${pct(m.travelPerUnitM, f.travelPerUnitM)})` : ''}`,
    'makespan (min)': `${m.makespanMin.toFixed(1)}${saved ? ` (−${pct(m.makespanMin, f.makespanMin)})` : ''}`,
    'late units / late min': `${m.lateUnits.toFixed(1)} / ${m.lateMin.toFixed(1)}`,
    'solve (ms)': m.solveMs.toFixed(1),
  });
  return [row('nearest idle, first come (baseline)', f, false), row('optimal per round (Hungarian)', b, true)];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  printTable(`Task assignment on the demo site (${OPERATIVES} operatives, ${ORDERS} orders + ${MOVES} moves, ${INSTANCES} instances)`, assignmentRows());
}
