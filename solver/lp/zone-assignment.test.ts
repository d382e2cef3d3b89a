import { describe, expect, it } from 'vitest';
import { createRng } from '../../server/twin/rng.ts';
import { generateSite } from '../../server/twin/layout/generator.ts';
import { createHighsMipSolver } from '../../server/solver-pool/highs-mip-solver.ts';
import { createLpSolverMipSolver } from '../../server/solver-pool/lp-solver-mip-solver.ts';
import type { MipSolver } from './mip.ts';
import type { ZoneAssignment, ZoneAssignmentInstance } from './zone-assignment.ts';
import {
  assignmentCost, buildZoneAssignmentModel, greedyAssignment, solveZoneAssignment, verifyAssignment, verifySolution,
} from './zone-assignment.ts';
import { zoneAssignmentInstanceFromSite } from './zone-instance.ts';

const highs = createHighsMipSolver();

/** Every assignment of F families to Z zones (Z^F of them), the cheapest feasible one, or null. */
function bruteForce(instance: ZoneAssignmentInstance): { assignment: ZoneAssignment; objective: number } | null {
  const F = instance.families.length;
  const Z = instance.zones.length;
  let best: { assignment: ZoneAssignment; objective: number } | null = null;
  for (let code = 0; code < Z ** F; code++) {
    const assignment = Array.from({ length: F }, (_, f) => Math.floor(code / Z ** f) % Z);
    const checked = verifyAssignment(instance, assignment);
    if (checked.ok && (best === null || checked.objective < best.objective)) best = checked;
  }
  return best;
}

function randomInstance(seed: number): ZoneAssignmentInstance {
  const rng = createRng(seed);
  const F = 2 + Math.floor(rng.next() * 3);
  const Z = 2 + Math.floor(rng.next() * 2);
  const families = Array.from({ length: F }, (_, f) => ({ id: `F${f}`, volume: Math.round(1 + rng.next() * 9) }));
  const total = families.reduce((a, f) => a + f.volume, 0);
  // Tight capacities: some instances are infeasible, most make the cheapest zone overflow.
  const zones = Array.from({ length: Z }, (_, z) => ({ id: `Z${z}`, capacity: Math.round((total / Z) * (0.9 + rng.next() * 0.9)) }));
  const cost = families.map(() => zones.map(() => Math.round(rng.next() * 100) / 4));
  return { families, zones, cost };
}

const tiny: ZoneAssignmentInstance = {
  families: [{ id: 'A', volume: 3 }, { id: 'B', volume: 2 }],
  zones: [{ id: 'near', capacity: 3 }, { id: 'far', capacity: 5 }],
  cost: [[10, 30], [8, 9]],
};

describe('[LP2] verifySolution', () => {
  const good = [1, 0, 0, 1]; // A near, B far
  it('accepts an integral, feasible answer and recomputes its objective', () => {
    expect(verifySolution(tiny, good, 19)).toEqual({ ok: true, assignment: [0, 1], objective: 19 });
  });
  it('rejects a fractional value', () => {
    const r = verifySolution(tiny, [1, 0, 0.5, 0.5]);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors.join()).toMatch(/x\[B\]\[near\] = 0.5 is not integral/);
  });
  it('accepts values within 1e-9 of 0 or 1 and rejects 1e-6 off', () => {
    expect(verifySolution(tiny, [1 - 1e-10, 1e-10, 0, 1]).ok).toBe(true);
    expect(verifySolution(tiny, [1 - 1e-6, 1e-6, 0, 1]).ok).toBe(false);
  });
  it('rejects a family in two zones or in none', () => {
    const both = verifySolution(tiny, [1, 1, 0, 1]);
    expect(!both.ok && both.errors.join()).toMatch(/family A is in 2 zones/);
    const none = verifySolution(tiny, [1, 0, 0, 0]);
    expect(!none.ok && none.errors.join()).toMatch(/family B is in 0 zones/);
  });
  it('rejects a capacity breach', () => {
    const r = verifySolution(tiny, [1, 0, 1, 0]); // both near: load 5 > 3
    expect(!r.ok && r.errors.join()).toMatch(/zone near: load 5 exceeds capacity 3/);
  });
  it('rejects an objective that does not match the assignment', () => {
    const r = verifySolution(tiny, good, 18);
    expect(!r.ok && r.errors.join()).toMatch(/reported objective 18 differs from the recomputed 19/);
  });
  it('rejects the wrong number of values and NaN', () => {
    expect(verifySolution(tiny, [1, 0, 0]).ok).toBe(false);
    expect(verifySolution(tiny, [Number.NaN, 1, 0, 1]).ok).toBe(false);
  });
});

describe('solveZoneAssignment with HiGHS', () => {
  it('[LP1][LP3] finds the brute-force optimum on 60 random instances of up to 4 families × 3 zones', async () => {
    let feasible = 0;
    let greedyMissed = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const instance = randomInstance(seed);
      const best = bruteForce(instance);
      const result = await solveZoneAssignment(instance, { solver: highs });
      if (best === null) {
        expect(result.kind, `seed ${seed}`).toBe('infeasible');
        continue;
      }
      feasible++;
      const greedy = greedyAssignment(instance);
      if (greedy === null || assignmentCost(instance, greedy) > best.objective + 1e-9) greedyMissed++;
      expect(result.kind, `seed ${seed}`).toBe('optimal');
      if (result.kind !== 'optimal') continue;
      expect(result.objective, `seed ${seed}`).toBeCloseTo(best.objective, 9);
      expect(verifyAssignment(instance, result.assignment).ok).toBe(true);
    }
    // The generator must exercise both outcomes, or this test proves little.
    expect(feasible).toBeGreaterThan(30);
    expect(feasible).toBeLessThan(60);
    expect(greedyMissed, 'instances where greedy is not optimal').toBeGreaterThan(0);
  });

  it('[LP4] reports an instance whose families do not fit as infeasible', async () => {
    const instance: ZoneAssignmentInstance = {
      families: [{ id: 'A', volume: 4 }, { id: 'B', volume: 4 }],
      zones: [{ id: 'Z1', capacity: 5 }, { id: 'Z2', capacity: 3 }],
      cost: [[1, 2], [1, 2]],
    };
    const result = await solveZoneAssignment(instance, { solver: highs });
    expect(result).toMatchObject({ kind: 'infeasible', solver: 'highs' });
    expect(result.kind === 'infeasible' && result.reason).toMatch(/no assignment fits the zone capacities/);
  });

  it('[LP3] does not accept an answer stopped by the time limit; falls back to a verified, marked assignment', async () => {
    const { site, initialStock } = generateSite(
      { id: 't', name: 't', aisles: 10, blocks: 1, baysPerBlock: 10, levels: 4, skuCount: 400, tenants: 2, stockFillRatio: 0.8, baseDate: '2026-11-01' },
      7,
    );
    const instance = zoneAssignmentInstanceFromSite(site, initialStock, { families: 100, aisleGroups: 5, levelBands: 2 });
    const result = await solveZoneAssignment(instance, { solver: highs, timeLimitSeconds: 0.001 });
    expect(result.kind).toBe('fallback');
    if (result.kind !== 'fallback') return;
    expect(result.error).toMatch(/time limit reached before optimality was proved/);
    expect(result.assignment).not.toBeNull();
    expect(verifyAssignment(instance, result.assignment!)).toMatchObject({ ok: true, objective: result.objective });
  });
});

/** The real solver, with its answer altered on the way out (a library bug or a corrupted message). */
function tampered(solver: MipSolver, alter: (values: number[]) => number[], status?: 'infeasible'): MipSolver {
  return {
    name: `${solver.name} (tampered)`,
    async solve(model, options) {
      const r = await solver.solve(model, options);
      if (status !== undefined) return { status, detail: 'tampered' };
      return { ...r, values: alter([...(r.values ?? [])]) };
    },
  };
}

describe('solveZoneAssignment never acts on a bad answer', () => {
  const instance: ZoneAssignmentInstance = {
    families: [{ id: 'A', volume: 3 }, { id: 'B', volume: 2 }, { id: 'C', volume: 2 }],
    zones: [{ id: 'near', capacity: 4 }, { id: 'far', capacity: 6 }],
    cost: [[10, 30], [8, 9], [5, 20]],
  };

  it('[LP2][LP3] rejects a fractional answer claimed optimal and returns greedy, marked as such', async () => {
    const halve = (v: number[]) => v.map((x, i) => (i < 2 ? 0.5 : x));
    const result = await solveZoneAssignment(instance, { solver: tampered(highs, halve) });
    expect(result).toMatchObject({ kind: 'fallback', source: 'greedy' });
    expect(result.kind === 'fallback' && result.error).toMatch(/solver answer rejected: .*not integral/);
    const greedy = greedyAssignment(instance)!;
    expect(result.kind === 'fallback' && result.objective).toBe(assignmentCost(instance, greedy));
  });

  it('[LP2] rejects an answer that breaks a capacity', async () => {
    const allNear = (v: number[]) => v.map((_, i) => (i % 2 === 0 ? 1 : 0));
    const result = await solveZoneAssignment(instance, { solver: tampered(highs, allNear) });
    expect(result.kind === 'fallback' && result.error).toMatch(/zone near: load 7 exceeds capacity 4/);
  });

  it('[LP4] does not believe a false claim of infeasibility', async () => {
    const result = await solveZoneAssignment(instance, { solver: tampered(highs, (v) => v, 'infeasible') });
    expect(result).toMatchObject({ kind: 'fallback', source: 'greedy' });
    expect(result.kind === 'fallback' && result.error).toMatch(/claimed infeasible but a feasible assignment exists/);
  });

  it('[LP3] rejects javascript-lp-solver stopped at its timeout (fractional, marked feasible)', async () => {
    const { site, initialStock } = generateSite(
      { id: 't', name: 't', aisles: 10, blocks: 1, baysPerBlock: 10, levels: 4, skuCount: 400, tenants: 2, stockFillRatio: 0.8, baseDate: '2026-11-01' },
      7,
    );
    const big = zoneAssignmentInstanceFromSite(site, initialStock, { families: 60, aisleGroups: 4, levelBands: 2 });
    const result = await solveZoneAssignment(big, { solver: createLpSolverMipSolver(), timeLimitSeconds: 0.05 });
    expect(result.kind).toBe('fallback');
    expect(result.kind === 'fallback' && result.assignment !== null && verifyAssignment(big, result.assignment).ok).toBe(true);
  });
});

describe('[LP1] buildZoneAssignmentModel', () => {
  it('has one binary per (family, zone), one equality per family and one capacity row per zone', () => {
    const model = buildZoneAssignmentModel(tiny);
    expect(model.variables.map((v) => v.cost)).toEqual([10, 30, 8, 9]);
    expect(model.constraints.map((c) => [c.name, c.lower, c.upper])).toEqual([
      ['once_0', 1, 1], ['once_1', 1, 1], ['cap_0', undefined, 3], ['cap_1', undefined, 5],
    ]);
    expect(model.constraints[2]!.terms).toEqual([[0, 3], [2, 2]]);
  });
});

describe('[LP5] zoneAssignmentInstanceFromSite', () => {
  const { site, initialStock } = generateSite(
    { id: 't', name: 't', aisles: 8, blocks: 1, baysPerBlock: 6, levels: 4, skuCount: 120, tenants: 2, stockFillRatio: 0.8, baseDate: '2026-11-01' },
    3,
  );
  const instance = zoneAssignmentInstanceFromSite(site, initialStock, { families: 12, aisleGroups: 4, levelBands: 2, utilisation: 0.8 });
  it('has the asked shape, capacities sized by the utilisation, and positive finite costs', () => {
    expect(instance.families).toHaveLength(12);
    expect(instance.zones.map((z) => z.id)).toEqual(['Z1A', 'Z1B', 'Z2A', 'Z2B', 'Z3A', 'Z3B', 'Z4A', 'Z4B']);
    const volume = instance.families.reduce((a, f) => a + f.volume, 0);
    const capacity = instance.zones.reduce((a, z) => a + z.capacity, 0);
    expect(volume / capacity).toBeCloseTo(0.8, 3);
    expect(instance.cost.flat().every((c) => Number.isFinite(c) && c > 0)).toBe(true);
  });
  it('costs more higher up for the same aisles (reach), so band A is cheaper than band B', () => {
    for (const row of instance.cost) for (let g = 0; g < 4; g++) expect(row[2 * g]!).toBeLessThan(row[2 * g + 1]!);
  });
  it('is deterministic', () => {
    expect(zoneAssignmentInstanceFromSite(site, initialStock, { families: 12, aisleGroups: 4, levelBands: 2, utilisation: 0.8 })).toEqual(instance);
  });
});
