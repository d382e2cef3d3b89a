/**
 * Keeps a FloorStore in step with the server: joins the site's room, applies the seq-numbered diffs, and re-joins
 * with `since` after a gap or a reconnect (the server answers with the missing diff or a fresh snapshot).
 * Socket.IO's own reconnection supplies the exponential backoff; delivery is never trusted, the seqs are.
 */
import { io, type Socket } from 'socket.io-client';
import * as msgpackParser from 'socket.io-msgpack-parser';
import { watchSocketAuth } from '../auth/session.ts';
import { PROTOCOL_VERSION, type FloorActivity, type FloorDiff } from '../../../server/protocol/floor.ts';
import type { KpiView } from '../../../server/protocol/kpis.ts';
import type { ClientToServerEvents, JoinRequest, JoinResult, ServerToClientEvents } from '../../../server/protocol/socket.ts';
import type { DiffOutcome, FloorStore } from './floor-store.ts';
import { markLoad, perfProbe } from '../perf-probe.ts';
import { markExtraStep } from '../floor/extra-marks.ts';

/** A live connection; `close` leaves the room and stops reconnecting. */
export interface FloorConnection {
  close(): void;
}

/** Options for `connectFloor`; defaults suit the browser at the server's origin. */
export interface FloorConnectionOptions {
  /** Server origin; undefined = the page's origin. */
  readonly url?: string;
  /** Monotonic clock in ms for interpolation timestamps. */
  readonly now?: () => number;
  readonly joinTimeoutMs?: number;
  /** Hears the site's KPIs, sent to the room every 2 s (`kpi-store.ts` `connectKpis(…).onKpis`). */
  readonly onKpis?: (view: KpiView) => void;
  /** Hears each stock activity (receipt, put-away, count…) as it is committed (`activity-store.ts`). */
  readonly onActivity?: (activity: FloorActivity) => void;
  /**
   * Resolves once the store holds the site's layout. Until then the socket connects and joins (the server's answer
   * overlaps the layout's download) but the answer and any diffs are held: a snapshot needs the layout to land in.
   */
  readonly layoutReady?: Promise<unknown>;
  /** A socket opened before the site was known (`openFloorSocket`), so its handshake overlapped; closed with us. */
  readonly socket?: FloorSocket;
}

/** Diffs that arrive while a join is in flight are held (at most this many) and applied after it. */
const MAX_BUFFERED_DIFFS = 256;
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 10_000;
/** Status detail while the join's answer waits for the layout. */
export const HELD_DETAIL = 'answered; waiting for the layout';
/** This many stale diffs in a row means the server's history is behind ours (e.g. it restarted on fresh data). */
const MAX_CONSECUTIVE_STALE = 20;

/** The floor's Socket.IO socket. */
export type FloorSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Opens a socket to the floor gateway (`url` undefined = the page's origin); it connects at once. */
export function openFloorSocket(url?: string): FloorSocket {
  const socket: FloorSocket = watchSocketAuth(io(url ?? '', { path: '/socket.io', parser: msgpackParser, transports: ['websocket', 'polling'] }));
  socket.once('connect', () => markExtraStep('socket-connected'));
  return socket;
}

/** A catch-up that is a gap, or that ends before our seq (the server's history is not ours), needs a snapshot. */
const isBehindOrGap = (outcome: DiffOutcome, diff: FloorDiff, seq: number | null): boolean =>
  outcome === 'gap' || (outcome === 'stale' && seq !== null && diff.toSeq < seq);

/** Connects `store` to the live floor of `siteId`. */
export function connectFloor(store: FloorStore, siteId: string, options: FloorConnectionOptions = {}): FloorConnection {
  const now = options.now ?? (() => performance.now());
  const joinTimeoutMs = options.joinTimeoutMs ?? 10_000;
  const socket = options.socket ?? openFloorSocket(options.url);

  let closed = false;
  let joining = false;
  /** Set when a catch-up went wrong: the next join asks for a fresh snapshot. */
  let wantSnapshot = false;
  let buffered: FloorDiff[] = [];
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let retryDelayMs = RETRY_MIN_MS;
  let layoutIn = options.layoutReady === undefined;
  /** A join answer that came before the layout: applied when the layout is in. */
  let heldAnswer: JoinResult | null = null;

  const scheduleRetry = (): void => {
    if (closed || retryTimer !== null) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      join();
    }, retryDelayMs);
    retryDelayMs = Math.min(RETRY_MAX_MS, retryDelayMs * 2);
  };

  let consecutiveStale = 0;

  const reconnectLater = (): void => {
    if (closed || retryTimer !== null) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      if (!closed && !socket.connected) socket.connect();
    }, retryDelayMs);
    retryDelayMs = Math.min(RETRY_MAX_MS, retryDelayMs * 2);
  };

  const applyLive = (diff: FloorDiff): void => {
    const t0 = perfProbe.start();
    const outcome = store.applyDiff(diff, now());
    perfProbe.end('diff', t0);
    consecutiveStale = outcome === 'stale' ? consecutiveStale + 1 : 0;
    if (outcome === 'gap') {
      join();
    } else if (consecutiveStale >= MAX_CONSECUTIVE_STALE) {
      consecutiveStale = 0;
      wantSnapshot = true;
      join();
    }
  };

  const onJoined = (result: JoinResult): void => {
    if (!result.ok) {
      store.setStatus('error', `${result.error.code}: ${result.error.message}`);
      scheduleRetry();
      return;
    }
    if (result.kind === 'snapshot') {
      markLoad('snapshot-received');
      store.applySnapshot(result.snapshot, now());
      markLoad('snapshot-applied');
    } else if (isBehindOrGap(store.applyDiff(result.diff, now()), result.diff, store.seq)) {
      // The server's catch-up does not lead on from where we are: start over from a snapshot.
      wantSnapshot = true;
      buffered = [];
      join();
      return;
    }
    wantSnapshot = false;
    retryDelayMs = RETRY_MIN_MS;
    store.setStatus('live');
    const pending = buffered;
    buffered = [];
    for (const diff of pending) {
      if (joining) break;
      applyLive(diff);
    }
  };

  function join(): void {
    if (closed || joining || !socket.connected) return;
    joining = true;
    const since = wantSnapshot ? null : store.seq;
    store.setStatus(since === null ? 'joining' : 'resyncing');
    const request: JoinRequest =
      since === null ? { siteId, protocolVersion: PROTOCOL_VERSION } : { siteId, since, protocolVersion: PROTOCOL_VERSION };
    markExtraStep('join-sent');
    socket.timeout(joinTimeoutMs).emit('site:join', request, (err: Error | null, result: JoinResult) => {
      joining = false;
      if (closed) return;
      if (err !== null) {
        store.setStatus('error', 'join timed out');
        scheduleRetry();
        return;
      }
      markExtraStep('join-answered');
      if (!layoutIn) {
        // Still "joining" for the diffs that follow: they are buffered until the answer is applied.
        joining = true;
        heldAnswer = result;
        store.setStatus('joining', HELD_DETAIL);
        return;
      }
      onJoined(result);
    });
  }

  options.layoutReady?.then(
    () => {
      layoutIn = true;
      const answer = heldAnswer;
      heldAnswer = null;
      if (closed || answer === null) return;
      joining = false;
      onJoined(answer);
    },
    // The page reports a failed layout itself; this connection is closed with it.
    () => undefined,
  );

  socket.on('connect', () => {
    buffered = [];
    join();
  });
  socket.on('disconnect', (reason) => {
    joining = false;
    heldAnswer = null;
    buffered = [];
    if (closed) return;
    // A pending join retry is moot while disconnected: 'connect' joins again.
    if (retryTimer !== null) clearTimeout(retryTimer);
    retryTimer = null;
    store.setStatus('offline', reason);
    // Socket.IO reconnects by itself except when the server closed the socket (e.g. on a graceful restart).
    if (reason === 'io server disconnect') reconnectLater();
  });
  socket.on('connect_error', (error) => {
    store.setStatus('offline', error.message);
  });
  socket.on('site:diff', (diff) => {
    if (closed) return;
    if (joining) {
      // Held until the join answers; if too many pile up, the snapshot or catch-up covers them anyway.
      if (buffered.length < MAX_BUFFERED_DIFFS) buffered.push(diff);
      return;
    }
    applyLive(diff);
  });

  if (options.onKpis !== undefined) socket.on('site:kpis', options.onKpis);
  if (options.onActivity !== undefined) socket.on('floor:activity', options.onActivity);

  store.setStatus('connecting');
  // A socket opened earlier may be connected already: its 'connect' has passed.
  if (socket.connected) join();
  return {
    close(): void {
      closed = true;
      if (retryTimer !== null) clearTimeout(retryTimer);
      socket.close();
    },
  };
}
