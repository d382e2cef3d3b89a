/**
 * Family-to-zone assignment, a generalised assignment problem: each family of SKUs goes to exactly one zone, the
 * families in a zone fit its capacity, and the total cost Σ cost[f][z] (expected travel × picks) is least. Solved as
 * a MIP through the `MipSolver` port; every answer is verified here before anyone acts on it.
 */
import type { MipModel, MipResult, MipSolver } from './mip.ts';

export interface ZoneFamily {
  readonly id: string;
  /** Space the family needs (m³ or any unit shared with the zone capacities); ≥ 0. */
  readonly volume: number;
}

export interface ZoneSlot {
  readonly id: string;
  /** Space the zone offers, same unit as the family volumes; ≥ 0. */
  readonly capacity: number;
}

export interface ZoneAssignmentInstance {
  readonly families: readonly ZoneFamily[];
  readonly zones: readonly ZoneSlot[];
  /** cost[f][z]: cost of storing family f in zone z (metres of expected travel per day); finite. */
  readonly cost: readonly (readonly number[])[];
}

/** A candidate answer: the zone index of each family, in family order. */
export type ZoneAssignment = readonly number[];

/** Integrality, equality and capacity tolerance (absolute, scaled by the bound for capacities). */
export const MIP_TOLERANCE = 1e-9;

export type VerifyResult =
  | { readonly ok: true; readonly assignment: ZoneAssignment; readonly objective: number }
  | { readonly ok: false; readonly errors: readonly string[] };

export type ZoneAssignmentResult =
  /** The solver proved an optimum and it passed verification. */
  | { readonly kind: 'optimal'; readonly assignment: ZoneAssignment; readonly objective: number; readonly solver: string }
  /** No assignment exists (proved by the solver and not contradicted by the greedy heuristic). */
  | { readonly kind: 'infeasible'; readonly reason: string; readonly solver: string }
  /**
   * No proved optimum was accepted (`error` says why). `assignment` is NOT optimal: the better of the greedy heuristic
   * and the solver's own incumbent, whichever passes `verifySolution` (`source` says which), or null when neither does.
   */
  | {
      readonly kind: 'fallback';
      readonly error: string;
      readonly source: 'greedy' | 'solver-incumbent' | null;
      readonly assignment: ZoneAssignment | null;
      readonly objective: number | null;
      readonly solver: string;
    };

export interface SolveZoneAssignmentOptions {
  readonly solver: MipSolver;
  /** Default 10 s. */
  readonly timeLimitSeconds?: number;
}

/** Variable index of x[f][z] (1 when family f is stored in zone z). */
export const variableIndex = (instance: ZoneAssignmentInstance, family: number, zone: number): number =>
  family * instance.zones.length + zone;

/** Problems with the instance itself (shape, finite non-negative sizes, finite costs); empty when well formed. */
export function instanceErrors(instance: ZoneAssignmentInstance): string[] {
  const errors: string[] = [];
  const zones = instance.zones.length;
  if (zones === 0 && instance.families.length > 0) errors.push('zones: at least one zone is needed');
  if (instance.cost.length !== instance.families.length) errors.push(`cost: ${instance.cost.length} rows for ${instance.families.length} families`);
  for (const [f, family] of instance.families.entries()) {
    if (!(Number.isFinite(family.volume) && family.volume >= 0)) errors.push(`families[${f}].volume must be a finite number ≥ 0`);
    const row = instance.cost[f];
    if (row !== undefined && row.length !== zones) errors.push(`cost[${f}]: ${row.length} entries for ${zones} zones`);
    if (row?.some((c) => !Number.isFinite(c))) errors.push(`cost[${f}]: every cost must be finite`);
  }
  for (const [z, zone] of instance.zones.entries()) {
    if (!(Number.isFinite(zone.capacity) && zone.capacity >= 0)) errors.push(`zones[${z}].capacity must be a finite number ≥ 0`);
  }
  return errors;
}

/** The GAP as a binary MIP: x[f][z] with cost[f][z]; Σ_z x[f][z] = 1 per family; Σ_f volume·x[f][z] ≤ capacity. */
export function buildZoneAssignmentModel(instance: ZoneAssignmentInstance): MipModel {
  const { families, zones, cost } = instance;
  const variables = families.flatMap((family, f) =>
    zones.map((zone, z) => ({ name: `x_${f}_${z}`, cost: cost[f]?.[z] ?? 0 })));
  const once = families.map((family, f) => ({
    name: `once_${f}`,
    terms: zones.map((_, z) => [variableIndex(instance, f, z), 1] as const),
    lower: 1,
    upper: 1,
  }));
  const capacity = zones.map((zone, z) => ({
    name: `cap_${z}`,
    terms: families.map((family, f) => [variableIndex(instance, f, z), family.volume] as const),
    upper: zone.capacity,
  }));
  return { variables, constraints: [...once, ...capacity] };
}

/** Σ cost of an assignment (zone index per family). */
export function assignmentCost(instance: ZoneAssignmentInstance, assignment: ZoneAssignment): number {
  return assignment.reduce((sum, z, f) => sum + (instance.cost[f]?.[z] ?? Number.NaN), 0);
}

/** Capacity breaches of an assignment, as messages; empty when every zone fits. */
function capacityErrors(instance: ZoneAssignmentInstance, assignment: ZoneAssignment): string[] {
  const load = new Array<number>(instance.zones.length).fill(0);
  for (const [f, z] of assignment.entries()) load[z]! += instance.families[f]!.volume;
  return instance.zones.flatMap((zone, z) => {
    const used = load[z]!;
    return used > zone.capacity + MIP_TOLERANCE * Math.max(1, zone.capacity)
      ? [`zone ${zone.id}: load ${used} exceeds capacity ${zone.capacity}`]
      : [];
  });
}

/**
 * Checks a solver's raw values (one per variable of `buildZoneAssignmentModel`): every value within 1e-9 of 0 or 1,
 * each family in exactly one zone, every capacity respected, and — when the solver reported one — its objective equal
 * to the cost recomputed from the assignment (relative 1e-6). Only a verified answer may be acted on.
 */
export function verifySolution(instance: ZoneAssignmentInstance, values: readonly number[], reportedObjective?: number): VerifyResult {
  const errors: string[] = [];
  const zones = instance.zones.length;
  const expected = instance.families.length * zones;
  if (values.length !== expected) return { ok: false, errors: [`expected ${expected} values, got ${values.length}`] };
  const assignment: number[] = [];
  for (const [f, family] of instance.families.entries()) {
    const chosen: number[] = [];
    for (let z = 0; z < zones; z++) {
      const v = values[variableIndex(instance, f, z)]!;
      if (!Number.isFinite(v) || (Math.abs(v) > MIP_TOLERANCE && Math.abs(v - 1) > MIP_TOLERANCE)) {
        errors.push(`x[${family.id}][${instance.zones[z]!.id}] = ${v} is not integral`);
      } else if (Math.abs(v - 1) <= MIP_TOLERANCE) chosen.push(z);
    }
    if (chosen.length !== 1) errors.push(`family ${family.id} is in ${chosen.length} zones, not exactly one`);
    assignment.push(chosen[0] ?? -1);
  }
  if (errors.length > 0) return { ok: false, errors };
  errors.push(...capacityErrors(instance, assignment));
  const objective = assignmentCost(instance, assignment);
  if (reportedObjective !== undefined && Math.abs(reportedObjective - objective) > 1e-6 * Math.max(1, Math.abs(objective))) {
    errors.push(`reported objective ${reportedObjective} differs from the recomputed ${objective}`);
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, assignment, objective };
}

/** The same checks for an assignment given as zone indices (for heuristics and stored plans). */
export function verifyAssignment(instance: ZoneAssignmentInstance, assignment: ZoneAssignment): VerifyResult {
  const values = new Array<number>(instance.families.length * instance.zones.length).fill(0);
  for (const [f, z] of assignment.entries()) {
    if (!Number.isInteger(z) || z < 0 || z >= instance.zones.length) return { ok: false, errors: [`family ${f}: zone ${z} does not exist`] };
    values[variableIndex(instance, f, z)] = 1;
  }
  if (assignment.length !== instance.families.length) {
    return { ok: false, errors: [`expected ${instance.families.length} families, got ${assignment.length}`] };
  }
  return verifySolution(instance, values);
}

/**
 * Greedy heuristic (no optimality claim): families by decreasing regret (second-cheapest minus cheapest feasible zone),
 * ties by larger volume then index, each to its cheapest zone with room left. Null when some family does not fit.
 */
export function greedyAssignment(instance: ZoneAssignmentInstance): ZoneAssignment | null {
  const { families, zones, cost } = instance;
  const left = zones.map((z) => z.capacity);
  const assignment = new Array<number>(families.length).fill(-1);
  const fits = (f: number, z: number) => families[f]!.volume <= left[z]! + MIP_TOLERANCE * Math.max(1, zones[z]!.capacity);
  for (let placed = 0; placed < families.length; placed++) {
    let best = -1;
    let bestZone = -1;
    let bestRegret = -Infinity;
    for (let f = 0; f < families.length; f++) {
      if (assignment[f] !== -1) continue;
      let first = -1;
      let second = Infinity;
      for (let z = 0; z < zones.length; z++) {
        if (!fits(f, z)) continue;
        const c = cost[f]![z]!;
        if (first === -1 || c < cost[f]![first]!) {
          if (first !== -1) second = cost[f]![first]!;
          first = z;
        } else if (c < second) second = c;
      }
      if (first === -1) return null;
      const regret = second - cost[f]![first]!;
      const better = regret > bestRegret || (regret === bestRegret && families[f]!.volume > families[best]!.volume);
      if (better) [best, bestZone, bestRegret] = [f, first, regret];
    }
    assignment[best] = bestZone;
    left[bestZone]! -= families[best]!.volume;
  }
  return assignment;
}

function fallback(instance: ZoneAssignmentInstance, solver: string, error: string, incumbent?: MipResult): ZoneAssignmentResult {
  const greedy = greedyAssignment(instance);
  const fromGreedy = greedy === null ? null : verifyAssignment(instance, greedy);
  const fromSolver = incumbent?.values === undefined ? null : verifySolution(instance, incumbent.values, incumbent.objective);
  const candidates = [
    ...(fromSolver?.ok === true ? [{ source: 'solver-incumbent' as const, ...fromSolver }] : []),
    ...(fromGreedy?.ok === true ? [{ source: 'greedy' as const, ...fromGreedy }] : []),
  ].sort((a, b) => a.objective - b.objective);
  const best = candidates[0];
  return best === undefined
    ? { kind: 'fallback', error, source: null, assignment: null, objective: null, solver }
    : { kind: 'fallback', error, source: best.source, assignment: best.assignment, objective: best.objective, solver };
}

/**
 * Solves the assignment with the given MIP solver and accepts only a proved optimum that passes `verifySolution`.
 * A time limit, a rejected answer or a solver error gives `fallback` (a verified but unproved assignment, marked as
 * such); a claim of infeasibility is accepted only when the greedy heuristic finds no feasible assignment either.
 * See SPEC.md [LP1]–[LP4].
 * Throws on a malformed instance (a programming error: validate input at the edge).
 */
export async function solveZoneAssignment(instance: ZoneAssignmentInstance, options: SolveZoneAssignmentOptions): Promise<ZoneAssignmentResult> {
  const problems = instanceErrors(instance);
  if (problems.length > 0) throw new Error(`solveZoneAssignment: ${problems.join('; ')}`);
  const solver = options.solver.name;
  if (instance.families.length === 0) return { kind: 'optimal', assignment: [], objective: 0, solver };
  let result: MipResult;
  try {
    result = await options.solver.solve(buildZoneAssignmentModel(instance), { timeLimitSeconds: options.timeLimitSeconds ?? 10 });
  } catch (e) {
    return fallback(instance, solver, `solver failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  switch (result.status) {
    case 'optimal': {
      if (result.values === undefined) return fallback(instance, solver, `solver reported optimal without values (${result.detail})`);
      const checked = verifySolution(instance, result.values, result.objective);
      return checked.ok
        ? { kind: 'optimal', assignment: checked.assignment, objective: checked.objective, solver }
        : fallback(instance, solver, `solver answer rejected: ${checked.errors.slice(0, 5).join('; ')}`);
    }
    case 'infeasible': {
      const greedy = greedyAssignment(instance);
      if (greedy !== null && verifyAssignment(instance, greedy).ok) {
        return fallback(instance, solver, `solver claimed infeasible but a feasible assignment exists (${result.detail})`);
      }
      return { kind: 'infeasible', reason: `no assignment fits the zone capacities (${result.detail})`, solver };
    }
    case 'time-limit':
      return fallback(instance, solver, `time limit reached before optimality was proved (${result.detail})`, result);
    case 'error':
      return fallback(instance, solver, `solver error: ${result.detail}`);
  }
}
