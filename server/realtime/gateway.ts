/**
 * Socket.IO gateway of the live floor: one room per site, join = snapshot (or catch-up diff), then seq-numbered
 * diffs at a fixed patch rate. Handlers are thin: validate, read the site's FloorFeed, ack.
 */
import type { Socket } from 'socket.io';
import { PROTOCOL_VERSION } from '../protocol/floor.ts';
import {
  JoinRequestSchema,
  LeaveRequestSchema,
  type ClientToServerEvents,
  type JoinRequest,
  type JoinResult,
  type ServerToClientEvents,
  type WireError,
} from '../protocol/socket.ts';
import type { FloorFeed } from './floor-feed.ts';
import { ackOf, serve, validationDetails, wireError } from './socket-handlers.ts';
import { deniedUnless } from './socket-auth.ts';
import { STAFF_ROLES } from '../auth/principal.ts';
import { answerOtherServers, askOtherServers, defaultRealtimeLog, type FloorServer, type RealtimeLog } from './socket-server.ts';

export { createSocketServer, type FloorServer, type SocketServer, type SocketServerOptions } from './socket-server.ts';

type FloorSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

/** Finds the FloorFeed of a site this process serves. */
export interface FloorFeedRegistry {
  get(siteId: string): FloorFeed | undefined;
}

/** Options of {@link attachFloorGateway}. */
export interface FloorGatewayOptions {
  /** Interval between diffs to a site's room, milliseconds (100 = 10 Hz). */
  readonly patchMs: number;
  readonly log?: RealtimeLog;
  /**
   * Where a site is decided when it is not here (issue 10): 'remote' — a join is answered by the owner over the Redis
   * adapter and its diffs reach the room through the adapter; 'moving' — SITE_MOVING (the client joins again).
   */
  readonly placement?: (siteId: string) => 'moving' | 'remote' | undefined;
}

const JOIN_FORWARD_EVENT = 'floor:join';

/** Handle on an attached gateway. */
export interface FloorGateway {
  /**
   * Starts the site's broadcaster without a local join (this process owns a site whose viewers are connected to
   * other processes). False for an unknown site or a closed gateway.
   */
  watch(siteId: string): boolean;
  /** Stops broadcasting the site (it closed here: another process decides it now, or this one is stopping). */
  unwatch(siteId: string): void;
  /** Sends the site's pending patch now (e.g. before a planned shutdown). */
  flush(siteId: string): void;
  /** Stops every broadcaster and answers further joins with UNAVAILABLE. Does not close the Socket.IO server. */
  close(): void;
}

/** Room of a site's floor viewers. */
export function siteRoom(siteId: string): string {
  return `site:${siteId}`;
}

type LeaveResult = { ok: boolean; error?: WireError };

/**
 * Serves `site:join` / `site:leave` on `io` and broadcasts each joined site's diffs to its room every `patchMs`.
 * Broadcasters start on the first join (or {@link FloorGateway.watch}) and stop on close or when the site
 * disappears from the registry.
 */
export function attachFloorGateway(io: FloorServer, sites: FloorFeedRegistry, options: FloorGatewayOptions): FloorGateway {
  if (!(options.patchMs > 0)) throw new RangeError(`patchMs must be positive, got ${String(options.patchMs)}`);
  const log = options.log ?? defaultRealtimeLog;
  const broadcasters = new Map<string, NodeJS.Timeout>();
  /** Sites whose patch waits for the commit in flight. */
  const deferred = new Set<string>();
  let closed = false;

  /** Emits the accumulated diff, if any. Everything the room saw so far is then at the feed's seq. */
  function sendPatch(siteId: string, feed: FloorFeed): void {
    const diff = feed.takePatch();
    if (diff !== null) io.to(siteRoom(siteId)).emit('site:diff', diff);
  }

  function ensureBroadcaster(siteId: string): void {
    if (closed || broadcasters.has(siteId)) return;
    const timer = setInterval(() => {
      // A throw in a timer would take the process down; a broken patch must only cost this tick.
      try {
        const feed = sites.get(siteId);
        if (feed === undefined) {
          stopBroadcaster(siteId);
          return;
        }
        if (!feed.settled) {
          // Under steady load a commit is almost always in flight when the timer fires: send this patch the moment
          // it resolves rather than skip the tick (skipping sent no diffs at all with 500 pickers).
          if (deferred.has(siteId)) return;
          deferred.add(siteId);
          whenSettled(feed, () => {
            deferred.delete(siteId);
            if (!closed) sendPatch(siteId, feed);
          }).catch((error: unknown) => {
            deferred.delete(siteId);
            log(`deferred patch for site ${siteId} failed`, error);
          });
          return;
        }
        sendPatch(siteId, feed);
      } catch (error) {
        log(`patch for site ${siteId} failed`, error);
      }
    }, options.patchMs);
    timer.unref();
    broadcasters.set(siteId, timer);
  }

  function stopBroadcaster(siteId: string): void {
    const timer = broadcasters.get(siteId);
    if (timer !== undefined) clearInterval(timer);
    broadcasters.delete(siteId);
  }

  function join(socket: FloorSocket, raw: unknown): JoinResult | Promise<JoinResult> {
    // The floor room carries every tenant's stock: warehouse staff only (clients have the portal's tenant room).
    const denied = deniedUnless(socket, STAFF_ROLES, 'watch the floor');
    if (denied !== null) return { ok: false, error: denied };
    const parsed = JoinRequestSchema.safeParse(raw);
    if (!parsed.success) {
      return { ok: false, error: wireError('BAD_REQUEST', 'invalid site:join request', validationDetails(parsed.error)) };
    }
    const request = parsed.data;
    if (request.protocolVersion !== PROTOCOL_VERSION) {
      return {
        ok: false,
        error: wireError('PROTOCOL_MISMATCH', `protocol version ${request.protocolVersion} is not supported`, {
          serverVersion: PROTOCOL_VERSION,
        }),
      };
    }
    if (closed) return { ok: false, error: wireError('UNAVAILABLE', 'the floor gateway is shutting down') };
    const feed = sites.get(request.siteId);
    if (feed === undefined) {
      const where = options.placement?.(request.siteId);
      if (where === 'remote') return joinRemote(socket, request);
      if (where === 'moving') return { ok: false, error: wireError('SITE_MOVING', `site ${request.siteId} is moving to another server; join again`) };
      return { ok: false, error: wireError('UNKNOWN_SITE', `unknown site ${request.siteId}`) };
    }
    const answer = answerFrom(feed, request);
    ensureBroadcaster(request.siteId);
    // A batch is between decision and commit: answer once it is resolved, so a joiner never sees uncommitted state.
    if (!feed.settled) return whenSettled(feed, () => joinSettled(socket, request.siteId, feed, answer));
    return joinSettled(socket, request.siteId, feed, answer);
  }

  function answerFrom(feed: FloorFeed, request: JoinRequest): () => JoinResult {
    return () => {
      if (request.since !== undefined) {
        const diff = feed.diffSince(request.since);
        if (diff !== null) return { ok: true, kind: 'diff', diff };
      }
      return { ok: true, kind: 'snapshot', snapshot: feed.snapshot() };
    };
  }

  /**
   * A join at a process that does not decide the site: the socket enters the room here first (the owner's diffs reach
   * it through the adapter from then on), then the owner answers with its snapshot or diff. A diff that overtakes the
   * answer is a gap to the client, which joins again with `since` (the protocol's seqs, never adapter delivery order).
   */
  async function joinRemote(socket: FloorSocket, request: JoinRequest): Promise<JoinResult> {
    await socket.join(siteRoom(request.siteId));
    const answer = await askOtherServers<JoinResult>(io, JOIN_FORWARD_EVENT, request, log);
    if (answer !== null) return answer;
    await socket.leave(siteRoom(request.siteId));
    return { ok: false, error: wireError('SITE_MOVING', `the server deciding site ${request.siteId} did not answer; join again`) };
  }

  // Joins other processes forward here: answered (after a flush, like a local join) when this process has the feed.
  const stopAnswering = answerOtherServers<JoinResult>(
    io,
    JOIN_FORWARD_EVENT,
    (payload) => {
      const parsed = JoinRequestSchema.safeParse(payload);
      if (closed || !parsed.success) return null;
      const feed = sites.get(parsed.data.siteId);
      if (feed === undefined) return null;
      ensureBroadcaster(parsed.data.siteId);
      const answer = answerFrom(feed, parsed.data);
      return whenSettled(feed, () => {
        sendPatch(parsed.data.siteId, feed);
        return answer();
      });
    },
    log,
  );

  function joinSettled(socket: FloorSocket, siteId: string, feed: FloorFeed, answer: () => JoinResult): JoinResult | Promise<JoinResult> {
    // Flush first so the room is at the current seq: the next diff then starts exactly where this ack ends, and
    // the joining socket (not yet in the room) does not receive changes its ack already contains. The caller acks
    // in the same synchronous run, so no diff can slip between the answer and the ack.
    sendPatch(siteId, feed);
    const joining = socket.join(siteRoom(siteId));
    if (joining instanceof Promise) {
      // An asynchronous adapter: changes may be committed meanwhile, so flush again (the socket may then see that
      // diff just before its ack; diffs carry absolute values, so applying it is harmless).
      return joining.then(() => {
        sendPatch(siteId, feed);
        return answer();
      });
    }
    return answer();
  }

  /** Runs `work` in the same synchronous run as the check that the feed is settled. */
  async function whenSettled<T>(feed: FloorFeed, work: () => T | Promise<T>): Promise<T> {
    while (!feed.settled) await feed.nextReport();
    return work();
  }

  function leave(socket: FloorSocket, raw: unknown): LeaveResult | Promise<LeaveResult> {
    const parsed = LeaveRequestSchema.safeParse(raw);
    if (!parsed.success) {
      return { ok: false, error: wireError('BAD_REQUEST', 'invalid site:leave request', validationDetails(parsed.error)) };
    }
    const leaving = socket.leave(siteRoom(parsed.data.siteId));
    return leaving instanceof Promise ? leaving.then(() => ({ ok: true })) : { ok: true };
  }

  function onConnection(socket: FloorSocket): void {
    socket.on('site:join', (raw: unknown, ack: unknown) => {
      serve(log, 'site:join', () => join(socket, raw), ackOf<JoinResult>(ack), {
        ok: false,
        error: wireError('INTERNAL', 'join failed'),
      });
    });
    socket.on('site:leave', (raw: unknown, ack: unknown) => {
      serve(log, 'site:leave', () => leave(socket, raw), ackOf<LeaveResult>(ack), {
        ok: false,
        error: wireError('INTERNAL', 'leave failed'),
      });
    });
  }

  io.on('connection', onConnection);

  return {
    watch(siteId) {
      if (sites.get(siteId) === undefined) return false;
      ensureBroadcaster(siteId);
      return !closed;
    },
    unwatch(siteId) {
      stopBroadcaster(siteId);
    },
    flush(siteId) {
      const feed = sites.get(siteId);
      if (feed !== undefined) sendPatch(siteId, feed);
    },
    close() {
      closed = true;
      io.off('connection', onConnection);
      stopAnswering();
      for (const siteId of [...broadcasters.keys()]) stopBroadcaster(siteId);
    },
  };
}
