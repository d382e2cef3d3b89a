/** The live counters over the floor: orders, picks, people, and whether the view is live. */
import type { ConnectionStatus, FloorStore } from '../net/floor-store.ts';
import { useFloorSummary } from './use-floor-summary.ts';

const STATUS_TEXT: Readonly<Record<ConnectionStatus, string>> = {
  idle: 'Idle',
  connecting: 'Connecting',
  joining: 'Joining',
  live: 'Live',
  resyncing: 'Resyncing',
  offline: 'Offline',
  error: 'Error',
  replay: 'Replay',
};

const number = new Intl.NumberFormat('en-GB');
const show = (n: number | undefined): string => (n === undefined ? '–' : number.format(n));

/** Props of `CountersPanel`. */
export interface CountersPanelProps {
  readonly store: FloorStore;
  readonly siteName: string;
}

/** Overlay panel; `data-testid="counters"` for the browser test. */
export function CountersPanel({ store, siteName }: CountersPanelProps) {
  const summary = useFloorSummary(store);
  const c = summary.counters ?? undefined;
  return (
    <section className="panel counters" data-testid="counters" aria-label="Floor counters">
      <header className="counters__header">
        <h1 className="counters__site">{siteName}</h1>
        <span className={`status status--${summary.status}`} title={summary.statusDetail ?? undefined}>
          <span className="status__dot" aria-hidden="true" />
          {STATUS_TEXT[summary.status]}
        </span>
      </header>
      <dl className="counters__grid">
        <div className="counter">
          <dt>Orders open</dt>
          <dd>{show(c?.ordersOpen)}</dd>
        </div>
        <div className="counter">
          <dt>Picked</dt>
          <dd>{show(c?.ordersPicked)}</dd>
        </div>
        <div className="counter">
          <dt>Despatched</dt>
          <dd>{show(c?.ordersDespatched)}</dd>
        </div>
        <div className="counter">
          <dt>Picks / hour</dt>
          <dd>{show(c?.picksLastHour)}</dd>
        </div>
        <div className="counter">
          <dt>On the floor</dt>
          <dd>{show(summary.seq === null ? undefined : summary.operativesOnFloor)}</dd>
        </div>
        <div className="counter">
          <dt>Units picked</dt>
          <dd>{show(c?.unitsPicked)}</dd>
        </div>
      </dl>
      <footer className="counters__footer">
        <span>seq {summary.seq === null ? '–' : number.format(summary.seq)}</span>
        <span>{number.format(summary.bins)} bins</span>
      </footer>
    </section>
  );
}
