/** Shared by both pool adapters: requests as worker tasks, and the resend-with-layout (or site) protocol. */
import type { BatchingError, BatchingRequest, BatchingResult } from '../../solver/batching/batching.ts';
import type { ZoneAssignmentInstance, ZoneAssignmentResult } from '../../solver/lp/zone-assignment.ts';
import type { RouteError, RouteRequest, RouteResult } from '../../solver/routing/plan-route.ts';
import type { SlottingInput, SlottingOptions, SlottingReport } from '../../solver/slotting/slot-report.ts';
import type { KeyedSolverTask, RouteTask, SolverReply, SolverTask, WalkRequest } from '../../solver/worker.ts';
import type { FloorPoint } from '../twin/ids.ts';
import type { Layout } from '../twin/layout/types.ts';
import type { SiteDefinition } from '../twin/site.ts';
import type { AssignmentError, AssignmentRequest, AssignmentResult } from '../../solver/assignment/assignment.ts';
import type { WavePlan, WavePlanError, WavePlanRequest } from '../../solver/waves/waves.ts';
import type { ZoneAssignmentOptions } from './solver-pool.ts';
import { layoutKey } from './solver-pool.ts';

/** Runs one task on some worker. */
export type RunTask = (task: SolverTask) => Promise<SolverReply>;

/** The task for a request, naming its layout by key only. */
export function routeTask(request: RouteRequest): RouteTask {
  return {
    kind: 'route',
    layoutKey: layoutKey(request.layout),
    picks: [...request.picks],
    ...(request.method === undefined ? {} : { method: request.method }),
    ...(request.includePath === undefined ? {} : { includePath: request.includePath }),
  };
}

const siteKeys = new WeakMap<SiteDefinition, string>();
let siteCounter = 0;

/**
 * A key for a site object: sites are large and hashing one costs more than shipping it, so the key is the object's
 * identity (the server keeps one site object while it is unchanged); an equal copy is a new key and ships once more.
 */
export function siteKey(site: SiteDefinition): string {
  let key = siteKeys.get(site);
  if (key === undefined) {
    key = `site:${site.id}#${++siteCounter}`;
    siteKeys.set(site, key);
  }
  return key;
}

/**
 * Sends layout-bearing tasks (routes, walks, batching, slotting) by key and resends with the layout only when a worker lacks it. While one resend of a
 * layout is in flight, other misses of the same key wait for it and try again by key first, so a burst of tasks on a
 * cold pool copies the layout about once per worker rather than once per task.
 */
export class LayoutShipper {
  private readonly loading = new Map<string, Promise<unknown>>();

  constructor(private readonly run: RunTask) {}

  async planRoute(request: RouteRequest): Promise<RouteResult | RouteError> {
    const task = routeTask(request);
    const reply = await this.send(task, { ...task, layout: request.layout });
    if (reply.kind !== 'route') throw new Error(`solver worker answered ${reply.kind} to a route task`);
    return reply.result;
  }

  async walkPath(layout: Layout, request: WalkRequest): Promise<FloorPoint[] | null> {
    const task = { kind: 'walk', layoutKey: layoutKey(layout), request } as const;
    const reply = await this.send(task, { ...task, layout });
    if (reply.kind !== 'walk') throw new Error(`solver worker answered ${reply.kind} to a walk task`);
    return reply.path;
  }

  async batchOrders(request: BatchingRequest): Promise<BatchingResult | BatchingError> {
    const { layout, ...rest } = request;
    const task = { kind: 'batch', layoutKey: layoutKey(layout), request: rest } as const;
    const reply = await this.send(task, { ...task, layout });
    if (reply.kind !== 'batch') throw new Error(`solver worker answered ${reply.kind} to a batch task`);
    return reply.result;
  }

  async slottingReport(input: SlottingInput, options: SlottingOptions = {}): Promise<SlottingReport> {
    const { site, stock, ...rest } = input;
    // The stock may be any iterable (a Map's values): an array crosses to a worker thread.
    const task = { kind: 'slot', layoutKey: siteKey(site), input: { ...rest, stock: [...stock] }, options } as const;
    const reply = await this.send(task, { ...task, site });
    if (reply.kind !== 'slot') throw new Error(`solver worker answered ${reply.kind} to a slot task`);
    return reply.report;
  }

  async zoneAssignment(instance: ZoneAssignmentInstance, options: ZoneAssignmentOptions = {}): Promise<ZoneAssignmentResult> {
    const reply = await this.run({ kind: 'zones', instance, ...(options.timeLimitSeconds === undefined ? {} : { timeLimitSeconds: options.timeLimitSeconds }) });
    if (reply.kind !== 'zones') throw new Error(`solver worker answered ${reply.kind} to a zones task`);
    return reply.result;
  }

  async planWave(request: WavePlanRequest): Promise<WavePlan | WavePlanError> {
    const reply = await this.run({ kind: 'wave', request });
    if (reply.kind !== 'wave') throw new Error(`solver worker answered ${reply.kind} to a wave task`);
    return reply.result;
  }

  async assignWork(request: AssignmentRequest): Promise<AssignmentResult | AssignmentError> {
    const { layout, ...rest } = request;
    const task = { kind: 'assign', layoutKey: layoutKey(layout), request: rest } as const;
    const reply = await this.send(task, { ...task, layout });
    if (reply.kind !== 'assign') throw new Error(`solver worker answered ${reply.kind} to an assign task`);
    return reply.result;
  }

  /** Runs `task` by key; on a miss, resends `withPayload` (the same task carrying its layout or site). */
  private async send(task: KeyedSolverTask, withPayload: SolverTask): Promise<SolverReply> {
    let reply = await this.run(task);
    if (reply.kind === 'missing-layout') {
      const loading = this.loading.get(task.layoutKey);
      if (loading !== undefined) {
        await loading;
        reply = await this.run(task);
      }
    }
    if (reply.kind === 'missing-layout') {
      const shipping = this.run(withPayload);
      const settled = shipping.then(
        () => undefined,
        () => undefined,
      );
      this.loading.set(task.layoutKey, settled);
      try {
        reply = await shipping;
      } finally {
        if (this.loading.get(task.layoutKey) === settled) this.loading.delete(task.layoutKey);
      }
    }
    if (reply.kind === 'missing-layout') throw new Error('solver worker lost a layout it was just sent');
    return reply;
  }
}
