/**
 * Shipping cartons and the carton suggestion at the pack bench. Pure: metres and kilograms, no I/O.
 */

/** A shipping carton: inner dimensions (m), the most it may weigh in total (kg) and its own weight (kg). */
export interface Carton {
  readonly code: string;
  readonly lengthM: number;
  readonly widthM: number;
  readonly heightM: number;
  readonly maxWeightKg: number;
  readonly tareKg: number;
}

/** The cartons a site has unless it configures its own: a mailer and four common box sizes. */
export const DEFAULT_CARTONS: readonly Carton[] = [
  { code: 'S1', lengthM: 0.25, widthM: 0.18, heightM: 0.05, maxWeightKg: 2, tareKg: 0.05 },
  { code: 'M1', lengthM: 0.3, widthM: 0.22, heightM: 0.15, maxWeightKg: 10, tareKg: 0.2 },
  { code: 'M2', lengthM: 0.4, widthM: 0.3, heightM: 0.2, maxWeightKg: 15, tareKg: 0.35 },
  { code: 'L1', lengthM: 0.5, widthM: 0.4, heightM: 0.3, maxWeightKg: 25, tareKg: 0.6 },
  { code: 'XL1', lengthM: 0.6, widthM: 0.5, heightM: 0.45, maxWeightKg: 30, tareKg: 0.9 },
];

/** Units to pack: one unit's dimensions (m) and weight (kg), times qty. */
export interface PackItem {
  readonly lengthM: number;
  readonly widthM: number;
  readonly heightM: number;
  readonly weightKg: number;
  readonly qty: number;
}

/**
 * The suggested carton with how full it gets (items' volume / carton volume) and the gross weight (items + tare, kg);
 * or why none fits, with the items' volume (m³) and net weight (kg).
 */
export type CartonSuggestion =
  | { ok: true; carton: Carton; fillRatio: number; weightKg: number }
  | { ok: false; reason: string; volumeM3: number; weightKg: number };

/** Share of a carton's volume items really fill: boxes never pack perfectly. */
export const PACKING_EFFICIENCY = 0.85;

// Floating-point slack so an item exactly as long as the carton still fits.
const EPS = 1e-9;

const volumeOf = (d: { lengthM: number; widthM: number; heightM: number }): number => d.lengthM * d.widthM * d.heightM;
const sortedDims = (d: { lengthM: number; widthM: number; heightM: number }): [number, number, number] => {
  const [a, b, c] = [d.lengthM, d.widthM, d.heightM].sort((x, y) => y - x);
  return [a ?? 0, b ?? 0, c ?? 0];
};

function badItem(item: PackItem): string | undefined {
  const dims = [item.lengthM, item.widthM, item.heightM];
  if (!dims.every((x) => Number.isFinite(x) && x > 0)) return 'item dimensions must be positive numbers';
  if (!Number.isFinite(item.weightKg) || item.weightKg < 0) return 'item weight must be a non-negative number';
  if (!Number.isInteger(item.qty) || item.qty < 0) return 'item qty must be a non-negative integer';
  return undefined;
}

/**
 * The smallest carton (by volume; ties by code) that takes the items: its volume ≥ the items' volume / 0.85, the items
 * plus its tare weigh no more than its maximum, and every item fits on its own (each sorted dimension of the carton ≥
 * the largest corresponding sorted dimension over the items). Deterministic.
 */
export function suggestCarton(items: readonly PackItem[], cartons: readonly Carton[] = DEFAULT_CARTONS): CartonSuggestion {
  let volumeM3 = 0;
  let weightKg = 0;
  const need: [number, number, number] = [0, 0, 0];
  for (const item of items) {
    const problem = badItem(item);
    if (problem !== undefined) return { ok: false, reason: problem, volumeM3: 0, weightKg: 0 };
    if (item.qty === 0) continue;
    volumeM3 += volumeOf(item) * item.qty;
    weightKg += item.weightKg * item.qty;
    sortedDims(item).forEach((d, k) => (need[k] = Math.max(need[k] ?? 0, d)));
  }
  if (volumeM3 === 0) return { ok: false, reason: 'nothing to pack', volumeM3, weightKg };

  const byVolume = [...cartons].sort((a, b) => volumeOf(a) - volumeOf(b) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  const roomy = (c: Carton): boolean => volumeOf(c) + EPS >= volumeM3 / PACKING_EFFICIENCY;
  const strong = (c: Carton): boolean => weightKg + c.tareKg <= c.maxWeightKg + EPS;
  const fitsEach = (c: Carton): boolean => sortedDims(c).every((d, k) => d + EPS >= (need[k] ?? 0));
  const carton = byVolume.find((c) => roomy(c) && strong(c) && fitsEach(c));
  if (carton !== undefined) {
    return { ok: true, carton, fillRatio: volumeM3 / volumeOf(carton), weightKg: weightKg + carton.tareKg };
  }

  // Name every constraint no carton meets on its own, else say they clash.
  const reasons: string[] = [];
  if (!byVolume.some(fitsEach)) reasons.push('an item is larger than every carton');
  if (!byVolume.some(roomy)) reasons.push(`${volumeM3.toFixed(4)} m³ needs more room than any carton`);
  if (!byVolume.some(strong)) reasons.push(`${weightKg.toFixed(2)} kg is heavier than any carton takes`);
  const reason = reasons.length > 0 ? reasons.join('; ') : 'no single carton is both large and strong enough';
  return { ok: false, reason, volumeM3, weightKg };
}
