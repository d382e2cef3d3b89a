/**
 * Moves between sites (R71–R76). A transfer order of site A commits units at A's bins, is picked line by line with a
 * source scan, and despatched: the units leave A's bins into A's in-transit holding `TRANSIT:<A>` (a physical-style
 * location outside the layout, so the ledger and `stock_quant` balance, never available). Site B is told (an expected
 * inbound transfer), receives it by scan on its dock (over/short/damaged like goods-in) and closes it; A then confirms
 * the receipt and clears its transit. Each site decides only its own log; server/site/transfers.ts carries the
 * cross-site steps. Every command carries the transfer id, so a repeated step is acknowledged with no events.
 */
import type {
  CancelTransfer,
  CloseTransfer,
  ConfirmTransferReceipt,
  CreateTransfer,
  DespatchTransfer,
  ExpectTransfer,
  InboundTransferLine,
  NoteTransferRefused,
  PickTransferLine,
  ReceiveTransfer,
  ReturnRefusedTransfer,
  TransferLineInput,
} from './commands.ts';
import type { DomainError } from './errors.ts';
import { domainError } from './errors.ts';
import type { ConfirmedLine, InboundLine, ReturnedLine, TransferLine, TransferReportLine, TwinEvent } from './events.ts';
import type { EpochMs, LocationId, SiteId, SkuId, TenantId } from './ids.ts';
import { quantKey, skuKey } from './keys.ts';
import type { Sku } from './site.ts';
import type { HoldStatus, InboundTransferState, TransferState, TwinState } from './state.ts';
import { asHoldId, dockLocationId, freeOf, isIsoDate } from './stock-status.ts';
import { qcHoldApplies } from './goods-in.ts';
import { checkNewSerials, checkSerialsInStock } from './serials.ts';

/** Most lines one transfer may carry. */
export const MAX_TRANSFER_LINES = 200;

/** [R73] The in-transit holding of a site: units despatched to another site and not yet confirmed received. */
export const transitLocationId = (siteId: SiteId | string): LocationId => `TRANSIT:${siteId}` as LocationId;
export const isTransitLocation = (locationId: string): boolean => locationId.startsWith('TRANSIT:');

const isText = (v: unknown, max: number): v is string => typeof v === 'string' && v.trim().length > 0 && v.length <= max;
const isPositiveInt = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n > 0;
const lineCount = (lines: unknown): number | null => (Array.isArray(lines) ? lines.length : null);
const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

function skuOf(state: TwinState, tenantId: TenantId, skuId: SkuId, where: string): Sku | DomainError {
  if (!state.site.tenants.some((t) => t.id === tenantId)) return domainError('UNKNOWN_TENANT', `${where}: unknown tenant ${tenantId}`, { tenantId });
  const sku = state.skusById.get(skuId);
  if (sku === undefined) return domainError('UNKNOWN_SKU', `${where}: unknown SKU ${skuId}`, { skuId });
  if (sku.tenantId !== tenantId) return domainError('TENANT_MISMATCH', `${where}: SKU ${skuId} belongs to another client`, { skuId, tenantId });
  return sku;
}

const atLine = (e: DomainError, lineNo: number): DomainError => ({ ...e, details: { ...e.details, lineNo } });

/** Units of the quant committed to transfers not yet despatched (R71). */
export const transferringOf = (state: TwinState, key: string): number => state.transferringByQuant.get(key) ?? 0;

const sameLines = (t: TransferState, lines: readonly TransferLineInput[]): boolean =>
  t.lines.length === lines.length &&
  t.lines.every((l, i) => {
    const x = lines[i] as TransferLineInput;
    return l.tenantId === x.tenantId && l.skuId === x.skuId && l.lot === (x.lot ?? '') && l.qty === x.qty && l.fromLocationId === x.fromLocationId;
  });

/**
 * [R71] A transfer to another site: a new id (1–64 characters), a destination other than this site, 1 to
 * MAX_TRANSFER_LINES lines, each of a known client's SKU (the lot named for a lot-tracked SKU), qty a positive whole
 * number, from a layout bin whose free units of that lot cover it (lines of the same quant add up). The units are
 * committed at the bin (`transferringByQuant`, in `freeOf`). The same transfer again is acknowledged with no events.
 */
export function decideCreateTransfer(state: TwinState, c: CreateTransfer, at: EpochMs): TwinEvent[] | DomainError {
  if (!isText(c.transferId, 64)) return domainError('INVALID_STATE', 'transferId must be 1 to 64 characters', {});
  if (!isText(c.toSiteId, 64)) return domainError('INVALID_STATE', 'toSiteId must be 1 to 64 characters', {});
  const existing = state.transfers.get(c.transferId);
  if (existing !== undefined) {
    if (existing.toSiteId === c.toSiteId && sameLines(existing, c.lines)) return [];
    return domainError('DUPLICATE_TRANSFER', `transfer ${c.transferId} already exists with other content`, { transferId: c.transferId });
  }
  if (state.inboundTransfers.has(c.transferId)) return domainError('DUPLICATE_TRANSFER', `transfer ${c.transferId} is an inbound transfer here`, { transferId: c.transferId });
  if (c.toSiteId === state.site.id) return domainError('INVALID_STATE', 'a transfer goes to another site', { toSiteId: c.toSiteId });
  const n = lineCount(c.lines);
  if (n === null || n === 0 || n > MAX_TRANSFER_LINES) return domainError('INVALID_QUANTITY', `a transfer has 1 to ${MAX_TRANSFER_LINES} lines`, { lines: n });
  const taken = new Map<string, number>();
  const lines: TransferLine[] = [];
  for (let i = 0; i < c.lines.length; i++) {
    const l = c.lines[i] as TransferLineInput;
    const lineNo = i + 1;
    const where = `line ${lineNo}`;
    const sku = skuOf(state, l.tenantId, l.skuId, where);
    if ('code' in sku) return atLine(sku, lineNo);
    if (!isPositiveInt(l.qty)) return domainError('INVALID_QUANTITY', `${where}: qty must be a positive whole number`, { lineNo, qty: l.qty });
    const lot = l.lot ?? '';
    if (sku.lotTracked && lot === '') return domainError('LOT_REQUIRED', `${where}: SKU ${sku.id} is lot-tracked: name the lot`, { lineNo, skuId: sku.id });
    if (!sku.lotTracked && lot !== '') return domainError('INVALID_STATE', `${where}: SKU ${sku.id} is not lot-tracked: no lot`, { lineNo, skuId: sku.id });
    if (!state.locationsById.has(l.fromLocationId)) return domainError('UNKNOWN_LOCATION', `${where}: ${String(l.fromLocationId)} is not a bin of this site`, { lineNo, locationId: l.fromLocationId });
    const key = quantKey(l.fromLocationId, l.tenantId, sku.id, lot);
    const q = state.quants.get(key);
    const free = q === undefined ? 0 : freeOf(state, q) - (taken.get(key) ?? 0);
    if (q === undefined || free < l.qty) {
      return domainError('INSUFFICIENT_STOCK', `${where}: ${Math.max(0, free)} free at ${l.fromLocationId}, ${l.qty} asked`, { lineNo, locationId: l.fromLocationId, free: Math.max(0, free), qty: l.qty });
    }
    taken.set(key, (taken.get(key) ?? 0) + l.qty);
    lines.push({ lineNo, tenantId: l.tenantId, skuId: sku.id, lot, expiry: q.expiry, qty: l.qty, fromLocationId: l.fromLocationId });
  }
  return [{ type: 'TransferCreated', at, transferId: c.transferId, toSiteId: c.toSiteId, lines }];
}

function openTransfer(state: TwinState, transferId: string): TransferState | DomainError {
  const t = state.transfers.get(transferId);
  if (t === undefined) return domainError('UNKNOWN_TRANSFER', `unknown transfer ${transferId}`, { transferId });
  if (t.status !== 'created') return domainError('TRANSFER_CLOSED', `transfer ${transferId} is ${t.status}`, { transferId, status: t.status });
  return t;
}

/**
 * [R72] Picks one line: the source scan names its bin (`WRONG_LOCATION_SCANNED`), and for a serial-tracked SKU one
 * serial per unit, each in stock here (R78). A line picked with the same scanId again → no events; with another → INVALID_STATE.
 */
export function decidePickTransferLine(state: TwinState, c: PickTransferLine, at: EpochMs): TwinEvent[] | DomainError {
  if (!isText(c.scanId, 128)) return domainError('INVALID_STATE', 'scanId must be 1 to 128 characters', {});
  const t = state.transfers.get(c.transferId);
  const line = t?.lines.find((l) => l.lineNo === c.lineNo);
  if (t !== undefined && line !== undefined && line.pickScanId === c.scanId) return [];
  const open = openTransfer(state, c.transferId);
  if ('code' in open) return open;
  if (line === undefined) return domainError('INVALID_STATE', `transfer ${c.transferId} has no line ${c.lineNo}`, { lineNo: c.lineNo });
  if (line.pickScanId !== null) return domainError('INVALID_STATE', `line ${line.lineNo} is already picked`, { lineNo: line.lineNo });
  if (typeof c.sourceScan !== 'string' || c.sourceScan.trim() !== line.fromLocationId) {
    return domainError('WRONG_LOCATION_SCANNED', `scanned ${String(c.sourceScan)}, expected ${line.fromLocationId}`, { expected: line.fromLocationId, scanned: c.sourceScan });
  }
  const sku = state.skusById.get(line.skuId);
  let serials: readonly string[] = [];
  if (sku?.serialTracked === true) {
    const bad = checkSerialsInStock(state, sku, line.lot, line.qty, c.serials);
    if (bad !== null) return atLine(bad, line.lineNo);
    serials = [...(c.serials ?? [])];
  } else if ((c.serials ?? []).length > 0) {
    return domainError('INVALID_STATE', `SKU ${line.skuId} is not serial-tracked: no serials`, { skuId: line.skuId });
  }
  return [{ type: 'TransferLinePicked', at, transferId: open.id, lineNo: line.lineNo, scanId: c.scanId, serials }];
}

/** [R72] Cancels a transfer not yet despatched (a reason, 1–200 characters); already cancelled → no events. */
export function decideCancelTransfer(state: TwinState, c: CancelTransfer, at: EpochMs): TwinEvent[] | DomainError {
  const t = state.transfers.get(c.transferId);
  if (t?.status === 'cancelled') return [];
  const open = openTransfer(state, c.transferId);
  if ('code' in open) return open;
  if (!isText(c.reason, 200)) return domainError('REASON_REQUIRED', 'a cancellation needs a reason (1 to 200 characters)', {});
  return [{ type: 'TransferCancelled', at, transferId: open.id, reason: c.reason }];
}

/**
 * [R73] Despatches a transfer whose every line is picked (`INVALID_STATE` naming the unpicked lines): the ledger moves
 * bin → `TRANSIT:<site>` per line and the commitments end. Despatched (or received) already → no events.
 */
export function decideDespatchTransfer(state: TwinState, c: DespatchTransfer, at: EpochMs): TwinEvent[] | DomainError {
  const t = state.transfers.get(c.transferId);
  if (t?.status === 'despatched' || t?.status === 'received') return [];
  const open = openTransfer(state, c.transferId);
  if ('code' in open) return open;
  const unpicked = open.lines.filter((l) => l.pickScanId === null).map((l) => l.lineNo);
  if (unpicked.length > 0) return domainError('INVALID_STATE', `pick every line first: ${unpicked.join(', ')} not picked`, { unpicked });
  // Committed units cannot leave the bin by other means (R71), so this only guards against a broken state.
  for (const l of open.lines) {
    const onHand = state.quants.get(quantKey(l.fromLocationId, l.tenantId, l.skuId, l.lot))?.onHand ?? 0;
    if (onHand < l.qty) return domainError('INSUFFICIENT_STOCK', `line ${l.lineNo}: ${onHand} on hand at ${l.fromLocationId}, ${l.qty} to send`, { lineNo: l.lineNo, onHand });
  }
  const lines: TransferLine[] = open.lines.map((l) => ({ lineNo: l.lineNo, tenantId: l.tenantId, skuId: l.skuId, lot: l.lot, expiry: l.expiry, qty: l.qty, fromLocationId: l.fromLocationId }));
  return [{ type: 'TransferDespatched', at, transferId: open.id, toSiteId: open.toSiteId, transitLocationId: transitLocationId(state.site.id), lines }];
}

const sameInbound = (t: InboundTransferState, fromSiteId: string, lines: readonly InboundTransferLine[]): boolean =>
  t.fromSiteId === fromSiteId &&
  t.lines.length === lines.length &&
  t.lines.every((l, i) => {
    const x = lines[i] as InboundTransferLine;
    return l.lineNo === x.lineNo && l.skuId === x.skuId && l.lot === x.lot && l.expectedQty === x.qty;
  });

/**
 * [R74] The receiving site learns of a despatched transfer: from another site, 1 to MAX_TRANSFER_LINES lines, each of
 * a client and SKU this site knows (the transfer keeps the client), qty > 0, lot rules as on receipt, and for a
 * serial-tracked SKU one serial per unit, none in stock here. The same transfer again → no events (idempotent by id).
 */
export function decideExpectTransfer(state: TwinState, c: ExpectTransfer, at: EpochMs): TwinEvent[] | DomainError {
  if (!isText(c.transferId, 64)) return domainError('INVALID_STATE', 'transferId must be 1 to 64 characters', {});
  if (!isText(c.fromSiteId, 64) || c.fromSiteId === state.site.id) return domainError('INVALID_STATE', 'an inbound transfer comes from another site', { fromSiteId: c.fromSiteId });
  const existing = state.inboundTransfers.get(c.transferId);
  if (existing !== undefined) {
    if (sameInbound(existing, c.fromSiteId, c.lines)) return [];
    return domainError('DUPLICATE_TRANSFER', `inbound transfer ${c.transferId} already exists with other content`, { transferId: c.transferId });
  }
  if (state.transfers.has(c.transferId)) return domainError('DUPLICATE_TRANSFER', `transfer ${c.transferId} is an outbound transfer here`, { transferId: c.transferId });
  const n = lineCount(c.lines);
  if (n === null || n === 0 || n > MAX_TRANSFER_LINES) return domainError('INVALID_QUANTITY', `a transfer has 1 to ${MAX_TRANSFER_LINES} lines`, { lines: n });
  const lines: InboundLine[] = [];
  const seen = new Set<string>();
  for (const l of c.lines) {
    const where = `line ${l.lineNo}`;
    const sku = skuOf(state, l.tenantId, l.skuId, where);
    if ('code' in sku) return atLine(sku, l.lineNo);
    if (!isPositiveInt(l.qty)) return domainError('INVALID_QUANTITY', `${where}: qty must be a positive whole number`, { lineNo: l.lineNo, qty: l.qty });
    if (sku.lotTracked !== (l.lot !== '')) return domainError('LOT_REQUIRED', `${where}: SKU ${sku.id} ${sku.lotTracked ? 'needs' : 'takes no'} lot`, { lineNo: l.lineNo });
    if (l.expiry !== null && !isIsoDate(l.expiry)) return domainError('INVALID_STATE', `${where}: expiry must be YYYY-MM-DD`, { lineNo: l.lineNo });
    if (sku.serialTracked === true) {
      const bad = checkNewSerials(state, sku, l.qty, l.serials, seen);
      if (bad !== null) return atLine(bad, l.lineNo);
    }
    lines.push({ lineNo: l.lineNo, tenantId: l.tenantId, skuId: sku.id, lot: l.lot, expiry: l.expiry, qty: l.qty, serials: sku.serialTracked === true ? [...l.serials] : [] });
  }
  return [{ type: 'InboundTransferExpected', at, transferId: c.transferId, fromSiteId: c.fromSiteId, lines }];
}

/**
 * [R75] Units of an inbound transfer line received on the dock: qty > 0, damaged 0…qty, units beyond the line's
 * outstanding units and damaged units need a reason (like goods-in, R43–R45: damaged go in held `damaged`, a quality
 * rule holds the rest `qc`); a serial-tracked SKU names one serial per unit, each on the transfer line and not yet
 * received (R77). A receiptId already applied → no events; a closed transfer → TRANSFER_CLOSED.
 */
export function decideReceiveTransfer(state: TwinState, c: ReceiveTransfer, at: EpochMs): TwinEvent[] | DomainError {
  if (!isText(c.receiptId, 128)) return domainError('INVALID_STATE', 'receiptId must be 1 to 128 characters', {});
  const t = state.inboundTransfers.get(c.transferId);
  if (t === undefined) return domainError('UNKNOWN_TRANSFER', `no inbound transfer ${c.transferId}`, { transferId: c.transferId });
  if (t.receiptIds.includes(c.receiptId)) return [];
  if (t.status === 'closed') return domainError('TRANSFER_CLOSED', `inbound transfer ${t.id} is closed`, { transferId: t.id });
  const line = t.lines.find((l) => l.lineNo === c.lineNo);
  if (line === undefined) return domainError('INVALID_STATE', `transfer ${t.id} has no line ${c.lineNo}`, { lineNo: c.lineNo });
  if (!isPositiveInt(c.qty)) return domainError('INVALID_QUANTITY', 'qty must be a positive whole number', { qty: c.qty });
  const damagedQty = c.damagedQty ?? 0;
  if (!isCount(damagedQty) || damagedQty > c.qty) return domainError('INVALID_QUANTITY', 'damagedQty must be a whole number from 0 to qty', { damagedQty });
  const overQty = Math.max(0, c.qty - Math.max(0, line.expectedQty - line.receivedQty));
  const reason = c.reason ?? null;
  if (reason !== null && !isText(reason, 200)) return domainError('REASON_REQUIRED', 'reason must be 1 to 200 characters', {});
  if (reason === null && (overQty > 0 || damagedQty > 0)) {
    return domainError('REASON_REQUIRED', overQty > 0 ? `${overQty} units beyond the transfer line: give a reason` : 'damaged units: give a reason', { overQty, damagedQty });
  }
  const sku = state.skusById.get(line.skuId);
  if (sku === undefined) return domainError('UNKNOWN_SKU', `unknown SKU ${line.skuId}`, { skuId: line.skuId });
  let serials: readonly string[] = [];
  if (sku.serialTracked === true) {
    const given = c.serials ?? [];
    const bad = checkNewSerials(state, sku, c.qty, given, new Set());
    if (bad !== null) return bad;
    const unknown = given.filter((s) => !line.serials.includes(s));
    if (unknown.length > 0) return domainError('UNKNOWN_SERIAL', `serials not on transfer line ${line.lineNo}: ${unknown.join(', ')}`, { serials: unknown });
    serials = [...given];
  } else if ((c.serials ?? []).length > 0) {
    return domainError('INVALID_STATE', `SKU ${sku.id} is not serial-tracked: no serials`, { skuId: sku.id });
  }
  const prior = line.lot === '' ? undefined : [...(state.quantsBySku.get(skuKey(line.tenantId, line.skuId)) ?? [])].map((k) => state.quants.get(k)).find((q) => q?.lot === line.lot);
  if (prior !== undefined && prior.expiry !== line.expiry) {
    return domainError('INVALID_STATE', `lot ${line.lot} is in stock here with expiry ${prior.expiry ?? 'none'}`, { lot: line.lot, expiry: prior.expiry });
  }
  const holds: { holdId: ReturnType<typeof asHoldId>; status: HoldStatus; qty: number }[] = [];
  if (damagedQty > 0) holds.push({ holdId: asHoldId(`${c.receiptId}/damaged`), status: 'damaged', qty: damagedQty });
  if (c.qty > damagedQty && qcHoldApplies(state, sku)) holds.push({ holdId: asHoldId(`${c.receiptId}/qc`), status: 'qc', qty: c.qty - damagedQty });
  for (const h of holds) if (state.holds.has(h.holdId)) return domainError('DUPLICATE_HOLD', `hold ${h.holdId} already exists`, { holdId: h.holdId });
  return [
    {
      type: 'TransferReceived',
      at,
      transferId: t.id,
      receiptId: c.receiptId,
      lineNo: line.lineNo,
      tenantId: line.tenantId,
      skuId: line.skuId,
      lot: line.lot,
      expiry: line.expiry,
      locationId: dockLocationId(state.site.id),
      qty: c.qty,
      damagedQty,
      overQty,
      reason,
      holds,
      serials,
    },
  ];
}

/** [R75] What arrived of an inbound transfer against what was sent, per line. */
export function inboundReport(t: InboundTransferState): TransferReportLine[] {
  return t.lines.map((l) => ({ lineNo: l.lineNo, expectedQty: l.expectedQty, receivedQty: l.receivedQty, damagedQty: l.damagedQty }));
}

/** [R75] Closes an inbound transfer with its report; a short line needs a reason. Closed already → no events. */
export function decideCloseTransfer(state: TwinState, c: CloseTransfer, at: EpochMs): TwinEvent[] | DomainError {
  const t = state.inboundTransfers.get(c.transferId);
  if (t === undefined) return domainError('UNKNOWN_TRANSFER', `no inbound transfer ${c.transferId}`, { transferId: c.transferId });
  if (t.status === 'closed') return [];
  if (c.reason !== undefined && !isText(c.reason, 200)) return domainError('REASON_REQUIRED', 'reason must be 1 to 200 characters', {});
  const report = inboundReport(t);
  const short = report.filter((l) => l.receivedQty < l.expectedQty).map((l) => l.lineNo);
  if (short.length > 0 && c.reason === undefined) return domainError('REASON_REQUIRED', `${short.length} line(s) short: give a reason to close`, { shortLines: short });
  return [{ type: 'InboundTransferClosed', at, transferId: t.id, fromSiteId: t.fromSiteId, reason: c.reason ?? null, report }];
}

/**
 * [R76] The source site clears its transit for a despatched transfer from the receiving site's report: per line,
 * min(received, sent) delivered (TRANSIT → TRANSFER_OUT), the rest short (TRANSIT → ADJUSTMENT); a line the report
 * does not name arrived with 0. Received already → no events; not despatched → TRANSFER_CLOSED / UNKNOWN_TRANSFER.
 */
export function decideConfirmTransferReceipt(state: TwinState, c: ConfirmTransferReceipt, at: EpochMs): TwinEvent[] | DomainError {
  const t = state.transfers.get(c.transferId);
  if (t === undefined) return domainError('UNKNOWN_TRANSFER', `unknown transfer ${c.transferId}`, { transferId: c.transferId });
  if (t.status === 'received') return [];
  if (t.status !== 'despatched') return domainError('TRANSFER_CLOSED', `transfer ${t.id} is ${t.status}, not despatched`, { transferId: t.id, status: t.status });
  const byLine = new Map<number, { receivedQty: number; damagedQty: number }>();
  for (const r of c.lines) {
    if (!t.lines.some((l) => l.lineNo === r.lineNo)) return domainError('INVALID_STATE', `transfer ${t.id} has no line ${r.lineNo}`, { lineNo: r.lineNo });
    if (!isCount(r.receivedQty) || !isCount(r.damagedQty) || r.damagedQty > r.receivedQty) return domainError('INVALID_QUANTITY', `line ${r.lineNo}: received and damaged must be whole numbers, damaged ≤ received`, { lineNo: r.lineNo });
    if (byLine.has(r.lineNo)) return domainError('INVALID_STATE', `line ${r.lineNo} named twice`, { lineNo: r.lineNo });
    byLine.set(r.lineNo, { receivedQty: r.receivedQty, damagedQty: r.damagedQty });
  }
  if (c.reason !== null && !isText(c.reason, 200)) return domainError('REASON_REQUIRED', 'reason must be 1 to 200 characters', {});
  const lines: ConfirmedLine[] = t.lines.map((l) => {
    const r = byLine.get(l.lineNo) ?? { receivedQty: 0, damagedQty: 0 };
    const deliveredQty = Math.min(r.receivedQty, l.qty);
    return { lineNo: l.lineNo, tenantId: l.tenantId, skuId: l.skuId, lot: l.lot, expiry: l.expiry, deliveredQty, shortQty: l.qty - deliveredQty, receivedQty: r.receivedQty, damagedQty: r.damagedQty };
  });
  return [{ type: 'TransferReceiptConfirmed', at, transferId: t.id, transitLocationId: transitLocationId(state.site.id), reason: c.reason, lines }];
}

/**
 * [R76a] The source learns that the destination (`siteId`, the transfer's `toSiteId`) refused a step of a despatched
 * transfer: code 1–64 and message 1–500 characters. The same refusal (site, code, message) as the latest → no events;
 * another → recorded (the latest shows). Only a despatched transfer can be refused (`TRANSFER_CLOSED` otherwise: a
 * returned or received one needs nothing more of the destination).
 */
export function decideNoteTransferRefused(state: TwinState, c: NoteTransferRefused, at: EpochMs): TwinEvent[] | DomainError {
  const t = state.transfers.get(c.transferId);
  if (t === undefined) return domainError('UNKNOWN_TRANSFER', `unknown transfer ${c.transferId}`, { transferId: c.transferId });
  if (t.status !== 'despatched') return domainError('TRANSFER_CLOSED', `transfer ${t.id} is ${t.status}, not despatched`, { transferId: t.id, status: t.status });
  if (c.siteId !== t.toSiteId) return domainError('INVALID_STATE', `transfer ${t.id} goes to ${t.toSiteId}, not ${String(c.siteId)}`, { siteId: c.siteId, toSiteId: t.toSiteId });
  if (!isText(c.code, 64)) return domainError('INVALID_STATE', 'code must be 1 to 64 characters', {});
  if (!isText(c.message, 500)) return domainError('INVALID_STATE', 'message must be 1 to 500 characters', {});
  const r = t.refusal;
  if (r !== null && r.siteId === c.siteId && r.code === c.code && r.message === c.message) return [];
  return [{ type: 'TransferRefusedByDestination', at, transferId: t.id, siteId: c.siteId, code: c.code, message: c.message }];
}

/**
 * [R76a] Brings the units of a despatched transfer the destination refused back into stock: per line
 * `TRANSIT:<site>` → the named bin of this site (`UNKNOWN_LOCATION`) or, by default, the site's dock, with their
 * serials (R80: in stock there again); a reason 1–200 characters (`REASON_REQUIRED`). The transfer ends `returned`
 * and the relay asks nothing more of the destination. Returned already → no events; a despatched transfer with no
 * refusal → `TRANSFER_NOT_REFUSED` (the destination may still take it: a transfer it never answered is not returned);
 * not despatched → `TRANSFER_CLOSED` / `UNKNOWN_TRANSFER`.
 */
export function decideReturnRefusedTransfer(state: TwinState, c: ReturnRefusedTransfer, at: EpochMs): TwinEvent[] | DomainError {
  const t = state.transfers.get(c.transferId);
  if (t === undefined) return domainError('UNKNOWN_TRANSFER', `unknown transfer ${c.transferId}`, { transferId: c.transferId });
  if (t.status === 'returned') return [];
  if (t.status !== 'despatched') return domainError('TRANSFER_CLOSED', `transfer ${t.id} is ${t.status}, not despatched`, { transferId: t.id, status: t.status });
  if (t.refusal === null) return domainError('TRANSFER_NOT_REFUSED', `transfer ${t.id} was not refused by ${t.toSiteId}: it may still be received there`, { transferId: t.id });
  if (!isText(c.reason, 200)) return domainError('REASON_REQUIRED', 'a return needs a reason (1 to 200 characters)', {});
  const locationId = c.locationId ?? dockLocationId(state.site.id);
  if (c.locationId !== undefined && !state.locationsById.has(c.locationId)) return domainError('UNKNOWN_LOCATION', `${String(c.locationId)} is not a bin of this site`, { locationId: c.locationId });
  const lines: ReturnedLine[] = t.lines.map((l) => ({ lineNo: l.lineNo, tenantId: l.tenantId, skuId: l.skuId, lot: l.lot, expiry: l.expiry, qty: l.qty, serials: [...l.serials] }));
  return [{ type: 'TransferReturned', at, transferId: t.id, transitLocationId: transitLocationId(state.site.id), locationId, reason: c.reason, lines }];
}

/** Deep copies for snapshots (R24); a snapshot written before R76a has no refusal or return. */
export const cloneTransfer = (t: TransferState): TransferState => ({
  ...t,
  refusal: t.refusal ?? null,
  returnedAt: t.returnedAt ?? null,
  returnReason: t.returnReason ?? null,
  returnLocationId: t.returnLocationId ?? null,
  lines: t.lines.map((l) => ({ ...l, serials: [...l.serials] })),
});
export const cloneInbound = (t: InboundTransferState): InboundTransferState => ({
  ...t,
  lines: t.lines.map((l) => ({ ...l, serials: [...l.serials], reasons: [...l.reasons] })),
  receiptIds: [...t.receiptIds],
});

/** Rebuilds the commitment index from the transfers not yet despatched (snapshots carry transfers, not the index). */
export function rebuildTransferring(state: TwinState): void {
  state.transferringByQuant.clear();
  for (const t of state.transfers.values()) if (t.status === 'created') commit(state, t, 1);
}

function commit(state: TwinState, t: TransferState, sign: 1 | -1): void {
  for (const l of t.lines) {
    const key = quantKey(l.fromLocationId, l.tenantId, l.skuId, l.lot);
    const n = (state.transferringByQuant.get(key) ?? 0) + sign * l.qty;
    if (n === 0) state.transferringByQuant.delete(key);
    else state.transferringByQuant.set(key, n);
  }
}

/** A quant change `apply` makes for a transfer event (apply.ts's changeQuant). */
export type ChangeQuant = (locationId: LocationId, tenantId: TenantId, skuId: SkuId, lot: string, expiry: string | null, delta: number) => void;

/**
 * Applies a transfer event to the transfers, the commitment index and (through `change`) the quants. Holds placed by a
 * transfer receipt are applied by `apply` like GoodsReceived's; serials by `noteSerials` (serials.ts).
 */
export function noteTransfer(
  state: TwinState,
  e: Extract<
    TwinEvent,
    { type: 'TransferCreated' | 'TransferLinePicked' | 'TransferCancelled' | 'TransferDespatched' | 'TransferRefusedByDestination' | 'TransferReturned' | 'InboundTransferExpected' | 'TransferReceived' | 'InboundTransferClosed' | 'TransferReceiptConfirmed' }
  >,
  change: ChangeQuant,
): void {
  switch (e.type) {
    case 'TransferCreated': {
      const t: TransferState = {
        id: e.transferId,
        toSiteId: e.toSiteId,
        createdAt: e.at,
        status: 'created',
        lines: e.lines.map((l) => ({ ...l, pickScanId: null, serials: [], receivedQty: null, damagedQty: null })),
        despatchedAt: null,
        receivedAt: null,
        cancelReason: null,
        receiptReason: null,
        refusal: null,
        returnedAt: null,
        returnReason: null,
        returnLocationId: null,
      };
      state.transfers.set(t.id, t);
      commit(state, t, 1);
      break;
    }
    case 'TransferLinePicked': {
      const line = state.transfers.get(e.transferId)?.lines.find((l) => l.lineNo === e.lineNo);
      if (line !== undefined) {
        line.pickScanId = e.scanId;
        line.serials = [...e.serials];
      }
      break;
    }
    case 'TransferCancelled': {
      const t = state.transfers.get(e.transferId);
      if (t === undefined || t.status !== 'created') break;
      commit(state, t, -1);
      t.status = 'cancelled';
      t.cancelReason = e.reason;
      break;
    }
    case 'TransferDespatched': {
      const t = state.transfers.get(e.transferId);
      if (t !== undefined && t.status === 'created') {
        commit(state, t, -1);
        t.status = 'despatched';
        t.despatchedAt = e.at;
      }
      for (const l of e.lines) {
        change(l.fromLocationId, l.tenantId, l.skuId, l.lot, l.expiry, -l.qty);
        change(e.transitLocationId, l.tenantId, l.skuId, l.lot, l.expiry, l.qty);
      }
      break;
    }
    case 'TransferRefusedByDestination': {
      const t = state.transfers.get(e.transferId);
      if (t !== undefined) t.refusal = { siteId: e.siteId, code: e.code, message: e.message, at: e.at };
      break;
    }
    case 'TransferReturned': {
      for (const l of e.lines) {
        change(e.transitLocationId, l.tenantId, l.skuId, l.lot, l.expiry, -l.qty);
        change(e.locationId, l.tenantId, l.skuId, l.lot, l.expiry, l.qty);
      }
      const t = state.transfers.get(e.transferId);
      if (t === undefined) break;
      t.status = 'returned';
      t.returnedAt = e.at;
      t.returnReason = e.reason;
      t.returnLocationId = e.locationId;
      break;
    }
    case 'TransferReceiptConfirmed': {
      for (const l of e.lines) change(e.transitLocationId, l.tenantId, l.skuId, l.lot, l.expiry, -(l.deliveredQty + l.shortQty));
      const t = state.transfers.get(e.transferId);
      if (t === undefined) break;
      t.status = 'received';
      t.receivedAt = e.at;
      t.receiptReason = e.reason;
      for (const l of t.lines) {
        const r = e.lines.find((x) => x.lineNo === l.lineNo);
        l.receivedQty = r?.receivedQty ?? 0;
        l.damagedQty = r?.damagedQty ?? 0;
      }
      break;
    }
    case 'InboundTransferExpected':
      state.inboundTransfers.set(e.transferId, {
        id: e.transferId,
        fromSiteId: e.fromSiteId,
        expectedAt: e.at,
        status: 'expected',
        lines: e.lines.map((l) => ({ lineNo: l.lineNo, tenantId: l.tenantId, skuId: l.skuId, lot: l.lot, expiry: l.expiry, expectedQty: l.qty, serials: [...l.serials], receivedQty: 0, damagedQty: 0, reasons: [] })),
        receiptIds: [],
        closedAt: null,
        closeReason: null,
      });
      break;
    case 'TransferReceived': {
      change(e.locationId, e.tenantId, e.skuId, e.lot, e.expiry, e.qty);
      const t = state.inboundTransfers.get(e.transferId);
      const line = t?.lines.find((l) => l.lineNo === e.lineNo);
      t?.receiptIds.push(e.receiptId);
      if (line !== undefined) {
        line.receivedQty += e.qty;
        line.damagedQty += e.damagedQty;
        if (e.reason !== null) line.reasons.push(e.reason);
      }
      break;
    }
    case 'InboundTransferClosed': {
      const t = state.inboundTransfers.get(e.transferId);
      if (t === undefined) break;
      t.status = 'closed';
      t.closedAt = e.at;
      t.closeReason = e.reason;
      break;
    }
  }
}

/**
 * [R76] Invariants: per quant, reserved + held + moving + transferring ≤ onHand and the commitment index equals the
 * lines of transfers not yet despatched; units in transit (`TRANSIT:<site>` quants, never reserved or held) equal, per
 * (tenant, SKU, lot), the despatched units of transfers not yet confirmed received nor returned — despatched −
 * confirmed − returned (R76a); a returned transfer carries its return's reason and place.
 */
export function transferProblems(state: TwinState): string[] {
  const problems: string[] = [];
  const expected = new Map<string, number>();
  const inTransit = new Map<string, number>();
  const transit = transitLocationId(state.site.id);
  for (const t of state.transfers.values()) {
    if (t.status === 'returned' && (t.returnedAt === null || t.returnLocationId === null)) problems.push(`transfer ${t.id}: returned with no return recorded`);
    for (const l of t.lines) {
      if (t.status === 'created') {
        const key = quantKey(l.fromLocationId, l.tenantId, l.skuId, l.lot);
        expected.set(key, (expected.get(key) ?? 0) + l.qty);
      }
      if (t.status === 'despatched') {
        const key = quantKey(transit, l.tenantId, l.skuId, l.lot);
        inTransit.set(key, (inTransit.get(key) ?? 0) + l.qty);
      }
      if (t.status === 'received' && (l.receivedQty === null || l.damagedQty === null || l.damagedQty > l.receivedQty)) problems.push(`transfer ${t.id} line ${l.lineNo}: bad receipt confirmation`);
    }
  }
  for (const key of new Set([...expected.keys(), ...state.transferringByQuant.keys()])) {
    if ((expected.get(key) ?? 0) !== (state.transferringByQuant.get(key) ?? 0)) {
      problems.push(`quant ${key}: ${state.transferringByQuant.get(key) ?? 0} committed to transfers, open transfer lines hold ${expected.get(key) ?? 0}`);
    }
  }
  for (const [key, n] of state.transferringByQuant) {
    const q = state.quants.get(key);
    const used = n + (q?.reserved ?? 0) + (state.heldByQuant.get(key) ?? 0) + (state.movingByQuant.get(key) ?? 0);
    if (q === undefined || used > q.onHand) problems.push(`quant ${key}: ${used} reserved, held, moving or transferring > onHand ${q?.onHand ?? 0}`);
  }
  for (const q of state.quants.values()) {
    if (!isTransitLocation(q.locationId)) continue;
    if (q.locationId !== transit) problems.push(`quant ${q.key}: transit of another site`);
    if (q.reserved !== 0 || (state.heldByQuant.get(q.key) ?? 0) !== 0) problems.push(`quant ${q.key}: units in transit reserved or held`);
    if (!inTransit.has(q.key)) problems.push(`quant ${q.key}: ${q.onHand} in transit, no despatched transfer carries them`);
  }
  for (const [key, n] of inTransit) {
    const onHand = state.quants.get(key)?.onHand ?? 0;
    if (onHand !== n) problems.push(`transit ${key}: ${onHand} in transit, despatched − confirmed = ${n}`);
  }
  for (const t of state.inboundTransfers.values()) {
    for (const l of t.lines) if (l.damagedQty < 0 || l.damagedQty > l.receivedQty) problems.push(`inbound transfer ${t.id} line ${l.lineNo}: damaged ${l.damagedQty} of ${l.receivedQty}`);
  }
  return problems;
}
