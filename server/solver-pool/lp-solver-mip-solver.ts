/**
 * `MipSolver` adapter for javascript-lp-solver (kept for comparison; HiGHS is the one in use). The library does not
 * report that it stopped at its timeout — it returns the last relaxation it explored, often fractional, marked
 * feasible — so the adapter reports `time-limit` whenever the solve used the whole budget.
 */
import lpSolver from 'javascript-lp-solver';
import type { SolveResult } from 'javascript-lp-solver';
import type { MipModel, MipResult, MipSolveOptions, MipSolver } from '../../solver/lp/mip.ts';

export function createLpSolverMipSolver(clock: () => number = () => performance.now()): MipSolver {
  return {
    name: 'javascript-lp-solver',
    solve(model: MipModel, options: MipSolveOptions): Promise<MipResult> {
      const constraints: Record<string, { min?: number; max?: number; equal?: number }> = {};
      for (const c of model.constraints) {
        constraints[c.name] = c.lower !== undefined && c.lower === c.upper
          ? { equal: c.lower }
          : { ...(c.lower === undefined ? {} : { min: c.lower }), ...(c.upper === undefined ? {} : { max: c.upper }) };
      }
      const variables: Record<string, Record<string, number>> = {};
      const binaries: Record<string, 1> = {};
      for (const v of model.variables) {
        // 'cost' is the objective's key; constraint names never clash with it (they are the model's own names).
        variables[v.name] = { cost: v.cost };
        binaries[v.name] = 1;
      }
      for (const c of model.constraints) for (const [i, k] of c.terms) variables[model.variables[i]!.name]![c.name] = k;
      const budgetMs = options.timeLimitSeconds * 1000;
      const started = clock();
      // Typed `unknown` by the library; its documented result shape is `SolveResult`.
      const r = lpSolver.Solve({ optimize: 'cost', opType: 'min', constraints, variables, binaries, options: { timeout: budgetMs } }) as SolveResult;
      const timedOut = clock() - started >= budgetMs;
      const detail = `feasible=${String(r.feasible)} bounded=${String(r.bounded)}${timedOut ? ' (used the whole time budget)' : ''}`;
      if (!r.feasible) return Promise.resolve({ status: timedOut ? 'time-limit' : 'infeasible', detail });
      const values = model.variables.map((v) => (typeof r[v.name] === 'number' ? (r[v.name] as number) : 0));
      return Promise.resolve({ status: timedOut ? 'time-limit' : 'optimal', values, objective: r.result, detail });
    },
  };
}
