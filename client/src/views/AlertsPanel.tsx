/**
 * Alerts over the floor: orders at risk of missing their cut-off, stock-outs with demand, short picks waiting for a
 * count, idle pickers — most severe first, then newest, polled every few seconds. Choosing one inspects it and flies
 * the camera to its place. New alerts since the last poll are marked.
 */
import { useEffect, useRef, useState } from 'react';
import { fetchAlerts, focusOn, InspectApiError, newAlertIds, type AlertsView, type CameraTarget, type FloorAlert, type InspectSelection } from '../net/inspect-api.ts';
import './inspect.css';

/** Props of `AlertsPanel`. */
export interface AlertsPanelProps {
  readonly siteId: string;
  readonly selection: InspectSelection;
  readonly camera: CameraTarget;
  /** How often to ask the server. */
  readonly pollMs?: number;
}

const KIND_TEXT: Readonly<Record<FloorAlert['kind'], string>> = {
  cutoff: 'Cut-off',
  stockout: 'Stock-out',
  shortPick: 'Short pick',
  idle: 'Idle',
};

/** `data-testid="alerts-panel"`; each alert is a button in a list. */
export function AlertsPanel({ siteId, selection, camera, pollMs = 5000 }: AlertsPanelProps) {
  const [view, setView] = useState<AlertsView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  const [collapsed, setCollapsed] = useState(false);
  const seen = useRef<Set<string> | null>(null);

  useEffect(() => {
    seen.current = null;
    const abort = new AbortController();
    let timer = 0;
    const poll = (): void => {
      fetchAlerts(siteId, abort.signal)
        .then((next) => {
          // The first answer is the baseline: nothing in it is "new".
          const first = seen.current === null;
          const known = seen.current ?? new Set<string>();
          const added = newAlertIds(known, next.alerts);
          seen.current = known;
          setFresh(new Set(first ? [] : added));
          setView(next);
          setError(null);
        })
        .catch((e: unknown) => {
          if (!abort.signal.aborted) setError(e instanceof InspectApiError ? e.message : 'Could not load alerts.');
        })
        .finally(() => {
          if (!abort.signal.aborted) timer = window.setTimeout(poll, pollMs);
        });
    };
    poll();
    return () => {
      abort.abort();
      window.clearTimeout(timer);
    };
  }, [siteId, pollMs]);

  const alerts = view?.alerts ?? [];
  const critical = alerts.filter((a) => a.severity === 'critical').length;
  const total = view?.total ?? 0;

  return (
    <section className="panel alerts-panel" data-testid="alerts-panel" aria-label="Alerts">
      <header className="alerts-panel__header">
        <h2 className="alerts-panel__title">
          Alerts <span className="alerts-panel__count" aria-live="polite">{view === null ? '…' : total}</span>
          {critical > 0 && <span className="alerts-panel__critical">{critical} critical</span>}
        </h2>
        <button type="button" className="alerts-panel__toggle" aria-expanded={!collapsed} onClick={() => setCollapsed((c) => !c)}>
          {collapsed ? 'Show' : 'Hide'}
        </button>
      </header>
      {error !== null && <p className="alerts-panel__error" role="status">{error}</p>}
      {!collapsed && view !== null && alerts.length === 0 && <p className="alerts-panel__none">All clear.</p>}
      {!collapsed && alerts.length > 0 && (
        <ul className="alerts-panel__list">
          {alerts.map((a) => (
            <li key={a.id}>
              <button
                type="button"
                className={`alert alert--${a.severity}${fresh.has(a.id) ? ' alert--new' : ''}`}
                data-alert-kind={a.kind}
                onClick={() => focusOn(selection, camera, { ...a.ref, x: a.x, y: a.y })}
                title={a.x === null ? 'Inspect (not on the floor)' : 'Inspect and fly there'}
              >
                <span className="alert__kind">
                  <span className="alert__dot" aria-hidden="true" />
                  {KIND_TEXT[a.kind]}
                  <span className="visually-hidden">, {a.severity}</span>
                </span>
                <span className="alert__message">{a.message}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {!collapsed && view !== null && total > alerts.length && <p className="alerts-panel__more">Showing {alerts.length} of {total}.</p>}
    </section>
  );
}
