/**
 * The solver worker as both pools run it: the pure `runSolverTask` with the adapters the core may not import (HiGHS
 * for the MIP), created once per worker thread (or once per process for the inline pool).
 */
import type { SolverReply, SolverTask } from '../../solver/worker.ts';
import { runSolverTask } from '../../solver/worker.ts';
import { createHighsMipSolver } from './highs-mip-solver.ts';

const deps = { mipSolver: createHighsMipSolver() };

export function runWorkerTask(task: SolverTask): SolverReply | Promise<SolverReply> {
  return runSolverTask(task, deps);
}

export default runWorkerTask;
