/**
 * End to end: the real server runs the demo shift with the route service; a client watching a simulated picker gets
 * its route over `picker:watch`, sees picks done in route order (the picker walks the server's plan), and the HTTP
 * routes agree. The socket and the calls are the site manager's.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { NoRouteView, RouteView } from '../protocol/route.ts';
import type { WatchRouteResult } from '../protocol/socket.ts';
import { startServerProcess, uniqueSchema, type ServerProcess } from '../testing/server-process.ts';
import { connectClient, type FloorClient } from './socket-test-kit.ts';

/** Guard against hangs only: the shift runs at 20× and a trip takes a few seconds of wall time. */
const E2E_WAIT_MS = 60_000;
function watch(client: FloorClient, request: unknown): Promise<WatchRouteResult> {
  return client.timeout(E2E_WAIT_MS).emitWithAck('picker:watch', request);
}

const isRoute = (r: RouteView | NoRouteView): r is RouteView => 'stops' in r;

describe('picker routes end to end', () => {
  const env = { DB_SCHEMA: uniqueSchema('routes_e2e'), DEMO_SHIFT: 'on', SHIFT_SPEED: '20', SHIFT_PICKERS: '2', SHIFT_ORDERS_PER_HOUR: '2000' };
  let server: ServerProcess | undefined;
  let socket: FloorClient | undefined;

  afterAll(async () => {
    socket?.disconnect();
    await server?.stop('SIGTERM');
  });

  it('pushes a simulated picker’s route over picker:watch, with picks done in route order', async () => {
    server = await startServerProcess(env);
    socket = await connectClient(server.url, { token: server.token });
    const routes: (RouteView | NoRouteView)[] = [];
    const waiters: { match: (r: RouteView | NoRouteView) => boolean; resolve: (r: RouteView) => void }[] = [];
    socket.on('picker:route', (route) => {
      routes.push(route);
      for (const w of [...waiters]) {
        if (w.match(route)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(route as RouteView);
        }
      }
    });
    const waitFor = (what: string, match: (r: RouteView) => boolean): Promise<RouteView> => {
      const seen = routes.find((r) => isRoute(r) && match(r));
      if (seen !== undefined) return Promise.resolve(seen as RouteView);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${what} in ${E2E_WAIT_MS} ms; got ${JSON.stringify(routes.slice(-3))}\n${server?.output() ?? ''}`)), E2E_WAIT_MS);
        waiters.push({
          match: (r) => isRoute(r) && match(r),
          resolve: (r) => {
            clearTimeout(timer);
            resolve(r);
          },
        });
      });
    };

    const ack = await watch(socket, { siteId: 'demo', operativeId: 'SIM-P1' });
    expect(ack.ok).toBe(true);
    if (ack.ok && isRoute(ack.route)) routes.push(ack.route);

    const planned = await waitFor('route', (r) => r.stops.length > 0);
    expect(planned).toMatchObject({ siteId: 'demo', operativeId: 'SIM-P1' });
    expect(planned.path.length).toBeGreaterThanOrEqual(4);
    expect(planned.distanceM).toBeGreaterThan(0);

    // The picker works through that same plan: a later push of the same route shows picks done, in route order.
    const progressed = await waitFor('pick progress', (r) => r.seq === planned.seq && r.stops.some((s) => s.status !== 'open'));
    const done = progressed.stops.map((s) => s.status !== 'open');
    const firstOpen = done.indexOf(false);
    expect(firstOpen === -1 ? [] : done.slice(firstOpen)).not.toContain(true);

    const api = `${server.url}/api/sites/demo`;
    const list = (await (await server.fetch(`${api}/operatives`)).json()) as { operatives: { operativeId: string; route: unknown }[] };
    expect(list.operatives.map((o) => o.operativeId)).toEqual(expect.arrayContaining(['SIM-P1', 'SIM-P2']));
    const viaHttp = await server.fetch(`${api}/operatives/SIM-P1/route`);
    expect(viaHttp.status).toBe(200);
    const body = (await viaHttp.json()) as RouteView | NoRouteView;
    expect(body).toMatchObject({ siteId: 'demo', operativeId: 'SIM-P1' });
    const missing = await server.fetch(`${api}/operatives/NOBODY/route`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toContain('NOBODY');
  });
});
