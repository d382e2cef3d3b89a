/**
 * Exact money arithmetic for invoices (pure). Money is integer minor units (pence, cents). Quantities carry at most 3
 * decimals (cubic metres to the litre), unit prices at most 4 decimals of a minor unit; an amount is the exact product
 * rounded once, half away from zero, to a whole minor unit.
 */

/** Quantity in thousandths (integer). */
export const toMilli = (quantity: number): number => Math.round(quantity * 1000);
/** Price in ten-thousandths of a minor unit (integer). */
export const toMicroPrice = (unitPrice: number): number => Math.round(unitPrice * 10_000);

/** Rounds a quantity to 3 decimals (the precision quantities are kept at). */
export const roundQuantity = (quantity: number): number => toMilli(quantity) / 1000;
/** Rounds a unit price to 4 decimals of a minor unit, half away from zero. */
export const roundUnitPrice = (unitPrice: number): number => toMicroPrice(unitPrice) / 10_000;

/** Sum of quantities, exact at 3 decimals (no float drift over thousands of days or events). */
export function sumQuantities(quantities: Iterable<number>): number {
  let milli = 0;
  for (const q of quantities) milli += toMilli(q);
  return milli / 1000;
}

/** `numerator / denominator` rounded half away from zero, in BigInt (denominator > 0). */
function divRoundHalfAway(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n;
  const n = negative ? -numerator : numerator;
  const q = (n * 2n + denominator) / (denominator * 2n);
  return negative ? -q : q;
}

/** quantity × unitPrice in whole minor units: exact product, rounded once, half away from zero. */
export function amountOf(quantity: number, unitPrice: number): number {
  const product = BigInt(toMilli(quantity)) * BigInt(toMicroPrice(unitPrice));
  return Number(divRoundHalfAway(product, 10_000_000n));
}

/** `price × (100 + pct) / 100` or `price × pct / 100`, kept at 4 decimals of a minor unit. */
export function percentOf(unitPrice: number, pct: number): number {
  return roundUnitPrice((unitPrice * pct) / 100);
}

/** Minor units as a decimal string with two decimals: 12345 → "123.45", -5 → "-0.05". */
export function formatMinor(amount: number): string {
  const negative = amount < 0;
  const abs = Math.abs(amount);
  const text = `${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
  return negative ? `-${text}` : text;
}

/** A unit price in minor units as major units with up to 6 decimals, trailing zeros trimmed to at least 2. */
export function formatUnitPrice(unitPrice: number): string {
  const micro = toMicroPrice(unitPrice);
  const negative = micro < 0;
  const abs = Math.abs(micro);
  // micro = ten-thousandths of a minor unit = 1e-6 of a major unit.
  const whole = Math.floor(abs / 1_000_000);
  let frac = String(abs % 1_000_000).padStart(6, '0');
  while (frac.length > 2 && frac.endsWith('0')) frac = frac.slice(0, -1);
  return `${negative ? '-' : ''}${whole}.${frac}`;
}
