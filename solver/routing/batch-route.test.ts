import { describe, expect, it } from 'vitest';
import type { LocationId } from '../../server/twin/ids.ts';
import { asLocationId } from '../../server/twin/ids.ts';
import { createRng, randomInt } from '../../server/twin/rng.ts';
import type { Layout } from '../../server/twin/layout/types.ts';
import { layoutFromRackAisle, rackAisleNodeIds } from '../../server/twin/layout/rack-aisle.ts';
import type { BatchPick, BatchRouteResult, CartCapacity } from './batch-route.ts';
import { isBatchRouteError, planBatchRoute } from './batch-route.ts';
import { isRouteError, planRoute, routeDistance } from './plan-route.ts';
import { shortestDistance } from './distance-oracle.ts';

const params = { id: 'b', aisles: 8, blocks: 2, baysPerBlock: 12, levels: 2, bayLength: 1, aisleSpacing: 3, crossAisleWidth: 2, depot: { x: 0 } };
const layout: Layout = layoutFromRackAisle(params);

function batch(picks: readonly BatchPick[], capacity: CartCapacity, dropNode?: number): BatchRouteResult {
  const r = planBatchRoute({ layout, picks, capacity, ...(dropNode === undefined ? {} : { dropNode }) });
  if (isBatchRouteError(r)) throw new Error(r.error.message);
  return r;
}

function randomBatch(seed: number, n: number): BatchPick[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, (_, i) => ({
    locationId: layout.locations[randomInt(rng, 0, layout.locations.length - 1)]!.id,
    orderId: `o${i % 5}`,
    totes: randomInt(rng, 0, 2),
    volumeM3: randomInt(rng, 1, 40) / 100,
    weightKg: randomInt(rng, 1, 15),
  }));
}

/** Walk length of one trip: start → picks → drop (→ depot when last). */
function walk(ids: readonly LocationId[], startNode: number, dropNode: number, last: boolean): number {
  const g = layout.graph;
  const nodes = [startNode, ...ids.map((id) => layout.locations.find((l) => l.id === id)!.accessNode), dropNode];
  let d = 0;
  for (let k = 1; k < nodes.length; k++) d += shortestDistance(g, nodes[k - 1]!, nodes[k]!);
  return last ? d + shortestDistance(g, dropNode, g.depotNode) : d;
}

describe('planBatchRoute', () => {
  it('never overfills the cart, visits every pick once, and totals the trips (40 random batches)', () => {
    const capacity = { totes: 4, volumeM3: 1, weightKg: 40 };
    for (let seed = 1; seed <= 40; seed++) {
      const picks = randomBatch(seed, randomInt(createRng(seed), 1, 45));
      const drop = seed % 2 === 0 ? undefined : rackAisleNodeIds(params).junction(5, 0);
      const r = batch(picks, capacity, drop);
      const visited = r.trips.flatMap((t) => t.picks).sort((a, b) => a - b);
      expect(visited).toEqual(picks.map((_, i) => i));
      let total = 0;
      for (const [k, trip] of r.trips.entries()) {
        expect(trip.sequence).toEqual(trip.picks.map((i) => picks[i]!.locationId));
        for (const dim of ['totes', 'volumeM3', 'weightKg'] as const) {
          expect(trip.picks.reduce((s, i) => s + (picks[i]![dim] ?? 0), 0)).toBeLessThanOrEqual(capacity[dim] + 1e-9);
        }
        const dropNode = drop ?? layout.graph.depotNode;
        expect(trip.distance).toBeCloseTo(walk(trip.sequence, k === 0 ? layout.graph.depotNode : dropNode, dropNode, k === r.trips.length - 1), 6);
        total += trip.distance;
      }
      expect(r.distance).toBeCloseTo(total, 6);
    }
  });

  it('is one trip equal to planRoute when everything fits', () => {
    for (let seed = 50; seed < 60; seed++) {
      const picks = randomBatch(seed, 25);
      const r = batch(picks, { weightKg: 10_000 });
      const single = planRoute({ layout, picks: picks.map((p) => p.locationId), includePath: false });
      expect(r.trips).toHaveLength(1);
      expect(!isRouteError(single) && r.distance).toBeCloseTo(!isRouteError(single) ? single.distance : NaN, 6);
      expect(r.trips[0]!.distance).toBeCloseTo(routeDistance(layout, r.trips[0]!.sequence)!, 6);
    }
  });

  it('splits a hand-made batch where each pick fills the cart: one out-and-back trip per pick', () => {
    const ids = ['A02-B1-005-L1', 'A06-B2-003-R2', 'A08-B1-012-L1'].map(asLocationId);
    const r = batch(ids.map((locationId) => ({ locationId, totes: 1 })), { totes: 1 });
    expect(r.trips).toHaveLength(3);
    const out = (id: LocationId): number => routeDistance(layout, [id])!;
    expect(r.distance).toBeCloseTo(ids.reduce((s, id) => s + out(id), 0), 6);
    expect(r.trips.map((t) => t.sequence).flat().sort()).toEqual([...ids].sort());
  });

  it('keeps two light picks in one aisle together when the cart takes two', () => {
    // Two picks deep in aisle 8 and two near the depot: the best split pairs by place, not by list order.
    const ids = ['A08-B2-010-L1', 'A01-B1-002-L1', 'A08-B2-011-L1', 'A01-B1-003-L1'].map(asLocationId);
    const r = batch(ids.map((locationId) => ({ locationId, totes: 1 })), { totes: 2 });
    expect(r.trips).toHaveLength(2);
    const groups = r.trips.map((t) => [...t.sequence].sort().join());
    expect(groups.sort()).toEqual(['A01-B1-002-L1,A01-B1-003-L1', 'A08-B2-010-L1,A08-B2-011-L1']);
  });

  it('names a pick that alone is larger than the cart', () => {
    const r = planBatchRoute({
      layout, capacity: { volumeM3: 0.5 },
      picks: [{ locationId: asLocationId('A02-B1-005-L1'), volumeM3: 0.2 }, { locationId: asLocationId('A03-B1-001-L1'), orderId: 'big', volumeM3: 0.8 }],
    });
    expect(isBatchRouteError(r) && r.error.code).toBe('OVER_CAPACITY');
    expect(isBatchRouteError(r) && r.error.message).toContain('A03-B1-001-L1');
  });

  it('names an unknown location, and plans an empty batch as no trips', () => {
    const r = planBatchRoute({ layout, capacity: {}, picks: [{ locationId: asLocationId('A99-B1-001-L1') }] });
    expect(isBatchRouteError(r) && r.error.code).toBe('UNKNOWN_LOCATION');
    expect(batch([], { totes: 1 })).toEqual({ trips: [], distance: 0 });
  });
});
