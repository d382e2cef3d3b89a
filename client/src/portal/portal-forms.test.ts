import { describe, expect, it } from 'vitest';
import { RETURN_REASONS as SERVER_REASONS } from '../../../server/twin/returns.ts';
import { RETURN_REASONS, parseAsnLines, parseRef, parseReturnLines } from './portal-forms.ts';

describe('the ASN form', () => {
  it('reads SKU and quantity, with an optional lot and expiry, skipping blank rows', () => {
    expect(parseAsnLines('SKU-00002 120\n\n  SKU-00010, 48, L2405, 2027-03-31\nSKU-00011 5 2027-01-31\nSKU-00012\t7\tLOT-7')).toEqual({
      ok: true,
      lines: [
        { skuId: 'SKU-00002', qty: 120 },
        { skuId: 'SKU-00010', qty: 48, lot: 'L2405', expiry: '2027-03-31' },
        { skuId: 'SKU-00011', qty: 5, expiry: '2027-01-31' },
        { skuId: 'SKU-00012', qty: 7, lot: 'LOT-7' },
      ],
    });
  });

  it('names the first wrong row', () => {
    expect(parseAsnLines('SKU-1 2\nSKU-2 two')).toEqual({ ok: false, error: expect.stringMatching(/^line 2:/) as unknown });
    expect(parseAsnLines('SKU-1 0')).toEqual({ ok: false, error: 'line 1: the quantity must be from 1 to 1,000,000' });
    expect(parseAsnLines('SKU-1 3 L1 2027-02-30')).toEqual({ ok: false, error: 'line 1: the expiry "2027-02-30" is not a date YYYY-MM-DD' });
    expect(parseAsnLines(' \n ')).toEqual({ ok: false, error: 'add at least one line' });
  });
});

describe('the return form', () => {
  it('knows the reasons the server takes', () => {
    expect([...RETURN_REASONS]).toEqual([...SERVER_REASONS]);
  });

  it('reads SKU, quantity and reason (any case), one line per SKU', () => {
    expect(parseReturnLines('SKU-00002 1 damaged\nSKU-00003 2 Wrong-Item')).toEqual({
      ok: true,
      lines: [
        { skuId: 'SKU-00002', qty: 1, reason: 'damaged' },
        { skuId: 'SKU-00003', qty: 2, reason: 'wrong-item' },
      ],
    });
    expect(parseReturnLines('SKU-00002 1 broken')).toEqual({ ok: false, error: `line 1: the reason must be one of ${RETURN_REASONS.join(', ')}` });
    expect(parseReturnLines('SKU-00002 1 damaged\nSKU-00002 1 other')).toEqual({ ok: false, error: 'line 2: SKU-00002 is on an earlier line; put its units on one line' });
    expect(parseReturnLines('SKU-00002 damaged')).toEqual({ ok: false, error: expect.stringMatching(/^line 1:/) as unknown });
  });

  it('takes an optional reference that fits the server’s pattern', () => {
    expect(parseRef('  ', 'RMA')).toEqual({ ok: true, ref: undefined });
    expect(parseRef('RMA-42', 'RMA')).toEqual({ ok: true, ref: 'RMA-42' });
    expect(parseRef('RMA#42', 'RMA').ok).toBe(false);
    expect(parseRef('ASN#42', 'ASN')).toEqual({ ok: true, ref: 'ASN#42' });
    expect(parseRef('x'.repeat(65), 'ASN').ok).toBe(false);
  });
});
