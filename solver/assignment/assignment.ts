/**
 * Task assignment: which operative takes which unit of work (a pick batch or order, a move task), rules A1–A8 in
 * SPEC.md. Each round gives every operative at most one unit by an optimal min-cost assignment (Hungarian method,
 * `minCostAssignment`); further rounds continue from where each operative's last unit ends. Travel is the project's
 * router: shortest walks on the walk graph (distance-oracle) and `planRoute` for a pick unit's own tour. Zones and
 * skills are hard constraints. Pure and deterministic: plain data in and out, no clock (the caller passes `nowMs`).
 */
import type { FloorPoint, LocationId } from '../../server/twin/ids.ts';
import type { Layout } from '../../server/twin/layout/types.ts';
import { shortestDistance } from '../routing/distance-oracle.ts';
import { findLocation, isRouteError, planRoute } from '../routing/plan-route.ts';

/** An operative as assignment sees them. */
export interface AssignOperative {
  readonly id: string;
  /** Floor position; null = at the depot. */
  readonly position: FloorPoint | null;
  /** Open tasks they already hold (A3: an operative holding work starts the next unit from the depot). */
  readonly loadTasks: number;
  /** Metres left on their current route (0 when idle). */
  readonly remainingRouteM: number;
  /** Zones they may work in; empty = every zone (A2). */
  readonly zones: readonly string[];
  /** Skills they hold (A2). */
  readonly skills: readonly string[];
  /** Not free before this time (a break, a device swap), epoch ms; default `nowMs`. */
  readonly availableFromMs?: number;
}

/** A unit of work handed out whole. */
export interface AssignWorkUnit {
  readonly id: string;
  /** `pick`: a batch or an order, walked as a tour that ends at the depot; `move`: source then target (A4). */
  readonly kind: 'pick' | 'move';
  /** Pick: the locations to visit (any order; the router orders them). Move: [source, target]. */
  readonly locationIds: readonly LocationId[];
  /** Tasks (pick lines, or 1 for a move): each costs `secondsPerTask` at the shelf. */
  readonly tasks: number;
  /** Extra zones the unit needs beyond its locations' own (A2); usually empty. */
  readonly zones?: readonly string[];
  /** The skill an operative needs for it (A2), or null. */
  readonly skill?: string | null;
  /** Cut-off the unit must be finished by, epoch ms. */
  readonly dueAtMs?: number | null;
  /** Higher is more urgent (A6). */
  readonly priority?: number;
}

/** Weights and the time model; every cost is in metres of walking (A5). */
export interface AssignmentOptions {
  /** Walking speed, m/s (default 1.2, the simulator's). */
  readonly speedMps?: number;
  /** Time at the shelf per task, s (default 8, the simulator's per line). */
  readonly secondsPerTask?: number;
  /** Metres per metre of work an operative already has ahead (default 1): prefer the least loaded (A5). */
  readonly loadWeight?: number;
  /** Metres per metre walked while late, i.e. per (second late × speed) (default 2) (A5). */
  readonly latenessWeight?: number;
  /** Metres saved per priority point (default 50) (A6). */
  readonly priorityWeightM?: number;
  /**
   * A unit whose slack (cut-off − now − its own duration) is under this many seconds earns an urgency bonus of
   * latenessWeight × speed × (horizon − slack), capped at the horizon (default 600) (A6): leaving it waiting costs.
   */
  readonly urgencyHorizonS?: number;
  /** Rounds of one unit per operative (default 1). */
  readonly rounds?: number;
  /**
   * Rolling rounds (A1): a round after the first includes only the operatives free within this many seconds of the
   * earliest free one — work goes to people as they become free, as the live assigner does. Default unlimited.
   */
  readonly roundWindowS?: number;
  /** An operative holding this many open tasks (held + given this call) gets no more; default unlimited. */
  readonly maxTasksPerOperative?: number;
}

export interface AssignmentRequest {
  readonly layout: Layout;
  readonly nowMs: number;
  readonly operatives: readonly AssignOperative[];
  readonly units: readonly AssignWorkUnit[];
  readonly options?: AssignmentOptions;
}

/** One unit given to one operative. */
export interface UnitAssignment {
  readonly operativeId: string;
  readonly unitId: string;
  /** 1 for the first round. */
  readonly round: number;
  /** Walk from where the operative starts the unit to its first location, m (A4). */
  readonly travelM: number;
  /** Everything walked for the unit: travel plus the unit's own walk, m. */
  readonly walkM: number;
  readonly startMs: number;
  readonly finishMs: number;
  /** How late it finishes against its cut-off, ms (0 when on time or none). */
  readonly lateMs: number;
  /** The pair's cost in metres (A5, A6). */
  readonly cost: number;
}

/** Why a unit was not given to anyone (A7). */
export type UnassignedReason = 'NO_ELIGIBLE_OPERATIVE' | 'UNREACHABLE' | 'NO_OPERATIVE_FREE';

export interface AssignmentResult {
  readonly assignments: readonly UnitAssignment[];
  readonly unassigned: readonly { readonly unitId: string; readonly reason: UnassignedReason }[];
  /** Σ travel to the first location, m. */
  readonly travelM: number;
  /** Latest finish − now over the operatives given work, ms (0 when none). */
  readonly makespanMs: number;
  readonly lateMs: number;
  readonly cost: number;
}

export type AssignmentErrorCode = 'BAD_REQUEST' | 'UNKNOWN_LOCATION';

export interface AssignmentError {
  readonly error: { readonly code: AssignmentErrorCode; readonly message: string };
}

export const isAssignmentError = <T extends object>(r: T | AssignmentError): r is AssignmentError => 'error' in r;

const DEFAULTS = {
  speedMps: 1.2,
  secondsPerTask: 8,
  loadWeight: 1,
  latenessWeight: 2,
  priorityWeightM: 50,
  urgencyHorizonS: 600,
  rounds: 1,
  roundWindowS: Number.POSITIVE_INFINITY,
  maxTasksPerOperative: Number.POSITIVE_INFINITY,
} as const;

type Settings = { -readonly [K in keyof typeof DEFAULTS]: number };

/**
 * Optimal assignment of a square cost matrix (Hungarian method with potentials, O(n³)): `result[row] = column`,
 * minimising Σ cost[row][result[row]]. Entries must be finite.
 */
export function minCostAssignment(cost: readonly (readonly number[])[]): number[] {
  const n = cost.length;
  if (n === 0) return [];
  const u = new Float64Array(n + 1);
  const v = new Float64Array(n + 1);
  const p = new Int32Array(n + 1); // p[col] = row matched to col (1-based), 0 = none
  const way = new Int32Array(n + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Float64Array(n + 1).fill(Number.POSITIVE_INFINITY);
    const used = new Uint8Array(n + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0]!;
      let delta = Number.POSITIVE_INFINITY;
      let j1 = 0;
      const row = cost[i0 - 1]!;
      for (let j = 1; j <= n; j++) {
        if (used[j] === 1) continue;
        const cur = row[j - 1]! - u[i0]! - v[j]!;
        if (cur < minv[j]!) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j]! < delta) {
          delta = minv[j]!;
          j1 = j;
        }
      }
      for (let j = 0; j <= n; j++) {
        if (used[j] === 1) {
          u[p[j]!] = u[p[j]!]! + delta;
          v[j] = v[j]! - delta;
        } else minv[j] = minv[j]! - delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0]!;
      p[j0] = p[j1]!;
      j0 = j1;
    } while (j0 !== 0);
  }
  const result = new Array<number>(n).fill(-1);
  for (let j = 1; j <= n; j++) if (p[j]! > 0) result[p[j]! - 1] = j - 1;
  return result;
}

/** A unit resolved against the layout. */
interface Unit {
  readonly source: AssignWorkUnit;
  readonly zones: readonly string[];
  /** Graph node of the first location walked to (A4). */
  readonly firstNode: number;
  /** Walk from the first location to the end of the unit (depot for picks, target for moves), m. */
  readonly ownWalkM: number;
  readonly endNode: number;
  readonly atShelfMs: number;
  /** [A6] Metres of priority and urgency: subtracted from every pair's cost. */
  readonly valueM: number;
}

/** An operative's state as rounds go by. */
interface Op {
  readonly source: AssignOperative;
  node: number;
  readyAtMs: number;
  tasks: number;
  gotWork: boolean;
}

function settings(options: AssignmentOptions | undefined): Settings | string {
  const s: Settings = { ...DEFAULTS, ...(options ?? {}) };
  if (!(s.speedMps > 0) || !Number.isFinite(s.speedMps)) return 'speedMps must be a positive number';
  for (const k of ['secondsPerTask', 'loadWeight', 'latenessWeight', 'priorityWeightM', 'urgencyHorizonS'] as const) {
    if (!(s[k] >= 0) || !Number.isFinite(s[k])) return `${k} must be a number ≥ 0`;
  }
  if (!Number.isSafeInteger(s.rounds) || s.rounds < 1) return 'rounds must be a whole number ≥ 1';
  if (!(s.roundWindowS >= 0)) return 'roundWindowS must be ≥ 0';
  if (!(s.maxTasksPerOperative >= 1)) return 'maxTasksPerOperative must be ≥ 1';
  return s;
}

/** The graph node nearest a floor point (straight-line), the depot when no point is given. */
function nearestNode(layout: Layout, point: FloorPoint | null): number {
  if (point === null) return layout.graph.depotNode;
  let best = layout.graph.depotNode;
  let bestD = Number.POSITIVE_INFINITY;
  layout.graph.nodes.forEach((node, i) => {
    const d = (node.x - point.x) ** 2 + (node.y - point.y) ** 2;
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  });
  return best;
}

/** [A6] What giving the unit out now is worth, metres: its priority, and its urgency when its cut-off is near. */
function valueOf(unit: AssignWorkUnit, ownWalkM: number, atShelfMs: number, s: Settings, nowMs: number): number {
  let urgency = 0;
  if (unit.dueAtMs !== null && unit.dueAtMs !== undefined) {
    const slackS = (unit.dueAtMs - nowMs - atShelfMs) / 1000 - ownWalkM / s.speedMps;
    urgency = s.latenessWeight * s.speedMps * Math.min(s.urgencyHorizonS, Math.max(0, s.urgencyHorizonS - slackS));
  }
  return s.priorityWeightM * (unit.priority ?? 0) + urgency;
}

function resolveUnit(layout: Layout, unit: AssignWorkUnit, s: Settings, nowMs: number): Unit | AssignmentError | 'UNREACHABLE' {
  const bad = (message: string): AssignmentError => ({ error: { code: 'BAD_REQUEST', message } });
  if (unit.locationIds.length === 0) return bad(`unit ${unit.id} has no locations`);
  if (unit.kind === 'move' && unit.locationIds.length !== 2) return bad(`move unit ${unit.id} needs [source, target]`);
  if (!Number.isSafeInteger(unit.tasks) || unit.tasks < 1) return bad(`unit ${unit.id}: tasks must be a whole number ≥ 1`);
  const zones = new Set(unit.zones ?? []);
  const nodes: number[] = [];
  for (const id of unit.locationIds) {
    const loc = findLocation(layout, id);
    if (loc === undefined) return { error: { code: 'UNKNOWN_LOCATION', message: `unit ${unit.id}: unknown location ${id}` } };
    zones.add(loc.zone);
    nodes.push(loc.accessNode);
  }
  const atShelfMs = unit.tasks * s.secondsPerTask * 1000;
  const depot = layout.graph.depotNode;
  if (unit.kind === 'move') {
    const walk = shortestDistance(layout.graph, nodes[0]!, nodes[1]!);
    if (!Number.isFinite(walk)) return 'UNREACHABLE';
    const valueM = valueOf(unit, walk, atShelfMs, s, nowMs);
    return { source: unit, zones: [...zones].sort(), firstNode: nodes[0]!, ownWalkM: walk, endNode: nodes[1]!, atShelfMs, valueM };
  }
  // A pick unit is walked as the router's tour, from its first stop on; the tour ends at the depot (packing).
  const route = planRoute({ layout, picks: unit.locationIds, includePath: false });
  if (isRouteError(route)) return route.error.code === 'UNREACHABLE' ? 'UNREACHABLE' : bad(route.error.message);
  const first = findLocation(layout, route.sequence[0]!)!.accessNode;
  const ownWalkM = route.distance - shortestDistance(layout.graph, depot, first);
  const valueM = valueOf(unit, ownWalkM, atShelfMs, s, nowMs);
  return { source: unit, zones: [...zones].sort(), firstNode: first, ownWalkM, endNode: depot, atShelfMs, valueM };
}

/** [A2] Zones and skills are hard: the operative covers every zone of the unit and holds its skill. */
export function isEligible(op: Pick<AssignOperative, 'zones' | 'skills'>, unitZones: readonly string[], skill: string | null | undefined): boolean {
  if (op.zones.length > 0 && !unitZones.every((z) => op.zones.includes(z))) return false;
  return skill === null || skill === undefined || op.skills.includes(skill);
}

interface Pair {
  readonly travelM: number;
  readonly startMs: number;
  readonly finishMs: number;
  readonly lateMs: number;
  readonly cost: number;
}

/** [A4][A5][A6] The cost of `op` doing `unit` next, or null when not allowed or unreachable. */
function pairOf(layout: Layout, op: Op, unit: Unit, s: Settings, nowMs: number): Pair | null {
  if (!isEligible(op.source, unit.zones, unit.source.skill)) return null;
  const travelM = shortestDistance(layout.graph, op.node, unit.firstNode);
  if (!Number.isFinite(travelM)) return null;
  const startMs = op.readyAtMs;
  const finishMs = startMs + ((travelM + unit.ownWalkM) / s.speedMps) * 1000 + unit.atShelfMs;
  const due = unit.source.dueAtMs;
  const lateMs = due === null || due === undefined ? 0 : Math.max(0, finishMs - due);
  const aheadM = ((startMs - nowMs) / 1000) * s.speedMps;
  const cost = travelM + s.loadWeight * aheadM + s.latenessWeight * (lateMs / 1000) * s.speedMps - unit.valueM;
  return { travelM, startMs, finishMs, lateMs, cost };
}

interface Prepared {
  readonly s: Settings;
  readonly ops: Op[];
  readonly units: Unit[];
  readonly unreachable: string[];
}

function prepare(request: AssignmentRequest): Prepared | AssignmentError {
  const s = settings(request.options);
  if (typeof s === 'string') return { error: { code: 'BAD_REQUEST', message: s } };
  if (!Number.isFinite(request.nowMs)) return { error: { code: 'BAD_REQUEST', message: 'nowMs must be a time in epoch ms' } };
  const seen = new Set<string>();
  for (const o of request.operatives) {
    if (seen.has(`o:${o.id}`)) return { error: { code: 'BAD_REQUEST', message: `operative ${o.id} listed twice` } };
    seen.add(`o:${o.id}`);
    if (!(o.loadTasks >= 0) || !(o.remainingRouteM >= 0)) {
      return { error: { code: 'BAD_REQUEST', message: `operative ${o.id}: load must be ≥ 0` } };
    }
  }
  const units: Unit[] = [];
  const unreachable: string[] = [];
  for (const u of request.units) {
    if (seen.has(`u:${u.id}`)) return { error: { code: 'BAD_REQUEST', message: `unit ${u.id} listed twice` } };
    seen.add(`u:${u.id}`);
    const unit = resolveUnit(request.layout, u, s, request.nowMs);
    if (unit === 'UNREACHABLE') unreachable.push(u.id);
    else if ('error' in unit) return unit;
    else units.push(unit);
  }
  const ops = request.operatives.map((o): Op => {
    // [A3] An operative holding work finishes it first (their tour ends at the depot), then starts from there.
    const busy = o.loadTasks > 0 || o.remainingRouteM > 0;
    const from = Math.max(request.nowMs, o.availableFromMs ?? request.nowMs);
    const readyAtMs = from + (o.remainingRouteM / s.speedMps) * 1000 + o.loadTasks * s.secondsPerTask * 1000;
    return { source: o, node: busy ? request.layout.graph.depotNode : nearestNode(request.layout, o.position), readyAtMs, tasks: o.loadTasks, gotWork: false };
  });
  return { s, ops, units, unreachable };
}

/**
 * The cost matrix of the first round (operatives × units, in request order): a pair's cost in metres, or null when
 * the pair is not allowed (A2) or cannot be walked. For tests and explanations.
 */
export function assignmentCosts(request: AssignmentRequest): (number | null)[][] | AssignmentError {
  const p = prepare(request);
  if ('error' in p) return p;
  return p.ops.map((op) => p.units.map((unit) => pairOf(request.layout, op, unit, p.s, request.nowMs)?.cost ?? null));
}

function summarise(assignments: UnitAssignment[], unassigned: AssignmentResult['unassigned'], nowMs: number): AssignmentResult {
  let travelM = 0;
  let lateMs = 0;
  let cost = 0;
  let end = nowMs;
  for (const a of assignments) {
    travelM += a.travelM;
    lateMs += a.lateMs;
    cost += a.cost;
    end = Math.max(end, a.finishMs);
  }
  return { assignments, unassigned, travelM, makespanMs: end - nowMs, lateMs, cost };
}

function give(op: Op, unit: Unit, pair: Pair, round: number, out: UnitAssignment[]): void {
  out.push({
    operativeId: op.source.id,
    unitId: unit.source.id,
    round,
    travelM: pair.travelM,
    walkM: pair.travelM + unit.ownWalkM,
    startMs: pair.startMs,
    finishMs: pair.finishMs,
    lateMs: pair.lateMs,
    cost: pair.cost,
  });
  op.node = unit.endNode;
  op.readyAtMs = pair.finishMs;
  op.tasks += unit.source.tasks;
  op.gotWork = true;
}

/** [A7] Why each unit left over was not given out. */
function leftOver(p: Prepared, remaining: readonly Unit[], layout: Layout): AssignmentResult['unassigned'] {
  const out: { unitId: string; reason: UnassignedReason }[] = p.unreachable.map((unitId) => ({ unitId, reason: 'UNREACHABLE' as const }));
  for (const unit of remaining) {
    const eligible = p.ops.filter((op) => isEligible(op.source, unit.zones, unit.source.skill));
    const reachable = eligible.some((op) => Number.isFinite(shortestDistance(layout.graph, op.node, unit.firstNode)));
    out.push({ unitId: unit.source.id, reason: eligible.length === 0 ? 'NO_ELIGIBLE_OPERATIVE' : reachable ? 'NO_OPERATIVE_FREE' : 'UNREACHABLE' });
  }
  return out;
}

/**
 * [A1]–[A8] Assigns units to operatives: per round an optimal assignment of at most one unit per operative, most
 * units first, then least total cost; up to `rounds` rounds. Errors (bad input, unknown location) are values.
 */
export function assignWork(request: AssignmentRequest): AssignmentResult | AssignmentError {
  const p = prepare(request);
  if ('error' in p) return p;
  const { s, ops } = p;
  const { layout, nowMs } = request;
  let remaining = p.units;
  const assignments: UnitAssignment[] = [];
  for (let round = 1; round <= s.rounds && remaining.length > 0; round++) {
    const open = ops.filter((op) => op.tasks < s.maxTasksPerOperative);
    const pairsOf = (list: readonly Op[]): (Pair | null)[][] =>
      list.map((op) => remaining.map((unit) => (op.tasks + unit.source.tasks <= s.maxTasksPerOperative || op.tasks === 0 ? pairOf(layout, op, unit, s, nowMs) : null)));
    let free = open;
    if (round > 1 && Number.isFinite(s.roundWindowS) && open.length > 0) {
      const first = Math.min(...open.map((op) => op.readyAtMs));
      free = open.filter((op) => op.readyAtMs <= first + s.roundWindowS * 1000);
    }
    let pairs = pairsOf(free);
    let chosen = solveRound(pairs);
    // Nobody free first may do what is left (zones, skills): the round goes to everyone free.
    if (chosen.length === 0 && free.length < open.length) {
      free = open;
      pairs = pairsOf(free);
      chosen = solveRound(pairs);
    }
    if (chosen.length === 0) break;
    const taken = new Set<number>();
    // Listed by operative, in request order, so the answer is deterministic.
    for (const [row, col] of chosen) {
      give(free[row]!, remaining[col]!, pairs[row]![col]!, round, assignments);
      taken.add(col);
    }
    remaining = remaining.filter((_, k) => !taken.has(k));
  }
  return summarise(assignments, leftOver(p, remaining, layout), nowMs);
}

/**
 * [A1] One round: the most pairs, then the least total cost. Allowed pairs cost `cost − big`, where `big` exceeds the
 * cost spread of any matching, so one more pair always beats any saving; the rest is padding at 0.
 */
function solveRound(pairs: readonly (readonly (Pair | null)[])[]): [number, number][] {
  const rows = pairs.length;
  const cols = pairs[0]?.length ?? 0;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const row of pairs) for (const pair of row) if (pair !== null) {
    lo = Math.min(lo, pair.cost);
    hi = Math.max(hi, pair.cost);
  }
  if (!Number.isFinite(lo)) return [];
  const n = Math.max(rows, cols);
  const big = Math.abs(hi) + Math.abs(lo) + (hi - lo) * Math.min(rows, cols) + 1;
  const matrix = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => {
    const pair = pairs[i]?.[j] ?? null;
    return pair === null ? 0 : pair.cost - big;
  }));
  const match = minCostAssignment(matrix);
  const out: [number, number][] = [];
  for (let i = 0; i < rows; i++) {
    const j = match[i]!;
    if (j >= 0 && j < cols && pairs[i]![j] !== null) out.push([i, j]);
  }
  return out;
}

/**
 * The baseline (A8): units in queue order (priority, then cut-off, then as listed) each go to the eligible operative
 * free first, nearest on a tie — "nearest idle, first come first served". Same costs and time model as `assignWork`.
 */
export function assignFcfs(request: AssignmentRequest): AssignmentResult | AssignmentError {
  const p = prepare(request);
  if ('error' in p) return p;
  const { s, ops } = p;
  const { layout, nowMs } = request;
  const queue = p.units
    .map((unit, k) => ({ unit, k }))
    .sort(
      (a, b) =>
        (b.unit.source.priority ?? 0) - (a.unit.source.priority ?? 0) ||
        (a.unit.source.dueAtMs ?? Number.POSITIVE_INFINITY) - (b.unit.source.dueAtMs ?? Number.POSITIVE_INFINITY) ||
        a.k - b.k,
    );
  const assignments: UnitAssignment[] = [];
  const remaining: Unit[] = [];
  const givenPerOp = new Map<Op, number>();
  for (const { unit } of queue) {
    let best: { op: Op; pair: Pair } | null = null;
    for (const op of ops) {
      if ((givenPerOp.get(op) ?? 0) >= s.rounds || op.tasks >= s.maxTasksPerOperative) continue;
      const pair = pairOf(layout, op, unit, s, nowMs);
      if (pair === null) continue;
      if (best === null || pair.startMs < best.pair.startMs || (pair.startMs === best.pair.startMs && pair.travelM < best.pair.travelM)) best = { op, pair };
    }
    if (best === null) {
      remaining.push(unit);
      continue;
    }
    givenPerOp.set(best.op, (givenPerOp.get(best.op) ?? 0) + 1);
    give(best.op, unit, best.pair, givenPerOp.get(best.op)!, assignments);
  }
  return summarise(assignments, leftOver(p, remaining, layout), nowMs);
}
