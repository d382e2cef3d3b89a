/**
 * Slotting model: SKUs to place, the rules a placement must keep, the cost of a location and the check every
 * assignment passes. Plain data in and out; no I/O, no clock, no ambient randomness.
 */
import type { LocationId, SkuId, TenantId } from '../../server/twin/ids.ts';
import type { Layout, Location } from '../../server/twin/layout/types.ts';
import type { Sku } from '../../server/twin/site.ts';
import { shortestDistance } from '../routing/distance-oracle.ts';

/** A SKU as slotting sees it. Units are metres, kilograms and picks over the history. */
export interface SlotSku {
  readonly id: SkuId;
  readonly tenantId: TenantId;
  /** Order lines over the history (the velocity). */
  readonly picks: number;
  /** Cube of one unit, m³; default DEFAULT_UNIT_CUBE when the master data has none. */
  readonly unitCube?: number;
  /** Units one slot must hold (its replenishment quantity); default 1. */
  readonly unitsPerSlot?: number;
  /** Weight of one unit, kg; default 0 (never heavy). */
  readonly unitWeightKg?: number;
  /** Height of one unit, m; default 0 (fits any level). */
  readonly unitHeightM?: number;
  /** Locations the SKU needs (its picks are spread evenly over them); default 1. */
  readonly slots?: number;
  /** Zones it may be stored in (hazmat, cold…); default any. */
  readonly allowedZones?: readonly string[];
}

/** Storage rules; every field has a default. */
export interface SlotRules {
  /** Levels of the golden zone (waist to shoulder), inclusive; default [2, 3]. */
  readonly goldenLevels?: readonly [number, number];
  /** Cost in metres added per level a location lies outside the golden zone; default 0.5 (breaks ties between levels of one bay). */
  readonly offGoldenPenaltyM?: number;
  /** A unit this heavy or heavier is heavy; default 15 kg. */
  readonly heavyUnitKg?: number;
  /** Highest level a heavy SKU may be stored on; default 1. */
  readonly heavyMaxLevel?: number;
  /** Most kilograms one location may carry; default unlimited. */
  readonly maxLoadKg?: number;
  /** Locations reserved for one tenant (3PL client), by location id; others take any tenant. */
  readonly locationTenant?: Readonly<Record<string, TenantId>>;
  /** Locations not to be used at all. */
  readonly excludedLocations?: readonly LocationId[];
}

/** Unit cube used when a SKU has none: a 10 cm cube. */
export const DEFAULT_UNIT_CUBE = 0.001;
export const DEFAULT_GOLDEN_LEVELS: readonly [number, number] = [2, 3];
export const DEFAULT_OFF_GOLDEN_PENALTY_M = 0.5;
export const DEFAULT_HEAVY_UNIT_KG = 15;
export const DEFAULT_HEAVY_MAX_LEVEL = 1;

/** Slotting SKUs from the site's master data and pick counts (missing counts are 0). */
export function slotSkusFromSite(skus: readonly Sku[], picks: ReadonlyMap<SkuId, number>, unitsPerSlot = 1): SlotSku[] {
  return skus.map((s) => ({
    id: s.id, tenantId: s.tenantId, picks: picks.get(s.id) ?? 0,
    unitCube: s.lengthM * s.widthM * s.heightM, unitWeightKg: s.weightKg, unitHeightM: s.heightM, unitsPerSlot,
  }));
}

/** Order lines per SKU over a history of orders (each order a list of SKU ids; a SKU counts once per order). */
export function picksFromHistory(orders: readonly (readonly SkuId[])[]): Map<SkuId, number> {
  const picks = new Map<SkuId, number>();
  for (const order of orders) for (const sku of new Set(order)) picks.set(sku, (picks.get(sku) ?? 0) + 1);
  return picks;
}

export const slotsOf = (s: SlotSku): number => Math.max(1, Math.floor(s.slots ?? 1));

/** Picks per slot: the COI key (picks per cube, cube counted in slots). */
export const velocityPerSlot = (s: SlotSku): number => s.picks / slotsOf(s);

/** Dedicated assignment: which SKU each used location holds. */
export type Assignment = ReadonlyMap<LocationId, SkuId>;

/** Round-trip walk depot → location → depot (metres) of every location, by index; Infinity when unreachable. */
export function travelCosts(layout: Layout): Float64Array {
  const g = layout.graph;
  const out = new Float64Array(layout.locations.length);
  const byNode = new Map<number, number>();
  for (const loc of layout.locations) {
    let c = byNode.get(loc.accessNode);
    if (c === undefined) {
      c = shortestDistance(g, g.depotNode, loc.accessNode) + shortestDistance(g, loc.accessNode, g.depotNode);
      byNode.set(loc.accessNode, c);
    }
    out[loc.index] = c;
  }
  return out;
}

/** Levels a location lies outside the golden zone. */
export function levelsOffGolden(level: number, rules: SlotRules): number {
  const [lo, hi] = rules.goldenLevels ?? DEFAULT_GOLDEN_LEVELS;
  return level < lo ? lo - level : level > hi ? level - hi : 0;
}

/** Slot cost of every location: round-trip travel plus the golden-zone penalty; the separable cost slotting sorts by. */
export function slotCosts(layout: Layout, rules: SlotRules = {}, travel: Float64Array = travelCosts(layout)): Float64Array {
  const penalty = rules.offGoldenPenaltyM ?? DEFAULT_OFF_GOLDEN_PENALTY_M;
  return Float64Array.from(layout.locations, (l) => travel[l.index]! + penalty * levelsOffGolden(l.level, rules));
}

/** Expected cost of an assignment: Σ over used locations of the occupant's picks per slot × slot cost. */
export function assignmentCost(layout: Layout, assignment: Assignment, skus: ReadonlyMap<SkuId, SlotSku>, costs: Float64Array): number {
  let total = 0;
  const index = locationIndex(layout);
  for (const [loc, sku] of [...assignment].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const s = skus.get(sku);
    const i = index.get(loc);
    if (s !== undefined && i !== undefined) total += velocityPerSlot(s) * costs[i]!;
  }
  return total;
}

const indexes = new WeakMap<Layout, Map<string, number>>();

/** Location index by id (cached per layout). */
export function locationIndex(layout: Layout): ReadonlyMap<string, number> {
  let m = indexes.get(layout);
  if (m === undefined) {
    m = new Map(layout.locations.map((l) => [l.id as string, l.index]));
    indexes.set(layout, m);
  }
  return m;
}

/** Why `sku` may not be stored in `loc`, or null when it may. */
export function ineligibility(sku: SlotSku, loc: Location, rules: SlotRules, excluded?: ReadonlySet<string>): string | null {
  if (excluded?.has(loc.id) === true) return 'location excluded';
  const tenant = rules.locationTenant?.[loc.id];
  if (tenant !== undefined && tenant !== sku.tenantId) return `location reserved for tenant ${tenant}`;
  if (sku.allowedZones !== undefined && !sku.allowedZones.includes(loc.zone)) return `zone ${loc.zone} not allowed`;
  const units = sku.unitsPerSlot ?? 1;
  const cube = (sku.unitCube ?? DEFAULT_UNIT_CUBE) * units;
  if (cube > loc.width * loc.depth * loc.height + 1e-12) return `needs ${cube.toFixed(4)} m³, location holds ${(loc.width * loc.depth * loc.height).toFixed(4)}`;
  if (units > loc.capacityUnits) return `needs ${units} units, location holds ${loc.capacityUnits}`;
  if ((sku.unitHeightM ?? 0) > loc.height) return 'unit taller than the location';
  const weight = sku.unitWeightKg ?? 0;
  if (rules.maxLoadKg !== undefined && weight * units > rules.maxLoadKg) return `load ${(weight * units).toFixed(1)} kg over ${rules.maxLoadKg}`;
  if (weight >= (rules.heavyUnitKg ?? DEFAULT_HEAVY_UNIT_KG) && loc.level > (rules.heavyMaxLevel ?? DEFAULT_HEAVY_MAX_LEVEL)) return `heavy SKU above level ${rules.heavyMaxLevel ?? DEFAULT_HEAVY_MAX_LEVEL}`;
  return null;
}

/**
 * Every rule an assignment must keep: known locations and SKUs, one SKU per location, each SKU on no more locations than
 * it needs, capacity (cube, units), weight and height, tenant reservation, zone eligibility, excluded locations.
 * Returns the broken rules (empty when valid); `complete` also asks that every SKU has all its slots.
 */
export function validateAssignment(layout: Layout, assignment: Assignment, skus: readonly SlotSku[], rules: SlotRules = {}, complete = false): string[] {
  const errors: string[] = [];
  const byId = new Map(skus.map((s) => [s.id, s]));
  const index = locationIndex(layout);
  const excluded = new Set<string>(rules.excludedLocations ?? []);
  const used = new Map<SkuId, number>();
  for (const [locId, skuId] of [...assignment].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const i = index.get(locId);
    const sku = byId.get(skuId);
    if (i === undefined) { errors.push(`unknown location ${locId}`); continue; }
    if (sku === undefined) { errors.push(`unknown SKU ${skuId} at ${locId}`); continue; }
    const why = ineligibility(sku, layout.locations[i]!, rules, excluded);
    if (why !== null) errors.push(`${skuId} at ${locId}: ${why}`);
    used.set(skuId, (used.get(skuId) ?? 0) + 1);
  }
  for (const s of skus) {
    const n = used.get(s.id) ?? 0;
    if (n > slotsOf(s)) errors.push(`${s.id} holds ${n} locations, needs ${slotsOf(s)}`);
    if (complete && n < slotsOf(s)) errors.push(`${s.id} holds ${n} of its ${slotsOf(s)} locations`);
  }
  return errors;
}
