/**
 * Scanning serial numbers on a handheld, without React (twin SPEC R77–R79): one distinct serial per unit, removable
 * when scanned by mistake, and what a refused scan says. Shared by the picker (`/picker`) and the stock handheld
 * (`/stock`: receive, returns, transfers). The twin decides whether a serial is known; this only keeps the list sane.
 */

/** A serial as the twin takes it (R77): 1–64 printable characters, no spaces. */
export const SERIAL_RE = /^[\x21-\x7e]{1,64}$/;

/** What one serial scan did. */
export type SerialScanOutcome =
  | { readonly kind: 'added'; readonly serial: string }
  | { readonly kind: 'duplicate'; readonly serial: string }
  | { readonly kind: 'full'; readonly max: number }
  | { readonly kind: 'invalid'; readonly serial: string };

/** Adds one scanned serial to a list: each serial once, at most `max` (the units). */
export function addSerial(serials: readonly string[], raw: string, max: number): { serials: readonly string[]; outcome: SerialScanOutcome } {
  const serial = raw.trim();
  if (!SERIAL_RE.test(serial)) return { serials, outcome: { kind: 'invalid', serial } };
  if (serials.includes(serial)) return { serials, outcome: { kind: 'duplicate', serial } };
  if (serials.length >= max) return { serials, outcome: { kind: 'full', max } };
  return { serials: [...serials, serial], outcome: { kind: 'added', serial } };
}

/** Removes a serial scanned by mistake. */
export const removeSerial = (serials: readonly string[], serial: string): readonly string[] => serials.filter((s) => s !== serial);

/** What a refused serial scan says, with the twin's code for the same mistake; null when it was taken. */
export function serialRefusal(outcome: SerialScanOutcome): { text: string; code: string } | null {
  switch (outcome.kind) {
    case 'added':
      return null;
    case 'duplicate':
      return { text: `Serial ${outcome.serial} is scanned already.`, code: 'DUPLICATE_SERIAL' };
    case 'full':
      return { text: `All ${outcome.max} serials are scanned.`, code: 'INVALID_QUANTITY' };
    case 'invalid':
      return { text: `"${outcome.serial}" is not a serial (1–64 characters, no spaces).`, code: 'INVALID_SCAN' };
  }
}
