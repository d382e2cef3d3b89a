import { describe, expect, it } from 'vitest';
import type { SiteParams } from '../../server/twin/layout/generator.ts';
import { fromSnapshotData, toSnapshotData } from '../../server/twin/twin.ts';
import { validateAssignment } from '../../solver/slotting/model.ts';
import { assignmentFromStock } from '../../solver/slotting/slot-report.ts';
import { SCENARIO_DEFAULTS, scenarioWith } from '../scenario/defaults.ts';
import { resolveScenario } from '../scenario/resolve.ts';
import type { Scenario, SlottingPolicy } from '../scenario/types.ts';
import { createDemandModel } from '../scenario/demand.ts';
import { reslot, slottingHistory } from './reslot.ts';
import type { SimulationResult } from './result.ts';
import { runScenario } from './run-scenario.ts';

/** 8 aisles × 2 blocks × 10 bays × 2 levels × 2 sides = 640 bins, 200 SKUs, most of them stocked. */
const SITE: SiteParams = {
  id: 'reslot-small',
  name: 'Re-slotting test site',
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

/** Two hours of single-order picking on a skewed (Zipf) demand: slotting decides how far each line is. */
function scenario(slotting: SlottingPolicy, seed = 3): Scenario {
  return scenarioWith({
    name: 'reslot',
    seed,
    startAt: '2026-11-27T06:00:00Z',
    durationHours: 2,
    site: { kind: 'generated', params: SITE, seed: 5 },
    demand: { ...SCENARIO_DEFAULTS.demand, lines: 500, skuPopularity: { kind: 'zipf', exponent: 1.2 } },
    labour: { ...SCENARIO_DEFAULTS.labour, shifts: [{ start: '06:00', end: '08:00', pickers: 4 }], replenishers: 1 },
    stations: { ...SCENARIO_DEFAULTS.stations, cutoffs: [{ carrier: 'late', at: '20:00' }] },
    policies: { ...SCENARIO_DEFAULTS.policies, batching: { kind: 'single-order' }, slotting },
    sampleMinutes: 30,
  });
}

const run = (s: Scenario): SimulationResult => runScenario(resolveScenario(s));
const metresPerLine = (r: SimulationResult): number => r.kpis.distanceWalkedMetres / r.kpis.linesPicked;

describe('re-slotting before the run (M15)', () => {
  const asIs = run(scenario('as-is'));
  const coi = run(scenario({ kind: 'coi', history: 'demand' }));

  it('[M15] COI slotting walks less per line than the stock as it is, on a skewed demand', () => {
    expect(coi.kpis.ordersArrived).toBe(asIs.kpis.ordersArrived);
    expect(coi.kpis.linesPicked).toBeGreaterThan(0);
    expect(metresPerLine(coi)).toBeLessThan(metresPerLine(asIs));
    expect(coi.invariantViolations).toEqual([]);
    expect(coi.lines.balanced).toBe(true);
  });

  it('[M15] reports what it did; as-is reports nothing (the result is unchanged)', () => {
    expect(asIs.slotting).toBeUndefined();
    expect('slotting' in asIs).toBe(false);
    const s = coi.slotting!;
    expect(s).toMatchObject({ kind: 'coi', history: 'demand' });
    expect(s.binsMoved).toBeGreaterThan(0);
    expect(s.slotCostAfter).toBeLessThan(s.slotCostBefore);
  });

  it('[M15] moves whole bins only, onto an assignment that passes validateAssignment, keeping every unit', () => {
    const input = resolveScenario(scenario({ kind: 'coi-affinity', history: 'demand' }));
    const data = toSnapshotData(input.state);
    const demand = createDemandModel(input.scenario, input.state);
    const history = slottingHistory('demand', input.state, demand, input.scenario.seed);
    const done = reslot(input.site, input.site.layout, data, { kind: 'coi-affinity', history: 'demand' }, history, input.scenario.seed);
    const units = (qs: readonly { skuId: string; onHand: number }[]): Map<string, number> => {
      const m = new Map<string, number>();
      for (const q of qs) m.set(q.skuId, (m.get(q.skuId) ?? 0) + q.onHand);
      return m;
    };
    expect(units(done.data.quants)).toEqual(units(data.quants));
    expect(new Set(done.data.quants.map((q) => q.key)).size).toBe(done.data.quants.length);
    const after = assignmentFromStock(done.data.quants);
    const slots = new Map<string, number>();
    for (const sku of after.values()) slots.set(sku, (slots.get(sku) ?? 0) + 1);
    const skus = input.site.skus.filter((s) => slots.has(s.id)).map((s) => ({ id: s.id, tenantId: s.tenantId, picks: 1, slots: slots.get(s.id) }));
    expect(done.summary.binsMoved).toBeGreaterThan(0);
    expect(validateAssignment(input.site.layout, after, skus)).toEqual([]);
    // The twin takes the re-slotted state.
    expect(() => fromSnapshotData(input.site, done.data)).not.toThrow();
  });

  it('[M1][M15] is deterministic: the same seed gives the same result, ABC included', () => {
    expect(JSON.stringify(run(scenario({ kind: 'coi', history: 'demand' })))).toBe(JSON.stringify(coi));
    const abc = scenario({ kind: 'abc', history: 'demand' });
    expect(JSON.stringify(run(abc))).toBe(JSON.stringify(run(abc)));
  });

  it("[M15] refuses 'start-state' history without orders in the start state, naming the field", () => {
    expect(() => run(scenario({ kind: 'coi', history: 'start-state' }))).toThrow(/^policies\.slotting\.history: /);
  });
});
