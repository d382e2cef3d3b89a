import { describe, expect, it } from 'vitest';
import type { Command } from './commands.ts';
import type { DomainErrorCode } from './errors.ts';
import type { CountAdjusted, ReturnInspected, StockMoved } from './events.ts';
import type { LocationId, TaskId } from './ids.ts';
import { asOperativeId, asOrderId } from './ids.ts';
import { asCountId } from './counting.ts';
import { checkTwinInvariants, ledgerBalances } from './invariants.ts';
import { quantKey } from './keys.ts';
import { returnsLocationId } from './returns.ts';
import { serialKey } from './serials.ts';
import type { SiteDefinition } from './site.ts';
import type { SerialState } from './state.ts';
import { asHoldId, dockLocationId } from './stock-status.ts';
import type { TestTwin } from './test-site.ts';
import { LOC, newTwin, SKU_A, SKU_D, T1, TEST_SITE } from './test-site.ts';
import { applyEvents, fromSnapshotData, toSnapshotData } from './twin.ts';

/** The test site with SKU D serial-tracked. */
const SITE: SiteDefinition = { ...TEST_SITE, skus: TEST_SITE.skus.map((s) => (s.id === SKU_D ? { ...s, serialTracked: true } : s)) };
const L1 = LOC[0] as LocationId;
const L2 = LOC[1] as LocationId;
const L3 = LOC[2] as LocationId;
const DOCK = dockLocationId(SITE.id);
const RETURNS = returnsLocationId(SITE.id);
const P1 = asOperativeId('op-1');

const serials = (n: number, prefix = 'S'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${String(i + 1).padStart(2, '0')}`);
const serialOf = (t: TestTwin, s: string): SerialState | undefined => t.state.serials.get(serialKey(T1, SKU_D, s));
const onHand = (t: TestTwin, loc: string): number => t.state.quants.get(quantKey(loc as LocationId, T1, SKU_D, ''))?.onHand ?? 0;
const noProblems = (t: TestTwin): void => {
  expect(checkTwinInvariants(t.state)).toEqual([]);
  expect(ledgerBalances(t.log.map((s) => s.event)).problems).toEqual([]);
};
/** Asserts the command is refused with `code` and that nothing was written. */
const refused = (t: TestTwin, command: Command, code: DomainErrorCode): void => {
  const before = JSON.stringify({ ...toSnapshotData(t.state), now: 0 });
  const logLength = t.log.length;
  const d = t.run(command);
  expect(d.ok ? 'ok' : d.error.code).toBe(code);
  expect(t.log.length).toBe(logLength);
  expect(JSON.stringify({ ...toSnapshotData(t.state), now: 0 })).toBe(before);
};
/** A twin with `n` serial-tracked units of D received on the dock (S01…). */
function docked(n: number): TestTwin {
  const t = newTwin(SITE);
  t.ok({ type: 'receiveGoods', receiptId: 'G-1', tenantId: T1, skuId: SKU_D, qty: n, serials: serials(n) });
  return t;
}
const move = (qty: number, list?: string[], from: LocationId = DOCK, to: LocationId = L1): Command => ({
  type: 'moveStock',
  tenantId: T1,
  skuId: SKU_D,
  fromLocationId: from,
  toLocationId: to,
  qty,
  ...(list === undefined ? {} : { serials: list }),
});

describe('serials follow moves (R80 with R6, R59)', () => {
  it('[R80] moveStock of a serial-tracked SKU names one serial per unit, each in stock at the source', () => {
    const t = docked(3);
    refused(t, move(2), 'SERIAL_REQUIRED');
    refused(t, move(2, ['S01']), 'SERIAL_REQUIRED');
    refused(t, move(2, ['S01', 'S01']), 'DUPLICATE_SERIAL');
    refused(t, move(2, ['S01', 'X9']), 'UNKNOWN_SERIAL');
    refused(t, move(1, ['bad serial']), 'INVALID_SCAN');
    t.ok({ type: 'receiveStock', tenantId: T1, locationId: L3, skuId: SKU_A, qty: 1 });
    refused(t, { type: 'moveStock', tenantId: T1, skuId: SKU_A, fromLocationId: L3, toLocationId: L2, qty: 1, serials: ['S01'] }, 'INVALID_STATE');
    const d = t.ok(move(2, ['S01', 'S02']));
    expect(d.events[0]).toMatchObject({ type: 'StockMoved', serials: ['S01', 'S02'] } satisfies Partial<StockMoved>);
    expect(serialOf(t, 'S01')).toMatchObject({ status: 'in-stock', locationId: L1 });
    expect(serialOf(t, 'S03')).toMatchObject({ status: 'in-stock', locationId: DOCK });
    // S03 is on the dock, not in L1: a move out of L1 cannot name it.
    refused(t, move(1, ['S03'], L1, L2), 'UNKNOWN_SERIAL');
    t.ok(move(1, ['S02'], L1, L2));
    expect(serialOf(t, 'S02')?.locationId).toBe(L2);
    expect(t.state.serialGaps.size).toBe(0);
    noProblems(t);
  });

  it('[R59][R80] a put-away task is completed with the serials moved; a short move names the units found', () => {
    const t = docked(4);
    t.ok({ type: 'signOn', operativeId: P1, name: 'Pat' });
    t.ok({ type: 'createMoveTask', taskId: 'PA-1', kind: 'putaway', tenantId: T1, skuId: SKU_D, fromLocationId: DOCK, toLocationId: L1, qty: 3 });
    t.ok({ type: 'assignMoveTask', taskId: 'PA-1', operativeId: P1 });
    const complete = (extra: Record<string, unknown>): Command => ({ type: 'completeMoveTask', taskId: 'PA-1', operativeId: P1, fromScan: DOCK, toScan: L1, scanId: 'scan-1', ...extra });
    refused(t, complete({}), 'SERIAL_REQUIRED');
    refused(t, complete({ serials: ['S01', 'S02', 'S09'] }), 'UNKNOWN_SERIAL');
    refused(t, complete({ qty: 2, serials: ['S01', 'S02', 'S03'] }), 'SERIAL_REQUIRED');
    const d = t.ok(complete({ qty: 2, serials: ['S03', 'S01'] }));
    expect(d.events[0]).toMatchObject({ type: 'MoveTaskCompleted', qty: 2, shortQty: 1, serials: ['S03', 'S01'] });
    expect(serialOf(t, 'S01')?.locationId).toBe(L1);
    expect(serialOf(t, 'S02')?.locationId).toBe(DOCK);
    // The resend of the completing scan is acknowledged without effect.
    expect(t.ok(complete({ qty: 2, serials: ['S03', 'S01'] })).events).toEqual([]);
    expect(onHand(t, L1)).toBe(2);
    noProblems(t);
  });
});

describe('serials follow counts (R80 with R35–R37)', () => {
  /** 30 units of D in L1 (S01…S30) and a started count of L1. */
  function counting(): TestTwin {
    const t = docked(30);
    t.ok(move(30, serials(30)));
    t.ok({ type: 'createCounts', reason: 'manual', counts: [{ countId: asCountId('C1'), locationId: L1 }] });
    t.ok({ type: 'startCount', countId: asCountId('C1'), counterId: 'k1' });
    return t;
  }
  const submit = (qty: number, list?: string[]): Command => ({ type: 'submitCount', countId: asCountId('C1'), counterId: 'k1', lines: [{ skuId: SKU_D, qty, ...(list === undefined ? {} : { serials: list }) }] });

  it('[R35][R80] a serial-tracked SKU is counted by serial; refusals write nothing', () => {
    const t = counting();
    refused(t, submit(30), 'SERIAL_REQUIRED');
    refused(t, submit(2, ['S01', 'S01']), 'DUPLICATE_SERIAL');
    t.ok({ type: 'receiveGoods', receiptId: 'G-2', tenantId: T1, skuId: SKU_D, qty: 1, serials: ['D-1'] });
    // D-1 is in stock on the dock: a count of L1 cannot find it here (like a receipt, R77).
    refused(t, submit(31, [...serials(30), 'D-1']), 'DUPLICATE_SERIAL');
    refused(t, { type: 'submitCount', countId: asCountId('C1'), counterId: 'k1', lines: [{ skuId: SKU_A, qty: 1, serials: ['S01'] }] }, 'INVALID_STATE');
  });

  it('[R36][R80] a missing serial is written off and a found one enters stock, with the units', () => {
    const t = counting();
    // S30 not found, N-1 found where the twin had none: variance 0, but the serials swap.
    const d = t.ok(submit(30, [...serials(29), 'N-1']));
    const adjusted = d.events.find((e) => e.type === 'CountAdjusted') as CountAdjusted;
    expect(adjusted.adjustments).toEqual([]);
    expect(adjusted.serials).toEqual([{ tenantId: T1, skuId: SKU_D, lot: '', expiry: null, writtenOff: ['S30'], found: ['N-1'] }]);
    expect(serialOf(t, 'S30')).toMatchObject({ status: 'written-off', locationId: null });
    expect(serialOf(t, 'N-1')).toMatchObject({ status: 'in-stock', locationId: L1 });
    expect(t.state.serialGaps.size).toBe(0);
    noProblems(t);
  });

  it('[R37][R80] a loss writes off exactly the serials not scanned; a written-off serial may be found again', () => {
    const t = counting();
    const d = t.ok(submit(29, serials(29)));
    const adjusted = d.events.find((e) => e.type === 'CountAdjusted') as CountAdjusted;
    expect(adjusted.adjustments).toMatchObject([{ qty: -1, deferred: 0 }]);
    expect(adjusted.serials).toMatchObject([{ writtenOff: ['S30'], found: [] }]);
    expect(onHand(t, L1)).toBe(29);
    noProblems(t);
    t.ok({ type: 'createCounts', reason: 'manual', counts: [{ countId: asCountId('C2'), locationId: L1 }] });
    t.ok({ type: 'startCount', countId: asCountId('C2'), counterId: 'k1' });
    t.ok({ type: 'submitCount', countId: asCountId('C2'), counterId: 'k1', lines: [{ skuId: SKU_D, qty: 30, serials: serials(30) }] });
    expect(serialOf(t, 'S30')).toMatchObject({ status: 'in-stock', locationId: L1 });
    expect(onHand(t, L1)).toBe(30);
    noProblems(t);
  });

  it('[R37][R80] a count approved later writes off only serials still in the bin; a disagreement marks a gap', () => {
    const t = counting();
    // 20 of 30 missing: a recount, which agrees, then approval.
    t.ok(submit(10, serials(10)));
    t.ok({ type: 'startCount', countId: asCountId('C1'), counterId: 'k2' });
    t.ok({ type: 'submitCount', countId: asCountId('C1'), counterId: 'k2', lines: [{ skuId: SKU_D, qty: 10, serials: serials(10) }] });
    expect(t.state.counts.get(asCountId('C1'))?.status).toBe('pending-approval');
    // Meanwhile S11 turned up and moved to L2 (so it is not written off from L1); L1 holds one unit fewer.
    t.ok(move(1, ['S11'], L1, L2));
    const d = t.ok({ type: 'approveCount', countId: asCountId('C1'), approverId: 'boss' });
    const adjusted = d.events[0] as CountAdjusted;
    expect(adjusted.serials?.[0]?.writtenOff).toEqual(serials(30).slice(11));
    expect(serialOf(t, 'S11')).toMatchObject({ status: 'in-stock', locationId: L2 });
    // The units follow the variance fixed at submission (R37): 29 − 20 = 9, against 10 serials left. Units and
    // serials disagree, so the SKU is marked a gap and the strict check steps aside for it.
    expect(onHand(t, L1)).toBe(9);
    expect([...t.state.serialGaps]).toEqual([`${T1}|${SKU_D}`]);
    noProblems(t);
  });
});

describe('serials follow return dispositions (R80 with R53)', () => {
  /** S01 shipped to O-1 and back on the returns desk under RMA-1 (qc hold). */
  function returned(): TestTwin {
    const t = docked(2);
    t.ok(move(2, ['S01', 'S02']));
    const orderId = asOrderId('O-1');
    t.ok({ type: 'createOrder', orderId, tenantId: T1, lines: [{ skuId: SKU_D, qty: 1 }] });
    t.ok({ type: 'allocateOrder', orderId });
    t.ok({ type: 'releaseOrder', orderId });
    t.ok({ type: 'signOn', operativeId: P1, name: 'Pat' });
    t.ok({ type: 'requestWork', operativeId: P1, maxTasks: 5 });
    const taskId = t.state.orders.get(orderId)?.taskIds[0] as TaskId;
    t.ok({ type: 'confirmPick', taskId, operativeId: P1, scannedLocation: L1, scannedItem: 'BC-D', qty: 1, serials: ['S01'] });
    t.ok({ type: 'packOrder', orderId });
    t.ok({ type: 'despatchOrder', orderId });
    t.ok({ type: 'createRma', rmaId: 'RMA-1', tenantId: T1, orderId, lines: [{ skuId: SKU_D, qty: 1, reason: 'defective' }] });
    t.ok({ type: 'receiveReturn', rmaId: 'RMA-1', receiptId: 'RR-1', scan: 'BC-D', qty: 1, serial: 'S01' });
    return t;
  }
  const inspect = (disposition: 'dispose' | 'quarantine' | 'refurbish', list?: string[]): Command => ({
    type: 'inspectReturn',
    rmaId: 'RMA-1',
    inspectionId: 'I-1',
    skuId: SKU_D,
    qty: 1,
    grade: 'unsellable',
    disposition,
    ...(list === undefined ? {} : { serials: list }),
  });

  it('[R53][R80] dispose names the serial and marks it disposed', () => {
    const t = returned();
    refused(t, inspect('dispose', ['S02']), 'UNKNOWN_SERIAL'); // in stock, but in L1, not on the desk
    refused(t, inspect('dispose', ['S01', 'S02']), 'SERIAL_REQUIRED'); // one per unit
    const d = t.ok(inspect('dispose', ['S01']));
    expect(d.events.find((e) => e.type === 'ReturnInspected')).toMatchObject({ serials: ['S01'], disposed: [{ lot: '', expiry: null, qty: 1 }] } satisfies Partial<ReturnInspected>);
    expect(serialOf(t, 'S01')).toMatchObject({ status: 'disposed', locationId: null });
    expect(onHand(t, RETURNS)).toBe(0);
    expect(t.state.serialGaps.size).toBe(0);
    noProblems(t);
  });

  it('[R53][R79][R80] a disposal without serials takes the serial its receipt was scanned with; with none known it is refused', () => {
    const t = returned();
    const d = t.ok(inspect('dispose'));
    expect(d.events.find((e) => e.type === 'ReturnInspected')).toMatchObject({ serials: ['S01'] });
    expect(serialOf(t, 'S01')?.status).toBe('disposed');
    noProblems(t);
    // The receipt's hold lifted by hand: the unit comes from free stock on the desk, whose serial nobody named.
    const u = returned();
    u.ok({ type: 'releaseHold', holdId: asHoldId('RMA:RMA-1:R1'), reason: 'checked by hand' });
    refused(u, inspect('dispose'), 'SERIAL_REQUIRED');
    u.ok(inspect('dispose', ['S01']));
    noProblems(u);
  });

  it('[R53][R80] quarantine keeps the serial in stock on the returns desk (serials optional there)', () => {
    const t = returned();
    t.ok(inspect('quarantine'));
    expect(serialOf(t, 'S01')).toMatchObject({ status: 'in-stock', locationId: RETURNS });
    noProblems(t);
  });
});

describe('serial invariants on old and new logs (R80)', () => {
  it('[R80] an older log that moved serial-tracked units without serials marks a gap and still passes', () => {
    const t = docked(2);
    // As written before R80: a put-away with no serials (applied from the log, never decided now).
    applyEvents(t.state, [{ type: 'StockMoved', at: t.now, tenantId: T1, skuId: SKU_D, lot: '', expiry: null, fromLocationId: DOCK, toLocationId: L1, qty: 2 }]);
    expect([...t.state.serialGaps]).toEqual([`${T1}|${SKU_D}`]);
    expect(serialOf(t, 'S01')?.locationId).toBe(DOCK);
    expect(checkTwinInvariants(t.state)).toEqual([]);
  });

  it('[R80] with full capture, a serial out of place is a violation', () => {
    const t = docked(2);
    t.ok(move(2, ['S01', 'S02']));
    expect(checkTwinInvariants(t.state)).toEqual([]);
    const s = serialOf(t, 'S02');
    if (s !== undefined) s.locationId = L2;
    expect(checkTwinInvariants(t.state)).toEqual([
      `serials ${L1}|${T1}|${SKU_D}|: 1 in stock, 2 units on hand`,
      `serials ${L2}|${T1}|${SKU_D}|: 1 in stock, 0 units on hand`,
    ]);
  });

  it('[R80] gaps survive a snapshot; a snapshot written before them assumes every serial-tracked SKU with stock has one', () => {
    const t = docked(1);
    applyEvents(t.state, [{ type: 'StockReceived', at: t.now, tenantId: T1, skuId: SKU_D, lot: '', expiry: null, locationId: L1, qty: 1 }]);
    const data = JSON.parse(JSON.stringify(toSnapshotData(t.state))) as ReturnType<typeof toSnapshotData>;
    expect([...fromSnapshotData(SITE, data).serialGaps]).toEqual([`${T1}|${SKU_D}`]);
    const clean = docked(1);
    const cleanData = JSON.parse(JSON.stringify(toSnapshotData(clean.state))) as ReturnType<typeof toSnapshotData>;
    expect(fromSnapshotData(SITE, cleanData).serialGaps.size).toBe(0);
    const { serialGaps: _omit, ...older } = cleanData;
    expect([...fromSnapshotData(SITE, older).serialGaps]).toEqual([`${T1}|${SKU_D}`]);
  });
});
