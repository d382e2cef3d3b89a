/** Geometry of walking a route polyline: arc lengths, points along it, and where on it each pick is made. */
import type { FloorPoint } from '../../server/twin/ids.ts';

/** A polyline with its cumulative lengths, metres: `cum[i]` is the distance walked on reaching `points[i]`. */
export interface WalkPath {
  readonly points: readonly FloorPoint[];
  readonly cum: readonly number[];
  /** Total length, metres. */
  readonly length: number;
}

/** Builds a walk path from a polyline (at least one point). */
export function createWalkPath(points: readonly FloorPoint[]): WalkPath {
  if (points.length === 0) throw new RangeError('a walk path needs at least one point');
  const cum: number[] = [0];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1] as FloorPoint;
    const b = points[i] as FloorPoint;
    cum.push((cum[i - 1] as number) + Math.hypot(b.x - a.x, b.y - a.y));
  }
  return { points, cum, length: cum[cum.length - 1] as number };
}

/** Index of the segment (points[i] → points[i+1]) that contains arc length `s`; the last segment for s ≥ length. */
function segmentAt(path: WalkPath, s: number): number {
  const { cum } = path;
  let lo = 0;
  let hi = Math.max(0, cum.length - 2);
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if ((cum[mid] as number) <= s) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The point at arc length `s` (clamped to [0, length]), metres. */
export function pointAt(path: WalkPath, s: number): FloorPoint {
  const { points, cum } = path;
  if (points.length === 1 || s <= 0) return points[0] as FloorPoint;
  if (s >= path.length) return points[points.length - 1] as FloorPoint;
  const i = segmentAt(path, s);
  const a = points[i] as FloorPoint;
  const b = points[i + 1] as FloorPoint;
  const len = (cum[i + 1] as number) - (cum[i] as number);
  const t = len === 0 ? 0 : (s - (cum[i] as number)) / len;
  return { x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t };
}

/** Within this distance (metres) a point counts as on the path: routes pass through access points exactly. */
const ON_PATH_M = 0.05;

/**
 * Arc length at which the walk first passes `target` at or after arc length `fromS`. When the path never comes
 * within a few centimetres of it (a router that does not pass through access points), the nearest point after
 * `fromS` is taken instead, so the walk still stops there.
 */
export function arcLengthOf(path: WalkPath, target: FloorPoint, fromS: number): number {
  const { points, cum } = path;
  if (points.length === 1) return 0;
  let bestS = Math.min(Math.max(fromS, 0), path.length);
  let bestD = Number.POSITIVE_INFINITY;
  for (let i = segmentAt(path, fromS); i < points.length - 1; i++) {
    const a = points[i] as FloorPoint;
    const b = points[i + 1] as FloorPoint;
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const len2 = dx * dx + dy * dy;
    let t = len2 === 0 ? 0 : ((target.x - a.x) * dx + (target.y - a.y) * dy) / len2;
    t = Math.min(1, Math.max(0, t));
    let s = (cum[i] as number) + t * Math.sqrt(len2);
    if (s < fromS) s = fromS; // never walk back to a point already passed
    const p = pointAt(path, s);
    const d = Math.hypot(p.x - target.x, p.y - target.y);
    if (d <= ON_PATH_M) return s;
    if (d < bestD) {
      bestD = d;
      bestS = s;
    }
  }
  return bestS;
}
