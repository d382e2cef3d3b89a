/** The thin React binding of FloorStore: re-renders on each change (a few times a second), never per frame. */
import { useSyncExternalStore } from 'react';
import type { LayoutView } from '../../../server/protocol/floor.ts';
import type { FloorStore, FloorSummary } from '../net/floor-store.ts';

/** The store's current immutable summary. */
export function useFloorSummary(store: FloorStore): FloorSummary {
  return useSyncExternalStore(
    (listener) => store.subscribe(listener),
    () => store.getSummary(),
  );
}

/** Just the layout: components that need only it do not re-render on every diff. */
export function useFloorLayout(store: FloorStore): LayoutView | null {
  return useSyncExternalStore(
    (listener) => store.subscribe(listener),
    () => store.layout,
  );
}
