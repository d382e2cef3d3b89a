/** Pure rating: each charge kind on a hand-built log with hand-computed figures, peaks, minimum, re-rating, simulation. */
import { describe, expect, it } from 'vitest';
import type { DurableEvent } from '../twin/events.ts';
import { PLAIN_CARD, VOLUMES, at, ev, sequenced } from './billing.fixture.ts';
import { diffInvoices, minimumFor, rateEvents, rateUsage, rerate, type Invoice } from './invoice.ts';
import { amountOf, formatMinor, formatUnitPrice } from './money.ts';
import type { RateCard } from './rate-card.ts';
import { simulateInvoice } from './simulate.ts';
import { measureUsage } from './usage.ts';

const NOV = { from: '2026-11-01', to: '2026-11-30' };
const rate = (events: DurableEvent[], card: RateCard, period = NOV, asOfMs?: number): Invoice =>
  rateEvents(sequenced(events), card, period, { unitVolumeM3: VOLUMES, ...(asOfMs === undefined ? {} : { asOfMs }) });
const line = (inv: Invoice, code: string) => inv.lines.find((l) => l.code === code);
const summary = (inv: Invoice) => inv.lines.map((l) => [l.code, l.quantity, l.unitPrice, l.amount]);

describe('money', () => {
  it('rounds each amount once, half away from zero, from the exact product', () => {
    expect(amountOf(3, 337.5)).toBe(1013); // 1012.5
    expect(amountOf(0.253, 95)).toBe(24); // 24.035
    expect(amountOf(1, 14.25)).toBe(14);
    expect(amountOf(1, 14.5)).toBe(15);
    expect(amountOf(-1, 14.5)).toBe(-15);
    // 0.1 + 0.2 style float error does not leak: 3 × 0.1 m³ × 100 = 30.
    expect(amountOf(0.1 + 0.2, 100)).toBe(30);
    expect(formatMinor(123456)).toBe('1234.56');
    expect(formatMinor(-5)).toBe('-0.05');
    expect(formatUnitPrice(337.5)).toBe('3.375');
    expect(formatUnitPrice(12)).toBe('0.12');
    expect(formatUnitPrice(14.25)).toBe('0.1425');
  });
});

describe('storage from end-of-day snapshots', () => {
  // acme: A (1 l) and B (8 l); globex holds Z and must never count.
  const log = [
    ev.stockReceived(at('2026-10-31'), 'acme', 'A', 'L1', 10),
    ev.stockReceived(at('2026-11-01'), 'acme', 'B', 'L2', 5),
    ev.stockReceived(at('2026-11-01', 11), 'globex', 'Z', 'L3', 100),
    ev.stockMoved(at('2026-11-02'), 'acme', 'B', 'L2', 'L1', 5),
    ev.stockReceived(at('2026-11-03'), 'acme', 'A', 'L4', 3),
    ev.countAdjusted(at('2026-11-04'), 'C1', 'L4', 'acme', 'A', -3),
    ev.stockReceived(at('2026-11-06'), 'acme', 'A', 'L5', 100),
  ];
  const period = { from: '2026-11-01', to: '2026-11-05' };

  it('snapshots the client stock at each day end: locations, m³, pallets, and the seq it is as of', () => {
    const usage = measureUsage(sequenced(log), { tenantId: 'acme', period, unitVolumeM3: VOLUMES, palletVolumeM3: 0.01, keepPositions: true });
    expect(usage.snapshots.map((s) => [s.day, s.asOfSeq, s.locations, s.volumeM3, s.pallets])).toEqual([
      ['2026-11-01', 3, 2, 0.05, 5],
      ['2026-11-02', 4, 1, 0.05, 5],
      ['2026-11-03', 5, 2, 0.053, 6],
      ['2026-11-04', 6, 1, 0.05, 5],
      ['2026-11-05', 6, 1, 0.05, 5],
    ]);
    expect(usage.snapshots[1]?.positions).toEqual([
      { locationId: 'L1', skuId: 'A', qty: 10, volumeM3: 0.01 },
      { locationId: 'L1', skuId: 'B', qty: 5, volumeM3: 0.04 },
    ]);
  });

  it('charges per location-day (2+1+2+1+1 = 7 × 10 = 70)', () => {
    const inv = rate(log, PLAIN_CARD, period);
    expect(summary(inv)).toEqual([['STORAGE', 7, 10, 70]]);
    expect(line(inv, 'STORAGE')?.basis.map((b) => [b.day, b.quantity, b.seqs])).toEqual([
      ['2026-11-01', 2, [3]],
      ['2026-11-02', 1, [4]],
      ['2026-11-03', 2, [5]],
      ['2026-11-04', 1, [6]],
      ['2026-11-05', 1, [6]],
    ]);
  });

  it('charges per m³-day (0.253 × 95 = 24.035 → 24) and per pallet-day (26 × 7 = 182)', () => {
    expect(summary(rate(log, { ...PLAIN_CARD, storage: { basis: 'm3', pricePerDay: 95 } }, period))).toEqual([['STORAGE', 0.253, 95, 24]]);
    expect(summary(rate(log, { ...PLAIN_CARD, storage: { basis: 'pallet', pricePerDay: 7 } }, period))).toEqual([['STORAGE', 26, 7, 182]]);
  });

  it('charges only days that have ended (as of 3 Nov noon: 1 and 2 Nov)', () => {
    expect(summary(rate(log, PLAIN_CARD, period, at('2026-11-03', 12)))).toEqual([['STORAGE', 3, 10, 30]]);
  });

  it('counts bin count closures as a service', () => {
    const inv = rate(log, { ...PLAIN_CARD, storage: { basis: 'location', pricePerDay: 0 }, services: { CYCLE_COUNT: 250 } }, period);
    expect(summary(inv)).toEqual([['VAS:CYCLE_COUNT', 1, 250, 250]]);
    expect(line(inv, 'VAS:CYCLE_COUNT')?.eventSeqs).toEqual([6]);
  });
});

describe('inbound', () => {
  const log = [
    ev.goodsReceived(at('2026-10-30'), 'acme', 'A', 4, { receiptId: 'R0', asnRef: 'ASN-1', lineNo: 1 }),
    ev.goodsReceived(at('2026-11-02'), 'acme', 'A', 6, { receiptId: 'R1', asnRef: 'ASN-1', lineNo: 1 }),
    ev.goodsReceived(at('2026-11-02', 11), 'acme', 'B', 2, { receiptId: 'R2', asnRef: 'ASN-1', lineNo: 2, damagedQty: 1 }),
    ev.goodsReceived(at('2026-11-05'), 'acme', 'A', 10, { receiptId: 'R3', qcQty: 10 }),
    ev.goodsReceived(at('2026-11-05', 11), 'acme', 'A', 5, { receiptId: 'R4' }),
    ev.goodsReceived(at('2026-11-05', 12), 'globex', 'Z', 50, { receiptId: 'R5' }),
  ];
  const card: RateCard = {
    ...PLAIN_CARD,
    storage: { basis: 'location', pricePerDay: 0 },
    inbound: { perReceipt: 1500, perLine: 100, perUnit: 3, perPallet: 450 },
    services: { QC_HOLD_RECEIPT: 8, DAMAGE_HANDLING: 60 },
  };

  it('charges a receipt and a line once, in the period of their first event; units per event; pallets per receipt', () => {
    const inv = rate(log, card);
    // ASN-1 was first received in October: only its new line 2 is charged. Blind receipts of 5 Nov are one receipt,
    // one line (A, no lot). Pallets (0.01 m³): ASN-1 ⌈0.022/0.01⌉ = 3, blind ⌈0.015/0.01⌉ = 2.
    expect(summary(inv)).toEqual([
      ['INBOUND_LINE', 2, 100, 200],
      ['INBOUND_PALLET', 5, 450, 2250],
      ['INBOUND_RECEIPT', 1, 1500, 1500],
      ['INBOUND_UNIT', 23, 3, 69],
      ['VAS:DAMAGE_HANDLING', 1, 60, 60],
      ['VAS:QC_HOLD_RECEIPT', 10, 8, 80],
    ]);
    expect(inv.total).toBe(4159);
    expect(line(inv, 'INBOUND_RECEIPT')?.eventSeqs).toEqual([4]);
    expect(line(inv, 'INBOUND_UNIT')?.eventSeqs).toEqual([2, 3, 4, 5]);
  });
});

/** Two acme orders and a globex one: O1 despatched 2 Nov (one line short-picked), O2 packed in Nov, despatched in Dec. */
const ordersLog = [
  ev.stockReceived(at('2026-11-01'), 'acme', 'A', 'L1', 20),
  ev.stockReceived(at('2026-11-01'), 'acme', 'B', 'L2', 20),
  ev.orderCreated(at('2026-11-02', 8), 'acme', 'O1', [{ skuId: 'A', qty: 3 }, { skuId: 'B', qty: 2 }]),
  ev.orderReleased(at('2026-11-02', 9), 'O1', [
    { taskId: 'T1', lineNo: 1, tenantId: 'acme', skuId: 'A', locationId: 'L1', qty: 3 },
    { taskId: 'T2', lineNo: 2, tenantId: 'acme', skuId: 'B', locationId: 'L2', qty: 2 },
  ]),
  ev.pickConfirmed(at('2026-11-02', 10), 'O1', 'T1', 'acme', 'A', 'L1', 3),
  ev.pickShorted(at('2026-11-02', 10), 'O1', 'T2', 'acme', 'B', 'L2', 1, 1),
  ev.orderPacked(at('2026-11-02', 11), 'O1', 'M1'),
  ev.labelled(at('2026-11-02', 11), 'O1', 'floortwin-post', 'standard'),
  ev.despatched(at('2026-11-02', 12), 'O1'),
  ev.orderCreated(at('2026-11-03', 8), 'acme', 'O2', [{ skuId: 'A', qty: 1 }]),
  ev.orderReleased(at('2026-11-03', 9), 'O2', [{ taskId: 'T3', lineNo: 1, tenantId: 'acme', skuId: 'A', locationId: 'L1', qty: 1 }]),
  ev.pickConfirmed(at('2026-11-03', 10), 'O2', 'T3', 'acme', 'A', 'L1', 1),
  ev.orderPacked(at('2026-11-03', 11), 'O2', null),
  ev.labelled(at('2026-11-03', 11), 'O2', 'floortwin-post', 'express'),
  ev.orderCreated(at('2026-11-03', 12), 'globex', 'O3', [{ skuId: 'Z', qty: 1 }]),
  ev.orderPacked(at('2026-11-03', 13), 'O3', 'M1'),
  ev.despatched(at('2026-11-03', 14), 'O3'),
  ev.despatched(at('2026-12-01', 9), 'O2'),
];
const outboundCard: RateCard = {
  ...PLAIN_CARD,
  storage: { basis: 'location', pricePerDay: 0 },
  outbound: { perOrder: 95, perLine: 20, perUnit: 12 },
  packaging: { default: 45, byCarton: { M1: 40 } },
  labels: { default: 320, byService: { 'floortwin-post:standard': 310 }, marginPct: 10 },
};

describe('outbound, packaging, labels', () => {
  it('charges despatched orders, their shipped lines and picked units; cartons on pack; labels at cost + margin', () => {
    const inv = rate(ordersLog, outboundCard);
    expect(summary(inv)).toEqual([
      ['OUTBOUND_LINE', 2, 20, 40],
      ['OUTBOUND_ORDER', 1, 95, 95],
      ['OUTBOUND_UNIT', 4, 12, 48],
      ['PACKAGING:M1', 1, 40, 40],
      ['PACKAGING:UNSPECIFIED', 1, 45, 45],
      ['LABEL:floortwin-post:express', 1, 352, 352],
      ['LABEL:floortwin-post:standard', 1, 341, 341],
    ]);
    expect(inv.total).toBe(961);
    // Units: the confirmed pick (3) and the short pick's picked unit (1).
    expect(line(inv, 'OUTBOUND_UNIT')?.basis.map((b) => [b.quantity, b.seqs])).toEqual([
      [3, [5]],
      [1, [6]],
    ]);
    expect(line(inv, 'OUTBOUND_ORDER')?.eventSeqs).toEqual([9]);
  });

  it('keeps label cost + margin at 4 decimals and rounds the line once (3 × 337.5 = 1012.5 → 1013)', () => {
    const log = ['X1', 'X2', 'X3'].flatMap((o, i) => [ev.orderCreated(at('2026-11-02', 8 + i), 'acme', o, [{ skuId: 'A', qty: 1 }]), ev.labelled(at('2026-11-02', 12 + i), o, 'dpd', 'next-day')]);
    const inv = rate(log, { ...PLAIN_CARD, storage: { basis: 'location', pricePerDay: 0 }, labels: { default: 300, byService: {}, marginPct: 12.5 } });
    expect(summary(inv)).toEqual([['LABEL:dpd:next-day', 3, 337.5, 1013]]);
  });
});

describe('returns', () => {
  it('charges an RMA once on its first receipt, units per receipt, inspection and disposal as services', () => {
    const log = [
      ev.returnReceived(at('2026-11-10'), 'acme', 'R-1', 'RR1', 'A', 2),
      ev.returnReceived(at('2026-11-11'), 'acme', 'R-1', 'RR2', 'A', 1),
      ev.returnReceived(at('2026-11-12'), 'acme', 'R-2', 'RR3', 'B', 1),
      ev.returnReceived(at('2026-11-12'), 'globex', 'R-3', 'RR4', 'Z', 9),
      ev.returnInspected(at('2026-11-13'), 'acme', 'R-1', 'A', 3, 1),
    ];
    const card: RateCard = {
      ...PLAIN_CARD,
      storage: { basis: 'location', pricePerDay: 0 },
      returns: { perRma: 150, perUnit: 35 },
      services: { RETURN_INSPECTION: 25, RETURN_DISPOSAL: 40 },
    };
    const inv = rate(log, card);
    expect(summary(inv)).toEqual([
      ['RETURN_RMA', 2, 150, 300],
      ['RETURN_UNIT', 4, 35, 140],
      ['VAS:RETURN_DISPOSAL', 1, 40, 40],
      ['VAS:RETURN_INSPECTION', 3, 25, 75],
    ]);
    expect(line(inv, 'RETURN_RMA')?.eventSeqs).toEqual([1, 3]);
  });
});

describe('peak surcharges', () => {
  it('adds a line per uplifted charge over the contributions on peak days, storage excluded by default', () => {
    const card: RateCard = { ...outboundCard, storage: { basis: 'location', pricePerDay: 10 }, peaks: [{ id: 'bf', name: 'Black Friday', from: '2026-11-02', to: '2026-11-02', upliftPct: 15 }] };
    const inv = rate(ordersLog, card);
    const peak = inv.lines.filter((l) => l.family === 'peak').map((l) => [l.code, l.quantity, l.unitPrice, l.amount]);
    // 95 × 15 % = 14.25 → 14; 2 × 3 = 6; 4 × 1.8 = 7.2 → 7; M1 40 × 15 % = 6; 341 × 15 % = 51.15 → 51. O2's pack (3 Nov)
    // is outside the peak; storage is not uplifted.
    expect(peak).toEqual([
      ['PEAK:bf:LABEL:floortwin-post:standard', 1, 51.15, 51],
      ['PEAK:bf:OUTBOUND_LINE', 2, 3, 6],
      ['PEAK:bf:OUTBOUND_ORDER', 1, 14.25, 14],
      ['PEAK:bf:OUTBOUND_UNIT', 4, 1.8, 7],
      ['PEAK:bf:PACKAGING:M1', 1, 6, 6],
    ]);
    const base = rate(ordersLog, { ...card, peaks: [] });
    expect(inv.total - base.total).toBe(84);
  });

  it('uplifts only the families named, storage included when asked', () => {
    const card: RateCard = {
      ...outboundCard,
      storage: { basis: 'location', pricePerDay: 10 },
      peaks: [{ id: 'p', name: 'Peak', from: '2026-11-01', to: '2026-11-02', upliftPct: 50, appliesTo: ['storage', 'packaging'] }],
    };
    const inv = rate(ordersLog, card, { from: '2026-11-01', to: '2026-11-03' });
    // Storage: L1 and L2 hold stock at the end of 1 and 2 Nov → 4 location-days in the peak × 5 = 20.
    expect(inv.lines.filter((l) => l.family === 'peak').map((l) => [l.code, l.quantity, l.unitPrice, l.amount])).toEqual([
      ['PEAK:p:PACKAGING:M1', 1, 20, 20],
      ['PEAK:p:STORAGE', 4, 5, 20],
    ]);
  });
});

describe('minimum charge', () => {
  const card = { ...PLAIN_CARD, minimumMonthly: 3000 };
  it('is per calendar month for whole months and pro-rated by the start month otherwise', () => {
    expect(minimumFor(card, NOV)).toBe(3000);
    expect(minimumFor(card, { from: '2026-10-01', to: '2026-12-31' })).toBe(9000);
    expect(minimumFor(card, { from: '2026-11-01', to: '2026-11-10' })).toBe(1000);
    expect(minimumFor(card, { from: '2026-11-15', to: '2026-12-14' })).toBe(3000);
    expect(minimumFor(card, { from: '2026-02-01', to: '2026-02-01' })).toBe(107); // 3000 / 28 = 107.14
  });

  it('tops the invoice up to the minimum, and only when below it', () => {
    const below = rate(ordersLog, { ...outboundCard, minimumMonthly: 150000 });
    expect(line(below, 'MINIMUM')).toMatchObject({ quantity: 1, unitPrice: 149039, amount: 149039, eventSeqs: [] });
    expect(below.total).toBe(150000);
    expect(line(rate(ordersLog, { ...outboundCard, minimumMonthly: 900 }), 'MINIMUM')).toBeUndefined();
  });
});

describe('re-rating', () => {
  const usage = measureUsage(sequenced(ordersLog), { tenantId: 'acme', period: NOV, unitVolumeM3: VOLUMES, palletVolumeM3: 0.01 });

  it('with the same card changes nothing', () => {
    const r = rerate(usage, outboundCard, outboundCard);
    expect(r.totalDelta).toBe(0);
    expect(r.lines.every((l) => l.delta === 0 && JSON.stringify(l.before) === JSON.stringify(l.after))).toBe(true);
  });

  it('with a new card shows each line before and after', () => {
    const next: RateCard = { ...outboundCard, outbound: { ...outboundCard.outbound, perUnit: 15 }, inbound: { ...outboundCard.inbound }, returns: { perRma: 0, perUnit: 0 }, packaging: { default: 45, byCarton: {} } };
    const r = rerate(usage, outboundCard, next);
    expect(r.lines.filter((l) => l.delta !== 0).map((l) => [l.code, l.before?.amount ?? null, l.after?.amount ?? null, l.delta])).toEqual([
      ['OUTBOUND_UNIT', 48, 60, 12],
      ['PACKAGING:M1', 40, 45, 5],
    ]);
    expect(r.totalDelta).toBe(17);
    // A charge the old card did not have appears with no "before".
    const withStorage = rerate(usage, outboundCard, { ...outboundCard, storage: { basis: 'location', pricePerDay: 1 } });
    expect(withStorage.lines.find((l) => l.code === 'STORAGE')).toMatchObject({ before: null, after: { quantity: 60, unitPrice: 1, amount: 60 }, delta: 60 });
    expect(diffInvoices(rateUsage(usage, next), rateUsage(usage, outboundCard)).totalDelta).toBe(-17);
  });
});

describe('simulated invoice', () => {
  it('prices declared volumes with the same rating, spreading per-period figures exactly over the days', () => {
    const card: RateCard = {
      ...PLAIN_CARD,
      palletVolumeM3: 1.5,
      storage: { basis: 'pallet', pricePerDay: 65 },
      inbound: { perReceipt: 1500, perLine: 100, perUnit: 3, perPallet: 450 },
      outbound: { perOrder: 95, perLine: 20, perUnit: 12 },
      packaging: { default: 45, byCarton: {} },
      labels: { default: 320, byService: {}, marginPct: 10 },
      returns: { perRma: 150, perUnit: 35 },
    };
    const inv = simulateInvoice(
      { ordersPerDay: 10, linesPerOrder: 2, unitsPerLine: 1.5, palletsStored: 20, receipts: 4, linesPerReceipt: 5, unitsPerReceiptLine: 100, palletsPerReceipt: 2, returns: 6, unitsPerReturn: 1 },
      card,
      NOV,
    );
    expect(summary(inv)).toEqual([
      ['STORAGE', 600, 65, 39000],
      ['INBOUND_LINE', 20, 100, 2000],
      ['INBOUND_PALLET', 8, 450, 3600],
      ['INBOUND_RECEIPT', 4, 1500, 6000],
      ['INBOUND_UNIT', 2000, 3, 6000],
      ['OUTBOUND_LINE', 600, 20, 12000],
      ['OUTBOUND_ORDER', 300, 95, 28500],
      ['OUTBOUND_UNIT', 900, 12, 10800],
      ['PACKAGING:UNSPECIFIED', 300, 45, 13500],
      ['LABEL:default', 300, 352, 105600],
      ['RETURN_RMA', 6, 150, 900],
      ['RETURN_UNIT', 6, 35, 210],
    ]);
    expect(inv.total).toBe(228110);
    expect(inv.simulated).toBe(true);
    // A peak applies to simulated days like to real ones: +10 % on outbound for 2 of 30 days = 20 orders × 9.5 = 190.
    const peaked = simulateInvoice(
      { ordersPerDay: 10, linesPerOrder: 0, unitsPerLine: 0, palletsStored: 0, receipts: 0, linesPerReceipt: 0, unitsPerReceiptLine: 0, returns: 0, unitsPerReturn: 0 },
      { ...card, peaks: [{ id: 'bf', name: 'BF', from: '2026-11-27', to: '2026-11-28', upliftPct: 10, appliesTo: ['outbound'] }] },
      NOV,
    );
    expect(line(peaked, 'PEAK:bf:OUTBOUND_ORDER')).toMatchObject({ quantity: 20, unitPrice: 9.5, amount: 190 });
  });
});
