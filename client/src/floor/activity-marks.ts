/**
 * Where the floor draws an activity marker for each bin: above the top of its rack column (so a ring on a low level
 * is not hidden inside the rack), with a beam down to the bin itself. Index −1 (the dock, the returns desk) is the
 * depot on the floor. Floor coordinates, metres; computed once per layout.
 */
import type { LayoutView } from '../../../server/protocol/floor.ts';

/** Per layout index i: `x[i]`, `y[i]` (floor), `top[i]` (column top, z) and `bin[i]` (the bin's centre height, z). */
export interface MarkerPlaces {
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly top: Float32Array;
  readonly bin: Float32Array;
  readonly depot: { readonly x: number; readonly y: number };
}

/** Bins whose centres are within 1 cm share a column. */
const columnKey = (x: number, y: number): string => `${Math.round(x * 100)},${Math.round(y * 100)}`;

/** The marker places of a layout (see the file comment). */
export function markerPlaces(layout: LayoutView): MarkerPlaces {
  const n = layout.ids.length;
  const tops = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const key = columnKey(layout.x[i] ?? 0, layout.y[i] ?? 0);
    const top = (layout.z[i] ?? 0) + (layout.h[i] ?? 0);
    tops.set(key, Math.max(tops.get(key) ?? 0, top));
  }
  const places: MarkerPlaces = { x: new Float32Array(n), y: new Float32Array(n), top: new Float32Array(n), bin: new Float32Array(n), depot: layout.depot };
  for (let i = 0; i < n; i++) {
    const x = layout.x[i] ?? 0;
    const y = layout.y[i] ?? 0;
    places.x[i] = x;
    places.y[i] = y;
    places.top[i] = tops.get(columnKey(x, y)) ?? 0;
    places.bin[i] = (layout.z[i] ?? 0) + (layout.h[i] ?? 0) / 2;
  }
  return places;
}
