/**
 * Keeps a RouteStore following one operative's route: `picker:watch` (the ack carries the current route or why there
 * is none), then every `picker:route` push. Re-watches after a reconnect, since the server forgets watches with the
 * connection; switching operative unwatches the previous one. Socket.IO's own reconnection supplies the backoff.
 */
import { io, type Socket } from 'socket.io-client';
import * as msgpackParser from 'socket.io-msgpack-parser';
import { watchSocketAuth } from '../auth/session.ts';
import type { ClientToServerEvents, ServerToClientEvents, WatchRouteResult } from '../../../server/protocol/socket.ts';
import type { RouteStore } from './route-store.ts';

/** A live route connection. */
export interface RouteConnection {
  /** Follows `operativeId` from now on (null = follow nobody). */
  watch(operativeId: string | null): void;
  /** Stops following and closes the socket (unless it was passed in). */
  close(): void;
}

type RouteSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Options for `connectRoutes`; defaults suit the browser at the server's origin. */
export interface RouteConnectionOptions {
  /** Server origin; undefined = the page's origin. Ignored when `socket` is given. */
  readonly url?: string;
  /** Use this socket instead of opening one; `close` then leaves it open. */
  readonly socket?: RouteSocket;
  /** Monotonic clock in ms (for the "route updated" notice). */
  readonly now?: () => number;
  readonly ackTimeoutMs?: number;
}

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 10_000;
/** Errors worth retrying: the server may answer differently in a moment. Others (bad request, unknown ids) are final. */
const RETRYABLE = new Set(['UNAVAILABLE', 'INTERNAL', 'TIMEOUT']);

/** Connects `store` to the route feed of `siteId`. */
export function connectRoutes(store: RouteStore, siteId: string, options: RouteConnectionOptions = {}): RouteConnection {
  const now = options.now ?? (() => performance.now());
  const ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
  const ownSocket = options.socket === undefined;
  const socket: RouteSocket =
    options.socket ?? watchSocketAuth(io(options.url ?? '', { path: '/socket.io', parser: msgpackParser, transports: ['websocket', 'polling'] }));

  let closed = false;
  /** Bumped on every watch request, so an answer to an earlier one is recognised and dropped. */
  let generation = 0;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let retryDelayMs = RETRY_MIN_MS;

  const clearRetry = (): void => {
    if (retryTimer !== null) clearTimeout(retryTimer);
    retryTimer = null;
  };

  const scheduleRetry = (): void => {
    if (closed || retryTimer !== null) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      sendWatch();
    }, retryDelayMs);
    retryDelayMs = Math.min(RETRY_MAX_MS, retryDelayMs * 2);
  };

  function sendWatch(): void {
    const operativeId = store.operativeId;
    if (closed || operativeId === null || !socket.connected) return;
    const mine = ++generation;
    store.setStatus('watching');
    socket.timeout(ackTimeoutMs).emit('picker:watch', { siteId, operativeId }, (err: Error | null, result: WatchRouteResult) => {
      if (closed || mine !== generation) return;
      if (err !== null) {
        store.setStatus('error', 'watch timed out');
        scheduleRetry();
        return;
      }
      if (!result.ok) {
        store.setStatus('error', `${result.error.code}: ${result.error.message}`);
        if (RETRYABLE.has(result.error.code)) scheduleRetry();
        return;
      }
      retryDelayMs = RETRY_MIN_MS;
      store.applyRoute(result.route, now());
      store.setStatus('live');
    });
  }

  const sendUnwatch = (operativeId: string): void => {
    if (!socket.connected) return;
    // Best effort: the server drops watches with the connection anyway.
    socket.timeout(ackTimeoutMs).emit('picker:unwatch', { siteId, operativeId }, () => undefined);
  };

  const onConnect = (): void => {
    retryDelayMs = RETRY_MIN_MS;
    clearRetry();
    if (store.operativeId === null) store.setStatus('idle');
    sendWatch();
  };
  const onDisconnect = (reason: string): void => {
    if (closed) return;
    generation++;
    clearRetry();
    store.setStatus('offline', reason);
    // Socket.IO reconnects by itself except when the server closed the socket (e.g. on a graceful restart).
    if (reason === 'io server disconnect') {
      retryTimer = setTimeout(() => {
        retryTimer = null;
        if (!closed && !socket.connected) socket.connect();
      }, retryDelayMs);
    }
  };
  const onConnectError = (error: Error): void => {
    store.setStatus('offline', error.message);
  };
  const onRoute: ServerToClientEvents['picker:route'] = (route) => {
    if (closed) return;
    store.applyRoute(route, now());
  };

  socket.on('connect', onConnect);
  socket.on('disconnect', onDisconnect);
  socket.on('connect_error', onConnectError);
  socket.on('picker:route', onRoute);

  store.setStatus(socket.connected ? 'idle' : 'connecting');
  if (socket.connected) sendWatch();

  return {
    watch(operativeId: string | null): void {
      if (closed || operativeId === store.operativeId) return;
      const previous = store.operativeId;
      generation++;
      clearRetry();
      if (previous !== null) sendUnwatch(previous);
      store.setOperative(operativeId);
      if (operativeId === null) {
        store.setStatus(socket.connected ? 'idle' : 'offline');
        return;
      }
      if (socket.connected) sendWatch();
      else store.setStatus('connecting');
    },
    close(): void {
      if (closed) return;
      if (store.operativeId !== null) sendUnwatch(store.operativeId);
      closed = true;
      clearRetry();
      socket.off('connect', onConnect);
      socket.off('disconnect', onDisconnect);
      socket.off('connect_error', onConnectError);
      socket.off('picker:route', onRoute);
      if (ownSocket) socket.close();
    },
  };
}
