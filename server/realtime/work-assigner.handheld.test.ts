import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NextPickResult, ScanResult, SignOnResult } from '../protocol/picking.ts';
import { siteRegistry } from '../api/sites.ts';
import { SiteRunner } from '../site/site-runner.ts';
import { WorkAssigner } from '../site/work-assigner.ts';
import { InlineSolverPool } from '../solver-pool/inline-solver-pool.ts';
import { MemoryEventStore } from '../store/event-store.memory.ts';
import { asOrderId, epochMs, type LocationId } from '../twin/ids.ts';
import { attachPickingGateway, type PickingGateway } from './picking-gateway.ts';
import { BINS, SKU, TENANT, tinySite } from './realtime.fixture.ts';
import { WAIT_MS, connectClient, startServer, type FloorClient, type RunningServer } from './socket-test-kit.ts';

const BARCODE = '5000000000005';
const TINY = tinySite('push-gw');
const SITE = { ...TINY, skus: TINY.skus.map((sku) => ({ ...sku, barcode: BARCODE })) };
const OP = 'HH-1';

describe('pushed work on the handheld', () => {
  let running: RunningServer;
  let gateway: PickingGateway;
  let runner: SiteRunner;
  let assigner: WorkAssigner;
  let socket: FloorClient;
  let now = Date.UTC(2026, 10, 27, 8);
  const base = { siteId: SITE.id, operativeId: OP, deviceId: 'device-1' };
  const emitSignOn = (request: unknown): Promise<SignOnResult> => socket.timeout(WAIT_MS).emitWithAck('picker:signOn', request);
  const emitNext = (request: unknown): Promise<NextPickResult> => socket.timeout(WAIT_MS).emitWithAck('picker:next', request);
  const emitScan = (request: unknown): Promise<ScanResult> => socket.timeout(WAIT_MS).emitWithAck('picker:scan', request);

  async function release(orderId: string, bin: LocationId): Promise<void> {
    for (const command of [
      { type: 'receiveStock', tenantId: TENANT, locationId: bin, skuId: SKU, qty: 1 },
      { type: 'createOrder', orderId: asOrderId(orderId), tenantId: TENANT, lines: [{ skuId: SKU, qty: 1 }] },
      { type: 'allocateOrder', orderId: asOrderId(orderId) },
      { type: 'releaseOrder', orderId: asOrderId(orderId) },
    ] as const) {
      const result = await runner.submit(command);
      if (!result.ok) throw new Error(`${command.type}: ${result.error.code}`);
    }
  }

  beforeEach(async () => {
    const store = new MemoryEventStore();
    await store.ensureSite(SITE.id, SITE);
    runner = await SiteRunner.open({ site: SITE, store, clock: { now: () => epochMs((now += 1000)) } });
    assigner = new WorkAssigner(runner, { pool: new InlineSolverPool(), intervalMs: 0, now: () => epochMs(now) });
    running = await startServer();
    gateway = attachPickingGateway(running.server.io, siteRegistry([runner]), { maxTasks: 5 });
    socket = await connectClient(running.url);
  });

  afterEach(async () => {
    socket.disconnect();
    gateway.close();
    await assigner.close();
    await running.server.close();
    await runner.close();
  });

  it('[R68] a pushed order reaches the handheld session first; pull resumes once it is done', async () => {
    const signOn = await emitSignOn({ ...base, name: 'Pat', skills: ['reach'] });
    expect(signOn.ok).toBe(true);
    expect(runner.twin.operatives.get(base.operativeId as never)).toMatchObject({ zones: [], skills: ['reach'] });
    await release('O1', BINS[0]!);
    await release('O2', BINS[2]!);
    await assigner.runOnce();
    const pushed = runner.twin.operatives.get(base.operativeId as never)?.taskIds ?? [];
    expect(pushed).toHaveLength(1);
    const next = await emitNext(base);
    if (!next.ok) throw new Error(next.error.code);
    // The handheld shows exactly what was pushed, and asking did not pull the other order on top.
    expect(next.next.tasks.map((t) => t.taskId)).toEqual(pushed);
    expect(runner.twin.releaseQueue).toHaveLength(1);
    const pick = next.next.pick!;
    const scan = await emitScan({
      ...base, scanId: 'scan-1', taskId: pick.taskId, kind: 'confirm', scannedLocation: pick.locationId, scannedItem: BARCODE, qty: 1,
    });
    if (!scan.ok) throw new Error(scan.error.code);
    // Done with the pushed work: the handheld pulls the rest (R16).
    expect(scan.next.tasks).toHaveLength(1);
    expect(scan.next.tasks[0]!.taskId).not.toBe(pick.taskId);
    expect(runner.twin.releaseQueue).toEqual([]);
  });
});
