/**
 * F1 (issue 10, reliability.md §6.3): `kill -9` a server every 5 s under order load; a supervisor restarts it at once
 * with the same INSTANCE_ID on the same port. The production shape: two processes sharing Postgres and Redis (site
 * leases) behind a round-robin balancer; the kills alternate between the site's owner (from /readyz) and the other.
 * Without leases (a server whose /readyz names no owner, or F1_PROCESSES=1) one process is supervised instead.
 * The load posts each order once under its own Idempotency-Key and retries it (same key, same body) after a cut
 * connection, a 5xx, 409 REQUEST_IN_PROGRESS or 429 until it is answered for good or the grace after the load ends.
 * Checks, from the log in Postgres: every acknowledged order created exactly once, no order created twice, refused
 * ones never and indeterminate ones at most once (I11), I1–I12 (`checkStore`), restart to ready (spawn → /readyz 200)
 * p95 ≤ 2 s. Availability (share of attempts answered 2xx, longest time without one) is reported.
 */
import pg from 'pg';
import { checkStore, type HistoryEntry } from '../../store/check.pg.ts';
import { quoteIdent } from '../../store/pg-util.ts';
import { startServerProcess, testServerAt, uniqueSchema, type ServerProcess, type TestServer } from '../../testing/server-process.ts';
import { ms, machineLoad, quantile, readyAfter, report, s, serverEnv, SHORT, site, siteOwnerAt, skuId, tenantId } from './fault-kit.ts';
import { HttpBalancer } from './http-balancer.ts';
import type { PrivatePostgres } from './private-postgres.ts';
import { PrivateRedis } from './private-redis.ts';
import { freePort, sleep } from './wait.ts';

/** One HTTP attempt of one order. */
interface Attempt {
  readonly startedAt: number;
  readonly endedAt: number;
  /** 0: no answer (code TIMEOUT after 10 s, or CUT: connection refused or cut). */
  readonly status: number;
  readonly code?: string;
  /** Retry-After of the answer, ms. */
  readonly retryAfterMs?: number;
}

/** Where an order ended: acknowledged, refused for good, or still undecided when the retries stopped. */
type Outcome = 'ok' | 'fail' | 'info';

interface OrderRecord {
  readonly orderId: string;
  outcome: Outcome | 'open';
  attempts: number;
  lastStatus: string;
}

/** Answers after which the same request is sent again. REQUEST_IN_PROGRESS: a killed process still holds the key's lease. */
const retryable = (status: number, code: string | undefined): boolean =>
  status === 0 || status >= 500 || status === 429 || (status === 409 && code === 'REQUEST_IN_PROGRESS');

/**
 * Starts about `perSecond` new orders a second until `stopAt`; each is retried until it ends or `retryUntil`. Open
 * model: a slow or failing server does not slow the arrivals (up to `maxOpen` orders undecided at once); the requests
 * themselves share `maxInFlight` connections.
 */
function retryingOrderLoad(client: TestServer, perSecond: number, stopAt: number, retryUntil: number, maxOpen = 4000, maxInFlight = 64) {
  const attempts: Attempt[] = [];
  const orders: OrderRecord[] = [];
  const prefix = `F1${Date.now().toString(36)}`;
  let open = 0;
  let delayed = 0;

  // At most `maxInFlight` requests at once (a load generator's connection pool): retries of an outage's undecided
  // orders queue here instead of piling onto a server that is still catching up.
  let inFlight = 0;
  const waiting: (() => void)[] = [];
  const slot = async (): Promise<void> => {
    if (inFlight >= maxInFlight) await new Promise<void>((resolve) => waiting.push(resolve));
    inFlight++;
  };
  const release = (): void => {
    inFlight--;
    waiting.shift()?.();
  };

  const attempt = async (orderId: string): Promise<Attempt> => {
    await slot();
    try {
      return await send(orderId);
    } finally {
      release();
    }
  };

  const send = async (orderId: string): Promise<Attempt> => {
    const startedAt = performance.now();
    try {
      const response = await client.fetch(`/api/sites/${site.id}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': orderId },
        body: JSON.stringify({ orderId, tenantId, lines: [{ skuId, qty: 1 }] }),
        signal: AbortSignal.timeout(10_000),
      });
      const text = await response.text();
      let code: string | undefined;
      if (!response.ok) {
        try {
          code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
        } catch {
          code = 'NOT_JSON';
        }
      }
      const retryAfter = Number(response.headers.get('retry-after') ?? NaN);
      return { startedAt, endedAt: performance.now(), status: response.status, ...(code ? { code } : {}), ...(Number.isFinite(retryAfter) ? { retryAfterMs: retryAfter * 1000 } : {}) };
    } catch (error) {
      const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
      return { startedAt, endedAt: performance.now(), status: 0, code: timedOut ? 'TIMEOUT' : 'CUT' };
    }
  };

  const run = async (record: OrderRecord): Promise<void> => {
    open++;
    try {
      for (let n = 0; ; n++) {
        const result = await attempt(record.orderId);
        attempts.push(result);
        record.attempts++;
        record.lastStatus = `${result.status}${result.code ? ` ${result.code}` : ''}`;
        if (result.status >= 200 && result.status < 300) return void (record.outcome = 'ok');
        if (!retryable(result.status, result.code)) return void (record.outcome = 'fail');
        // Retry-After when the server gives one, else 100 ms doubling up to 2 s; ±20 % jitter (so the undecided
        // orders of an outage do not come back as one wave).
        const pause = Math.min(2000, result.retryAfterMs ?? 100 * 2 ** n) * (0.8 + 0.4 * Math.random());
        if (performance.now() + pause > retryUntil) return void (record.outcome = 'info');
        await sleep(pause);
      }
    } finally {
      open--;
    }
  };

  const running: Promise<void>[] = [];
  const startedAt = performance.now();
  const scheduler = (async () => {
    while (performance.now() < stopAt) {
      const due = Math.floor(((performance.now() - startedAt) * perSecond) / 1000);
      while (orders.length < due && open < maxOpen) {
        const record: OrderRecord = { orderId: `${prefix}-${orders.length}`, outcome: 'open', attempts: 0, lastStatus: '' };
        orders.push(record);
        running.push(run(record));
      }
      if (orders.length < due) delayed++;
      await sleep(10);
    }
  })();

  return {
    attempts,
    orders,
    get open() {
      return open;
    },
    /** Scheduler ticks at which the open-order cap held arrivals back. */
    get delayed() {
      return delayed;
    },
    async finished(): Promise<void> {
      await scheduler;
      await Promise.all(running);
    },
  };
}

/** The owner of the site as `url`'s /readyz names it: an instance id, null (nobody), or undefined (no leases there). */
const ownerAt = async (url: string): Promise<string | null | undefined> => (await siteOwnerAt(url, 5_000))?.owner;

/** One supervised server: a fixed port and INSTANCE_ID, restarted at once after a kill. */
class Supervised {
  server: ServerProcess | null = null;
  /** Spawn → /readyz 200 of each start after a kill, ms. */
  readonly restarts: number[] = [];
  /** The server's own `ready in N ms` (from main() on, without node's start and module loading) of those starts. */
  readonly readyIn: number[] = [];
  /** When the latest start finished (performance.now()). */
  readyAt = 0;
  private starting: Promise<void> | null = null;
  /** Output of earlier lives (for a failure's report). */
  private pastOutput = '';

  constructor(
    readonly instanceId: string,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts the process; with `timed`, records spawn → /readyz 200. */
  start(timed: boolean): Promise<void> {
    const spawnedAt = performance.now();
    const stopPolling = new AbortController();
    const ready = timed ? readyAfter(this.port, spawnedAt, stopPolling.signal) : Promise.resolve(NaN);
    this.starting = (async () => {
      try {
        // The production start path (plain JS from `npm run build:server`), as a restarted container runs it.
        this.server = await startServerProcess({ ...this.env, PORT: String(this.port), INSTANCE_ID: this.instanceId }, { built: true }).catch((error: unknown) => {
          stopPolling.abort();
          throw error;
        });
        this.readyAt = performance.now();
        if (timed) {
          this.restarts.push(await ready);
          this.readyIn.push(Number(/ready in (\d+) ms/.exec(this.server.output())?.[1] ?? NaN));
        }
      } finally {
        this.starting = null;
      }
    })();
    return this.starting;
  }

  /** Resolves once a start in progress is done. */
  async started(): Promise<void> {
    await this.starting?.catch(() => undefined);
  }

  /** `kill -9`, waits for the exit. */
  async kill(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server === null) return;
    this.pastOutput += server.output();
    await server.stop('SIGKILL');
  }

  output(): string {
    return this.pastOutput + (this.server?.output() ?? '');
  }
}

export async function f1(postgres: PrivatePostgres): Promise<void> {
  const durationMs = s(120, 20);
  const perSecond = SHORT ? 50 : 200;
  const killEveryMs = 5000;
  const graceMs = s(40, 8);
  const schema = uniqueSchema('f1');
  const redis = await PrivateRedis.start();
  const env = serverEnv(postgres, schema, { REDIS_URL: redis.url, LEASE_TTL_MS: '2000' });
  const nodes = [new Supervised('f1-a', await freePort(), env)];
  let balancer: HttpBalancer | null = null;
  const pool = new pg.Pool({ connectionString: postgres.url, max: 2 });
  try {
    await nodes[0]?.start(false);
    const first = nodes[0] as Supervised;
    // Two processes only where the server runs site leases (its /readyz names the owner); else one, supervised.
    const leases = (await ownerAt(first.url)) !== undefined;
    const wantTwo = leases && process.env['F1_PROCESSES'] !== '1';
    if (wantTwo) {
      const second = new Supervised('f1-b', await freePort(), env);
      nodes.push(second);
      await second.start(false);
    }
    balancer = await HttpBalancer.start(nodes.map((n) => ({ host: '127.0.0.1', port: n.port })));
    const client = testServerAt(balancer.url, first.server?.token ?? '');

    const loadBefore = machineLoad();
    const loadStart = performance.now();
    const loadEnd = loadStart + durationMs;
    const load = retryingOrderLoad(client, perSecond, loadEnd, loadEnd + graceMs);
    const kills: { instance: string; wasOwner: boolean | null; at: number }[] = [];
    const restarting: Promise<void>[] = [];
    const restartFailures: string[] = [];
    let lateKills = 0;
    for (let k = 1, nextKill = loadStart + killEveryMs; nextKill < loadEnd; k++) {
      await sleep(nextKill - performance.now());
      // Alternate: the owner (odd kills), then the other; one process: always it.
      const owner = wantTwo ? await ownerAt((nodes.find((n) => n.server !== null) ?? first).url) : undefined;
      const ownerNode = nodes.find((n) => n.instanceId === owner);
      const target = !wantTwo ? first : k % 2 === 1 ? (ownerNode ?? first) : (nodes.find((n) => n !== ownerNode) ?? first);
      // A process is killed once it has been up for a second (never while it starts: that would measure nothing).
      await target.started();
      if (performance.now() + 1000 >= loadEnd) break;
      if (performance.now() < target.readyAt + 1000) {
        lateKills++;
        await sleep(target.readyAt + 1000 - performance.now());
      }
      kills.push({ instance: target.instanceId, wasOwner: owner === undefined ? null : owner === target.instanceId, at: performance.now() });
      nextKill = performance.now() + killEveryMs;
      await target.kill();
      restarting.push(target.start(true).catch((error: unknown) => void restartFailures.push(error instanceof Error ? error.message.slice(0, 500) : String(error))));
    }
    await load.finished();
    await Promise.all(restarting);

    // The log is the truth: how often each order of this run was created.
    const counts = new Map<string, number>();
    const rows = await pool.query<{ id: string; n: number }>(
      `SELECT payload->>'orderId' AS id, count(*)::int AS n FROM ${quoteIdent(schema)}.events
        WHERE site_id = $1 AND type = 'OrderCreated' AND payload->>'orderId' = ANY($2::text[]) GROUP BY 1`,
      [site.id, load.orders.map((o) => o.orderId)],
    );
    for (const row of rows.rows) counts.set(row.id, row.n);
    const of = (outcome: Outcome): OrderRecord[] => load.orders.filter((o) => o.outcome === outcome);
    const lost = of('ok').filter((o) => (counts.get(o.orderId) ?? 0) === 0);
    const duplicated = load.orders.filter((o) => (counts.get(o.orderId) ?? 0) > 1);
    const history: HistoryEntry[] = load.orders.map((o) => ({ kind: 'order', id: o.orderId, outcome: o.outcome === 'open' ? 'info' : o.outcome }));
    // Stop the servers first, so the invariants are read on a log nobody writes to any more.
    for (const node of nodes) await node.server?.stop('SIGTERM');
    const invariants = await checkStore(pool, schema, site.id, { history, recordCheckpoint: false });
    const violated = invariants.filter((r) => !r.ok);

    const inWindow = load.attempts.filter((a) => a.startedAt < loadEnd);
    // Before the first kill: what this machine gives without faults, in the same run.
    const firstKillAt = kills[0]?.at ?? loadEnd;
    const baseline = load.attempts.filter((a) => a.endedAt < firstKillAt).map((a) => a.endedAt - a.startedAt);
    const okEnds = inWindow.filter((a) => a.status >= 200 && a.status < 300).map((a) => a.endedAt).sort((a, b) => a - b);
    let longestGap = 0;
    let previous = loadStart;
    for (const at of [...okEnds, loadEnd]) {
      longestGap = Math.max(longestGap, at - previous);
      previous = Math.max(previous, at);
    }
    const byStatus: Record<string, number> = {};
    for (const a of load.attempts) {
      const key = `${a.status}${a.code ? ` ${a.code}` : ''}`;
      byStatus[key] = (byStatus[key] ?? 0) + 1;
    }
    const restarts = nodes.flatMap((n) => n.restarts);
    const readyIn = nodes.flatMap((n) => n.readyIn);
    const failedFor: Record<string, number> = {};
    for (const o of of('fail')) failedFor[o.lastStatus] = (failedFor[o.lastStatus] ?? 0) + 1;
    report(
      `F1 kill -9 every ${killEveryMs / 1000} s under ${perSecond} orders/s for ${durationMs / 1000} s (${wantTwo ? 'two processes, site leases, round-robin balancer' : 'one supervised process behind the balancer'})`,
      {
        '0 acknowledged orders lost': lost.length === 0,
        '0 orders created twice': duplicated.length === 0,
        'invariants I1–I12 hold (I11: the recorded history)': violated.length === 0,
        // A timing target: checked in the full run (a benchmark's figure); the short CI form reports it only, since CI
        // machines' load makes wall-clock starts meaningless there (tests assert behaviour, benchmarks report numbers).
        ...(SHORT ? {} : { 'restart to ready p95 <= 2 s': quantile(restarts, 0.95) <= 2000 }),
        'orders were acknowledged': of('ok').length > 0,
        'every killed process restarted': kills.length > 0 && restartFailures.length === 0 && restarts.length === kills.length,
      },
      {
        mode: wantTwo ? 'two processes (f1-a, f1-b), LEASE_TTL_MS=2000' : leases ? 'one process (F1_PROCESSES=1)' : 'one process (no site leases in this server)',
        orders: load.orders.length,
        acknowledged: of('ok').length,
        'refused for good': failedFor,
        'indeterminate at the end (info: must exist ≤ once)': of('info').length,
        lost: lost.length,
        'created twice': duplicated.length,
        'violated invariants': violated.map((r) => ({ name: r.name, violations: r.violations, sample: r.sample.slice(0, 2) })),
        kills: kills.length,
        'killed (instance, was the owner)': kills.map((k) => `${k.instance}${k.wasOwner === null ? ' (owner unknown)' : k.wasOwner ? ' (owner)' : ''}`).join(', '),
        ...(restartFailures.length > 0 ? { 'failed restarts': restartFailures } : {}),
        'owner kills': kills.filter((k) => k.wasOwner === true).length,
        'restart to ready (spawn → /readyz 200) p50/p95/max': `${ms(quantile(restarts, 0.5))} / ${ms(quantile(restarts, 0.95))} / ${ms(Math.max(...restarts))}`,
        "of which the server's own 'ready in' (main() → ready) p50/max": `${ms(quantile(readyIn, 0.5))} / ${ms(Math.max(...readyIn))}`,
        'kills held back until the target had been up 1 s': lateKills,
        'latency before the first kill p50/p99 (baseline)': `${ms(quantile(baseline, 0.5))} / ${ms(quantile(baseline, 0.99))} (${baseline.length} answers)`,
        availability: `${((100 * okEnds.length) / Math.max(1, inWindow.length)).toFixed(1)} % of ${inWindow.length} attempts answered 2xx during the load`,
        'longest time without a 2xx': ms(longestGap),
        'attempts by answer': byStatus,
        'arrivals held back (open-order cap)': load.delayed,
        balancer: balancer.stats,
        'machine load (1-min average) before / after': `${loadBefore} / ${machineLoad()}`,
      },
    );
    if (lost.length > 0 || duplicated.length > 0 || violated.length > 0) {
      for (const node of nodes) console.error(`F1 ${node.instanceId} output (tail):\n${node.output().slice(-3000)}`);
    }
  } catch (error) {
    for (const node of nodes) console.error(`F1 ${node.instanceId} output (tail):\n${node.output().slice(-4000)}`);
    throw error;
  } finally {
    for (const node of nodes) await node.kill();
    await balancer?.close();
    await pool.end();
    await redis.stop();
  }
}
