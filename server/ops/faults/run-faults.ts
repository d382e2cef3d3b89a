/**
 * `npm run test:faults`: the fault tests of issue 10 against the real server (server/main.ts), with a private Postgres
 * cluster and private redis-servers (the shared ones are never stopped).
 * - F1 (f1.ts): `kill -9` a server every 5 s under order load — two processes with site leases behind a round-robin
 *   balancer (one supervised process where the server runs no leases): 0 acknowledged lost, 0 duplicates, I1–I12,
 *   restart to ready p95.
 * - F2: Postgres crashes (`pg_ctl stop -m immediate`) under order load: 503 + Retry-After fast, recovery after it
 *   accepts connections again, 0 acknowledged orders lost.
 * - F3: Redis hung (SIGSTOP), flushed and stopped under load: every order still acknowledged, 0 lost, p99 vs baseline.
 * - F9: SIGTERM under load: 0 5xx for requests in flight, every acknowledged order there after a restart; and
 *   handhelds scanning through a SIGTERM and a restart (failover.ts, form 'sigterm'): every acked scan applied once.
 * - L5 (l5.ts): 2,000 floor viewers (300 in the short form) re-join within 30 s of a restarted server being ready.
 * - FAILOVER (failover.ts): two processes, 200 handhelds scanning (50 short); the site's owner is killed: every
 *   handheld resumes with the new owner and every acknowledged scan is applied exactly once.
 * `FAULTS_SHORT=1` is the CI form (under a minute per test); `FAULTS=F1,L5` picks some (default: all). Exit 1 when a
 * check fails.
 */
import { startServerProcess, uniqueSchema } from '../../testing/server-process.ts';
import { acked, byStatus, lost, ms, orderLoad, quantile, report, results, s, serverEnv, SHORT, WANTED } from './fault-kit.ts';
import { f1 } from './f1.ts';
import { failover } from './failover.ts';
import { l5 } from './l5.ts';
import { PrivatePostgres } from './private-postgres.ts';
import { PrivateRedis } from './private-redis.ts';
import { sleep, waitFor } from './wait.ts';

async function f2(pg: PrivatePostgres): Promise<void> {
  const server = await startServerProcess(serverEnv(pg, uniqueSchema('f2')));
  try {
    const load = orderLoad(server, 100);
    await sleep(s(5, 2));
    const crashAt = performance.now();
    await pg.crash();
    await sleep(s(5, 2));
    await pg.startServer();
    const acceptingAt = performance.now();
    await waitFor(() => load.samples.some((x) => x.startedAt > acceptingAt && x.status === 201), 15_000, 'an order acknowledged after Postgres returned').catch(() => undefined);
    const firstOk = load.samples.filter((x) => x.startedAt > acceptingAt && x.status === 201).sort((a, b) => a.endedAt - b.endedAt)[0];
    await sleep(s(5, 2));
    await load.stop();
    const outage = load.samples.filter((x) => x.startedAt >= crashAt && x.startedAt < acceptingAt);
    const refused = outage.filter((x) => x.status === 503);
    const missing = await lost(server, acked(load.samples));
    const recoveryMs = firstOk ? firstOk.endedAt - acceptingAt : Infinity;
    const other5xx = load.samples.filter((x) => x.status >= 500 && x.status !== 503);
    report(
      'F2 Postgres crash (pg_ctl stop -m immediate) under order load',
      {
        'outage answers are 503 STORE_UNAVAILABLE with Retry-After': refused.length > 0 && refused.every((x) => x.retryAfter !== null),
        'no outage request waits > 2 s': outage.every((x) => x.endedAt - x.startedAt <= 2000),
        'recovery <= 5 s after Postgres accepts': recoveryMs <= 5000,
        'no 5xx but 503': other5xx.length === 0,
        '0 acknowledged orders lost': missing.length === 0,
      },
      {
        orders: load.samples.length,
        acknowledged: acked(load.samples).length,
        'outage requests': outage.length,
        'outage answers': byStatus(outage),
        'outage latency p50/p99/max': `${ms(quantile(outage.map((x) => x.endedAt - x.startedAt), 0.5))} / ${ms(quantile(outage.map((x) => x.endedAt - x.startedAt), 0.99))} / ${ms(Math.max(...outage.map((x) => x.endedAt - x.startedAt)))}`,
        'recovery after Postgres accepts': ms(recoveryMs),
        'all answers': byStatus(load.samples),
        lost: missing.length,
      },
    );
  } catch (error) {
    console.error(`F2 server output (tail):\n${server.output().slice(-4000)}`);
    throw error;
  } finally {
    await server.stop('SIGKILL');
  }
}

async function f3(pg: PrivatePostgres): Promise<void> {
  const redis = await PrivateRedis.start();
  const server = await startServerProcess(serverEnv(pg, uniqueSchema('f3'), { REDIS_URL: redis.url }));
  try {
    const load = orderLoad(server, 100);
    const phase = async (name: string, durationMs: number): Promise<[string, number, number]> => {
      const from = performance.now();
      await sleep(durationMs);
      return [name, from, performance.now()];
    };
    const phases: [string, number, number][] = [];
    phases.push(await phase('baseline', s(10, 3)));
    redis.hang();
    phases.push(await phase('hung (SIGSTOP)', s(20, 3)));
    redis.resume();
    await redis.flush();
    phases.push(await phase('after FLUSHALL', s(5, 2)));
    await redis.stop();
    phases.push(await phase('stopped', s(20, 3)));
    await redis.restart();
    phases.push(await phase('back', s(10, 3)));
    await load.stop();
    const latency = (from: number, to: number): number[] => load.samples.filter((x) => x.startedAt >= from && x.startedAt < to).map((x) => x.endedAt - x.startedAt);
    const p99 = Object.fromEntries(phases.map(([name, from, to]) => [name, ms(quantile(latency(from, to), 0.99))]));
    const baseline = quantile(latency(phases[0]?.[1] ?? 0, phases[0]?.[2] ?? 0), 0.99);
    const worst = Math.max(...phases.slice(1).map(([, from, to]) => quantile(latency(from, to), 0.99)));
    const missing = await lost(server, acked(load.samples));
    const failedOrders = load.samples.filter((x) => x.status !== 201);
    const alive = server.child.exitCode === null;
    report(
      'F3 Redis hung (SIGSTOP), flushed and stopped under order load',
      {
        'every order acknowledged': failedOrders.length === 0,
        '0 acknowledged orders lost': missing.length === 0,
        'server still running': alive,
        'p99 <= 2x baseline (or <= 50 ms)': worst <= Math.max(2 * baseline, 50),
      },
      { orders: load.samples.length, 'not acknowledged': byStatus(failedOrders), 'p99 by phase': p99, lost: missing.length },
    );
  } finally {
    await server.stop('SIGKILL');
    await redis.stop();
  }
}

async function f9(pg: PrivatePostgres): Promise<void> {
  const schema = uniqueSchema('f9');
  const env = serverEnv(pg, schema, { SHUTDOWN_GRACE_MS: '10000' });
  const server = await startServerProcess(env);
  // Unpaced: the server is kept busy, so requests are in flight at the moment SIGTERM arrives.
  const load = orderLoad(server, 100_000, 16);
  await sleep(s(5, 2));
  const termAt = performance.now();
  const exit = server.stop('SIGTERM');
  const code = await exit;
  const exitedAt = performance.now();
  await load.stop();
  const inFlight = load.samples.filter((x) => x.startedAt < termAt && x.endedAt > termAt);
  const fiveXx = inFlight.filter((x) => x.status >= 500 || x.status === 0);
  const afterTerm = load.samples.filter((x) => x.startedAt >= termAt);
  const restarted = await startServerProcess(env);
  try {
    const missing = await lost(restarted, acked(load.samples));
    const readyz = await fetch(`${restarted.url}/readyz`);
    report(
      'F9 SIGTERM under order load',
      {
        'exit code 0': code === 0,
        '0 5xx (or cut connections) for requests in flight at SIGTERM': fiveXx.length === 0,
        '0 acknowledged orders lost across the restart': missing.length === 0,
        'restarted server ready': readyz.status === 200,
        'requests were in flight at SIGTERM': inFlight.length > 0,
      },
      {
        orders: load.samples.length,
        acknowledged: acked(load.samples).length,
        'in flight at SIGTERM': inFlight.length,
        'their answers': byStatus(inFlight),
        'after SIGTERM (new requests)': byStatus(afterTerm),
        'SIGTERM to exit': ms(exitedAt - termAt),
        lost: missing.length,
      },
    );
  } finally {
    await restarted.stop('SIGKILL');
  }
}

const started = performance.now();
const pg = await PrivatePostgres.start();
console.log(`private Postgres on ${pg.port} (${pg.dataDir})${SHORT ? ', short form' : ''}`);
try {
  if (WANTED.has('F1')) await f1(pg);
  if (WANTED.has('F2')) await f2(pg);
  if (WANTED.has('F3')) await f3(pg);
  if (WANTED.has('F9')) {
    await f9(pg);
    // F9's "0 lost scans": handhelds scanning through a SIGTERM and a restart.
    await failover(pg, 'sigterm');
  }
  if (WANTED.has('L5')) await l5(pg);
  if (WANTED.has('FAILOVER')) await failover(pg);
} finally {
  await pg.destroy();
}
console.log(`\n${results.filter((r) => r.ok).length}/${results.length} fault tests passed in ${Math.round((performance.now() - started) / 1000)} s`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
