import { describe, expect, it } from 'vitest';
import type { Command } from './commands.ts';
import { asCountId, abcClasses, planCycleCounts, DEFAULT_INTERVAL_DAYS } from './counting.ts';
import type { CountAdjusted, CountSubmitted } from './events.ts';
import type { LocationId } from './ids.ts';
import { asOperativeId, asOrderId, asSkuId, asTaskId, epochMs } from './ids.ts';
import { checkTwinInvariants, ledgerBalances } from './invariants.ts';
import { quantKey } from './keys.ts';
import type { Sku } from './site.ts';
import type { TestTwin } from './test-site.ts';
import { LOC, newTwin, SKU_A, SKU_B, SKU_D, T1, TEST_SITE } from './test-site.ts';
import { fromSnapshotData, toSnapshotData } from './twin.ts';
import { applyEvents } from './apply.ts';

const L1 = LOC[0] as LocationId;
const L2 = LOC[1] as LocationId;
const L3 = LOC[2] as LocationId;
const C1 = asCountId('C1');
const C2 = asCountId('C2');
const P1 = asOperativeId('P1');

/** L1 holds 50 A, L2 30 D, L3 20 of lot B-1; P1 is signed on. */
function floor(): TestTwin {
  const t = newTwin();
  t.ok({ type: 'receiveStock', tenantId: T1, locationId: L1, skuId: SKU_A, qty: 50 });
  t.ok({ type: 'receiveStock', tenantId: T1, locationId: L2, skuId: SKU_D, qty: 30 });
  t.ok({ type: 'receiveStock', tenantId: T1, locationId: L3, skuId: SKU_B, qty: 20, lot: 'B-1', expiry: '2027-03-01' });
  t.ok({ type: 'signOn', operativeId: P1, name: 'Pat' });
  return t;
}

const create = (countId = C1, locationId = L1): Command => ({ type: 'createCounts', reason: 'manual', counts: [{ countId, locationId }] });
const start = (countId = C1, counterId = 'counter-1'): Command => ({ type: 'startCount', countId, counterId });
const submit = (qty: number, countId = C1, counterId = 'counter-1', skuId = SKU_A): Command => ({
  type: 'submitCount',
  countId,
  counterId,
  lines: [{ skuId, qty }],
});
const codeOf = (t: TestTwin, c: Command): string => {
  const d = t.run(c);
  return d.ok ? 'ok' : d.error.code;
};
const onHand = (t: TestTwin, loc: LocationId, sku = SKU_A, lot = ''): number => t.state.quants.get(quantKey(loc, T1, sku, lot))?.onHand ?? 0;

/** Releases an order of `qty` A (from L1) and assigns its task to P1. */
function pickTaskOn(t: TestTwin, id: string, qty: number): void {
  t.ok({ type: 'createOrder', orderId: asOrderId(id), tenantId: T1, lines: [{ skuId: SKU_A, qty }] });
  t.ok({ type: 'allocateOrder', orderId: asOrderId(id) });
  t.ok({ type: 'releaseOrder', orderId: asOrderId(id) });
  t.ok({ type: 'requestWork', operativeId: P1, maxTasks: 10 });
}
const confirm = (id: string, qty: number): Command => ({
  type: 'confirmPick',
  taskId: asTaskId(`${id}-T1`),
  operativeId: P1,
  scannedLocation: 'L1',
  scannedItem: 'BC-A',
  qty,
});

function healthy(t: TestTwin): void {
  expect(checkTwinInvariants(t.state)).toEqual([]);
  expect(ledgerBalances(t.log.map((e) => e.event)).problems).toEqual([]);
}

describe('creating counts', () => {
  it('[R33] creates open count tasks for a set of bins, all or none', () => {
    const t = floor();
    const d = t.ok({ type: 'createCounts', reason: 'scheduled', counts: [{ countId: C1, locationId: L1 }, { countId: C2, locationId: L2 }] });
    expect(d.events.map((e) => e.type)).toEqual(['CountCreated', 'CountCreated']);
    expect(t.state.counts.get(C1)).toMatchObject({ status: 'open', locationId: L1, reason: 'scheduled' });
    expect(t.state.openCountByLocation.get(L2)).toBe(C2);
    healthy(t);
  });

  it('[R33] refuses duplicates, unknown bins, a second open count and bad reasons, writing nothing', () => {
    const t = floor();
    t.ok(create());
    const before = t.log.length;
    expect(codeOf(t, create(C1, L2))).toBe('DUPLICATE_COUNT');
    expect(codeOf(t, create(C2, 'NOPE' as LocationId))).toBe('UNKNOWN_LOCATION');
    expect(codeOf(t, create(C2, L1))).toBe('COUNT_ALREADY_OPEN');
    expect(codeOf(t, { type: 'createCounts', reason: 'manual', counts: [{ countId: C2, locationId: L2 }, { countId: asCountId('C3'), locationId: L2 }] })).toBe('COUNT_ALREADY_OPEN');
    expect(codeOf(t, { type: 'createCounts', reason: 'whim' as 'manual', counts: [{ countId: C2, locationId: L2 }] })).toBe('INVALID_STATE');
    expect(codeOf(t, { type: 'createCounts', reason: 'manual', counts: [] })).toBe('INVALID_QUANTITY');
    expect(t.log.length).toBe(before);
    expect(t.state.counts.has(C2)).toBe(false);
  });
});

describe('blind counts and reconciliation', () => {
  it('[R34] starting records the bin at the current seq; a second start or a start after closing is refused', () => {
    const t = floor();
    t.ok(create());
    const seq = t.state.seq;
    const d = t.ok(start());
    expect(d.events[0]).toMatchObject({ type: 'CountStarted', expectedAtSeq: seq, attempt: 1, expected: [{ skuId: SKU_A, lot: '', qty: 50 }] });
    expect(t.state.counts.get(C1)?.status).toBe('counting');
    expect(codeOf(t, start())).toBe('COUNT_IN_PROGRESS');
    t.ok(submit(50));
    expect(codeOf(t, start())).toBe('COUNT_FINISHED');
    expect(codeOf(t, start(asCountId('nope')))).toBe('UNKNOWN_COUNT');
  });

  it('[R35] picks made while counting are reconciled: no phantom adjustment', () => {
    const t = floor();
    pickTaskOn(t, 'O1', 5);
    t.ok(create());
    t.ok(start());
    t.ok(confirm('O1', 5)); // the picker takes 5 while the counter counts
    expect(t.state.counts.get(C1)?.attempts[0]?.moved).toEqual([expect.objectContaining({ skuId: SKU_A, qty: -5 })]);
    healthy(t);
    const d = t.ok(submit(45));
    const submitted = d.events[0] as CountSubmitted;
    expect(submitted.variances).toEqual([expect.objectContaining({ expected: 50, moved: -5, counted: 45, variance: 0 })]);
    expect(d.events[1]).toMatchObject({ type: 'CountAdjusted', adjustments: [] });
    expect(onHand(t, L1)).toBe(45);
    healthy(t);
  });

  it('[R35][R36] a small real loss during picking is adjusted at once, as a ledger move with a reason', () => {
    const t = floor();
    pickTaskOn(t, 'O1', 5);
    t.ok(create());
    t.ok(start());
    t.ok(confirm('O1', 5));
    t.ok({ type: 'receiveStock', tenantId: T1, locationId: L1, skuId: SKU_A, qty: 3 });
    const d = t.ok(submit(47)); // expected 50 − 5 + 3 = 48: one lost
    expect(d.events[1]).toMatchObject({ type: 'CountAdjusted', approverId: null, reasonCode: 'CYCLE_COUNT', adjustments: [expect.objectContaining({ variance: -1, qty: -1, deferred: 0 })] });
    expect(onHand(t, L1)).toBe(47);
    expect(ledgerBalances(t.log.map((e) => e.event)).balances.get(`V:ADJUSTMENT|${T1}|${SKU_A}`)).toBe(1);
    healthy(t);
  });

  it('[R35] checks the submission and writes nothing when it is refused', () => {
    const t = floor();
    t.ok(create());
    expect(codeOf(t, submit(50))).toBe('COUNT_NOT_STARTED');
    t.ok(start());
    const before = t.log.length;
    expect(codeOf(t, submit(50, C1, 'someone-else'))).toBe('COUNT_NOT_ASSIGNED');
    expect(codeOf(t, submit(-1))).toBe('INVALID_QUANTITY');
    expect(codeOf(t, submit(1.5))).toBe('INVALID_QUANTITY');
    expect(codeOf(t, submit(3, C1, 'counter-1', asSkuId('ZZZ')))).toBe('UNKNOWN_SKU');
    expect(codeOf(t, submit(3, C1, 'counter-1', SKU_D))).toBe('COUNT_MIXED_BIN');
    expect(codeOf(t, { type: 'submitCount', countId: C1, counterId: 'counter-1', lines: [{ skuId: SKU_A, qty: 1 }, { skuId: SKU_A, qty: 2 }] })).toBe('INVALID_STATE');
    expect(codeOf(t, submit(50, asCountId('nope')))).toBe('UNKNOWN_COUNT');
    expect(t.log.length).toBe(before);
    expect(t.state.counts.get(C1)?.status).toBe('counting');
  });

  it('[R35] a device resending an applied submission (same scanId) is acknowledged without effect', () => {
    const t = floor();
    t.ok(create());
    t.ok(start());
    const send = (scanId: string): Command => ({ type: 'submitCount', countId: C1, counterId: 'counter-1', lines: [{ skuId: SKU_A, qty: 49 }], scanId });
    expect(t.ok(send('s-1')).events.map((e) => e.type)).toEqual(['CountSubmitted', 'CountAdjusted']);
    const before = t.log.length;
    expect(t.ok(send('s-1')).events).toEqual([]);
    expect(codeOf(t, send('s-2'))).toBe('COUNT_FINISHED');
    expect(t.log.length).toBe(before);
    expect(onHand(t, L1)).toBe(49);
  });

  it('[R35] lot-tracked bins are counted per lot; a new lot needs its expiry', () => {
    const t = floor();
    t.ok(create(C1, L3));
    t.ok(start());
    const lines = (extra: object[]): Command => ({ type: 'submitCount', countId: C1, counterId: 'counter-1', lines: [{ skuId: SKU_B, lot: 'B-1', qty: 20 }, ...extra] as never });
    expect(codeOf(t, { type: 'submitCount', countId: C1, counterId: 'counter-1', lines: [{ skuId: SKU_B, qty: 20 }] })).toBe('LOT_REQUIRED');
    expect(codeOf(t, lines([{ skuId: SKU_B, lot: 'B-2', qty: 1 }]))).toBe('LOT_REQUIRED');
    const d = t.ok(lines([{ skuId: SKU_B, lot: 'B-2', expiry: '2027-05-01', qty: 1 }]));
    expect(d.events[1]).toMatchObject({ type: 'CountAdjusted', adjustments: [expect.objectContaining({ lot: 'B-2', expiry: '2027-05-01', qty: 1 })] });
    expect(t.state.quants.get(quantKey(L3, T1, SKU_B, 'B-2'))).toMatchObject({ onHand: 1, expiry: '2027-05-01' });
    healthy(t);
  });

  it('[R24] a count in progress survives a snapshot and keeps reconciling after restore', () => {
    const t = floor();
    pickTaskOn(t, 'O1', 5);
    t.ok(create());
    t.ok(start());
    const restored = fromSnapshotData(TEST_SITE, JSON.parse(JSON.stringify(toSnapshotData(t.state))) as ReturnType<typeof toSnapshotData>);
    expect(toSnapshotData(restored)).toEqual(toSnapshotData(t.state));
    const d = t.ok(confirm('O1', 5));
    applyEvents(restored, d.events);
    expect(restored.counts.get(C1)?.attempts[0]?.moved).toEqual(t.state.counts.get(C1)?.attempts[0]?.moved);
    expect(checkTwinInvariants(restored)).toEqual([]);
  });
});

describe('tolerance, recount and approval', () => {
  it('[R36] a mid-size variance waits for a supervisor; approval adjusts it', () => {
    const t = floor();
    t.ok(create());
    t.ok(start());
    const d = t.ok(submit(46)); // 4 units, 8 %
    expect(d.events.map((e) => e.type)).toEqual(['CountSubmitted']);
    expect(t.state.counts.get(C1)?.status).toBe('pending-approval');
    expect(onHand(t, L1)).toBe(50);
    expect(codeOf(t, { type: 'approveCount', countId: C1, approverId: 'counter-1' })).toBe('COUNT_SELF_APPROVAL');
    const a = t.ok({ type: 'approveCount', countId: C1, approverId: 'sup-1' });
    expect(a.events[0]).toMatchObject({ type: 'CountAdjusted', approverId: 'sup-1', adjustments: [expect.objectContaining({ qty: -4 })] });
    expect(onHand(t, L1)).toBe(46);
    expect(codeOf(t, { type: 'approveCount', countId: C1, approverId: 'sup-1' })).toBe('COUNT_NOT_PENDING');
    healthy(t);
  });

  it('[R36] a large variance is recounted blind; a recount that agrees goes to approval', () => {
    const t = floor();
    t.ok(create());
    t.ok(start());
    expect((t.ok(submit(30)).events[0] as CountSubmitted).outcome).toBe('recount');
    expect(t.state.counts.get(C1)?.status).toBe('recount');
    expect(codeOf(t, { type: 'approveCount', countId: C1, approverId: 'sup-1' })).toBe('COUNT_NOT_PENDING');
    expect(codeOf(t, submit(30))).toBe('COUNT_NOT_STARTED');
    expect(t.ok(start(C1, 'counter-2')).events[0]).toMatchObject({ attempt: 2, expected: [expect.objectContaining({ qty: 50 })] });
    expect((t.ok(submit(30, C1, 'counter-2')).events[0] as CountSubmitted).outcome).toBe('approval');
    expect(codeOf(t, { type: 'approveCount', countId: C1, approverId: 'counter-2' })).toBe('COUNT_SELF_APPROVAL');
    t.ok({ type: 'approveCount', countId: C1, approverId: 'sup-1' });
    expect(onHand(t, L1)).toBe(30);
    healthy(t);
  });

  it('[R36] a recount that disagrees stands on its own: within tolerance it is adjusted at once', () => {
    const t = floor();
    t.ok(create());
    t.ok(start());
    t.ok(submit(20));
    t.ok(start(C1, 'counter-2'));
    const d = t.ok(submit(49, C1, 'counter-2'));
    expect(d.events.map((e) => e.type)).toEqual(['CountSubmitted', 'CountAdjusted']);
    expect(onHand(t, L1)).toBe(49);
    healthy(t);
  });

  it('[R36] a count clears the bin\'s count request raised by a short pick', () => {
    const t = floor();
    pickTaskOn(t, 'O1', 5);
    t.ok({ type: 'shortPick', taskId: asTaskId('O1-T1'), operativeId: P1, foundQty: 3 });
    expect(t.state.countRequests.has(L1)).toBe(true);
    t.ok({ type: 'createCounts', reason: 'short-pick', counts: [{ countId: C1, locationId: L1 }] });
    t.ok(start());
    t.ok(submit(45));
    expect(t.state.countRequests.has(L1)).toBe(false);
    healthy(t);
  });

  it('[R37] rejection adjusts nothing and requests the bin again', () => {
    const t = floor();
    t.ok(create());
    t.ok(start());
    t.ok(submit(46));
    expect(codeOf(t, { type: 'rejectCount', countId: C1, approverId: 'sup-1', reason: ' ' })).toBe('INVALID_STATE');
    const d = t.ok({ type: 'rejectCount', countId: C1, approverId: 'sup-1', reason: 'counted the wrong bin' });
    expect(d.events.map((e) => e.type)).toEqual(['CountRejected', 'CountRequested']);
    expect(t.state.counts.get(C1)).toMatchObject({ status: 'rejected', rejectReason: 'counted the wrong bin' });
    expect(t.state.countRequests.get(L1)?.reason).toBe('count rejected');
    expect(t.state.openCountByLocation.has(L1)).toBe(false);
    expect(onHand(t, L1)).toBe(50);
    t.ok(create(C2, L1)); // the bin may be counted again
    healthy(t);
  });

  it('[R37] a loss never goes below reserved stock: the rest is deferred to the picks, which short-pick it', () => {
    const t = floor();
    pickTaskOn(t, 'O1', 40); // 40 of the 50 reserved by an open task
    t.ok(create());
    t.ok(start());
    t.ok(submit(25)); // 25 lost: recount
    t.ok(start(C1, 'counter-2'));
    t.ok(submit(25, C1, 'counter-2'));
    const d = t.ok({ type: 'approveCount', countId: C1, approverId: 'sup-1' });
    expect((d.events[0] as CountAdjusted).adjustments).toEqual([expect.objectContaining({ variance: -25, qty: -10, deferred: -15 })]);
    expect(t.state.quants.get(quantKey(L1, T1, SKU_A, ''))).toMatchObject({ onHand: 40, reserved: 40 });
    healthy(t);
    // The picker finds the 25 that are really there.
    t.ok({ type: 'shortPick', taskId: asTaskId('O1-T1'), operativeId: P1, foundQty: 25 });
    expect(onHand(t, L1)).toBe(0);
    healthy(t);
  });
});

describe('scheduling', () => {
  const skus = (weights: number[]): Sku[] => weights.map((w, i) => ({ ...(TEST_SITE.skus[0] as Sku), id: asSkuId(`S${i}`), demandWeight: w }));

  it('[R38] ABC classes by cumulative demand share', () => {
    const classes = abcClasses(skus([50, 30, 10, 5, 3, 2]));
    expect([...classes.values()]).toEqual(['A', 'A', 'B', 'B', 'C', 'C']);
  });

  it('[R38] requested bins first, then never-counted bins A before C; capacity caps the plan', () => {
    const t = floor();
    pickTaskOn(t, 'O1', 5);
    t.ok({ type: 'shortPick', taskId: asTaskId('O1-T1'), operativeId: P1, foundQty: 5 - 1 });
    const plan = planCycleCounts(t.state, { date: '2026-11-28', dailyCapacity: 2 });
    expect(plan.map((e) => [e.locationId, e.reason])).toEqual([
      [L1, 'short-pick'],
      [L2, 'scheduled'],
    ]);
    expect(planCycleCounts(t.state, { date: '2026-11-28', dailyCapacity: 10 }).map((e) => e.locationId)).toEqual([L1, L2, L3]);
    expect(() => planCycleCounts(t.state, { date: '28/11/2026', dailyCapacity: 1 })).toThrow(RangeError);
  });

  it('[R38] over a year, A bins are counted about monthly, B quarterly, C yearly', () => {
    const site = { ...TEST_SITE, skus: [{ ...(TEST_SITE.skus[0] as Sku), demandWeight: 85 }, { ...(TEST_SITE.skus[3] as Sku), demandWeight: 10 }, { ...(TEST_SITE.skus[1] as Sku), demandWeight: 4 }, ...TEST_SITE.skus.slice(2, 3)] };
    const t = newTwin(site);
    t.ok({ type: 'receiveStock', tenantId: T1, locationId: L1, skuId: SKU_A, qty: 10 });
    t.ok({ type: 'receiveStock', tenantId: T1, locationId: L2, skuId: SKU_D, qty: 10 });
    t.ok({ type: 'receiveStock', tenantId: T1, locationId: L3, skuId: SKU_B, qty: 10, lot: 'X', expiry: '2028-01-01' });
    const counted = new Map<string, number>();
    const day0 = Date.UTC(2027, 0, 1);
    for (let day = 0; day < 365; day++) {
      t.now = epochMs(day0 + day * 86_400_000 + 3_600_000);
      const date = new Date(day0 + day * 86_400_000).toISOString().slice(0, 10);
      for (const [i, entry] of planCycleCounts(t.state, { date, dailyCapacity: 5 }).entries()) {
        const countId = asCountId(`D${day}-${i}`);
        t.ok({ type: 'createCounts', reason: entry.reason, counts: [{ countId, locationId: entry.locationId }] });
        t.ok({ type: 'startCount', countId, counterId: 'c' });
        const lines = [...(t.state.quantsByLocation.get(entry.locationId) ?? [])].map((k) => {
          const q = t.state.quants.get(k);
          return { skuId: q!.skuId, qty: q!.onHand, ...(q!.lot === '' ? {} : { lot: q!.lot }) };
        });
        t.ok({ type: 'submitCount', countId, counterId: 'c', lines });
        counted.set(entry.locationId, (counted.get(entry.locationId) ?? 0) + 1);
      }
    }
    expect(DEFAULT_INTERVAL_DAYS).toEqual({ A: 30, B: 90, C: 365 });
    expect(counted.get(L1)).toBe(Math.ceil(365 / 30));
    expect(counted.get(L2)).toBe(Math.ceil(365 / 90));
    expect(counted.get(L3)).toBe(1);
    // Closed counts older than the retention have left the twin; the history that scheduling needs has not.
    expect(t.state.counts.size).toBeLessThanOrEqual(2);
    expect(t.state.countHistory.get(L1)).toMatchObject({ discrepancies: 0 });
    const restored = fromSnapshotData(site, JSON.parse(JSON.stringify(toSnapshotData(t.state))) as ReturnType<typeof toSnapshotData>);
    expect(toSnapshotData(restored)).toEqual(toSnapshotData(t.state));
    expect(restored.closedCounts).toEqual(t.state.closedCounts);
    healthy(t);
  });
});
