/**
 * The handheld view at `/picker`: sign on (scan or type your badge id; `?operative=` or the operative signed on at
 * this device last time resumes), then pick: the next pick large (location, item, quantity), scan the location and
 * then the item with a keyboard-wedge scanner — and, for a serial-tracked item, one serial per unit ("Serial 2 of 3",
 * each removable) — "Short" when fewer are there. Below it the walk left, the mini-map and
 * the stops after. Scans are queued on the device (see `picker-session.ts`): offline, the picker carries on with the
 * picks held and the scans are sent in order once the connection is back.
 */
import { useEffect, useMemo, useState, useSyncExternalStore, type FormEvent, type ReactNode } from 'react';
import type { LayoutView } from '../../../server/protocol/floor.ts';
import type { PickTaskView } from '../../../server/protocol/picking.ts';
import type { RouteView } from '../../../server/protocol/route.ts';
import { fetchLayout, fetchOperatives, type OperativeSummary } from '../net/api.ts';
import { connectFloor } from '../net/floor-socket.ts';
import type { FloorStore } from '../net/floor-store.ts';
import { formatDistance, nextStopIndex, remainingDistance, splitLocationId } from '../net/route-math.ts';
import { connectRoutes } from '../net/route-socket.ts';
import type { RouteStore } from '../net/route-store.ts';
import { useChosenSite } from '../views/use-chosen-site.ts';
import { useRouteSummary } from '../views/use-route-summary.ts';
import { SerialList } from '../views/SerialList.tsx';
import { MiniMap } from './MiniMap.tsx';
import { isSerialTracked, type PickerSession, type PickerSnapshot } from './picker-session.ts';
import type { PickerSocket } from './picking-socket.ts';
import { ScanField } from './ScanField.tsx';

/** How long the "route updated" notice stays up. */
const NOTICE_MS = 4_000;

/** Props of `PickerApp`. */
export interface PickerAppProps {
  readonly floor: FloorStore;
  readonly routes: RouteStore;
  readonly session: PickerSession;
  /** The handheld's socket, shared by the route feed and the picking requests. */
  readonly socket: PickerSocket;
}

const useSession = (session: PickerSession): PickerSnapshot =>
  useSyncExternalStore(
    (l) => session.subscribe(l),
    () => session.getSnapshot(),
  );

/** Keeps `?operative=` in the address so a reload or a bookmark opens the same picker. */
function writeOperativeToUrl(id: string | null): void {
  const url = new URL(window.location.href);
  if (id === null) url.searchParams.delete('operative');
  else url.searchParams.set('operative', id);
  window.history.replaceState(null, '', url);
}

/** Root of the handheld. */
export function PickerApp({ floor, routes, session, socket }: PickerAppProps) {
  const params = useMemo(() => new URLSearchParams(window.location.search), []);
  const { siteId, error, retry } = useChosenSite(params);
  const state = useSession(session);

  useEffect(() => {
    if (siteId !== null) session.start(siteId, params.get('operative'));
  }, [siteId, session, params]);

  useEffect(() => {
    if (siteId !== null) writeOperativeToUrl(state.operativeId);
  }, [siteId, state.operativeId]);

  if (error !== null) {
    return (
      <Shell>
        <StateCard tone="bad" title="Cannot reach the server" body={error}>
          <button type="button" className="big-button" onClick={retry}>
            Try again
          </button>
        </StateCard>
      </Shell>
    );
  }
  if (siteId === null) return <Shell><StateCard tone="muted" title="Connecting…" /></Shell>;
  if (state.operativeId === null) return <SignOn siteId={siteId} session={session} state={state} />;
  return (
    <Picking
      key={`${siteId}/${state.operativeId}`}
      siteId={siteId}
      operativeId={state.operativeId}
      state={state}
      session={session}
      floor={floor}
      routes={routes}
      socket={socket}
    />
  );
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

/** The message line: errors are alerts (read out at once), the rest polite status. */
function MessageLine({ state, session }: { state: PickerSnapshot; session: PickerSession }) {
  const message = state.message;
  return (
    <div className="message-slot" aria-live={message?.tone === 'bad' ? 'assertive' : 'polite'}>
      {message !== null && (
        <div className={`message message--${message.tone}`} role={message.tone === 'bad' ? 'alert' : 'status'} data-testid="picker-message" data-code={message.code ?? ''}>
          <span className="message__text">{message.text}</span>
          <button type="button" className="message__close" aria-label="Dismiss message" onClick={() => session.dismissMessage()}>
            ×
          </button>
        </div>
      )}
    </div>
  );
}

/** Sign on: scan or type a badge id (and a name); operatives already on the floor can be resumed with one tap. */
function SignOn({ siteId, session, state }: { siteId: string; session: PickerSession; state: PickerSnapshot }) {
  const [operativeId, setOperativeId] = useState('');
  const [name, setName] = useState('');
  const [list, setList] = useState<OperativeSummary[] | null>(null);

  useEffect(() => {
    const abort = new AbortController();
    fetchOperatives(siteId, abort.signal)
      .then((ops) => setList([...ops].sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }))))
      .catch(() => setList(null));
    return () => abort.abort();
  }, [siteId]);

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const id = operativeId.trim();
    if (id !== '') void session.signOn(id, name.trim());
  };

  return (
    <Shell bar={<header className="bar"><h1 className="bar__title">Sign on</h1><ConnectionPill state={state} /></header>}>
      <MessageLine state={state} session={session} />
      <form className="signon" onSubmit={submit} autoComplete="off">
        <label className="field__label" htmlFor="signon-operative">Badge / operative id</label>
        <input
          id="signon-operative"
          className="field__input"
          data-testid="signon-operative"
          value={operativeId}
          onChange={(e) => setOperativeId(e.target.value)}
          autoFocus
          autoCapitalize="characters"
          autoCorrect="off"
          spellCheck={false}
          required
          maxLength={200}
        />
        <label className="field__label" htmlFor="signon-name">Name (optional)</label>
        <input
          id="signon-name"
          className="field__input"
          data-testid="signon-name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          autoCorrect="off"
          maxLength={100}
        />
        <button type="submit" className="big-button" data-testid="signon-submit" disabled={state.busy || !state.connected || operativeId.trim() === ''}>
          {state.connected ? 'Sign on' : 'Waiting for connection…'}
        </button>
      </form>
      {list !== null && list.length > 0 && (
        <section aria-labelledby="resume-title">
          <h2 className="stops__title" id="resume-title">On the floor — resume as</h2>
          <ul className="chooser" data-testid="operative-chooser">
            {list.map((o) => (
              <li key={o.id}>
                <button type="button" className="chooser__item" disabled={state.busy || !state.connected} onClick={() => void session.signOn(o.id)}>
                  <span className="chooser__name">{o.name}</span>
                  <span className="chooser__meta">{o.id} · {o.tasks} task{o.tasks === 1 ? '' : 's'}</span>
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
    </Shell>
  );
}

function ConnectionPill({ state }: { state: PickerSnapshot }) {
  const pill = !state.connected ? 'offline' : state.operativeId === null || state.live ? 'live' : 'connecting';
  return (
    <span className={`pill pill--${pill}`} role="status" data-testid="connection-pill">
      {pill === 'live' ? 'Live' : pill === 'offline' ? 'Offline' : 'Connecting'}
    </span>
  );
}

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

/** The signed-on handheld: the pick to do, its scans, and the route. */
function Picking({
  siteId, operativeId, state, session, floor, routes, socket,
}: { siteId: string; operativeId: string; state: PickerSnapshot; session: PickerSession; floor: FloorStore; routes: RouteStore; socket: PickerSocket }) {
  const summary = useRouteSummary(routes);
  const layout = useFloorLayoutOf(floor);
  const name = useOperativeName(floor, operativeId);

  useEffect(() => {
    const abort = new AbortController();
    const connection = connectRoutes(routes, siteId, { socket });
    connection.watch(operativeId);
    let floorConnection: { close(): void } | null = null;
    // The map and the live dot are extras: picking works even if the layout cannot be loaded.
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
  }, [siteId, operativeId, floor, routes, socket]);

  // A re-plan or progress pushed by the server (another device, the supervisor): re-read the picks, without asking for work.
  const routeVersion = summary.routeVersion;
  useEffect(() => {
    if (routeVersion > 0) void session.refresh(false);
  }, [routeVersion, session]);

  const route = summary.operativeId === operativeId ? summary.route : null;
  const current = state.current;
  const currentIndex = route === null ? -1 : current === null ? nextStopIndex(route) : route.stops.findIndex((s) => s.taskId === current.taskId);
  const metres = useRemainingMetres(route, floor, operativeId);
  const replanned = useRecentReplan(summary.replannedAtMs);

  const bar = (
    <header className="bar">
      <div className="bar__who">
        <span className="bar__name">{name ?? operativeId}</span>
        {name !== null && <span className="bar__id">{operativeId}</span>}
      </div>
      <ConnectionPill state={state} />
      <button type="button" className="bar__change" data-testid="sign-off" disabled={state.busy} onClick={() => void session.signOff()}>
        Sign off
      </button>
    </header>
  );

  let content: ReactNode;
  if (current !== null) {
    content = (
      <NextPick pick={current} left={state.remaining}>
        <PickSteps state={state} session={session} pick={current} />
      </NextPick>
    );
  } else if (state.pending > 0) {
    content = state.connected ? (
      <StateCard tone="warn" title="Sending your scans…" body={`${state.pending} scan(s) wait for the server.`} />
    ) : (
      <StateCard tone="warn" title="Scans kept on this handheld" body={`${state.pending} scan(s) are sent when the connection is back; then your next picks load.`} />
    );
  } else if (!state.loaded) {
    content = state.connected ? (
      <StateCard tone="muted" title="Loading your picks…" />
    ) : (
      <StateCard tone="warn" title="Offline" body="No picks are stored on this handheld yet. They load when the connection is back." />
    );
  } else {
    content = (
      <StateCard tone="muted" title="No picks for you right now" body="Released orders appear here when you check for work.">
        <button type="button" className="big-button" data-testid="check-work" disabled={state.busy || !state.connected} onClick={() => void session.refresh(true)}>
          Check for work
        </button>
      </StateCard>
    );
  }

  return (
    <Shell bar={bar}>
      {!state.connected && (
        <div className="banner banner--offline" role="alert" data-testid="offline-banner">
          Offline — keep picking; {state.pending === 0 ? 'scans are kept on this handheld' : `${state.pending} scan(s) kept on this handheld`} and sent when the connection is back.
        </div>
      )}
      {state.connected && state.pending > 0 && (
        <div className="banner banner--sending" role="status" data-testid="pending-banner">
          Sending {state.pending} scan(s)…
        </div>
      )}
      {replanned && (
        <div className="banner banner--updated" role="status" data-testid="route-updated">
          Route updated
        </div>
      )}
      <MessageLine state={state} session={session} />
      <div className="picker__content">
        {content}
        <dl className="stats">
          <div className="stat">
            <dt>Walk left</dt>
            <dd data-testid="remaining-distance">{metres === null ? '–' : formatDistance(metres)}</dd>
          </div>
          <div className="stat">
            <dt>Picks left</dt>
            <dd data-testid="picks-left">{state.remaining}</dd>
          </div>
        </dl>
        {layout !== null && <MiniMap layout={layout} route={route} nextIndex={currentIndex} floor={floor} operativeId={operativeId} />}
        {route !== null && <StopList route={route} nextIndex={currentIndex} />}
      </div>
    </Shell>
  );
}

/**
 * The scans of one pick: location, then item, then (serial-tracked, R78) one serial per unit; "Short" asks how many were
 * found, and for a serial-tracked item the serials of those units.
 */
function PickSteps({ state, session, pick }: { state: PickerSnapshot; session: PickerSession; pick: PickTaskView }) {
  const [shortOpen, setShortOpen] = useState(false);
  const [found, setFound] = useState('');

  useEffect(() => {
    setShortOpen(false);
    setFound('');
  }, [pick.taskId]);

  const recordShort = (event: FormEvent): void => {
    event.preventDefault();
    const n = Number(found);
    if (found.trim() !== '' && session.short(n)) setShortOpen(false);
  };

  const step = state.step;
  const serialTracked = isSerialTracked(pick);
  const atItem = step === 'item';
  const atSerial = step === 'serial';
  const needed = state.serialsNeeded;
  const scanned = state.serials.length;
  let label = 'Scan the location';
  let hint = `Label ${pick.locationId}`;
  if (atItem) {
    label = 'Scan the item';
    hint = `${pick.skuDescription} — barcode ${pick.barcode}${serialTracked ? ' · then one serial per unit' : ''}`;
  } else if (atSerial) {
    label = `Serial ${Math.min(scanned + 1, needed)} of ${needed}`;
    hint = state.shortFound === null ? `Scan the serial label of each of the ${needed} units.` : `Short: ${state.shortFound} found — scan the serial of each unit found.`;
  }
  const stepClass = (now: boolean, done: boolean): string => (now ? 'step step--now' : done ? 'step step--done' : 'step');
  return (
    <div className="steps">
      <ol className="steps__track" aria-label="Scan steps">
        <li className={stepClass(step === 'location', step !== 'location')} aria-current={step === 'location' ? 'step' : undefined}>
          1 · Location{step !== 'location' ? ' ✓' : ''}
        </li>
        <li className={stepClass(atItem, atSerial && state.shortFound === null)} aria-current={atItem ? 'step' : undefined}>
          2 · Item{atSerial && state.shortFound === null ? ' ✓' : ''}
        </li>
        {serialTracked && (
          <li className={stepClass(atSerial, false)} aria-current={atSerial ? 'step' : undefined} data-testid="serial-step">
            3 · Serials {atSerial ? `${scanned}/${needed}` : `×${pick.qty}`}
          </li>
        )}
      </ol>
      {!shortOpen && (
        <ScanField
          key={`${pick.taskId}-${step}`}
          label={label}
          hint={hint}
          onScan={(code) => session.scan(code)}
          active={!shortOpen}
        />
      )}
      {atSerial && !shortOpen && (
        <p className="serial-count" role="status" data-testid="serial-count">
          {scanned} of {needed} serial{needed === 1 ? '' : 's'} scanned
        </p>
      )}
      {state.serials.length > 0 && !shortOpen && <SerialList serials={state.serials} onRemove={(serial) => session.removeSerial(serial)} />}
      {shortOpen ? (
        <form className="short" onSubmit={recordShort} data-testid="short-form">
          <label className="field__label" htmlFor="short-found">
            How many did you find? (0–{pick.qty - 1})
          </label>
          <input
            id="short-found"
            className="field__input"
            data-testid="short-found"
            type="number"
            inputMode="numeric"
            min={0}
            max={pick.qty - 1}
            step={1}
            value={found}
            onChange={(e) => setFound(e.target.value)}
            autoFocus
            required
          />
          <div className="short__buttons">
            <button type="submit" className="action action--bad" data-testid="short-submit">Record short</button>
            <button type="button" className="action" onClick={() => setShortOpen(false)}>Cancel</button>
          </div>
        </form>
      ) : (
        <div className="steps__actions">
          <button type="button" className="action action--warn" data-testid="short-open" onClick={() => setShortOpen(true)}>
            Short
          </button>
          {(atItem || atSerial) && (
            <button type="button" className="action" onClick={() => session.restartPick()}>
              {atSerial ? 'Start this pick again' : 'Rescan location'}
            </button>
          )}
        </div>
      )}
    </div>
  );
}

/** The next pick, large: where (aisle / bay / level), what, how many. `children` = the scan steps. */
export function NextPick({ pick, left, children }: { pick: PickTaskView; left: number; children?: ReactNode }) {
  const parts = splitLocationId(pick.locationId);
  return (
    <section className="next" aria-label="Next pick" data-testid="next-pick" data-task-id={pick.taskId}>
      <div className="next__head">
        <span>Next pick</span>
        <span>{left} left</span>
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
      <div className={parts === null ? 'next__id next__id--big' : 'next__id'} data-testid="next-location">{pick.locationId}</div>
      <div className="next__what">
        <span className="next__qty" aria-label={`quantity ${pick.qty}`} data-testid="next-qty">×{pick.qty}</span>
        <span className="next__sku">
          <span className="next__desc">{pick.skuDescription}</span>
          <span className="next__skuid">
            {pick.skuId}
            {pick.lot !== '' && ` · lot ${pick.lot}`}
            {' · '}order {pick.orderId}
          </span>
        </span>
      </div>
      {children}
    </section>
  );
}

/** The stops after the current one, numbered as on the map. */
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
