/** KpiAccumulator and cutoffStatus: hourly buckets, picker-hours, lead time percentiles, scans, cut-off classes. */
import { describe, expect, it } from 'vitest';
import { CUTOFF_AT_RISK_MS, KPI_BUCKET_MS, KPI_BUCKETS, type CutoffStatusView } from '../protocol/kpis.ts';
import type { DurableEvent, SequencedEvent } from './events.ts';
import { asOperativeId, asOrderId, asTaskId, asTenantId, asSkuId, asLocationId, epochMs, type EpochMs } from './ids.ts';
import { cutoffStatus, KpiAccumulator, median, percentile } from './kpis.ts';
import type { OrderState, OrderStatus, TwinState } from './state.ts';

const H = KPI_BUCKET_MS;
const MIN = 60_000;
/** 2026-11-27 08:00 UTC. */
const T0 = Date.UTC(2026, 10, 27, 8);
const t = (ms: number): EpochMs => epochMs(T0 + ms);
const NO_CUTOFF: CutoffStatusView = { onTime: 0, late: 0, overdue: 0, atRisk: 0, open: 0, urgent: [] };

/** Events numbered 1, 2, 3, … in the order given. */
function sequenced(events: readonly DurableEvent[], firstSeq = 1): SequencedEvent[] {
  return events.map((event, i) => ({ seq: firstSeq + i, event }));
}

const created = (id: string, at: number): DurableEvent => ({
  type: 'OrderCreated',
  at: t(at),
  orderId: asOrderId(id),
  tenantId: asTenantId('T'),
  externalRef: null,
  lines: [],
  priority: 0,
});
const picked = (id: string, at: number): DurableEvent => ({ type: 'OrderPicked', at: t(at), orderId: asOrderId(id) });
const despatched = (id: string, at: number): DurableEvent => ({ type: 'OrderDespatched', at: t(at), orderId: asOrderId(id), carrier: null, trackingNumber: null });
const cancelled = (id: string, at: number): DurableEvent => ({
  type: 'OrderCancelled',
  at: t(at),
  orderId: asOrderId(id),
  reason: 'test',
  releases: [],
  cancelledTaskIds: [],
  lineChanges: [],
});
const pick = (op: string, at: number): DurableEvent => ({
  type: 'PickConfirmed',
  at: t(at),
  taskId: asTaskId(`task-${at}`),
  orderId: asOrderId('O'),
  operativeId: asOperativeId(op),
  locationId: asLocationId('A-01-01'),
  qty: 1,
  tenantId: asTenantId('T'),
  skuId: asSkuId('S'),
  lot: '',
  expiry: null,
});
const short = (op: string, at: number): DurableEvent => ({
  type: 'PickShorted',
  at: t(at),
  taskId: asTaskId(`short-${at}`),
  orderId: asOrderId('O'),
  operativeId: asOperativeId(op),
  locationId: asLocationId('A-01-01'),
  pickedQty: 0,
  shortQty: 1,
  tenantId: asTenantId('T'),
  skuId: asSkuId('S'),
  lot: '',
  expiry: null,
});
const signOn = (op: string, at: number): DurableEvent => ({ type: 'OperativeSignedOn', at: t(at), operativeId: asOperativeId(op), name: op });
const signOff = (op: string, at: number): DurableEvent => ({ type: 'OperativeSignedOff', at: t(at), operativeId: asOperativeId(op), unassignedTaskIds: [] });

describe('median and percentile', () => {
  it('median averages the two middle values of an even count; p90 is nearest-rank', () => {
    expect(median([])).toBeNull();
    expect(median([3])).toBe(3);
    expect(median([1, 2, 3, 10])).toBe(2.5);
    expect(percentile([], 0.9)).toBeNull();
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
    expect(percentile([5], 0.9)).toBe(5);
  });
});

describe('KpiAccumulator', () => {
  it('buckets orders received, picked and despatched by hour of twin time', () => {
    const kpis = new KpiAccumulator('s');
    kpis.addEvents(sequenced([created('A', 5 * MIN), created('B', 50 * MIN), picked('A', 70 * MIN), despatched('A', 80 * MIN), created('C', 90 * MIN)]));
    const view = kpis.view(t(100 * MIN), NO_CUTOFF);
    expect(view.hours).toHaveLength(KPI_BUCKETS);
    const [previous, current] = view.hours.slice(-2);
    expect(previous).toMatchObject({ hourStart: T0, ordersReceived: 2, ordersPicked: 0, ordersDespatched: 0 });
    expect(current).toMatchObject({ hourStart: T0 + H, ordersReceived: 1, ordersPicked: 1, ordersDespatched: 1 });
    expect(view.totals).toMatchObject({ ordersReceived: 3, ordersPicked: 1, ordersDespatched: 1 });
    expect(view.seq).toBe(5);
    expect(view.countingSince).toBe(T0 + 5 * MIN);
    // Hours are consecutive, oldest first, ending with the hour of now.
    expect(view.hours[0]!.hourStart).toBe(T0 + H - (KPI_BUCKETS - 1) * H);
  });

  it('ignores events whose seq was counted already (a replay overlapping the live stream)', () => {
    const kpis = new KpiAccumulator('s');
    const events = sequenced([created('A', 0), created('B', MIN)]);
    kpis.addEvents(events);
    kpis.addEvents(events);
    kpis.addEvents(sequenced([created('C', 2 * MIN)], 3));
    expect(kpis.view(t(3 * MIN), NO_CUTOFF).totals.ordersReceived).toBe(3);
    expect(kpis.lastSeq).toBe(3);
  });

  it('lead time runs from OrderCreated to OrderDespatched: median and p90 per hour and over the window', () => {
    const kpis = new KpiAccumulator('s');
    const events: DurableEvent[] = [];
    // Ten orders created at 0, despatched after 1..10 minutes.
    for (let i = 1; i <= 10; i++) events.push(created(`O${i}`, 0));
    for (let i = 1; i <= 10; i++) events.push(despatched(`O${i}`, i * MIN));
    // A cancelled order and one created before counting started have no lead time.
    events.push(created('X', 20 * MIN), cancelled('X', 21 * MIN), despatched('UNKNOWN', 22 * MIN));
    kpis.addEvents(sequenced(events));
    const view = kpis.view(t(30 * MIN), NO_CUTOFF);
    const hour = view.hours.at(-1)!;
    expect(hour.ordersDespatched).toBe(11);
    expect(hour.leadTimeMedianMs).toBe(5.5 * MIN);
    expect(hour.leadTimeP90Ms).toBe(9 * MIN);
    expect(view.totals.leadTimeMedianMs).toBe(5.5 * MIN);
    expect(kpis.openOrders).toBe(0);
  });

  it('picks per picker-hour: picks (confirmed and shorted) over signed-on time within each hour', () => {
    const kpis = new KpiAccumulator('s');
    kpis.addEvents(
      sequenced([
        signOn('P1', 30 * MIN), // 30 min in hour 0, then all of hour 1
        signOn('P2', 0),
        pick('P1', 40 * MIN),
        pick('P2', 45 * MIN),
        short('P2', 50 * MIN),
        signOff('P2', H + 15 * MIN), // 60 min in hour 0, 15 min in hour 1
        pick('P1', H + 20 * MIN),
      ]),
    );
    const view = kpis.view(t(2 * H), NO_CUTOFF); // the hour of now (hour 2) has just begun
    const [h0, h1, h2] = view.hours.slice(-3);
    expect(h0).toMatchObject({ picks: 3, pickerHours: 1.5, picksPerPickerHour: 2 });
    expect(h1).toMatchObject({ picks: 1, pickerHours: 1.25, picksPerPickerHour: 0.8 });
    expect(h2).toMatchObject({ picks: 0, pickerHours: 0, picksPerPickerHour: null });
    expect(view.totals).toMatchObject({ picks: 4, pickerHours: 2.75 });
    // Mid-hour, a signed-on operative counts up to now only.
    expect(kpis.view(t(H + 30 * MIN), NO_CUTOFF).hours.at(-1)!.pickerHours).toBe(0.75);
  });

  it('seeding from the twin keeps open orders\' creation time and counts signed-on operatives from the seed time', () => {
    const state = {
      seq: 41,
      orders: new Map([
        [asOrderId('OPEN'), { id: asOrderId('OPEN'), status: 'released', createdAt: t(0) }],
        [asOrderId('DONE'), { id: asOrderId('DONE'), status: 'despatched', createdAt: t(0) }],
      ]),
      operatives: new Map([[asOperativeId('P1'), {}]]),
    } as unknown as TwinState;
    const kpis = new KpiAccumulator('s');
    kpis.seed(state, t(10 * MIN));
    // Seq 41 is in the seeded state already; OLD was created before counting started (no lead time).
    kpis.addEvents(sequenced([created('IGNORED', 20 * MIN), despatched('OPEN', 40 * MIN), despatched('OLD', 40 * MIN)], 41));
    const view = kpis.view(t(40 * MIN), NO_CUTOFF);
    expect(view.seq).toBe(43);
    expect(view.countingSince).toBe(T0 + 10 * MIN);
    expect(view.totals).toMatchObject({ ordersReceived: 0, ordersDespatched: 2, leadTimeMedianMs: 40 * MIN, leadTimeP90Ms: 40 * MIN });
    expect(view.hours.at(-1)!.pickerHours).toBe(0.5);
  });

  it('records scan accuracy per hour', () => {
    const kpis = new KpiAccumulator('s');
    for (let i = 0; i < 9; i++) kpis.recordScan(t(i * MIN), true);
    kpis.recordScan(t(10 * MIN), false);
    kpis.recordScan(t(H), false);
    const view = kpis.view(t(H + MIN), NO_CUTOFF);
    expect(view.hours.at(-2)).toMatchObject({ scansAccepted: 9, scansRefused: 1, accuracy: 0.9 });
    expect(view.hours.at(-1)).toMatchObject({ scansAccepted: 0, scansRefused: 1, accuracy: 0 });
    expect(view.totals.accuracy).toBeCloseTo(9 / 11);
    expect(view.hours.at(-3)!.accuracy).toBeNull();
  });

  it('keeps only the last 24 hours', () => {
    const kpis = new KpiAccumulator('s');
    kpis.addEvents(sequenced([created('A', 0), created('B', 30 * H)]));
    // An event older than the window of the latest one is not counted.
    kpis.addEvents(sequenced([created('C', MIN)], 3));
    const view = kpis.view(t(30 * H), NO_CUTOFF);
    expect(view.totals.ordersReceived).toBe(1);
    // A view long after the last event shows empty hours.
    expect(kpis.view(t(60 * H), NO_CUTOFF).totals.ordersReceived).toBe(0);
  });

  it('picker time of a long shift is clipped to the window', () => {
    const kpis = new KpiAccumulator('s');
    kpis.addEvents(sequenced([signOn('P1', 0), signOff('P1', 48 * H)]));
    expect(kpis.view(t(48 * H), NO_CUTOFF).totals.pickerHours).toBe(KPI_BUCKETS - 1);
  });
});

describe('cutoffStatus', () => {
  const order = (id: string, status: OrderStatus, dueAt: number | null, despatchedAt: number | null = null): OrderState =>
    ({ id: asOrderId(id), status, dueAt: dueAt === null ? null : t(dueAt), despatchedAt: despatchedAt === null ? null : t(despatchedAt) }) as OrderState;
  const stateOf = (orders: OrderState[]): TwinState => ({ orders: new Map(orders.map((o) => [o.id, o])) }) as unknown as TwinState;

  it('classes orders with a cut-off: on time, late (and overdue), at risk within 30 min, open', () => {
    const now = t(10 * H);
    const status = cutoffStatus(
      stateOf([
        order('NODUE', 'released', null),
        order('CANCELLED', 'cancelled', 9 * H),
        order('ONTIME', 'despatched', 10 * H, 9 * H),
        order('LATE', 'despatched', 9 * H, 9 * H + MIN),
        order('OLD', 'despatched', 10 * H - 30 * H, 0), // cut-off before the window: not counted
        order('OVERDUE', 'picked', 10 * H - MIN),
        order('RISK2', 'released', 10 * H + CUTOFF_AT_RISK_MS),
        order('RISK1', 'open', 10 * H + MIN),
        order('LATER', 'allocated', 10 * H + CUTOFF_AT_RISK_MS + 1),
      ]),
      now,
    );
    expect(status).toEqual({
      onTime: 1,
      late: 2,
      overdue: 1,
      atRisk: 2,
      open: 1,
      urgent: [
        { orderId: 'OVERDUE', dueAt: T0 + 10 * H - MIN },
        { orderId: 'RISK1', dueAt: T0 + 10 * H + MIN },
        { orderId: 'RISK2', dueAt: T0 + 10 * H + CUTOFF_AT_RISK_MS },
      ],
    });
  });

  it('lists at most 10 urgent orders, earliest first', () => {
    const orders = Array.from({ length: 15 }, (_, i) => order(`O${String(14 - i).padStart(2, '0')}`, 'released', H + (14 - i) * MIN));
    const status = cutoffStatus(stateOf(orders), t(H));
    expect(status.atRisk).toBe(15);
    expect(status.urgent.map((u) => u.orderId)).toEqual(['O00', 'O01', 'O02', 'O03', 'O04', 'O05', 'O06', 'O07', 'O08', 'O09']);
  });
});
