/**
 * A seeded synthetic order history with the shape slotting cares about: skewed SKU popularity (the site's demand
 * weights) and affinity (SKUs of one family are often ordered together). For benchmarks and tests; a live site
 * uses its own orders.
 */
import type { SkuId, TenantId } from '../../server/twin/ids.ts';
import type { Rng } from '../../server/twin/rng.ts';
import { pickWeighted, randomInt } from '../../server/twin/rng.ts';

export interface HistorySku {
  readonly id: SkuId;
  readonly tenantId: TenantId;
  /** Relative popularity (the site generator's Zipf weight). */
  readonly demandWeight: number;
}

export interface HistoryParams {
  readonly orders: number;
  /** Mean lines per order (1 + geometric); default 3. */
  readonly meanLines?: number;
  /** Chance that a further line comes from the first line's family rather than the whole range; default 0.6. */
  readonly affinity?: number;
  /** SKUs per family (families are random groups inside a tenant); default 8. */
  readonly familySize?: number;
}

interface Pool {
  readonly ids: SkuId[];
  readonly cumulative: number[];
}

const poolOf = (items: readonly HistorySku[]): Pool => {
  let sum = 0;
  return { ids: items.map((s) => s.id), cumulative: items.map((s) => (sum += s.demandWeight)) };
};

/** Orders as lists of distinct SKU ids, each from one tenant; same rng state ⇒ same history. */
export function syntheticHistory(skus: readonly HistorySku[], params: HistoryParams, rng: Rng): SkuId[][] {
  const meanLines = params.meanLines ?? 3;
  const affinity = params.affinity ?? 0.6;
  const familySize = Math.max(1, params.familySize ?? 8);
  const tenants = [...new Set(skus.map((s) => s.tenantId))].sort();
  const tenantPools = tenants.map((t) => poolOf(skus.filter((s) => s.tenantId === t)));
  let tenantSum = 0;
  const tenantCumulative = tenantPools.map((p) => (tenantSum += p.cumulative.at(-1) ?? 0));
  // Families: consecutive runs of a seeded shuffle of each tenant's SKUs.
  const familyOf = new Map<SkuId, Pool>();
  for (const t of tenants) {
    const mine = skus.filter((s) => s.tenantId === t);
    for (let i = mine.length - 1; i > 0; i--) {
      const j = randomInt(rng, 0, i);
      [mine[i], mine[j]] = [mine[j]!, mine[i]!];
    }
    for (let k = 0; k < mine.length; k += familySize) {
      const family = mine.slice(k, k + familySize);
      const pool = poolOf(family);
      for (const s of family) familyOf.set(s.id, pool);
    }
  }
  const stop = 1 / Math.max(1, meanLines); // geometric number of extra lines with mean meanLines − 1
  const orders: SkuId[][] = [];
  for (let o = 0; o < params.orders; o++) {
    const pool = tenantPools[pickWeighted(rng, tenantCumulative)]!;
    const first = pool.ids[pickWeighted(rng, pool.cumulative)]!;
    const lines = new Set<SkuId>([first]);
    const family = familyOf.get(first)!;
    for (let tries = 0; rng.next() >= stop && tries < 50; tries++) {
      const from = rng.next() < affinity ? family : pool;
      lines.add(from.ids[pickWeighted(rng, from.cumulative)]!);
    }
    orders.push([...lines]);
  }
  return orders;
}
