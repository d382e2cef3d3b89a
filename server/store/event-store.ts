/**
 * The `EventStore` port: the durable, per-site, gap-free log of the twin's events, plus snapshots. Adapters:
 * `PgEventStore` (event-store.pg.ts, with projections in the same transaction) and `MemoryEventStore`.
 */
import type { DurableEvent, SequencedEvent } from '../twin/events.ts';

/** Seqs assigned by one append: firstSeq..lastSeq inclusive (lastSeq = firstSeq − 1 for an empty batch). */
export interface AppendResult {
  readonly firstSeq: number;
  readonly lastSeq: number;
}

/** A snapshot of a site's state as of `seq` (all events ≤ seq applied). `data` is the caller's JSON. */
export interface Snapshot {
  readonly seq: number;
  readonly data: unknown;
}

/** A snapshot the caller serialised itself (the twin writes its live state straight to JSON, without a deep copy). */
export class SnapshotJson {
  constructor(readonly json: string) {}
}

/** The JSON text of snapshot data, serialised once. */
export function snapshotText(data: unknown): string {
  return data instanceof SnapshotJson ? data.json : JSON.stringify(data);
}

/** Default number of events per page returned by `load`. */
export const DEFAULT_LOAD_PAGE_SIZE = 5_000;

/** Durable storage of one or more sites' event logs. One writer per site; appends are fenced by seq. */
export interface EventStore {
  /** Prepares storage (runs migrations). Idempotent; safe when several processes start at once. */
  init(): Promise<void>;
  /** Registers a site with its static definition (JSON). Stored once: a later call for the same site is a no-op. */
  ensureSite(siteId: string, definition: unknown): Promise<void>;
  /** The definition stored by `ensureSite`, or null for an unknown site. */
  siteDefinition(siteId: string): Promise<unknown>;
  /**
   * Appends a batch atomically with seqs expectedSeq+1…expectedSeq+n. Throws `SeqConflictError` when the site's log
   * is not at `expectedSeq` (a stale or concurrent writer): nothing of the batch is stored then. Throws
   * `UnknownSiteError` for a site never passed to `ensureSite`. An empty batch stores nothing and does not check.
   */
  append(siteId: string, expectedSeq: number, events: readonly DurableEvent[]): Promise<AppendResult>;
  /** Every event with seq > afterSeq, in seq order (read in pages; for replay after a snapshot). */
  load(siteId: string, afterSeq?: number): Promise<SequencedEvent[]>;
  /** Events with seq > afterSeq in seq order, in pages of at most `pageSize`, for logs too long to hold at once. */
  loadPages(siteId: string, afterSeq?: number, pageSize?: number): AsyncIterable<SequencedEvent[]>;
  /**
   * Stores a snapshot as of `seq` (replacing one at the same seq). `data` is JSON-able, or a `SnapshotJson` already
   * serialised by the caller (stored as it is: no second copy).
   */
  saveSnapshot(siteId: string, seq: number, data: unknown): Promise<void>;
  /** The snapshot with the highest seq, or null. */
  latestSnapshot(siteId: string): Promise<Snapshot | null>;
  /** Seq of the site's last event (0 when empty or unknown). */
  lastSeq(siteId: string): Promise<number>;
  /** Releases connections. The store is unusable afterwards. */
  close(): Promise<void>;
}

/** The log is not at the seq the writer expected: another writer appended first. The writer must reload. */
export class SeqConflictError extends Error {
  override readonly name = 'SeqConflictError';
  constructor(
    readonly siteId: string,
    readonly expectedSeq: number,
    /** The log's actual last seq when known. */
    readonly actualSeq: number | null,
    options?: { cause?: unknown },
  ) {
    super(
      `seq conflict on site ${siteId}: expected last seq ${expectedSeq}` +
        (actualSeq === null ? '' : `, log is at ${actualSeq}`),
      options,
    );
  }
}

/** Append to a site that `ensureSite` never registered. */
export class UnknownSiteError extends Error {
  override readonly name = 'UnknownSiteError';
  constructor(readonly siteId: string) {
    super(`unknown site ${siteId}: call ensureSite first`);
  }
}

/** The database refused the projections of a batch (a CHECK constraint): the events contradict the stored state. */
export class ProjectionRejectedError extends Error {
  override readonly name = 'ProjectionRejectedError';
  constructor(
    readonly siteId: string,
    readonly constraint: string | null,
    options?: { cause?: unknown },
  ) {
    super(`projection rejected on site ${siteId}` + (constraint === null ? '' : ` (constraint ${constraint})`), options);
  }
}

/** Collects pages into one array: how adapters implement `load` on top of `loadPages`. */
export async function collectPages(pages: AsyncIterable<SequencedEvent[]>): Promise<SequencedEvent[]> {
  const out: SequencedEvent[] = [];
  for await (const page of pages) for (const e of page) out.push(e);
  return out;
}

/** Throws a RangeError unless `n` is a non-negative safe integer (seqs are such). */
export function assertSeq(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} must be a non-negative integer, got ${n}`);
}
