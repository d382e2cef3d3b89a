/** The React binding of RouteStore: re-renders when the route or its connection changes, never per frame. */
import { useSyncExternalStore } from 'react';
import type { RouteStore, RouteSummary } from '../net/route-store.ts';

/** The route store's current immutable summary. */
export function useRouteSummary(routes: RouteStore): RouteSummary {
  return useSyncExternalStore(
    (listener) => routes.subscribe(listener),
    () => routes.getSummary(),
  );
}
