/**
 * Store throughput with group commit: events/s committed (events + projections, one transaction per append) against
 * the machine's Postgres, one writer per site appending sequentially, for batches of 1, 10, 100 and 500 events.
 * Baseline: batch size 1 in the same run. Run: `npx tsx benchmarks/store.bench.ts` (DATABASE_URL to override).
 * Writes bench/results/store.json.
 */
import { cpus } from 'node:os';
import pg from 'pg';
import { PgEventStore } from '../server/store/event-store.pg.ts';
import { quoteIdent } from '../server/store/pg-util.ts';
import { syntheticHistory } from '../server/store/synthetic-history.ts';
import { writeResults } from './bench-util.ts';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = 'bench_store';
const BATCH_SIZES = [1, 10, 100, 500];
/** Each batch size runs until this much time or its event budget is spent, whichever comes first. */
const TIME_BUDGET_MS = Number(process.env.BENCH_SECONDS ?? 6) * 1_000;
const MAX_EVENTS = 60_000;
const WARMUP_APPENDS = 5;

interface Run {
  readonly batchSize: number;
  readonly events: number;
  readonly appends: number;
  readonly seconds: number;
  readonly eventsPerSec: number;
  readonly appendP50Ms: number;
  readonly appendP99Ms: number;
  ratioVsBatch1: number;
}

const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function runBatchSize(store: PgEventStore, batchSize: number, history: readonly { type: string }[]): Promise<Run> {
  const site = `bench-${batchSize}`;
  await store.ensureSite(site, { bench: true });
  const events = history as Parameters<PgEventStore['append']>[2];
  let seq = 0;
  // Warm-up: connections, plans, caches.
  for (let i = 0; i < WARMUP_APPENDS; i++) {
    await store.append(site, seq, events.slice(seq, seq + batchSize));
    seq += batchSize;
  }
  const warm = seq;
  const latencies: number[] = [];
  const t0 = performance.now();
  while (performance.now() - t0 < TIME_BUDGET_MS && seq + batchSize <= events.length) {
    const a = performance.now();
    await store.append(site, seq, events.slice(seq, seq + batchSize));
    latencies.push(performance.now() - a);
    seq += batchSize;
  }
  const seconds = (performance.now() - t0) / 1_000;
  latencies.sort((x, y) => x - y);
  const committed = seq - warm;
  return {
    batchSize,
    events: committed,
    appends: latencies.length,
    seconds: Number(seconds.toFixed(3)),
    eventsPerSec: Math.round(committed / seconds),
    appendP50Ms: Number(percentile(latencies, 50).toFixed(2)),
    appendP99Ms: Number(percentile(latencies, 99).toFixed(2)),
    ratioVsBatch1: 1,
  };
}

async function main(): Promise<void> {
  const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
  admin.on('error', (err) => console.error('postgres pool error', err));
  await admin.query(`DROP SCHEMA IF EXISTS ${quoteIdent(SCHEMA)} CASCADE`);
  const version = (await admin.query<{ v: string }>('SELECT version() AS v')).rows[0]?.v ?? '?';
  const syncCommit = (await admin.query<{ s: string }>("SELECT current_setting('synchronous_commit') AS s")).rows[0]?.s ?? '?';
  await admin.end();

  const store = new PgEventStore({ connectionString: DATABASE_URL, schema: SCHEMA, maxConnections: 2 });
  await store.init();
  const history = syntheticHistory({ orders: 7_000 }).slice(0, MAX_EVENTS);
  const runs: Run[] = [];
  try {
    for (const size of BATCH_SIZES) {
      const run = await runBatchSize(store, size, history);
      runs.push(run);
      console.error(`batch ${size}: ${run.eventsPerSec} events/s`);
    }
  } finally {
    await store.close();
  }
  const base = runs[0]?.eventsPerSec ?? NaN;
  for (const run of runs) run.ratioVsBatch1 = Number((run.eventsPerSec / base).toFixed(1));

  console.log(`store append throughput — ${version.split(',')[0]}, synchronous_commit=${syncCommit}, ${cpus().length} CPUs`);
  console.log('batch  events  appends  seconds  events/s  x batch=1  p50 ms  p99 ms');
  for (const r of runs) {
    console.log(
      [
        String(r.batchSize).padStart(5),
        String(r.events).padStart(7),
        String(r.appends).padStart(8),
        r.seconds.toFixed(2).padStart(8),
        String(r.eventsPerSec).padStart(9),
        `${r.ratioVsBatch1.toFixed(1)}x`.padStart(10),
        r.appendP50Ms.toFixed(2).padStart(7),
        r.appendP99Ms.toFixed(2).padStart(7),
      ].join('  '),
    );
  }
  const result = {
    postgres: version,
    synchronousCommit: syncCommit,
    cpus: cpus().length,
    note: 'events + projections committed per second, one writer per site, sequential appends; baseline batch size 1',
    runs,
  };
  console.log(`\nwrote ${await writeResults('store', result)}`);
}

await main();
