/**
 * The pack station's check of one order, without React: expected units per SKU, ticked off one scan at a time.
 * Immutable: every step returns a new session, so React state and tests see plain values.
 */
import type { CartonView } from './pack-api.ts';
import { matchScan } from './scan.ts';

/** One SKU of the order being packed. */
export interface PackLine {
  readonly skuId: string;
  readonly description: string;
  readonly barcode: string;
  /** Units picked for the order, i.e. the units expected in the carton. */
  readonly expected: number;
  /** Units scanned so far at the pack station. */
  readonly scanned: number;
}

/** The order under check. */
export interface PackSession {
  readonly orderId: string;
  readonly lines: readonly PackLine[];
}

/** What a scan did. */
export type ScanOutcome =
  | { readonly kind: 'ticked'; readonly line: PackLine }
  /** The item is in the order but every unit of it is already scanned: nothing ticked. */
  | { readonly kind: 'over'; readonly line: PackLine }
  | { readonly kind: 'not-in-order'; readonly code: string }
  | { readonly kind: 'misread'; readonly code: string }
  | { readonly kind: 'empty' };

/** A fresh session: nothing scanned. */
export function startSession(orderId: string, items: readonly { skuId: string; description: string; barcode: string; qty: number }[]): PackSession {
  return { orderId, lines: items.map((item) => ({ skuId: item.skuId, description: item.description, barcode: item.barcode, expected: item.qty, scanned: 0 })) };
}

/** Applies one scan: ticks one unit of the matching SKU, or says why not (and changes nothing). */
export function scanItem(session: PackSession, raw: string): { session: PackSession; outcome: ScanOutcome } {
  if (raw.trim() === '') return { session, outcome: { kind: 'empty' } };
  const match = matchScan(raw, session.lines);
  if (match.kind !== 'item') return { session, outcome: match };
  const line = session.lines.find((l) => l.skuId === match.skuId);
  if (line === undefined) return { session, outcome: { kind: 'not-in-order', code: raw.trim() } };
  if (line.scanned >= line.expected) return { session, outcome: { kind: 'over', line } };
  const ticked = { ...line, scanned: line.scanned + 1 };
  return { session: { ...session, lines: session.lines.map((l) => (l === line ? ticked : l)) }, outcome: { kind: 'ticked', line: ticked } };
}

/** Takes one scanned unit of `skuId` back off (a unit put aside after all). */
export function untick(session: PackSession, skuId: string): PackSession {
  return { ...session, lines: session.lines.map((l) => (l.skuId === skuId && l.scanned > 0 ? { ...l, scanned: l.scanned - 1 } : l)) };
}

/** Units still to scan. */
export function remainingUnits(session: PackSession): number {
  return session.lines.reduce((sum, l) => sum + Math.max(0, l.expected - l.scanned), 0);
}

/** True when every expected unit is scanned. */
export function isComplete(session: PackSession): boolean {
  return session.lines.length > 0 && remainingUnits(session) === 0;
}

/** What the server checks against the picked units: one entry per scanned SKU, by its barcode. */
export function scannedItemsOf(session: PackSession): { code: string; qty: number }[] {
  return session.lines.filter((l) => l.scanned > 0).map((l) => ({ code: l.barcode, qty: l.scanned }));
}

/** A one-line message for a scan, for the live region. */
export function describeOutcome(outcome: ScanOutcome): string {
  switch (outcome.kind) {
    case 'ticked':
      return `${outcome.line.description}: ${outcome.line.scanned} of ${outcome.line.expected}`;
    case 'over':
      return `Too many: all ${outcome.line.expected} of ${outcome.line.description} are already scanned. Put this one aside.`;
    case 'not-in-order':
      return `Wrong item: ${outcome.code} is not in this order. Put it aside.`;
    case 'misread':
      return `Misread: ${outcome.code} has a bad check digit. Scan it again.`;
    case 'empty':
      return 'Nothing scanned.';
  }
}

/** A carton for the select: "M2 · 40 × 30 × 20 cm · up to 15 kg". */
export function describeCarton(carton: CartonView): string {
  const cm = (m: number): string => String(Math.round(m * 1000) / 10);
  const kg = String(Math.round(carton.maxWeightKg * 10) / 10);
  return `${carton.code} · ${cm(carton.lengthM)} × ${cm(carton.widthM)} × ${cm(carton.heightM)} cm · up to ${kg} kg`;
}

/** How far the scale may differ from the estimate before the packer is asked to check the carton (a share). */
export const WEIGHT_TOLERANCE = 0.25;

/**
 * Compares the scale with the estimate (items + carton): 'light' or 'heavy' past ±25 % hints at a missing or extra
 * item, or a wrong unit on the scale. Advice only: the packer may still pack.
 */
export function weightCheck(weightG: number, estimatedG: number): 'ok' | 'light' | 'heavy' {
  if (!(estimatedG > 0) || !(weightG > 0)) return 'ok';
  if (weightG < estimatedG * (1 - WEIGHT_TOLERANCE)) return 'light';
  if (weightG > estimatedG * (1 + WEIGHT_TOLERANCE)) return 'heavy';
  return 'ok';
}

/** What was typed into the weight field: grams, or a barcode a scanner typed there (the field had focus). */
export type WeightEntry = { readonly kind: 'grams'; readonly grams: number } | { readonly kind: 'scan'; readonly code: string } | { readonly kind: 'invalid' };

/**
 * Reads the weight field: 1–7 digits are grams (under 10 t); 8 characters or more are a scan (no parcel weighs
 * that much), so a barcode scanned while the weight field has focus is checked as an item, not taken as a weight.
 */
export function readWeightField(text: string): WeightEntry {
  const t = text.trim();
  if (/^\d{1,7}$/.test(t) && Number(t) > 0) return { kind: 'grams', grams: Number(t) };
  if (t.length >= 8) return { kind: 'scan', code: t };
  return { kind: 'invalid' };
}
