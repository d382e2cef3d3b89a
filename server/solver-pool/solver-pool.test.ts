import { describe, expect, it, vi } from 'vitest';
import { layoutFromRackAisle, parseRackAisle } from '../twin/layout/rack-aisle.ts';
import { InlineSolverPool } from './inline-solver-pool.ts';
import { PiscinaSolverPool } from './piscina-solver-pool.ts';
import { layoutKey } from './solver-pool.ts';
import { solverPoolContract } from './solver-pool.contract.ts';

solverPoolContract('InlineSolverPool', () => new InlineSolverPool());
// Two threads even on a small machine, so the layout-per-worker path is exercised.
solverPoolContract('PiscinaSolverPool', () => new PiscinaSolverPool({ threads: 2 }));

describe('layoutKey', () => {
  const params = { format: 'rack-aisle/1', id: 'k', aisles: 4, blocks: 1, baysPerBlock: 5, levels: 2, bayLength: 1, aisleSpacing: 3, crossAisleWidth: 2, depot: { x: 0 } };
  const build = () => {
    const r = parseRackAisle(params);
    if (!r.ok) throw new Error(r.error);
    return layoutFromRackAisle(r.params);
  };

  it('is the same for equal layouts and differs when an edge is blocked', () => {
    const a = build();
    const b = build();
    expect(layoutKey(a)).toBe(layoutKey(b));
    const blocked = { ...a, graph: { ...a.graph, edges: a.graph.edges.map((e, i) => (i === 0 ? { ...e, blocked: true } : e)) } };
    expect(layoutKey(blocked)).not.toBe(layoutKey(a));
    expect(layoutKey(a).startsWith('k#')).toBe(true);
  });
});

describe('PiscinaSolverPool', () => {
  it('refuses work after close', async () => {
    const r = parseRackAisle({ format: 'rack-aisle/1', id: 'c', aisles: 2, blocks: 1, baysPerBlock: 2, levels: 1, bayLength: 1, aisleSpacing: 3, crossAisleWidth: 2, depot: { x: 0 } });
    if (!r.ok) throw new Error(r.error);
    const pool = new PiscinaSolverPool({ threads: 1 });
    await pool.close();
    await expect(pool.planRoute({ layout: layoutFromRackAisle(r.params), picks: [] })).rejects.toThrow(/closed/);
  });

  it('rejects a plan and reports the error when its worker cannot start, instead of crashing the process', async () => {
    const r = parseRackAisle({ format: 'rack-aisle/1', id: 'd', aisles: 2, blocks: 1, baysPerBlock: 2, levels: 1, bayLength: 1, aisleSpacing: 3, crossAisleWidth: 2, depot: { x: 0 } });
    if (!r.ok) throw new Error(r.error);
    const errors: unknown[] = [];
    const pool = new PiscinaSolverPool({ threads: 1, workerFile: '/nonexistent/solver-worker.js', onError: (e) => errors.push(e) });
    try {
      await expect(pool.planRoute({ layout: layoutFromRackAisle(r.params), picks: [] })).rejects.toThrow(/nonexistent/);
      // The pool restarts the worker, which fails again outside any task: reported, not thrown.
      await vi.waitFor(() => expect(errors.length).toBeGreaterThan(0));
    } finally {
      await pool.close();
    }
  });
});
