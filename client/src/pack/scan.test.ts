import { describe, expect, it } from 'vitest';
import { matchScan } from './scan.ts';

// GS1 parsing and check digits are tested with the twin's module (server/twin/barcodes/gs1.test.ts).
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

  it('reads raw GS1 strings with GS separators and a ]C1 prefix, and calls a bad GS1 check digit a misread', () => {
    expect(matchScan(']C1010501073100001417270131' + '10LOT1\u001d21SER', items)).toEqual({ kind: 'item', skuId: 'SKU-1' });
    expect(matchScan('(01)05010731000015', items)).toEqual({ kind: 'misread', code: '(01)05010731000015' });
  });
});
