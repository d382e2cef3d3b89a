/**
 * What a pack-station scan means, without React: an item barcode as printed, or a GS1 element string carrying a
 * (01) GTIN — parenthesised, raw with GS (ASCII 29) separators, or prefixed by an AIM symbology id such as `]C1`.
 * Keyboard-wedge scanners send the code then Enter; the page passes the text without the Enter.
 */

/** ASCII 29, the FNC1 separator a scanner sends between variable-length GS1 elements. */
const GS = '\u001d';

/** AIM symbology identifiers scanners may prefix: GS1-128, GS1 DataMatrix, GS1 QR, GS1 DataBar. */
const SYMBOLOGY_ID = /^\](C1|d2|Q3|e0)/;

/** Fixed lengths (data characters after the AI) of the AIs a logistics label or item carries. */
const FIXED: Readonly<Record<string, number>> = {
  '00': 18, '01': 14, '02': 14, '11': 6, '12': 6, '13': 6, '15': 6, '16': 6, '17': 6, '20': 2,
  '402': 17, '410': 13, '411': 13, '412': 13, '413': 13, '414': 13,
};
/** Variable-length AIs (terminated by GS unless last). */
const VARIABLE = new Set(['10', '21', '30', '37', '240', '241', '400', '401', '403']);

/** GS1 check digit of `data` (the digits without the check digit): weights 3,1,3,… from the right. */
export function gs1CheckDigit(data: string): number {
  let sum = 0;
  for (let i = 0; i < data.length; i++) {
    const digit = data.charCodeAt(data.length - 1 - i) - 48;
    sum += digit * (i % 2 === 0 ? 3 : 1);
  }
  return (10 - (sum % 10)) % 10;
}

/** True when `key` is all digits and its last digit is the GS1 check digit of the rest. */
export function hasValidCheckDigit(key: string): boolean {
  return /^\d{2,}$/.test(key) && gs1CheckDigit(key.slice(0, -1)) === Number(key.slice(-1));
}

/** A GTIN-8/12/13/14 as a 14-digit GTIN (left-padded with zeros); null when `code` is not a GTIN. */
export function asGtin14(code: string): string | null {
  if (!/^(\d{8}|\d{12}|\d{13}|\d{14})$/.test(code)) return null;
  return code.padStart(14, '0');
}

/** One GS1 element string split into AI → value; null when it is not one (or a fixed-length value is cut short). */
export function parseGs1(raw: string): Map<string, string> | null {
  let text = raw.replace(SYMBOLOGY_ID, '');
  const out = new Map<string, string>();
  if (text.startsWith('(')) {
    // Human-readable form: (AI)value(AI)value…
    const element = /\((\d{2,4})\)([^(]*)/g;
    let consumed = 0;
    for (let m = element.exec(text); m !== null; m = element.exec(text)) {
      if (m.index !== consumed) return null;
      out.set(m[1] ?? '', (m[2] ?? '').replaceAll(GS, ''));
      consumed = m.index + m[0].length;
    }
    return consumed === text.length && out.size > 0 ? out : null;
  }
  if (text.startsWith(GS)) text = text.slice(1);
  while (text.length > 0) {
    const ai = aiAt(text);
    if (ai === null) return null;
    text = text.slice(ai.length);
    const fixed = FIXED[ai] ?? (/^3[1-6]\d\d$/.test(ai) ? 6 : undefined);
    if (fixed !== undefined) {
      const value = text.slice(0, fixed);
      if (value.length !== fixed) return null;
      out.set(ai, value);
      text = text.slice(fixed);
      if (text.startsWith(GS)) text = text.slice(1);
    } else {
      const end = text.indexOf(GS);
      out.set(ai, end < 0 ? text : text.slice(0, end));
      text = end < 0 ? '' : text.slice(end + 1);
    }
  }
  return out.size > 0 ? out : null;
}

/** The AI at the start of `text` (2, 3 or 4 digits), or null when none we know of starts there. */
function aiAt(text: string): string | null {
  for (const length of [2, 3, 4]) {
    const ai = text.slice(0, length);
    if (FIXED[ai] !== undefined || VARIABLE.has(ai) || (length === 4 && /^3[1-6]\d\d$/.test(ai))) return ai;
  }
  return null;
}

/** An expected item as far as scanning is concerned. */
export interface ScanTarget {
  readonly skuId: string;
  readonly barcode: string;
}

/** What one scan resolved to. */
export type ScanMatch =
  | { readonly kind: 'item'; readonly skuId: string }
  /** A well-formed code of something that is not in this order. */
  | { readonly kind: 'not-in-order'; readonly code: string }
  /** A GTIN whose check digit is wrong: a misread, to be scanned again. */
  | { readonly kind: 'misread'; readonly code: string };

/**
 * Resolves a scan against the expected items: the exact barcode first, then the GTIN (from a GS1 element string's
 * (01), or a bare 8–14 digit code) compared as GTIN-14, so a UPC-A scanned as EAN-13 still matches.
 */
export function matchScan(raw: string, targets: readonly ScanTarget[]): ScanMatch {
  const code = raw.trim();
  const exact = targets.find((t) => t.barcode === code);
  if (exact !== undefined) return { kind: 'item', skuId: exact.skuId };

  const gs1 = /^\d+$/.test(code) && asGtin14(code) !== null ? null : parseGs1(code);
  const gtin = gs1 === null ? (asGtin14(code) === null ? undefined : code) : gs1.get('01');
  if (gtin === undefined) return { kind: 'not-in-order', code };
  const gtin14 = asGtin14(gtin);
  if (gtin14 === null || !hasValidCheckDigit(gtin14)) return { kind: 'misread', code };
  const byGtin = targets.find((t) => asGtin14(t.barcode) === gtin14);
  return byGtin === undefined ? { kind: 'not-in-order', code } : { kind: 'item', skuId: byGtin.skuId };
}
