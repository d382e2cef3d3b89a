/**
 * The first floor's start sequence, overlapped: the site list, the layout and the live socket (connect, join) run at
 * once when the page names its site (`?site=`); otherwise the socket's handshake runs beside the site list, then the
 * layout's download beside the join. The socket's answer is applied only once the layout is in the store
 * (`layoutReady`), since the snapshot lands in it.
 * The page's entry (main.tsx) begins the list, the layout and the socket even earlier, before the floor's chunk
 * (three.js, ~1 MB to download and compile) has arrived: `beginEarlyFloorStart`; the first `startFloor` handed it takes
 * them over (`adopt`), so the network overlaps the download instead of following it.
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
  /** Opens the live socket at once, before the site is known, so its handshake overlaps the site list (null: none). */
  readonly openSocket?: () => S | null;
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
 * `early` (default: the one the page's entry kept, taken once) supplies I/O already under way.
 */
export async function startFloor<S extends Closable>(
  wanted: string | null,
  given: FloorStartDeps<S>,
  signal: AbortSignal,
  early: EarlyFloorStart<S> | null = takeEarlyFloorStart<S>(),
): Promise<FloorStarted | null> {
  // An early start for another site (cannot happen from one page, but then it is of no use): let it go.
  if (early !== null && early.wanted !== wanted) early.close();
  const deps = early !== null && early.wanted === wanted ? early.adopt(given) : given;
  const listed = deps.fetchSites(signal);
  const socket = deps.openSocket?.() ?? null;
  // With `?site=` the socket goes to that site's floor at once; else it waits, connecting, for the list.
  const guess = wanted === null ? null : begin(wanted, deps, socket, signal);
  let sites: SiteSummary[];
  try {
    sites = await listed;
  } catch (error) {
    if (guess === null) socket?.close();
    else guess.live.close();
    if (signal.aborted) return null;
    throw error;
  }
  if (guess !== null) {
    const site = sites.find((s) => s.id === guess.siteId);
    if (site !== undefined) return finish(site, guess, deps, signal);
    // Not hosted here: drop the guess (and its socket) and fall back to the first site, as without `?site=`.
    guess.live.close();
  }
  const unused = guess === null ? socket : null;
  const first = sites[0];
  if (first === undefined || signal.aborted) {
    unused?.close();
    if (first === undefined) throw new Error('This server hosts no sites yet.');
    return null;
  }
  return finish(first, begin(first.id, deps, unused, signal), deps, signal);
}

/** What the page's entry does its early I/O with (no abort: a page that started its floor wants it). */
export interface EarlyStartIo<S extends Closable> {
  readonly fetchSites: () => Promise<SiteSummary[]>;
  readonly fetchLayout: (siteId: string) => Promise<LayoutView>;
  /** Opens the live socket; asynchronous, since its module (socket.io) may still be downloading. */
  readonly openSocket: () => Promise<S>;
}

/** The site list, a layout and a socket begun before the floor view exists, for its first `startFloor`. */
export interface EarlyFloorStart<S extends Closable = Closable> {
  /** The `?site=` the page was opened with (null: none). */
  readonly wanted: string | null;
  /**
   * `deps` that hand out the early list, layout (for the site it was begun for) and socket the first time each is
   * asked for (then, or when not begun early, they call `deps`). Adopting releases the early socket: one not yet
   * open by then is closed as soon as it opens.
   */
  adopt(deps: FloorStartDeps<S>): FloorStartDeps<S>;
  /** Lets go of what was not taken (closes the socket, now or once it opens). */
  close(): void;
}

/**
 * Begins the floor's I/O now: the site list, the socket, and the layout of `wanted` (or, without it, of the first site
 * listed, as soon as the list is in; `startFloor` shows that one too). Failures surface only when taken over.
 */
export function beginEarlyFloorStart<S extends Closable>(wanted: string | null, io: EarlyStartIo<S>): EarlyFloorStart<S> {
  let sites: Promise<SiteSummary[]> | null = io.fetchSites();
  const layouts = new Map<string, Promise<LayoutView>>();
  let socket: S | null = null;
  let released = false;
  let closed = false;
  const beginLayout = (siteId: string): void => {
    if (closed) return;
    const layout = io.fetchLayout(siteId);
    // Awaited when taken over; never an unhandled rejection meanwhile.
    layout.catch(() => undefined);
    layouts.set(siteId, layout);
  };
  if (wanted !== null) beginLayout(wanted);
  sites.then(
    (list) => {
      const first = list[0];
      if (wanted === null && first !== undefined) beginLayout(first.id);
    },
    () => undefined,
  );
  io.openSocket().then(
    (opened) => {
      if (released) opened.close();
      else socket = opened;
    },
    // The floor opens its own then.
    () => undefined,
  );
  const release = (): S | null => {
    released = true;
    const taken = socket;
    socket = null;
    return taken;
  };
  return {
    wanted,
    adopt(deps: FloorStartDeps<S>): FloorStartDeps<S> {
      return {
        ...deps,
        fetchSites: (signal) => {
          const listed = sites;
          sites = null;
          return listed ?? deps.fetchSites(signal);
        },
        fetchLayout: (siteId, signal) => {
          const layout = layouts.get(siteId);
          layouts.delete(siteId);
          return layout ?? deps.fetchLayout(siteId, signal);
        },
        openSocket: () => release() ?? deps.openSocket?.() ?? null,
      };
    },
    close(): void {
      closed = true;
      release()?.close();
      sites = null;
      layouts.clear();
    },
  };
}

/** The page's early start, until the floor view takes it (typed loosely: the entry and the view agree on the socket). */
let pendingEarlyStart: EarlyFloorStart<Closable> | null = null;

/** Keeps `early` for the floor view (`takeEarlyFloorStart`); the page's entry calls this once. */
export function keepEarlyFloorStart(early: EarlyFloorStart<Closable>): void {
  pendingEarlyStart?.close();
  pendingEarlyStart = early;
}

/** The early start the page's entry kept, once (null after, or when the entry began none). */
export function takeEarlyFloorStart<S extends Closable>(): EarlyFloorStart<S> | null {
  const early = pendingEarlyStart;
  pendingEarlyStart = null;
  // The entry opens the same kind of socket the view connects with (`openFloorSocket`).
  return early as EarlyFloorStart<S> | null;
}
