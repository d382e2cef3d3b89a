/**
 * Load mode against the real server (a child process on a fresh schema): a clean run (library and CLI) finds nothing
 * lost, nothing duplicated and the invariants holding; a planted lost write — a proxy in front of the same server that
 * acknowledges one order with the server's own 201 answer shape but never forwards it — is caught as exactly that order
 * lost; and an answer lost in transit is retried with the same key and counted once. The load runs as the site
 * manager (the server's default credential; the proxy passes it on).
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveOrderId } from '../../server/api/idempotency.ts';
import { quoteIdent } from '../../server/store/pg-util.ts';
import { TEST_DATABASE_URL, startServerProcess, uniqueSchema, type ServerProcess } from '../../server/testing/server-process.ts';
import { runLoadCommand } from './load.command.ts';
import { runLoad } from './run-load.ts';

/**
 * The faults a proxy in front of the real server plants in one order POST (the first from the `nth`, 0-based, once a
 * real 201 has shown the answer's shape): `ack-without-store` answers 201 exactly as the server would (its id is
 * derived from the key) and never forwards the request; `lose-answer` forwards it, then resets the connection instead
 * of passing the server's 201 on.
 */
type Fault = 'ack-without-store' | 'lose-answer';

async function faultyProxy(
  upstream: string,
  fault: Fault,
  nth: number,
): Promise<{ url: string; hit: () => { externalRef: string; orderId: string } | null; close(): Promise<void> }> {
  const target = new URL(upstream);
  let orderPosts = 0;
  let lastCreated: Record<string, unknown> | null = null;
  let hit: { externalRef: string; orderId: string } | null = null;

  const forward = (req: IncomingMessage, body: Buffer, res: ServerResponse, onBody?: (status: number, text: string) => boolean): void => {
    const out = httpRequest({ hostname: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (c: Buffer) => chunks.push(c));
      answer.on('end', () => {
        const text = Buffer.concat(chunks);
        const pass = onBody?.(answer.statusCode ?? 0, text.toString('utf8')) ?? true;
        if (pass) res.writeHead(answer.statusCode ?? 502, answer.headers).end(text);
        else res.socket?.destroy();
      });
    });
    out.on('error', () => res.writeHead(502).end());
    out.end(body);
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const siteId = /^\/api\/sites\/([^/]+)\/orders$/.exec(req.url ?? '')?.[1];
      if (req.method !== 'POST' || siteId === undefined) return forward(req, body, res);
      const faulty = hit === null && orderPosts++ >= nth && lastCreated !== null;
      const order = JSON.parse(body.toString('utf8')) as { tenantId: string; externalRef: string };
      if (faulty) hit = { externalRef: order.externalRef, orderId: deriveOrderId(siteId, order.tenantId, 'key', String(req.headers['idempotency-key'])) };
      if (faulty && fault === 'ack-without-store') {
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ ...lastCreated, id: hit?.orderId, externalRef: order.externalRef }));
        return;
      }
      forward(req, body, res, (status, text) => {
        if (status === 201) lastCreated = JSON.parse(text) as Record<string, unknown>;
        return !faulty;
      });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hit: () => hit,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('load mode against the real server', () => {
  const schema = uniqueSchema('load_e2e');
  let server: ServerProcess;

  beforeAll(async () => {
    server = await startServerProcess({ DB_SCHEMA: schema, DEMO_SHIFT: 'off' });
  });
  afterAll(async () => {
    await server?.stop();
    const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
    await pool.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`).finally(() => pool.end());
  });

  it('[LM2][LM4][LM5] a clean run: every acknowledged order exists once, scans are acked, the invariants hold', async () => {
    // Bounded by count before time: 40/s for 4 s would offer ~160.
    const report = await runLoad({ url: server.url, token: server.token, rate: 40, seconds: 4, maxOrders: 100, seed: 1, handhelds: 10, dashboards: 2, database: { url: TEST_DATABASE_URL, schema } });
    expect(report.orders.scheduled).toBe(100);
    expect(report.orders.acknowledged).toBe(report.orders.scheduled);
    expect(report.check).toMatchObject({ acknowledged: report.orders.scheduled, lost: [], duplicates: [], unexpected: [], mismatched: [] });
    expect(report.check.invariants).toEqual({ checked: true, ok: true, problems: [] });
    expect(report.errors).toEqual({});
    expect(report.scans?.scansAcked).toBeGreaterThan(0);
    expect(report.scans?.scansLost).toBe(0);
    expect(report.dashboards?.joined).toBe(2);
    expect(report.dashboards?.gaps).toBe(0);
    expect(report.ok).toBe(true);
    // Every operation is in the history with its outcome and times.
    expect(report.history.filter((op) => op.kind === 'order')).toHaveLength(report.orders.scheduled);
    expect(report.history.every((op) => op.outcome !== null && op.end !== null && op.end >= op.start)).toBe(true);
  });

  it('runs from the command line and prints a clean check', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) };
    const args = ['--url', server.url, '--token', server.token, '--rate', '20', '--seconds', '2', '--arrival', 'fixed', '--database-url', TEST_DATABASE_URL, '--schema', schema];
    expect(await runLoadCommand(args, io)).toBe(0);
    const text = out.join('');
    expect(text).toMatch(/orders: 40 sent, 40 acknowledged, 0 failed, 0 indeterminate/);
    expect(text).toMatch(/check: 40 acknowledged orders; 0 lost, 0 duplicated, 0 unexpected/);
    expect(text).toContain('invariants: hold');
    expect(text).toContain('result: clean');
  });

  it('[LM5] finds the one acknowledged order the server never stored', async () => {
    const proxy = await faultyProxy(server.url, 'ack-without-store', 7);
    try {
      const report = await runLoad({ url: proxy.url, token: server.token, rate: 40, seconds: 3, seed: 2, database: { url: TEST_DATABASE_URL, schema } });
      const dropped = proxy.hit();
      expect(dropped).not.toBeNull();
      // The load generator saw a normal acknowledgement…
      expect(report.orders.acknowledged).toBe(report.orders.scheduled);
      expect(report.errors).toEqual({});
      // …and the check finds exactly that order missing, nothing else wrong.
      expect(report.check.lost).toEqual([{ externalRef: dropped?.externalRef, orderIds: [dropped?.orderId] }]);
      expect(report.check).toMatchObject({ duplicates: [], unexpected: [], mismatched: [] });
      expect(report.check.invariants).toEqual({ checked: true, ok: true, problems: [] });
      expect(report.ok).toBe(false);
    } finally {
      await proxy.close();
    }
  });

  it('[LM3] retries an answer lost in transit with the same key: acknowledged once, stored once', async () => {
    const proxy = await faultyProxy(server.url, 'lose-answer', 5);
    try {
      const report = await runLoad({ url: proxy.url, token: server.token, rate: 40, seconds: 2, seed: 3, database: { url: TEST_DATABASE_URL, schema } });
      const hit = proxy.hit();
      expect(hit).not.toBeNull();
      const op = report.history.find((o) => o.kind === 'order' && o.ids['externalRef'] === hit?.externalRef);
      expect(op).toMatchObject({ outcome: 'ok', status: 201, ids: { orderId: hit?.orderId } });
      expect(op?.tries).toBeGreaterThanOrEqual(2);
      expect(report.check).toMatchObject({ lost: [], duplicates: [], unexpected: [], mismatched: [] });
      expect(report.ok).toBe(true);
    } finally {
      await proxy.close();
    }
  });
});
