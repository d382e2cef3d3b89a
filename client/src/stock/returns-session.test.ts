/** Returns at the desk without React: what is still expected, receipt and inspection checks. */
import { describe, expect, it } from 'vitest';
import { awaitingInspection, dispositionsFor, isFinished, planInspection, planReturnReceipt, planSerialReturn, returnItemOf } from './returns-session.ts';
import type { CatalogueItem, CatalogueLookup, RmaView } from './stock-api.ts';

const RMA: RmaView = {
  rmaId: 'RMA-1', tenantId: 'bloom', orderId: 'O-1', status: 'open',
  lines: [
    { lineNo: 1, skuId: 'A', qty: 2, reason: 'damaged', receivedQty: 1, inspectedQty: 0, awaitingInspection: 1 },
    { lineNo: 2, skuId: 'B', qty: 1, reason: 'unwanted', receivedQty: 0, inspectedQty: 0, awaitingInspection: 0 },
  ],
};
const inspection = (over: Partial<Parameters<typeof planInspection>[1]>) => planInspection(RMA, { skuId: 'A', qty: '1', grade: 'A', disposition: 'restock', note: '', inspectionId: 'I-1', ...over });

describe('returns desk', () => {
  it('[R51] receives at most the units still authorised', () => {
    expect(planReturnReceipt(RMA, '2')).toEqual({ ok: true, qty: 2 });
    expect(planReturnReceipt(RMA, '3')).toMatchObject({ ok: false, message: 'Only 2 units of RMA RMA-1 are still expected.' });
    expect(planReturnReceipt(RMA, 'x')).toMatchObject({ ok: false });
    expect(planReturnReceipt({ ...RMA, status: 'closed' }, '1')).toMatchObject({ ok: false, message: expect.stringContaining('closed') as string });
  });

  it('[R52][R53] inspects received units with a grade and a disposition; unsellable is never restocked', () => {
    expect(inspection({ note: ' scuffed ' })).toEqual({ ok: true, request: { inspectionId: 'I-1', skuId: 'A', qty: 1, grade: 'A', disposition: 'restock', note: 'scuffed' } });
    expect(inspection({ qty: '2' })).toMatchObject({ ok: false, message: 'Inspect 1 to 1 unit of A.' });
    expect(inspection({ grade: 'unsellable' })).toMatchObject({ ok: false, message: expect.stringContaining('cannot be restocked') as string });
    expect(inspection({ grade: null })).toMatchObject({ ok: false, message: 'Choose a grade.' });
    expect(inspection({ skuId: 'Z' })).toMatchObject({ ok: false });
    expect(dispositionsFor('unsellable')).toEqual(['refurbish', 'quarantine', 'dispose']);
    expect(dispositionsFor('B')).toContain('restock');
  });

  it('[R54] knows what waits for inspection and when the desk is done with an RMA', () => {
    expect(awaitingInspection(RMA).map((l) => l.skuId)).toEqual(['A']);
    expect(isFinished(RMA)).toBe(false);
    expect(isFinished({ ...RMA, lines: RMA.lines.map((l) => ({ ...l, receivedQty: l.qty, inspectedQty: l.qty, awaitingInspection: 0 })) })).toBe(true);
  });

  it('[R79] a serial-tracked item on the RMA is received one unit per serial: the item scanned, then its serial', () => {
    const drill: CatalogueItem = { skuId: 'A', tenantId: 'bloom', tenantName: 'Bloom', description: 'Drill', barcode: '5010731000038', lotTracked: false, serialTracked: true };
    const lookup: CatalogueLookup = { code: drill.barcode, kind: 'barcode', matches: [{ ...drill, tenantId: 'acme', tenantName: 'Acme' }, drill], lot: null, expiry: null, qty: null };
    expect(returnItemOf(RMA, lookup)).toEqual(drill);
    expect(returnItemOf({ ...RMA, tenantId: 'other' }, lookup)).toBeNull();
    expect(returnItemOf(RMA, { ...lookup, matches: [{ ...drill, skuId: 'Z' }] })).toBeNull();
    expect(planSerialReturn(RMA, drill, ` ${drill.barcode} `, ' SN-7 ', 'RTN-1')).toEqual({ ok: true, request: { receiptId: 'RTN-1', scan: drill.barcode, skuId: 'A', qty: 1, serial: 'SN-7' } });
    expect(planSerialReturn(RMA, drill, drill.barcode, 'SN 7', 'RTN-1')).toMatchObject({ ok: false, code: 'INVALID_SCAN' });
    expect(planSerialReturn({ ...RMA, status: 'closed' }, drill, drill.barcode, 'SN-7', 'RTN-1')).toMatchObject({ ok: false, code: 'INVALID_STATE' });
    const allIn = { ...RMA, lines: RMA.lines.map((l) => ({ ...l, receivedQty: l.qty })) };
    expect(planSerialReturn(allIn, drill, drill.barcode, 'SN-7', 'RTN-1')).toMatchObject({ ok: false, code: 'INVALID_QUANTITY', message: 'No more units of Drill are expected on RMA RMA-1.' });
  });
});
