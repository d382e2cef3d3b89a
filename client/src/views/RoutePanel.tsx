/**
 * The manager's route panel: pick an operative (or click one on the floor) to overlay their route; shows the next
 * stop, stops and distance left, or why there is no route. Close (or Escape) clears the overlay.
 */
import { useMemo, useSyncExternalStore } from 'react';
import type { FloorStore } from '../net/floor-store.ts';
import { formatDistance, nextStopIndex, remainingDistance } from '../net/route-math.ts';
import type { RouteStore } from '../net/route-store.ts';
import { ROUTE_COLOURS } from '../floor/RouteOverlay.tsx';
import { useRouteSummary } from './use-route-summary.ts';

/** Props of `RoutePanel`. */
export interface RoutePanelProps {
  readonly floor: FloorStore;
  readonly routes: RouteStore;
  readonly onSelect: (operativeId: string | null) => void;
}

/**
 * Who is on the floor: the store's roster keeps its identity until someone arrives, leaves or is renamed, so the panel
 * does not re-render on every position diff (sorting 500 names here on every diff cost 5–13 ms per diff in the page).
 */
function useOperativeList(floor: FloorStore): readonly { id: string; name: string }[] {
  return useSyncExternalStore((l) => floor.subscribe(l), () => floor.roster());
}

/** `data-testid="route-panel"`; the select is `data-testid="route-select"`. */
export function RoutePanel({ floor, routes, onSelect }: RoutePanelProps) {
  const operatives = useOperativeList(floor);
  const summary = useRouteSummary(routes);
  const { route, noRoute, operativeId } = summary;
  const next = route === null ? undefined : route.stops[nextStopIndex(route)];
  const open = route?.stops.filter((s) => s.status === 'open').length ?? 0;
  const metres = useMemo(() => (route === null ? null : remainingDistance(route)), [route]);
  const listed = operativeId === null || operatives.some((o) => o.id === operativeId);

  return (
    <section className="panel route-panel" data-testid="route-panel" aria-label="Operative route">
      <header className="route-panel__header">
        <label className="route-panel__label" htmlFor="route-select">Route of</label>
        <select
          id="route-select"
          data-testid="route-select"
          className="route-panel__select"
          value={operativeId ?? ''}
          onChange={(e) => onSelect(e.target.value === '' ? null : e.target.value)}
        >
          <option value="">— nobody —</option>
          {!listed && operativeId !== null && <option value={operativeId}>{operativeId}</option>}
          {operatives.map((o) => (
            <option key={o.id} value={o.id}>
              {o.name} ({o.id})
            </option>
          ))}
        </select>
        {operativeId !== null && (
          <button type="button" className="route-panel__close" aria-label="Close route (Escape)" title="Close (Esc)" onClick={() => onSelect(null)}>
            ×
          </button>
        )}
      </header>
      {operativeId === null && <p className="route-panel__hint">Click an operative on the floor, or choose one here.</p>}
      {operativeId !== null && route === null && noRoute === null && (
        <p className="route-panel__hint">{summary.status === 'error' ? (summary.statusDetail ?? 'Error') : 'Loading route…'}</p>
      )}
      {noRoute !== null && <p className={`route-panel__none route-panel__none--${noRoute.reason}`}>{noRoute.message}</p>}
      {route !== null && (
        <div className="route-panel__body">
          {next !== undefined ? (
            <div className="route-panel__next">
              <span className="route-panel__dot" style={{ background: ROUTE_COLOURS.next }} />
              Next: <strong>{next.locationId}</strong> · {next.skuDescription} ×{next.qty}
            </div>
          ) : (
            <div className="route-panel__next">All picks done: returning to the depot</div>
          )}
          <div className="route-panel__stats">
            <span>{open} of {route.stops.length} stops left</span>
            <span>{metres === null ? '–' : formatDistance(metres)} to walk</span>
            <span>{route.method}</span>
          </div>
        </div>
      )}
    </section>
  );
}
