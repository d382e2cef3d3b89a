/**
 * Per-bin attributes for the floor's colour modes (client / 3PL owner, ABC velocity class, pick heat, replenishment
 * needed) in the columnar wire shape of `BinAttributesView`. Pure: pick counts per location come from the caller
 * (the API reads them from the stock-move projection).
 */
import type { BinAttributesView } from '../protocol/floor.ts';
import type { LocationId, SkuId, TenantId } from './ids.ts';
import type { Sku } from './site.ts';
import type { TwinState } from './state.ts';

/** A bin below this share of its capacity needs replenishing when its SKU is still wanted. */
export const REPLENISH_BELOW = 0.2;
/** Shares of the SKUs (ranked by demand weight) in class A, and in A + B. */
export const ABC_A_SHARE = 0.2;
export const ABC_AB_SHARE = 0.5;

/** ABC class per SKU: 0 = A, 1 = B, 2 = C, by rank of `demandWeight` (highest first; ties by id, so it is stable). */
export function abcClasses(skus: readonly Sku[]): Map<SkuId, number> {
  const ranked = [...skus].sort((a, b) => b.demandWeight - a.demandWeight || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const n = ranked.length;
  const aCount = Math.ceil(n * ABC_A_SHARE);
  const abCount = Math.ceil(n * ABC_AB_SHARE);
  const classes = new Map<SkuId, number>();
  ranked.forEach((sku, rank) => classes.set(sku.id, rank < aCount ? 0 : rank < abCount ? 1 : 2));
  return classes;
}

/** SKUs with units ordered and not yet picked, shorted or cancelled, on orders neither despatched nor cancelled. */
export function skusInDemand(state: TwinState): Set<SkuId> {
  const wanted = new Set<SkuId>();
  for (const order of state.orders.values()) {
    if (order.status === 'despatched' || order.status === 'cancelled') continue;
    for (const line of order.lines) if (line.qty - line.picked - line.shorted - line.cancelled > 0) wanted.add(line.skuId);
  }
  return wanted;
}

/** Locations with pick tasks not yet done (released or assigned). */
function locationsWithOpenTasks(state: TwinState): Set<LocationId> {
  const at = new Set<LocationId>();
  for (const task of state.tasks.values()) if (task.status === 'released' || task.status === 'assigned') at.add(task.locationId);
  return at;
}

/**
 * The attributes of every bin at the twin's current seq. `picksByLocation` = picks at each location in the last
 * `heatHours` (missing = 0). O(locations + quants + orders + tasks).
 */
export function binAttributes(
  state: TwinState,
  picksByLocation: ReadonlyMap<string, number>,
  heatHours: number,
): BinAttributesView {
  const { site } = state;
  const locations = site.layout.locations;
  const n = locations.length;
  const tenantIndex = new Map<TenantId, number>(site.tenants.map((t, i) => [t.id, i]));
  const classes = abcClasses(site.skus);
  const wanted = skusInDemand(state);
  const openTaskAt = locationsWithOpenTasks(state);
  const tenant = new Array<number>(n).fill(-1);
  const abc = new Array<number>(n).fill(-1);
  const heat = new Array<number>(n).fill(0);
  const replenish = new Array<number>(n).fill(0);
  const unitsByTenant = new Map<TenantId, number>();
  const unitsBySku = new Map<SkuId, number>();

  for (const location of locations) {
    const i = location.index;
    heat[i] = picksByLocation.get(location.id) ?? 0;
    unitsByTenant.clear();
    unitsBySku.clear();
    let onHand = 0;
    for (const key of state.quantsByLocation.get(location.id) ?? []) {
      const quant = state.quants.get(key);
      if (quant === undefined || quant.onHand <= 0) continue;
      onHand += quant.onHand;
      unitsByTenant.set(quant.tenantId, (unitsByTenant.get(quant.tenantId) ?? 0) + quant.onHand);
      unitsBySku.set(quant.skuId, (unitsBySku.get(quant.skuId) ?? 0) + quant.onHand);
    }
    const owner = largest(unitsByTenant);
    const mainSku = largest(unitsBySku);
    tenant[i] = owner === null ? -1 : (tenantIndex.get(owner) ?? -1);
    abc[i] = mainSku === null ? -1 : (classes.get(mainSku) ?? -1);
    const low = location.capacityUnits > 0 && onHand < REPLENISH_BELOW * location.capacityUnits;
    const stillWanted = onHand === 0 ? openTaskAt.has(location.id) : [...unitsBySku.keys()].some((sku) => wanted.has(sku));
    replenish[i] = low && stillWanted ? 1 : 0;
  }

  return {
    siteId: site.id,
    layoutId: site.layout.id,
    seq: state.seq,
    at: state.now,
    tenants: site.tenants.map((t) => ({ id: t.id, name: t.name })),
    tenant,
    abc,
    heat,
    heatHours,
    replenish,
  };
}

/** The key with the most units (ties: the smaller key), or null for an empty map. */
function largest<K extends string>(units: ReadonlyMap<K, number>): K | null {
  let best: K | null = null;
  let bestUnits = 0;
  for (const [key, value] of units) {
    if (value > bestUnits || (value === bestUnits && best !== null && key < best)) {
      best = key;
      bestUnits = value;
    }
  }
  return best;
}
