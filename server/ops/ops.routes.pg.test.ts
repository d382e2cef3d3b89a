/** /readyz against the machine's Postgres and a peer that accepts TCP but never answers; who may read /metrics. */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import express from 'express';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedPrincipal, SITE_MANAGER, staffUser } from '../testing/principals.ts';
import type { Authenticator } from '../auth/principal.ts';
import { TEST_DATABASE_URL } from '../testing/server-process.ts';
import { ServerMetrics } from './metrics.ts';
import { countResponses, opsRouter, readinessCheck, type Readiness } from './ops.routes.ts';

async function listen(server: Server | net.Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

describe('readiness', () => {
  const pools: pg.Pool[] = [];
  const silent = net.createServer(() => undefined); // accepts, never answers: a hung database
  let silentPort = 0;
  beforeAll(async () => {
    silentPort = await listen(silent);
  });
  afterAll(async () => {
    for (const pool of pools) await pool.end().catch(() => undefined);
    silent.close();
  });
  const pool = (connectionString: string): pg.Pool => {
    const created = new pg.Pool({ connectionString, max: 1, connectionTimeoutMillis: 1_000 });
    created.on('error', () => undefined);
    pools.push(created);
    return created;
  };

  it('is ready when loaded, not stopping, and Postgres answers', async () => {
    const real = pool(TEST_DATABASE_URL);
    const check = readinessCheck({ loaded: () => true, stopping: () => false, pingStore: () => () => real.query('SELECT 1') });
    expect(await check()).toEqual({ ready: true, reasons: [] });
  });

  it('says why not: starting, no store yet, a site whose store is down, and shutting down first of all', async () => {
    let stopping = false;
    const check = readinessCheck({ loaded: () => false, stopping: () => stopping, pingStore: () => null, sitesDown: () => ['demo'] });
    expect(await check()).toEqual({ ready: false, reasons: ['starting: sites not loaded', 'postgres: not connected yet', 'site demo: store unavailable, reloading'] });
    stopping = true;
    expect(await check()).toEqual({ ready: false, reasons: ['shutting down'] });
  });

  it('a Postgres that never answers makes it unready within the bound instead of hanging the probe', async () => {
    const hung = pool(`postgres://postgres@127.0.0.1:${silentPort}/test`);
    const check = readinessCheck({ loaded: () => true, stopping: () => false, pingStore: () => () => hung.query('SELECT 1'), timeoutMs: 200 });
    const result = await check();
    expect(result.ready).toBe(false);
    expect(result.reasons).toEqual(['postgres: postgres: no answer in 200 ms']);
  });

  it('a Postgres that refuses connections makes it unready with the driver error', async () => {
    const closed = net.createServer();
    const port = await listen(closed);
    closed.close();
    const refused = pool(`postgres://postgres@127.0.0.1:${port}/test`);
    const result = await readinessCheck({ loaded: () => true, stopping: () => false, pingStore: () => () => refused.query('SELECT 1') })();
    expect(result.ready).toBe(false);
    expect(result.reasons[0]).toMatch(/^postgres: .*ECONNREFUSED/);
  });
});

describe('/readyz and /metrics routes', () => {
  let readiness: Readiness = { ready: true, reasons: [] };
  const metrics = new ServerMetrics();
  const servers: Server[] = [];
  const start = async (authenticator: Authenticator, metricsToken?: string): Promise<string> => {
    const app = express();
    app.use(countResponses(metrics));
    app.use(opsRouter({ readiness: () => Promise.resolve(readiness), metrics, authenticator, ...(metricsToken ? { metricsToken } : {}) }));
    const server = createServer(app);
    servers.push(server);
    return `http://127.0.0.1:${await listen(server)}`;
  };
  afterAll(() => {
    for (const server of servers) server.close();
    metrics.close();
  });

  it('/readyz: 200 ready, then 503 with the reasons', async () => {
    const url = await start(fixedPrincipal(SITE_MANAGER));
    expect(await (await fetch(`${url}/readyz`)).json()).toEqual({ status: 'ready' });
    readiness = { ready: false, reasons: ['shutting down'] };
    const response = await fetch(`${url}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: 'unready', reasons: ['shutting down'] });
    readiness = { ready: true, reasons: [] };
  });

  it('/metrics: a site manager or the METRICS_TOKEN bearer; nobody else', async () => {
    const nobody: Authenticator = { authenticate: () => Promise.resolve(null) };
    const url = await start(nobody, 'metrics-token-0123456789');
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    expect((await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer wrong-token' } })).status).toBe(401);
    const byToken = await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer metrics-token-0123456789' } });
    expect(byToken.status).toBe(200);
    expect(byToken.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await byToken.text()).toMatch(/floortwin_http_requests_total\{class="4xx"\} 2/);

    const asPicker = await start(fixedPrincipal(staffUser('picker')));
    expect((await fetch(`${asPicker}/metrics`, { headers: { authorization: 'Bearer a-session' } })).status).toBe(403);
    const asManager = await start(fixedPrincipal(SITE_MANAGER));
    const ok = await fetch(`${asManager}/metrics`, { headers: { authorization: 'Bearer a-session' } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('# TYPE floortwin_commit_seconds histogram');
  });
});
