/**
 * The order pipeline's timers for one site, as an adapter around the pure rules: refill backorders when stock comes
 * free (R12), release waves automatically — by count, by carrier cut-off and priority (R31) while the pickers' queue
 * runs low, or planned by the solver's wave planner (solver/waves, W1–W8) as timed waves or a waveless top-up —
 * batched by the solver pool's savings batching when one is given — and sweep lapsed reservations (R30). Every change
 * goes through `SiteRunner.submit`, like any other command.
 */
import type { BatchingCapacity, BatchingMethod, BatchingOrder } from '../../solver/batching/batching.ts';
import { isBatchingError } from '../../solver/batching/batching.ts';
import type { SolverPool } from '../solver-pool/solver-pool.ts';
import type { WavePlan, WavePlanOrder, WavePlanRequest } from '../../solver/waves/waves.ts';
import { isWavePlanError } from '../../solver/waves/waves.ts';
import type { SequencedEvent } from '../twin/events.ts';
import { ordersAwaitingStock } from '../twin/availability.ts';
import type { EpochMs, OrderId, SkuId, TenantId } from '../twin/ids.ts';
import { PICK_WINDOW_MS } from '../twin/keys.ts';
import { selectWaveOrders } from '../twin/order-lifecycle.ts';
import type { TwinState } from '../twin/state.ts';
import type { SiteRunner } from './site-runner.ts';
import { boundedWait } from '../ops/bounded-wait.ts';

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

/** How automatic waves are chosen: R31's count waves, planned waves, or waveless release (env WAVE_MODE). */
export const WAVE_MODES = ['count', 'planned', 'waveless'] as const;
export type WaveMode = (typeof WAVE_MODES)[number];

/** Wave planning by the solver (solver/waves); absent: count waves. Times are the site clock's ms unless said. */
export interface WavePlanningOptions {
  readonly mode: 'planned' | 'waveless';
  readonly pool: SolverPool;
  /** `planned`: time from one wave to the next; default 15 minutes. */
  readonly waveIntervalMs?: number;
  /** `waveless`: the re-plan timer, wall ms; default 30 s. */
  readonly wavelessIntervalMs?: number;
  /** `waveless`: work kept queued beyond the next re-plan; default the planner's (5 minutes). */
  readonly coverMs?: number;
  /** A picker's rate, lines per hour, when the floor has not measured a faster one; default 100. */
  readonly picksPerHour?: number;
  /** Pack stations staffed (default 4) and each one's rate, orders per hour (default 60). */
  readonly packStations?: number;
  readonly packOrdersPerHour?: number;
  /** Pack work allowed beyond the planning horizon (W5); default the planner's (5 minutes). */
  readonly packBufferMs?: number;
  /** Longest wait for the planner before releasing by count instead, ms; default 2,000. */
  readonly timeoutMs?: number;
}

/** Defaults of {@link WavePlanningOptions}. */
export const WAVE_PLANNING_DEFAULTS = {
  waveIntervalMs: 15 * 60_000,
  wavelessIntervalMs: 30_000,
  picksPerHour: 100,
  packStations: 4,
  packOrdersPerHour: 60,
  timeoutMs: 2_000,
} as const;

/** What {@link wavePlanRequest} needs besides the twin. */
export interface WavePlanSettings {
  readonly mode: 'planned' | 'waveless';
  readonly now: number;
  readonly intervalMs: number;
  readonly coverMs?: number;
  readonly picksPerHour: number;
  readonly packStations: number;
  readonly packOrdersPerHour: number;
  readonly packBufferMs?: number;
  readonly maxOrders: number;
}

/**
 * The planner's view of the twin (W1–W8): the allocated orders (lines = tasks, cut-off = `dueAt`); the operatives
 * signed on and their rate — picks in the last hour per operative when that beats the configured rate (a starved floor
 * picks slowly because it has no work, and planning from that rate would keep it starved); lines released and not yet
 * picked; orders released or picked and not yet packed. Pure.
 */
export function wavePlanRequest(twin: TwinState, settings: WavePlanSettings): WavePlanRequest {
  const orders: WavePlanOrder[] = [];
  let releasedLines = 0;
  let unpacked = 0;
  for (const order of twin.orders.values()) {
    if (order.status === 'allocated' && order.allocations.length > 0) {
      orders.push({ id: order.id, lines: order.allocations.length, cutoffAt: order.dueAt, priority: order.priority, createdAt: order.createdAt });
    } else if (order.status === 'released' || order.status === 'picked') {
      unpacked++;
      for (const taskId of order.taskIds) {
        const status = twin.tasks.get(taskId)?.status;
        if (status === 'released' || status === 'assigned') releasedLines++;
      }
    }
  }
  const pickers = twin.operatives.size;
  let picksLastHour = 0;
  for (let i = twin.recentPickTimes.length - 1; i >= 0 && (twin.recentPickTimes[i] as number) > settings.now - PICK_WINDOW_MS; i--) picksLastHour++;
  const measured = pickers > 0 ? picksLastHour / pickers : 0;
  return {
    mode: settings.mode === 'planned' ? 'wave' : 'waveless',
    now: settings.now,
    orders,
    labour: { pickers, picksPerHour: Math.max(settings.picksPerHour, measured) },
    packing: {
      stations: settings.packStations,
      ordersPerHour: settings.packOrdersPerHour,
      ...(settings.packBufferMs === undefined ? {} : { bufferMs: settings.packBufferMs }),
    },
    released: { lines: releasedLines, orders: unpacked },
    intervalMs: settings.intervalMs,
    ...(settings.coverMs === undefined ? {} : { coverMs: settings.coverMs }),
    maxOrders: settings.maxOrders,
  };
}

export interface OrderPipelineOptions {
  /** How often waves are considered, ms; 0 turns automatic release off. */
  readonly releaseEveryMs: number;
  /** Most orders per automatic wave. */
  readonly waveMaxOrders: number;
  /**
   * Count mode: release only while fewer orders than this wait in the pickers' queue (do not flood the floor). The
   * planner (planned, waveless) sizes by labour and pack capacity instead.
   */
  readonly queueTarget: number;
  /** How often lapsed reservations are swept, ms; 0 turns the sweep off. */
  readonly sweepEveryMs: number;
  /** Batch automatic waves with the solver; absent: R31's count grouping. */
  readonly batching?: WaveBatchingOptions;
  /** Plan automatic waves with the solver (planned or waveless); absent: count waves by `waveMaxOrders`/`queueTarget`. */
  readonly planning?: WavePlanningOptions;
  /** The site clock (the twin's time of day for waves and cut-offs); default the time of the twin's last event. */
  readonly now?: () => EpochMs;
  readonly log?: (message: string, error?: unknown) => void;
}

export interface OrderPipelineStats {
  waves: number;
  ordersReleased: number;
  /** Automatic waves released with count grouping because the solver failed or was too slow. */
  batchingFallbacks: number;
  /** Plans made by the wave planner (planned or waveless mode), whether or not they released anything. */
  plans: number;
  /** Orders released while the planner expected them to miss their cut-off (W7), each counted once. */
  atRiskReleased: number;
  /** Orders the latest plan held back although waiting misses their cut-off (W7). */
  atRiskWaiting: number;
  /** Releases chosen by count because the planner failed or was too slow (logged). */
  planFallbacks: number;
  refills: number;
  expired: number;
}

export class OrderPipeline {
  readonly stats: OrderPipelineStats = {
    waves: 0, ordersReleased: 0, batchingFallbacks: 0, plans: 0, atRiskReleased: 0, atRiskWaiting: 0, planFallbacks: 0, refills: 0, expired: 0,
  };
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly unsubscribe: () => void;
  /** (tenant, SKU) pairs whose available stock went up since the last refill pass. */
  private readonly freed = new Map<string, { tenantId: TenantId; skuId: SkuId }>();
  private refillScheduled = false;
  private releasing = false;
  private closed = false;
  private waveCounter = 0;
  /** At-risk orders of the plan being released (counted once the release commits). */
  private pendingAtRisk = 0;
  /** `planned`: site time of the next wave. */
  private nextWaveAt = Number.NEGATIVE_INFINITY;
  /** `waveless`: site time of the previous plan, to measure the re-plan interval in site time. */
  private lastPlanAt: number | null = null;

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
    const planning = this.options.planning;
    if (this.options.releaseEveryMs > 0) {
      const every = planning?.mode === 'waveless' ? (planning.wavelessIntervalMs ?? WAVE_PLANNING_DEFAULTS.wavelessIntervalMs) : this.options.releaseEveryMs;
      this.every(every, () => this.releaseOnce());
    }
    if (this.options.sweepEveryMs > 0) this.every(this.options.sweepEveryMs, () => this.sweepOnce());
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    this.unsubscribe();
  }

  /**
   * Releases one automatic wave — count mode: if the queue is short; planned: when the wave is due; waveless: what the
   * planner says now — and resolves with the number of orders released.
   */
  async releaseOnce(): Promise<number> {
    if (this.releasing || this.closed) return 0;
    this.releasing = true;
    try {
      const orderIds = this.options.planning === undefined ? await this.countSelection() : await this.plannedSelection(this.options.planning);
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
      this.stats.atRiskReleased += this.pendingAtRisk;
      return orderIds.length;
    } finally {
      this.pendingAtRisk = 0;
      this.releasing = false;
    }
  }

  /** R31's count selection: up to `waveMaxOrders` by cut-off and priority while the queue is below `queueTarget`. */
  private countSelection(): Promise<OrderId[]> {
    return this.runner.read((twin) =>
      twin.releaseQueue.length >= this.options.queueTarget ? [] : selectWaveOrders(twin, { maxOrders: this.options.waveMaxOrders }),
    );
  }

  /**
   * The planner's release (W1–W8), or — when it failed, refused or did not answer in time — the count selection
   * (logged, counted in `planFallbacks`). `planned` plans only when the wave is due.
   */
  private async plannedSelection(planning: WavePlanningOptions): Promise<OrderId[]> {
    const now = this.options.now?.() ?? this.runner.twin.now;
    const waveIntervalMs = planning.waveIntervalMs ?? WAVE_PLANNING_DEFAULTS.waveIntervalMs;
    if (planning.mode === 'planned' && now < this.nextWaveAt) return [];
    // Waveless: the re-plan interval in site time (a sped-up clock runs ahead of the wall-clock timer).
    const intervalMs =
      planning.mode === 'planned'
        ? waveIntervalMs
        : this.lastPlanAt !== null && now > this.lastPlanAt
          ? now - this.lastPlanAt
          : (planning.wavelessIntervalMs ?? WAVE_PLANNING_DEFAULTS.wavelessIntervalMs);
    const request = await this.runner.read((twin) =>
      wavePlanRequest(twin, {
        mode: planning.mode,
        now,
        intervalMs,
        ...(planning.coverMs === undefined ? {} : { coverMs: planning.coverMs }),
        picksPerHour: planning.picksPerHour ?? WAVE_PLANNING_DEFAULTS.picksPerHour,
        packStations: planning.packStations ?? WAVE_PLANNING_DEFAULTS.packStations,
        packOrdersPerHour: planning.packOrdersPerHour ?? WAVE_PLANNING_DEFAULTS.packOrdersPerHour,
        ...(planning.packBufferMs === undefined ? {} : { packBufferMs: planning.packBufferMs }),
        maxOrders: this.options.waveMaxOrders,
      }),
    );
    this.lastPlanAt = now;
    if (planning.mode === 'planned') this.nextWaveAt = now + waveIntervalMs;
    if (request.orders.length === 0) return [];
    let plan: WavePlan;
    try {
      const answer = await boundedWait(planning.pool.planWave(request), planning.timeoutMs ?? WAVE_PLANNING_DEFAULTS.timeoutMs);
      if (isWavePlanError(answer)) throw new Error(`${answer.error.code} ${answer.error.message}`);
      plan = answer;
    } catch (error) {
      this.stats.planFallbacks++;
      this.options.log?.(`wave planning failed, releasing by count instead: ${error instanceof Error ? error.message : String(error)}`);
      return this.countSelection();
    }
    this.stats.plans++;
    this.stats.atRiskWaiting = plan.atRisk.filter((r) => !r.released).length;
    const atRisk = plan.atRisk.filter((r) => r.released).length;
    if (atRisk > 0) this.options.log?.(`wave plan: ${atRisk} of ${plan.release.length} orders released are expected to miss their cut-off`);
    this.pendingAtRisk = atRisk;
    return plan.release as OrderId[];
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
    try {
      const answer = await boundedWait(
        batching.pool.batchOrders({ layout: this.runner.site.layout, orders, capacity, method: batching.method ?? 'savings' }),
        batching.timeoutMs ?? 2_000,
      );
      if (isBatchingError(answer)) throw new Error(`${answer.error.code} ${answer.error.message}`);
      return answer.batches.map((b) => b.orderIds as OrderId[]);
    } catch (error) {
      this.stats.batchingFallbacks++;
      this.options.log?.(`auto wave ${waveId}: batching failed, grouping by count instead: ${error instanceof Error ? error.message : String(error)}`);
      return null;
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
      // GoodsReceived: backorders may be cross-docked from the dock (R65); a finished or cancelled move task frees stock.
      if (event.type === 'StockReceived' || event.type === 'GoodsReceived' || event.type === 'MoveTaskCompleted') this.free(event.tenantId, event.skuId);
      else if (event.type === 'MoveTaskCancelled') {
        const task = this.runner.twin.moveTasks.get(event.taskId);
        if (task !== undefined) this.free(task.tenantId, task.skuId);
      }
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
