/** The thin React binding of FloorStore: re-renders on each change (a few times a second), never per frame. */
import { useSyncExternalStore } from 'react';
import type { FloorStore, FloorSummary } from '../net/floor-store.ts';

/** The store's current immutable summary. */
export function useFloorSummary(store: FloorStore): FloorSummary {
  return useSyncExternalStore(
    (listener) => store.subscribe(listener),
    () => store.getSummary(),
  );
}
