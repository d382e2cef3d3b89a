/**
 * Read-only hooks for the browser test (client/e2e): whether the first snapshot has been drawn, how many bins the
 * layout has, the seq held, and where the operatives are (latest reported floor position, metres).
 */
import type { FloorStore } from './net/floor-store.ts';

/** Shape of `window.__floortwin`; `seq` is −1 until the first snapshot. */
export interface FloortwinTestHooks {
  ready: boolean;
  bins: number;
  seq: number;
  operatives: () => { id: string; x: number; y: number }[];
}

declare global {
  interface Window {
    __floortwin?: FloortwinTestHooks;
  }
}

/** Installs live getters over `store` as `window.__floortwin`. */
export function installTestHooks(store: FloorStore, target: Window = window): void {
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
  };
  target.__floortwin = hooks;
}
