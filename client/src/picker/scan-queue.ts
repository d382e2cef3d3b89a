/**
 * The handheld's outbox of scans: every scan is stored (so a reload or a dead battery keeps it) and sent one at a time,
 * oldest first, until the server answers. An answer drops the scan: accepted ones are confirmed, refused ones (wrong
 * item, task done, bad request …) are surfaced to the picker — resending them would get the same answer. A transport
 * failure (offline, ack timeout) or a retryable server error (UNAVAILABLE, SITE_MOVING, INTERNAL) keeps the scan at
 * the head and stops the flush; the caller flushes again on reconnect or after a back-off. The server dedupes a
 * resend of an applied scan by its `scanId`, so "sent, ack lost, sent again" is safe. A scan is stored whole, serials
 * included.
 * Pure TypeScript: storage and sending are injected; no timers, no DOM.
 */
import type { ScanRequest, ScanResult } from '../../../server/protocol/picking.ts';
import type { WireError } from '../../../server/protocol/socket.ts';

/** Where the queue persists itself (localStorage in the browser). */
export interface QueueStorage {
  read(): string | null;
  /** null = nothing queued. */
  write(value: string | null): void;
}

/** How one send ended: the server answered, or it could not be reached in time. */
export type SendOutcome = { readonly kind: 'answered'; readonly result: ScanResult } | { readonly kind: 'failed'; readonly reason: string };

/** Sends one scan and reports the outcome; must not throw (a throw is treated as a transport failure). */
export interface ScanSender {
  send(scan: ScanRequest): Promise<SendOutcome>;
}

/** What became of a scan that left the queue. */
export type ScanSettled =
  | { readonly kind: 'confirmed'; readonly scan: ScanRequest; readonly result: Extract<ScanResult, { ok: true }> }
  | { readonly kind: 'rejected'; readonly scan: ScanRequest; readonly error: WireError };

/** Result of a flush: `drained` = nothing left; `blocked` = the head could not be delivered (try again later). */
export type FlushOutcome = 'drained' | 'blocked';

/**
 * Server answers after which the same scan may succeed later. SITE_MOVING: no server owns the site for a moment (its
 * owner died and another is taking it over); the next owner applies the scan, or acks it as a duplicate if it was.
 */
const RETRYABLE = new Set(['UNAVAILABLE', 'SITE_MOVING', 'INTERNAL', 'TIMEOUT']);

/** Longest queue kept; a handheld offline for a whole shift scans a few hundred. Beyond this the oldest is refused. */
export const MAX_QUEUED_SCANS = 5_000;

const isScan = (value: unknown): value is ScanRequest => {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v['scanId'] === 'string' &&
    typeof v['taskId'] === 'string' &&
    typeof v['siteId'] === 'string' &&
    typeof v['operativeId'] === 'string' &&
    (v['kind'] === 'confirm' || v['kind'] === 'short') &&
    // The serials of a serial-tracked pick (R78) travel with the scan, through storage and every resend.
    (v['serials'] === undefined || (Array.isArray(v['serials']) && v['serials'].every((s) => typeof s === 'string')))
  );
};

/** See the module comment. */
export class ScanQueue {
  private items: ScanRequest[];
  private flushing: Promise<FlushOutcome> | null = null;
  private readonly listeners = new Set<() => void>();
  private readonly settledListeners = new Set<(settled: ScanSettled) => void>();

  constructor(
    private readonly storage: QueueStorage,
    private readonly sender: ScanSender,
  ) {
    this.items = ScanQueue.load(storage);
  }

  /** What was stored; a corrupt entry is dropped rather than blocking the device for good. */
  private static load(storage: QueueStorage): ScanRequest[] {
    let raw: string | null;
    try {
      raw = storage.read();
    } catch {
      return [];
    }
    if (raw === null) return [];
    try {
      const parsed: unknown = JSON.parse(raw);
      return Array.isArray(parsed) ? parsed.filter(isScan) : [];
    } catch {
      return [];
    }
  }

  /** Scans not yet answered, oldest first. */
  get pending(): readonly ScanRequest[] {
    return this.items;
  }

  /** True while a flush is under way. */
  get busy(): boolean {
    return this.flushing !== null;
  }

  /** True when a scan for `taskId` is waiting. */
  has(taskId: string): boolean {
    return this.items.some((scan) => scan.taskId === taskId);
  }

  /** Called after every change of `pending`. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called once per scan that leaves the queue, in queue order. */
  onSettled(listener: (settled: ScanSettled) => void): () => void {
    this.settledListeners.add(listener);
    return () => this.settledListeners.delete(listener);
  }

  /** Stores the scan at the tail. Returns false (and stores nothing) when the queue is full or the id is taken. */
  enqueue(scan: ScanRequest): boolean {
    if (this.items.length >= MAX_QUEUED_SCANS || this.items.some((s) => s.scanId === scan.scanId)) return false;
    this.items = [...this.items, scan];
    this.persist();
    return true;
  }

  /**
   * Sends the queue in order until it is empty or the head cannot be delivered. A call while a flush runs joins it
   * (that flush also sends what was queued meanwhile).
   */
  flush(): Promise<FlushOutcome> {
    if (this.flushing !== null) return this.flushing;
    const run = this.drain().finally(() => {
      this.flushing = null;
      this.notify();
    });
    this.flushing = run;
    this.notify();
    return run;
  }

  private async drain(): Promise<FlushOutcome> {
    for (;;) {
      const head = this.items[0];
      if (head === undefined) return 'drained';
      let outcome: SendOutcome;
      try {
        outcome = await this.sender.send(head);
      } catch (error) {
        outcome = { kind: 'failed', reason: error instanceof Error ? error.message : String(error) };
      }
      if (outcome.kind === 'failed') return 'blocked';
      const { result } = outcome;
      if (!result.ok && RETRYABLE.has(result.error.code)) return 'blocked';
      this.items = this.items.filter((scan) => scan.scanId !== head.scanId);
      this.persist();
      const settled: ScanSettled = result.ok ? { kind: 'confirmed', scan: head, result } : { kind: 'rejected', scan: head, error: result.error };
      for (const listener of [...this.settledListeners]) listener(settled);
    }
  }

  private persist(): void {
    try {
      this.storage.write(this.items.length === 0 ? null : JSON.stringify(this.items));
    } catch {
      // Storage full or disabled: the queue still works in memory until the page is closed.
    }
    this.notify();
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
