/** The solver pool: port and adapters. */
export { layoutKey, type SolverPool, type ZoneAssignmentOptions } from './solver-pool.ts';
export { InlineSolverPool } from './inline-solver-pool.ts';
export { PiscinaSolverPool, defaultSolverThreads, type PiscinaSolverPoolOptions } from './piscina-solver-pool.ts';
