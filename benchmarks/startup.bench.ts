/**
 * Start-up time to ready (/readyz 200) of the real server with the demo site: first start (creates the schema and
 * seeds 6,800 receipts) and restart (snapshot + replay), on the machine's Postgres and on the embedded one
 * (a first start there includes initdb). Baseline: restart on the machine's Postgres.
 * Run: `npx tsx benchmarks/startup.bench.ts`. Writes bench/results/startup.json.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SITE_MANAGER_EMAIL, TEST_PASSWORD, serverCommand, signIn } from '../server/testing/server-process.ts';
import { printTable, spawnUntilReady, writeResults, type Row } from './bench-util.ts';

const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Spawns the server, waits for /readyz, then lets the shift run `runMs` and stops it with SIGTERM. */
async function timeToReady(env: Record<string, string | undefined>, runMs: number): Promise<{ readyMs: number; seq: number }> {
  // The demo users are seeded with this password; the summary read below signs in as the site manager.
  const childEnv: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', DEMO_PASSWORD: TEST_PASSWORD, ...env };
  if (env['DATABASE_URL'] === undefined) delete childEnv['DATABASE_URL'];
  const server = await spawnUntilReady(serverCommand({ built: false }), childEnv, 20);
  await new Promise((resolve) => setTimeout(resolve, runMs));
  const token = await signIn(server.url, SITE_MANAGER_EMAIL, TEST_PASSWORD);
  const summary = (await (await fetch(`${server.url}/api/sites/demo/summary`, { headers: { authorization: `Bearer ${token}` } })).json()) as { seq: number };
  server.child.kill('SIGTERM');
  await server.exited;
  return { readyMs: server.readyMs, seq: summary.seq };
}

const rows: Row[] = [];
const schema = `bench_startup_${process.pid}`;
const first = await timeToReady({ DATABASE_URL, DB_SCHEMA: schema, SHIFT_SPEED: '10' }, 5000);
const again = await timeToReady({ DATABASE_URL, DB_SCHEMA: schema, SHIFT_SPEED: '10' }, 1000);
rows.push({ database: 'machine Postgres 15', start: 'first (seed 6,800 receipts)', readyMs: Math.round(first.readyMs), resumedSeq: 0 });
rows.push({ database: 'machine Postgres 15', start: 'restart (snapshot + replay)', readyMs: Math.round(again.readyMs), resumedSeq: first.seq });

const dataDir = await mkdtemp(path.join(tmpdir(), 'floortwin-bench-'));
// As root the embedded Postgres runs as the postgres user, who must be able to enter the folder.
await chmod(dataDir, 0o755);
try {
  const embeddedFirst = await timeToReady({ DATABASE_URL: undefined, DATA_DIR: dataDir, SHIFT_SPEED: '10' }, 2000);
  const embeddedAgain = await timeToReady({ DATABASE_URL: undefined, DATA_DIR: dataDir, SHIFT_SPEED: '10' }, 500);
  rows.push({ database: 'embedded Postgres 18', start: 'first (initdb + seed)', readyMs: Math.round(embeddedFirst.readyMs), resumedSeq: 0 });
  rows.push({ database: 'embedded Postgres 18', start: 'restart', readyMs: Math.round(embeddedAgain.readyMs), resumedSeq: embeddedFirst.seq });
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
const baseline = Number(rows[1]?.['readyMs'] ?? 1);
for (const row of rows) row['ratioVsRestart'] = Number(row['readyMs']) / baseline;
printTable('Start-up time to ready, demo site (process spawn to /readyz 200, includes tsx start)', rows);
console.log(`\nwrote ${await writeResults('startup', { rows })}`);
