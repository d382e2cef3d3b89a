/**
 * The floor's colour mode and the per-bin attributes behind the modes other than fill, held outside React and three.
 * `BinAttributesStore` keeps the chosen mode, the heat window and the latest `BinAttributesView` (columnar, aligned
 * with the layout's ids); `pollBinAttributes` fetches it while a mode other than fill is shown, every 10 s.
 * The bins renderer reads `version` in its frame loop and recolours only then; React subscribes to the snapshot.
 */
import type { BinAttributesView } from '../../../server/protocol/floor.ts';

/** How bins are coloured. */
export type ColourMode = 'fill' | 'abc' | 'heat' | 'replenish' | 'client';

/** The modes in switch order, with their labels. */
export const COLOUR_MODES: readonly { readonly mode: ColourMode; readonly label: string }[] = [
  { mode: 'fill', label: 'Fill' },
  { mode: 'abc', label: 'ABC' },
  { mode: 'heat', label: 'Pick heat' },
  { mode: 'replenish', label: 'Replenish' },
  { mode: 'client', label: 'Client' },
];

/** Heat windows offered, hours of twin time. */
export const HEAT_WINDOWS_H: readonly number[] = [1, 4, 8, 24];
export const DEFAULT_HEAT_HOURS = 8;
/** How often attributes are refreshed while a mode other than fill is shown. */
export const ATTRIBUTES_REFRESH_MS = 10_000;

/** Immutable snapshot for React. */
export interface BinAttributesSnapshot {
  readonly mode: ColourMode;
  readonly heatHours: number;
  /** The latest attributes for the current heat window, or null before the first answer. */
  readonly attributes: BinAttributesView | null;
  /** The largest heat in `attributes` (the legend's scale), 0 when none. */
  readonly maxHeat: number;
  /** Why the last fetch failed, cleared by the next success. */
  readonly error: string | null;
  readonly loading: boolean;
}

type Listener = () => void;

/** See the module comment. */
export class BinAttributesStore {
  /** Bumped when the mode or the attributes change: the renderer recolours when it differs from what it drew. */
  version = 0;
  private snapshot: BinAttributesSnapshot = {
    mode: 'fill', heatHours: DEFAULT_HEAT_HOURS, attributes: null, maxHeat: 0, error: null, loading: false,
  };
  private readonly listeners = new Set<Listener>();

  get mode(): ColourMode {
    return this.snapshot.mode;
  }

  get heatHours(): number {
    return this.snapshot.heatHours;
  }

  get attributes(): BinAttributesView | null {
    return this.snapshot.attributes;
  }

  get maxHeat(): number {
    return this.snapshot.maxHeat;
  }

  setMode(mode: ColourMode): void {
    if (mode === this.snapshot.mode) return;
    this.version++;
    this.set({ ...this.snapshot, mode });
  }

  /** Changes the heat window; attributes for the old window are dropped (their heat column no longer applies). */
  setHeatHours(hours: number): void {
    if (!Number.isInteger(hours) || hours < 1) throw new RangeError(`heat window must be a whole number of hours ≥ 1, got ${hours}`);
    if (hours === this.snapshot.heatHours) return;
    this.version++;
    this.set({ ...this.snapshot, heatHours: hours, attributes: null, maxHeat: 0 });
  }

  /** Takes an answer; one for another heat window (a request that raced a change) is ignored. Returns whether taken. */
  applyAttributes(view: BinAttributesView): boolean {
    if (view.heatHours !== this.snapshot.heatHours) return false;
    const held = this.snapshot.attributes;
    if (held !== null && held.siteId === view.siteId && view.seq < held.seq) return false;
    let maxHeat = 0;
    for (const h of view.heat) if (h > maxHeat) maxHeat = h;
    this.version++;
    this.set({ ...this.snapshot, attributes: view, maxHeat, error: null, loading: false });
    return true;
  }

  setLoading(loading: boolean): void {
    if (loading !== this.snapshot.loading) this.set({ ...this.snapshot, loading });
  }

  setError(message: string): void {
    this.set({ ...this.snapshot, error: message, loading: false });
  }

  /** For `useSyncExternalStore`. */
  readonly subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  readonly getSnapshot = (): BinAttributesSnapshot => this.snapshot;

  private set(next: BinAttributesSnapshot): void {
    this.snapshot = next;
    for (const l of this.listeners) l();
  }
}

const isIntArray = (v: unknown, n: number): v is number[] =>
  Array.isArray(v) && v.length === n && v.every((x) => typeof x === 'number' && Number.isInteger(x));

/**
 * Checks an answer lines up with a layout of `bins` bins, since the renderer indexes the columns blindly; throws
 * naming what is wrong.
 */
export function parseBinAttributes(body: unknown, bins: number): BinAttributesView {
  const v = body as Partial<BinAttributesView> | null;
  if (typeof v !== 'object' || v === null) throw new Error('bin attributes: not an object');
  for (const column of ['tenant', 'abc', 'heat', 'replenish'] as const) {
    if (!isIntArray(v[column], bins)) throw new Error(`bin attributes: '${column}' is not ${bins} whole numbers`);
  }
  if (!Array.isArray(v.tenants) || typeof v.siteId !== 'string' || typeof v.seq !== 'number' || typeof v.heatHours !== 'number') {
    throw new Error('bin attributes: missing siteId, seq, heatHours or tenants');
  }
  return v as BinAttributesView;
}

/** `GET /api/sites/:siteId/bin-attributes?heatHours=N`, checked against a layout of `bins` bins. */
export async function fetchBinAttributes(siteId: string, heatHours: number, bins: number, signal?: AbortSignal): Promise<BinAttributesView> {
  const path = `/api/sites/${encodeURIComponent(siteId)}/bin-attributes?heatHours=${heatHours}`;
  const response = await fetch(path, { signal: signal ?? null, headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return parseBinAttributes(await response.json(), bins);
}

/** What `pollBinAttributes` needs; `fetcher` and the timer functions are replaceable for tests. */
export interface PollOptions {
  readonly siteId: string;
  readonly bins: number;
  readonly intervalMs?: number;
  readonly fetcher?: (siteId: string, heatHours: number, bins: number, signal: AbortSignal) => Promise<BinAttributesView>;
}

/**
 * Keeps `store.attributes` fresh while the mode is not fill: fetches at once when such a mode is chosen or the heat
 * window changes, then every `intervalMs`; idle while fill is shown. One request at a time. Returns stop().
 */
export function pollBinAttributes(store: BinAttributesStore, options: PollOptions): () => void {
  const intervalMs = options.intervalMs ?? ATTRIBUTES_REFRESH_MS;
  const fetcher = options.fetcher ?? fetchBinAttributes;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let inFlight: AbortController | null = null;
  let stopped = false;
  let wantedHours: number | null = null;

  const clearTimer = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };

  const tick = (): void => {
    timer = null;
    if (stopped || store.mode === 'fill') return;
    const hours = store.heatHours;
    const abort = new AbortController();
    inFlight = abort;
    wantedHours = hours;
    if (store.attributes === null) store.setLoading(true);
    fetcher(options.siteId, hours, options.bins, abort.signal)
      .then((view) => {
        if (!abort.signal.aborted) store.applyAttributes(view);
      })
      .catch((error: unknown) => {
        if (!abort.signal.aborted) store.setError(error instanceof Error ? error.message : String(error));
      })
      .finally(() => {
        if (inFlight !== abort) return;
        inFlight = null;
        if (!stopped && store.mode !== 'fill') timer = setTimeout(tick, intervalMs);
      });
  };

  const onChange = (): void => {
    if (stopped) return;
    if (store.mode === 'fill') {
      clearTimer();
      inFlight?.abort();
      inFlight = null;
      return;
    }
    // A new window, or nothing scheduled (just switched from fill): fetch now.
    if (inFlight !== null && wantedHours === store.heatHours) return;
    if (inFlight === null && timer !== null && store.attributes !== null) return;
    inFlight?.abort();
    inFlight = null;
    clearTimer();
    tick();
  };

  const unsubscribe = store.subscribe(onChange);
  onChange();
  return () => {
    stopped = true;
    unsubscribe();
    clearTimer();
    inFlight?.abort();
  };
}

/** The floor page's one colour-mode store (the floor view is one page, one site). */
export const binAttributesStore = new BinAttributesStore();
