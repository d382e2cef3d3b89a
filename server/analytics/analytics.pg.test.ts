/**
 * Analytics on Postgres: a scripted shift on the demo site (two clients, three despatches, a short pick, two refused
 * scans, two operatives) recorded from the runner's committed events gives hand-checked series per site and per
 * client; recording is idempotent (the log replayed twice leaves the same rows; a restart catches up from its cursor);
 * buckets are on the UTC grid with [from, to) ranges; CSV; bad input answers 400 and changes nothing; RLS shows a
 * client only its own facts. The same suite runs in both storage modes: partitioned (always) and TimescaleDB (only
 * where the extension is available — skipped otherwise, with the reason).
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyticsRouter } from '../api/analytics.routes.ts';
import { errorHandler } from '../api/http-error.ts';
import { siteRegistry } from '../api/sites.ts';
import { loadSiteFiles } from '../site/site-loader.ts';
import { SiteRunner } from '../site/site-runner.ts';
import { PgEventStore } from '../store/event-store.pg.ts';
import { quoteIdent } from '../store/pg-util.ts';
import { startApiOnPostgres, type ApiOnPostgres } from '../testing/api-on-postgres.ts';
import { TEST_DATABASE_URL, uniqueSchema } from '../testing/server-process.ts';
import type { Command } from '../twin/commands.ts';
import { asLocationId, asOperativeId, asOrderId, epochMs, type OperativeId, type OrderId } from '../twin/ids.ts';
import type { SiteDefinition, Sku } from '../twin/site.ts';
import { AnalyticsRecorder, withMismatchRecording } from './analytics-recorder.ts';
import { AnalyticsService, seriesCsv, type Metric } from './analytics-service.ts';
import type { Bucket } from './buckets.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MIN = 60_000;
const H = 60 * MIN;
/** Friday 2026-11-27 08:00 UTC. */
const T0 = Date.UTC(2026, 10, 27, 8);
const at = (hh: number, mm = 0): number => Date.UTC(2026, 10, 27, hh, mm);

async function timescaleAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'`);
    return rows.length > 0;
  } finally {
    await client.end();
  }
}

const TIMESCALE = await timescaleAvailable();
const MODES = [
  // Forces partitioned tables even where TimescaleDB is installed (the migration reads this setting).
  { mode: 'partitioned', url: `${TEST_DATABASE_URL}?options=${encodeURIComponent('-c floortwin.analytics_mode=partitioned')}`, skip: null },
  { mode: 'timescale', url: TEST_DATABASE_URL, skip: TIMESCALE ? null : 'the timescaledb extension is not available on this Postgres (pg_available_extensions)' },
] as const;

for (const { mode, url, skip } of MODES) {
  if (skip !== null) {
    describe(`analytics (${mode} mode)`, () => {
      it.skip(`skipped: ${skip}`, () => undefined);
    });
    continue;
  }

  describe(`analytics (${mode} mode)`, () => {
    const schema = uniqueSchema(`analytics_${mode}`);
    let store: PgEventStore;
    let runner: SiteRunner;
    let site: SiteDefinition;
    let recorder: AnalyticsRecorder;
    let service: AnalyticsService;
    let server: Server;
    let base: string;
    let clockMs = T0 - H;
    let nextLocation = 300;

    async function submit(time: number, command: Command): Promise<void> {
      clockMs = time;
      const result = await runner.submit(command);
      if (!result.ok) throw new Error(`${command.type}: ${result.error.code} ${result.error.message}`);
    }

    const skuOf = (tenantId: string): Sku => site.skus.find((s) => !s.lotTracked && s.tenantId === tenantId)!;

    async function order(time: number, orderId: string, tenantId: string, qty: number, dueAt?: number): Promise<OrderId> {
      const sku = skuOf(tenantId);
      const id = asOrderId(orderId);
      await submit(time, { type: 'createOrder', orderId: id, tenantId: sku.tenantId, lines: [{ skuId: sku.id, qty }], ...(dueAt === undefined ? {} : { dueAt: epochMs(dueAt) }) });
      return id;
    }

    async function release(time: number, orderId: OrderId): Promise<void> {
      await submit(time, { type: 'allocateOrder', orderId });
      await submit(time, { type: 'releaseOrder', orderId });
    }

    /** The operative takes the order's task and picks it: in full, or `found` units of it (a short pick). */
    async function pick(time: number, operativeId: OperativeId, orderId: OrderId, found?: number): Promise<void> {
      await submit(time, { type: 'requestWork', operativeId, maxTasks: 10 });
      const tasks = await runner.read((twin) => twin.orders.get(orderId)!.taskIds.map((id) => ({ ...twin.tasks.get(id)! })));
      for (const task of tasks) {
        const sku = site.skus.find((s) => s.id === task.skuId)!;
        await submit(
          time,
          found === undefined
            ? { type: 'confirmPick', taskId: task.id, operativeId, scannedLocation: task.locationId, scannedItem: sku.barcode, qty: task.qty }
            : { type: 'shortPick', taskId: task.id, operativeId, foundQty: found },
        );
      }
    }

    async function despatch(packAt: number, despatchAt: number, orderId: OrderId): Promise<void> {
      await submit(packAt, { type: 'packOrder', orderId });
      await submit(despatchAt, { type: 'despatchOrder', orderId, carrier: 'floortwin-post', trackingNumber: `T-${orderId}` });
    }

    const series = (metric: Metric, tenantId: string | null, from = at(8), to = at(10), bucket: Bucket = 'hour') =>
      service.series(site.id, { metric, tenantId, from, to, bucket }).then((s) => s.points.map((p) => p.value));

    async function allRows(): Promise<Record<string, unknown[]>> {
      const s = quoteIdent(schema);
      const out: Record<string, unknown[]> = {};
      for (const [table, order] of [
        ['analytics_order_facts', 'site_id, seq'],
        ['analytics_pick_facts', 'site_id, seq'],
        ['analytics_labour', 'site_id, on_seq'],
        ['analytics_scan_facts', 'site_id, at, scan_id'],
        ['analytics_cursor', 'site_id'],
      ] as const) {
        out[table] = (await store.pool.query(`SELECT * FROM ${s}.${table} ORDER BY ${order}`)).rows;
      }
      return out;
    }

    beforeAll(async () => {
      store = new PgEventStore({ connectionString: url, schema });
      await store.init();
      ({ site } = await loadSiteFiles(path.join(root, 'data/sites/demo.json')));
      await store.ensureSite(site.id, site);
      runner = await SiteRunner.open({ site, store, clock: { now: () => epochMs(clockMs) } });
      recorder = await AnalyticsRecorder.start({ runner, store, pool: store.pool, schema, now: () => clockMs });
      service = new AnalyticsService({ pool: store.pool, schema });

      // 07:00 stock for both clients (no facts).
      for (const tenant of ['acme', 'bloom']) {
        const sku = skuOf(tenant);
        await submit(at(7), { type: 'receiveStock', tenantId: sku.tenantId, locationId: asLocationId(site.layout.locations[nextLocation++]!.id), skuId: sku.id, qty: 50 });
      }
      const p1 = asOperativeId('P1');
      const p2 = asOperativeId('P2');
      await submit(at(8), { type: 'signOn', operativeId: p1, name: 'Pat' });
      // acme A1: 08:10 → despatched 09:05 (55 min), cut-off 10:00: on time.
      const a1 = await order(at(8, 10), 'A1', 'acme', 1, at(10));
      // acme A2: 08:20 → despatched 09:30 (70 min), cut-off 09:00: late; its pick is short (1 of 2 found).
      const a2 = await order(at(8, 20), 'A2', 'acme', 2, at(9));
      // bloom B1: 08:30 → despatched 09:45 (75 min), no cut-off.
      const b1 = await order(at(8, 30), 'B1', 'bloom', 1);
      await release(at(8, 31), a1);
      await release(at(8, 31), a2);
      await recorder.recordMismatchedScan(at(8, 35));
      // The picking gateway's hook: an accepted scan goes to the KPI feed only, a refused one is recorded too (at now).
      clockMs = at(8, 36);
      const heard: boolean[] = [];
      const onScan = withMismatchRecording((_siteId, accepted) => heard.push(accepted), { get: (id) => (id === site.id ? recorder : undefined) });
      onScan(site.id, true);
      onScan(site.id, false);
      onScan('elsewhere', false);
      expect(heard).toEqual([true, false, false]);
      await recorder.idle();
      await pick(at(8, 40), p1, a1);
      await pick(at(8, 45), p1, a2, 1);
      await despatch(at(8, 50), at(9, 5), a1);
      // bloom B2 at 09:00:00.000 exactly: the first instant of the 09:00 bucket; cancelled at 09:50.
      const b2 = await order(at(9), 'B2', 'bloom', 1);
      await release(at(9, 15), b1);
      await pick(at(9, 20), p1, b1);
      await despatch(at(9, 25), at(9, 30), a2);
      await submit(at(9, 30), { type: 'signOn', operativeId: p2, name: 'Sam' });
      await despatch(at(9, 40), at(9, 45), b1);
      await submit(at(9, 50), { type: 'cancelOrder', orderId: b2, reason: 'customer' });
      // P1 off at 10:00, the last event: P2, still on, counts up to here.
      await submit(at(10), { type: 'signOff', operativeId: p1 });
      await runner.idle();
      await recorder.idle();

      const app = express();
      app.use(analyticsRouter(siteRegistry([runner]), service));
      app.use(errorHandler);
      server = createServer(app).listen(0, '127.0.0.1');
      await once(server, 'listening');
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/sites/${site.id}`;
    });

    afterAll(async () => {
      server?.close();
      await recorder?.close();
      await runner?.close();
      await store?.close();
    });

    it(`stores facts in ${mode} mode`, async () => {
      expect((await service.storageMode()).mode).toBe(mode);
      expect(recorder.seq).toBe(runner.twin.seq);
      expect(recorder.stats).toMatchObject({ unattributed: 0, failures: 0 });
    });

    it('orders received and despatched per hour, per site and per client', async () => {
      expect(await series('orders_received', null)).toEqual([3, 1]);
      expect(await series('orders_received', 'acme')).toEqual([2, 0]);
      expect(await series('orders_received', 'bloom')).toEqual([1, 1]);
      expect(await series('orders_received', 'cobalt')).toEqual([0, 0]);
      expect(await series('orders_despatched', null)).toEqual([0, 3]);
      expect(await series('orders_despatched', 'acme')).toEqual([0, 2]);
      expect(await series('orders_despatched', 'bloom')).toEqual([0, 1]);
      expect(await series('orders_picked', null)).toEqual([2, 1]);
    });

    it('lead times: median and p90 of the orders despatched in each bucket; null for none', async () => {
      expect(await series('lead_time_p50_ms', null)).toEqual([null, 70 * MIN]);
      expect(await series('lead_time_p90_ms', null)).toEqual([null, 75 * MIN]);
      expect(await series('lead_time_p50_ms', 'acme')).toEqual([null, 62.5 * MIN]);
      expect(await series('lead_time_p50_ms', 'bloom')).toEqual([null, 75 * MIN]);
    });

    it('on-time rate counts only orders with a carrier cut-off', async () => {
      expect(await series('on_time_rate', null)).toEqual([null, 0.5]);
      expect(await series('on_time_rate', 'acme')).toEqual([null, 0.5]);
      expect(await series('on_time_rate', 'bloom')).toEqual([null, null]);
    });

    it('pick accuracy: picks in full over picks plus refused scans (a client: over its picks)', async () => {
      expect(await series('picks', null)).toEqual([2, 1]);
      expect(await series('picks', 'acme')).toEqual([2, 0]);
      // 08:00: A1 in full, A2 short, two refused scans → 1 / 4. 09:00: B1 in full.
      expect(await series('pick_accuracy', null)).toEqual([0.25, 1]);
      expect(await series('pick_accuracy', 'acme')).toEqual([0.5, null]);
      expect(await series('pick_accuracy', 'bloom')).toEqual([null, 1]);
      expect(await series('mismatched_scans', null)).toEqual([2, 0]);
    });

    it('picks per picker-hour: picks over signed-on hours in the bucket (the still signed-on up to the last event)', async () => {
      // 08:00: P1 for 1 h, 2 picks. 09:00: P1 1 h + P2 0.5 h (09:30 → 10:00), 1 pick.
      const [first, second] = await series('picks_per_picker_hour', null);
      expect(first).toBe(2);
      expect(second).toBeCloseTo(1 / 1.5, 12);
    });

    it('buckets: the UTC grid, [from, to), partial first bucket, day / week / month', async () => {
      const hours = await service.series(site.id, { metric: 'orders_received', from: at(8), to: at(10), bucket: 'hour' });
      expect(hours.points.map((p) => p.t)).toEqual([at(8), at(9)]);
      // `to` is exclusive: B2 at 09:00:00.000 is not before 09:00.
      expect(await series('orders_received', null, at(8), at(9))).toEqual([3]);
      expect(await series('orders_received', null, at(9), at(9) + 1)).toEqual([1]);
      // A range starting inside a bucket counts from `from`: A2 (08:20) and B1 (08:30), not A1 (08:10).
      const partial = await service.series(site.id, { metric: 'orders_received', from: at(8, 15), to: at(9), bucket: 'hour' });
      expect(partial.points).toEqual([{ t: at(8), value: 2 }]);
      const day = await service.series(site.id, { metric: 'orders_received', from: Date.UTC(2026, 10, 26), to: Date.UTC(2026, 10, 28), bucket: 'day' });
      expect(day.points).toEqual([{ t: Date.UTC(2026, 10, 26), value: 0 }, { t: Date.UTC(2026, 10, 27), value: 4 }]);
      // Weeks start on Monday (2026-11-23); months on the 1st.
      const week = await service.series(site.id, { metric: 'orders_despatched', from: Date.UTC(2026, 10, 1), to: Date.UTC(2026, 11, 1), bucket: 'week' });
      expect(week.points.find((p) => p.value !== 0)).toEqual({ t: Date.UTC(2026, 10, 23), value: 3 });
      expect(week.points[0]!.t).toBe(Date.UTC(2026, 9, 26));
      const month = await service.series(site.id, { metric: 'orders_received', tenantId: 'acme', from: Date.UTC(2026, 9, 15), to: Date.UTC(2027, 0, 1), bucket: 'month' });
      expect(month.points).toEqual([
        { t: Date.UTC(2026, 9, 1), value: 0 },
        { t: Date.UTC(2026, 10, 1), value: 2 },
        { t: Date.UTC(2026, 11, 1), value: 0 },
      ]);
    });

    it('replaying the log twice leaves the same rows; a restarted recorder catches up from its cursor', async () => {
      const before = await allRows();
      expect(before['analytics_order_facts']).toHaveLength(11);
      expect(before['analytics_pick_facts']).toHaveLength(3);
      expect(before['analytics_labour']).toHaveLength(2);
      for (let i = 0; i < 2; i++) {
        const read = await AnalyticsRecorder.replayLog({ store, pool: store.pool, schema, siteId: site.id });
        expect(read).toBe(runner.twin.seq);
        expect(await allRows()).toEqual(before);
      }

      // Stopped while orders arrive: the next recorder writes them from the log, each once.
      await recorder.close();
      await order(at(10, 30), 'C1', 'acme', 1);
      await order(at(10, 40), 'C2', 'bloom', 1);
      recorder = await AnalyticsRecorder.start({ runner, store, pool: store.pool, schema, now: () => clockMs });
      expect(recorder.seq).toBe(runner.twin.seq);
      expect(await series('orders_received', null, at(10), at(11))).toEqual([2]);
      // Live again: a new commit is recorded.
      await order(at(10, 50), 'C3', 'acme', 1);
      await runner.idle();
      await recorder.idle();
      expect(await series('orders_received', 'acme', at(10), at(11))).toEqual([2]);
      const after = await allRows();
      expect(after['analytics_order_facts']).toHaveLength(14);
      await AnalyticsRecorder.replayLog({ store, pool: store.pool, schema, siteId: site.id });
      expect(await allRows()).toEqual(after);
    });

    it('a failed write is retried from the log: nothing lost, nothing twice', async () => {
      const s = quoteIdent(schema);
      const logged: string[] = [];
      await recorder.close();
      recorder = await AnalyticsRecorder.start({ runner, store, pool: store.pool, schema, now: () => clockMs, retryMs: 20, log: (m) => logged.push(m) });
      // The cursor table gone: the next write fails (a real error from Postgres, not a stand-in).
      await store.pool.query(`ALTER TABLE ${s}.analytics_cursor RENAME TO analytics_cursor_away`);
      await order(at(11, 10), 'D1', 'cobalt', 1);
      await runner.idle();
      await recorder.idle();
      expect(recorder.stats.failures).toBeGreaterThanOrEqual(1);
      expect(logged.join('\n')).toMatch(/catching up from the log later/);
      expect(recorder.seq).toBeLessThan(runner.twin.seq);
      await store.pool.query(`ALTER TABLE ${s}.analytics_cursor_away RENAME TO analytics_cursor`);
      await order(at(11, 20), 'D2', 'cobalt', 1);
      for (let i = 0; i < 500 && recorder.seq < runner.twin.seq; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      await recorder.idle();
      expect(recorder.seq).toBe(runner.twin.seq);
      expect(await series('orders_received', 'cobalt', at(11), at(12))).toEqual([2]);
    });

    it('RLS: as the application role a client sees only its facts; no tenant set sees none and cannot write', async () => {
      const client = await store.pool.connect();
      const s = quoteIdent(schema);
      try {
        const countAs = async (tenant: string | null): Promise<{ tenants: string[]; n: number }> => {
          await client.query('BEGIN');
          try {
            await client.query('SET LOCAL ROLE floortwin_app');
            if (tenant !== null) await client.query(`SELECT set_config('floortwin.tenant', $1, true)`, [tenant]);
            const { rows } = await client.query<{ tenant_id: string }>(
              `SELECT tenant_id FROM ${s}.analytics_order_facts UNION ALL SELECT tenant_id FROM ${s}.analytics_pick_facts`,
            );
            return { tenants: [...new Set(rows.map((r) => r.tenant_id))].sort(), n: rows.length };
          } finally {
            await client.query('ROLLBACK');
          }
        };
        expect((await countAs('acme')).tenants).toEqual(['acme']);
        expect((await countAs('bloom')).tenants).toEqual(['bloom']);
        expect((await countAs('*')).tenants).toEqual(['acme', 'bloom', 'cobalt']);
        expect((await countAs(null)).n).toBe(0);
        await client.query('BEGIN');
        await client.query('SET LOCAL ROLE floortwin_app');
        await expect(
          client.query(`INSERT INTO ${s}.analytics_order_facts (site_id, seq, at, tenant_id, order_id, kind) VALUES ('x', 1, now(), 'acme', 'o', 'received')`),
        ).rejects.toThrow(/row-level security/);
        await client.query('ROLLBACK');
      } finally {
        client.release();
      }
      // Every analytics table with a tenant_id, partitions included, has RLS forced and a policy.
      const { rows } = await store.pool.query<{ relname: string; ok: boolean }>(
        `SELECT c.relname, c.relrowsecurity AND c.relforcerowsecurity AND EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid) AS ok
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
          WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND c.relname LIKE 'analytics%'`,
        [schema],
      );
      expect(rows.length).toBeGreaterThanOrEqual(2);
      expect(rows.filter((r) => !r.ok)).toEqual([]);
      if (mode === 'partitioned') expect(rows.map((r) => r.relname)).toContain('analytics_order_facts_p202611');
    });

    it('HTTP: JSON and CSV series; a client narrows them', async () => {
      const q = `metric=orders_received&from=2026-11-27T08:00:00Z&to=${at(10)}&bucket=hour`;
      const json = await fetch(`${base}/analytics?${q}&tenant=bloom`);
      expect(json.status).toBe(200);
      expect(await json.json()).toMatchObject({ siteId: site.id, tenantId: 'bloom', metric: 'orders_received', bucket: 'hour', points: [{ t: at(8), value: 1 }, { t: at(9), value: 1 }] });

      const csv = await fetch(`${base}/analytics?${q}&format=csv`);
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="?analytics-demo-orders_received-hour\.csv"?$/);
      expect(await csv.text()).toBe(
        'site_id,tenant_id,metric,bucket,bucket_start,bucket_start_ms,value\r\n' +
          `${site.id},,orders_received,hour,2026-11-27T08:00:00.000Z,${at(8)},3\r\n` +
          `${site.id},,orders_received,hour,2026-11-27T09:00:00.000Z,${at(9)},1\r\n`,
      );
      const rates = await service.series(site.id, { metric: 'on_time_rate', tenantId: 'bloom', from: at(8), to: at(10), bucket: 'hour' });
      expect(seriesCsv(rates).split('\r\n')[1]).toBe(`${site.id},bloom,on_time_rate,hour,2026-11-27T08:00:00.000Z,${at(8)},`);
    });

    it('HTTP: bad metric, bucket, time, range or tenant metric → 400 naming the problem; unknown site → 404', async () => {
      const before = await allRows();
      const cases: [string, number, string, RegExp][] = [
        ['metric=orders_lost&from=0&to=1000', 400, 'VALIDATION_FAILED', /metric must be one of/],
        ['from=0&to=1000', 400, 'VALIDATION_FAILED', /metric/],
        ['metric=picks&from=0&to=1000&bucket=fortnight', 400, 'VALIDATION_FAILED', /bucket must be one of/],
        ['metric=picks&from=yesterday&to=1000', 400, 'VALIDATION_FAILED', /'yesterday' is not a time/],
        ['metric=picks&from=2026-11-27T08:00:00&to=2026-11-28', 400, 'VALIDATION_FAILED', /with a zone/],
        ['metric=picks&from=2026-13-45&to=2026-11-28', 400, 'VALIDATION_FAILED', /is not a time/],
        ['metric=picks&from=2026-11-28T00:00:00Z&to=2026-11-27T00:00:00Z', 400, 'INVALID_RANGE', /must be before/],
        ['metric=picks&from=0&to=0', 400, 'INVALID_RANGE', /must be before/],
        ['metric=picks&from=0&to=1800000000000&bucket=hour', 400, 'RANGE_TOO_LARGE', /more than 5000 hour buckets/],
        ['metric=picks_per_picker_hour&from=0&to=1000&tenant=acme', 400, 'METRIC_NOT_PER_TENANT', /site-wide only/],
        ['metric=picks&from=0&to=1000&tenant=no%20spaces', 400, 'VALIDATION_FAILED', /tenant/],
        ['metric=picks&from=0&to=1000&format=xml', 400, 'VALIDATION_FAILED', /format must be json or csv/],
      ];
      for (const [query, status, code, message] of cases) {
        const response = await fetch(`${base}/analytics?${query}`);
        const body = (await response.json()) as { error: { code: string; message: string } };
        expect({ query, status: response.status, code: body.error.code }).toEqual({ query, status, code });
        expect(body.error.message).toMatch(message);
      }
      const unknown = await fetch(`${base.replace(/\/demo$/, '/nowhere')}/analytics?metric=picks&from=0&to=1000`);
      expect(unknown.status).toBe(404);
      expect(await allRows()).toEqual(before);
    });
  });
}

describe('analytics in the API harness (server/testing/api-on-postgres.ts)', () => {
  let api: ApiOnPostgres;

  beforeAll(async () => {
    api = await startApiOnPostgres('analytics_api');
  });

  afterAll(async () => {
    await api?.close();
  });

  it('records the commits of the harness and serves them at GET …/analytics to a site manager', async () => {
    const sku = api.site.skus.find((s) => s.tenantId === 'cobalt')!;
    for (const id of ['H1', 'H2']) {
      const result = await api.runner.submit({ type: 'createOrder', orderId: asOrderId(id), tenantId: sku.tenantId, lines: [{ skuId: sku.id, qty: 1 }] });
      expect(result.ok).toBe(true);
    }
    await api.runner.idle();
    await api.analyticsRecorder.idle();
    const response = await fetch(`${api.base}/analytics?metric=orders_received&tenant=cobalt&from=2026-11-27&to=2026-11-28`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { points: unknown[] }).points).toEqual([{ t: Date.UTC(2026, 10, 27), value: 2 }]);
  });
});
