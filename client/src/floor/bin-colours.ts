/**
 * Bin colours of the floor's colour modes other than fill (fill keeps its ramp in `fill-colour.ts`), shared by the 3D
 * bins and the legend: ABC velocity class, pick heat, replenishment needed and client (3PL owner).
 * Pure: colours are sRGB components 0..1 (the renderer converts to its working colour space).
 */
import type { BinAttributesView } from '../../../server/protocol/floor.ts';
import type { ColourMode } from '../net/bin-attributes.ts';
import { UNKNOWN_FILL_HEX, fillColour, hexToRgb, type Rgb } from './fill-colour.ts';

/** A bin with nothing in it (client and ABC modes), or no picks in the window (heat). */
export const EMPTY_BIN_HEX = '#262c35';

/** A (fast movers), B, C: hot to cool so the fast pick faces stand out. */
export const ABC_CLASSES: readonly { readonly label: string; readonly hex: string }[] = [
  { label: 'A', hex: '#e8543a' },
  { label: 'B', hex: '#f0c04a' },
  { label: 'C', hex: '#4a6fa5' },
];

/** Pick heat ramp stops, `at` = share of the hottest bin's picks (0..1). */
export const HEAT_STOPS: readonly { readonly at: number; readonly hex: string }[] = [
  { at: 0, hex: '#23375e' },
  { at: 0.25, hex: '#3f6fc0' },
  { at: 0.5, hex: '#b84f9a' },
  { at: 0.75, hex: '#f08a35' },
  { at: 1, hex: '#ffe45c' },
];

/** Needs replenishing now, versus stocked enough or not wanted. */
export const REPLENISH_HEX = '#ff4d2e';
export const REPLENISH_OK_HEX = '#3f4a58';

/** Clients, by index in the answer's tenant list (cycled beyond ten): a categorical palette (Tableau 10). */
export const CLIENT_PALETTE: readonly string[] = [
  '#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#b07aa1', '#76b7b2', '#edc948', '#ff9da7', '#9c755f', '#bab0ac',
];

const parsed = new Map<string, Rgb>();
function rgbOf(hex: string): Rgb {
  let rgb = parsed.get(hex);
  if (rgb === undefined) {
    rgb = hexToRgb(hex);
    parsed.set(hex, rgb);
  }
  return rgb;
}

function copy(from: Rgb, out: Rgb): Rgb {
  out.r = from.r;
  out.g = from.g;
  out.b = from.b;
  return out;
}

/** Colour of a client (tenant index ≥ 0). */
export function clientHex(tenantIndex: number): string {
  return CLIENT_PALETTE[tenantIndex % CLIENT_PALETTE.length] ?? CLIENT_PALETTE[0] ?? EMPTY_BIN_HEX;
}

/** Heat colour for `picks` out of the hottest bin's `maxPicks`; no picks is the empty colour. */
export function heatColour(picks: number, maxPicks: number, out: Rgb = { r: 0, g: 0, b: 0 }): Rgb {
  if (!(picks > 0) || !(maxPicks > 0)) return copy(rgbOf(EMPTY_BIN_HEX), out);
  const t = Math.min(1, picks / maxPicks);
  for (let k = 1; k < HEAT_STOPS.length; k++) {
    const hi = HEAT_STOPS[k];
    const lo = HEAT_STOPS[k - 1];
    if (hi === undefined || lo === undefined) break;
    if (t <= hi.at) {
      const a = rgbOf(lo.hex);
      const b = rgbOf(hi.hex);
      const u = (t - lo.at) / (hi.at - lo.at);
      out.r = a.r + (b.r - a.r) * u;
      out.g = a.g + (b.g - a.g) * u;
      out.b = a.b + (b.b - a.b) * u;
      return out;
    }
  }
  return copy(rgbOf(HEAT_STOPS[HEAT_STOPS.length - 1]?.hex ?? EMPTY_BIN_HEX), out);
}

/** A CSS gradient of the heat ramp for the legend. */
export function heatGradientCss(): string {
  return `linear-gradient(to right, ${HEAT_STOPS.map((s) => `${s.hex} ${s.at * 100}%`).join(', ')})`;
}

/**
 * Colour of bin `i` in `mode`, written into `out`. `fillPercent` serves the fill mode; the others read `attributes`
 * (null while loading: the unknown grey) with `maxHeat` the hottest bin's picks.
 */
export function binColour(
  mode: ColourMode,
  i: number,
  fillPercent: number,
  attributes: BinAttributesView | null,
  maxHeat: number,
  out: Rgb = { r: 0, g: 0, b: 0 },
): Rgb {
  if (mode === 'fill') return fillColour(fillPercent, out);
  if (attributes === null) return copy(rgbOf(UNKNOWN_FILL_HEX), out);
  switch (mode) {
    case 'abc': {
      const cls = ABC_CLASSES[attributes.abc[i] ?? -1];
      return copy(rgbOf(cls === undefined ? EMPTY_BIN_HEX : cls.hex), out);
    }
    case 'heat':
      return heatColour(attributes.heat[i] ?? 0, maxHeat, out);
    case 'replenish':
      return copy(rgbOf(attributes.replenish[i] === 1 ? REPLENISH_HEX : REPLENISH_OK_HEX), out);
    case 'client': {
      const tenant = attributes.tenant[i] ?? -1;
      return copy(rgbOf(tenant < 0 ? EMPTY_BIN_HEX : clientHex(tenant)), out);
    }
  }
}

/** An sRGB colour as a 24-bit integer (8 bits a channel), for cheap "did this bin's colour change" checks. */
export function rgbKey(c: Rgb): number {
  const q = (v: number): number => Math.max(0, Math.min(255, Math.round(v * 255)));
  return (q(c.r) << 16) | (q(c.g) << 8) | q(c.b);
}
