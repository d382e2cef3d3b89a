/**
 * Re-slotting before a run (SPEC M15): the engine's slotting (solver/slotting: COI, ABC, COI + affinity) assigns the
 * start state's stocked locations to SKUs by the velocity of the run's demand, the assignment is checked with
 * `validateAssignment`, and each moving SKU's bins are relabelled onto its new locations (whole bins: every quant of a
 * location goes with it). Bins the start state has commitments on stay put: a location holding reserved stock or
 * named anywhere else in the state (a task, an allocation, a pick face, a count…), with every location of its SKUs.
 * Pure: works on snapshot data; randomness (ABC's shuffles, the drawn history) only from streams of the scenario seed.
 */
import type { LocationId, SkuId } from '../../server/twin/ids.ts';
import { quantKey } from '../../server/twin/keys.ts';
import type { Layout } from '../../server/twin/layout/types.ts';
import { createRng } from '../../server/twin/rng.ts';
import type { Quant, TwinState } from '../../server/twin/state.ts';
import type { TwinSnapshotData } from '../../server/twin/twin.ts';
import { assignAbc, assignCoi, improveByAffinity } from '../../solver/slotting/assign.ts';
import type { Assignment, SlotRules } from '../../solver/slotting/model.ts';
import { assignmentCost, picksFromHistory, slotCosts, slotSkusFromSite, validateAssignment } from '../../solver/slotting/model.ts';
import { assignmentFromStock } from '../../solver/slotting/slot-report.ts';
import type { SiteDefinition } from '../../server/twin/site.ts';
import { deriveSeed } from '../engine/simulation.ts';
import type { DemandModel } from '../scenario/demand.ts';
import type { SlottingPolicy } from '../scenario/types.ts';

/** What re-slotting did, reported in the result (`SimulationResult.slotting`). */
export interface ReslotSummary {
  readonly kind: 'coi' | 'abc' | 'coi-affinity';
  readonly history: 'demand' | 'start-state';
  /** Orders in the history the velocities (and affinity) came from. */
  readonly historyOrders: number;
  /** Stocked locations that got another location; bins that stay put (commitments) are not counted. */
  readonly binsMoved: number;
  readonly binsPinned: number;
  /** Σ picks per slot × slot cost (solver/slotting [S1]) over the history, before and after, metres. */
  readonly slotCostBefore: number;
  readonly slotCostAfter: number;
}

/**
 * Re-slots the stock of `data` by `policy`; `orders` is the history (SKU lists) the velocities come from. Returns the
 * new snapshot data and the summary. Throws an Error naming `policies.slotting` when the engine's assignment breaks a
 * rule the stock did not already break (a bug, never acted on).
 */
export function reslot(
  site: SiteDefinition, layout: Layout, data: TwinSnapshotData, policy: Exclude<SlottingPolicy, 'as-is'>,
  orders: readonly (readonly SkuId[])[], seed: number,
): { data: TwinSnapshotData; summary: ReslotSummary } {
  const known = new Set<string>(layout.locations.map((l) => l.id));
  // Locations the state is committed to: reserved stock, or named by anything but the stock itself.
  const pinned = new Set<string>();
  for (const q of data.quants) if (q.reserved > 0 || q.onHand <= 0) pinned.add(q.locationId);
  collectLocations({ ...data, quants: [] }, known, pinned);
  const current = assignmentFromStock(data.quants);
  const pinnedSkus = new Set<SkuId>();
  for (const [loc, sku] of current) if (pinned.has(loc)) pinnedSkus.add(sku);
  for (const q of data.quants) if (pinned.has(q.locationId)) pinnedSkus.add(q.skuId);
  const moving = new Map<LocationId, SkuId>();
  for (const [loc, sku] of current) if (!pinnedSkus.has(sku) && !pinned.has(loc)) moving.set(loc, sku);
  // Locations a moving bin may not take: those whose bins stay (pinned SKUs' and committed ones).
  const staying = new Set<string>(pinned);
  for (const q of data.quants) if (!moving.has(q.locationId)) staying.add(q.locationId);
  const rules: SlotRules = { excludedLocations: [...staying].sort() as LocationId[] };

  const slots = new Map<SkuId, number>();
  for (const sku of moving.values()) slots.set(sku, (slots.get(sku) ?? 0) + 1);
  const picks = picksFromHistory(orders);
  const skus = slotSkusFromSite(site.skus, picks)
    .filter((s) => slots.has(s.id))
    .map((s) => ({ ...s, slots: slots.get(s.id) ?? 1 }));
  const costs = slotCosts(layout, rules);
  const rng = createRng(deriveSeed(seed, 'slotting'));
  const placed =
    policy.kind === 'abc' ? assignAbc(layout, skus, rng, rules, undefined, costs) : assignCoi(layout, skus, rules, costs);
  if (placed.unplaced.length > 0) {
    throw new Error(`policies.slotting: ${placed.unplaced.length} SKUs found no eligible location (${placed.unplaced.slice(0, 3).map((u) => u.sku).join(', ')}…)`);
  }
  const target: Assignment =
    policy.kind === 'coi-affinity' ? improveByAffinity(layout, placed.assignment, skus, orders, rules, {}, costs) : placed.assignment;
  // Breaches the stock already has are the floor's; a new one would be the engine's and is never acted on.
  const existing = new Set(validateAssignment(layout, moving, skus, rules));
  const breaches = validateAssignment(layout, target, skus, rules, true).filter((b) => !existing.has(b));
  if (breaches.length > 0) throw new Error(`policies.slotting: the engine's assignment breaks a rule: ${breaches.slice(0, 3).join('; ')}`);

  // Each SKU's bins, cheapest first, onto its target locations, cheapest first.
  const index = new Map(layout.locations.map((l) => [l.id as string, l.index]));
  const costOf = (loc: LocationId): number => costs[index.get(loc) ?? 0] ?? 0;
  const byCost = (a: LocationId, b: LocationId): number => costOf(a) - costOf(b) || (a < b ? -1 : a > b ? 1 : 0);
  const from = groupBySku(moving);
  const to = groupBySku(target);
  const relabel = new Map<LocationId, LocationId>();
  for (const [sku, olds] of from) {
    const news = [...(to.get(sku) ?? [])].sort(byCost);
    [...olds].sort(byCost).forEach((old, i) => {
      const dest = news[i];
      if (dest !== undefined && dest !== old) relabel.set(old, dest);
    });
  }
  const quants: Quant[] = data.quants.map((q) => {
    const dest = relabel.get(q.locationId);
    return dest === undefined ? q : { ...q, locationId: dest, key: quantKey(dest, q.tenantId, q.skuId, q.lot) };
  });
  const bySku = new Map(skus.map((s) => [s.id, s]));
  const after = new Map(moving);
  for (const loc of relabel.keys()) after.delete(loc);
  for (const [old, dest] of relabel) after.set(dest, moving.get(old)!);
  return {
    data: { ...data, quants },
    summary: {
      kind: policy.kind,
      history: policy.history,
      historyOrders: orders.length,
      binsMoved: relabel.size,
      binsPinned: new Set(data.quants.filter((q) => !moving.has(q.locationId)).map((q) => q.locationId)).size,
      slotCostBefore: assignmentCost(layout, moving, bySku, costs),
      slotCostAfter: assignmentCost(layout, after, bySku, costs),
    },
  };
}

/** Orders drawn from the demand model as the slotting history: the run's expected orders, within these bounds. */
export const DEMAND_HISTORY_ORDERS = { min: 1_000, max: 5_000 } as const;

/**
 * The history slotting reads (M15): `demand` draws orders from the run's demand model on a stream of its own (the run's
 * streams are untouched), `start-state` takes the start state's orders. Each order as its SKUs.
 */
export function slottingHistory(source: 'demand' | 'start-state', state: TwinState, demand: DemandModel, seed: number): SkuId[][] {
  if (source === 'start-state') {
    const orders = [...state.orders.values()]
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((o) => o.lines.map((l) => l.skuId));
    if (orders.length === 0) throw new Error(`policies.slotting.history: 'start-state' needs orders in the start state, and it has none`);
    return orders;
  }
  const rng = createRng(deriveSeed(seed, 'slotting-history'));
  const n = Math.max(DEMAND_HISTORY_ORDERS.min, Math.min(DEMAND_HISTORY_ORDERS.max, Math.round(demand.expectedOrders)));
  const orders: SkuId[][] = [];
  for (let i = 0; i < n; i++) orders.push(demand.drawOrder(rng).lines.map((l) => l.skuId));
  return orders;
}

function groupBySku(assignment: Assignment): Map<SkuId, LocationId[]> {
  const out = new Map<SkuId, LocationId[]>();
  for (const [loc, sku] of assignment) {
    const list = out.get(sku);
    if (list === undefined) out.set(sku, [loc]);
    else list.push(loc);
  }
  return out;
}

/** Adds every string in `value` (deeply) that names a location of the layout. */
function collectLocations(value: unknown, known: ReadonlySet<string>, into: Set<string>): void {
  if (typeof value === 'string') {
    if (known.has(value)) into.add(value);
  } else if (Array.isArray(value)) {
    for (const v of value) collectLocations(v, known, into);
  } else if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) collectLocations(v, known, into);
  }
}
