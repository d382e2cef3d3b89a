/** Hand-built event logs and a plain rate card for the billing tests (figures in the tests are computed by hand). */
import type { DurableEvent, SequencedEvent } from '../twin/events.ts';
import type { RateCard } from './rate-card.ts';

/** Epoch ms of `YYYY-MM-DD` at `hour`:00 UTC. */
export const at = (date: string, hour = 10): number => Date.parse(`${date}T${String(hour).padStart(2, '0')}:00:00Z`);

const stockKey = (tenantId: string, skuId: string, lot = '') => ({ tenantId, skuId, lot, expiry: null });

/** Builders of the events billing reads, with only the fields it needs filled sensibly. */
export const ev = {
  stockReceived: (t: number, tenantId: string, skuId: string, locationId: string, qty: number): DurableEvent =>
    ({ type: 'StockReceived', at: t, ...stockKey(tenantId, skuId), locationId, qty }) as unknown as DurableEvent,
  stockMoved: (t: number, tenantId: string, skuId: string, from: string, to: string, qty: number): DurableEvent =>
    ({ type: 'StockMoved', at: t, ...stockKey(tenantId, skuId), fromLocationId: from, toLocationId: to, qty }) as unknown as DurableEvent,
  goodsReceived: (
    t: number,
    tenantId: string,
    skuId: string,
    qty: number,
    o: { receiptId: string; asnRef?: string | null; lineNo?: number | null; damagedQty?: number; qcQty?: number; lot?: string },
  ): DurableEvent =>
    ({
      type: 'GoodsReceived',
      at: t,
      ...stockKey(tenantId, skuId, o.lot ?? ''),
      receiptId: o.receiptId,
      asnRef: o.asnRef ?? null,
      lineNo: o.lineNo ?? null,
      locationId: 'DOCK:demo',
      qty,
      damagedQty: o.damagedQty ?? 0,
      overQty: 0,
      reason: null,
      blind: (o.asnRef ?? null) === null,
      holds: [
        ...((o.damagedQty ?? 0) > 0 ? [{ holdId: `${o.receiptId}/damaged`, status: 'damaged', qty: o.damagedQty }] : []),
        ...((o.qcQty ?? 0) > 0 ? [{ holdId: `${o.receiptId}/qc`, status: 'qc', qty: o.qcQty }] : []),
      ],
    }) as unknown as DurableEvent,
  orderCreated: (t: number, tenantId: string, orderId: string, lines: { skuId: string; qty: number }[]): DurableEvent =>
    ({ type: 'OrderCreated', at: t, orderId, tenantId, externalRef: null, priority: 0, lines: lines.map((l, i) => ({ lineNo: i + 1, ...l })) }) as unknown as DurableEvent,
  orderReleased: (t: number, orderId: string, tasks: { taskId: string; lineNo: number; tenantId: string; skuId: string; locationId: string; qty: number }[]): DurableEvent =>
    ({ type: 'OrderReleased', at: t, orderId, tasks: tasks.map((x) => ({ ...stockKey(x.tenantId, x.skuId), orderId, ...x })) }) as unknown as DurableEvent,
  pickConfirmed: (t: number, orderId: string, taskId: string, tenantId: string, skuId: string, locationId: string, qty: number): DurableEvent =>
    ({ type: 'PickConfirmed', at: t, ...stockKey(tenantId, skuId), taskId, orderId, operativeId: 'OP1', locationId, qty }) as unknown as DurableEvent,
  pickShorted: (t: number, orderId: string, taskId: string, tenantId: string, skuId: string, locationId: string, pickedQty: number, shortQty: number): DurableEvent =>
    ({ type: 'PickShorted', at: t, ...stockKey(tenantId, skuId), taskId, orderId, operativeId: 'OP1', locationId, pickedQty, shortQty }) as unknown as DurableEvent,
  orderPacked: (t: number, orderId: string, cartonCode: string | null): DurableEvent => ({ type: 'OrderPacked', at: t, orderId, cartonCode }) as unknown as DurableEvent,
  labelled: (t: number, orderId: string, carrier: string, service: string): DurableEvent =>
    ({ type: 'ShipmentLabelled', at: t, orderId, carrier, service, trackingNumber: `TN-${orderId}` }) as unknown as DurableEvent,
  despatched: (t: number, orderId: string): DurableEvent => ({ type: 'OrderDespatched', at: t, orderId, carrier: null, trackingNumber: null }) as unknown as DurableEvent,
  returnReceived: (t: number, tenantId: string, rmaId: string, receiptId: string, skuId: string, qty: number): DurableEvent =>
    ({ type: 'ReturnReceived', at: t, ...stockKey(tenantId, skuId), rmaId, receiptId, lineNo: 1, locationId: 'RETURNS:demo', qty, holdId: `${rmaId}/qc` }) as unknown as DurableEvent,
  returnInspected: (t: number, tenantId: string, rmaId: string, skuId: string, qty: number, disposedQty: number): DurableEvent =>
    ({
      type: 'ReturnInspected',
      at: t,
      rmaId,
      inspectionId: `${rmaId}-I${qty}`,
      tenantId,
      lineNo: 1,
      skuId,
      grade: disposedQty > 0 ? 'D' : 'A',
      disposition: disposedQty > 0 ? 'dispose' : 'restock',
      qty,
      note: null,
      locationId: 'RETURNS:demo',
      disposed: disposedQty > 0 ? [{ lot: '', expiry: null, qty: disposedQty }] : [],
    }) as unknown as DurableEvent,
  countAdjusted: (t: number, countId: string, locationId: string, tenantId: string, skuId: string, qty: number): DurableEvent =>
    ({
      type: 'CountAdjusted',
      at: t,
      countId,
      locationId,
      approverId: null,
      reasonCode: 'COUNT',
      adjustments: [{ ...stockKey(tenantId, skuId), variance: qty, qty, deferred: 0 }],
    }) as unknown as DurableEvent,
};

/** Numbers events 1, 2, 3, … in order. */
export const sequenced = (events: readonly DurableEvent[]): SequencedEvent[] => events.map((event, i) => ({ seq: i + 1, event }));

/** Unit volumes: A 1 litre (0.1 m cube), B 8 litres (0.2 m cube), Z (another client's) 1 litre. */
export const VOLUMES: ReadonlyMap<string, number> = new Map([
  ['A', 0.001],
  ['B', 0.008],
  ['Z', 0.001],
]);

/** A card with round prices (minor units) and nothing else charged; tests switch on what they need. */
export const PLAIN_CARD: RateCard = {
  tenantId: 'acme',
  currency: 'GBP',
  palletVolumeM3: 0.01,
  storage: { basis: 'location', pricePerDay: 10 },
  inbound: { perReceipt: 0, perLine: 0, perUnit: 0, perPallet: 0 },
  outbound: { perOrder: 0, perLine: 0, perUnit: 0 },
  packaging: { default: 0, byCarton: {} },
  labels: { default: 0, byService: {}, marginPct: 0 },
  returns: { perRma: 0, perUnit: 0 },
  services: {},
  minimumMonthly: 0,
  peaks: [],
};
