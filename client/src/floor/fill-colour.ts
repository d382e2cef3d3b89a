/**
 * The fill colour ramp shared by the 3D bins and the legend: dark slate blue for an empty bin through amber to a warm
 * red-orange when full, and a separate magenta for over capacity so it never reads as merely "very full".
 * Pure: colours are sRGB components 0..1 (the renderer converts to its working colour space).
 */

/** A ramp stop: fill percent and its sRGB colour as #rrggbb. */
export interface FillStop {
  readonly percent: number;
  readonly hex: string;
}

/** Ramp stops from empty to full, ascending by percent. */
export const FILL_STOPS: readonly FillStop[] = [
  { percent: 0, hex: '#2a3852' },
  { percent: 30, hex: '#4a6fa5' },
  { percent: 60, hex: '#f0c04a' },
  { percent: 85, hex: '#f08a35' },
  { percent: 100, hex: '#e0482c' },
];

/** Colour of a bin whose fill exceeds its capacity. */
export const OVER_CAPACITY_HEX = '#ff3fa4';

/** Colour of a bin before any fill is known (layout loaded, snapshot not yet arrived). */
export const UNKNOWN_FILL_HEX = '#3a3f48';

/** Mutable sRGB triple, components 0..1. */
export interface Rgb {
  r: number;
  g: number;
  b: number;
}

/** Parses `#rrggbb` into sRGB components 0..1. */
export function hexToRgb(hex: string, out: Rgb = { r: 0, g: 0, b: 0 }): Rgb {
  const v = Number.parseInt(hex.slice(1), 16);
  out.r = ((v >> 16) & 0xff) / 255;
  out.g = ((v >> 8) & 0xff) / 255;
  out.b = (v & 0xff) / 255;
  return out;
}

const stopsRgb = FILL_STOPS.map((s) => hexToRgb(s.hex));
const overRgb = hexToRgb(OVER_CAPACITY_HEX);

/** Colour for a fill percent (0..100; below 0 counts as empty, above 100 as over capacity), written into `out`. */
export function fillColour(percent: number, out: Rgb = { r: 0, g: 0, b: 0 }): Rgb {
  if (percent > 100) {
    out.r = overRgb.r;
    out.g = overRgb.g;
    out.b = overRgb.b;
    return out;
  }
  const p = Math.max(0, Number.isFinite(percent) ? percent : 0);
  for (let k = 1; k < FILL_STOPS.length; k++) {
    const hi = FILL_STOPS[k];
    const lo = FILL_STOPS[k - 1];
    const a = stopsRgb[k - 1];
    const b = stopsRgb[k];
    if (hi === undefined || lo === undefined || a === undefined || b === undefined) break;
    if (p <= hi.percent) {
      const t = (p - lo.percent) / (hi.percent - lo.percent);
      out.r = a.r + (b.r - a.r) * t;
      out.g = a.g + (b.g - a.g) * t;
      out.b = a.b + (b.b - a.b) * t;
      return out;
    }
  }
  return hexToRgb(FILL_STOPS[FILL_STOPS.length - 1]?.hex ?? OVER_CAPACITY_HEX, out);
}

/** A CSS `linear-gradient` of the ramp, left = empty, right = full, for the legend. */
export function fillGradientCss(): string {
  return `linear-gradient(to right, ${FILL_STOPS.map((s) => `${s.hex} ${s.percent}%`).join(', ')})`;
}
