/**
 * The single decision-maker for one site: commands are decided in arrival order against the live twin, their events are
 * appended to the log in groups (one transaction per batch), and only then are callers acknowledged and views updated.
 * On any storage failure the runner stops, reloads the twin from the log, and answers the batch with UNAVAILABLE (fail-stop).
 */
import type { Clock } from '../twin/clock.ts';
import type { Command } from '../twin/commands.ts';
import type { DomainError } from '../twin/errors.ts';
import type { DurableEvent, OperativeMoved, SequencedEvent, TwinEvent } from '../twin/events.ts';
import { isDurable } from '../twin/events.ts';
import type { SiteDefinition } from '../twin/site.ts';
import type { TwinState } from '../twin/state.ts';
import { applySequenced, apply, createTwinState, decide, fromSnapshotData, snapshotJson } from '../twin/twin.ts';
import { SnapshotJson, type EventStore } from '../store/event-store.ts';
import { isStoreUnavailable } from '../ops/store-unavailable.ts';

/** Outcome of one submitted command, given only after its events are durable. */
export type SubmitResult =
  | { readonly ok: true; readonly events: readonly TwinEvent[]; readonly lastSeq: number }
  | { readonly ok: false; readonly error: DomainError | UnavailableError };

export interface UnavailableError {
  readonly code: 'UNAVAILABLE';
  readonly message: string;
  /** 'store': the log could not be written (HTTP answers 503 STORE_UNAVAILABLE); absent: the site is closing. */
  readonly cause?: 'store';
}

/** Who hears about changes after they are durable (the realtime feed). */
export interface SiteListener {
  committed(events: readonly SequencedEvent[]): void;
  volatile(events: readonly OperativeMoved[]): void;
  /** The twin was rebuilt from the log: every view must resync. */
  reloaded(): void;
}

export interface SiteRunnerOptions {
  readonly site: SiteDefinition;
  readonly store: EventStore;
  readonly clock: Clock;
  /** Take a snapshot after this many events since the last one. */
  readonly snapshotEvery?: number;
  /** Upper bound on commands decided into one commit. */
  readonly maxBatch?: number;
  readonly log?: (message: string, error?: unknown) => void;
  /** Hears every answer with its latency from submit, ms (metrics). */
  readonly onAnswer?: (result: SubmitResult, ms: number) => void;
  /**
   * Told when the log refused a commit because another writer appended first (the `(site, seq)` fence): another
   * process may decide this site now. The cluster asks the lease and closes this runner unless it still holds it.
   */
  readonly onFenced?: () => void;
}

interface Pending {
  readonly command: Command;
  readonly resolve: (result: SubmitResult) => void;
}

export class SiteRunner {
  private state: TwinState;
  private readonly queue: Pending[] = [];
  private draining = false;
  private closed = false;
  private readonly listeners = new Set<SiteListener>();
  private eventsSinceSnapshot = 0;
  private snapshotInFlight: Promise<void> | null = null;
  private idleWaiters: (() => void)[] = [];
  /** True while a batch is applied to the twin but not yet committed: the twin is ahead of the log. */
  private uncommitted = false;
  private readers: (() => void)[] = [];
  /**
   * True from a failed commit until the twin is reloaded from the log: the store is unreachable, so commands are
   * answered UNAVAILABLE at once (no queue builds up behind a dead database). Reads wait for the reload (background
   * loops pause); HTTP answers a site whose store is down with 503 STORE_UNAVAILABLE before reading (server/api/app.ts).
   */
  private storeDown = false;
  /** Counters for the closing note and /healthz detail. */
  readonly stats = { commits: 0, eventsCommitted: 0, commandsDecided: 0, reloads: 0 };

  private constructor(
    private readonly options: SiteRunnerOptions,
    state: TwinState,
  ) {
    this.state = state;
  }

  /** Opens a site: the latest snapshot plus every event after it. A restart resumes exactly where the log ends. */
  static async open(options: SiteRunnerOptions): Promise<SiteRunner> {
    const state = await SiteRunner.loadState(options);
    return new SiteRunner(options, state);
  }

  private static async loadState(options: SiteRunnerOptions): Promise<TwinState> {
    const { site, store, clock } = options;
    const snapshot = await store.latestSnapshot(site.id);
    const state = snapshot ? fromSnapshotData(site, snapshot.data as never) : createTwinState(site, clock.now());
    const events = await store.load(site.id, state.seq);
    for (const sequenced of events) applySequenced(state, sequenced);
    return state;
  }

  get siteId(): string {
    return this.options.site.id;
  }

  get site(): SiteDefinition {
    return this.options.site;
  }

  /**
   * The live twin, read-only for callers. Between a batch's decision and its commit it is ahead of the log: anything
   * answered to a client must be read through {@link read}, which sees committed state only.
   */
  get twin(): TwinState {
    return this.state;
  }

  /** False while a batch's commit is in flight (the twin holds effects nobody may see yet). */
  get settled(): boolean {
    return !this.uncommitted;
  }

  /** Runs `view` against committed state: now, or right after the commit in flight is answered. */
  read<T>(view: (twin: TwinState) => T): Promise<T> {
    if (!this.uncommitted) return Promise.resolve(view(this.state));
    return new Promise<T>((resolve, reject) => {
      this.readers.push(() => {
        try {
          resolve(view(this.state));
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });
  }

  /** False while the store is unreachable (from a failed commit until the log is read back). */
  get storeAvailable(): boolean {
    return !this.storeDown;
  }

  /** Commands waiting for the single writer. */
  get queued(): number {
    return this.queue.length;
  }

  private settle(): void {
    this.uncommitted = false;
    const readers = this.readers;
    this.readers = [];
    for (const read of readers) read();
  }

  subscribe(listener: SiteListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Queues a command; resolves after its events are committed (or it was rejected). Never rejects. */
  submit(command: Command): Promise<SubmitResult> {
    const onAnswer = this.options.onAnswer;
    const started = onAnswer ? performance.now() : 0;
    const answered = (result: SubmitResult): SubmitResult => {
      onAnswer?.(result, performance.now() - started);
      return result;
    };
    if (this.closed) return Promise.resolve(answered(unavailable('site is shutting down')));
    if (this.storeDown) return Promise.resolve(answered(storeUnavailable()));
    return new Promise((resolve) => {
      this.queue.push({ command, resolve: onAnswer ? (result) => resolve(answered(result)) : resolve });
      if (!this.draining) void this.drain();
    });
  }

  /** Resolves when every queued command has been answered. */
  idle(): Promise<void> {
    if (!this.draining && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops taking commands, answers what is queued, and waits for a snapshot in flight. */
  async close(): Promise<void> {
    this.closed = true;
    await this.idle();
    await this.snapshotInFlight;
  }

  /** Writes a snapshot of the current committed state now (used at shutdown and by tests). */
  async snapshotNow(): Promise<void> {
    await this.idle();
    await this.writeSnapshot();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.options.maxBatch ?? 1000);
        await this.runBatch(batch);
      }
    } finally {
      this.draining = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  private async runBatch(batch: readonly Pending[]): Promise<void> {
    const startSeq = this.state.seq;
    const durable: DurableEvent[] = [];
    const sequenced: SequencedEvent[] = [];
    const volatile: OperativeMoved[] = [];
    const outcomes: { pending: Pending; result: SubmitResult | null; events: TwinEvent[] }[] = [];

    for (const pending of batch) {
      this.stats.commandsDecided++;
      const decision = decide(this.state, pending.command, { now: this.options.clock.now() });
      if (!decision.ok) {
        outcomes.push({ pending, result: { ok: false, error: decision.error }, events: [] });
        continue;
      }
      // Later commands of the batch must see earlier ones, so events apply now; acks wait for the commit.
      for (const event of decision.events) {
        if (isDurable(event)) {
          const entry = { seq: this.state.seq + 1, event };
          applySequenced(this.state, entry);
          durable.push(event);
          sequenced.push(entry);
        } else {
          apply(this.state, event);
          volatile.push(event);
        }
      }
      outcomes.push({ pending, result: null, events: decision.events });
    }

    if (durable.length > 0) {
      this.uncommitted = true;
      try {
        await this.options.store.append(this.siteId, startSeq, durable);
        this.stats.commits++;
        this.stats.eventsCommitted += durable.length;
      } catch (error) {
        // Fail-stop: nothing of this batch is acknowledged; the twin goes back to what the log holds.
        this.options.log?.(`site ${this.siteId}: commit failed, reloading from the log`, error);
        if (!isStoreUnavailable(error)) {
          // The store answered and refused (a stale writer fenced by seq): answer only once the twin is back to the
          // log, so nobody reads the refused batch's effects afterwards.
          await this.reload();
          this.settle();
          for (const { pending } of outcomes) pending.resolve(unavailable('storage is unavailable; retry'));
          this.options.onFenced?.();
          return;
        }
        // Postgres is unreachable. Nothing of the batch was acknowledged, and its effects stay invisible (reads wait for
        // the reload, never see them). Meanwhile every command is answered at once: no caller queues behind the outage.
        this.storeDown = true;
        for (const { pending } of outcomes) pending.resolve(storeUnavailable());
        for (const pending of this.queue.splice(0)) pending.resolve(storeUnavailable());
        await this.reload();
        this.storeDown = false;
        this.settle();
        return;
      }
    }
    this.settle();

    const lastSeq = this.state.seq;
    for (const listener of this.listeners) {
      if (sequenced.length > 0) listener.committed(sequenced);
      if (volatile.length > 0) listener.volatile(volatile);
    }
    for (const { pending, result, events } of outcomes) pending.resolve(result ?? { ok: true, events, lastSeq });

    this.eventsSinceSnapshot += durable.length;
    if (this.eventsSinceSnapshot >= (this.options.snapshotEvery ?? 20_000) && this.snapshotInFlight === null) {
      this.snapshotInFlight = this.writeSnapshot().finally(() => {
        this.snapshotInFlight = null;
      });
    }
  }

  private async writeSnapshot(): Promise<void> {
    // Serialised synchronously (the live state keeps changing while the write is in flight), straight to JSON: a deep
    // copy first cost 4x the serialisation and was the p99 tail of the pipeline benchmark.
    const seq = this.state.seq;
    const data = new SnapshotJson(snapshotJson(this.state));
    this.eventsSinceSnapshot = 0;
    try {
      await this.options.store.saveSnapshot(this.siteId, seq, data);
    } catch (error) {
      this.options.log?.(`site ${this.siteId}: snapshot at seq ${seq} failed (the log still has everything)`, error);
    }
  }

  private async reload(): Promise<void> {
    this.stats.reloads++;
    for (;;) {
      try {
        this.state = await SiteRunner.loadState(this.options);
        break;
      } catch (error) {
        this.options.log?.(`site ${this.siteId}: reload failed, retrying`, error);
        await new Promise((resolve) => setTimeout(resolve, 500));
        if (this.closed) return;
      }
    }
    for (const listener of this.listeners) listener.reloaded();
  }
}

function unavailable(message: string): SubmitResult {
  return { ok: false, error: { code: 'UNAVAILABLE', message } };
}

function storeUnavailable(): SubmitResult {
  return { ok: false, error: { code: 'UNAVAILABLE', message: 'storage is unavailable; retry', cause: 'store' } };
}

