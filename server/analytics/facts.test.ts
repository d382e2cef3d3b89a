/** Analytics facts from committed events (pure) and the UTC bucket grid. */
import { describe, expect, it } from 'vitest';
import type { DurableEvent, SequencedEvent } from '../twin/events.ts';
import { asLocationId, asOperativeId, asOrderId, asSkuId, asTaskId, asTenantId, epochMs } from '../twin/ids.ts';
import { bucketCount, bucketStart, bucketStarts, nextBucket, overlapPerBucket } from './buckets.ts';
import { factsOf, ordersToResolve, type OrderIndex } from './facts.ts';

const MIN = 60_000;
const H = 60 * MIN;
const T0 = Date.UTC(2026, 10, 27, 8);
const sequenced = (events: readonly DurableEvent[], first = 1): SequencedEvent[] => events.map((event, i) => ({ seq: first + i, event }));

const created = (id: string, tenant: string, at: number, dueAt?: number): DurableEvent => ({
  type: 'OrderCreated',
  at: epochMs(T0 + at),
  orderId: asOrderId(id),
  tenantId: asTenantId(tenant),
  externalRef: null,
  lines: [],
  priority: 0,
  ...(dueAt === undefined ? {} : { dueAt: epochMs(T0 + dueAt) }),
});
const despatched = (id: string, at: number): DurableEvent => ({ type: 'OrderDespatched', at: epochMs(T0 + at), orderId: asOrderId(id), carrier: 'c', trackingNumber: null });
const short = (at: number): DurableEvent => ({
  type: 'PickShorted',
  at: epochMs(T0 + at),
  taskId: asTaskId('t'),
  orderId: asOrderId('A'),
  operativeId: asOperativeId('P'),
  locationId: asLocationId('L'),
  pickedQty: 1,
  shortQty: 2,
  tenantId: asTenantId('acme'),
  skuId: asSkuId('S'),
  lot: '',
  expiry: null,
});

describe('factsOf', () => {
  it('despatch facts carry the lead time from creation and on-time against the cut-off', () => {
    const index: OrderIndex = new Map();
    const batch = factsOf(sequenced([created('A', 'acme', 0, 60 * MIN), created('B', 'bloom', 0, 30 * MIN), despatched('A', 60 * MIN), despatched('B', 31 * MIN)]), index);
    expect(batch.orders.filter((f) => f.kind === 'despatched')).toEqual([
      { seq: 3, at: T0 + H, kind: 'despatched', tenantId: 'acme', orderId: 'A', leadTimeMs: H, dueAt: T0 + H, onTime: true, carrier: 'c' },
      { seq: 4, at: T0 + 31 * MIN, kind: 'despatched', tenantId: 'bloom', orderId: 'B', leadTimeMs: 31 * MIN, dueAt: T0 + 30 * MIN, onTime: false, carrier: 'c' },
    ]);
    // Despatched orders leave the index; the run's last event is the cursor.
    expect(index.size).toBe(0);
    expect([batch.lastSeq, batch.lastAt]).toEqual([4, T0 + 31 * MIN]);
  });

  it('an order created before the run is looked up first; one never found is counted, not recorded', () => {
    const events = sequenced([created('N', 'acme', 0), despatched('N', MIN), despatched('OLD', 2 * MIN), despatched('GONE', 3 * MIN)]);
    const index: OrderIndex = new Map();
    expect(ordersToResolve(events, index)).toEqual(['OLD', 'GONE']);
    index.set('OLD', { tenantId: 'bloom', createdAt: T0 - H, dueAt: null });
    const batch = factsOf(events, index);
    expect(batch.orders.map((f) => [f.orderId, f.kind, f.tenantId, f.leadTimeMs, f.onTime])).toEqual([
      ['N', 'received', 'acme', null, null],
      ['N', 'despatched', 'acme', MIN, null],
      ['OLD', 'despatched', 'bloom', H + 2 * MIN, null],
    ]);
    expect(batch.unattributed).toBe(1);
  });

  it('a short pick records the units found and not found; the same events give the same facts', () => {
    const events = sequenced([short(5 * MIN)], 7);
    const first = factsOf(events, new Map());
    expect(first.picks).toEqual([{ seq: 7, at: T0 + 5 * MIN, tenantId: 'acme', orderId: 'A', operativeId: 'P', qty: 1, shortQty: 2, shorted: true }]);
    expect(factsOf(events, new Map())).toEqual(first);
  });
});

describe('buckets (UTC grid)', () => {
  it('hour, day, week from Monday, calendar month', () => {
    const t = Date.UTC(2026, 10, 27, 9, 59, 59, 999);
    expect(bucketStart('hour', t)).toBe(Date.UTC(2026, 10, 27, 9));
    expect(bucketStart('hour', Date.UTC(2026, 10, 27, 10))).toBe(Date.UTC(2026, 10, 27, 10));
    expect(bucketStart('day', t)).toBe(Date.UTC(2026, 10, 27));
    expect(bucketStart('week', t)).toBe(Date.UTC(2026, 10, 23));
    expect(new Date(bucketStart('week', t)).getUTCDay()).toBe(1);
    expect(bucketStart('week', Date.UTC(2026, 10, 23))).toBe(Date.UTC(2026, 10, 23));
    expect(bucketStart('month', t)).toBe(Date.UTC(2026, 10, 1));
    expect(nextBucket('month', Date.UTC(2026, 11, 1))).toBe(Date.UTC(2027, 0, 1));
    expect(bucketStarts('month', Date.UTC(2026, 0, 31), Date.UTC(2026, 2, 1))).toEqual([Date.UTC(2026, 0, 1), Date.UTC(2026, 1, 1)]);
    expect(bucketCount('hour', 0, 10 * H, 5)).toBe(6);
  });

  it('overlap per bucket splits intervals at bucket edges and clips them to [from, to)', () => {
    const overlap = overlapPerBucket('hour', T0, T0 + 2 * H, [
      { start: T0 - H, end: T0 + 30 * MIN },
      { start: T0 + 45 * MIN, end: T0 + 3 * H },
    ]);
    expect([...overlap]).toEqual([
      [T0, 30 * MIN + 15 * MIN],
      [T0 + H, H],
    ]);
  });
});
