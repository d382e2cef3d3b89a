/**
 * Restart to ready (issue 10, F1: p95 ≤ 2 s): from spawning the server to GET /readyz 200, against a schema seeded by a
 * first start, the previous process killed with SIGKILL each time. Variants interleaved run by run so machine load
 * hits them alike: the server under tsx (dev and tests) and the built server (`npm run build:server`, `npm start`).
 * Baseline: tsx. Run: `npx tsx benchmarks/restart.bench.ts` (RESTART_RUNS, default 10). Writes bench/results/restart.json.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { printTable, spawnUntilReady, writeResults, type Row } from './bench-util.ts';
import { ensureServerBuilt, serverCommand, uniqueSchema } from '../server/testing/server-process.ts';

const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const RUNS = Number(process.env['RESTART_RUNS'] ?? '10');
const schema = uniqueSchema('bench_restart');
const env: NodeJS.ProcessEnv = {
  ...process.env,
  DATABASE_URL,
  DB_SCHEMA: schema,
  DEMO_SHIFT: 'off',
  DEMO_PASSWORD: 'floortwin-test',
  PORT: '0',
  HOST: '127.0.0.1',
  AUTO_RELEASE_MS: '0',
};

/**
 * CPU time a process has used, all threads, ms (Linux /proc; NaN elsewhere). On a shared machine the wall time to
 * ready grows with everyone else's load; the CPU it took grows much less, so both are reported.
 */
function cpuMsOf(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // utime and stime (fields 14 and 15 of stat, 12 and 13 after the command name), in clock ticks of 10 ms.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

/** Spawns the server, polls /readyz until 200, kills it with SIGKILL; spawn → ready in ms, its CPU, and main()'s own figure. */
async function restart(args: readonly string[]): Promise<{ readyMs: number; cpuMs: number; mainMs: number }> {
  const server = await spawnUntilReady(args, env, 10);
  const cpuMs = cpuMsOf(server.child.pid);
  server.child.kill('SIGKILL');
  await server.exited;
  return { readyMs: server.readyMs, cpuMs, mainMs: Number(/ready in (\d+) ms/.exec(server.output())?.[1] ?? NaN) };
}

const quantile = (values: readonly number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
};

await ensureServerBuilt();
const variants = [
  { name: 'tsx (server/main.ts)', args: serverCommand({ built: false }) },
  { name: 'built (dist/server/main.js)', args: serverCommand({ built: true }) },
];
// The first start creates the schema and seeds the stock; every later start resumes from it.
await restart(serverCommand({ built: true }));
const samples = variants.map(() => ({ readyMs: [] as number[], cpuMs: [] as number[], mainMs: [] as number[] }));
for (let run = 0; run < RUNS; run++) {
  for (const [i, variant] of variants.entries()) {
    const { readyMs, cpuMs, mainMs } = await restart(variant.args);
    samples[i]?.readyMs.push(readyMs);
    samples[i]?.cpuMs.push(cpuMs);
    samples[i]?.mainMs.push(mainMs);
  }
}
const rows: Row[] = variants.map((variant, i) => {
  const { readyMs, cpuMs, mainMs } = samples[i] ?? { readyMs: [], cpuMs: [], mainMs: [] };
  return {
    server: variant.name,
    runs: readyMs.length,
    p50Ms: Math.round(quantile(readyMs, 0.5)),
    p95Ms: Math.round(quantile(readyMs, 0.95)),
    cpuP50Ms: Math.round(quantile(cpuMs, 0.5)),
    mainP50Ms: Math.round(quantile(mainMs, 0.5)),
  };
});
const baseline = Number(rows[0]?.['p50Ms'] ?? 1);
for (const row of rows) row['p50VsTsx'] = Number(row['p50Ms']) / baseline;
const load = loadavg().map((n) => n.toFixed(1)).join(' ');
printTable(`Restart to ready after SIGKILL, seeded schema ${schema}, load ${load} (spawn → /readyz 200; cpu: the server's, all threads; main: its own "ready in")`, rows);
console.log(`\nwrote ${await writeResults('restart', { schema, load, rows, samples })}`);
