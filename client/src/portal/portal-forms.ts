/**
 * Pure parsing of the portal's ASN and return forms (no React, no fetch): lines typed one per row, checked before
 * anything is sent, with the first wrong row named. The server checks again (server/api/portal.routes.ts); this only
 * spares a round trip and says what to fix in plain words.
 */

/** Why a client returns goods (server/twin/returns.ts `RETURN_REASONS`; a test keeps them equal). */
export const RETURN_REASONS = ['damaged', 'defective', 'wrong-item', 'not-as-described', 'unwanted', 'late-delivery', 'other'] as const;
export type ReturnReason = (typeof RETURN_REASONS)[number];

const SKU = '([A-Za-z0-9][A-Za-z0-9._:#-]{0,63})';
const QTY = '(\\d{1,7})';
const SEP = '[\\s,;]+';

/** A real `YYYY-MM-DD` date. */
function isDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const ms = Date.parse(`${text}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === text;
}

export interface AsnLineInput {
  readonly skuId: string;
  readonly qty: number;
  readonly lot?: string;
  readonly expiry?: string;
}

type Parsed<T> = { ok: true; lines: T[] } | { ok: false; error: string };

/** Rows of `text` with their 1-based numbers, blank rows skipped. */
const rowsOf = (text: string): { n: number; row: string }[] =>
  text
    .split(/\r?\n/)
    .map((raw, i) => ({ n: i + 1, row: raw.trim() }))
    .filter((r) => r.row !== '');

/** ASN lines as `SKU quantity [lot] [expiry YYYY-MM-DD]`, e.g. "SKU-00002 120 L2405 2027-03-31"; at most 1,000. */
export function parseAsnLines(text: string): Parsed<AsnLineInput> {
  const lines: AsnLineInput[] = [];
  for (const { n, row } of rowsOf(text)) {
    const m = new RegExp(`^${SKU}${SEP}${QTY}(?:${SEP}([^\\s,;]{1,64}))?(?:${SEP}([^\\s,;]+))?$`).exec(row);
    if (m === null) return { ok: false, error: `line ${n}: write a SKU and a whole quantity, then a lot and an expiry date if the goods have them, e.g. "SKU-00002 120 L2405 2027-03-31"` };
    const qty = Number(m[2]);
    if (qty < 1 || qty > 1_000_000) return { ok: false, error: `line ${n}: the quantity must be from 1 to 1,000,000` };
    let lot = m[3];
    let expiry = m[4];
    // A single extra field that is a date is the expiry of goods without a lot.
    if (expiry === undefined && lot !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(lot)) [lot, expiry] = [undefined, lot];
    if (expiry !== undefined && !isDate(expiry)) return { ok: false, error: `line ${n}: the expiry "${expiry}" is not a date YYYY-MM-DD` };
    lines.push({ skuId: m[1] as string, qty, ...(lot === undefined ? {} : { lot }), ...(expiry === undefined ? {} : { expiry }) });
  }
  if (lines.length === 0) return { ok: false, error: 'add at least one line' };
  if (lines.length > 1000) return { ok: false, error: 'at most 1,000 lines per ASN' };
  return { ok: true, lines };
}

export interface ReturnLineInput {
  readonly skuId: string;
  readonly qty: number;
  readonly reason: ReturnReason;
}

/** Return lines as `SKU quantity reason`, e.g. "SKU-00002 1 damaged"; one line per SKU, at most 100. */
export function parseReturnLines(text: string): Parsed<ReturnLineInput> {
  const lines: ReturnLineInput[] = [];
  for (const { n, row } of rowsOf(text)) {
    const m = new RegExp(`^${SKU}${SEP}${QTY}${SEP}([^\\s,;]+)$`).exec(row);
    if (m === null) return { ok: false, error: `line ${n}: write a SKU, a whole quantity and a reason, e.g. "SKU-00002 1 damaged"` };
    const qty = Number(m[2]);
    if (qty < 1 || qty > 1_000_000) return { ok: false, error: `line ${n}: the quantity must be from 1 to 1,000,000` };
    const reason = (m[3] as string).toLowerCase();
    if (!(RETURN_REASONS as readonly string[]).includes(reason)) return { ok: false, error: `line ${n}: the reason must be one of ${RETURN_REASONS.join(', ')}` };
    const skuId = m[1] as string;
    if (lines.some((l) => l.skuId === skuId)) return { ok: false, error: `line ${n}: ${skuId} is on an earlier line; put its units on one line` };
    lines.push({ skuId, qty, reason: reason as ReturnReason });
  }
  if (lines.length === 0) return { ok: false, error: 'add at least one line' };
  if (lines.length > 100) return { ok: false, error: 'at most 100 lines per return' };
  return { ok: true, lines };
}

/** An optional reference typed by the client (ASN ref or RMA id): empty → none; otherwise it must fit `pattern`. */
export function parseRef(text: string, what: 'ASN' | 'RMA'): { ok: true; ref: string | undefined } | { ok: false; error: string } {
  const t = text.trim();
  if (t === '') return { ok: true, ref: undefined };
  const pattern = what === 'ASN' ? /^[A-Za-z0-9][A-Za-z0-9._:#-]{0,63}$/ : /^[A-Za-z0-9][A-Za-z0-9._-]{0,47}$/;
  return pattern.test(t)
    ? { ok: true, ref: t }
    : { ok: false, error: `the ${what} reference may hold letters, digits and ${what === 'ASN' ? '. _ : # -' : '. _ -'} (at most ${what === 'ASN' ? 64 : 48} characters)` };
}
