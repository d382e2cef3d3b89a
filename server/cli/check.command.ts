/**
 * `floortwin check [--database-url URL] [--schema S] [--site ID] [--history FILE] [--read-only]`: runs the store's
 * invariants I1–I12 on a database and prints a table: per invariant ok/FAIL, the number of violating rows, up to five of
 * them, and a note on its scope. Exit code 0 when every invariant holds on every site checked, 1 otherwise (including
 * errors). Database: --database-url, else DATABASE_URL, else the server's embedded Postgres under DATA_DIR (default
 * .data). Schema: --schema, else DB_SCHEMA, else `floortwin`. Sites: --site, else every site in the schema.
 * I11 needs `--history FILE` (one site): a JSON array, or JSON lines, of `{ kind, id, outcome? }` — the creates a client
 * recorded (`outcome` ok = acknowledged 2xx, the default; fail = definite 4xx; info = indeterminate).
 * I12 records a ledger checkpoint on its first run and compares on the next; `--read-only` writes no checkpoint.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { z } from 'zod';
import { checkStore, HISTORY_KINDS, listSites, type CheckResult, type HistoryEntry, type HistoryKind } from '../store/check.pg.ts';
import { embeddedConnectionString } from '../store/embedded-postgres.ts';
import { checkTransit } from '../store/transfers-check.pg.ts';
import { DEFAULT_SCHEMA, SITE_WIDE_SCOPE, TENANT_SETTING } from '../store/pg-util.ts';

/** Parsed arguments of `check`. */
export interface CheckArgs {
  readonly databaseUrl: string | undefined;
  readonly schema: string;
  readonly siteId: string | undefined;
  readonly historyFile: string | undefined;
  readonly readOnly: boolean;
}

const USAGE = 'usage: check [--database-url URL] [--schema S] [--site ID] [--history FILE] [--read-only]';

const HistoryLine = z
  .object({
    kind: z.enum(Object.keys(HISTORY_KINDS) as [HistoryKind, ...HistoryKind[]]),
    id: z.string().min(1),
    outcome: z.enum(['ok', 'fail', 'info']).default('ok'),
  })
  .strict();

/** Parses a history file: a JSON array or JSON lines of `{ kind, id, outcome? }`; errors name the entry. */
export function parseHistory(text: string): HistoryEntry[] {
  const trimmed = text.trim();
  const items: { where: string; value: unknown }[] = [];
  if (trimmed.startsWith('[')) {
    const all = JSON.parse(trimmed) as unknown;
    if (!Array.isArray(all)) throw new Error('history: expected a JSON array');
    all.forEach((value: unknown, i) => items.push({ where: `entry ${i + 1}`, value }));
  } else {
    trimmed.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        items.push({ where: `line ${i + 1}`, value: JSON.parse(line) as unknown });
      } catch {
        throw new Error(`history line ${i + 1}: not JSON`);
      }
    });
  }
  return items.map(({ where, value }) => {
    const parsed = HistoryLine.safeParse(value);
    if (!parsed.success) throw new Error(`history ${where}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(entry)'}: ${i.message}`).join('; ')}`);
    return parsed.data;
  });
}

/** Parses `check`'s flags (`--flag value` or `--flag=value`). Throws on unknown flags. */
export function parseCheckArgs(args: readonly string[], env: NodeJS.ProcessEnv = process.env): CheckArgs {
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const eq = arg.indexOf('=');
    const flag = eq >= 0 ? arg.slice(0, eq) : arg;
    if (flag === '--read-only' && eq < 0) {
      values.set(flag, 'true');
      continue;
    }
    if (!['--database-url', '--schema', '--site', '--history'].includes(flag)) throw new Error(`unknown argument ${arg}\n${USAGE}`);
    const value = eq >= 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined || value === '') throw new Error(`${flag} needs a value\n${USAGE}`);
    values.set(flag, value);
  }
  return {
    databaseUrl: values.get('--database-url') ?? env.DATABASE_URL,
    schema: values.get('--schema') ?? env.DB_SCHEMA ?? DEFAULT_SCHEMA,
    siteId: values.get('--site'),
    historyFile: values.get('--history'),
    readOnly: values.has('--read-only'),
  };
}

/** Renders results as a fixed-width table. */
export function formatResults(siteId: string, results: readonly CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.name.length), 'invariant'.length);
  const lines = [`site ${siteId}`, `  ${'invariant'.padEnd(width)}  result  violations`];
  for (const r of results) {
    lines.push(`  ${r.name.padEnd(width)}  ${(r.ok ? 'ok' : 'FAIL').padEnd(6)}  ${r.violations}`);
    if (r.note !== undefined) lines.push(`      (${r.note})`);
    for (const row of r.sample) lines.push(`      ${JSON.stringify(row)}`);
  }
  return lines.join('\n');
}

/** Runs `check` with command-line `args`; returns the exit code. `print` receives the output (default stdout). */
export async function runCheck(args: string[], print: (text: string) => void = (s) => console.log(s)): Promise<number> {
  let parsed: CheckArgs;
  try {
    parsed = parseCheckArgs(args);
  } catch (err) {
    print(err instanceof Error ? err.message : String(err));
    return 1;
  }
  let history: HistoryEntry[] | undefined;
  if (parsed.historyFile !== undefined) {
    try {
      history = parseHistory(await readFile(parsed.historyFile, 'utf8'));
    } catch (err) {
      print(`cannot read history ${parsed.historyFile}: ${err instanceof Error ? err.message : String(err)}`);
      return 1;
    }
  }
  const url = parsed.databaseUrl ?? (await embeddedConnectionString(join(process.env.DATA_DIR ?? '.data', 'pg')));
  if (url === null) {
    print(`no database: pass --database-url, set DATABASE_URL, or start the server once (embedded Postgres)\n${USAGE}`);
    return 1;
  }
  // The checker reads every tenant's rows: the site-wide scope, for an owner that is not a superuser (RLS is FORCEd).
  const pool = new pg.Pool({ connectionString: url, max: 2, options: `-c ${TENANT_SETTING}=${SITE_WIDE_SCOPE}` });
  pool.on('error', (err) => print(`postgres pool error: ${err.message}`));
  try {
    const sites = parsed.siteId === undefined ? await listSites(pool, parsed.schema) : [parsed.siteId];
    if (sites.length === 0) {
      print(`no sites in schema ${parsed.schema}`);
      return 0;
    }
    if (history !== undefined && sites.length > 1) {
      print(`--history names one site's operations: add --site (schema ${parsed.schema} holds ${sites.join(', ')})`);
      return 1;
    }
    let clean = true;
    for (const siteId of sites) {
      const results = await checkStore(pool, parsed.schema, siteId, { ...(history === undefined ? {} : { history }), recordCheckpoint: !parsed.readOnly });
      results.push(await checkTransit(pool, parsed.schema, siteId));
      print(formatResults(siteId, results));
      clean &&= results.every((r) => r.ok);
    }
    print(clean ? 'all invariants hold' : 'INVARIANTS VIOLATED');
    return clean ? 0 : 1;
  } catch (err) {
    print(`check failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    await pool.end();
  }
}

// Runnable on its own: `npx tsx server/cli/check.command.ts --schema public`.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runCheck(process.argv.slice(2));
}
