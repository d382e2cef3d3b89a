/** Read-only hooks for the browser test over the handheld's route store: `window.__floortwinPicker`. */
import { nextStopIndex } from '../net/route-math.ts';
import type { RouteStore } from '../net/route-store.ts';

/** Shape of `window.__floortwinPicker`. */
export interface PickerTestHooks {
  /** The route feed is live and has answered for the chosen operative (a route, or why there is none). */
  readonly ready: boolean;
  readonly operativeId: string | null;
  /** Location of the next open stop; null when there is none. */
  readonly nextLocationId: string | null;
  /** Open stops left on the route (0 without a route). */
  readonly stops: number;
}

declare global {
  interface Window {
    __floortwinPicker?: PickerTestHooks;
  }
}

/** Installs live getters over `routes` as `window.__floortwinPicker`. */
export function installPickerHooks(routes: RouteStore, target: Window = window): void {
  target.__floortwinPicker = {
    get ready() {
      return routes.status === 'live' && (routes.route !== null || routes.noRoute !== null);
    },
    get operativeId() {
      return routes.operativeId;
    },
    get nextLocationId() {
      const route = routes.route;
      if (route === null) return null;
      return route.stops[nextStopIndex(route)]?.locationId ?? null;
    },
    get stops() {
      return routes.route?.stops.filter((s) => s.status === 'open').length ?? 0;
    },
  };
}
