/**
 * The MIP solver port: a linear model in, a solution out. The core builds models and verifies answers; a library
 * (HiGHS, javascript-lp-solver) sits behind this interface in an adapter and is passed in by the caller.
 */

/** One linear constraint `lower ≤ Σ coef·x ≤ upper` (either bound may be absent). */
export interface MipConstraint {
  readonly name: string;
  /** Pairs of (variable index, coefficient); each variable at most once. */
  readonly terms: readonly (readonly [variable: number, coefficient: number])[];
  readonly lower?: number;
  readonly upper?: number;
}

/** Minimise Σ cost·x over binary variables subject to the constraints. */
export interface MipModel {
  readonly variables: readonly { readonly name: string; readonly cost: number }[];
  readonly constraints: readonly MipConstraint[];
}

/**
 * What a solver reported. `optimal`: it claims a proved optimum; `time-limit`: it stopped at the limit (with or
 * without a candidate); `infeasible`: it claims no solution exists; `error`: anything else. `values` (one per
 * variable, in model order) are the solver's raw numbers, never trusted until verified.
 */
export interface MipResult {
  readonly status: 'optimal' | 'time-limit' | 'infeasible' | 'error';
  readonly values?: readonly number[];
  readonly objective?: number;
  /** The library's own status words, for the error message and the benchmark. */
  readonly detail: string;
}

export interface MipSolveOptions {
  /** Wall-clock budget in seconds; the adapter maps it to the library's limit. */
  readonly timeLimitSeconds: number;
}

/** A MIP library behind the port. */
export interface MipSolver {
  readonly name: string;
  solve(model: MipModel, options: MipSolveOptions): Promise<MipResult>;
}
