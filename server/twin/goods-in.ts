/**
 * Goods-in (R42–R46): advance shipping notices per client, dock receipt by GS1-128 scan against an ASN or blind,
 * over/short/damaged discrepancies with reasons, quality hold on receipt, and the ASN close report. Received units land
 * on the site's dock (stock-status.ts) and are put away with moveStock.
 */
import { gtinMatches, parseGs1 } from './barcodes/gs1.ts';
import type { AsnLineInput, CloseAsn, CreateAsn, ReceiveGoods, SetQcRule } from './commands.ts';
import type { DomainError } from './errors.ts';
import { domainError } from './errors.ts';
import type { AsnReportLine, GoodsReceived, TwinEvent } from './events.ts';
import type { EpochMs, SkuId, TenantId } from './ids.ts';
import { skuKey } from './keys.ts';
import type { Sku } from './site.ts';
import type { AsnLineState, AsnState, HoldStatus, TwinState } from './state.ts';
import { asHoldId, dockLocationId, isIsoDate } from './stock-status.ts';
import { checkNewSerials } from './serials.ts';

/** Most lines one ASN may carry. */
export const MAX_ASN_LINES = 1_000;

const isText = (v: unknown, max: number): v is string => typeof v === 'string' && v.trim().length > 0 && v.length <= max;
const isPositiveInt = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n > 0;

/** Key of `TwinState.qcRules`. */
export const qcRuleKey = (tenantId: TenantId, skuId: SkuId | null): string => `${tenantId}|${skuId ?? ''}`;

/** [R45] True when receipts of the SKU go in on quality hold (a rule for the SKU or for its whole client). */
export const qcHoldApplies = (state: TwinState, sku: Sku): boolean =>
  state.qcRules.has(qcRuleKey(sku.tenantId, sku.id)) || state.qcRules.has(qcRuleKey(sku.tenantId, null));

/** Lot and expiry of a line as the SKU allows them: both for a lot-tracked SKU (expiry optional on an ASN), none otherwise. */
function checkLot(sku: Sku, lot: string | undefined, expiry: string | undefined, where: string, needed: boolean): DomainError | null {
  if (expiry !== undefined && expiry !== '' && !isIsoDate(expiry)) return domainError('INVALID_STATE', `${where}: expiry must be YYYY-MM-DD`, { expiry });
  if (!sku.lotTracked) {
    if ((lot ?? '') !== '' || (expiry ?? '') !== '') return domainError('INVALID_STATE', `${where}: SKU ${sku.id} is not lot-tracked: no lot or expiry`, { skuId: sku.id });
    return null;
  }
  if (needed && ((lot ?? '') === '' || (expiry ?? '') === '')) {
    return domainError('LOT_REQUIRED', `${where}: SKU ${sku.id} is lot-tracked: lot and expiry are required`, { skuId: sku.id });
  }
  return null;
}

function skuOf(state: TwinState, tenantId: TenantId, skuId: SkuId, where: string): Sku | DomainError {
  const sku = state.skusById.get(skuId);
  if (sku === undefined) return domainError('UNKNOWN_SKU', `${where}: unknown SKU ${skuId}`, { skuId });
  if (sku.tenantId !== tenantId) return domainError('TENANT_MISMATCH', `${where}: SKU ${skuId} belongs to another client`, { skuId, tenantId });
  return sku;
}

const sameLines = (asn: AsnState, lines: readonly AsnLineInput[]): boolean =>
  asn.lines.length === lines.length &&
  asn.lines.every((l, i) => {
    const x = lines[i] as AsnLineInput;
    return l.skuId === x.skuId && l.expectedQty === x.qty && l.lot === (x.lot ?? null) && l.expiry === (x.expiry ?? null);
  });

/**
 * [R42] An ASN of one client: a new ref, 1 to MAX_ASN_LINES lines of the client's SKUs with qty > 0. Creating the same
 * ASN again (same ref, client and lines) is acknowledged with no events, so a re-imported file creates nothing twice.
 */
export function decideCreateAsn(state: TwinState, c: CreateAsn, at: EpochMs): TwinEvent[] | DomainError {
  if (!isText(c.asnRef, 64)) return domainError('INVALID_STATE', 'asnRef must be 1 to 64 characters', {});
  if (!state.site.tenants.some((t) => t.id === c.tenantId)) return domainError('UNKNOWN_TENANT', `unknown tenant ${c.tenantId}`, { tenantId: c.tenantId });
  const existing = state.asns.get(c.asnRef);
  if (existing !== undefined) {
    if (existing.tenantId === c.tenantId && sameLines(existing, c.lines)) return [];
    return domainError('DUPLICATE_ASN', `ASN ${c.asnRef} already exists with other content`, { asnRef: c.asnRef });
  }
  if (c.lines.length === 0 || c.lines.length > MAX_ASN_LINES) return domainError('INVALID_QUANTITY', `an ASN has 1 to ${MAX_ASN_LINES} lines`, { lines: c.lines.length });
  const lines: { lineNo: number; skuId: SkuId; qty: number; lot: string | null; expiry: string | null }[] = [];
  for (let i = 0; i < c.lines.length; i++) {
    const l = c.lines[i] as AsnLineInput;
    const where = `line ${i + 1}`;
    const atLine = (e: DomainError): DomainError => ({ ...e, details: { ...e.details, lineNo: i + 1 } });
    const sku = skuOf(state, c.tenantId, l.skuId, where);
    if ('code' in sku) return atLine(sku);
    if (!isPositiveInt(l.qty)) return domainError('INVALID_QUANTITY', `${where}: qty must be a positive whole number`, { lineNo: i + 1, qty: l.qty });
    const bad = checkLot(sku, l.lot, l.expiry, where, false);
    if (bad !== null) return atLine(bad);
    lines.push({ lineNo: i + 1, skuId: sku.id, qty: l.qty, lot: l.lot === undefined || l.lot === '' ? null : l.lot, expiry: l.expiry === undefined || l.expiry === '' ? null : l.expiry });
  }
  return [{ type: 'AsnCreated', at, asnRef: c.asnRef, tenantId: c.tenantId, lines }];
}

/** What a receipt scan names: the SKU (by GTIN), lot, expiry and count. */
interface Scanned {
  readonly skuId?: SkuId;
  readonly lot?: string;
  readonly expiry?: string;
  readonly qty?: number;
}

/** [R43] Lifts GTIN (01), lot (10), expiry (17) and count (30/37) from a GS1-128 element string; GTIN → the client's SKU. */
function readScan(state: TwinState, scan: string, tenantId: TenantId | null): Scanned | DomainError {
  const parsed = parseGs1(scan, { refYear: new Date(state.now).getUTCFullYear() });
  if (!parsed.ok) return domainError('INVALID_SCAN', `scan: ${parsed.error}`, { scan });
  if (parsed.gtin === undefined) return domainError('INVALID_SCAN', 'scan: no GTIN (AI 01)', { scan });
  const gtin = parsed.gtin;
  const skus = state.site.skus.filter((s) => gtinMatches(gtin, s.barcode));
  const sku = skus.find((s) => s.tenantId === tenantId) ?? skus[0];
  if (sku === undefined) return domainError('UNKNOWN_SKU', `scan: no SKU has GTIN ${gtin}`, { gtin });
  return { skuId: sku.id, ...(parsed.lot === undefined ? {} : { lot: parsed.lot }), ...(parsed.expiry === undefined ? {} : { expiry: parsed.expiry }), ...(parsed.count === undefined ? {} : { qty: parsed.count }) };
}

/** The ASN line a receipt counts against: same SKU and lot, else same SKU with no lot given, else the SKU's first line. */
function matchLine(asn: AsnState, skuId: SkuId, lot: string): AsnLineState | undefined {
  const ofSku = asn.lines.filter((l) => l.skuId === skuId);
  return ofSku.find((l) => l.lot === lot) ?? ofSku.find((l) => l.lot === null) ?? ofSku[0];
}

/**
 * [R43][R44][R45] Units received onto the dock: by scan or fields, against an open ASN of the SKU's client or blind.
 * Units beyond the line's expectation (or of a SKU the ASN did not list) and damaged units need a reason; damaged
 * units go in held `damaged`, the rest held `qc` under a quality rule. A receiptId already applied is acknowledged
 * without a second effect.
 */
export function decideReceiveGoods(state: TwinState, c: ReceiveGoods, at: EpochMs): TwinEvent[] | DomainError {
  if (!isText(c.receiptId, 128)) return domainError('INVALID_STATE', 'receiptId must be 1 to 128 characters', {});
  if (state.receiptIds.has(c.receiptId)) return [];
  let asn: AsnState | null = null;
  if (c.asnRef !== undefined) {
    asn = state.asns.get(c.asnRef) ?? null;
    if (asn === null) return domainError('UNKNOWN_ASN', `unknown ASN ${c.asnRef}`, { asnRef: c.asnRef });
    if (asn.status === 'closed') return domainError('ASN_CLOSED', `ASN ${asn.ref} is closed`, { asnRef: asn.ref });
    if (c.tenantId !== undefined && c.tenantId !== asn.tenantId) return domainError('TENANT_MISMATCH', `ASN ${asn.ref} belongs to another client`, { asnRef: asn.ref });
  } else if (c.tenantId === undefined) {
    return domainError('UNKNOWN_TENANT', 'a receipt without an ASN names its client (tenantId)', {});
  } else if (!state.site.tenants.some((t) => t.id === c.tenantId)) {
    return domainError('UNKNOWN_TENANT', `unknown tenant ${c.tenantId}`, { tenantId: c.tenantId });
  }
  const tenantId = (asn?.tenantId ?? c.tenantId) as TenantId;
  const scanned = c.scan === undefined ? {} : readScan(state, c.scan, tenantId);
  if ('code' in scanned) return scanned;
  const skuId = c.skuId ?? scanned.skuId;
  if (skuId === undefined) return domainError('UNKNOWN_SKU', 'name the item: a scan with a GTIN or a skuId', {});
  if (c.skuId !== undefined && scanned.skuId !== undefined && c.skuId !== scanned.skuId) {
    return domainError('WRONG_ITEM_SCANNED', `scanned ${scanned.skuId}, receipt names ${c.skuId}`, { skuId: c.skuId, scanned: scanned.skuId });
  }
  const sku = skuOf(state, tenantId, skuId, 'receipt');
  if ('code' in sku) return sku;
  const qty = c.qty ?? scanned.qty;
  if (!isPositiveInt(qty)) return domainError('INVALID_QUANTITY', 'qty must be a positive whole number (or a scan with AI 30/37)', { qty: qty ?? null });
  const damagedQty = c.damagedQty ?? 0;
  if (!Number.isSafeInteger(damagedQty) || damagedQty < 0 || damagedQty > qty) {
    return domainError('INVALID_QUANTITY', 'damagedQty must be a whole number from 0 to qty', { damagedQty });
  }
  const line = asn === null ? undefined : matchLine(asn, sku.id, c.lot ?? scanned.lot ?? '');
  const lot = c.lot ?? scanned.lot ?? line?.lot ?? '';
  const expiry = c.expiry ?? scanned.expiry ?? line?.expiry ?? undefined;
  const bad = checkLot(sku, lot, expiry, 'receipt', true);
  if (bad !== null) return bad;
  // A lot already in stock keeps its expiry (a quant has one).
  const prior = lot === '' ? undefined : [...(state.quantsBySku.get(skuKey(tenantId, sku.id)) ?? [])].map((k) => state.quants.get(k)).find((q) => q?.lot === lot);
  if (prior !== undefined && prior.expiry !== (expiry ?? null)) {
    return domainError('INVALID_STATE', `lot ${lot} is in stock with expiry ${prior.expiry ?? 'none'}`, { lot, expiry: prior.expiry });
  }
  const outstanding = line === undefined ? 0 : Math.max(0, line.expectedQty - line.receivedQty);
  const overQty = asn === null ? 0 : Math.max(0, qty - outstanding);
  const reason = c.reason === undefined ? null : c.reason;
  if (reason !== null && !isText(reason, 200)) return domainError('REASON_REQUIRED', 'reason must be 1 to 200 characters', {});
  if (reason === null && (overQty > 0 || damagedQty > 0)) {
    return domainError('REASON_REQUIRED', overQty > 0 ? `${overQty} units beyond the ASN: give a reason` : 'damaged units: give a reason', { overQty, damagedQty });
  }
  const holds: { holdId: ReturnType<typeof asHoldId>; status: HoldStatus; qty: number }[] = [];
  if (damagedQty > 0) holds.push({ holdId: asHoldId(`${c.receiptId}/damaged`), status: 'damaged', qty: damagedQty });
  if (qty > damagedQty && qcHoldApplies(state, sku)) holds.push({ holdId: asHoldId(`${c.receiptId}/qc`), status: 'qc', qty: qty - damagedQty });
  for (const h of holds) if (state.holds.has(h.holdId)) return domainError('DUPLICATE_HOLD', `hold ${h.holdId} already exists`, { holdId: h.holdId });
  // R77: a serial-tracked SKU is received with one new serial per unit.
  if (sku.serialTracked === true) {
    const badSerial = checkNewSerials(state, sku, qty, c.serials, new Set());
    if (badSerial !== null) return badSerial;
  } else if ((c.serials ?? []).length > 0) {
    return domainError('INVALID_STATE', `SKU ${sku.id} is not serial-tracked: no serials`, { skuId: sku.id });
  }
  const event: GoodsReceived = {
    type: 'GoodsReceived',
    at,
    receiptId: c.receiptId,
    asnRef: asn?.ref ?? null,
    lineNo: line?.lineNo ?? null,
    tenantId,
    skuId: sku.id,
    lot,
    expiry: expiry ?? null,
    locationId: dockLocationId(state.site.id),
    qty,
    damagedQty,
    overQty,
    reason,
    blind: asn === null,
    holds,
    ...(sku.serialTracked === true ? { serials: [...(c.serials ?? [])] } : {}),
  };
  return [event];
}

/** [R46] Expected against received per ASN line (and per unlisted SKU received), with the reasons given. */
export function asnReport(asn: AsnState): AsnReportLine[] {
  const lines: AsnReportLine[] = asn.lines.map((l) => ({
    lineNo: l.lineNo,
    skuId: l.skuId,
    lot: l.lot,
    expectedQty: l.expectedQty,
    receivedQty: l.receivedQty,
    damagedQty: l.damagedQty,
    overQty: Math.max(0, l.receivedQty - l.expectedQty),
    shortQty: Math.max(0, l.expectedQty - l.receivedQty),
    reasons: [...l.reasons],
  }));
  for (const u of asn.unexpected) {
    lines.push({ lineNo: null, skuId: u.skuId, lot: u.lot, expectedQty: 0, receivedQty: u.qty, damagedQty: u.damagedQty, overQty: u.qty, shortQty: 0, reasons: [...u.reasons] });
  }
  return lines;
}

/** [R46] Closes an open ASN with its report; a short line needs a reason. */
export function decideCloseAsn(state: TwinState, c: CloseAsn, at: EpochMs): TwinEvent[] | DomainError {
  const asn = state.asns.get(c.asnRef);
  if (asn === undefined) return domainError('UNKNOWN_ASN', `unknown ASN ${c.asnRef}`, { asnRef: c.asnRef });
  if (asn.status === 'closed') return domainError('ASN_CLOSED', `ASN ${asn.ref} is already closed`, { asnRef: asn.ref });
  if (c.reason !== undefined && !isText(c.reason, 200)) return domainError('REASON_REQUIRED', 'reason must be 1 to 200 characters', {});
  const report = asnReport(asn);
  const short = report.filter((l) => l.shortQty > 0);
  if (short.length > 0 && c.reason === undefined) {
    return domainError('REASON_REQUIRED', `${short.length} line(s) short: give a reason to close`, { shortLines: short.map((l) => l.lineNo) });
  }
  return [{ type: 'AsnClosed', at, asnRef: asn.ref, tenantId: asn.tenantId, reason: c.reason ?? null, report }];
}

/** [R45] Sets or clears a quality-hold-on-receipt rule. */
export function decideSetQcRule(state: TwinState, c: SetQcRule, at: EpochMs): TwinEvent[] | DomainError {
  if (!state.site.tenants.some((t) => t.id === c.tenantId)) return domainError('UNKNOWN_TENANT', `unknown tenant ${c.tenantId}`, { tenantId: c.tenantId });
  if (c.skuId !== undefined) {
    const sku = skuOf(state, c.tenantId, c.skuId, 'rule');
    if ('code' in sku) return sku;
  }
  if (typeof c.hold !== 'boolean') return domainError('INVALID_STATE', 'hold must be true or false', {});
  return [{ type: 'QcRuleSet', at, tenantId: c.tenantId, skuId: c.skuId ?? null, hold: c.hold }];
}

/** Applies GoodsReceived to the ASN it names (the quant and holds are applied by `apply`). */
export function noteReceipt(state: TwinState, e: GoodsReceived): void {
  state.receiptIds.add(e.receiptId);
  if (e.asnRef === null) return;
  const asn = state.asns.get(e.asnRef);
  if (asn === undefined) return;
  const line = e.lineNo === null ? undefined : asn.lines.find((l) => l.lineNo === e.lineNo);
  if (line !== undefined) {
    line.receivedQty += e.qty;
    line.damagedQty += e.damagedQty;
    if (e.reason !== null) line.reasons.push(e.reason);
    return;
  }
  let u = asn.unexpected.find((x) => x.skuId === e.skuId && x.lot === e.lot);
  if (u === undefined) asn.unexpected.push((u = { skuId: e.skuId, lot: e.lot, qty: 0, damagedQty: 0, reasons: [] }));
  u.qty += e.qty;
  u.damagedQty += e.damagedQty;
  if (e.reason !== null) u.reasons.push(e.reason);
}

// ---------------------------------------------------------------------------------------------------------------
// CSV import (R42): `asn_ref,tenant,sku,qty,lot,expiry` (lot and expiry optional), one ASN per (asn_ref, tenant).

export interface AsnCsvError {
  readonly line: number;
  readonly column: string;
  readonly message: string;
}

const CSV_COLUMNS = ['asn_ref', 'tenant', 'sku', 'qty', 'lot', 'expiry'] as const;

/** Splits one CSV record (RFC 4180 quotes; no newlines inside fields). */
function splitCsv(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let v = '';
      i++;
      for (;;) {
        if (i >= line.length) return null;
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            v += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += line[i];
        i++;
      }
      out.push(v);
      if (i < line.length && line[i] !== ',') return null;
    } else {
      const end = line.indexOf(',', i);
      out.push((end < 0 ? line.slice(i) : line.slice(i, end)).trim());
      i = end < 0 ? line.length : end;
    }
    if (i >= line.length) return out;
    i++;
  }
}

/**
 * Parses an ASN CSV into createAsn commands (grouped by asn_ref and tenant, lines in file order), or every problem
 * found, each naming its line (1-based, header = 1) and column. Semantic checks (SKU of the client, …) are decide's.
 */
export interface ParsedAsn {
  readonly command: CreateAsn;
  /** File line of each ASN line, so decide's `line n` can be reported as the file's line. */
  readonly fileLines: readonly number[];
}

export function parseAsnCsv(text: string): { ok: true; asns: ParsedAsn[] } | { ok: false; errors: AsnCsvError[] } {
  const rows = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const errors: AsnCsvError[] = [];
  const header = splitCsv(rows[0] ?? '')?.map((h) => h.toLowerCase()) ?? [];
  const col = new Map<string, number>();
  header.forEach((h, i) => col.set(h, i));
  for (const name of CSV_COLUMNS.slice(0, 4)) if (!col.has(name)) errors.push({ line: 1, column: name, message: `missing column ${name}` });
  for (const h of header) if (!(CSV_COLUMNS as readonly string[]).includes(h)) errors.push({ line: 1, column: h, message: `unknown column ${h}` });
  if (errors.length > 0) return { ok: false, errors };
  const asns = new Map<string, { asnRef: string; tenantId: TenantId; lines: AsnLineInput[]; fileLines: number[] }>();
  for (let n = 1; n < rows.length; n++) {
    const raw = rows[n] as string;
    if (raw.trim() === '') continue;
    const lineNo = n + 1;
    const cells = splitCsv(raw);
    if (cells === null) {
      errors.push({ line: lineNo, column: '', message: 'unbalanced quotes' });
      continue;
    }
    const get = (name: string): string => {
      const i = col.get(name);
      return i === undefined ? '' : (cells[i] ?? '');
    };
    const ref = get('asn_ref');
    const tenant = get('tenant');
    const sku = get('sku');
    const qtyText = get('qty');
    const lot = get('lot');
    const expiry = get('expiry');
    if (ref === '' || ref.length > 64) errors.push({ line: lineNo, column: 'asn_ref', message: 'asn_ref must be 1 to 64 characters' });
    if (tenant === '') errors.push({ line: lineNo, column: 'tenant', message: 'tenant is required' });
    if (sku === '') errors.push({ line: lineNo, column: 'sku', message: 'sku is required' });
    const qty = /^\d+$/.test(qtyText) ? Number(qtyText) : NaN;
    if (!isPositiveInt(qty)) errors.push({ line: lineNo, column: 'qty', message: `qty must be a positive whole number, got '${qtyText}'` });
    if (expiry !== '' && !isIsoDate(expiry)) errors.push({ line: lineNo, column: 'expiry', message: `expiry must be YYYY-MM-DD, got '${String(expiry)}'` });
    const key = `${ref}\u0000${tenant}`;
    let asn = asns.get(key);
    if (asn === undefined) asns.set(key, (asn = { asnRef: ref, tenantId: tenant as TenantId, lines: [], fileLines: [] }));
    asn.fileLines.push(lineNo);
    asn.lines.push({ skuId: sku as SkuId, qty, ...(lot === '' ? {} : { lot }), ...(expiry === '' ? {} : { expiry }) });
  }
  if (errors.length > 0) return { ok: false, errors };
  if (asns.size === 0) return { ok: false, errors: [{ line: 2, column: '', message: 'no ASN lines' }] };
  return {
    ok: true,
    asns: [...asns.values()].map((a) => ({ command: { type: 'createAsn', asnRef: a.asnRef, tenantId: a.tenantId, lines: a.lines }, fileLines: a.fileLines })),
  };
}
