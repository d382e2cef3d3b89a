/**
 * The order pipeline's timers for one site, as an adapter around the pure rules: refill backorders when stock comes
 * free (R12), release waves automatically by carrier cut-off and priority (R31) while the pickers' queue runs low —
 * batched by the solver pool's savings batching when one is given — and sweep lapsed reservations (R30). Every change
 * goes through `SiteRunner.submit`, like any other command.
 */
import type { BatchingCapacity, BatchingMethod, BatchingOrder } from '../../solver/batching/batching.ts';
import { isBatchingError } from '../../solver/batching/batching.ts';
import type { SolverPool } from '../solver-pool/solver-pool.ts';
import type { SequencedEvent } from '../twin/events.ts';
import { ordersAwaitingStock } from '../twin/availability.ts';
import type { OrderId, SkuId, TenantId } from '../twin/ids.ts';
import { selectWaveOrders } from '../twin/order-lifecycle.ts';
import type { TwinState } from '../twin/state.ts';
import type { SiteRunner } from './site-runner.ts';

/** A picking cart when none is configured: 45 items, 8 orders (the benchmark cart). */
export const DEFAULT_CART: Required<BatchingCapacity> = { items: 45, orders: 8 };

/** Batching of automatic waves by the solver (issue 7); without it, R31 groups orders by count. */
export interface WaveBatchingOptions {
  readonly pool: SolverPool;
  /** Default DEFAULT_CART. */
  readonly capacity?: BatchingCapacity;
  /** Default 'savings' (Clarke–Wright on routed distances). */
  readonly method?: BatchingMethod;
  /** Longest wait for the solver before releasing with count grouping instead, ms; default 2,000. */
  readonly timeoutMs?: number;
}

/**
 * The solver's view of a wave's orders: each order's picks are its allocations (location, units), its cut-off its
 * `dueAt`. Orders that alone exceed the cart are left out (they are picked alone). Pure.
 */
export function waveBatchingOrders(twin: TwinState, orderIds: readonly OrderId[], capacity: BatchingCapacity): BatchingOrder[] {
  const orders: BatchingOrder[] = [];
  for (const id of orderIds) {
    const order = twin.orders.get(id);
    if (order === undefined || order.allocations.length === 0) continue;
    const picks = order.allocations.map((a) => ({ locationId: a.locationId, items: a.qty }));
    const items = picks.reduce((n, p) => n + p.items, 0);
    if (items > (capacity.items ?? Infinity)) continue;
    orders.push({ id, picks, ...(order.dueAt === null ? {} : { cutoffAt: order.dueAt }) });
  }
  return orders;
}

export interface OrderPipelineOptions {
  /** How often waves are considered, ms; 0 turns automatic release off. */
  readonly releaseEveryMs: number;
  /** Most orders per automatic wave. */
  readonly waveMaxOrders: number;
  /** Release only while fewer orders than this wait in the pickers' queue (labour-aware: do not flood the floor). */
  readonly queueTarget: number;
  /** How often lapsed reservations are swept, ms; 0 turns the sweep off. */
  readonly sweepEveryMs: number;
  /** Batch automatic waves with the solver; absent: R31's count grouping. */
  readonly batching?: WaveBatchingOptions;
  readonly log?: (message: string, error?: unknown) => void;
}

export interface OrderPipelineStats {
  waves: number;
  ordersReleased: number;
  /** Automatic waves released with count grouping because the solver failed or was too slow. */
  batchingFallbacks: number;
  refills: number;
  expired: number;
}

export class OrderPipeline {
  readonly stats: OrderPipelineStats = { waves: 0, ordersReleased: 0, batchingFallbacks: 0, refills: 0, expired: 0 };
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly unsubscribe: () => void;
  /** (tenant, SKU) pairs whose available stock went up since the last refill pass. */
  private readonly freed = new Map<string, { tenantId: TenantId; skuId: SkuId }>();
  private refillScheduled = false;
  private releasing = false;
  private closed = false;
  private waveCounter = 0;

  constructor(
    private readonly runner: SiteRunner,
    private readonly options: OrderPipelineOptions,
  ) {
    this.unsubscribe = runner.subscribe({
      committed: (events) => this.onCommitted(events),
      volatile: () => undefined,
      reloaded: () => undefined,
    });
  }

  start(): void {
    if (this.options.releaseEveryMs > 0) this.every(this.options.releaseEveryMs, () => this.releaseOnce());
    if (this.options.sweepEveryMs > 0) this.every(this.options.sweepEveryMs, () => this.sweepOnce());
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    this.unsubscribe();
  }

  /** Releases one automatic wave if the queue is short; resolves with the number of orders released. */
  async releaseOnce(): Promise<number> {
    if (this.releasing || this.closed) return 0;
    this.releasing = true;
    try {
      const orderIds = await this.runner.read((twin) =>
        twin.releaseQueue.length >= this.options.queueTarget ? [] : selectWaveOrders(twin, { maxOrders: this.options.waveMaxOrders }),
      );
      if (orderIds.length === 0) return 0;
      const waveId = `AUTO-${this.runner.twin.now}-${++this.waveCounter}`;
      const batches = await this.solverBatches(waveId, orderIds);
      const result = await this.runner.submit({ type: 'releaseWave', waveId, orderIds, ...(batches === null ? {} : { batches }) });
      if (!result.ok) {
        this.options.log?.(`auto wave ${waveId} refused: ${result.error.code} ${result.error.message}`);
        return 0;
      }
      this.stats.waves++;
      this.stats.ordersReleased += orderIds.length;
      return orderIds.length;
    } finally {
      this.releasing = false;
    }
  }

  /**
   * The solver's batches for a wave, or null to let R31 group by count: when no solver is configured, or it failed,
   * refused or did not answer within the bound (logged, counted in `batchingFallbacks`).
   */
  private async solverBatches(waveId: string, orderIds: readonly OrderId[]): Promise<OrderId[][] | null> {
    const batching = this.options.batching;
    if (batching === undefined) return null;
    const capacity = batching.capacity ?? DEFAULT_CART;
    const orders = await this.runner.read((twin) => waveBatchingOrders(twin, orderIds, capacity));
    if (orders.length < 2) return [];
    const timeoutMs = batching.timeoutMs ?? 2_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const answer = await Promise.race([
        batching.pool.batchOrders({ layout: this.runner.site.layout, orders, capacity, method: batching.method ?? 'savings' }),
        timeout,
      ]);
      if (isBatchingError(answer)) throw new Error(`${answer.error.code} ${answer.error.message}`);
      return answer.batches.map((b) => b.orderIds as OrderId[]);
    } catch (error) {
      this.stats.batchingFallbacks++;
      this.options.log?.(`auto wave ${waveId}: batching failed, grouping by count instead: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Submits the reservation sweep; resolves with the number of orders whose hold lapsed. */
  async sweepOnce(): Promise<number> {
    if (this.closed) return 0;
    const result = await this.runner.submit({ type: 'expireReservations' });
    const expired = result.ok ? result.events.length : 0;
    this.stats.expired += expired;
    return expired;
  }

  /** Refills the backorders of orders waiting for the freed SKUs (oldest order first). */
  async refillOnce(): Promise<number> {
    const pairs = [...this.freed.values()];
    this.freed.clear();
    let refills = 0;
    for (const { tenantId, skuId } of pairs) {
      const orderIds = await this.runner.read((twin) => ordersAwaitingStock(twin, tenantId, skuId));
      for (const orderId of orderIds) {
        if (this.closed) return refills;
        const result = await this.runner.submit({ type: 'allocateOrder', orderId });
        if (result.ok) refills++;
        // OUT_OF_STOCK: the stock is used up; older orders were served first, the rest wait for the next receipt.
        else if (result.error.code === 'OUT_OF_STOCK') break;
      }
    }
    this.stats.refills += refills;
    return refills;
  }

  private onCommitted(events: readonly SequencedEvent[]): void {
    for (const { event } of events) {
      if (event.type === 'StockReceived') this.free(event.tenantId, event.skuId);
      else if (event.type === 'OrderCancelled' || event.type === 'AllocationExpired') {
        for (const r of event.releases) this.free(r.tenantId, r.skuId);
      }
    }
    if (this.freed.size > 0 && !this.refillScheduled && !this.closed) {
      this.refillScheduled = true;
      // After the current commit is answered, so a burst of receipts is one pass.
      setImmediate(() => {
        this.refillScheduled = false;
        this.refillOnce().catch((error: unknown) => this.options.log?.('backorder refill failed', error));
      });
    }
  }

  private free(tenantId: TenantId, skuId: SkuId): void {
    this.freed.set(`${tenantId}|${skuId}`, { tenantId, skuId });
  }

  private every(ms: number, run: () => Promise<unknown>): void {
    const timer = setInterval(() => {
      run().catch((error: unknown) => this.options.log?.('order pipeline timer failed', error));
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }
}
