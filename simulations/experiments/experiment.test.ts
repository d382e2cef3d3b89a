import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, loadScenarioFile } from '../io/scenario-files.ts';
import type { SimulationKpis, SimulationResult } from '../model/result.ts';
import type { Scenario } from '../scenario/types.ts';
import { sampleResult } from '../report/sample-result.ts';
import { compareScenarios, experimentSeeds, summariseExperiment, uniqueNames } from './experiment.ts';
import { KPI_NAMES } from './kpi-info.ts';
import { createSimulationPool } from './pool.ts';
import { estimate, pairedDifference } from './stats.ts';

const base = sampleResult();
const withKpis = (kpis: Partial<SimulationKpis>, balanced = true): SimulationResult => ({
  ...base,
  kpis: { ...base.kpis, ...kpis },
  lines: { ...base.lines, balanced },
});

describe('summariseExperiment', () => {
  const results = [
    [withKpis({ linesPicked: 100 }), withKpis({ linesPicked: 110 }), withKpis({ linesPicked: 90 })],
    [withKpis({ linesPicked: 150 }), withKpis({ linesPicked: 162 }), withKpis({ linesPicked: 141 }, false)],
  ];
  const summary = summariseExperiment(['baseline', 'more pickers'], [1, 2, 3], results);

  it('estimates every KPI per scenario, baseline first, with the paired difference to the baseline', () => {
    expect(summary.kind).toBe('experiment');
    expect(summary.comparison.map((c) => c.kpi)).toEqual(KPI_NAMES);
    const picked = summary.comparison.find((c) => c.kpi === 'linesPicked')!;
    expect(picked.scenarios.map((s) => s.scenario)).toEqual(['baseline', 'more pickers']);
    expect(picked.scenarios[0]!.estimate).toEqual(estimate([100, 110, 90]));
    expect(picked.scenarios[0]!.difference).toBeNull();
    expect(picked.scenarios[1]!.estimate).toEqual(estimate([150, 162, 141]));
    expect(picked.scenarios[1]!.difference).toEqual(pairedDifference([150, 162, 141], [100, 110, 90]));
    expect(picked.scenarios[1]!.difference!.mean).toBeCloseTo(51, 12);
  });

  it('keeps each run with its seed and checks, scenario by scenario', () => {
    expect(summary.runs.map((r) => [r.scenario, r.seed, r.kpis.linesPicked, r.linesBalanced])).toEqual([
      ['baseline', 1, 100, true], ['baseline', 2, 110, true], ['baseline', 3, 90, true],
      ['more pickers', 1, 150, true], ['more pickers', 2, 162, true], ['more pickers', 3, 141, false],
    ]);
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary); // JSON-safe
  });

  it('rejects result sets that do not match the scenarios and seeds', () => {
    expect(() => summariseExperiment(['a', 'b'], [1, 2, 3], [results[0]!])).toThrow(RangeError);
    expect(() => summariseExperiment(['a'], [1, 2], [results[0]!])).toThrow(RangeError);
    expect(() => summariseExperiment([], [1], [])).toThrow(RangeError);
  });
});

describe('experiment helpers', () => {
  it('numbers seeds from the first and makes repeated names unique', () => {
    expect(experimentSeeds(5, 3)).toEqual([5, 6, 7]);
    expect(() => experimentSeeds(1, 0)).toThrow(RangeError);
    expect(uniqueNames(['a', 'b', 'a', 'a'])).toEqual(['a', 'b', 'a#2', 'a#3']);
  });
});

describe('compareScenarios on the pool', () => {
  const pool = createSimulationPool({ threads: 2, niceIncrement: 0 });
  afterAll(() => pool.close());

  it('finds that doubling the pickers of a labour-bound scenario picks more lines, with an interval above zero', async () => {
    const { scenario } = await loadScenarioFile(path.join(REPO_ROOT, 'data/scenarios/labour-bound-small.json'));
    const short: Scenario = { ...scenario, durationHours: 1 };
    const doubled: Scenario = {
      ...short,
      name: 'double pickers',
      labour: { ...short.labour, shifts: short.labour.shifts.map((s) => ({ ...s, pickers: s.pickers * 2 })) },
    };
    const progress: [number, number][] = [];
    const result = await compareScenarios(pool, [short, doubled], experimentSeeds(1, 3), { onRunDone: (done, total) => progress.push([done, total]) });
    expect(progress.map(([done]) => done)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(result.scenarios).toEqual(['labour-bound-small', 'double pickers']);
    expect(result.runs.map((r) => r.seed)).toEqual([1, 2, 3, 1, 2, 3]);
    const picked = result.comparison.find((c) => c.kpi === 'linesPicked')!;
    const difference = picked.scenarios[1]!.difference!;
    expect(difference.ci).not.toBeNull();
    expect(difference.ci![0]).toBeGreaterThan(0);
    expect(result.runs.every((r) => r.linesBalanced && r.invariantViolations.length === 0)).toBe(true);
  });
});
