/**
 * What the fault scripts share: an order load with an Idempotency-Key per order, loss checks, quantiles and the PASS/FAIL
 * report. Used by run-faults.ts and each fault test module.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSiteFiles } from '../../site/site-loader.ts';
import type { TestServer } from '../../testing/server-process.ts';
import type { PrivatePostgres } from './private-postgres.ts';
import { sleep } from './wait.ts';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const SHORT = process.env['FAULTS_SHORT'] === '1';
export const WANTED = new Set((process.env['FAULTS'] ?? 'F1,F2,F3,F9,L5,FAILOVER').split(',').map((s) => s.trim()));
export const s = (long: number, short: number): number => (SHORT ? short : long) * 1000;

export interface Sample {
  readonly orderId: string;
  readonly startedAt: number;
  readonly endedAt: number;
  /** HTTP status, or 0 when no response came (connection refused/reset). */
  readonly status: number;
  readonly code?: string;
  readonly retryAfter?: string | null;
}

export const { site } = await loadSiteFiles(path.join(root, 'data/sites/demo.json'));
const sku = site.skus.find((candidate) => candidate.serialTracked !== true);
if (sku === undefined) throw new Error('the demo site has no SKU to order');
export const { tenantId, id: skuId } = sku;

/** Workers posting orders with an Idempotency-Key each, at about `perSecond` in total, until stopped. */
export function orderLoad(server: TestServer, perSecond: number, workers = 8): { samples: Sample[]; stop(): Promise<void> } {
  const samples: Sample[] = [];
  let running = true;
  let n = 0;
  const prefix = `F${Date.now().toString(36)}`;
  const worker = async (): Promise<void> => {
    const gapMs = (1000 * workers) / perSecond;
    while (running) {
      const orderId = `${prefix}-${n++}`;
      const startedAt = performance.now();
      try {
        const response = await server.fetch(`/api/sites/${site.id}/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': orderId },
          body: JSON.stringify({ orderId, tenantId, lines: [{ skuId, qty: 1 }] }),
          signal: AbortSignal.timeout(30_000),
        });
        const text = await response.text();
        const code = response.ok ? undefined : (JSON.parse(text) as { error?: { code?: string } }).error?.code;
        samples.push({ orderId, startedAt, endedAt: performance.now(), status: response.status, ...(code ? { code } : {}), retryAfter: response.headers.get('retry-after') });
      } catch {
        samples.push({ orderId, startedAt, endedAt: performance.now(), status: 0 });
      }
      const wait = gapMs - (performance.now() - startedAt);
      if (wait > 0) await sleep(wait);
    }
  };
  const all = Array.from({ length: workers }, () => worker());
  return {
    samples,
    async stop() {
      running = false;
      await Promise.all(all);
    },
  };
}

export const acked = (samples: readonly Sample[]): string[] => samples.filter((x) => x.status >= 200 && x.status < 300).map((x) => x.orderId);

/** Acknowledged orders the server does not know (GET …/orders/:id ≠ 200). */
export async function lost(server: TestServer, orderIds: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  for (let i = 0; i < orderIds.length; i += 32) {
    const chunk = orderIds.slice(i, i + 32);
    const statuses = await Promise.all(chunk.map(async (id) => (await server.fetch(`/api/sites/${site.id}/orders/${encodeURIComponent(id)}`)).status));
    statuses.forEach((status, j) => status !== 200 && missing.push(chunk[j] ?? ''));
  }
  return missing;
}

export const quantile = (values: readonly number[], q: number): number => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
};
export const ms = (value: number): string => `${Math.round(value)} ms`;
export const byStatus = (samples: readonly Sample[]): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const x of samples) out[`${x.status}${x.code ? ` ${x.code}` : ''}`] = (out[`${x.status}${x.code ? ` ${x.code}` : ''}`] ?? 0) + 1;
  return out;
};

export const results: { name: string; ok: boolean; figures: Record<string, unknown> }[] = [];
export function report(name: string, checks: Record<string, boolean>, figures: Record<string, unknown>): void {
  const failed = Object.entries(checks).filter(([, ok]) => !ok).map(([what]) => what);
  results.push({ name, ok: failed.length === 0, figures });
  console.log(`\n${failed.length === 0 ? 'PASS' : 'FAIL'} ${name}${failed.length ? ` — failed: ${failed.join('; ')}` : ''}`);
  for (const [key, value] of Object.entries(figures)) console.log(`  ${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
}

export const serverEnv = (pg: PrivatePostgres, schema: string, extra: Record<string, string> = {}): Record<string, string> => ({
  DATABASE_URL: pg.url,
  DB_SCHEMA: schema,
  // FAULTS_DEMO_SHIFT=on: the simulated shift runs too (pickers, waves, routes: the background loops under the fault).
  DEMO_SHIFT: process.env['FAULTS_DEMO_SHIFT'] === 'on' ? 'on' : 'off',
  RESERVATION_SWEEP_MS: '0',
  REPLENISH_INTERVAL_MS: '0',
  EXPIRY_SWEEP_INTERVAL_MS: '0',
  CHANNEL_POLL_MS: '0',
  ...extra,
});


/** Polls GET /readyz on `port` until it answers 200; the time since `since`, ms, or NaN once `signal` aborts. */
export async function readyAfter(port: number, since: number, signal: AbortSignal): Promise<number> {
  for (;;) {
    if (signal.aborted) return NaN;
    const status = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(1000) }).then(
      async (r) => (await r.arrayBuffer(), r.status),
      () => 0,
    );
    if (status === 200) return performance.now() - since;
    await sleep(20);
  }
}

/**
 * Where `url`'s /readyz says the demo site is decided: the owner's instance id (null: nobody) and whether that is the
 * server asked; undefined when it does not answer or runs no site leases (its /readyz names no sites).
 */
export async function siteOwnerAt(url: string, timeoutMs: number): Promise<{ owner: string | null; local: boolean } | undefined> {
  try {
    const body = (await (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(timeoutMs) })).json()) as { sites?: Record<string, { owner?: string | null; local?: boolean }> };
    const entry = body.sites?.[site.id];
    return entry === undefined ? undefined : { owner: entry.owner ?? null, local: entry.local === true };
  } catch {
    return undefined;
  }
}

/** The machine's 1-minute load average and cores, for a report's figures (a shared 2-core machine skews timings). */
export const machineLoad = (): string => `${os.loadavg()[0]?.toFixed(1) ?? '?'} on ${os.cpus().length} cores`;
