/**
 * Two real server processes sharing Postgres and Redis (issue 10): one decides the site, the other forwards HTTP and
 * handheld requests to it; killed with SIGKILL, the owner's site is taken by the other process from the log, with
 * every acknowledged order; a SIGTERM hands the site back without waiting for the lease to lapse.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { io as connect, type Socket } from 'socket.io-client';
import * as msgpackParser from 'socket.io-msgpack-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../ops/faults/wait.ts';
import { loadSiteFiles } from '../site/site-loader.ts';
import { startServerProcess, TEST_REDIS_URL, uniqueSchema, type ServerProcess, type TestServer } from '../testing/server-process.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { site } = await loadSiteFiles(path.join(root, 'data/sites/demo.json'));
const sku = site.skus.find((candidate) => candidate.serialTracked !== true && candidate.lotTracked !== true);
if (sku === undefined) throw new Error('the demo site has no plain SKU');

interface Readyz {
  status: string;
  instance: string;
  sites: Record<string, { owner: string | null; local: boolean }>;
}
const readyz = async (server: TestServer): Promise<Readyz> => (await fetch(`${server.url}/readyz`)).json() as Promise<Readyz>;

async function order(server: TestServer, orderId: string): Promise<Response> {
  return server.fetch(`/api/sites/${site.id}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': orderId },
    body: JSON.stringify({ orderId, tenantId: sku?.tenantId, lines: [{ skuId: sku?.id, qty: 1 }] }),
  });
}

function handheld(server: TestServer): Promise<Socket> {
  const socket = connect(server.url, { parser: msgpackParser, transports: ['websocket'], auth: { token: server.token }, reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}
const ask = (socket: Socket, event: string, body: unknown): Promise<{ ok: boolean; error?: { code: string } }> =>
  socket.timeout(10_000).emitWithAck(event, body) as Promise<{ ok: boolean; error?: { code: string } }>;

describe('two server processes', () => {
  const schema = uniqueSchema('cluster');
  const env = { DB_SCHEMA: schema, DEMO_SHIFT: 'off', REDIS_URL: TEST_REDIS_URL, LEASE_TTL_MS: '2000', LEASE_RENEW_MS: '500' };
  const servers: ServerProcess[] = [];
  const sockets: Socket[] = [];
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await Promise.all(servers.map((server) => server.stop('SIGKILL')));
  });

  it('forwards to the owner, fails over on SIGKILL with every acknowledged order, and hands over on SIGTERM', async () => {
    const a = await startServerProcess({ ...env, INSTANCE_ID: 'a' });
    servers.push(a);
    const b = await startServerProcess({ ...env, INSTANCE_ID: 'b' });
    servers.push(b);
    expect(await readyz(a)).toMatchObject({ status: 'ready', instance: 'a', sites: { [site.id]: { owner: 'a', local: true } } });
    expect(await readyz(b)).toMatchObject({ status: 'ready', instance: 'b', sites: { [site.id]: { owner: 'a', local: false } } });

    // HTTP at the standby reaches the owner, both ways.
    expect((await order(a, 'CL-1')).status).toBe(201);
    expect((await order(b, 'CL-2')).status).toBe(201);
    expect((await b.fetch(`/api/sites/${site.id}/orders/CL-1`)).status).toBe(200);
    // A handheld connected to the standby signs on and asks for work through it (forwarded over the Redis adapter).
    const onB = await handheld(b);
    sockets.push(onB);
    expect(await ask(onB, 'picker:signOn', { siteId: site.id, operativeId: 'CL-OP', deviceId: 'CL-DEV' })).toMatchObject({ ok: true });
    expect(await ask(onB, 'picker:next', { siteId: site.id, operativeId: 'CL-OP', askForWork: false })).toMatchObject({ ok: true });
    expect(a.output()).toContain('owned by this process (instance a)');

    // The owner dies: the standby takes the site from the log, with both orders.
    a.child.kill('SIGKILL');
    await waitFor(async () => (await readyz(b)).sites[site.id]?.local === true, 20_000, 'b takes the site');
    expect((await b.fetch(`/api/sites/${site.id}/orders/CL-1`)).status).toBe(200);
    expect((await b.fetch(`/api/sites/${site.id}/orders/CL-2`)).status).toBe(200);
    expect((await order(b, 'CL-3')).status).toBe(201);
    // The operative signed on through b is still signed on: sign-on is in the log, not in a process.
    expect(await ask(onB, 'picker:next', { siteId: site.id, operativeId: 'CL-OP', askForWork: false })).toMatchObject({ ok: true });

    // a comes back under its name while b owns the site: it stands by and forwards.
    const a2 = await startServerProcess({ ...env, INSTANCE_ID: 'a' });
    servers.push(a2);
    expect(await readyz(a2)).toMatchObject({ status: 'ready', sites: { [site.id]: { owner: 'b', local: false } } });
    expect((await a2.fetch(`/api/sites/${site.id}/orders/CL-3`)).status).toBe(200);

    // SIGTERM: b hands the site over (lease released) and a2 takes it at its next try, not after the TTL.
    expect(await b.stop('SIGTERM')).toBe(0);
    await waitFor(async () => (await readyz(a2)).sites[site.id]?.local === true, 5_000, 'a2 takes the handed-over site');
    for (const id of ['CL-1', 'CL-2', 'CL-3']) expect((await a2.fetch(`/api/sites/${site.id}/orders/${id}`)).status, id).toBe(200);
    expect(b.output()).toContain(`site ${site.id} closed (shutdown)`);
  }, 300_000);
});
