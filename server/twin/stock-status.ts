/**
 * Stock statuses (R39–R41): holds set units of a quant aside as quality hold, quarantine, damaged or expired; held
 * units are never available, allocated, moved or counted away. The dock (R44) is a real place outside the layout where
 * received stock waits for put-away; it is never allocated from either.
 */
import type { ExpireLots, PlaceHold, ReleaseHold } from './commands.ts';
import type { DomainError } from './errors.ts';
import { domainError } from './errors.ts';
import type { TwinEvent } from './events.ts';
import type { EpochMs, LocationId, SiteId, SkuId, TenantId } from './ids.ts';
import { quantKey } from './keys.ts';
import type { Hold, HoldId, HoldLine, HoldStatus, Quant, TwinState } from './state.ts';

export const HOLD_STATUSES: readonly HoldStatus[] = ['qc', 'quarantine', 'damaged', 'expired'];
export const asHoldId = (s: string): HoldId => s as HoldId;

/** The receiving dock of a site (R44): physical stock, not a layout bin; `DOCK:` and not `V:` so stock_quant holds it. */
export const dockLocationId = (siteId: SiteId): LocationId => `DOCK:${siteId}` as LocationId;
export const isDockLocation = (locationId: string): boolean => locationId.startsWith('DOCK:');

/** Units of the quant held (R39). */
export const heldOf = (state: TwinState, key: string): number => state.heldByQuant.get(key) ?? 0;

/** Units of the quant committed to open move tasks (R57). */
export const movingOf = (state: TwinState, key: string): number => state.movingByQuant.get(key) ?? 0;

/**
 * Units of the quant that may be reserved, moved, held or written off: on hand − reserved − held (R39) − committed to
 * open move tasks (R57).
 */
export const freeOf = (state: TwinState, q: Quant): number =>
  // Units in transit to another site (R73) are never free; units committed to a transfer (R71) are not either.
  q.locationId.startsWith('TRANSIT:') ? 0 : q.onHand - q.reserved - heldOf(state, q.key) - movingOf(state, q.key) - (state.transferringByQuant.get(q.key) ?? 0);

const isText = (v: unknown, max: number): v is string => typeof v === 'string' && v.trim().length > 0 && v.length <= max;
const DATE_RE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
export const isIsoDate = (s: unknown): s is string => typeof s === 'string' && DATE_RE.test(s);
const byKey = (a: Quant, b: Quant): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

function holdLine(q: Quant, qty: number): HoldLine {
  return { locationId: q.locationId, tenantId: q.tenantId, skuId: q.skuId, lot: q.lot, expiry: q.expiry, qty };
}

/** [R39] Holds the free units of the tenant's quants matching the filters, up to `qty`; nothing to hold is an error. */
export function decidePlaceHold(state: TwinState, c: PlaceHold, at: EpochMs): TwinEvent[] | DomainError {
  if (!isText(c.holdId, 64)) return domainError('INVALID_STATE', 'holdId must be 1 to 64 characters', {});
  if (state.holds.has(c.holdId)) return domainError('DUPLICATE_HOLD', `hold ${c.holdId} already exists`, { holdId: c.holdId });
  if (!HOLD_STATUSES.includes(c.status)) return domainError('INVALID_STATE', `status must be one of ${HOLD_STATUSES.join(', ')}`, { status: c.status });
  if (!isText(c.reason, 200)) return domainError('REASON_REQUIRED', 'a hold needs a reason (1 to 200 characters)', {});
  if (!state.site.tenants.some((t) => t.id === c.tenantId)) return domainError('UNKNOWN_TENANT', `unknown tenant ${c.tenantId}`, { tenantId: c.tenantId });
  if (c.qty !== undefined && (!Number.isSafeInteger(c.qty) || c.qty <= 0)) {
    return domainError('INVALID_QUANTITY', 'qty must be a positive whole number', { qty: c.qty });
  }
  if (c.skuId !== undefined) {
    const sku = state.skusById.get(c.skuId);
    if (sku === undefined) return domainError('UNKNOWN_SKU', `unknown SKU ${c.skuId}`, { skuId: c.skuId });
    if (sku.tenantId !== c.tenantId) return domainError('TENANT_MISMATCH', `SKU ${c.skuId} belongs to another tenant`, { skuId: c.skuId });
  }
  if (c.locationId !== undefined && !state.locationsById.has(c.locationId) && !isDockLocation(c.locationId)) {
    return domainError('UNKNOWN_LOCATION', `unknown location ${c.locationId}`, { locationId: c.locationId });
  }
  const matches: Quant[] = [];
  for (const q of state.quants.values()) {
    if (q.tenantId !== c.tenantId) continue;
    if (c.locationId !== undefined && q.locationId !== c.locationId) continue;
    if (c.skuId !== undefined && q.skuId !== c.skuId) continue;
    if (c.lot !== undefined && q.lot !== c.lot) continue;
    if (freeOf(state, q) > 0) matches.push(q);
  }
  matches.sort(byKey);
  let rest = c.qty ?? Number.POSITIVE_INFINITY;
  const lines: HoldLine[] = [];
  for (const q of matches) {
    if (rest <= 0) break;
    const qty = Math.min(freeOf(state, q), rest);
    lines.push(holdLine(q, qty));
    rest -= qty;
  }
  if (lines.length === 0) {
    return domainError('NOTHING_TO_HOLD', 'no free stock matches the hold (held or reserved units cannot be held again)', {
      tenantId: c.tenantId,
      locationId: c.locationId ?? null,
      skuId: c.skuId ?? null,
      lot: c.lot ?? null,
    });
  }
  if (c.qty !== undefined && rest > 0) {
    return domainError('INSUFFICIENT_STOCK', `only ${c.qty - rest} free units match the hold`, { qty: c.qty, free: c.qty - rest });
  }
  return [{ type: 'HoldPlaced', at, holdId: c.holdId, status: c.status, reason: c.reason, source: 'manual', lines }];
}

/** [R40] Lifts a hold: its units become available again. */
export function decideReleaseHold(state: TwinState, c: ReleaseHold, at: EpochMs): TwinEvent[] | DomainError {
  const hold = state.holds.get(c.holdId);
  if (hold === undefined) return domainError('UNKNOWN_HOLD', `unknown hold ${String(c.holdId)}`, { holdId: c.holdId });
  if (!isText(c.reason, 200)) return domainError('REASON_REQUIRED', 'releasing a hold needs a reason (1 to 200 characters)', {});
  return [{ type: 'HoldReleased', at, holdId: hold.id, reason: c.reason, lines: hold.lines }];
}

/**
 * [R41] Free units of every lot whose expiry is before `asOf` are held as `expired`, in one hold `EXP-<asOf>-<seq>`.
 * Running it again finds nothing more to expire and decides no events (the site pipeline may call it at will).
 */
export function decideExpireLots(state: TwinState, c: ExpireLots, at: EpochMs): TwinEvent[] | DomainError {
  if (!isIsoDate(c.asOf)) return domainError('INVALID_STATE', 'asOf must be YYYY-MM-DD', { asOf: c.asOf });
  const expired = [...state.quants.values()].filter((q) => q.expiry !== null && q.expiry < c.asOf && freeOf(state, q) > 0).sort(byKey);
  if (expired.length === 0) return [];
  const holdId = asHoldId(`EXP-${c.asOf}-${state.seq + 1}`);
  if (state.holds.has(holdId)) return domainError('DUPLICATE_HOLD', `hold ${holdId} already exists`, { holdId });
  return [
    { type: 'HoldPlaced', at, holdId, status: 'expired', reason: `expired before ${c.asOf}`, source: 'expiry', lines: expired.map((q) => holdLine(q, freeOf(state, q))) },
  ];
}

/** Applies a hold's lines to the held index (`sign` −1 to lift). */
export function noteHeld(state: TwinState, lines: readonly HoldLine[], sign: 1 | -1): void {
  for (const l of lines) {
    const key = quantKey(l.locationId, l.tenantId, l.skuId, l.lot);
    const held = (state.heldByQuant.get(key) ?? 0) + sign * l.qty;
    if (held === 0) state.heldByQuant.delete(key);
    else state.heldByQuant.set(key, held);
  }
}

export interface HoldFilter {
  readonly tenantId?: TenantId;
  readonly status?: HoldStatus;
  readonly skuId?: SkuId;
  readonly locationId?: LocationId;
}

/** Holds matching the filter (a hold matches when one of its lines does), by id. */
export function listHolds(state: TwinState, f: HoldFilter = {}): Hold[] {
  const out: Hold[] = [];
  for (const h of state.holds.values()) {
    if (f.status !== undefined && h.status !== f.status) continue;
    const line = h.lines.some(
      (l) =>
        (f.tenantId === undefined || l.tenantId === f.tenantId) &&
        (f.skuId === undefined || l.skuId === f.skuId) &&
        (f.locationId === undefined || l.locationId === f.locationId),
    );
    if (line) out.push(h);
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export interface ExpiringLot {
  readonly tenantId: TenantId;
  readonly skuId: SkuId;
  readonly lot: string;
  readonly expiry: string;
  /** Whole days from `asOf` to the expiry (negative: already expired). */
  readonly daysLeft: number;
  readonly onHand: number;
  readonly held: number;
  readonly locations: readonly LocationId[];
}

const DAY_MS = 86_400_000;

/** Expiry alert (R41): lots of the tenant (or all) expiring on or before `asOf` + `withinDays`, soonest first. */
export function expiringLots(state: TwinState, options: { asOf: string; withinDays: number; tenantId?: TenantId }): ExpiringLot[] {
  if (!isIsoDate(options.asOf)) throw new RangeError(`asOf must be YYYY-MM-DD, got ${String(options.asOf)}`);
  if (!Number.isSafeInteger(options.withinDays) || options.withinDays < 0) throw new RangeError('withinDays must be a whole number ≥ 0');
  const base = Date.parse(`${options.asOf}T00:00:00Z`);
  const rows = new Map<string, { tenantId: TenantId; skuId: SkuId; lot: string; expiry: string; onHand: number; held: number; locations: Set<LocationId> }>();
  for (const q of state.quants.values()) {
    if (q.expiry === null || options.tenantId !== undefined && q.tenantId !== options.tenantId) continue;
    if ((Date.parse(`${q.expiry}T00:00:00Z`) - base) / DAY_MS > options.withinDays) continue;
    const k = `${q.tenantId}|${q.skuId}|${q.lot}`;
    let row = rows.get(k);
    if (row === undefined) rows.set(k, (row = { tenantId: q.tenantId, skuId: q.skuId, lot: q.lot, expiry: q.expiry, onHand: 0, held: 0, locations: new Set() }));
    row.onHand += q.onHand;
    row.held += heldOf(state, q.key);
    row.locations.add(q.locationId);
  }
  return [...rows.values()]
    .map((r) => ({ ...r, daysLeft: Math.round((Date.parse(`${r.expiry}T00:00:00Z`) - base) / DAY_MS), locations: [...r.locations].sort() }))
    .sort((a, b) => (a.expiry < b.expiry ? -1 : a.expiry > b.expiry ? 1 : `${a.tenantId}|${a.skuId}|${a.lot}` < `${b.tenantId}|${b.skuId}|${b.lot}` ? -1 : 1));
}
