/**
 * Batch routing with a cart of limited capacity: one walk that collects every pick, returning to the drop point
 * whenever the next picks would overfill the cart. Route first, cluster second: the best giant tour (planRoute's
 * method) is split optimally by capacity with Beasley's shortest-path DP over the tour, then each trip is improved
 * as an open path between its fixed ends; the improved trips are joined into a new giant tour and split again while
 * that shortens the total.
 */
import type { LocationId } from '../../server/twin/ids.ts';
import type { Layout } from '../../server/twin/layout/types.ts';
import type { RouteError, RouteMethod } from './plan-route.ts';
import { isRouteError, planRoute, resolveStops } from './plan-route.ts';
import type { DistanceMatrix } from './tour.ts';
import { searchTour } from './tour-search.ts';

/** One pick of a batch with what it takes of the cart; a missing amount counts as 0. */
export interface BatchPick {
  readonly locationId: LocationId;
  readonly orderId?: string;
  readonly totes?: number;
  readonly volumeM3?: number;
  readonly weightKg?: number;
}

/** What the cart holds; a missing dimension is unlimited. */
export interface CartCapacity {
  readonly totes?: number;
  readonly volumeM3?: number;
  readonly weightKg?: number;
}

export interface BatchRouteRequest {
  readonly layout: Layout;
  readonly picks: readonly BatchPick[];
  readonly capacity: CartCapacity;
  /** Walk-graph node where a full cart is emptied; default the depot. */
  readonly dropNode?: number;
  /** Method of the giant tour (default `best`). */
  readonly method?: RouteMethod;
  readonly seed?: number;
}

/** One trip: from the depot (first trip) or the drop point, through its picks, to the drop point (and, last, on to the depot). */
export interface Trip {
  readonly sequence: LocationId[];
  /** Indices into the request's picks, in visiting order (tells apart a location listed twice). */
  readonly picks: number[];
  readonly distance: number;
}

export interface BatchRouteResult {
  readonly trips: Trip[];
  /** Sum of the trips' distances, metres. */
  readonly distance: number;
}

export interface BatchRouteError {
  readonly error: { readonly code: RouteError['error']['code'] | 'OVER_CAPACITY' | 'BAD_REQUEST'; readonly message: string };
}

/** Narrows a planBatchRoute answer to its error. */
export const isBatchRouteError = (r: BatchRouteResult | BatchRouteError): r is BatchRouteError => 'error' in r;

const DIMS = ['totes', 'volumeM3', 'weightKg'] as const;
const EPS = 1e-9;

/** Plans the trips of a batch. */
export function planBatchRoute(request: BatchRouteRequest): BatchRouteResult | BatchRouteError {
  const { layout, picks, capacity } = request;
  const graph = layout.graph;
  const drop = request.dropNode ?? graph.depotNode;
  if (!Number.isInteger(drop) || drop < 0 || drop >= graph.nodes.length) {
    return { error: { code: 'BAD_REQUEST', message: `drop node ${drop} is not a node of layout ${layout.id}` } };
  }
  for (const dim of DIMS) {
    const cap = capacity[dim];
    if (cap !== undefined && !(cap >= 0)) return { error: { code: 'BAD_REQUEST', message: `capacity ${dim} must be a number ≥ 0 (got ${cap})` } };
  }
  for (const [i, p] of picks.entries()) {
    for (const dim of DIMS) {
      const need = p[dim] ?? 0;
      if (!(need >= 0)) return { error: { code: 'BAD_REQUEST', message: `pick ${i} (${p.locationId}) ${dim} must be a number ≥ 0` } };
      const cap = capacity[dim];
      if (cap !== undefined && need > cap + EPS) {
        const order = p.orderId === undefined ? '' : ` of order ${p.orderId}`;
        return {
          error: { code: 'OVER_CAPACITY', message: `pick ${p.locationId}${order} needs ${need} ${dim}, more than the cart's capacity of ${cap}` },
        };
      }
    }
  }
  const ids = picks.map((p) => p.locationId);
  const resolved = resolveStops(layout, ids, [drop]);
  if (isRouteError(resolved)) return resolved;
  const { stopNodes, stopOfPick, matrix: d } = resolved;
  const dropStop = stopNodes.indexOf(drop);
  for (const [i, s] of stopOfPick.entries()) {
    if (!Number.isFinite(d[dropStop]![s]!) || !Number.isFinite(d[s]![dropStop]!)) {
      return { error: { code: 'UNREACHABLE', message: `location ${ids[i]} cannot be reached from the drop point and back` } };
    }
  }
  if (!Number.isFinite(d[dropStop]![0]!) || !Number.isFinite(d[0]![dropStop]!)) {
    return { error: { code: 'UNREACHABLE', message: `the drop point (node ${drop}) cannot be reached from the depot and back` } };
  }
  if (picks.length === 0) return { trips: [], distance: 0 };

  // The giant tour: planRoute's order of the picks (duplicates adjacent).
  const giant = planRoute({ layout, picks: ids, method: request.method ?? 'best', includePath: false, ...(request.seed === undefined ? {} : { seed: request.seed }) });
  if (isRouteError(giant)) return giant;
  let order = giantPickOrder(giant.sequence, ids);
  const demand = (i: number, dim: (typeof DIMS)[number]): number => picks[i]![dim] ?? 0;
  // `fits` reads the current giant order, which each round replaces.
  const ctx: SplitCtx = { d, stopOfPick, dropStop, fits: (from, to) => fits(order, from, to, demand, capacity) };

  let best: { trips: number[][]; cost: number } | null = null;
  for (let round = 0; round < 4; round++) {
    const trips = split(order, ctx).map((trip, k, all) => improveTrip(trip, ctx, k === 0 ? 0 : dropStop, k === all.length - 1));
    const cost = trips.reduce((sum, t, k) => sum + tripCost(t, ctx, k === 0 ? 0 : dropStop, k === trips.length - 1), 0);
    if (best !== null && cost >= best.cost - EPS) break;
    best = { trips, cost };
    order = trips.flat();
  }
  const trips: Trip[] = best!.trips.map((t, k, all) => ({
    sequence: t.map((i) => ids[i]!),
    picks: t,
    distance: tripCost(t, ctx, k === 0 ? 0 : dropStop, k === all.length - 1),
  }));
  return { trips, distance: trips.reduce((sum, t) => sum + t.distance, 0) };
}

interface SplitCtx {
  readonly d: DistanceMatrix;
  readonly stopOfPick: readonly number[];
  readonly dropStop: number;
  /** True when order[from..to) fits in the cart. */
  readonly fits: (from: number, to: number) => boolean;
}

/** Pick indices in the order of a sequence of ids (each index used once, duplicates matched in turn). */
function giantPickOrder(sequence: readonly LocationId[], ids: readonly LocationId[]): number[] {
  const queue = new Map<string, number[]>();
  for (const [i, id] of ids.entries()) {
    const q = queue.get(id);
    if (q === undefined) queue.set(id, [i]);
    else q.push(i);
  }
  return sequence.map((id) => queue.get(id)!.shift()!);
}

function fits(order: readonly number[], from: number, to: number, demand: (i: number, dim: (typeof DIMS)[number]) => number, capacity: CartCapacity): boolean {
  for (const dim of DIMS) {
    const cap = capacity[dim];
    if (cap === undefined) continue;
    let load = 0;
    for (let k = from; k < to; k++) load += demand(order[k]!, dim);
    if (load > cap + EPS) return false;
  }
  return true;
}

/** Length of a trip: from its start stop through its picks to the drop point, and on to the depot when it is the last. */
function tripCost(trip: readonly number[], ctx: SplitCtx, start: number, last: boolean): number {
  const { d, stopOfPick, dropStop } = ctx;
  let at = start;
  let cost = 0;
  for (const i of trip) {
    const s = stopOfPick[i]!;
    cost += d[at]![s]!;
    at = s;
  }
  cost += d[at]![dropStop]!;
  return last ? cost + d[dropStop]![0]! : cost;
}

/**
 * Beasley's split: the cheapest cut of the giant tour into consecutive trips that each fit the cart, by a shortest
 * path over cut points (cut j → cut k is the trip order[j..k)). O(n²) with the load test folded into the scan.
 */
function split(order: readonly number[], ctx: SplitCtx): number[][] {
  const { d, stopOfPick, dropStop } = ctx;
  const n = order.length;
  const best = new Float64Array(n + 1).fill(Infinity);
  const cut = new Int32Array(n + 1).fill(-1);
  best[0] = 0;
  for (let j = 0; j < n; j++) {
    if (best[j] === Infinity) continue;
    const start = j === 0 ? 0 : dropStop;
    let walk = 0;
    let at = start;
    for (let k = j + 1; k <= n; k++) {
      if (!ctx.fits(j, k)) break;
      const s = stopOfPick[order[k - 1]!]!;
      walk += d[at]![s]!;
      at = s;
      const cost = best[j]! + walk + d[at]![dropStop]! + (k === n ? d[dropStop]![0]! : 0);
      if (cost < best[k]! - EPS) {
        best[k] = cost;
        cut[k] = j;
      }
    }
  }
  const trips: number[][] = [];
  for (let k = n; k > 0; k = cut[k]!) trips.push(order.slice(cut[k], k));
  return trips.reverse();
}

/**
 * Improves one trip as an open path from `start` to the drop point (and the depot after it when last): the tour
 * search runs on a matrix whose index 0 stands for both ends (leaving 0 = leaving `start`, reaching 0 = reaching the end).
 */
function improveTrip(trip: readonly number[], ctx: SplitCtx, start: number, last: boolean): number[] {
  const { d, stopOfPick, dropStop } = ctx;
  const stops: number[] = [];
  const indexOf = new Map<number, number>();
  for (const i of trip) {
    const s = stopOfPick[i]!;
    if (!indexOf.has(s)) {
      indexOf.set(s, stops.length + 1);
      stops.push(s);
    }
  }
  if (stops.length <= 1) return [...trip];
  const toEnd = (s: number): number => d[s]![dropStop]! + (last ? d[dropStop]![0]! : 0);
  const nodes = [-1, ...stops];
  const m: number[][] = nodes.map((u, a) => nodes.map((v, b) => {
    if (a === b) return 0;
    if (a === 0) return d[start]![v]!;
    if (b === 0) return toEnd(u);
    return d[u]![v]!;
  }));
  const first = stops.map((_, k) => k + 1);
  const tour = searchTour(m, [first]);
  const picksAt = new Map<number, number[]>();
  for (const i of trip) {
    const s = stopOfPick[i]!;
    const list = picksAt.get(s);
    if (list === undefined) picksAt.set(s, [i]);
    else list.push(i);
  }
  const out = tour.flatMap((x) => picksAt.get(stops[x - 1]!) ?? []);
  return tripCost(out, ctx, start, last) <= tripCost(trip, ctx, start, last) + EPS ? out : [...trip];
}
