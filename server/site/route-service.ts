/**
 * The route service: keeps every operative's route planned. It listens to a SiteRunner; when an operative's open
 * task set is no longer covered by its route (tasks assigned, route missing, after a reload) it plans through the
 * SolverPool — off the event loop — and submits `setRoute` (R27). A plan refused as stale is retried with the new
 * task set. Each change is pushed to listeners as a RouteView (or NoRouteView). It never blocks the runner: all work
 * is asynchronous and reads go through `runner.read` (committed state only).
 *
 * A pick done or shorted does not re-optimise: the picker is mid-walk, and a fresh tour from the depot would send them
 * back. The remaining route (R27) stays current and its view (stops, remaining walk) is pushed again.
 *
 * Routes are planned on the effective layout (R28): when an aisle segment is blocked or unblocked, every operative
 * holding open tasks gets a fresh plan of those tasks, or an UNREACHABLE view naming the pick it cannot get to.
 */
import type { NoRouteView, RouteView } from '../protocol/route.ts';
import type { RouteMethod } from '../../solver/routing/plan-route.ts';
import { findLocation, isRouteError } from '../../solver/routing/plan-route.ts';
import type { SolverPool } from '../solver-pool/solver-pool.ts';
import type { FloorPoint, LocationId, OperativeId, TaskId } from '../twin/ids.ts';
import { asOperativeId } from '../twin/ids.ts';
import type { Layout } from '../twin/layout/types.ts';
import { flattenPath, noRouteView, routeViewOf, walkKey, type RemainingWalk } from '../twin/route-view.ts';
import type { TwinState } from '../twin/state.ts';
import { blockedSetKey } from '../twin/blocks.ts';
import { effectiveLayout, routeIsCurrent } from '../twin/twin.ts';
import type { SiteRunner } from './site-runner.ts';

/** What watchers receive: the operative's current route, or why there is none. */
export type RouteUpdate = RouteView | NoRouteView;

export interface RouteServiceOptions {
  readonly pool: SolverPool;
  /** Routing method (default the solver's own default). */
  readonly method?: RouteMethod;
  /** Consecutive failed attempts (stale plan, storage unavailable) before the service waits for the next change. */
  readonly maxAttempts?: number;
  readonly log?: (message: string, error?: unknown) => void;
}

/** Counters for logs and tests. */
export interface RouteServiceStats {
  plans: number;
  routesSet: number;
  staleRefused: number;
  unreachable: number;
  failures: number;
  published: number;
}

interface OperativeEntry {
  readonly id: OperativeId;
  /** Something changed since the last step began. */
  dirty: boolean;
  running: boolean;
  attempts: number;
  /** A segment was blocked or unblocked: plan again even though the route still covers the open tasks (R28). */
  replan: boolean;
  /** Why the last plan failed (UNREACHABLE), until the task set or the blocked set changes or a plan succeeds. */
  failure: NoRouteView | null;
  /** Task set and blocked set (`planKey`) the failure was for. */
  failedFor: string;
  /** Polyline of the latest remaining walk drawn. */
  walk: { key: string; path: number[] } | null;
  /** Key of the last update published, to skip repeats. */
  lastPublished: string;
  /** Publishing is serialised per operative so updates never overtake each other. */
  publishing: Promise<void>;
}

/** A route view read from committed state, with the effective layout (R28) its walk is drawn on. */
interface ViewRead {
  readonly view: RouteView;
  readonly walk: RemainingWalk;
  readonly layout: Layout;
  readonly blockedKey: string;
}

type PlanInput =
  | { readonly kind: 'gone' }
  | { readonly kind: 'current' }
  | { readonly kind: 'nothing' }
  | {
      readonly kind: 'plan';
      readonly layout: Layout;
      /** `planKey`: the open task set and the blocked set it is planned against. */
      readonly taskSet: string;
      readonly blockedKey: string;
      readonly tasks: readonly { readonly id: TaskId; readonly locationId: LocationId }[];
    };

/** What a plan depends on: the operative's open tasks and the blocked segments. */
function planKey(twin: TwinState, taskIds: readonly TaskId[]): string {
  return `${[...taskIds].sort().join(',')}|${blockedSetKey(twin)}`;
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class RouteService {
  private readonly entries = new Map<OperativeId, OperativeEntry>();
  private readonly listeners = new Set<(update: RouteUpdate) => void>();
  private readonly inflight = new Set<Promise<void>>();
  private unsubscribe: (() => void) | null = null;
  private closed = false;
  readonly stats: RouteServiceStats = { plans: 0, routesSet: 0, staleRefused: 0, unreachable: 0, failures: 0, published: 0 };

  constructor(
    private readonly runner: SiteRunner,
    private readonly options: RouteServiceOptions,
  ) {}

  get siteId(): string {
    return this.runner.siteId;
  }

  /** Subscribes to the runner and plans every operative whose route is missing or stale. */
  start(): void {
    if (this.unsubscribe !== null || this.closed) return;
    this.unsubscribe = this.runner.subscribe({
      committed: (events) => {
        for (const { event } of events) {
          switch (event.type) {
            case 'TasksAssigned':
            case 'TasksUnassigned':
            case 'PickConfirmed':
            case 'PickShorted':
            case 'RoutePlanned':
            case 'OperativeSignedOn':
              this.schedule(event.operativeId);
              break;
            case 'OperativeSignedOff':
              this.signedOff(event.operativeId);
              break;
            case 'SegmentBlocked':
            case 'SegmentUnblocked':
              this.replanAll();
              break;
            case 'OrderCancelled':
              // A cancelled task leaves its picker's list: that picker's route changes.
              for (const taskId of event.cancelledTaskIds) {
                const operativeId = this.runner.twin.tasks.get(taskId)?.operativeId;
                if (operativeId != null) this.schedule(operativeId);
              }
              break;
            case 'AllocationExpired':
            case 'WaveReleased':
            case 'CountRequested':
            case 'ShipmentLabelled':
            case 'CountCreated':
            case 'CountStarted':
            case 'CountSubmitted':
            case 'CountAdjusted':
            case 'CountRejected':
            case 'HoldPlaced':
            case 'HoldReleased':
            case 'AsnCreated':
            case 'GoodsReceived':
            case 'AsnClosed':
            case 'QcRuleSet':
            case 'RmaCreated':
            case 'ReturnReceived':
            case 'ReturnInspected':
            case 'RmaClosed':
            case 'MoveTaskCreated':
            case 'MoveTaskAssigned':
            case 'MoveTaskCompleted':
            case 'MoveTaskCancelled':
            case 'PickFaceSet':
            case 'PickFaceCleared':
            case 'TransferCreated': // transfer picks are scanned at a bin but are no pick tasks (R72)
            case 'TransferLinePicked':
            case 'TransferCancelled':
            case 'TransferDespatched':
            case 'TransferRefusedByDestination':
            case 'TransferReturned':
            case 'InboundTransferExpected':
            case 'TransferReceived':
            case 'InboundTransferClosed':
            case 'TransferReceiptConfirmed':
            case 'StockReceived':
            case 'StockMoved':
            case 'OrderCreated':
            case 'OrderAllocated':
            case 'OrderReleased':
            case 'OrderPicked':
            case 'OrderPacked':
            case 'OrderDespatched':
              break;
          }
        }
      },
      volatile: () => undefined,
      reloaded: () => this.scheduleAll(),
    });
    this.scheduleAll();
  }

  /** Hears every route update of this site. */
  onUpdate(listener: (update: RouteUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The operative's current route view (committed state), or why there is none. */
  async view(operativeId: string): Promise<RouteUpdate> {
    const id = asOperativeId(operativeId);
    const read = await this.runner.read((twin) => this.readView(twin, id));
    return this.withPath(id, read);
  }

  /** Resolves when no planning or publishing is in flight (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
  }

  /** Stops listening and waits for work in flight; the pool is the caller's to close. */
  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    await this.idle();
  }

  private entry(id: OperativeId): OperativeEntry {
    let entry = this.entries.get(id);
    if (entry === undefined) {
      entry = {
        id,
        dirty: false,
        running: false,
        replan: false,
        attempts: 0,
        failure: null,
        failedFor: '',
        walk: null,
        lastPublished: '',
        publishing: Promise.resolve(),
      };
      this.entries.set(id, entry);
    }
    return entry;
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => {
      this.stats.failures++;
      this.options.log?.(`site ${this.siteId}: route service step failed`, error);
    });
    this.inflight.add(tracked);
    void tracked.finally(() => this.inflight.delete(tracked));
  }

  private scheduleAll(): void {
    if (this.closed) return;
    this.track(
      this.runner.read((twin) => [...twin.operatives.keys()]).then((ids) => {
        for (const id of ids) this.schedule(id);
      }),
    );
  }

  /** After a block or unblock (R28): a fresh plan for every operative that holds open tasks. */
  private replanAll(): void {
    if (this.closed) return;
    this.track(
      this.runner.read((twin) => [...twin.operatives.values()].filter((op) => op.taskIds.length > 0).map((op) => op.id)).then((ids) => {
        for (const id of ids) {
          this.entry(id).replan = true;
          this.schedule(id);
        }
      }),
    );
  }

  /** Marks the operative for a (re)check; bursts coalesce into one step per operative. */
  private schedule(id: OperativeId): void {
    if (this.closed) return;
    const entry = this.entry(id);
    entry.dirty = true;
    if (entry.running) return;
    entry.running = true;
    this.track(this.run(entry));
  }

  private async run(entry: OperativeEntry): Promise<void> {
    try {
      // Let the rest of the commit's events (and the same tick's commits) arrive first: one step covers them all.
      await yieldToLoop();
      while (entry.dirty && !this.closed) {
        entry.dirty = false;
        await this.step(entry);
      }
    } finally {
      entry.running = false;
    }
  }

  private signedOff(id: OperativeId): void {
    const entry = this.entries.get(id);
    this.entries.delete(id);
    const update = noRouteView(this.siteId, id, 'NOT_SIGNED_ON', `operative ${id} signed off`);
    // Publish through the old entry's chain so an update in flight for the operative cannot land after this one.
    const chain = entry?.publishing ?? Promise.resolve();
    this.track(chain.then(() => this.emit(update)));
  }

  private async step(entry: OperativeEntry): Promise<void> {
    const replan = entry.replan;
    entry.replan = false;
    const input = await this.runner.read((twin): PlanInput => {
      const op = twin.operatives.get(entry.id);
      if (op === undefined) return { kind: 'gone' };
      if (op.taskIds.length === 0) return { kind: 'nothing' };
      // While a failure stands (a block can leave a current route unwalkable), any change is worth a new plan.
      if (!replan && entry.failure === null && routeIsCurrent(twin, entry.id)) return { kind: 'current' };
      const tasks: { id: TaskId; locationId: LocationId }[] = [];
      for (const id of op.taskIds) {
        const task = twin.tasks.get(id);
        if (task !== undefined) tasks.push({ id, locationId: task.locationId });
      }
      return { kind: 'plan', layout: effectiveLayout(twin), taskSet: planKey(twin, op.taskIds), blockedKey: blockedSetKey(twin), tasks };
    });
    if (input.kind === 'gone') return;
    if (input.kind !== 'plan') {
      entry.attempts = 0;
      entry.failure = null;
      this.publish(entry);
      return;
    }
    if (entry.failure !== null && entry.failedFor === input.taskSet) return;
    entry.failure = null;
    await this.plan(entry, input);
  }

  private async plan(entry: OperativeEntry, input: Extract<PlanInput, { kind: 'plan' }>): Promise<void> {
    const picks: LocationId[] = [];
    const tasksAt = new Map<LocationId, TaskId[]>();
    // Cross-dock picks (R65) are at the dock, by the depot, outside the layout: picked first, not routed.
    const atDock: TaskId[] = [];
    for (const task of input.tasks) {
      if (findLocation(input.layout, task.locationId) === undefined) {
        atDock.push(task.id);
        continue;
      }
      const list = tasksAt.get(task.locationId);
      if (list === undefined) {
        tasksAt.set(task.locationId, [task.id]);
        picks.push(task.locationId);
      } else list.push(task.id);
    }
    this.stats.plans++;
    const request = { layout: input.layout, picks, ...(this.options.method === undefined ? {} : { method: this.options.method }) };
    const result = picks.length === 0 ? { sequence: [], distance: 0, method: 'dock', path: [] } : await this.options.pool.planRoute(request);
    if (this.closed) return;
    if (isRouteError(result)) {
      this.stats.unreachable++;
      entry.failure = noRouteView(this.siteId, entry.id, 'UNREACHABLE', result.error.message);
      entry.failedFor = input.taskSet;
      this.options.log?.(`site ${this.siteId}: no route for ${entry.id}: ${result.error.message}`);
      this.publish(entry);
      return;
    }
    const taskIds: TaskId[] = [...atDock];
    const seen = new Set<LocationId>();
    for (const locationId of result.sequence) {
      if (seen.has(locationId)) continue;
      seen.add(locationId);
      taskIds.push(...(tasksAt.get(locationId) ?? []));
    }
    // The whole planned walk is what the picker will see first: keep its polyline rather than drawing it again.
    const planned: RemainingWalk = { from: null, stops: [...seen] };
    const submitted = await this.runner.submit({
      type: 'setRoute',
      operativeId: entry.id,
      taskIds,
      distanceM: result.distance,
      method: result.method,
    });
    if (submitted.ok) {
      this.stats.routesSet++;
      entry.attempts = 0;
      if (result.path.length > 0) entry.walk = { key: `${input.blockedKey}|${walkKey(planned)}`, path: flattenPath(result.path) };
      return;
    }
    const { code } = submitted.error;
    if (code === 'INVALID_STATE') this.stats.staleRefused++;
    else this.stats.failures++;
    if ((code === 'INVALID_STATE' || code === 'UNAVAILABLE') && ++entry.attempts < (this.options.maxAttempts ?? 5)) {
      // The task set moved on while we planned (or storage blinked): plan again against what is open now.
      entry.dirty = true;
      return;
    }
    if (code !== 'OPERATIVE_NOT_SIGNED_ON') {
      this.options.log?.(`site ${this.siteId}: route for ${entry.id} refused (${code}): ${submitted.error.message}`);
    }
  }

  /**
   * Reads the view and walk of committed state, with the layout to draw the walk on; the polyline is drawn afterwards.
   * A failure stands while the route is not current, or while the tasks and blocks it was for are unchanged (a block
   * can make a current route unwalkable).
   */
  private readView(twin: TwinState, id: OperativeId): ViewRead | NoRouteView {
    const entry = this.entries.get(id);
    if (entry?.failure != null) {
      const op = twin.operatives.get(id);
      if (!routeIsCurrent(twin, id) || (op !== undefined && entry.failedFor === planKey(twin, op.taskIds))) return entry.failure;
    }
    const read = routeViewOf(twin, id);
    if ('reason' in read) return read;
    return { ...read, layout: effectiveLayout(twin), blockedKey: blockedSetKey(twin) };
  }

  private async withPath(id: OperativeId, read: ViewRead | NoRouteView): Promise<RouteUpdate> {
    if ('reason' in read) return read;
    const key = `${read.blockedKey}|${walkKey(read.walk)}`;
    const entry = this.entries.get(id);
    if (entry?.walk?.key === key) return { ...read.view, path: entry.walk.path };
    if (read.walk.stops.length === 0) return read.view;
    const points: FloorPoint[] | null = await this.options.pool.walkPath(read.layout, read.walk);
    const path = points === null ? [] : flattenPath(points);
    const current = this.entries.get(id);
    if (current !== undefined) current.walk = { key, path };
    return { ...read.view, path };
  }

  /** Pushes the operative's current view to listeners, in order, unless it is what was pushed last. */
  private publish(entry: OperativeEntry): void {
    const next = entry.publishing.then(async () => {
      const read = await this.runner.read((twin) => this.readView(twin, entry.id));
      const update = await this.withPath(entry.id, read);
      const key = JSON.stringify('reason' in update ? [update.reason, update.message] : [update.seq, update.stops.map((s) => s.status)]);
      if (key === entry.lastPublished) return;
      entry.lastPublished = key;
      this.emit(update);
    });
    entry.publishing = next.catch(() => undefined);
    this.track(next);
  }

  private emit(update: RouteUpdate): void {
    this.stats.published++;
    for (const listener of this.listeners) {
      try {
        listener(update);
      } catch (error) {
        this.options.log?.(`site ${this.siteId}: route listener failed`, error);
      }
    }
  }
}
