import { afterEach, describe, expect, it } from 'vitest';
import type { NoRouteView, RouteView } from '../protocol/route.ts';
import type { WalkRequest } from '../../solver/worker.ts';
import { planRoute, type RouteError, type RouteRequest, type RouteResult } from '../../solver/routing/plan-route.ts';
import { InlineSolverPool } from '../solver-pool/inline-solver-pool.ts';
import type { SolverPool } from '../solver-pool/solver-pool.ts';
import { MemoryEventStore } from '../store/event-store.memory.ts';
import type { FloorPoint, LocationId, OperativeId, TaskId } from '../twin/ids.ts';
import { asOperativeId, asOrderId, epochMs } from '../twin/ids.ts';
import { generateSite } from '../twin/layout/generator.ts';
import type { Layout } from '../twin/layout/types.ts';
import type { SiteDefinition } from '../twin/site.ts';
import { effectiveLayout, remainingRoute } from '../twin/twin.ts';
import { RouteService, type RouteUpdate } from './route-service.ts';
import { SiteRunner } from './site-runner.ts';

const generated = generateSite(
  { id: 'routes', name: 'Route service site', aisles: 6, blocks: 2, baysPerBlock: 8, levels: 2, skuCount: 40, tenants: 1, stockFillRatio: 0.8, baseDate: '2026-11-01' },
  3,
);
const P1 = asOperativeId('P1');

/** A SolverPool adapter for tests: answers like the inline pool, but holds each route until the test lets it go. */
class GatedPool implements SolverPool {
  private readonly inner = new InlineSolverPool();
  held: (() => void)[] = [];
  gated = false;
  planRoute(request: RouteRequest): Promise<RouteResult | RouteError> {
    const answer = this.inner.planRoute(request);
    if (!this.gated) return answer;
    return new Promise((resolve) => this.held.push(() => void answer.then(resolve)));
  }
  walkPath(layout: Layout, request: WalkRequest): Promise<FloorPoint[] | null> {
    return this.inner.walkPath(layout, request);
  }
  batchOrders: SolverPool['batchOrders'] = (request) => this.inner.batchOrders(request);
  slottingReport: SolverPool['slottingReport'] = (input, options) => this.inner.slottingReport(input, options);
  zoneAssignment: SolverPool['zoneAssignment'] = (instance, options) => this.inner.zoneAssignment(instance, options);
  planWave: SolverPool['planWave'] = (request) => this.inner.planWave(request);
  assignWork: SolverPool['assignWork'] = (request) => this.inner.assignWork(request);
  release(): void {
    for (const go of this.held.splice(0)) go();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

interface Harness {
  readonly runner: SiteRunner;
  readonly service: RouteService;
  readonly pool: GatedPool;
  readonly updates: RouteUpdate[];
  /** Creates, allocates and releases a one-line order for a stocked SKU at the n-th stocked location. */
  order(n: number): Promise<void>;
  assign(maxTasks?: number): Promise<void>;
}

const harnesses: Harness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) {
    await h.service.close();
    await h.runner.close();
    await h.pool.close();
  }
});

/** A runner on an in-memory log. */
async function openRunner(site: SiteDefinition): Promise<SiteRunner> {
  let now = Date.UTC(2026, 10, 27, 8);
  const store = new MemoryEventStore();
  await store.ensureSite(site.id, site);
  return SiteRunner.open({ site, store, clock: { now: () => epochMs((now += 1000)) } });
}

async function harness(site: SiteDefinition = generated.site): Promise<Harness> {
  const runner = await openRunner(site);
  for (const command of generated.initialStock) await runner.submit(command);
  await runner.submit({ type: 'signOn', operativeId: P1, name: 'Pat' });
  const pool = new GatedPool();
  const service = new RouteService(runner, { pool });
  const updates: RouteUpdate[] = [];
  service.onUpdate((update) => updates.push(update));
  service.start();
  let orders = 0;
  const stocked = [...new Set([...runner.twin.quants.values()].filter((q) => q.lot === '').map((q) => q.locationId))];
  const h: Harness = {
    runner,
    service,
    pool,
    updates,
    async order(n) {
      const locationId = stocked[n % stocked.length] as LocationId;
      const quant = [...runner.twin.quants.values()].find((q) => q.locationId === locationId && q.onHand - q.reserved > 0);
      if (quant === undefined) throw new Error(`no stock at ${locationId}`);
      const orderId = asOrderId(`O${++orders}`);
      for (const command of [
        { type: 'createOrder', orderId, tenantId: quant.tenantId, lines: [{ skuId: quant.skuId, qty: 1 }] },
        { type: 'allocateOrder', orderId },
        { type: 'releaseOrder', orderId },
      ] as const) {
        const result = await runner.submit(command);
        if (!result.ok) throw new Error(`${command.type}: ${result.error.message}`);
      }
    },
    async assign(maxTasks = 20) {
      await runner.submit({ type: 'requestWork', operativeId: P1, maxTasks });
    },
  };
  harnesses.push(h);
  return h;
}

/** True when the polyline (flat x, y pairs) walks the whole segment between the two nodes. */
function walksEdge(path: readonly number[], layout: Layout, a: number, b: number): boolean {
  const A = layout.graph.nodes[a]!;
  const B = layout.graph.nodes[b]!;
  const on = (px: number, py: number, qx: number, qy: number, n: { x: number; y: number }): boolean => {
    const cross = (qx - px) * (n.y - py) - (qy - py) * (n.x - px);
    const within = Math.min(px, qx) - 1e-9 <= n.x && n.x <= Math.max(px, qx) + 1e-9 && Math.min(py, qy) - 1e-9 <= n.y && n.y <= Math.max(py, qy) + 1e-9;
    return Math.abs(cross) < 1e-9 && within;
  };
  for (let i = 0; i + 3 < path.length; i += 2) {
    const [px, py, qx, qy] = [path[i]!, path[i + 1]!, path[i + 2]!, path[i + 3]!];
    if (on(px, py, qx, qy, A) && on(px, py, qx, qy, B)) return true;
  }
  return false;
}

const routeViews = (updates: readonly RouteUpdate[]): RouteView[] => updates.filter((u): u is RouteView => 'stops' in u);
const openTasks = (runner: SiteRunner, id: OperativeId): TaskId[] => [...(runner.twin.operatives.get(id)?.taskIds ?? [])];

describe('RouteService', () => {
  it('plans a route for newly assigned tasks, in the solver’s order, and pushes it with its walk', async () => {
    const h = await harness();
    for (let i = 0; i < 6; i++) await h.order(i * 7);
    await h.assign();
    await h.service.idle();
    const op = h.runner.twin.operatives.get(P1)!;
    expect(op.route).not.toBeNull();
    expect(new Set(op.route!.taskIds)).toEqual(new Set(op.taskIds));
    const locations = op.route!.taskIds.map((id) => h.runner.twin.tasks.get(id)!.locationId);
    const direct = planRoute({ layout: h.runner.site.layout, picks: [...new Set(op.taskIds.map((id) => h.runner.twin.tasks.get(id)!.locationId))] });
    if ('error' in direct) throw new Error(direct.error.message);
    expect(locations).toEqual(direct.sequence);
    expect(op.route!.distanceM).toBeCloseTo(direct.distance, 6);

    const pushed = routeViews(h.updates).at(-1)!;
    expect(pushed).toMatchObject({ operativeId: P1, seq: op.route!.seq, method: direct.method });
    expect(pushed.stops.map((s) => s.taskId)).toEqual(op.route!.taskIds);
    expect(pushed.stops.every((s) => s.status === 'open' && s.skuDescription.length > 0)).toBe(true);
    expect(pushed.path).toEqual(direct.path.flatMap((p) => [p.x, p.y]));
    expect(await h.service.view(P1)).toEqual(pushed);
  });

  it('a pick keeps the route (no re-optimising) and pushes the remaining walk from that stop', async () => {
    const h = await harness();
    for (let i = 0; i < 4; i++) await h.order(i * 5);
    await h.assign();
    await h.service.idle();
    const route = h.runner.twin.operatives.get(P1)!.route!;
    const first = h.runner.twin.tasks.get(route.taskIds[0]!)!;
    const sku = h.runner.twin.skusById.get(first.skuId)!;
    const picked = await h.runner.submit({ type: 'confirmPick', taskId: first.id, operativeId: P1, scannedLocation: first.locationId, scannedItem: sku.barcode, qty: first.qty });
    expect(picked.ok).toBe(true);
    await h.service.idle();
    expect(h.runner.twin.operatives.get(P1)!.route).toEqual(route);
    const pushed = routeViews(h.updates).at(-1)!;
    expect(pushed.seq).toBe(route.seq);
    expect(pushed.stops[0]).toMatchObject({ taskId: first.id, status: 'picked' });
    const access = h.runner.twin.locationsById.get(first.locationId)!.access;
    expect(pushed.path.slice(0, 2)).toEqual([access.x, access.y]);
    expect(h.service.stats.plans).toBe(1);
  });

  it('a plan made stale by new assignments is refused and planned again for the new task set', async () => {
    const h = await harness();
    await h.order(1);
    await h.order(2);
    h.pool.gated = true;
    await h.assign(2);
    // Let the service ask the solver, then change the task set before the answer comes back.
    while (h.pool.held.length === 0) await new Promise((resolve) => setImmediate(resolve));
    await h.order(3);
    await h.assign(5);
    h.pool.gated = false;
    h.pool.release();
    await h.service.idle();
    expect(h.service.stats.staleRefused).toBeGreaterThanOrEqual(1);
    const op = h.runner.twin.operatives.get(P1)!;
    expect(op.taskIds).toHaveLength(3);
    expect(new Set(op.route!.taskIds)).toEqual(new Set(op.taskIds));
    expect(remainingRoute(h.runner.twin, P1)).toHaveLength(3);
  });

  it('reports an unreachable pick to watchers and does not retry the same task set', async () => {
    const h0 = await harness();
    // Wall in every bin of one SKU, so wherever allocation takes it from, the picker cannot get there.
    const quants = [...h0.runner.twin.quants.values()].filter((q) => q.lot === '');
    const sku = quants[0]!.skuId;
    const bins = quants.filter((q) => q.skuId === sku).map((q) => q.locationId);
    const target = bins[0]!;
    const walled = new Set(bins.map((id) => h0.runner.twin.locationsById.get(id)!.accessNode));
    const layout = generated.site.layout;
    const walledIn: Layout = {
      ...layout,
      graph: { ...layout.graph, edges: layout.graph.edges.map((e) => (walled.has(e.a) || walled.has(e.b) ? { ...e, blocked: true } : e)) },
    };
    const h = await harness({ ...generated.site, layout: walledIn });
    const stocked = [...new Set([...h.runner.twin.quants.values()].filter((q) => q.lot === '').map((q) => q.locationId))];
    await h.order(stocked.indexOf(target));
    await h.assign();
    await h.service.idle();
    const last = h.updates.at(-1) as NoRouteView;
    expect(last).toMatchObject({ operativeId: P1, reason: 'UNREACHABLE' });
    expect(bins.some((id) => last.message.includes(id))).toBe(true);
    expect(await h.service.view(P1)).toEqual(last);
    expect(h.service.stats.unreachable).toBe(1);
    expect(h.runner.twin.operatives.get(P1)!.route).toBeNull();
    expect(openTasks(h.runner, P1)).toHaveLength(1);
  });

  it('sign-off pushes NOT_SIGNED_ON; an operative without tasks has NO_TASKS', async () => {
    const h = await harness();
    expect(await h.service.view(P1)).toMatchObject({ reason: 'NO_TASKS' });
    await h.order(0);
    await h.assign();
    await h.service.idle();
    await h.runner.submit({ type: 'signOff', operativeId: P1 });
    await h.service.idle();
    expect(h.updates.at(-1)).toMatchObject({ operativeId: P1, reason: 'NOT_SIGNED_ON' });
    expect(await h.service.view(P1)).toMatchObject({ reason: 'NOT_SIGNED_ON' });
  });

  it('plans on start for operatives that already hold tasks without a route', async () => {
    const runner = await openRunner(generated.site);
    for (const command of generated.initialStock) await runner.submit(command);
    await runner.submit({ type: 'signOn', operativeId: P1, name: 'Pat' });
    const quant = [...runner.twin.quants.values()].find((q) => q.lot === '')!;
    const orderId = asOrderId('PRE-1');
    await runner.submit({ type: 'createOrder', orderId, tenantId: quant.tenantId, lines: [{ skuId: quant.skuId, qty: 1 }] });
    await runner.submit({ type: 'allocateOrder', orderId });
    await runner.submit({ type: 'releaseOrder', orderId });
    await runner.submit({ type: 'requestWork', operativeId: P1, maxTasks: 5 });
    const pool = new InlineSolverPool();
    const service = new RouteService(runner, { pool });
    service.start();
    await service.idle();
    expect(runner.twin.operatives.get(P1)!.route?.taskIds).toEqual(openTasks(runner, P1));
    await service.close();
    await runner.close();
  });

  describe('[R28] blocked segments', () => {
    it('blocking a segment on the planned path re-plans a route that avoids it; unblocking plans again', async () => {
      const h = await harness();
      for (let i = 0; i < 3; i++) await h.order(i * 11);
      await h.assign();
      await h.service.idle();
      const layout = h.runner.site.layout;
      const before = routeViews(h.updates).at(-1)!;
      // An aisle segment between two pick faces that the planned walk uses: there is a way round it.
      const nodes = layout.graph.nodes;
      const edge = layout.graph.edges.find(
        (e) => nodes[e.a]!.kind === 'access' && nodes[e.b]!.kind === 'access' && walksEdge(before.path, layout, e.a, e.b),
      )!;
      expect(edge).toBeDefined();
      const plansBefore = h.service.stats.plans;
      expect((await h.runner.submit({ type: 'blockSegment', a: edge.b, b: edge.a, reason: 'spill' })).ok).toBe(true);
      await h.service.idle();
      expect(h.service.stats.plans).toBeGreaterThan(plansBefore);
      const op = h.runner.twin.operatives.get(P1)!;
      const after = routeViews(h.updates).at(-1)!;
      expect(after.seq).toBe(op.route!.seq);
      expect(after.seq).toBeGreaterThan(before.seq);
      expect(new Set(op.route!.taskIds)).toEqual(new Set(op.taskIds));
      expect(after.path.length).toBeGreaterThan(0);
      expect(walksEdge(after.path, layout, edge.a, edge.b)).toBe(false);
      expect(op.route!.distanceM).toBeGreaterThanOrEqual(before.distanceM - 1e-9);
      // The route is the solver's on the effective layout.
      const picks = [...new Set(op.route!.taskIds.map((id) => h.runner.twin.tasks.get(id)!.locationId))];
      const direct = planRoute({ layout: effectiveLayout(h.runner.twin), picks });
      if ('error' in direct) throw new Error(direct.error.message);
      expect(op.route!.distanceM).toBeCloseTo(direct.distance, 6);
      expect(await h.service.view(P1)).toEqual(after);

      expect((await h.runner.submit({ type: 'unblockSegment', a: edge.a, b: edge.b })).ok).toBe(true);
      await h.service.idle();
      const restored = routeViews(h.updates).at(-1)!;
      expect(restored.seq).toBeGreaterThan(after.seq);
      expect(restored.distanceM).toBeCloseTo(before.distanceM, 6);
    });

    it('blocking every way to a pick gives UNREACHABLE naming it; unblocking restores a route', async () => {
      const h = await harness();
      await h.order(4);
      await h.assign();
      await h.service.idle();
      const before = routeViews(h.updates).at(-1)!;
      const task = h.runner.twin.tasks.get(before.stops[0]!.taskId as TaskId)!;
      const access = h.runner.twin.locationsById.get(task.locationId)!.accessNode;
      const around = h.runner.site.layout.graph.edges.filter((e) => e.a === access || e.b === access);
      for (const e of around) expect((await h.runner.submit({ type: 'blockSegment', a: e.a, b: e.b, reason: 'pallet down' })).ok).toBe(true);
      await h.service.idle();
      const last = h.updates.at(-1) as NoRouteView;
      expect(last).toMatchObject({ operativeId: P1, reason: 'UNREACHABLE' });
      expect(last.message).toContain(task.locationId);
      expect(await h.service.view(P1)).toEqual(last);

      for (const e of around) expect((await h.runner.submit({ type: 'unblockSegment', a: e.a, b: e.b })).ok).toBe(true);
      await h.service.idle();
      const restored = h.updates.at(-1) as RouteView;
      expect(restored.stops?.map((s) => s.taskId)).toEqual([task.id]);
      expect(restored.seq).toBe(h.runner.twin.operatives.get(P1)!.route!.seq);
      expect(restored.distanceM).toBeCloseTo(before.distanceM, 6);
      expect(await h.service.view(P1)).toEqual(restored);
    });

    it('a pick elsewhere does not hide an UNREACHABLE caused by a block behind a still-current route', async () => {
      const h = await harness();
      await h.order(2);
      await h.order(17);
      await h.assign();
      await h.service.idle();
      const route = h.runner.twin.operatives.get(P1)!.route!;
      const [walled, other] = route.taskIds.map((id) => h.runner.twin.tasks.get(id)!);
      expect(walled!.locationId).not.toBe(other!.locationId);
      const access = h.runner.twin.locationsById.get(walled!.locationId)!.accessNode;
      expect(h.runner.twin.locationsById.get(other!.locationId)!.accessNode).not.toBe(access);
      for (const e of h.runner.site.layout.graph.edges.filter((e) => e.a === access || e.b === access)) {
        await h.runner.submit({ type: 'blockSegment', a: e.a, b: e.b, reason: 'spill' });
      }
      await h.service.idle();
      expect(h.updates.at(-1)).toMatchObject({ reason: 'UNREACHABLE' });
      const sku = h.runner.twin.skusById.get(other!.skuId)!;
      const picked = await h.runner.submit({ type: 'confirmPick', taskId: other!.id, operativeId: P1, scannedLocation: other!.locationId, scannedItem: sku.barcode, qty: other!.qty });
      expect(picked.ok).toBe(true);
      await h.service.idle();
      const last = h.updates.at(-1) as NoRouteView;
      expect(last).toMatchObject({ operativeId: P1, reason: 'UNREACHABLE' });
      expect(last.message).toContain(walled!.locationId);
      expect(await h.service.view(P1)).toEqual(last);
    });

    it('an operative without open tasks is not planned when a segment is blocked', async () => {
      const h = await harness();
      await h.service.idle();
      const edge = h.runner.site.layout.graph.edges[3]!;
      await h.runner.submit({ type: 'blockSegment', a: edge.a, b: edge.b, reason: 'cleaning' });
      await h.service.idle();
      expect(h.service.stats.plans).toBe(0);
      expect(await h.service.view(P1)).toMatchObject({ reason: 'NO_TASKS' });
    });
  });
});
