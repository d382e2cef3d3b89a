/**
 * SolverPool on worker threads (piscina): routes, batching, slotting and the zone MIP are solved off the event loop;
 * each worker caches layouts and sites by key.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { SolverReply, SolverTask } from '../../solver/worker.ts';
import { guardedRun } from './piscina-guard.ts';
import { LayoutShipper } from './route-tasks.ts';
import { ShippingSolverPool } from './shipping-solver-pool.ts';

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

export class PiscinaSolverPool extends ShippingSolverPool {
  private readonly pool: Piscina<SolverTask, SolverReply>;

  constructor(options: PiscinaSolverPoolOptions = {}) {
    const threads = Math.max(1, Math.floor(options.threads ?? defaultSolverThreads()));
    const pool = new Piscina<SolverTask, SolverReply>({
      filename: options.workerFile ?? SOLVER_WORKER_FILE,
      minThreads: threads,
      maxThreads: threads,
      // Workers hold cached layouts: keep them for the life of the pool.
      idleTimeout: Number.POSITIVE_INFINITY,
      niceIncrement: options.niceIncrement ?? 10,
    });
    super(new LayoutShipper(guardedRun(pool, options.onError ?? ((error: unknown) => console.error('solver pool:', error)))));
    this.pool = pool;
  }

  /** Worker threads in the pool. */
  /** Tasks waiting for a worker (the /metrics solver queue). */
  get queued(): number {
    return this.pool.queueSize;
  }

  get threads(): number {
    return this.pool.maxThreads;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.destroy();
  }
}
