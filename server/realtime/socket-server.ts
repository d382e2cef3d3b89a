/**
 * Creates the Socket.IO server of the floor protocol: msgpack parser, small frames, no CORS, and optionally the
 * Redis adapter so several server processes share rooms. Redis is never on the correctness path: when it is
 * missing or fails, the server keeps serving its own clients and logs.
 */
import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import * as msgpackParser from 'socket.io-msgpack-parser';
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import type { ClientToServerEvents, ServerToClientEvents } from '../protocol/socket.ts';

/** The typed Socket.IO server of the floor protocol. */
export type FloorServer = Server<ClientToServerEvents, ServerToClientEvents>;

/** Where diagnostics go; the realtime layer logs instead of throwing at the transport. */
export type RealtimeLog = (message: string, details?: unknown) => void;

/** Default log: stderr with a prefix. */
export const defaultRealtimeLog: RealtimeLog = (message, details) => {
  console.error(`[realtime] ${message}`, details ?? '');
};

/** Options of {@link createSocketServer}. */
export interface SocketServerOptions {
  /** Redis for the cross-process adapter; omit for a single process. */
  readonly redisUrl?: string;
  /** Prefix of the adapter's pub/sub channels (and the Redis client names); processes sharing rooms use the same one. */
  readonly redisKey?: string;
  /** How long to wait for Redis at start before serving without it, milliseconds. */
  readonly redisConnectTimeoutMs?: number;
  readonly log?: RealtimeLog;
}

/** How rooms are shared: 'redis' across processes, 'local' in this process only (no Redis asked, or unreachable). */
export type AdapterMode = 'redis' | 'local';

/** A created server and how to stop it. */
export interface SocketServer {
  readonly io: FloorServer;
  readonly adapter: AdapterMode;
  /** Closes the Socket.IO server (and the http server under it), then the Redis connections. */
  close(): Promise<void>;
}

/** Max inbound message: commands and joins are small; anything bigger is abuse. */
const MAX_INBOUND_BYTES = 64 * 1024;

type RedisClient = ReturnType<typeof createClient>;

/**
 * The adapter calls publish/subscribe without handling their promises; while Redis is down those reject and an
 * unhandled rejection would end the process. This proxy marks every returned promise as handled (logging the
 * failure) and still hands it to the caller.
 */
function guardRejections<T extends object>(client: T, onFailure: (error: unknown) => void): T {
  return new Proxy(client, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        const result: unknown = Reflect.apply(value as (...a: unknown[]) => unknown, target, args);
        if (result instanceof Promise) result.catch(onFailure);
        return result;
      };
    },
  });
}

/** Logs at most one line per `intervalMs` per key: a Redis outage must not flood the log. */
function throttledLog(log: RealtimeLog, intervalMs: number): (key: string, message: string, details?: unknown) => void {
  const last = new Map<string, number>();
  return (key, message, details) => {
    const now = Date.now();
    if (now - (last.get(key) ?? -Infinity) < intervalMs) return;
    last.set(key, now);
    log(message, details);
  };
}

async function connectWithin(client: RedisClient, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const connected = client.connect().then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([connected, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

function closeQuietly(client: RedisClient): Promise<void> {
  if (!client.isOpen) return Promise.resolve();
  if (!client.isReady) {
    client.destroy();
    return Promise.resolve();
  }
  return client.close().catch(() => client.destroy());
}

/**
 * Creates the floor's Socket.IO server on `httpServer`. With `redisUrl`, attaches the Redis adapter once both
 * connections are up (so `io.to(room).emit` reaches clients of every process); if Redis cannot be reached within
 * the timeout, serves locally and logs. Later Redis failures only lose cross-process messages (clients recover
 * with `since`), they never crash the process.
 */
export async function createSocketServer(httpServer: HttpServer, options: SocketServerOptions = {}): Promise<SocketServer> {
  const log = options.log ?? defaultRealtimeLog;
  // No `cors` option: Socket.IO then sends no CORS headers, so only same-origin pages (the served client) connect.
  const io: FloorServer = new Server<ClientToServerEvents, ServerToClientEvents>(httpServer, {
    parser: msgpackParser,
    maxHttpBufferSize: MAX_INBOUND_BYTES,
    serveClient: false,
  });
  const closeIo = (): Promise<void> =>
    new Promise((resolve) => {
      void io.close(() => resolve());
    });

  if (options.redisUrl === undefined) {
    return { io, adapter: 'local', close: closeIo };
  }

  const warn = throttledLog(log, 10_000);
  const onRedisError = (error: unknown): void => warn('redis-error', 'redis error (rooms stay local until it recovers)', error);
  // The publisher fails fast while disconnected instead of queueing diffs without bound; clients catch up by seq.
  const key = options.redisKey ?? 'floortwin';
  const pub = createClient({ url: options.redisUrl, disableOfflineQueue: true, name: `${key}:pub` });
  const sub = pub.duplicate({ disableOfflineQueue: false, name: `${key}:sub` });
  pub.on('error', onRedisError);
  sub.on('error', onRedisError);
  const closeRedis = async (): Promise<void> => {
    await Promise.all([closeQuietly(pub), closeQuietly(sub)]);
  };

  const timeoutMs = options.redisConnectTimeoutMs ?? 3_000;
  const [pubUp, subUp] = await Promise.all([connectWithin(pub, timeoutMs), connectWithin(sub, timeoutMs)]);
  if (!pubUp || !subUp) {
    log(`redis at ${redactUrl(options.redisUrl)} unreachable; serving without the cross-process adapter`);
    await closeRedis();
    return { io, adapter: 'local', close: closeIo };
  }

  const onPublishFailure = (error: unknown): void => warn('redis-publish', 'redis publish failed (diff not shared)', error);
  io.adapter(
    createAdapter(guardRejections(pub, onPublishFailure), guardRejections(sub, onPublishFailure), { key }),
  );
  return {
    io,
    adapter: 'redis',
    async close() {
      await closeIo();
      await closeRedis();
    },
  };
}

/** Hides a password in a Redis URL before logging it. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<invalid url>';
  }
}

/** The part of Socket.IO's server used for requests between processes (server-side events are untyped in FloorServer). */
interface ServerSideEmitter {
  serverSideEmit(event: string, ...args: unknown[]): boolean;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
}

/**
 * Asks the other server processes (over the Redis adapter) and resolves with the first answer that is not null: the
 * one process that decides the request's site answers, the others answer null. Null when nobody answered within the
 * adapter's request timeout (5 s), or when there is no adapter to ask (Redis unreachable at start). Payloads travel as
 * JSON: plain objects only.
 */
export function askOtherServers<T>(io: FloorServer, event: string, payload: unknown, log: RealtimeLog): Promise<T | null> {
  return new Promise((resolve) => {
    try {
      (io as unknown as ServerSideEmitter).serverSideEmit(event, payload, (_error: unknown, answers: unknown) => {
        const answer = Array.isArray(answers) ? (answers.find((one) => one !== null && one !== undefined) as T | undefined) : undefined;
        resolve(answer ?? null);
      });
    } catch (error) {
      log(`could not ask the other servers (${event})`, error);
      resolve(null);
    }
  });
}

/** Answers {@link askOtherServers} requests for `event`; `answer` returns null when this process cannot. Returns the detach. */
export function answerOtherServers<T>(io: FloorServer, event: string, answer: (payload: unknown) => T | null | Promise<T | null>, log: RealtimeLog): () => void {
  const listener = (payload: unknown, reply: unknown): void => {
    if (typeof reply !== 'function') return;
    const send = reply as (answer: T | null) => void;
    Promise.resolve()
      .then(() => answer(payload))
      .then(send, (error: unknown) => {
        log(`answering ${event} failed`, error);
        send(null);
      });
  };
  const emitter = io as unknown as ServerSideEmitter;
  emitter.on(event, listener);
  return () => emitter.off(event, listener);
}
