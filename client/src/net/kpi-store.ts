/**
 * The site's KPI panels' data outside React: the latest `KpiView`, from `GET /api/sites/:siteId/kpis` at start and
 * then `site:kpis` on the floor socket (the server sends it to the floor room every 2 s, so subscribers hear at most
 * one change per 2 s). The floor socket hands each `site:kpis` to `KpiConnection.onKpis` (its `onKpis` option). React reads it through `useSyncExternalStore(store.subscribe, store.getSnapshot)`.
 */
import type { KpiView } from '../../../server/protocol/kpis.ts';

/** Immutable snapshot for React. */
export interface KpiSnapshot {
  /** The latest view, or null before the first. */
  readonly view: KpiView | null;
  /** Why the first fetch failed (cleared by the next view); the socket may still bring one. */
  readonly error: string | null;
}

type Listener = () => void;

/** See the module comment. */
export class KpiStore {
  private snapshot: KpiSnapshot = { view: null, error: null };
  private readonly listeners = new Set<Listener>();

  /** The latest view, or null. */
  get view(): KpiView | null {
    return this.snapshot.view;
  }

  readonly getSnapshot = (): KpiSnapshot => this.snapshot;

  readonly subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /**
   * Takes a view. Ignored when it is for another site than the one held, or older than it (a slow fetch answered after a
   * newer push): returns whether it was taken.
   */
  setView(view: KpiView): boolean {
    const held = this.snapshot.view;
    if (held !== null && held.siteId === view.siteId && (view.at < held.at || (view.at === held.at && view.seq <= held.seq))) return false;
    this.snapshot = { view, error: null };
    this.emit();
    return true;
  }

  /** Records why the view could not be fetched (kept with the last view held, if any). */
  setError(message: string): void {
    this.snapshot = { ...this.snapshot, error: message };
    this.emit();
  }

  /** Forgets the view (another site is being shown). */
  clear(): void {
    this.snapshot = { view: null, error: null };
    this.emit();
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}

/** The page's KPI store. */
export const kpiStore = new KpiStore();

/** The KPIs of one site: give every `site:kpis` the floor socket receives to `onKpis`; `close` stops taking them. */
export interface KpiConnection {
  readonly onKpis: (view: KpiView) => void;
  close(): void;
}

/** Options of `connectKpis`. */
export interface KpiConnectionOptions {
  /** Injected for tests; the page's `fetch` by default. */
  readonly fetch?: typeof fetch;
}

/** `GET /api/sites/:siteId/kpis`. */
export async function fetchKpis(siteId: string, signal?: AbortSignal, fetcher: typeof fetch = fetch): Promise<KpiView> {
  const response = await fetcher(`/api/sites/${encodeURIComponent(siteId)}/kpis`, signal === undefined ? {} : { signal });
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new Error(body?.error?.message ?? `KPIs: HTTP ${response.status}`);
  }
  return (await response.json()) as KpiView;
}

/** Fills `store` with the KPIs of `siteId`: one fetch now, then every view handed to `onKpis` (newer ones win). */
export function connectKpis(store: KpiStore, siteId: string, options: KpiConnectionOptions = {}): KpiConnection {
  const abort = new AbortController();
  if (store.view !== null && store.view.siteId !== siteId) store.clear();
  const onKpis = (view: KpiView): void => {
    if (!abort.signal.aborted && view.siteId === siteId) store.setView(view);
  };
  fetchKpis(siteId, abort.signal, options.fetch).then(
    (view) => {
      if (!abort.signal.aborted) store.setView(view);
    },
    (error: unknown) => {
      if (!abort.signal.aborted) store.setError(error instanceof Error ? error.message : String(error));
    },
  );
  return {
    onKpis,
    close(): void {
      abort.abort();
    },
  };
}
