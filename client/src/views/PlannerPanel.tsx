/**
 * The planner's panel over the floor: run the simulated shift at 1–100x twin time, watch it on the floor, and read
 * what it has done (where the site runs a simulated shift); and ask "what if" of the rest of the shift from the live
 * floor — more orders, fewer pickers, another routing — with the results against the floor as it stands, and watch
 * the what-if's first simulated hour on the floor at 10–100× (the replay player, under a simulation banner) before
 * going back to live. The results stay on screen while it plays.
 */
import { useCallback, useEffect, useId, useRef, useState, useSyncExternalStore, type FormEvent } from 'react';
import type { RouteMethod } from '../../../solver/routing/plan-route.ts';
import type { ReplayPlayer, ReplayView } from '../net/replay-player.ts';
import { fetchShift, setShiftSpeed, type ShiftView } from '../net/shift-api.ts';
import { fetchWhatIfPlayback, startWhatIf, waitForWhatIf, whatIfReportUrl, type WhatIfInput, type WhatIfView } from '../net/what-if-api.ts';
import './what-if.css';

const SPEEDS = [1, 10, 30, 100] as const;
const number = new Intl.NumberFormat('en-GB');

function duration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** Props of `PlannerPanel`. */
export interface PlannerPanelProps {
  readonly siteId: string;
  /** The floor's replay player, to watch a what-if in; null until the live floor is connected. */
  readonly player?: ReplayPlayer | null;
}

export function PlannerPanel({ siteId, player = null }: PlannerPanelProps) {
  const [shift, setShift] = useState<ShiftView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [whatIfOpen, setWhatIfOpen] = useState(false);
  const whatIfToggle = useRef<HTMLButtonElement | null>(null);
  const id = useId();

  useEffect(() => {
    const abort = new AbortController();
    const load = (): void => {
      fetchShift(siteId, abort.signal)
        .then((view) => {
          setShift(view);
          setError(null);
        })
        .catch((e: unknown) => {
          if (!abort.signal.aborted) setError(e instanceof Error ? e.message : String(e));
        });
    };
    load();
    // Two seconds is plenty for figures a person reads; the floor itself streams live.
    const timer = setInterval(load, 2000);
    return () => {
      abort.abort();
      clearInterval(timer);
    };
  }, [siteId]);

  const choose = (speed: number): void => {
    setShiftSpeed(siteId, speed).then(setShift, (e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  };
  const r = shift?.results;
  const whatIfId = `${id}-what-if`;
  return (
    <section className="panel planner" data-testid="planner" aria-label="Planner">
      {/* The what-if opens beside the panel: the left column has no height to spare at 1280×800. */}
      <div className="planner__titlebar">
        <h2 className="planner__title">{shift === null ? 'Planner' : 'Simulated shift'}</h2>
        <button ref={whatIfToggle} type="button" className="what-if__toggle" aria-expanded={whatIfOpen} aria-controls={whatIfId} onClick={() => setWhatIfOpen((o) => !o)} data-testid="what-if-toggle">
          What-if…
        </button>
      </div>
      {shift !== null && r !== undefined && (
        <>
          <div className="planner__speeds" role="group" aria-label="Simulation speed">
            {SPEEDS.map((speed) => (
              <button key={speed} type="button" aria-pressed={shift.speed === speed} className={shift.speed === speed ? 'is-active' : ''} onClick={() => choose(speed)}>
                {speed}x
              </button>
            ))}
          </div>
          <p className="planner__time">
            {shift.pickers} pickers · {number.format(shift.ordersPerHour)} orders/h · {duration(shift.elapsedTwinMs)} simulated
          </p>
          <dl className="planner__results">
            <div>
              <dt>Orders in</dt>
              <dd>{number.format(r.ordersCreated)}</dd>
            </div>
            <div>
              <dt>Despatched</dt>
              <dd>{number.format(r.ordersDespatched)}</dd>
            </div>
            <div>
              <dt>Picks</dt>
              <dd>{number.format(r.picksConfirmed)}</dd>
            </div>
            <div>
              <dt>Shorts</dt>
              <dd>{number.format(r.shorts)}</dd>
            </div>
            <div>
              <dt>Trips</dt>
              <dd>{number.format(r.trips)}</dd>
            </div>
            <div>
              <dt>No stock</dt>
              <dd>{number.format(r.ordersSkipped)}</dd>
            </div>
          </dl>
          {error !== null && <p role="alert">{error}</p>}
        </>
      )}
      <WhatIf
        id={whatIfId}
        siteId={siteId}
        player={player}
        open={whatIfOpen}
        onClose={() => {
          setWhatIfOpen(false);
          whatIfToggle.current?.focus();
        }}
      />
    </section>
  );
}

const ROUTINGS: readonly { readonly value: RouteMethod; readonly label: string }[] = [
  { value: 'best', label: 'Best (optimal)' },
  { value: 's-shape', label: 'S-shape' },
  { value: 'largest-gap', label: 'Largest gap' },
  { value: 'combined', label: 'Combined' },
  { value: 'nearest-neighbour', label: 'Nearest neighbour' },
];

/** One row of the results table: how to read a KPI and show it. */
interface KpiRow {
  readonly label: string;
  readonly value: (k: NonNullable<WhatIfView['result']>) => number;
  readonly format: (n: number) => string;
}
const oneDecimal = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 });
const percent = new Intl.NumberFormat('en-GB', { style: 'percent', maximumFractionDigits: 1 });
const KPI_ROWS: readonly KpiRow[] = [
  { label: 'Orders arrived', value: (k) => k.ordersArrived, format: (n) => number.format(n) },
  { label: 'Orders despatched', value: (k) => k.ordersDespatched, format: (n) => number.format(n) },
  { label: 'Cut-off hit rate', value: (k) => k.cutoffHitRate, format: (n) => percent.format(n) },
  { label: 'Lead time p95 (min)', value: (k) => k.leadTimeP95Minutes, format: (n) => oneDecimal.format(n) },
  { label: 'Picks / picker-hour', value: (k) => k.picksPerPickerHour, format: (n) => oneDecimal.format(n) },
  { label: 'Distance walked (km)', value: (k) => k.distanceWalkedMetres / 1000, format: (n) => oneDecimal.format(n) },
  { label: 'Congestion (min)', value: (k) => k.congestionMinutes, format: (n) => oneDecimal.format(n) },
];

type WhatIfState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'running' }
  | { readonly kind: 'done'; readonly view: WhatIfView }
  | { readonly kind: 'failed'; readonly message: string };

/** Number from an input, or undefined when left empty. */
const numberOrUndefined = (text: string): number | undefined => (text.trim() === '' ? undefined : Number(text));

/** Props of the what-if panel. */
interface WhatIfProps {
  readonly id: string;
  readonly siteId: string;
  readonly player: ReplayPlayer | null;
  /** Hidden, not unmounted, when closed: a run in progress and its results stay. */
  readonly open: boolean;
  readonly onClose: () => void;
}

/** The what-if form and, once run, the table of the floor as it stands vs the what-if. */
function WhatIf({ id, siteId, player, open, onClose }: WhatIfProps) {
  const watching = useWatchingSimulation(player);
  const [ordersPercent, setOrdersPercent] = useState('40');
  const [pickerDelta, setPickerDelta] = useState('0');
  const [routing, setRouting] = useState<RouteMethod | ''>('');
  const [hours, setHours] = useState('');
  const [state, setState] = useState<WhatIfState>({ kind: 'idle' });
  const abort = useRef<AbortController | null>(null);
  const firstInput = useRef<HTMLInputElement | null>(null);

  useEffect(() => () => abort.current?.abort(), []);
  // Opening moves the keyboard into the form (it sits after the speed buttons in tab order).
  useEffect(() => {
    if (open) firstInput.current?.focus();
  }, [open]);

  const run = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault();
    abort.current?.abort();
    const controller = new AbortController();
    abort.current = controller;
    const percentChange = numberOrUndefined(ordersPercent) ?? 0;
    const hoursValue = numberOrUndefined(hours);
    const input: WhatIfInput = {
      orderMultiplier: 1 + percentChange / 100,
      pickerDelta: numberOrUndefined(pickerDelta) ?? 0,
      ...(routing === '' ? {} : { routing }),
      ...(hoursValue === undefined ? {} : { hours: hoursValue }),
    };
    setState({ kind: 'running' });
    startWhatIf(siteId, input)
      .then((whatIfId) => waitForWhatIf(siteId, whatIfId, controller.signal))
      .then(
        (view) => setState(view.status === 'done' ? { kind: 'done', view } : { kind: 'failed', message: view.error ?? 'the simulation failed' }),
        (e: unknown) => {
          if (!controller.signal.aborted) setState({ kind: 'failed', message: e instanceof Error ? e.message : String(e) });
        },
      );
  };

  const running = state.kind === 'running';
  return (
    <section
      id={id}
      className={`panel what-if${watching ? ' what-if--watching' : ''}`}
      hidden={!open}
      aria-labelledby={`${id}-heading`}
      data-testid="what-if"
      onKeyDown={(e) => {
        if (e.key === 'Escape') onClose();
      }}
    >
      <header className="what-if__header">
        <h2 className="planner__title" id={`${id}-heading`}>
          What-if <span className="what-if__hint">from the live floor</span>
        </h2>
        <button type="button" className="what-if__toggle" onClick={onClose} aria-label="Close what-if">
          Hide
        </button>
      </header>
      <form className="what-if__form" onSubmit={run} aria-label="What-if assumptions" data-testid="what-if-form">
        <label>
          Orders ±%
          <input ref={firstInput} type="number" inputMode="numeric" min={-100} max={900} step={5} value={ordersPercent} onChange={(e) => setOrdersPercent(e.target.value)} data-testid="what-if-orders" />
        </label>
        <label>
          Pickers ±
          <input type="number" inputMode="numeric" min={-500} max={500} step={1} value={pickerDelta} onChange={(e) => setPickerDelta(e.target.value)} data-testid="what-if-pickers" />
        </label>
        <label>
          Routing
          <select value={routing} onChange={(e) => setRouting(e.target.value as RouteMethod | '')} data-testid="what-if-routing">
            <option value="">As live</option>
            {ROUTINGS.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Hours
          <input type="number" inputMode="decimal" min={0.5} max={24} step={0.5} placeholder="to cut-off" value={hours} onChange={(e) => setHours(e.target.value)} data-testid="what-if-hours" />
        </label>
        <button type="submit" className="what-if__run" disabled={running} aria-busy={running} data-testid="what-if-run">
          {running ? 'Running…' : 'Run'}
        </button>
      </form>
      <div aria-live="polite">
        {running && <p className="what-if__status">Simulating the rest of the shift twice (as it stands, and what-if)…</p>}
        {state.kind === 'failed' && (
          <p className="what-if__status" role="alert">
            What-if failed: {state.message}
          </p>
        )}
        {state.kind === 'done' && <WhatIfResults siteId={siteId} view={state.view} player={player} />}
      </div>
    </section>
  );
}

function WhatIfResults({ siteId, view, player }: { readonly siteId: string; readonly view: WhatIfView; readonly player: ReplayPlayer | null }) {
  const { baseline, result, request: p } = view;
  if (baseline === undefined || result === undefined) return null;
  const from = new Date(p.startAt).toISOString().slice(11, 16);
  return (
    <>
      {/* First, not below the report link: the bottom of the panel may sit under the timeline on a laptop screen. */}
      {p.watch && player !== null && <WatchOnFloor siteId={siteId} view={view} player={player} />}
      <table className="what-if__table" data-testid="what-if-results">
        <caption>
          {oneDecimal.format(p.hours)} h from {from} UTC · pickers {p.pickersNow} → {p.pickers} · orders ×{oneDecimal.format(p.orderMultiplier)}
        </caption>
        <thead>
          <tr>
            <th scope="col">KPI</th>
            <th scope="col">As is</th>
            <th scope="col">What-if</th>
          </tr>
        </thead>
        <tbody>
          {KPI_ROWS.map((row) => (
            <tr key={row.label}>
              <th scope="row">{row.label}</th>
              <td data-testid="what-if-baseline">{row.format(row.value(baseline))}</td>
              <td data-testid="what-if-result">{row.format(row.value(result))}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {baseline.ordersDespatched === 0 && result.ordersDespatched === 0 && (
        <p className="what-if__status">Trucks leave at the cut-off ({p.cutoffs.join(', ')} UTC): none leaves within this window.</p>
      )}
      <a className="what-if__report" href={whatIfReportUrl(siteId, view.id)} target="_blank" rel="noopener noreferrer" data-testid="what-if-report">
        Open the full report
      </a>
    </>
  );
}

/** The player's view, re-rendering on its changes (≤ 10 a second while it plays). */
function usePlayerView(player: ReplayPlayer): ReplayView {
  const subscribe = useCallback((listener: () => void) => player.subscribe(listener), [player]);
  return useSyncExternalStore(subscribe, () => player.getView());
}

/** True while the floor plays a simulation (changes only when a playback starts or ends). */
function useWatchingSimulation(player: ReplayPlayer | null): boolean {
  const subscribe = useCallback((listener: () => void) => (player === null ? () => undefined : player.subscribe(listener)), [player]);
  return useSyncExternalStore(subscribe, () => player?.getView().source?.kind === 'simulation');
}

/** "Watch on the floor": loads the what-if run's recorded hour into the floor's player and plays it at 100×. */
function WatchOnFloor({ siteId, view, player }: { readonly siteId: string; readonly view: WhatIfView; readonly player: ReplayPlayer }) {
  const playing = usePlayerView(player);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);
  useEffect(() => () => abort.current?.abort(), []);
  const p = view.request;
  const name = `orders ×${oneDecimal.format(p.orderMultiplier)}, pickers ${p.pickersNow} → ${p.pickers}`;
  const watching = playing.source?.kind === 'simulation';

  const watch = (): void => {
    abort.current?.abort();
    const controller = new AbortController();
    abort.current = controller;
    setLoading(true);
    setError(null);
    fetchWhatIfPlayback(siteId, view.id, controller.signal)
      .then((playback) => player.open({ kind: 'simulation', name: `${playback.scenario}: ${name}` }, playback, { speed: 100, play: true }))
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setError(e instanceof Error ? e.message : String(e));
      })
      .finally(() => {
        if (!controller.signal.aborted) setLoading(false);
      });
  };

  return (
    <div className="what-if__watch">
      <button type="button" onClick={watch} disabled={loading} aria-busy={loading} data-testid="what-if-watch">
        {loading ? 'Loading…' : watching ? 'Watch again' : 'Watch on the floor'}
      </button>
      {watching && (
        <button type="button" onClick={() => player.backToLive()} data-testid="what-if-live">
          Back to live
        </button>
      )}
      {error !== null && (
        <p className="what-if__status" role="alert">
          Cannot watch: {error}
        </p>
      )}
    </div>
  );
}
