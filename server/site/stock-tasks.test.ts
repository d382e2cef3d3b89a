/** Stock tasks: put-away planning, the replenishment trigger (wave release, timer) and the daily expiry sweep (R41, S9, R64). */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryEventStore } from '../store/event-store.memory.ts';
import type { Command } from '../twin/commands.ts';
import { asOrderId, epochMs } from '../twin/ids.ts';
import { checkTwinInvariants } from '../twin/invariants.ts';
import { skuKey } from '../twin/keys.ts';
import { LOC, SKU_A, SKU_B, SKU_C, SKU_D, T0, T1, T2, TEST_SITE } from '../twin/test-site.ts';
import { dockLocationId } from '../twin/stock-status.ts';
import { SiteRunner } from './site-runner.ts';
import { planPutaway, releasedDemand, StockTasks, twinDay, type StockTasksOptions } from './stock-tasks.ts';

const DAY = 86_400_000;
const dock = dockLocationId(TEST_SITE.id);
const opened: StockTasks[] = [];

async function setup(options: Partial<StockTasksOptions> = {}) {
  const clock = { ms: T0 as number };
  const store = new MemoryEventStore();
  await store.ensureSite(TEST_SITE.id, TEST_SITE);
  const twinClock = { now: () => epochMs((clock.ms += 1000)) };
  const runner = await SiteRunner.open({ site: TEST_SITE, store, clock: twinClock });
  const tasks = new StockTasks(runner, { replenishEveryMs: 0, expirySweepEveryMs: 0, clock: { now: () => epochMs(clock.ms) }, ...options });
  opened.push(tasks);
  const ok = async (command: Command): Promise<void> => {
    const result = await runner.submit(command);
    if (!result.ok) throw new Error(`${command.type}: ${result.error.code} ${result.error.message}`);
  };
  return { runner, tasks, clock, ok };
}

/** Waits (bounded) until `done()` holds; the trigger runs after a commit, asynchronously. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 2));
  expect(done()).toBe(true);
}

afterEach(() => {
  for (const t of opened.splice(0)) t.close();
});

describe('planPutaway', () => {
  it('[S9][R57] plans the dock to bins of the same client and counts open tasks, so two SKUs never race for one empty bin', async () => {
    const { runner, ok } = await setup();
    await ok({ type: 'receiveStock', tenantId: T2, locationId: LOC[0]!, skuId: SKU_C, qty: 5 });
    await ok({ type: 'receiveGoods', receiptId: 'R1', tenantId: T1, skuId: SKU_A, qty: 10, reason: 'blind' });
    await ok({ type: 'receiveGoods', receiptId: 'R2', tenantId: T1, skuId: SKU_D, qty: 10, reason: 'blind' });
    const first = await runner.read((twin) => planPutaway(twin, { from: 'dock', skuId: SKU_A }));
    expect(first.planned).toHaveLength(1);
    expect(first.planned[0]!.command).toMatchObject({ kind: 'putaway', fromLocationId: dock, qty: 10, tenantId: T1 });
    expect(first.planned[0]!.command.toLocationId).not.toBe(LOC[0]);
    await ok(first.planned[0]!.command);
    const second = await runner.read((twin) => planPutaway(twin, { from: 'dock', skuId: SKU_D }));
    expect(second.planned[0]!.command.toLocationId).not.toBe(first.planned[0]!.command.toLocationId);
    expect(second.planned[0]!.command.toLocationId).not.toBe(LOC[0]);
    // Nothing free left of A: planning again plans nothing.
    expect((await runner.read((twin) => planPutaway(twin, { from: 'dock', skuId: SKU_A }))).planned).toEqual([]);
  });

  it('[S9] reports what no bin can take', async () => {
    const { runner, ok } = await setup();
    // Every bin holds another client's SKU.
    for (const loc of LOC) await ok({ type: 'receiveStock', tenantId: T2, locationId: loc, skuId: SKU_C, qty: 1 });
    await ok({ type: 'receiveGoods', receiptId: 'R1', tenantId: T1, skuId: SKU_A, qty: 4, reason: 'blind' });
    const plan = await runner.read((twin) => planPutaway(twin, { from: 'dock' }));
    expect(plan.planned).toEqual([]);
    expect(plan.unplaced).toEqual([expect.objectContaining({ tenantId: T1, skuId: SKU_A, qty: 4 })]);
  });
});

describe('StockTasks', () => {
  it('[R64] a wave release triggers replenishment with the released demand', async () => {
    const { runner, tasks, ok } = await setup();
    await ok({ type: 'receiveStock', tenantId: T1, locationId: LOC[0]!, skuId: SKU_A, qty: 5 });
    await ok({ type: 'receiveStock', tenantId: T1, locationId: LOC[1]!, skuId: SKU_A, qty: 30 });
    await ok({ type: 'setPickFace', locationId: LOC[0]!, tenantId: T1, skuId: SKU_A, min: 2, max: 20 });
    // Above min: the timer-less pass plans nothing.
    await tasks.replenish();
    expect(runner.twin.moveTasks.size).toBe(0);
    const orderId = asOrderId('W-1');
    await ok({ type: 'createOrder', orderId, tenantId: T1, lines: [{ skuId: SKU_A, qty: 8 }] });
    await ok({ type: 'allocateOrder', orderId });
    await ok({ type: 'releaseWave', waveId: 'WAVE-1', orderIds: [orderId] });
    expect(releasedDemand(runner.twin)).toEqual(new Map([[skuKey(T1, SKU_A), 8]]));
    await until(() => runner.twin.moveTasks.size > 0);
    const [task] = [...runner.twin.moveTasks.values()];
    expect(task).toMatchObject({ kind: 'replenish', fromLocationId: LOC[1], suggestedToLocationId: LOC[0], status: 'open' });
    expect(task!.reason).toMatch(/wave demand 8/);
    expect(tasks.stats.replenishTasks).toBe(1);
    expect(checkTwinInvariants(runner.twin)).toEqual([]);
  });

  it('[R64] replenishes on its timer when a face falls below min', async () => {
    const { runner, tasks, ok } = await setup({ replenishEveryMs: 5 });
    await ok({ type: 'receiveStock', tenantId: T1, locationId: LOC[3]!, skuId: SKU_D, qty: 40 });
    await ok({ type: 'setPickFace', locationId: LOC[2]!, tenantId: T1, skuId: SKU_D, min: 5, max: 12 });
    tasks.start();
    await until(() => runner.twin.moveTasks.size > 0);
    expect([...runner.twin.moveTasks.values()].map((t) => [t.fromLocationId, t.suggestedToLocationId, t.qty])).toEqual([[LOC[3], LOC[2], 12]]);
  });

  it('[R41] sweeps expired lots at start and once per twin day', async () => {
    const { runner, tasks, clock, ok } = await setup({ expirySweepEveryMs: 60_000 });
    const today = twinDay(clock.ms);
    const tomorrow = twinDay(clock.ms + DAY);
    await ok({ type: 'receiveStock', tenantId: T1, locationId: LOC[4]!, skuId: SKU_B, lot: 'OLD', expiry: '2026-01-01', qty: 3 });
    await ok({ type: 'receiveStock', tenantId: T1, locationId: LOC[4]!, skuId: SKU_B, lot: 'EDGE', expiry: today, qty: 2 });
    tasks.start();
    await until(() => tasks.stats.expirySweeps === 1);
    const held = () => [...runner.twin.holds.values()].filter((h) => h.status === 'expired').flatMap((h) => h.lines.map((l) => [l.lot, l.qty]));
    expect(held()).toEqual([['OLD', 3]]);
    // The same day again: nothing is submitted.
    expect(await tasks.sweepExpiredOnce()).toBe(0);
    expect(tasks.stats.expirySweeps).toBe(1);
    // The next twin day: the lot that expired today is held.
    clock.ms = Date.parse(`${tomorrow}T06:00:00Z`);
    expect(await tasks.sweepExpiredOnce()).toBe(2);
    expect(held()).toEqual([['OLD', 3], ['EDGE', 2]]);
    expect(tasks.stats).toMatchObject({ expirySweeps: 2, expiredHolds: 2 });
  });
});
