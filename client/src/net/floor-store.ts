/**
 * The live floor held outside React: layout, seq, fill per bin, operatives (with the two positions needed to
 * interpolate), counters and connection state. The render loop reads it directly every frame; slow UI (the counters
 * panel) subscribes and receives an immutable summary at most once per applied change.
 * Pure TypeScript: callers pass the time (`nowMs`, any monotonic clock) so it is testable without timers.
 */
import type {
  FloorCounters,
  FloorDiff,
  FloorSnapshot,
  LayoutView,
  OperativeActivity,
  OperativeView,
} from '../../../server/protocol/floor.ts';

/** Where the socket is in its life; `resyncing` means joined but waiting for a catch-up after a gap. */
export type ConnectionStatus = 'idle' | 'connecting' | 'joining' | 'live' | 'resyncing' | 'offline' | 'error' | 'replay';

/** Outcome of `applyDiff`: `gap` means the caller must re-join with `since = store.seq`. */
export type DiffOutcome = 'applied' | 'gap' | 'stale';

/** One operative as the render loop sees it: the previous and the latest reported floor position (metres). */
export interface OperativeTrack {
  readonly id: string;
  name: string;
  activity: OperativeActivity;
  tasks: number;
  /** Position the figure starts from (where it was drawn when the latest report arrived). */
  fromX: number;
  fromY: number;
  /** Latest reported position. */
  toX: number;
  toY: number;
  /** When the latest report arrived, on the caller's clock (ms). */
  startMs: number;
}

/** Immutable summary for React (`useSyncExternalStore`): replaced on every change, never mutated. */
export interface FloorSummary {
  readonly status: ConnectionStatus;
  readonly statusDetail: string | null;
  readonly siteId: string | null;
  readonly seq: number | null;
  readonly counters: FloorCounters | null;
  readonly operativesOnFloor: number;
  readonly bins: number;
  readonly layout: LayoutView | null;
}

/** A mutable 2D point the render loop reuses to avoid allocating. */
export interface MutablePoint2 {
  x: number;
  y: number;
}

/** Default time over which a figure glides to its newest position: the server's patch interval (10 Hz). */
export const DEFAULT_PATCH_INTERVAL_MS = 100;
const MIN_INTERVAL_MS = 50;
const MAX_INTERVAL_MS = 1_000;

/**
 * Where an operative is drawn at `nowMs`: linear from its previous to its latest position over `intervalMs`,
 * then held at the latest position (never extrapolated, so a late patch never makes a figure overshoot).
 */
export function interpolatePosition(track: OperativeTrack, nowMs: number, intervalMs: number, out: MutablePoint2): MutablePoint2 {
  const elapsed = nowMs - track.startMs;
  const t = intervalMs <= 0 ? 1 : Math.min(1, Math.max(0, elapsed / intervalMs));
  out.x = track.fromX + (track.toX - track.fromX) * t;
  out.y = track.fromY + (track.toY - track.fromY) * t;
  return out;
}

type Listener = () => void;

/** Who is on the floor, for lists: id and name. */
export interface RosterEntry {
  readonly id: string;
  readonly name: string;
}

/** Orders ids with numbers in them naturally (P2 before P10); one collator, since `localeCompare` with options builds one per call. */
const byIdNatural = new Intl.Collator('en', { numeric: true });

/** The live floor for one site; see the module comment. */
export class FloorStore {
  layout: LayoutView | null = null;
  siteId: string | null = null;
  /** Seq of the last applied snapshot or diff; null before the first snapshot. */
  seq: number | null = null;
  /** `at` of the last applied snapshot or diff (server time), to drop duplicates at the same seq. */
  lastAt = -Infinity;
  /** Fill per location index, whole percent. Length = layout bins. */
  fill: Float32Array = new Float32Array(0);
  counters: FloorCounters | null = null;
  /** Operatives on the floor, in a dense array the render loop walks; order is not meaningful. */
  readonly operatives: OperativeTrack[] = [];
  /** Seconds-smoothed estimate of the time between diffs, used as the interpolation window. */
  patchIntervalMs = DEFAULT_PATCH_INTERVAL_MS;
  status: ConnectionStatus = 'idle';
  statusDetail: string | null = null;
  /** Bumped whenever the set of operatives changes size, so the renderer knows to resize its instance count. */
  operativesVersion = 0;
  /** Seq of the last state the renderer has drawn in full (set by the renderer; the `ready` test hook reads it). */
  drawnSeq: number | null = null;

  private readonly byId = new Map<string, number>();
  private readonly scratch: MutablePoint2 = { x: 0, y: 0 };
  private dirty: Uint32Array = new Uint32Array(0);
  private dirtyFlag: Uint8Array = new Uint8Array(0);
  private dirtyCount = 0;
  private lastDiffArrivalMs: number | null = null;
  private readonly listeners = new Set<Listener>();
  /** Bumped when someone arrives, leaves or is renamed (not on moves), so `roster()` is rebuilt only then. */
  private rosterVersion = 0;
  private rosterCache: { readonly version: number; readonly entries: readonly RosterEntry[] } | null = null;
  private summary: FloorSummary = this.buildSummary();

  /** Installs the static layout; clears any state of a previous layout. */
  setLayout(layout: LayoutView): void {
    this.layout = layout;
    this.siteId = layout.siteId;
    const n = layout.ids.length;
    this.fill = new Float32Array(n);
    this.dirty = new Uint32Array(n);
    this.dirtyFlag = new Uint8Array(n);
    this.dirtyCount = 0;
    this.seq = null;
    this.lastAt = -Infinity;
    this.drawnSeq = null;
    this.counters = null;
    this.clearOperatives();
    this.markAllDirty();
    this.emit();
  }

  /** Replaces everything live with a snapshot (fresh join, or a resync the server answered with a snapshot). */
  applySnapshot(snapshot: FloorSnapshot, nowMs: number): void {
    if (this.siteId !== null && snapshot.siteId !== this.siteId) return;
    this.siteId = snapshot.siteId;
    const n = Math.min(this.fill.length, snapshot.fill.length);
    for (let i = 0; i < n; i++) this.fill[i] = snapshot.fill[i] ?? 0;
    this.markAllDirty();
    this.seq = snapshot.seq;
    this.lastAt = snapshot.at;
    this.counters = snapshot.counters;
    // A snapshot is authoritative for who is on the floor; keep tracks of those still present so they glide, not jump.
    const present = new Set<string>();
    for (const op of snapshot.operatives) {
      present.add(op.id);
      this.upsertOperative(op, nowMs);
    }
    for (let i = this.operatives.length - 1; i >= 0; i--) {
      const track = this.operatives[i];
      if (track !== undefined && !present.has(track.id)) this.removeOperative(track.id);
    }
    this.lastDiffArrivalMs = nowMs;
    this.emit();
  }

  /**
   * Applies a diff. Values in a diff are absolute, so any diff that starts at or before our seq and ends at or after
   * it brings us exactly to its `toSeq` ('applied'). One that ends before our seq, or repeats the last one we applied,
   * is 'stale' and ignored. One that starts after our seq (we missed something), or arrives before any snapshot, is a 'gap'.
   */
  applyDiff(diff: FloorDiff, nowMs: number): DiffOutcome {
    if (this.seq === null) return 'gap';
    if (diff.siteId !== this.siteId) return 'stale';
    if (diff.toSeq < this.seq) return 'stale';
    if (diff.at < this.lastAt || (diff.at === this.lastAt && diff.toSeq === this.seq)) return 'stale';
    if (diff.fromSeq > this.seq) return 'gap';

    const pairs = diff.fill;
    const n = this.fill.length;
    for (let k = 0; k + 1 < pairs.length; k += 2) {
      const index = pairs[k] ?? -1;
      if (index < 0 || index >= n) continue;
      this.fill[index] = pairs[k + 1] ?? 0;
      this.markDirty(index);
    }
    for (const op of diff.operatives) this.upsertOperative(op, nowMs);
    for (const id of diff.removedOperatives) this.removeOperative(id);
    this.counters = diff.counters;
    this.seq = diff.toSeq;
    this.lastAt = diff.at;
    this.observeArrival(nowMs);
    this.emit();
    return 'applied';
  }

  /** Records the connection state for the panel. */
  setStatus(status: ConnectionStatus, detail: string | null = null): void {
    if (status === this.status && detail === this.statusDetail) return;
    this.status = status;
    this.statusDetail = detail;
    this.emit();
  }

  /** Position of `track` at `nowMs`, written into `out` (no allocation). */
  positionAt(track: OperativeTrack, nowMs: number, out: MutablePoint2): MutablePoint2 {
    return interpolatePosition(track, nowMs, this.patchIntervalMs, out);
  }

  /** Hands each bin changed since the last call to `visit` (index, fill percent) and clears the list. Returns the count. */
  consumeDirty(visit: (index: number, fillPercent: number) => void): number {
    const count = this.dirtyCount;
    for (let k = 0; k < count; k++) {
      const index = this.dirty[k] ?? 0;
      this.dirtyFlag[index] = 0;
      visit(index, this.fill[index] ?? 0);
    }
    this.dirtyCount = 0;
    return count;
  }

  /** Number of bins changed and not yet drawn. */
  get pendingDirty(): number {
    return this.dirtyCount;
  }

  /** Looks up an operative track by id. */
  operative(id: string): OperativeTrack | undefined {
    const i = this.byId.get(id);
    return i === undefined ? undefined : this.operatives[i];
  }

  /** Registers a listener called after every change; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The current immutable summary (stable identity between changes, as `useSyncExternalStore` requires). */
  getSummary(): FloorSummary {
    return this.summary;
  }

  /**
   * Everyone on the floor by id (natural order), immutable and of stable identity until someone arrives, leaves or is
   * renamed: cheap enough for a `useSyncExternalStore` snapshot, which React reads on every change.
   */
  roster(): readonly RosterEntry[] {
    if (this.rosterCache?.version !== this.rosterVersion) {
      const entries = this.operatives.map((o) => ({ id: o.id, name: o.name })).sort((a, b) => byIdNatural.compare(a.id, b.id));
      this.rosterCache = { version: this.rosterVersion, entries };
    }
    return this.rosterCache.entries;
  }

  private upsertOperative(op: OperativeView, nowMs: number): void {
    const i = this.byId.get(op.id);
    const existing = i === undefined ? undefined : this.operatives[i];
    if (existing === undefined) {
      this.byId.set(op.id, this.operatives.length);
      this.operatives.push({
        id: op.id, name: op.name, activity: op.activity, tasks: op.tasks,
        fromX: op.x, fromY: op.y, toX: op.x, toY: op.y, startMs: nowMs,
      });
      this.operativesVersion++;
      this.rosterVersion++;
      return;
    }
    // Start the new glide from where the figure is drawn now, so a report arriving mid-glide causes no jump.
    const drawn = interpolatePosition(existing, nowMs, this.patchIntervalMs, this.scratch);
    existing.fromX = drawn.x;
    existing.fromY = drawn.y;
    existing.toX = op.x;
    existing.toY = op.y;
    existing.startMs = nowMs;
    if (existing.name !== op.name) this.rosterVersion++;
    existing.name = op.name;
    existing.activity = op.activity;
    existing.tasks = op.tasks;
  }

  private removeOperative(id: string): void {
    const i = this.byId.get(id);
    if (i === undefined) return;
    const last = this.operatives.pop();
    this.byId.delete(id);
    if (last !== undefined && last.id !== id) {
      this.operatives[i] = last;
      this.byId.set(last.id, i);
    }
    this.operativesVersion++;
    this.rosterVersion++;
  }

  private clearOperatives(): void {
    this.operatives.length = 0;
    this.byId.clear();
    this.operativesVersion++;
    this.rosterVersion++;
  }

  private markDirty(index: number): void {
    if (this.dirtyFlag[index] === 1) return;
    this.dirtyFlag[index] = 1;
    this.dirty[this.dirtyCount++] = index;
  }

  private markAllDirty(): void {
    for (let i = 0; i < this.fill.length; i++) this.markDirty(i);
  }

  /** Smooths the diff inter-arrival time so figures glide for about one patch interval, whatever the server's rate. */
  private observeArrival(nowMs: number): void {
    if (this.lastDiffArrivalMs !== null) {
      const gap = nowMs - this.lastDiffArrivalMs;
      if (gap > 0) {
        const clamped = Math.min(MAX_INTERVAL_MS, Math.max(MIN_INTERVAL_MS, gap));
        this.patchIntervalMs = this.patchIntervalMs * 0.8 + clamped * 0.2;
      }
    }
    this.lastDiffArrivalMs = nowMs;
  }

  private buildSummary(): FloorSummary {
    let onFloor = 0;
    for (const o of this.operatives) if (o.activity !== 'offline') onFloor++;
    return {
      status: this.status,
      statusDetail: this.statusDetail,
      siteId: this.siteId,
      seq: this.seq,
      counters: this.counters,
      operativesOnFloor: onFloor,
      bins: this.fill.length,
      layout: this.layout,
    };
  }

  private emit(): void {
    this.summary = this.buildSummary();
    for (const listener of this.listeners) listener();
  }
}
