/**
 * A transfer between sites decided by two "processes" (twin SPEC R74, R76; issue 10): two Socket.IO servers sharing a
 * real Redis adapter, each with a real SiteRunner on the same Postgres schema — the demo site behind server X (with the
 * TransferRelay) and the north site behind server Y (answering through `answerTransferSteps`). North moving (nobody
 * answers for it) is retried on the relay's timer; the expectation reaches north once, the confirmation comes back to
 * demo once, duplicates are harmless, and the channel refuses anything that is not a transfer step.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../ops/faults/wait.ts';
import { askOtherServers } from '../realtime/socket-server.ts';
import { startServer, type RunningServer } from '../realtime/socket-test-kit.ts';
import type { SubmitResult } from '../site/site-runner.ts';
import { SiteRunner } from '../site/site-runner.ts';
import { loadSiteFiles } from '../site/site-loader.ts';
import { TransferRelay } from '../site/transfers.ts';
import { checkStore } from '../store/check.pg.ts';
import { PgEventStore } from '../store/event-store.pg.ts';
import { checkTransit } from '../store/transfers-check.pg.ts';
import { TEST_DATABASE_URL, TEST_REDIS_URL, uniqueSchema } from '../testing/server-process.ts';
import type { Command } from '../twin/commands.ts';
import { epochMs } from '../twin/ids.ts';
import { checkTwinInvariants } from '../twin/invariants.ts';
import { quantKey } from '../twin/keys.ts';
import type { SiteDefinition } from '../twin/site.ts';
import { transitLocationId } from '../twin/transfers.ts';
import { answerTransferSteps, remoteTransferSites, TRANSFER_SUBMIT_EVENT } from './remote-sites.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const quiet = (): void => undefined;

describe('transfer steps between processes over the Redis adapter (Postgres)', () => {
  const schema = uniqueSchema('remote_sites');
  let store: PgEventStore;
  let demo: SiteDefinition;
  let north: SiteDefinition;
  let x: RunningServer;
  let y: RunningServer;
  const cleanup: (() => Promise<void> | void)[] = [];
  let clockMs = Date.UTC(2026, 10, 27, 8);
  const clock = { now: () => epochMs((clockMs += 1000)) };
  const ok = async (runner: SiteRunner, command: Command): Promise<number> => {
    const r = await runner.submit(command);
    if (!r.ok) throw new Error(`${command.type} refused: ${r.error.code} ${r.error.message}`);
    return r.events.length;
  };
  const countEvents = async (siteId: string, type: string): Promise<number> => {
    const res = await store.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${store.tables.events} WHERE site_id = $1 AND type = $2`, [siteId, type]);
    return res.rows[0]?.n ?? -1;
  };

  beforeAll(async () => {
    store = new PgEventStore({ connectionString: TEST_DATABASE_URL, schema });
    await store.init();
    demo = (await loadSiteFiles(path.join(root, 'data/sites/demo.json'))).site;
    north = (await loadSiteFiles(path.join(root, 'data/sites/north.json'))).site;
    await store.ensureSite(demo.id, demo);
    await store.ensureSite(north.id, north);
    const redisKey = `floortwin-test-${randomUUID()}`;
    x = await startServer({ redisUrl: TEST_REDIS_URL, redisKey, log: quiet });
    y = await startServer({ redisUrl: TEST_REDIS_URL, redisKey, log: quiet });
    expect([x.server.adapter, y.server.adapter]).toEqual(['redis', 'redis']);
    await waitFor(async () => (await x.server.io.of('/').adapter.serverCount()) === 2, 10_000, 'both servers on the channel');
  });
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });
  afterAll(async () => {
    await x?.server.close();
    await y?.server.close();
    await store?.close();
  });

  it('[R74][R76] demo → north: expected at north once (after north stops moving), confirmed at demo once', async () => {
    const sku = demo.skus.find((s) => !s.lotTracked && s.serialTracked !== true && north.skus.some((n) => n.id === s.id));
    const bin = demo.layout.locations[0];
    if (sku === undefined || bin === undefined) throw new Error('no plain SKU both sites know, or no bin');
    const a = await SiteRunner.open({ site: demo, store, clock });
    const b = await SiteRunner.open({ site: north, store, clock });
    cleanup.push(() => a.close(), () => b.close());

    // Y answers for the sites it decides; north is not open there yet (moving).
    const decidedByY = new Map<string, SiteRunner>();
    cleanup.push(answerTransferSteps(y.server.io, decidedByY, quiet));
    // X decides demo only: its relay asks Y about north.
    const relay = new TransferRelay([a], { retryMs: 50, remote: remoteTransferSites(x.server.io, quiet), log: quiet });
    relay.start();
    cleanup.push(() => relay.stop());

    await ok(a, { type: 'receiveStock', tenantId: sku.tenantId, locationId: bin.id, skuId: sku.id, qty: 10 });
    await ok(a, { type: 'createTransfer', transferId: 'TR-X-1', toSiteId: north.id, lines: [{ tenantId: sku.tenantId, skuId: sku.id, qty: 4, fromLocationId: bin.id }] });
    await ok(a, { type: 'pickTransferLine', transferId: 'TR-X-1', lineNo: 1, sourceScan: bin.id, scanId: 'scan-1' });
    await ok(a, { type: 'despatchTransfer', transferId: 'TR-X-1' });
    await relay.settle();
    expect(relay.stats.unavailable).toBeGreaterThan(0);
    expect(b.twin.inboundTransfers.has('TR-X-1')).toBe(false);

    // North opens at Y: the relay's timer delivers the expectation there.
    decidedByY.set(north.id, b);
    await waitFor(() => b.twin.inboundTransfers.get('TR-X-1')?.status === 'expected', 20_000, 'north expects TR-X-1');
    expect(b.twin.inboundTransfers.get('TR-X-1')?.lines.map((l) => [l.skuId, l.expectedQty])).toEqual([[sku.id, 4]]);
    // A duplicate step through the channel (a retry whose answer was lost) is acknowledged without events.
    const line = { lineNo: 1, tenantId: sku.tenantId, skuId: sku.id, lot: '', expiry: null, qty: 4, serials: [] };
    const dup = await remoteTransferSites(x.server.io, quiet).submit(north.id, { type: 'expectTransfer', transferId: 'TR-X-1', fromSiteId: demo.id, lines: [line] });
    expect(dup).toMatchObject({ ok: true, events: [] });

    // North receives 3 (one damaged) and closes: the relay asks north, then confirms at demo.
    await ok(b, { type: 'receiveTransfer', transferId: 'TR-X-1', receiptId: 'R-1', lineNo: 1, qty: 3, damagedQty: 1, reason: 'crushed box' });
    await ok(b, { type: 'closeTransfer', transferId: 'TR-X-1', reason: 'one missing' });
    await waitFor(() => a.twin.transfers.get('TR-X-1')?.status === 'received', 20_000, 'demo confirms TR-X-1');
    await relay.settle();
    expect(relay.refusals()).toEqual([]);

    expect(await countEvents(north.id, 'InboundTransferExpected')).toBe(1);
    expect(await countEvents(demo.id, 'TransferReceiptConfirmed')).toBe(1);
    expect(a.twin.transfers.get('TR-X-1')?.lines[0]?.receivedQty).toBe(3);
    expect(a.twin.quants.has(quantKey(transitLocationId(demo.id), sku.tenantId, sku.id, ''))).toBe(false);
    expect(checkTwinInvariants(a.twin)).toEqual([]);
    expect(checkTwinInvariants(b.twin)).toEqual([]);
    for (const siteId of [demo.id, north.id]) {
      expect(await checkTransit(store.pool, schema, siteId)).toMatchObject({ ok: true });
      expect((await checkStore(store.pool, schema, siteId, { recordCheckpoint: false })).filter((r) => !r.ok)).toEqual([]);
    }
  }, 60_000);

  it('refuses any command that is not a transfer step, or a malformed step, and runs nothing', async () => {
    const b = await SiteRunner.open({ site: north, store, clock });
    cleanup.push(() => b.close());
    cleanup.push(answerTransferSteps(y.server.io, new Map([[north.id, b]]), quiet));
    const before = b.twin.seq;
    const sku = north.skus[0];
    const bin = north.layout.locations[0];
    if (sku === undefined || bin === undefined) throw new Error('north has no SKU or bin');

    const receive: Command = { type: 'receiveStock', tenantId: sku.tenantId, locationId: bin.id, skuId: sku.id, qty: 5 };
    const answer = await askOtherServers<SubmitResult>(x.server.io, TRANSFER_SUBMIT_EVENT, { siteId: north.id, command: receive }, quiet);
    expect(answer).toMatchObject({ ok: false, error: { code: 'INVALID_STATE', message: expect.stringContaining('receiveStock is not a transfer step') as unknown } });
    // A transfer step with a smuggled field, and one without its lines, are refused too.
    const smuggled = { type: 'confirmTransferReceipt', transferId: 'TR-NONE', lines: [], reason: null, qty: 5 };
    expect(await askOtherServers<SubmitResult>(x.server.io, TRANSFER_SUBMIT_EVENT, { siteId: north.id, command: smuggled }, quiet)).toMatchObject({ ok: false, error: { code: 'INVALID_STATE', message: expect.stringContaining('a malformed confirmTransferReceipt') as unknown } });
    expect(await askOtherServers<SubmitResult>(x.server.io, TRANSFER_SUBMIT_EVENT, { siteId: north.id, command: { type: 'expectTransfer', transferId: 'TR-NONE', fromSiteId: demo.id } }, quiet)).toMatchObject({ ok: false, error: { code: 'INVALID_STATE' } });
    await b.idle();
    expect(b.twin.seq).toBe(before);
    // A well-formed step for a site nobody decides is answered by nobody (the relay retries it).
    expect(await remoteTransferSites(x.server.io, quiet).submit('nowhere', { type: 'confirmTransferReceipt', transferId: 'TR-NONE', lines: [], reason: null })).toBeNull();
  }, 30_000);
});
