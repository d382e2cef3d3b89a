/**
 * Family-to-zone assignment benchmark (issue 7, LP/MIP): the demo site's SKUs in 8/20/60/100 families over 4/5/8/10 zones
 * (aisle groups × level bands, capacities at 85 % utilisation), solved by HiGHS (WASM) and javascript-lp-solver under
 * the same time limit. Per library: wall time, the status it claimed, whether its values are integral, whether the
 * answer passes `verifySolution`, its objective (metres of travel per day), and the greedy heuristic for scale.
 * `zoneAssignmentRows()` feeds `npm run bench -- optimisation`; `npx tsx benchmarks/optimisation-lp.ts` prints the table.
 * LP_BENCH_SECONDS sets the time limit per solve (default 10).
 */
import { fileURLToPath } from 'node:url';
import { DEMO_SITE_PARAMS, DEMO_SITE_SEED } from '../server/twin/layout/demo-site.ts';
import { generateSite } from '../server/twin/layout/generator.ts';
import { createHighsMipSolver } from '../server/solver-pool/highs-mip-solver.ts';
import { createLpSolverMipSolver } from '../server/solver-pool/lp-solver-mip-solver.ts';
import type { MipSolver } from '../solver/lp/mip.ts';
import { MIP_TOLERANCE, assignmentCost, buildZoneAssignmentModel, greedyAssignment, verifySolution } from '../solver/lp/zone-assignment.ts';
import { zoneAssignmentInstanceFromSite } from '../solver/lp/zone-instance.ts';
import { printTable, type Row } from './bench-util.ts';

const SECONDS = Math.max(0.1, Number(process.env.LP_BENCH_SECONDS ?? 10));
const SHAPES = [
  { families: 8, aisleGroups: 2, levelBands: 2 },
  { families: 20, aisleGroups: 5, levelBands: 1 },
  { families: 60, aisleGroups: 4, levelBands: 2 },
  { families: 100, aisleGroups: 5, levelBands: 2 },
] as const;

export async function zoneAssignmentRows(): Promise<Row[]> {
  const { site, initialStock } = generateSite(DEMO_SITE_PARAMS, DEMO_SITE_SEED);
  const highs = createHighsMipSolver();
  const solvers: MipSolver[] = [highs, createLpSolverMipSolver()];
  // Load the WASM before timing anything.
  await highs.solve({ variables: [{ name: 'x', cost: 1 }], constraints: [] }, { timeLimitSeconds: 1 });
  const rows: Row[] = [];
  for (const shape of SHAPES) {
    const instance = zoneAssignmentInstanceFromSite(site, initialStock, shape);
    const model = buildZoneAssignmentModel(instance);
    const greedy = greedyAssignment(instance);
    for (const solver of solvers) {
      const started = performance.now();
      const result = await solver.solve(model, { timeLimitSeconds: SECONDS });
      const ms = performance.now() - started;
      const values = result.values ?? [];
      const integral = values.length > 0 && values.every((v) => Math.abs(v) <= MIP_TOLERANCE || Math.abs(v - 1) <= MIP_TOLERANCE);
      const verified = result.values !== undefined && verifySolution(instance, result.values, result.objective).ok;
      const gap = solver === highs ? highs.lastGap() : null;
      rows.push({
        instance: `${shape.families}×${instance.zones.length} (${model.variables.length} bin.)`,
        library: solver.name,
        ms: Math.round(ms),
        claimed: result.status,
        'proved optimal': result.status === 'optimal' && verified ? 'yes' : 'no',
        integral: integral ? 'yes' : 'no',
        verified: verified ? 'yes' : 'NO',
        objective: result.objective === undefined ? '-' : Number(result.objective.toFixed(2)),
        'gap %': gap === null ? '-' : Number((gap.gap * 100).toFixed(3)),
        'greedy objective': greedy === null ? '-' : Number(assignmentCost(instance, greedy).toFixed(2)),
      });
    }
  }
  return rows;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rows = await zoneAssignmentRows();
  printTable(`Family-to-zone assignment (GAP as a MIP), time limit ${SECONDS} s per solve`, rows);
}
