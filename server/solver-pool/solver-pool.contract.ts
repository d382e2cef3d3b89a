/**
 * One contract for every SolverPool adapter: same answers as the solver's own functions (planRoute, batchOrders,
 * slottingReport, solveZoneAssignment on HiGHS), in parallel, layouts and sites by key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchOrders, type BatchingOrder } from '../../solver/batching/batching.ts';
import { solveZoneAssignment, type ZoneAssignmentInstance } from '../../solver/lp/zone-assignment.ts';
import { syntheticHistory } from '../../solver/slotting/history.ts';
import { slottingReport } from '../../solver/slotting/slot-report.ts';
import { generateSite } from '../twin/layout/generator.ts';
import { asLocationId, type LocationId } from '../twin/ids.ts';
import { layoutFromRackAisle, parseRackAisle } from '../twin/layout/rack-aisle.ts';
import type { Layout } from '../twin/layout/types.ts';
import { createRng, randomInt } from '../twin/rng.ts';
import { planRoute, type RouteMethod } from '../../solver/routing/plan-route.ts';
import { walkThrough } from '../../solver/worker.ts';
import { planWave } from '../../solver/waves/waves.ts';
import { assignWork } from '../../solver/assignment/assignment.ts';
import { createHighsMipSolver } from './highs-mip-solver.ts';
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

function batchingOrders(layout: Layout, count: number, seed: number): BatchingOrder[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, (_, k) => ({
    id: `o${k}`,
    picks: Array.from({ length: randomInt(rng, 1, 3) }, () => ({ locationId: layout.locations[randomInt(rng, 0, layout.locations.length - 1)]!.id, items: randomInt(rng, 1, 4) })),
    cutoffAt: k < count / 2 ? 1_000 : 2_000,
  }));
}

function slottingCase(seed: number) {
  const { site, initialStock } = generateSite({
    id: 'slot', name: 'Slot', aisles: 6, blocks: 2, baysPerBlock: 8, levels: 3, depotX: 7.5, skuCount: 80, tenants: 2,
    stockFillRatio: 0.4, baseDate: '2026-11-01', maxLocationsPerSku: 1,
  }, seed);
  const orders = syntheticHistory(site.skus, { orders: 300 }, createRng(seed + 1));
  const stock = initialStock.map((r) => ({ locationId: r.locationId, skuId: r.skuId, tenantId: r.tenantId, lot: r.lot ?? '', onHand: r.qty }));
  return { site, orders, stock };
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

    it('batches orders exactly as batchOrders does, for every method, several at once; errors as values', async () => {
      const orders = batchingOrders(layout, 24, 5);
      const requests = (['fcfs', 'seed', 'savings', 'savings-local-search'] as const).map((method) => ({ layout, orders, capacity: { items: 12, orders: 4 }, method }));
      const answers = await Promise.all(requests.map((request) => pool.batchOrders(request)));
      expect(answers).toEqual(requests.map((request) => batchOrders(request)));
      expect(answers.every((a) => 'batches' in a && a.batches.length > 1)).toBe(true);
      const tooBig = await pool.batchOrders({ layout, orders, capacity: { items: 1 } });
      expect(tooBig).toMatchObject({ error: { code: 'OVER_CAPACITY' } });
    });

    it('answers the slotting report exactly as slottingReport does, from any iterable of stock', async () => {
      const { site, orders, stock } = slottingCase(31);
      const options = { moves: 10, sample: 80 };
      const expected = slottingReport({ site, orders, stock }, options);
      expect(expected.moves?.length).toBeGreaterThan(0);
      // Twice on the same site (shipped once per worker, then by key), the stock as a Map's values the second time.
      const [first, second] = await Promise.all([
        pool.slottingReport({ site, orders, stock }, options),
        pool.slottingReport({ site, orders, stock: new Map(stock.map((l, i) => [i, l])).values() }, options),
      ]);
      expect(first).toEqual(expected);
      expect(second).toEqual(expected);
      expect(await pool.slottingReport({ site, orders, stock }, { sample: 50, affinity: false })).toEqual(slottingReport({ site, orders, stock }, { sample: 50, affinity: false }));
    });

    it('solves the zone MIP on HiGHS exactly as solveZoneAssignment does, verified optimal', async () => {
      const instance: ZoneAssignmentInstance = {
        families: [{ id: 'A', volume: 3 }, { id: 'B', volume: 2 }, { id: 'C', volume: 2 }],
        zones: [{ id: 'near', capacity: 4 }, { id: 'far', capacity: 5 }],
        cost: [[10, 30], [8, 9], [5, 20]],
      };
      const expected = await solveZoneAssignment(instance, { solver: createHighsMipSolver() });
      // A and C do not both fit near (5 > 4): the optimum puts A near (saving 20, C would save 15), B and C far.
      expect(expected).toEqual({ kind: 'optimal', assignment: [0, 1, 1], objective: 39, solver: 'highs' });
      expect(await pool.zoneAssignment(instance, { timeLimitSeconds: 5 })).toEqual(expected);
      await expect(pool.zoneAssignment({ ...instance, cost: [[1]] })).rejects.toThrow(/solveZoneAssignment/);
    });

    it('[W5] plans a wave exactly as planWave does, several at once; errors as values', async () => {
      const orders = Array.from({ length: 30 }, (_, k) => ({ id: `w${k}`, lines: 1 + (k % 4), cutoffAt: k % 5 === 0 ? null : 1_000_000 + k * 60_000, priority: k % 3, createdAt: k }));
      const requests = [1, 3, 8].map((pickers) => ({
        mode: pickers === 3 ? ('waveless' as const) : ('wave' as const), now: 900_000, orders, labour: { pickers, picksPerHour: 80 },
        packing: { stations: 2, ordersPerHour: 60 }, released: { lines: 4, orders: 2 }, intervalMs: 600_000,
      }));
      expect(await Promise.all(requests.map((r) => pool.planWave(r)))).toEqual(requests.map((r) => planWave(r)));
      expect(await pool.planWave({ ...requests[0]!, intervalMs: 0 })).toEqual({ error: { code: 'BAD_REQUEST', message: expect.stringContaining('intervalMs') as unknown } });
    });

    it('[A1] assigns work exactly as assignWork does, on a cached layout; errors as values', async () => {
      const [a, b] = pickLists(layout, 2, 12, 21);
      const units = [...a!, ...b!].map((id, k) => ({ id: `u${k}`, kind: 'pick' as const, locationIds: [id], tasks: 1, priority: k % 3 }));
      const operatives = ['p1', 'p2', 'p3'].map((id, k) => ({ id, position: null, loadTasks: k, remainingRouteM: 10 * k, zones: [], skills: [] }));
      const requests = [1, 3].map((rounds) => ({ layout, nowMs: 5_000, operatives, units, options: { rounds } }));
      expect(await Promise.all(requests.map((r) => pool.assignWork(r)))).toEqual(requests.map((r) => assignWork(r)));
      const bad = await pool.assignWork({ ...requests[0]!, units: [{ id: 'x', kind: 'pick', locationIds: [asLocationId('NOPE-1')], tasks: 1 }] });
      expect(bad).toEqual({ error: { code: 'UNKNOWN_LOCATION', message: expect.stringContaining('NOPE-1') as unknown } });
    });

    it('answers a solver refusal as a RouteError value, not a rejection', async () => {
      const answer = await pool.planRoute({ layout, picks: [asLocationId('NOPE-1')] });
      expect(answer).toEqual({ error: { code: 'UNKNOWN_LOCATION', message: expect.stringContaining('NOPE-1') as unknown } });
    });
  });
}
