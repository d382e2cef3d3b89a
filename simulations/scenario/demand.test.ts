import { describe, expect, it } from 'vitest';
import { asOrderId, epochMs, type EpochMs, type SkuId, type TenantId } from '../../server/twin/ids.ts';
import { generateSite } from '../../server/twin/layout/generator.ts';
import { createRng, type Rng } from '../../server/twin/rng.ts';
import type { SiteDefinition } from '../../server/twin/site.ts';
import type { TwinState } from '../../server/twin/state.ts';
import { newTwin } from '../../server/twin/test-site.ts';
import { createTwinState } from '../../server/twin/twin.ts';
import { createDemandModel, type DemandModel, type OrderDraft } from './demand.ts';
import { SCENARIO_DEFAULTS, scenarioWith } from './defaults.ts';
import type { ScenarioDemand } from './types.ts';

const { site } = generateSite(
  {
    id: 'demand-test',
    name: 'Demand test',
    aisles: 4,
    blocks: 1,
    baysPerBlock: 10,
    levels: 2,
    skuCount: 60,
    tenants: 2,
    stockFillRatio: 0.8,
    baseDate: '2026-11-01',
  },
  7,
);
const START = '2026-11-27T06:00:00Z';
const T_START = epochMs(Date.parse(START));
const HOUR = 3_600_000;

function emptyState(s: SiteDefinition = site): TwinState {
  return createTwinState(s, T_START);
}

function model(demand: Partial<ScenarioDemand>, state: TwinState = emptyState(), durationHours = 8): DemandModel {
  return createDemandModel(scenarioWith({ startAt: START, durationHours, demand: { ...SCENARIO_DEFAULTS.demand, ...demand } }), state);
}

/** Every arrival of one run, from one stream. */
function arrivals(m: DemandModel, rng: Rng): EpochMs[] {
  const out: EpochMs[] = [];
  for (let t = m.nextArrivalAfter(epochMs(T_START - 1), rng); t !== null; t = m.nextArrivalAfter(t, rng)) out.push(t);
  return out;
}

function draws(m: DemandModel, n: number, seed = 3): OrderDraft[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => m.drawOrder(rng));
}

const tenantOf = new Map<SkuId, TenantId>(site.skus.map((s) => [s.id, s.tenantId]));

describe('createDemandModel arrivals', () => {
  it('brings the expected number of orders over a run, within five standard deviations', () => {
    const m = model({ lines: 6000 });
    // The profile alone: expected lines are exactly the scenario's lines.
    expect(m.expectedLines).toBeCloseTo(6000, 6);
    const times = arrivals(m, createRng(11));
    const sd = Math.sqrt(m.expectedOrders);
    expect(Math.abs(times.length - m.expectedOrders)).toBeLessThan(5 * sd);
    // Lines too: the drawn orders carry about the scenario's lines.
    const lines = draws(m, times.length).reduce((sum, o) => sum + o.lines.length, 0);
    expect(Math.abs(lines - 6000) / 6000).toBeLessThan(0.05);
  });

  it('gives each arrival strictly after the time asked, in whole ms within the run, then null', () => {
    const m = model({ lines: 2000 }, emptyState(), 2);
    const rng = createRng(5);
    let t = epochMs(T_START - 10 * HOUR);
    let n = 0;
    for (;;) {
      const next = m.nextArrivalAfter(t, rng);
      if (next === null) break;
      expect(next).toBeGreaterThan(t);
      expect(next).toBeGreaterThanOrEqual(T_START);
      expect(next).toBeLessThan(T_START + 2 * HOUR);
      expect(Number.isInteger(next)).toBe(true);
      t = next;
      n++;
    }
    expect(n).toBeGreaterThan(100);
    expect(m.nextArrivalAfter(epochMs(T_START + 2 * HOUR), rng)).toBeNull();
  });

  it('follows the hourly profile: more in the busy hour, none in an hour of weight 0', () => {
    const profile = Array.from({ length: 24 }, () => 1);
    profile[10] = 5;
    profile[12] = 0;
    const m = model({ lines: 8000, hourlyProfile: profile });
    expect(m.expectedLines).toBeCloseTo(8000, 6);
    const perHour = new Array<number>(24).fill(0);
    for (const t of arrivals(m, createRng(2))) perHour[new Date(t).getUTCHours()]! += 1;
    expect(perHour[12]).toBe(0);
    for (const h of [6, 7, 8, 9, 11, 13]) {
      expect(perHour[10]!).toBeGreaterThan(3 * perHour[h]!);
      expect(perHour[h]!).toBeGreaterThan(0);
    }
    // Outside the run: nothing.
    expect(perHour[5]! + perHour[14]!).toBe(0);
  });

  it('multiplies the rate in a peak and by the multiplier, adding to the expected volume', () => {
    const base = model({ lines: 4000 });
    const peak = model({ lines: 4000, peaks: [{ from: '10:00', to: '12:00', multiplier: 3 }] });
    // 6 h at 1 and 2 h at 3 over 8 h of profile: 12 / 8 of the lines.
    expect(peak.expectedLines).toBeCloseTo(4000 * 1.5, 6);
    expect(peak.expectedOrders / base.expectedOrders).toBeCloseTo(1.5, 6);
    expect(model({ lines: 4000, multiplier: 1.4 }).expectedLines).toBeCloseTo(5600, 6);

    const perHour = new Array<number>(24).fill(0);
    for (const t of arrivals(peak, createRng(9))) perHour[new Date(t).getUTCHours()]! += 1;
    const inPeak = (perHour[10]! + perHour[11]!) / 2;
    const outside = (perHour[6]! + perHour[7]! + perHour[8]! + perHour[9]! + perHour[12]! + perHour[13]!) / 6;
    expect(inPeak / outside).toBeGreaterThan(2.5);
    expect(inPeak / outside).toBeLessThan(3.5);
  });

  it('has no arrivals when nothing is asked for', () => {
    const m = model({ lines: 0 });
    expect(m.expectedOrders).toBe(0);
    expect(m.nextArrivalAfter(T_START, createRng(1))).toBeNull();
  });
});

describe('createDemandModel orders', () => {
  it('draws lines per order and units per line from the given distributions', () => {
    const m = model({
      linesPerOrder: { kind: 'given', distribution: { weights: [0, 1, 0, 1] } },
      unitsPerLine: { kind: 'given', distribution: { weights: [3, 0, 1] } },
    });
    const orders = draws(m, 4000);
    const sizes = orders.map((o) => o.lines.length);
    expect(new Set(sizes)).toEqual(new Set([2, 4]));
    expect(Math.abs(sizes.filter((s) => s === 2).length / 4000 - 0.5)).toBeLessThan(0.04);
    const qtys = orders.flatMap((o) => o.lines.map((l) => l.qty));
    expect(new Set(qtys)).toEqual(new Set([1, 3]));
    expect(Math.abs(qtys.filter((q) => q === 1).length / qtys.length - 0.75)).toBeLessThan(0.03);
    // Mean 3 lines: the expected orders follow.
    expect(m.expectedOrders).toBeCloseTo(m.expectedLines / 3, 6);
  });

  it('draws distinct SKUs of the drawn tenant only, capped at what the tenant has, even when a few are heavy', () => {
    const m = model({
      linesPerOrder: { kind: 'given', distribution: { weights: [...new Array<number>(39).fill(0), 1] } },
      skuPopularity: { kind: 'zipf', exponent: 4 },
    });
    for (const order of draws(m, 200)) {
      const skus = order.lines.map((l) => l.skuId);
      expect(new Set(skus).size).toBe(skus.length);
      for (const s of skus) expect(tenantOf.get(s)).toBe(order.tenantId);
      // 40 lines asked; each tenant has fewer SKUs than that, so the order takes all of them.
      expect(skus.length).toBe(site.skus.filter((s) => s.tenantId === order.tenantId).length);
    }
  });

  it('draws tenants by the total weight of their SKUs and SKUs by their site demand weight', () => {
    const m = model({ linesPerOrder: { kind: 'given', distribution: { weights: [1] } } });
    const orders = draws(m, 20_000);
    const total = site.skus.reduce((s, k) => s + k.demandWeight, 0);
    for (const tenant of site.tenants) {
      const weight = site.skus.filter((s) => s.tenantId === tenant.id).reduce((s, k) => s + k.demandWeight, 0);
      const share = orders.filter((o) => o.tenantId === tenant.id).length / orders.length;
      expect(Math.abs(share - weight / total)).toBeLessThan(0.02);
    }
    const top = [...site.skus].sort((a, b) => b.demandWeight - a.demandWeight)[0]!;
    const topShare = orders.filter((o) => o.lines[0]?.skuId === top.id).length / orders.length;
    expect(Math.abs(topShare - top.demandWeight / total)).toBeLessThan(0.02);
  });

  it('ranks SKUs by a Zipf law in site order', () => {
    const m = model({ linesPerOrder: { kind: 'given', distribution: { weights: [1] } }, skuPopularity: { kind: 'zipf', exponent: 1 } });
    const counts = new Map<SkuId, number>();
    for (const o of draws(m, 30_000)) counts.set(o.lines[0]!.skuId, (counts.get(o.lines[0]!.skuId) ?? 0) + 1);
    const at = (rank: number): number => counts.get(site.skus[rank - 1]!.id) ?? 0;
    // Weight 1/rank: rank 1 about twice rank 2 and ten times rank 10.
    expect(at(1) / at(2)).toBeGreaterThan(1.6);
    expect(at(1) / at(2)).toBeLessThan(2.5);
    expect(at(1) / at(10)).toBeGreaterThan(7);
  });

  it('fits lines per order, units per line and SKU frequencies from the start state\'s orders', () => {
    const twin = newTwin(site);
    const tenant = site.tenants[0]!.id;
    const own = site.skus.filter((s) => s.tenantId === tenant);
    const [a, b, c, d] = [own[0]!, own[1]!, own[2]!, own[3]!];
    // 30 orders of 3 lines (a, b, c) and 10 of 1 line (a), qty 2 except a qty 5 on c.
    for (let i = 0; i < 40; i++) {
      const lines = i < 30 ? [{ skuId: a.id, qty: 2 }, { skuId: b.id, qty: 2 }, { skuId: c.id, qty: i < 20 ? 2 : 5 }] : [{ skuId: a.id, qty: 2 }];
      twin.ok({ type: 'createOrder', orderId: asOrderId(`H${i}`), tenantId: tenant, lines });
    }
    const m = model(
      { linesPerOrder: { kind: 'history' }, unitsPerLine: { kind: 'history' }, skuPopularity: { kind: 'history' } },
      twin.state,
    );
    const orders = draws(m, 5000);
    const sizes = orders.map((o) => o.lines.length);
    expect(new Set(sizes)).toEqual(new Set([1, 3]));
    expect(Math.abs(sizes.filter((s) => s === 3).length / 5000 - 0.75)).toBeLessThan(0.03);
    const qtys = orders.flatMap((o) => o.lines.map((l) => l.qty));
    expect(new Set(qtys)).toEqual(new Set([2, 5]));
    // 10 of the 100 history lines had qty 5.
    expect(Math.abs(qtys.filter((q) => q === 5).length / qtys.length - 0.1)).toBeLessThan(0.02);
    const skus = new Set(orders.flatMap((o) => o.lines.map((l) => l.skuId)));
    expect(skus).toEqual(new Set([a.id, b.id, c.id]));
    expect(skus.has(d.id)).toBe(false);
    expect(orders.every((o) => o.tenantId === tenant)).toBe(true);
    // a appears in 40 of 100 history lines: one-line orders are a two times in five.
    const single = orders.filter((o) => o.lines.length === 1);
    expect(Math.abs(single.filter((o) => o.lines[0]!.skuId === a.id).length / single.length - 0.4)).toBeLessThan(0.06);
  });

  it('refuses a history kind with no orders to fit, naming the field', () => {
    expect(() => model({ linesPerOrder: { kind: 'history' } })).toThrow(/demand\.linesPerOrder/);
    expect(() => model({ unitsPerLine: { kind: 'history' } })).toThrow(/demand\.unitsPerLine/);
    expect(() => model({ skuPopularity: { kind: 'history' } })).toThrow(/demand\.skuPopularity/);
  });
});

describe('createDemandModel determinism', () => {
  const trace = (seed: number): string => {
    const m = model({ lines: 3000, peaks: [{ from: '09:00', to: '10:30', multiplier: 2 }] });
    const times = createRng(seed);
    const contents = createRng(seed + 1000);
    const out: unknown[] = [];
    for (let t = m.nextArrivalAfter(T_START, times); t !== null; t = m.nextArrivalAfter(t, times)) out.push(t, m.drawOrder(contents));
    return JSON.stringify(out);
  };

  it('gives the same arrivals and orders for the same seed, and others for another', () => {
    const first = trace(4);
    expect(first.length).toBeGreaterThan(1000);
    expect(trace(4)).toBe(first);
    expect(trace(5)).not.toBe(first);
  });
});
