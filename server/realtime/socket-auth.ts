/**
 * Who is on a socket: the handshake's credential (the `ft_session` cookie a browser sends with the upgrade, or
 * `auth: { token }` from a handheld, a bench or the load generator) becomes a `Principal` through the
 * `Authenticator` port before the connection is accepted; without one the client gets `connect_error` with the
 * message `UNAUTHENTICATED` and no handler ever runs. Every reconnect is a new handshake, so a revoked session is
 * refused then; connections that stay up are re-checked every `recheckMs` and cut when their credential no longer
 * authenticates. Gateways authorise each join with {@link deniedUnless} on `socket.data.principal`.
 */
import type { Socket } from 'socket.io';
import { credentialOf as requestCredentialOf } from '../auth/authenticate.ts';
import type { Authenticator, Credential, Principal, Role } from '../auth/principal.ts';
import type { WireError } from '../protocol/socket.ts';
import { wireError } from './socket-handlers.ts';
import { defaultRealtimeLog, type FloorServer, type RealtimeLog } from './socket-server.ts';

/** Roles that may drive a handheld: sign on as an operative, ask for work, scan, report positions. */
export const PICKING_ROLES: readonly Role[] = ['picker', 'supervisor', 'site-manager'];

/** What a handshake carried: a bearer token (`auth.token`) and/or the session cookie. */
export type SocketCredential = Credential;

/**
 * Where the authenticator comes from: the server accepts sockets before its store is up, so main.ts hands a getter;
 * null while starting (connections are then refused with `UNAVAILABLE`, and the client retries).
 */
export type AuthenticatorSource = Authenticator | (() => Authenticator | null);

/** Options of {@link attachSocketAuth}. */
export interface SocketAuthOptions {
  /** Re-check connected sockets this often, ms (default 60,000; 0 = only at the handshake). */
  readonly recheckMs?: number;
  readonly log?: RealtimeLog;
}

/** Handle on the attached handshake check. */
export interface SocketAuth {
  /** Re-authenticates every connected socket now and disconnects those whose credential is no longer valid. */
  recheck(): Promise<{ readonly checked: number; readonly disconnected: number }>;
  /** Stops the periodic re-check (the handshake check stays: Socket.IO has no way to remove a middleware). */
  close(): void;
}

const MAX_TOKEN_CHARS = 512;

/**
 * The credential a handshake carries: `auth.token` (sent as the bearer), else an `Authorization: Bearer` header, and
 * the `ft_session` cookie; empty when it carries none (or a token that is not a non-empty string of ≤ 512 chars).
 */
export function credentialOf(handshake: {
  readonly auth: unknown;
  readonly headers: { readonly cookie?: string | undefined; readonly authorization?: string | undefined };
}): SocketCredential {
  const auth = handshake.auth;
  const token = typeof auth === 'object' && auth !== null ? (auth as Record<string, unknown>)['token'] : undefined;
  const fromHeaders = requestCredentialOf(handshake.headers);
  const usable = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= MAX_TOKEN_CHARS;
  const bearer = usable(token) ? token : fromHeaders.bearer;
  return { ...(bearer === undefined ? {} : { bearer }), ...(fromHeaders.sessionCookie === undefined ? {} : { sessionCookie: fromHeaders.sessionCookie }) };
}

const isCredentialEmpty = (credential: SocketCredential): boolean => credential.bearer === undefined && credential.sessionCookie === undefined;

/** What each socket keeps: who it is and the credential that said so (for the re-check). */
interface AuthData {
  principal?: Principal;
  credential?: SocketCredential;
}

const dataOf = (socket: Pick<Socket, 'data'>): AuthData => {
  const data: unknown = socket.data;
  return typeof data === 'object' && data !== null ? (data) : {};
};

/** The principal the handshake authenticated, or null (no socket auth attached). */
export function socketPrincipal(socket: Pick<Socket, 'data'>): Principal | null {
  return dataOf(socket).principal ?? null;
}

/**
 * Why the socket may not do `what`, or null when its principal has one of `roles`: `UNAUTHENTICATED` without a
 * principal (deny by default: a gateway wired without socket auth serves nobody), `FORBIDDEN` for another role.
 */
export function deniedUnless(socket: Pick<Socket, 'data'>, roles: readonly Role[], what: string): WireError | null {
  const principal = socketPrincipal(socket);
  if (principal === null) return wireError('UNAUTHENTICATED', `sign in to ${what}`);
  if (!roles.includes(principal.role)) return wireError('FORBIDDEN', `role ${principal.role} may not ${what}`, { role: principal.role });
  return null;
}

/** A handshake refusal: the client sees `connect_error` with `message` = the code and `data` = `{ code, message }`. */
function refusal(code: 'UNAUTHENTICATED' | 'UNAVAILABLE', message: string): Error & { data: WireError } {
  return Object.assign(new Error(code), { data: { code, message } });
}

const resolveAuthenticator = (source: AuthenticatorSource): Authenticator | null => (typeof source === 'function' ? source() : source);

/**
 * Makes every connection on `io` authenticate at the handshake (see the file comment). Attach before the gateways
 * so no connection handler sees an unauthenticated socket.
 */
export function attachSocketAuth(io: FloorServer, source: AuthenticatorSource, options: SocketAuthOptions = {}): SocketAuth {
  const log = options.log ?? defaultRealtimeLog;
  const recheckMs = options.recheckMs ?? 60_000;
  if (!(recheckMs >= 0)) throw new RangeError(`recheckMs must be ≥ 0, got ${String(recheckMs)}`);

  io.use((socket, next) => {
    const credential = credentialOf(socket.handshake);
    if (isCredentialEmpty(credential)) {
      next(refusal('UNAUTHENTICATED', 'sign in first: send the ft_session cookie or auth.token'));
      return;
    }
    const authenticator = resolveAuthenticator(source);
    if (authenticator === null) {
      next(refusal('UNAVAILABLE', 'the server is starting; try again'));
      return;
    }
    authenticator.authenticate(credential).then(
      (principal) => {
        if (principal === null) {
          next(refusal('UNAUTHENTICATED', 'the session or key is not valid (expired, revoked or unknown)'));
          return;
        }
        const data = socket.data as AuthData;
        data.principal = principal;
        data.credential = credential;
        next();
      },
      (error: unknown) => {
        log('socket authentication failed', error);
        next(refusal('UNAVAILABLE', 'could not check the credential; try again'));
      },
    );
  });

  async function recheck(): Promise<{ checked: number; disconnected: number }> {
    const authenticator = resolveAuthenticator(source);
    if (authenticator === null) return { checked: 0, disconnected: 0 };
    // One look-up per distinct credential: 500 handhelds on one token cost one query.
    const byCredential = new Map<string, { credential: SocketCredential; sockets: Socket[] }>();
    for (const socket of io.of('/').sockets.values()) {
      const credential = dataOf(socket).credential;
      if (credential === undefined) continue;
      const key = `${credential.bearer ?? ''}\u0000${credential.sessionCookie ?? ''}`;
      const entry = byCredential.get(key) ?? { credential, sockets: [] };
      entry.sockets.push(socket);
      byCredential.set(key, entry);
    }
    let checked = 0;
    let disconnected = 0;
    for (const { credential, sockets } of byCredential.values()) {
      let principal: Principal | null;
      try {
        principal = await authenticator.authenticate(credential);
      } catch (error) {
        // The store is down: keep the connections (they were valid) rather than drop the whole floor.
        log('socket re-check failed', error);
        continue;
      }
      checked += sockets.length;
      for (const socket of sockets) {
        const before = dataOf(socket).principal;
        if (principal === null || before === undefined || principal.id !== before.id || principal.role !== before.role || principal.tenantId !== before.tenantId) {
          // The client's reconnect then meets the handshake check and its UNAUTHENTICATED.
          socket.disconnect(true);
          disconnected++;
        }
      }
    }
    return { checked, disconnected };
  }

  let running = false;
  const timer =
    recheckMs > 0
      ? setInterval(() => {
          if (running) return;
          running = true;
          recheck()
            .catch((error: unknown) => log('socket re-check failed', error))
            .finally(() => (running = false));
        }, recheckMs)
      : null;
  timer?.unref();

  return {
    recheck,
    close() {
      if (timer !== null) clearInterval(timer);
    },
  };
}
