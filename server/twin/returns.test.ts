import { describe, expect, it } from 'vitest';
import { availableOf } from './availability.ts';
import type { Command } from './commands.ts';
import type { HoldPlaced, ReturnInspected } from './events.ts';
import type { LocationId, OrderId, SkuId, TenantId } from './ids.ts';
import { asOperativeId, asOrderId } from './ids.ts';
import { checkTwinInvariants, ledgerBalances } from './invariants.ts';
import { quantKey } from './keys.ts';
import { returnsLocationId, returnsReport } from './returns.ts';
import type { Rng } from './rng.ts';
import { createRng, randomInt } from './rng.ts';
import type { ReturnDisposition, ReturnGrade } from './state.ts';
import { freeOf } from './stock-status.ts';
import type { TestTwin } from './test-site.ts';
import { LOC, newTwin, SKU_A, SKU_B, SKU_C, SKU_D, T0, T1, T2, TEST_SITE } from './test-site.ts';
import { fromSnapshotData, toSnapshotData } from './twin.ts';

const RET = returnsLocationId(TEST_SITE.id);
const L1 = LOC[0] as LocationId;
const L2 = LOC[1] as LocationId;
const L3 = LOC[2] as LocationId;
const L4 = LOC[3] as LocationId;
const PICKER = asOperativeId('P1');

const codeOf = (t: TestTwin, c: Command): string => {
  const d = t.run(c);
  return d.ok ? 'ok' : d.error.code;
};
const healthy = (t: TestTwin): void => {
  expect(checkTwinInvariants(t.state)).toEqual([]);
  expect(ledgerBalances(t.log.map((e) => e.event)).problems).toEqual([]);
};
const at = (t: TestTwin, sku: SkuId, lot = '', tenant: TenantId = T1): { onHand: number; free: number } => {
  const q = t.state.quants.get(quantKey(RET, tenant, sku, lot));
  return { onHand: q?.onHand ?? 0, free: q === undefined ? 0 : freeOf(t.state, q) };
};

/** Creates, picks, packs and despatches an order of the tenant (stock must be there). */
function despatched(t: TestTwin, id: string, tenantId: TenantId, lines: { skuId: SkuId; qty: number }[]): OrderId {
  const orderId = asOrderId(id);
  t.ok({ type: 'createOrder', orderId, tenantId, lines });
  t.ok({ type: 'allocateOrder', orderId });
  t.ok({ type: 'releaseOrder', orderId });
  if (!t.state.operatives.has(PICKER)) t.ok({ type: 'signOn', operativeId: PICKER, name: 'Pat' });
  t.ok({ type: 'requestWork', operativeId: PICKER, maxTasks: 50 });
  for (const taskId of t.state.orders.get(orderId)?.taskIds ?? []) {
    const task = t.state.tasks.get(taskId);
    if (task === undefined || task.status !== 'assigned') continue;
    const barcode = TEST_SITE.skus.find((s) => s.id === task.skuId)?.barcode ?? '';
    t.ok({ type: 'confirmPick', taskId, operativeId: PICKER, scannedLocation: task.locationId, scannedItem: barcode, qty: task.qty });
  }
  t.ok({ type: 'packOrder', orderId });
  t.ok({ type: 'despatchOrder', orderId });
  return orderId;
}

/** A site with acme's A (L1), lot-tracked B lot X1 (L2), D (L4) and globex's C (L3) in stock, and O1 despatched. */
function shipped(): { t: TestTwin; order: OrderId } {
  const t = newTwin();
  t.ok({ type: 'receiveStock', tenantId: T1, locationId: L1, skuId: SKU_A, qty: 20 });
  t.ok({ type: 'receiveStock', tenantId: T1, locationId: L2, skuId: SKU_B, qty: 20, lot: 'X1', expiry: '2027-06-30' });
  t.ok({ type: 'receiveStock', tenantId: T2, locationId: L3, skuId: SKU_C, qty: 20 });
  t.ok({ type: 'receiveStock', tenantId: T1, locationId: L4, skuId: SKU_D, qty: 20 });
  const order = despatched(t, 'O1', T1, [
    { skuId: SKU_A, qty: 5 },
    { skuId: SKU_B, qty: 3 },
  ]);
  return { t, order };
}
const rma = (order: OrderId, over: Partial<Extract<Command, { type: 'createRma' }>> = {}): Command => ({
  type: 'createRma',
  rmaId: 'RMA-1',
  tenantId: T1,
  orderId: order,
  lines: [
    { skuId: SKU_A, qty: 4, reason: 'unwanted' },
    { skuId: SKU_B, qty: 2, reason: 'damaged' },
  ],
  ...over,
});

describe('returns: RMA, receipt, inspection, disposition (R50–R55)', () => {
  it('[R50][R51][R52][R53] a return is received by scan onto the returns desk, held, then restocked and put away', () => {
    const { t, order } = shipped();
    t.ok(rma(order));
    const availableBefore = availableOf(t.state, T1, SKU_A);
    const d = t.ok({ type: 'receiveReturn', rmaId: 'RMA-1', receiptId: 'rr1', scan: 'BC-A', qty: 3 });
    expect(d.events.map((e) => e.type)).toEqual(['ReturnReceived', 'HoldPlaced']);
    expect(d.events[1]).toMatchObject({ holdId: 'RMA:RMA-1:R1', status: 'qc', source: 'receipt' });
    // On the desk, held: not available until inspected and put away (R51).
    expect(at(t, SKU_A)).toEqual({ onHand: 3, free: 0 });
    expect(availableOf(t.state, T1, SKU_A)).toBe(availableBefore);
    const ins = t.ok({ type: 'inspectReturn', rmaId: 'RMA-1', inspectionId: 'i1', skuId: SKU_A, qty: 2, grade: 'A', disposition: 'restock' });
    // The receipt hold shrinks to the one unit still waiting (released, placed again).
    expect(ins.events.map((e) => e.type)).toEqual(['HoldReleased', 'HoldPlaced', 'ReturnInspected']);
    expect((ins.events[1] as HoldPlaced).lines[0]?.qty).toBe(1);
    expect(at(t, SKU_A)).toEqual({ onHand: 3, free: 2 });
    // Put away with moveStock from the returns desk: now available to channels (R53).
    t.ok({ type: 'moveStock', tenantId: T1, fromLocationId: RET, toLocationId: L1, skuId: SKU_A, qty: 2 });
    expect(availableOf(t.state, T1, SKU_A)).toBe(availableBefore + 2);
    healthy(t);
  });

  it('[R53] refurbish and quarantine hold the units with their status; dispose writes them off to ADJUSTMENT', () => {
    const { t, order } = shipped();
    t.ok(rma(order));
    t.ok({ type: 'receiveReturn', rmaId: 'RMA-1', receiptId: 'rr1', scan: 'BC-A', qty: 4 });
    t.ok({ type: 'inspectReturn', rmaId: 'RMA-1', inspectionId: 'i1', skuId: SKU_A, qty: 1, grade: 'B', disposition: 'refurbish' });
    t.ok({ type: 'inspectReturn', rmaId: 'RMA-1', inspectionId: 'i2', skuId: SKU_A, qty: 1, grade: 'C', disposition: 'quarantine' });
    const d = t.ok({ type: 'inspectReturn', rmaId: 'RMA-1', inspectionId: 'i3', skuId: SKU_A, qty: 2, grade: 'unsellable', disposition: 'dispose', note: 'crushed' });
    expect(t.state.holds.get('RMA:RMA-1:I1' as never)?.status).toBe('damaged');
    expect(t.state.holds.get('RMA:RMA-1:I2' as never)?.status).toBe('quarantine');
    expect((d.events.at(-1) as ReturnInspected).disposed).toEqual([{ lot: '', expiry: null, qty: 2 }]);
    // 4 received, 2 written off, 2 held by their dispositions; the receipt hold is gone.
    expect(at(t, SKU_A)).toEqual({ onHand: 2, free: 0 });
    expect(t.state.holds.has('RMA:RMA-1:R1' as never)).toBe(false);
    const balances = ledgerBalances(t.log.map((e) => e.event)).balances;
    expect(balances.get(`V:ADJUSTMENT|${T1}|${SKU_A}`)).toBe(2);
    expect(balances.get(`V:CUSTOMER|${T1}|${SKU_A}`)).toBe(5 - 4);
    // A refurbished unit goes back to stock by releasing its hold and putting it away (R40).
    t.ok({ type: 'releaseHold', holdId: 'RMA:RMA-1:I1' as never, reason: 'repaired' });
    t.ok({ type: 'moveStock', tenantId: T1, fromLocationId: RET, toLocationId: L1, skuId: SKU_A, qty: 1 });
    healthy(t);
  });

  it('[R51] a lot-tracked return names a lot the order shipped; GS1 scans and resent receipts work', () => {
    const { t, order } = shipped();
    t.ok(rma(order));
    expect(codeOf(t, { type: 'receiveReturn', rmaId: 'RMA-1', receiptId: 'rb0', scan: 'BC-B', qty: 1 })).toBe('LOT_REQUIRED');
    expect(codeOf(t, { type: 'receiveReturn', rmaId: 'RMA-1', receiptId: 'rb0', scan: 'BC-B', qty: 1, lot: 'NOPE' })).toBe('INVALID_STATE');
    const d = t.ok({ type: 'receiveReturn', rmaId: 'RMA-1', receiptId: 'rb1', scan: 'BC-B', qty: 2, lot: 'X1' });
    expect(d.events[0]).toMatchObject({ lot: 'X1', expiry: '2027-06-30', lineNo: 2 });
    expect(at(t, SKU_B, 'X1').onHand).toBe(2);
    const before = t.log.length;
    expect(t.ok({ type: 'receiveReturn', rmaId: 'RMA-1', receiptId: 'rb1', scan: 'BC-B', qty: 2, lot: 'X1' }).events).toEqual([]);
    expect(t.log.length).toBe(before);
    healthy(t);
  });

  it('[R50][R51][R53][R54] B6: each domain-invalid operation is refused with its own code and writes nothing', () => {
    const { t, order } = shipped();
    t.ok({ type: 'createOrder', orderId: asOrderId('O2'), tenantId: T1, lines: [{ skuId: SKU_A, qty: 1 }] });
    const g = despatched(t, 'G1', T2, [{ skuId: SKU_C, qty: 2 }]);
    const cases: [Command, string][] = [
      // Return more than shipped (5 A shipped).
      [rma(order, { lines: [{ skuId: SKU_A, qty: 6, reason: 'unwanted' }] }), 'RETURN_EXCEEDS_SHIPPED'],
      [rma(order, { lines: [{ skuId: SKU_D, qty: 1, reason: 'unwanted' }] }), 'RETURN_EXCEEDS_SHIPPED'],
      // Another client's order.
      [rma(g), 'TENANT_MISMATCH'],
      [rma(asOrderId('O2')), 'ORDER_NOT_DESPATCHED'],
      [rma(asOrderId('nope')), 'UNKNOWN_ORDER'],
      [rma(order, { lines: [{ skuId: SKU_A, qty: 0, reason: 'unwanted' }] }), 'INVALID_QUANTITY'],
      [rma(order, { lines: [{ skuId: SKU_A, qty: 1, reason: 'because' as never }] }), 'REASON_REQUIRED'],
      // Unknown RMA.
      [{ type: 'receiveReturn', rmaId: 'nope', receiptId: 'x', scan: 'BC-A', qty: 1 }, 'UNKNOWN_RMA'],
      [{ type: 'inspectReturn', rmaId: 'nope', inspectionId: 'x', skuId: SKU_A, qty: 1, grade: 'A', disposition: 'restock' }, 'UNKNOWN_RMA'],
      [{ type: 'closeRma', rmaId: 'nope' }, 'UNKNOWN_RMA'],
    ];
    for (const [c, code] of cases) {
      const before = t.log.length;
      expect(codeOf(t, c), JSON.stringify(c)).toBe(code);
      expect(t.log.length).toBe(before);
    }
    t.ok(rma(order));
    // A second RMA cannot take more than what is left (5 shipped − 4 authorised).
    expect(codeOf(t, rma(order, { rmaId: 'RMA-2', lines: [{ skuId: SKU_A, qty: 2, reason: 'other' }] }))).toBe('RETURN_EXCEEDS_SHIPPED');
    expect(codeOf(t, rma(order, { lines: [{ skuId: SKU_A, qty: 1, reason: 'other' }] }))).toBe('DUPLICATE_RMA');
    const more: [Command, string][] = [
      [{ type: 'receiveReturn', rmaId: 'RMA-1', receiptId: 'r', scan: 'BC-A', qty: 5 }, 'RETURN_EXCEEDS_AUTHORISED'],
      [{ type: 'receiveReturn', rmaId: 'RMA-1', receiptId: 'r', scan: 'BC-C', qty: 1 }, 'WRONG_ITEM_SCANNED'],
      [{ type: 'receiveReturn', rmaId: 'RMA-1', receiptId: 'r', scan: 'BC-A', qty: 0 }, 'INVALID_QUANTITY'],
      // Disposition of units not received.
      [{ type: 'inspectReturn', rmaId: 'RMA-1', inspectionId: 'i', skuId: SKU_A, qty: 1, grade: 'A', disposition: 'restock' }, 'RETURN_NOT_RECEIVED'],
    ];
    for (const [c, code] of more) {
      const before = t.log.length;
      expect(codeOf(t, c), JSON.stringify(c)).toBe(code);
      expect(t.log.length).toBe(before);
    }
    t.ok({ type: 'receiveReturn', rmaId: 'RMA-1', receiptId: 'r1', scan: 'BC-A', qty: 2 });
    const late: [Command, string][] = [
      [{ type: 'inspectReturn', rmaId: 'RMA-1', inspectionId: 'i', skuId: SKU_A, qty: 3, grade: 'A', disposition: 'restock' }, 'RETURN_NOT_RECEIVED'],
      [{ type: 'inspectReturn', rmaId: 'RMA-1', inspectionId: 'i', skuId: SKU_A, qty: 1, grade: 'unsellable', disposition: 'restock' }, 'INVALID_STATE'],
      [{ type: 'closeRma', rmaId: 'RMA-1' }, 'RETURN_NOT_INSPECTED'],
      // Held returned units cannot be moved before inspection.
      [{ type: 'moveStock', tenantId: T1, fromLocationId: RET, toLocationId: L1, skuId: SKU_A, qty: 1 }, 'INSUFFICIENT_STOCK'],
    ];
    for (const [c, code] of late) {
      const before = t.log.length;
      expect(codeOf(t, c), JSON.stringify(c)).toBe(code);
      expect(t.log.length).toBe(before);
    }
    t.ok({ type: 'inspectReturn', rmaId: 'RMA-1', inspectionId: 'i1', skuId: SKU_A, qty: 2, grade: 'A', disposition: 'restock' });
    t.ok({ type: 'closeRma', rmaId: 'RMA-1', reason: 'customer kept the rest' });
    // Receiving against a closed RMA.
    const before = t.log.length;
    expect(codeOf(t, { type: 'receiveReturn', rmaId: 'RMA-1', receiptId: 'r9', scan: 'BC-A', qty: 1 })).toBe('RMA_CLOSED');
    expect(codeOf(t, { type: 'closeRma', rmaId: 'RMA-1' })).toBe('RMA_CLOSED');
    expect(t.log.length).toBe(before);
    // Closed: only the 2 received count against the shipment, so 3 more A may come back.
    t.ok(rma(order, { rmaId: 'RMA-2', lines: [{ skuId: SKU_A, qty: 3, reason: 'defective' }] }));
    healthy(t);
  });

  it('[R55] the report gives units by reason and outcome for one client over a period', () => {
    const { t, order } = shipped();
    t.ok(rma(order));
    t.ok({ type: 'receiveReturn', rmaId: 'RMA-1', receiptId: 'r1', scan: 'BC-A', qty: 4 });
    t.ok({ type: 'receiveReturn', rmaId: 'RMA-1', receiptId: 'r2', scan: 'BC-B', qty: 2, lot: 'X1' });
    t.ok({ type: 'inspectReturn', rmaId: 'RMA-1', inspectionId: 'i1', skuId: SKU_A, qty: 3, grade: 'A', disposition: 'restock' });
    t.ok({ type: 'inspectReturn', rmaId: 'RMA-1', inspectionId: 'i2', skuId: SKU_A, qty: 1, grade: 'C', disposition: 'refurbish' });
    t.ok({ type: 'inspectReturn', rmaId: 'RMA-1', inspectionId: 'i3', skuId: SKU_B, qty: 2, grade: 'unsellable', disposition: 'dispose' });
    const r = returnsReport(t.state, { tenantId: T1, from: T0, to: t.now });
    expect(r.rmasCreated).toBe(1);
    expect(r.byReason).toEqual([
      { reason: 'damaged', authorised: 2, received: 2, outcomes: { restock: 0, refurbish: 0, quarantine: 0, dispose: 2 } },
      { reason: 'unwanted', authorised: 4, received: 4, outcomes: { restock: 3, refurbish: 1, quarantine: 0, dispose: 0 } },
    ]);
    expect(r.byOutcome.map((o) => [o.disposition, o.units, o.grades.A, o.grades.unsellable])).toEqual([
      ['restock', 3, 3, 0],
      ['refurbish', 1, 0, 0],
      ['dispose', 2, 0, 2],
    ]);
    expect(returnsReport(t.state, { tenantId: T2, from: T0, to: t.now }).byReason).toEqual([]);
    expect(returnsReport(t.state, { tenantId: T1, from: t.now, to: (t.now + 1000) as typeof t.now }).rmasCreated).toBe(0);
  });

  it('[R51] snapshots keep RMAs', () => {
    const { t, order } = shipped();
    t.ok(rma(order));
    t.ok({ type: 'receiveReturn', rmaId: 'RMA-1', receiptId: 'r1', scan: 'BC-A', qty: 2 });
    const restored = fromSnapshotData(TEST_SITE, JSON.parse(JSON.stringify(toSnapshotData(t.state))) as ReturnType<typeof toSnapshotData>);
    expect([...restored.rmas.values()]).toEqual([...t.state.rmas.values()]);
    expect(checkTwinInvariants(restored)).toEqual([]);
  });
});

function randomCommand(rng: Rng, t: TestTwin, n: number): Command {
  const pick = <T>(xs: readonly T[]): T => xs[randomInt(rng, 0, xs.length - 1)] as T;
  const rmaIds = [...t.state.rmas.keys()];
  const rmaId = rmaIds.length === 0 || rng.next() < 0.05 ? 'none' : pick(rmaIds);
  const rmaState = t.state.rmas.get(rmaId);
  const line = rmaState === undefined ? undefined : pick(rmaState.lines);
  const sku = line?.skuId ?? pick([SKU_A, SKU_B]);
  const free = [...t.state.quants.values()].filter((q) => q.locationId === RET && freeOf(t.state, q) > 0);
  switch (randomInt(rng, 0, 6)) {
    case 0: {
      const orders = [...t.state.orders.values()].filter((o) => o.status === 'despatched');
      return {
        type: 'createRma',
        rmaId: `R${randomInt(rng, 1, 8)}`,
        tenantId: rng.next() < 0.1 ? T2 : T1,
        orderId: orders.length === 0 ? asOrderId('none') : pick(orders).id,
        lines: [{ skuId: pick([SKU_A, SKU_B]), qty: randomInt(rng, 0, 4), reason: pick(['unwanted', 'damaged', 'defective'] as const) }],
      };
    }
    case 1:
    case 2:
      return { type: 'receiveReturn', rmaId, receiptId: `rr${rng.next() < 0.1 ? 1 : n}`, scan: sku === SKU_A ? 'BC-A' : 'BC-B', qty: randomInt(rng, 0, 3), ...(sku === SKU_B ? { lot: 'X1' } : {}) };
    case 3: {
      // Mostly lines with units waiting for inspection; sometimes anything (refused cases).
      const waiting = [...t.state.rmas.values()].flatMap((r) => r.lines.filter((l) => l.receivedQty > l.inspectedQty).map((l) => ({ r, l })));
      const w = waiting.length > 0 && rng.next() < 0.9 ? pick(waiting) : undefined;
      return {
        type: 'inspectReturn',
        rmaId: w?.r.id ?? rmaId,
        inspectionId: `in${n}`,
        skuId: w?.l.skuId ?? sku,
        qty: randomInt(rng, 1, w === undefined ? 3 : w.l.receivedQty - w.l.inspectedQty + (rng.next() < 0.1 ? 1 : 0)),
        grade: pick<ReturnGrade>(['A', 'B', 'C', 'unsellable']),
        disposition: pick<ReturnDisposition>(['restock', 'refurbish', 'quarantine', 'dispose']),
      };
    }
    case 4:
      return { type: 'closeRma', rmaId };
    case 5: {
      const q = free.length === 0 ? undefined : pick(free);
      if (q === undefined) return { type: 'closeRma', rmaId };
      return { type: 'moveStock', tenantId: q.tenantId, fromLocationId: RET, toLocationId: q.skuId === SKU_A ? L1 : L2, skuId: q.skuId, lot: q.lot, qty: randomInt(rng, 1, q.onHand) };
    }
    default: {
      const holds = [...t.state.holds.keys()];
      return holds.length === 0 ? { type: 'closeRma', rmaId } : { type: 'releaseHold', holdId: pick(holds), reason: 'done' };
    }
  }
}

describe('property: random returns, inspections, put-aways and releases (R50–R55)', () => {
  it('keep checkTwinInvariants and the ledger clean, and refused commands write nothing', () => {
    const RUNS = 40;
    const STEPS = 120;
    const accepted = new Map<string, number>();
    for (let seed = 1; seed <= RUNS; seed++) {
      const rng = createRng(seed);
      const { t } = shipped();
      despatched(t, 'O2', T1, [
        { skuId: SKU_A, qty: 4 },
        { skuId: SKU_B, qty: 4 },
      ]);
      for (let i = 0; i < STEPS; i++) {
        const c = randomCommand(rng, t, i);
        const before = t.log.length;
        const d = t.run(c);
        if (d.ok && d.events.length > 0) accepted.set(c.type, (accepted.get(c.type) ?? 0) + 1);
        else if (!d.ok) expect(t.log.length, `${c.type} refused yet wrote`).toBe(before);
        expect(checkTwinInvariants(t.state), `seed ${seed} step ${i} ${JSON.stringify(c)}`).toEqual([]);
      }
      expect(ledgerBalances(t.log.map((e) => e.event)).problems, `seed ${seed}`).toEqual([]);
      const restored = fromSnapshotData(TEST_SITE, JSON.parse(JSON.stringify(toSnapshotData(t.state))) as ReturnType<typeof toSnapshotData>);
      expect(checkTwinInvariants(restored)).toEqual([]);
    }
    // Every step of the flow happened often enough for the property to mean something.
    for (const type of ['createRma', 'receiveReturn', 'inspectReturn', 'closeRma', 'moveStock', 'releaseHold']) {
      expect(accepted.get(type) ?? 0, type).toBeGreaterThan(RUNS);
    }
  });
});
