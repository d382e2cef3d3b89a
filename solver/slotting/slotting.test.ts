import { describe, expect, it } from 'vitest';
import { asSkuId, asTenantId } from '../../server/twin/ids.ts';
import type { LocationId, SkuId } from '../../server/twin/ids.ts';
import { layoutFromRackAisle } from '../../server/twin/layout/rack-aisle.ts';
import type { Layout } from '../../server/twin/layout/types.ts';
import { generateSite } from '../../server/twin/layout/generator.ts';
import { createRng, randomInt } from '../../server/twin/rng.ts';
import { isRouteError, planRoute } from '../routing/plan-route.ts';
import type { Assignment, SlotRules, SlotSku } from './model.ts';
import { assignmentCost, picksFromHistory, slotCosts, slotSkusFromSite, slotsOf, validateAssignment } from './model.ts';
import { assignAbc, assignCoi, assignRandom, improveByAffinity } from './assign.ts';
import { evaluateRouted } from './evaluate.ts';
import { applyMoves, planMoves } from './move-plan.ts';
import { syntheticHistory } from './history.ts';
import { suggestPutawayLocations } from './putaway.ts';
import { assignmentFromStock, slottingReport } from './slot-report.ts';

const acme = asTenantId('acme');
const bloom = asTenantId('bloom');

function tinyLayout(aisles: number, bays: number, levels: number): Layout {
  return layoutFromRackAisle({ id: 'tiny', aisles, blocks: 1, baysPerBlock: bays, levels, bayLength: 1, aisleSpacing: 3, crossAisleWidth: 2, depot: { x: 0 } });
}

const byIdOf = (skus: readonly SlotSku[]): Map<SkuId, SlotSku> => new Map(skus.map((s) => [s.id, s]));

/** Least cost over every way to put each SKU's slots on distinct locations (slot units are interchangeable per SKU). */
function bruteForce(layout: Layout, skus: readonly SlotSku[], costs: Float64Array): number {
  const units = skus.flatMap((s) => Array.from({ length: slotsOf(s) }, () => s.picks / slotsOf(s)));
  const used = new Array<boolean>(layout.locations.length).fill(false);
  let best = Infinity;
  const go = (k: number, acc: number): void => {
    if (acc >= best) return;
    if (k === units.length) {
      best = acc;
      return;
    }
    for (let i = 0; i < used.length; i++) {
      if (used[i] === true) continue;
      used[i] = true;
      go(k + 1, acc + units[k]! * costs[i]!);
      used[i] = false;
    }
  };
  go(0, 0);
  return best;
}

/** A site-like instance: generated small site, skewed history with affinity. */
function smallSite(seed: number) {
  const { site, initialStock } = generateSite({
    id: 'small', name: 'Small', aisles: 6, blocks: 2, baysPerBlock: 8, levels: 4, depotX: 7.5, skuCount: 120, tenants: 2,
    stockFillRatio: 0.4, baseDate: '2026-11-01', maxLocationsPerSku: 1,
  }, seed);
  const orders = syntheticHistory(site.skus, { orders: 600 }, createRng(seed + 1));
  const skus = slotSkusFromSite(site.skus, picksFromHistory(orders));
  return { site, initialStock, orders, skus };
}

describe('COI storage assignment', () => {
  it('is optimal for the separable cost: equal to brute force on tiny instances', () => {
    const layout = tinyLayout(2, 2, 2); // 16 locations, costs with ties across levels and sides
    const costs = slotCosts(layout);
    let compared = 0;
    for (let seed = 1; seed <= 25; seed++) {
      const rng = createRng(seed);
      const skus: SlotSku[] = Array.from({ length: randomInt(rng, 2, 4) }, (_, i) => ({
        id: asSkuId(`S${i}`), tenantId: acme, picks: randomInt(rng, 0, 40), slots: randomInt(rng, 1, 2),
      }));
      // Brute force over a subset of 7 locations keeps the search small; COI gets the same subset.
      const keep = new Set(Array.from({ length: 7 }, () => randomInt(rng, 0, 15)));
      const rules: SlotRules = { excludedLocations: layout.locations.filter((l) => !keep.has(l.index)).map((l) => l.id) };
      const sub = { ...layout, locations: layout.locations.filter((l) => keep.has(l.index)).map((l, index) => ({ ...l, index })) };
      const subCosts = Float64Array.from(sub.locations, (l) => costs[layout.locations.find((m) => m.id === l.id)!.index]!);
      const units = skus.reduce((a, s) => a + slotsOf(s), 0);
      if (units > sub.locations.length) continue;
      const coi = assignCoi(layout, skus, rules, costs);
      expect(validateAssignment(layout, coi.assignment, skus, rules, true)).toEqual([]);
      expect(assignmentCost(layout, coi.assignment, byIdOf(skus), costs)).toBeCloseTo(bruteForce(sub, skus, subCosts), 9);
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(15);
  });

  it('puts the fastest movers on golden levels of the nearest bays', () => {
    const layout = tinyLayout(4, 10, 5);
    const skus: SlotSku[] = Array.from({ length: 40 }, (_, i) => ({ id: asSkuId(`S${i}`), tenantId: acme, picks: 1000 - i }));
    const { assignment } = assignCoi(layout, skus);
    const levelOf = new Map(layout.locations.map((l) => [l.id, l.level]));
    const fastest = [...assignment].filter(([, s]) => Number(s.slice(1)) < 4).map(([l]) => levelOf.get(l));
    expect(fastest.every((lv) => lv === 2 || lv === 3)).toBe(true);
  });
});

describe('rules', () => {
  const layout = tinyLayout(3, 6, 4);
  const heavy: SlotSku = { id: asSkuId('HEAVY'), tenantId: acme, picks: 500, unitWeightKg: 20 };
  const bulky: SlotSku = { id: asSkuId('BULKY'), tenantId: acme, picks: 400, unitCube: 0.2, unitsPerSlot: 10 };
  const client: SlotSku = { id: asSkuId('BLOOM1'), tenantId: bloom, picks: 300 };
  const zoned: SlotSku = { id: asSkuId('ZONED'), tenantId: acme, picks: 200, allowedZones: ['nowhere'] };
  const reserved = Object.fromEntries(layout.locations.filter((l) => l.aisle === 1).map((l) => [l.id, bloom]));
  const rules: SlotRules = { locationTenant: reserved };
  const locAt = (aisle: number, level: number): LocationId => layout.locations.find((l) => l.aisle === aisle && l.level === level)!.id;

  it('validateAssignment names every broken rule', () => {
    const bad = new Map<LocationId, SkuId>([
      [locAt(2, 3), heavy.id], // heavy above level 1
      [locAt(2, 1), bulky.id], // 2 m³ in a bin of well under 1 m³
      [locAt(3, 1), client.id], // fine: not reserved
      [locAt(1, 2), asSkuId('ACME-X')], // acme SKU in a bloom location
      [locAt(3, 2), zoned.id],
      ['NOPE' as LocationId, heavy.id],
    ]);
    const acmeX: SlotSku = { id: asSkuId('ACME-X'), tenantId: acme, picks: 1 };
    const errors = validateAssignment(layout, bad, [heavy, bulky, client, zoned, acmeX], rules);
    expect(errors.join('\n')).toMatch(/HEAVY at .*heavy SKU above level 1/);
    expect(errors.join('\n')).toMatch(/BULKY at .*needs 2\.0000 m³/);
    expect(errors.join('\n')).toMatch(/ACME-X at .*reserved for tenant bloom/);
    expect(errors.join('\n')).toMatch(/ZONED at .*zone .* not allowed/);
    expect(errors.join('\n')).toMatch(/unknown location NOPE/);
    expect(errors.join('\n')).not.toMatch(/BLOOM1/);
    expect(validateAssignment(layout, new Map([[locAt(2, 1), heavy.id], [locAt(3, 1), heavy.id]]), [heavy], rules)).toEqual(['HEAVY holds 2 locations, needs 1']);
  });

  it('every strategy keeps the rules and reports what it could not place', () => {
    const fill: SlotSku[] = Array.from({ length: 60 }, (_, i) => ({ id: asSkuId(`F${i}`), tenantId: i % 3 === 0 ? bloom : acme, picks: (i * 37) % 50, unitWeightKg: i % 7 === 0 ? 16 : 1 }));
    const skus = [heavy, bulky, client, zoned, ...fill];
    const orders = Array.from({ length: 200 }, (_, o) => [skus[o % skus.length]!.id, skus[(o * 7 + 3) % skus.length]!.id]);
    const coi = assignCoi(layout, skus, rules);
    const all = [coi, assignRandom(layout, skus, createRng(2), rules), assignAbc(layout, skus, createRng(3), rules)];
    for (const r of all) {
      expect(validateAssignment(layout, r.assignment, skus, rules)).toEqual([]);
      expect(r.unplaced.map((u) => u.sku).sort()).toEqual([bulky.id, zoned.id]);
    }
    const aff = improveByAffinity(layout, coi.assignment, skus, orders, rules, { costSlackM: 2 });
    expect(validateAssignment(layout, aff, skus, rules)).toEqual([]);
    expect([...aff.values()].sort()).toEqual([...coi.assignment.values()].sort());
  });
});

describe('determinism', () => {
  it('the same seed gives the same assignment, another seed another one', () => {
    const { site, orders, skus } = smallSite(8);
    const layout = site.layout;
    const entries = (a: Assignment): [LocationId, SkuId][] => [...a].sort((x, y) => (x[0] < y[0] ? -1 : 1));
    expect(entries(assignRandom(layout, skus, createRng(1)).assignment)).toEqual(entries(assignRandom(layout, skus, createRng(1)).assignment));
    expect(entries(assignRandom(layout, skus, createRng(1)).assignment)).not.toEqual(entries(assignRandom(layout, skus, createRng(2)).assignment));
    expect(entries(assignAbc(layout, skus, createRng(1)).assignment)).toEqual(entries(assignAbc(layout, skus, createRng(1)).assignment));
    const coi = assignCoi(layout, skus).assignment;
    expect(entries(improveByAffinity(layout, coi, skus, orders))).toEqual(entries(improveByAffinity(layout, coi, skus, orders)));
    expect(evaluateRouted(layout, coi, orders, { sample: 50, seed: 3 })).toEqual(evaluateRouted(layout, coi, orders, { sample: 50, seed: 3 }));
  });
});

describe('affinity', () => {
  it('keeps the COI cost and routes no longer than COI on a history with affinity', () => {
    const { site, orders, skus } = smallSite(5);
    const costs = slotCosts(site.layout);
    const coi = assignCoi(site.layout, skus, {}, costs).assignment;
    const aff = improveByAffinity(site.layout, coi, skus, orders, {}, {}, costs);
    expect(validateAssignment(site.layout, aff, skus, {}, true)).toEqual([]);
    expect(assignmentCost(site.layout, aff, byIdOf(skus), costs)).toBeCloseTo(assignmentCost(site.layout, coi, byIdOf(skus), costs), 6);
    const moved = [...aff].filter(([l, s]) => coi.get(l) !== s).length;
    expect(moved).toBeGreaterThan(0);
    const a = evaluateRouted(site.layout, aff, orders, { sample: 300, seed: 2 }).meanDistance;
    const c = evaluateRouted(site.layout, coi, orders, { sample: 300, seed: 2 }).meanDistance;
    expect(a).toBeLessThan(c);
  });
});

describe('evaluateRouted', () => {
  it('is the mean of planRoute best over the sampled orders and counts unslotted lines', () => {
    const layout = tinyLayout(3, 5, 2);
    const a = new Map<LocationId, SkuId>([[layout.locations[3]!.id, asSkuId('A')], [layout.locations[40]!.id, asSkuId('B')]]);
    const orders = [[asSkuId('A'), asSkuId('B')], [asSkuId('B'), asSkuId('Z')]];
    const r = evaluateRouted(layout, a, orders);
    const route = (ids: LocationId[]): number => {
      const x = planRoute({ layout, picks: ids, method: 'best', includePath: false });
      if (isRouteError(x)) throw new Error(x.error.message);
      return x.distance;
    };
    expect(r.orders).toBe(2);
    expect(r.unslottedLines).toBe(1);
    expect(r.meanDistance).toBeCloseTo((route([layout.locations[3]!.id, layout.locations[40]!.id]) + route([layout.locations[40]!.id])) / 2, 9);
    expect(evaluateRouted(layout, a, orders, { sample: 1, seed: 4 }).orders).toBe(1);
  });
});

describe('re-slotting move plan', () => {
  const { site, initialStock, skus } = smallSite(11);
  const layout = site.layout;
  const costs = slotCosts(layout);
  const current = new Map<LocationId, SkuId>(initialStock.map((r) => [r.locationId, r.skuId]));
  const target = assignCoi(layout, skus, {}, costs).assignment;
  const byId = byIdOf(skus);
  const cost = (a: Assignment): number => assignmentCost(layout, a, byId, costs);

  it('predicts exactly the saving a re-evaluation of the resulting assignment finds, and can land on the target', () => {
    const plan = planMoves(layout, current, target, skus, {}, { costs });
    expect(plan.moves.length).toBeGreaterThan(10);
    expect(plan.moves.some((m) => m.kind === 'swap')).toBe(true);
    const after = applyMoves(current, plan.moves);
    expect(validateAssignment(layout, after, skus, {}, true)).toEqual([]);
    // Same separable model both ways; only the order of floating-point additions differs (relative 1e-9).
    expect(Math.abs(cost(current) - cost(after) - plan.predictedSaving)).toBeLessThanOrEqual(1e-9 * cost(current));
    expect(plan.moves.every((m) => m.saving >= 0)).toBe(true);
    // With reachTarget, moves that cost come last and the plan lands exactly on the target.
    const whole = planMoves(layout, current, target, skus, {}, { costs, reachTarget: true });
    expect(whole.remaining).toBe(0);
    const landed = applyMoves(current, whole.moves);
    expect([...target].every(([l, s]) => landed.get(l) === s)).toBe(true);
    expect(Math.abs(cost(current) - cost(target) - whole.predictedSaving)).toBeLessThanOrEqual(1e-9 * cost(current));
    expect(plan.predictedSaving).toBeGreaterThanOrEqual(whole.predictedSaving - 1e-9 * cost(current));
    // Each move's predicted saving is what it alone changes.
    let a: Assignment = current;
    for (const m of plan.moves.slice(0, 30)) {
      const next = applyMoves(a, [m]);
      expect(cost(a) - cost(next)).toBeCloseTo(m.saving, 6);
      a = next;
    }
  });

  it('respects the budget, takes the biggest savings first, and is deterministic', () => {
    const full = planMoves(layout, current, target, skus, {}, { costs });
    const short = planMoves(layout, current, target, skus, {}, { budget: 10, costs });
    expect(short.moves).toEqual(full.moves.slice(0, 10));
    expect(short.remaining).toBeGreaterThan(full.remaining);
    const firstTen = short.predictedSaving;
    const lastTen = full.moves.slice(-10).reduce((s, m) => s + m.saving, 0);
    expect(firstTen).toBeGreaterThan(lastTen);
    expect(planMoves(layout, current, target, skus, {}, { costs })).toEqual(full);
  });

  it('never swaps a SKU into a location its rules forbid', () => {
    const reservedFront = Object.fromEntries(layout.locations.filter((l) => l.aisle <= 2).map((l) => [l.id, site.tenants[0]!.id]));
    const rules: SlotRules = { locationTenant: reservedFront };
    // Current: random storage under the rules; target: COI under the rules.
    const cur = assignRandom(layout, skus, createRng(9), rules).assignment;
    const tgt = assignCoi(layout, skus, rules).assignment;
    const plan = planMoves(layout, cur, tgt, skus, rules);
    expect(validateAssignment(layout, applyMoves(cur, plan.moves), skus, rules, true)).toEqual([]);
  });
});

describe('suggestPutawayLocations', () => {
  const layout = tinyLayout(3, 6, 3);
  const skus: SlotSku[] = Array.from({ length: 20 }, (_, i) => ({ id: asSkuId(`S${i}`), tenantId: i === 1 ? bloom : acme, picks: 100 - i * 5, unitCube: 0.01 }));
  const loc = (i: number): LocationId => layout.locations[i]!.id;
  const stock = [
    { locationId: loc(0), skuId: asSkuId('S0'), tenantId: acme, lot: '', onHand: 30 },
    { locationId: loc(1), skuId: asSkuId('S0'), tenantId: acme, lot: '', onHand: 100 }, // full by units
    { locationId: loc(2), skuId: asSkuId('S5'), tenantId: acme, lot: '', onHand: 5 },
    { locationId: loc(3), skuId: asSkuId('S0'), tenantId: acme, lot: 'L1', onHand: 5 },
  ];

  it('tops up the same SKU, lot and client first, never mixes, and respects capacity', () => {
    const s = suggestPutawayLocations({ layout, skus, stock }, asSkuId('S0'), 200, { limit: 50 });
    expect(s[0]).toMatchObject({ locationId: loc(0), kind: 'top-up' });
    const byCube = Math.floor((layout.locations[0]!.width * layout.locations[0]!.depth * layout.locations[0]!.height - 30 * 0.01) / 0.01 + 1e-9);
    expect(s[0]!.fits).toBe(Math.min(200, 100 - 30, byCube));
    const ids = s.map((x) => x.locationId);
    expect(ids).not.toContain(loc(1));
    expect(ids).not.toContain(loc(2));
    expect(ids).not.toContain(loc(3)); // other lot
    expect(s.slice(1).every((x) => x.kind === 'empty')).toBe(true);
    const lotted = suggestPutawayLocations({ layout, skus, stock }, asSkuId('S0'), 1, { lot: 'L1' });
    expect(lotted[0]!.locationId).toBe(loc(3));
    expect(suggestPutawayLocations({ layout, skus, stock }, asSkuId('NOPE'), 1)).toEqual([]);
    expect(suggestPutawayLocations({ layout, skus, stock }, asSkuId('S0'), 0)).toEqual([]);
  });

  it('sends fast movers nearer than slow ones and keeps client reservations', () => {
    const costs = slotCosts(layout);
    const index = new Map(layout.locations.map((l) => [l.id, l.index]));
    const first = (sku: string): number => costs[index.get(suggestPutawayLocations({ layout, skus, stock, costs }, asSkuId(sku), 1)[0]!.locationId)!]!;
    expect(first('S4')).toBeLessThan(first('S19'));
    const rules: SlotRules = { locationTenant: Object.fromEntries(layout.locations.filter((l) => l.aisle === 1).map((l) => [l.id, bloom])) };
    const aisleOf = new Map(layout.locations.map((l) => [l.id, l.aisle]));
    const acmeSuggestions = suggestPutawayLocations({ layout, skus, stock, rules }, asSkuId('S4'), 1, { limit: 100 });
    expect(acmeSuggestions.length).toBeGreaterThan(0);
    expect(acmeSuggestions.every((x) => aisleOf.get(x.locationId) !== 1)).toBe(true);
  });
});

describe('syntheticHistory', () => {
  it('is deterministic and skewed', () => {
    const { site } = smallSite(3);
    const a = syntheticHistory(site.skus, { orders: 2000 }, createRng(1));
    expect(syntheticHistory(site.skus, { orders: 2000 }, createRng(1))).toEqual(a);
    const picks = [...picksFromHistory(a).values()].sort((x, y) => y - x);
    const total = picks.reduce((s, x) => s + x, 0);
    const top = picks.slice(0, Math.ceil(site.skus.length * 0.2)).reduce((s, x) => s + x, 0);
    expect(top / total).toBeGreaterThan(0.5);
    expect(a.every((o) => new Set(o).size === o.length && o.length >= 1)).toBe(true);
  });
});

describe('slottingReport', () => {
  const { site, initialStock, orders } = smallSite(21);
  const stock = initialStock.map((r) => ({ locationId: r.locationId, skuId: r.skuId, tenantId: r.tenantId, lot: r.lot ?? '', onHand: r.qty }));

  it('answers a budgeted move plan with the routed distance per order before and after', () => {
    const r = slottingReport({ site, stock, orders }, { moves: 15, sample: 200 });
    expect(r.moves).toHaveLength(15);
    expect(r.assignment).toBeUndefined();
    expect(r.slotCost.before - r.slotCost.after).toBeCloseTo(r.moves!.reduce((a, m) => a + m.saving, 0), 6);
    expect(r.distancePerOrder.after).toBeLessThan(r.distancePerOrder.before);
  });

  it('answers the whole target when no budget is given, keeping every SKU on as many locations as now', () => {
    const r = slottingReport({ site, stock, orders }, { sample: 100, affinity: false });
    const current = assignmentFromStock(stock);
    const count = (pairs: Iterable<SkuId>): Map<SkuId, number> => {
      const m = new Map<SkuId, number>();
      for (const s of pairs) m.set(s, (m.get(s) ?? 0) + 1);
      return m;
    };
    expect(r.unplaced).toEqual([]);
    const target = count(r.assignment!.map((a) => a.skuId));
    for (const [sku, n] of count(current.values())) expect(target.get(sku)).toBe(n);
    expect(r.distancePerOrder.after).toBeLessThan(r.distancePerOrder.before);
  });
});
