/**
 * Serial-number tracking (R77–R80): SKUs flagged `serialTracked` in the catalogue carry one serial per unit. Receipts
 * (goods-in, transfers in) capture them, picks (orders, transfers out) scan one per unit, returns name one that was
 * shipped to the RMA's order. The twin knows each serial's status and where it was last scanned; its full history is
 * the Postgres `serial_history` projection.
 */
import type { DomainError } from './errors.ts';
import { domainError } from './errors.ts';
import type { TwinEvent } from './events.ts';
import type { OrderId, SkuId, TenantId } from './ids.ts';
import type { Sku } from './site.ts';
import type { SerialState, SerialStatus, TwinState } from './state.ts';

/** Key of `TwinState.serials`: a serial is unique per (client, SKU). */
export const serialKey = (tenantId: TenantId, skuId: SkuId, serial: string): string => `${tenantId}|${skuId}|${serial}`;

/** A serial as scanned: 1–64 printable characters, no spaces. */
export const isSerialText = (s: unknown): s is string => typeof s === 'string' && /^[\x21-\x7e]{1,64}$/.test(s);

function checkList(sku: Sku, qty: number, serials: readonly string[] | undefined, seen: Set<string>): DomainError | null {
  const list = serials ?? [];
  if (list.length !== qty) return domainError('SERIAL_REQUIRED', `SKU ${sku.id} is serial-tracked: scan one serial per unit (${qty}), got ${list.length}`, { skuId: sku.id, qty, serials: list.length });
  for (const s of list) {
    if (!isSerialText(s)) return domainError('INVALID_SCAN', `serial must be 1 to 64 printable characters without spaces`, { serial: s });
    if (seen.has(s)) return domainError('DUPLICATE_SERIAL', `serial ${s} scanned twice`, { serial: s });
    seen.add(s);
  }
  return null;
}

/**
 * [R77] Serials arriving (a receipt, an inbound transfer): one per unit, distinct (also across `seen`), and none in
 * this site's hands already — in stock, picked or in transit (`DUPLICATE_SERIAL`: a serial is never received twice).
 * A serial shipped to a customer comes back only as a return (R79); one transferred away may come back by transfer.
 */
export function checkNewSerials(state: TwinState, sku: Sku, qty: number, serials: readonly string[] | undefined, seen: Set<string>): DomainError | null {
  const bad = checkList(sku, qty, serials, seen);
  if (bad !== null) return bad;
  for (const s of serials ?? []) {
    const known = state.serials.get(serialKey(sku.tenantId, sku.id, s));
    if (known !== undefined && known.status !== 'transferred') {
      return domainError('DUPLICATE_SERIAL', `serial ${s} of ${sku.id} is already ${known.status}${known.locationId === null ? '' : ` at ${known.locationId}`}`, { serial: s, status: known.status });
    }
  }
  return null;
}

/** [R78] Serials picked: one per unit, distinct, each in stock here (`UNKNOWN_SERIAL` otherwise) and of the lot picked. */
export function checkSerialsInStock(state: TwinState, sku: Sku, lot: string, qty: number, serials: readonly string[] | undefined): DomainError | null {
  const bad = checkList(sku, qty, serials, new Set());
  if (bad !== null) return bad;
  for (const s of serials ?? []) {
    const known = state.serials.get(serialKey(sku.tenantId, sku.id, s));
    if (known === undefined || known.status !== 'in-stock') {
      return domainError('UNKNOWN_SERIAL', `serial ${s} of ${sku.id} is not in stock here${known === undefined ? '' : ` (${known.status})`}`, { serial: s, status: known?.status ?? null });
    }
    if (known.lot !== lot) return domainError('UNKNOWN_SERIAL', `serial ${s} is of lot ${known.lot || '(none)'}, not ${lot || '(none)'}`, { serial: s, lot: known.lot });
  }
  return null;
}

/**
 * [R80] Serials moved (`moveStock`, `completeMoveTask`) or disposed (`inspectReturn`): one per unit, distinct, each in
 * stock at `locationId` (`UNKNOWN_SERIAL` otherwise) and, when `lot` is given, of that lot.
 */
export function checkSerialsAt(state: TwinState, sku: Sku, lot: string | null, locationId: string, qty: number, serials: readonly string[] | undefined): DomainError | null {
  const bad = checkList(sku, qty, serials, new Set());
  if (bad !== null) return bad;
  for (const s of serials ?? []) {
    const known = state.serials.get(serialKey(sku.tenantId, sku.id, s));
    if (known === undefined || known.status !== 'in-stock' || known.locationId !== locationId) {
      const where = known === undefined ? 'unknown' : known.status === 'in-stock' ? `at ${known.locationId ?? '?'}` : known.status;
      return domainError('UNKNOWN_SERIAL', `serial ${s} of ${sku.id} is not in stock at ${locationId} (${where})`, { serial: s, status: known?.status ?? null, locationId: known?.locationId ?? null });
    }
    if (lot !== null && known.lot !== lot) return domainError('UNKNOWN_SERIAL', `serial ${s} is of lot ${known.lot || '(none)'}, not ${lot || '(none)'}`, { serial: s, lot: known.lot });
  }
  return null;
}

/** Serials on a command for a SKU that is not serial-tracked are refused (R77). */
export function noSerialsFor(sku: Sku, serials: readonly string[] | undefined): DomainError | null {
  return (serials ?? []).length > 0 ? domainError('INVALID_STATE', `SKU ${sku.id} is not serial-tracked: no serials`, { skuId: sku.id }) : null;
}

/**
 * [R80] A counted serial (`submitCount` lines): distinct across the count (`DUPLICATE_SERIAL`); either in stock at the
 * counted bin (of the line's lot, `UNKNOWN_SERIAL` otherwise) or found — then, like a receipt, not in stock elsewhere,
 * picked, shipped or in transit (`DUPLICATE_SERIAL`); one written off, disposed or transferred away may be found again.
 */
export function checkCountedSerials(state: TwinState, sku: Sku, lot: string, locationId: string, qty: number, serials: readonly string[] | undefined, seen: Set<string>): DomainError | null {
  const bad = checkList(sku, qty, serials, seen);
  if (bad !== null) return bad;
  for (const s of serials ?? []) {
    const known = state.serials.get(serialKey(sku.tenantId, sku.id, s));
    if (known === undefined || isGone(known.status)) continue;
    if (known.status === 'in-stock' && known.locationId === locationId) {
      if (known.lot !== lot) return domainError('UNKNOWN_SERIAL', `serial ${s} is of lot ${known.lot || '(none)'}, not ${lot || '(none)'}`, { serial: s, lot: known.lot });
      continue;
    }
    return domainError('DUPLICATE_SERIAL', `serial ${s} of ${sku.id} is ${known.status}${known.locationId === null ? '' : ` at ${known.locationId}`}, not here`, { serial: s, status: known.status, locationId: known.locationId });
  }
  return null;
}

/** A serial no longer at this site (it may come back by transfer or be found by a count). */
const isGone = (status: SerialStatus): boolean => status === 'transferred' || status === 'written-off' || status === 'disposed';

/** Serials of (tenant, sku, lot) in stock at a location, sorted (for counts: what the twin thinks the bin holds). */
export function serialsAt(state: TwinState, tenantId: TenantId, skuId: SkuId, lot: string, locationId: string): string[] {
  const out: string[] = [];
  for (const s of state.serials.values()) {
    if (s.status === 'in-stock' && s.locationId === locationId && s.tenantId === tenantId && s.skuId === skuId && s.lot === lot) out.push(s.serial);
  }
  return out.sort();
}

/** True when the serial is in stock at the location, of the lot. */
export function serialIsAt(state: TwinState, tenantId: TenantId, skuId: SkuId, lot: string, locationId: string, serial: string): boolean {
  const known = state.serials.get(serialKey(tenantId, skuId, serial));
  return known !== undefined && known.status === 'in-stock' && known.locationId === locationId && known.lot === lot;
}

/** True when the serial may be (re)entered into stock by a count: unknown here or gone from the site. */
export function isFoundable(state: TwinState, tenantId: TenantId, skuId: SkuId, serial: string): boolean {
  const known = state.serials.get(serialKey(tenantId, skuId, serial));
  return known === undefined || isGone(known.status);
}

/** [R79] A return of a serial-tracked SKU names one serial (qty 1) that was shipped to the RMA's order. */
export function checkReturnSerial(state: TwinState, sku: Sku, orderId: OrderId, qty: number, serial: string | undefined): DomainError | null {
  if (serial === undefined) return domainError('SERIAL_REQUIRED', `SKU ${sku.id} is serial-tracked: name the returned unit's serial`, { skuId: sku.id });
  if (qty !== 1) return domainError('INVALID_QUANTITY', 'a serial-tracked unit is returned one at a time (qty 1)', { qty });
  if (!isSerialText(serial)) return domainError('INVALID_SCAN', 'serial must be 1 to 64 printable characters without spaces', { serial });
  const known = state.serials.get(serialKey(sku.tenantId, sku.id, serial));
  if (known === undefined || known.status !== 'shipped' || known.orderId !== orderId) {
    return domainError('SERIAL_NOT_SHIPPED', `serial ${serial} was not shipped to order ${orderId}`, { serial, status: known?.status ?? null, orderId: known?.orderId ?? null });
  }
  return null;
}

function put(state: TwinState, tenantId: TenantId, skuId: SkuId, serial: string, change: Partial<SerialState> & Pick<SerialState, 'status' | 'updatedAt'>): void {
  const key = serialKey(tenantId, skuId, serial);
  const s = state.serials.get(key);
  if (s === undefined) {
    state.serials.set(key, { tenantId, skuId, serial, lot: '', locationId: null, orderId: null, transferId: null, ...change });
    return;
  }
  Object.assign(s, { locationId: null, orderId: null, transferId: null }, change);
}

const SERIAL_EVENTS = ['GoodsReceived', 'TransferReceived', 'PickConfirmed', 'PickShorted', 'OrderDespatched', 'ReturnReceived', 'TransferLinePicked', 'TransferCancelled', 'TransferDespatched', 'TransferReceiptConfirmed', 'TransferReturned', 'StockMoved', 'MoveTaskCompleted', 'CountAdjusted', 'ReturnInspected', 'StockReceived'] as const;
type SerialEvent = Extract<TwinEvent, { type: (typeof SERIAL_EVENTS)[number] }>;
const serialEventTypes: ReadonlySet<string> = new Set(SERIAL_EVENTS);
const isSerialEvent = (e: TwinEvent): e is SerialEvent => serialEventTypes.has(e.type);

/**
 * [R80] Marks a serial-tracked SKU whose units this event moves without naming exactly their serials: receipts by
 * `receiveStock`, short picks' missing units, count losses deferred to picks, and every event written before R80
 * captured moves, count adjustments and disposals (or before the SKU was flagged). Its serials may then disagree with
 * its units, so the strict check skips it.
 */
function noteGaps(state: TwinState, e: SerialEvent): void {
  const gap = (tenantId: TenantId, skuId: SkuId): void => {
    if (state.skusById.get(skuId)?.serialTracked === true) state.serialGaps.add(`${tenantId}|${skuId}`);
  };
  const n = (xs: readonly string[] | undefined): number => xs?.length ?? 0;
  switch (e.type) {
    case 'StockReceived':
      if (e.qty > 0) gap(e.tenantId, e.skuId);
      break;
    case 'GoodsReceived':
    case 'TransferReceived':
    case 'StockMoved':
    case 'MoveTaskCompleted':
    case 'PickConfirmed':
      if (n(e.serials) !== e.qty) gap(e.tenantId, e.skuId);
      break;
    case 'PickShorted':
      if (e.shortQty > 0 || n(e.serials) !== e.pickedQty) gap(e.tenantId, e.skuId);
      break;
    case 'ReturnReceived':
      if (e.serial === undefined || e.qty !== 1) gap(e.tenantId, e.skuId);
      break;
    case 'ReturnInspected': {
      const disposed = e.disposed.reduce((sum, d) => sum + d.qty, 0);
      if (disposed > 0 && n(e.serials) !== disposed) gap(e.tenantId, e.skuId);
      break;
    }
    case 'CountAdjusted': {
      // Per (tenant, SKU, lot): the serials' net change must equal the units adjusted, and nothing deferred to picks.
      const net = new Map<string, { tenantId: TenantId; skuId: SkuId; n: number }>();
      const row = (k: { tenantId: TenantId; skuId: SkuId; lot: string }) => {
        const key = `${k.tenantId}|${k.skuId}|${k.lot}`;
        let r = net.get(key);
        if (r === undefined) net.set(key, (r = { tenantId: k.tenantId, skuId: k.skuId, n: 0 }));
        return r;
      };
      for (const a of e.adjustments) {
        row(a).n += a.qty;
        if (a.deferred !== 0) gap(a.tenantId, a.skuId);
      }
      for (const c of e.serials ?? []) row(c).n -= c.found.length - c.writtenOff.length;
      for (const r of net.values()) if (r.n !== 0) gap(r.tenantId, r.skuId);
      break;
    }
    case 'TransferDespatched':
      for (const l of state.transfers.get(e.transferId)?.lines ?? []) if (l.serials.length !== l.qty) gap(l.tenantId, l.skuId);
      break;
    case 'OrderDespatched':
    case 'TransferLinePicked':
    case 'TransferCancelled':
    case 'TransferReceiptConfirmed':
    case 'TransferReturned':
      break;
  }
}

/** Applies what an event says about serials (called by `apply` for every event; most carry none). */
export function noteSerials(state: TwinState, event: TwinEvent): void {
  if (!isSerialEvent(event)) return;
  const e = event;
  noteGaps(state, e);
  switch (e.type) {
    case 'StockReceived':
      break;
    case 'StockMoved':
    case 'MoveTaskCompleted':
      for (const s of e.serials ?? []) put(state, e.tenantId, e.skuId, s, { status: 'in-stock', lot: e.lot, locationId: e.toLocationId, updatedAt: e.at });
      break;
    case 'CountAdjusted':
      for (const c of e.serials ?? []) {
        for (const s of c.writtenOff) put(state, c.tenantId, c.skuId, s, { status: 'written-off', lot: c.lot, updatedAt: e.at });
        for (const s of c.found) put(state, c.tenantId, c.skuId, s, { status: 'in-stock', lot: c.lot, locationId: e.locationId, updatedAt: e.at });
      }
      break;
    case 'ReturnInspected':
      if (e.disposition === 'dispose') for (const s of e.serials ?? []) put(state, e.tenantId, e.skuId, s, { status: 'disposed', updatedAt: e.at });
      break;
    case 'GoodsReceived':
    case 'TransferReceived':
      for (const s of e.serials ?? []) put(state, e.tenantId, e.skuId, s, { status: 'in-stock', lot: e.lot, locationId: e.locationId, updatedAt: e.at });
      break;
    case 'PickConfirmed':
    case 'PickShorted':
      for (const s of e.serials ?? []) put(state, e.tenantId, e.skuId, s, { status: 'picked', orderId: e.orderId, updatedAt: e.at });
      break;
    case 'OrderDespatched':
      for (const s of state.serials.values()) if (s.status === 'picked' && s.orderId === e.orderId) Object.assign(s, { status: 'shipped', updatedAt: e.at });
      break;
    case 'ReturnReceived':
      if (e.serial !== undefined) put(state, e.tenantId, e.skuId, e.serial, { status: 'in-stock', lot: e.lot, locationId: e.locationId, updatedAt: e.at });
      break;
    case 'TransferLinePicked': {
      const line = state.transfers.get(e.transferId)?.lines.find((l) => l.lineNo === e.lineNo);
      if (line !== undefined) for (const s of e.serials) put(state, line.tenantId, line.skuId, s, { status: 'picked', lot: line.lot, transferId: e.transferId, updatedAt: e.at });
      break;
    }
    case 'TransferReturned':
      for (const l of e.lines) for (const s of l.serials) put(state, l.tenantId, l.skuId, s, { status: 'in-stock', lot: l.lot, locationId: e.locationId, updatedAt: e.at });
      break;
    case 'TransferCancelled':
    case 'TransferDespatched':
    case 'TransferReceiptConfirmed': {
      const t = state.transfers.get(e.transferId);
      const transit = e.type === 'TransferCancelled' ? null : e.transitLocationId;
      for (const l of t?.lines ?? []) {
        for (const s of l.serials) {
          if (e.type === 'TransferCancelled') put(state, l.tenantId, l.skuId, s, { status: 'in-stock', lot: l.lot, locationId: l.fromLocationId, updatedAt: e.at });
          else if (e.type === 'TransferDespatched') put(state, l.tenantId, l.skuId, s, { status: 'in-transit', lot: l.lot, locationId: transit, transferId: e.transferId, updatedAt: e.at });
          else put(state, l.tenantId, l.skuId, s, { status: 'transferred', lot: l.lot, transferId: e.transferId, updatedAt: e.at });
        }
      }
      break;
    }
  }
}

/**
 * [R80] Invariants: per serial-tracked (client, SKU), serials in transit = units in transit; a picked serial names its
 * order or transfer, a shipped one its order, an in-stock one a location; and for a SKU without a gap (`serialGaps`:
 * its whole log named the serials of every unit it moved) serials in stock per (location, lot) = units on hand there.
 */
export function serialProblems(state: TwinState, isTransit: (locationId: string) => boolean): string[] {
  const problems: string[] = [];
  const inTransit = new Map<string, number>();
  for (const [key, s] of state.serials) {
    if (key !== serialKey(s.tenantId, s.skuId, s.serial)) problems.push(`serial ${key}: key mismatch`);
    const k = `${s.tenantId}|${s.skuId}`;
    if (s.status === 'in-transit') inTransit.set(k, (inTransit.get(k) ?? 0) + 1);
    if (s.status === 'picked' && s.orderId === null && s.transferId === null) problems.push(`serial ${key}: picked for nothing`);
    if (s.status === 'shipped' && s.orderId === null) problems.push(`serial ${key}: shipped to no order`);
    if (s.status === 'in-stock' && s.locationId === null) problems.push(`serial ${key}: in stock nowhere`);
  }
  const transit = new Map<string, number>();
  for (const q of state.quants.values()) {
    if (state.skusById.get(q.skuId)?.serialTracked !== true) continue;
    if (!isTransit(q.locationId)) continue;
    const k = `${q.tenantId}|${q.skuId}`;
    transit.set(k, (transit.get(k) ?? 0) + q.onHand);
  }
  for (const k of new Set([...inTransit.keys(), ...transit.keys()])) {
    if ((inTransit.get(k) ?? 0) !== (transit.get(k) ?? 0)) problems.push(`serials ${k}: ${inTransit.get(k) ?? 0} in transit, ${transit.get(k) ?? 0} units in transit`);
  }
  // Full capture (no gap): serials in stock at each (location, lot) = units on hand there, transit aside.
  const tight = (tenantId: string, skuId: SkuId): boolean => state.skusById.get(skuId)?.serialTracked === true && !state.serialGaps.has(`${tenantId}|${skuId}`);
  const serialsHere = new Map<string, number>();
  for (const s of state.serials.values()) {
    if (s.status !== 'in-stock' || s.locationId === null || !tight(s.tenantId, s.skuId)) continue;
    const k = `${s.locationId}|${s.tenantId}|${s.skuId}|${s.lot}`;
    serialsHere.set(k, (serialsHere.get(k) ?? 0) + 1);
  }
  const unitsHere = new Map<string, number>();
  for (const q of state.quants.values()) {
    if (isTransit(q.locationId) || q.onHand === 0 || !tight(q.tenantId, q.skuId)) continue;
    const k = `${q.locationId}|${q.tenantId}|${q.skuId}|${q.lot}`;
    unitsHere.set(k, (unitsHere.get(k) ?? 0) + q.onHand);
  }
  for (const k of new Set([...serialsHere.keys(), ...unitsHere.keys()])) {
    if ((serialsHere.get(k) ?? 0) !== (unitsHere.get(k) ?? 0)) problems.push(`serials ${k}: ${serialsHere.get(k) ?? 0} in stock, ${unitsHere.get(k) ?? 0} units on hand`);
  }
  return problems;
}
