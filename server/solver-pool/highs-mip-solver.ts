/**
 * `MipSolver` adapter for HiGHS compiled to WebAssembly (`highs`, MIT). One WASM instance is loaded lazily and
 * reused; each solve builds a persistent model from the port's sparse rows, runs it and disposes it. The solve is
 * synchronous inside the WASM and single-threaded: call it from a worker thread, not the server's event loop.
 */
import loadHighs from 'highs';
import type { Highs } from 'highs';
import type { MipModel, MipResult, MipSolveOptions, MipSolver } from '../../solver/lp/mip.ts';

/** HiGHS's default relative MIP gap is 1e-4; 0 makes "optimal" mean proved optimal, not within 0.01 %. */
const RELATIVE_GAP = 0;

export interface HighsMipSolver extends MipSolver {
  /** Relative gap and dual bound of the last solve (useful when it stopped at the time limit). */
  readonly lastGap: () => { readonly gap: number; readonly dualBound: number } | null;
}

export function createHighsMipSolver(): HighsMipSolver {
  let highs: Promise<Highs> | null = null;
  let last: { gap: number; dualBound: number } | null = null;
  return {
    name: 'highs',
    lastGap: () => last,
    async solve(model: MipModel, options: MipSolveOptions): Promise<MipResult> {
      highs ??= loadHighs();
      const h = await highs;
      const n = model.variables.length;
      const starts = [0];
      const indices: number[] = [];
      const values: number[] = [];
      for (const row of model.constraints) {
        for (const [variable, coefficient] of row.terms) {
          indices.push(variable);
          values.push(coefficient);
        }
        starts.push(indices.length);
      }
      const m = h.createModel({
        numCols: n,
        numRows: model.constraints.length,
        colCost: model.variables.map((v) => v.cost),
        colLower: new Array<number>(n).fill(0),
        colUpper: new Array<number>(n).fill(1),
        rowLower: model.constraints.map((c) => c.lower ?? -h.infinity),
        rowUpper: model.constraints.map((c) => c.upper ?? h.infinity),
        matrix: { format: 'csr', numRows: model.constraints.length, numCols: n, starts, indices, values },
        integrality: new Array<typeof h.constants.variableType.integer>(n).fill(h.constants.variableType.integer),
      });
      try {
        m.options.set({ output_flag: false, time_limit: options.timeLimitSeconds, mip_rel_gap: RELATIVE_GAP });
        m.run();
        const status = m.getModelStatus();
        const codes = h.constants.modelStatus;
        last = { gap: Number(m.info.get('mip_gap')), dualBound: Number(m.info.get('mip_dual_bound')) };
        // 2 = a feasible primal solution exists (HiGHS solution status codes).
        const hasPrimal = Number(m.info.get('primal_solution_status')) === 2;
        const detail = `HiGHS model status ${status}`;
        const solution = hasPrimal ? { values: Array.from(m.getSolution().colValue), objective: m.getObjectiveValue() } : {};
        if (status === codes.optimal) return { status: 'optimal', detail, ...solution };
        if (status === codes.infeasible) return { status: 'infeasible', detail };
        if (status === codes.timeLimit) return { status: 'time-limit', detail, ...solution };
        return { status: 'error', detail, ...solution };
      } finally {
        m.dispose();
      }
    },
  };
}
