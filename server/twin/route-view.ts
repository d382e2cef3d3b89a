/**
 * Route views: what a picker's handheld and the floor overlay see of an operative's planned route (R27). Pure: the
 * walk polyline is drawn elsewhere (by the solver, off the event loop) from the `RemainingWalk` this module names.
 */
import type { NoRouteView, RouteStopView, RouteView } from '../protocol/route.ts';
import type { FloorPoint, LocationId, OperativeId } from './ids.ts';
import type { TwinState } from './state.ts';

/** The part of a route still to walk: from the last stop done (null: the depot) through the open stops, back home. */
export interface RemainingWalk {
  readonly from: LocationId | null;
  /** Locations of the open route tasks in route order, consecutive repeats merged. */
  readonly stops: readonly LocationId[];
}

/** A stable key of a remaining walk, for caching its polyline. */
export function walkKey(walk: RemainingWalk): string {
  return `${walk.from ?? '@depot'}>${walk.stops.join(',')}`;
}

/** A NoRouteView. */
export function noRouteView(siteId: string, operativeId: string, reason: NoRouteView['reason'], message: string): NoRouteView {
  return { siteId, operativeId, reason, message };
}

/** True for a RouteView (false for a NoRouteView). */
export function isRouteView(view: RouteView | NoRouteView): view is RouteView {
  return 'stops' in view;
}

/** The operative's route as stops (every route task with its status) plus the walk still to do; or why there is none. */
export function routeStops(
  state: TwinState,
  operativeId: OperativeId,
): { readonly stops: RouteStopView[]; readonly walk: RemainingWalk } | NoRouteView {
  const siteId = state.site.id;
  const op = state.operatives.get(operativeId);
  if (op === undefined) return noRouteView(siteId, operativeId, 'NOT_SIGNED_ON', `operative ${operativeId} is not signed on`);
  if (op.taskIds.length === 0) return noRouteView(siteId, operativeId, 'NO_TASKS', `operative ${operativeId} has no open tasks`);
  if (op.route === null) {
    return noRouteView(siteId, operativeId, 'NO_TASKS', `no route planned yet for ${op.taskIds.length} open tasks of ${operativeId}`);
  }
  const stops: RouteStopView[] = [];
  let from: LocationId | null = null;
  const open: LocationId[] = [];
  for (const taskId of op.route.taskIds) {
    const task = state.tasks.get(taskId);
    if (task === undefined) continue;
    const location = state.locationsById.get(task.locationId);
    const status: RouteStopView['status'] = task.status === 'picked' ? 'picked' : task.status === 'shorted' ? 'shorted' : 'open';
    stops.push({
      taskId: task.id,
      orderId: task.orderId,
      locationId: task.locationId,
      skuId: task.skuId,
      skuDescription: state.skusById.get(task.skuId)?.description ?? task.skuId,
      qty: task.qty,
      x: location?.access.x ?? 0,
      y: location?.access.y ?? 0,
      status,
    });
    const stillMine = task.status === 'assigned' && task.operativeId === operativeId;
    if (stillMine) {
      if (open[open.length - 1] !== task.locationId) open.push(task.locationId);
    } else if (open.length === 0 && status !== 'open') {
      // Done before any open stop: the picker walks on from here.
      from = task.locationId;
    }
  }
  return { stops, walk: { from, stops: open } };
}

/**
 * The operative's RouteView with an empty `path`, and the remaining walk whose polyline the caller draws and puts
 * into `path` (`flattenPath`); or a NoRouteView.
 */
export function routeViewOf(state: TwinState, operativeId: OperativeId): { readonly view: RouteView; readonly walk: RemainingWalk } | NoRouteView {
  const parts = routeStops(state, operativeId);
  if ('reason' in parts) return parts;
  const route = state.operatives.get(operativeId)?.route;
  if (route === null || route === undefined) return noRouteView(state.site.id, operativeId, 'NO_TASKS', 'no route');
  const view: RouteView = {
    siteId: state.site.id,
    operativeId,
    seq: route.seq,
    method: route.method,
    distanceM: route.distanceM,
    stops: parts.stops,
    path: [],
    plannedAt: route.at,
  };
  return { view, walk: parts.walk };
}

/** A polyline as the wire's flat [x0, y0, x1, y1, …]. */
export function flattenPath(points: readonly FloorPoint[]): number[] {
  return points.flatMap((p) => [p.x, p.y]);
}
