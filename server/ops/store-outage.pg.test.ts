/**
 * Postgres goes away under a running site (issue 10, degraded modes): commands fail fast with UNAVAILABLE (HTTP 503
 * STORE_UNAVAILABLE + Retry-After) instead of queueing behind a dead database, HTTP reads of the site answer 503 too, and
 * the runner recovers on its own once Postgres accepts connections again — with every acknowledged command in the log.
 * The database is the machine's real Postgres behind a TCP proxy the test cuts (the shared server is never stopped).
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app.ts';
import { siteRegistry } from '../api/sites.ts';
import { SiteRunner, type SubmitResult } from '../site/site-runner.ts';
import { PgEventStore } from '../store/event-store.pg.ts';
import { fixedPrincipal, SITE_MANAGER } from '../testing/principals.ts';
import { TEST_DATABASE_URL, uniqueSchema } from '../testing/server-process.ts';
import { checkTwinInvariants } from '../twin/invariants.ts';
import { layoutView } from '../twin/floor-view.ts';
import { epochMs } from '../twin/ids.ts';
import { generateSite } from '../twin/layout/generator.ts';
import { TcpProxy } from './faults/tcp-proxy.ts';

const { site, initialStock } = generateSite(
  { id: 'outage', name: 'Outage test site', aisles: 4, blocks: 1, baysPerBlock: 6, levels: 2, skuCount: 20, tenants: 1, stockFillRatio: 0.6, baseDate: '2026-11-01' },
  7,
);

describe('Postgres down under a running site', () => {
  const schema = uniqueSchema('outage');
  const target = new URL(TEST_DATABASE_URL);
  let proxy: TcpProxy;
  let store: PgEventStore;
  let runner: SiteRunner;
  let server: Server;
  let base = '';
  let clockMs = Date.UTC(2026, 10, 27, 6);

  beforeAll(async () => {
    proxy = await TcpProxy.start(target.hostname, Number(target.port || 5432));
    const viaProxy = new URL(TEST_DATABASE_URL);
    viaProxy.port = String(proxy.port);
    store = new PgEventStore({ connectionString: viaProxy.toString(), schema, onError: () => undefined });
    await store.init();
    await store.ensureSite(site.id, site);
    runner = await SiteRunner.open({ site, store, clock: { now: () => epochMs((clockMs += 1000)) }, log: () => undefined });
    const app = createApp({ sites: siteRegistry([runner]), isReady: () => true, layoutOf: () => layoutView(site), authenticator: fixedPrincipal(SITE_MANAGER) });
    server = createServer(app);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/sites/${site.id}`;
  });
  afterAll(async () => {
    server?.close();
    await proxy?.restore();
    await runner?.close();
    await store?.close();
    await proxy?.close();
  });

  const order = (n: number): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ orderId: `O-${n}`, tenantId: site.tenants[0]?.id, lines: [{ skuId: site.skus[0]?.id, qty: 1 }] }),
  });

  it('fails fast while the store is gone, recovers without a restart, and loses nothing acknowledged', async () => {
    const acknowledged: SubmitResult[] = (await Promise.all(initialStock.map((command) => runner.submit(command)))).filter((r) => r.ok);
    expect(acknowledged).toHaveLength(initialStock.length);
    expect((await fetch(`${base}/orders`, order(1))).status).toBe(201);

    await proxy.cut();
    // The first command finds the store gone: refused (not acknowledged), and the runner marks the store down.
    const failed = await fetch(`${base}/orders`, order(2));
    expect(failed.status).toBe(503);
    expect(failed.headers.get('retry-after')).toBe('1');
    expect(((await failed.json()) as { error: { code: string } }).error.code).toBe('STORE_UNAVAILABLE');
    expect(runner.storeAvailable).toBe(false);
    // Everything after is answered at once, not queued behind the dead database.
    const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => runner.submit({ type: 'cancelOrder', orderId: `O-x${i}` as never, reason: 'x' })));
    expect(burst.every((r) => !r.ok && r.error.code === 'UNAVAILABLE' && 'cause' in r.error && r.error.cause === 'store')).toBe(true);
    expect(runner.queued).toBe(0);
    // Reads inside the process wait for the reload and never see the refused order; HTTP answers at once.
    const seenAfterReload = runner.read((twin) => twin.orders.has('O-2' as never));
    const read = await fetch(`${base}/orders/O-1`);
    expect(read.status).toBe(503);
    expect(read.headers.get('retry-after')).toBe('1');
    expect(((await read.json()) as { error: { code: string } }).error.code).toBe('STORE_UNAVAILABLE');

    await proxy.restore();
    while (!runner.storeAvailable) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await seenAfterReload).toBe(false);
    expect((await fetch(`${base}/orders`, order(3))).status).toBe(201);
    // The refused order never happened; the acknowledged ones are in the log, and the twin equals the log.
    const logged = await store.load(site.id, 0);
    expect(logged.length).toBe(runner.twin.seq);
    expect(runner.twin.orders.has('O-1' as never)).toBe(true);
    expect(runner.twin.orders.has('O-2' as never)).toBe(false);
    expect(runner.twin.orders.has('O-3' as never)).toBe(true);
    expect(checkTwinInvariants(runner.twin)).toEqual([]);
  });

  it('a connection lost while checked out of the pool is an error of its query, never an unhandled event', async () => {
    const client = await store.pool.connect();
    await client.query('BEGIN');
    // Without the store's guard this 'error' would have no listener and end the process (it did, under F2).
    expect(client.listenerCount('error')).toBeGreaterThan(0);
    await proxy.cut();
    await expect(client.query('SELECT 1')).rejects.toThrow();
    client.release(true);
    await proxy.restore();
    expect((await store.pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one).toBe(1);
  });
});
