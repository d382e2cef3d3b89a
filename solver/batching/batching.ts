/**
 * Order batching for picking: which orders share a cart. Methods: first-come (the baseline), seed batching, Clarke–Wright
 * savings, and savings improved by a local search (move one order, swap two orders between batches). Candidates are
 * screened with a cheap route estimate (estimate.ts) and every decision that changes the answer is checked with the
 * project's router, whose distances are the ones reported. Pure and deterministic: same input, same batches.
 */
import type { LocationId } from '../../server/twin/ids.ts';
import type { Layout, Location } from '../../server/twin/layout/types.ts';
import type { RouteErrorCode, RouteResult } from '../routing/plan-route.ts';
import { findLocation, isRouteError, planRoute } from '../routing/plan-route.ts';
import type { EstimateGeometry, PickMasks } from './estimate.ts';
import { addToMasks, emptyMasks, estimateGeometry, estimateRoute, orMasks } from './estimate.ts';

/** Batching methods by name; `savings-local-search` is the strongest. */
export const BATCHING_METHODS = ['fcfs', 'seed', 'savings', 'savings-local-search'] as const;
export type BatchingMethod = (typeof BATCHING_METHODS)[number];

/** True when `s` names a batching method. */
export const isBatchingMethod = (s: string): s is BatchingMethod => (BATCHING_METHODS as readonly string[]).includes(s);

/** One order line as batching sees it: where to pick and how many items go on the cart. */
export interface BatchingPick {
  readonly locationId: LocationId;
  /** Whole items ≥ 1. */
  readonly items: number;
}

/** An order to batch; the request lists orders in arrival order. */
export interface BatchingOrder {
  readonly id: string;
  readonly picks: readonly BatchingPick[];
  /** The carrier cut-off the order must be picked for (epoch ms); orders without one come after every cut-off. */
  readonly cutoffAt?: number;
}

/** What one cart takes; a missing limit is unlimited. */
export interface BatchingCapacity {
  readonly items?: number;
  readonly orders?: number;
}

export interface LocalSearchOptions {
  /** Passes over every order (default 20); a pass that improves nothing ends the search. */
  readonly maxPasses?: number;
  /** Most router calls the search may spend (default 600): the bound that keeps it fast on large inputs. */
  readonly maxRouterCalls?: number;
  /** Default true: screen moves by the estimate and route only the promising; false routes every move (small inputs). */
  readonly screen?: boolean;
}

export interface BatchingRequest {
  readonly layout: Layout;
  readonly orders: readonly BatchingOrder[];
  readonly capacity: BatchingCapacity;
  /** Default `savings-local-search`. */
  readonly method?: BatchingMethod;
  readonly localSearch?: LocalSearchOptions;
}

/** One cart's orders and its route. */
export interface Batch {
  /** Order ids in arrival order. */
  readonly orderIds: string[];
  readonly items: number;
  /** The orders' shared cut-off, or null for orders without one. */
  readonly cutoffAt: number | null;
  /** Routed length in metres of depot → sequence… → depot (the router's `best`). */
  readonly distance: number;
  /** The distinct pick locations in visiting order. */
  readonly sequence: LocationId[];
}

export interface BatchingResult {
  /** Earliest cut-off first; within a cut-off by the arrival of each batch's first order. */
  readonly batches: Batch[];
  /** Sum of the batches' routed distances, metres. */
  readonly distance: number;
  readonly method: BatchingMethod;
  /** True when the method's own batches routed longer than first-come ones and those were returned instead ([B5]). */
  readonly fellBackToFcfs: boolean;
  /** Router calls spent, for benchmarks. */
  readonly routerCalls: number;
}

export interface BatchingError {
  readonly error: { readonly code: 'BAD_REQUEST' | 'OVER_CAPACITY' | RouteErrorCode; readonly message: string };
}

/** Narrows a batchOrders answer to its error. */
export const isBatchingError = (r: BatchingResult | BatchingError): r is BatchingError => 'error' in r;

const EPS = 1e-6;

/** Orders as indices, with what the algorithms need of each. */
interface Ctx {
  readonly layout: Layout;
  readonly geo: EstimateGeometry | null;
  readonly items: readonly number[];
  /** Sorted distinct location ids of each order. */
  readonly locIds: readonly (readonly LocationId[])[];
  /** Estimate summary of each order alone (empty arrays without the estimate). */
  readonly orderMasks: readonly PickMasks[];
  readonly maxItems: number;
  readonly maxOrders: number;
  /** Routes by batch key (sorted order indices); lookups only. */
  readonly routed: Map<string, RouteResult | null>;
  routerCalls: number;
}

/** Batches the orders by the requested method. */
export function batchOrders(request: BatchingRequest): BatchingResult | BatchingError {
  const method = request.method ?? 'savings-local-search';
  if (!isBatchingMethod(method)) return bad(`unknown batching method ${JSON.stringify(method)}`);
  const checked = validate(request);
  if ('error' in checked) return checked;
  const ctx = checked;
  const groups = cutoffGroups(request.orders);
  const fcfs = groups.flatMap((g) => fcfsBatches(ctx, g));
  const ofGroup = (g: readonly number[]): number[][] => {
    switch (method) {
      case 'fcfs': return fcfsBatches(ctx, g);
      case 'seed': return seedBatches(ctx, g);
      case 'savings': return savingsBatches(ctx, g);
      case 'savings-local-search': return localSearch(ctx, savingsBatches(ctx, g), request.localSearch ?? {});
    }
  };
  let batches = method === 'fcfs' ? fcfs : groups.flatMap(ofGroup);
  let fellBack = false;
  if (method !== 'fcfs' && totalRouted(ctx, batches) > totalRouted(ctx, fcfs) + EPS) {
    batches = fcfs;
    fellBack = true;
  }
  const out = finalBatches(ctx, request.orders, batches);
  if (!Array.isArray(out)) return out;
  return { batches: out, distance: out.reduce((s, b) => s + b.distance, 0), method, fellBackToFcfs: fellBack, routerCalls: ctx.routerCalls };
}

const bad = (message: string): BatchingError => ({ error: { code: 'BAD_REQUEST', message } });

const isLimit = (v: number | undefined): boolean => v === undefined || (Number.isInteger(v) && v >= 1);

function validate(request: BatchingRequest): Ctx | BatchingError {
  const { layout, orders, capacity } = request;
  if (!isLimit(capacity.items)) return bad(`capacity.items must be a whole number ≥ 1 (got ${capacity.items})`);
  if (!isLimit(capacity.orders)) return bad(`capacity.orders must be a whole number ≥ 1 (got ${capacity.orders})`);
  const maxItems = capacity.items ?? Infinity;
  const seen = new Set<string>();
  const items: number[] = [];
  const locIds: LocationId[][] = [];
  const locs: Location[][] = [];
  for (const order of orders) {
    if (typeof order.id !== 'string' || order.id === '') return bad('every order needs a non-empty id');
    if (seen.has(order.id)) return bad(`order id ${JSON.stringify(order.id)} appears twice`);
    seen.add(order.id);
    if (order.cutoffAt !== undefined && !Number.isFinite(order.cutoffAt)) return bad(`order ${order.id}: cutoffAt must be a number`);
    if (order.picks.length === 0) return bad(`order ${order.id} has no picks`);
    let n = 0;
    const byId = new Map<string, Location>();
    for (const pick of order.picks) {
      if (!Number.isInteger(pick.items) || pick.items < 1) return bad(`order ${order.id}: items at ${pick.locationId} must be a whole number ≥ 1`);
      n += pick.items;
      const loc = findLocation(layout, pick.locationId);
      if (loc === undefined) {
        return { error: { code: 'UNKNOWN_LOCATION', message: `order ${order.id}: unknown location ${JSON.stringify(pick.locationId)} in layout ${layout.id}` } };
      }
      byId.set(loc.id, loc);
    }
    if (n > maxItems) return { error: { code: 'OVER_CAPACITY', message: `order ${order.id} has ${n} items, more than the cart's ${maxItems}` } };
    const ids = [...byId.keys()].sort();
    items.push(n);
    locIds.push(ids as LocationId[]);
    locs.push(ids.map((id) => byId.get(id)!));
  }
  const geo = estimateGeometry(layout);
  const orderMasks = locs.map((list) => {
    if (geo === null) return new Uint32Array(0);
    const m = emptyMasks(geo);
    for (const loc of list) addToMasks(geo, m, loc);
    return m;
  });
  return {
    layout, geo, items, locIds, orderMasks, maxItems, maxOrders: capacity.orders ?? Infinity,
    routed: new Map(), routerCalls: 0,
  };
}

/** Order indices grouped by cut-off ([B3]): earliest first, orders without one last; arrival order inside a group. */
function cutoffGroups(orders: readonly BatchingOrder[]): number[][] {
  const idx = orders.map((_, i) => i);
  const key = (i: number): number => orders[i]!.cutoffAt ?? Infinity;
  idx.sort((a, b) => key(a) - key(b) || a - b);
  const groups: number[][] = [];
  for (const i of idx) {
    const last = groups[groups.length - 1];
    if (last !== undefined && key(last[0]!) === key(i)) last.push(i);
    else groups.push([i]);
  }
  return groups;
}

const itemsOf = (ctx: Ctx, batch: readonly number[]): number => batch.reduce((s, i) => s + ctx.items[i]!, 0);
const fits = (ctx: Ctx, orders: number, items: number): boolean => orders <= ctx.maxOrders && items <= ctx.maxItems;

/** Distinct sorted location ids of a batch (the router's input, so a batch's route does not depend on its order). */
function batchLocations(ctx: Ctx, batch: readonly number[]): LocationId[] {
  const ids = new Set<LocationId>();
  for (const i of batch) for (const id of ctx.locIds[i]!) ids.add(id);
  return [...ids].sort();
}

const keyOf = (batch: readonly number[]): string => [...batch].sort((a, b) => a - b).join(',');

/** The router's route of a batch (memoised per request); null when it cannot be routed. */
function routeOf(ctx: Ctx, batch: readonly number[]): RouteResult | null {
  const key = keyOf(batch);
  let r = ctx.routed.get(key);
  if (r === undefined) {
    ctx.routerCalls++;
    const answer = planRoute({ layout: ctx.layout, picks: batchLocations(ctx, batch), includePath: false });
    r = isRouteError(answer) ? null : answer;
    ctx.routed.set(key, r);
  }
  return r;
}

/** Routed distance of a batch; Infinity when it cannot be routed. */
const routed = (ctx: Ctx, batch: readonly number[]): number => (batch.length === 0 ? 0 : (routeOf(ctx, batch)?.distance ?? Infinity));

const totalRouted = (ctx: Ctx, batches: readonly (readonly number[])[]): number => batches.reduce((s, b) => s + routed(ctx, b), 0);

/** Estimate summary of a batch; null on layouts without the estimate. */
function masksOf(ctx: Ctx, batch: readonly number[]): PickMasks | null {
  const geo = ctx.geo;
  if (geo === null) return null;
  const m = emptyMasks(geo);
  for (const i of batch) orMasks(m, ctx.orderMasks[i]!);
  return m;
}

/** Screening cost of a batch (optionally united with another): the estimate, or the router where there is none. */
function screenCost(ctx: Ctx, batch: readonly number[], masks: PickMasks | null, plus?: { batch: readonly number[]; masks: PickMasks | null }): number {
  if (ctx.geo !== null && masks !== null) return estimateRoute(ctx.geo, masks, plus?.masks ?? undefined);
  return routed(ctx, plus === undefined ? batch : [...batch, ...plus.batch]);
}

/** [B2] First come: fill a cart in arrival order and start the next when an order does not fit. */
function fcfsBatches(ctx: Ctx, group: readonly number[]): number[][] {
  const out: number[][] = [];
  let cur: number[] = [];
  let items = 0;
  for (const i of group) {
    if (cur.length > 0 && !fits(ctx, cur.length + 1, items + ctx.items[i]!)) {
      out.push(cur);
      cur = [];
      items = 0;
    }
    cur.push(i);
    items += ctx.items[i]!;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/**
 * [B4] Seed batching: the seed is the unbatched order with the longest estimated route (the most spread picks); then
 * the order that adds the least estimated distance joins, while one fits. Ties go to the earlier arrival.
 */
function seedBatches(ctx: Ctx, group: readonly number[]): number[][] {
  const left = [...group];
  const single = new Map(group.map((i) => [i, masksOf(ctx, [i])]));
  const out: number[][] = [];
  while (left.length > 0) {
    let seedAt = 0;
    let seedCost = -Infinity;
    left.forEach((i, k) => {
      const c = screenCost(ctx, [i], single.get(i)!);
      if (c > seedCost) {
        seedCost = c;
        seedAt = k;
      }
    });
    const batch = left.splice(seedAt, 1);
    const masks = single.get(batch[0]!)!;
    let items = ctx.items[batch[0]!]!;
    let cost = seedCost;
    for (;;) {
      let bestAt = -1;
      let bestAdd = Infinity;
      let bestCost = 0;
      left.forEach((i, k) => {
        if (!fits(ctx, batch.length + 1, items + ctx.items[i]!)) return;
        const c = screenCost(ctx, batch, masks, { batch: [i], masks: single.get(i)! });
        if (c - cost < bestAdd - EPS) {
          bestAdd = c - cost;
          bestAt = k;
          bestCost = c;
        }
      });
      if (bestAt === -1) break;
      const [i] = left.splice(bestAt, 1);
      batch.push(i!);
      items += ctx.items[i!]!;
      if (masks !== null) orMasks(masks, single.get(i!)!);
      cost = bestCost;
    }
    out.push(batch);
  }
  return out;
}

interface Live {
  orders: number[];
  items: number;
  masks: PickMasks | null;
  cost: number;
}

/**
 * [B4] Clarke–Wright savings: every order starts alone; the pair of batches with the largest estimated saving
 * s(A,B) = d(A) + d(B) − d(A ∪ B) that fits the cart merges, once the router confirms the saving is positive (else
 * that pair is set aside); savings of the merged batch are recomputed; until no pair with a positive saving fits.
 * Then the pairs that still fit are priced by the router and merged while one saves routed metres.
 */
function savingsBatches(ctx: Ctx, group: readonly number[]): number[][] {
  const live: (Live | null)[] = group.map((i) => {
    const masks = masksOf(ctx, [i]);
    return { orders: [i], items: ctx.items[i]!, masks, cost: screenCost(ctx, [i], masks) };
  });
  const n = live.length;
  const saving: Float64Array[] = Array.from({ length: n }, () => new Float64Array(n).fill(-Infinity));
  const computeSaving = (a: number, b: number): void => {
    const A = live[a]!;
    const B = live[b]!;
    let s = -Infinity;
    if (fits(ctx, A.orders.length + B.orders.length, A.items + B.items)) {
      s = A.cost + B.cost - screenCost(ctx, A.orders, A.masks, { batch: B.orders, masks: B.masks });
    }
    saving[a]![b] = s;
    saving[b]![a] = s;
  };
  for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) computeSaving(a, b);
  for (;;) {
    let best = EPS;
    let ba = -1;
    let bb = -1;
    for (let a = 0; a < n; a++) {
      if (live[a] === null) continue;
      const row = saving[a]!;
      for (let b = a + 1; b < n; b++) {
        if (row[b]! > best) {
          best = row[b]!;
          ba = a;
          bb = b;
        }
      }
    }
    if (ba === -1) break;
    const A = live[ba]!;
    const B = live[bb]!;
    const union = [...A.orders, ...B.orders];
    if (routed(ctx, A.orders) + routed(ctx, B.orders) - routed(ctx, union) <= EPS) {
      saving[ba]![bb] = -Infinity;
      saving[bb]![ba] = -Infinity;
      continue;
    }
    const masks = A.masks === null ? null : Uint32Array.from(A.masks);
    if (masks !== null && B.masks !== null) orMasks(masks, B.masks);
    live[ba] = { orders: union, items: A.items + B.items, masks, cost: screenCost(ctx, union, masks) };
    live[bb] = null;
    for (let c = 0; c < n; c++) {
      saving[bb]![c] = -Infinity;
      saving[c]![bb] = -Infinity;
      if (c !== ba && live[c] !== null) computeSaving(ba, c);
    }
  }
  // The estimate is not exact: merges it rates useless may still save routed metres. Few batches are left by now, and
  // fewer pairs still fit a cart, so those are priced with the router, largest routed saving first.
  const left = live.filter((b): b is Live => b !== null).map((b) => ({ orders: b.orders, items: b.items }));
  for (;;) {
    let best = EPS;
    let ba = -1;
    let bb = -1;
    for (let a = 0; a < left.length; a++) {
      for (let b = a + 1; b < left.length; b++) {
        const A = left[a]!;
        const B = left[b]!;
        if (!fits(ctx, A.orders.length + B.orders.length, A.items + B.items)) continue;
        const s = routed(ctx, A.orders) + routed(ctx, B.orders) - routed(ctx, [...A.orders, ...B.orders]);
        if (s > best) {
          best = s;
          ba = a;
          bb = b;
        }
      }
    }
    if (ba === -1) break;
    left[ba] = { orders: [...left[ba]!.orders, ...left[bb]!.orders], items: left[ba]!.items + left[bb]!.items };
    left.splice(bb, 1);
  }
  return left.map((b) => b.orders);
}

/**
 * [B6] Local search: for each order in turn, the best move of it to another batch or swap with an order of another
 * batch (that keeps both carts within capacity) is taken when it shortens the two batches' routed total. With
 * screening, only the move the estimate rates best is routed, and only when the estimate says it improves. Passes repeat
 * until one improves nothing, or the pass or router-call budget runs out.
 */
function localSearch(ctx: Ctx, start: readonly number[][], options: LocalSearchOptions): number[][] {
  const maxPasses = options.maxPasses ?? 20;
  const budget = ctx.routerCalls + (options.maxRouterCalls ?? 600);
  const screen = options.screen ?? true;
  const batches = start.map((b) => [...b]);
  const masks = batches.map((b) => masksOf(ctx, b));
  const cost = batches.map((b, k) => screenCost(ctx, b, masks[k]!));
  const items = batches.map((b) => itemsOf(ctx, b));
  const orders = batches.flat().sort((a, b) => a - b);
  const batchOf = new Map<number, number>();
  batches.forEach((b, k) => b.forEach((i) => batchOf.set(i, k)));
  /** Candidate: order o leaves batch A for B, and p (or none) comes back. */
  type Move = { a: number; b: number; o: number; p: number };
  const withOut = (list: readonly number[], x: number, add: number): number[] => {
    const out = list.filter((i) => i !== x);
    if (add !== -1) out.push(add);
    return out;
  };
  // Estimate summary of each order's batch without it, so a candidate is priced without building its batches.
  const without = new Map<number, PickMasks | null>();
  const refreshWithout = (k: number): void => {
    for (const i of batches[k]!) without.set(i, masksOf(ctx, batches[k]!.filter((x) => x !== i)));
  };
  batches.forEach((_, k) => refreshWithout(k));
  const screenDelta = (m: Move): number => {
    const geo = ctx.geo;
    const restA = without.get(m.o);
    const restB = m.p === -1 ? masks[m.b] : without.get(m.p);
    if (geo === null || restA == null || restB == null) {
      const newA = withOut(batches[m.a]!, m.o, m.p);
      const newB = withOut(batches[m.b]!, m.p, m.o);
      return screenCost(ctx, newA, null) + screenCost(ctx, newB, null) - cost[m.a]! - cost[m.b]!;
    }
    const costA = m.p === -1 ? estimateRoute(geo, restA) : estimateRoute(geo, restA, ctx.orderMasks[m.p]);
    return costA + estimateRoute(geo, restB, ctx.orderMasks[m.o]) - cost[m.a]! - cost[m.b]!;
  };
  const routedDelta = (m: Move): number =>
    routed(ctx, withOut(batches[m.a]!, m.o, m.p)) + routed(ctx, withOut(batches[m.b]!, m.p, m.o)) - routed(ctx, batches[m.a]!) - routed(ctx, batches[m.b]!);
  for (let pass = 0; pass < maxPasses && ctx.routerCalls < budget; pass++) {
    let improved = false;
    for (const o of orders) {
      if (ctx.routerCalls >= budget) break;
      const a = batchOf.get(o)!;
      const candidates: Move[] = [];
      for (let b = 0; b < batches.length; b++) {
        if (b === a || batches[b]!.length === 0) continue;
        if (fits(ctx, batches[b]!.length + 1, items[b]! + ctx.items[o]!)) candidates.push({ a, b, o, p: -1 });
        for (const p of batches[b]!) {
          const dItems = ctx.items[p]! - ctx.items[o]!;
          if (items[a]! + dItems <= ctx.maxItems && items[b]! - dItems <= ctx.maxItems) candidates.push({ a, b, o, p });
        }
      }
      let best: Move | null = null;
      let bestDelta = -EPS;
      for (const m of candidates) {
        const d = screen ? screenDelta(m) : routedDelta(m);
        if (d < bestDelta) {
          bestDelta = d;
          best = m;
        }
      }
      if (best === null || (screen && routedDelta(best) >= -EPS)) continue;
      const { b, p } = best;
      batches[a] = withOut(batches[a]!, o, p);
      batches[b] = withOut(batches[b]!, p, o);
      for (const k of [a, b]) {
        masks[k] = masksOf(ctx, batches[k]!);
        cost[k] = screenCost(ctx, batches[k]!, masks[k]);
        items[k] = itemsOf(ctx, batches[k]!);
        refreshWithout(k);
      }
      batchOf.set(o, b);
      if (p !== -1) batchOf.set(p, a);
      improved = true;
    }
    if (!improved) break;
  }
  return batches.filter((b) => b.length > 0);
}

/** The answer's batches: orders in arrival order, routed by the router with their sequence, listed per [B3]. */
function finalBatches(ctx: Ctx, orders: readonly BatchingOrder[], batches: readonly (readonly number[])[]): Batch[] | BatchingError {
  const out: Batch[] = [];
  const sorted = batches.map((b) => [...b].sort((x, y) => x - y));
  const cutoff = (b: readonly number[]): number => orders[b[0]!]!.cutoffAt ?? Infinity;
  sorted.sort((x, y) => cutoff(x) - cutoff(y) || x[0]! - y[0]!);
  for (const b of sorted) {
    const r = routeOf(ctx, b);
    if (r === null) {
      return { error: { code: 'UNREACHABLE', message: `a pick of orders ${b.map((i) => orders[i]!.id).join(', ')} cannot be reached from the depot and back` } };
    }
    out.push({
      orderIds: b.map((i) => orders[i]!.id),
      items: itemsOf(ctx, b),
      cutoffAt: orders[b[0]!]!.cutoffAt ?? null,
      distance: r.distance,
      sequence: r.sequence,
    });
  }
  return out;
}
