/**
 * The site manager's live floor: loads the site's layout, connects the floor and route stores, and lays the overlays
 * over the 3D view. Selecting an operative (click on the floor, or the route panel) overlays their route.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { FloorCanvas } from './floor/FloorCanvas.tsx';
import { fetchLayout, fetchSites, type SiteSummary } from './net/api.ts';
import { connectLiveFloor, type LiveFloor } from './net/live-floor.ts';
import { openFloorSocket } from './net/floor-socket.ts';
import { startFloor } from './floor/start-floor.ts';
import type { FloorStore } from './net/floor-store.ts';
import { ReplayPlayer } from './net/replay-player.ts';
import { connectRoutes, type RouteConnection } from './net/route-socket.ts';
import type { RouteStore } from './net/route-store.ts';
import { CountersPanel } from './views/CountersPanel.tsx';
import { SessionBadge } from './auth/SessionBadge.tsx';
import { KpiPanel } from './views/KpiPanel.tsx';
import { connectKpis, kpiStore, type KpiConnection } from './net/kpi-store.ts';
import { activityStore } from './net/activity-store.ts';
import { cameraStore } from './net/camera-store.ts';
import { inspectSelection } from './net/inspect-api.ts';
import { AlertsPanel } from './views/AlertsPanel.tsx';
import { ColourModeSwitch } from './views/ColourModeSwitch.tsx';
import { InspectPanel } from './views/InspectPanel.tsx';
import { SearchBox } from './views/SearchBox.tsx';
import { FloorLegend } from './views/FloorLegend.tsx';
import { PlannerPanel } from './views/PlannerPanel.tsx';
import { RoutePanel } from './views/RoutePanel.tsx';
import { Timeline } from './views/Timeline.tsx';
import { useFloorLayout } from './views/use-floor-summary.ts';

/** Props of `App`. */
export interface AppProps {
  readonly store: FloorStore;
  readonly routes: RouteStore;
}

/** Root component; the site comes from `?site=` or is the first the server lists. */
export function App({ store, routes }: AppProps) {
  const [site, setSite] = useState<SiteSummary | null>(null);
  const routeConnection = useRef<RouteConnection | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [live, setLive] = useState<LiveFloor | null>(null);
  // One player for the floor: the timeline replays the past in it, the planner plays a simulation in it.
  const player = useMemo(() => (site !== null && live !== null ? new ReplayPlayer({ store, live, siteId: site.id }) : null), [store, live, site]);
  const layout = useFloorLayout(store);

  useEffect(() => {
    const abort = new AbortController();
    let connection: LiveFloor | null = null;
    let kpis: KpiConnection | null = null;
    const start = async (): Promise<void> => {
      const wanted = new URLSearchParams(window.location.search).get('site');
      const started = await startFloor(
        wanted,
        {
          openSocket: () => openFloorSocket(),
          fetchSites,
          fetchLayout,
          // KPIs pushed on the floor socket go to the KPI connection, opened once the layout is in (one request less
          // in the way of the first floor); its fetch covers what came before.
          connect: (siteId, layoutReady, socket) =>
            connectLiveFloor(store, siteId, {
              layoutReady,
              onKpis: (view) => kpis?.onKpis(view),
              onActivity: (activity) => activityStore.push(activity, performance.now()),
              ...(socket === null ? {} : { socket }),
            }),
          setLayout: (siteLayout) => store.setLayout(siteLayout),
        },
        abort.signal,
      );
      if (started === null) return;
      connection = started.live;
      setSite(started.site);
      setError(null);
      setLive(connection);
      kpis = connectKpis(kpiStore, started.site.id);
      routeConnection.current = connectRoutes(routes, started.site.id);
    };
    start().catch((e: unknown) => {
      if (!abort.signal.aborted) setError(e instanceof Error ? e.message : String(e));
    });
    return () => {
      abort.abort();
      kpis?.close();
      connection?.close();
      setLive(null);
      routeConnection.current?.close();
      routeConnection.current = null;
      routes.setOperative(null);
    };
  }, [store, routes, attempt]);

  const selectOperative = useCallback((operativeId: string | null) => {
    routeConnection.current?.watch(operativeId);
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') selectOperative(null);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [selectOperative]);

  return (
    <main className="app">
      {layout !== null && <FloorCanvas store={store} layout={layout} routes={routes} onSelectOperative={selectOperative} />}
      <div className="overlay overlay--top-left">
        <CountersPanel store={store} siteName={site?.name ?? 'Floortwin'} />
        <SessionBadge />
        {site !== null && <PlannerPanel siteId={site.id} player={player} />}
      </div>
      {site !== null && (
        <div className="overlay inspect-overlay--top-centre">
          <SearchBox siteId={site.id} selection={inspectSelection} camera={cameraStore} />
        </div>
      )}
      {site !== null && (
        <div className="overlay overlay--top-right inspect-stack">
          <RoutePanel floor={store} routes={routes} onSelect={selectOperative} />
          {/* Closed until asked for: on a laptop screen the charts would cover the floor. */}
          <KpiPanel defaultOpen={false} />
          {layout !== null && <InspectPanel siteId={site.id} selection={inspectSelection} camera={cameraStore} layout={layout} onShowRoute={selectOperative} />}
        </div>
      )}
      <div className="overlay overlay--bottom-left">
        <ColourModeSwitch />
        <FloorLegend />
      </div>
      {site !== null && player !== null && <Timeline store={store} player={player} siteId={site.id} />}
      {site !== null && (
        <div className="overlay overlay--bottom-right alerts-dock">
          <AlertsPanel siteId={site.id} selection={inspectSelection} camera={cameraStore} />
        </div>
      )}
      <div className="overlay overlay--bottom-right hint">Drag to orbit · right-drag to pan · scroll to zoom · double-click to reset · T plan view · F fly to the selected bin · / search</div>
      {error !== null && (
        <div className="overlay overlay--centre panel notice" role="alert">
          <p>Could not load the floor: {error}</p>
          <button type="button" onClick={() => setAttempt((n) => n + 1)}>
            Try again
          </button>
        </div>
      )}
      {error === null && layout === null && <div className="overlay overlay--centre panel notice">Loading the floor…</div>}
    </main>
  );
}
