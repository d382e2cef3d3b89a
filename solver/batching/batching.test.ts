import { describe, expect, it } from 'vitest';
import { asLocationId } from '../../server/twin/ids.ts';
import type { LocationId } from '../../server/twin/ids.ts';
import { layoutFromRackAisle } from '../../server/twin/layout/rack-aisle.ts';
import type { Layout } from '../../server/twin/layout/types.ts';
import { createRng, randomInt } from '../../server/twin/rng.ts';
import { TEST_SITE } from '../../server/twin/test-site.ts';
import { isRouteError, planRoute } from '../routing/plan-route.ts';
import type { BatchingCapacity, BatchingMethod, BatchingOrder, BatchingRequest, BatchingResult } from './batching.ts';
import { BATCHING_METHODS, batchOrders, isBatchingError } from './batching.ts';
import { addToMasks, emptyMasks, estimateGeometry, estimateRoute } from './estimate.ts';

const layout: Layout = layoutFromRackAisle({
  id: 'batching', aisles: 8, blocks: 2, baysPerBlock: 12, levels: 2, bayLength: 1, aisleSpacing: 3, crossAisleWidth: 2, depot: { x: 10.5 },
});

function randomOrders(seed: number, count: number, maxLines = 4, on: Layout = layout): BatchingOrder[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, (_, k) => ({
    id: `o${k}`,
    picks: Array.from({ length: randomInt(rng, 1, maxLines) }, () => ({
      locationId: on.locations[randomInt(rng, 0, on.locations.length - 1)]!.id,
      items: randomInt(rng, 1, 3),
    })),
  }));
}

function run(request: Omit<BatchingRequest, 'layout'> & { layout?: Layout }): BatchingResult {
  const r = batchOrders({ layout, ...request });
  if (isBatchingError(r)) throw new Error(r.error.message);
  return r;
}

const routed = (ids: readonly LocationId[], on: Layout = layout): number => {
  const r = planRoute({ layout: on, picks: [...new Set(ids)], includePath: false });
  if (isRouteError(r)) throw new Error(r.error.message);
  return r.distance;
};

const itemsOf = (orders: readonly BatchingOrder[], ids: readonly string[]): number =>
  ids.reduce((s, id) => s + orders.find((o) => o.id === id)!.picks.reduce((t, p) => t + p.items, 0), 0);

const locationsOf = (orders: readonly BatchingOrder[], ids: readonly string[]): LocationId[] =>
  ids.flatMap((id) => orders.find((o) => o.id === id)!.picks.map((p) => p.locationId));

describe('batchOrders', () => {
  const capacities: BatchingCapacity[] = [{ items: 12 }, { orders: 3 }, { items: 20, orders: 4 }];

  it('[B1] puts every order in exactly one batch and never overfills a cart', () => {
    for (const method of BATCHING_METHODS) {
      for (const [k, capacity] of capacities.entries()) {
        const orders = randomOrders(10 + k, 30);
        const r = run({ orders, capacity, method });
        const ids = r.batches.flatMap((b) => b.orderIds);
        expect([...ids].sort()).toEqual(orders.map((o) => o.id).sort());
        for (const b of r.batches) {
          expect(b.items).toBe(itemsOf(orders, b.orderIds));
          expect(b.items).toBeLessThanOrEqual(capacity.items ?? Infinity);
          expect(b.orderIds.length).toBeLessThanOrEqual(capacity.orders ?? Infinity);
        }
      }
    }
  });

  it('[B2] reports the router\'s distance of each batch and their sum', () => {
    const orders = randomOrders(3, 25);
    const r = run({ orders, capacity: { items: 15 } });
    for (const b of r.batches) {
      expect(b.distance).toBeCloseTo(routed(locationsOf(orders, b.orderIds)), 9);
      expect([...b.sequence].sort()).toEqual([...new Set(locationsOf(orders, b.orderIds))].sort());
    }
    expect(r.distance).toBeCloseTo(r.batches.reduce((s, b) => s + b.distance, 0), 9);
  });

  it('[B2] first come fills carts in arrival order', () => {
    const orders = randomOrders(4, 20);
    const r = run({ orders, capacity: { items: 12 }, method: 'fcfs' });
    expect(r.batches.flatMap((b) => b.orderIds)).toEqual(orders.map((o) => o.id));
    for (let k = 0; k + 1 < r.batches.length; k++) {
      const next = r.batches[k + 1]!.orderIds[0]!;
      expect(r.batches[k]!.items + itemsOf(orders, [next])).toBeGreaterThan(12);
    }
  });

  it('is deterministic: the same request gives the same answer', () => {
    for (const method of BATCHING_METHODS) {
      const orders = randomOrders(5, 40);
      const a = run({ orders, capacity: { items: 14 }, method });
      const b = run({ orders, capacity: { items: 14 }, method });
      expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    }
  });

  it('[B4][B5] savings and the local search never route longer than first come, and usually much shorter', () => {
    let fcfsTotal = 0;
    let bestTotal = 0;
    for (let seed = 20; seed < 30; seed++) {
      const orders = randomOrders(seed, 30);
      const capacity = { items: 15 };
      const fcfs = run({ orders, capacity, method: 'fcfs' }).distance;
      const savings = run({ orders, capacity, method: 'savings' }).distance;
      const best = run({ orders, capacity, method: 'savings-local-search' }).distance;
      expect(savings).toBeLessThanOrEqual(fcfs + 1e-6);
      expect(best).toBeLessThanOrEqual(savings + 1e-6);
      fcfsTotal += fcfs;
      bestTotal += best;
    }
    expect(bestTotal).toBeLessThan(0.9 * fcfsTotal);
  });

  it('[B5] a method whose batches route longer than first come returns the first-come batches', () => {
    let fallbacks = 0;
    for (let seed = 100; seed < 200; seed++) {
      const orders = randomOrders(seed, 2 + (seed % 7));
      const capacity = seed % 2 === 0 ? { orders: 2 + (seed % 3) } : { items: 12 + (seed % 6) };
      const fcfs = run({ orders, capacity, method: 'fcfs' });
      for (const method of ['seed', 'savings'] as const) {
        const r = run({ orders, capacity, method });
        expect(r.distance).toBeLessThanOrEqual(fcfs.distance + 1e-6);
        if (!r.fellBackToFcfs) continue;
        fallbacks++;
        expect(r.batches).toEqual(fcfs.batches);
      }
    }
    expect(fallbacks).toBeGreaterThan(0);
  });

  it('[B6] without screening the local search ends in a local optimum for moves and swaps', () => {
    for (let seed = 40; seed < 44; seed++) {
      const orders = randomOrders(seed, 12);
      const capacity = { items: 12 };
      const r = run({ orders, capacity, localSearch: { screen: false, maxRouterCalls: 1e6 } });
      const batches = r.batches.map((b) => b.orderIds);
      const cost = (bs: readonly (readonly string[])[]): number => bs.reduce((s, b) => s + (b.length === 0 ? 0 : routed(locationsOf(orders, b))), 0);
      const fitsAll = (bs: readonly (readonly string[])[]): boolean => bs.every((b) => itemsOf(orders, b) <= 12);
      const base = cost(batches);
      for (const [a, A] of batches.entries()) {
        for (const o of A) {
          for (const [b, B] of batches.entries()) {
            if (a === b) continue;
            for (const p of [null, ...B]) {
              const next = batches.map((x) => [...x]);
              next[a] = A.filter((x) => x !== o).concat(p === null ? [] : [p]);
              next[b] = B.filter((x) => x !== p).concat([o]);
              if (fitsAll(next)) expect(cost(next)).toBeGreaterThanOrEqual(base - 1e-6);
            }
          }
        }
      }
    }
  });

  it('[B6] finds the best partition (brute force over all of them) on most 6-order instances', () => {
    let gap = 0;
    let optimal = 0;
    for (let seed = 60; seed < 90; seed++) {
      const orders = randomOrders(seed, 6, 3);
      const capacity = { items: 9 };
      const ids = orders.map((o) => o.id);
      const cache = new Map<string, number>();
      const batchCost = (b: readonly string[]): number => {
        const key = b.join(',');
        if (!cache.has(key)) cache.set(key, routed(locationsOf(orders, b)));
        return cache.get(key)!;
      };
      // Every set partition of the orders, by restricted growth strings.
      let optimum = Infinity;
      const assign = (k: number, parts: string[][]): void => {
        if (k === ids.length) {
          optimum = Math.min(optimum, parts.reduce((s, b) => s + batchCost(b), 0));
          return;
        }
        for (const part of [...parts, []]) {
          if (itemsOf(orders, [...part, ids[k]!]) > capacity.items) continue;
          const next = parts.includes(part) ? parts.map((b) => (b === part ? [...b, ids[k]!] : b)) : [...parts, [ids[k]!]];
          assign(k + 1, next);
        }
      };
      assign(0, []);
      const r = run({ orders, capacity, localSearch: { screen: false } });
      expect(r.distance).toBeGreaterThanOrEqual(optimum - 1e-6);
      gap = Math.max(gap, r.distance / optimum - 1);
      if (r.distance <= optimum + 1e-6) optimal++;
    }
    // Measured: 28 of these 30 optimal, the worst 13 % over (a local search cannot promise more).
    expect(optimal).toBeGreaterThanOrEqual(27);
    expect(gap).toBeLessThan(0.2);
  });

  it('[B3] never mixes cut-offs and lists earlier cut-offs first', () => {
    const orders = randomOrders(7, 30).map((o, k) => (k % 3 === 2 ? o : { ...o, cutoffAt: k % 3 === 0 ? 2000 : 1000 }));
    for (const method of BATCHING_METHODS) {
      const r = run({ orders, capacity: { items: 20 }, method });
      const cutoffOf = (id: string): number | null => orders.find((o) => o.id === id)!.cutoffAt ?? null;
      for (const b of r.batches) for (const id of b.orderIds) expect(cutoffOf(id)).toBe(b.cutoffAt);
      const rank = r.batches.map((b) => b.cutoffAt ?? Infinity);
      expect(rank).toEqual([...rank].sort((x, y) => x - y));
      expect(new Set(rank)).toEqual(new Set([1000, 2000, Infinity]));
    }
  });

  it('[B7] screens with the router where the layout has no rack-aisle estimate', () => {
    const on = TEST_SITE.layout;
    expect(estimateGeometry(on)).toBeNull();
    const orders = randomOrders(8, 8, 2, on);
    const fcfs = run({ layout: on, orders, capacity: { items: 6 }, method: 'fcfs' });
    const r = run({ layout: on, orders, capacity: { items: 6 } });
    expect(r.distance).toBeLessThanOrEqual(fcfs.distance + 1e-6);
    for (const b of r.batches) expect(b.distance).toBeCloseTo(routed(locationsOf(orders, b.orderIds), on), 9);
  });

  it('[B7] the estimate tracks the routed distance', () => {
    const geo = estimateGeometry(layout)!;
    const rng = createRng(9);
    for (let k = 0; k < 50; k++) {
      const locs = Array.from({ length: randomInt(rng, 1, 30) }, () => layout.locations[randomInt(rng, 0, layout.locations.length - 1)]!);
      const masks = emptyMasks(geo);
      for (const loc of locs) addToMasks(geo, masks, loc);
      const ratio = estimateRoute(geo, masks) / routed(locs.map((l) => l.id));
      expect(ratio).toBeGreaterThan(0.8);
      expect(ratio).toBeLessThan(1.3);
    }
  });

  describe('[B1] bad input', () => {
    const orders = randomOrders(1, 4);
    const error = (request: Partial<BatchingRequest>): { code: string; message: string } => {
      const r = batchOrders({ layout, orders, capacity: { items: 10 }, ...request });
      if (!isBatchingError(r)) throw new Error('expected an error');
      return r.error;
    };
    it('names the order that does not fit a cart', () => {
      const big = [{ id: 'big', picks: [{ locationId: layout.locations[0]!.id, items: 11 }] }];
      expect(error({ orders: big })).toEqual({ code: 'OVER_CAPACITY', message: expect.stringContaining('big') as string });
    });
    it('names unknown locations, duplicate ids, empty orders, bad items and limits', () => {
      expect(error({ orders: [{ id: 'x', picks: [{ locationId: asLocationId('nowhere'), items: 1 }] }] }).code).toBe('UNKNOWN_LOCATION');
      expect(error({ orders: [orders[0]!, orders[0]!] }).message).toContain('appears twice');
      expect(error({ orders: [{ id: 'e', picks: [] }] }).message).toContain('no picks');
      expect(error({ orders: [{ id: 'h', picks: [{ locationId: layout.locations[0]!.id, items: 1.5 }] }] }).code).toBe('BAD_REQUEST');
      expect(error({ orders: [{ id: 'h', picks: [{ locationId: layout.locations[0]!.id, items: 0 }] }] }).message).toContain('items');
      expect(error({ capacity: { items: 0 } }).message).toContain('capacity.items');
      expect(error({ method: 'random' as BatchingMethod }).message).toContain('random');
    });
  });
});
