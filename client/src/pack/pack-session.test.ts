import { describe, expect, it } from 'vitest';
import { describeCarton, describeOutcome, readWeightField, weightCheck, isComplete, remainingUnits, scanItem, scannedItemsOf, startSession, untick } from './pack-session.ts';

const order = () =>
  startSession('ORD-1', [
    { skuId: 'SKU-1', description: 'Power bank', barcode: '5010731000014', qty: 2 },
    { skuId: 'SKU-2', description: 'Speaker', barcode: '5011462000014', qty: 1 },
  ]);

describe('pack session', () => {
  it('ticks one unit per scan until every expected unit is scanned', () => {
    let session = order();
    expect(remainingUnits(session)).toBe(3);
    for (const code of ['5010731000014', '(01)05011462000014', '5010731000014']) {
      const step = scanItem(session, code);
      expect(step.outcome.kind).toBe('ticked');
      session = step.session;
    }
    expect(isComplete(session)).toBe(true);
    expect(scannedItemsOf(session)).toEqual([
      { code: '5010731000014', qty: 2 },
      { code: '5011462000014', qty: 1 },
    ]);
  });

  it('refuses a wrong item and an extra unit without changing the counts', () => {
    let session = scanItem(order(), '5011462000014').session;
    const extra = scanItem(session, '5011462000014');
    expect(extra.outcome.kind).toBe('over');
    expect(extra.session).toBe(session);
    const wrong = scanItem(session, '4006381333931');
    expect(wrong.outcome).toEqual({ kind: 'not-in-order', code: '4006381333931' });
    expect(describeOutcome(wrong.outcome)).toMatch(/not in this order/);
    expect(wrong.session).toBe(session);
    session = untick(session, 'SKU-2');
    expect(remainingUnits(session)).toBe(3);
    expect(scanItem(session, '   ').outcome.kind).toBe('empty');
  });

  it('an order with no units is never complete', () => {
    expect(isComplete(startSession('ORD-2', []))).toBe(false);
  });
});

describe('carton text', () => {
  it('gives inner size in cm and the weight limit', () => {
    expect(describeCarton({ code: 'M2', lengthM: 0.4, widthM: 0.3, heightM: 0.2, maxWeightKg: 15, tareKg: 0.35 })).toBe('M2 · 40 × 30 × 20 cm · up to 15 kg');
    expect(describeCarton({ code: 'S1', lengthM: 0.255, widthM: 0.18, heightM: 0.05, maxWeightKg: 2.5, tareKg: 0.05 })).toBe('S1 · 25.5 × 18 × 5 cm · up to 2.5 kg');
  });
});

describe('weight check', () => {
  it('flags a parcel more than 25 % off the estimate, either way', () => {
    expect(weightCheck(1000, 1000)).toBe('ok');
    expect(weightCheck(760, 1000)).toBe('ok');
    expect(weightCheck(740, 1000)).toBe('light');
    expect(weightCheck(1260, 1000)).toBe('heavy');
    expect(weightCheck(500, 0)).toBe('ok'); // nothing to compare with
  });
});

describe('weight field', () => {
  it('reads grams, and takes a barcode typed by a scanner for a scan', () => {
    expect(readWeightField(' 1250 ')).toEqual({ kind: 'grams', grams: 1250 });
    expect(readWeightField('5010731000014')).toEqual({ kind: 'scan', code: '5010731000014' });
    expect(readWeightField('(01)05010731000014')).toEqual({ kind: 'scan', code: '(01)05010731000014' });
    expect(readWeightField('0')).toEqual({ kind: 'invalid' });
    expect(readWeightField('12 kg')).toEqual({ kind: 'invalid' });
    expect(readWeightField('')).toEqual({ kind: 'invalid' });
  });
});
