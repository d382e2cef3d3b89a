/**
 * `experiment SCENARIO.json... [--seeds N] [--threads T] [--out DIR]`: runs every scenario with seeds s, s+1, …,
 * s+N−1 (s = the first scenario's seed) on worker threads, prints each KPI's mean ± 95 % interval per scenario and
 * the difference to the first (the baseline), and writes DIR/experiment.json and DIR/report.html (DIR defaults to
 * simulation-output/experiment-<names>/). Errors as `simulate`: usage or a bad scenario file exit 2.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { compareScenarios, experimentSeeds } from '../../simulations/experiments/experiment.ts';
import type { ExperimentResult } from '../../simulations/experiments/experiment.ts';
import { KPI_INFO, formatKpi } from '../../simulations/experiments/kpi-info.ts';
import { createSimulationPool } from '../../simulations/experiments/pool.ts';
import type { Estimate } from '../../simulations/experiments/stats.ts';
import { writeReport } from '../../simulations/report/report-assets.ts';
import { EXIT_OK } from './route.command.ts';
import { CommandError, folderName, formatTable, integerFlag, loadScenarioOrFail, parseArgs, progressReporter } from './simulate.command.ts';
import type { ProgressIo } from './simulate.command.ts';

export const EXPERIMENT_USAGE = 'usage: experiment SCENARIO.json... [--seeds N] [--threads T] [--out DIR]';

/** Runs per scenario when `--seeds` is not given: enough for a t interval that means something. */
export const DEFAULT_SEEDS = 5;

const withInterval = (kpi: keyof typeof KPI_INFO, e: Estimate): string =>
  e.halfWidth === null ? formatKpi(kpi, e.mean) : `${formatKpi(kpi, e.mean)} ± ${formatKpi(kpi, e.halfWidth)}`;

const signed = (kpi: keyof typeof KPI_INFO, value: number): string => `${value > 0 ? '+' : ''}${formatKpi(kpi, value)}`;

/** The comparison table: a row per KPI, a column per scenario, then one per difference to the baseline. */
export function comparisonTable(result: ExperimentResult): string {
  const [, ...others] = result.scenarios;
  const head = ['KPI', ...result.scenarios.map((s, i) => (i === 0 ? `${s} (baseline)` : s)), ...others.map((s) => `${s} − baseline [95 % CI]`)];
  const rows = result.comparison.map((c) => [
    KPI_INFO[c.kpi].label,
    ...c.scenarios.map((s) => withInterval(c.kpi, s.estimate)),
    ...c.scenarios.slice(1).map(({ difference: d }) => {
      if (d === null) return '';
      return d.ci === null ? signed(c.kpi, d.mean) : `${signed(c.kpi, d.mean)} [${signed(c.kpi, d.ci[0])}, ${signed(c.kpi, d.ci[1])}]`;
    }),
  ]);
  return `${formatTable([head, ...rows])}\n`;
}

/** Runs the experiment command; returns the exit code. */
export async function runExperiment(args: readonly string[], io: ProgressIo): Promise<number> {
  try {
    const { positionals, flags } = parseArgs(args, ['seeds', 'threads', 'out'], []);
    if (positionals.length === 0) throw new CommandError([`missing SCENARIO (${EXPERIMENT_USAGE})`]);
    const seedCount = integerFlag(flags, 'seeds', 1, 1000) ?? DEFAULT_SEEDS;
    const threads = integerFlag(flags, 'threads', 1, 256);

    const scenarios = [];
    for (const file of positionals) scenarios.push((await loadScenarioOrFail(file)).scenario);
    const seeds = experimentSeeds(scenarios[0]!.seed, seedCount);
    const outDir = flags.get('out') ?? path.join('simulation-output', `experiment-${folderName(scenarios.map((s) => s.name).join('+'))}`);

    const pool = createSimulationPool(threads === undefined ? {} : { threads });
    const progress = progressReporter(io, `experiment (${scenarios.length * seeds.length} runs)`);
    let result: ExperimentResult;
    try {
      progress.update(0);
      result = await compareScenarios(pool, scenarios, seeds, { onRunDone: (done, total) => progress.update(done / total) });
    } finally {
      progress.done();
      await pool.close();
    }

    const jsonFile = path.join(outDir, 'experiment.json');
    const htmlFile = path.join(outDir, 'report.html');
    await mkdir(outDir, { recursive: true });
    await writeFile(jsonFile, `${JSON.stringify(result, null, 2)}\n`, 'utf8');
    await writeReport(htmlFile, result);
    io.out(`${result.scenarios.length} scenario(s) × ${result.seeds.length} seed(s) (${result.seeds.join(', ')}); mean ± half-width of the 95 % interval\n`);
    io.out(comparisonTable(result));
    const unbalanced = result.runs.filter((r) => !r.linesBalanced || r.invariantViolations.length > 0);
    if (unbalanced.length > 0) io.out(`${unbalanced.length} run(s) broke line conservation or a twin invariant (see the report)\n`);
    io.out(`wrote ${jsonFile}, ${htmlFile}\n`);
    return EXIT_OK;
  } catch (e) {
    if (e instanceof CommandError) {
      for (const line of e.lines) io.err(`experiment: ${line.replace(/\s*\n\s*/g, ' ')}\n`);
      return e.exitCode;
    }
    throw e;
  }
}
