/**
 * Pure geometry for the handheld's 2D mini-map: rack runs merged from the bins (8,000 boxes become a few dozen
 * rectangles) and the floor → map transform (floor y grows up the screen, as on the 3D floor seen from the front).
 */
import type { LayoutView } from '../../../server/protocol/floor.ts';

/** An axis-aligned rectangle in floor metres. */
export interface FloorRect {
  readonly minX: number;
  readonly minY: number;
  readonly maxX: number;
  readonly maxY: number;
}

/** Bins closer than this along a run (metres) belong to the same rack run; a cross-aisle gap is much wider. */
const JOIN_GAP_M = 0.6;

/**
 * One rectangle per run of touching bins that share a rack face (same x and depth), whatever their level: the
 * racks as seen from above.
 */
export function rackFootprints(layout: LayoutView): FloorRect[] {
  const columns = new Map<string, { x: number; d: number; spans: Array<[number, number]> }>();
  for (let i = 0; i < layout.ids.length; i++) {
    const x = layout.x[i] ?? 0;
    const d = layout.d[i] ?? 0;
    const y = layout.y[i] ?? 0;
    const w = layout.w[i] ?? 0;
    const key = `${x.toFixed(2)}|${d.toFixed(2)}`;
    let column = columns.get(key);
    if (column === undefined) {
      column = { x, d, spans: [] };
      columns.set(key, column);
    }
    column.spans.push([y - w / 2, y + w / 2]);
  }
  const out: FloorRect[] = [];
  for (const { x, d, spans } of columns.values()) {
    spans.sort((a, b) => a[0] - b[0]);
    let start = spans[0]?.[0] ?? 0;
    let end = spans[0]?.[1] ?? 0;
    for (const [a, b] of spans) {
      if (a > end + JOIN_GAP_M) {
        out.push({ minX: x - d / 2, maxX: x + d / 2, minY: start, maxY: end });
        start = a;
      }
      end = Math.max(end, b);
    }
    if (spans.length > 0) out.push({ minX: x - d / 2, maxX: x + d / 2, minY: start, maxY: end });
  }
  return out;
}

/** Floor → map (SVG user units = metres, y flipped) for a site's bounds plus a margin. */
export interface MapFrame {
  /** SVG viewBox "minX minY width height". */
  readonly viewBox: string;
  readonly width: number;
  readonly height: number;
  /** Map x of a floor x. */
  readonly mx: (x: number) => number;
  /** Map y of a floor y (flipped: the front of the site is at the bottom). */
  readonly my: (y: number) => number;
}

/** The frame that shows `bounds` with `margin` metres around it. */
export function mapFrame(bounds: LayoutView['bounds'], margin: number): MapFrame {
  const width = bounds.maxX - bounds.minX + 2 * margin;
  const height = bounds.maxY - bounds.minY + 2 * margin;
  const left = bounds.minX - margin;
  const top = bounds.maxY + margin;
  return {
    viewBox: `0 0 ${width.toFixed(2)} ${height.toFixed(2)}`,
    width,
    height,
    mx: (x) => x - left,
    my: (y) => top - y,
  };
}
