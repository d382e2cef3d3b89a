/**
 * The route of ONE watched operative, held outside React (like FloorStore): the current plan or why there is none,
 * whether it was just re-planned (for the "route updated" notice), and the connection state. The overlay's render
 * loop reads `routeVersion` to know when to rebuild geometry; React subscribes to an immutable summary.
 * Pure TypeScript: callers pass the time (`nowMs`).
 */
import type { NoRouteView, RouteView } from '../../../server/protocol/route.ts';

/** Where the route connection is; `offline` keeps the last route on screen but marks it as possibly out of date. */
export type RouteConnectionStatus = 'idle' | 'connecting' | 'watching' | 'live' | 'offline' | 'error';

/**
 * Outcome of `applyRoute`: `progressed` = the same plan with stops done since; `replanned` = the order or the set of
 * stops left changed; `other` = for an operative we no longer watch; `stale` = older than the route held.
 */
export type RouteOutcome = 'applied' | 'progressed' | 'replanned' | 'same' | 'stale' | 'other';

/** Immutable summary for React; replaced on every change. */
export interface RouteSummary {
  readonly operativeId: string | null;
  readonly route: RouteView | null;
  readonly noRoute: NoRouteView | null;
  readonly status: RouteConnectionStatus;
  readonly statusDetail: string | null;
  /** When (caller's clock) the shown route replaced a different earlier one; null if never. */
  readonly replannedAtMs: number | null;
  /** Bumped on each route change. */
  readonly routeVersion: number;
}

/** What the overlay last drew, for the test hook (set by the renderer). */
export interface DrawnRoute {
  readonly operativeId: string;
  readonly stops: number;
  readonly pathPoints: number;
  readonly routeVersion: number;
}

const isRoute = (r: RouteView | NoRouteView): r is RouteView => 'stops' in r;

/** Two plans are the same if they visit the same stops in the same state along the same path. */
function samePlan(a: RouteView, b: RouteView): boolean {
  if (a.stops.length !== b.stops.length || a.path.length !== b.path.length) return false;
  for (let i = 0; i < a.stops.length; i++) {
    const x = a.stops[i];
    const y = b.stops[i];
    if (x === undefined || y === undefined || x.taskId !== y.taskId || x.status !== y.status) return false;
  }
  for (let i = 0; i < a.path.length; i++) if (a.path[i] !== b.path[i]) return false;
  return true;
}

const openTaskIds = (r: RouteView): string[] => r.stops.filter((s) => s.status === 'open').map((s) => s.taskId);

/** The stops left in `next` are the tail of those left in `held`: the picker worked through some, nothing else moved. */
function isProgress(held: RouteView, next: RouteView): boolean {
  const before = openTaskIds(held);
  const after = openTaskIds(next);
  if (after.length > before.length) return false;
  const offset = before.length - after.length;
  return after.every((id, i) => before[offset + i] === id);
}

type Listener = () => void;

/** See the module comment. */
export class RouteStore {
  operativeId: string | null = null;
  route: RouteView | null = null;
  noRoute: NoRouteView | null = null;
  status: RouteConnectionStatus = 'idle';
  statusDetail: string | null = null;
  replannedAtMs: number | null = null;
  /** Bumped whenever `route` / `noRoute` / `operativeId` change, so a renderer rebuilds only then. */
  routeVersion = 0;
  /** Set by the overlay renderer after it has drawn `routeVersion`. */
  drawn: DrawnRoute | null = null;

  private readonly listeners = new Set<Listener>();
  private summary: RouteSummary = this.buildSummary();

  /** Switches to another operative (or none): drops the route held for the previous one. */
  setOperative(operativeId: string | null): void {
    if (operativeId === this.operativeId) return;
    this.operativeId = operativeId;
    this.route = null;
    this.noRoute = null;
    this.replannedAtMs = null;
    this.routeVersion++;
    this.emit();
  }

  /**
   * Takes a route from the watch ack or a `picker:route` push. A plan with a lower seq than the one held is stale
   * (an ack that lost the race with a push); a "no route" always replaces what is held (it carries no seq, and the
   * server only sends it when that is now the truth). `replanned` = it replaced a different plan.
   */
  applyRoute(update: RouteView | NoRouteView, nowMs: number): RouteOutcome {
    if (update.operativeId !== this.operativeId) return 'other';
    if (isRoute(update)) {
      const held = this.route;
      if (held !== null && update.seq < held.seq) return 'stale';
      if (held !== null && samePlan(held, update)) {
        this.route = update;
        this.emit();
        return 'same';
      }
      const outcome: RouteOutcome = held === null ? 'applied' : isProgress(held, update) ? 'progressed' : 'replanned';
      this.route = update;
      this.noRoute = null;
      this.routeVersion++;
      // Only a real change of plan is announced; ticking off stops is what the picker just did.
      if (outcome === 'replanned') this.replannedAtMs = nowMs;
      this.emit();
      return outcome;
    }
    const changed = this.noRoute?.reason !== update.reason || this.noRoute.message !== update.message || this.route !== null;
    this.route = null;
    this.noRoute = update;
    if (changed) this.routeVersion++;
    this.emit();
    return changed ? 'applied' : 'same';
  }

  /** Records the connection state. */
  setStatus(status: RouteConnectionStatus, detail: string | null = null): void {
    if (status === this.status && detail === this.statusDetail) return;
    this.status = status;
    this.statusDetail = detail;
    this.emit();
  }

  /** Registers a listener called after every change; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The current immutable summary (stable identity between changes). */
  getSummary(): RouteSummary {
    return this.summary;
  }

  private buildSummary(): RouteSummary {
    return {
      operativeId: this.operativeId,
      route: this.route,
      noRoute: this.noRoute,
      status: this.status,
      statusDetail: this.statusDetail,
      replannedAtMs: this.replannedAtMs,
      routeVersion: this.routeVersion,
    };
  }

  private emit(): void {
    this.summary = this.buildSummary();
    for (const listener of this.listeners) listener();
  }
}
