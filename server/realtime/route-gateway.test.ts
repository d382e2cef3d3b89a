import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NoRouteView, RouteView } from '../protocol/route.ts';
import type { WatchRouteResult } from '../protocol/socket.ts';
import { RouteService } from '../site/route-service.ts';
import { SiteRunner } from '../site/site-runner.ts';
import { InlineSolverPool } from '../solver-pool/inline-solver-pool.ts';
import { MemoryEventStore } from '../store/event-store.memory.ts';
import { asOperativeId, asOrderId, epochMs } from '../twin/ids.ts';
import { generateSite } from '../twin/layout/generator.ts';
import { attachRouteGateway, type RouteGateway } from './route-gateway.ts';
import { WAIT_MS, connectClient, startServer, type FloorClient, type RunningServer } from './socket-test-kit.ts';

const generated = generateSite(
  { id: 'route-gw', name: 'Route gateway site', aisles: 6, blocks: 2, baysPerBlock: 8, levels: 2, skuCount: 40, tenants: 1, stockFillRatio: 0.8, baseDate: '2026-11-01' },
  5,
);
const P1 = asOperativeId('P1');

function watch(socket: FloorClient, request: unknown): Promise<WatchRouteResult> {
  return socket.timeout(WAIT_MS).emitWithAck('picker:watch', request);
}

/** Emits without an ack function, as a sloppy or hostile client may. */
function emitRaw(socket: FloorClient, event: string, ...args: unknown[]): void {
  (socket as unknown as { emit(event: string, ...args: unknown[]): void }).emit(event, ...args);
}

/** Records `picker:route` pushes; waits for one that matches (the timeout only turns a hang into a failure). */
class RouteRecorder {
  readonly routes: (RouteView | NoRouteView)[] = [];
  private waiter: { match: (r: RouteView | NoRouteView) => boolean; resolve: (r: RouteView | NoRouteView) => void } | null = null;
  constructor(socket: FloorClient) {
    socket.on('picker:route', (route) => {
      this.routes.push(route);
      if (this.waiter?.match(route)) {
        this.waiter.resolve(route);
        this.waiter = null;
      }
    });
  }
  waitFor(match: (r: RouteView | NoRouteView) => boolean): Promise<RouteView | NoRouteView> {
    const seen = this.routes.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching picker:route; got ${JSON.stringify(this.routes)}`)), WAIT_MS);
      this.waiter = {
        match,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
      };
    });
  }
}

describe('route gateway over real sockets', () => {
  let running: RunningServer;
  let gateway: RouteGateway;
  let runner: SiteRunner;
  let service: RouteService;
  let pool: InlineSolverPool;
  const clients: FloorClient[] = [];

  async function client(): Promise<FloorClient> {
    const socket = await connectClient(running.url);
    clients.push(socket);
    return socket;
  }

  /** Releases a one-line order and assigns it to P1. */
  async function assignWork(n: number): Promise<void> {
    const quant = [...runner.twin.quants.values()].filter((q) => q.lot === '' && q.onHand > q.reserved)[n]!;
    const orderId = asOrderId(`W${n}`);
    await runner.submit({ type: 'createOrder', orderId, tenantId: quant.tenantId, lines: [{ skuId: quant.skuId, qty: 1 }] });
    await runner.submit({ type: 'allocateOrder', orderId });
    await runner.submit({ type: 'releaseOrder', orderId });
    await runner.submit({ type: 'requestWork', operativeId: P1, maxTasks: 10 });
  }

  beforeEach(async () => {
    let now = Date.UTC(2026, 10, 27, 8);
    const store = new MemoryEventStore();
    await store.ensureSite(generated.site.id, generated.site);
    runner = await SiteRunner.open({ site: generated.site, store, clock: { now: () => epochMs((now += 1000)) } });
    for (const command of generated.initialStock) await runner.submit(command);
    await runner.submit({ type: 'signOn', operativeId: P1, name: 'Pat' });
    pool = new InlineSolverPool();
    service = new RouteService(runner, { pool });
    service.start();
    running = await startServer();
    gateway = attachRouteGateway(running.server.io, { get: (id) => (id === runner.siteId ? service : undefined) });
    gateway.publish(service);
  });

  afterEach(async () => {
    for (const socket of clients.splice(0)) socket.disconnect();
    gateway.close();
    await running.server.close();
    await service.close();
    await runner.close();
    await pool.close();
  });

  it('acks NO_TASKS, then pushes the route once work is assigned, equal to what a new watcher is acked', async () => {
    const socket = await client();
    const recorder = new RouteRecorder(socket);
    const first = await watch(socket, { siteId: runner.siteId, operativeId: P1 });
    expect(first).toMatchObject({ ok: true, route: { operativeId: P1, reason: 'NO_TASKS' } });

    await assignWork(0);
    await assignWork(3);
    const pushed = (await recorder.waitFor((r) => 'stops' in r && r.stops.length === 2)) as RouteView;
    expect(pushed.seq).toBe(runner.twin.operatives.get(P1)!.route!.seq);
    expect(pushed.path.length).toBeGreaterThanOrEqual(4);
    expect(pushed.stops.every((s) => s.status === 'open')).toBe(true);

    await service.idle();
    const late = await client();
    const acked = await watch(late, { siteId: runner.siteId, operativeId: P1 });
    expect(acked).toEqual({ ok: true, route: recorder.routes.at(-1) });
  });

  it('pushes only to the watchers of that operative, and stops after picker:unwatch', async () => {
    const mine = await client();
    const other = await client();
    const mineRecorder = new RouteRecorder(mine);
    const otherRecorder = new RouteRecorder(other);
    await watch(mine, { siteId: runner.siteId, operativeId: P1 });
    await watch(other, { siteId: runner.siteId, operativeId: 'P2' });
    await assignWork(1);
    await mineRecorder.waitFor((r) => 'stops' in r);
    expect(otherRecorder.routes).toEqual([]);

    expect(await mine.timeout(WAIT_MS).emitWithAck('picker:unwatch', { siteId: runner.siteId, operativeId: P1 })).toEqual({ ok: true });
    const before = mineRecorder.routes.length;
    await runner.submit({ type: 'signOff', operativeId: P1 });
    await service.idle();
    // A watcher that stayed proves the push went out; the unwatched socket heard nothing more.
    const stayed = await client();
    const stayedRecorder = new RouteRecorder(stayed);
    await watch(stayed, { siteId: runner.siteId, operativeId: P1 });
    await runner.submit({ type: 'signOn', operativeId: P1, name: 'Pat' });
    await stayedRecorder.waitFor((r) => 'reason' in r && r.reason === 'NO_TASKS');
    expect(mineRecorder.routes).toHaveLength(before);
  });

  it('answers a bad payload with BAD_REQUEST and an unknown site with UNKNOWN_SITE; the socket carries on', async () => {
    const socket = await client();
    expect(await watch(socket, { siteId: runner.siteId })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await watch(socket, 'nonsense')).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await watch(socket, { siteId: runner.siteId, operativeId: P1, extra: 1 })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await socket.timeout(WAIT_MS).emitWithAck('picker:unwatch', [])).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await watch(socket, { siteId: 'elsewhere', operativeId: P1 })).toMatchObject({ ok: false, error: { code: 'UNKNOWN_SITE' } });
    emitRaw(socket, 'picker:watch', { siteId: runner.siteId, operativeId: P1 });
    emitRaw(socket, 'picker:watch');
    emitRaw(socket, 'picker:unwatch', null, 'not a function');
    expect(await watch(socket, { siteId: runner.siteId, operativeId: P1 })).toMatchObject({ ok: true, route: { reason: 'NO_TASKS' } });
    expect(socket.connected).toBe(true);
  });

  it('answers watches with UNAVAILABLE after close', async () => {
    const socket = await client();
    gateway.close();
    // close() detaches the connection handler: a socket connected before keeps its handlers and is told to go away.
    expect(await watch(socket, { siteId: runner.siteId, operativeId: P1 })).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
  });
});
