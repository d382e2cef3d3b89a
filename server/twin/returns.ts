/**
 * Returns (R50–R55): RMAs against despatched orders, receipt by scan onto the site's returns location, inspection
 * with grading and disposition (restock, refurbish, quarantine, dispose), close, and the per-client report. Returned
 * units wait on `RETURNS:<siteId>` under a `qc` hold (stock-status.ts) until inspected; restocked units are put away
 * with moveStock like the dock's.
 */
import type { CloseRma, CreateRma, InspectReturn, ReceiveReturn } from './commands.ts';
import { itemScanProblem } from './decide.ts';
import type { DomainError } from './errors.ts';
import { domainError } from './errors.ts';
import type { HoldPlaced, HoldReleased, ReturnInspected, ReturnReceived, TwinEvent } from './events.ts';
import type { EpochMs, LocationId, SiteId, SkuId, TenantId } from './ids.ts';
import { quantKey } from './keys.ts';
import type { Sku } from './site.ts';
import type { HoldLine, HoldStatus, ReturnDisposition, ReturnGrade, ReturnReason, RmaLineState, RmaState, TwinState } from './state.ts';
import { asHoldId, freeOf } from './stock-status.ts';
import { parseGs1 } from './barcodes/gs1.ts';
import { checkReturnSerial, checkSerialsAt, noSerialsFor, serialKey } from './serials.ts';

export const RETURN_REASONS: readonly ReturnReason[] = ['damaged', 'defective', 'wrong-item', 'not-as-described', 'unwanted', 'late-delivery', 'other'];
export const RETURN_GRADES: readonly ReturnGrade[] = ['A', 'B', 'C', 'unsellable'];
export const RETURN_DISPOSITIONS: readonly ReturnDisposition[] = ['restock', 'refurbish', 'quarantine', 'dispose'];
/** Most lines one RMA may carry. */
export const MAX_RMA_LINES = 100;
/** Ledger reason of a disposed unit's write-off (RETURNS → ADJUSTMENT). */
export const RETURN_DISPOSED = 'RETURN_DISPOSED';

/** The returns desk of a site (R51): physical stock outside the layout, like the dock; never allocated nor available. */
export const returnsLocationId = (siteId: SiteId): LocationId => `RETURNS:${siteId}` as LocationId;
export const isReturnsLocation = (locationId: string): boolean => locationId.startsWith('RETURNS:');

/** The hold a disposition places (R53): refurbish and quarantine keep units out of stock until released. */
const DISPOSITION_HOLD: Readonly<Record<ReturnDisposition, HoldStatus | null>> = { restock: null, refurbish: 'damaged', quarantine: 'quarantine', dispose: null };

const isText = (v: unknown, max: number): v is string => typeof v === 'string' && v.trim().length > 0 && v.length <= max;
const isPositiveInt = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n > 0;
/** Holds of an RMA: `RMA:<rmaId>:R<n>` for its n-th receipt, `…:I<n>` for its n-th inspection (≤ 64 characters, URL-safe). */
const rmaHoldId = (rmaId: string, kind: 'R' | 'I', n: number): ReturnType<typeof asHoldId> => asHoldId(`RMA:${rmaId}:${kind}${n}`);
/** Longest RMA id, so that its hold ids stay within 64 characters. */
const MAX_RMA_ID = 48;

/** Units of the order's SKU that went to the customer (picked units of despatched lines). */
function shippedOf(state: TwinState, orderId: RmaState['orderId'], skuId: SkuId): number {
  const order = state.orders.get(orderId);
  if (order === undefined || order.status !== 'despatched') return 0;
  return order.lines.filter((l) => l.skuId === skuId).reduce((n, l) => n + l.picked, 0);
}

/** Units of the order's SKU already under return: authorised on open RMAs, received on closed ones (R50). */
export function returnedOrAuthorised(state: TwinState, orderId: RmaState['orderId'], skuId: SkuId): number {
  let n = 0;
  for (const rma of state.rmas.values()) {
    if (rma.orderId !== orderId) continue;
    for (const l of rma.lines) if (l.skuId === skuId) n += rma.status === 'open' ? l.qty : l.receivedQty;
  }
  return n;
}

const sameLines = (rma: RmaState, c: CreateRma): boolean =>
  rma.tenantId === c.tenantId &&
  rma.orderId === c.orderId &&
  rma.lines.length === c.lines.length &&
  rma.lines.every((l, i) => l.skuId === c.lines[i]?.skuId && l.qty === c.lines[i]?.qty && l.reason === c.lines[i]?.reason);

/**
 * [R50] An RMA of one client against its despatched order: 1 to MAX_RMA_LINES lines, one per SKU, each qty at most the
 * units shipped less those already returned or authorised, with a reason code. The same RMA again is acknowledged.
 */
export function decideCreateRma(state: TwinState, c: CreateRma, at: EpochMs): TwinEvent[] | DomainError {
  if (!isText(c.rmaId, MAX_RMA_ID)) return domainError('INVALID_STATE', `rmaId must be 1 to ${MAX_RMA_ID} characters`, {});
  const existing = state.rmas.get(c.rmaId);
  if (existing !== undefined) {
    if (sameLines(existing, c)) return [];
    return domainError('DUPLICATE_RMA', `RMA ${c.rmaId} already exists with other content`, { rmaId: c.rmaId });
  }
  if (!state.site.tenants.some((t) => t.id === c.tenantId)) return domainError('UNKNOWN_TENANT', `unknown tenant ${c.tenantId}`, { tenantId: c.tenantId });
  const order = state.orders.get(c.orderId);
  if (order === undefined) return domainError('UNKNOWN_ORDER', `unknown order ${c.orderId}`, { orderId: c.orderId });
  if (order.tenantId !== c.tenantId) return domainError('TENANT_MISMATCH', `order ${order.id} belongs to another client`, { orderId: order.id, tenantId: c.tenantId });
  if (order.status !== 'despatched') return domainError('ORDER_NOT_DESPATCHED', `order ${order.id} is ${order.status}, not despatched`, { orderId: order.id, status: order.status });
  if (!Array.isArray(c.lines) || c.lines.length === 0 || c.lines.length > MAX_RMA_LINES) {
    return domainError('INVALID_QUANTITY', `an RMA has 1 to ${MAX_RMA_LINES} lines`, { lines: Array.isArray(c.lines) ? c.lines.length : null });
  }
  const lines: RmaLineState[] = [];
  for (let i = 0; i < c.lines.length; i++) {
    const l = c.lines[i] as CreateRma['lines'][number];
    const lineNo = i + 1;
    if (!isPositiveInt(l.qty)) return domainError('INVALID_QUANTITY', `line ${lineNo}: qty must be a positive whole number`, { lineNo, qty: l.qty });
    if (!RETURN_REASONS.includes(l.reason)) return domainError('REASON_REQUIRED', `line ${lineNo}: reason must be one of ${RETURN_REASONS.join(', ')}`, { lineNo, reason: l.reason ?? null });
    if (lines.some((x) => x.skuId === l.skuId)) return domainError('INVALID_STATE', `line ${lineNo}: SKU ${l.skuId} is on an earlier line`, { lineNo, skuId: l.skuId });
    const shipped = shippedOf(state, order.id, l.skuId);
    const already = returnedOrAuthorised(state, order.id, l.skuId);
    if (l.qty > shipped - already) {
      return domainError('RETURN_EXCEEDS_SHIPPED', `line ${lineNo}: ${l.qty} of ${l.skuId} asked, ${shipped} shipped and ${already} already returned or authorised`, {
        lineNo,
        skuId: l.skuId,
        qty: l.qty,
        shipped,
        alreadyReturned: already,
      });
    }
    lines.push({ lineNo, skuId: l.skuId, qty: l.qty, reason: l.reason, receivedQty: 0, inspectedQty: 0 });
  }
  return [{ type: 'RmaCreated', at, rmaId: c.rmaId, tenantId: c.tenantId, orderId: order.id, lines: lines.map(({ lineNo, skuId, qty, reason }) => ({ lineNo, skuId, qty, reason })) }];
}

function openRma(state: TwinState, rmaId: string): RmaState | DomainError {
  const rma = state.rmas.get(rmaId);
  if (rma === undefined) return domainError('UNKNOWN_RMA', `unknown RMA ${rmaId}`, { rmaId });
  if (rma.status === 'closed') return domainError('RMA_CLOSED', `RMA ${rma.id} is closed`, { rmaId: rma.id });
  return rma;
}

/** Lots of the SKU the order shipped, with their expiry (from its picked tasks). */
function shippedLots(state: TwinState, rma: RmaState, skuId: SkuId): Map<string, string | null> {
  const lots = new Map<string, string | null>();
  for (const id of state.orders.get(rma.orderId)?.taskIds ?? []) {
    const t = state.tasks.get(id);
    if (t !== undefined && t.skuId === skuId && t.pickedQty > 0) lots.set(t.lot, t.expiry);
  }
  return lots;
}

/**
 * [R51] Units of an open RMA line scanned in at the returns desk: the scan (barcode or GS1 with (01) GTIN) names one
 * of the RMA's SKUs; at most the line's authorised units are received in all. They land on `RETURNS:<site>` under a
 * `qc` hold. A receiptId already applied is acknowledged without a second effect.
 */
export function decideReceiveReturn(state: TwinState, c: ReceiveReturn, at: EpochMs): TwinEvent[] | DomainError {
  const rma = state.rmas.get(c.rmaId);
  if (rma !== undefined && rma.receipts.some((r) => r.receiptId === c.receiptId)) return [];
  const open = openRma(state, c.rmaId);
  if ('code' in open) return open;
  if (!isText(c.receiptId, 128)) return domainError('INVALID_STATE', 'receiptId must be 1 to 128 characters', {});
  if (!isText(c.scan, 200)) return domainError('INVALID_SCAN', 'scan the item: its barcode or a GS1 string', {});
  if (!isPositiveInt(c.qty)) return domainError('INVALID_QUANTITY', 'qty must be a positive whole number', { qty: c.qty });
  const gs1Lot = (() => {
    const p = parseGs1(c.scan.trim(), { refYear: new Date(state.now).getUTCFullYear() });
    return p.ok ? p.lot : undefined;
  })();
  const lotGiven = c.lot ?? gs1Lot ?? '';
  const candidates = open.lines.filter((l) => c.skuId === undefined || l.skuId === c.skuId);
  if (candidates.length === 0) return domainError('WRONG_ITEM_SCANNED', `SKU ${String(c.skuId)} is not on RMA ${open.id}`, { rmaId: open.id, skuId: c.skuId });
  const line = candidates.find((l) => {
    const sku = state.skusById.get(l.skuId);
    return sku !== undefined && itemScanProblem(state, sku, lotGiven, c.scan) === null;
  });
  if (line === undefined) return domainError('WRONG_ITEM_SCANNED', `scan ${c.scan.trim()} is no item of RMA ${open.id}`, { rmaId: open.id, scanned: c.scan.trim() });
  const sku = state.skusById.get(line.skuId) as Sku;
  if (line.receivedQty + c.qty > line.qty) {
    return domainError('RETURN_EXCEEDS_AUTHORISED', `${line.skuId}: ${line.qty} authorised, ${line.receivedQty} received, ${c.qty} more scanned`, {
      rmaId: open.id,
      lineNo: line.lineNo,
      authorised: line.qty,
      received: line.receivedQty,
      qty: c.qty,
    });
  }
  let lot = '';
  let expiry: string | null = null;
  if (sku.lotTracked) {
    if (lotGiven === '') return domainError('LOT_REQUIRED', `SKU ${sku.id} is lot-tracked: give the returned lot`, { skuId: sku.id });
    const lots = shippedLots(state, open, sku.id);
    if (!lots.has(lotGiven)) return domainError('INVALID_STATE', `lot ${lotGiven} of ${sku.id} was not shipped on order ${open.orderId}`, { lot: lotGiven, shipped: [...lots.keys()].sort() });
    lot = lotGiven;
    expiry = lots.get(lotGiven) ?? null;
  } else if (c.lot !== undefined && c.lot !== '') {
    return domainError('INVALID_STATE', `SKU ${sku.id} is not lot-tracked: no lot`, { skuId: sku.id });
  }
  // R79: a serial-tracked unit comes back by its serial, one that was shipped to this RMA's order.
  if (sku.serialTracked === true) {
    const bad = checkReturnSerial(state, sku, open.orderId, c.qty, c.serial);
    if (bad !== null) return bad;
  } else if (c.serial !== undefined) {
    return domainError('INVALID_STATE', `SKU ${sku.id} is not serial-tracked: no serial`, { skuId: sku.id });
  }
  const holdId = rmaHoldId(open.id, 'R', open.receipts.length + 1);
  if (state.holds.has(holdId)) return domainError('DUPLICATE_HOLD', `hold ${holdId} already exists`, { holdId });
  const locationId = returnsLocationId(state.site.id);
  const received: ReturnReceived = { type: 'ReturnReceived', at, rmaId: open.id, receiptId: c.receiptId, lineNo: line.lineNo, tenantId: open.tenantId, skuId: sku.id, lot, expiry, locationId, qty: c.qty, holdId, ...(c.serial === undefined ? {} : { serial: c.serial }) };
  const hold: HoldPlaced = {
    type: 'HoldPlaced',
    at,
    holdId,
    status: 'qc',
    reason: `return ${open.id} awaiting inspection`,
    source: 'receipt',
    lines: [{ locationId, tenantId: open.tenantId, skuId: sku.id, lot, expiry, qty: c.qty }],
  };
  return [received, hold];
}

/**
 * [R52][R53] Grades `qty` received, not yet inspected units of the RMA's SKU and disposes of them: their receipt holds
 * shrink (released, the rest placed again), then restock leaves them free on the returns location for put-away,
 * refurbish / quarantine hold them `damaged` / `quarantine` (hold `RMA:<rma>:I<n>`), dispose writes them
 * off. An inspectionId already applied is acknowledged.
 */
export function decideInspectReturn(state: TwinState, c: InspectReturn, at: EpochMs): TwinEvent[] | DomainError {
  const rma = state.rmas.get(c.rmaId);
  if (rma !== undefined && rma.inspections.some((i) => i.inspectionId === c.inspectionId)) return [];
  const open = openRma(state, c.rmaId);
  if ('code' in open) return open;
  if (!isText(c.inspectionId, 128)) return domainError('INVALID_STATE', 'inspectionId must be 1 to 128 characters', {});
  const line = open.lines.find((l) => l.skuId === c.skuId);
  if (line === undefined) return domainError('UNKNOWN_SKU', `SKU ${c.skuId} is not on RMA ${open.id}`, { rmaId: open.id, skuId: c.skuId });
  if (!isPositiveInt(c.qty)) return domainError('INVALID_QUANTITY', 'qty must be a positive whole number', { qty: c.qty });
  if (!RETURN_GRADES.includes(c.grade)) return domainError('INVALID_STATE', `grade must be one of ${RETURN_GRADES.join(', ')}`, { grade: c.grade });
  if (!RETURN_DISPOSITIONS.includes(c.disposition)) return domainError('INVALID_STATE', `disposition must be one of ${RETURN_DISPOSITIONS.join(', ')}`, { disposition: c.disposition });
  if (c.grade === 'unsellable' && c.disposition === 'restock') return domainError('INVALID_STATE', 'unsellable units cannot be restocked', { grade: c.grade });
  if (c.note !== undefined && !isText(c.note, 200)) return domainError('INVALID_STATE', 'note must be 1 to 200 characters', {});
  const waiting = line.receivedQty - line.inspectedQty;
  if (c.qty > waiting) {
    return domainError('RETURN_NOT_RECEIVED', `${c.skuId}: ${c.qty} to inspect, ${waiting} received and not yet inspected`, { rmaId: open.id, lineNo: line.lineNo, qty: c.qty, waiting });
  }
  const locationId = returnsLocationId(state.site.id);
  const dispositionHold = DISPOSITION_HOLD[c.disposition];
  const newHoldId = rmaHoldId(open.id, 'I', open.inspections.length + 1);
  if (dispositionHold !== null && state.holds.has(newHoldId)) return domainError('DUPLICATE_HOLD', `hold ${newHoldId} already exists`, { holdId: newHoldId });
  // Units come off the line's receipt holds, oldest first; units whose hold was lifted by hand come from free stock.
  const events: TwinEvent[] = [];
  const taken = new Map<string, { lot: string; expiry: string | null; qty: number }>();
  const take = (lot: string, expiry: string | null, qty: number): void => {
    const t = taken.get(lot) ?? { lot, expiry, qty: 0 };
    t.qty += qty;
    taken.set(lot, t);
  };
  let rest = c.qty;
  // The serials of the receipts whose units are taken whole (one unit each for a serial-tracked SKU, R79).
  const receiptSerials: string[] = [];
  for (const r of open.receipts) {
    if (rest === 0) break;
    if (r.lineNo !== line.lineNo) continue;
    const hold = state.holds.get(r.holdId);
    const held = hold?.lines.reduce((n, l) => n + l.qty, 0) ?? 0;
    if (hold === undefined || held === 0) continue;
    const qty = Math.min(held, rest);
    rest -= qty;
    take(r.lot, r.expiry, qty);
    if (r.serial !== undefined && qty === r.qty) receiptSerials.push(r.serial);
    const released: HoldReleased = { type: 'HoldReleased', at, holdId: hold.id, reason: `inspected (${c.inspectionId})`, lines: hold.lines };
    events.push(released);
    if (qty < held) {
      const lines: HoldLine[] = hold.lines.map((l) => ({ ...l, qty: held - qty }));
      events.push({ type: 'HoldPlaced', at, holdId: hold.id, status: hold.status, reason: hold.reason, source: hold.source, lines });
    }
  }
  if (rest > 0) {
    const lots = new Map<string, string | null>();
    for (const r of open.receipts) if (r.lineNo === line.lineNo) lots.set(r.lot, r.expiry);
    for (const [lot, expiry] of [...lots].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const q = state.quants.get(quantKey(locationId, open.tenantId, line.skuId, lot));
      const free = q === undefined ? 0 : freeOf(state, q);
      const qty = Math.min(Math.max(0, free), rest);
      if (qty === 0) continue;
      rest -= qty;
      take(lot, expiry, qty);
    }
  }
  if (rest > 0) {
    return domainError('INSUFFICIENT_STOCK', `${rest} returned units of ${line.skuId} are no longer on ${locationId}`, { locationId, missing: rest });
  }
  const parts = [...taken.values()];
  // R80: a serial-tracked unit is inspected by its serial (required to dispose): in stock on the desk, of the lots
  // taken. Not named, a disposal takes the serials its receipts were scanned with, when they are exactly its units.
  const sku = state.skusById.get(line.skuId);
  const serialTracked = sku?.serialTracked === true;
  const serials = c.serials ?? (serialTracked && c.disposition === 'dispose' && receiptSerials.length === c.qty ? receiptSerials : undefined);
  if (sku !== undefined && (!serialTracked || serials !== undefined || c.disposition === 'dispose')) {
    const bad = serialTracked ? (checkSerialsAt(state, sku, null, locationId, c.qty, serials) ?? serialLotsProblem(state, sku, parts, serials ?? [])) : noSerialsFor(sku, c.serials);
    if (bad !== null) return bad;
  }
  if (dispositionHold !== null) {
    events.push({
      type: 'HoldPlaced',
      at,
      holdId: newHoldId,
      status: dispositionHold,
      reason: `return ${open.id}: ${c.disposition} (grade ${c.grade})`,
      source: 'manual',
      lines: parts.map((p) => ({ locationId, tenantId: open.tenantId, skuId: line.skuId, lot: p.lot, expiry: p.expiry, qty: p.qty })),
    });
  }
  const inspected: ReturnInspected = {
    type: 'ReturnInspected',
    at,
    rmaId: open.id,
    inspectionId: c.inspectionId,
    tenantId: open.tenantId,
    lineNo: line.lineNo,
    skuId: line.skuId,
    grade: c.grade,
    disposition: c.disposition,
    qty: c.qty,
    note: c.note ?? null,
    locationId,
    disposed: c.disposition === 'dispose' ? parts : [],
    ...(serialTracked && serials !== undefined ? { serials: [...serials] } : {}),
  };
  events.push(inspected);
  return events;
}

/** The serials inspected must be of the lots whose units the inspection takes, unit for unit (R80). */
function serialLotsProblem(state: TwinState, sku: Sku, parts: readonly { lot: string; qty: number }[], serials: readonly string[]): DomainError | null {
  const perLot = new Map<string, number>();
  for (const s of serials) {
    const lot = state.serials.get(serialKey(sku.tenantId, sku.id, s))?.lot ?? '';
    perLot.set(lot, (perLot.get(lot) ?? 0) + 1);
  }
  for (const p of parts) {
    if ((perLot.get(p.lot) ?? 0) !== p.qty) {
      return domainError('UNKNOWN_SERIAL', `the serials scanned are not the ${p.qty} unit(s) of lot ${p.lot || '(none)'} being inspected`, { lot: p.lot, qty: p.qty, scanned: perLot.get(p.lot) ?? 0 });
    }
  }
  return null;
}

/** [R54] Closes an open RMA once every received unit is inspected; units authorised but never received lapse. */
export function decideCloseRma(state: TwinState, c: CloseRma, at: EpochMs): TwinEvent[] | DomainError {
  const open = openRma(state, c.rmaId);
  if ('code' in open) return open;
  if (c.reason !== undefined && !isText(c.reason, 200)) return domainError('REASON_REQUIRED', 'reason must be 1 to 200 characters', {});
  const waiting = open.lines.filter((l) => l.receivedQty > l.inspectedQty);
  if (waiting.length > 0) {
    return domainError('RETURN_NOT_INSPECTED', `${waiting.length} line(s) have received units not yet inspected`, { rmaId: open.id, lines: waiting.map((l) => l.lineNo) });
  }
  return [{ type: 'RmaClosed', at, rmaId: open.id, reason: c.reason ?? null }];
}

/** Applies an RMA event to `state.rmas` (stock and holds are applied by `apply`). */
export function noteRma(state: TwinState, e: Extract<TwinEvent, { type: 'RmaCreated' | 'ReturnReceived' | 'ReturnInspected' | 'RmaClosed' }>): void {
  if (e.type === 'RmaCreated') {
    state.rmas.set(e.rmaId, {
      id: e.rmaId,
      tenantId: e.tenantId,
      orderId: e.orderId,
      createdAt: e.at,
      status: 'open',
      lines: e.lines.map((l) => ({ ...l, receivedQty: 0, inspectedQty: 0 })),
      receipts: [],
      inspections: [],
      closedAt: null,
      closeReason: null,
    });
    return;
  }
  const rma = state.rmas.get(e.rmaId);
  if (rma === undefined) return;
  switch (e.type) {
    case 'ReturnReceived': {
      const line = rma.lines.find((l) => l.lineNo === e.lineNo);
      if (line !== undefined) line.receivedQty += e.qty;
      rma.receipts.push({ receiptId: e.receiptId, lineNo: e.lineNo, lot: e.lot, expiry: e.expiry, qty: e.qty, holdId: e.holdId, at: e.at, ...(e.serial === undefined ? {} : { serial: e.serial }) });
      break;
    }
    case 'ReturnInspected': {
      const line = rma.lines.find((l) => l.lineNo === e.lineNo);
      if (line !== undefined) line.inspectedQty += e.qty;
      rma.inspections.push({ inspectionId: e.inspectionId, lineNo: e.lineNo, grade: e.grade, disposition: e.disposition, qty: e.qty, note: e.note, at: e.at });
      break;
    }
    case 'RmaClosed':
      rma.status = 'closed';
      rma.closedAt = e.at;
      rma.closeReason = e.reason;
      break;
  }
}

/** Deep copy of an RMA (snapshots). */
export const cloneRma = (r: RmaState): RmaState => ({
  ...r,
  lines: r.lines.map((l) => ({ ...l })),
  receipts: r.receipts.map((x) => ({ ...x })),
  inspections: r.inspections.map((x) => ({ ...x })),
});

/** [R54] Problems of the RMAs (for checkTwinInvariants): line arithmetic and never more under return than shipped. */
export function rmaProblems(state: TwinState): string[] {
  const problems: string[] = [];
  const under = new Map<string, { orderId: RmaState['orderId']; skuId: SkuId; qty: number }>();
  for (const [id, rma] of state.rmas) {
    if (id !== rma.id) problems.push(`rma ${id}: key mismatch`);
    for (const l of rma.lines) {
      if (l.receivedQty < 0 || l.receivedQty > l.qty) problems.push(`rma ${id} line ${l.lineNo}: received ${l.receivedQty} outside 0..${l.qty}`);
      if (l.inspectedQty < 0 || l.inspectedQty > l.receivedQty) problems.push(`rma ${id} line ${l.lineNo}: inspected ${l.inspectedQty} outside 0..received`);
      const received = rma.receipts.filter((r) => r.lineNo === l.lineNo).reduce((n, r) => n + r.qty, 0);
      const inspected = rma.inspections.filter((r) => r.lineNo === l.lineNo).reduce((n, r) => n + r.qty, 0);
      if (received !== l.receivedQty || inspected !== l.inspectedQty) problems.push(`rma ${id} line ${l.lineNo}: counters differ from receipts/inspections`);
      const k = `${rma.orderId}\u0000${l.skuId}`;
      const u = under.get(k) ?? { orderId: rma.orderId, skuId: l.skuId, qty: 0 };
      u.qty += rma.status === 'open' ? l.qty : l.receivedQty;
      under.set(k, u);
    }
    if (rma.status === 'closed' && rma.lines.some((l) => l.inspectedQty !== l.receivedQty)) problems.push(`rma ${id}: closed with units not inspected`);
  }
  for (const u of under.values()) {
    const shipped = shippedOf(state, u.orderId, u.skuId);
    if (u.qty > shipped) problems.push(`order ${u.orderId} ${u.skuId}: ${u.qty} under return > ${shipped} shipped`);
  }
  return problems;
}

export interface ReturnsReportRow {
  readonly reason: ReturnReason;
  /** Units authorised on RMAs created in the period. */
  readonly authorised: number;
  /** Units received in the period. */
  readonly received: number;
  /** Units inspected in the period, by disposition. */
  readonly outcomes: Record<ReturnDisposition, number>;
}

export interface ReturnsReport {
  readonly tenantId: TenantId;
  readonly from: EpochMs;
  readonly to: EpochMs;
  readonly rmasCreated: number;
  readonly byReason: readonly ReturnsReportRow[];
  /** Units inspected in the period per disposition, with their grades. */
  readonly byOutcome: readonly { readonly disposition: ReturnDisposition; readonly units: number; readonly grades: Record<ReturnGrade, number> }[];
}

const zeroOutcomes = (): Record<ReturnDisposition, number> => ({ restock: 0, refurbish: 0, quarantine: 0, dispose: 0 });
const zeroGrades = (): Record<ReturnGrade, number> => ({ A: 0, B: 0, C: 0, unsellable: 0 });

/** [R55] The client's returns over [from, to): units by reason (authorised, received, outcome) and by outcome and grade. */
export function returnsReport(state: TwinState, q: { tenantId: TenantId; from: EpochMs; to: EpochMs }): ReturnsReport {
  const inPeriod = (t: number): boolean => t >= q.from && t < q.to;
  const rows = new Map<ReturnReason, { authorised: number; received: number; outcomes: Record<ReturnDisposition, number> }>();
  const row = (r: ReturnReason): { authorised: number; received: number; outcomes: Record<ReturnDisposition, number> } => {
    let x = rows.get(r);
    if (x === undefined) rows.set(r, (x = { authorised: 0, received: 0, outcomes: zeroOutcomes() }));
    return x;
  };
  const outcomes = new Map<ReturnDisposition, { units: number; grades: Record<ReturnGrade, number> }>();
  let rmasCreated = 0;
  for (const rma of state.rmas.values()) {
    if (rma.tenantId !== q.tenantId) continue;
    const reasonOf = (lineNo: number): ReturnReason => rma.lines.find((l) => l.lineNo === lineNo)?.reason ?? 'other';
    if (inPeriod(rma.createdAt)) {
      rmasCreated++;
      for (const l of rma.lines) row(l.reason).authorised += l.qty;
    }
    for (const r of rma.receipts) if (inPeriod(r.at)) row(reasonOf(r.lineNo)).received += r.qty;
    for (const i of rma.inspections) {
      if (!inPeriod(i.at)) continue;
      row(reasonOf(i.lineNo)).outcomes[i.disposition] += i.qty;
      let o = outcomes.get(i.disposition);
      if (o === undefined) outcomes.set(i.disposition, (o = { units: 0, grades: zeroGrades() }));
      o.units += i.qty;
      o.grades[i.grade] += i.qty;
    }
  }
  return {
    tenantId: q.tenantId,
    from: q.from,
    to: q.to,
    rmasCreated,
    byReason: RETURN_REASONS.flatMap((r) => {
      const x = rows.get(r);
      return x === undefined ? [] : [{ reason: r, ...x }];
    }),
    byOutcome: RETURN_DISPOSITIONS.flatMap((d) => {
      const x = outcomes.get(d);
      return x === undefined ? [] : [{ disposition: d, ...x }];
    }),
  };
}
