/**
 * Socket handshakes against the real authenticator: sessions and API keys in Postgres (`PgAuthStore`, as main.ts
 * wires it). A signed-out session or a revoked key is refused at the next handshake, and the live connection is cut
 * at the re-check.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PgAuthStore } from '../auth/auth-store.pg.ts';
import { PgEventStore } from '../store/event-store.pg.ts';
import { TEST_DATABASE_URL, uniqueSchema } from '../testing/server-process.ts';
import { attachSocketAuth, socketPrincipal, type SocketAuth } from './socket-auth.ts';
import { createSocketServer, type SocketServer } from './socket-server.ts';
import { WAIT_MS, connectClient, type FloorClient } from './socket-test-kit.ts';

const PASSWORD = 'correct horse battery';

function disconnection(socket: FloorClient): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('still connected')), WAIT_MS);
    socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}

describe('socket handshakes with Postgres sessions and API keys', () => {
  let store: PgEventStore;
  let accounts: PgAuthStore;
  let http: HttpServer;
  let sockets: SocketServer;
  let auth: SocketAuth;
  let url: string;

  beforeAll(async () => {
    const schema = uniqueSchema('socket_auth');
    store = new PgEventStore({ connectionString: TEST_DATABASE_URL, schema });
    await store.init();
    accounts = new PgAuthStore({ pool: store.pool, schema });
    await accounts.createUser({ email: 'picker@socket.test', password: PASSWORD, role: 'picker', tenantId: null });
    await accounts.createUser({ email: 'acme@socket.test', password: PASSWORD, role: 'client-user', tenantId: 'acme' });
    http = createServer();
    sockets = await createSocketServer(http);
    auth = attachSocketAuth(sockets.io, accounts, { recheckMs: 0 });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  }, 120_000);

  afterAll(async () => {
    auth?.close();
    await sockets?.close();
    await store?.close();
  });

  const signIn = async (email: string): Promise<string> => {
    const session = await accounts.signIn(email, PASSWORD);
    if (session === null) throw new Error(`sign-in of ${email} refused`);
    return session.token;
  };

  it('puts the signed-in user on the socket, by token or by session cookie', async () => {
    const token = await signIn('acme@socket.test');
    const byToken = await connectClient(url, { token });
    const byCookie = await connectClient(url, { token: null, sessionCookie: token });
    try {
      const principals = [...sockets.io.of('/').sockets.values()].map((s) => socketPrincipal(s));
      expect(principals).toHaveLength(2);
      for (const principal of principals) expect(principal).toMatchObject({ kind: 'user', name: 'acme@socket.test', role: 'client-user', tenantId: 'acme' });
    } finally {
      byToken.disconnect();
      byCookie.disconnect();
    }
  });

  it('refuses a signed-out session on reconnect, and cuts its live connection at the re-check', async () => {
    const token = await signIn('picker@socket.test');
    const other = await signIn('picker@socket.test');
    const live = await connectClient(url, { token });
    const kept = await connectClient(url, { token: other });
    try {
      await accounts.signOut(token);
      const cut = disconnection(live);
      expect((await auth.recheck()).disconnected).toBe(1);
      expect(await cut).toBe('io server disconnect');
      await expect(connectClient(url, { token })).rejects.toThrow('UNAUTHENTICATED');
      // Another session of the same user is not affected.
      expect(kept.connected).toBe(true);
    } finally {
      live.disconnect();
      kept.disconnect();
    }
  });

  it('accepts an API key until it is revoked', async () => {
    const { id, key } = await accounts.createApiKey({ label: 'acme integration', role: 'integration', tenantId: 'acme', createdBy: 'test' });
    const socket = await connectClient(url, { token: key });
    socket.disconnect();
    expect(await accounts.revokeApiKey(id)).toBe(true);
    await expect(connectClient(url, { token: key })).rejects.toThrow('UNAUTHENTICATED');
    await expect(connectClient(url, { token: 'fts_not-a-session' })).rejects.toThrow('UNAUTHENTICATED');
  });
});
