/** Simulation runs on worker threads (piscina): each job resolves its scenario and runs it in a worker. */
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { defaultSolverThreads } from '../../server/solver-pool/piscina-solver-pool.ts';
import { guardedRun } from '../../server/solver-pool/piscina-guard.ts';
import type { SimulationResult } from '../model/result.ts';
import type { RecordingOptions } from '../model/recording.ts';
import type { Scenario } from '../scenario/types.ts';

/** The worker entry: a plain-JS bootstrap that registers tsx, then loads `simulation-worker.ts`. */
export const SIMULATION_WORKER_FILE = fileURLToPath(new URL('./simulation-worker.js', import.meta.url));

/** One run: the scenario (its site and start state are resolved in the worker) and a seed replacing the scenario's. */
export interface SimulationJob {
  readonly scenario: Scenario;
  readonly seed?: number;
  /** Record a window of the run on the floor (M13); the result then carries `recording`. */
  readonly record?: RecordingOptions;
}

export interface SimulationPool {
  run(job: SimulationJob): Promise<SimulationResult>;
  close(): Promise<void>;
}

export interface SimulationPoolOptions {
  /** Worker threads; default max(1, cores − 1), as the solver pool. */
  readonly threads?: number;
  /** Added to the workers' nice value (Linux): runs are background work. Default 10; 0 keeps normal priority. */
  readonly niceIncrement?: number;
  /** The worker entry (tests point it elsewhere). */
  readonly workerFile?: string;
  /** A worker failing outside a job (it could not start, it crashed); default: logged to stderr. */
  readonly onError?: (error: unknown) => void;
}

/** A pool of worker threads that run simulations; threads start on demand and exit after a minute idle. */
export function createSimulationPool(options: SimulationPoolOptions = {}): SimulationPool {
  const threads = Math.max(1, Math.floor(options.threads ?? defaultSolverThreads()));
  const pool = new Piscina<SimulationJob, SimulationResult>({
    filename: options.workerFile ?? SIMULATION_WORKER_FILE,
    minThreads: 0,
    maxThreads: threads,
    idleTimeout: 60_000,
    niceIncrement: options.niceIncrement ?? 10,
  });
  const run = guardedRun(pool, options.onError ?? ((error: unknown) => console.error('simulation pool:', error)));
  let closed = false;
  return {
    run(job) {
      if (closed) return Promise.reject(new Error('the simulation pool is closed'));
      return run(job);
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.destroy();
    },
  };
}
