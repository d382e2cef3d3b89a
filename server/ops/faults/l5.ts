/**
 * L5 (issue 10, reliability.md §6.2): a reconnect storm. One server with the Redis adapter in the path (a private
 * redis-server), N floor viewers (socket.io-client over WebSocket, the site manager's token, default client backoff)
 * each joined to the site's room; then the server is restarted on the same port (SIGTERM, start again). Each viewer
 * re-joins on `connect` with `since` = the seq it holds, as client/src/net/floor-socket.ts does, and counts as back
 * when the join is answered with a snapshot or catch-up diff at or after the seq it had. Pass: every viewer back within
 * 30 s of the new server being ready (/readyz 200). Figures: per-viewer time from ready to re-joined (p50/p99), from
 * SIGTERM to all back, handshakes accepted per second, the resync payload's size.
 */
import { io as connect, type Socket } from 'socket.io-client';
import * as msgpackParser from 'socket.io-msgpack-parser';
import { watchSocketAuth } from '../../../client/src/auth/session.ts';
import { PROTOCOL_VERSION } from '../../protocol/floor.ts';
import type { ClientToServerEvents, JoinResult, ServerToClientEvents } from '../../protocol/socket.ts';
import { startServerProcess, uniqueSchema, type ServerProcess } from '../../testing/server-process.ts';
import { ms, machineLoad, quantile, readyAfter, report, serverEnv, SHORT, site } from './fault-kit.ts';
import type { PrivatePostgres } from './private-postgres.ts';
import { PrivateRedis } from './private-redis.ts';
import { freePort, waitFor } from './wait.ts';

type FloorClient = Socket<ServerToClientEvents, ClientToServerEvents>;

/** One floor viewer: its socket and what it has seen. */
interface Viewer {
  readonly socket: FloorClient;
  /** Seq of the floor state it holds (last join answer or diff), null before its first join. */
  seq: number | null;
  /** When its latest join was answered (performance.now()). */
  joinedAt: number | null;
  /** Kind of that answer. */
  joinedWith: 'snapshot' | 'diff' | null;
  joining: boolean;
  /** Size of the last snapshot it was answered with (a full resync) as JSON, bytes. */
  snapshotBytes: number;
}

const JOIN_TIMEOUT_MS = 10_000;
const RETRY_JOIN_MS = 500;

function openViewer(url: string, token: string, counters: { connects: number[]; connectErrors: Map<string, number>; refusedJoins: Map<string, number> }): Viewer {
  // forceNew: one connection per viewer (the default multiplexes every io() to one URL over a single Manager).
  // watchSocketAuth: the page's own handling of a refused handshake (UNAVAILABLE → connect again in 2 s; Socket.IO
  // does not retry a middleware refusal by itself).
  const socket: FloorClient = watchSocketAuth(connect(url, { transports: ['websocket'], parser: msgpackParser, auth: { token }, forceNew: true }), {
    onUnauthenticated: () => counters.connectErrors.set('UNAUTHENTICATED (sign-in page)', (counters.connectErrors.get('UNAUTHENTICATED (sign-in page)') ?? 0) + 1),
  });
  const viewer: Viewer = { socket, seq: null, joinedAt: null, joinedWith: null, joining: false, snapshotBytes: 0 };
  const join = (): void => {
    if (viewer.joining || !socket.connected) return;
    viewer.joining = true;
    const request = viewer.seq === null ? { siteId: site.id, protocolVersion: PROTOCOL_VERSION } : { siteId: site.id, since: viewer.seq, protocolVersion: PROTOCOL_VERSION };
    socket.timeout(JOIN_TIMEOUT_MS).emit('site:join', request, (error: Error | null, result: JoinResult) => {
      viewer.joining = false;
      if (error !== null || !result.ok) {
        const why = error !== null ? 'timeout' : result.ok ? '' : result.error.code;
        counters.refusedJoins.set(why, (counters.refusedJoins.get(why) ?? 0) + 1);
        setTimeout(join, RETRY_JOIN_MS);
        return;
      }
      viewer.seq = result.kind === 'snapshot' ? result.snapshot.seq : result.diff.toSeq;
      viewer.joinedWith = result.kind;
      viewer.joinedAt = performance.now();
      if (result.kind === 'snapshot') viewer.snapshotBytes = JSON.stringify(result).length;
    });
  };
  socket.on('connect', () => {
    counters.connects.push(performance.now());
    join();
  });
  socket.on('site:diff', (diff) => {
    if (viewer.seq !== null && diff.fromSeq <= viewer.seq && diff.toSeq > viewer.seq) viewer.seq = diff.toSeq;
  });
  socket.on('connect_error', (error) => counters.connectErrors.set(error.message, (counters.connectErrors.get(error.message) ?? 0) + 1));
  // Socket.IO reconnects by itself except after a server-side disconnect; then the client asks again (floor-socket.ts).
  socket.on('disconnect', (reason) => {
    if (reason === 'io server disconnect') setTimeout(() => socket.connect(), 1000 * (0.5 + Math.random()));
  });
  return viewer;
}

export async function l5(postgres: PrivatePostgres): Promise<void> {
  const count = SHORT ? 300 : 2000;
  const withinMs = 30_000;
  const redis = await PrivateRedis.start();
  const port = await freePort();
  const env = { ...serverEnv(postgres, uniqueSchema('l5'), { REDIS_URL: redis.url }), PORT: String(port) };
  let server: ServerProcess | null = await startServerProcess(env);
  const counters = { connects: [] as number[], connectErrors: new Map<string, number>(), refusedJoins: new Map<string, number>() };
  const viewers: Viewer[] = [];
  let output = '';
  try {
    const loadBefore = machineLoad();
    const openedAt = performance.now();
    for (let i = 0; i < count; i++) viewers.push(openViewer(server.url, server.token, counters));
    await waitFor(() => viewers.every((v) => v.joinedAt !== null), 120_000, `${count} viewers joined`);
    const firstJoinMs = performance.now() - openedAt;
    const seqBefore = Math.max(...viewers.map((v) => v.seq ?? 0));
    counters.connects.length = 0;
    counters.connectErrors.clear();
    counters.refusedJoins.clear();

    const termAt = performance.now();
    output += server.output();
    const exitCode = await server.stop('SIGTERM');
    const exitedAt = performance.now();
    server = null;
    const spawnedAt = performance.now();
    const stopPolling = new AbortController();
    const ready = readyAfter(port, spawnedAt, stopPolling.signal);
    server = await startServerProcess(env).catch((error: unknown) => {
      stopPolling.abort();
      throw error;
    });
    const readyAt = spawnedAt + (await ready);
    const back = (v: Viewer): boolean => v.joinedAt !== null && v.joinedAt > termAt && (v.seq ?? -1) >= seqBefore;
    const allBack = await waitFor(() => viewers.every(back), Math.max(0, readyAt + withinMs + 10_000 - performance.now()), 'every viewer re-joined').then(
      () => performance.now(),
      () => null,
    );
    const rejoinMs = viewers.filter(back).map((v) => Math.max(0, (v.joinedAt ?? 0) - readyAt));
    const connects = counters.connects.filter((at) => at > termAt).sort((a, b) => a - b);
    const perSecond = new Map<number, number>();
    for (const at of connects) perSecond.set(Math.floor(at / 1000), (perSecond.get(Math.floor(at / 1000)) ?? 0) + 1);
    const spanS = connects.length > 1 ? ((connects[connects.length - 1] ?? 0) - (connects[0] ?? 0)) / 1000 : NaN;
    const sizes = viewers.map((v) => v.snapshotBytes);
    report(
      `L5 reconnect storm: ${count} floor viewers, server restarted on its port (SIGTERM, start again; Redis adapter)`,
      {
        'every viewer re-joined': allBack !== null,
        [`every viewer back within ${withinMs / 1000} s of the new server ready`]: allBack !== null && Math.max(...rejoinMs) <= withinMs,
        'SIGTERM exit code 0': exitCode === 0,
      },
      {
        viewers: count,
        'first join of all': ms(firstJoinMs),
        'SIGTERM → exit / start → ready (/readyz 200)': `${ms(exitedAt - termAt)} / ${ms(readyAt - spawnedAt)}`,
        're-joined': `${viewers.filter(back).length} / ${count}`,
        'ready → all re-joined': allBack === null ? 'not all' : ms(Math.max(0, allBack - readyAt)),
        'SIGTERM → all re-joined': allBack === null ? 'not all' : ms(allBack - termAt),
        'ready → re-joined per viewer p50/p99/max': `${ms(quantile(rejoinMs, 0.5))} / ${ms(quantile(rejoinMs, 0.99))} / ${ms(Math.max(...rejoinMs))}`,
        'answers (snapshot/diff)': `${viewers.filter((v) => back(v) && v.joinedWith === 'snapshot').length} / ${viewers.filter((v) => back(v) && v.joinedWith === 'diff').length}`,
        'handshakes accepted': `${connects.length} (${(connects.length / spanS).toFixed(0)}/s over ${spanS.toFixed(1)} s, peak ${Math.max(0, ...perSecond.values())} in one second)`,
        'refused handshakes (connect_error)': Object.fromEntries(counters.connectErrors),
        'refused or timed-out joins': Object.fromEntries(counters.refusedJoins),
        'full-resync (snapshot) answer size as JSON p50/p99': `${Math.round(quantile(sizes, 0.5) / 1024)} KB / ${Math.round(quantile(sizes, 0.99) / 1024)} KB`,
        'machine load (1-min average) before / after': `${loadBefore} / ${machineLoad()}`,
        'seq before / after': `${seqBefore} / ${Math.min(...viewers.map((v) => v.seq ?? 0))}`,
      },
    );
  } catch (error) {
    console.error(`L5 server output (tail):\n${(output + (server?.output() ?? '')).slice(-4000)}`);
    throw error;
  } finally {
    for (const viewer of viewers) viewer.socket.disconnect();
    await server?.stop('SIGKILL');
    await redis.stop();
  }
}
