/**
 * A transfer between two sites decided by two server processes (issues 8 and 10, twin SPEC R71–R76): process A loads
 * only the demo site and B only north (SITE_FILES), sharing one schema and Redis, so each owns one. A transfer created,
 * picked and despatched at demo through A's API is expected at north (asked at B) — the expectation crossed processes
 * over the Redis adapter — received and closed there, and confirmed at demo (asked at A); `floortwin check`'s
 * invariants (I1–I12 and transit) hold on both sites. A transfer despatched while north's owner is dead reaches its next
 * owner; a process knowing both sites forwards each to its owner. Also: one process with both sites lists, readies and measures
 * each, and relays a transfer between them in-process; a transfer north refuses (R76a: its id is one of north's own
 * outbound transfers) shows the refusal at demo, is returned into demo's stock, and the invariants hold — in one process
 * and across two (the refusal crosses the Redis adapter; demo's relay records it).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCheck } from '../cli/check.command.ts';
import { waitFor } from '../ops/faults/wait.ts';
import { loadSiteFiles } from '../site/site-loader.ts';
import { startServerProcess, TEST_DATABASE_URL, TEST_REDIS_URL, uniqueSchema, type ServerProcess, type TestServer } from '../testing/server-process.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DEMO_FILE = 'data/sites/demo.json';
const NORTH_FILE = 'data/sites/north.json';
const demo = await loadSiteFiles(path.join(root, DEMO_FILE));
const northFiles = await loadSiteFiles(path.join(root, NORTH_FILE));
const north = northFiles.site;
// A bin of the demo's initial stock holding a plain SKU (enough for three transfers of 4) (no lot, no serials) that north's catalogue knows too.
const stocked = demo.initialStock.find((r) => r.qty >= 12 && (r.lot ?? '') === '' && demo.site.skus.some((s) => s.id === r.skuId && !s.lotTracked && s.serialTracked !== true) && north.skus.some((s) => s.id === r.skuId));
if (stocked === undefined) throw new Error('the demo stock has no plain SKU north knows');
// A bin of north's initial stock holding a plain SKU: north's own outbound transfer takes an id demo then uses (R76a).
const northStocked = northFiles.initialStock.find((r) => r.qty >= 1 && (r.lot ?? '') === '' && north.skus.some((s) => s.id === r.skuId && !s.lotTracked && s.serialTracked !== true));
if (northStocked === undefined) throw new Error('the north stock has no plain SKU');

interface TransferBody {
  transfer: { status: string; refusal?: { siteId: string; code: string; message: string } | null; returnLocationId?: string | null; lines: { lineNo: number; receivedQty: number | null; damagedQty: number | null; expectedQty?: number }[] };
}
const json = async <T>(response: Response): Promise<T> => {
  if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
  return response.json() as Promise<T>;
};
const post = (server: TestServer, url: string, body: unknown): Promise<Response> =>
  server.fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const transferAt = async (server: TestServer, siteId: string, transferId: string): Promise<TransferBody['transfer'] | null> => {
  const response = await server.fetch(`/api/sites/${siteId}/transfers/${transferId}`);
  return response.status === 404 ? null : (await json<TransferBody>(response)).transfer;
};

/** Creates, picks and despatches `transferId` (4 units) at demo through `server`'s API. */
async function despatch(server: TestServer, transferId: string): Promise<void> {
  const line = { tenantId: stocked?.tenantId, skuId: stocked?.skuId, qty: 4, fromLocationId: stocked?.locationId };
  expect((await post(server, `/api/sites/${demo.site.id}/transfers`, { transferId, toSiteId: north.id, lines: [line] })).status).toBe(201);
  expect((await post(server, `/api/sites/${demo.site.id}/transfers/${transferId}/pick`, { lineNo: 1, sourceScan: stocked?.locationId })).status).toBe(200);
  const despatched = await json<TransferBody>(await post(server, `/api/sites/${demo.site.id}/transfers/${transferId}/despatch`, {}));
  expect(despatched.transfer.status).toBe('despatched');
}

/** Receives 3 of 4 (one of them damaged) and closes `transferId` at north through `server`'s API. */
async function receiveShort(server: TestServer, transferId: string): Promise<void> {
  expect((await post(server, `/api/sites/${north.id}/transfers/${transferId}/receipts`, { receiptId: `${transferId}-R1`, lineNo: 1, qty: 3, damagedQty: 1, reason: 'crushed box' })).status).toBe(201);
  const closed = await json<TransferBody>(await post(server, `/api/sites/${north.id}/transfers/${transferId}/close`, { reason: 'one missing' }));
  expect(closed.transfer.status).toBe('closed');
}

async function checkBothSites(schema: string): Promise<void> {
  for (const siteId of [demo.site.id, north.id]) {
    const printed: string[] = [];
    const code = await runCheck(['--database-url', TEST_DATABASE_URL, '--schema', schema, '--site', siteId], (text) => printed.push(text));
    expect(code, printed.join('\n')).toBe(0);
  }
}

describe('transfers between sites', () => {
  const servers: ServerProcess[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop('SIGKILL')));
  });

  it('[R74][R76][R76a] demo (process A) → north (process B): expected at north, received, confirmed at demo; a refusal returned', async () => {
    const schema = uniqueSchema('xfer_cluster');
    const env = { DB_SCHEMA: schema, DEMO_SHIFT: 'off', REDIS_URL: TEST_REDIS_URL, LEASE_TTL_MS: '2000', LEASE_RENEW_MS: '500', TRANSFER_RETRY_MS: '300' };
    const a = await startServerProcess({ ...env, INSTANCE_ID: 'a', SITE_FILES: DEMO_FILE });
    servers.push(a);
    const b = await startServerProcess({ ...env, INSTANCE_ID: 'b', SITE_FILES: NORTH_FILE });
    servers.push(b);
    expect(await json(await fetch(`${a.url}/readyz`))).toMatchObject({ status: 'ready', sites: { [demo.site.id]: { owner: 'a', local: true } } });
    expect(await json(await fetch(`${b.url}/readyz`))).toMatchObject({ status: 'ready', sites: { [north.id]: { owner: 'b', local: true } } });

    await despatch(a, 'TR-CL-1');
    await waitFor(async () => (await transferAt(b, north.id, 'TR-CL-1'))?.status === 'expected', 30_000, 'north (at B) expects TR-CL-1');
    await receiveShort(b, 'TR-CL-1');
    await waitFor(async () => (await transferAt(a, demo.site.id, 'TR-CL-1'))?.status === 'received', 30_000, 'demo (at A) confirms TR-CL-1');
    const confirmed = await transferAt(a, demo.site.id, 'TR-CL-1');
    expect(confirmed?.lines.map((l) => [l.lineNo, l.receivedQty, l.damagedQty])).toEqual([[1, 3, 1]]);

    // A third process with both site files stands by and forwards each site's requests to its own owner.
    const c = await startServerProcess({ ...env, INSTANCE_ID: 'c', SITE_FILES: `${DEMO_FILE},${NORTH_FILE}` });
    servers.push(c);
    expect(await json(await fetch(`${c.url}/readyz`))).toMatchObject({ sites: { [demo.site.id]: { owner: 'a', local: false }, [north.id]: { owner: 'b', local: false } } });
    expect((await transferAt(c, demo.site.id, 'TR-CL-1'))?.status).toBe('received');
    expect((await transferAt(c, north.id, 'TR-CL-1'))?.status).toBe('closed');
    expect(await c.stop('SIGTERM')).toBe(0);

    // North's owner dies: a transfer despatched meanwhile waits (nobody decides north), then reaches north's next owner.
    await b.stop('SIGKILL');
    await despatch(a, 'TR-CL-2');
    const b2 = await startServerProcess({ ...env, INSTANCE_ID: 'b', SITE_FILES: NORTH_FILE });
    servers.push(b2);
    await waitFor(async () => (await transferAt(b2, north.id, 'TR-CL-2'))?.status === 'expected', 30_000, 'north (at B restarted) expects TR-CL-2');
    await receiveShort(b2, 'TR-CL-2');
    await waitFor(async () => (await transferAt(a, demo.site.id, 'TR-CL-2'))?.status === 'received', 30_000, 'demo (at A) confirms TR-CL-2');
    expect(a.output()).not.toMatch(/transfer relay: .* refused/);

    // R76a across processes: north (at B) refuses TR-CL-X (one of its own outbound ids); A records it at demo and returns it.
    const northLine = { tenantId: northStocked?.tenantId, skuId: northStocked?.skuId, qty: 1, fromLocationId: northStocked?.locationId };
    expect((await post(b2, `/api/sites/${north.id}/transfers`, { transferId: 'TR-CL-X', toSiteId: demo.site.id, lines: [northLine] })).status).toBe(201);
    await despatch(a, 'TR-CL-X');
    await waitFor(async () => (await transferAt(a, demo.site.id, 'TR-CL-X'))?.refusal != null, 30_000, 'demo (at A) records north’s refusal of TR-CL-X');
    expect(await transferAt(a, demo.site.id, 'TR-CL-X')).toMatchObject({ status: 'despatched', refusal: { siteId: north.id, code: 'DUPLICATE_TRANSFER' } });
    expect((await json<TransferBody>(await post(a, `/api/sites/${demo.site.id}/transfers/TR-CL-X/return`, { reason: 'id clash at north' }))).transfer.status).toBe('returned');
    expect((await post(b2, `/api/sites/${north.id}/transfers/TR-CL-X/cancel`, { reason: 'test over' })).status).toBe(200);
    expect(a.output().match(/transfer relay: north refused expectTransfer of TR-CL-X/g)).toHaveLength(1);

    expect(await a.stop('SIGTERM')).toBe(0);
    expect(await b2.stop('SIGTERM')).toBe(0);
    await checkBothSites(schema);
  }, 300_000);

  it('[R76a] one process with both sites: lists, readies and measures each, relays a transfer between them, returns a refused one', async () => {
    const schema = uniqueSchema('xfer_two_sites');
    const server = await startServerProcess({ DB_SCHEMA: schema, DEMO_SHIFT: 'off', SITE_FILES: `${DEMO_FILE},${NORTH_FILE}`, TRANSFER_RETRY_MS: '300' });
    servers.push(server);
    expect(await json(await server.fetch('/api/sites'))).toEqual({ sites: [{ id: demo.site.id, name: demo.site.name }, { id: north.id, name: north.name }] });
    expect(await json(await fetch(`${server.url}/readyz`))).toMatchObject({ status: 'ready', sites: { [demo.site.id]: { local: true }, [north.id]: { local: true } } });
    const metrics = await (await server.fetch('/metrics')).text();
    expect(metrics).toContain(`floortwin_site_owned{site="${demo.site.id}"} 1`);
    expect(metrics).toContain(`floortwin_site_owned{site="${north.id}"} 1`);
    expect((await json<{ ids: unknown[] }>(await server.fetch(`/api/sites/${north.id}/layout`))).ids).toHaveLength(north.layout.locations.length);

    await despatch(server, 'TR-ONE-1');
    await waitFor(async () => (await transferAt(server, north.id, 'TR-ONE-1'))?.status === 'expected', 30_000, 'north expects TR-ONE-1');
    await receiveShort(server, 'TR-ONE-1');
    await waitFor(async () => (await transferAt(server, demo.site.id, 'TR-ONE-1'))?.status === 'received', 30_000, 'demo confirms TR-ONE-1');

    // R76a: north refuses TR-ONE-X (north has an outbound transfer of that id): demo shows the refusal and returns it.
    const northLine = { tenantId: northStocked?.tenantId, skuId: northStocked?.skuId, qty: 1, fromLocationId: northStocked?.locationId };
    expect((await post(server, `/api/sites/${north.id}/transfers`, { transferId: 'TR-ONE-X', toSiteId: demo.site.id, lines: [northLine] })).status).toBe(201);
    await despatch(server, 'TR-ONE-X');
    await waitFor(async () => (await transferAt(server, demo.site.id, 'TR-ONE-X'))?.refusal != null, 30_000, 'demo records north’s refusal of TR-ONE-X');
    const refused = await transferAt(server, demo.site.id, 'TR-ONE-X');
    expect(refused).toMatchObject({ status: 'despatched', refusal: { siteId: north.id, code: 'DUPLICATE_TRANSFER' } });
    const listed = await json<{ outbound: { transferId: string; refusal: unknown }[] }>(await server.fetch(`/api/sites/${demo.site.id}/transfers`));
    expect(listed.outbound.find((t) => t.transferId === 'TR-ONE-X')?.refusal).toMatchObject({ code: 'DUPLICATE_TRANSFER' });
    const returned = await json<TransferBody>(await post(server, `/api/sites/${demo.site.id}/transfers/TR-ONE-X/return`, { reason: 'id clash at north' }));
    expect(returned.transfer).toMatchObject({ status: 'returned', returnLocationId: `DOCK:${demo.site.id}` });
    expect((await post(server, `/api/sites/${north.id}/transfers/TR-ONE-X/cancel`, { reason: 'test over' })).status).toBe(200);
    expect(server.output().match(/transfer relay: north refused expectTransfer of TR-ONE-X/g)).toHaveLength(1);
    expect(await server.stop('SIGTERM')).toBe(0);
    await checkBothSites(schema);
  }, 300_000);
});
