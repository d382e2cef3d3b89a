import { describe, expect, it } from 'vitest';
import { batchOrders, isBatchingError } from '../../solver/batching/batching.ts';
import { InlineSolverPool } from '../solver-pool/inline-solver-pool.ts';
import type { SolverPool } from '../solver-pool/solver-pool.ts';
import { MemoryEventStore } from '../store/event-store.memory.ts';
import type { SequencedEvent } from '../twin/events.ts';
import { asOrderId, epochMs } from '../twin/ids.ts';
import { LOC, SKU_A, SKU_D, T0, T1, TEST_SITE } from '../twin/test-site.ts';
import { checkTwinInvariants } from '../twin/invariants.ts';
import { OrderPipeline, type OrderPipelineOptions } from './order-pipeline.ts';
import { SiteRunner } from './site-runner.ts';

async function setup(extra: Partial<OrderPipelineOptions> = {}): Promise<{ runner: SiteRunner; pipeline: OrderPipeline; clock: { ms: number } }> {
  const clock = { ms: T0 as number };
  const store = new MemoryEventStore();
  await store.ensureSite(TEST_SITE.id, TEST_SITE);
  const runner = await SiteRunner.open({ site: TEST_SITE, store, clock: { now: () => epochMs((clock.ms += 1000)) } });
  const pipeline = new OrderPipeline(runner, { releaseEveryMs: 0, sweepEveryMs: 0, waveMaxOrders: 2, queueTarget: 3, ...extra });
  return { runner, pipeline, clock };
}

const ok = async (runner: SiteRunner, command: Parameters<SiteRunner['submit']>[0]): Promise<void> => {
  const result = await runner.submit(command);
  if (!result.ok) throw new Error(`${command.type}: ${result.error.code}`);
};

describe('OrderPipeline', () => {
  it('refills a backorder when stock arrives, oldest order first', async () => {
    const { runner, pipeline } = await setup();
    await ok(runner, { type: 'receiveStock', tenantId: T1, locationId: LOC[0]!, skuId: SKU_A, qty: 2 });
    for (const id of ['B1', 'B2']) {
      await ok(runner, { type: 'createOrder', orderId: asOrderId(id), tenantId: T1, lines: [{ skuId: SKU_A, qty: 3 }] });
      await runner.submit({ type: 'allocateOrder', orderId: asOrderId(id), policy: 'partial' });
    }
    expect(runner.twin.orders.get(asOrderId('B1'))?.lines[0]).toMatchObject({ allocated: 2, backordered: 1 });
    expect(runner.twin.orders.get(asOrderId('B2'))?.status).toBe('open');
    await ok(runner, { type: 'receiveStock', tenantId: T1, locationId: LOC[1]!, skuId: SKU_A, qty: 1 });
    await new Promise((resolve) => setImmediate(resolve));
    await runner.idle();
    await new Promise((resolve) => setTimeout(resolve, 10));
    await runner.idle();
    expect(runner.twin.orders.get(asOrderId('B1'))?.lines[0]).toMatchObject({ allocated: 3, backordered: 0 });
    expect(pipeline.stats.refills).toBe(1);
    expect(checkTwinInvariants(runner.twin)).toEqual([]);
    pipeline.close();
  });

  it('releases waves by cut-off while the queue is below target, and sweeps lapsed holds', async () => {
    const { runner, pipeline, clock } = await setup();
    await ok(runner, { type: 'receiveStock', tenantId: T1, locationId: LOC[0]!, skuId: SKU_A, qty: 50 });
    for (const [i, id] of ['late', 'soon', 'mid', 'held'].entries()) {
      await ok(runner, { type: 'createOrder', orderId: asOrderId(id), tenantId: T1, lines: [{ skuId: SKU_A, qty: 1 }], dueAt: epochMs(T0 + (id === 'soon' ? 1 : 5 + i) * 3_600_000) });
    }
    for (const id of ['late', 'soon', 'mid']) await ok(runner, { type: 'allocateOrder', orderId: asOrderId(id) });
    await ok(runner, { type: 'allocateOrder', orderId: asOrderId('held'), ttlMs: 60_000 });
    // 'held' has the latest cut-off, so the first wave of 2 takes 'soon' and 'late'.
    expect(await pipeline.releaseOnce()).toBe(2);
    expect(runner.twin.orders.get(asOrderId('soon'))?.status).toBe('released');
    expect(runner.twin.orders.get(asOrderId('late'))?.status).toBe('released');
    expect(runner.twin.orders.get(asOrderId('mid'))?.status).toBe('allocated');
    clock.ms += 120_000;
    expect(await pipeline.sweepOnce()).toBe(1);
    expect(runner.twin.orders.get(asOrderId('held'))?.status).toBe('open');
    // Queue at 2 < 3: one more wave takes 'mid'; then the queue is at target and nothing is released.
    expect(await pipeline.releaseOnce()).toBe(1);
    expect(await pipeline.releaseOnce()).toBe(0);
    expect(checkTwinInvariants(runner.twin)).toEqual([]);
    pipeline.close();
  });

  describe('automatic waves batched by the solver', () => {
    // Orders alternate between L1 (aisle 1) and L4 (aisle 2): count grouping would mix the aisles, savings does not.
    const placed = [
      { id: 'S1', locationId: LOC[0]!, skuId: SKU_A, qty: 2 },
      { id: 'S2', locationId: LOC[3]!, skuId: SKU_D, qty: 1 },
      { id: 'S3', locationId: LOC[0]!, skuId: SKU_A, qty: 1 },
      { id: 'S4', locationId: LOC[3]!, skuId: SKU_D, qty: 3 },
      { id: 'S5', locationId: LOC[0]!, skuId: SKU_A, qty: 1 },
    ];
    const capacity = { items: 45, orders: 2 };

    async function wave(pool: SolverPool, extra: Partial<OrderPipelineOptions> = {}) {
      const logs: string[] = [];
      const { runner, pipeline } = await setup({ waveMaxOrders: 10, queueTarget: 100, batching: { pool, capacity }, log: (m) => logs.push(m), ...extra });
      await ok(runner, { type: 'receiveStock', tenantId: T1, locationId: LOC[0]!, skuId: SKU_A, qty: 20 });
      await ok(runner, { type: 'receiveStock', tenantId: T1, locationId: LOC[3]!, skuId: SKU_D, qty: 20 });
      for (const o of placed) {
        await ok(runner, { type: 'createOrder', orderId: asOrderId(o.id), tenantId: T1, lines: [{ skuId: o.skuId, qty: o.qty }] });
        await ok(runner, { type: 'allocateOrder', orderId: asOrderId(o.id) });
      }
      // The batches of every WaveReleased committed.
      const released: (readonly string[])[][] = [];
      const onCommitted = (events: readonly SequencedEvent[]): void => {
        for (const { event } of events) if (event.type === 'WaveReleased') released.push(event.batches.map((b) => b.orderIds));
      };
      runner.subscribe({ committed: onCommitted, volatile: () => undefined, reloaded: () => undefined });
      expect(await pipeline.releaseOnce()).toBe(placed.length);
      pipeline.close();
      expect(checkTwinInvariants(runner.twin)).toEqual([]);
      return { released, logs, stats: pipeline.stats };
    }

    it('releases the wave with exactly the savings batches batchOrders gives for its orders', async () => {
      const { released, stats } = await wave(new InlineSolverPool());
      const expected = batchOrders({
        layout: TEST_SITE.layout,
        orders: placed.map((o) => ({ id: o.id, picks: [{ locationId: o.locationId, items: o.qty }] })),
        capacity,
        method: 'savings',
      });
      if (isBatchingError(expected)) throw new Error(expected.error.message);
      const multi = expected.batches.map((b) => b.orderIds).filter((ids) => ids.length > 1);
      expect(multi).toEqual([['S1', 'S3'], ['S2', 'S4']]);
      expect(released).toEqual([multi]);
      expect(stats.batchingFallbacks).toBe(0);
    });

    it('falls back to count grouping, and says why, when the solver fails or is too slow', async () => {
      const failing = new InlineSolverPool();
      await failing.close();
      // A pool whose batching never answers (a stuck worker).
      const never = new (class extends InlineSolverPool {
        override batchOrders(): Promise<never> {
          return new Promise(() => undefined);
        }
      })();
      for (const [pool, reason] of [[failing, /closed/], [never, /no answer within 20 ms/]] as const) {
        const { released, logs, stats } = await wave(pool, { batching: { pool, capacity, timeoutMs: 20 } });
        // R31's count grouping (4 per batch, in the order listed).
        expect(released).toEqual([[['S1', 'S2', 'S3', 'S4']]]);
        expect(stats.batchingFallbacks).toBe(1);
        expect(logs.join('\n')).toMatch(reason);
      }
    });
  });
});
