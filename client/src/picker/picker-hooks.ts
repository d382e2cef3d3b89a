/** Read-only hooks for the browser test over the handheld's route store and picking session: `window.__floortwinPicker`. */
import { nextStopIndex } from '../net/route-math.ts';
import type { RouteStore } from '../net/route-store.ts';
import type { PickerSession, ScanStep } from './picker-session.ts';

/** The pick on screen, as the test needs it to "scan" the right labels. */
export interface PickerTestPick {
  readonly taskId: string;
  readonly orderId: string;
  readonly locationId: string;
  readonly skuId: string;
  readonly barcode: string;
  readonly qty: number;
}

/** Shape of `window.__floortwinPicker`. */
export interface PickerTestHooks {
  /** The route feed is live and has answered for the chosen operative (a route, or why there is none). */
  readonly ready: boolean;
  readonly operativeId: string | null;
  /** Location of the pick on screen (the route's next open stop before the picks have loaded); null when none. */
  readonly nextLocationId: string | null;
  /** Open stops left on the route (0 without a route). */
  readonly stops: number;
  /** Task of the route's next open stop (null without a route): the pick shows it once the handheld has caught up. */
  readonly routeNextTaskId: string | null;
  /** The server confirmed the sign-on on the current connection. */
  readonly signedOn: boolean;
  readonly deviceId: string;
  readonly pick: PickerTestPick | null;
  readonly step: ScanStep;
  /** Serials scanned for the pick on screen (a serial-tracked SKU, R78), in scan order. */
  readonly serials: readonly string[];
  /** Scans waiting for an answer. */
  readonly pendingScans: number;
  /** Code of the message on screen ('' for a message without one), null without a message. */
  readonly messageCode: string | null;
  readonly connected: boolean;
}

declare global {
  interface Window {
    __floortwinPicker?: PickerTestHooks;
  }
}

/** Installs live getters over `routes` and `session` as `window.__floortwinPicker`. */
export function installPickerHooks(routes: RouteStore, session: PickerSession, target: Window = window): void {
  const snap = () => session.getSnapshot();
  target.__floortwinPicker = {
    get ready() {
      return routes.status === 'live' && (routes.route !== null || routes.noRoute !== null);
    },
    get operativeId() {
      return snap().operativeId ?? routes.operativeId;
    },
    get nextLocationId() {
      const current = snap().current;
      if (current !== null) return current.locationId;
      if (snap().loaded) return null;
      const route = routes.route;
      if (route === null) return null;
      return route.stops[nextStopIndex(route)]?.locationId ?? null;
    },
    get stops() {
      return routes.route?.stops.filter((s) => s.status === 'open').length ?? 0;
    },
    get routeNextTaskId() {
      const route = routes.route;
      if (route === null) return null;
      return route.stops[nextStopIndex(route)]?.taskId ?? null;
    },
    get signedOn() {
      return snap().live;
    },
    get deviceId() {
      return snap().deviceId;
    },
    get serials() {
      return [...snap().serials];
    },
    get pick() {
      const p = snap().current;
      return p === null ? null : { taskId: p.taskId, orderId: p.orderId, locationId: p.locationId, skuId: p.skuId, barcode: p.barcode, qty: p.qty };
    },
    get step() {
      return snap().step;
    },
    get pendingScans() {
      return snap().pending;
    },
    get messageCode() {
      const m = snap().message;
      return m === null ? null : (m.code ?? '');
    },
    get connected() {
      return snap().connected;
    },
  };
}
