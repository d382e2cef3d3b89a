/**
 * SolverPool in-process: the same worker code and layout protocol as the piscina pool, run on the caller's event loop
 * (a microtask later, so it never answers synchronously). For tests and tiny tools, not for a busy server.
 */
import { LayoutShipper } from './route-tasks.ts';
import { ShippingSolverPool } from './shipping-solver-pool.ts';
import { runWorkerTask } from './worker-entry.ts';

export class InlineSolverPool extends ShippingSolverPool {
  constructor() {
    super(
      new LayoutShipper(async (task) => {
        await Promise.resolve();
        return runWorkerTask(task);
      }),
    );
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}
