/**
 * Family-to-zone instances from a site: zones are groups of adjacent aisles × bands of rack levels, families are
 * groups of SKUs (consecutive by id). Pure and deterministic: the same site, stock and shape give the same instance.
 */
import type { SkuId } from '../../server/twin/ids.ts';
import type { SiteDefinition } from '../../server/twin/site.ts';
import type { ZoneAssignmentInstance } from './zone-assignment.ts';

export interface ZoneInstanceShape {
  readonly families: number;
  /** Groups of adjacent aisles (each zone spans all blocks). */
  readonly aisleGroups: number;
  /** Bands of rack levels (band 0 the lowest). Zones = aisleGroups × levelBands. */
  readonly levelBands: number;
  /** Family volume ÷ zone capacity over the site, 0 < u ≤ 1; default 0.85 (capacities bind). */
  readonly utilisation?: number;
  /** Picks per day over all families; default 10,000. */
  readonly picksPerDay?: number;
  /** Metres of walking one metre of reach height costs per kg of unit weight; default 2. */
  readonly reachMetresPerKg?: number;
}

/**
 * Builds the instance. Cost[f][z] = picks_f × (round trip from the depot to the zone's mean access point along the
 * aisles + reach penalty × the zone's mean bin height × the family's mean unit weight): heavy, fast families belong
 * low and near the depot. A family's volume is its stocked cube; zone capacities share the total by bin cube.
 */
export function zoneAssignmentInstanceFromSite(
  site: SiteDefinition,
  stock: readonly { readonly skuId: SkuId; readonly qty: number }[],
  shape: ZoneInstanceShape,
): ZoneAssignmentInstance {
  const { layout } = site;
  const utilisation = shape.utilisation ?? 0.85;
  if (!(shape.families >= 1 && shape.aisleGroups >= 1 && shape.levelBands >= 1 && utilisation > 0 && utilisation <= 1)) {
    throw new Error('zoneAssignmentInstanceFromSite: families, aisleGroups, levelBands ≥ 1 and 0 < utilisation ≤ 1');
  }
  const aisles = [...new Set(layout.locations.map((l) => l.aisle))].sort((a, b) => a - b);
  const levels = [...new Set(layout.locations.map((l) => l.level))].sort((a, b) => a - b);
  if (shape.aisleGroups > aisles.length || shape.levelBands > levels.length) throw new Error('zoneAssignmentInstanceFromSite: more zones than aisles or levels');
  const band = (sorted: readonly number[], value: number, groups: number) => Math.floor((sorted.indexOf(value) * groups) / sorted.length);

  const zoneCount = shape.aisleGroups * shape.levelBands;
  const cube = new Array<number>(zoneCount).fill(0);
  const walk = new Array<number>(zoneCount).fill(0);
  const height = new Array<number>(zoneCount).fill(0);
  const bins = new Array<number>(zoneCount).fill(0);
  for (const loc of layout.locations) {
    const z = band(aisles, loc.aisle, shape.aisleGroups) * shape.levelBands + band(levels, loc.level, shape.levelBands);
    cube[z]! += loc.width * loc.depth * loc.height;
    walk[z]! += 2 * (Math.abs(loc.access.x - layout.depot.x) + Math.abs(loc.access.y - layout.depot.y));
    height[z]! += loc.z;
    bins[z]! += 1;
  }

  const skus = [...site.skus].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const familyOf = new Map(skus.map((s, i) => [s.id, Math.floor((i * shape.families) / skus.length)]));
  const volume = new Array<number>(shape.families).fill(0);
  const demand = new Array<number>(shape.families).fill(0);
  const weight = new Array<number>(shape.families).fill(0);
  const count = new Array<number>(shape.families).fill(0);
  for (const sku of skus) {
    const f = familyOf.get(sku.id)!;
    demand[f]! += sku.demandWeight;
    weight[f]! += sku.weightKg;
    count[f]! += 1;
  }
  const unitCube = new Map(skus.map((s) => [s.id, s.lengthM * s.widthM * s.heightM]));
  for (const line of stock) {
    const f = familyOf.get(line.skuId);
    if (f !== undefined) volume[f]! += line.qty * unitCube.get(line.skuId)!;
  }
  const totalVolume = volume.reduce((a, v) => a + v, 0);
  const totalCube = cube.reduce((a, v) => a + v, 0);
  const totalDemand = demand.reduce((a, v) => a + v, 0);
  const picksPerDay = shape.picksPerDay ?? 10_000;
  const reach = shape.reachMetresPerKg ?? 2;
  const round = (x: number, places: number) => Number(x.toFixed(places));

  const zones = cube.map((c, z) => ({
    id: `Z${Math.floor(z / shape.levelBands) + 1}${String.fromCharCode(65 + (z % shape.levelBands))}`,
    capacity: round((c / totalCube) * (totalVolume / utilisation), 4),
  }));
  const families = volume.map((v, f) => ({ id: `F${String(f + 1).padStart(3, '0')}`, volume: round(v, 4) }));
  const cost = demand.map((d, f) => {
    const picks = (d / totalDemand) * picksPerDay;
    const meanWeight = count[f]! > 0 ? weight[f]! / count[f]! : 0;
    return zones.map((_, z) => {
      const n = Math.max(1, bins[z]!);
      return round(picks * (walk[z]! / n + reach * (height[z]! / n) * meanWeight), 2);
    });
  });
  return { families, zones, cost };
}
