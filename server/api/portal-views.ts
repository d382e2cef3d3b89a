/**
 * What the 3PL client portal shows, computed from the twin for ONE tenant: stock by SKU, lot and location class, the
 * client's orders, ASNs and RMAs, the on-time SLA per day and the bins holding its stock. Pure: every function takes
 * the twin state and the tenant id and never returns another tenant's data. The routes (portal.routes.ts) pass the
 * principal's tenant; nothing here reads a tenant from a request.
 */
import type { LayoutView } from '../protocol/floor.ts';
import { isDockLocation } from '../twin/stock-status.ts';
import { isReturnsLocation } from '../twin/returns.ts';
import type { AsnState, OrderState, Quant, RmaState, TwinState } from '../twin/state.ts';
import { asnView } from './goods-in.routes.ts';
import { rmaView } from './returns.routes.ts';

/** Where a unit sits: a pick face (set up with min/max), reserve racking, the inbound dock, or the returns desk. */
export type LocationClass = 'pick-face' | 'reserve' | 'dock' | 'returns';
export const LOCATION_CLASSES: readonly LocationClass[] = ['pick-face', 'reserve', 'dock', 'returns'];

/** Units in one row of the stock views (held = on a QC/quarantine/… hold; available = on racks, neither reserved nor held). */
export interface StockUnits {
  onHand: number;
  reserved: number;
  held: number;
  available: number;
}

const iso = (ms: number | null | undefined): string | null => (typeof ms === 'number' ? new Date(ms).toISOString() : null);
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The class of a location for the portal's stock view. */
export function locationClassOf(twin: TwinState, locationId: string): LocationClass {
  if (isDockLocation(locationId)) return 'dock';
  if (isReturnsLocation(locationId)) return 'returns';
  return twin.pickFaces.has(locationId as never) ? 'pick-face' : 'reserve';
}

/** The tenant's quants with stock, in key order. */
export function tenantQuants(twin: TwinState, tenantId: string): Quant[] {
  const out: Quant[] = [];
  for (const quant of twin.quants.values()) if (quant.tenantId === tenantId && quant.onHand > 0) out.push(quant);
  return out.sort((a, b) => compare(a.key, b.key));
}

function addUnits(into: StockUnits, twin: TwinState, quant: Quant): void {
  // As availability.ts counts it: held units are never reserved (R39), and stock on the dock or the returns desk
  // awaiting put-away is not available (R44).
  const held = Math.min(twin.heldByQuant.get(quant.key) ?? 0, quant.onHand);
  into.onHand += quant.onHand;
  into.reserved += quant.reserved;
  into.held += held;
  if (twin.locationsById.has(quant.locationId)) into.available += Math.max(0, quant.onHand - quant.reserved - held);
}

const zeroUnits = (): StockUnits => ({ onHand: 0, reserved: 0, held: 0, available: 0 });

/** One SKU of the tenant: units, how many bins and lots hold it. */
export interface SkuStockRow extends StockUnits {
  readonly skuId: string;
  readonly description: string;
  bins: number;
  lots: number;
}
/** One lot of one SKU. */
export interface LotStockRow extends StockUnits {
  readonly skuId: string;
  readonly lot: string;
  readonly expiry: string | null;
  bins: number;
}
/** One location class. */
export interface ClassStockRow extends StockUnits {
  readonly locationClass: LocationClass;
  bins: number;
  skus: number;
}

export type StockBy = 'sku' | 'lot' | 'class';

/** The tenant's stock grouped `by` SKU, lot or location class, optionally for one SKU; totals cover every row. */
export function portalStock(twin: TwinState, tenantId: string, by: StockBy, skuId?: string) {
  const quants = tenantQuants(twin, tenantId).filter((q) => skuId === undefined || q.skuId === skuId);
  const totals = { ...zeroUnits(), skus: new Set(quants.map((q) => q.skuId)).size, bins: new Set(quants.map((q) => q.locationId)).size };
  for (const q of quants) addUnits(totals, twin, q);
  switch (by) {
    case 'sku': {
      const rows = new Map<string, SkuStockRow & { binSet: Set<string>; lotSet: Set<string> }>();
      for (const q of quants) {
        let row = rows.get(q.skuId);
        if (row === undefined) {
          row = { skuId: q.skuId, description: twin.skusById.get(q.skuId)?.description ?? '', ...zeroUnits(), bins: 0, lots: 0, binSet: new Set(), lotSet: new Set() };
          rows.set(q.skuId, row);
        }
        addUnits(row, twin, q);
        row.binSet.add(q.locationId);
        row.lotSet.add(q.lot);
      }
      const list = [...rows.values()]
        .sort((a, b) => compare(a.skuId, b.skuId))
        .map(({ binSet, lotSet, ...row }) => ({ ...row, bins: binSet.size, lots: lotSet.size }));
      return { by, totals, rows: list };
    }
    case 'lot': {
      const rows = new Map<string, LotStockRow & { binSet: Set<string> }>();
      for (const q of quants) {
        const key = `${q.skuId}|${q.lot}|${q.expiry ?? ''}`;
        let row = rows.get(key);
        if (row === undefined) {
          row = { skuId: q.skuId, lot: q.lot, expiry: q.expiry, ...zeroUnits(), bins: 0, binSet: new Set() };
          rows.set(key, row);
        }
        addUnits(row, twin, q);
        row.binSet.add(q.locationId);
      }
      const list = [...rows.values()]
        .sort((a, b) => compare(a.skuId, b.skuId) || compare(a.expiry ?? '9999', b.expiry ?? '9999') || compare(a.lot, b.lot))
        .map(({ binSet, ...row }) => ({ ...row, bins: binSet.size }));
      return { by, totals, rows: list };
    }
    case 'class': {
      const rows = new Map<LocationClass, ClassStockRow & { binSet: Set<string>; skuSet: Set<string> }>();
      for (const q of quants) {
        const locationClass = locationClassOf(twin, q.locationId);
        let row = rows.get(locationClass);
        if (row === undefined) {
          row = { locationClass, ...zeroUnits(), bins: 0, skus: 0, binSet: new Set(), skuSet: new Set() };
          rows.set(locationClass, row);
        }
        addUnits(row, twin, q);
        row.binSet.add(q.locationId);
        row.skuSet.add(q.skuId);
      }
      const list = LOCATION_CLASSES.flatMap((c) => {
        const row = rows.get(c);
        if (row === undefined) return [];
        const { binSet, skuSet, ...rest } = row;
        return [{ ...rest, bins: binSet.size, skus: skuSet.size }];
      });
      return { by, totals, rows: list };
    }
  }
}

/** An order as its client sees it: no pick tasks or warehouse locations. */
export function portalOrderView(order: OrderState) {
  return {
    id: order.id,
    externalRef: order.externalRef,
    channel: order.channel,
    status: order.status,
    priority: order.priority,
    createdAt: new Date(order.createdAt).toISOString(),
    dueAt: iso(order.dueAt),
    service: order.service,
    shipTo: order.shipTo,
    carrier: order.carrier,
    trackingNumber: order.trackingNumber,
    sscc: order.sscc,
    despatchedAt: iso(order.despatchedAt),
    cancelReason: order.cancelReason,
    lines: order.lines.map((l) => ({ lineNo: l.lineNo, skuId: l.skuId, qty: l.qty, allocated: l.allocated, backordered: l.backordered, picked: l.picked, shorted: l.shorted, cancelled: l.cancelled })),
  };
}

/** The tenant's order, or undefined when it is missing or another tenant's (the caller answers both alike). */
export function ownOrder(twin: TwinState, tenantId: string, orderId: string): OrderState | undefined {
  const order = twin.orders.get(orderId as never);
  return order !== undefined && order.tenantId === tenantId ? order : undefined;
}
export function ownAsn(twin: TwinState, tenantId: string, asnRef: string): AsnState | undefined {
  const asn = twin.asns.get(asnRef);
  return asn !== undefined && asn.tenantId === tenantId ? asn : undefined;
}
export function ownRma(twin: TwinState, tenantId: string, rmaId: string): RmaState | undefined {
  const rma = twin.rmas.get(rmaId);
  return rma !== undefined && rma.tenantId === tenantId ? rma : undefined;
}

/** The tenant's orders (optionally of one status), newest first, a page of them. */
export function portalOrders(twin: TwinState, tenantId: string, q: { status?: string | undefined; limit: number; offset: number }) {
  const all = [...twin.orders.values()]
    .filter((o) => o.tenantId === tenantId && (q.status === undefined || o.status === q.status))
    .sort((a, b) => b.createdAt - a.createdAt || compare(a.id, b.id));
  const byStatus: Record<string, number> = {};
  for (const o of twin.orders.values()) if (o.tenantId === tenantId) byStatus[o.status] = (byStatus[o.status] ?? 0) + 1;
  return { total: all.length, byStatus, orders: all.slice(q.offset, q.offset + q.limit).map(portalOrderView) };
}

/** The tenant's ASNs, newest first. */
export function portalAsns(twin: TwinState, tenantId: string, q: { status?: string | undefined; limit: number; offset: number }) {
  const all = [...twin.asns.values()]
    .filter((a) => a.tenantId === tenantId && (q.status === undefined || a.status === q.status))
    .sort((a, b) => b.createdAt - a.createdAt || compare(a.ref, b.ref));
  return { total: all.length, asns: all.slice(q.offset, q.offset + q.limit).map(asnView) };
}

/** The tenant's RMAs, newest first. */
export function portalRmas(twin: TwinState, tenantId: string, q: { status?: string | undefined; limit: number; offset: number }) {
  const all = [...twin.rmas.values()]
    .filter((r) => r.tenantId === tenantId && (q.status === undefined || r.status === q.status))
    .sort((a, b) => b.createdAt - a.createdAt || compare(a.id, b.id));
  return { total: all.length, rmas: all.slice(q.offset, q.offset + q.limit).map(rmaView) };
}

/** One UTC day of the SLA: orders whose carrier cut-off (`dueAt`) fell that day. */
export interface SlaDay {
  readonly day: string;
  /** Orders due that day (not cancelled). */
  due: number;
  /** Despatched at or before the cut-off. */
  onTime: number;
  /** Despatched after the cut-off, or still not despatched with the cut-off passed. */
  late: number;
  /** Not despatched, cut-off still ahead. */
  pending: number;
  /** onTime / (onTime + late), null when nothing is decided yet. */
  rate: number | null;
}

const DAY_MS = 86_400_000;

/**
 * Orders despatched on time (at or before their carrier cut-off, `dueAt`) per UTC day of the cut-off, for cut-offs in
 * [fromMs, toMs). Cancelled orders and orders without a cut-off do not count. `now` (twin time) decides whether an
 * undespatched order is late or still pending.
 */
export function portalSla(twin: TwinState, tenantId: string, fromMs: number, toMs: number, now: number) {
  const days = new Map<string, SlaDay>();
  for (let t = Math.floor(fromMs / DAY_MS) * DAY_MS; t < toMs; t += DAY_MS) {
    const day = new Date(t).toISOString().slice(0, 10);
    days.set(day, { day, due: 0, onTime: 0, late: 0, pending: 0, rate: null });
  }
  let withoutCutoff = 0;
  for (const o of twin.orders.values()) {
    if (o.tenantId !== tenantId || o.status === 'cancelled') continue;
    if (o.dueAt === null) {
      withoutCutoff++;
      continue;
    }
    if (o.dueAt < fromMs || o.dueAt >= toMs) continue;
    const row = days.get(new Date(o.dueAt).toISOString().slice(0, 10));
    if (row === undefined) continue;
    row.due++;
    if (o.despatchedAt !== null) {
      if (o.despatchedAt <= o.dueAt) row.onTime++;
      else row.late++;
    } else if (now > o.dueAt) row.late++;
    else row.pending++;
  }
  const list = [...days.values()];
  let onTime = 0;
  let late = 0;
  for (const d of list) {
    d.rate = d.onTime + d.late === 0 ? null : d.onTime / (d.onTime + d.late);
    onTime += d.onTime;
    late += d.late;
  }
  return {
    from: new Date(fromMs).toISOString(),
    to: new Date(toMs).toISOString(),
    days: list,
    totals: { onTime, late, pending: list.reduce((n, d) => n + d.pending, 0), rate: onTime + late === 0 ? null : onTime / (onTime + late) },
    withoutCutoff,
  };
}

/** A bin holding the tenant's stock: its layout index (into `LayoutView.ids`) and the tenant's units in it. */
export interface PortalBin {
  readonly locationId: string;
  readonly index: number;
  units: number;
}

/**
 * The layout bins holding this tenant's stock (for lighting them up on the read-only floor), in layout order, and
 * the tenant's units off the racks (dock, returns desk) that have no bin to light.
 */
export function portalFloor(twin: TwinState, layout: LayoutView, tenantId: string) {
  const bins = new Map<string, PortalBin>();
  const offFloor = new Map<string, number>();
  for (const q of tenantQuants(twin, tenantId)) {
    const location = twin.locationsById.get(q.locationId);
    if (location === undefined) {
      offFloor.set(q.locationId, (offFloor.get(q.locationId) ?? 0) + q.onHand);
      continue;
    }
    const bin = bins.get(q.locationId);
    if (bin === undefined) bins.set(q.locationId, { locationId: q.locationId, index: location.index, units: q.onHand });
    else bin.units += q.onHand;
  }
  const list = [...bins.values()].sort((a, b) => a.index - b.index);
  return {
    siteId: twin.site.id,
    layoutId: layout.layoutId,
    seq: twin.seq,
    count: list.length,
    units: list.reduce((n, b) => n + b.units, 0),
    bins: list,
    offFloor: [...offFloor.entries()].map(([locationId, units]) => ({ locationId, locationClass: locationClassOf(twin, locationId), units })),
  };
}

/** Headline numbers for the portal's first screen. */
export function portalSummary(twin: TwinState, tenantId: string) {
  const tenant = twin.site.tenants.find((t) => t.id === tenantId);
  const stock = portalStock(twin, tenantId, 'class');
  const orders: Record<string, number> = {};
  for (const o of twin.orders.values()) if (o.tenantId === tenantId) orders[o.status] = (orders[o.status] ?? 0) + 1;
  let openAsns = 0;
  for (const a of twin.asns.values()) if (a.tenantId === tenantId && a.status === 'open') openAsns++;
  let openRmas = 0;
  for (const r of twin.rmas.values()) if (r.tenantId === tenantId && r.status === 'open') openRmas++;
  return {
    siteId: twin.site.id,
    siteName: twin.site.name,
    tenant: { id: tenantId, name: tenant?.name ?? tenantId },
    at: new Date(twin.now).toISOString(),
    seq: twin.seq,
    stock: stock.totals,
    orders,
    openAsns,
    openRmas,
  };
}
