/**
 * Stock activity on the floor (`floor:activity`: receipts, put-aways, replenishments, restocks, counts, adjustments),
 * held for the few seconds its marker shows. No React, no three: a fixed ring of slots in typed arrays, so a burst
 * costs no allocation and the oldest marker gives way to the newest when the ring is full (the cap). The renderer
 * (`floor/ActivityPulses.tsx`) walks the slots inside the frame loop; nothing re-renders per message.
 */
import type { FloorActivity, FloorActivityKind } from '../../../server/protocol/floor.ts';

/** Every kind, in legend order; a kind's code in the store is its index here. */
export const ACTIVITY_KINDS: readonly FloorActivityKind[] = ['receipt', 'putaway', 'replenish', 'restock', 'count', 'adjust'];

/** Legend label (long, and short for the legend row) and marker colour of each kind. */
export const ACTIVITY_STYLE: Readonly<Record<FloorActivityKind, { readonly label: string; readonly short: string; readonly hex: string }>> = {
  receipt: { label: 'Receipt at the dock', short: 'Receipt', hex: '#38bdf8' },
  putaway: { label: 'Put away into a bin', short: 'Put away', hex: '#22c55e' },
  replenish: { label: 'Pick face replenished', short: 'Replenish', hex: '#c084fc' },
  restock: { label: 'Return restocked', short: 'Restock', hex: '#2dd4bf' },
  count: { label: 'Bin counted', short: 'Count', hex: '#facc15' },
  adjust: { label: 'Count adjusted stock', short: 'Adjust', hex: '#fb7185' },
};

/** How long a marker shows, ms. */
export const ACTIVITY_LIFETIME_MS = 4_000;
/** Markers shown at once at most (the ring's size). */
export const ACTIVITY_CAPACITY = 64;

/** Where in its life a marker is: ring scale (1 → 3) and brightness (1 → 0), or null once it has expired. */
export function pulseAt(ageMs: number, lifetimeMs: number = ACTIVITY_LIFETIME_MS): { scale: number; intensity: number } | null {
  if (!(ageMs >= 0) || ageMs >= lifetimeMs) return null;
  const t = ageMs / lifetimeMs;
  // Eases out: it grows fast, then fades; a second beat in the first half catches the eye.
  const beat = t < 0.5 ? 0.25 * Math.sin(t * 4 * Math.PI) : 0;
  return { scale: 1 + 2 * (1 - (1 - t) * (1 - t)) + beat, intensity: 1 - t };
}

/** See the file comment. */
export class ActivityStore {
  readonly capacity: number;
  readonly lifetimeMs: number;
  /** Per slot: index into {@link ACTIVITY_KINDS}, −1 when empty. */
  readonly kind: Int8Array;
  /** Per slot: layout index of the bin, −1 for the dock / returns desk (drawn at the depot). */
  readonly locationIndex: Int32Array;
  /** Per slot: arrival time on the page's monotonic clock, ms. */
  readonly startMs: Float64Array;
  /** Per slot: the event's seq in the site's log. */
  readonly seq: Float64Array;
  /** Messages taken, per kind (for the browser test and a reviewer). */
  readonly received: Record<FloorActivityKind, number> = { receipt: 0, putaway: 0, replenish: 0, restock: 0, count: 0, adjust: 0 };
  /** Messages refused: an unknown kind, a bin outside the layout, a seq already showing. */
  rejected = 0;
  /** Bumped on every accepted message; the renderer compares it to skip idle frames. */
  version = 0;
  /** Markers the renderer drew at its last frame (set by it). */
  drawn = 0;
  /** Markers the renderer has shown since the page opened (set by it; a marker counts once). */
  drawnTotal = 0;
  private nextSlot = 0;
  private bins: number;

  constructor(options: { capacity?: number; lifetimeMs?: number; bins?: number } = {}) {
    this.capacity = options.capacity ?? ACTIVITY_CAPACITY;
    this.lifetimeMs = options.lifetimeMs ?? ACTIVITY_LIFETIME_MS;
    if (!Number.isInteger(this.capacity) || this.capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${String(this.capacity)}`);
    this.bins = options.bins ?? Number.POSITIVE_INFINITY;
    this.kind = new Int8Array(this.capacity).fill(-1);
    this.locationIndex = new Int32Array(this.capacity).fill(-1);
    this.startMs = new Float64Array(this.capacity);
    this.seq = new Float64Array(this.capacity).fill(-1);
  }

  /** Sets how many bins the layout has (messages naming a bin beyond it are refused) and forgets every marker. */
  setBins(bins: number): void {
    this.bins = bins;
    this.clear();
  }

  /** Forgets every marker (a new site). */
  clear(): void {
    this.kind.fill(-1);
    this.seq.fill(-1);
    this.nextSlot = 0;
    this.version++;
  }

  /**
   * Takes one message at `nowMs`: true when it now shows. Refused (false, nothing changes): an unknown kind, a bin
   * index outside the layout, or the seq of a marker still showing (the same message twice).
   */
  push(activity: Pick<FloorActivity, 'kind' | 'locationIndex' | 'seq'>, nowMs: number): boolean {
    const code = ACTIVITY_KINDS.indexOf(activity.kind);
    const index = activity.locationIndex;
    if (code < 0 || !Number.isInteger(index) || index < -1 || index >= this.bins || this.showing(activity.seq, nowMs)) {
      this.rejected++;
      return false;
    }
    const slot = this.nextSlot;
    this.nextSlot = (slot + 1) % this.capacity;
    this.kind[slot] = code;
    this.locationIndex[slot] = index;
    this.startMs[slot] = nowMs;
    this.seq[slot] = activity.seq;
    this.received[activity.kind]++;
    this.version++;
    return true;
  }

  /** Markers still showing at `nowMs`. */
  activeAt(nowMs: number): number {
    let n = 0;
    for (let s = 0; s < this.capacity; s++) if (this.isActive(s, nowMs)) n++;
    return n;
  }

  private showing(seq: number, nowMs: number): boolean {
    for (let s = 0; s < this.capacity; s++) if (this.seq[s] === seq && this.isActive(s, nowMs)) return true;
    return false;
  }

  /** True when slot `s` holds a marker that has not expired at `nowMs`. */
  isActive(s: number, nowMs: number): boolean {
    const age = nowMs - (this.startMs[s] ?? 0);
    return (this.kind[s] ?? -1) >= 0 && age >= 0 && age < this.lifetimeMs;
  }
}

/** The floor page's activity store. */
export const activityStore = new ActivityStore();

/** `window.__floortwinActivity`, read by the browser test: messages taken per kind, markers drawn (last frame, in all). */
export interface ActivityTestHooks {
  readonly received: Readonly<Record<FloorActivityKind, number>>;
  readonly drawn: number;
  readonly drawnTotal: number;
  readonly rejected: number;
}

declare global {
  interface Window {
    __floortwinActivity?: ActivityTestHooks;
  }
}

/** Installs live getters over `store` as `window.__floortwinActivity`. */
export function installActivityHooks(store: ActivityStore, target: Window = window): void {
  target.__floortwinActivity = {
    get received() {
      return { ...store.received };
    },
    get drawn() {
      return store.drawn;
    },
    get drawnTotal() {
      return store.drawnTotal;
    },
    get rejected() {
      return store.rejected;
    },
  };
}
