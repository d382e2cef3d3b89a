import { describe, expect, it } from 'vitest';
import type { LocationId } from '../../server/twin/ids.ts';
import { asLocationId } from '../../server/twin/ids.ts';
import { createRng, randomInt } from '../../server/twin/rng.ts';
import type { Rng } from '../../server/twin/rng.ts';
import type { Layout } from '../../server/twin/layout/types.ts';
import { layoutFromRackAisle, parseRackAisle } from '../../server/twin/layout/rack-aisle.ts';
import { parseLayoutDocument } from '../../server/twin/layout/floortwin-layout.ts';
import type { RouteMethod, RouteResult } from './plan-route.ts';
import { ROUTE_METHODS, findLocation, isRouteError, planRoute, routeDistance } from './plan-route.ts';
import { shortestDistance } from './distance-oracle.ts';

function rackAisle(over: Record<string, unknown> = {}): Layout {
  const r = parseRackAisle({
    format: 'rack-aisle/1', id: 't', aisles: 10, blocks: 2, baysPerBlock: 20, levels: 4,
    bayLength: 1, aisleSpacing: 3, crossAisleWidth: 2, depot: { x: 0 }, ...over,
  });
  if (!r.ok) throw new Error(r.error);
  return layoutFromRackAisle(r.params);
}

function route(layout: Layout, picks: readonly string[], method?: RouteMethod): RouteResult {
  const r = planRoute({ layout, picks: picks.map(asLocationId), ...(method === undefined ? {} : { method }) });
  if (isRouteError(r)) throw new Error(r.error.message);
  return r;
}

function randomPicks(rng: Rng, layout: Layout, n: number): LocationId[] {
  return Array.from({ length: n }, () => layout.locations[randomInt(rng, 0, layout.locations.length - 1)]!.id);
}

/** Shortest closed walk over the distinct access points of `picks`, by trying every order. */
function bruteForce(layout: Layout, picks: readonly LocationId[]): number {
  const byId = new Map(layout.locations.map((l) => [l.id, l.accessNode]));
  const stops = [...new Set(picks.map((p) => byId.get(p)!))];
  const g = layout.graph;
  let best = Infinity;
  const permute = (at: number, left: number[], sofar: number): void => {
    if (sofar >= best) return;
    if (left.length === 0) {
      best = Math.min(best, sofar + shortestDistance(g, at, g.depotNode));
      return;
    }
    for (let i = 0; i < left.length; i++) {
      const next = left[i]!;
      permute(next, [...left.slice(0, i), ...left.slice(i + 1)], sofar + shortestDistance(g, at, next));
    }
  };
  permute(g.depotNode, stops, 0);
  return best;
}

const sorted = (xs: readonly string[]): string[] => [...xs].sort();

describe('planRoute', () => {
  it('[R2] routes the spec example (hand-computed: 20.5 + 49 + 45.5 = 115 m)', () => {
    const layout = rackAisle();
    for (const method of ROUTE_METHODS) {
      const r = route(layout, ['A03-B2-017-L4', 'A07-B1-002-R1'], method);
      expect(r.distance).toBeCloseTo(115);
      expect(sorted(r.sequence)).toEqual(['A03-B2-017-L4', 'A07-B1-002-R1']);
      expect(r.method).toBe(method);
    }
  });

  it('routes an empty pick list as a zero walk at the depot', () => {
    const r = route(rackAisle(), []);
    expect(r.sequence).toEqual([]);
    expect(r.distance).toBe(0);
    expect(r.path).toEqual([{ x: 0, y: 0 }]);
  });

  it('[R2] keeps a location listed twice, next to itself', () => {
    const r = route(rackAisle(), ['A02-B1-005-L1', 'A05-B2-010-R3', 'A02-B1-005-L1']);
    expect(r.sequence).toHaveLength(3);
    const i = r.sequence.indexOf(asLocationId('A02-B1-005-L1'));
    expect(r.sequence[i + 1]).toBe('A02-B1-005-L1');
  });

  it('[R4] exact DP equals brute force on small instances', () => {
    const rng = createRng(7);
    for (let t = 0; t < 30; t++) {
      const layout = t % 2 === 0 ? rackAisle() : rackAisle({ aisles: 6, blocks: 3, baysPerBlock: 8, depot: { x: 7.5 } });
      const picks = randomPicks(rng, layout, randomInt(rng, 1, 7));
      expect(route(layout, picks, 'best').distance).toBeCloseTo(bruteForce(layout, picks), 6);
    }
  });

  it('[R2] every method visits each pick, and distance is the sum of shortest legs of its sequence', () => {
    const rng = createRng(11);
    const layout = rackAisle({ depot: { x: 10.5 } });
    for (let t = 0; t < 20; t++) {
      const picks = randomPicks(rng, layout, randomInt(rng, 1, 40));
      for (const method of ROUTE_METHODS) {
        const r = route(layout, picks, method);
        expect(sorted(r.sequence)).toEqual(sorted(picks));
        expect(r.distance).toBeCloseTo(routeDistance(layout, r.sequence)!, 6);
      }
    }
  });

  it("[R4] 'best' is never longer than S-shape, largest gap or combined (100 seeded instances)", () => {
    const rng = createRng(2024);
    const layouts = [
      rackAisle(),
      rackAisle({ blocks: 1, aisles: 12, depot: { x: 16.5 } }),
      rackAisle({ blocks: 3, aisles: 8, baysPerBlock: 15, depot: { x: 21 } }),
    ];
    for (let t = 0; t < 100; t++) {
      const layout = layouts[t % layouts.length]!;
      const picks = randomPicks(rng, layout, randomInt(rng, 1, 45));
      const best = route(layout, picks, 'best').distance;
      for (const m of ['s-shape', 'largest-gap', 'combined'] as const) {
        expect(best).toBeLessThanOrEqual(route(layout, picks, m).distance + 1e-9);
      }
    }
  });

  it('[R5] S-shape on one block sweeps aisles left to right, alternating up and down', () => {
    const layout = rackAisle({ blocks: 1 });
    const r = route(layout, ['A05-B1-003-L1', 'A02-B1-010-L1', 'A02-B1-004-L1', 'A05-B1-015-L1', 'A08-B1-007-L1'], 's-shape');
    expect(r.sequence).toEqual(['A02-B1-004-L1', 'A02-B1-010-L1', 'A05-B1-015-L1', 'A05-B1-003-L1', 'A08-B1-007-L1']);
  });

  it('[R5] largest gap on one block: first aisle up, back parts, last aisle down, front parts', () => {
    const layout = rackAisle({ blocks: 1 });
    const r = route(layout, ['A01-B1-010-L1', 'A04-B1-002-L1', 'A04-B1-019-L1', 'A07-B1-005-L1'], 'largest-gap');
    expect(r.sequence).toEqual(['A01-B1-010-L1', 'A04-B1-019-L1', 'A07-B1-005-L1', 'A04-B1-002-L1']);
  });

  it('[R2] the path is the closed walk: starts and ends at the depot, axis-aligned legs, length = distance', () => {
    const layout = rackAisle({ depot: { x: 4.5 } });
    const r = route(layout, ['A03-B2-017-L4', 'A07-B1-002-R1', 'A10-B2-001-L1']);
    expect(r.path[0]).toEqual({ x: 4.5, y: 0 });
    expect(r.path[r.path.length - 1]).toEqual({ x: 4.5, y: 0 });
    let length = 0;
    for (let i = 1; i < r.path.length; i++) {
      const a = r.path[i - 1]!;
      const b = r.path[i]!;
      expect(a.x === b.x || a.y === b.y).toBe(true);
      length += Math.abs(a.x - b.x) + Math.abs(a.y - b.y);
    }
    expect(length).toBeCloseTo(r.distance);
  });

  it('[R3] reports an unknown location by name', () => {
    const r = planRoute({ layout: rackAisle(), picks: [asLocationId('A03-B2-017-L4'), asLocationId('A99-B1-001-L1')] });
    expect(isRouteError(r) && r.error).toEqual({ code: 'UNKNOWN_LOCATION', message: expect.stringContaining('A99-B1-001-L1') as unknown });
  });
});

describe('findLocation', () => {
  it('finds every location of a rack-aisle layout by id and nothing else', () => {
    const layout = rackAisle({ aisles: 3, blocks: 2, baysPerBlock: 4, levels: 3 });
    for (const l of layout.locations) expect(findLocation(layout, l.id)).toBe(l);
    for (const bad of ['A04-B1-001-L1', 'A01-B3-001-L1', 'A01-B1-005-L1', 'A01-B1-001-L4', 'A1-B1-001-L1', 'x']) {
      expect(findLocation(layout, bad)).toBeUndefined();
    }
    const { rackAisle: _r, ...plain } = layout;
    expect(findLocation(plain, 'A02-B2-003-R2')).toBe(layout.locations.find((l) => l.id === 'A02-B2-003-R2'));
  });

  it('can leave the path out', () => {
    const r = planRoute({ layout: rackAisle(), picks: [asLocationId('A03-B2-017-L4')], includePath: false });
    expect(!isRouteError(r) && r.path).toEqual([]);
  });
});

describe('planRoute on a layout with one-way lanes and blocked segments', () => {
  const base = {
    format: 'floortwin-layout/1', id: 'x', name: 'x', levelHeight: 1.2, binDepth: 0.7, capacityUnits: 50,
    rackAisle: { format: 'rack-aisle/1', id: 'x', aisles: 4, blocks: 1, baysPerBlock: 10, levels: 1, bayLength: 1, aisleSpacing: 3, crossAisleWidth: 2, depot: { x: 0 } },
  };
  const load = (extra: Record<string, unknown>): Layout => {
    const r = parseLayoutDocument({ ...base, ...extra });
    if (!r.ok) throw new Error(r.error);
    return r.value;
  };

  it('[R1] detours around a blocked segment', () => {
    const open = route(load({}), ['A02-B1-008-L1']);
    // Open: 3 across + 8.5 up, and back: 23 m.
    expect(open.distance).toBeCloseTo(23);
    // Aisle 2 blocked below bay 8: reach it from the back cross-aisle (y = 12) through aisle 1.
    const blocked = route(load({ blocked: [{ aisle: 2, block: 1, fromBay: 0, toBay: 8 }] }), ['A02-B1-008-L1']);
    expect(blocked.distance).toBeCloseTo(2 * (12 + 3 + 3.5));
    expect(blocked.path.some((p) => p.y === 12)).toBe(true);
  });

  it('[R3] gives UNREACHABLE for a pick cut off on both sides', () => {
    const layout = load({ blocked: [{ aisle: 2, block: 1, fromBay: 0, toBay: 4 }, { aisle: 2, block: 1, fromBay: 6, toBay: 11 }] });
    const r = planRoute({ layout, picks: [asLocationId('A02-B1-005-L1')] });
    expect(isRouteError(r) && r.error.code).toBe('UNREACHABLE');
    expect(isRouteError(r) && r.error.message).toContain('A02-B1-005-L1');
  });

  it('[R1] walks one-way aisles only in their direction', () => {
    // Aisle 1 up only, aisle 2 down only: a pick in aisle 1 is a loop up aisle 1 and down aisle 2.
    const layout = load({ oneWay: [{ aisle: 1, direction: 'up' }, { aisle: 2, direction: 'down' }] });
    const r = route(layout, ['A01-B1-003-L1']);
    expect(r.distance).toBeCloseTo(12 + 3 + 12 + 3);
    for (const m of ROUTE_METHODS) {
      const rr = route(layout, ['A01-B1-003-L1', 'A02-B1-009-R1', 'A04-B1-001-L1'], m);
      expect(rr.distance).toBeCloseTo(routeDistance(layout, rr.sequence)!, 6);
    }
  });
});

describe("methods 'exact' and 'best' (issue 3)", () => {
  it("[R4] 'exact' uses the rack-aisle exact method on plain layouts and Held–Karp elsewhere, and refuses beyond both", () => {
    const rng = createRng(31);
    const plain = rackAisle({ blocks: 2, aisles: 12 });
    const picks = randomPicks(rng, plain, 40);
    expect(route(plain, picks, 'exact').distance).toBeCloseTo(route(plain, picks, 'best').distance, 9);
    const r = planRoute({ layout: rackAisle({ blocks: 5, aisles: 6, baysPerBlock: 6 }), picks: randomPicks(rng, rackAisle({ blocks: 5, aisles: 6, baysPerBlock: 6 }), 30), method: 'exact' });
    expect(isRouteError(r) && r.error.code).toBe('NO_EXACT_METHOD');
    const small = rackAisle({ blocks: 5, aisles: 6, baysPerBlock: 6 });
    const few = randomPicks(rng, small, 8);
    expect(route(small, few, 'exact').distance).toBeCloseTo(bruteForce(small, few), 9);
  });

  it("[R4] 'best' is deterministic for a seed and never longer than the classic policies on 4- and 5-block layouts", () => {
    const rng = createRng(77);
    const layout = rackAisle({ blocks: 5, aisles: 10, baysPerBlock: 8, depot: { x: 13.5 } });
    for (let t = 0; t < 10; t++) {
      const picks = randomPicks(rng, layout, randomInt(rng, 13, 60));
      const a = route(layout, picks, 'best');
      const b = planRoute({ layout, picks, seed: 1 });
      expect(!isRouteError(b) && b.sequence).toEqual(a.sequence);
      for (const m of ['s-shape', 'largest-gap', 'combined', 'nearest-neighbour'] as const) {
        expect(a.distance).toBeLessThanOrEqual(route(layout, picks, m).distance + 1e-9);
      }
    }
  });
});

describe('[R1][R3] blocked segments with longer pick lists', () => {
  const load = (extra: Record<string, unknown>): Layout => {
    const r = parseLayoutDocument({
      format: 'floortwin-layout/1', id: 'y', name: 'y', levelHeight: 1.2, binDepth: 0.7, capacityUnits: 50,
      rackAisle: { format: 'rack-aisle/1', id: 'y', aisles: 8, blocks: 2, baysPerBlock: 10, levels: 1, bayLength: 1, aisleSpacing: 3, crossAisleWidth: 2, depot: { x: 0 } },
      ...extra,
    });
    if (!r.ok) throw new Error(r.error);
    return r.value;
  };

  it("every method's walk is measured around the blocked segment, and blocking never shortens the best route", () => {
    const rng = createRng(5);
    const open = load({});
    const blocked = load({ blocked: [{ aisle: 3, block: 1, fromBay: 5, toBay: 6 }, { aisle: 6, block: 2, fromBay: 2, toBay: 3 }, { crossAisle: 1, fromAisle: 5, toAisle: 7 }] });
    for (let t = 0; t < 10; t++) {
      const picks = randomPicks(rng, open, randomInt(rng, 5, 30));
      for (const m of ROUTE_METHODS.filter((x) => x !== 'exact')) {
        const r = route(blocked, picks, m);
        expect(r.distance).toBeCloseTo(routeDistance(blocked, r.sequence)!, 6);
      }
      expect(route(blocked, picks, 'best').distance + 1e-9).toBeGreaterThanOrEqual(route(open, picks, 'exact').distance);
    }
  });

  it('gives UNREACHABLE naming a pick only reachable through a blocked segment, among others', () => {
    // Aisle 4 of block 1 closed at both ends of bays 1..10: its pick points are cut off.
    const layout = load({ blocked: [{ aisle: 4, block: 1, fromBay: 0, toBay: 1 }, { aisle: 4, block: 1, fromBay: 10, toBay: 11 }] });
    const r = planRoute({ layout, picks: ['A01-B1-002-L1', 'A04-B1-005-R1', 'A07-B2-003-L1'].map(asLocationId) });
    expect(isRouteError(r) && r.error).toEqual({ code: 'UNREACHABLE', message: expect.stringContaining('A04-B1-005-R1') as unknown });
  });
});
