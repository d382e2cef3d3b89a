/** Transfers on the handheld without React: a line picked by bin then serials, a dock receipt's entries, closing short. */
import { describe, expect, it } from 'vitest';
import type { InboundLineView, InboundTransferView, OutboundLineView, OutboundTransferView } from './stock-api.ts';
import { addSerial, awaitsReturn, lineForItem, MAX_REASON, nextLineToPick, outboundWork, pickRequestOf, planTransferReceipt, readyToDespatch, returnReasonOf, scanLinePick, shortLines, startLinePick } from './transfer-session.ts';

const OUT_LINE: OutboundLineView = {
  lineNo: 1, tenantId: 'cobalt', skuId: 'SKU-9', skuName: 'Headphones', serialTracked: true, lot: '', expiry: null, qty: 2, fromLocationId: 'A01-02-L-1', picked: false, serials: [],
};
const OUT: OutboundTransferView = { direction: 'out', transferId: 'TR-1', toSiteId: 'north', status: 'created', refusal: null, returnReason: null, returnLocationId: null, lines: [OUT_LINE, { ...OUT_LINE, lineNo: 2, serialTracked: false, skuId: 'SKU-2', fromLocationId: 'B01-01-R-0' }] };
const IN_LINE: InboundLineView = { lineNo: 1, tenantId: 'cobalt', skuId: 'SKU-9', skuName: 'Headphones', serialTracked: false, lot: '', expiry: null, expectedQty: 5, receivedQty: 0, damagedQty: 0 };
const IN: InboundTransferView = { direction: 'in', transferId: 'TR-IN', fromSiteId: 'north', status: 'expected', closeReason: null, lines: [IN_LINE, { ...IN_LINE, lineNo: 2, skuId: 'SKU-7', lot: 'L1', serialTracked: true, expectedQty: 2 }] };

describe('transfer out on the handheld', () => {
  it('[R72][R78] a wrong bin records nothing; the bin, then one distinct serial per unit, makes the pick request', () => {
    let pick = startLinePick(OUT_LINE);
    const wrong = scanLinePick(pick, OUT_LINE, 'A01-02-L-2');
    expect(wrong.outcome).toEqual({ kind: 'wrong-bin', scanned: 'A01-02-L-2', expected: 'A01-02-L-1' });
    expect(wrong.state).toBe(pick);
    pick = scanLinePick(pick, OUT_LINE, ' a01-02-l-1 ').state;
    expect(pickRequestOf(pick, OUT_LINE, 'S-1')).toBeNull();
    pick = scanLinePick(pick, OUT_LINE, 'SN-1').state;
    expect(scanLinePick(pick, OUT_LINE, 'SN-1').outcome).toEqual({ kind: 'serial', outcome: { kind: 'duplicate', serial: 'SN-1' } });
    expect(scanLinePick(pick, OUT_LINE, 'S N').outcome).toEqual({ kind: 'serial', outcome: { kind: 'invalid', serial: 'S N' } });
    const last = scanLinePick(pick, OUT_LINE, 'SN-2');
    expect(last.outcome).toEqual({ kind: 'ready' });
    expect(pickRequestOf(last.state, OUT_LINE, 'S-1')).toEqual({ lineNo: 1, sourceScan: 'a01-02-l-1', scanId: 'S-1', serials: ['SN-1', 'SN-2'] });
  });

  it('[R72][R73] a line without serials is ready at its bin; despatch only once every line is picked', () => {
    const plain = OUT.lines[1]!;
    const step = scanLinePick(startLinePick(plain), plain, 'B01-01-R-0');
    expect(step.outcome).toEqual({ kind: 'ready' });
    expect(pickRequestOf(step.state, plain, 'S-2')).toEqual({ lineNo: 2, sourceScan: 'B01-01-R-0', scanId: 'S-2' });
    expect(nextLineToPick(OUT)?.lineNo).toBe(1);
    expect(readyToDespatch(OUT)).toBe(false);
    const picked = { ...OUT, lines: OUT.lines.map((l) => ({ ...l, picked: true })) };
    expect(nextLineToPick(picked)).toBeNull();
    expect(readyToDespatch(picked)).toBe(true);
    expect(readyToDespatch({ ...picked, status: 'despatched' })).toBe(false);
  });

  it('takes no more serials than units', () => {
    expect(addSerial(['A', 'B'], 'C', 2).outcome).toEqual({ kind: 'full', max: 2 });
  });
});

describe('a transfer the other site refused (R76a)', () => {
  const REFUSAL = { siteId: 'north', code: 'UNKNOWN_SKU', message: 'line 1: unknown SKU SKU-9', at: '2026-11-28T00:00:00.000Z' };
  it('is listed to return while despatched with a refusal; created ones to pick; others in neither list', () => {
    const refused = { ...OUT, transferId: 'TR-R', status: 'despatched' as const, refusal: REFUSAL };
    const inTransit = { ...OUT, transferId: 'TR-T', status: 'despatched' as const };
    const returned = { ...refused, transferId: 'TR-B', status: 'returned' as const };
    const work = outboundWork([OUT, refused, inTransit, returned]);
    expect(work.toPick.map((t) => t.transferId)).toEqual(['TR-1']);
    expect(work.refused.map((t) => t.transferId)).toEqual(['TR-R']);
    expect([awaitsReturn(refused), awaitsReturn(inTransit), awaitsReturn(returned)]).toEqual([true, false, false]);
  });

  it('a return needs a reason of 1 to MAX_REASON characters, sent trimmed', () => {
    expect(returnReasonOf('  ')).toMatchObject({ ok: false });
    expect(returnReasonOf('x'.repeat(MAX_REASON + 1))).toMatchObject({ ok: false });
    expect(returnReasonOf(' north does not stock it ')).toEqual({ ok: true, reason: 'north does not stock it' });
  });
});

describe('transfer in on the handheld', () => {
  it('[R75] a scanned item names its line (by SKU and lot); one not on the transfer names none', () => {
    expect(lineForItem(IN, ['SKU-9'], null)?.lineNo).toBe(1);
    expect(lineForItem(IN, ['SKU-7'], 'L1')?.lineNo).toBe(2);
    expect(lineForItem(IN, ['SKU-7'], 'L2')).toBeNull();
    expect(lineForItem(IN, ['SKU-404'], null)).toBeNull();
  });

  it('[R75] damaged units and units beyond the line need a reason; the field to fix is named', () => {
    const entry = { qty: '5', damaged: '0', reason: '', serials: [] };
    expect(planTransferReceipt(IN_LINE, entry, 'R-1')).toEqual({ ok: true, request: { receiptId: 'R-1', lineNo: 1, qty: 5 } });
    expect(planTransferReceipt(IN_LINE, { ...entry, qty: '0' }, 'R-1')).toMatchObject({ ok: false, field: 'qty' });
    expect(planTransferReceipt(IN_LINE, { ...entry, damaged: '6' }, 'R-1')).toMatchObject({ ok: false, field: 'damaged' });
    expect(planTransferReceipt(IN_LINE, { ...entry, damaged: '1' }, 'R-1')).toMatchObject({ ok: false, field: 'reason', message: 'Damaged units: give a reason.' });
    expect(planTransferReceipt(IN_LINE, { ...entry, qty: '7' }, 'R-1')).toMatchObject({ ok: false, field: 'reason', message: '2 units beyond the transfer line: give a reason.' });
    expect(planTransferReceipt(IN_LINE, { ...entry, damaged: '1', reason: ' Crushed carton ' }, 'R-1')).toEqual({ ok: true, request: { receiptId: 'R-1', lineNo: 1, qty: 5, damagedQty: 1, reason: 'Crushed carton' } });
  });

  it('[R77] a serial-tracked line receives one unit per scanned serial; none scanned asks for them', () => {
    const line = IN.lines[1]!;
    expect(planTransferReceipt(line, { qty: '9', damaged: '', reason: '', serials: [] }, 'R-2')).toMatchObject({ ok: false, field: 'serials' });
    expect(planTransferReceipt(line, { qty: '9', damaged: '', reason: '', serials: ['SX-1', 'SX-2'] }, 'R-2')).toEqual({ ok: true, request: { receiptId: 'R-2', lineNo: 2, qty: 2, serials: ['SX-1', 'SX-2'] } });
  });

  it('[R75] lines that arrived short are the ones a close needs a reason for', () => {
    expect(shortLines(IN).map((l) => l.lineNo)).toEqual([1, 2]);
    expect(shortLines({ ...IN, lines: IN.lines.map((l) => ({ ...l, receivedQty: l.expectedQty })) })).toEqual([]);
  });
});
