import { describe, expect, it } from 'vitest';
import { asLocationId, type LocationId } from '../../server/twin/ids.ts';
import { layoutFromRackAisle, parseRackAisle } from '../../server/twin/layout/rack-aisle.ts';
import type { Layout } from '../../server/twin/layout/types.ts';
import { createRng, randomInt, type Rng } from '../../server/twin/rng.ts';
import { shortestDistance } from '../routing/distance-oracle.ts';
import { findLocation, planRoute } from '../routing/plan-route.ts';
import {
  assignFcfs,
  assignmentCosts,
  assignWork,
  isAssignmentError,
  isEligible,
  minCostAssignment,
  type AssignmentRequest,
  type AssignmentResult,
  type AssignOperative,
  type AssignWorkUnit,
} from './assignment.ts';

function rackAisle(): Layout {
  const r = parseRackAisle({
    format: 'rack-aisle/1', id: 'assign', aisles: 6, blocks: 2, baysPerBlock: 8, levels: 2,
    bayLength: 1, aisleSpacing: 3, crossAisleWidth: 2, depot: { x: 0 },
  });
  if (!r.ok) throw new Error(r.error);
  return layoutFromRackAisle(r.params);
}

const layout = rackAisle();
const NOW = 1_000_000;
const loc = (id: string): LocationId => asLocationId(id);
const anyLoc = (rng: Rng): LocationId => layout.locations[randomInt(rng, 0, layout.locations.length - 1)]!.id;
const zoneOf = (id: LocationId): string => findLocation(layout, id)!.zone;

function ok(result: ReturnType<typeof assignWork>): AssignmentResult {
  if (isAssignmentError(result)) throw new Error(result.error.message);
  return result;
}

const op = (id: string, over: Partial<AssignOperative> = {}): AssignOperative => ({
  id, position: null, loadTasks: 0, remainingRouteM: 0, zones: [], skills: [], ...over,
});

const unit = (id: string, locationIds: LocationId[], over: Partial<AssignWorkUnit> = {}): AssignWorkUnit => ({
  id, kind: 'pick', locationIds, tasks: locationIds.length, ...over,
});

/** All permutations' best (brute force) of a square matrix. */
function bruteSquare(cost: number[][]): number {
  const n = cost.length;
  let best = Number.POSITIVE_INFINITY;
  const used = new Array<boolean>(n).fill(false);
  const go = (row: number, acc: number): void => {
    if (row === n) {
      best = Math.min(best, acc);
      return;
    }
    for (let j = 0; j < n; j++) {
      if (used[j]) continue;
      used[j] = true;
      go(row + 1, acc + cost[row]![j]!);
      used[j] = false;
    }
  };
  go(0, 0);
  return best;
}

/** Every partial matching of allowed pairs: the most pairs, then the least cost (A1's objective). */
function bruteMatching(costs: (number | null)[][]): { pairs: number; cost: number } {
  const cols = costs[0]?.length ?? 0;
  let best = { pairs: 0, cost: 0 };
  const used = new Array<boolean>(cols).fill(false);
  const go = (row: number, pairs: number, cost: number): void => {
    if (row === costs.length) {
      if (pairs > best.pairs || (pairs === best.pairs && cost < best.cost - 1e-9)) best = { pairs, cost };
      return;
    }
    go(row + 1, pairs, cost);
    for (let j = 0; j < cols; j++) {
      const c = costs[row]![j];
      if (used[j] || c === null || c === undefined) continue;
      used[j] = true;
      go(row + 1, pairs + 1, cost + c);
      used[j] = false;
    }
  };
  go(0, 0, 0);
  return best;
}

function randomInstance(seed: number, opCount: number, unitCount: number): AssignmentRequest {
  const rng = createRng(seed);
  const zones = ['B1', 'B2'];
  const skills = ['reach', 'hazmat'];
  const operatives = Array.from({ length: opCount }, (_, k) =>
    op(`o${k}`, {
      position: randomInt(rng, 0, 2) === 0 ? null : (() => { const l = findLocation(layout, anyLoc(rng))!; return { x: l.access.x, y: l.access.y }; })(),
      loadTasks: randomInt(rng, 0, 3),
      remainingRouteM: randomInt(rng, 0, 120),
      zones: randomInt(rng, 0, 2) === 0 ? [] : [zones[randomInt(rng, 0, 1)]!],
      skills: skills.filter(() => randomInt(rng, 0, 1) === 1),
    }),
  );
  const units = Array.from({ length: unitCount }, (_, k): AssignWorkUnit => {
    const move = randomInt(rng, 0, 3) === 0;
    const locationIds = move ? [anyLoc(rng), anyLoc(rng)] : Array.from({ length: randomInt(rng, 1, 4) }, () => anyLoc(rng));
    return {
      id: `u${k}`,
      kind: move ? 'move' : 'pick',
      locationIds,
      tasks: move ? 1 : locationIds.length,
      skill: randomInt(rng, 0, 2) === 0 ? skills[randomInt(rng, 0, 1)]! : null,
      dueAtMs: randomInt(rng, 0, 1) === 0 ? null : NOW + randomInt(rng, 30, 400) * 1000,
      priority: randomInt(rng, 0, 2),
    };
  });
  return { layout, nowMs: NOW, operatives, units };
}

describe('minCostAssignment (Hungarian)', () => {
  it('[A1] equals the best of all permutations on random matrices up to 6×6', () => {
    const rng = createRng(7);
    for (let trial = 0; trial < 300; trial++) {
      const n = randomInt(rng, 1, 6);
      const cost = Array.from({ length: n }, () => Array.from({ length: n }, () => randomInt(rng, -50, 200) / 4));
      const match = minCostAssignment(cost);
      expect(new Set(match).size).toBe(n);
      const total = match.reduce((sum, j, i) => sum + cost[i]![j]!, 0);
      expect(total).toBeCloseTo(bruteSquare(cost), 9);
    }
  });
});

describe('assignWork', () => {
  it('[A1] one round is optimal: most pairs, then least cost — against brute force on 300 tiny instances', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const request = randomInstance(seed, 1 + (seed % 4), 1 + ((seed * 7) % 5));
      const costs = assignmentCosts(request);
      if (isAssignmentError(costs)) throw new Error(costs.error.message);
      const best = bruteMatching(costs);
      const result = ok(assignWork(request));
      expect(result.assignments.length).toBe(best.pairs);
      expect(result.cost).toBeCloseTo(best.cost, 6);
      // Each operative at most one unit, each unit at most once.
      expect(new Set(result.assignments.map((a) => a.operativeId)).size).toBe(result.assignments.length);
      expect(new Set(result.assignments.map((a) => a.unitId)).size).toBe(result.assignments.length);
    }
  });

  it('[A2] never breaks a zone or a skill, over several rounds', () => {
    for (let seed = 1; seed <= 120; seed++) {
      const request = randomInstance(seed, 3, 9);
      const result = ok(assignWork({ ...request, options: { rounds: 4 } }));
      for (const a of result.assignments) {
        const o = request.operatives.find((x) => x.id === a.operativeId)!;
        const u = request.units.find((x) => x.id === a.unitId)!;
        expect(isEligible(o, [...new Set(u.locationIds.map(zoneOf))], u.skill)).toBe(true);
        if (o.zones.length > 0) for (const id of u.locationIds) expect(o.zones).toContain(zoneOf(id));
        if (u.skill != null) expect(o.skills).toContain(u.skill);
      }
      // Every unit is either given out once or reported with a reason.
      const given = result.assignments.map((a) => a.unitId);
      expect(new Set(given).size).toBe(given.length);
      expect(given.length + result.unassigned.length).toBe(request.units.length);
    }
  });

  it('[A2][A7] a unit nobody may do is reported, not forced', () => {
    const result = ok(assignWork({
      layout, nowMs: NOW,
      operatives: [op('a', { zones: ['B1'] }), op('b', { skills: ['reach'] })],
      units: [unit('hazmat', [loc('A01-B1-001-L1')], { skill: 'hazmat' }), unit('b2-reach', [loc('A01-B2-001-L1')], { skill: 'reach' })],
    }));
    expect(result.assignments).toEqual([expect.objectContaining({ operativeId: 'b', unitId: 'b2-reach' })]);
    expect(result.unassigned).toEqual([{ unitId: 'hazmat', reason: 'NO_ELIGIBLE_OPERATIVE' }]);
  });

  it('[A4] travel is the router\'s shortest walk to the first stop of the unit\'s routed tour', () => {
    const picks = [loc('A04-B1-005-L1'), loc('A02-B1-002-R2')];
    const start = findLocation(layout, 'A06-B2-007-L1')!;
    const result = ok(assignWork({ layout, nowMs: NOW, operatives: [op('a', { position: start.access })], units: [unit('u', picks)] }));
    const route = planRoute({ layout, picks, includePath: false });
    if ('error' in route) throw new Error('no route');
    const first = findLocation(layout, route.sequence[0]!)!;
    const travel = shortestDistance(layout.graph, start.accessNode, first.accessNode);
    const a = result.assignments[0]!;
    expect(a.travelM).toBeCloseTo(travel, 9);
    // The walk continues along the tour from its first stop back to the depot.
    expect(a.walkM).toBeCloseTo(travel + route.distance - shortestDistance(layout.graph, layout.graph.depotNode, first.accessNode), 9);
    expect(a.finishMs).toBeCloseTo(NOW + (a.walkM / 1.2) * 1000 + 2 * 8000, 6);
  });

  it('[A4] a move unit starts at its source and ends at its target', () => {
    const source = findLocation(layout, 'A03-B2-004-L1')!;
    const target = findLocation(layout, 'A05-B1-001-R1')!;
    const result = ok(assignWork({ layout, nowMs: NOW, operatives: [op('a')], units: [unit('m', [source.id, target.id], { kind: 'move', tasks: 1 })] }));
    const a = result.assignments[0]!;
    expect(a.travelM).toBeCloseTo(shortestDistance(layout.graph, layout.graph.depotNode, source.accessNode), 9);
    expect(a.walkM - a.travelM).toBeCloseTo(shortestDistance(layout.graph, source.accessNode, target.accessNode), 9);
  });

  it('[A3][A5] the least loaded operative gets the work when both stand equally near', () => {
    const result = ok(assignWork({
      layout, nowMs: NOW,
      operatives: [op('busy', { loadTasks: 4, remainingRouteM: 150 }), op('idle')],
      units: [unit('u', [loc('A02-B1-003-L1')])],
    }));
    expect(result.assignments.map((a) => a.operativeId)).toEqual(['idle']);
  });

  it('[A5] the nearest operative gets the work when loads are equal', () => {
    const near = findLocation(layout, 'A05-B2-006-L1')!;
    const far = findLocation(layout, 'A01-B1-001-L1')!;
    const result = ok(assignWork({
      layout, nowMs: NOW,
      operatives: [op('far', { position: far.access }), op('near', { position: near.access })],
      units: [unit('u', [loc('A05-B2-007-R1')])],
    }));
    expect(result.assignments.map((a) => a.operativeId)).toEqual(['near']);
  });

  it('[A6] with fewer operatives than units, higher priority and tighter cut-offs go first', () => {
    const result = ok(assignWork({
      layout, nowMs: NOW,
      operatives: [op('a')],
      units: [unit('near-low', [loc('A01-B1-001-L1')]), unit('far-high', [loc('A06-B2-008-L1')], { priority: 5 })],
    }));
    expect(result.assignments.map((a) => a.unitId)).toEqual(['far-high']);
    expect(result.unassigned).toEqual([{ unitId: 'near-low', reason: 'NO_OPERATIVE_FREE' }]);
    const due = ok(assignWork({
      layout, nowMs: NOW,
      operatives: [op('a')],
      units: [unit('later', [loc('A01-B1-001-L1')]), unit('due-now', [loc('A06-B2-008-L1')], { dueAtMs: NOW + 10_000 })],
    }));
    expect(due.assignments.map((a) => a.unitId)).toEqual(['due-now']);
  });

  it('[A1] later rounds continue from where each operative\'s last unit ends, and respect maxTasksPerOperative', () => {
    const units = Array.from({ length: 6 }, (_, k) => unit(`u${k}`, [layout.locations[k * 37]!.id]));
    const result = ok(assignWork({ layout, nowMs: NOW, operatives: [op('a'), op('b')], units, options: { rounds: 5 } }));
    expect(result.assignments).toHaveLength(6);
    for (const id of ['a', 'b']) {
      const mine = result.assignments.filter((a) => a.operativeId === id);
      for (let k = 1; k < mine.length; k++) expect(mine[k]!.startMs).toBe(mine[k - 1]!.finishMs);
    }
    const capped = ok(assignWork({ layout, nowMs: NOW, operatives: [op('a', { loadTasks: 1 }), op('b')], units, options: { rounds: 5, maxTasksPerOperative: 2 } }));
    expect(capped.assignments.filter((a) => a.operativeId === 'a')).toHaveLength(1);
    expect(capped.assignments.filter((a) => a.operativeId === 'b')).toHaveLength(2);
  });

  it('[A1] rolling rounds serve only the operatives free first (roundWindowS), and fall back to all when they may do nothing', () => {
    const units = Array.from({ length: 4 }, (_, k) => unit(`u${k}`, [layout.locations[k * 41]!.id]));
    const result = ok(assignWork({ layout, nowMs: NOW, operatives: [op('a'), op('b', { remainingRouteM: 600 })], units, options: { rounds: 3, roundWindowS: 0 } }));
    // b is busy for ~9 min: rounds 2 and 3 go to a alone, who is free first each time.
    expect(result.assignments.filter((a) => a.round > 1).map((a) => a.operativeId)).toEqual(['a', 'a']);
    const zoned = ok(assignWork({
      layout, nowMs: NOW,
      operatives: [op('a', { zones: ['B1'] }), op('b', { remainingRouteM: 600 })],
      units: [unit('b1', [loc('A01-B1-001-L1')]), unit('b2', [loc('A01-B2-001-L1')]), unit('b2b', [loc('A02-B2-001-L1')])],
      options: { rounds: 3, roundWindowS: 0 },
    }));
    expect(zoned.unassigned).toEqual([]);
    expect(zoned.assignments.filter((a) => a.unitId.startsWith('b2')).every((a) => a.operativeId === 'b')).toBe(true);
  });

  it('[A8] one round never costs more than the nearest-idle first-come baseline when both give out every unit', () => {
    let strictlyBetter = 0;
    for (let seed = 1; seed <= 100; seed++) {
      const request = randomInstance(seed, 4, 3);
      const open = { ...request, operatives: request.operatives.map((o) => ({ ...o, zones: [], skills: ['reach', 'hazmat'] })) };
      const best = ok(assignWork(open));
      const fcfs = ok(assignFcfs(open));
      expect(best.assignments.length).toBe(fcfs.assignments.length);
      expect(best.cost).toBeLessThanOrEqual(fcfs.cost + 1e-9);
      if (best.cost < fcfs.cost - 1e-6) strictlyBetter++;
    }
    expect(strictlyBetter).toBeGreaterThan(0);
  });

  it('is deterministic and refuses bad input by value', () => {
    const request = randomInstance(42, 4, 6);
    expect(assignWork(request)).toEqual(assignWork(request));
    expect(assignWork({ ...request, units: [unit('x', [loc('NOPE')])] })).toMatchObject({ error: { code: 'UNKNOWN_LOCATION' } });
    expect(assignWork({ ...request, units: [unit('x', [])] })).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    expect(assignWork({ ...request, operatives: [op('a'), op('a')] })).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    expect(assignWork({ ...request, options: { speedMps: 0 } })).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    expect(assignWork({ ...request, units: [unit('m', [loc('A01-B1-001-L1')], { kind: 'move', tasks: 1 })] })).toMatchObject({ error: { code: 'BAD_REQUEST' } });
  });
});
