import { describe, expect, it } from 'vitest';
import { batchOrders, isBatchingError } from '../../solver/batching/batching.ts';
import { InlineSolverPool } from '../solver-pool/inline-solver-pool.ts';
import type { SolverPool } from '../solver-pool/solver-pool.ts';
import { MemoryEventStore } from '../store/event-store.memory.ts';
import type { SequencedEvent } from '../twin/events.ts';
import { asOrderId, epochMs } from '../twin/ids.ts';
import { LOC, SKU_A, SKU_D, T0, T1, TEST_SITE } from '../twin/test-site.ts';
import { checkTwinInvariants } from '../twin/invariants.ts';
import { planWave } from '../../solver/waves/waves.ts';
import { asOperativeId } from '../twin/ids.ts';
import { OrderPipeline, WAVE_PLANNING_DEFAULTS, wavePlanRequest, type OrderPipelineOptions, type WavePlanningOptions } from './order-pipeline.ts';
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
      for (const [pool, reason] of [[failing, /closed/], [never, /no answer in 20 ms/]] as const) {
        const { released, logs, stats } = await wave(pool, { batching: { pool, capacity, timeoutMs: 20 } });
        // R31's count grouping (4 per batch, in the order listed).
        expect(released).toEqual([[['S1', 'S2', 'S3', 'S4']]]);
        expect(stats.batchingFallbacks).toBe(1);
        expect(logs.join('\n')).toMatch(reason);
      }
    });
  });

  describe('planned and waveless release (solver/waves)', () => {
    const MIN = 60_000;
    /** Six one-line orders of SKU A at L1, cut-offs 1 … 6 hours ahead (o6 has none), and one picker signed on. */
    async function floor(planning: Partial<WavePlanningOptions> & { pool?: SolverPool }, extra: Partial<OrderPipelineOptions> = {}) {
      const logs: string[] = [];
      const site = { ms: T0 as number };
      const { runner, pipeline } = await setup({
        waveMaxOrders: 10, queueTarget: 100, log: (m) => logs.push(m), now: () => epochMs(site.ms),
        planning: { mode: 'planned', pool: new InlineSolverPool(), picksPerHour: 8, packStations: 1, packOrdersPerHour: 60, ...planning },
        ...extra,
      });
      await ok(runner, { type: 'receiveStock', tenantId: T1, locationId: LOC[0]!, skuId: SKU_A, qty: 50 });
      for (let k = 1; k <= 6; k++) {
        const id = asOrderId(`o${k}`);
        await ok(runner, { type: 'createOrder', orderId: id, tenantId: T1, lines: [{ skuId: SKU_A, qty: 1 }], ...(k === 6 ? {} : { dueAt: epochMs(T0 + (7 - k) * 3_600_000) }) });
        await ok(runner, { type: 'allocateOrder', orderId: id });
      }
      await ok(runner, { type: 'signOn', operativeId: asOperativeId('P1'), name: 'Pat' });
      site.ms = runner.twin.now;
      return { runner, pipeline, logs, site };
    }
    const released = (runner: SiteRunner): string[] => [...runner.twin.orders.values()].filter((o) => o.status === 'released').map((o) => o.id).sort();

    it('[W2][W5] reads the twin as the planner sees it: orders, pickers and rate, work released and not packed', async () => {
      const { runner, pipeline, site } = await floor({});
      await ok(runner, { type: 'releaseWave', waveId: 'W0', orderIds: [asOrderId('o1'), asOrderId('o2')] });
      const settings = { mode: 'planned', now: site.ms, intervalMs: 15 * MIN, picksPerHour: 8, packStations: 1, packOrdersPerHour: 60, maxOrders: 10 } as const;
      const request = wavePlanRequest(runner.twin, settings);
      expect(request.orders.map((o) => o.id).sort()).toEqual(['o3', 'o4', 'o5', 'o6']);
      expect(request.orders.find((o) => o.id === 'o6')).toMatchObject({ lines: 1, cutoffAt: null, priority: 0 });
      expect(request).toMatchObject({ mode: 'wave', labour: { pickers: 1, picksPerHour: 8 }, released: { lines: 2, orders: 2 }, packing: { stations: 1, ordersPerHour: 60 }, maxOrders: 10 });
      // A measured rate above the configured one is used: 2 picks in the last hour by 1 picker beats 1 line/h.
      await ok(runner, { type: 'requestWork', operativeId: asOperativeId('P1'), maxTasks: 5 });
      for (const task of [...runner.twin.tasks.values()]) {
        await ok(runner, { type: 'confirmPick', taskId: task.id, operativeId: asOperativeId('P1'), scannedLocation: task.locationId, scannedItem: 'BC-A', qty: task.qty });
      }
      const after = wavePlanRequest(runner.twin, { ...settings, now: runner.twin.now, picksPerHour: 1 });
      expect(after).toMatchObject({ labour: { pickers: 1, picksPerHour: 2 }, released: { lines: 0, orders: 2 } });
      pipeline.close();
    });

    it('[W3][W5] planned: releases the planner\'s wave when due — within the labour on shift — and nothing until the next', async () => {
      const { runner, pipeline, site } = await floor({ waveIntervalMs: 15 * MIN });
      // 1 picker × 8 lines/h × 15 min = 2 lines: the two earliest cut-offs.
      const expected = planWave(wavePlanRequest(runner.twin, { mode: 'planned', now: site.ms, intervalMs: 15 * MIN, picksPerHour: 8, packStations: 1, packOrdersPerHour: 60, maxOrders: 10 }));
      expect(expected).toMatchObject({ release: ['o5', 'o4'] });
      expect(await pipeline.releaseOnce()).toBe(2);
      expect(released(runner)).toEqual(['o4', 'o5']);
      site.ms += 14 * MIN;
      expect(await pipeline.releaseOnce()).toBe(0);
      // Due again, but the two lines are still on the floor: the labour cap is used up.
      site.ms += MIN;
      expect(await pipeline.releaseOnce()).toBe(0);
      expect(pipeline.stats).toMatchObject({ waves: 1, ordersReleased: 2, plans: 2, planFallbacks: 0, atRiskReleased: 0 });
      expect(checkTwinInvariants(runner.twin)).toEqual([]);
      pipeline.close();
    });

    it('[W3] waveless: re-plans on every tick, topping the floor up to interval + cover', async () => {
      // 60 lines/h: 1 line a minute; interval 1 min + cover 2 min = 3 lines.
      const { runner, pipeline, site } = await floor({ mode: 'waveless', picksPerHour: 60, coverMs: 2 * MIN, wavelessIntervalMs: MIN });
      expect(await pipeline.releaseOnce()).toBe(3);
      expect(released(runner)).toEqual(['o3', 'o4', 'o5']);
      site.ms += MIN;
      expect(await pipeline.releaseOnce()).toBe(0);
      expect(pipeline.stats).toMatchObject({ waves: 1, plans: 2 });
      pipeline.close();
    });

    it('[W7] counts orders released at risk once, and reports those waiting at risk; no pickers: nothing released', async () => {
      const { runner, pipeline, site } = await floor({ mode: 'waveless', picksPerHour: 60, coverMs: 2 * MIN });
      await ok(runner, { type: 'signOff', operativeId: asOperativeId('P1') });
      // Past every cut-off but o1's (6 h ahead), and o1 must start within the next 30 s re-plan (latest start 5:58).
      site.ms += (5 * 60 + 57.75) * MIN;
      expect(await pipeline.releaseOnce()).toBe(0);
      expect(pipeline.stats).toMatchObject({ atRiskWaiting: 5, atRiskReleased: 0 });
      await ok(runner, { type: 'signOn', operativeId: asOperativeId('P2'), name: 'Sam' });
      // 2 lines of labour (30 s + 2 min at 1 a minute): must-go o1, then the late ones by priority (equal), cut-off: o5.
      expect(await pipeline.releaseOnce()).toBe(2);
      expect(released(runner)).toEqual(['o1', 'o5']);
      expect(pipeline.stats).toMatchObject({ atRiskReleased: 1, atRiskWaiting: 3, waves: 1 });
      pipeline.close();
    });

    it('keeps batching the planned set with the savings batching', async () => {
      const pool = new InlineSolverPool();
      const { runner, pipeline } = await floor({ mode: 'waveless', picksPerHour: 60, coverMs: 10 * MIN, pool }, { batching: { pool, capacity: { items: 45, orders: 4 } } });
      const batches: (readonly string[])[][] = [];
      runner.subscribe({ committed: (events) => { for (const { event } of events) if (event.type === 'WaveReleased') batches.push(event.batches.map((b) => b.orderIds)); }, volatile: () => undefined, reloaded: () => undefined });
      expect(await pipeline.releaseOnce()).toBe(6);
      const expected = batchOrders({ layout: TEST_SITE.layout, orders: ['o5', 'o4', 'o3', 'o2', 'o1', 'o6'].map((id, k) => ({ id, picks: [{ locationId: LOC[0]!, items: 1 }], ...(id === 'o6' ? {} : { cutoffAt: T0 + (2 + k) * 3_600_000 }) })), capacity: { items: 45, orders: 4 }, method: 'savings' });
      if (isBatchingError(expected)) throw new Error(expected.error.message);
      expect(batches).toEqual([expected.batches.map((b) => b.orderIds).filter((ids) => ids.length > 1)]);
      expect(pipeline.stats.batchingFallbacks).toBe(0);
      pipeline.close();
    });

    it('falls back to count waves, and says why, when the planner fails or is too slow', async () => {
      const failing = new InlineSolverPool();
      await failing.close();
      const never = new (class extends InlineSolverPool {
        override planWave(): Promise<never> {
          return new Promise(() => undefined);
        }
      })();
      for (const [pool, reason] of [[failing, /closed/], [never, /no answer in 20 ms/]] as const) {
        const { runner, pipeline, logs } = await floor({ pool, timeoutMs: 20 }, { waveMaxOrders: 4 });
        // The count selection: 4 orders by cut-off, whatever the labour (the planner would have released 2).
        expect(await pipeline.releaseOnce()).toBe(4);
        expect(released(runner)).toEqual(['o2', 'o3', 'o4', 'o5']);
        expect(pipeline.stats).toMatchObject({ planFallbacks: 1, plans: 0, waves: 1 });
        expect(logs.join('\n')).toMatch(reason);
        pipeline.close();
      }
      expect(WAVE_PLANNING_DEFAULTS.timeoutMs).toBe(2_000);
    });
  });
});
