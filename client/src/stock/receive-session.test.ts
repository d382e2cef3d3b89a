/** Receiving at the dock without React: the ASN line a scan counts against, "over" units, reasons, the request. */
import { describe, expect, it } from 'vitest';
import { itemFor, matchAsnLine, overQtyOf, planReceipt, type ReceiptEntry } from './receive-session.ts';
import type { AsnView, CatalogueItem, CatalogueLookup } from './stock-api.ts';

const ITEM: CatalogueItem = { skuId: 'SKU-1', tenantId: 'bloom', tenantName: 'Bloom', description: 'Power bank', barcode: '5010731000014', lotTracked: false, serialTracked: false };
const SERIAL: CatalogueItem = { ...ITEM, skuId: 'SKU-3', description: 'Drill', barcode: '5010731000038', serialTracked: true };
const LOTTED: CatalogueItem = { ...ITEM, skuId: 'SKU-2', description: 'Vitamins', barcode: '5010731000021', lotTracked: true };
const ASN: AsnView = {
  asnRef: 'ASN-1',
  tenantId: 'bloom',
  status: 'open',
  lines: [
    { lineNo: 1, skuId: 'SKU-1', expectedQty: 10, lot: null, expiry: null, receivedQty: 4, damagedQty: 0 },
    { lineNo: 2, skuId: 'SKU-2', expectedQty: 5, lot: 'L1', expiry: '2027-01-31', receivedQty: 0, damagedQty: 0 },
    { lineNo: 3, skuId: 'SKU-2', expectedQty: 5, lot: 'L2', expiry: '2027-02-28', receivedQty: 0, damagedQty: 0 },
  ],
};
const barcode = (item: CatalogueItem): CatalogueLookup => ({ code: item.barcode, kind: 'barcode', matches: [item], lot: null, expiry: null, qty: null });
const gs1 = (item: CatalogueItem, lot: string, qty: number): CatalogueLookup => ({ code: `(01)0${item.barcode}(10)${lot}(37)${qty}`, kind: 'gs1', matches: [item], lot, expiry: '2027-02-28', qty });
const entry = (over: Partial<ReceiptEntry>): ReceiptEntry => ({
  receiptId: 'R-1', asn: ASN, tenantId: null, scan: ITEM.barcode, lookup: barcode(ITEM), item: ITEM,
  qty: '', damagedQty: '', damagedReason: '', overReason: '', lot: '', expiry: '', serials: [], ...over,
});

describe('matchAsnLine / overQtyOf', () => {
  it('[R43] counts against the line of the same SKU and lot, else the SKU without lot, else its first line', () => {
    expect(matchAsnLine(ASN, 'SKU-2', 'L2')?.lineNo).toBe(3);
    expect(matchAsnLine(ASN, 'SKU-2', 'L9')?.lineNo).toBe(2);
    expect(matchAsnLine(ASN, 'SKU-1', '')?.lineNo).toBe(1);
    expect(matchAsnLine(ASN, 'SKU-9', '')).toBeUndefined();
  });

  it('[R43] over = units beyond what the line still expects; every unit of a SKU not on the ASN; none when blind', () => {
    expect(overQtyOf(ASN, 'SKU-1', '', 6)).toBe(0);
    expect(overQtyOf(ASN, 'SKU-1', '', 8)).toBe(2);
    expect(overQtyOf(ASN, 'SKU-9', '', 3)).toBe(3);
    expect(overQtyOf(null, 'SKU-9', '', 3)).toBe(0);
  });
});

describe('itemFor', () => {
  it('takes the match of the client; refuses another client\'s item, and asks for a client when several share it', () => {
    const shared: CatalogueLookup = { ...barcode(ITEM), matches: [ITEM, { ...ITEM, skuId: 'X-1', tenantId: 'acme', tenantName: 'Acme' }] };
    expect(itemFor(shared, 'acme')).toMatchObject({ ok: true, item: { skuId: 'X-1' } });
    expect(itemFor(barcode(ITEM), 'acme')).toMatchObject({ ok: false, message: expect.stringContaining('Bloom') as string });
    expect(itemFor(shared, null)).toMatchObject({ ok: false, message: expect.stringContaining('choose the client') as string });
    expect(itemFor(barcode(ITEM), null)).toMatchObject({ ok: true, item: { skuId: 'SKU-1' } });
  });
});

describe('planReceipt', () => {
  it('[R43] builds the request against the ASN: plain barcode as the SKU, no reason needed within the ASN', () => {
    expect(planReceipt(entry({ qty: '6' }))).toEqual({ ok: true, qty: 6, damagedQty: 0, overQty: 0, request: { receiptId: 'R-1', asnRef: 'ASN-1', skuId: 'SKU-1', qty: 6 } });
  });

  it('[R43] sends a GS1 scan as it is (the twin reads lot, expiry, count) and takes its count when no qty is typed', () => {
    const plan = planReceipt(entry({ lookup: gs1(LOTTED, 'L2', 5), item: LOTTED, scan: '(01)05010731000021(10)L2(37)5' }));
    expect(plan).toEqual({ ok: true, qty: 5, damagedQty: 0, overQty: 0, request: { receiptId: 'R-1', asnRef: 'ASN-1', scan: '(01)05010731000021(10)L2(37)5', skuId: 'SKU-2', qty: 5 } });
  });

  it('[R43] damaged and over units each need a reason; both go in the one reason, labelled', () => {
    expect(planReceipt(entry({ qty: '8', damagedQty: '1' }))).toMatchObject({ ok: false, field: 'damagedReason' });
    expect(planReceipt(entry({ qty: '8', damagedQty: '1', damagedReason: 'Crushed carton' }))).toMatchObject({ ok: false, field: 'overReason', message: expect.stringContaining('2 units are over') as string });
    const plan = planReceipt(entry({ qty: '8', damagedQty: '1', damagedReason: 'Crushed carton', overReason: 'Supplier sent extra' }));
    expect(plan).toMatchObject({ ok: true, overQty: 2, damagedQty: 1, request: { damagedQty: 1, reason: 'damaged: Crushed carton; over: Supplier sent extra' } });
  });

  it('[B6] refuses bad quantities, a missing lot and a blind receipt without a client, naming the field', () => {
    expect(planReceipt(entry({ qty: '0' }))).toMatchObject({ ok: false, field: 'qty' });
    expect(planReceipt(entry({ qty: '2.5' }))).toMatchObject({ ok: false, field: 'qty' });
    expect(planReceipt(entry({ qty: '' }))).toMatchObject({ ok: false, field: 'qty' });
    expect(planReceipt(entry({ qty: '3', damagedQty: '4' }))).toMatchObject({ ok: false, field: 'damagedQty' });
    expect(planReceipt(entry({ qty: '3', lot: 'L1' }))).toMatchObject({ ok: false, field: 'lot' });
    expect(planReceipt(entry({ asn: null, tenantId: null, qty: '3' }))).toMatchObject({ ok: false, field: 'client' });
    const blindLotted = entry({ asn: null, tenantId: 'bloom', item: LOTTED, lookup: barcode(LOTTED), qty: '3' });
    expect(planReceipt(blindLotted)).toMatchObject({ ok: false, field: 'lot' });
    expect(planReceipt({ ...blindLotted, lot: 'L7', expiry: '31/01/2027' })).toMatchObject({ ok: false, field: 'expiry' });
  });

  it('[R43] a blind receipt names its client and carries a typed lot and expiry', () => {
    const plan = planReceipt(entry({ asn: null, tenantId: 'bloom', item: LOTTED, lookup: barcode(LOTTED), qty: '3', lot: 'L7', expiry: '2027-01-31' }));
    expect(plan).toEqual({ ok: true, qty: 3, damagedQty: 0, overQty: 0, request: { receiptId: 'R-1', tenantId: 'bloom', skuId: 'SKU-2', qty: 3, lot: 'L7', expiry: '2027-01-31' } });
  });

  it('[R77] a serial-tracked item is received by serial: the units are the serials scanned, sent one per unit', () => {
    const blind = entry({ asn: null, tenantId: 'bloom', item: SERIAL, lookup: barcode(SERIAL), scan: SERIAL.barcode });
    expect(planReceipt(blind)).toMatchObject({ ok: false, field: 'serials', message: 'Drill is serial-tracked: scan the serial of each unit received.' });
    // A typed number is not how serial-tracked units are counted: the serials are.
    expect(planReceipt({ ...blind, qty: '5', serials: ['SN-1', 'SN-2'] })).toEqual({
      ok: true, qty: 2, damagedQty: 0, overQty: 0,
      request: { receiptId: 'R-1', tenantId: 'bloom', skuId: 'SKU-3', qty: 2, serials: ['SN-1', 'SN-2'] },
    });
    expect(planReceipt({ ...blind, serials: ['SN-1'], damagedQty: '2' })).toMatchObject({ ok: false, field: 'damagedQty' });
    // Against the ASN, serials beyond the line are over like any unit.
    const onAsn = entry({ item: SERIAL, lookup: barcode(SERIAL), serials: ['A', 'B', 'C'], asn: { ...ASN, lines: [{ lineNo: 1, skuId: 'SKU-3', expectedQty: 2, lot: null, expiry: null, receivedQty: 0, damagedQty: 0 }] } });
    expect(planReceipt(onAsn)).toMatchObject({ ok: false, field: 'overReason' });
    // A label with a count: the serials must match it.
    const labelled = { ...blind, lookup: { ...gs1(SERIAL, '', 3), lot: null }, scan: '(01)05010731000038(37)3' };
    expect(planReceipt({ ...labelled, serials: ['SN-1', 'SN-2'] })).toMatchObject({ ok: false, field: 'serials', message: expect.stringContaining('The label says 3 units: 2 serials are scanned') as string });
    expect(planReceipt({ ...labelled, serials: ['SN-1', 'SN-2', 'SN-3'] })).toMatchObject({ ok: true, qty: 3, request: { scan: '(01)05010731000038(37)3', qty: 3, serials: ['SN-1', 'SN-2', 'SN-3'] } });
    // A plain item never sends serials.
    expect(planReceipt(entry({ qty: '2', serials: ['stray'] }))).toMatchObject({ ok: true, request: { qty: 2 } });
    expect((planReceipt(entry({ qty: '2', serials: ['stray'] })) as { request: object }).request).not.toHaveProperty('serials');
  });
});
