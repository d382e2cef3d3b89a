/**
 * Pure reads of a route for the handheld and the overlay: which stop is next, how far is left to walk, and how a
 * location id reads aloud (aisle / bay / level). No React, no three, no clock.
 */
import type { RouteStopView, RouteView } from '../../../server/protocol/route.ts';

/** A stop with its 1-based number in the route (the number painted on the maps). */
export interface NumberedStop {
  readonly number: number;
  readonly stop: RouteStopView;
}

/** The open stops in walking order, numbered by their place in the whole route. */
export function openStops(route: RouteView): NumberedStop[] {
  const out: NumberedStop[] = [];
  route.stops.forEach((stop, i) => {
    if (stop.status === 'open') out.push({ number: i + 1, stop });
  });
  return out;
}

/** Index (0-based) of the first open stop, or -1 when every stop is done. */
export function nextStopIndex(route: RouteView): number {
  return route.stops.findIndex((s) => s.status === 'open');
}

/** Total length of a flat polyline [x0, y0, x1, y1, …], metres. */
export function polylineLength(path: readonly number[]): number {
  let total = 0;
  for (let k = 2; k + 1 < path.length; k += 2) {
    total += Math.hypot((path[k] ?? 0) - (path[k - 2] ?? 0), (path[k + 1] ?? 0) - (path[k - 1] ?? 0));
  }
  return total;
}

interface Projection {
  /** Distance along the path from its start, metres. */
  arc: number;
  /** Distance from the point to the path, metres. */
  offset: number;
}

/**
 * For each segment overlapping the arc window [fromArc, toArc], in path order: the point of that segment (clamped to
 * the window) closest to (x, y), as its arc position and its distance from (x, y).
 */
function* windowProjections(path: readonly number[], x: number, y: number, fromArc: number, toArc: number): Generator<Projection> {
  let arcAtStart = 0;
  for (let k = 2; k + 1 < path.length; k += 2) {
    const ax = path[k - 2] ?? 0;
    const ay = path[k - 1] ?? 0;
    const bx = path[k] ?? 0;
    const by = path[k + 1] ?? 0;
    const length = Math.hypot(bx - ax, by - ay);
    const segStart = arcAtStart;
    arcAtStart += length;
    if (segStart + length < fromArc || segStart > toArc) continue;
    let t = length === 0 ? 0 : ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / (length * length);
    // Clamp to the part of this segment inside the window.
    const tMin = length === 0 ? 0 : Math.max(0, (fromArc - segStart) / length);
    const tMax = length === 0 ? 0 : Math.min(1, (toArc - segStart) / length);
    t = Math.min(tMax, Math.max(tMin, t));
    yield { arc: segStart + length * t, offset: Math.hypot(x - (ax + (bx - ax) * t), y - (ay + (by - ay) * t)) };
  }
}

/**
 * Nearest point of the path to (x, y) among points whose arc position is in [fromArc, toArc]. A walk revisits aisles,
 * so the window matters: without it a stop on the way back would match the way out.
 */
function project(path: readonly number[], x: number, y: number, fromArc: number, toArc: number): Projection | null {
  let best: Projection | null = null;
  for (const candidate of windowProjections(path, x, y, fromArc, toArc)) {
    if (best === null || candidate.offset < best.offset - 1e-9) best = candidate;
  }
  return best;
}

/** How close (metres) a point must be to the path to count as on it: the stop is on the aisle centreline. */
const ON_PATH_M = 1.0;
/** A live position further than this from the remaining path is not used (stale report, or the picker wandered). */
const POSITION_TRUST_M = 6;

/**
 * Arc position of each stop along the walk, in order: each stop is matched at the first place after the previous
 * stop where the path passes it (within ON_PATH_M), else at the nearest place after the previous stop. The server
 * may send only what is left to walk (starting at the last finished stop), so a finished stop counts only if the
 * path passes it before the first open stop; otherwise it stays at the start.
 */
export function stopArcs(route: RouteView): number[] {
  const total = polylineLength(route.path);
  const firstOpen = route.stops.find((s) => s.status === 'open');
  const firstOpenArc = firstOpen === undefined ? total : (firstPassing(route.path, firstOpen.x, firstOpen.y, 0) ?? total);
  const arcs: number[] = [];
  let cursor = 0;
  for (const stop of route.stops) {
    const first = firstPassing(route.path, stop.x, stop.y, cursor);
    let arc: number;
    if (stop.status !== 'open') arc = first !== null && first <= firstOpenArc ? first : cursor;
    else arc = first ?? project(route.path, stop.x, stop.y, cursor, total)?.arc ?? cursor;
    arcs.push(arc);
    cursor = arc;
  }
  return arcs;
}

/** Arc position of the first place at or after `fromArc` where the path passes within ON_PATH_M of (x, y). */
function firstPassing(path: readonly number[], x: number, y: number, fromArc: number): number | null {
  for (const candidate of windowProjections(path, x, y, fromArc, Infinity)) {
    if (candidate.offset <= ON_PATH_M) return candidate.arc;
  }
  return null;
}

/**
 * Metres still to walk: from where the picker is (its live position projected onto the path between the last
 * finished stop and the next open one; the last finished stop when no usable position) to the end of the walk.
 */
export function remainingDistance(route: RouteView, position: { x: number; y: number } | null = null): number {
  const total = polylineLength(route.path);
  if (route.path.length < 4) return 0;
  const arcs = stopArcs(route);
  const next = nextStopIndex(route);
  const doneUpTo = next === -1 ? route.stops.length : next;
  const fromArc = doneUpTo === 0 ? 0 : (arcs[doneUpTo - 1] ?? 0);
  const toArc = next === -1 ? total : (arcs[next] ?? total);
  let at = fromArc;
  if (position !== null) {
    const hit = project(route.path, position.x, position.y, fromArc, toArc);
    if (hit !== null && hit.offset <= POSITION_TRUST_M) at = hit.arc;
  }
  return Math.max(0, total - at);
}

/** A location id read the way a picker looks for it. */
export interface LocationParts {
  /** e.g. "03" */
  readonly aisle: string;
  /** Block and bay, e.g. "2-017" */
  readonly bay: string;
  /** Side of the aisle: L or R. */
  readonly side: 'L' | 'R';
  /** e.g. "4" */
  readonly level: string;
}

const LOCATION_ID = /^A(\d{2,})-B(\d+)-(\d{3,})-([LR])(\d+)$/;

/** Splits `A03-B2-017-L4` into aisle 03, bay 2-017 (left side), level 4; null for any other spelling. */
export function splitLocationId(id: string): LocationParts | null {
  const m = LOCATION_ID.exec(id);
  if (m === null) return null;
  return { aisle: m[1] ?? '', bay: `${m[2] ?? ''}-${m[3] ?? ''}`, side: m[4] === 'L' ? 'L' : 'R', level: m[5] ?? '' };
}

/** "1.2 km", "340 m": whole metres below a kilometre. */
export function formatDistance(metres: number): string {
  if (!Number.isFinite(metres) || metres < 0) return '–';
  if (metres < 1000) return `${Math.round(metres)} m`;
  return `${(metres / 1000).toFixed(metres < 10_000 ? 2 : 1)} km`;
}
