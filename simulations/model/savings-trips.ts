/**
 * Savings batching in the simulator (SPEC M14): when a picker at the depot asks for work, the engine's savings batching
 * (solver/batching, the code the product's waves use) groups the orders waiting at the head of the release queue, and
 * the picker is handed the batch of the head order (`assignWork`). Cart rules as first come: at most `maxOrders` orders
 * and `maxLines` released tasks per trip; an order with more tasks than a trip alone goes in pieces of `maxLines`.
 * Pure and deterministic: the engine is, and its input depends only on the run's twin.
 */
import type { OrderId, TaskId } from '../../server/twin/ids.ts';
import type { Layout } from '../../server/twin/layout/types.ts';
import { MAX_ASSIGN_TASKS } from '../../server/twin/work-assignment.ts';
import type { TwinState } from '../../server/twin/state.ts';
import type { BatchingOrder } from '../../solver/batching/batching.ts';
import { batchOrders, isBatchingError } from '../../solver/batching/batching.ts';
import type { BatchingPolicy } from '../scenario/types.ts';

type SavingsPolicy = Extract<BatchingPolicy, { kind: 'savings' }>;

/** How many queued orders (per allowed order of a trip) the engine looks at: the candidates of one trip. */
export const SAVINGS_WINDOW_PER_ORDER = 4;

/** Forms the next trip by savings batching over the waiting orders. */
export class SavingsTrips {
  constructor(
    private readonly layout: Layout,
    private readonly policy: SavingsPolicy,
  ) {}

  /** The released tasks of the next trip (empty when nothing waits), the head order's batch first come. */
  next(state: TwinState): TaskId[] {
    const maxLines = Math.min(MAX_ASSIGN_TASKS, Math.max(1, Math.floor(this.policy.maxLines)));
    const maxOrders = Math.max(1, Math.floor(this.policy.maxOrders));
    const window = maxOrders * SAVINGS_WINDOW_PER_ORDER;
    const tasksOf = new Map<string, TaskId[]>();
    const orders: BatchingOrder[] = [];
    let head: OrderId | null = null;
    for (const id of state.releaseQueue) {
      const tasks = releasedTasks(state, id);
      if (tasks.length === 0) continue;
      if (head === null) {
        head = id;
        // The head order alone fills a trip: it is picked in pieces, as first come does.
        if (tasks.length >= maxLines) return tasks.slice(0, maxLines);
      } else if (tasks.length > maxLines) continue;
      tasksOf.set(id, tasks);
      orders.push({ id, picks: tasks.map((t) => ({ locationId: state.tasks.get(t)!.locationId, items: 1 })) });
      if (orders.length >= window) break;
    }
    if (head === null) return [];
    const headTasks = tasksOf.get(head)!;
    if (orders.length === 1 || maxOrders === 1) return headTasks;
    const result = batchOrders({
      layout: this.layout,
      orders,
      capacity: { orders: maxOrders, items: maxLines },
      method: this.policy.localSearch === true ? 'savings-local-search' : 'savings',
    });
    // The engine refuses only input the model cannot produce (an unknown location): the head order goes alone.
    if (isBatchingError(result)) return headTasks;
    const batch = result.batches.find((b) => b.orderIds.includes(head));
    if (batch === undefined) return headTasks;
    return batch.orderIds.flatMap((id) => tasksOf.get(id) ?? []);
  }
}

function releasedTasks(state: TwinState, id: OrderId): TaskId[] {
  const o = state.orders.get(id);
  if (o === undefined) return [];
  return o.taskIds.filter((t) => state.tasks.get(t)?.status === 'released');
}
