import { describe, expect, it } from 'vitest';
import type { Command, InboundTransferLine, TransferLineInput } from './commands.ts';
import type { DurableEvent, InboundTransferClosed, TransferDespatched } from './events.ts';
import type { LocationId, OrderId, TaskId } from './ids.ts';
import { asOperativeId, asOrderId, asSiteId } from './ids.ts';
import { checkTwinInvariants, ledgerBalances } from './invariants.ts';
import { quantKey } from './keys.ts';
import type { SiteDefinition } from './site.ts';
import { asHoldId, dockLocationId, freeOf } from './stock-status.ts';
import type { TestTwin } from './test-site.ts';
import { LOC, newTwin, SKU_A, SKU_B, SKU_C, SKU_D, T1, T2, TEST_SITE } from './test-site.ts';
import { transitLocationId } from './transfers.ts';
import { fromSnapshotData, toSnapshotData } from './twin.ts';
import { serialKey } from './serials.ts';

/** Site A: the test site with SKU D serial-tracked; site B: the same catalogue under another id. */
const SITE_A: SiteDefinition = { ...TEST_SITE, skus: TEST_SITE.skus.map((s) => (s.id === SKU_D ? { ...s, serialTracked: true } : s)) };
const SITE_B: SiteDefinition = { ...SITE_A, id: asSiteId('site-b') };
const L1 = LOC[0] as LocationId;
const L2 = LOC[1] as LocationId;
const TRANSIT = transitLocationId(SITE_A.id);

const codeOf = (t: TestTwin, c: Command): string => {
  const d = t.run(c);
  return d.ok ? 'ok' : d.error.code;
};
const eventsOf = (t: TestTwin, c: Command): DurableEvent['type'][] => {
  const d = t.ok(c);
  return d.events.map((e) => e.type as DurableEvent['type']);
};
const onHand = (t: TestTwin, loc: string, sku = SKU_A, lot = '', tenant = T1): number => t.state.quants.get(quantKey(loc as LocationId, tenant, sku, lot))?.onHand ?? 0;
const noProblems = (t: TestTwin): void => {
  expect(checkTwinInvariants(t.state)).toEqual([]);
  expect(ledgerBalances(t.log.map((s) => s.event)).problems).toEqual([]);
};

function stocked(): TestTwin {
  const a = newTwin(SITE_A);
  a.ok({ type: 'receiveStock', tenantId: T1, locationId: L1, skuId: SKU_A, qty: 10 });
  a.ok({ type: 'receiveStock', tenantId: T1, locationId: L2, skuId: SKU_B, qty: 6, lot: 'LOT-1', expiry: '2027-01-31' });
  return a;
}
const create = (lines: readonly TransferLineInput[], transferId = 'TR-1'): Command => ({ type: 'createTransfer', transferId, toSiteId: SITE_B.id, lines });
const pick = (lineNo: number, sourceScan: string, scanId = `S-${lineNo}`, serials?: string[]): Command => ({ type: 'pickTransferLine', transferId: 'TR-1', lineNo, sourceScan, scanId, ...(serials === undefined ? {} : { serials }) });

/** What the adapter tells B of A's despatch (server/site/transfers.ts does the same from A's committed state). */
const expectOf = (e: TransferDespatched, serials: readonly string[][] = []): Command => ({
  type: 'expectTransfer',
  transferId: e.transferId,
  fromSiteId: SITE_A.id,
  lines: e.lines.map((l, i): InboundTransferLine => ({ lineNo: l.lineNo, tenantId: l.tenantId, skuId: l.skuId, lot: l.lot, expiry: l.expiry, qty: l.qty, serials: serials[i] ?? [] })),
});

describe('transfers between sites (R71–R76)', () => {
  it('[R71] commits the units at the bin; the same transfer again creates nothing; other content is a duplicate', () => {
    const a = stocked();
    expect(eventsOf(a, create([{ tenantId: T1, skuId: SKU_A, qty: 4, fromLocationId: L1 }]))).toEqual(['TransferCreated']);
    const q = a.state.quants.get(quantKey(L1, T1, SKU_A, ''));
    expect(q === undefined ? -1 : freeOf(a.state, q)).toBe(6);
    expect(onHand(a, L1)).toBe(10);
    expect(eventsOf(a, create([{ tenantId: T1, skuId: SKU_A, qty: 4, fromLocationId: L1 }]))).toEqual([]);
    expect(codeOf(a, create([{ tenantId: T1, skuId: SKU_A, qty: 5, fromLocationId: L1 }]))).toBe('DUPLICATE_TRANSFER');
    // The committed units are not free for a second transfer.
    expect(codeOf(a, create([{ tenantId: T1, skuId: SKU_A, qty: 7, fromLocationId: L1 }], 'TR-2'))).toBe('INSUFFICIENT_STOCK');
    noProblems(a);
  });

  it('[R71] B6: bad lines are refused with a specific code and nothing is written', () => {
    const a = stocked();
    const before = a.log.length;
    const bad: [Command, string][] = [
      [create([{ tenantId: T1, skuId: SKU_A, qty: 0, fromLocationId: L1 }]), 'INVALID_QUANTITY'],
      [create([{ tenantId: T1, skuId: SKU_A, qty: -3, fromLocationId: L1 }]), 'INVALID_QUANTITY'],
      [create([{ tenantId: T1, skuId: SKU_A, qty: 1.5, fromLocationId: L1 }]), 'INVALID_QUANTITY'],
      [create([]), 'INVALID_QUANTITY'],
      [create([{ tenantId: T1, skuId: SKU_C, qty: 1, fromLocationId: L1 }]), 'TENANT_MISMATCH'],
      [create([{ tenantId: T1, skuId: 'NOPE' as typeof SKU_A, qty: 1, fromLocationId: L1 }]), 'UNKNOWN_SKU'],
      [create([{ tenantId: 'nobody' as typeof T1, skuId: SKU_A, qty: 1, fromLocationId: L1 }]), 'UNKNOWN_TENANT'],
      [create([{ tenantId: T1, skuId: SKU_B, qty: 1, fromLocationId: L2 }]), 'LOT_REQUIRED'],
      [create([{ tenantId: T1, skuId: SKU_A, qty: 1, fromLocationId: dockLocationId(SITE_A.id) }]), 'UNKNOWN_LOCATION'],
      [create([{ tenantId: T1, skuId: SKU_A, qty: 11, fromLocationId: L1 }]), 'INSUFFICIENT_STOCK'],
      [{ type: 'createTransfer', transferId: 'TR-9', toSiteId: SITE_A.id, lines: [{ tenantId: T1, skuId: SKU_A, qty: 1, fromLocationId: L1 }] }, 'INVALID_STATE'],
    ];
    for (const [c, code] of bad) expect(codeOf(a, c)).toBe(code);
    expect(a.log.length).toBe(before);
  });

  it('[R72][R73] picks by source scan, despatches into TRANSIT: the units leave available stock, the ledger balances', () => {
    const a = stocked();
    a.ok(create([{ tenantId: T1, skuId: SKU_A, qty: 4, fromLocationId: L1 }, { tenantId: T1, skuId: SKU_B, lot: 'LOT-1', qty: 2, fromLocationId: L2 }]));
    expect(codeOf(a, { type: 'despatchTransfer', transferId: 'TR-1' })).toBe('INVALID_STATE');
    expect(codeOf(a, pick(1, L2))).toBe('WRONG_LOCATION_SCANNED');
    expect(eventsOf(a, pick(1, ` ${L1} `))).toEqual(['TransferLinePicked']);
    expect(eventsOf(a, pick(1, L1))).toEqual([]); // the same scan again
    expect(codeOf(a, pick(1, L1, 'other-scan'))).toBe('INVALID_STATE');
    a.ok(pick(2, L2));
    expect(eventsOf(a, { type: 'despatchTransfer', transferId: 'TR-1' })).toEqual(['TransferDespatched']);
    expect(eventsOf(a, { type: 'despatchTransfer', transferId: 'TR-1' })).toEqual([]);
    expect(onHand(a, L1)).toBe(6);
    expect(onHand(a, TRANSIT)).toBe(4);
    expect(onHand(a, TRANSIT, SKU_B, 'LOT-1')).toBe(2);
    const transitQuant = a.state.quants.get(quantKey(TRANSIT, T1, SKU_A, ''));
    expect(transitQuant === undefined ? -1 : freeOf(a.state, transitQuant)).toBe(0);
    // Units in transit cannot be held, cancelled or picked again.
    expect(codeOf(a, { type: 'placeHold', holdId: asHoldId('H-T'), status: 'quarantine', reason: 'x', tenantId: T1, skuId: SKU_A, qty: 7 })).toBe('INSUFFICIENT_STOCK');
    expect(codeOf(a, { type: 'placeHold', holdId: asHoldId('H-T'), status: 'quarantine', reason: 'x', tenantId: T1, skuId: SKU_A, qty: 6 })).toBe('ok');
    expect(a.state.holds.get('H-T' as never)?.lines.every((l) => l.locationId !== TRANSIT)).toBe(true);
    expect(codeOf(a, { type: 'cancelTransfer', transferId: 'TR-1', reason: 'late' })).toBe('TRANSFER_CLOSED');
    noProblems(a);
  });

  it('[R71][R9] allocation never reserves units committed to a transfer (no oversell)', () => {
    const a = stocked();
    a.ok(create([{ tenantId: T1, skuId: SKU_A, qty: 8, fromLocationId: L1 }]));
    const orderId = asOrderId('O-T');
    a.ok({ type: 'createOrder', orderId, tenantId: T1, lines: [{ skuId: SKU_A, qty: 5 }] });
    a.run({ type: 'allocateOrder', orderId, policy: 'partial' });
    expect(a.state.orders.get(orderId)?.lines[0]?.allocated ?? 0).toBeLessThanOrEqual(2);
    a.ok(pick(1, L1));
    a.ok({ type: 'despatchTransfer', transferId: 'TR-1' });
    noProblems(a);
  });

  it('[R72] a cancelled transfer frees its commitment and moves nothing', () => {
    const a = stocked();
    a.ok(create([{ tenantId: T1, skuId: SKU_A, qty: 10, fromLocationId: L1 }]));
    expect(codeOf(a, { type: 'cancelTransfer', transferId: 'TR-1', reason: ' ' })).toBe('REASON_REQUIRED');
    expect(eventsOf(a, { type: 'cancelTransfer', transferId: 'TR-1', reason: 'not needed' })).toEqual(['TransferCancelled']);
    expect(eventsOf(a, { type: 'cancelTransfer', transferId: 'TR-1', reason: 'not needed' })).toEqual([]);
    expect(a.state.transferringByQuant.size).toBe(0);
    expect(codeOf(a, pick(1, L1))).toBe('TRANSFER_CLOSED');
    expect(codeOf(a, { type: 'despatchTransfer', transferId: 'TR-1' })).toBe('TRANSFER_CLOSED');
    noProblems(a);
  });

  function despatched(): { a: TestTwin; b: TestTwin; despatch: TransferDespatched } {
    const a = stocked();
    a.ok(create([{ tenantId: T1, skuId: SKU_A, qty: 4, fromLocationId: L1 }, { tenantId: T1, skuId: SKU_B, lot: 'LOT-1', qty: 2, fromLocationId: L2 }]));
    a.ok(pick(1, L1));
    a.ok(pick(2, L2));
    const despatch = a.ok({ type: 'despatchTransfer', transferId: 'TR-1' }).events[0] as TransferDespatched;
    return { a, b: newTwin(SITE_B), despatch };
  }

  it('[R74][R75][R76] B expects, receives on its dock with discrepancies, closes; A confirms and its transit is cleared', () => {
    const { a, b, despatch } = despatched();
    expect(eventsOf(b, expectOf(despatch))).toEqual(['InboundTransferExpected']);
    expect(eventsOf(b, expectOf(despatch))).toEqual([]); // idempotent by transfer id
    const receive = (receiptId: string, lineNo: number, qty: number, extra: object = {}): Command => ({ type: 'receiveTransfer', transferId: 'TR-1', receiptId, lineNo, qty, ...extra });
    expect(codeOf(b, receive('R-0', 1, 0))).toBe('INVALID_QUANTITY');
    expect(codeOf(b, receive('R-1', 1, 5))).toBe('REASON_REQUIRED'); // one over the line
    expect(eventsOf(b, receive('R-1', 1, 5, { reason: 'one extra in the tote', damagedQty: 1 }))).toEqual(['TransferReceived']);
    expect(eventsOf(b, receive('R-1', 1, 5, { reason: 'one extra in the tote', damagedQty: 1 }))).toEqual([]);
    const dock = dockLocationId(SITE_B.id);
    expect(onHand(b, dock)).toBe(5);
    expect(b.state.heldByQuant.get(quantKey(dock, T1, SKU_A, ''))).toBe(1);
    b.ok(receive('R-2', 2, 1));
    expect(codeOf(b, { type: 'closeTransfer', transferId: 'TR-1' })).toBe('REASON_REQUIRED'); // line 2 short by one
    const closed = b.ok({ type: 'closeTransfer', transferId: 'TR-1', reason: 'one lost' }).events[0] as InboundTransferClosed;
    expect(closed.report).toEqual([
      { lineNo: 1, expectedQty: 4, receivedQty: 5, damagedQty: 1 },
      { lineNo: 2, expectedQty: 2, receivedQty: 1, damagedQty: 0 },
    ]);
    expect(codeOf(b, receive('R-3', 2, 1))).toBe('TRANSFER_CLOSED');
    expect(eventsOf(b, { type: 'closeTransfer', transferId: 'TR-1', reason: 'one lost' })).toEqual([]);

    const confirm: Command = { type: 'confirmTransferReceipt', transferId: 'TR-1', lines: closed.report.map((r) => ({ lineNo: r.lineNo, receivedQty: r.receivedQty, damagedQty: r.damagedQty })), reason: closed.reason };
    expect(eventsOf(a, confirm)).toEqual(['TransferReceiptConfirmed']);
    expect(eventsOf(a, confirm)).toEqual([]);
    expect(onHand(a, TRANSIT)).toBe(0);
    expect(onHand(a, TRANSIT, SKU_B, 'LOT-1')).toBe(0);
    const ledgerA = ledgerBalances(a.log.map((s) => s.event));
    expect(ledgerA.balances.get(`V:TRANSFER_OUT|${T1}|${SKU_A}`)).toBe(4);
    expect(ledgerA.balances.get(`V:TRANSFER_OUT|${T1}|${SKU_B}`)).toBe(1);
    expect(ledgerA.balances.get(`V:ADJUSTMENT|${T1}|${SKU_B}`)).toBe(1);
    expect(ledgerBalances(b.log.map((s) => s.event)).balances.get(`V:TRANSFER_IN|${T1}|${SKU_A}`)).toBe(-5);
    noProblems(a);
    noProblems(b);
  });

  it('[R74] B must know the client and the SKU; B6 on receipts', () => {
    const { b, despatch } = despatched();
    const noSkuB: SiteDefinition = { ...SITE_B, skus: SITE_B.skus.filter((s) => s.id !== SKU_B) };
    expect(codeOf(newTwin(noSkuB), expectOf(despatch))).toBe('UNKNOWN_SKU');
    const noClient: SiteDefinition = { ...SITE_B, tenants: SITE_B.tenants.filter((t) => t.id !== T1) };
    expect(codeOf(newTwin(noClient), expectOf(despatch))).toBe('UNKNOWN_TENANT');
    expect(codeOf(b, { type: 'receiveTransfer', transferId: 'TR-1', receiptId: 'R', lineNo: 1, qty: 1 })).toBe('UNKNOWN_TRANSFER');
    b.ok(expectOf(despatch));
    expect(codeOf(b, { type: 'receiveTransfer', transferId: 'TR-1', receiptId: 'R', lineNo: 1, qty: 2, damagedQty: 3, reason: 'x' })).toBe('INVALID_QUANTITY');
    expect(codeOf(b, { type: 'receiveTransfer', transferId: 'TR-1', receiptId: 'R', lineNo: 9, qty: 1 })).toBe('INVALID_STATE');
    expect(codeOf(b, { ...expectOf(despatch), lines: [] } as Command)).toBe('DUPLICATE_TRANSFER');
  });

  it('[R76] confirmation needs a despatched transfer; a line not reported arrived with 0', () => {
    const { a } = despatched();
    expect(codeOf(a, { type: 'confirmTransferReceipt', transferId: 'NOPE', lines: [], reason: null })).toBe('UNKNOWN_TRANSFER');
    expect(codeOf(a, { type: 'confirmTransferReceipt', transferId: 'TR-1', lines: [{ lineNo: 1, receivedQty: 1, damagedQty: 2 }], reason: null })).toBe('INVALID_QUANTITY');
    a.ok({ type: 'confirmTransferReceipt', transferId: 'TR-1', lines: [{ lineNo: 1, receivedQty: 4, damagedQty: 0 }], reason: 'line 2 never came' });
    expect(ledgerBalances(a.log.map((s) => s.event)).balances.get(`V:ADJUSTMENT|${T1}|${SKU_B}`)).toBe(2);
    noProblems(a);
  });

  it('[R76] invariant: units in transit = despatched − confirmed; a tampered transit quant is reported', () => {
    const { a } = despatched();
    noProblems(a);
    const q = a.state.quants.get(quantKey(TRANSIT, T1, SKU_A, ''));
    if (q === undefined) throw new Error('no transit quant');
    q.onHand += 1;
    expect(checkTwinInvariants(a.state).some((p) => p.includes('despatched − confirmed'))).toBe(true);
  });

  it('[R76][R24] a snapshot carries transfers and rebuilds the commitment index', () => {
    const a = stocked();
    a.ok(create([{ tenantId: T1, skuId: SKU_A, qty: 3, fromLocationId: L1 }]));
    const restored = fromSnapshotData(SITE_A, JSON.parse(JSON.stringify(toSnapshotData(a.state))) as ReturnType<typeof toSnapshotData>);
    expect(restored.transferringByQuant.get(quantKey(L1, T1, SKU_A, ''))).toBe(3);
    expect(restored.transfers.get('TR-1')?.status).toBe('created');
    expect(checkTwinInvariants(restored)).toEqual([]);
  });
});

describe('serial numbers (R77–R80)', () => {
  const receiveD = (t: TestTwin, receiptId: string, serials: string[] | undefined, qty = serials?.length ?? 1): string =>
    codeOf(t, { type: 'receiveGoods', receiptId, tenantId: T1, skuId: SKU_D, qty, ...(serials === undefined ? {} : { serials }) });

  it('[R77] receipts capture one new serial per unit; never the same serial twice', () => {
    const a = newTwin(SITE_A);
    expect(receiveD(a, 'G-0', undefined, 2)).toBe('SERIAL_REQUIRED');
    expect(receiveD(a, 'G-0', ['S1'], 2)).toBe('SERIAL_REQUIRED');
    expect(receiveD(a, 'G-0', ['S1', 'S1'])).toBe('DUPLICATE_SERIAL');
    expect(receiveD(a, 'G-0', ['has space'])).toBe('INVALID_SCAN');
    expect(codeOf(a, { type: 'receiveGoods', receiptId: 'G-0', tenantId: T1, skuId: SKU_A, qty: 1, serials: ['X'] })).toBe('INVALID_STATE');
    expect(a.log.length).toBe(0);
    expect(receiveD(a, 'G-1', ['S1', 'S2'])).toBe('ok');
    expect(receiveD(a, 'G-2', ['S3', 'S2'])).toBe('DUPLICATE_SERIAL');
    expect(a.state.serials.get(serialKey(T1, SKU_D, 'S1'))).toMatchObject({ status: 'in-stock', locationId: dockLocationId(SITE_A.id) });
    noProblems(a);
  });

  /** A serial-tracked order picked and despatched: S1 goes to the customer. */
  function shipped(): { a: TestTwin; orderId: OrderId } {
    const a = newTwin(SITE_A);
    a.ok({ type: 'receiveGoods', receiptId: 'G-1', tenantId: T1, skuId: SKU_D, qty: 2, serials: ['S1', 'S2'] });
    a.ok({ type: 'moveStock', tenantId: T1, skuId: SKU_D, fromLocationId: dockLocationId(SITE_A.id), toLocationId: L1, qty: 2, serials: ['S1', 'S2'] });
    const orderId = asOrderId('O-1');
    a.ok({ type: 'createOrder', orderId, tenantId: T1, lines: [{ skuId: SKU_D, qty: 1 }] });
    a.ok({ type: 'allocateOrder', orderId });
    a.ok({ type: 'releaseOrder', orderId });
    const op = asOperativeId('op-1');
    a.ok({ type: 'signOn', operativeId: op, name: 'Op' });
    a.ok({ type: 'requestWork', operativeId: op, maxTasks: 5 });
    const taskId = a.state.orders.get(orderId)?.taskIds[0] as TaskId;
    const confirm = (serials?: string[]): Command => ({ type: 'confirmPick', taskId, operativeId: op, scannedLocation: L1, scannedItem: 'BC-D', qty: 1, ...(serials === undefined ? {} : { serials }) });
    expect(codeOf(a, confirm())).toBe('SERIAL_REQUIRED');
    expect(codeOf(a, confirm(['S9']))).toBe('UNKNOWN_SERIAL');
    a.ok(confirm(['S1']));
    expect(a.state.serials.get(serialKey(T1, SKU_D, 'S1'))).toMatchObject({ status: 'picked', orderId });
    a.ok({ type: 'packOrder', orderId });
    a.ok({ type: 'despatchOrder', orderId });
    return { a, orderId };
  }

  it('[R78][R80] a pick scans a serial in stock; despatch ships it to the order', () => {
    const { a, orderId } = shipped();
    expect(a.state.serials.get(serialKey(T1, SKU_D, 'S1'))).toMatchObject({ status: 'shipped', orderId });
    expect(a.state.serials.get(serialKey(T1, SKU_D, 'S2'))?.status).toBe('in-stock');
    noProblems(a);
  });

  it('[R78] a short pick scans a serial per unit found', () => {
    const a = newTwin(SITE_A);
    a.ok({ type: 'receiveGoods', receiptId: 'G-1', tenantId: T1, skuId: SKU_D, qty: 2, serials: ['S1', 'S2'] });
    a.ok({ type: 'moveStock', tenantId: T1, skuId: SKU_D, fromLocationId: dockLocationId(SITE_A.id), toLocationId: L1, qty: 2, serials: ['S1', 'S2'] });
    const orderId = asOrderId('O-2');
    a.ok({ type: 'createOrder', orderId, tenantId: T1, lines: [{ skuId: SKU_D, qty: 2 }] });
    a.ok({ type: 'allocateOrder', orderId });
    a.ok({ type: 'releaseOrder', orderId });
    const op = asOperativeId('op-2');
    a.ok({ type: 'signOn', operativeId: op, name: 'Op' });
    a.ok({ type: 'requestWork', operativeId: op, maxTasks: 5 });
    const taskId = a.state.orders.get(orderId)?.taskIds[0] as TaskId;
    const short = (serials?: string[]): string => codeOf(a, { type: 'shortPick', taskId, operativeId: op, foundQty: 1, ...(serials === undefined ? {} : { serials }) });
    expect(short()).toBe('SERIAL_REQUIRED');
    expect(short(['S1', 'S2'])).toBe('SERIAL_REQUIRED');
    expect(short(['S2'])).toBe('ok');
    expect(a.state.serials.get(serialKey(T1, SKU_D, 'S2'))).toMatchObject({ status: 'picked', orderId });
    noProblems(a);
  });

  it('[R79] a return names a serial shipped to that order, once', () => {
    const { a, orderId } = shipped();
    a.ok({ type: 'createRma', rmaId: 'RMA-1', tenantId: T1, orderId, lines: [{ skuId: SKU_D, qty: 1, reason: 'defective' }] });
    const ret = (receiptId: string, serial?: string, qty = 1): string => codeOf(a, { type: 'receiveReturn', rmaId: 'RMA-1', receiptId, scan: 'BC-D', qty, ...(serial === undefined ? {} : { serial }) });
    expect(ret('RR-1')).toBe('SERIAL_REQUIRED');
    expect(ret('RR-1', 'S2')).toBe('SERIAL_NOT_SHIPPED'); // in stock, never shipped
    expect(ret('RR-1', 'S7')).toBe('SERIAL_NOT_SHIPPED'); // unknown
    expect(ret('RR-1', 'S1')).toBe('ok');
    expect(a.state.serials.get(serialKey(T1, SKU_D, 'S1'))?.status).toBe('in-stock');
    noProblems(a);
  });

  it('[R77][R78][R80] serials travel with a transfer: picked, in transit, received at B, transferred at A', () => {
    const a = newTwin(SITE_A);
    a.ok({ type: 'receiveGoods', receiptId: 'G-1', tenantId: T1, skuId: SKU_D, qty: 3, serials: ['S1', 'S2', 'S3'] });
    a.ok({ type: 'moveStock', tenantId: T1, skuId: SKU_D, fromLocationId: dockLocationId(SITE_A.id), toLocationId: L1, qty: 3, serials: ['S1', 'S2', 'S3'] });
    a.ok(create([{ tenantId: T1, skuId: SKU_D, qty: 2, fromLocationId: L1 }]));
    expect(codeOf(a, pick(1, L1, 's', ['S1']))).toBe('SERIAL_REQUIRED');
    expect(codeOf(a, pick(1, L1, 's', ['S1', 'S9']))).toBe('UNKNOWN_SERIAL');
    a.ok(pick(1, L1, 's', ['S1', 'S2']));
    const despatch = a.ok({ type: 'despatchTransfer', transferId: 'TR-1' }).events[0] as TransferDespatched;
    expect(a.state.serials.get(serialKey(T1, SKU_D, 'S1'))).toMatchObject({ status: 'in-transit', locationId: TRANSIT });
    noProblems(a);
    const b = newTwin(SITE_B);
    expect(codeOf(b, expectOf(despatch, [['S1']]))).toBe('SERIAL_REQUIRED');
    b.ok(expectOf(despatch, [['S1', 'S2']]));
    const recv = (receiptId: string, serials: string[]): string => codeOf(b, { type: 'receiveTransfer', transferId: 'TR-1', receiptId, lineNo: 1, qty: serials.length, serials });
    expect(recv('R-1', ['S3'])).toBe('UNKNOWN_SERIAL'); // not on the transfer
    expect(recv('R-1', ['S1'])).toBe('ok');
    expect(recv('R-2', ['S1'])).toBe('DUPLICATE_SERIAL'); // received twice
    expect(recv('R-2', ['S2'])).toBe('ok');
    expect(b.state.serials.get(serialKey(T1, SKU_D, 'S2'))).toMatchObject({ status: 'in-stock', locationId: dockLocationId(SITE_B.id) });
    a.ok({ type: 'confirmTransferReceipt', transferId: 'TR-1', lines: [{ lineNo: 1, receivedQty: 2, damagedQty: 0 }], reason: null });
    expect(a.state.serials.get(serialKey(T1, SKU_D, 'S1'))?.status).toBe('transferred');
    noProblems(a);
    noProblems(b);
  });

  it('[R80] serials survive a snapshot', () => {
    const a = newTwin(SITE_A);
    a.ok({ type: 'receiveGoods', receiptId: 'G-1', tenantId: T1, skuId: SKU_D, qty: 1, serials: ['S1'] });
    const restored = fromSnapshotData(SITE_A, JSON.parse(JSON.stringify(toSnapshotData(a.state))) as ReturnType<typeof toSnapshotData>);
    expect(restored.serials.get(serialKey(T1, SKU_D, 'S1'))?.status).toBe('in-stock');
    expect(T2).not.toBe(T1);
  });
});
