/**
 * Read-only hooks for the browser test (client/e2e): whether the first snapshot has been drawn, how many bins the
 * layout has, the seq held, where the operatives are (latest reported floor position, metres), and the route overlay
 * as last drawn.
 */
import type { FloorStore } from './net/floor-store.ts';
import type { RouteStore } from './net/route-store.ts';

/** Shape of `window.__floortwin`; `seq` is −1 until the first snapshot. */
export interface FloortwinTestHooks {
  ready: boolean;
  bins: number;
  seq: number;
  operatives: () => { id: string; x: number; y: number }[];
  /** The route overlay as drawn on the floor (stops and path points of the current plan); null when none is drawn. */
  route: () => { operativeId: string; stops: number; pathPoints: number } | null;
}

declare global {
  interface Window {
    __floortwin?: FloortwinTestHooks;
  }
}

/** Installs live getters over `store` and `routes` as `window.__floortwin`. */
export function installTestHooks(store: FloorStore, routes: RouteStore, target: Window = window): void {
  const hooks: FloortwinTestHooks = {
    get ready() {
      return store.seq !== null && store.drawnSeq !== null;
    },
    get bins() {
      return store.fill.length;
    },
    get seq() {
      return store.seq ?? -1;
    },
    operatives: () => store.operatives.map((o) => ({ id: o.id, x: o.toX, y: o.toY })),
    route: () => {
      const drawn = routes.drawn;
      // Only what the renderer has drawn for the route currently held counts.
      if (drawn === null || drawn.routeVersion !== routes.routeVersion || routes.route === null) return null;
      return { operativeId: drawn.operativeId, stops: drawn.stops, pathPoints: drawn.pathPoints };
    },
  };
  target.__floortwin = hooks;
}
