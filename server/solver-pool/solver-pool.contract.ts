/** One contract for every SolverPool adapter: same answers as the solver's planRoute, in parallel, layouts by key. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asLocationId, type LocationId } from '../twin/ids.ts';
import { layoutFromRackAisle, parseRackAisle } from '../twin/layout/rack-aisle.ts';
import type { Layout } from '../twin/layout/types.ts';
import { createRng, randomInt } from '../twin/rng.ts';
import { planRoute, type RouteMethod } from '../../solver/routing/plan-route.ts';
import { walkThrough } from '../../solver/worker.ts';
import type { SolverPool } from './solver-pool.ts';

function rackAisle(over: Record<string, unknown> = {}): Layout {
  const r = parseRackAisle({
    format: 'rack-aisle/1', id: 'pool', aisles: 8, blocks: 2, baysPerBlock: 12, levels: 3,
    bayLength: 1, aisleSpacing: 3, crossAisleWidth: 2, depot: { x: 0 }, ...over,
  });
  if (!r.ok) throw new Error(r.error);
  return layoutFromRackAisle(r.params);
}

function pickLists(layout: Layout, count: number, size: number, seed: number): LocationId[][] {
  const rng = createRng(seed);
  return Array.from({ length: count }, () =>
    Array.from({ length: size }, () => layout.locations[randomInt(rng, 0, layout.locations.length - 1)]!.id),
  );
}

/** Runs the contract against pools made by `create`. */
export function solverPoolContract(name: string, create: () => SolverPool): void {
  describe(`${name} (SolverPool contract)`, () => {
    let pool: SolverPool;
    const layout = rackAisle();

    beforeAll(() => {
      pool = create();
    });
    afterAll(async () => {
      await pool.close();
    });

    it('answers many routes in parallel exactly as a direct planRoute call does', async () => {
      const lists = pickLists(layout, 60, 15, 42);
      const methods: RouteMethod[] = ['best', 's-shape', 'nearest-neighbour'];
      const requests = lists.map((picks, i) => ({ layout, picks, method: methods[i % methods.length]! }));
      const answers = await Promise.all(requests.map((request) => pool.planRoute(request)));
      expect(answers).toEqual(requests.map((request) => planRoute(request)));
    });

    it('honours includePath: false', async () => {
      const [picks] = pickLists(layout, 1, 10, 7);
      const answer = await pool.planRoute({ layout, picks: picks!, includePath: false });
      expect(answer).toEqual(planRoute({ layout, picks: picks!, includePath: false }));
      expect('path' in answer && answer.path).toEqual([]);
    });

    it('tells layouts apart by content: a blocked aisle under the same id plans on the new graph', async () => {
      const open = rackAisle({ id: 'shared-id' });
      // The same id with one aisle segment blocked: a cached copy of the open layout would give the wrong walk.
      const edges = open.graph.edges.map((e, i) => (i === 5 ? { ...e, blocked: true } : e));
      const blocked: Layout = { ...open, graph: { ...open.graph, edges } };
      const picks = pickLists(open, 1, 20, 3)[0]!;
      expect(await pool.planRoute({ layout: open, picks })).toEqual(planRoute({ layout: open, picks }));
      expect(await pool.planRoute({ layout: blocked, picks })).toEqual(planRoute({ layout: blocked, picks }));
      expect(await pool.planRoute({ layout: open, picks })).toEqual(planRoute({ layout: open, picks }));
    });

    it('draws a walk in a fixed order exactly as walkThrough does, depot to depot through every stop in order', async () => {
      const stops = pickLists(layout, 1, 8, 9)[0]!;
      const [first, ...rest] = stops;
      const fromDepot = await pool.walkPath(layout, { from: null, stops });
      expect(fromDepot).toEqual(walkThrough(layout, { from: null, stops }));
      expect(fromDepot?.[0]).toEqual(layout.depot);
      expect(fromDepot?.[fromDepot.length - 1]).toEqual(layout.depot);
      let at = 0;
      for (const id of stops) {
        const access = layout.locations.find((l) => l.id === id)!.access;
        at = fromDepot!.findIndex((p, i) => i >= at && p.x === access.x && p.y === access.y);
        expect(at).toBeGreaterThanOrEqual(0);
      }
      const midway = await pool.walkPath(layout, { from: first!, stops: rest });
      expect(midway).toEqual(walkThrough(layout, { from: first!, stops: rest }));
      expect(await pool.walkPath(layout, { from: null, stops: [asLocationId('NOPE-1')] })).toBeNull();
    });

    it('answers a solver refusal as a RouteError value, not a rejection', async () => {
      const answer = await pool.planRoute({ layout, picks: [asLocationId('NOPE-1')] });
      expect(answer).toEqual({ error: { code: 'UNKNOWN_LOCATION', message: expect.stringContaining('NOPE-1') as unknown } });
    });
  });
}
