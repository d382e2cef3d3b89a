/**
 * The webhook inbox (`channel_inbox`): every accepted delivery is stored once, acknowledged, and processed later.
 * Deduplication: the (connection, delivery id) key, and a non-null event id already stored for the connection.
 * Processing claims pending rows with `FOR UPDATE SKIP LOCKED` inside a transaction, so several processes share the work
 * and a crashed processor's rows go back to pending. Also the `channel_orders` cursor: the newest channel version applied.
 */
import type pg from 'pg';
import { quoteIdent } from '../store/pg-util.ts';

/** Anything that runs a query: a pool, a client, or the processor's serialised claim client. */
export interface Db {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}
type Queryable = Db;

export type InboxStatus = 'pending' | 'done' | 'ignored' | 'failed';

/**
 * A delivery to store. `deliveryId` is the idempotency key per connection:
 * - Shopify webhooks: `X-Shopify-Webhook-Id`;
 * - WooCommerce webhooks: `${X-WC-Webhook-ID}:${X-WC-Webhook-Delivery-ID}`;
 * - the reconciliation poller: `poll:<externalId>:<updatedAt ISO>` (so one channel version is stored once).
 * `topic` is the channel's topic: Shopify `orders/create|orders/updated|orders/cancelled`, Woo
 * `order.created|order.updated|order.deleted|order.restored` (the poller uses `orders/updated` / `order.updated`).
 * `body` is the raw JSON text exactly as received (re-parsed with `parseJsonExact` when processed).
 */
export interface InboxInsert {
  readonly connectionId: string;
  readonly deliveryId: string;
  /** Shopify `X-Shopify-Event-Id`: the same event redelivered under another webhook id is a duplicate. */
  readonly eventId?: string | null;
  readonly topic: string;
  readonly externalOrderId?: string | null;
  /** ISO time the channel says the event fired, or null. */
  readonly triggeredAt?: string | null;
  readonly body: string;
  /** 'ignored' stores a delivery for the record without processing it (e.g. a topic we do not handle). */
  readonly status?: 'pending' | 'ignored';
  readonly result?: unknown;
}

/** A stored delivery, as the processor sees it. */
export interface InboxRow {
  readonly id: number;
  readonly connectionId: string;
  readonly deliveryId: string;
  readonly eventId: string | null;
  readonly topic: string;
  readonly externalOrderId: string | null;
  readonly triggeredAt: string | null;
  readonly receivedAt: string;
  readonly body: string;
  readonly status: InboxStatus;
  readonly attempts: number;
  readonly result: unknown;
  readonly processedAt: string | null;
}

/** First key of our two-int advisory locks on event ids: ASCII 'Fltc'. */
const EVENT_LOCK_CLASS = 0x466c7463;

const t = (schema: string, name: string): string => `${quoteIdent(schema)}.${name}`;

function isoOrNull(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/**
 * Stores a delivery unless it is a duplicate: same (connection, delivery id), or the same non-null event id already stored
 * for the connection. Safe under concurrency: a unique key for delivery ids, a transaction-scoped advisory lock per
 * (connection, event id) for event ids. Stable API: the webhook routes and the reconciliation poller both call it.
 */
export async function insertInbox(pool: pg.Pool, schema: string, row: InboxInsert): Promise<'stored' | 'duplicate'> {
  const inbox = t(schema, 'channel_inbox');
  const params = [
    row.connectionId,
    row.deliveryId,
    row.eventId ?? null,
    row.topic,
    row.externalOrderId ?? null,
    isoOrNull(row.triggeredAt),
    row.body,
    row.status ?? 'pending',
    row.result === undefined ? null : JSON.stringify(row.result),
  ];
  const insert = `INSERT INTO ${inbox} (connection_id, delivery_id, event_id, topic, external_order_id, triggered_at, body, status, result)
    SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb
     WHERE $3::text IS NULL OR NOT EXISTS (SELECT 1 FROM ${inbox} WHERE connection_id = $1 AND event_id = $3)
    ON CONFLICT ON CONSTRAINT channel_inbox_delivery_key DO NOTHING RETURNING id`;
  if (row.eventId === null || row.eventId === undefined) {
    const res = await pool.query(insert, params);
    return res.rowCount === 1 ? 'stored' : 'duplicate';
  }
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    // Two deliveries of one event under different webhook ids may race: the second waits here, then sees the first.
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [EVENT_LOCK_CLASS, `${row.connectionId}|${row.eventId}`]);
    const res = await client.query(insert, params);
    await client.query('COMMIT');
    return res.rowCount === 1 ? 'stored' : 'duplicate';
  } catch (error) {
    await client.query('ROLLBACK').catch((e: unknown) => (broken = e instanceof Error ? e : new Error(String(e))));
    throw error;
  } finally {
    client.release(broken);
  }
}

interface RawRow {
  id: string;
  connection_id: string;
  delivery_id: string;
  event_id: string | null;
  topic: string;
  external_order_id: string | null;
  triggered_at: Date | null;
  received_at: Date;
  body?: string;
  status: InboxStatus;
  attempts: number;
  result: unknown;
  processed_at: Date | null;
}

function fromRaw(r: RawRow): InboxRow {
  return {
    id: Number(r.id),
    connectionId: r.connection_id,
    deliveryId: r.delivery_id,
    eventId: r.event_id,
    topic: r.topic,
    externalOrderId: r.external_order_id,
    triggeredAt: r.triggered_at?.toISOString() ?? null,
    receivedAt: r.received_at.toISOString(),
    body: r.body ?? '',
    status: r.status,
    attempts: r.attempts,
    result: r.result,
    processedAt: r.processed_at?.toISOString() ?? null,
  };
}

const ROW_COLUMNS = 'i.id, i.connection_id, i.delivery_id, i.event_id, i.topic, i.external_order_id, i.triggered_at, i.received_at, i.status, i.attempts, i.result, i.processed_at';

/** Rows claimed for processing, locked by an open transaction until `commit` (or `rollback`, which returns them to pending). */
export interface InboxClaim {
  readonly rows: readonly InboxRow[];
  /** The claiming transaction: write outcomes and channel_orders through it so they commit together. */
  readonly client: pg.PoolClient | null;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

/**
 * Claims up to `limit` pending rows whose retry time has come (oldest first), skipping rows another processor holds.
 * `siteIds` limits the claim to connections of the sites this process runs. Always end the claim with commit or rollback.
 */
export async function claimPending(pool: pg.Pool, schema: string, limit: number, siteIds?: readonly string[]): Promise<InboxClaim> {
  const client = await pool.connect();
  let released = false;
  const release = (error?: Error): void => {
    if (released) return;
    released = true;
    client.release(error);
  };
  try {
    await client.query('BEGIN');
    const res = await client.query<RawRow>(
      `SELECT ${ROW_COLUMNS}, i.body FROM ${t(schema, 'channel_inbox')} i
        WHERE i.status = 'pending'
          AND COALESCE((i.result->>'retryAt')::timestamptz, '-infinity') <= now()
          AND ($2::text[] IS NULL OR i.connection_id IN (SELECT c.id FROM ${t(schema, 'channel_connections')} c WHERE c.site_id = ANY($2)))
        ORDER BY i.id LIMIT $1 FOR UPDATE OF i SKIP LOCKED`,
      [limit, siteIds === undefined ? null : [...siteIds]],
    );
    const end = async (sql: 'COMMIT' | 'ROLLBACK'): Promise<void> => {
      if (released) return;
      try {
        await client.query(sql);
        release();
      } catch (error) {
        release(error instanceof Error ? error : new Error(String(error)));
        if (sql === 'COMMIT') throw error;
      }
    };
    return { rows: res.rows.map(fromRaw), client, commit: () => end('COMMIT'), rollback: () => end('ROLLBACK') };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    release(error instanceof Error ? error : new Error(String(error)));
    throw error;
  }
}

/** Final outcome of a row: done, ignored (nothing to do, e.g. stale) or failed (needs a person); `result` says why. */
export async function markProcessed(
  db: Queryable,
  schema: string,
  id: number,
  outcome: { readonly status: 'done' | 'ignored' | 'failed'; readonly result: unknown },
): Promise<void> {
  await db.query(
    `UPDATE ${t(schema, 'channel_inbox')} SET status = $2, result = $3::jsonb, processed_at = now(), attempts = attempts + 1 WHERE id = $1`,
    [id, outcome.status, JSON.stringify(outcome.result)],
  );
}

/** Leaves a row pending after an infrastructure failure: attempts + 1, not claimable again for `delayMs`. */
export async function retryLater(db: Queryable, schema: string, id: number, error: string, delayMs: number): Promise<void> {
  await db.query(
    `UPDATE ${t(schema, 'channel_inbox')}
        SET attempts = attempts + 1,
            result = jsonb_build_object('error', $2::text, 'retryAt', now() + make_interval(secs => $3::float8 / 1000))
      WHERE id = $1`,
    [id, error, delayMs],
  );
}

/** A connection's inbox rows without bodies, newest first. */
export async function listInbox(
  db: Queryable,
  schema: string,
  connectionId: string,
  query: { readonly status?: InboxStatus; readonly limit: number; readonly offset: number },
): Promise<{ total: number; rows: Omit<InboxRow, 'body'>[] }> {
  const where = `i.connection_id = $1 AND ($2::text IS NULL OR i.status = $2)`;
  const [count, page] = await Promise.all([
    db.query<{ n: string }>(`SELECT count(*) AS n FROM ${t(schema, 'channel_inbox')} i WHERE ${where}`, [connectionId, query.status ?? null]),
    db.query<RawRow>(`SELECT ${ROW_COLUMNS} FROM ${t(schema, 'channel_inbox')} i WHERE ${where} ORDER BY i.id DESC LIMIT $3 OFFSET $4`, [
      connectionId,
      query.status ?? null,
      query.limit,
      query.offset,
    ]),
  ]);
  return {
    total: Number(count.rows[0]?.n ?? 0),
    rows: page.rows.map((r) => {
      const { body: _body, ...rest } = fromRaw(r);
      return rest;
    }),
  };
}

/** The newest channel version applied for an external order, locked for the caller's transaction when `forUpdate`. */
export async function channelOrder(
  db: Queryable,
  schema: string,
  connectionId: string,
  externalOrderId: string,
  forUpdate = false,
): Promise<{ orderId: string; channelUpdatedAt: string } | null> {
  const res = await db.query<{ order_id: string; channel_updated_at: Date }>(
    `SELECT order_id, channel_updated_at FROM ${t(schema, 'channel_orders')}
      WHERE connection_id = $1 AND external_order_id = $2${forUpdate ? ' FOR UPDATE' : ''}`,
    [connectionId, externalOrderId],
  );
  const row = res.rows[0];
  return row === undefined ? null : { orderId: row.order_id, channelUpdatedAt: row.channel_updated_at.toISOString() };
}

/** Records the channel version applied; an older `updatedAt` never replaces a newer one. */
export async function upsertChannelOrder(
  db: Queryable,
  schema: string,
  row: { readonly connectionId: string; readonly externalOrderId: string; readonly orderId: string; readonly updatedAt: string },
): Promise<void> {
  const co = t(schema, 'channel_orders');
  await db.query(
    `INSERT INTO ${co} (connection_id, external_order_id, order_id, channel_updated_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (connection_id, external_order_id) DO UPDATE
       SET channel_updated_at = GREATEST(${co}.channel_updated_at, EXCLUDED.channel_updated_at), order_id = EXCLUDED.order_id`,
    [row.connectionId, row.externalOrderId, row.orderId, row.updatedAt],
  );
}
