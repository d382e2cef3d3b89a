/**
 * What a pack-station scan means, without React: an item barcode as printed, or a GS1 element string carrying a
 * (01) GTIN — parenthesised, raw with GS (ASCII 29) separators, or prefixed by an AIM symbology id such as `]C1`.
 * Keyboard-wedge scanners send the code then Enter; the page passes the text without the Enter. The GS1 rules are the
 * twin's own (server/twin/barcodes/gs1.ts, pure), so the station and the server read a scan the same way.
 */
import { gtinMatches, hasValidCheckDigit, looksLikeGs1, parseGs1 } from '../../../server/twin/barcodes/gs1.ts';

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
  /** A GTIN whose check digit is wrong, or a GS1 string that does not parse: a misread, to be scanned again. */
  | { readonly kind: 'misread'; readonly code: string };

const isGtin = (code: string): boolean => /^(\d{8}|\d{12}|\d{13}|\d{14})$/.test(code);

/**
 * Resolves a scan against the expected items: the exact barcode first, then the GTIN (from a GS1 element string's
 * (01), or a bare 8–14 digit code) compared as GTIN-14, so a UPC-A scanned as EAN-13 still matches.
 */
export function matchScan(raw: string, targets: readonly ScanTarget[]): ScanMatch {
  const code = raw.trim();
  const exact = targets.find((t) => t.barcode === code);
  if (exact !== undefined) return { kind: 'item', skuId: exact.skuId };
  let gtin: string | undefined;
  if (isGtin(code)) {
    if (!hasValidCheckDigit(code)) return { kind: 'misread', code };
    gtin = code;
  } else if (looksLikeGs1(code)) {
    const parsed = parseGs1(code);
    if (!parsed.ok) return { kind: 'misread', code };
    gtin = parsed.gtin;
  }
  if (gtin === undefined) return { kind: 'not-in-order', code };
  const byGtin = targets.find((t) => gtinMatches(gtin, t.barcode));
  return byGtin === undefined ? { kind: 'not-in-order', code } : { kind: 'item', skuId: byGtin.skuId };
}
