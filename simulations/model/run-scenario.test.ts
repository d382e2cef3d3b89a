import { describe, expect, it } from 'vitest';
import type { SiteParams } from '../../server/twin/layout/generator.ts';
import type { Command } from '../../server/twin/commands.ts';
import { asOperativeId, asOrderId } from '../../server/twin/ids.ts';
import { applyEvents, decide, toSnapshotData } from '../../server/twin/twin.ts';
import { SCENARIO_DEFAULTS, scenarioWith } from '../scenario/defaults.ts';
import { resolveScenario } from '../scenario/resolve.ts';
import type { Scenario } from '../scenario/types.ts';
import type { SimulationResult } from './result.ts';
import { runScenario } from './run-scenario.ts';

/** 6 aisles × 2 blocks × 8 bays × 2 levels × 2 sides = 384 bins, 120 SKUs, 2 tenants. */
const SMALL_SITE: SiteParams = {
  id: 'model-small',
  name: 'Model test site',
  aisles: 6,
  blocks: 2,
  baysPerBlock: 8,
  levels: 2,
  capacityUnits: 40,
  skuCount: 120,
  tenants: 2,
  stockFillRatio: 0.7,
  baseDate: '2026-11-01',
};

/** A 4-hour morning on the small site: `lines` order lines, `pickers` pickers, trucks within the run. */
function small(overrides: { lines?: number; pickers?: number } & Partial<Scenario> = {}): Scenario {
  const { lines = 800, pickers = 4, ...rest } = overrides;
  return scenarioWith({
    name: 'small',
    startAt: '2026-11-27T06:00:00Z',
    durationHours: 4,
    site: { kind: 'generated', params: SMALL_SITE, seed: 7 },
    demand: { ...SCENARIO_DEFAULTS.demand, lines },
    labour: { ...SCENARIO_DEFAULTS.labour, shifts: [{ start: '06:00', end: '10:00', pickers }], replenishers: 1 },
    stations: { ...SCENARIO_DEFAULTS.stations, packStations: 3, cutoffs: [{ carrier: 'early', at: '08:00' }, { carrier: 'late', at: '09:30' }] },
    sampleMinutes: 15,
    ...rest,
  });
}

const run = (scenario: Scenario): SimulationResult => runScenario(resolveScenario(scenario));
const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

describe('runScenario', () => {
  it('[M1][E8] gives the same result for the same scenario and seed, and another for another seed', () => {
    const scenario = small();
    const a = run(scenario);
    const b = run(scenario);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(a.kpis.linesPicked).toBeGreaterThan(0);
    const other = run({ ...scenario, seed: scenario.seed + 1 });
    expect(JSON.stringify(other)).not.toBe(JSON.stringify(a));
  });

  it('[M1][E1] gives the same result on the array-scanned event list as on the heap', () => {
    const resolved = resolveScenario(small({ lines: 400, pickers: 3 }));
    expect(JSON.stringify(runScenario(resolved, { eventList: 'array' }))).toBe(JSON.stringify(runScenario(resolved, { eventList: 'heap' })));
  });

  it('[M1][M10][M11] keeps the stock invariants and accounts for every order line', () => {
    // Scarce stock (no replenishment) and trucks inside the run: lines end despatched, open and backordered.
    const r = run(small({ lines: 2400, pickers: 6, replenishment: { ...SCENARIO_DEFAULTS.replenishment, enabled: false } }));
    expect(r.invariantViolations).toEqual([]);
    const { arrived, despatched, backordered, cancelled, open, balanced } = r.lines;
    expect(balanced).toBe(true);
    expect(arrived).toBe(despatched + backordered + cancelled + open);
    expect(despatched).toBeGreaterThan(0);
    expect(open).toBeGreaterThan(0);
    expect(backordered).toBeGreaterThan(0);
    // The series add up to the totals.
    expect(sum(r.series.ordersArrived)).toBe(r.kpis.ordersArrived);
    expect(sum(r.series.ordersDespatched)).toBe(r.kpis.ordersDespatched);
    expect(sum(r.series.linesPicked)).toBe(r.kpis.linesPicked);
    expect(r.leadTimeMinutes.count).toBe(r.kpis.ordersDespatched);
    expect(r.rejected['allocateOrder:OUT_OF_STOCK']).toBeGreaterThan(0);
  });

  it('[M3][M4] raises throughput when pickers are doubled in a labour-bound scenario', () => {
    const few = run(small({ lines: 3000, pickers: 2 }));
    const more = run(small({ lines: 3000, pickers: 4 }));
    expect(few.kpis.pickerUtilisation).toBeGreaterThan(0.9);
    expect(more.kpis.linesPicked).toBeGreaterThan(few.kpis.linesPicked * 1.5);
    expect(more.kpis.ordersDespatched).toBeGreaterThan(few.kpis.ordersDespatched);
  });

  it('[M4] walks less per line with optimal routing than with S-shape', () => {
    const base = small({ lines: 3000, pickers: 3, congestion: { ...SCENARIO_DEFAULTS.congestion, enabled: false } });
    const perLine = (r: SimulationResult): number => r.kpis.distanceWalkedMetres / r.kpis.linesPicked;
    const best = run({ ...base, policies: { ...base.policies, routing: 'best' } });
    const sShape = run({ ...base, policies: { ...base.policies, routing: 's-shape' } });
    expect(best.kpis.linesPicked).toBeGreaterThan(0);
    expect(perLine(best)).toBeLessThan(perLine(sShape));
  });

  it('[M6] counts congestion with many pickers on a small site, and none when it is off', () => {
    const crowded = small({ lines: 3000, pickers: 16, congestion: { enabled: true, pickersPerSegment: 1, passingSpeedFactor: 0.5 } });
    expect(run(crowded).kpis.congestionMinutes).toBeGreaterThan(0);
    expect(run({ ...crowded, congestion: { ...crowded.congestion, enabled: false } }).kpis.congestionMinutes).toBe(0);
  });

  it('[M6] slows pickers passing others even when nobody has to wait', () => {
    const roomy = small({ lines: 3000, pickers: 16, congestion: { enabled: true, pickersPerSegment: 100, passingSpeedFactor: 0.5 } });
    expect(run(roomy).kpis.congestionMinutes).toBeGreaterThan(0);
    expect(run({ ...roomy, congestion: { ...roomy.congestion, passingSpeedFactor: 1 } }).kpis.congestionMinutes).toBe(0);
  });

  it('[M1][M12] leaves the start state alone and reports progress without changing the result', () => {
    const resolved = resolveScenario(small());
    const before = JSON.stringify(toSnapshotData(resolved.state));
    const fractions: number[] = [];
    const watched = runScenario(resolved, { onProgress: (f) => fractions.push(f) });
    expect(JSON.stringify(toSnapshotData(resolved.state))).toBe(before);
    expect(JSON.stringify(runScenario(resolved))).toBe(JSON.stringify(watched));
    // 4 hours in 5-minute steps, then 1.
    expect(fractions).toHaveLength(48);
    expect(fractions.at(-1)).toBe(1);
    expect(fractions.every((f, i) => i === 0 || f > (fractions[i - 1] ?? 0))).toBe(true);
  });

  it('[M3] follows the shift patterns: pickers sign on and off with their shift', () => {
    const r = run(
      small({ labour: { ...SCENARIO_DEFAULTS.labour, shifts: [{ start: '06:00', end: '08:00', pickers: 3 }, { start: '08:00', end: '10:00', pickers: 1 }] } }),
    );
    // Levels at each 15-minute interval's end: 3 on the first shift, then (once their last trips end) 1.
    expect(r.series.pickersOnShift.slice(0, 8)).toEqual([3, 3, 3, 3, 3, 3, 3, 3]);
    expect(r.series.pickersOnShift.slice(10)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(Math.max(...r.series.pickersBusy)).toBeLessThanOrEqual(3);
  });

  it('[M3] sends pickers on their break at the depot after their trip', () => {
    const r = run(small({ lines: 3000, labour: { ...SCENARIO_DEFAULTS.labour, shifts: [{ start: '06:00', end: '10:00', pickers: 4 }], breaks: [{ at: '07:00', minutes: 30, staggerMinutes: 0 }] } }));
    // Busy before the break; by 07:30 every trip begun before 07:00 has ended and all four are on their break.
    expect(r.series.pickersBusy[3]).toBe(4);
    expect(r.series.pickersBusy[5]).toBe(0);
    expect(r.series.pickersOnShift[5]).toBe(4);
  });

  it('[M9] takes over the start state: its operatives are signed off and its backlog is finished', () => {
    const scenario = small({ lines: 0 });
    const resolved = resolveScenario(scenario);
    const state = resolved.state;
    const apply = (command: Command): void => {
      const decision = decide(state, command, { now: state.now });
      if (!decision.ok) throw new Error(`${command.type}: ${decision.error.code}`);
      applyEvents(state, decision.events);
    };
    const skus = state.site.skus.filter((s) => s.tenantId === state.site.tenants[0]?.id);
    for (let i = 0; i < 12; i++) {
      const orderId = asOrderId(`LIVE-${i}`);
      const sku = skus[i];
      if (sku === undefined) throw new Error('not enough SKUs');
      apply({ type: 'createOrder', orderId, tenantId: sku.tenantId, lines: [{ skuId: sku.id, qty: 1 }] });
      if (i < 8) apply({ type: 'allocateOrder', orderId, policy: 'partial' });
      if (i < 5) apply({ type: 'releaseOrder', orderId });
    }
    const live = asOperativeId('LIVE-PICKER');
    apply({ type: 'signOn', operativeId: live, name: 'Live' });
    apply({ type: 'requestWork', operativeId: live, maxTasks: 3 });
    const r = runScenario(resolved);
    expect(r.invariantViolations).toEqual([]);
    expect(r.kpis.ordersArrived).toBe(12);
    expect(r.lines).toMatchObject({ arrived: 12, despatched: 12, balanced: true });
    expect(r.rejected).toEqual({});
  });

  it('[M7] despatches on the trucks only: without a truck in the run every order stays open', () => {
    const r = run(small({ stations: { ...SCENARIO_DEFAULTS.stations, packStations: 3, cutoffs: [{ carrier: 'evening', at: '17:00' }] } }));
    expect(r.kpis.linesPicked).toBeGreaterThan(0);
    expect(r.kpis.ordersDespatched).toBe(0);
    expect(r.lines.open).toBeGreaterThan(0);
    expect(r.kpis.cutoffHitRate).toBe(1);
    expect(r.kpis.packUtilisation).toBeGreaterThan(0);
  });

  it('[M2] releases in waves as well as continuously', () => {
    const waves = run(small({ policies: { ...SCENARIO_DEFAULTS.policies, release: { kind: 'waves', everyMinutes: 30 } } }));
    expect(waves.kpis.ordersDespatched).toBeGreaterThan(0);
    expect(Object.keys(waves.rejected).filter((k) => k.startsWith('releaseWave'))).toEqual([]);
    expect(waves.invariantViolations).toEqual([]);
  });

  it('[M8] replenishment tops bins up, so fewer lines wait for stock', () => {
    const base = small({ lines: 2400, pickers: 6 });
    const without = run({ ...base, replenishment: { ...base.replenishment, enabled: false } });
    const withIt = run({ ...base, labour: { ...base.labour, replenishers: 3 }, replenishment: { enabled: true, triggerUnits: 10, secondsPerTask: 30 } });
    expect(withIt.invariantViolations).toEqual([]);
    expect(withIt.lines.backordered).toBeLessThan(without.lines.backordered);
  });

  it('[M1] onEvents sees every applied event and changes nothing: the same result byte for byte', () => {
    const resolved = resolveScenario(small({ lines: 400, pickers: 3 }));
    const seen: string[] = [];
    const withHook = runScenario(resolved, { onEvents: (events) => { for (const e of events) seen.push(e.type); } });
    expect(JSON.stringify(withHook)).toBe(JSON.stringify(runScenario(resolved)));
    expect(seen.filter((t) => t === 'OrderCreated').length).toBe(withHook.kpis.ordersArrived);
    expect(seen.filter((t) => t === 'OrderDespatched').length).toBe(withHook.kpis.ordersDespatched);
  });
});
