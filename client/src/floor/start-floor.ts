/**
 * The first floor's start sequence, overlapped: the site list, the layout and the live socket (connect, join) run at
 * once when the page names its site (`?site=`); otherwise the socket's handshake runs beside the site list, then the
 * layout's download beside the join. The socket's answer is applied only once the layout is in the store
 * (`layoutReady`), since the snapshot lands in it.
 * I/O is injected (the page passes `fetchSites`, `fetchLayout`, `connectLiveFloor`), so the order is testable.
 */
import type { LayoutView } from '../../../server/protocol/floor.ts';
import type { SiteSummary } from '../net/api.ts';
import type { LiveFloor } from '../net/live-floor.ts';

/** Something to close. */
export interface Closable {
  close(): void;
}

/** What the start sequence does its I/O with; `S` is the socket opened before the site is known. */
export interface FloorStartDeps<S extends Closable = Closable> {
  /** Opens the live socket at once, before the site is known, so its handshake overlaps the site list. */
  readonly openSocket?: () => S;
  readonly fetchSites: (signal: AbortSignal) => Promise<SiteSummary[]>;
  readonly fetchLayout: (siteId: string, signal: AbortSignal) => Promise<LayoutView>;
  /**
   * Opens the live floor of `siteId` now, on `socket` (from `openSocket`, handed over once; it is closed with the
   * floor) or its own: it may join at once but applies nothing before `layoutReady` resolves.
   */
  readonly connect: (siteId: string, layoutReady: Promise<void>, socket: S | null) => LiveFloor;
  /** Puts the layout in the store (synchronously); the socket's answer follows it. */
  readonly setLayout: (layout: LayoutView) => void;
}

/** The site shown and its live connection (the caller closes it). */
export interface FloorStarted {
  readonly site: SiteSummary;
  readonly live: LiveFloor;
}

/** Layout download and socket of one site, begun together. */
interface Begun {
  readonly siteId: string;
  readonly layout: Promise<LayoutView>;
  readonly live: LiveFloor;
  readonly open: () => void;
}

function begin<S extends Closable>(siteId: string, deps: FloorStartDeps<S>, socket: S | null, signal: AbortSignal): Begun {
  let open = (): void => undefined;
  const layoutReady = new Promise<void>((resolve) => (open = resolve));
  const layout = deps.fetchLayout(siteId, signal);
  // Awaited (or abandoned) below; never an unhandled rejection meanwhile.
  layout.catch(() => undefined);
  return { siteId, layout, live: deps.connect(siteId, layoutReady, socket), open };
}

/** Waits for the layout, puts it in the store, then lets the socket's answer in; closes the socket on any failure. */
async function finish<S extends Closable>(site: SiteSummary, begun: Begun, deps: FloorStartDeps<S>, signal: AbortSignal): Promise<FloorStarted | null> {
  try {
    const layout = await begun.layout;
    if (signal.aborted) throw signal.reason;
    deps.setLayout(layout);
    begun.open();
    return { site, live: begun.live };
  } catch (error) {
    begun.live.close();
    if (signal.aborted) return null;
    throw error;
  }
}

/**
 * Starts the floor of `wanted` (or, when it is null or not hosted, of the first site listed). Null when `signal` was
 * aborted first (nothing is left open then). Throws when the server hosts no site or the layout cannot be loaded.
 */
export async function startFloor<S extends Closable>(
  wanted: string | null,
  deps: FloorStartDeps<S>,
  signal: AbortSignal,
): Promise<FloorStarted | null> {
  const listed = deps.fetchSites(signal);
  const socket = deps.openSocket?.() ?? null;
  // With `?site=` the socket goes to that site's floor at once; else it waits, connecting, for the list.
  const early = wanted === null ? null : begin(wanted, deps, socket, signal);
  let sites: SiteSummary[];
  try {
    sites = await listed;
  } catch (error) {
    if (early === null) socket?.close();
    else early.live.close();
    if (signal.aborted) return null;
    throw error;
  }
  if (early !== null) {
    const site = sites.find((s) => s.id === early.siteId);
    if (site !== undefined) return finish(site, early, deps, signal);
    // Not hosted here: drop the guess (and its socket) and fall back to the first site, as without `?site=`.
    early.live.close();
  }
  const unused = early === null ? socket : null;
  const first = sites[0];
  if (first === undefined || signal.aborted) {
    unused?.close();
    if (first === undefined) throw new Error('This server hosts no sites yet.');
    return null;
  }
  return finish(first, begin(first.id, deps, unused, signal), deps, signal);
}
