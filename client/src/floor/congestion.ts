/**
 * Aisle congestion from operatives' positions: how many stand on each walkable segment. Two or more in one segment
 * slow each other down (the simulator's congestion rule), so those segments are shaded. Pure: no React, no three.
 */

/** Operatives within this distance of a segment's centre line count as in it (about half an aisle width). */
export const IN_SEGMENT_M = 0.9;

/** Squared distance from (px, py) to the segment (ax, ay)–(bx, by). */
function distanceSq(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const lengthSq = dx * dx + dy * dy;
  const t = lengthSq === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / lengthSq));
  const cx = ax + t * dx - px;
  const cy = ay + t * dy - py;
  return cx * cx + cy * cy;
}

/**
 * Counts operatives per segment into `out` (length ≥ segments.length / 4), from flat [x1, y1, x2, y2] quadruples and
 * flat [x, y] positions. An operative at a junction counts in every segment it touches. Reuses `out` (no allocation).
 */
export function countBySegment(segments: readonly number[], positions: ArrayLike<number>, count: number, out: Uint16Array): Uint16Array {
  const segmentCount = Math.floor(segments.length / 4);
  const limit = IN_SEGMENT_M * IN_SEGMENT_M;
  out.fill(0, 0, segmentCount);
  for (let k = 0; k < segmentCount; k++) {
    const ax = segments[4 * k] ?? 0;
    const ay = segments[4 * k + 1] ?? 0;
    const bx = segments[4 * k + 2] ?? 0;
    const by = segments[4 * k + 3] ?? 0;
    const minX = Math.min(ax, bx) - IN_SEGMENT_M;
    const maxX = Math.max(ax, bx) + IN_SEGMENT_M;
    const minY = Math.min(ay, by) - IN_SEGMENT_M;
    const maxY = Math.max(ay, by) + IN_SEGMENT_M;
    let n = 0;
    for (let i = 0; i < count; i++) {
      const px = positions[2 * i] ?? 0;
      const py = positions[2 * i + 1] ?? 0;
      if (px < minX || px > maxX || py < minY || py > maxY) continue;
      if (distanceSq(px, py, ax, ay, bx, by) <= limit) n++;
    }
    out[k] = n;
  }
  return out;
}

/** Shading level of a segment: 0 clear, 1 two operatives (they slow down), 2 three or more (queueing). */
export function congestionLevel(operatives: number): 0 | 1 | 2 {
  return operatives >= 3 ? 2 : operatives === 2 ? 1 : 0;
}
