/**
 * The KPI panels' feed of one site: counts the runner's committed events into a `KpiAccumulator`, records handheld
 * scan outcomes, and emits the `KpiView` as `site:kpis` to the site's floor room every `emitEveryMs` (2 s).
 *
 * Start: with a store, the log is replayed (`loadPages`) so the panels show the last 24 hours at once; events committed
 * meanwhile are held and counted after it, each seq once. Without a store, counting starts from the committed twin
 * (open orders keep their creation time, signed-on operatives count from now).
 * Reload: the runner reloads the twin from the log after a failed commit. The feed only ever counted committed events,
 * which is what the log holds, so it carries on unchanged.
 * Scan accuracy is not in the log: it counts from the feed's start.
 */
import type { KpiView } from '../protocol/kpis.ts';
import type { SiteRunner } from '../site/site-runner.ts';
import type { EventStore } from '../store/event-store.ts';
import type { SequencedEvent } from '../twin/events.ts';
import type { EpochMs } from '../twin/ids.ts';
import { cutoffStatus, KpiAccumulator } from '../twin/kpis.ts';
import { siteRoom } from './gateway.ts';
import { defaultRealtimeLog, type FloorServer, type RealtimeLog } from './socket-server.ts';

/** Default interval between `site:kpis` emissions, ms. */
export const KPI_EMIT_MS = 2_000;
/** Events per page when replaying the log at start. */
const REPLAY_PAGE_SIZE = 5_000;

/** Options of {@link KpiFeed.start}. */
export interface KpiFeedOptions {
  readonly runner: SiteRunner;
  /** Twin time: the site's clock (the same one the runner decides with). */
  readonly now: () => EpochMs;
  /** Replays the site's log at start when given; otherwise counting starts from the current twin. */
  readonly store?: Pick<EventStore, 'loadPages'>;
  /** Emits `site:kpis` to the site's floor room when given. */
  readonly io?: FloorServer;
  readonly emitEveryMs?: number;
  readonly log?: RealtimeLog;
}

/** KPIs of one site, fed by its runner. See the file comment for start, reload and scans. */
export class KpiFeed {
  private readonly kpis: KpiAccumulator;
  private held: SequencedEvent[][] | null = [];
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private closed = false;

  private constructor(private readonly options: KpiFeedOptions) {
    this.kpis = new KpiAccumulator(options.runner.siteId);
  }

  /** Subscribes to the runner, replays the log (or seeds from the twin), then emits every `emitEveryMs` if `io` is given. */
  static async start(options: KpiFeedOptions): Promise<KpiFeed> {
    const emitEveryMs = options.emitEveryMs ?? KPI_EMIT_MS;
    if (!(emitEveryMs > 0)) throw new RangeError(`emitEveryMs must be positive, got ${String(emitEveryMs)}`);
    const feed = new KpiFeed(options);
    await feed.catchUp();
    if (options.io !== undefined && !feed.closed) feed.startEmitting(options.io, emitEveryMs);
    return feed;
  }

  get siteId(): string {
    return this.options.runner.siteId;
  }

  /** Seq of the last event counted. */
  get seq(): number {
    return this.kpis.lastSeq;
  }

  /** The KPI view now, from committed state. */
  view(): Promise<KpiView> {
    return this.options.runner.read((twin) => {
      const now = this.options.now();
      return this.kpis.view(now, cutoffStatus(twin, now));
    });
  }

  /**
   * Counts a handheld scan that reached the twin at the current twin time: accepted, or refused as the wrong location
   * or item. Wired to the picking gateway's `onScan`.
   */
  recordScan(accepted: boolean): void {
    if (!this.closed) this.kpis.recordScan(this.options.now(), accepted);
  }

  /** Stops emitting and counting. */
  close(): void {
    this.closed = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  private async catchUp(): Promise<void> {
    const { runner, store } = this.options;
    this.unsubscribe = runner.subscribe({
      committed: (events) => {
        if (this.held !== null) this.held.push([...events]);
        else this.kpis.addEvents(events);
      },
      volatile: () => undefined,
      // Only committed events were counted, and the reloaded twin is the log: nothing to undo.
      reloaded: () => undefined,
    });
    try {
      if (store !== undefined) {
        for await (const page of store.loadPages(runner.siteId, 0, REPLAY_PAGE_SIZE)) {
          if (this.closed) return;
          this.kpis.addEvents(page);
        }
      } else {
        await runner.read((twin) => this.kpis.seed(twin, this.options.now()));
      }
    } finally {
      const held = this.held ?? [];
      this.held = null;
      for (const events of held) this.kpis.addEvents(events);
    }
  }

  private startEmitting(io: FloorServer, emitEveryMs: number): void {
    const log = this.options.log ?? defaultRealtimeLog;
    const room = siteRoom(this.siteId);
    let inFlight = false;
    this.timer = setInterval(() => {
      if (inFlight) return;
      inFlight = true;
      this.view()
        .then((view) => {
          if (!this.closed) io.to(room).emit('site:kpis', view);
        })
        .catch((error: unknown) => log(`kpis for site ${this.siteId} failed`, error))
        .finally(() => {
          inFlight = false;
        });
    }, emitEveryMs);
    this.timer.unref();
  }
}

/** Finds the KPI feed of a site this process serves. */
export interface KpiFeedRegistry {
  get(siteId: string): KpiFeed | undefined;
}

/** The picking gateway's `onScan`: counts the scan on the site's feed, if it has one. */
export function scanRecorder(feeds: KpiFeedRegistry): (siteId: string, accepted: boolean) => void {
  return (siteId, accepted) => feeds.get(siteId)?.recordScan(accepted);
}
