/**
 * The solver pool port: how the server asks for optimisation work without running it on the event loop. Adapters:
 * `PiscinaSolverPool` (worker threads, production) and `InlineSolverPool` (in-process, tests); one contract suite.
 */
import type { BatchingError, BatchingRequest, BatchingResult } from '../../solver/batching/batching.ts';
import type { ZoneAssignmentInstance, ZoneAssignmentResult } from '../../solver/lp/zone-assignment.ts';
import type { RouteError, RouteRequest, RouteResult } from '../../solver/routing/plan-route.ts';
import type { SlottingInput, SlottingOptions, SlottingReport } from '../../solver/slotting/slot-report.ts';
import type { WalkRequest } from '../../solver/worker.ts';
import type { AssignmentError, AssignmentRequest, AssignmentResult } from '../../solver/assignment/assignment.ts';
import type { WavePlan, WavePlanError, WavePlanRequest } from '../../solver/waves/waves.ts';
import type { FloorPoint } from '../twin/ids.ts';
import type { Layout } from '../twin/layout/types.ts';

/** Runs solver work somewhere else than the caller's event loop (or pretends to, for tests). */
export interface SolverPool {
  /** Plans one route: the same answer as the solver's `planRoute(request)`. Rejects only if the solver crashed. */
  planRoute(request: RouteRequest): Promise<RouteResult | RouteError>;
  /**
   * Draws the walk through locations in the given order (no re-optimising), from `from` (or the depot) back to the
   * depot; null when a location is unknown or unreachable.
   */
  walkPath(layout: Layout, request: WalkRequest): Promise<FloorPoint[] | null>;
  /** Batches orders: the same answer as the solver's `batchOrders(request)` (errors as values). */
  batchOrders(request: BatchingRequest): Promise<BatchingResult | BatchingError>;
  /**
   * The slotting report: the same answer as `slottingReport(input, options)`. The site is shipped once per worker
   * (keyed by object identity), the stock and history with every call. Rejects on an internal rule breach.
   */
  slottingReport(input: SlottingInput, options?: SlottingOptions): Promise<SlottingReport>;
  /** Family-to-zone assignment on HiGHS, verified (`solveZoneAssignment`). Rejects on a malformed instance. */
  zoneAssignment(instance: ZoneAssignmentInstance, options?: ZoneAssignmentOptions): Promise<ZoneAssignmentResult>;
  /** Which orders to release now: the same answer as the solver's `planWave(request)` (errors as values). */
  planWave(request: WavePlanRequest): Promise<WavePlan | WavePlanError>;
  /** Which operative takes which unit of work: the same answer as the solver's `assignWork(request)` (errors as values). */
  assignWork(request: AssignmentRequest): Promise<AssignmentResult | AssignmentError>;
  /** Stops the workers; pending tasks are rejected. */
  close(): Promise<void>;
}

export interface ZoneAssignmentOptions {
  /** The MIP solver's time limit; default 10 s. */
  readonly timeLimitSeconds?: number;
}

const keys = new WeakMap<Layout, string>();

/** FNV-1a over 32-bit words. */
function mix(hash: number, value: number): number {
  let h = hash;
  // Lengths are metres with decimals: hash the scaled integer so equal floats give equal keys.
  const v = Math.round(value * 1000) | 0;
  for (let shift = 0; shift < 32; shift += 8) {
    h ^= (v >>> shift) & 0xff;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * A key for a layout's routing content: its id plus a hash of the walk graph (edges with one-way/blocked flags) and
 * the locations' access nodes, so a re-blocked aisle is a new key. Computed once per layout object.
 */
export function layoutKey(layout: Layout): string {
  const known = keys.get(layout);
  if (known !== undefined) return known;
  let h = 0x811c9dc5;
  const { graph } = layout;
  h = mix(h, graph.nodes.length);
  h = mix(h, graph.depotNode);
  for (const node of graph.nodes) {
    h = mix(h, node.x);
    h = mix(h, node.y);
  }
  for (const edge of graph.edges) {
    h = mix(h, edge.a);
    h = mix(h, edge.b);
    h = mix(h, edge.length);
    h = mix(h, (edge.oneWay === true ? 1 : 0) + (edge.blocked === true ? 2 : 0));
  }
  h = mix(h, layout.locations.length);
  for (const location of layout.locations) h = mix(h, location.accessNode);
  const key = `${layout.id}#${h.toString(36)}`;
  keys.set(layout, key);
  return key;
}
