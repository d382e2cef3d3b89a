/**
 * Time travel: choose a past window on a slider over the site's history, replay it on the floor at 1×–600× twin
 * time, and go back to live. The floor store is shared with the live view; the player pauses the live stream while
 * replaying. The same controls play a simulation the planner chose to watch (`PlannerPanel`), under a banner that
 * says the floor shows a simulation, with its name and simulated time. Re-renders on the player's view (≤ 10 times
 * a second while playing), never per 3D frame.
 */
import { useEffect, useState, useSyncExternalStore } from 'react';
import type { FloorStore } from '../net/floor-store.ts';
import { fetchHistoryRange, type HistoryRangeView } from '../net/replay-api.ts';
import { REPLAY_SPEEDS, installReplayTestHooks, type ReplayPlayer, type ReplaySpeed } from '../net/replay-player.ts';
import './timeline.css';
// The simulation banner's look lives with the planner's what-if, which starts it.
import './what-if.css';

/** Props of `Timeline`. */
export interface TimelineProps {
  readonly store: FloorStore;
  /** The player over `store` (shared with the planner, which plays simulations in it); disposed on unmount. */
  readonly player: ReplayPlayer;
  readonly siteId: string;
}

/** Window lengths offered, ms. */
const LENGTHS: ReadonlyArray<{ readonly ms: number; readonly label: string }> = [
  { ms: 60_000, label: '1 minute' },
  { ms: 5 * 60_000, label: '5 minutes' },
  { ms: 15 * 60_000, label: '15 minutes' },
  { ms: 60 * 60_000, label: '1 hour' },
  { ms: 8 * 60 * 60_000, label: '8 hours' },
  { ms: 24 * 60 * 60_000, label: '24 hours' },
];
/** How often the history's end is refreshed while live, ms (the log grows as the floor works). */
const RANGE_REFRESH_MS = 10_000;

const clock = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
const dayAndClock = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});
const number = new Intl.NumberFormat('en-GB');

/** The history range, fetched now and every `RANGE_REFRESH_MS` while `live`. */
function useHistoryRange(siteId: string, live: boolean): { range: HistoryRangeView | null; error: string | null } {
  const [range, setRange] = useState<HistoryRangeView | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!live) return undefined;
    const abort = new AbortController();
    const load = (): void => {
      fetchHistoryRange(siteId, abort.signal).then(
        (r) => {
          setRange(r);
          setError(null);
        },
        (e: unknown) => {
          if (!abort.signal.aborted) setError(e instanceof Error ? e.message : String(e));
        },
      );
    };
    load();
    const timer = setInterval(load, RANGE_REFRESH_MS);
    return () => {
      abort.abort();
      clearInterval(timer);
    };
  }, [siteId, live]);
  return { range, error };
}

/** Bottom-centre panel; `data-testid="timeline"`. */
export function Timeline({ store, player, siteId }: TimelineProps) {
  useEffect(() => {
    const uninstall = installReplayTestHooks(player, store);
    return () => {
      uninstall();
      player.dispose();
    };
  }, [player, store]);
  const view = useSyncExternalStore(
    (listener) => player.subscribe(listener),
    () => player.getView(),
  );
  const replaying = view.mode === 'replay';
  const simulation = view.source?.kind === 'simulation' ? view.source : null;
  const { range, error: rangeError } = useHistoryRange(siteId, !replaying);
  const [lengthMs, setLengthMs] = useState(LENGTHS[0]?.ms ?? 60_000);
  const [chosenStart, setChosenStart] = useState<number | null>(null);

  const firstAt = range?.firstAt ?? null;
  const lastAt = range?.lastAt ?? null;
  const hasHistory = firstAt !== null && lastAt !== null && lastAt - firstAt >= 1000;
  // Until the slider is moved, the window is the latest `lengthMs` of history.
  const latestStart = hasHistory ? Math.max(firstAt, lastAt - lengthMs) : 0;
  const start = hasHistory ? Math.min(Math.max(chosenStart ?? latestStart, firstAt), lastAt - 1000) : 0;
  const end = hasHistory ? Math.min(start + lengthMs, lastAt) : 0;

  const startReplay = (): void => {
    if (hasHistory) void player.load(start, end);
  };

  return (
    <>
      {/* At the top, over the floor: the bottom of the screen holds the timeline and the planner's results. */}
      {simulation !== null && (
        <div className="overlay sim-banner-dock">
          <p className="sim-banner" data-testid="simulation-banner">
            <strong>Simulation</strong> · {simulation.name} · simulated <span data-testid="simulation-time">{view.at === null ? '–' : dayAndClock.format(view.at)}</span> · not the live floor
          </p>
        </div>
      )}
      <div className="overlay timeline-dock">
        <section className={`panel timeline${replaying ? ' timeline--replay' : ''}${simulation !== null ? ' timeline--simulation' : ''}`} data-testid="timeline" aria-label="Time travel">
          <p className="timeline__announce" aria-live="polite">
            {replaying && view.from !== null && view.to !== null
              ? `${simulation !== null ? `Simulation ${simulation.name}:` : 'Replaying'} ${dayAndClock.format(view.from)} to ${clock.format(view.to)}`
              : 'Showing the live floor'}
          </p>
          {!replaying && (
            <div className="timeline__row">
              <span className="timeline__title">Time travel</span>
              <label className="timeline__field timeline__field--grow">
                <span className="timeline__label">Replay from {hasHistory ? dayAndClock.format(start) : '–'}</span>
                <input
                  type="range"
                  data-testid="timeline-start"
                  className="timeline__slider"
                  min={firstAt ?? 0}
                  max={hasHistory ? lastAt - 1000 : 0}
                  step={1000}
                  value={start}
                  disabled={!hasHistory || view.loading}
                  aria-valuetext={hasHistory ? dayAndClock.format(start) : 'no history yet'}
                  onChange={(e) => setChosenStart(Number(e.target.value))}
                />
              </label>
              <label className="timeline__field">
                <span className="timeline__label">For</span>
                <select
                  data-testid="timeline-length"
                  className="timeline__select"
                  value={lengthMs}
                  onChange={(e) => setLengthMs(Number(e.target.value))}
                >
                  {LENGTHS.map((l) => (
                    <option key={l.ms} value={l.ms}>
                      {l.label}
                    </option>
                  ))}
                </select>
              </label>
              <button type="button" className="timeline__button" data-testid="timeline-replay" disabled={!hasHistory || view.loading} onClick={startReplay}>
                {view.loading ? 'Loading…' : 'Replay'}
              </button>
            </div>
          )}
          {replaying && view.from !== null && view.to !== null && (
            <>
              <div className="timeline__row">
                <span className="timeline__badge" data-testid="timeline-badge">
                  {simulation !== null ? 'SIMULATION' : 'REPLAY'} {view.at === null ? '' : clock.format(view.at)}
                </span>
                <button
                  type="button"
                  className="timeline__button"
                  data-testid="timeline-play"
                  aria-pressed={view.playing}
                  onClick={() => player.togglePlay()}
                >
                  {view.playing ? 'Pause' : 'Play'}
                </button>
                <label className="timeline__field">
                  <span className="timeline__label">Speed</span>
                  <select
                    data-testid="timeline-speed"
                    className="timeline__select"
                    value={view.speed}
                    onChange={(e) => player.setSpeed(Number(e.target.value) as ReplaySpeed)}
                  >
                    {REPLAY_SPEEDS.map((s) => (
                      <option key={s} value={s}>
                        {s}×
                      </option>
                    ))}
                  </select>
                </label>
                <button type="button" className="timeline__button timeline__button--live" data-testid="timeline-live" onClick={() => player.backToLive()}>
                  Back to live
                </button>
              </div>
              <label className="timeline__field timeline__field--grow timeline__playhead">
                <span className="timeline__label">
                  {clock.format(view.from)} – {clock.format(view.to)} · frame {view.frame}/{view.frames}
                  {view.seq === null ? '' : ` · seq ${number.format(view.seq)}`}
                </span>
                <input
                  type="range"
                  data-testid="timeline-playhead"
                  className="timeline__slider"
                  min={view.from}
                  max={view.to}
                  step={1000}
                  value={view.at ?? view.from}
                  aria-valuetext={view.at === null ? undefined : clock.format(view.at)}
                  onChange={(e) => player.seek(Number(e.target.value))}
                />
              </label>
              {/* The simulation banner says what a simulation shows; the panel stays short so the results stay in view. */}
              {simulation === null && (
                <p className="timeline__note">Stock, counters and who was signed on are replayed; positions are not recorded, so figures stand where they signed on.</p>
              )}
            </>
          )}
          {(view.error ?? rangeError) !== null && (
            <p className="timeline__error" role="alert">
              {view.error ?? rangeError}
            </p>
          )}
          {!replaying && range !== null && !hasHistory && <p className="timeline__note">No history to replay yet.</p>}
        </section>
      </div>
    </>
  );
}
