/**
 * Stock tasks for one site, as an adapter around the pure core (twin R56–R66, R41; solver S9): put-away planning for dock and
 * returns-desk stock scored by solver/slotting (`planPutaway`), the replenishment trigger (after every wave release and
 * on a timer, `planReplenishment` with the released waves' demand) and the expiry sweep (`expireLots` once per twin day
 * and at start). Every change goes through `SiteRunner.submit`, like any other command; the planned task ids come from
 * the twin's seq, so two triggers planning from the same state create each task once.
 */
import type { PutawaySuggestion, StockLine } from '../../solver/slotting/putaway.ts';
import { suggestPutawayLocations } from '../../solver/slotting/putaway.ts';
import type { SlotSku } from '../../solver/slotting/model.ts';
import { travelCosts } from '../../solver/slotting/model.ts';
import type { Clock } from '../twin/clock.ts';
import type { CreateMoveTask } from '../twin/commands.ts';
import type { SequencedEvent } from '../twin/events.ts';
import type { SkuId, TenantId } from '../twin/ids.ts';
import { skuKey } from '../twin/keys.ts';
import type { Layout } from '../twin/layout/types.ts';
import { isOpenMoveTask, planReplenishment } from '../twin/move-tasks.ts';
import { returnsLocationId } from '../twin/returns.ts';
import type { TwinState } from '../twin/state.ts';
import { dockLocationId, freeOf } from '../twin/stock-status.ts';
import type { SiteRunner } from './site-runner.ts';

/** The UTC date `YYYY-MM-DD` of an epoch-ms instant (the twin's day). */
export const twinDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

// ---------------------------------------------------------------------------------------------------------------
// Put-away planning

/** Which desk stock to put away: the dock (put-away tasks) or the returns desk (restock tasks). */
export interface PutawayFilter {
  readonly from: 'dock' | 'returns';
  readonly tenantId?: TenantId;
  readonly skuId?: SkuId;
  readonly lot?: string;
  /** At most this many units over all lines; default every free unit. */
  readonly qty?: number;
}

/** A planned put-away: the command and the suggestion it follows (why that bin). */
export interface PlannedPutaway {
  readonly command: CreateMoveTask;
  readonly suggestion: PutawaySuggestion;
}

/** Desk stock no bin could take (every bin holds another client, SKU or lot, or is full). */
export interface UnplacedStock {
  readonly tenantId: TenantId;
  readonly skuId: SkuId;
  readonly lot: string;
  readonly qty: number;
  readonly reason: string;
}

const travelByLayout = new WeakMap<Layout, Float64Array>();
/** Round-trip travel dock → bin → dock per location (routed; the dock is at the depot), cached per layout. */
function travelOf(layout: Layout): Float64Array {
  let travel = travelByLayout.get(layout);
  if (travel === undefined) {
    travel = travelCosts(layout);
    travelByLayout.set(layout, travel);
  }
  return travel;
}

/**
 * Velocity per SKU for the put-away score: order lines of the orders the twin holds (a SKU once per order); while the
 * twin has no orders, the catalogue's demand weight ranks them instead.
 */
export function slotSkusOf(twin: TwinState): SlotSku[] {
  const lines = new Map<SkuId, number>();
  for (const order of twin.orders.values()) for (const sku of new Set(order.lines.map((l) => l.skuId))) lines.set(sku, (lines.get(sku) ?? 0) + 1);
  const useHistory = lines.size > 0;
  return twin.site.skus.map((s) => ({
    id: s.id,
    tenantId: s.tenantId,
    picks: useHistory ? (lines.get(s.id) ?? 0) : s.demandWeight,
    unitCube: s.lengthM * s.widthM * s.heightM,
    unitWeightKg: s.weightKg,
    unitHeightM: s.heightM,
  }));
}

/**
 * [S9] Put-away tasks for the free units of the dock (or returns desk) matching `filter`: each line goes to the best bin
 * `suggestPutawayLocations` ranks — travel from the dock, velocity (fast movers near and in the golden zone), room by
 * units, cube and weight, mixing (same SKU, lot and client only; never another client's bin) — split over further
 * bins when one cannot take it all. Bins count what open move tasks already bring them and what this plan sends, so
 * two tasks never race for one empty bin; another SKU's pick face and a bin under count are skipped. Pure.
 */
export function planPutaway(twin: TwinState, filter: PutawayFilter): { planned: PlannedPutaway[]; unplaced: UnplacedStock[] } {
  const source = filter.from === 'dock' ? dockLocationId(twin.site.id) : returnsLocationId(twin.site.id);
  const kind = filter.from === 'dock' ? 'putaway' : 'restock';
  const layout = twin.site.layout;
  const travel = travelOf(layout);
  const skus = slotSkusOf(twin);
  // What the bins hold and will hold: stock on hand plus the targets of open move tasks.
  const stock: StockLine[] = [];
  for (const q of twin.quants.values()) if (q.onHand > 0 && twin.locationsById.has(q.locationId)) stock.push({ locationId: q.locationId, skuId: q.skuId, tenantId: q.tenantId, lot: q.lot, onHand: q.onHand });
  for (const t of twin.moveTasks.values()) {
    const to = t.suggestedToLocationId;
    if (isOpenMoveTask(t) && to !== null && twin.locationsById.has(to)) stock.push({ locationId: to, skuId: t.skuId, tenantId: t.tenantId, lot: t.lot, onHand: t.qty });
  }
  const underCount = [...twin.openCountByLocation.keys()];
  const lines = [...(twin.quantsByLocation.get(source) ?? [])]
    .sort()
    .map((key) => twin.quants.get(key))
    .filter((q) => q !== undefined)
    .filter((q) => (filter.tenantId === undefined || q.tenantId === filter.tenantId) && (filter.skuId === undefined || q.skuId === filter.skuId) && (filter.lot === undefined || q.lot === filter.lot));
  const planned: PlannedPutaway[] = [];
  const unplaced: UnplacedStock[] = [];
  let budget = filter.qty ?? Infinity;
  for (const q of lines) {
    let rest = Math.min(freeOf(twin, q), budget);
    if (rest <= 0) continue;
    budget -= rest;
    const otherFaces = [...twin.pickFaces.values()].filter((f) => f.skuId !== q.skuId || f.tenantId !== q.tenantId).map((f) => f.locationId);
    const rules = { excludedLocations: [...underCount, ...otherFaces] };
    while (rest > 0) {
      const best = suggestPutawayLocations({ layout, skus, stock, rules, travel }, q.skuId, rest, { lot: q.lot, limit: 1 })[0];
      if (best === undefined) {
        unplaced.push({ tenantId: q.tenantId, skuId: q.skuId, lot: q.lot, qty: rest, reason: 'no bin holds only this SKU, lot and client with room (units, cube, weight)' });
        break;
      }
      const qty = Math.min(rest, best.fits);
      const command: CreateMoveTask = {
        type: 'createMoveTask',
        taskId: `${kind === 'putaway' ? 'PA' : 'RS'}-${twin.seq}-${planned.length + 1}`,
        kind,
        tenantId: q.tenantId,
        skuId: q.skuId,
        ...(q.lot === '' ? {} : { lot: q.lot }),
        fromLocationId: source,
        toLocationId: best.locationId,
        qty,
        priority: 1,
        reason: `${kind === 'putaway' ? 'put-away' : 'restock'} to ${best.kind === 'top-up' ? 'top up' : 'an empty bin'}, ${Math.round(best.travelM)} m from the dock`,
      };
      planned.push({ command, suggestion: best });
      stock.push({ locationId: best.locationId, skuId: q.skuId, tenantId: q.tenantId, lot: q.lot, onHand: qty });
      rest -= qty;
    }
  }
  return { planned, unplaced };
}

// ---------------------------------------------------------------------------------------------------------------
// Replenishment and expiry

/**
 * Released wave demand per `skuKey(tenant, SKU)`: units of pick tasks released or assigned and not yet picked. A pick
 * face holding fewer is topped up before its pickers arrive (R64).
 */
export function releasedDemand(twin: TwinState): Map<string, number> {
  const demand = new Map<string, number>();
  for (const t of twin.tasks.values()) {
    if (t.status !== 'released' && t.status !== 'assigned') continue;
    const key = skuKey(t.tenantId, t.skuId);
    demand.set(key, (demand.get(key) ?? 0) + t.qty);
  }
  return demand;
}

/** Outcome of one replenishment pass. */
export interface ReplenishmentPass {
  /** Ids of the tasks this pass created. */
  readonly created: string[];
  /** Planned tasks the twin refused meanwhile (stock moved, face cleared), by code. */
  readonly refused: { readonly taskId: string; readonly code: string }[];
}

/** Plans replenishment from the committed state (with the released waves' demand) and submits every task. */
export async function replenishOnce(runner: SiteRunner): Promise<ReplenishmentPass> {
  const plan = await runner.read((twin) => planReplenishment(twin, { demandBySku: releasedDemand(twin) }));
  const created: string[] = [];
  const refused: { taskId: string; code: string }[] = [];
  for (const command of plan) {
    const result = await runner.submit(command);
    if (!result.ok) refused.push({ taskId: command.taskId, code: result.error.code });
    else if (result.events.length > 0) created.push(command.taskId);
  }
  return { created, refused };
}

export interface StockTasksOptions {
  /** How often replenishment is planned besides after each wave release, ms; 0 = only after releases. */
  readonly replenishEveryMs: number;
  /** How often the twin's date is checked for a new day to sweep expired lots, ms; 0 = never (not even at start). */
  readonly expirySweepEveryMs: number;
  /** The twin's clock (its day decides the sweep); default the twin's last event time. */
  readonly clock?: Clock;
  readonly log?: (message: string, error?: unknown) => void;
}

export interface StockTasksStats {
  replenishPasses: number;
  replenishTasks: number;
  replenishRefused: number;
  expirySweeps: number;
  expiredHolds: number;
}

/**
 * The replenishment trigger and the expiry sweep for one site. `start()` sweeps once at once, then runs both on their
 * timers; a committed `WaveReleased` (or single `OrderReleased`) schedules a replenishment pass right after its commit.
 * Passes never overlap: a trigger during a pass runs one more pass after it.
 */
export class StockTasks {
  readonly stats: StockTasksStats = { replenishPasses: 0, replenishTasks: 0, replenishRefused: 0, expirySweeps: 0, expiredHolds: 0 };
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly unsubscribe: () => void;
  private running: Promise<void> | null = null;
  private again = false;
  private closed = false;
  private lastSweptDay: string | null = null;

  constructor(
    private readonly runner: SiteRunner,
    private readonly options: StockTasksOptions,
  ) {
    this.unsubscribe = runner.subscribe({
      committed: (events) => this.onCommitted(events),
      volatile: () => undefined,
      reloaded: () => undefined,
    });
  }

  start(): void {
    if (this.options.expirySweepEveryMs > 0) {
      this.sweepExpiredOnce().catch((error: unknown) => this.options.log?.('expiry sweep failed', error));
      this.every(this.options.expirySweepEveryMs, () => this.sweepExpiredOnce());
    }
    if (this.options.replenishEveryMs > 0) this.every(this.options.replenishEveryMs, () => this.replenish());
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    this.unsubscribe();
  }

  /** Runs a replenishment pass now, or one more after the pass in flight; resolves when it is done. */
  replenish(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.running !== null) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        const pass = await replenishOnce(this.runner);
        this.stats.replenishPasses++;
        this.stats.replenishTasks += pass.created.length;
        this.stats.replenishRefused += pass.refused.length;
        for (const r of pass.refused) this.options.log?.(`replenishment task ${r.taskId} refused: ${r.code}`);
      } while (this.again && !this.closed);
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /**
   * [R41] Holds the lots expired before the twin's today, once per twin day: resolves with the units newly held
   * (0 when the day was swept already or nothing expired).
   */
  async sweepExpiredOnce(): Promise<number> {
    if (this.closed) return 0;
    const now = this.options.clock?.now() ?? this.runner.twin.now;
    const today = twinDay(now);
    if (this.lastSweptDay === today) return 0;
    const result = await this.runner.submit({ type: 'expireLots', asOf: today });
    if (!result.ok) {
      this.options.log?.(`expiry sweep ${today} refused: ${result.error.code} ${result.error.message}`);
      return 0;
    }
    this.lastSweptDay = today;
    this.stats.expirySweeps++;
    let units = 0;
    for (const e of result.events) {
      if (e.type !== 'HoldPlaced') continue;
      this.stats.expiredHolds++;
      units += e.lines.reduce((n, l) => n + l.qty, 0);
    }
    return units;
  }

  private onCommitted(events: readonly SequencedEvent[]): void {
    if (this.closed || !events.some(({ event }) => event.type === 'WaveReleased' || event.type === 'OrderReleased')) return;
    // After the current commit is answered, so the pass reads the released tasks.
    setImmediate(() => {
      this.replenish().catch((error: unknown) => this.options.log?.('replenishment after a wave release failed', error));
    });
  }

  private every(ms: number, run: () => Promise<unknown>): void {
    const timer = setInterval(() => {
      run().catch((error: unknown) => this.options.log?.('stock tasks timer failed', error));
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }
}
