/**
 * Solver worker: the entry a worker thread (piscina) runs, and the same code an in-process pool calls. Plain data in,
 * plain data out. Layouts (and sites, for slotting) are large, so a worker keeps the few it has seen, keyed by
 * `layoutKey`; a task names its layout by key and carries it only when the worker said it does not have it yet. The
 * MIP library is an adapter: the host passes it in (`SolverWorkerDeps`, server/solver-pool/worker-entry.ts).
 */
import type { Layout } from '../server/twin/layout/types.ts';
import type { FloorPoint, LocationId } from '../server/twin/ids.ts';
import type { SiteDefinition } from '../server/twin/site.ts';
import type { BatchingRequest, BatchingError, BatchingResult } from './batching/batching.ts';
import { batchOrders } from './batching/batching.ts';
import type { MipSolver } from './lp/mip.ts';
import type { ZoneAssignmentInstance, ZoneAssignmentResult } from './lp/zone-assignment.ts';
import { solveZoneAssignment } from './lp/zone-assignment.ts';
import { pathPolyline } from './routing/distance-oracle.ts';
import type { SlottingInput, SlottingOptions, SlottingReport } from './slotting/slot-report.ts';
import { slottingReport } from './slotting/slot-report.ts';
import type { StockLine } from './slotting/putaway.ts';
import type { RouteError, RouteMethod, RouteResult } from './routing/plan-route.ts';
import { findLocation, planRoute } from './routing/plan-route.ts';
import type { WavePlan, WavePlanError, WavePlanRequest } from './waves/waves.ts';
import { planWave } from './waves/waves.ts';
import type { AssignmentError, AssignmentRequest, AssignmentResult } from './assignment/assignment.ts';
import { assignWork } from './assignment/assignment.ts';

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

/** Batch orders (`batchOrders`) on a cached layout. */
export interface BatchTask {
  readonly kind: 'batch';
  readonly layoutKey: string;
  readonly layout?: Layout;
  readonly request: Omit<BatchingRequest, 'layout'>;
}

/**
 * A slotting report (`slottingReport`) on a cached site: the site (layout, SKUs) is the large part, so it is keyed
 * like a layout and shipped once per worker; the stock and history travel with every task.
 */
export interface SlotTask {
  readonly kind: 'slot';
  readonly layoutKey: string;
  readonly site?: SiteDefinition;
  readonly input: Omit<SlottingInput, 'site' | 'stock'> & { readonly stock: readonly StockLine[] };
  readonly options: SlottingOptions;
}

/** Family-to-zone assignment (`solveZoneAssignment`) with the worker's MIP solver. */
export interface ZonesTask {
  readonly kind: 'zones';
  readonly instance: ZoneAssignmentInstance;
  readonly timeLimitSeconds?: number;
}

/** Which orders to release now (`planWave`, solver/waves): wave sizing or a waveless top-up. */
export interface WaveTask {
  readonly kind: 'wave';
  readonly request: WavePlanRequest;
}

/** Which operative takes which unit of work (`assignWork`, solver/assignment) on a cached layout. */
export interface AssignTask {
  readonly kind: 'assign';
  readonly layoutKey: string;
  readonly layout?: Layout;
  readonly request: Omit<AssignmentRequest, 'layout'>;
}

/** Every task a solver worker understands. */
export type SolverTask = RouteTask | WalkTask | BatchTask | SlotTask | ZonesTask | WaveTask | AssignTask;

/** Tasks that name a cached layout or site by `layoutKey`. */
export type KeyedSolverTask = RouteTask | WalkTask | BatchTask | SlotTask | AssignTask;

/** The worker's answer: the solver's result, or a request to resend the task with its layout (or site). */
export type SolverReply =
  | { readonly kind: 'route'; readonly result: RouteResult | RouteError }
  | { readonly kind: 'walk'; readonly path: FloorPoint[] | null }
  | { readonly kind: 'batch'; readonly result: BatchingResult | BatchingError }
  | { readonly kind: 'slot'; readonly report: SlottingReport }
  | { readonly kind: 'zones'; readonly result: ZoneAssignmentResult }
  | { readonly kind: 'wave'; readonly result: WavePlan | WavePlanError }
  | { readonly kind: 'assign'; readonly result: AssignmentResult | AssignmentError }
  | { readonly kind: 'missing-layout'; readonly layoutKey: string };

/** What the worker's host provides: adapters the pure core may not import (the MIP library). */
export interface SolverWorkerDeps {
  readonly mipSolver?: MipSolver;
}

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

/** Layouts and sites by key, most recently used last; per worker (per module instance). */
const layouts = new Map<string, Layout>();
const sites = new Map<string, SiteDefinition>();

function cached<T>(cache: Map<string, T>, key: string, sent: T | undefined): T | undefined {
  if (sent !== undefined) {
    cache.delete(key);
    cache.set(key, sent);
    while (cache.size > LAYOUT_CACHE_SIZE) {
      const oldest = cache.keys().next().value;
      if (oldest === undefined) break;
      cache.delete(oldest);
    }
    return sent;
  }
  const hit = cache.get(key);
  if (hit !== undefined) {
    // Refresh its place so a busy layout is never the one evicted.
    cache.delete(key);
    cache.set(key, hit);
  }
  return hit;
}

const layoutFor = (task: { readonly layoutKey: string; readonly layout?: Layout }): Layout | undefined => cached(layouts, task.layoutKey, task.layout);

/**
 * Runs one solver task. Pure apart from the layout and site caches, which only save re-sending them. Synchronous
 * except `zones`, whose MIP solver port is asynchronous.
 */
export function runSolverTask(task: SolverTask, deps: SolverWorkerDeps = {}): SolverReply | Promise<SolverReply> {
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
    case 'batch': {
      const layout = layoutFor(task);
      if (layout === undefined) return { kind: 'missing-layout', layoutKey: task.layoutKey };
      return { kind: 'batch', result: batchOrders({ ...task.request, layout }) };
    }
    case 'slot': {
      const site = cached(sites, task.layoutKey, task.site);
      if (site === undefined) return { kind: 'missing-layout', layoutKey: task.layoutKey };
      return { kind: 'slot', report: slottingReport({ ...task.input, site }, task.options) };
    }
    case 'zones': {
      const solver = deps.mipSolver;
      if (solver === undefined) throw new Error('this solver worker has no MIP solver');
      return solveZoneAssignment(task.instance, {
        solver,
        ...(task.timeLimitSeconds === undefined ? {} : { timeLimitSeconds: task.timeLimitSeconds }),
      }).then((result) => ({ kind: 'zones', result }));
    }
    case 'wave':
      return { kind: 'wave', result: planWave(task.request) };
    case 'assign': {
      const layout = layoutFor(task);
      if (layout === undefined) return { kind: 'missing-layout', layoutKey: task.layoutKey };
      return { kind: 'assign', result: assignWork({ ...task.request, layout }) };
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
  sites.clear();
}
