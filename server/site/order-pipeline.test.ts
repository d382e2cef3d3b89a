import { describe, expect, it } from 'vitest';
import { MemoryEventStore } from '../store/event-store.memory.ts';
import { asOrderId, epochMs } from '../twin/ids.ts';
import { LOC, SKU_A, T0, T1, TEST_SITE } from '../twin/test-site.ts';
import { checkTwinInvariants } from '../twin/invariants.ts';
import { OrderPipeline } from './order-pipeline.ts';
import { SiteRunner } from './site-runner.ts';

async function setup(): Promise<{ runner: SiteRunner; pipeline: OrderPipeline; clock: { ms: number } }> {
  const clock = { ms: T0 as number };
  const store = new MemoryEventStore();
  await store.ensureSite(TEST_SITE.id, TEST_SITE);
  const runner = await SiteRunner.open({ site: TEST_SITE, store, clock: { now: () => epochMs((clock.ms += 1000)) } });
  const pipeline = new OrderPipeline(runner, { releaseEveryMs: 0, sweepEveryMs: 0, waveMaxOrders: 2, queueTarget: 3 });
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
});
