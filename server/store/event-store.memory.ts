/** `MemoryEventStore`: the in-process `EventStore` for tests and the simulator. Same contract as Postgres, no projections. */
import type { DurableEvent, SequencedEvent } from '../twin/events.ts';
import {
  DEFAULT_LOAD_PAGE_SIZE,
  SeqConflictError,
  SnapshotJson,
  UnknownSiteError,
  assertSeq,
  collectPages,
  type AppendResult,
  type EventStore,
  type Snapshot,
} from './event-store.ts';

interface SiteLog {
  readonly definition: unknown;
  readonly events: SequencedEvent[];
  readonly snapshots: Map<number, unknown>;
}

/** Keeps logs in memory. Events and snapshots are deep-copied in and out, as a database would. */
export class MemoryEventStore implements EventStore {
  private readonly sites = new Map<string, SiteLog>();
  private closed = false;

  init(): Promise<void> {
    return Promise.resolve();
  }

  ensureSite(siteId: string, definition: unknown): Promise<void> {
    this.assertOpen();
    if (!this.sites.has(siteId)) {
      this.sites.set(siteId, { definition: structuredClone(definition), events: [], snapshots: new Map() });
    }
    return Promise.resolve();
  }

  siteDefinition(siteId: string): Promise<unknown> {
    this.assertOpen();
    const site = this.sites.get(siteId);
    return Promise.resolve(site === undefined ? null : structuredClone(site.definition));
  }

  append(siteId: string, expectedSeq: number, events: readonly DurableEvent[]): Promise<AppendResult> {
    // Check and write in one synchronous step: that is this adapter's transaction.
    try {
      this.assertOpen();
      assertSeq(expectedSeq, 'expectedSeq');
      const site = this.sites.get(siteId);
      if (site === undefined) throw new UnknownSiteError(siteId);
      if (events.length === 0) return Promise.resolve({ firstSeq: expectedSeq + 1, lastSeq: expectedSeq });
      const actual = site.events.length;
      if (actual !== expectedSeq) throw new SeqConflictError(siteId, expectedSeq, actual);
      const copies = structuredClone(events);
      copies.forEach((event, i) => site.events.push({ seq: expectedSeq + 1 + i, event }));
      return Promise.resolve({ firstSeq: expectedSeq + 1, lastSeq: expectedSeq + events.length });
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  load(siteId: string, afterSeq = 0): Promise<SequencedEvent[]> {
    return collectPages(this.loadPages(siteId, afterSeq));
  }

  async *loadPages(siteId: string, afterSeq = 0, pageSize = DEFAULT_LOAD_PAGE_SIZE): AsyncIterable<SequencedEvent[]> {
    this.assertOpen();
    assertSeq(afterSeq, 'afterSeq');
    const site = this.sites.get(siteId);
    if (site === undefined) return;
    // Seq n sits at index n − 1 because the log has no gaps.
    for (let from = afterSeq; from < site.events.length; from += pageSize) {
      await Promise.resolve();
      yield structuredClone(site.events.slice(from, from + pageSize));
    }
  }

  saveSnapshot(siteId: string, seq: number, data: unknown): Promise<void> {
    this.assertOpen();
    assertSeq(seq, 'seq');
    const site = this.sites.get(siteId);
    if (site === undefined) return Promise.reject(new UnknownSiteError(siteId));
    site.snapshots.set(seq, data instanceof SnapshotJson ? (JSON.parse(data.json) as unknown) : structuredClone(data));
    return Promise.resolve();
  }

  latestSnapshot(siteId: string): Promise<Snapshot | null> {
    this.assertOpen();
    const site = this.sites.get(siteId);
    if (site === undefined || site.snapshots.size === 0) return Promise.resolve(null);
    const seq = Math.max(...site.snapshots.keys());
    return Promise.resolve({ seq, data: structuredClone(site.snapshots.get(seq)) });
  }

  lastSeq(siteId: string): Promise<number> {
    this.assertOpen();
    return Promise.resolve(this.sites.get(siteId)?.events.length ?? 0);
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('MemoryEventStore is closed');
  }
}
