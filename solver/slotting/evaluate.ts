/**
 * Judges an assignment the way the floor walks: the expected routed distance per order over a seeded sample of the
 * order history, each order routed by the project's router (`planRoute`, method best).
 */
import type { LocationId, SkuId } from '../../server/twin/ids.ts';
import type { Layout } from '../../server/twin/layout/types.ts';
import { createRng, randomInt } from '../../server/twin/rng.ts';
import { isRouteError, planRoute } from '../routing/plan-route.ts';
import type { Assignment } from './model.ts';

export interface RoutedEvaluation {
  /** Mean metres of the routed closed walk per order evaluated. */
  readonly meanDistance: number;
  readonly orders: number;
  /** Order lines whose SKU has no location in the assignment (left out of their route). */
  readonly unslottedLines: number;
}

export interface EvaluateOptions {
  /** Orders to route (drawn without replacement); default all. */
  readonly sample?: number;
  /** Seed of the sample and of the slot chosen for SKUs with several; default 1. */
  readonly seed?: number;
}

/** Indices of `k` of `n` items drawn without replacement (partial Fisher–Yates), in drawing order. */
export function sampleIndices(n: number, k: number, seed: number): number[] {
  const rng = createRng(seed);
  const idx = Array.from({ length: n }, (_, i) => i);
  const m = Math.min(n, k);
  for (let i = 0; i < m; i++) {
    const j = randomInt(rng, i, n - 1);
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
  }
  return idx.slice(0, m);
}

/** Locations of each SKU in an assignment, sorted. */
export function locationsOfSkus(assignment: Assignment): Map<SkuId, LocationId[]> {
  const out = new Map<SkuId, LocationId[]>();
  for (const [l, s] of assignment) {
    const list = out.get(s);
    if (list === undefined) out.set(s, [l]);
    else list.push(l);
  }
  for (const list of out.values()) list.sort();
  return out;
}

/**
 * Expected routed distance per order. A SKU with several locations is picked from one drawn uniformly (the slot cost
 * model spreads its picks evenly). Orders with no slotted line count with distance 0.
 */
export function evaluateRouted(layout: Layout, assignment: Assignment, orders: readonly (readonly SkuId[])[], options: EvaluateOptions = {}): RoutedEvaluation {
  const seed = options.seed ?? 1;
  const chosen = sampleIndices(orders.length, options.sample ?? orders.length, seed);
  const slotRng = createRng(seed ^ 0x5bd1e995);
  const where = locationsOfSkus(assignment);
  let total = 0;
  let unslotted = 0;
  for (const o of chosen) {
    const picks: LocationId[] = [];
    for (const sku of orders[o]!) {
      const locs = where.get(sku);
      if (locs === undefined) unslotted++;
      else picks.push(locs.length === 1 ? locs[0]! : locs[randomInt(slotRng, 0, locs.length - 1)]!);
    }
    if (picks.length === 0) continue;
    const r = planRoute({ layout, picks, method: 'best', includePath: false });
    if (isRouteError(r)) throw new Error(`evaluateRouted: ${r.error.message}`);
    total += r.distance;
  }
  return { meanDistance: chosen.length === 0 ? 0 : total / chosen.length, orders: chosen.length, unslottedLines: unslotted };
}
