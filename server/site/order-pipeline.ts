/**
 * The order pipeline's timers for one site, as an adapter around the pure rules: refill backorders when stock comes
 * free (R12), release waves automatically by carrier cut-off and priority (R31) while the pickers' queue runs low, and
 * sweep lapsed reservations (R30). Every change goes through `SiteRunner.submit`, like any other command.
 */
import type { SequencedEvent } from '../twin/events.ts';
import { ordersAwaitingStock } from '../twin/availability.ts';
import type { SkuId, TenantId } from '../twin/ids.ts';
import { selectWaveOrders } from '../twin/order-lifecycle.ts';
import type { SiteRunner } from './site-runner.ts';

export interface OrderPipelineOptions {
  /** How often waves are considered, ms; 0 turns automatic release off. */
  readonly releaseEveryMs: number;
  /** Most orders per automatic wave. */
  readonly waveMaxOrders: number;
  /** Release only while fewer orders than this wait in the pickers' queue (labour-aware: do not flood the floor). */
  readonly queueTarget: number;
  /** How often lapsed reservations are swept, ms; 0 turns the sweep off. */
  readonly sweepEveryMs: number;
  readonly log?: (message: string, error?: unknown) => void;
}

export interface OrderPipelineStats {
  waves: number;
  ordersReleased: number;
  refills: number;
  expired: number;
}

export class OrderPipeline {
  readonly stats: OrderPipelineStats = { waves: 0, ordersReleased: 0, refills: 0, expired: 0 };
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
      const result = await this.runner.submit({ type: 'releaseWave', waveId, orderIds });
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
