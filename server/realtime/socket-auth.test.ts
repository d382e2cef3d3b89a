import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { siteRegistry } from '../api/sites.ts';
import { PROTOCOL_VERSION } from '../protocol/floor.ts';
import type { NextPickResult, SignOnResult } from '../protocol/picking.ts';
import type { WatchRouteResult } from '../protocol/socket.ts';
import { SiteRunner } from '../site/site-runner.ts';
import { MemoryEventStore } from '../store/event-store.memory.ts';
import { epochMs } from '../twin/ids.ts';
import { attachFloorGateway, type FloorGateway } from './gateway.ts';
import { attachPickingGateway, type PickingGateway } from './picking-gateway.ts';
import { TestSite, tinySite } from './realtime.fixture.ts';
import { attachRouteGateway, type RouteGateway } from './route-gateway.ts';
import { attachSocketAuth, credentialOf } from './socket-auth.ts';
import { createSocketServer } from './socket-server.ts';
import {
  STAFF_TOKEN,
  WAIT_MS,
  connectClient,
  connected,
  join,
  openClient,
  principalAs,
  startServer,
  type FloorClient,
  type RunningServer,
} from './socket-test-kit.ts';

/** Waits for the client's next `connect_error` and answers its message (the refusal's code). */
function nextConnectError(socket: FloorClient): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no connect_error')), WAIT_MS);
    socket.once('connect_error', (error) => {
      clearTimeout(timer);
      resolve(error.message);
    });
  });
}

/** Waits until the client is disconnected. */
function disconnection(socket: FloorClient): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('still connected')), WAIT_MS);
    socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}

describe('credentialOf (the handshake credential)', () => {
  it('takes auth.token as the bearer, else the Authorization header, and the ft_session cookie', () => {
    expect(credentialOf({ auth: { token: 'abc' }, headers: {} })).toEqual({ bearer: 'abc' });
    expect(credentialOf({ auth: {}, headers: { authorization: 'Bearer k-1' } })).toEqual({ bearer: 'k-1' });
    expect(credentialOf({ auth: { token: 't' }, headers: { authorization: 'Bearer k-1', cookie: 'a=1; ft_session=s%2B1' } })).toEqual({
      bearer: 't',
      sessionCookie: 's+1',
    });
  });

  it('ignores what is not a usable token: not a string, empty, or over 512 characters', () => {
    expect(credentialOf({ auth: { token: 42 }, headers: {} })).toEqual({});
    expect(credentialOf({ auth: { token: '' }, headers: { cookie: 'other=1' } })).toEqual({});
    expect(credentialOf({ auth: { token: 'x'.repeat(513) }, headers: {} })).toEqual({});
    expect(credentialOf({ auth: null, headers: {} })).toEqual({});
  });
});

describe('socket handshake authentication', () => {
  let running: RunningServer;
  const clients: FloorClient[] = [];
  const track = (socket: FloorClient): FloorClient => {
    clients.push(socket);
    return socket;
  };

  beforeEach(async () => {
    running = await startServer();
  });

  afterEach(async () => {
    for (const socket of clients.splice(0)) socket.disconnect();
    await running.server.close();
  });

  it('refuses a connection without a credential with UNAUTHENTICATED', async () => {
    await expect(connectClient(running.url, { token: null })).rejects.toThrow('UNAUTHENTICATED');
    expect(running.server.io.of('/').sockets.size).toBe(0);
  });

  it('refuses an unknown token with UNAUTHENTICATED, and says why in the error data', async () => {
    const socket = track(openClient(running.url, { token: 'not-a-session' }));
    const error = await new Promise<Error & { data?: unknown }>((resolve) => socket.once('connect_error', resolve));
    expect(error.message).toBe('UNAUTHENTICATED');
    expect(error.data).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(running.tokens.calls).toBe(1);
  });

  it('accepts a valid token and a valid session cookie', async () => {
    running.tokens.grant('cookie-session', principalAs('supervisor'));
    track(await connectClient(running.url));
    track(await connectClient(running.url, { token: null, sessionCookie: 'cookie-session' }));
    expect(running.server.io.of('/').sockets.size).toBe(2);
  });

  it('refuses a revoked session when the client reconnects after a dropped connection', async () => {
    running.tokens.grant('session-1', principalAs('picker'));
    const socket = track(await connectClient(running.url, { token: 'session-1', reconnection: true }));
    running.tokens.revoke('session-1');
    const refused = nextConnectError(socket);
    // Drop the transport under the client (as a network blip does): it reconnects with the same credential.
    for (const serverSocket of running.server.io.of('/').sockets.values()) serverSocket.conn.close();
    expect(await refused).toBe('UNAUTHENTICATED');
    expect(socket.connected).toBe(false);
  });

  it('re-checks live connections and cuts only those whose credential was revoked', async () => {
    running.tokens.grant('session-keep', principalAs('planner')).grant('session-gone', principalAs('picker'));
    const kept = track(await connectClient(running.url, { token: 'session-keep' }));
    const gone = track(await connectClient(running.url, { token: 'session-gone' }));
    const alsoGone = track(await connectClient(running.url, { token: 'session-gone' }));
    running.tokens.revoke('session-gone');
    const cut = Promise.all([disconnection(gone), disconnection(alsoGone)]);
    const callsBefore = running.tokens.calls;
    expect(await running.auth.recheck()).toEqual({ checked: 3, disconnected: 2 });
    // One look-up per distinct credential, not per socket.
    expect(running.tokens.calls - callsBefore).toBe(2);
    expect(await cut).toEqual(['io server disconnect', 'io server disconnect']);
    expect(kept.connected).toBe(true);
  });

  it('refuses with UNAVAILABLE while there is no authenticator yet, or when it fails', async () => {
    const http = createServer();
    const server = await createSocketServer(http);
    let ready = false;
    const failing = { authenticate: () => Promise.reject(new Error('store down')) };
    attachSocketAuth(server.io, () => (ready ? failing : null), { recheckMs: 0, log: () => undefined });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    try {
      await expect(connectClient(url)).rejects.toThrow('UNAVAILABLE');
      ready = true;
      await expect(connectClient(url)).rejects.toThrow('UNAVAILABLE');
    } finally {
      await server.close();
    }
  });
});

describe('room joins are authorised by role', () => {
  const SITE = tinySite('auth-site');
  let running: RunningServer;
  let floor: FloorGateway;
  let routes: RouteGateway;
  let picking: PickingGateway;
  let runner: SiteRunner;
  const clients: FloorClient[] = [];
  const connectAs = async (token: string): Promise<FloorClient> => {
    const socket = await connectClient(running.url, { token });
    clients.push(socket);
    return socket;
  };

  beforeEach(async () => {
    running = await startServer();
    running.tokens
      .grant('acme-user', principalAs('client-user', 'acme'))
      .grant('acme-admin', principalAs('client-admin', 'acme'))
      .grant('acme-key', principalAs('integration', 'acme'))
      .grant('packer', principalAs('packer'))
      .grant('picker', principalAs('picker'))
      .grant('supervisor', principalAs('supervisor'));
    const site = new TestSite(SITE);
    floor = attachFloorGateway(running.server.io, { get: (id) => (id === site.siteId ? site.feed : undefined) }, { patchMs: 20 });
    routes = attachRouteGateway(running.server.io, { get: () => undefined });
    const store = new MemoryEventStore();
    await store.ensureSite(SITE.id, SITE);
    let now = Date.UTC(2026, 10, 27, 8);
    runner = await SiteRunner.open({ site: SITE, store, clock: { now: () => epochMs((now += 1000)) } });
    picking = attachPickingGateway(running.server.io, siteRegistry([runner]));
  });

  afterEach(async () => {
    for (const socket of clients.splice(0)) socket.disconnect();
    floor.close();
    routes.close();
    picking.close();
    await running.server.close();
    await runner.close();
  });

  const joinFloor = (socket: FloorClient) => join(socket, { siteId: SITE.id, protocolVersion: PROTOCOL_VERSION });

  it('lets staff join the floor room and refuses client roles and integration keys with FORBIDDEN', async () => {
    expect(await joinFloor(await connectAs(STAFF_TOKEN))).toMatchObject({ ok: true, kind: 'snapshot' });
    expect(await joinFloor(await connectAs('packer'))).toMatchObject({ ok: true });
    for (const token of ['acme-user', 'acme-admin', 'acme-key']) {
      const socket: FloorClient = await connectAs(token);
      expect(await joinFloor(socket)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      // Not in the room: no floor data reaches it.
      const serverSide = running.server.io.of('/').sockets.get(socket.id ?? '');
      expect(serverSide?.rooms.has(`site:${SITE.id}`)).toBe(false);
    }
  });

  it('refuses client roles a route room', async () => {
    const watch = (socket: FloorClient): Promise<WatchRouteResult> =>
      socket.timeout(WAIT_MS).emitWithAck('picker:watch', { siteId: SITE.id, operativeId: 'op-1' });
    expect(await watch(await connectAs('acme-user'))).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    // Staff pass the role check (and then meet the unknown site of this empty registry).
    expect(await watch(await connectAs('supervisor'))).toMatchObject({ ok: false, error: { code: 'UNKNOWN_SITE' } });
  });

  it('lets pickers, supervisors and site managers act for an operative, and no one else', async () => {
    const ask = (socket: FloorClient, request: unknown): Promise<SignOnResult> => socket.timeout(WAIT_MS).emitWithAck('picker:signOn', request);
    const signOn = async (token: string, operativeId: string): Promise<SignOnResult> =>
      ask(await connectAs(token), { siteId: SITE.id, operativeId, deviceId: `device-${operativeId}` });
    expect(await signOn('picker', 'HH-1')).toMatchObject({ ok: true, resumed: false });
    expect(await signOn('supervisor', 'HH-2')).toMatchObject({ ok: true });
    expect(await signOn(STAFF_TOKEN, 'HH-3')).toMatchObject({ ok: true });
    for (const token of ['packer', 'acme-user', 'acme-key']) expect(await signOn(token, 'HH-4')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(runner.twin.operatives.has('HH-4' as never)).toBe(false);
    const next = (socket: FloorClient, request: unknown): Promise<NextPickResult> => socket.timeout(WAIT_MS).emitWithAck('picker:next', request);
    expect(await next(await connectAs('acme-admin'), { siteId: SITE.id, operativeId: 'HH-1' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('serves nobody on a server without socket authentication (deny by default)', async () => {
    const http = createServer();
    const server = await createSocketServer(http);
    const site = new TestSite(SITE);
    const gateway = attachFloorGateway(server.io, { get: () => site.feed }, { patchMs: 20 });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const socket = openClient(`http://127.0.0.1:${(http.address() as AddressInfo).port}`);
    try {
      await connected(socket);
      expect(await joinFloor(socket)).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    } finally {
      socket.disconnect();
      gateway.close();
      await server.close();
    }
  });
});
