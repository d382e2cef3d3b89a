/**
 * Experiments: every scenario × every seed on the simulation pool, then each KPI compared across scenarios — mean,
 * standard deviation, Student-t confidence interval, and the difference to the first scenario (the baseline).
 * All scenarios use the same seeds, so run i of each shares its random numbers (common random numbers) and the
 * differences are estimated pairwise, which removes the noise the scenarios share.
 */
import type { SimulationKpis, SimulationResult } from '../model/result.ts';
import type { Scenario } from '../scenario/types.ts';
import { KPI_NAMES } from './kpi-info.ts';
import type { SimulationPool } from './pool.ts';
import { estimate, pairedDifference } from './stats.ts';
import type { Estimate } from './stats.ts';

/** The confidence level of every interval in an experiment. */
export const EXPERIMENT_CONFIDENCE = 0.95;

/** What an experiment keeps of one run. */
export interface ExperimentRun {
  readonly scenario: string;
  readonly seed: number;
  readonly kpis: SimulationKpis;
  readonly events: number;
  /** Line conservation held (arrived = despatched + backordered + cancelled + open). */
  readonly linesBalanced: boolean;
  readonly invariantViolations: readonly string[];
}

export interface ScenarioEstimate {
  readonly scenario: string;
  readonly estimate: Estimate;
  /** This scenario minus the baseline, paired by seed; null for the baseline itself. */
  readonly difference: Estimate | null;
}

export interface KpiComparison {
  readonly kpi: keyof SimulationKpis;
  /** One per scenario, baseline first. */
  readonly scenarios: readonly ScenarioEstimate[];
}

/** An experiment's outcome: plain JSON-safe data, written as `experiment.json` and rendered by the report. */
export interface ExperimentResult {
  readonly kind: 'experiment';
  /** Scenario names, baseline first (made unique with `#2`, `#3` when two share a name). */
  readonly scenarios: readonly string[];
  readonly seeds: readonly number[];
  readonly confidence: number;
  /** Every run, scenario by scenario, seed by seed. */
  readonly runs: readonly ExperimentRun[];
  readonly comparison: readonly KpiComparison[];
}

/** The seeds of an experiment of `count` runs per scenario: `first`, `first` + 1, … */
export function experimentSeeds(first: number, count: number): number[] {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`an experiment needs at least one seed, got ${count}`);
  return Array.from({ length: count }, (_, i) => first + i);
}

/** Names made unique in order: a repeated name gets `#2`, `#3`, … */
export function uniqueNames(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((name) => {
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return n === 1 ? name : `${name}#${n}`;
  });
}

/**
 * Compares finished runs: `results[s][i]` is scenario s run with `seeds[i]`. Pure; throws when the shape does not
 * match (every scenario needs one result per seed).
 */
export function summariseExperiment(names: readonly string[], seeds: readonly number[], results: readonly (readonly SimulationResult[])[]): ExperimentResult {
  if (names.length === 0) throw new RangeError('an experiment needs at least one scenario');
  if (results.length !== names.length) throw new RangeError(`${results.length} result sets for ${names.length} scenarios`);
  for (const [s, set] of results.entries()) {
    if (set.length !== seeds.length) throw new RangeError(`scenario ${names[s]} has ${set.length} results for ${seeds.length} seeds`);
  }
  const unique = uniqueNames(names);
  const runs: ExperimentRun[] = results.flatMap((set, s) => set.map((r, i) => ({
    scenario: unique[s]!,
    seed: seeds[i]!,
    kpis: r.kpis,
    events: r.events,
    linesBalanced: r.lines.balanced,
    invariantViolations: r.invariantViolations,
  })));
  const comparison = KPI_NAMES.map((kpi): KpiComparison => {
    const samples = results.map((set) => set.map((r) => r.kpis[kpi]));
    const baseline = samples[0]!;
    return {
      kpi,
      scenarios: samples.map((values, s) => ({
        scenario: unique[s]!,
        estimate: estimate(values, EXPERIMENT_CONFIDENCE),
        difference: s === 0 ? null : pairedDifference(values, baseline, EXPERIMENT_CONFIDENCE),
      })),
    };
  });
  return { kind: 'experiment', scenarios: unique, seeds: [...seeds], confidence: EXPERIMENT_CONFIDENCE, runs, comparison };
}

export interface CompareOptions {
  /** Called after each run finishes with the runs done so far and the total. */
  readonly onRunDone?: (done: number, total: number) => void;
}

/** Runs every scenario with every seed on `pool` (all at once; the pool queues them) and compares the KPIs. */
export async function compareScenarios(pool: SimulationPool, scenarios: readonly Scenario[], seeds: readonly number[], options: CompareOptions = {}): Promise<ExperimentResult> {
  const total = scenarios.length * seeds.length;
  let done = 0;
  const results = await Promise.all(scenarios.map((scenario) => Promise.all(seeds.map(async (seed) => {
    const result = await pool.run({ scenario, seed });
    done++;
    options.onRunDone?.(done, total);
    return result;
  }))));
  return summariseExperiment(scenarios.map((s) => s.name), seeds, results);
}
