/**
 * Load mode (issue 6, reliability.md §6.0 and §6.2): drives a running Floortwin server over HTTP and Socket.IO as
 * sales channels (open-model order arrivals), handhelds (picking scans) and dashboards (floor subscribers), keeps a
 * history of every operation, then checks that every acknowledged order exists exactly once and that the store's
 * invariants hold. Loopback only: it is a load generator, not a tool to point at someone else's server.
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { KeepAliveClient, errorCodeOf } from '../../server/api/reliability/http-client.ts';
import { checkStore } from '../../server/store/check.pg.ts';
import { createRng } from '../../server/twin/rng.ts';
import { confirmLost, fetchRunOrders, reconcileOrders, type OrderCheck } from './check-orders.ts';
import { startDashboards, type DashboardStats } from './dashboards.ts';
import { runHandhelds, type HandheldStats } from './handhelds.ts';
import { HdrHistogram, type LatencySummary } from './hdr-histogram.ts';
import { History, errorsByKind, type OpRecord } from './history.ts';
import { runOrderArrivals, type AllocatePolicy, type ArrivalProcess } from './order-arrivals.ts';

export interface LoadOptions {
  /** Server origin, e.g. `http://127.0.0.1:3000`; must be a loopback address. */
  readonly url: string;
  /** Site to load; default the server's first site. */
  readonly siteId?: string;
  /** Offered orders per second (0: no orders). */
  readonly rate: number;
  /** Bound in time: no order is scheduled after this many seconds; handhelds stop then too. */
  readonly seconds: number;
  /** Bound in count (default: unbounded but for `seconds`). */
  readonly maxOrders?: number;
  /** Default 'poisson'. */
  readonly arrival?: ArrivalProcess;
  /** Seed of the arrival times and order contents (default 1). */
  readonly seed?: number;
  /** Prefix of externalRefs, keys, operatives and scans; default `LOAD-<seed>-<time>` (unique per run). */
  readonly runId?: string;
  /** Mean lines per order (default 3). */
  readonly meanLines?: number;
  /** Allocation in the create request (default 'all-or-nothing'). */
  readonly allocate?: AllocatePolicy;
  readonly handhelds?: number;
  /** Least ms between two scans of one handheld (default 1,000). */
  readonly scanIntervalMs?: number;
  /** Scans in the first seconds (handhelds signing on) are kept out of the scan latency (default 0). */
  readonly scanWarmupSeconds?: number;
  readonly dashboards?: number;
  /** Release allocated orders as waves every second while handhelds run (default: when there are handhelds). */
  readonly releaseWaves?: boolean;
  /** Where to run the store's invariants (server/store/check.pg.ts); without it they are reported as not checked. */
  readonly database?: { readonly url: string; readonly schema: string };
  /** Session token or API key: the HTTP calls send it as a bearer token, the sockets as `auth: { token }`. */
  readonly token?: string;
  /** Per-request deadline before a retry, ms (default 5,000). */
  readonly requestTimeoutMs?: number;
  /** Progress lines (default: none). */
  readonly log?: (line: string) => void;
}

export interface LoadReport {
  readonly runId: string;
  readonly url: string;
  readonly siteId: string;
  readonly offeredRate: number;
  readonly seconds: number;
  readonly orders: {
    readonly scheduled: number;
    readonly acknowledged: number;
    readonly failed: number;
    readonly indeterminate: number;
    /** Acknowledged orders per second over the arrival span. */
    readonly throughputPerSec: number;
    /** Acknowledged with the allocation refused (e.g. out of stock); still created. */
    readonly allocationRefused: number;
    /** 5xx answers over all tries, including orders that a retry then got acknowledged. */
    readonly serverErrorAnswers: number;
    /** ms from the scheduled send to the definite answer, acknowledged orders. */
    readonly latencyMs: LatencySummary;
  };
  readonly scans: (HandheldStats & { readonly latencyMs: LatencySummary }) | null;
  readonly dashboards: DashboardStats | null;
  /** Failed and indeterminate operations by `kind outcome code`. */
  readonly errors: Record<string, number>;
  /**
   * CPU the load generator (this process) used during the run, % of one core, and the machine's 1-minute load average
   * at the end: reliability.md §6.0 calls a run invalid when the generator needs > 35 % of a core.
   */
  readonly generatorCpuPercent: number;
  readonly loadAverage: number;
  readonly check: OrderCheck & { readonly invariants: InvariantReport };
  /** Nothing lost, duplicated or unexpected, and the invariants hold (or were not asked for). */
  readonly ok: boolean;
  readonly history: readonly OpRecord[];
}

export type InvariantReport =
  | { readonly checked: false; readonly reason: string }
  | { readonly checked: true; readonly ok: boolean; readonly problems: readonly string[] };

/** Throws unless `url` is an http URL on a loopback address (127.0.0.0/8, ::1, localhost). */
export function assertLoopbackUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`not a URL: ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'http:') throw new Error(`load mode speaks plain http to a local server, not ${parsed.protocol} (${url})`);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
  if (!loopback) throw new Error(`load mode only targets a loopback server (127.0.0.1, ::1, localhost), not ${host}`);
  return parsed;
}

/** What the run needs to know about the site: a tenant and plain SKUs with stock. */
interface SiteTarget {
  readonly siteId: string;
  readonly tenantId: string;
  readonly skuIds: readonly string[];
}

const MAX_ORDER_SKUS = 300;

/** Finds the site, then the tenant with the most available stock and its plain (lot-free) SKUs, most stock first. */
async function discoverSite(client: KeepAliveClient, origin: string, siteId: string | undefined): Promise<SiteTarget> {
  const sitesRes = await client.request({ method: 'GET', url: `${origin}/api/sites` }).catch((e: unknown) => {
    throw new Error(`no server answers at ${origin} (${(e as Error).message})`);
  });
  if (sitesRes.status !== 200) throw new Error(`GET /api/sites answered ${sitesRes.status}: is a Floortwin server ready at ${origin}?`);
  const sites = (sitesRes.json as { sites: { id: string }[] }).sites;
  const site = siteId ?? sites[0]?.id;
  if (site === undefined || !sites.some((s) => s.id === site)) throw new Error(`no site ${siteId ?? ''} on ${origin} (sites: ${sites.map((s) => s.id).join(', ')})`);
  const available = new Map<string, number>();
  const lotted = new Set<string>();
  for (let offset = 0; ; offset += 1000) {
    const res = await client.request({ method: 'GET', url: `${origin}/api/sites/${site}/stock?limit=1000&offset=${offset}` });
    if (res.status !== 200) throw new Error(`GET stock answered ${res.status} ${errorCodeOf(res.json) ?? ''}`);
    const page = res.json as { total: number; quants: { tenantId: string; skuId: string; lot: string; available: number }[] };
    for (const q of page.quants) {
      const key = `${q.tenantId}|${q.skuId}`;
      if (q.lot !== '') lotted.add(key);
      available.set(key, (available.get(key) ?? 0) + q.available);
    }
    if (offset + 1000 >= page.total || page.quants.length === 0) break;
  }
  const byTenant = new Map<string, { skuId: string; available: number }[]>();
  for (const [key, qty] of [...available.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (lotted.has(key) || qty <= 0) continue;
    const [tenantId = '', skuId = ''] = key.split('|');
    const list = byTenant.get(tenantId) ?? [];
    list.push({ skuId, available: qty });
    byTenant.set(tenantId, list);
  }
  const total = (skus: readonly { available: number }[]): number => skus.reduce((s, x) => s + x.available, 0);
  const [tenantId, skus] = [...byTenant.entries()].sort(([, a], [, b]) => total(b) - total(a))[0] ?? [];
  if (tenantId === undefined || skus === undefined) throw new Error(`site ${site} has no plain SKU in stock to order`);
  const skuIds = [...skus].sort((a, b) => b.available - a.available || (a.skuId < b.skuId ? -1 : 1)).slice(0, MAX_ORDER_SKUS).map((s) => s.skuId);
  return { siteId: site, tenantId, skuIds };
}

/** Releases allocated orders as waves every `everyMs` until stopped (so the handhelds have work). */
function startWaveReleaser(client: KeepAliveClient, siteBase: string, everyMs: number, history: History, now: () => number, timeoutMs: number): () => Promise<void> {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const op = history.invoke('wave', now());
      op.tries++;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const res = await Promise.race([
        client.postJson(`${siteBase}/waves`, { maxOrders: 500 }).catch(() => null),
        new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs))),
      ]);
      clearTimeout(timer);
      if (res === null) history.complete(op, now(), 'info', { code: 'TIMEOUT' });
      else if (res.status === 200 || res.status === 201) history.complete(op, now(), 'ok', { status: res.status });
      else history.complete(op, now(), 'fail', { status: res.status, code: errorCodeOf(res.json) ?? `HTTP_${res.status}` });
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
  };
}

async function checkInvariants(database: LoadOptions['database'], siteId: string): Promise<InvariantReport> {
  if (database === undefined) return { checked: false, reason: 'no database given (--database-url / --schema)' };
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  pool.on('error', () => undefined);
  try {
    const results = await checkStore(pool, database.schema, siteId);
    const problems = results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.violations} violation(s), e.g. ${JSON.stringify(r.sample[0] ?? null)}`);
    return { checked: true, ok: problems.length === 0, problems };
  } finally {
    await pool.end();
  }
}

/** Runs the load, waits for every answer, then checks the history against the server. */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const origin = assertLoopbackUrl(options.url).origin;
  if (!(options.rate >= 0) || !Number.isFinite(options.rate)) throw new Error(`rate must be ≥ 0 orders/s, got ${options.rate}`);
  if (!(options.seconds > 0) || !Number.isFinite(options.seconds)) throw new Error(`seconds must be > 0, got ${options.seconds}`);
  const log = options.log ?? (() => undefined);
  const seed = options.seed ?? 1;
  const runId = options.runId ?? `LOAD-${seed}-${Date.now().toString(36)}`;
  const timeoutMs = options.requestTimeoutMs ?? 5_000;
  const handheldCount = options.handhelds ?? 0;
  const dashboardCount = options.dashboards ?? 0;
  const t0 = performance.now();
  const now = (): number => performance.now() - t0;
  // Enough sockets that the generator never queues behind itself below ~2 s of backlog.
  const client = new KeepAliveClient(Math.max(64, Math.ceil(options.rate * 2)), options.token === undefined ? {} : { authorization: `Bearer ${options.token}` });
  const history = new History();
  try {
    const target = await discoverSite(client, origin, options.siteId);
    const siteBase = `${origin}/api/sites/${target.siteId}`;
    log(`load ${runId}: site ${target.siteId}, tenant ${target.tenantId}, ${target.skuIds.length} SKUs; ${options.rate} orders/s for ${options.seconds} s, ${handheldCount} handhelds, ${dashboardCount} dashboards`);

    const dashboards = dashboardCount > 0 ? startDashboards({ origin, siteId: target.siteId, count: dashboardCount, ackTimeoutMs: timeoutMs, now, history, ...(options.token === undefined ? {} : { token: options.token }) }) : null;
    await dashboards?.ready;
    const started = now();
    const cpu0 = process.cpuUsage();
    const endAt = started + options.seconds * 1000;
    const handheldsStopped = (): boolean => now() >= endAt;
    const stopWaves =
      (options.releaseWaves ?? handheldCount > 0) ? startWaveReleaser(client, siteBase, 1_000, history, now, timeoutMs) : () => Promise.resolve();

    const orderLatency = new HdrHistogram();
    const scanLatency = new HdrHistogram();
    const handhelds =
      handheldCount > 0
        ? runHandhelds({
            origin,
            ...(options.token === undefined ? {} : { token: options.token }),
            siteId: target.siteId,
            count: handheldCount,
            prefix: runId,
            scanIntervalMs: options.scanIntervalMs ?? 1_000,
            ackTimeoutMs: timeoutMs,
            now,
            stopped: handheldsStopped,
            history,
            latency: scanLatency,
            recordFrom: started + (options.scanWarmupSeconds ?? 0) * 1000,
          })
        : null;
    const orders =
      options.rate > 0
        ? await runOrderArrivals({
            client,
            siteBase,
            tenantId: target.tenantId,
            skuIds: target.skuIds,
            rate: options.rate,
            arrival: options.arrival ?? 'poisson',
            durationMs: options.seconds * 1000,
            maxOrders: options.maxOrders ?? Number.MAX_SAFE_INTEGER,
            meanLines: options.meanLines ?? 3,
            allocate: options.allocate ?? 'all-or-nothing',
            prefix: runId,
            rng: createRng(seed),
            timeoutMs,
            maxTries: 10,
            now,
            history,
            latency: orderLatency,
          })
        : { scheduled: 0, allocationRefused: 0, serverErrorAnswers: 0, spanMs: 0 };
    const scans = handhelds ? await handhelds : null;
    await stopWaves();
    const dashboardStats = dashboards?.stop() ?? null;
    const cpu = process.cpuUsage(cpu0);
    const generatorCpuPercent = ((cpu.user + cpu.system) / 1000 / Math.max(1, now() - started)) * 100;
    log(`load ${runId}: ${orders.scheduled} orders sent; checking`);

    // Quiescent now: every answer is in. Compare the history with the server, then the invariants.
    const found = await fetchRunOrders(client, siteBase, runId);
    const reconciled = reconcileOrders(history.all, found, runId);
    const lost = await confirmLost(client, siteBase, reconciled.lost);
    const invariants = await checkInvariants(options.database, target.siteId);
    const check = { ...reconciled, lost, invariants };
    const orderOps = history.of('order');
    const acknowledged = orderOps.filter((op) => op.outcome === 'ok').length;
    const ok =
      lost.length === 0 &&
      check.duplicates.length === 0 &&
      check.unexpected.length === 0 &&
      check.mismatched.length === 0 &&
      (!invariants.checked || invariants.ok);
    return {
      runId,
      url: origin,
      siteId: target.siteId,
      offeredRate: options.rate,
      seconds: options.seconds,
      orders: {
        scheduled: orders.scheduled,
        acknowledged,
        failed: orderOps.filter((op) => op.outcome === 'fail').length,
        indeterminate: orderOps.filter((op) => op.outcome === 'info').length,
        throughputPerSec: orders.spanMs > 0 ? acknowledged / (orders.spanMs / 1000) : 0,
        allocationRefused: orders.allocationRefused,
        serverErrorAnswers: orders.serverErrorAnswers,
        latencyMs: orderLatency.summary(),
      },
      scans: scans ? { ...scans, latencyMs: scanLatency.summary() } : null,
      dashboards: dashboardStats,
      errors: errorsByKind(history.all),
      generatorCpuPercent,
      loadAverage: loadavg()[0] ?? Number.NaN,
      check,
      ok,
      history: history.all,
    };
  } finally {
    client.close();
  }
}
