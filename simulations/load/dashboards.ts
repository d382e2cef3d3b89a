/**
 * Simulated dashboards: floor subscribers (the 3D floor's protocol, client/src/net/floor-socket.ts) that join the
 * site's room, follow the seq-numbered `site:diff`s and count them. A diff that does not start at the seq held is a
 * gap; the dashboard re-joins with `since`, as the floor does.
 */
import { PROTOCOL_VERSION, type FloorDiff } from '../../server/protocol/floor.ts';
import type { JoinResult } from '../../server/protocol/socket.ts';
import { connected, openSocket } from './handhelds.ts';
import type { History } from './history.ts';

export interface DashboardOptions {
  readonly origin: string;
  /** Credential sent at the handshake as `auth: { token }`. */
  readonly token?: string;
  readonly siteId: string;
  readonly count: number;
  readonly ackTimeoutMs: number;
  readonly now: () => number;
  readonly history: History;
}

export interface DashboardStats {
  readonly dashboards: number;
  /** Dashboards that joined the room. */
  readonly joined: number;
  readonly diffs: number;
  readonly gaps: number;
  /** Diffs entirely behind the seq held (harmless, skipped). */
  readonly stale: number;
}

/** Live dashboards; `stop()` closes them and returns the counts. */
export interface Dashboards {
  /** Resolves once every dashboard has joined (or failed to). */
  readonly ready: Promise<void>;
  stop(): DashboardStats;
}

export function startDashboards(options: DashboardOptions): Dashboards {
  const stats = { dashboards: options.count, joined: 0, diffs: 0, gaps: 0, stale: 0 };
  const sockets = Array.from({ length: options.count }, () => openSocket(options.origin, options.token));

  const follow = async (index: number): Promise<void> => {
    const socket = sockets[index];
    if (socket === undefined) return;
    let seq: number | null = null;
    let joining = false;
    const join = (): Promise<void> => {
      joining = true;
      const op = options.history.invoke('join', options.now(), { dashboard: String(index) });
      op.tries++;
      const request = seq === null ? { siteId: options.siteId, protocolVersion: PROTOCOL_VERSION } : { siteId: options.siteId, since: seq, protocolVersion: PROTOCOL_VERSION };
      return new Promise((resolve) => {
        socket.timeout(options.ackTimeoutMs).emit('site:join', request, (err: Error | null, result: JoinResult) => {
          joining = false;
          if (err !== null) options.history.complete(op, options.now(), 'info', { code: 'TIMEOUT' });
          else if (!result.ok) options.history.complete(op, options.now(), 'fail', { code: result.error.code });
          else {
            seq = result.kind === 'snapshot' ? result.snapshot.seq : result.diff.toSeq;
            options.history.complete(op, options.now(), 'ok');
          }
          resolve();
        });
      });
    };
    socket.on('site:diff', (diff: FloorDiff) => {
      stats.diffs++;
      if (joining || seq === null) return;
      if (diff.fromSeq === seq) seq = diff.toSeq;
      else if (diff.toSeq <= seq) stats.stale++;
      else {
        stats.gaps++;
        void join();
      }
    });
    if (!(await connected(socket, 10_000))) return;
    await join();
    if (seq !== null) stats.joined++;
  };

  const ready = Promise.all(sockets.map((_, i) => follow(i))).then(() => undefined);
  return {
    ready,
    stop() {
      for (const socket of sockets) socket.close();
      return { ...stats };
    },
  };
}
