/** Shared by both pool adapters: a route request as a worker task, and the resend-with-layout protocol. */
import type { RouteError, RouteRequest, RouteResult } from '../../solver/routing/plan-route.ts';
import type { RouteTask, SolverReply, SolverTask, WalkRequest } from '../../solver/worker.ts';
import type { FloorPoint } from '../twin/ids.ts';
import type { Layout } from '../twin/layout/types.ts';
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

/**
 * Sends route tasks by layout key and resends with the layout only when a worker lacks it. While one resend of a
 * layout is in flight, other misses of the same key wait for it and try again by key first, so a burst of tasks on a
 * cold pool copies the layout about once per worker rather than once per task.
 */
export class LayoutShipper {
  private readonly loading = new Map<string, Promise<unknown>>();

  constructor(private readonly run: RunTask) {}

  async planRoute(request: RouteRequest): Promise<RouteResult | RouteError> {
    const reply = await this.send(routeTask(request), request.layout);
    if (reply.kind !== 'route') throw new Error(`solver worker answered ${reply.kind} to a route task`);
    return reply.result;
  }

  async walkPath(layout: Layout, request: WalkRequest): Promise<FloorPoint[] | null> {
    const reply = await this.send({ kind: 'walk', layoutKey: layoutKey(layout), request }, layout);
    if (reply.kind !== 'walk') throw new Error(`solver worker answered ${reply.kind} to a walk task`);
    return reply.path;
  }

  private async send(task: SolverTask, layout: Layout): Promise<SolverReply> {
    let reply = await this.run(task);
    if (reply.kind === 'missing-layout') {
      const loading = this.loading.get(task.layoutKey);
      if (loading !== undefined) {
        await loading;
        reply = await this.run(task);
      }
    }
    if (reply.kind === 'missing-layout') {
      const shipping = this.run({ ...task, layout });
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
