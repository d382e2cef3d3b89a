/**
 * The load-mode figures of issue 6 for `npm run bench -- simulator`: the highest order rate whose p99 stays within
 * 250 ms (L1k, a short stepped search) and the scan ack p99 with 500 simulated handhelds (L3), against the real server
 * started as a child process on a fresh Postgres schema (or against `url` when given).
 */
import pg from 'pg';
import { TEST_DATABASE_URL, startServerProcess, uniqueSchema } from '../../server/testing/server-process.ts';
import { quoteIdent } from '../../server/store/pg-util.ts';
import type { DashboardStats } from './dashboards.ts';
import type { LatencySummary } from './hdr-histogram.ts';
import { runLoad } from './run-load.ts';

/** L1 / L1k: a step passes when p99 ≤ 250 ms, ≥ 95 % of the offered rate is acknowledged, and nothing is 5xx. */
export const ORDER_P99_TARGET_MS = 250;

export interface MeasureLoadOptions {
  /** A running server to measure; default: start one (DEMO_SHIFT off) on a fresh schema of DATABASE_URL. */
  readonly url?: string;
  /** Session token or API key for `url` (a role that may order and pick); a server started here signs in its site manager. */
  readonly token?: string;
  readonly database?: { readonly url: string; readonly schema: string };
  /** Offered rates to step through, ascending, until one fails (default 50, 100, 200, 400, 800, 1600). */
  readonly rates?: readonly number[];
  /** Seconds per step (default 10). */
  readonly stepSeconds?: number;
  /**
   * Handhelds for the scan phase (default 500, with 20 dashboards as in L3) and its length in seconds (default 25; the
   * first 10 — handhelds signing on, 10 ms apart — not measured).
   */
  readonly handhelds?: number;
  readonly scanSeconds?: number;
  readonly log?: (line: string) => void;
}

export interface LoadStep {
  readonly offeredRate: number;
  readonly achievedRate: number;
  readonly latencyMs: LatencySummary;
  readonly serverErrors: number;
  readonly errors: Record<string, number>;
  readonly generatorCpuPercent: number;
  readonly loadAverage: number;
  readonly checkClean: boolean;
  readonly passed: boolean;
}

export interface LoadMeasurement {
  readonly steps: readonly LoadStep[];
  /** The highest offered rate that passed, or null when even the first did not. */
  readonly kneeRate: number | null;
  readonly kneeP99Ms: number | null;
  readonly scans: {
    readonly handhelds: number;
    readonly signedOn: number;
    readonly acked: number;
    readonly lost: number;
    readonly refused: number;
    readonly latencyMs: LatencySummary;
    readonly errors: Record<string, number>;
    /** The 20 dashboards of L3 in the site's room. */
    readonly dashboards: DashboardStats | null;
    readonly generatorCpuPercent: number;
    readonly loadAverage: number;
    readonly checkClean: boolean;
  };
}

/** Steps the order rate up to the knee, then runs the handhelds; see the file comment. */
export async function measureLoad(options: MeasureLoadOptions = {}): Promise<LoadMeasurement> {
  const log = options.log ?? (() => undefined);
  let schema: string | null = null;
  let server: Awaited<ReturnType<typeof startServerProcess>> | null = null;
  let url = options.url;
  let token = options.token;
  let database = options.database;
  if (url === undefined) {
    schema = uniqueSchema('load_measure');
    // Waves are released by the load itself, so automatic release stays off (the server-process default).
    server = await startServerProcess({ DB_SCHEMA: schema, DEMO_SHIFT: 'off' });
    url = server.url;
    token = server.token;
    database = { url: TEST_DATABASE_URL, schema };
  }
  try {
    const step = async (rate: number): Promise<LoadStep> => {
      const report = await runLoad({ url, rate, seconds: options.stepSeconds ?? 10, seed: rate, ...(database ? { database } : {}), ...(token === undefined ? {} : { token }), log });
      const serverErrors = report.orders.serverErrorAnswers;
      const achievedRate = report.orders.throughputPerSec;
      const passed =
        report.orders.latencyMs.p99 <= ORDER_P99_TARGET_MS && report.orders.acknowledged >= 0.95 * report.orders.scheduled && serverErrors === 0 && report.ok;
      log(`step ${rate}/s: ${achievedRate.toFixed(0)}/s acknowledged, p99 ${report.orders.latencyMs.p99.toFixed(1)} ms — ${passed ? 'pass' : 'past the knee'}`);
      return {
        offeredRate: rate,
        achievedRate,
        latencyMs: report.orders.latencyMs,
        serverErrors,
        errors: report.errors,
        generatorCpuPercent: report.generatorCpuPercent,
        loadAverage: report.loadAverage,
        checkClean: report.ok,
        passed,
      };
    };
    // Warm-up (JIT, pools, caches), not reported.
    await runLoad({ url, rate: 20, seconds: 2, seed: 0, ...(token === undefined ? {} : { token }), log });
    const steps: LoadStep[] = [];
    let lastPass: number | null = null;
    for (const rate of options.rates ?? [50, 100, 200, 400, 800, 1600]) {
      const result = await step(rate);
      steps.push(result);
      if (!result.passed) {
        if (lastPass === null) {
          // Even the first rate is past the knee (a busy machine): halve it, twice at most.
          for (let lower = Math.floor(rate / 2), n = 0; n < 2 && lower >= 10; lower = Math.floor(lower / 2), n++) {
            const below = await step(lower);
            steps.push(below);
            if (below.passed) break;
          }
          break;
        }
        // One bisection step between the last pass and the first failure sharpens the knee.
        const middle = Math.round((lastPass + rate) / 2);
        if (middle !== lastPass && middle !== rate) steps.push(await step(middle));
        break;
      }
      lastPass = rate;
    }
    const knee = steps.filter((s) => s.passed).sort((a, b) => b.offeredRate - a.offeredRate)[0] ?? null;
    // L3: the orders of the steps are allocated; the load releases them as waves for the handhelds to pick.
    const handhelds = options.handhelds ?? 500;
    const scan = await runLoad({ url, rate: 20, seconds: options.scanSeconds ?? 25, handhelds, dashboards: 20, scanIntervalMs: 1_000, scanWarmupSeconds: 10, ...(database ? { database } : {}), ...(token === undefined ? {} : { token }), log });
    const stats = scan.scans;
    return {
      steps,
      kneeRate: knee?.offeredRate ?? null,
      kneeP99Ms: knee?.latencyMs.p99 ?? null,
      scans: {
        handhelds,
        signedOn: stats?.signedOn ?? 0,
        acked: stats?.scansAcked ?? 0,
        lost: stats?.scansLost ?? 0,
        refused: stats?.scansRefused ?? 0,
        latencyMs: stats?.latencyMs ?? { count: 0, mean: NaN, min: NaN, p50: NaN, p95: NaN, p99: NaN, p999: NaN, max: NaN },
        errors: scan.errors,
        dashboards: scan.dashboards,
        generatorCpuPercent: scan.generatorCpuPercent,
        loadAverage: scan.loadAverage,
        checkClean: scan.ok,
      },
    };
  } finally {
    await server?.stop();
    if (schema !== null) {
      const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
      await pool.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`).finally(() => pool.end());
    }
  }
}
