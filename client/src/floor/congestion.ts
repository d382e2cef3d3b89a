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

/**
 * Which segments come within `IN_SEGMENT_M` of each cell of a square grid over the segments' extent (compressed rows:
 * the segments of cell c are `items[start[c] .. start[c + 1])`), so a count visits only the segments near an operative.
 */
export interface SegmentIndex {
  readonly minX: number;
  readonly minY: number;
  readonly cellM: number;
  readonly cols: number;
  readonly rows: number;
  readonly start: Uint32Array;
  readonly items: Uint32Array;
}

/** Builds the grid of `segments` (flat [x1, y1, x2, y2] quadruples) with cells of `cellM` metres. */
export function indexSegments(segments: readonly number[], cellM = 4): SegmentIndex {
  const segmentCount = Math.floor(segments.length / 4);
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let k = 0; k < 4 * segmentCount; k += 2) {
    minX = Math.min(minX, segments[k] ?? 0);
    maxX = Math.max(maxX, segments[k] ?? 0);
    minY = Math.min(minY, segments[k + 1] ?? 0);
    maxY = Math.max(maxY, segments[k + 1] ?? 0);
  }
  if (segmentCount === 0) minX = minY = maxX = maxY = 0;
  minX -= IN_SEGMENT_M;
  minY -= IN_SEGMENT_M;
  const cols = Math.max(1, Math.ceil((maxX + IN_SEGMENT_M - minX) / cellM));
  const rows = Math.max(1, Math.ceil((maxY + IN_SEGMENT_M - minY) / cellM));
  const cellRange = (k: number): [number, number, number, number] => {
    const ax = segments[4 * k] ?? 0;
    const ay = segments[4 * k + 1] ?? 0;
    const bx = segments[4 * k + 2] ?? 0;
    const by = segments[4 * k + 3] ?? 0;
    const clampCol = (x: number): number => Math.min(cols - 1, Math.max(0, Math.floor((x - minX) / cellM)));
    const clampRow = (y: number): number => Math.min(rows - 1, Math.max(0, Math.floor((y - minY) / cellM)));
    return [
      clampCol(Math.min(ax, bx) - IN_SEGMENT_M), clampCol(Math.max(ax, bx) + IN_SEGMENT_M),
      clampRow(Math.min(ay, by) - IN_SEGMENT_M), clampRow(Math.max(ay, by) + IN_SEGMENT_M),
    ];
  };
  // Two passes: count per cell, then fill each cell's slice.
  const start = new Uint32Array(cols * rows + 1);
  for (let k = 0; k < segmentCount; k++) {
    const [c0, c1, r0, r1] = cellRange(k);
    for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) start[r * cols + c + 1] = (start[r * cols + c + 1] ?? 0) + 1;
  }
  for (let c = 0; c < cols * rows; c++) start[c + 1] = (start[c + 1] ?? 0) + (start[c] ?? 0);
  const items = new Uint32Array(start[cols * rows] ?? 0);
  const next = start.slice(0, cols * rows);
  for (let k = 0; k < segmentCount; k++) {
    const [c0, c1, r0, r1] = cellRange(k);
    for (let r = r0; r <= r1; r++) {
      for (let c = c0; c <= c1; c++) {
        const cell = r * cols + c;
        items[next[cell] ?? 0] = k;
        next[cell] = (next[cell] ?? 0) + 1;
      }
    }
  }
  return { minX, minY, cellM, cols, rows, start, items };
}

/**
 * `countBySegment` through an index: each operative is tested only against the segments near its cell, so a count
 * costs O(operatives) rather than O(segments × operatives). Same result; reuses `out`.
 */
export function countBySegmentIndexed(
  segments: readonly number[], index: SegmentIndex, positions: ArrayLike<number>, count: number, out: Uint16Array,
): Uint16Array {
  const limit = IN_SEGMENT_M * IN_SEGMENT_M;
  out.fill(0, 0, Math.floor(segments.length / 4));
  const { minX, minY, cellM, cols, rows, start, items } = index;
  for (let i = 0; i < count; i++) {
    const px = positions[2 * i] ?? 0;
    const py = positions[2 * i + 1] ?? 0;
    const col = Math.floor((px - minX) / cellM);
    const row = Math.floor((py - minY) / cellM);
    if (col < 0 || col >= cols || row < 0 || row >= rows) continue;
    const cell = row * cols + col;
    for (let j = start[cell] ?? 0; j < (start[cell + 1] ?? 0); j++) {
      const k = items[j] ?? 0;
      const d = distanceSq(px, py, segments[4 * k] ?? 0, segments[4 * k + 1] ?? 0, segments[4 * k + 2] ?? 0, segments[4 * k + 3] ?? 0);
      if (d <= limit) out[k] = (out[k] ?? 0) + 1;
    }
  }
  return out;
}

/** Shading level of a segment: 0 clear, 1 two operatives (they slow down), 2 three or more (queueing). */
export function congestionLevel(operatives: number): 0 | 1 | 2 {
  return operatives >= 3 ? 2 : operatives === 2 ? 1 : 0;
}
