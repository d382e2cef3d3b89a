/**
 * Issue 10, failover: two server processes on one Postgres and Redis, handhelds picking at the owner of site `demo`
 * (200; 50 in the short form), and the owner killed with SIGKILL. Each handheld knows both origins [A, B]: when its
 * connection drops and A refuses a new one, it connects to B, signs on again (which resumes its session) and resends
 * any scan not acked — same scanId — until it is acked; SITE_MOVING / UNAVAILABLE (B has not taken the lease yet) are
 * asked again. Checks: every handheld resumes with B (a scan acked by B, or a next pick from B); every acked scanId is
 * exactly one PickConfirmed event in the log, none is in two, refused scans left none, no stray ones; the store's
 * invariants hold. Figures: scans in flight at the kill (sent before, acked after) and how they ended, time from the
 * kill to B's lease, to the first scan B acked, and to every handheld resumed.
 * Form 'restart' (one process killed and started again on another port with the same INSTANCE_ID) checks the same
 * exactly-once property without a standby; form 'sigterm' is F9's scan half: the process is stopped with SIGTERM while
 * the handhelds scan (exit 0 after draining), restarted the same way, and 0 scans are lost or applied twice.
 */
import path from 'node:path';
import pg from 'pg';
import { loadSiteFiles } from '../../site/site-loader.ts';
import { checkStore } from '../../store/check.pg.ts';
import { quoteIdent } from '../../store/pg-util.ts';
import { startServerProcess, uniqueSchema, type ServerProcess, type TestServer } from '../../testing/server-process.ts';
import type { NextPickResult, ScanResult } from '../../protocol/picking.ts';
import { HdrHistogram } from '../../../simulations/load/hdr-histogram.ts';
import { History } from '../../../simulations/load/history.ts';
import { runHandhelds, type HandheldAnswer } from '../../../simulations/load/handhelds.ts';
import { ms, quantile, report, root, s, serverEnv, SHORT, siteOwnerAt } from './fault-kit.ts';
import type { PrivatePostgres } from './private-postgres.ts';
import { PrivateRedis } from './private-redis.ts';
import { freePort, sleep, waitFor } from './wait.ts';

/**
 * `two-processes`: the owner is killed and the standby takes the site; `restart`: one process killed and started again
 * (same instance); `sigterm`: F9's scans — one process stopped with SIGTERM while handhelds scan (it drains, answers
 * what is in flight and tells the sockets to reconnect), then started again.
 */
export type FailoverForm = 'two-processes' | 'restart' | 'sigterm';

const SITE = 'demo';
const HANDHELDS = SHORT ? 50 : 200;
const SCAN_INTERVAL_MS = 1_000;
const LINES_PER_ORDER = 10;

/** The demo tenant with the most plain (lot-free, not serial-tracked) stock, and those SKUs, most stock first. */
async function plainSkus(): Promise<{ tenantId: string; skuIds: string[] }> {
  const { site, initialStock } = await loadSiteFiles(path.join(root, 'data/sites/demo.json'));
  const serial = new Set(site.skus.filter((sku) => sku.serialTracked === true).map((sku) => sku.id as string));
  const lotted = new Set(initialStock.filter((line) => (line.lot ?? '') !== '').map((line) => `${line.tenantId}|${line.skuId}`));
  const byTenant = new Map<string, Map<string, number>>();
  for (const line of initialStock) {
    const key = `${line.tenantId}|${line.skuId}`;
    if (lotted.has(key) || serial.has(line.skuId)) continue;
    const skus = byTenant.get(line.tenantId) ?? new Map<string, number>();
    skus.set(line.skuId, (skus.get(line.skuId) ?? 0) + line.qty);
    byTenant.set(line.tenantId, skus);
  }
  const total = (skus: Map<string, number>): number => [...skus.values()].reduce((a, b) => a + b, 0);
  const [tenantId, skus] = [...byTenant.entries()].sort(([, a], [, b]) => total(b) - total(a))[0] ?? [];
  if (tenantId === undefined || skus === undefined) throw new Error('the demo site has no plain stock to order');
  return { tenantId, skuIds: [...skus.entries()].sort(([, a], [, b]) => b - a).map(([skuId]) => skuId) };
}

/** Posts `orders` allocated orders of {@link LINES_PER_ORDER} lines and releases them: pick work for the handhelds. */
async function pickWork(server: TestServer, prefix: string, orders: number): Promise<{ released: number }> {
  const { tenantId, skuIds } = await plainSkus();
  let next = 0;
  const post = async (): Promise<void> => {
    for (let n = next++; n < orders; n = next++) {
      const orderId = `${prefix}-O${n}`;
      const lines = Array.from({ length: LINES_PER_ORDER }, (_, i) => ({ skuId: skuIds[(n * LINES_PER_ORDER + i) % skuIds.length] ?? '', qty: 1 }));
      const response = await server.fetch(`/api/sites/${SITE}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': orderId },
        body: JSON.stringify({ orderId, tenantId, lines, allocate: 'all-or-nothing' }),
      });
      if (response.status !== 201 && response.status !== 200) throw new Error(`order ${orderId}: HTTP ${response.status} ${await response.text()}`);
      await response.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: 8 }, post));
  let released = 0;
  for (;;) {
    const response = await server.fetch(`/api/sites/${SITE}/waves`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ maxOrders: 1000 }) });
    const body = (await response.json()) as { orderIds?: string[] };
    if (response.status !== 201 || (body.orderIds?.length ?? 0) === 0) break;
    released += body.orderIds?.length ?? 0;
  }
  return { released };
}

/** PickConfirmed events of the run per scanId. */
async function confirmedScans(pool: pg.Pool, schema: string, prefix: string): Promise<Map<string, number>> {
  const { rows } = await pool.query<{ scan_id: string; n: number }>(
    `SELECT payload->>'scanId' AS scan_id, count(*)::int AS n FROM ${quoteIdent(schema)}.events
      WHERE site_id = $1 AND type = 'PickConfirmed' AND payload->>'scanId' LIKE $2 GROUP BY 1`,
    [SITE, `${prefix}-%`],
  );
  return new Map(rows.map((row) => [row.scan_id, row.n]));
}

/** The instance `server` says it is when it decides the site itself (GET /readyz); null when it does not; undefined when it does not answer. */
async function ownerSeenBy(server: TestServer): Promise<string | null | undefined> {
  const seen = await siteOwnerAt(server.url, 1_000);
  return seen === undefined ? undefined : seen.local ? seen.owner : null;
}

export async function failover(pgServer: PrivatePostgres, form: FailoverForm = 'two-processes'): Promise<void> {
  const schema = uniqueSchema('failover');
  const prefix = `FO${Date.now().toString(36)}`;
  const redis = await PrivateRedis.start();
  const [portA, portB] = [await freePort(), await freePort()];
  // TTL 2 s flapped on a loaded 2-core machine (the owner's renewals starved while 200 sockets signed on): 3 s.
  const cluster = { REDIS_URL: redis.url, LEASE_TTL_MS: '3000', LEASE_RENEW_MS: '1000' };
  const envA = serverEnv(pgServer, schema, { ...cluster, PORT: String(portA), INSTANCE_ID: 'a' });
  // The restart forms come back as the same instance (it takes its own lease back at once); the standby is another.
  const envB = serverEnv(pgServer, schema, { ...cluster, PORT: String(portB), INSTANCE_ID: form === 'two-processes' ? 'b' : 'a' });
  const urlB = `http://127.0.0.1:${portB}`;
  const started = performance.now();
  const phases: Record<string, string> = {};
  const a = await startServerProcess(envA);
  phases['A ready'] = ms(performance.now() - started);
  let b: ServerProcess | null = null;
  const pool = new pg.Pool({ connectionString: pgServer.url, max: 2 });
  pool.on('error', () => undefined);
  try {
    const seconds = { before: s(10, 5), after: s(8, 3) };
    // Enough work to scan all along: before the kill, the outage and after everyone is back, plus a margin.
    const orders = Math.ceil((HANDHELDS * (seconds.before + seconds.after + s(12, 10))) / SCAN_INTERVAL_MS / LINES_PER_ORDER);
    const [work, standby] = await Promise.all([pickWork(a, prefix, orders), form === 'two-processes' ? startServerProcess(envB) : Promise.resolve(null)]);
    b = standby;
    phases['work posted and released, B ready'] = ms(performance.now() - started);
    const ownerBefore = await ownerSeenBy(a);

    const history = new History();
    const t0 = performance.now();
    const now = (): number => performance.now() - t0;
    let killAt = Infinity;
    let stop = false;
    const resumedAt = new Map<string, number>();
    const scanAckedBy = new Map<number, HandheldAnswer>();
    const refusalsAfterKill = new Map<string, number>();
    let firstScanByB = Infinity;
    const onAnswer = (answer: HandheldAnswer): void => {
      const { op, origin, at, result } = answer;
      if (!result.ok) {
        if (at >= killAt) refusalsAfterKill.set(`${op.kind} ${result.error.code}`, (refusalsAfterKill.get(`${op.kind} ${result.error.code}`) ?? 0) + 1);
        return;
      }
      if (op.kind === 'scan') scanAckedBy.set(op.id, answer);
      // A handheld that could not reach A at its start may have gone to the standby, which forwards to the owner.
      if (origin !== urlB || at < killAt) return;
      const scanAcked = op.kind === 'scan';
      const nextPick = op.kind === 'next' && (result as Extract<NextPickResult, { ok: true }>).next.pick !== null;
      if (scanAcked) firstScanByB = Math.min(firstScanByB, at);
      const operativeId = op.ids['operativeId'];
      if ((scanAcked || nextPick) && operativeId !== undefined && !resumedAt.has(operativeId)) resumedAt.set(operativeId, at);
    };
    const handhelds = runHandhelds({
      origin: a.url,
      failoverOrigins: [urlB],
      token: a.token,
      siteId: SITE,
      count: HANDHELDS,
      prefix,
      scanIntervalMs: SCAN_INTERVAL_MS,
      ackTimeoutMs: 5_000,
      connectTimeoutMs: s(60, 30),
      scanTries: Infinity,
      now,
      stopped: () => stop,
      history,
      latency: new HdrHistogram(),
      onAnswer,
    });

    // Every handheld scanning at A, then the kill at a moment a scan is in flight.
    const scanners = (): number => new Set(history.of('scan').filter((op) => op.outcome === 'ok').map((op) => op.ids['operativeId'])).size;
    await waitFor(() => scanners() === HANDHELDS, s(60, 30), 'every handheld scanning at A').catch(() => undefined);
    await sleep(seconds.before);
    await waitFor(() => history.of('scan').some((op) => op.outcome === null && op.tries > 0), 2_000, 'a scan in flight').catch(() => undefined);
    phases['kill'] = ms(performance.now() - started);
    killAt = now();
    let exitCode: number | null = null;
    if (form === 'sigterm') {
      exitCode = await a.stop('SIGTERM');
      phases['SIGTERM → exit'] = ms(now() - killAt);
    } else {
      a.child.kill('SIGKILL');
      await a.stop('SIGKILL');
    }
    let ownedAt = Infinity;
    if (form !== 'two-processes') {
      b = await startServerProcess(envB);
      ownedAt = now();
    }
    const standbyB = b;
    const ownerAfter = standbyB === null ? undefined : await waitFor(async () => (await ownerSeenBy(standbyB)) === envB['INSTANCE_ID'], s(20, 10), 'B owns the site')
      .then(() => {
        ownedAt = Math.min(ownedAt, now());
        return envB['INSTANCE_ID'];
      })
      .catch(() => ownerSeenBy(standbyB));
    await waitFor(() => resumedAt.size === HANDHELDS, s(40, 20), 'every handheld resumed with B').catch(() => undefined);
    await sleep(seconds.after);
    stop = true;
    const stats = await handhelds;

    const scans = history.of('scan');
    const acked = scans.filter((op) => op.outcome === 'ok');
    const refused = scans.filter((op) => op.outcome === 'fail');
    const inFlight = acked.filter((op) => op.start < killAt && (op.end ?? 0) >= killAt);
    const inFlightByB = inFlight.filter((op) => scanAckedBy.get(op.id)?.origin === urlB);
    const inFlightDuplicates = inFlightByB.filter((op) => (scanAckedBy.get(op.id)?.result as Extract<ScanResult, { ok: true }> | undefined)?.duplicate === true);
    const sentIds = new Set(scans.map((op) => op.ids['scanId']));
    const events = await confirmedScans(pool, schema, prefix);
    const ackedNotOnce = acked.filter((op) => events.get(op.ids['scanId'] ?? '') !== 1).map((op) => op.ids['scanId']);
    const twice = [...events].filter(([, n]) => n > 1).map(([id]) => id);
    const refusedRecorded = refused.filter((op) => events.has(op.ids['scanId'] ?? '')).map((op) => op.ids['scanId']);
    const stray = [...events.keys()].filter((id) => !sentIds.has(id));
    const invariants = await checkStore(pool, schema, SITE);
    const violations = invariants.filter((r) => !r.ok).map((r) => `${r.name}: ${r.violations}`);
    const resumeMs = [...resumedAt.values()].map((at) => at - killAt);
    const notResumed = Array.from({ length: HANDHELDS }, (_, i) => `${prefix}-H${i}`).filter((id) => !resumedAt.has(id));
    const bLog = b?.output() ?? '';
    const checks: Record<string, boolean> = {
      'A owned the site before the kill': ownerBefore === 'a',
      'every handheld signed on at A': stats.signedOn === HANDHELDS,
      'every handheld resumed with B (a scan acked or a next pick)': notResumed.length === 0,
      'scans were in flight at the kill': inFlight.length > 0,
      'every acked scanId is exactly one PickConfirmed': ackedNotOnce.length === 0,
      'no scanId in two PickConfirmed': twice.length === 0,
      'refused scans recorded nothing': refusedRecorded.length === 0,
      'no PickConfirmed from a scan not sent': stray.length === 0,
      'invariants hold (checkStore)': violations.length === 0,
    };
    if (form === 'two-processes') {
      checks['B owns the site after the kill'] = ownerAfter === 'b';
      checks['B logged taking the site'] = /site demo: owned by this process \(instance b\)/.test(bLog);
    }
    if (form === 'sigterm') checks['exit code 0 after SIGTERM (drained, not killed)'] = exitCode === 0;
    const title = { 'two-processes': 'FAILOVER two processes, owner killed (-9)', restart: 'FAILOVER one process killed (-9) and restarted', sigterm: 'F9 scans: SIGTERM, then a restart,' }[form];
    report(
      `${title} with ${HANDHELDS} handhelds scanning`,
      checks,
      {
        handhelds: HANDHELDS,
        'orders released (10 lines each)': `${work.released} of ${orders}`,
        scans: { sent: stats.scansSent, acked: acked.length, 'acked by B after the kill': [...scanAckedBy.values()].filter((x) => x.origin === urlB && x.at >= killAt).length,
          'acked through the standby before the kill': [...scanAckedBy.values()].filter((x) => x.origin === urlB && x.at < killAt).length, refused: refused.length, 'unacked at the end': stats.scansLost },
        'in flight at the kill (sent before, acked after)': { total: inFlight.length, 'acked by B': inFlightByB.length, 'of which duplicates (A had applied them)': inFlightDuplicates.length },
        'refusals after the kill': Object.fromEntries(refusalsAfterKill),
        'kill → B owns the site': ms(ownedAt - killAt),
        'kill → first scan acked by B': ms(firstScanByB - killAt),
        'kill → every handheld resumed': notResumed.length === 0 ? ms(Math.max(...resumeMs)) : `${notResumed.length} never (e.g. ${notResumed.slice(0, 3).join(', ')})`,
        'resume p50 / p95': `${ms(quantile(resumeMs, 0.5))} / ${ms(quantile(resumeMs, 0.95))}`,
        'PickConfirmed of the run': events.size,
        problems: { ackedNotOnce: ackedNotOnce.slice(0, 5), twice: twice.slice(0, 5), refusedRecorded: refusedRecorded.slice(0, 5), stray: stray.slice(0, 5), violations },
        phases: { ...phases, total: ms(performance.now() - started) },
      },
    );
    if (Object.values(checks).some((ok) => !ok)) {
      console.error(`FAILOVER A output (tail):\n${a.output().slice(-3000)}\nFAILOVER B output (tail):\n${bLog.slice(-3000)}`);
    }
  } finally {
    await a.stop('SIGKILL');
    await b?.stop('SIGKILL');
    await pool.end();
    await redis.stop();
  }
}
