/** Where to label the aisles: one label per distinct aisle centreline, numbered from the left as in the rack-aisle spec. */

/** A label position in floor metres. */
export interface AisleLabel {
  readonly text: string;
  readonly x: number;
  readonly y: number;
}

/**
 * Finds the aisles among the walkable segments (those running along y), numbers them by ascending x
 * (aisle 1 at the smallest x, as in the rack-aisle spec) and places each label `offsetM` in front of the aisle's start.
 */
export function aisleLabels(segments: readonly number[], offsetM = 2.2): AisleLabel[] {
  const fronts = new Map<number, number>();
  for (let k = 0; k + 3 < segments.length; k += 4) {
    const x1 = segments[k] ?? 0;
    const y1 = segments[k + 1] ?? 0;
    const x2 = segments[k + 2] ?? 0;
    const y2 = segments[k + 3] ?? 0;
    if (Math.abs(x2 - x1) > 1e-6 || Math.abs(y2 - y1) < 1e-6) continue;
    // Round so the pieces of one aisle (split at junctions and access points) share a key.
    const key = Math.round(x1 * 100) / 100;
    fronts.set(key, Math.min(fronts.get(key) ?? Infinity, y1, y2));
  }
  const xs = [...fronts.keys()].sort((a, b) => a - b);
  const digits = Math.max(2, String(xs.length).length);
  return xs.map((x, i) => ({ text: `A${String(i + 1).padStart(digits, '0')}`, x, y: (fronts.get(x) ?? 0) - offsetM }));
}
