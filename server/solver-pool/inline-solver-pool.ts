/**
 * SolverPool in-process: the same worker code and layout protocol as the piscina pool, run on the caller's event loop
 * (a microtask later, so it never answers synchronously). For tests and tiny tools, not for a busy server.
 */
import type { RouteError, RouteRequest, RouteResult } from '../../solver/routing/plan-route.ts';
import { runSolverTask } from '../../solver/worker.ts';
import { LayoutShipper } from './route-tasks.ts';
import type { SolverPool } from './solver-pool.ts';
import type { WalkRequest } from '../../solver/worker.ts';
import type { FloorPoint } from '../twin/ids.ts';
import type { Layout } from '../twin/layout/types.ts';

export class InlineSolverPool implements SolverPool {
  private readonly shipper = new LayoutShipper(async (task) => {
    await Promise.resolve();
    return runSolverTask(task);
  });
  private closed = false;

  planRoute(request: RouteRequest): Promise<RouteResult | RouteError> {
    if (this.closed) return Promise.reject(new Error('the solver pool is closed'));
    return this.shipper.planRoute(request);
  }

  walkPath(layout: Layout, request: WalkRequest): Promise<FloorPoint[] | null> {
    if (this.closed) return Promise.reject(new Error('the solver pool is closed'));
    return this.shipper.walkPath(layout, request);
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}
