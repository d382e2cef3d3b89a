import { describe, expect, it } from 'vitest';
import type { LocationId } from '../../server/twin/ids.ts';
import { asLocationId } from '../../server/twin/ids.ts';
import { createRng, randomInt } from '../../server/twin/rng.ts';
import type { Rng } from '../../server/twin/rng.ts';
import type { Layout } from '../../server/twin/layout/types.ts';
import type { LayoutBuildOptions } from '../../server/twin/layout/rack-aisle.ts';
import { layoutFromRackAisle, parseRackAisle } from '../../server/twin/layout/rack-aisle.ts';
import { shortestDistance } from './distance-oracle.ts';
import { findLocation, isRouteError, planRoute, routeDistance } from './plan-route.ts';
import { heldKarp, tourCost } from './tour.ts';
import { EXACT_MAX_BLOCKS, exactRackAisleRoute } from './exact-block.ts';

function rackAisle(over: Record<string, unknown> = {}, options: LayoutBuildOptions = {}): Layout {
  const r = parseRackAisle({
    format: 'rack-aisle/1', id: 't', aisles: 10, blocks: 2, baysPerBlock: 20, levels: 4,
    bayLength: 1, aisleSpacing: 3, crossAisleWidth: 2, depot: { x: 0 }, ...over,
  });
  if (!r.ok) throw new Error(r.error);
  return layoutFromRackAisle(r.params, options);
}

const ids = (xs: readonly string[]): LocationId[] => xs.map(asLocationId);

function exact(layout: Layout, picks: readonly string[]): { sequence: LocationId[]; distance: number } {
  const r = exactRackAisleRoute(layout, ids(picks));
  if (r === null) throw new Error('not applicable');
  return r;
}

/** Depot first, then the distinct access nodes of the picks, and their shortest-walk matrix. */
function stopMatrix(layout: Layout, picks: readonly LocationId[]): number[][] {
  const g = layout.graph;
  const stops = [g.depotNode, ...new Set(picks.map((p) => findLocation(layout, p)!.accessNode))];
  return stops.map((u) => stops.map((v) => shortestDistance(g, u, v)));
}

/** Shortest closed walk over the distinct access points by trying every order (branch and bound). */
function bruteForce(d: readonly (readonly number[])[]): number {
  let best = Infinity;
  const left = d.map((_, i) => i).slice(1);
  const permute = (at: number, sofar: number): void => {
    if (sofar >= best) return;
    if (left.length === 0) {
      best = Math.min(best, sofar + d[at]![0]!);
      return;
    }
    for (let i = 0; i < left.length; i++) {
      const next = left[i]!;
      left.splice(i, 1);
      permute(next, sofar + d[at]![next]!);
      left.splice(i, 0, next);
    }
  };
  permute(0, 0);
  return best;
}

function randomLayout(rng: Rng, blocks: number): Layout {
  const aisles = randomInt(rng, 2, 8);
  const aisleSpacing = [2, 2.5, 3, 4.5][randomInt(rng, 0, 3)]!;
  const maxX = (aisles - 1) * aisleSpacing;
  // Half the depots stand at an aisle's front junction, half anywhere on the front cross-aisle.
  const x = randomInt(rng, 0, 1) === 0 ? randomInt(rng, 0, aisles - 1) * aisleSpacing : Math.round(rng.next() * maxX * 100) / 100;
  return rackAisle({
    aisles, blocks, baysPerBlock: randomInt(rng, 2, 7), levels: 2, bayLength: [1, 1.3][randomInt(rng, 0, 1)]!,
    aisleSpacing, crossAisleWidth: [1, 2][randomInt(rng, 0, 1)]!, depot: { x },
  });
}

function randomPicks(rng: Rng, layout: Layout, n: number): LocationId[] {
  return Array.from({ length: n }, () => layout.locations[randomInt(rng, 0, layout.locations.length - 1)]!.id);
}

const sorted = (xs: readonly string[]): string[] => [...xs].sort();

describe('exactRackAisleRoute', () => {
  it('[E1][E2][E3] equals brute force and Held–Karp on 450 random 1-, 2- and 3-block instances', () => {
    const rng = createRng(20260127);
    for (let t = 0; t < 450; t++) {
      const blocks = t < 200 ? 1 : t < 400 ? 2 : 3;
      const layout = randomLayout(rng, blocks);
      const picks = randomPicks(rng, layout, randomInt(rng, 1, 9));
      const r = exactRackAisleRoute(layout, picks);
      expect(r, `instance ${t}`).not.toBeNull();
      const d = stopMatrix(layout, picks);
      const optimum = bruteForce(d);
      expect(r!.distance, `instance ${t}: ${JSON.stringify(layout.rackAisle)} ${picks.join(' ')}`).toBeCloseTo(optimum, 9);
      expect(r!.distance).toBeCloseTo(tourCost(d, heldKarp(d)), 9);
      expect(sorted(r!.sequence)).toEqual(sorted(picks));
      expect(r!.distance).toBe(routeDistance(layout, r!.sequence));
    }
  });

  it('[E1] handles the depot between aisles, at the first aisle and at the last', () => {
    for (const x of [0, 4.5, 13.5, 27]) {
      const layout = rackAisle({ aisles: 10, blocks: 1, depot: { x } });
      const picks = ['A02-B1-003-L1', 'A05-B1-018-R2', 'A09-B1-010-L1', 'A10-B1-001-R4'];
      const r = exact(layout, picks);
      expect(r.distance).toBeCloseTo(bruteForce(stopMatrix(layout, ids(picks))), 9);
    }
  });

  it('[E2] all picks in one aisle: in and back from the nearer end, or through it', () => {
    const layout = rackAisle({ blocks: 1, depot: { x: 0 } });
    // Aisle 4 (x = 9), bays 3..7 of 20: y = 1 + 2.5 .. 1 + 6.5; walk 9 across, up to 7.5, back: 2·9 + 2·7.5.
    const r = exact(layout, ['A04-B1-007-L1', 'A04-B1-003-R1', 'A04-B1-005-L2']);
    expect(r.distance).toBeCloseTo(2 * 9 + 2 * 7.5, 9);
    expect(r.sequence).toEqual(ids(['A04-B1-003-R1', 'A04-B1-005-L2', 'A04-B1-007-L1']));
  });

  it('[E2] picks only at the far end of the aisles: along the back cross-aisle', () => {
    const layout = rackAisle({ blocks: 1, depot: { x: 0 } });
    // Back cross-aisle at y = 22; bay 20 at y = 20.5. Up aisle 1, across the back to aisle 6 with a 1.5 m dip into
    // aisle 3 and back, down aisle 6, home along the front: 2·22 + 2·15 + 2·1.5.
    const r = exact(layout, ['A01-B1-020-L1', 'A03-B1-020-R1', 'A06-B1-020-L1']);
    expect(r.distance).toBeCloseTo(2 * 22 + 2 * 15 + 3, 9);
    expect(r.distance).toBe(routeDistance(layout, r.sequence));
  });

  it('[E2] picks in the depot aisle only', () => {
    const layout = rackAisle({ blocks: 2, depot: { x: 12 } });
    const r = exact(layout, ['A05-B1-002-L1', 'A05-B2-019-L1', 'A05-B2-019-R3']);
    // Aisle 5 is the depot aisle; block 2's bay 19 is at y = 22 + 1 + 18.5.
    expect(r.distance).toBeCloseTo(2 * (22 + 1 + 18.5), 9);
    // Picks at one access point stay together.
    expect(r.sequence.slice(1)).toEqual(ids(['A05-B2-019-L1', 'A05-B2-019-R3']));
  });

  it('[E2] an empty pick list is the empty route', () => {
    expect(exactRackAisleRoute(rackAisle(), [])).toEqual({ sequence: [], distance: 0 });
    expect(exactRackAisleRoute(rackAisle({ depot: { x: 4 } }), [])).toEqual({ sequence: [], distance: 0 });
  });

  it('[E2] keeps a pick listed twice', () => {
    const layout = rackAisle({ blocks: 1 });
    const r = exact(layout, ['A03-B1-004-L1', 'A07-B1-010-L1', 'A03-B1-004-L1']);
    expect(sorted(r.sequence)).toEqual(sorted(['A03-B1-004-L1', 'A07-B1-010-L1', 'A03-B1-004-L1']));
    expect(r.distance).toBe(routeDistance(layout, r.sequence));
  });

  it('[E3] 100 picks in one call, no longer than any classic policy or the heuristic best', () => {
    const rng = createRng(7);
    for (const blocks of [1, 2, 3]) {
      const layout = rackAisle({ aisles: 12, blocks, depot: { x: 10 } });
      const picks = randomPicks(rng, layout, 100);
      const r = exact(layout, picks);
      expect(sorted(r.sequence)).toEqual(sorted(picks));
      expect(r.distance).toBe(routeDistance(layout, r.sequence));
      for (const method of ['s-shape', 'largest-gap', 'combined', 'nearest-neighbour', 'best'] as const) {
        const other = planRoute({ layout, picks, method, includePath: false });
        if (isRouteError(other)) throw new Error(other.error.message);
        expect(r.distance, `${blocks} blocks vs ${method}`).toBeLessThanOrEqual(other.distance + 1e-9);
      }
    }
  });

  it('[E4] is null where it does not apply', () => {
    const picks = ids(['A02-B1-003-L1']);
    expect(exactRackAisleRoute(rackAisle({}, { oneWay: [{ aisle: 3, direction: 'up' }] }), picks)).toBeNull();
    expect(exactRackAisleRoute(rackAisle({}, { blocked: [{ aisle: 3, block: 1, fromBay: 4, toBay: 6 }] }), picks)).toBeNull();
    expect(exactRackAisleRoute(rackAisle({}, { blocked: [{ crossAisle: 1, fromAisle: 2, toAisle: 3 }] }), picks)).toBeNull();
    expect(exactRackAisleRoute(rackAisle({ blocks: EXACT_MAX_BLOCKS + 1, baysPerBlock: 5 }), picks)).toBeNull();
    const { rackAisle: _dropped, ...plain } = rackAisle();
    expect(exactRackAisleRoute(plain, picks)).toBeNull();
    for (const bad of ['A99-B1-003-L1', 'A2-B1-003-L1', 'A02-B1-03-L1', 'A02-B01-003-L1', 'A02-B1-003-X1', 'A02-B1-003-L1 ', 'A02-B1-003-L0', '']) {
      expect(exactRackAisleRoute(rackAisle(), ids([bad])), bad).toBeNull();
    }
  });
});
