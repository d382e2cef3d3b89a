/**
 * Analytics facts from committed events: pure mapping, no I/O. One fact per event that counts, keyed by its seq, so
 * writing the facts of a replayed event again changes nothing. Times are twin time (`EpochMs`).
 *
 * - `OrderCreated` → order fact 'received' (tenant, cut-off); `OrderPicked` → 'picked'; `OrderCancelled` → 'cancelled';
 *   `OrderDespatched` → 'despatched' with the lead time (created → despatched) and on time (despatched at or before
 *   the carrier cut-off `dueAt`, when the order has one).
 * - `PickConfirmed` / `PickShorted` → pick fact (tenant, operative, units, shorted).
 * - `OperativeSignedOn` / `OperativeSignedOff` → the start / end of a signed-on interval (labour).
 * Events that name an order but not its tenant need the order's creation: from the {@link OrderIndex}, which the
 * caller fills from storage for orders created before it started (see {@link ordersToResolve}).
 */
import type { DurableEvent, SequencedEvent } from '../twin/events.ts';
import type { OrderId } from '../twin/ids.ts';

/** What analytics keeps of an order between its creation and its despatch or cancellation. */
export interface OrderInfo {
  readonly tenantId: string;
  /** Twin time the order was created, ms. */
  readonly createdAt: number;
  /** Carrier cut-off, ms; null for none. */
  readonly dueAt: number | null;
}

/** Open orders by id (an order leaves at despatch or cancellation). */
export type OrderIndex = Map<string, OrderInfo>;

export type OrderFactKind = 'received' | 'picked' | 'despatched' | 'cancelled';

export interface OrderFact {
  readonly seq: number;
  readonly at: number;
  readonly kind: OrderFactKind;
  readonly tenantId: string;
  readonly orderId: string;
  /** despatched: created → despatched, ms. */
  readonly leadTimeMs: number | null;
  readonly dueAt: number | null;
  /** despatched with a cut-off: at ≤ dueAt; otherwise null. */
  readonly onTime: boolean | null;
  readonly carrier: string | null;
}

export interface PickFact {
  readonly seq: number;
  readonly at: number;
  readonly tenantId: string;
  readonly orderId: string;
  readonly operativeId: string;
  /** Units picked. */
  readonly qty: number;
  /** Units not found (PickShorted). */
  readonly shortQty: number;
  readonly shorted: boolean;
}

/** Start (`on`) or end (`off`) of an operative's signed-on interval. */
export interface LabourFact {
  readonly seq: number;
  readonly at: number;
  readonly kind: 'on' | 'off';
  readonly operativeId: string;
}

/** Facts of a run of consecutive committed events. */
export interface FactBatch {
  readonly orders: OrderFact[];
  readonly picks: PickFact[];
  readonly labour: LabourFact[];
  /** Events naming an order whose creation is unknown (not attributable to a tenant): counted, not recorded. */
  readonly unattributed: number;
  /** Seq and twin time of the last event of the run; null for an empty run. */
  readonly lastSeq: number | null;
  readonly lastAt: number | null;
}

/** The order an event refers to when it does not carry the tenant itself; null otherwise. */
function orderReferenced(event: DurableEvent): OrderId | null {
  return event.type === 'OrderPicked' || event.type === 'OrderDespatched' || event.type === 'OrderCancelled' ? event.orderId : null;
}

/** Orders the events refer to that neither `index` nor an earlier event of the run creates: look them up first. */
export function ordersToResolve(events: readonly SequencedEvent[], index: ReadonlyMap<string, OrderInfo>): string[] {
  const created = new Set<string>();
  const missing = new Set<string>();
  for (const { event } of events) {
    if (event.type === 'OrderCreated') created.add(event.orderId);
    const id = orderReferenced(event);
    if (id !== null && !created.has(id) && !index.has(id)) missing.add(id);
  }
  return [...missing];
}

/**
 * Maps committed events (ascending seq) to facts, keeping `index` current: creations are added, despatched and
 * cancelled orders removed. Deterministic: the same events and index give the same facts.
 */
export function factsOf(events: readonly SequencedEvent[], index: OrderIndex): FactBatch {
  const batch: { -readonly [K in keyof FactBatch]: FactBatch[K] } = { orders: [], picks: [], labour: [], unattributed: 0, lastSeq: null, lastAt: null };
  const order = (seq: number, at: number, kind: OrderFactKind, orderId: string, info: OrderInfo, extra: Partial<OrderFact> = {}): void => {
    batch.orders.push({ seq, at, kind, tenantId: info.tenantId, orderId, leadTimeMs: null, dueAt: info.dueAt, onTime: null, carrier: null, ...extra });
  };
  for (const { seq, event } of events) {
    const at: number = event.at;
    // An if-chain, not a switch: every other event type (present or future) makes no fact.
    if (event.type === 'OrderCreated') {
      const info: OrderInfo = { tenantId: event.tenantId, createdAt: at, dueAt: event.dueAt ?? null };
      index.set(event.orderId, info);
      order(seq, at, 'received', event.orderId, info);
    } else if (event.type === 'OrderPicked' || event.type === 'OrderCancelled' || event.type === 'OrderDespatched') {
      const info = index.get(event.orderId);
      if (event.type !== 'OrderPicked') index.delete(event.orderId);
      if (info === undefined) batch.unattributed++;
      else if (event.type === 'OrderPicked') order(seq, at, 'picked', event.orderId, info);
      else if (event.type === 'OrderCancelled') order(seq, at, 'cancelled', event.orderId, info);
      else {
        order(seq, at, 'despatched', event.orderId, info, {
          leadTimeMs: Math.max(0, at - info.createdAt),
          onTime: info.dueAt === null ? null : at <= info.dueAt,
          carrier: event.carrier,
        });
      }
    } else if (event.type === 'PickConfirmed') {
      batch.picks.push({ seq, at, tenantId: event.tenantId, orderId: event.orderId, operativeId: event.operativeId, qty: event.qty, shortQty: 0, shorted: false });
    } else if (event.type === 'PickShorted') {
      batch.picks.push({ seq, at, tenantId: event.tenantId, orderId: event.orderId, operativeId: event.operativeId, qty: event.pickedQty, shortQty: event.shortQty, shorted: true });
    } else if (event.type === 'OperativeSignedOn' || event.type === 'OperativeSignedOff') {
      batch.labour.push({ seq, at, kind: event.type === 'OperativeSignedOn' ? 'on' : 'off', operativeId: event.operativeId });
    }
    batch.lastSeq = seq;
    batch.lastAt = at;
  }
  return batch;
}
