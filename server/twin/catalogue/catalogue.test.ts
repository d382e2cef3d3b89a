import { describe, expect, it } from 'vitest';
import { CATALOGUE_FORMAT, formatStockCsv, gtinCheckDigit, isIsoDate, parseCatalogue, parseStockCsv } from './catalogue.ts';

const sku = {
  id: 'SKU-1', tenantId: 'acme', description: 'Mug', barcode: '5010000000011',
  lengthM: 0.1, widthM: 0.1, heightM: 0.12, weightKg: 0.3, demandWeight: 1, lotTracked: false,
};

describe('parseCatalogue', () => {
  it('accepts a valid catalogue', () => {
    const r = parseCatalogue({ format: CATALOGUE_FORMAT, skus: [sku, { ...sku, id: 'SKU-2', barcode: '5010000000028', lotTracked: true }] });
    expect(r.ok && r.value.map((s) => s.id)).toEqual(['SKU-1', 'SKU-2']);
  });
  it.each([
    ['wrong format', { format: 'x', skus: [] }, /format/],
    ['duplicate id', { format: CATALOGUE_FORMAT, skus: [sku, sku] }, /SKU-1: duplicate id/],
    ['duplicate barcode', { format: CATALOGUE_FORMAT, skus: [sku, { ...sku, id: 'SKU-2' }] }, /barcode 5010000000011 is also SKU SKU-1/],
    ['bad dimension', { format: CATALOGUE_FORMAT, skus: [{ ...sku, widthM: 0 }] }, /SKU-1: "widthM"/],
    ['negative demand', { format: CATALOGUE_FORMAT, skus: [{ ...sku, demandWeight: -1 }] }, /demandWeight/],
    ['lot flag', { format: CATALOGUE_FORMAT, skus: [{ ...sku, lotTracked: 'no' }] }, /lotTracked/],
  ])('rejects %s', (_n, json, message) => {
    const r = parseCatalogue(json);
    expect(r.ok === false && r.error).toMatch(message);
  });
});

describe('parseStockCsv', () => {
  it('parses rows into receive commands, lots and expiries optional', () => {
    const r = parseStockCsv('location,tenant,sku,lot,expiry,qty\r\nA01-B1-001-L1,acme,SKU-1,,,5\r\n\r\nA01-B1-001-L2,acme,SKU-2,L1,2027-01-31,7\r\n');
    expect(r.ok && r.value).toEqual([
      { type: 'receiveStock', tenantId: 'acme', locationId: 'A01-B1-001-L1', skuId: 'SKU-1', qty: 5 },
      { type: 'receiveStock', tenantId: 'acme', locationId: 'A01-B1-001-L2', skuId: 'SKU-2', qty: 7, lot: 'L1', expiry: '2027-01-31' },
    ]);
  });
  it('handles quoted fields and writes them back', () => {
    const r = parseStockCsv('location,tenant,sku,lot,expiry,qty\nA01-B1-001-L1,acme,SKU-1,"L,1 ""x""",2027-01-31,5\n');
    expect(r.ok && r.value[0]?.lot).toBe('L,1 "x"');
    if (r.ok) expect(parseStockCsv(formatStockCsv(r.value))).toEqual(r);
  });
  it.each([
    ['header', 'loc,tenant\n', /line 1: header/],
    ['field count', 'location,tenant,sku,lot,expiry,qty\nA,acme,S,,\n', /line 2: expected 6 fields/],
    ['qty', 'location,tenant,sku,lot,expiry,qty\nA,acme,S,,,5\nA,acme,S,,,0\n', /line 3: qty/],
    ['fractional qty', 'location,tenant,sku,lot,expiry,qty\nA,acme,S,,,1.5\n', /line 2: qty/],
    ['date', 'location,tenant,sku,lot,expiry,qty\nA,acme,S,L1,2027-02-30,5\n', /line 2: expiry/],
    ['expiry without lot', 'location,tenant,sku,lot,expiry,qty\nA,acme,S,,2027-02-03,5\n', /line 2: an expiry needs a lot/],
    ['empty sku', 'location,tenant,sku,lot,expiry,qty\nA,acme,,,,5\n', /line 2: empty sku/],
    ['unclosed quote', 'location,tenant,sku,lot,expiry,qty\nA,acme,"S,,,5\n', /line 2: unclosed quote/],
  ])('rejects %s with its line number', (_n, text, message) => {
    const r = parseStockCsv(text);
    expect(r.ok === false && r.error).toMatch(message);
  });
});

describe('helpers', () => {
  it('computes GS1 check digits and validates dates', () => {
    expect(gtinCheckDigit('400638133393')).toBe(1);
    expect(gtinCheckDigit('501000000001')).toBe(1);
    expect(isIsoDate('2028-02-29')).toBe(true);
    expect(isIsoDate('2027-02-29')).toBe(false);
    expect(isIsoDate('2027-1-02')).toBe(false);
  });
});
