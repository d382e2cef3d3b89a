/**
 * `load --url http://127.0.0.1:PORT [--rate 200] [--seconds 30] …`: drives a running server (loopback only) and prints
 * throughput, latency percentiles, errors by kind, and the check of acknowledged orders and invariants. Exit 0 when
 * the check is clean, 1 when it is not (or the run failed), 2 on bad usage. It authenticates like any client: a staff
 * user's `--email`/`--password` (signed in once), or an `--api-key` / session `--token`.
 */
import { writeFile } from 'node:fs/promises';
import { EXIT_BAD_INPUT, EXIT_OK, EXIT_USAGE, parseFlags, type CliIo } from '../../server/cli/route.command.ts';
import { DEFAULT_SCHEMA } from '../../server/store/pg-util.ts';
import type { LatencySummary } from './hdr-histogram.ts';
import { signInForLoad, type LoadSignIn } from './load-auth.ts';
import { assertLoopbackUrl, runLoad, type LoadOptions, type LoadReport } from './run-load.ts';

export const LOAD_USAGE =
  'usage: load --url http://127.0.0.1:PORT [--rate ORDERS_PER_S] [--seconds S] [--max-orders N] [--arrival poisson|fixed] [--seed N] ' +
  '[--handhelds N] [--scan-interval-ms MS] [--dashboards N] [--site ID] (--email E --password P (or FLOORTWIN_PASSWORD) | --api-key K (or FLOORTWIN_API_KEY) | --token T (or FLOORTWIN_TOKEN)) [--database-url URL] [--schema S] [--history FILE.jsonl] [--json]';

const FLAGS = ['url', 'rate', 'seconds', 'max-orders', 'arrival', 'seed', 'handhelds', 'scan-interval-ms', 'dashboards', 'site', 'token', 'email', 'password', 'api-key', 'database-url', 'schema', 'history', 'json'];

class UsageError extends Error {}

function numberFlag(flags: ReadonlyMap<string, string>, name: string, fallback: number, check: (n: number) => boolean, what: string): number {
  const raw = flags.get(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || !check(value)) throw new UsageError(`--${name} must be ${what} (got ${JSON.stringify(raw)})`);
  return value;
}

const isCount = (n: number): boolean => Number.isInteger(n) && n >= 0;

/** Parses the flags into load options (the `--json` and `--history` outputs apart). */
export function parseLoadArgs(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): { options: LoadOptions; json: boolean; historyFile: string | undefined; signIn?: LoadSignIn } {
  // `--json` takes no value: strip it before the shared flag parser.
  const json = args.includes('--json');
  const flags = parseFlags(
    args.filter((a) => a !== '--json'),
    FLAGS,
  );
  const url = flags.get('url');
  if (url === undefined) throw new UsageError('missing --url (the server to load, on 127.0.0.1)');
  assertLoopbackUrl(url);
  const arrival = flags.get('arrival') ?? 'poisson';
  if (arrival !== 'poisson' && arrival !== 'fixed') throw new UsageError(`--arrival must be poisson or fixed (got ${JSON.stringify(arrival)})`);
  const maxOrders = flags.has('max-orders') ? numberFlag(flags, 'max-orders', 0, (n) => Number.isInteger(n) && n > 0, 'a whole number > 0') : undefined;
  const databaseUrl = flags.get('database-url') ?? env['DATABASE_URL'];
  const site = flags.get('site');
  // The server refuses anonymous calls: a staff user to sign in as (load-auth.ts), or an API key or session token of a
  // role that may create orders and use a handheld.
  const email = flags.get('email');
  const password = flags.get('password') ?? env['FLOORTWIN_PASSWORD'];
  if (email !== undefined && password === undefined) throw new UsageError('--email needs --password (or FLOORTWIN_PASSWORD)');
  if (email === undefined && flags.has('password')) throw new UsageError('--password needs --email');
  const signIn = email !== undefined && password !== undefined ? { email, password } : undefined;
  const token = flags.get('api-key') ?? flags.get('token') ?? env['FLOORTWIN_API_KEY'] ?? env['FLOORTWIN_TOKEN'];
  const given = [signIn !== undefined, flags.has('api-key'), flags.has('token')].filter(Boolean).length;
  if (given > 1) throw new UsageError('give one credential: --email/--password, --api-key or --token');
  if (signIn === undefined && token === undefined) {
    throw new UsageError('missing a credential: --email and --password of a staff user (e.g. manager@demo.floortwin), or --api-key');
  }
  const options: LoadOptions = {
    url,
    rate: numberFlag(flags, 'rate', 200, (n) => n >= 0 && n <= 100_000, 'orders per second, 0 to 100000'),
    seconds: numberFlag(flags, 'seconds', 30, (n) => n > 0 && n <= 86_400, 'seconds, > 0 and ≤ 86400'),
    arrival,
    seed: numberFlag(flags, 'seed', 1, Number.isInteger, 'a whole number'),
    handhelds: numberFlag(flags, 'handhelds', 0, (n) => isCount(n) && n <= 10_000, 'a whole number, 0 to 10000'),
    scanIntervalMs: numberFlag(flags, 'scan-interval-ms', 1_000, (n) => n >= 0, 'ms ≥ 0'),
    dashboards: numberFlag(flags, 'dashboards', 0, (n) => isCount(n) && n <= 10_000, 'a whole number, 0 to 10000'),
    ...(maxOrders === undefined ? {} : { maxOrders }),
    ...(site === undefined ? {} : { siteId: site }),
    ...(token === undefined || signIn !== undefined ? {} : { token }),
    ...(databaseUrl === undefined ? {} : { database: { url: databaseUrl, schema: flags.get('schema') ?? env['DB_SCHEMA'] ?? DEFAULT_SCHEMA } }),
  };
  return { options, json, historyFile: flags.get('history'), ...(signIn === undefined ? {} : { signIn }) };
}

const ms = (v: number): string => (Number.isNaN(v) ? '-' : v.toFixed(1));
const latencyLine = (l: LatencySummary): string => `p50 ${ms(l.p50)} ms  p95 ${ms(l.p95)} ms  p99 ${ms(l.p99)} ms  max ${ms(l.max)} ms  (${l.count})`;

/** The report as a few readable lines. */
export function formatLoadReport(report: LoadReport): string {
  const { orders, scans, dashboards, check } = report;
  const lines = [
    `load ${report.runId} on ${report.url} site ${report.siteId}: ${report.offeredRate} orders/s offered for ${report.seconds} s`,
    `orders: ${orders.scheduled} sent, ${orders.acknowledged} acknowledged, ${orders.failed} failed, ${orders.indeterminate} indeterminate; ` +
      `${orders.throughputPerSec.toFixed(1)} acknowledged/s; ${orders.allocationRefused} allocation refused; ${orders.serverErrorAnswers} 5xx answers`,
    `order latency: ${latencyLine(orders.latencyMs)}`,
  ];
  if (scans)
    lines.push(
      `scans: ${scans.signedOn}/${scans.handhelds} handhelds signed on, ${scans.scansSent} sent, ${scans.scansAcked} acked, ${scans.scansRefused} refused, ${scans.scansLost} lost, ${scans.duplicateAcks} duplicate acks`,
      `scan ack latency: ${latencyLine(scans.latencyMs)}`,
    );
  if (dashboards) lines.push(`dashboards: ${dashboards.joined}/${dashboards.dashboards} joined, ${dashboards.diffs} diffs, ${dashboards.gaps} gaps, ${dashboards.stale} stale`);
  const errors = Object.entries(report.errors);
  lines.push(errors.length === 0 ? 'errors: none' : `errors: ${errors.map(([k, n]) => `${k} ×${n}`).join(', ')}`);
  lines.push(`generator: ${report.generatorCpuPercent.toFixed(0)} % of a core; load average ${report.loadAverage.toFixed(1)}`);
  lines.push(
    `check: ${check.acknowledged} acknowledged orders; ${check.lost.length} lost, ${check.duplicates.length} duplicated, ${check.unexpected.length} unexpected, ` +
      `${check.mismatched.length} mismatched; ${check.indeterminate} indeterminate (${check.indeterminateApplied} applied)`,
  );
  for (const p of check.lost.slice(0, 10)) lines.push(`  LOST ${p.externalRef} (acknowledged as ${p.orderIds.join(', ')})`);
  for (const p of check.duplicates.slice(0, 10)) lines.push(`  DUPLICATE ${p.externalRef}: ${p.orderIds.join(', ')}`);
  for (const p of check.unexpected.slice(0, 10)) lines.push(`  UNEXPECTED ${p.externalRef}: ${p.orderIds.join(', ')}`);
  const inv = check.invariants;
  lines.push(inv.checked ? `invariants: ${inv.ok ? 'hold' : `VIOLATED — ${inv.problems.join('; ')}`}` : `invariants: not checked (${inv.reason})`);
  lines.push(report.ok ? 'result: clean' : 'result: PROBLEMS FOUND');
  return `${lines.join('\n')}\n`;
}

/** Runs `load`; returns the exit code. */
export async function runLoadCommand(args: readonly string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parseLoadArgs>;
  try {
    parsed = parseLoadArgs(args);
  } catch (e) {
    io.err(`load: ${(e as Error).message} (${LOAD_USAGE})\n`);
    return EXIT_USAGE;
  }
  let report: LoadReport;
  try {
    // Signed in once here; the run carries the session token on every request and socket.
    const token = parsed.signIn === undefined ? undefined : await signInForLoad(new URL(parsed.options.url).origin, parsed.signIn);
    report = await runLoad({ ...parsed.options, ...(token === undefined ? {} : { token }), log: (line) => io.err(`${line}\n`) });
  } catch (e) {
    io.err(`load: ${(e as Error).message.replace(/\s*\n\s*/g, ' ')}\n`);
    return EXIT_BAD_INPUT;
  }
  if (parsed.historyFile !== undefined) await writeFile(parsed.historyFile, report.history.map((op) => JSON.stringify(op)).join('\n') + '\n');
  if (parsed.json) {
    const { history: _history, ...rest } = report;
    io.out(`${JSON.stringify(rest, null, 2)}\n`);
  } else io.out(formatLoadReport(report));
  return report.ok ? EXIT_OK : EXIT_BAD_INPUT;
}
