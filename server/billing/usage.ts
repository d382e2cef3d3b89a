/**
 * Billable usage of one client over a period, measured from the immutable event log (pure: no I/O, no clock). Every
 * contribution names the events (seqs) it counts, so an invoice line can be explained event by event.
 *
 * What counts (UTC days; a contribution's `day` is the day of the event that is charged):
 * - storage: end-of-day stock of the client in physical locations (every location not `V:*`, the dock and returns
 *   desk included), from a replay of the whole log up to each day's end. Days after `asOfMs` are not charged.
 * - inbound: `GoodsReceived`. A receipt is an ASN, or for blind receipts the client's blind deliveries of one day; a
 *   receipt and a receipt line (ASN line, or SKU/lot of a blind receipt) are charged once, in the period of their first
 *   event; units per event; pallets per receipt in the period = ⌈Σ volume / pallet volume⌉.
 *   `StockReceived` (opening stock loaded without the dock process) is never charged as inbound; it is stored.
 *   `TransferReceived` (from another site) is inbound too, one receipt per transfer; `TransferDespatched` is not charged
 *   (TODO(#9): a transfer-out charge) but its units leave storage (goods in `TRANSIT:*` are not stored here).
 * - outbound: `OrderDespatched` of the client's orders: 1 order, the lines with picked units, the picked units (each
 *   pick event a contribution), all on the despatch day.
 * - packaging: `OrderPacked` (one carton by carton code); labels: `ShipmentLabelled` (by carrier:service).
 * - returns: an RMA once, on its first `ReturnReceived`; units per `ReturnReceived`.
 * - services: see `SERVICES` in rate-card.ts.
 */
import type { DurableEvent, SequencedEvent } from '../twin/events.ts';
import { sumQuantities, roundQuantity } from './money.ts';
import { dayOf, daysOf, periodRangeMs, type BillingPeriod, type ServiceCode } from './rate-card.ts';

/** What a usage meter counts. */
export type MeterKind =
  | 'storage-location-days'
  | 'storage-pallet-days'
  | 'storage-m3-days'
  | 'inbound-receipts'
  | 'inbound-lines'
  | 'inbound-units'
  | 'inbound-pallets'
  | 'outbound-orders'
  | 'outbound-lines'
  | 'outbound-units'
  | 'cartons'
  | 'labels'
  | 'return-rmas'
  | 'return-units'
  | 'service';

/** One counted fact: `quantity` of a meter on `day`, caused by the events `seqs` (empty only for simulated usage). */
export interface Contribution {
  readonly kind: MeterKind;
  /** Carton code, `carrier:service` or service code; '' when the meter has none. */
  readonly variant: string;
  readonly day: string;
  readonly quantity: number;
  readonly seqs: readonly number[];
  /** Human reference: an order, a receipt, a day's stock. */
  readonly ref: string;
}

/** One position of an end-of-day stock snapshot. */
export interface StockPosition {
  readonly locationId: string;
  readonly skuId: string;
  readonly qty: number;
  readonly volumeM3: number;
}

/** The client's stock at the end of one UTC day. */
export interface DailySnapshot {
  readonly day: string;
  /** The last event applied (the snapshot is the log replayed through this seq); 0 when none. */
  readonly asOfSeq: number;
  /** Distinct physical locations holding the client's stock. */
  readonly locations: number;
  /** Σ qty × unit volume, m³ to 3 decimals. */
  readonly volumeM3: number;
  /** ⌈volume / pallet volume⌉. */
  readonly pallets: number;
  readonly positions: readonly StockPosition[];
}

export interface Usage {
  readonly tenantId: string;
  readonly period: BillingPeriod;
  readonly contributions: readonly Contribution[];
  readonly snapshots: readonly DailySnapshot[];
  /** Highest seq read (the invoice is a function of the log through this seq). */
  readonly throughSeq: number;
}

/** What usage measuring needs from the site: unit volumes of SKUs (m³) by id. */
export interface UsageOptions {
  readonly tenantId: string;
  readonly period: BillingPeriod;
  readonly unitVolumeM3: ReadonlyMap<string, number>;
  readonly palletVolumeM3: number;
  /** Storage days whose end is after this instant are not charged (the day is not over). Default: every day. */
  readonly asOfMs?: number;
  /** Keep each snapshot's positions (for drill-down); default false (totals only). */
  readonly keepPositions?: boolean;
}

/** Unit volume map from a catalogue. */
export function unitVolumes(skus: readonly { id: string; lengthM: number; widthM: number; heightM: number }[]): Map<string, number> {
  return new Map(skus.map((s) => [s.id, s.lengthM * s.widthM * s.heightM]));
}

/** In the building: not a virtual ledger location (`V:*`) and not goods on the road to another site (`TRANSIT:*`). */
const isPhysical = (locationId: string): boolean => !locationId.startsWith('V:') && !locationId.startsWith('TRANSIT:');

/** Signed changes of the client's physical stock by one event: [location, sku, lot, Δqty]. */
function stockChanges(e: DurableEvent, tenantId: string): [string, string, string, number][] {
  const out: [string, string, string, number][] = [];
  const add = (t: string, loc: string, sku: string, lot: string, d: number): void => {
    if (t === tenantId && d !== 0 && isPhysical(loc)) out.push([loc, sku, lot, d]);
  };
  switch (e.type) {
    case 'StockReceived':
    case 'GoodsReceived':
    case 'ReturnReceived':
      add(e.tenantId, e.locationId, e.skuId, e.lot, e.qty);
      break;
    case 'StockMoved':
    case 'MoveTaskCompleted':
      add(e.tenantId, e.fromLocationId, e.skuId, e.lot, -e.qty);
      add(e.tenantId, e.toLocationId, e.skuId, e.lot, e.qty);
      break;
    case 'PickConfirmed':
      add(e.tenantId, e.locationId, e.skuId, e.lot, -e.qty);
      break;
    case 'PickShorted':
      add(e.tenantId, e.locationId, e.skuId, e.lot, -(e.pickedQty + e.shortQty));
      break;
    case 'ReturnInspected':
      for (const d of e.disposed) add(e.tenantId, e.locationId, e.skuId, d.lot, -d.qty);
      break;
    case 'CountAdjusted':
      for (const a of e.adjustments) add(a.tenantId, e.locationId, a.skuId, a.lot, a.qty);
      break;
    case 'TransferDespatched':
      for (const l of e.lines) add(l.tenantId, l.fromLocationId, l.skuId, l.lot, -l.qty);
      break;
    case 'TransferReceived':
      add(e.tenantId, e.locationId, e.skuId, e.lot, e.qty);
      break;
    case 'TransferReturned': // R76a: back into stock here
      for (const l of e.lines) add(l.tenantId, e.locationId, l.skuId, l.lot, l.qty);
      break;
    case 'TransferReceiptConfirmed':
    case 'TransferRefusedByDestination':
    case 'TransferCreated':
    case 'TransferLinePicked':
    case 'TransferCancelled':
    case 'InboundTransferExpected':
    case 'InboundTransferClosed':
    case 'OrderCreated':
    case 'OrderAllocated':
    case 'OrderReleased':
    case 'OperativeSignedOn':
    case 'OperativeSignedOff':
    case 'TasksAssigned':
    case 'TasksUnassigned':
    case 'RoutePlanned':
    case 'OrderPicked':
    case 'OrderPacked':
    case 'OrderDespatched':
    case 'SegmentBlocked':
    case 'SegmentUnblocked':
    case 'OrderCancelled':
    case 'AllocationExpired':
    case 'WaveReleased':
    case 'CountRequested':
    case 'ShipmentLabelled':
    case 'CountCreated':
    case 'CountStarted':
    case 'CountSubmitted':
    case 'CountRejected':
    case 'HoldPlaced':
    case 'HoldReleased':
    case 'AsnCreated':
    case 'AsnClosed':
    case 'QcRuleSet':
    case 'RmaCreated':
    case 'RmaClosed':
    case 'MoveTaskCreated':
    case 'MoveTaskAssigned':
    case 'MoveTaskCancelled':
    case 'PickFaceSet':
    case 'PickFaceCleared':
      break;
  }
  return out;
}

/** Event types usage reads; the rest of the log can be skipped when loading (billing-store.pg.ts). */
export const BILLABLE_EVENT_TYPES: readonly DurableEvent['type'][] = [
  'StockReceived', 'GoodsReceived', 'ReturnReceived', 'StockMoved', 'MoveTaskCompleted', 'PickConfirmed', 'PickShorted',
  'ReturnInspected', 'CountAdjusted', 'OrderCreated', 'OrderReleased', 'OrderPacked', 'OrderDespatched', 'ShipmentLabelled',
  'TransferDespatched', 'TransferReceived',
];

interface OrderFacts {
  readonly tenantId: string;
  readonly picks: { seq: number; taskId: string; qty: number; lineNo: number | null }[];
}

/**
 * Measures a client's billable usage over a period from the log (events in seq order, from seq 1: storage and
 * "first receipt" need the history before the period). Events after the period's end are ignored.
 */
export function measureUsage(events: Iterable<SequencedEvent>, options: UsageOptions): Usage {
  const { tenantId, period, unitVolumeM3, palletVolumeM3 } = options;
  const { startMs, endMs } = periodRangeMs(period);
  const days = daysOf(period);
  const out: Contribution[] = [];
  const snapshots: DailySnapshot[] = [];
  const push = (kind: MeterKind, variant: string, day: string, quantity: number, seqs: readonly number[], ref: string): void => {
    if (quantity !== 0) out.push({ kind, variant, day, quantity, seqs, ref });
  };
  const volumeOf = (skuId: string, qty: number): number => (unitVolumeM3.get(skuId) ?? 0) * qty;

  // Stock by location|sku|lot, and the seq of the last event that changed each key.
  const stock = new Map<string, { locationId: string; skuId: string; qty: number }>();
  const orders = new Map<string, OrderFacts>();
  const taskLine = new Map<string, number>();
  const receiptsSeen = new Set<string>();
  const receiptLinesSeen = new Set<string>();
  const rmasSeen = new Set<string>();
  const receiptVolume = new Map<string, { day: string; volume: number; seqs: number[] }>();
  let throughSeq = 0;
  let nextDay = 0;

  const snapshot = (day: string): void => {
    const positions: StockPosition[] = [];
    const locations = new Set<string>();
    let volume = 0;
    const sorted = [...stock.values()].filter((p) => p.qty > 0).sort((a, b) => (a.locationId < b.locationId ? -1 : a.locationId > b.locationId ? 1 : a.skuId < b.skuId ? -1 : a.skuId > b.skuId ? 1 : 0));
    for (const p of sorted) {
      locations.add(p.locationId);
      const v = volumeOf(p.skuId, p.qty);
      volume += v;
      if (options.keepPositions === true) positions.push({ locationId: p.locationId, skuId: p.skuId, qty: p.qty, volumeM3: roundQuantity(v) });
    }
    const volumeM3 = roundQuantity(volume);
    snapshots.push({ day, asOfSeq: throughSeq, locations: locations.size, volumeM3, pallets: volumeM3 > 0 ? Math.ceil(volume / palletVolumeM3 - 1e-9) : 0, positions });
  };
  const dayEndMs = (i: number): number => startMs + (i + 1) * 86_400_000;
  const lastChargeableDay = options.asOfMs === undefined ? days.length : days.findIndex((_, i) => dayEndMs(i) > (options.asOfMs ?? 0));
  const chargeableDays = lastChargeableDay < 0 ? days.length : lastChargeableDay;

  for (const { seq, event: e } of events) {
    if (e.at >= endMs) break;
    while (nextDay < chargeableDays && e.at >= dayEndMs(nextDay)) snapshot(days[nextDay++] as string);
    throughSeq = seq;
    for (const [loc, sku, lot, d] of stockChanges(e, tenantId)) {
      const key = `${loc}|${sku}|${lot}`;
      const row = stock.get(key);
      if (row) {
        row.qty += d;
        if (row.qty === 0) stock.delete(key);
      } else stock.set(key, { locationId: loc, skuId: sku, qty: d });
    }
    const inPeriod = e.at >= startMs;
    const day = dayOf(e.at);
    switch (e.type) {
      case 'OrderCreated':
        if (e.tenantId === tenantId) orders.set(e.orderId, { tenantId: e.tenantId, picks: [] });
        break;
      case 'OrderReleased':
        if (orders.has(e.orderId)) for (const t of e.tasks) taskLine.set(t.taskId, t.lineNo);
        break;
      case 'PickConfirmed':
      case 'PickShorted': {
        const order = orders.get(e.orderId);
        const qty = e.type === 'PickConfirmed' ? e.qty : e.pickedQty;
        if (order && qty > 0) order.picks.push({ seq, taskId: e.taskId, qty, lineNo: taskLine.get(e.taskId) ?? null });
        break;
      }
      case 'OrderDespatched': {
        const order = orders.get(e.orderId);
        if (!order || !inPeriod) break;
        push('outbound-orders', '', day, 1, [seq], `order ${e.orderId} despatched`);
        const lines = new Set(order.picks.map((p) => (p.lineNo === null ? `task:${p.taskId}` : String(p.lineNo))));
        push('outbound-lines', '', day, lines.size, [seq], `order ${e.orderId}: ${lines.size} line(s) shipped`);
        for (const p of order.picks) push('outbound-units', '', day, p.qty, [p.seq], `order ${e.orderId} pick ${p.taskId}`);
        break;
      }
      case 'OrderPacked':
        if (orders.has(e.orderId) && inPeriod) push('cartons', e.cartonCode ?? '', day, 1, [seq], `order ${e.orderId} packed`);
        break;
      case 'ShipmentLabelled':
        if (orders.has(e.orderId) && inPeriod) push('labels', `${e.carrier}:${e.service}`, day, 1, [seq], `order ${e.orderId} label ${e.trackingNumber}`);
        break;
      case 'GoodsReceived':
      case 'TransferReceived': {
        if (e.tenantId !== tenantId) break;
        const receipt = e.type === 'TransferReceived' ? `transfer ${e.transferId}` : e.asnRef !== null ? `ASN ${e.asnRef}` : `blind receipt ${day}`;
        const line = `${receipt} line ${e.lineNo ?? `${e.skuId}/${e.lot}`}`;
        const firstReceipt = !receiptsSeen.has(receipt);
        const firstLine = !receiptLinesSeen.has(line);
        receiptsSeen.add(receipt);
        receiptLinesSeen.add(line);
        if (!inPeriod) break;
        if (firstReceipt) push('inbound-receipts', '', day, 1, [seq], receipt);
        if (firstLine) push('inbound-lines', '', day, 1, [seq], line);
        push('inbound-units', '', day, e.qty, [seq], `${e.receiptId}: ${e.qty} × ${e.skuId}`);
        const rv = receiptVolume.get(receipt) ?? { day, volume: 0, seqs: [] };
        rv.volume += volumeOf(e.skuId, e.qty);
        rv.seqs.push(seq);
        receiptVolume.set(receipt, rv);
        const qcHeld = e.holds.filter((h) => h.status === 'qc').reduce((s, h) => s + h.qty, 0);
        pushService('QC_HOLD_RECEIPT', day, qcHeld, seq, `${e.receiptId}: ${qcHeld} unit(s) held qc`);
        pushService('DAMAGE_HANDLING', day, e.damagedQty, seq, `${e.receiptId}: ${e.damagedQty} damaged`);
        break;
      }
      case 'ReturnReceived':
        if (e.tenantId !== tenantId) break;
        if (!rmasSeen.has(e.rmaId) && inPeriod) push('return-rmas', '', day, 1, [seq], `RMA ${e.rmaId}`);
        rmasSeen.add(e.rmaId);
        if (inPeriod) push('return-units', '', day, e.qty, [seq], `RMA ${e.rmaId} receipt ${e.receiptId}`);
        break;
      case 'ReturnInspected':
        if (e.tenantId !== tenantId || !inPeriod) break;
        pushService('RETURN_INSPECTION', day, e.qty, seq, `RMA ${e.rmaId} inspection ${e.inspectionId}`);
        pushService('RETURN_DISPOSAL', day, e.disposed.reduce((s, d) => s + d.qty, 0), seq, `RMA ${e.rmaId} inspection ${e.inspectionId} disposed`);
        break;
      case 'CountAdjusted':
        if (inPeriod && e.adjustments.some((a) => a.tenantId === tenantId)) pushService('CYCLE_COUNT', day, 1, seq, `count ${e.countId} at ${e.locationId}`);
        break;
      case 'StockReceived':
      case 'StockMoved':
      case 'TransferCreated':
      case 'TransferLinePicked':
      case 'TransferCancelled':
      case 'TransferDespatched':
      case 'TransferRefusedByDestination':
      case 'TransferReturned':
      case 'InboundTransferExpected':
      case 'InboundTransferClosed':
      case 'TransferReceiptConfirmed':
      case 'OrderAllocated':
      case 'OperativeSignedOn':
      case 'OperativeSignedOff':
      case 'TasksAssigned':
      case 'TasksUnassigned':
      case 'RoutePlanned':
      case 'OrderPicked':
      case 'SegmentBlocked':
      case 'SegmentUnblocked':
      case 'OrderCancelled':
      case 'AllocationExpired':
      case 'WaveReleased':
      case 'CountRequested':
      case 'CountCreated':
      case 'CountStarted':
      case 'CountSubmitted':
      case 'CountRejected':
      case 'HoldPlaced':
      case 'HoldReleased':
      case 'AsnCreated':
      case 'AsnClosed':
      case 'QcRuleSet':
      case 'RmaCreated':
      case 'RmaClosed':
      case 'MoveTaskCreated':
      case 'MoveTaskAssigned':
      case 'MoveTaskCompleted':
      case 'MoveTaskCancelled':
      case 'PickFaceSet':
      case 'PickFaceCleared':
        break;
    }
  }
  while (nextDay < chargeableDays) snapshot(days[nextDay++] as string);

  for (const [receipt, rv] of receiptVolume) {
    const pallets = Math.ceil(rv.volume / palletVolumeM3 - 1e-9);
    push('inbound-pallets', '', rv.day, pallets, rv.seqs, `${receipt}: ${roundQuantity(rv.volume)} m³`);
  }
  for (const s of snapshots) {
    const seqs = s.asOfSeq > 0 ? [s.asOfSeq] : [];
    const ref = `stock at end of ${s.day} (log through seq ${s.asOfSeq})`;
    push('storage-location-days', '', s.day, s.locations, seqs, ref);
    push('storage-pallet-days', '', s.day, s.pallets, seqs, ref);
    push('storage-m3-days', '', s.day, s.volumeM3, seqs, ref);
  }
  return { tenantId, period, contributions: out, snapshots, throughSeq };

  function pushService(code: ServiceCode, day: string, quantity: number, seq: number, ref: string): void {
    push('service', code, day, quantity, [seq], ref);
  }
}

/** Σ quantity of contributions (exact at 3 decimals). */
export const totalQuantity = (contributions: readonly Contribution[]): number => sumQuantities(contributions.map((c) => c.quantity));
