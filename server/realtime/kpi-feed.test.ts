/**
 * KpiFeed over a real SiteRunner on the in-memory log: replay at start without double counting, seeding from the twin,
 * `site:kpis` to the floor room over real sockets, handheld scans counted through the picking gateway's `onScan`, and
 * `GET /api/sites/:siteId/kpis`.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../api/app.ts';
import { kpisRouter } from '../api/kpis.routes.ts';
import { siteRegistry } from '../api/sites.ts';
import { PROTOCOL_VERSION } from '../protocol/floor.ts';
import type { KpiView } from '../protocol/kpis.ts';
import type { ScanResult } from '../protocol/picking.ts';
import { SiteRunner } from '../site/site-runner.ts';
import { MemoryEventStore } from '../store/event-store.memory.ts';
import type { Command } from '../twin/commands.ts';
import { layoutView } from '../twin/floor-view.ts';
import { asOrderId, epochMs, type EpochMs, type OrderId, type TaskId } from '../twin/ids.ts';
import { FloorFeed } from './floor-feed.ts';
import { attachFloorGateway } from './gateway.ts';
import { KpiFeed, scanRecorder } from './kpi-feed.ts';
import { attachPickingGateway } from './picking-gateway.ts';
import { ALICE, BINS, SKU, TENANT, tinySite } from './realtime.fixture.ts';
import { connectClient, join, startServer, WAIT_MS, type FloorClient, type RunningServer } from './socket-test-kit.ts';
import { SITE_MANAGER, fixedPrincipal } from '../testing/principals.ts';

const site = tinySite('site-kpi');
const MIN = 60_000;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A runner on a fresh in-memory log whose clock moves only when the test says so. */
async function openSite(): Promise<{ runner: SiteRunner; store: MemoryEventStore; clock: { now: () => EpochMs; advance: (ms: number) => void } }> {
  let nowMs = Date.UTC(2026, 10, 27, 8);
  const clock = { now: () => epochMs(nowMs), advance: (ms: number) => void (nowMs += ms) };
  const store = new MemoryEventStore();
  await store.ensureSite(site.id, site);
  const runner = await SiteRunner.open({ site, store, clock });
  cleanups.push(() => runner.close());
  await submitAll(runner, { type: 'receiveStock', tenantId: TENANT, locationId: BINS[0]!, skuId: SKU, qty: 50 });
  return { runner, store, clock };
}

async function submitAll(runner: SiteRunner, ...commands: Command[]): Promise<void> {
  for (const command of commands) {
    const result = await runner.submit(command);
    if (!result.ok) throw new Error(`${command.type} refused: ${result.error.code} ${result.error.message}`);
  }
}

/** Creates, allocates and releases a one-unit order; returns its pick task. */
async function releasedOrder(runner: SiteRunner, orderId: OrderId, dueAt?: EpochMs): Promise<TaskId> {
  await submitAll(
    runner,
    { type: 'createOrder', orderId, tenantId: TENANT, lines: [{ skuId: SKU, qty: 1 }], ...(dueAt === undefined ? {} : { dueAt }) },
    { type: 'allocateOrder', orderId },
    { type: 'releaseOrder', orderId },
  );
  return runner.twin.orders.get(orderId)!.taskIds[0]!;
}

const confirm = (taskId: TaskId): Command => ({ type: 'confirmPick', taskId, operativeId: ALICE, scannedLocation: BINS[0]!, scannedItem: '5000000000005', qty: 1 });

/** One order through pick, pack and despatch, `leadMs` apart from creation to despatch. */
async function orderThrough(runner: SiteRunner, clock: { advance: (ms: number) => void }, orderId: OrderId, leadMs: number): Promise<void> {
  const taskId = await releasedOrder(runner, orderId);
  await submitAll(runner, { type: 'requestWork', operativeId: ALICE, maxTasks: 10 }, confirm(taskId), { type: 'packOrder', orderId });
  clock.advance(leadMs);
  await submitAll(runner, { type: 'despatchOrder', orderId });
}

describe('KpiFeed', () => {
  it('replays the log at start, then counts live events once', async () => {
    const { runner, store, clock } = await openSite();
    await submitAll(runner, { type: 'signOn', operativeId: ALICE, name: 'Alice' });
    await orderThrough(runner, clock, asOrderId('O1'), 10 * MIN);

    // Commands keep arriving while the feed replays: each event is counted once either way.
    const starting = KpiFeed.start({ runner, store, now: clock.now });
    const live = orderThrough(runner, clock, asOrderId('O2'), 20 * MIN);
    const [feed] = await Promise.all([starting, live]);
    cleanups.push(() => feed.close());
    await orderThrough(runner, clock, asOrderId('O3'), 30 * MIN);

    const view = await feed.view();
    expect(view.seq).toBe(runner.twin.seq);
    expect(view.totals).toMatchObject({ ordersReceived: 3, ordersPicked: 3, ordersDespatched: 3, picks: 3, leadTimeMedianMs: 20 * MIN });
    expect(view.totals.pickerHours).toBeCloseTo(60 / 60, 5);
    expect(view.totals.leadTimeP90Ms).toBe(30 * MIN);
  });

  it('without a store, counts from the committed twin: open orders keep their creation time', async () => {
    const { runner, clock } = await openSite();
    await submitAll(runner, { type: 'signOn', operativeId: ALICE, name: 'Alice' });
    const taskId = await releasedOrder(runner, asOrderId('OPEN'));
    clock.advance(15 * MIN);
    const feed = await KpiFeed.start({ runner, now: clock.now });
    cleanups.push(() => feed.close());
    await submitAll(runner, { type: 'requestWork', operativeId: ALICE, maxTasks: 10 }, confirm(taskId), { type: 'packOrder', orderId: asOrderId('OPEN') });
    clock.advance(5 * MIN);
    await submitAll(runner, { type: 'despatchOrder', orderId: asOrderId('OPEN') });

    const view = await feed.view();
    expect(view.countingSince).toBe(Date.UTC(2026, 10, 27, 8) + 15 * MIN);
    expect(view.totals).toMatchObject({ ordersReceived: 0, ordersDespatched: 1, picks: 1, leadTimeMedianMs: 20 * MIN });
    expect(view.totals.pickerHours).toBeCloseTo(5 / 60, 5);
  });

  it('reports cut-off status from the twin', async () => {
    const { runner, clock } = await openSite();
    const feed = await KpiFeed.start({ runner, now: clock.now });
    cleanups.push(() => feed.close());
    await releasedOrder(runner, asOrderId('SOON'), epochMs(clock.now() + 10 * MIN));
    await releasedOrder(runner, asOrderId('LATER'), epochMs(clock.now() + 3 * 60 * MIN));
    const { cutoff } = await feed.view();
    expect(cutoff).toMatchObject({ onTime: 0, late: 0, atRisk: 1, open: 1 });
    expect(cutoff.urgent.map((u) => u.orderId)).toEqual(['SOON']);
  });
});

describe('KpiFeed over sockets and HTTP', () => {
  let server: RunningServer;
  let client: FloorClient;

  /** The floor and picking gateways on `server`, the picking gateway's scans counted by `feed`. */
  async function attach(runner: SiteRunner, feed: KpiFeed): Promise<void> {
    const floorFeed = new FloorFeed(() => runner.twin, { historySize: 100, isSettled: () => runner.settled });
    const unsubscribe = runner.subscribe({ committed: (e) => floorFeed.committed(e), volatile: (e) => floorFeed.volatile(e), reloaded: () => floorFeed.reset() });
    cleanups.push(unsubscribe);
    const gateway = attachFloorGateway(server.server.io, { get: (id) => (id === runner.siteId ? floorFeed : undefined) }, { patchMs: 50 });
    cleanups.push(() => gateway.close());
    const feeds = { get: (id: string) => (id === feed.siteId ? feed : undefined) };
    const picking = attachPickingGateway(server.server.io, siteRegistry([runner]), { onScan: scanRecorder(feeds) });
    cleanups.push(() => picking.close());
    client = await connectClient(server.url);
    cleanups.push(() => void client.close());
  }

  const nextKpis = (predicate: (view: KpiView) => boolean): Promise<KpiView> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no matching site:kpis')), WAIT_MS);
      const onKpis = (view: KpiView): void => {
        if (!predicate(view)) return;
        clearTimeout(timer);
        client.off('site:kpis', onKpis);
        resolve(view);
      };
      client.on('site:kpis', onKpis);
    });

  it('emits site:kpis to the floor room and counts handheld scans: accepted, and refused as wrong location or item', async () => {
    const { runner, store, clock } = await openSite();
    server = await startServer();
    cleanups.push(() => server.server.close());
    const feed = await KpiFeed.start({ runner, store, now: clock.now, emitEveryMs: 50, io: server.server.io });
    cleanups.push(() => feed.close());
    await attach(runner, feed);
    const joined = await join(client, { siteId: runner.siteId, protocolVersion: PROTOCOL_VERSION });
    expect(joined.ok).toBe(true);

    const pickerScan = (scan: Record<string, unknown>): Promise<ScanResult> =>
      client.timeout(WAIT_MS).emitWithAck('picker:scan', { siteId: runner.siteId, operativeId: ALICE, deviceId: 'dev-1', kind: 'confirm', qty: 1, ...scan });
    await client.timeout(WAIT_MS).emitWithAck('picker:signOn', { siteId: runner.siteId, operativeId: ALICE, deviceId: 'dev-1', name: 'Alice' });
    const taskId = await releasedOrder(runner, asOrderId('H1'));
    await submitAll(runner, { type: 'requestWork', operativeId: ALICE, maxTasks: 10 });
    const base = { taskId, scannedLocation: BINS[0]!, scannedItem: '5000000000005' };
    expect(await pickerScan({ ...base, scanId: 's1', scannedLocation: BINS[1]! })).toMatchObject({ ok: false, error: { code: 'WRONG_LOCATION_SCANNED' } });
    expect(await pickerScan({ ...base, scanId: 's2', scannedItem: '5000000000012' })).toMatchObject({ ok: false, error: { code: 'WRONG_ITEM_SCANNED' } });
    expect(await pickerScan({ ...base, scanId: 's3' })).toMatchObject({ ok: true, duplicate: false });
    // A resend of the applied scan, and a refusal that is not a scan mismatch, are not counted.
    expect(await pickerScan({ ...base, scanId: 's3' })).toMatchObject({ ok: true, duplicate: true });
    expect(await pickerScan({ ...base, scanId: 's4', taskId: 'nope' })).toMatchObject({ ok: false });

    expect((await feed.view()).totals).toMatchObject({ scansAccepted: 1, scansRefused: 2, picks: 1, ordersReceived: 1 });
    const emitted = await nextKpis((view) => view.totals.picks === 1);
    expect(emitted).toMatchObject({ siteId: runner.siteId, seq: runner.twin.seq });
    expect(emitted.hours).toHaveLength(24);
  });

  it('answers GET /api/sites/:siteId/kpis, 404 for an unknown site and 503 for a site without a feed', async () => {
    const { runner, store, clock } = await openSite();
    await submitAll(runner, { type: 'signOn', operativeId: ALICE, name: 'Alice' });
    await orderThrough(runner, clock, asOrderId('R1'), 7 * MIN);
    const feed = await KpiFeed.start({ runner, store, now: clock.now });
    cleanups.push(() => feed.close());
    const sites = siteRegistry([runner]);
    let feeds: { get(id: string): KpiFeed | undefined } = { get: (id) => (id === feed.siteId ? feed : undefined) };
    const app = createApp({ authenticator: fixedPrincipal(SITE_MANAGER), sites, isReady: () => true, layoutOf: () => layoutView(site), routers: [kpisRouter(sites, { get: (id) => feeds.get(id) })] });
    const http: Server = createServer(app).listen(0, '127.0.0.1');
    cleanups.push(() => void http.close());
    await once(http, 'listening');
    const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}/api/sites`;

    const ok = await fetch(`${base}/${runner.siteId}/kpis`);
    expect(ok.status).toBe(200);
    const view = (await ok.json()) as KpiView;
    expect(view).toMatchObject({ siteId: runner.siteId, seq: runner.twin.seq, totals: { ordersDespatched: 1, leadTimeMedianMs: 7 * MIN } });
    expect(view.hours).toHaveLength(24);

    const unknown = await fetch(`${base}/nowhere/kpis`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'UNKNOWN_SITE' } });

    feeds = { get: () => undefined };
    const missing = await fetch(`${base}/${runner.siteId}/kpis`);
    expect(missing.status).toBe(503);
    expect(await missing.json()).toMatchObject({ error: { code: 'KPIS_UNAVAILABLE' } });
  });
});
