import { afterEach, describe, expect, it } from 'vitest';
import { InlineSolverPool } from '../solver-pool/inline-solver-pool.ts';
import { MemoryEventStore } from '../store/event-store.memory.ts';
import type { Command } from '../twin/commands.ts';
import type { DurableEvent } from '../twin/events.ts';
import { asOperativeId, asOrderId, epochMs, type EpochMs, type OperativeId } from '../twin/ids.ts';
import { checkTwinInvariants } from '../twin/invariants.ts';
import { LOC, SKU_A, SKU_D, T0, T1, TEST_SITE } from '../twin/test-site.ts';
import { SiteRunner } from './site-runner.ts';
import { readUnits, WorkAssigner, type WorkAssignerOptions } from './work-assigner.ts';

const P1 = asOperativeId('P1');
const P2 = asOperativeId('P2');
const BEHIND_MS = 120_000;

interface Harness {
  readonly runner: SiteRunner;
  readonly store: MemoryEventStore;
  readonly assigner: WorkAssigner;
  readonly clock: { ms: number };
  readonly logs: string[];
}

const open: { assigner: WorkAssigner; runner: SiteRunner }[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) {
    await h.assigner.close();
    await h.runner.close();
  }
});

async function setup(extra: Partial<WorkAssignerOptions> = {}): Promise<Harness> {
  const clock = { ms: T0 as number };
  const store = new MemoryEventStore();
  await store.ensureSite(TEST_SITE.id, TEST_SITE);
  const now = (): EpochMs => epochMs(clock.ms);
  const runner = await SiteRunner.open({ site: TEST_SITE, store, clock: { now: () => epochMs((clock.ms += 1000)) } });
  const logs: string[] = [];
  const assigner = new WorkAssigner(runner, {
    pool: new InlineSolverPool(),
    intervalMs: 0,
    now,
    behindAfterMs: BEHIND_MS,
    log: (message) => logs.push(message),
    ...extra,
  });
  assigner.start();
  open.push({ assigner, runner });
  await ok(runner, { type: 'receiveStock', tenantId: T1, locationId: LOC[0]!, skuId: SKU_A, qty: 50 });
  await ok(runner, { type: 'receiveStock', tenantId: T1, locationId: LOC[3]!, skuId: SKU_D, qty: 50 });
  return { runner, store, assigner, clock, logs };
}

async function ok(runner: SiteRunner, command: Command): Promise<void> {
  const result = await runner.submit(command);
  if (!result.ok) throw new Error(`${command.type}: ${result.error.code} ${result.error.message}`);
}

/** A released one-line order at L1 (SKU A) or L4 (SKU D). */
async function release(runner: SiteRunner, id: string, at: 'L1' | 'L4' = 'L1', priority = 0): Promise<void> {
  const orderId = asOrderId(id);
  await ok(runner, { type: 'createOrder', orderId, tenantId: T1, lines: [{ skuId: at === 'L1' ? SKU_A : SKU_D, qty: 1 }], priority });
  await ok(runner, { type: 'allocateOrder', orderId });
  await ok(runner, { type: 'releaseOrder', orderId });
}

const held = (runner: SiteRunner, id: OperativeId): string[] => [...(runner.twin.operatives.get(id)?.taskIds ?? [])];
const logged = async (store: MemoryEventStore, type: DurableEvent['type']): Promise<DurableEvent[]> =>
  (await store.load(TEST_SITE.id)).map((e) => e.event).filter((e) => e.type === type);

describe('WorkAssigner', () => {
  it('[R68][A1] pushes whole orders, one per idle operative per pass, highest priority first', async () => {
    const { runner, assigner, store } = await setup();
    await ok(runner, { type: 'signOn', operativeId: P1, name: 'Pat' });
    await ok(runner, { type: 'signOn', operativeId: P2, name: 'Sam' });
    await release(runner, 'LOW', 'L1', 0);
    await release(runner, 'HIGH', 'L4', 5);
    await release(runner, 'MID', 'L1', 2);
    await assigner.runOnce();
    const pushed = (await logged(store, 'TasksAssigned')) as Extract<DurableEvent, { type: 'TasksAssigned' }>[];
    expect(pushed.every((e) => e.pushed === true)).toBe(true);
    expect(new Set([...held(runner, P1), ...held(runner, P2)])).toEqual(new Set(['HIGH-T1', 'MID-T1']));
    expect(runner.twin.releaseQueue).toEqual(['LOW']);
    // Both hold work now (topUpBelowTasks 1): nothing more is pushed.
    await assigner.runOnce();
    expect(runner.twin.releaseQueue).toEqual(['LOW']);
    expect(assigner.stats).toMatchObject({ unitsAssigned: 2, tasksPushed: 2, stale: 0, failures: 0 });
    expect(checkTwinInvariants(runner.twin)).toEqual([]);
  });

  it('[A2][R67] never pushes work outside an operative\'s zones or skills', async () => {
    const { runner, assigner } = await setup({ skillOf: () => 'reach' });
    await ok(runner, { type: 'signOn', operativeId: P1, name: 'Pat', zones: ['Z2'], skills: ['reach'] });
    await ok(runner, { type: 'signOn', operativeId: P2, name: 'Sam', zones: ['Z1'] });
    await release(runner, 'O1');
    await assigner.runOnce();
    expect(held(runner, P1)).toEqual([]);
    expect(held(runner, P2)).toEqual([]);
    await ok(runner, { type: 'signOn', operativeId: asOperativeId('P3'), name: 'Ray', skills: ['reach'] });
    await assigner.runOnce();
    expect(held(runner, asOperativeId('P3'))).toEqual(['O1-T1']);
  });

  it('[R14] gives a signed-off operative\'s open tasks to someone else, without waiting for the timer', async () => {
    const { runner, assigner, logs } = await setup({ intervalMs: 3_600_000 });
    await ok(runner, { type: 'signOn', operativeId: P1, name: 'Pat' });
    await release(runner, 'O1');
    await assigner.idle();
    expect(held(runner, P1)).toEqual(['O1-T1']);
    await ok(runner, { type: 'signOn', operativeId: P2, name: 'Sam' });
    await ok(runner, { type: 'signOff', operativeId: P1 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await assigner.idle();
    expect(held(runner, P2)).toEqual(['O1-T1']);
    expect(assigner.stats.signOffs).toBe(1);
    expect(logs.some((l) => l.includes('P1 signed off holding 1 task(s); reassigning'))).toBe(true);
    expect(checkTwinInvariants(runner.twin)).toEqual([]);
  });

  it('[R69][R70] takes work back from an operative who falls behind, logs why, gives it to another, and benches them', async () => {
    const { runner, assigner, store, clock, logs } = await setup();
    await ok(runner, { type: 'signOn', operativeId: P1, name: 'Pat' });
    await release(runner, 'O1');
    await assigner.runOnce();
    expect(held(runner, P1)).toEqual(['O1-T1']);
    await ok(runner, { type: 'signOn', operativeId: P2, name: 'Sam' });
    // Not yet behind: P1 keeps the work.
    clock.ms += BEHIND_MS - 10_000;
    await assigner.runOnce();
    expect(held(runner, P1)).toEqual(['O1-T1']);
    clock.ms += 20_000;
    await assigner.runOnce();
    expect(held(runner, P1)).toEqual([]);
    expect(held(runner, P2)).toEqual(['O1-T1']);
    const [taken] = (await logged(store, 'TasksUnassigned')) as Extract<DurableEvent, { type: 'TasksUnassigned' }>[];
    expect(taken).toMatchObject({ operativeId: P1, taskIds: ['O1-T1'], reason: expect.stringMatching(/^falls behind: no pick for \d+ s while holding 1 task/) as unknown });
    expect(logs.some((l) => l.includes('took 1 task(s) back from P1'))).toBe(true);
    expect(assigner.stats).toMatchObject({ behind: 1, tasksTakenBack: 1 });
    // P1 is benched: new work goes elsewhere until they show progress (here: they pull work themselves).
    await release(runner, 'O2', 'L4');
    await assigner.runOnce();
    expect(held(runner, P1)).toEqual([]);
    await ok(runner, { type: 'requestWork', operativeId: P1, maxTasks: 5 });
    expect(held(runner, P1)).toEqual(['O2-T1']);
    expect(checkTwinInvariants(runner.twin)).toEqual([]);
  });

  it('[R31] reads a wave batch as one unit with its orders\' earliest cut-off and highest priority', async () => {
    const { runner } = await setup();
    for (const [id, due] of [['B1', 7_200_000], ['B2', 3_600_000]] as const) {
      await ok(runner, { type: 'createOrder', orderId: asOrderId(id), tenantId: T1, lines: [{ skuId: id === 'B1' ? SKU_A : SKU_D, qty: 1 }], priority: id === 'B2' ? 3 : 0, dueAt: epochMs(T0 + due) });
      await ok(runner, { type: 'allocateOrder', orderId: asOrderId(id) });
    }
    await ok(runner, { type: 'releaseWave', waveId: 'W1', orderIds: [asOrderId('B1'), asOrderId('B2')], maxBatchOrders: 2 });
    const units = readUnits(runner.twin);
    expect(units).toHaveLength(1);
    expect(units[0]).toMatchObject({
      unit: { id: 'W1-B1', kind: 'pick', locationIds: expect.arrayContaining([LOC[0], LOC[3]]) as unknown, tasks: 2, dueAtMs: T0 + 3_600_000, priority: 3 },
      move: false,
    });
    expect(units[0]!.taskIds).toEqual(expect.arrayContaining(['B1-T1', 'B2-T1']));
  });
});
