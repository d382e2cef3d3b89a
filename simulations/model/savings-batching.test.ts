import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SiteParams } from '../../server/twin/layout/generator.ts';
import { SCENARIO_DEFAULTS, scenarioWith } from '../scenario/defaults.ts';
import { resolveScenario } from '../scenario/resolve.ts';
import type { BatchingPolicy, Scenario } from '../scenario/types.ts';
import type { SimulationResult } from './result.ts';
import { runScenario } from './run-scenario.ts';

/** 8 aisles × 2 blocks × 10 bays × 2 levels × 2 sides = 640 bins, 200 SKUs. */
const SITE: SiteParams = {
  id: 'savings-small',
  name: 'Savings test site',
  aisles: 8,
  blocks: 2,
  baysPerBlock: 10,
  levels: 2,
  capacityUnits: 40,
  skuCount: 200,
  tenants: 1,
  stockFillRatio: 0.8,
  baseDate: '2026-11-01',
};

/** Two hours, orders released in waves every 20 minutes to 3 pickers: orders wait, so batching has a choice. */
function scenario(batching: BatchingPolicy, seed = 11): Scenario {
  return scenarioWith({
    name: `savings-${batching.kind}`,
    seed,
    startAt: '2026-11-27T06:00:00Z',
    durationHours: 2,
    site: { kind: 'generated', params: SITE, seed: 5 },
    demand: { ...SCENARIO_DEFAULTS.demand, lines: 600 },
    labour: { ...SCENARIO_DEFAULTS.labour, shifts: [{ start: '06:00', end: '08:00', pickers: 3 }], replenishers: 1 },
    stations: { ...SCENARIO_DEFAULTS.stations, cutoffs: [{ carrier: 'late', at: '20:00' }] },
    policies: { ...SCENARIO_DEFAULTS.policies, release: { kind: 'waves', everyMinutes: 20 }, batching },
    sampleMinutes: 30,
  });
}

const run = (s: Scenario): SimulationResult => runScenario(resolveScenario(s));
const metresPerLine = (r: SimulationResult): number => r.kpis.distanceWalkedMetres / r.kpis.linesPicked;
const hash = (r: SimulationResult): string => createHash('sha256').update(JSON.stringify(r)).digest('hex');

describe('savings batching in the simulator (M14)', () => {
  const fcfs = run(scenario({ kind: 'fcfs', maxOrders: 6, maxLines: 20 }));
  const savings = run(scenario({ kind: 'savings', maxOrders: 6, maxLines: 20, localSearch: false }));

  it('[M14] walks less per line than first come on the same seed and demand', () => {
    expect(fcfs.kpis.ordersArrived).toBe(savings.kpis.ordersArrived);
    expect(savings.kpis.linesPicked).toBeGreaterThan(0);
    expect(metresPerLine(savings)).toBeLessThan(metresPerLine(fcfs));
  });

  it('[M14] keeps the invariants and the line accounting', () => {
    expect(savings.invariantViolations).toEqual([]);
    expect(savings.lines.balanced).toBe(true);
    expect(Object.keys(savings.rejected).filter((k) => k.startsWith('assignWork'))).toEqual([]);
  });

  it('[M1][M14] gives the same result hash for the same seed, with and without the local search', () => {
    expect(hash(run(scenario({ kind: 'savings', maxOrders: 6, maxLines: 20, localSearch: false })))).toBe(hash(savings));
    const ls = scenario({ kind: 'savings', maxOrders: 6, maxLines: 20, localSearch: true });
    const a = run(ls);
    expect(hash(run(ls))).toBe(hash(a));
    expect(a.invariantViolations).toEqual([]);
    expect(metresPerLine(a)).toBeLessThan(metresPerLine(fcfs));
  });
});
