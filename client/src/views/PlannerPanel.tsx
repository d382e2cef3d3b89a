/**
 * The planner's panel over the floor: run the simulated shift at 1–100x twin time, watch it on the floor, and read
 * what it has done. Hidden where the site runs no simulated shift.
 */
import { useEffect, useState } from 'react';
import { fetchShift, setShiftSpeed, type ShiftView } from '../net/shift-api.ts';

const SPEEDS = [1, 10, 30, 100] as const;
const number = new Intl.NumberFormat('en-GB');

function duration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** Props of `PlannerPanel`. */
export interface PlannerPanelProps {
  readonly siteId: string;
}

export function PlannerPanel({ siteId }: PlannerPanelProps) {
  const [shift, setShift] = useState<ShiftView | null>(null);
  const [error, setError] = useState<string | null>(null);

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

  if (shift === null) return null;
  const r = shift.results;
  const choose = (speed: number): void => {
    setShiftSpeed(siteId, speed).then(setShift, (e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  };
  return (
    <section className="panel planner" data-testid="planner" aria-label="Simulated shift">
      <h2 className="planner__title">Simulated shift</h2>
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
    </section>
  );
}
