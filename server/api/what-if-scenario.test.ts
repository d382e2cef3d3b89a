import { describe, expect, it } from 'vitest';
import { SCENARIO_DEFAULTS } from '../../simulations/scenario/defaults.ts';
import { asOperativeId, asOrderId, epochMs } from '../twin/ids.ts';
import { newTwin, SKU_A, SKU_D, T0, T1, TEST_SITE, type TestTwin } from '../twin/test-site.ts';
import { toSnapshotData } from '../twin/twin.ts';
import { cutoffsOf, defaultHours, FALLBACK_HOURS, liveLineRate, planWhatIf } from './what-if-scenario.ts';

const HOUR = 3_600_000;

/** An order of `lines` lines created at `at` (twin time), optionally due at `dueAt`. */
function order(t: TestTwin, id: string, at: number, lines: 1 | 2, dueAt?: number): void {
  t.now = epochMs(at);
  const skus = [SKU_A, SKU_D].slice(0, lines);
  t.ok({ type: 'createOrder', orderId: asOrderId(id), tenantId: T1, lines: skus.map((skuId) => ({ skuId, qty: 1 })), ...(dueAt === undefined ? {} : { dueAt: epochMs(dueAt) }) });
}

describe('what-if scenario from a fork', () => {
  it('measures the live rate over the last hour, else over all orders, else 0', () => {
    const t = newTwin();
    expect(liveLineRate(toSnapshotData(t.state))).toEqual({ linesPerHour: 0, from: 'none' });
    order(t, 'O1', T0, 2);
    order(t, 'O2', T0 + 10 * 60_000, 1);
    t.now = epochMs(T0 + 30 * 60_000);
    t.ok({ type: 'signOn', operativeId: asOperativeId('P1'), name: 'P1' });
    expect(liveLineRate(toSnapshotData(t.state))).toEqual({ linesPerHour: 3, from: 'last-hour' });
    // Four hours later nothing is recent: 3 lines over the 4 h 20 min since the first order.
    t.now = epochMs(T0 + 4 * HOUR + 20 * 60_000);
    t.ok({ type: 'signOn', operativeId: asOperativeId('P2'), name: 'P2' });
    const rate = liveLineRate(toSnapshotData(t.state));
    expect(rate.from).toBe('all-orders');
    expect(rate.linesPerHour).toBeCloseTo(3 / (4 + 20 / 60), 9);
  });

  it("takes the open orders' cut-offs, else 17:00, and runs until the last one or 8 h", () => {
    const t = newTwin();
    expect(cutoffsOf(toSnapshotData(t.state))).toEqual(['17:00']);
    order(t, 'O1', T0, 1, Date.UTC(2026, 10, 27, 15, 30));
    order(t, 'O2', T0, 1, Date.UTC(2026, 10, 27, 12, 0));
    order(t, 'O3', T0, 1, Date.UTC(2026, 10, 28, 12, 0));
    expect(cutoffsOf(toSnapshotData(t.state))).toEqual(['12:00', '15:30']);
    // T0 is 06:00: 9.5 h to 15:30; past 15:30 the fallback.
    expect(defaultHours(T0, ['12:00', '15:30'])).toBe(9.5);
    expect(defaultHours(Date.UTC(2026, 10, 27, 16), ['12:00', '15:30'])).toBe(FALLBACK_HOURS);
  });

  it('builds the baseline as things stand and the what-if with the changes, from the same fork and seed', () => {
    const t = newTwin();
    order(t, 'O1', T0, 2);
    for (const id of ['P1', 'P2', 'P3']) t.ok({ type: 'signOn', operativeId: asOperativeId(id), name: id });
    const snapshot = toSnapshotData(t.state);
    const plan = planWhatIf(TEST_SITE, snapshot, { hours: 2, orderMultiplier: 1.4, pickerDelta: -5, routing: 's-shape' });
    expect(plan).toMatchObject({ hours: 2, pickersNow: 3, pickers: 0, seed: snapshot.seq, fromSeq: snapshot.seq, linesPerHour: 2 });
    const { baseline, whatIf } = plan;
    expect(baseline.start).toEqual({ kind: 'state', snapshot });
    expect(whatIf.start).toEqual(baseline.start);
    expect(whatIf.site).toEqual({ kind: 'definition', definition: TEST_SITE });
    expect([baseline.seed, baseline.startAt, baseline.durationHours]).toEqual([whatIf.seed, whatIf.startAt, whatIf.durationHours]);
    expect(baseline.startAt).toBe(new Date(snapshot.now).toISOString());
    expect([baseline.demand.multiplier, whatIf.demand.multiplier]).toEqual([1, 1.4]);
    expect(baseline.demand.lines).toBe(4);
    expect(whatIf.demand.linesPerOrder).toEqual({ kind: 'history' });
    expect([baseline.labour.shifts[0]?.pickers, whatIf.labour.shifts[0]?.pickers]).toEqual([3, 0]);
    expect([baseline.policies.routing, whatIf.policies.routing]).toEqual(['best', 's-shape']);
    expect(whatIf.stations.cutoffs).toEqual([{ carrier: 'cutoff-17:00', at: '17:00' }]);
    expect(whatIf.labour.pickSecondsPerLine).toBe(SCENARIO_DEFAULTS.labour.pickSecondsPerLine);
  });

  it('falls back to the default order shapes when there is no history to fit', () => {
    const plan = planWhatIf(TEST_SITE, toSnapshotData(newTwin().state), { orderMultiplier: 2, pickerDelta: 4, seed: 7 });
    expect(plan.whatIf.demand).toMatchObject({ lines: 0, linesPerOrder: SCENARIO_DEFAULTS.demand.linesPerOrder, skuPopularity: { kind: 'site' } });
    expect(plan).toMatchObject({ seed: 7, pickers: 4, hours: 11, rateFrom: 'none' });
  });
});
