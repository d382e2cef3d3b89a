/**
 * One call for the `slot` CLI and the planner page: from the site, its stock and its order history, the COI (+ affinity)
 * target, or a budgeted move plan towards it, with the routed distance per order before and after.
 */
import type { LocationId, SkuId } from '../../server/twin/ids.ts';
import type { SiteDefinition } from '../../server/twin/site.ts';
import type { SlotRules } from './model.ts';
import { assignmentCost, picksFromHistory, slotCosts, slotSkusFromSite, validateAssignment } from './model.ts';
import { assignCoi, improveByAffinity } from './assign.ts';
import { evaluateRouted } from './evaluate.ts';
import type { SlotMove } from './move-plan.ts';
import { applyMoves, planMoves } from './move-plan.ts';
import type { StockLine } from './putaway.ts';

export interface SlottingInput {
  readonly site: SiteDefinition;
  /** What the locations hold now; a location with several SKUs counts as holding the one with most units. */
  readonly stock: Iterable<StockLine>;
  /** Order history: each order its SKU ids. */
  readonly orders: readonly (readonly SkuId[])[];
  readonly rules?: SlotRules;
}

export interface SlottingOptions {
  /** Plan at most this many moves; absent: answer the whole target assignment instead of a plan. */
  readonly moves?: number;
  /** Improve COI by affinity; default true. */
  readonly affinity?: boolean;
  /** Orders routed to measure distance per order; default 1,000. */
  readonly sample?: number;
  readonly seed?: number;
}

export interface SlottingReport {
  /** Mean routed metres per order on the sampled history, now and after (the plan's moves, or the whole target). */
  readonly distancePerOrder: { readonly before: number; readonly after: number };
  /** Separable slot cost (picks × round-trip metres), now and after. */
  readonly slotCost: { readonly before: number; readonly after: number };
  readonly moves?: readonly SlotMove[];
  readonly assignment?: readonly { readonly locationId: LocationId; readonly skuId: SkuId }[];
  /** SKUs the target could not place (no eligible room left). */
  readonly unplaced: readonly { readonly sku: SkuId; readonly slots: number }[];
}

/** The current dedicated assignment from stock: each location's SKU with the most units (ties by SKU id). */
export function assignmentFromStock(stock: Iterable<StockLine>): Map<LocationId, SkuId> {
  const units = new Map<string, number>();
  for (const l of stock) if (l.onHand > 0) units.set(`${l.locationId}\u0000${l.skuId}`, (units.get(`${l.locationId}\u0000${l.skuId}`) ?? 0) + l.onHand);
  const best = new Map<LocationId, { sku: SkuId; units: number }>();
  for (const [key, n] of [...units].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const [loc, sku] = key.split('\u0000') as [LocationId, SkuId];
    const b = best.get(loc);
    if (b === undefined || n > b.units) best.set(loc, { sku, units: n });
  }
  return new Map([...best].map(([l, b]) => [l, b.sku]));
}

/** The slotting answer for a site; throws only on an internal rule breach (every assignment is validated). */
export function slottingReport(input: SlottingInput, options: SlottingOptions = {}): SlottingReport {
  const { site, orders } = input;
  const layout = site.layout;
  const rules = input.rules ?? {};
  const current = assignmentFromStock(input.stock);
  const slots = new Map<SkuId, number>();
  for (const sku of current.values()) slots.set(sku, (slots.get(sku) ?? 0) + 1);
  // Each SKU keeps as many locations as it has now (at least one).
  const skus = slotSkusFromSite(site.skus, picksFromHistory(orders)).map((s) => ({ ...s, slots: slots.get(s.id) ?? 1 }));
  const byId = new Map(skus.map((s) => [s.id, s]));
  const costs = slotCosts(layout, rules);
  const coi = assignCoi(layout, skus, rules, costs);
  const target = options.affinity === false ? coi.assignment : improveByAffinity(layout, coi.assignment, skus, orders, rules, {}, costs);
  // Breaches the stock already has are the floor's, not the plan's: only new ones are a bug.
  const existing = new Set(validateAssignment(layout, current, skus, rules));
  const check = (name: string, a: ReadonlyMap<LocationId, SkuId>): void => {
    const errors = validateAssignment(layout, a, skus, rules).filter((e) => !existing.has(e));
    if (errors.length > 0) throw new Error(`slottingReport: ${name} breaks rules: ${errors.slice(0, 3).join('; ')}`);
  };
  check('target', target);
  let after: ReadonlyMap<LocationId, SkuId> = target;
  let moves: SlotMove[] | undefined;
  if (options.moves !== undefined) {
    moves = planMoves(layout, current, target, skus, rules, { budget: options.moves, costs }).moves;
    after = applyMoves(current, moves);
    check('plan result', after);
  }
  const evalOptions = { sample: options.sample ?? 1_000, seed: options.seed ?? 1 };
  const report: SlottingReport = {
    distancePerOrder: {
      before: evaluateRouted(layout, current, orders, evalOptions).meanDistance,
      after: evaluateRouted(layout, after, orders, evalOptions).meanDistance,
    },
    slotCost: { before: assignmentCost(layout, current, byId, costs), after: assignmentCost(layout, after, byId, costs) },
    unplaced: coi.unplaced,
  };
  if (moves !== undefined) return { ...report, moves };
  const assignment = [...target].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([locationId, skuId]) => ({ locationId, skuId }));
  return { ...report, assignment };
}
