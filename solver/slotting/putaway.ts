/**
 * Put-away suggestions for goods-in, scored like slotting: a SKU should land where COI slotting would put it (fast
 * movers near the depot — the dock is at the depot — and in the golden zone, slow ones further out), topping up its own
 * stock first, never mixing SKUs, lots or clients, with room by units, cube and weight.
 */
import type { LocationId, SkuId, TenantId } from '../../server/twin/ids.ts';
import type { Layout } from '../../server/twin/layout/types.ts';
import type { SlotRules, SlotSku } from './model.ts';
import { DEFAULT_UNIT_CUBE, ineligibility, slotCosts, travelCosts } from './model.ts';
import { locationsByCost, skusByVelocity } from './assign.ts';

/** Stock in a location, as the twin's quants hold it. */
export interface StockLine {
  readonly locationId: LocationId;
  readonly skuId: SkuId;
  readonly tenantId: TenantId;
  /** Lot code; '' when not lot-tracked. */
  readonly lot: string;
  readonly onHand: number;
}

export interface PutawayInput {
  readonly layout: Layout;
  /** Every SKU with its velocity (the ranking that places fast movers near). */
  readonly skus: readonly SlotSku[];
  /** What the locations hold now (e.g. the twin's quants). */
  readonly stock: Iterable<StockLine>;
  readonly rules?: SlotRules;
  /** Round-trip travel from the dock (depot) per location, default travelCosts(layout); pass it to reuse it. */
  readonly travel?: Float64Array;
  /** Slot costs, default slotCosts(layout, rules, travel). */
  readonly costs?: Float64Array;
}

export interface PutawayOptions {
  /** Lot of the goods ('' or absent: not lot-tracked). */
  readonly lot?: string;
  /** Most suggestions; default 5. */
  readonly limit?: number;
}

export interface PutawaySuggestion {
  readonly locationId: LocationId;
  /** `top-up`: the location already holds this SKU (same lot, same client); `empty`: it holds nothing. */
  readonly kind: 'top-up' | 'empty';
  /** Units of the quantity that fit there (by units, cube and, with `rules.maxLoadKg`, weight). */
  readonly fits: number;
  /** Routed walk dock (depot) → location → dock, metres. */
  readonly travelM: number;
  /** Lower is better: top-ups by slot cost (< 0), then empty locations by distance from the SKU's COI position (0..1). */
  readonly score: number;
}

/**
 * Ranked locations for `qty` units of `skuId`: eligible by the slotting rules, holding nothing or only this SKU of the
 * same client (and lot), with room by units and cube. Unknown SKU or non-positive quantity gives an empty list.
 */
export function suggestPutawayLocations(input: PutawayInput, skuId: SkuId, qty: number, options: PutawayOptions = {}): PutawaySuggestion[] {
  const { layout } = input;
  const rules = input.rules ?? {};
  const sku = input.skus.find((s) => s.id === skuId);
  if (sku === undefined || !(qty > 0)) return [];
  const lot = options.lot ?? '';
  const travel = input.travel ?? travelCosts(layout);
  const costs = input.costs ?? slotCosts(layout, rules, travel);
  const excluded = new Set<string>(rules.excludedLocations ?? []);
  const byLocation = new Map<string, StockLine[]>();
  for (const line of input.stock) {
    if (line.onHand <= 0) continue;
    const list = byLocation.get(line.locationId);
    if (list === undefined) byLocation.set(line.locationId, [line]);
    else list.push(line);
  }
  // Where COI would put this SKU: its velocity rank among SKUs, scaled to the locations in cost order.
  const ranked = skusByVelocity(input.skus);
  const rank = ranked.findIndex((s) => s.id === skuId);
  const order = locationsByCost(costs);
  const position = new Int32Array(order.length);
  order.forEach((li, p) => (position[li] = p));
  const targetPos = ranked.length <= 1 ? 0 : (rank / (ranked.length - 1)) * (order.length - 1);
  const maxCost = Math.max(1e-9, ...order.map((li) => (Number.isFinite(costs[li]!) ? costs[li]! : 0)));
  const unitCube = sku.unitCube ?? DEFAULT_UNIT_CUBE;
  const unitWeight = sku.unitWeightKg ?? 0;
  const one: SlotSku = { ...sku, unitsPerSlot: 1 };
  const out: PutawaySuggestion[] = [];
  for (const loc of layout.locations) {
    if (!Number.isFinite(costs[loc.index]!) || ineligibility(one, loc, rules, excluded) !== null) continue;
    const lines = byLocation.get(loc.id) ?? [];
    if (lines.some((l) => l.skuId !== skuId || l.tenantId !== sku.tenantId || l.lot !== lot)) continue;
    const onHand = lines.reduce((a, l) => a + l.onHand, 0);
    const byUnits = loc.capacityUnits - onHand;
    const byCube = Math.floor((loc.width * loc.depth * loc.height - onHand * unitCube) / unitCube + 1e-9);
    // The bin's load after the put-away stays within maxLoadKg (its stock is this SKU only, by the mixing rule above).
    const byWeight = rules.maxLoadKg === undefined || unitWeight <= 0 ? Infinity : Math.floor((rules.maxLoadKg - onHand * unitWeight) / unitWeight + 1e-9);
    const fits = Math.min(qty, byUnits, byCube, byWeight);
    if (fits <= 0) continue;
    const kind = lines.length > 0 ? 'top-up' : 'empty';
    const score = kind === 'top-up' ? costs[loc.index]! / maxCost - 1 : Math.abs(position[loc.index]! - targetPos) / Math.max(1, order.length);
    out.push({ locationId: loc.id, kind, fits, travelM: travel[loc.index]!, score });
  }
  out.sort((a, b) => a.score - b.score || b.fits - a.fits || (a.locationId < b.locationId ? -1 : 1));
  return out.slice(0, options.limit ?? 5);
}
