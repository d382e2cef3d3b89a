/**
 * Schema migrations: `migrations/NNN-name.sql` applied in order, each in its own transaction, recorded in
 * `schema_migrations`. A session advisory lock per schema makes concurrent starts safe: the second process waits,
 * then finds everything applied.
 */
import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Pool } from 'pg';
import { SITE_WIDE_SCOPE, TENANT_SETTING, quoteIdent } from './pg-util.ts';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
/** First key of the two-int advisory lock: ASCII 'Fltw', so our locks are recognisable in pg_locks. */
const LOCK_CLASS = 0x466c7477;

/** One migration file. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** Reads the migration files in version order. */
export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{3}-[a-z0-9-]+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (file) => ({
      version: Number(file.slice(0, 3)),
      name: file.slice(4, -4),
      sql: await readFile(`${dir}/${file}`, 'utf8'),
    })),
  );
}

/** 32-bit FNV-1a of a string, as a signed int4 for pg_advisory_lock. */
function lockKey(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/** Applies pending migrations to `schema` (created if missing). Returns the versions it applied. */
export async function migrate(pool: Pool, schema: string): Promise<number[]> {
  const migrations = await readMigrations();
  const s = quoteIdent(schema);
  const client = await pool.connect();
  let broken: Error | undefined;
  const applied: number[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1, $2)', [LOCK_CLASS, lockKey(schema)]);
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (
           version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      const done = await client.query<{ version: number }>(`SELECT version FROM ${s}.schema_migrations`);
      const have = new Set(done.rows.map((r) => r.version));
      for (const m of migrations) {
        if (have.has(m.version)) continue;
        try {
          await client.query('BEGIN');
          // Migration files use unqualified names; the schema comes from the search path of this transaction only.
          // Site-wide tenant scope: RLS is FORCEd (013), so an owner that is not a superuser could not backfill otherwise.
          await client.query(`SET LOCAL search_path TO ${s}; SET LOCAL ${TENANT_SETTING} = '${SITE_WIDE_SCOPE}'`);
          await client.query(m.sql);
          await client.query(`INSERT INTO ${s}.schema_migrations (version, name) VALUES ($1, $2)`, [m.version, m.name]);
          await client.query('COMMIT');
          applied.push(m.version);
        } catch (err) {
          await client.query('ROLLBACK').catch((rollbackErr: unknown) => {
            broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
          });
          throw new Error(`migration ${m.version}-${m.name} failed in schema ${schema}`, { cause: err });
        }
      }
    } finally {
      if (broken === undefined) {
        await client.query('SELECT pg_advisory_unlock($1, $2)', [LOCK_CLASS, lockKey(schema)]).catch((err: unknown) => {
          broken = err instanceof Error ? err : new Error(String(err));
        });
      }
    }
  } finally {
    // Destroying a broken client also drops its session lock.
    client.release(broken);
  }
  return applied;
}
