/** Small helpers for the Postgres adapters: identifiers, qualified table names, and a transaction that always cleans up. */
import type { Pool, PoolClient } from 'pg';

/** Schema used when none is configured (the server's DB_SCHEMA default). */
export const DEFAULT_SCHEMA = 'floortwin';

/** The application's database role (migration 013): not the owner of any table, no BYPASSRLS, subject to RLS. */
export const APP_ROLE = 'floortwin_app';
/** The setting RLS policies read: a tenant id, or `SITE_WIDE_SCOPE`; unset or empty → no tenant rows at all. */
export const TENANT_SETTING = 'floortwin.tenant';
/** `floortwin.tenant` value of the site-wide scope (the single writer and staff paths): every tenant's rows. */
export const SITE_WIDE_SCOPE = '*';
/** Startup options of the app's pool: every connection runs as APP_ROLE in the site-wide scope. */
export const APP_SESSION_OPTIONS = `-c role=${APP_ROLE} -c ${TENANT_SETTING}=${SITE_WIDE_SCOPE}`;
/** Startup options of a tenant-facing pool: APP_ROLE and no scope, so a query outside `withTenant` sees no tenant rows. */
export const TENANT_SESSION_OPTIONS = `-c role=${APP_ROLE}`;

/**
 * The owner's connection URL with the user swapped for APP_ROLE and no password: where the app connects as the role
 * itself when pg_hba trusts local connections (a developer's box, the tests). Elsewhere give the role a password and
 * pass its own URL.
 */
export function appRoleUrl(ownerUrl: string): string {
  const url = new URL(ownerUrl);
  url.username = APP_ROLE;
  url.password = '';
  return url.toString();
}

/** Quotes an SQL identifier (schema names come from configuration, never from users, but quote anyway). */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Fully qualified names of the store's tables in one schema. */
export interface Tables {
  readonly schema: string;
  readonly sites: string;
  readonly events: string;
  readonly snapshots: string;
  readonly stockMove: string;
  readonly stockQuant: string;
  readonly orders: string;
  readonly orderLines: string;
  readonly orderAllocations: string;
  readonly pickTasks: string;
  readonly operatives: string;
  readonly outbox: string;
  readonly channelConnections: string;
}

/** Table names qualified with `schema`. */
export function tablesIn(schema: string): Tables {
  const q = (table: string): string => `${quoteIdent(schema)}.${table}`;
  return {
    schema,
    sites: q('sites'),
    events: q('events'),
    snapshots: q('snapshots'),
    stockMove: q('stock_move'),
    stockQuant: q('stock_quant'),
    orders: q('orders'),
    orderLines: q('order_lines'),
    orderAllocations: q('order_allocations'),
    pickTasks: q('pick_tasks'),
    operatives: q('operatives'),
    outbox: q('outbox'),
    channelConnections: q('channel_connections'),
  };
}

/** The fields of a Postgres error that we branch on. */
export interface PgErrorFields {
  readonly code: string;
  readonly constraint?: string;
}

/** True for an error raised by the Postgres server (it carries a SQLSTATE code). */
export function isPgError(err: unknown): err is Error & PgErrorFields {
  return err instanceof Error && typeof (err as { code?: unknown }).code === 'string';
}

/** SQLSTATE codes we handle. */
export const PG_UNIQUE_VIOLATION = '23505';
export const PG_CHECK_VIOLATION = '23514';

/**
 * Runs `fn` in a transaction on a pooled client: COMMIT on success, ROLLBACK on any error, the client always released.
 * A client whose ROLLBACK failed is destroyed rather than returned to the pool in an unknown state.
 */
export async function withTransaction<T>(
  pool: Pool,
  fn: (client: PoolClient) => Promise<T>,
  begin = 'BEGIN',
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(begin);
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    try {
      await client.query('ROLLBACK');
    } catch (rollbackErr) {
      broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
    }
    throw err;
  } finally {
    client.release(broken);
  }
}
