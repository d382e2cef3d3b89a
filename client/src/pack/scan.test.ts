import { describe, expect, it } from 'vitest';
import { asGtin14, gs1CheckDigit, hasValidCheckDigit, matchScan, parseGs1 } from './scan.ts';

// Test vectors from the GS1 notes (shared/reference/integrations.md §3.4).
describe('GS1 check digits', () => {
  it('matches the reference vectors', () => {
    expect(gs1CheckDigit('10614141123456789')).toBe(7);
    expect(gs1CheckDigit('00614141123456789')).toBe(0);
    expect(gs1CheckDigit('890400021003')).toBe(7);
    expect(gs1CheckDigit('03600024145')).toBe(7);
    expect(gs1CheckDigit('0952123454321')).toBe(3);
    expect(hasValidCheckDigit('09521234543213')).toBe(true);
    expect(hasValidCheckDigit('09521234543214')).toBe(false);
  });

  it('pads GTIN-8/12/13 to GTIN-14 and rejects other lengths', () => {
    expect(asGtin14('036000241457')).toBe('00036000241457');
    expect(asGtin14('5010731000014')).toBe('05010731000014');
    expect(asGtin14('12345')).toBeNull();
    expect(asGtin14('SKU-1')).toBeNull();
  });
});

describe('GS1 element strings', () => {
  const expected = new Map([['01', '09521234543213'], ['17', '100101'], ['10', '123ABC'], ['21', '1234567890']]);

  it('parses the parenthesised form', () => {
    expect(parseGs1('(01)09521234543213(17)100101(10)123ABC(21)1234567890')).toEqual(expected);
  });

  it('parses the raw form with GS separators, with or without the ]C1 prefix', () => {
    expect(parseGs1('01095212345432131710010110123ABC')).toEqual(new Map([['01', '09521234543213'], ['17', '100101'], ['10', '123ABC']]));
    expect(parseGs1('010952123454321317100101' + '10123ABC\u001d211234567890')).toEqual(expected);
    expect(parseGs1(']C1010952123454321317100101' + '10123ABC\u001d211234567890')).toEqual(expected);
  });

  it('rejects text that is not an element string', () => {
    expect(parseGs1('hello')).toBeNull();
    expect(parseGs1('01123')).toBeNull(); // fixed-length value cut short
    expect(parseGs1('x(01)09521234543213')).toBeNull();
  });
});

describe('matching a scan to the expected items', () => {
  const items = [
    { skuId: 'SKU-1', barcode: '5010731000014' },
    { skuId: 'SKU-2', barcode: '036000241457' },
    { skuId: 'SKU-3', barcode: 'INT-0042' },
  ];

  it('matches the exact barcode, trimmed', () => {
    expect(matchScan(' 5010731000014 ', items)).toEqual({ kind: 'item', skuId: 'SKU-1' });
    expect(matchScan('INT-0042', items)).toEqual({ kind: 'item', skuId: 'SKU-3' });
  });

  it('matches a GS1 (01) GTIN-14 or a padded GTIN against the printed barcode', () => {
    expect(matchScan('(01)05010731000014(10)LOT1', items)).toEqual({ kind: 'item', skuId: 'SKU-1' });
    expect(matchScan(']C10105010731000014', items)).toEqual({ kind: 'item', skuId: 'SKU-1' });
    expect(matchScan('0036000241457', items)).toEqual({ kind: 'item', skuId: 'SKU-2' });
  });

  it('says when a good code is not in the order, and when a GTIN is misread', () => {
    expect(matchScan('4006381333931', items)).toEqual({ kind: 'not-in-order', code: '4006381333931' });
    expect(matchScan('5010731000015', items)).toEqual({ kind: 'misread', code: '5010731000015' });
    expect(matchScan('ORD-123', items)).toEqual({ kind: 'not-in-order', code: 'ORD-123' });
  });
});
