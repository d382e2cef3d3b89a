/** The operatives routes over HTTP, on an in-memory log: list with route summary, one route, 404 naming the operative. */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NoRouteView, RouteView } from '../protocol/route.ts';
import { RouteService } from '../site/route-service.ts';
import { SiteRunner } from '../site/site-runner.ts';
import { InlineSolverPool } from '../solver-pool/inline-solver-pool.ts';
import { MemoryEventStore } from '../store/event-store.memory.ts';
import { layoutView } from '../twin/floor-view.ts';
import { asOperativeId, asOrderId, epochMs } from '../twin/ids.ts';
import { generateSite } from '../twin/layout/generator.ts';
import { createApp } from './app.ts';
import { siteRegistry } from './sites.ts';
import { SITE_MANAGER, fixedPrincipal } from '../testing/principals.ts';

const { site, initialStock } = generateSite(
  { id: 'ops', name: 'Operatives site', aisles: 6, blocks: 2, baysPerBlock: 8, levels: 2, skuCount: 40, tenants: 1, stockFillRatio: 0.8, baseDate: '2026-11-01' },
  9,
);
const P1 = asOperativeId('P1');
const P2 = asOperativeId('P2');

describe('operatives API', () => {
  let runner: SiteRunner;
  let service: RouteService;
  let pool: InlineSolverPool;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    let now = Date.UTC(2026, 10, 27, 8);
    const store = new MemoryEventStore();
    await store.ensureSite(site.id, site);
    runner = await SiteRunner.open({ site, store, clock: { now: () => epochMs((now += 1000)) } });
    for (const command of initialStock) await runner.submit(command);
    pool = new InlineSolverPool();
    service = new RouteService(runner, { pool });
    service.start();
    await runner.submit({ type: 'signOn', operativeId: P1, name: 'Pat' });
    await runner.submit({ type: 'signOn', operativeId: P2, name: 'Sam' });
    const quants = [...runner.twin.quants.values()].filter((q) => q.lot === '');
    for (const [i, quant] of quants.slice(0, 3).entries()) {
      const orderId = asOrderId(`H${i}`);
      await runner.submit({ type: 'createOrder', orderId, tenantId: quant.tenantId, lines: [{ skuId: quant.skuId, qty: 1 }] });
      await runner.submit({ type: 'allocateOrder', orderId });
      await runner.submit({ type: 'releaseOrder', orderId });
    }
    await runner.submit({ type: 'requestWork', operativeId: P1, maxTasks: 10 });
    await service.idle();
    const app = createApp({ authenticator: fixedPrincipal(SITE_MANAGER), sites: siteRegistry([runner]), isReady: () => true, layoutOf: () => layoutView(site) });
    server = createServer(app).listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/sites/${site.id}`;
  });

  afterAll(async () => {
    server?.close();
    await service?.close();
    await runner?.close();
    await pool?.close();
  });

  it('lists operatives with position, activity and a route summary', async () => {
    const response = await fetch(`${base}/operatives`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { operatives: Record<string, unknown>[] };
    const route = runner.twin.operatives.get(P1)!.route!;
    expect(body.operatives).toEqual([
      {
        operativeId: 'P1',
        name: 'Pat',
        position: site.layout.depot,
        activity: 'idle',
        openTasks: 3,
        route: { seq: route.seq, method: route.method, distanceM: route.distanceM, plannedAt: route.at, stops: 3, remainingStops: 3, current: true },
      },
      { operativeId: 'P2', name: 'Sam', position: site.layout.depot, activity: 'idle', openTasks: 0, route: null },
    ]);
  });

  it('answers one operative’s route as the route service pushes it', async () => {
    const response = await fetch(`${base}/operatives/P1/route`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as RouteView;
    expect(body).toEqual(await service.view(P1));
    expect(body.stops).toHaveLength(3);
    expect(body.path.length).toBeGreaterThanOrEqual(4);
  });

  it('answers NO_TASKS for an operative without work and 404 naming an unknown operative', async () => {
    expect((await (await fetch(`${base}/operatives/P2/route`)).json()) as NoRouteView).toMatchObject({ reason: 'NO_TASKS' });
    const missing = await fetch(`${base}/operatives/NOBODY/route`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'UNKNOWN_OPERATIVE', message: expect.stringContaining('NOBODY') as unknown } });
    expect((await fetch(`${base}/operatives/bad%20id/route`)).status).toBe(400);
    expect((await fetch(`http://${new URL(base).host}/api/sites/nowhere/operatives`)).status).toBe(404);
  });
});
