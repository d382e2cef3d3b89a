/**
 * SolverPool on worker threads (piscina): routes, batching, slotting and the zone MIP are solved off the event loop;
 * each worker caches layouts and sites by key.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { BatchingError, BatchingRequest, BatchingResult } from '../../solver/batching/batching.ts';
import type { ZoneAssignmentInstance, ZoneAssignmentResult } from '../../solver/lp/zone-assignment.ts';
import type { RouteError, RouteRequest, RouteResult } from '../../solver/routing/plan-route.ts';
import type { SlottingInput, SlottingOptions, SlottingReport } from '../../solver/slotting/slot-report.ts';
import type { SolverReply, SolverTask, WalkRequest } from '../../solver/worker.ts';
import { guardedRun } from './piscina-guard.ts';
import { LayoutShipper } from './route-tasks.ts';
import type { SolverPool, ZoneAssignmentOptions } from './solver-pool.ts';
import type { AssignmentError, AssignmentRequest, AssignmentResult } from '../../solver/assignment/assignment.ts';
import type { WavePlan, WavePlanError, WavePlanRequest } from '../../solver/waves/waves.ts';
import type { FloorPoint } from '../twin/ids.ts';
import type { Layout } from '../twin/layout/types.ts';

/** The worker entry: a plain-JS bootstrap that registers tsx, then loads worker-entry.ts (solver/worker.ts + adapters). */
export const SOLVER_WORKER_FILE = fileURLToPath(new URL('./solver-worker.js', import.meta.url));

export interface PiscinaSolverPoolOptions {
  /** Worker threads; default max(1, cores − 1) so the event loop keeps a core. */
  readonly threads?: number;
  /**
   * Added to the worker threads' nice value (Linux): plans are background work and must not starve the event loop or
   * the rest of the machine. Default 10; 0 keeps normal priority.
   */
  readonly niceIncrement?: number;
  /** The worker entry (tests point it elsewhere). */
  readonly workerFile?: string;
  /** A worker failing outside a task (it could not start, it crashed); default: logged to stderr. */
  readonly onError?: (error: unknown) => void;
}

/** Default thread count: leave one core to the event loop. */
export function defaultSolverThreads(): number {
  return Math.max(1, availableParallelism() - 1);
}

export class PiscinaSolverPool implements SolverPool {
  private readonly pool: Piscina<SolverTask, SolverReply>;
  private readonly shipper: LayoutShipper;
  private closed = false;

  constructor(options: PiscinaSolverPoolOptions = {}) {
    const threads = Math.max(1, Math.floor(options.threads ?? defaultSolverThreads()));
    this.pool = new Piscina<SolverTask, SolverReply>({
      filename: options.workerFile ?? SOLVER_WORKER_FILE,
      minThreads: threads,
      maxThreads: threads,
      // Workers hold cached layouts: keep them for the life of the pool.
      idleTimeout: Number.POSITIVE_INFINITY,
      niceIncrement: options.niceIncrement ?? 10,
    });
    this.shipper = new LayoutShipper(guardedRun(this.pool, options.onError ?? ((error: unknown) => console.error('solver pool:', error))));
  }

  /** Worker threads in the pool. */
  get threads(): number {
    return this.pool.maxThreads;
  }

  planRoute(request: RouteRequest): Promise<RouteResult | RouteError> {
    return this.open() ?? this.shipper.planRoute(request);
  }

  walkPath(layout: Layout, request: WalkRequest): Promise<FloorPoint[] | null> {
    return this.open() ?? this.shipper.walkPath(layout, request);
  }

  batchOrders(request: BatchingRequest): Promise<BatchingResult | BatchingError> {
    return this.open() ?? this.shipper.batchOrders(request);
  }

  slottingReport(input: SlottingInput, options?: SlottingOptions): Promise<SlottingReport> {
    return this.open() ?? this.shipper.slottingReport(input, options);
  }

  zoneAssignment(instance: ZoneAssignmentInstance, options?: ZoneAssignmentOptions): Promise<ZoneAssignmentResult> {
    return this.open() ?? this.shipper.zoneAssignment(instance, options);
  }

  planWave(request: WavePlanRequest): Promise<WavePlan | WavePlanError> {
    return this.open() ?? this.shipper.planWave(request);
  }

  assignWork(request: AssignmentRequest): Promise<AssignmentResult | AssignmentError> {
    return this.open() ?? this.shipper.assignWork(request);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.destroy();
  }

  /** A rejection once closed, else undefined. */
  private open(): Promise<never> | undefined {
    return this.closed ? Promise.reject(new Error('the solver pool is closed')) : undefined;
  }
}
