/**
 * Test support for real-socket tests: start a floor server on port 0 (with the handshake authentication of
 * `socket-auth.ts` over an in-memory token table), connect typed msgpack clients with a token, and wait for events
 * (never for fixed times; the timeout only turns a hang into a failure).
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import * as msgpackParser from 'socket.io-msgpack-parser';
import type { FloorDiff } from '../protocol/floor.ts';
import type { ClientToServerEvents, JoinResult, ServerToClientEvents } from '../protocol/socket.ts';
import type { Authenticator, Credential, Principal, Role } from '../auth/principal.ts';
import { attachSocketAuth, type SocketAuth } from './socket-auth.ts';
import { createSocketServer, type SocketServer, type SocketServerOptions } from './socket-server.ts';

/** The client end of the floor protocol. */
export type FloorClient = ClientSocket<ServerToClientEvents, ClientToServerEvents>;

/** Guard against hangs only; tests wait for events. */
export const WAIT_MS = 5_000;

/** A principal of `role` (tenant for the client roles and integration keys). */
export function principalAs(role: Role, tenantId: string | null = null, id = `${role}-1`): Principal {
  return { kind: role === 'integration' ? 'api-key' : 'user', id, name: `${id}@test`, role, tenantId };
}

/**
 * The `Authenticator` port over an in-memory table of tokens (bearer or session cookie alike): the realtime tests'
 * stand-in for the Postgres sessions, with revocation.
 */
export class TokenAuthenticator implements Authenticator {
  private readonly tokens = new Map<string, Principal>();
  /** Calls answered so far (a reconnect is a new handshake, so a new call). */
  calls = 0;

  constructor(entries: Iterable<readonly [string, Principal]> = []) {
    for (const [token, principal] of entries) this.tokens.set(token, principal);
  }

  grant(token: string, principal: Principal): this {
    this.tokens.set(token, principal);
    return this;
  }

  revoke(token: string): void {
    this.tokens.delete(token);
  }

  authenticate(credential: Credential): Promise<Principal | null> {
    this.calls++;
    const token = credential.bearer ?? credential.sessionCookie;
    return Promise.resolve(token === undefined ? null : (this.tokens.get(token) ?? null));
  }
}

/** Token of the site manager every test server knows (the default credential of {@link connectClient}). */
export const STAFF_TOKEN = 'test-site-manager';

export interface RunningServer {
  readonly http: HttpServer;
  readonly server: SocketServer;
  readonly url: string;
  /** The tokens this server accepts; starts with {@link STAFF_TOKEN} as a site manager. */
  readonly tokens: TokenAuthenticator;
  readonly auth: SocketAuth;
}

/** Options of {@link startServer}: the socket server's, plus the re-check interval of live connections (default off). */
export type TestServerOptions = SocketServerOptions & { readonly recheckMs?: number };

/** An http server on a free port with the floor's Socket.IO server on it, authenticating handshakes by token. */
export async function startServer(options: TestServerOptions = {}): Promise<RunningServer> {
  const http = createServer();
  const { recheckMs, ...socketOptions } = options;
  const server = await createSocketServer(http, socketOptions);
  const tokens = new TokenAuthenticator([[STAFF_TOKEN, principalAs('site-manager')]]);
  const auth = attachSocketAuth(server.io, tokens, { recheckMs: recheckMs ?? 0, ...(options.log ? { log: options.log } : {}) });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return { http, server, url: `http://127.0.0.1:${port}`, tokens, auth };
}

/** How a test client authenticates: `auth.token` (default {@link STAFF_TOKEN}; null sends none) and/or a cookie. */
export interface ConnectOptions {
  readonly token?: string | null;
  /** Sent as `Cookie: ft_session=<value>` (what a browser does). */
  readonly sessionCookie?: string;
  /** Let the client reconnect by itself (default false). */
  readonly reconnection?: boolean;
}

/** A client using the msgpack parser over WebSocket, not yet connected (for tests of refusals and reconnects). */
export function openClient(url: string, options: ConnectOptions = {}): FloorClient {
  const token = options.token === undefined ? STAFF_TOKEN : options.token;
  return connect(url, {
    parser: msgpackParser,
    transports: ['websocket'],
    reconnection: options.reconnection ?? false,
    forceNew: true,
    ...(token === null ? {} : { auth: { token } }),
    ...(options.sessionCookie === undefined ? {} : { extraHeaders: { cookie: `ft_session=${encodeURIComponent(options.sessionCookie)}` } }),
  });
}

/** Resolves on the socket's next `connect`, rejects with the `connect_error` (its message is the refusal's code). */
export function connected(socket: FloorClient): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error('connect timed out'));
    }, WAIT_MS);
    const onConnect = (): void => {
      off();
      resolve();
    };
    const onError = (error: Error): void => {
      off();
      reject(error);
    };
    const off = (): void => {
      clearTimeout(timer);
      socket.off('connect', onConnect);
      socket.off('connect_error', onError);
    };
    socket.on('connect', onConnect);
    socket.on('connect_error', onError);
  });
}

/** A connected client using the msgpack parser over WebSocket, authenticated as {@link ConnectOptions} say. */
export async function connectClient(url: string, options: ConnectOptions = {}): Promise<FloorClient> {
  const socket = openClient(url, options);
  try {
    await connected(socket);
  } catch (error) {
    socket.disconnect();
    throw error;
  }
  return socket;
}

/** Sends `site:join` and waits for the ack. */
export function join(socket: FloorClient, request: unknown): Promise<JoinResult> {
  return socket.timeout(WAIT_MS).emitWithAck('site:join', request);
}

/** Records every `site:diff` a client receives and lets a test wait until one matches. */
export class DiffRecorder {
  readonly diffs: FloorDiff[] = [];
  private readonly waiters: { match: (diff: FloorDiff) => boolean; resolve: (diff: FloorDiff) => void }[] = [];

  constructor(socket: FloorClient) {
    socket.on('site:diff', (diff) => {
      this.diffs.push(diff);
      for (const waiter of [...this.waiters]) {
        if (waiter.match(diff)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(diff);
        }
      }
    });
  }

  /** Resolves with the first diff (already received or future) that matches. */
  waitFor(match: (diff: FloorDiff) => boolean, what = 'diff'): Promise<FloorDiff> {
    const seen = this.diffs.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (diff: FloorDiff) => {
          clearTimeout(timer);
          resolve(diff);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.diffs.map((d) => [d.fromSeq, d.toSeq]))}`));
      }, WAIT_MS);
      this.waiters.push(waiter);
    });
  }

  /** Waits for the diff that brings the client to `seq`. */
  reach(seq: number): Promise<FloorDiff> {
    return this.waitFor((diff) => diff.toSeq >= seq, `a diff reaching seq ${seq}`);
  }
}
