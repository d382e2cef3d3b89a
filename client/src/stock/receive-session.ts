/**
 * Receiving at the dock, without React: which ASN line a scanned item counts against (the twin's rule, R43), how many
 * units would be over what the line still expects, and the receipt request once the operative's entries are valid.
 * Damaged units and units over the ASN each need a reason (R43); the twin takes one `reason`, so both are sent in it,
 * labelled. A serial-tracked item (R77) is received by scanning one serial per unit: the units are the serials scanned
 * (no number is typed), and a label that carries a count (GS1 (37)) must match them. Nothing here talks to the server.
 */
import type { AsnLineView, AsnView, CatalogueItem, CatalogueLookup, ReceiptRequest } from './stock-api.ts';

/** The ASN line a receipt counts against: same SKU and lot, else the SKU's line without lot, else its first (R43). */
export function matchAsnLine(asn: AsnView, skuId: string, lot: string): AsnLineView | undefined {
  const ofSku = asn.lines.filter((l) => l.skuId === skuId);
  return ofSku.find((l) => lot !== '' && l.lot === lot) ?? ofSku.find((l) => l.lot === null) ?? ofSku[0];
}

/** Units a line still expects. */
export const outstandingOf = (line: AsnLineView): number => Math.max(0, line.expectedQty - line.receivedQty);

/**
 * Units of this receipt beyond what the ASN expects: the excess over the matched line's outstanding units, or every
 * unit of a SKU the ASN does not list. A blind receipt (no ASN) has no "over".
 */
export function overQtyOf(asn: AsnView | null, skuId: string, lot: string, qty: number): number {
  if (asn === null) return 0;
  const line = matchAsnLine(asn, skuId, lot);
  return line === undefined ? qty : Math.max(0, qty - outstandingOf(line));
}

/**
 * The item a scan names for this receipt: the match of the ASN's client (or the chosen client of a blind receipt);
 * with no client chosen yet, the only match. Else a message saying why not.
 */
export function itemFor(lookup: CatalogueLookup, tenantId: string | null): { ok: true; item: CatalogueItem } | { ok: false; message: string } {
  if (tenantId !== null) {
    const item = lookup.matches.find((m) => m.tenantId === tenantId);
    if (item !== undefined) return { ok: true, item };
    const owners = [...new Set(lookup.matches.map((m) => m.tenantName))].join(', ');
    return { ok: false, message: `${lookup.code} is an item of ${owners}, not of this client. Nothing received — set it aside.` };
  }
  const only = lookup.matches.length === 1 ? lookup.matches[0] : undefined;
  if (only !== undefined) return { ok: true, item: only };
  return { ok: false, message: `${lookup.code} is an item of several clients: choose the client first.` };
}

/** What the operative entered for one receipt. Quantities are the fields' text. */
export interface ReceiptEntry {
  readonly receiptId: string;
  /** Null for a blind receipt. */
  readonly asn: AsnView | null;
  /** The client of a blind receipt (ignored with an ASN). */
  readonly tenantId: string | null;
  /** The scanned code as typed by the scanner (GS1 element string or barcode). */
  readonly scan: string;
  readonly lookup: CatalogueLookup;
  readonly item: CatalogueItem;
  readonly qty: string;
  readonly damagedQty: string;
  readonly damagedReason: string;
  readonly overReason: string;
  /** Lot and expiry typed by hand (a lot-tracked item scanned without them); the scan's win when both exist. */
  readonly lot: string;
  readonly expiry: string;
  /** Serials scanned, one per unit, for a serial-tracked item (ignored otherwise). */
  readonly serials: readonly string[];
}

/** The fields a receipt can be refused on, so the page can focus the right one. */
export type ReceiptField = 'qty' | 'damagedQty' | 'damagedReason' | 'overReason' | 'lot' | 'expiry' | 'client' | 'serials';

export type ReceiptPlan =
  | { readonly ok: true; readonly request: ReceiptRequest; readonly qty: number; readonly damagedQty: number; readonly overQty: number }
  | { readonly ok: false; readonly field: ReceiptField; readonly message: string };

const wholeNumber = (text: string): number | null => (/^\d{1,7}$/.test(text.trim()) ? Number(text.trim()) : null);
const refuse = (field: ReceiptField, message: string): ReceiptPlan => ({ ok: false, field, message });

/**
 * Units in the receipt: for a serial-tracked item the serials scanned; else the typed quantity, else the scan's count
 * (GS1 AI 37 / 30).
 */
export function receiptQty(entry: Pick<ReceiptEntry, 'qty' | 'lookup' | 'item' | 'serials'>): number | null {
  if (entry.item.serialTracked) return entry.serials.length;
  return entry.qty.trim() === '' ? entry.lookup.qty : wholeNumber(entry.qty);
}

/** Serials a serial-tracked receipt expects: the label's count when it carries one, else as many as are scanned. */
export const serialsExpected = (lookup: CatalogueLookup): number | null => lookup.qty;

/** Checks an entry and builds the request, or names the field to fix (nothing is sent then). */
export function planReceipt(entry: ReceiptEntry): ReceiptPlan {
  const tenantId = entry.asn?.tenantId ?? entry.tenantId;
  if (tenantId === null) return refuse('client', 'Choose the client of this delivery (no ASN).');
  const qty = receiptQty(entry);
  if (entry.item.serialTracked) {
    if (qty === 0) return refuse('serials', `${entry.item.description} is serial-tracked: scan the serial of each unit received.`);
    const expected = serialsExpected(entry.lookup);
    if (expected !== null && expected !== qty) return refuse('serials', `The label says ${expected} units: ${qty} serial${qty === 1 ? ' is' : 's are'} scanned. Scan one serial per unit.`);
  }
  if (qty === null || qty < 1) return refuse('qty', 'Enter how many units arrived (a whole number, at least 1).');
  const damagedQty = entry.damagedQty.trim() === '' ? 0 : wholeNumber(entry.damagedQty);
  if (damagedQty === null || damagedQty > qty) return refuse('damagedQty', `Damaged units must be a whole number from 0 to ${qty}.`);
  const lot = entry.lookup.lot ?? entry.lot.trim();
  const expiry = entry.lookup.expiry ?? entry.expiry.trim();
  const asnLine = entry.asn === null ? undefined : matchAsnLine(entry.asn, entry.item.skuId, lot);
  if (entry.item.lotTracked && lot === '' && (asnLine?.lot ?? null) === null) return refuse('lot', `${entry.item.description} is lot-tracked: enter the lot (or scan the GS1 label with (10)).`);
  if (!entry.item.lotTracked && entry.lot.trim() !== '' && entry.lookup.lot === null) return refuse('lot', `${entry.item.description} is not lot-tracked: leave the lot empty.`);
  if (expiry !== '' && !/^\d{4}-\d{2}-\d{2}$/.test(expiry)) return refuse('expiry', 'Expiry must be a date YYYY-MM-DD.');
  const overQty = overQtyOf(entry.asn, entry.item.skuId, lot, qty);
  const damagedReason = entry.damagedReason.trim();
  const overReason = entry.overReason.trim();
  if (damagedQty > 0 && damagedReason === '') return refuse('damagedReason', `Say why ${damagedQty} unit${damagedQty === 1 ? ' is' : 's are'} damaged.`);
  if (overQty > 0 && overReason === '') return refuse('overReason', `${overQty} unit${overQty === 1 ? ' is' : 's are'} over the ASN: give a reason.`);
  const reasons = [damagedQty > 0 ? `damaged: ${damagedReason}` : null, overQty > 0 ? `over: ${overReason}` : null].filter((r) => r !== null);
  const reason = reasons.join('; ').slice(0, 200);
  const request: ReceiptRequest = {
    receiptId: entry.receiptId,
    ...(entry.asn === null ? { tenantId } : { asnRef: entry.asn.asnRef }),
    // The twin reads a GS1 string itself (R43); a plain barcode was resolved here and goes as the SKU.
    ...(entry.lookup.kind === 'gs1' ? { scan: entry.scan } : {}),
    skuId: entry.item.skuId,
    qty,
    ...(damagedQty > 0 ? { damagedQty } : {}),
    ...(entry.lookup.lot === null && lot !== '' ? { lot } : {}),
    ...(entry.lookup.expiry === null && expiry !== '' ? { expiry } : {}),
    ...(reason === '' ? {} : { reason }),
    ...(entry.item.serialTracked ? { serials: [...entry.serials] } : {}),
  };
  return { ok: true, request, qty, damagedQty, overQty };
}

/** Reasons offered for damaged units and for units over the ASN (the operative may type another). */
export const DAMAGE_REASONS = ['Crushed carton', 'Wet or stained', 'Broken item', 'Packaging torn'] as const;
export const OVER_REASONS = ['Supplier sent extra', 'Not on the ASN', 'Wrong quantity on the ASN'] as const;
