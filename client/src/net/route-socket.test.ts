/**
 * The route client against a real Socket.IO server (msgpack parser) that speaks the picker protocol: watch with the
 * route in the ack, pushed re-plans, switching operative (unwatch), and re-watching after a dropped connection.
 * Waits are on store changes and server events, never on time.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';
import * as msgpackParser from 'socket.io-msgpack-parser';
import { afterEach, describe, expect, it } from 'vitest';
import type { NoRouteView, RouteView } from '../../../server/protocol/route.ts';
import type { WatchRouteResult } from '../../../server/protocol/socket.ts';
import { connectRoutes, type RouteConnection } from './route-socket.ts';
import { RouteStore } from './route-store.ts';

interface WatchRequest {
  siteId: string;
  operativeId: string;
}

const plan = (operativeId: string, seq: number, taskIds: string[]): RouteView => ({
  siteId: 's1', operativeId, seq, method: 'test', distanceM: 10, plannedAt: 0,
  stops: taskIds.map((taskId) => ({
    taskId, orderId: 'o', locationId: 'A01-B1-001-L1', skuId: 'k', skuDescription: 'd', qty: 1, x: 0, y: 0, status: 'open' as const,
  })),
  path: [0, 0, 0, 10],
});

/** A minimal picker-protocol server; `answer` decides each watch's reply. */
class ScriptedPickers {
  readonly watches: WatchRequest[] = [];
  readonly unwatches: WatchRequest[] = [];
  readonly sockets: Socket[] = [];
  answer: (request: WatchRequest) => WatchRouteResult = (r) => ({ ok: true, route: plan(r.operativeId, 1, ['t1', 't2']) });
  private readonly waiters: Array<() => void> = [];
  private constructor(readonly http: HttpServer, readonly io: Server, readonly url: string) {}

  static async start(): Promise<ScriptedPickers> {
    const http = createServer();
    const io = new Server(http, { parser: msgpackParser, path: '/socket.io' });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const site = new ScriptedPickers(http, io, `http://127.0.0.1:${(http.address() as AddressInfo).port}`);
    io.on('connection', (socket) => {
      site.sockets.push(socket);
      socket.on('picker:watch', (request: WatchRequest, ack: (r: WatchRouteResult) => void) => {
        site.watches.push(request);
        void socket.join(`picker:${request.operativeId}`);
        ack(site.answer(request));
        site.wake();
      });
      socket.on('picker:unwatch', (request: WatchRequest, ack: (r: { ok: boolean }) => void) => {
        site.unwatches.push(request);
        void socket.leave(`picker:${request.operativeId}`);
        ack({ ok: true });
        site.wake();
      });
    });
    return site;
  }

  /** Resolves once `predicate` holds (checked now and after every watch / unwatch). */
  async until(predicate: () => boolean): Promise<void> {
    while (!predicate()) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  push(route: RouteView | NoRouteView): void {
    this.io.to(`picker:${route.operativeId}`).emit('picker:route', route);
  }

  async stop(): Promise<void> {
    await this.io.close();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

function until(store: RouteStore, predicate: (s: RouteStore) => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (predicate(store)) return resolve();
    const off = store.subscribe(() => {
      if (predicate(store)) {
        off();
        resolve();
      }
    });
  });
}

let server: ScriptedPickers | null = null;
let connection: RouteConnection | null = null;
afterEach(async () => {
  connection?.close();
  await server?.stop();
  connection = null;
  server = null;
});

describe('connectRoutes', () => {
  it('watches the operative, shows the route from the ack, then takes pushed re-plans', async () => {
    server = await ScriptedPickers.start();
    const store = new RouteStore();
    let clock = 0;
    connection = connectRoutes(store, 's1', { url: server.url, now: () => clock });
    connection.watch('P1');
    await until(store, (s) => s.status === 'live' && s.route !== null);
    expect(server.watches).toEqual([{ siteId: 's1', operativeId: 'P1' }]);
    expect(store.route?.stops.map((s) => s.taskId)).toEqual(['t1', 't2']);

    clock = 500;
    server.push(plan('P1', 2, ['t2', 't1']));
    await until(store, (s) => s.route?.seq === 2);
    expect(store.replannedAtMs).toBe(500);

    server.push({ siteId: 's1', operativeId: 'P1', reason: 'UNREACHABLE', message: 'A09-B1-001-L1 cannot be reached' });
    await until(store, (s) => s.noRoute !== null);
    expect(store.noRoute?.message).toMatch(/A09-B1-001-L1/);
  });

  it('switching operative unwatches the previous one and ignores its late pushes', async () => {
    server = await ScriptedPickers.start();
    const s = server;
    const store = new RouteStore();
    connection = connectRoutes(store, 's1', { url: s.url });
    connection.watch('P1');
    await until(store, (st) => st.route?.operativeId === 'P1');
    connection.watch('P2');
    await s.until(() => s.watches.length === 2 && s.unwatches.length === 1);
    expect(s.unwatches[0]).toEqual({ siteId: 's1', operativeId: 'P1' });
    await until(store, (st) => st.route?.operativeId === 'P2');
    expect(store.applyRoute(plan('P1', 9, ['x']), 0)).toBe('other');
  });

  it('re-watches after a dropped connection', async () => {
    server = await ScriptedPickers.start();
    const s = server;
    const store = new RouteStore();
    connection = connectRoutes(store, 's1', { url: s.url });
    connection.watch('P1');
    await until(store, (st) => st.status === 'live');
    s.answer = (r) => ({ ok: true, route: plan(r.operativeId, 3, ['t3']) });
    s.sockets[0]?.conn.close();
    await until(store, (st) => st.status === 'offline');
    await until(store, (st) => st.status === 'live' && st.route?.seq === 3);
    expect(s.watches).toHaveLength(2);
  });

  it('shows a refusal as an error and the reason there is no route as such', async () => {
    server = await ScriptedPickers.start();
    const s = server;
    s.answer = (r) =>
      r.operativeId === 'NOPE'
        ? { ok: false, error: { code: 'UNKNOWN_OPERATIVE', message: 'no such operative' } }
        : { ok: true, route: { siteId: 's1', operativeId: r.operativeId, reason: 'NOT_SIGNED_ON', message: 'not signed on' } };
    const store = new RouteStore();
    connection = connectRoutes(store, 's1', { url: s.url });
    connection.watch('NOPE');
    await until(store, (st) => st.status === 'error');
    expect(store.statusDetail).toBe('UNKNOWN_OPERATIVE: no such operative');
    connection.watch('P3');
    await until(store, (st) => st.status === 'live');
    expect(store.noRoute?.reason).toBe('NOT_SIGNED_ON');
  });
});
