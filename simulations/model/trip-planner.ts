/**
 * Pick trips on the solver's routes (SPEC M4): the stops of a pick list in the order `planRoute` returns, and the walk
 * between them cut into legs — each with its length, its corner points (for the heat map) and the metres it runs in
 * each aisle segment (for congestion). Routes are cached per pick set: the same locations give the same route.
 */
import type { FloorPoint, LocationId } from '../../server/twin/ids.ts';
import type { Layout } from '../../server/twin/layout/types.ts';
import { findLocation, isRouteError, planRoute, type RouteMethod } from '../../solver/routing/plan-route.ts';
import { pathPolyline } from '../../solver/routing/distance-oracle.ts';
import type { AisleSegments } from './aisle-segments.ts';

/** One walk between two stops (or the depot). */
export interface Leg {
  readonly metres: number;
  /** Corner points of the walk, collinear runs merged; at least the two ends. */
  readonly points: readonly FloorPoint[];
  /** Aisle segments walked in, and the metres in each (parallel arrays). */
  readonly segments: readonly number[];
  readonly segmentMetres: readonly number[];
}

/** A planned trip: stops (access nodes) in visit order and `stops.length + 1` legs, the last back to the depot. */
export interface PlannedTrip {
  readonly stops: readonly number[];
  readonly legs: readonly Leg[];
  readonly metres: number;
}

/** Why a route was not the solver's own answer: a refusal code, counted by the model as `planRoute:CODE`. */
export type PlanFallback = string | null;

/** Most routes kept; the cache is emptied when it is full (deterministically: it depends only on the run). */
const CACHE_LIMIT = 50_000;

/** Plans trips for one layout and routing method. */
export class TripPlanner {
  private readonly cache = new Map<string, PlannedTrip>();
  /** The solver's refusal on the last `plan` call that planned (a cache hit reports none), or null. */
  lastFallback: PlanFallback = null;

  constructor(
    private readonly layout: Layout,
    private readonly method: RouteMethod,
    private readonly segments: AisleSegments,
  ) {}

  /**
   * The trip visiting `locations`. Locations sharing an access node are one stop, so the solver gets one location per
   * node (fewer picks: faster, and the same route) and the cache is keyed by the set of nodes.
   */
  plan(locations: readonly LocationId[]): PlannedTrip {
    this.lastFallback = null;
    const byNode = new Map<number, LocationId>();
    const unknown: LocationId[] = [];
    for (const id of locations) {
      const node = findLocation(this.layout, id)?.accessNode;
      if (node === undefined) unknown.push(id);
      else if (!byNode.has(node)) byNode.set(node, id);
    }
    const nodes = [...byNode.keys()].sort((a, b) => a - b);
    const key = unknown.length === 0 ? nodes.join(',') : `${nodes.join(',')}|${[...unknown].sort().join(',')}`;
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    const trip = this.build([...nodes.map((n) => byNode.get(n) as LocationId), ...unknown]);
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(key, trip);
    return trip;
  }

  private build(locations: readonly LocationId[]): PlannedTrip {
    const graph = this.layout.graph;
    let route = planRoute({ layout: this.layout, picks: locations, method: this.method, includePath: true });
    if (isRouteError(route) && this.method === 'exact') {
      // No exact method for this list on this layout: the strongest heuristic walks it instead (counted).
      this.lastFallback = route.error.code;
      route = planRoute({ layout: this.layout, picks: locations, method: 'best', includePath: true });
    }
    let sequence: readonly LocationId[] = locations;
    let path: FloorPoint[] | null = null;
    if (isRouteError(route)) this.lastFallback = route.error.code;
    else {
      sequence = route.sequence;
      path = route.path;
    }
    const stops: number[] = [];
    const seen = new Set<number>();
    for (const id of sequence) {
      const node = findLocation(this.layout, id)?.accessNode;
      if (node === undefined || seen.has(node)) continue;
      seen.add(node);
      stops.push(node);
    }
    if (path === null || path.length === 0) path = pathPolyline(graph, [graph.depotNode, ...stops, graph.depotNode]) ?? [];
    return this.cut(path, stops);
  }

  /** Cuts the closed walk at each stop's node (it passes through their points in order) into legs. */
  private cut(path: readonly FloorPoint[], stops: readonly number[]): PlannedTrip {
    const nodes = this.layout.graph.nodes;
    const cuts = [0];
    let from = 0;
    for (const stop of stops) {
      const n = nodes[stop];
      let at = -1;
      if (n !== undefined) {
        for (let i = from; i < path.length; i++) {
          const p = path[i] as FloorPoint;
          if (p.x === n.x && p.y === n.y) {
            at = i;
            break;
          }
        }
      }
      // A stop the walk does not pass (a depot pick): it is picked where the walk is.
      if (at === -1) at = from;
      cuts.push(at);
      from = at;
    }
    cuts.push(Math.max(from, path.length - 1));
    const legs: Leg[] = [];
    let metres = 0;
    for (let k = 0; k + 1 < cuts.length; k++) {
      const leg = this.leg(path, cuts[k] as number, cuts[k + 1] as number);
      metres += leg.metres;
      legs.push(leg);
    }
    return { stops, legs, metres };
  }

  private leg(path: readonly FloorPoint[], i0: number, i1: number): Leg {
    const first = path[i0];
    if (first === undefined || i1 <= i0) return { metres: 0, points: [], segments: [], segmentMetres: [] };
    const points: FloorPoint[] = [first];
    const segments: number[] = [];
    const segmentMetres: number[] = [];
    let metres = 0;
    for (let i = i0 + 1; i <= i1; i++) {
      const a = path[i - 1] as FloorPoint;
      const b = path[i] as FloorPoint;
      const dx = b.x - a.x;
      const dy = b.y - a.y;
      const length = Math.sqrt(dx * dx + dy * dy);
      metres += length;
      const segment = this.segments.segmentOfPiece(a, b);
      if (segment >= 0) {
        const j = segments.indexOf(segment);
        if (j === -1) {
          segments.push(segment);
          segmentMetres.push(length);
        } else segmentMetres[j] = (segmentMetres[j] as number) + length;
      }
      // Merge b into the current straight run when the walk goes on from it in the same direction.
      const c = path[i + 1];
      if (i === i1 || c === undefined || !straightOn(a, b, c)) points.push(b);
    }
    return { metres, points, segments, segmentMetres };
  }
}

/** True when a → b → c runs on in one direction (collinear, no turn back). */
function straightOn(a: FloorPoint, b: FloorPoint, c: FloorPoint): boolean {
  const ux = b.x - a.x;
  const uy = b.y - a.y;
  const vx = c.x - b.x;
  const vy = c.y - b.y;
  return Math.abs(ux * vy - uy * vx) <= 1e-9 && ux * vx + uy * vy > 0;
}
