/**
 * Solver worker: the entry a worker thread (piscina) runs, and the same code an in-process pool calls. Plain data in,
 * plain data out. Layouts are large, so a worker keeps the few it has seen, keyed by `layoutKey`; a task names its
 * layout by key and carries the layout itself only when the worker said it does not have it yet.
 */
import type { Layout } from '../server/twin/layout/types.ts';
import type { FloorPoint, LocationId } from '../server/twin/ids.ts';
import { pathPolyline } from './routing/distance-oracle.ts';
import type { RouteError, RouteMethod, RouteResult } from './routing/plan-route.ts';
import { findLocation, planRoute } from './routing/plan-route.ts';

/** Plan one pick list's route on a cached layout. */
export interface RouteTask {
  readonly kind: 'route';
  readonly layoutKey: string;
  /** Sent only after the worker answered `missing-layout` for this key. */
  readonly layout?: Layout;
  readonly picks: readonly LocationId[];
  readonly method?: RouteMethod;
  readonly includePath?: boolean;
}

/** Draw the walk through locations in a fixed order (no re-optimising): for a route already decided. */
export interface WalkTask {
  readonly kind: 'walk';
  readonly layoutKey: string;
  readonly layout?: Layout;
  readonly request: WalkRequest;
}

/** A walk in a fixed order: from `from` (a location, or the depot when null) through `stops`, back to the depot. */
export interface WalkRequest {
  readonly from: LocationId | null;
  readonly stops: readonly LocationId[];
}

/** Every task a solver worker understands. */
export type SolverTask = RouteTask | WalkTask;

/** The worker's answer: the solver's result, or a request to resend the task with its layout. */
export type SolverReply =
  | { readonly kind: 'route'; readonly result: RouteResult | RouteError }
  | { readonly kind: 'walk'; readonly path: FloorPoint[] | null }
  | { readonly kind: 'missing-layout'; readonly layoutKey: string };

/**
 * The floor polyline of the walk `from` (the depot when null) → stops… → depot in exactly that order, along shortest
 * walks (aisles and cross-aisles). Null when a location is unknown or a leg cannot be walked.
 */
export function walkThrough(layout: Layout, request: WalkRequest): FloorPoint[] | null {
  const { graph } = layout;
  const nodes: number[] = [];
  for (const id of request.from === null ? [] : [request.from]) {
    const loc = findLocation(layout, id);
    if (loc === undefined) return null;
    nodes.push(loc.accessNode);
  }
  if (request.from === null) nodes.push(graph.depotNode);
  for (const id of request.stops) {
    const loc = findLocation(layout, id);
    if (loc === undefined) return null;
    nodes.push(loc.accessNode);
  }
  nodes.push(graph.depotNode);
  return pathPolyline(graph, nodes);
}

/** How many layouts one worker keeps (most recently used first out of the door last). */
export const LAYOUT_CACHE_SIZE = 4;

/** Layouts by key, most recently used last; per worker (per module instance). */
const layouts = new Map<string, Layout>();

function layoutFor(task: { readonly layoutKey: string; readonly layout?: Layout }): Layout | undefined {
  if (task.layout !== undefined) {
    layouts.delete(task.layoutKey);
    layouts.set(task.layoutKey, task.layout);
    while (layouts.size > LAYOUT_CACHE_SIZE) {
      const oldest = layouts.keys().next().value;
      if (oldest === undefined) break;
      layouts.delete(oldest);
    }
    return task.layout;
  }
  const cached = layouts.get(task.layoutKey);
  if (cached !== undefined) {
    // Refresh its place so a busy layout is never the one evicted.
    layouts.delete(task.layoutKey);
    layouts.set(task.layoutKey, cached);
  }
  return cached;
}

/** Runs one solver task. Pure apart from the layout cache, which only saves re-sending layouts. */
export function runSolverTask(task: SolverTask): SolverReply {
  switch (task.kind) {
    case 'route': {
      const layout = layoutFor(task);
      if (layout === undefined) return { kind: 'missing-layout', layoutKey: task.layoutKey };
      const result = planRoute({
        layout,
        picks: task.picks,
        ...(task.method === undefined ? {} : { method: task.method }),
        ...(task.includePath === undefined ? {} : { includePath: task.includePath }),
      });
      return { kind: 'route', result };
    }
    case 'walk': {
      const layout = layoutFor(task);
      if (layout === undefined) return { kind: 'missing-layout', layoutKey: task.layoutKey };
      return { kind: 'walk', path: walkThrough(layout, task.request) };
    }
    default: {
      const unknown: never = task;
      throw new Error(`unknown solver task ${JSON.stringify(unknown)}`);
    }
  }
}

/** Forgets every cached layout (tests). */
export function clearLayoutCache(): void {
  layouts.clear();
}

export default runSolverTask;
