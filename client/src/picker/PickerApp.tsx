/**
 * The handheld view at `/picker`: choose who you are (from `?operative=`, the last choice on this device, or the
 * list of operatives), then follow your route: the next pick large, the distance left, a mini-map and the stops
 * after it. Read-only for now; `NextPick` takes children where the scan / confirm field will go.
 */
import { useEffect, useMemo, useState, useSyncExternalStore, type ReactNode } from 'react';
import type { LayoutView } from '../../../server/protocol/floor.ts';
import type { NoRouteView, RouteStopView, RouteView } from '../../../server/protocol/route.ts';
import { fetchLayout, fetchOperatives, fetchSites, type OperativeSummary } from '../net/api.ts';
import { connectFloor } from '../net/floor-socket.ts';
import type { ConnectionStatus, FloorStore } from '../net/floor-store.ts';
import { formatDistance, nextStopIndex, remainingDistance, splitLocationId } from '../net/route-math.ts';
import { connectRoutes } from '../net/route-socket.ts';
import type { RouteStore } from '../net/route-store.ts';
import { useRouteSummary } from '../views/use-route-summary.ts';
import { MiniMap } from './MiniMap.tsx';

/** localStorage key of the operative last chosen on this device. */
export const OPERATIVE_STORAGE_KEY = 'floortwin.picker.operative';
/** How long the "route updated" notice stays up. */
const NOTICE_MS = 4_000;

/** Props of `PickerApp`. */
export interface PickerAppProps {
  readonly floor: FloorStore;
  readonly routes: RouteStore;
}

function readStoredOperative(): string | null {
  try {
    return window.localStorage.getItem(OPERATIVE_STORAGE_KEY);
  } catch {
    return null; // storage disabled (private mode): the picker chooses each time
  }
}

function storeOperative(id: string | null): void {
  try {
    if (id === null) window.localStorage.removeItem(OPERATIVE_STORAGE_KEY);
    else window.localStorage.setItem(OPERATIVE_STORAGE_KEY, id);
  } catch {
    // Not persisted; the URL still carries it.
  }
}

/** Keeps `?operative=` in the address so a reload or a bookmark opens the same picker. */
function writeOperativeToUrl(id: string | null): void {
  const url = new URL(window.location.href);
  if (id === null) url.searchParams.delete('operative');
  else url.searchParams.set('operative', id);
  window.history.replaceState(null, '', url);
}

/** Root of the handheld. */
export function PickerApp({ floor, routes }: PickerAppProps) {
  const params = useMemo(() => new URLSearchParams(window.location.search), []);
  const [operativeId, setOperativeId] = useState<string | null>(() => params.get('operative') ?? readStoredOperative());
  const [siteId, setSiteId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const abort = new AbortController();
    fetchSites(abort.signal)
      .then((sites) => {
        const chosen = sites.find((s) => s.id === params.get('site')) ?? sites[0];
        if (chosen === undefined) throw new Error('This server hosts no sites yet.');
        setSiteId(chosen.id);
        setError(null);
      })
      .catch((e: unknown) => {
        if (!abort.signal.aborted) setError(e instanceof Error ? e.message : String(e));
      });
    return () => abort.abort();
  }, [params, attempt]);

  useEffect(() => {
    if (operativeId !== null) storeOperative(operativeId);
  }, [operativeId]);

  const choose = (id: string | null): void => {
    storeOperative(id);
    writeOperativeToUrl(id);
    setOperativeId(id);
  };

  if (error !== null) {
    return (
      <Shell>
        <StateCard tone="bad" title="Cannot reach the server" body={error}>
          <button type="button" className="big-button" onClick={() => setAttempt((n) => n + 1)}>
            Try again
          </button>
        </StateCard>
      </Shell>
    );
  }
  if (siteId === null) return <Shell><StateCard tone="muted" title="Connecting…" /></Shell>;
  if (operativeId === null) return <OperativeChooser siteId={siteId} onChoose={choose} />;
  return <PickerRoute key={`${siteId}/${operativeId}`} siteId={siteId} operativeId={operativeId} floor={floor} routes={routes} onChange={() => choose(null)} />;
}

function Shell({ children, bar }: { children: ReactNode; bar?: ReactNode }) {
  return (
    <div className="picker">
      {bar}
      <main className="picker__body">{children}</main>
    </div>
  );
}

function StateCard({ tone, title, body, children }: { tone: 'bad' | 'warn' | 'muted' | 'good'; title: string; body?: string; children?: ReactNode }) {
  return (
    <section className={`state state--${tone}`} role={tone === 'bad' || tone === 'warn' ? 'alert' : 'status'}>
      <h2 className="state__title">{title}</h2>
      {body !== undefined && <p className="state__body">{body}</p>}
      {children}
    </section>
  );
}

/** "Who are you?": the operatives the server knows, those on the floor first. */
function OperativeChooser({ siteId, onChoose }: { siteId: string; onChoose: (id: string) => void }) {
  const [list, setList] = useState<OperativeSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    const abort = new AbortController();
    fetchOperatives(siteId, abort.signal)
      .then((ops) => {
        const onFloor = (o: OperativeSummary): number => (o.activity === 'offline' ? 1 : 0);
        setList([...ops].sort((a, b) => onFloor(a) - onFloor(b) || a.name.localeCompare(b.name, 'en', { numeric: true })));
        setError(null);
      })
      .catch((e: unknown) => {
        if (!abort.signal.aborted) setError(e instanceof Error ? e.message : String(e));
      });
    return () => abort.abort();
  }, [siteId, attempt]);

  return (
    <Shell bar={<header className="bar"><h1 className="bar__title">Who is picking?</h1></header>}>
      {error !== null && (
        <StateCard tone="bad" title="Could not load the operatives" body={error}>
          <button type="button" className="big-button" onClick={() => setAttempt((n) => n + 1)}>Try again</button>
        </StateCard>
      )}
      {error === null && list === null && <StateCard tone="muted" title="Loading operatives…" />}
      {list !== null && list.length === 0 && <StateCard tone="muted" title="Nobody is on this site yet" />}
      {list !== null && list.length > 0 && (
        <ul className="chooser" data-testid="operative-chooser">
          {list.map((o) => (
            <li key={o.id}>
              <button type="button" className="chooser__item" onClick={() => onChoose(o.id)}>
                <span className="chooser__name">{o.name}</span>
                <span className="chooser__meta">
                  {o.id} · {o.activity === 'offline' ? 'not on the floor' : `${o.tasks} task${o.tasks === 1 ? '' : 's'}`}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </Shell>
  );
}

const useFloorStatus = (floor: FloorStore): ConnectionStatus =>
  useSyncExternalStore((l) => floor.subscribe(l), () => floor.status);
const useFloorLayoutOf = (floor: FloorStore): LayoutView | null =>
  useSyncExternalStore((l) => floor.subscribe(l), () => floor.layout);
const useOperativeName = (floor: FloorStore, id: string): string | null =>
  useSyncExternalStore((l) => floor.subscribe(l), () => floor.operative(id)?.name ?? null);

/** Metres left, re-measured once a second from the live position (whole metres, so React re-renders only on change). */
function useRemainingMetres(route: RouteView | null, floor: FloorStore, operativeId: string): number | null {
  const [metres, setMetres] = useState<number | null>(null);
  useEffect(() => {
    if (route === null) {
      setMetres(null);
      return;
    }
    const measure = (): void => {
      const track = floor.operative(operativeId);
      const at = track === undefined ? null : { x: track.toX, y: track.toY };
      setMetres(Math.round(remainingDistance(route, at)));
    };
    measure();
    const timer = setInterval(measure, 1_000);
    return () => clearInterval(timer);
  }, [route, floor, operativeId]);
  return metres;
}

/** Shows "route updated" for a few seconds after each re-plan. */
function useRecentReplan(replannedAtMs: number | null): boolean {
  const [visible, setVisible] = useState(false);
  useEffect(() => {
    if (replannedAtMs === null) return;
    setVisible(true);
    const timer = setTimeout(() => setVisible(false), NOTICE_MS);
    return () => clearTimeout(timer);
  }, [replannedAtMs]);
  return visible;
}

const NO_ROUTE_TEXT: Readonly<Record<NoRouteView['reason'], { tone: 'bad' | 'warn' | 'muted'; title: string }>> = {
  NO_TASKS: { tone: 'muted', title: 'No picks for you right now' },
  NOT_SIGNED_ON: { tone: 'warn', title: 'You are not signed on' },
  UNREACHABLE: { tone: 'bad', title: 'A pick cannot be reached' },
};

/** The route of one operative, live. */
function PickerRoute({
  siteId, operativeId, floor, routes, onChange,
}: { siteId: string; operativeId: string; floor: FloorStore; routes: RouteStore; onChange: () => void }) {
  const summary = useRouteSummary(routes);
  const floorStatus = useFloorStatus(floor);
  const layout = useFloorLayoutOf(floor);
  const name = useOperativeName(floor, operativeId);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const abort = new AbortController();
    const connection = connectRoutes(routes, siteId);
    connection.watch(operativeId);
    let floorConnection: { close(): void } | null = null;
    // The map and the live dot are extras: the route is shown even if the layout cannot be loaded.
    fetchLayout(siteId, abort.signal)
      .then((l) => {
        if (abort.signal.aborted) return;
        floor.setLayout(l);
        floorConnection = connectFloor(floor, siteId);
      })
      .catch(() => undefined);
    return () => {
      abort.abort();
      connection.close();
      floorConnection?.close();
    };
  }, [siteId, operativeId, floor, routes, attempt]);

  const route = summary.operativeId === operativeId ? summary.route : null;
  const noRoute = summary.operativeId === operativeId ? summary.noRoute : null;
  const nextIndex = route === null ? -1 : nextStopIndex(route);
  const metres = useRemainingMetres(route, floor, operativeId);
  const replanned = useRecentReplan(summary.replannedAtMs);
  const offline = summary.status === 'offline' || (summary.status === 'connecting' && (route !== null || noRoute !== null));
  const pill = offline ? 'offline' : summary.status === 'live' && floorStatus !== 'offline' ? 'live' : summary.status === 'error' ? 'error' : 'connecting';

  const bar = (
    <header className="bar">
      <div className="bar__who">
        <span className="bar__name">{name ?? operativeId}</span>
        {name !== null && <span className="bar__id">{operativeId}</span>}
      </div>
      <span className={`pill pill--${pill}`} role="status">
        {pill === 'live' ? 'Live' : pill === 'offline' ? 'Offline' : pill === 'error' ? 'Error' : 'Connecting'}
      </span>
      <button type="button" className="bar__change" onClick={onChange}>Change</button>
    </header>
  );

  let content: ReactNode;
  if (summary.status === 'error' && route === null && noRoute === null) {
    content = (
      <StateCard tone="bad" title="Cannot load your route" body={summary.statusDetail ?? undefined}>
        <button type="button" className="big-button" onClick={() => setAttempt((n) => n + 1)}>Try again</button>
      </StateCard>
    );
  } else if (noRoute !== null) {
    const text = NO_ROUTE_TEXT[noRoute.reason];
    content = <StateCard tone={text.tone} title={text.title} body={noRoute.message} />;
  } else if (route === null) {
    content = <StateCard tone="muted" title="Loading your route…" />;
  } else {
    const next = route.stops[nextIndex];
    const open = route.stops.filter((s) => s.status === 'open').length;
    content = (
      <>
        {next === undefined ? (
          <StateCard tone="good" title="All picks done" body="Take your picks back to the depot." />
        ) : (
          <NextPick stop={next} number={nextIndex + 1} of={route.stops.length} />
        )}
        <dl className="stats">
          <div className="stat">
            <dt>Walk left</dt>
            <dd data-testid="remaining-distance">{metres === null ? '–' : formatDistance(metres)}</dd>
          </div>
          <div className="stat">
            <dt>Stops left</dt>
            <dd>{open}</dd>
          </div>
        </dl>
        {layout !== null && <MiniMap layout={layout} route={route} nextIndex={nextIndex} floor={floor} operativeId={operativeId} />}
        <StopList route={route} nextIndex={nextIndex} />
      </>
    );
  }

  return (
    <Shell bar={bar}>
      {offline && (
        <div className="banner banner--offline" role="alert">
          Connection lost — reconnecting. The route below may be out of date.
        </div>
      )}
      {replanned && (
        <div className="banner banner--updated" role="status" data-testid="route-updated">
          Route updated
        </div>
      )}
      <div className={offline ? 'picker__content picker__content--stale' : 'picker__content'}>{content}</div>
    </Shell>
  );
}

/** The next pick, large: where (aisle / bay / level), what, how many. `children` = the future scan / confirm field. */
export function NextPick({ stop, number, of, children }: { stop: RouteStopView; number: number; of: number; children?: ReactNode }) {
  const parts = splitLocationId(stop.locationId);
  return (
    <section className="next" aria-label="Next pick" data-testid="next-pick">
      <div className="next__head">
        <span>Next pick</span>
        <span>Stop {number} of {of}</span>
      </div>
      {parts !== null ? (
        <div className="next__location">
          <div className="loc"><span className="loc__label">Aisle</span><span className="loc__value">{parts.aisle}</span></div>
          <div className="loc loc--wide">
            <span className="loc__label">Bay · {parts.side === 'L' ? 'left' : 'right'}</span>
            <span className="loc__value">{parts.bay}</span>
          </div>
          <div className="loc"><span className="loc__label">Level</span><span className="loc__value">{parts.level}</span></div>
        </div>
      ) : null}
      <div className={parts === null ? 'next__id next__id--big' : 'next__id'} data-testid="next-location">{stop.locationId}</div>
      <div className="next__what">
        <span className="next__qty" aria-label={`quantity ${stop.qty}`}>×{stop.qty}</span>
        <span className="next__sku">
          <span className="next__desc">{stop.skuDescription}</span>
          <span className="next__skuid">{stop.skuId}</span>
        </span>
      </div>
      {children}
    </section>
  );
}

/** The stops after the next one, numbered as on the map. */
function StopList({ route, nextIndex }: { route: RouteView; nextIndex: number }) {
  const later = route.stops
    .map((stop, i) => ({ stop, number: i + 1 }))
    .filter(({ stop, number }) => stop.status === 'open' && number - 1 !== nextIndex);
  if (later.length === 0) return null;
  return (
    <section className="stops" aria-label="Stops after this one">
      <h2 className="stops__title">Then</h2>
      <ol className="stops__list">
        {later.map(({ stop, number }) => (
          <li key={`${stop.taskId}-${number}`} className="stops__item">
            <span className="stops__num">{number}</span>
            <span className="stops__loc">{stop.locationId}</span>
            <span className="stops__qty">×{stop.qty}</span>
            <span className="stops__desc">{stop.skuDescription}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
