/**
 * Postgres side of analytics (tables of migrations/015-analytics.sql): writes fact batches idempotently (every insert
 * is keyed by (site_id, seq) and does nothing on conflict; a sign-off closes the interval its sign-on opened), keeps the
 * per-site cursor in the same transaction, adds month partitions, and runs transactions in a tenant scope for RLS.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { quoteIdent } from '../store/pg-util.ts';
import type { FactBatch, OrderInfo } from './facts.ts';

/** `timestamptz` of the bigint ms parameter `$n`, exactly (no float seconds). */
export const tsParam = (n: number): string => `(timestamptz 'epoch' + $${n}::bigint * interval '1 millisecond')`;
/** ms since the epoch of a timestamptz expression, as a JS-safe float8. */
export const msOf = (expr: string): string => `(extract(epoch FROM ${expr}) * 1000)::float8`;

/** Storage mode chosen by the migration. */
export interface AnalyticsMode {
  readonly mode: 'timescale' | 'partitioned';
  readonly continuousAggregates: boolean;
}

/** Fully qualified analytics tables of one schema. */
export interface AnalyticsTables {
  readonly schema: string;
  readonly orderFacts: string;
  readonly pickFacts: string;
  readonly labour: string;
  readonly scanFacts: string;
  readonly cursor: string;
  readonly settings: string;
  readonly ordersHourly: string;
  readonly orders: string;
  readonly ensureMonth: string;
}

export function analyticsTables(schema: string): AnalyticsTables {
  const q = (name: string): string => `${quoteIdent(schema)}.${name}`;
  return {
    schema,
    orderFacts: q('analytics_order_facts'),
    pickFacts: q('analytics_pick_facts'),
    labour: q('analytics_labour'),
    scanFacts: q('analytics_scan_facts'),
    cursor: q('analytics_cursor'),
    settings: q('analytics_settings'),
    ordersHourly: q('analytics_orders_hourly'),
    orders: q('orders'),
    ensureMonth: q('analytics_ensure_month'),
  };
}

/**
 * Runs `fn` in one transaction with `floortwin.tenant` set to `tenantId`, or to '*' (site-wide) for null: the RLS
 * policies of 013/015 then show only that tenant's rows (queries filter by tenant in code as well).
 */
export async function inScope<T>(pool: pg.Pool, tenantId: string | null, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SELECT set_config('floortwin.tenant', $1, true)`, [tenantId ?? '*']);
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Reads the storage mode (the migration's choice). */
export async function readMode(pool: pg.Pool, tables: AnalyticsTables): Promise<AnalyticsMode> {
  const { rows } = await pool.query<{ mode: 'timescale' | 'partitioned'; continuous_aggregates: boolean }>(
    `SELECT mode, continuous_aggregates FROM ${tables.settings}`,
  );
  const row = rows[0];
  if (row === undefined) throw new Error(`analytics settings missing in schema ${tables.schema}`);
  return { mode: row.mode, continuousAggregates: row.continuous_aggregates };
}

/** The site's cursor: last seq recorded (0 for none) and its twin time (null for none). */
export async function readCursor(pool: pg.Pool, tables: AnalyticsTables, siteId: string): Promise<{ seq: number; at: number | null }> {
  const { rows } = await pool.query<{ seq: string; at_ms: number | null }>(`SELECT seq, ${msOf('at')} AS at_ms FROM ${tables.cursor} WHERE site_id = $1`, [siteId]);
  const row = rows[0];
  return row === undefined ? { seq: 0, at: null } : { seq: Number(row.seq), at: row.at_ms };
}

/** Month partitions already ensured by this process, per schema (`schema|YYYY-MM`). */
const ensuredMonths = new Set<string>();

/** Adds the month partitions for every month touched by `times` (partitioned mode; a no-op under TimescaleDB). */
export async function ensureMonths(pool: pg.Pool, tables: AnalyticsTables, times: Iterable<number>): Promise<void> {
  const months = new Map<string, number>();
  for (const at of times) {
    const d = new Date(at);
    const key = `${tables.schema}|${d.getUTCFullYear()}-${d.getUTCMonth()}`;
    if (!ensuredMonths.has(key)) months.set(key, Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
  }
  for (const [key, start] of months) {
    // Owner-run function: the application role has no DDL. Concurrent callers are handled inside it.
    await pool.query(`SELECT ${tables.ensureMonth}(${tsParam(1)})`, [start]);
    ensuredMonths.add(key);
  }
}

/** Creation facts of orders from the store's `orders` projection (for orders created before the recorder started). */
export async function lookupOrders(client: pg.PoolClient, tables: AnalyticsTables, siteId: string, orderIds: readonly string[]): Promise<Map<string, OrderInfo>> {
  const out = new Map<string, OrderInfo>();
  if (orderIds.length === 0) return out;
  const { rows } = await client.query<{ order_id: string; tenant_id: string; created_ms: number; due_ms: number | null }>(
    `SELECT order_id, tenant_id, ${msOf('created_at')} AS created_ms, ${msOf('due_at')} AS due_ms
       FROM ${tables.orders} WHERE site_id = $1 AND order_id = ANY($2::text[])`,
    [siteId, orderIds],
  );
  for (const row of rows) out.set(row.order_id, { tenantId: row.tenant_id, createdAt: row.created_ms, dueAt: row.due_ms });
  return out;
}

/** Writes one batch of facts and moves the cursor, in the caller's transaction (scope '*'). Idempotent. */
export async function writeFacts(client: pg.PoolClient, tables: AnalyticsTables, siteId: string, batch: FactBatch): Promise<void> {
  const { orders, picks, labour } = batch;
  if (orders.length > 0) {
    await client.query(
      `INSERT INTO ${tables.orderFacts} (site_id, seq, at, tenant_id, order_id, kind, lead_time_ms, due_at, on_time, carrier)
       SELECT $1, u.seq, timestamptz 'epoch' + u.at_ms * interval '1 millisecond', u.tenant_id, u.order_id, u.kind, u.lead_time_ms,
              timestamptz 'epoch' + u.due_ms * interval '1 millisecond', u.on_time, u.carrier
         FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[], $9::boolean[], $10::text[])
              AS u(seq, at_ms, tenant_id, order_id, kind, lead_time_ms, due_ms, on_time, carrier)
       ON CONFLICT DO NOTHING`,
      [
        siteId,
        orders.map((f) => f.seq),
        orders.map((f) => f.at),
        orders.map((f) => f.tenantId),
        orders.map((f) => f.orderId),
        orders.map((f) => f.kind),
        orders.map((f) => f.leadTimeMs),
        orders.map((f) => f.dueAt),
        orders.map((f) => f.onTime),
        orders.map((f) => f.carrier),
      ],
    );
  }
  if (picks.length > 0) {
    await client.query(
      `INSERT INTO ${tables.pickFacts} (site_id, seq, at, tenant_id, order_id, operative_id, qty, short_qty, shorted)
       SELECT $1, u.seq, timestamptz 'epoch' + u.at_ms * interval '1 millisecond', u.tenant_id, u.order_id, u.operative_id, u.qty, u.short_qty, u.shorted
         FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::int[], $8::int[], $9::boolean[])
              AS u(seq, at_ms, tenant_id, order_id, operative_id, qty, short_qty, shorted)
       ON CONFLICT DO NOTHING`,
      [
        siteId,
        picks.map((f) => f.seq),
        picks.map((f) => f.at),
        picks.map((f) => f.tenantId),
        picks.map((f) => f.orderId),
        picks.map((f) => f.operativeId),
        picks.map((f) => f.qty),
        picks.map((f) => f.shortQty),
        picks.map((f) => f.shorted),
      ],
    );
  }
  // In seq order: a sign-off closes the latest interval of that operative opened before it (a replay sets the same values).
  for (const fact of labour) {
    if (fact.kind === 'on') {
      await client.query(
        `INSERT INTO ${tables.labour} (site_id, on_seq, on_at, operative_id) VALUES ($1, $2, ${tsParam(3)}, $4) ON CONFLICT DO NOTHING`,
        [siteId, fact.seq, fact.at, fact.operativeId],
      );
    } else {
      await client.query(
        `UPDATE ${tables.labour} SET off_seq = $3, off_at = ${tsParam(4)}
          WHERE site_id = $1 AND operative_id = $2
            AND on_seq = (SELECT max(on_seq) FROM ${tables.labour} WHERE site_id = $1 AND operative_id = $2 AND on_seq < $3)`,
        [siteId, fact.operativeId, fact.seq, fact.at],
      );
    }
  }
  if (batch.lastSeq !== null && batch.lastAt !== null) {
    await client.query(
      `INSERT INTO ${tables.cursor} AS c (site_id, seq, at) VALUES ($1, $2, ${tsParam(3)})
       ON CONFLICT (site_id) DO UPDATE SET seq = excluded.seq, at = excluded.at WHERE c.seq < excluded.seq`,
      [siteId, batch.lastSeq, batch.lastAt],
    );
  }
}

/** Records one handheld confirm scan refused as the wrong location or item at twin time `at`. */
export async function insertMismatchedScan(pool: pg.Pool, tables: AnalyticsTables, siteId: string, at: number, scanId: string = randomUUID()): Promise<void> {
  await ensureMonths(pool, tables, [at]);
  await pool.query(`INSERT INTO ${tables.scanFacts} (site_id, scan_id, at) VALUES ($1, $2, ${tsParam(3)}) ON CONFLICT DO NOTHING`, [siteId, scanId, at]);
}
