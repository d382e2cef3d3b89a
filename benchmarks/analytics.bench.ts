/**
 * Analytics (issue 9): how fast the recorder writes facts from a site's log (events/s, first pass and an idempotent
 * second pass that must leave the same row counts), and how long series queries take over a month of facts (p50 /
 * p95 of repeated queries, site-wide and for one client). A month of synthetic days (`syntheticHistory`, one client
 * per day's prefix) on the machine's Postgres, in whichever storage mode the migration chose there.
 * Run: `npm run bench -- analytics` (ANALYTICS_BENCH_ORDERS_PER_DAY to change the size). Writes bench/results/analytics.json.
 */
import { cpus } from 'node:os';
import pg from 'pg';
import { AnalyticsRecorder } from '../server/analytics/analytics-recorder.ts';
import { AnalyticsService, type Metric } from '../server/analytics/analytics-service.ts';
import type { Bucket } from '../server/analytics/buckets.ts';
import { PgEventStore } from '../server/store/event-store.pg.ts';
import { quoteIdent } from '../server/store/pg-util.ts';
import { syntheticHistory } from '../server/store/synthetic-history.ts';
import { printTable, writeResults } from './bench-util.ts';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = 'bench_analytics';
const SITE = 'bench-analytics';
const DAYS = 30;
const ORDERS_PER_DAY = Number(process.env.ANALYTICS_BENCH_ORDERS_PER_DAY ?? 150);
const QUERY_RUNS = 20;
const FROM = Date.UTC(2026, 10, 1);
const TO = Date.UTC(2026, 11, 1);

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function main(): Promise<void> {
  const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
  await admin.query(`DROP SCHEMA IF EXISTS ${quoteIdent(SCHEMA)} CASCADE`);
  await admin.end();
  const store = new PgEventStore({ connectionString: DATABASE_URL, schema: SCHEMA, maxConnections: 4 });
  await store.init();
  await store.ensureSite(SITE, { bench: true });
  let seq = 0;
  for (let day = 0; day < DAYS; day++) {
    const events = syntheticHistory({ orders: ORDERS_PER_DAY, prefix: `d${String(day).padStart(2, '0')}-`, startMs: FROM + day * 86_400_000 + 8 * 3_600_000 });
    for (let i = 0; i < events.length; i += 500) {
      const batch = events.slice(i, i + 500);
      await store.append(SITE, seq, batch);
      seq += batch.length;
    }
  }
  const service = new AnalyticsService({ pool: store.pool, schema: SCHEMA });
  const mode = await service.storageMode();
  const counts = async (): Promise<number[]> => {
    const out: number[] = [];
    for (const table of ['analytics_order_facts', 'analytics_pick_facts', 'analytics_labour']) {
      out.push(Number((await store.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${quoteIdent(SCHEMA)}.${table}`)).rows[0]!.n));
    }
    return out;
  };

  const passes: { pass: string; events: number; seconds: number; eventsPerSec: number; orderFacts: number; pickFacts: number; labour: number }[] = [];
  for (const pass of ['first', 'again (idempotent)']) {
    const t0 = performance.now();
    const events = await AnalyticsRecorder.replayLog({ store, pool: store.pool, schema: SCHEMA, siteId: SITE });
    const seconds = (performance.now() - t0) / 1_000;
    const [orderFacts, pickFacts, labour] = await counts();
    passes.push({ pass, events, seconds: Number(seconds.toFixed(2)), eventsPerSec: Math.round(events / seconds), orderFacts: orderFacts!, pickFacts: pickFacts!, labour: labour! });
  }
  const [first, second] = passes;
  if (first!.orderFacts !== second!.orderFacts || first!.pickFacts !== second!.pickFacts || first!.labour !== second!.labour) {
    throw new Error('replaying the log changed the number of facts');
  }

  const queries: { metric: Metric; bucket: Bucket; tenantId: string | null }[] = [
    { metric: 'orders_received', bucket: 'day', tenantId: null },
    { metric: 'orders_despatched', bucket: 'hour', tenantId: null },
    { metric: 'lead_time_p50_ms', bucket: 'day', tenantId: null },
    { metric: 'on_time_rate', bucket: 'week', tenantId: null },
    { metric: 'pick_accuracy', bucket: 'day', tenantId: null },
    { metric: 'picks_per_picker_hour', bucket: 'day', tenantId: null },
    { metric: 'orders_received', bucket: 'day', tenantId: 'd05-T1' },
    { metric: 'lead_time_p50_ms', bucket: 'hour', tenantId: 'd05-T1' },
  ];
  const latency: { metric: string; bucket: string; tenant: string; points: number; p50Ms: number; p95Ms: number }[] = [];
  for (const q of queries) {
    const times: number[] = [];
    let points = 0;
    for (let i = 0; i < QUERY_RUNS; i++) {
      const t0 = performance.now();
      const series = await service.series(SITE, { ...q, from: FROM, to: TO });
      times.push(performance.now() - t0);
      points = series.points.length;
    }
    times.sort((a, b) => a - b);
    latency.push({ metric: q.metric, bucket: q.bucket, tenant: q.tenantId ?? '(site)', points, p50Ms: Number(percentile(times, 50).toFixed(2)), p95Ms: Number(percentile(times, 95).toFixed(2)) });
  }
  await store.close();

  const version = `storage mode ${mode.mode}${mode.continuousAggregates ? ' + continuous aggregates' : ''}, ${cpus().length} CPUs`;
  printTable(`analytics recording (${seq} events over ${DAYS} days) — ${version}`, passes);
  printTable('series over one month (20 runs each)', latency);
  console.log(`\nwrote ${await writeResults('analytics', { mode, cpus: cpus().length, events: seq, days: DAYS, ordersPerDay: ORDERS_PER_DAY, passes, latency })}`);
}

await main();
