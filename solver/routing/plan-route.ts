/**
 * Pick-route planning: the order in which to visit a pick list's locations, starting and ending at the depot, and the
 * walk that does it. Distances are shortest walks on the layout's graph, so one-way lanes and blocked segments count.
 */
import type { FloorPoint, LocationId } from '../../server/twin/ids.ts';
import type { Layout, Location } from '../../server/twin/layout/types.ts';
import { parseLocationId } from '../../server/twin/layout/rack-aisle.ts';
import type { PolicyGeometry, PolicyName, PolicyPick } from './policies.ts';
import { policyOrder } from './policies.ts';
import { shortestDistance, walkPolyline } from './distance-oracle.ts';
import type { DistanceMatrix } from './tour.ts';
import { HELD_KARP_MAX, heldKarp, nearestNeighbour, tourCost } from './tour.ts';
import type { TourSearchOptions } from './tour-search.ts';
import { searchTour } from './tour-search.ts';
import { exactRackAisleRoute } from './exact-block.ts';

/** Routing algorithms by name; `best` is the strongest Floortwin has, `exact` refuses when it cannot prove optimality. */
export const ROUTE_METHODS = ['best', 'exact', 'nearest-neighbour', 's-shape', 'largest-gap', 'combined'] as const;
export type RouteMethod = (typeof ROUTE_METHODS)[number];

/** True when `s` names a routing method. */
export const isRouteMethod = (s: string): s is RouteMethod => (ROUTE_METHODS as readonly string[]).includes(s);

/** Default seed of the tour search: the same request always gives the same route. */
export const DEFAULT_ROUTE_SEED = 1;

export interface RouteRequest {
  readonly layout: Layout;
  readonly picks: readonly LocationId[];
  /** Default `best`. */
  readonly method?: RouteMethod;
  /** Default true; false leaves `path` empty for callers that only need the order and distance (the route CLI). */
  readonly includePath?: boolean;
  /** Seed of `best`'s iterated local search (default DEFAULT_ROUTE_SEED). */
  readonly seed?: number;
  /** Kick budget of `best`'s iterated local search (default by list size, see defaultKicks). */
  readonly kicks?: number;
  /** Default true; false keeps `best` from the rack-aisle exact method (benchmarks measure the heuristic alone). */
  readonly useExactBlock?: boolean;
}

export interface RouteResult {
  /** Every pick exactly once (duplicates in the request stay, next to each other). */
  readonly sequence: LocationId[];
  /** Metres of the closed walk depot → sequence… → depot by shortest walks. */
  readonly distance: number;
  /** That walk as a floor polyline through graph nodes, from the depot back to it (empty when not asked for). */
  readonly path: FloorPoint[];
  readonly method: RouteMethod;
}

/** Why a route could not be planned. */
export type RouteErrorCode = 'UNKNOWN_LOCATION' | 'UNREACHABLE' | 'NO_EXACT_METHOD';

export interface RouteError {
  readonly error: { readonly code: RouteErrorCode; readonly message: string };
}

/** Narrows a planRoute answer to its error. */
export const isRouteError = <T extends object>(r: T | RouteError): r is RouteError => 'error' in r;

const locationMaps = new WeakMap<Layout, Map<string, Location>>();

/** Locations of a layout by id (cached per layout). */
export function locationsById(layout: Layout): ReadonlyMap<string, Location> {
  let map = locationMaps.get(layout);
  if (map === undefined) {
    map = new Map(layout.locations.map((l) => [l.id as string, l]));
    locationMaps.set(layout, map);
  }
  return map;
}

/**
 * The location with this id, or undefined. Rack-aisle layouts answer by arithmetic on the parsed id (locations are
 * built in id order), which spares a 300,000-entry map on very large layouts; others use a cached map.
 */
export function findLocation(layout: Layout, id: string): Location | undefined {
  const p = layout.rackAisle;
  if (p !== undefined) {
    const parts = parseLocationId(id);
    if (parts === null) return undefined;
    if (parts.aisle > p.aisles || parts.block > p.blocks || parts.bay > p.baysPerBlock || parts.level > p.levels) return undefined;
    const index = ((((parts.aisle - 1) * p.blocks + parts.block - 1) * p.baysPerBlock + parts.bay - 1) * 2 + (parts.side === 'L' ? 0 : 1)) * p.levels + parts.level - 1;
    const loc = layout.locations[index];
    if (loc !== undefined && loc.id === id) return loc;
  }
  return locationsById(layout).get(id);
}

/** Rack-aisle geometry for the classic policies; null when the layout is not a rack-aisle layout. */
function policyGeometry(layout: Layout): PolicyGeometry | null {
  const p = layout.rackAisle;
  if (p === undefined) return null;
  const pitch = p.baysPerBlock * p.bayLength + p.crossAisleWidth;
  return { aisles: p.aisles, aisleSpacing: p.aisleSpacing, crossAisleY: (k) => k * pitch };
}

/** A pick list resolved to stops: index 0 the depot (or a given start), then each distinct access node. */
export interface Stops {
  readonly locs: readonly Location[];
  /** Graph node of each stop; stopNodes[0] is the depot. */
  readonly stopNodes: readonly number[];
  /** Stop of each pick. */
  readonly stopOfPick: readonly number[];
  /** Shortest-walk distances between stops. */
  readonly matrix: DistanceMatrix;
}

/**
 * Resolves picks to their access nodes and the distance matrix between the distinct ones (index 0 = `home`, default
 * the depot); errors name an unknown location or one that cannot be reached from `home` and back.
 */
export function resolveStops(layout: Layout, picks: readonly LocationId[], extraNodes: readonly number[] = []): Stops | RouteError {
  const graph = layout.graph;
  const locs: Location[] = [];
  for (const id of picks) {
    const loc = findLocation(layout, id);
    if (loc === undefined) {
      return { error: { code: 'UNKNOWN_LOCATION', message: `unknown location ${JSON.stringify(id)} in layout ${layout.id}` } };
    }
    locs.push(loc);
  }
  const stopNodes = [graph.depotNode];
  const stopOfNode = new Map<number, number>([[graph.depotNode, 0]]);
  const stopOf = (node: number): number => {
    let s = stopOfNode.get(node);
    if (s === undefined) {
      s = stopNodes.length;
      stopNodes.push(node);
      stopOfNode.set(node, s);
    }
    return s;
  };
  const stopOfPick = locs.map((loc) => stopOf(loc.accessNode));
  for (const node of extraNodes) stopOf(node);
  const matrix: number[][] = stopNodes.map((from) => stopNodes.map((to) => (from === to ? 0 : shortestDistance(graph, from, to))));
  for (const [i, loc] of locs.entries()) {
    const s = stopOfPick[i]!;
    if (!Number.isFinite(matrix[0]![s]!) || !Number.isFinite(matrix[s]![0]!)) {
      return { error: { code: 'UNREACHABLE', message: `location ${loc.id} cannot be reached from the depot and back` } };
    }
  }
  return { locs, stopNodes, stopOfPick, matrix };
}

/** Plans the route of one pick list. */
export function planRoute(request: RouteRequest): RouteResult | RouteError {
  const { layout } = request;
  const method = request.method ?? 'best';
  if ((method === 'exact' || (method === 'best' && request.useExactBlock !== false)) && request.picks.length > HELD_KARP_QUICK) {
    const quick = exactFirst(request, method);
    if (quick !== null) return quick;
  }
  const resolved = resolveStops(layout, request.picks);
  if (isRouteError(resolved)) return resolved;
  const { locs, stopNodes, stopOfPick, matrix } = resolved;
  const pickOrder = orderPicks(method, layout, resolved, request);
  if (!Array.isArray(pickOrder)) return pickOrder;
  const sequence = pickOrder.map((i) => locs[i]!.id);
  const stops = [0];
  for (const i of pickOrder) {
    const s = stopOfPick[i]!;
    if (stops[stops.length - 1] !== s) stops.push(s);
  }
  let distance = 0;
  for (let k = 0; k < stops.length; k++) distance += matrix[stops[k]!]![stops[(k + 1) % stops.length]!]!;
  const path = request.includePath === false ? [] : walkPolyline(layout.graph, stops.map((s) => stopNodes[s]!));
  return { sequence, distance, path, method };
}

/** Up to this many stops Held–Karp is cheaper than the rack-aisle DP on wide layouts, so it goes first. */
const HELD_KARP_QUICK = 11;

/**
 * The exact rack-aisle route straight from the picks, without the distance matrix between them (the DP needs none,
 * and the layouts it applies to have no blocked or one-way edges, so every pick is reachable); null when it does not
 * apply or its answer is not a visit of exactly the picks.
 */
function exactFirst(request: RouteRequest, method: RouteMethod): RouteResult | null {
  const { layout, picks } = request;
  if (layout.rackAisle === undefined) return null;
  const r = exactRackAisleRoute(layout, picks);
  if (r === null || r.sequence.length !== picks.length) return null;
  const a = [...r.sequence].sort();
  const b = [...picks].sort();
  if (a.some((id, i) => id !== b[i])) return null;
  const distance = routeDistance(layout, r.sequence);
  if (distance === null) return null;
  let path: FloorPoint[] = [];
  if (request.includePath !== false) {
    const nodes = [layout.graph.depotNode];
    for (const id of r.sequence) {
      const node = findLocation(layout, id)!.accessNode;
      if (nodes[nodes.length - 1] !== node) nodes.push(node);
    }
    path = walkPolyline(layout.graph, nodes);
  }
  return { sequence: r.sequence, distance, path, method };
}

/**
 * The exact rack-aisle route (Ratliff–Rosenthal) as a stop tour, when that method applies and its answer is a valid
 * visit of every stop; null otherwise.
 */
function exactBlockTour(layout: Layout, stops: Stops, picks: readonly LocationId[]): number[] | null {
  if (layout.rackAisle === undefined) return null;
  const r = exactRackAisleRoute(layout, picks);
  if (r === null) return null;
  const stopOfNode = new Map(stops.stopNodes.map((node, s) => [node, s]));
  const order: number[] = [];
  const seen = new Set<number>();
  for (const id of r.sequence) {
    const loc = findLocation(layout, id);
    const s = loc === undefined ? undefined : stopOfNode.get(loc.accessNode);
    if (s === undefined) return null;
    if (s !== 0 && !seen.has(s)) {
      seen.add(s);
      order.push(s);
    }
  }
  // Every stop but the depot exactly once; a depot pick (stop 0) needs no visit of its own.
  return order.length === stops.stopNodes.length - 1 ? order : null;
}

/** Pick indices in visiting order for a method, or why there is none. */
function orderPicks(method: RouteMethod, layout: Layout, stops: Stops, request: RouteRequest): number[] | RouteError {
  const { locs, stopOfPick, matrix: d } = stops;
  const geo = policyGeometry(layout);
  const picks: PolicyPick[] = locs.map((l) => ({ aisle: l.aisle, block: l.block, y: l.access.y }));
  const policy = (name: PolicyName): number[] => {
    if (geo === null) return expandStops(nearestNeighbour(d), stopOfPick);
    const a = policyOrder(name, picks, geo, false);
    const b = policyOrder(name, picks, geo, true);
    return pickTourCost(d, a, stopOfPick) <= pickTourCost(d, b, stopOfPick) ? a : b;
  };
  const n = d.length - 1;
  switch (method) {
    case 's-shape':
    case 'largest-gap':
    case 'combined':
      return policy(method);
    case 'nearest-neighbour':
      return expandStops(nearestNeighbour(d), stopOfPick);
    case 'exact': {
      if (n <= HELD_KARP_QUICK) return expandStops(heldKarp(d), stopOfPick);
      const exact = exactBlockTour(layout, stops, request.picks);
      if (exact !== null) return expandStops(exact, stopOfPick);
      if (n <= HELD_KARP_MAX) return expandStops(heldKarp(d), stopOfPick);
      return {
        error: {
          code: 'NO_EXACT_METHOD',
          message: `no exact method for ${n} distinct stops on layout ${layout.id} (the rack-aisle exact method does not apply and Held–Karp is limited to ${HELD_KARP_MAX})`,
        },
      };
    }
    case 'best': {
      if (n <= 1) return expandStops(n === 1 ? [1] : [], stopOfPick);
      if (n <= HELD_KARP_QUICK) return expandStops(heldKarp(d), stopOfPick);
      const exact = request.useExactBlock === false ? null : exactBlockTour(layout, stops, request.picks);
      if (exact !== null) return expandStops(exact, stopOfPick);
      if (n <= HELD_KARP_MAX) return expandStops(heldKarp(d), stopOfPick);
      // Several starting tours (the classic policies among them, so best never loses to them), then iterated local search.
      const starts: number[][] = [nearestNeighbour(d)];
      if (geo !== null) {
        for (const name of ['s-shape', 'largest-gap', 'combined'] as const) starts.push(stopsOf(policy(name), stopOfPick));
      }
      const options: TourSearchOptions = { seed: request.seed ?? DEFAULT_ROUTE_SEED, ...(request.kicks === undefined ? {} : { kicks: request.kicks }) };
      return expandStops(searchTour(d, starts, options), stopOfPick);
    }
  }
}

/** Distinct stops in first-visit order of a pick order. */
export function stopsOf(pickOrder: readonly number[], stopOfPick: readonly number[]): number[] {
  const seen = new Set<number>();
  const out: number[] = [];
  for (const i of pickOrder) {
    const s = stopOfPick[i]!;
    if (!seen.has(s)) {
      seen.add(s);
      out.push(s);
    }
  }
  return out;
}

/** Picks in the order of a stop tour; picks sharing a stop stay together, in request order. */
export function expandStops(stopOrder: readonly number[], stopOfPick: readonly number[]): number[] {
  const picksAt = new Map<number, number[]>();
  for (const [i, s] of stopOfPick.entries()) {
    const list = picksAt.get(s);
    if (list === undefined) picksAt.set(s, [i]);
    else list.push(i);
  }
  return stopOrder.flatMap((s) => picksAt.get(s) ?? []);
}

function pickTourCost(d: DistanceMatrix, pickOrder: readonly number[], stopOfPick: readonly number[]): number {
  return tourCost(d, pickOrder.map((i) => stopOfPick[i]!));
}

/** Length of the closed walk depot → ids… → depot by shortest walks; null if an id is unknown or a leg impossible. */
export function routeDistance(layout: Layout, ids: readonly LocationId[]): number | null {
  const nodes = [layout.graph.depotNode];
  for (const id of ids) {
    const loc = findLocation(layout, id);
    if (loc === undefined) return null;
    nodes.push(loc.accessNode);
  }
  let total = 0;
  for (let k = 0; k < nodes.length; k++) {
    const leg = shortestDistance(layout.graph, nodes[k]!, nodes[(k + 1) % nodes.length]!);
    if (!Number.isFinite(leg)) return null;
    total += leg;
  }
  return total;
}
