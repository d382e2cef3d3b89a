/**
 * What both SolverPools share: every task goes through a `LayoutShipper` (layouts and sites sent once per worker, by
 * key), and nothing is sent once the pool is closed. A pool supplies where tasks run and how it closes; a new solver
 * kind is one method here, not one in each pool.
 */
import type { AssignmentError, AssignmentRequest, AssignmentResult } from '../../solver/assignment/assignment.ts';
import type { BatchingError, BatchingRequest, BatchingResult } from '../../solver/batching/batching.ts';
import type { ZoneAssignmentInstance, ZoneAssignmentResult } from '../../solver/lp/zone-assignment.ts';
import type { RouteError, RouteRequest, RouteResult } from '../../solver/routing/plan-route.ts';
import type { SlottingInput, SlottingOptions, SlottingReport } from '../../solver/slotting/slot-report.ts';
import type { WavePlan, WavePlanError, WavePlanRequest } from '../../solver/waves/waves.ts';
import type { WalkRequest } from '../../solver/worker.ts';
import type { FloorPoint } from '../twin/ids.ts';
import type { Layout } from '../twin/layout/types.ts';
import type { LayoutShipper } from './route-tasks.ts';
import type { SolverPool, ZoneAssignmentOptions } from './solver-pool.ts';

export abstract class ShippingSolverPool implements SolverPool {
  protected closed = false;

  constructor(private readonly shipper: LayoutShipper) {}

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

  abstract close(): Promise<void>;

  /** A rejection once closed, else undefined. */
  private open(): Promise<never> | undefined {
    return this.closed ? Promise.reject(new Error('the solver pool is closed')) : undefined;
  }
}
