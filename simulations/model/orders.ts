/**
 * Orders of a run (SPEC M2, M7, M8, M9): arrivals from the demand model, the carrier and cut-off each order is due on,
 * allocation, release by policy, and the refill of orders waiting for stock.
 */
import type { OrderId, SkuId, TenantId } from '../../server/twin/ids.ts';
import { asOrderId, epochMs } from '../../server/twin/ids.ts';
import { skuKey } from '../../server/twin/keys.ts';
import { MAX_WAVE_ORDERS } from '../../server/twin/order-lifecycle.ts';
import type { DemandModel, OrderDraft } from '../scenario/demand.ts';
import { nextTimeOfDay } from '../scenario/time-of-day.ts';
import type { CarrierCutoff, ReleasePolicy } from '../scenario/types.ts';
import type { ModelContext } from './context.ts';

/** What the model knows of an order it looks after (arrived during the run, or in the start state's backlog). */
export interface ModelOrder {
  readonly id: OrderId;
  readonly arrivedAt: number;
  readonly lines: number;
  readonly carrier: string;
  /** The truck it is due on (M7); null without cut-offs. */
  readonly dueAt: number | null;
  packQueued: boolean;
  despatchedByCutoff: boolean;
}

/** The run's orders, in the order the model took them on. */
export class OrderBook {
  readonly orders = new Map<OrderId, ModelOrder>();
  /** Called when tasks were released for pickers to take. */
  onReleased: () => void = () => undefined;
  private cutoffTurn = 0;
  private readonly waveQueue: OrderId[] = [];
  private waves = 0;
  private arrivals = 0;
  /** Orders waiting for stock of each (tenant, SKU), oldest first (M8). */
  private readonly awaiting = new Map<string, OrderId[]>();

  constructor(
    private readonly ctx: ModelContext,
    private readonly cutoffs: readonly CarrierCutoff[],
    private readonly releasePolicy: ReleasePolicy,
    /** Prefix of the ids the run gives orders and waves. */
    private readonly prefix: string,
  ) {}

  /** Takes an order on: its cut-off entry round-robin and its due time (M7), counted as arrived (M9 for the backlog). */
  track(id: OrderId, arrivedAt: number, lines: number, dueAt: number | null): ModelOrder {
    const entry = this.cutoffs[this.cutoffTurn++ % Math.max(1, this.cutoffs.length)];
    const order: ModelOrder = {
      id,
      arrivedAt,
      lines,
      carrier: entry?.carrier ?? 'SIM',
      dueAt: entry === undefined ? null : (dueAt ?? nextTimeOfDay(arrivedAt + 1, entry.at)),
      packQueued: false,
      despatchedByCutoff: false,
    };
    this.orders.set(id, order);
    this.ctx.metrics.orderArrived(epochMs(Math.max(arrivedAt, this.ctx.startAt)), lines);
    return order;
  }

  /** Schedules the arrivals of `demand` over the run, each on its own stream (M1, M2). */
  startArrivals(demand: DemandModel): void {
    const { sim, endAt } = this.ctx;
    const arrivalRng = sim.stream('order-arrivals');
    const contentRng = sim.stream('order-contents');
    const arrive = (): void => {
      const at = sim.now();
      const next = demand.nextArrivalAfter(epochMs(at), arrivalRng);
      if (next !== null && next < endAt) sim.schedule(next, arrive);
      this.arrive(at, demand.drawOrder(contentRng));
    };
    const first = demand.nextArrivalAfter(epochMs(this.ctx.startAt), arrivalRng);
    if (first !== null && first < endAt) sim.schedule(first, arrive);
  }

  /** Allocates an order (partial, M2) and notes which SKUs it still waits for; true when something was allocated. */
  allocate(id: OrderId): boolean {
    const ok = this.ctx.send({ type: 'allocateOrder', orderId: id, policy: 'partial' });
    const o = this.ctx.state.orders.get(id);
    if (o === undefined) return ok;
    for (const line of o.lines) {
      if (line.backordered === 0 && o.status !== 'open') continue;
      const key = skuKey(o.tenantId, line.skuId);
      const list = this.awaiting.get(key);
      if (list === undefined) this.awaiting.set(key, [id]);
      else list.push(id);
    }
    return ok;
  }

  /** Releases an allocated order by policy: at once, or with the next wave (M2). */
  release(id: OrderId): void {
    if (this.releasePolicy.kind === 'waves') this.waveQueue.push(id);
    else if (this.ctx.send({ type: 'releaseOrder', orderId: id })) this.onReleased();
  }

  /** Releases the allocated orders waiting for a wave (M2); waves of at most MAX_WAVE_ORDERS. */
  releaseWave(): void {
    const { state, send } = this.ctx;
    const ready = this.waveQueue.filter((id) => {
      const o = state.orders.get(id);
      return o !== undefined && o.status === 'allocated' && o.allocations.length > 0;
    });
    this.waveQueue.length = 0;
    for (let i = 0; i < ready.length; i += MAX_WAVE_ORDERS) {
      this.waves++;
      // One batch per order: the model's batching policy groups orders into trips (M4).
      const orderIds = ready.slice(i, i + MAX_WAVE_ORDERS);
      if (send({ type: 'releaseWave', waveId: `${this.prefix}-W${this.waves}`, orderIds, maxBatchOrders: 1 })) this.onReleased();
    }
  }

  /** After a receipt: allocates the orders waiting for the SKU, oldest first, until one is refused (M8). */
  refill(tenantId: TenantId, skuId: SkuId): void {
    const key = skuKey(tenantId, skuId);
    const list = this.awaiting.get(key);
    if (list === undefined) return;
    const still: OrderId[] = [];
    let exhausted = false;
    const waitsFor = (lines: readonly { skuId: SkuId; backordered: number }[]): boolean => lines.some((l) => l.skuId === skuId && l.backordered > 0);
    for (const id of list) {
      const o = this.ctx.state.orders.get(id);
      if (o === undefined) continue;
      const wasOpen = o.status === 'open';
      const wasReleased = o.status === 'released';
      if (!wasOpen && !((o.status === 'allocated' || wasReleased) && waitsFor(o.lines))) continue;
      if (exhausted) {
        still.push(id);
        continue;
      }
      if (!this.ctx.send({ type: 'allocateOrder', orderId: id, policy: 'partial' })) {
        exhausted = true;
        still.push(id);
        continue;
      }
      if (wasOpen) this.release(id);
      else if (wasReleased) this.onReleased();
      if (waitsFor(o.lines)) still.push(id);
    }
    if (still.length === 0) this.awaiting.delete(key);
    else this.awaiting.set(key, still);
  }

  /** One arrival (M2): createOrder with its due time → allocateOrder (partial) → release by policy. */
  private arrive(at: number, draft: OrderDraft): void {
    this.arrivals++;
    const orderId = asOrderId(`${this.prefix}-${String(this.arrivals).padStart(6, '0')}`);
    const order = this.track(orderId, at, draft.lines.length, null);
    const created = this.ctx.send({
      type: 'createOrder',
      orderId,
      tenantId: draft.tenantId,
      channel: 'simulation',
      lines: draft.lines,
      ...(order.dueAt === null ? {} : { dueAt: epochMs(order.dueAt) }),
    });
    if (created && this.allocate(orderId)) this.release(orderId);
  }
}
