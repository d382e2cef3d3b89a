/**
 * Writes the analytics facts of one site from its committed events (like `server/realtime/kpi-feed.ts` counts them).
 *
 * Start: subscribes to the runner (events committed meanwhile are held), reads the site's cursor and catches up from
 * the log after it, then writes the held and every later commit, one transaction per run of events: facts + cursor.
 * Replay-safe: facts are keyed by (site, seq) and inserted with ON CONFLICT DO NOTHING, so replaying any part of the log
 * (`replayLog`, a restart, a retry) leaves the same rows.
 * Failure: a failed write is logged and retried after `retryMs` by catching up from the log at the cursor (the events
 * are the log's, so nothing is lost; the runner is never slowed or failed by analytics).
 * Mismatched scans are not in the log: `recordMismatchedScan` writes them as they happen.
 */
import type pg from 'pg';
import type { SiteRunner } from '../site/site-runner.ts';
import type { EventStore } from '../store/event-store.ts';
import type { SequencedEvent } from '../twin/events.ts';
import {
  analyticsTables,
  ensureMonths,
  inScope,
  insertMismatchedScan,
  lookupOrders,
  readCursor,
  writeFacts,
  type AnalyticsTables,
} from './analytics-store.pg.ts';
import { factsOf, ordersToResolve, type OrderIndex } from './facts.ts';

/** Events per page when catching up from the log. */
const PAGE_SIZE = 5_000;

export interface AnalyticsRecorderOptions {
  readonly runner: Pick<SiteRunner, 'siteId' | 'subscribe'>;
  readonly store: Pick<EventStore, 'loadPages'>;
  readonly pool: pg.Pool;
  readonly schema: string;
  /** Twin time (the site's clock): when a refused scan happened. */
  readonly now: () => number;
  /** Wait before catching up again after a failed write, ms (default 5 s). */
  readonly retryMs?: number;
  readonly log?: (message: string, error?: unknown) => void;
}

/** Counters of what the recorder did (for logs and tests). */
export interface RecorderStats {
  /** Events written (facts or not), live and caught up. */
  events: number;
  /** Order events whose order's creation was not found: not attributable to a tenant, skipped. */
  unattributed: number;
  failures: number;
}

/** Records one site's facts; see the file comment. */
export class AnalyticsRecorder {
  readonly stats: RecorderStats = { events: 0, unattributed: 0, failures: 0 };
  private readonly tables: AnalyticsTables;
  private readonly index: OrderIndex = new Map();
  private cursor = 0;
  private held: SequencedEvent[] = [];
  private catchUpNeeded = true;
  private running: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private closed = false;
  private readonly scanWrites = new Set<Promise<void>>();

  private constructor(private readonly options: AnalyticsRecorderOptions) {
    this.tables = analyticsTables(options.schema);
  }

  /** Subscribes to the runner, catches up from the log after the stored cursor, then records every commit. */
  static async start(options: AnalyticsRecorderOptions): Promise<AnalyticsRecorder> {
    const recorder = new AnalyticsRecorder(options);
    recorder.unsubscribe = options.runner.subscribe({
      committed: (events) => recorder.committed(events),
      volatile: () => undefined,
      // Only committed events were recorded, and the reloaded twin is the log: nothing to undo.
      reloaded: () => undefined,
    });
    recorder.cursor = (await readCursor(options.pool, recorder.tables, options.runner.siteId)).seq;
    recorder.kick();
    await recorder.idle();
    return recorder;
  }

  /**
   * Writes the facts of the site's whole log again (or after `afterSeq`) without a runner: a rebuild or a check that
   * recording is idempotent. Returns the number of events read.
   */
  static async replayLog(options: Omit<AnalyticsRecorderOptions, 'runner' | 'retryMs' | 'now'> & { readonly siteId: string; readonly afterSeq?: number }): Promise<number> {
    const recorder = new AnalyticsRecorder({ ...options, runner: { siteId: options.siteId, subscribe: () => () => undefined }, now: () => 0 });
    let read = 0;
    for await (const page of options.store.loadPages(options.siteId, options.afterSeq ?? 0, PAGE_SIZE)) {
      await recorder.write(page);
      read += page.length;
    }
    return read;
  }

  get siteId(): string {
    return this.options.runner.siteId;
  }

  /** Seq of the last event recorded. */
  get seq(): number {
    return this.cursor;
  }

  /**
   * Resolves when everything committed so far is recorded (or the last attempt failed and waits for its retry), and
   * the refused scans reported so far are written.
   */
  async idle(): Promise<void> {
    while (this.running !== null || this.scanWrites.size > 0) await Promise.all([this.running, ...this.scanWrites]);
  }

  /** Records a confirm scan refused as the wrong location or item, at twin time `at` (now). Never throws (logs instead). */
  async recordMismatchedScan(at: number = this.options.now()): Promise<void> {
    if (this.closed) return;
    const write = insertMismatchedScan(this.options.pool, this.tables, this.siteId, at).catch((error: unknown) => {
      this.stats.failures++;
      this.log(`analytics: mismatched scan of site ${this.siteId} not recorded`, error);
    });
    this.scanWrites.add(write);
    try {
      await write;
    } finally {
      this.scanWrites.delete(write);
    }
  }

  /** Stops recording; a write in flight finishes. */
  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    await this.idle();
  }

  private committed(events: readonly SequencedEvent[]): void {
    // Waiting to retry: the retry reads these from the log, so nothing is held (memory stays bounded while Postgres is away).
    if (this.closed || this.retryTimer !== null) return;
    for (const e of events) this.held.push(e);
    this.kick();
  }

  private kick(): void {
    if (this.running !== null || this.closed) return;
    this.running = this.drain().finally(() => {
      this.running = null;
      // A commit heard while the last write finished.
      if (this.held.length > 0 && this.retryTimer === null) this.kick();
    });
  }

  private async drain(): Promise<void> {
    try {
      if (this.catchUpNeeded) {
        // Everything up to the log's end is read from the log; held events overlap it and are skipped by seq.
        for await (const page of this.options.store.loadPages(this.siteId, this.cursor, PAGE_SIZE)) {
          if (this.closed) return;
          await this.write(page);
        }
        this.catchUpNeeded = false;
      }
      while (this.held.length > 0 && !this.closed) {
        const events = this.held.filter((e) => e.seq > this.cursor);
        this.held = [];
        if (events.length === 0) continue;
        if (events[0]!.seq !== this.cursor + 1) {
          // A gap (a commit heard before the catch-up ended, or a failed write): read the log instead.
          this.catchUpNeeded = true;
          return this.drain();
        }
        await this.write(events);
      }
    } catch (error) {
      this.stats.failures++;
      this.held = [];
      this.catchUpNeeded = true;
      this.log(`analytics: recording site ${this.siteId} failed at seq ${this.cursor + 1}; catching up from the log later`, error);
      if (!this.closed && this.retryTimer === null) {
        this.retryTimer = setTimeout(() => {
          this.retryTimer = null;
          this.kick();
        }, this.options.retryMs ?? 5_000);
        this.retryTimer.unref();
      }
    }
  }

  /** Facts of consecutive events (ascending seq) in one transaction; then the cursor is theirs. */
  private async write(events: readonly SequencedEvent[]): Promise<void> {
    if (events.length === 0) return;
    const { pool } = this.options;
    const times = events.map(({ event }) => event.at as number);
    await ensureMonths(pool, this.tables, times);
    const batch = await inScope(pool, null, async (client) => {
      const missing = ordersToResolve(events, this.index);
      for (const [id, info] of await lookupOrders(client, this.tables, this.siteId, missing)) this.index.set(id, info);
      const facts = factsOf(events, this.index);
      await writeFacts(client, this.tables, this.siteId, facts);
      return facts;
    });
    this.stats.events += events.length;
    this.stats.unattributed += batch.unattributed;
    this.cursor = Math.max(this.cursor, batch.lastSeq ?? this.cursor);
  }

  private log(message: string, error?: unknown): void {
    (this.options.log ?? ((m: string, e?: unknown) => console.error(m, e)))(message, error);
  }
}

/** Finds the analytics recorder of a site this process serves. */
export interface RecorderRegistry {
  get(siteId: string): AnalyticsRecorder | undefined;
}

/**
 * The picking gateway's `onScan`, also recording refused scans for analytics (at the site's twin time): wraps the
 * existing handler (the KPI feed's `scanRecorder`).
 */
export function withMismatchRecording(
  onScan: (siteId: string, accepted: boolean) => void,
  recorders: RecorderRegistry,
): (siteId: string, accepted: boolean) => void {
  return (siteId, accepted) => {
    onScan(siteId, accepted);
    if (!accepted) void recorders.get(siteId)?.recordMismatchedScan();
  };
}
