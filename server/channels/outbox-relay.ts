/**
 * Outbox relay: sends what the event store wrote to `outbox` (in the events' own transaction) to the sales channels.
 *
 * - Rows are claimed with `SELECT … FOR UPDATE SKIP LOCKED`, one key per transaction: the oldest due row, then (for
 *   'stock') every other pending row of the same (site, tenant, SKU), so N changes of one SKU become one push per
 *   channel connection. Two relays (or two processes) never send the same row: a claimed row is locked until its
 *   outcome is committed, and a done row is never claimed again.
 * - 'stock': the channel_items rows of the key are locked (`FOR UPDATE`, waiting), which orders the pushes of one SKU
 *   across relays; then the current available is read from `stock_quant` (so the value is never older than the rows)
 *   and pushed to every connection of the site and tenant that maps the SKU. Shopify: compare-and-set with
 *   `changeFromQuantity = last_pushed_qty` (null on the first push). On CHANGE_FROM_QUANTITY_STALE the channel sold
 *   or changed stock we have not seen yet: we read its current level and set
 *   `max(0, ours − max(0, last_pushed − current))` with `changeFromQuantity = current` — units the channel took since
 *   our last push (orders not yet imported) stay subtracted, so the push cannot re-open sold stock; once those orders
 *   are imported and allocated our own available includes them and the next push is exact. A second stale is a
 *   retryable failure. WooCommerce has no compare-and-set: a plain PUT of ours. `last_pushed_qty` is updated per
 *   connection that succeeded.
 * - 'fulfilment': the order's channel, external ref, carrier and tracking number → Shopify `fulfil` (open fulfilment
 *   orders at the connection's location; already fulfilled counts as done) or Woo `completeOrder`. Orders of the
 *   channels 'api' and 'csv' are done without a call; any other channel without a connection is permanent.
 * - Outcome per claimed row: success → `done_at = now`. Retryable failure (network, timeout, 408, 429, 5xx) →
 *   `attempts + 1`, `next_attempt_at = now + backoff`, `last_error`; backoff = min(maxDelay, base · 2^attempts) with
 *   equal jitter (½ to 1×, from the injected random), and never sooner than the channel's Retry-After.
 *   Permanent failure (other 4xx, userErrors, bad mapping) or `maxAttempts` retryable failures → dead-lettered:
 *   `done_at = now` and `last_error` starting with `permanent:` (no schema change; find them with
 *   `WHERE done_at IS NOT NULL AND last_error LIKE 'permanent:%'`; replay by clearing done_at).
 *
 * Effects are at least once: a push whose outcome could not be committed is sent again; both are idempotent (an
 * absolute level with compare-and-set; fulfilment finds nothing open and counts as done).
 * HTTP calls happen inside the claiming transaction (bounded by the clients' timeouts), which is what makes the lock
 * hold for the whole send.
 */
import type pg from 'pg';
import { quoteIdent, withTransaction } from '../store/pg-util.ts';
import { DEFAULT_CHANNEL_TIMEOUT_MS, ShopifyClient, type ChannelFailure } from './shopify-client.ts';
import { WooClient } from './woo-client.ts';
import { channelAvailableSql } from '../store/channel-available.ts';

export interface OutboxRelayOptions {
  readonly pool: pg.Pool;
  /** Schema holding `outbox`, `stock_quant`, `orders`, `channel_connections`, `channel_items`. */
  readonly schema: string;
  /** Epoch ms; drives which rows are due and the times written. Default Date.now. */
  readonly clock?: () => number;
  /** Uniform [0, 1) for backoff jitter. Default Math.random. */
  readonly random?: () => number;
  /** Most keys (SKU groups or fulfilments) handled per `drainOnce`. Default 500. */
  readonly maxKeysPerDrain?: number;
  /** First retry delay before jitter. Default 1 s. */
  readonly baseDelayMs?: number;
  /** Backoff cap (Retry-After may exceed it, up to an hour). Default 5 min. */
  readonly maxDelayMs?: number;
  /** Retryable failures of a row before it is dead-lettered. Default 20. */
  readonly maxAttempts?: number;
  /** Per-request timeout of the channel clients. Default 10 s. */
  readonly timeoutMs?: number;
  /** Where failures of a drain (database errors) are reported by the background loop. Default console.error. */
  readonly onError?: (message: string, err: unknown) => void;
}

/** What one `drainOnce` did: rows completed, and rows that failed (rescheduled or dead-lettered). */
export interface DrainResult {
  readonly sent: number;
  readonly failed: number;
}

/** Prefix of `last_error` for dead-lettered rows. */
export const PERMANENT_PREFIX = 'permanent: ';
const MAX_RETRY_AFTER_MS = 3_600_000;
const MAX_ROWS_PER_KEY = 1000;
/** Order channels that are not sales-channel connections. */
const LOCAL_CHANNELS = new Set(['api', 'csv']);

interface OutboxRow {
  id: string;
  site_id: string;
  kind: string;
  tenant_id: string;
  sku_id: string | null;
  order_id: string | null;
  attempts: number;
}

interface ConnectionRow {
  id: string;
  kind: 'shopify' | 'woocommerce';
  api_base_url: string;
  api_token: string;
  api_version: string;
  location_id: string | null;
}

type Outcome = { readonly kind: 'ok' } | ChannelFailure;

const permanent = (message: string): ChannelFailure => ({ kind: 'error', retryable: false, retryAfterMs: null, status: null, message });

/** Relays outbox rows to Shopify and WooCommerce. */
export class OutboxRelay {
  private readonly t: { outbox: string; orders: string; connections: string; items: string };
  private readonly clock: () => number;
  private readonly random: () => number;
  private readonly onError: (message: string, err: unknown) => void;
  private timer: NodeJS.Timeout | undefined;
  private intervalMs = 1000;
  private running = false;
  private closed = false;
  private again = false;
  private current: Promise<void> | undefined;

  constructor(private readonly options: OutboxRelayOptions) {
    const q = (table: string): string => `${quoteIdent(options.schema)}.${table}`;
    this.t = { outbox: q('outbox'), orders: q('orders'), connections: q('channel_connections'), items: q('channel_items') };
    this.clock = options.clock ?? ((): number => Date.now());
    this.random = options.random ?? Math.random;
    this.onError = options.onError ?? ((message, err) => console.error(message, err));
  }

  /** Drains now and then every `intervalMs` (sooner after `wake()`), until `close()`. */
  start(intervalMs = 1000): void {
    if (this.running || this.closed) return;
    this.running = true;
    this.intervalMs = intervalMs;
    this.schedule(0);
  }

  /** Asks for a drain as soon as possible (e.g. after a commit that wrote outbox rows). */
  wake(): void {
    if (!this.running || this.closed) return;
    if (this.current) this.again = true;
    else this.schedule(0);
  }

  /** Stops the loop and waits for a drain in progress. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.current;
  }

  /** Sends every row due now (coalesced per key); returns how many rows completed and how many failed. */
  async drainOnce(): Promise<DrainResult> {
    let sent = 0;
    let failed = 0;
    const maxKeys = this.options.maxKeysPerDrain ?? 500;
    for (let keys = 0; keys < maxKeys; keys++) {
      const result = await this.relayOneKey();
      if (result === null) break;
      sent += result.sent;
      failed += result.failed;
    }
    return { sent, failed };
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), delayMs);
    this.timer.unref();
  }

  private tick(): void {
    if (this.closed || this.current) return;
    this.again = false;
    this.current = this.drainOnce()
      .then(() => undefined)
      .catch((err: unknown) => this.onError('outbox relay drain failed', err))
      .finally(() => {
        this.current = undefined;
        if (!this.closed) this.schedule(this.again ? 0 : this.intervalMs);
      });
  }

  /** One transaction: claim the oldest due row and the rows it coalesces with, send, record. Null when nothing is due. */
  private relayOneKey(): Promise<DrainResult | null> {
    return withTransaction(this.options.pool, async (client) => {
      const now = new Date(this.clock());
      const first = await client.query<OutboxRow>(
        `SELECT id, site_id, kind, tenant_id, sku_id, order_id, attempts FROM ${this.t.outbox}
          WHERE done_at IS NULL AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED`,
        [now],
      );
      const row = first.rows[0];
      if (!row) return null;
      let rows = [row];
      let outcome: Outcome;
      if (row.kind === 'stock' && row.sku_id !== null) {
        const same = await client.query<OutboxRow>(
          `SELECT id, site_id, kind, tenant_id, sku_id, order_id, attempts FROM ${this.t.outbox}
            WHERE done_at IS NULL AND kind = 'stock' AND site_id = $1 AND tenant_id = $2 AND sku_id = $3 AND id <> $4
            ORDER BY id LIMIT ${MAX_ROWS_PER_KEY} FOR UPDATE SKIP LOCKED`,
          [row.site_id, row.tenant_id, row.sku_id, row.id],
        );
        rows = [row, ...same.rows];
        const lastId = rows.reduce((max, r) => (BigInt(r.id) > BigInt(max) ? r.id : max), row.id);
        outcome = await this.pushStock(client, row.site_id, row.tenant_id, row.sku_id, lastId);
      } else if (row.kind === 'fulfilment' && row.order_id !== null) {
        outcome = await this.sendFulfilment(client, row.site_id, row.order_id);
      } else {
        outcome = permanent(`unsupported outbox row (kind '${row.kind}', sku ${row.sku_id ?? 'null'}, order ${row.order_id ?? 'null'})`);
      }
      await this.record(client, rows, outcome);
      return outcome.kind === 'ok' ? { sent: rows.length, failed: 0 } : { sent: 0, failed: rows.length };
    });
  }

  private async record(client: pg.PoolClient, rows: readonly OutboxRow[], outcome: Outcome): Promise<void> {
    const ids = rows.map((r) => r.id);
    const now = this.clock();
    if (outcome.kind === 'ok') {
      await client.query(`UPDATE ${this.t.outbox} SET done_at = $2, last_error = NULL WHERE id = ANY($1::bigint[])`, [ids, new Date(now)]);
      return;
    }
    const attempts = Math.max(...rows.map((r) => r.attempts)) + 1;
    const maxAttempts = this.options.maxAttempts ?? 20;
    if (!outcome.retryable || attempts >= maxAttempts) {
      const reason = outcome.retryable ? `gave up after ${attempts} attempts: ${outcome.message}` : outcome.message;
      await client.query(
        `UPDATE ${this.t.outbox} SET done_at = $2, attempts = attempts + 1, last_error = $3 WHERE id = ANY($1::bigint[])`,
        [ids, new Date(now), `${PERMANENT_PREFIX}${reason}`.slice(0, 2000)],
      );
      return;
    }
    const delayMs = this.backoffMs(attempts - 1, outcome.retryAfterMs);
    await client.query(
      `UPDATE ${this.t.outbox} SET attempts = attempts + 1, next_attempt_at = $2, last_error = $3 WHERE id = ANY($1::bigint[])`,
      [ids, new Date(now + delayMs), outcome.message.slice(0, 2000)],
    );
  }

  /** Delay before the next attempt after `previousAttempts` failures: capped exponential, equal jitter, ≥ Retry-After. */
  backoffMs(previousAttempts: number, retryAfterMs: number | null): number {
    const base = this.options.baseDelayMs ?? 1000;
    const cap = this.options.maxDelayMs ?? 300_000;
    const exp = Math.min(cap, base * 2 ** Math.min(previousAttempts, 30));
    const jittered = Math.round(exp / 2 + (this.random() * exp) / 2);
    return Math.max(jittered, Math.min(retryAfterMs ?? 0, MAX_RETRY_AFTER_MS));
  }

  private async pushStock(client: pg.PoolClient, siteId: string, tenantId: string, skuId: string, lastRowId: string): Promise<Outcome> {
    // Locks the mappings first: a concurrent relay pushing this SKU finishes (and records last_pushed_qty) before we read.
    const mapped = await client.query<ConnectionRow & { external_item_id: string; last_pushed_qty: number | null }>(
      `SELECT c.id, c.kind, c.api_base_url, c.api_token, c.api_version, c.location_id, ci.external_item_id, ci.last_pushed_qty
         FROM ${this.t.items} ci JOIN ${this.t.connections} c ON c.id = ci.connection_id
        WHERE c.site_id = $1 AND c.tenant_id = $2 AND ci.sku_id = $3
        ORDER BY c.id FOR UPDATE OF ci`,
      [siteId, tenantId, skuId],
    );
    if (mapped.rows.length === 0) return { kind: 'ok' };
    const stock = await client.query<{ available: number }>(channelAvailableSql(this.options.schema, true), [siteId, tenantId, skuId]);
    const ours = stock.rows[0]?.available ?? 0;
    const failures: string[] = [];
    let retryable = false;
    let retryAfterMs: number | null = null;
    for (const m of mapped.rows) {
      const result =
        m.kind === 'shopify'
          ? await this.pushShopify(m, m.external_item_id, m.last_pushed_qty, ours, `gid://floortwin/OutboxEntry/${lastRowId}`)
          : await this.pushWoo(m, m.external_item_id, ours);
      if (result.kind === 'pushed') {
        await client.query(`UPDATE ${this.t.items} SET last_pushed_qty = $3 WHERE connection_id = $1 AND sku_id = $2`, [m.id, skuId, result.qty]);
      } else {
        failures.push(`${m.id}: ${result.message}`);
        if (result.retryable) retryable = true;
        if (result.retryAfterMs !== null) retryAfterMs = Math.max(retryAfterMs ?? 0, result.retryAfterMs);
      }
    }
    if (failures.length === 0) return { kind: 'ok' };
    // One retryable connection retries the row (the ones that succeeded are set again, idempotently).
    return { kind: 'error', retryable, retryAfterMs, status: null, message: failures.join('; ') };
  }

  private async pushShopify(
    conn: ConnectionRow,
    itemId: string,
    lastPushed: number | null,
    ours: number,
    referenceDocumentUri: string,
  ): Promise<{ kind: 'pushed'; qty: number } | ChannelFailure> {
    if (!conn.location_id) return permanent('connection has no location_id');
    const shopify = new ShopifyClient({
      baseUrl: conn.api_base_url,
      accessToken: conn.api_token,
      apiVersion: conn.api_version,
      timeoutMs: this.options.timeoutMs ?? DEFAULT_CHANNEL_TIMEOUT_MS,
      now: this.clock,
    });
    const set = { inventoryItemId: itemId, locationId: conn.location_id, referenceDocumentUri };
    const first = await shopify.setAvailable({ ...set, quantity: ours, changeFromQuantity: lastPushed });
    if (first.kind === 'ok') return { kind: 'pushed', qty: ours };
    if (first.kind === 'error') return first;
    const read = await shopify.getAvailable(itemId, conn.location_id);
    if (read.kind === 'error') return read;
    if (read.available === null) return permanent(`inventory item ${itemId} is not stocked at ${conn.location_id}`);
    const current = read.available;
    const takenSinceLastPush = Math.max(0, (lastPushed ?? current) - current);
    const qty = Math.max(0, ours - takenSinceLastPush);
    const second = await shopify.setAvailable({ ...set, quantity: qty, changeFromQuantity: current });
    if (second.kind === 'ok') return { kind: 'pushed', qty };
    if (second.kind === 'stale') return { kind: 'error', retryable: true, retryAfterMs: null, status: 200, message: `stale twice: ${second.message}` };
    return second;
  }

  private async pushWoo(conn: ConnectionRow, productRef: string, ours: number): Promise<{ kind: 'pushed'; qty: number } | ChannelFailure> {
    const woo = this.wooClient(conn);
    if (woo.kind === 'error') return woo;
    const result = await woo.client.setStock(productRef, ours);
    return result.kind === 'ok' ? { kind: 'pushed', qty: ours } : result;
  }

  private wooClient(conn: ConnectionRow): { kind: 'ok'; client: WooClient } | ChannelFailure {
    try {
      return {
        kind: 'ok',
        client: new WooClient({ baseUrl: conn.api_base_url, apiToken: conn.api_token, timeoutMs: this.options.timeoutMs ?? DEFAULT_CHANNEL_TIMEOUT_MS, now: this.clock }),
      };
    } catch (err) {
      return permanent(`connection ${conn.id}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private async sendFulfilment(client: pg.PoolClient, siteId: string, orderId: string): Promise<Outcome> {
    const found = await client.query<
      { channel: string; external_ref: string | null; carrier: string | null; tracking_number: string | null } & Partial<ConnectionRow> & { connection_id: string | null }
    >(
      `SELECT o.channel, o.external_ref, o.carrier, o.tracking_number,
              c.id AS connection_id, c.kind, c.api_base_url, c.api_token, c.api_version, c.location_id
         FROM ${this.t.orders} o LEFT JOIN ${this.t.connections} c ON c.id = o.channel
        WHERE o.site_id = $1 AND o.order_id = $2`,
      [siteId, orderId],
    );
    const order = found.rows[0];
    if (!order) return permanent(`order ${orderId} not found`);
    // Orders that came in through our own API or a CSV have nobody to tell.
    if (order.connection_id === null && LOCAL_CHANNELS.has(order.channel)) return { kind: 'ok' };
    if (order.connection_id === null) return permanent(`order ${orderId}: channel '${order.channel}' has no connection`);
    if (order.external_ref === null) return permanent(`order ${orderId} has no external_ref`);
    const conn: ConnectionRow = {
      id: order.connection_id,
      kind: order.kind!,
      api_base_url: order.api_base_url!,
      api_token: order.api_token!,
      api_version: order.api_version!,
      location_id: order.location_id ?? null,
    };
    if (conn.kind === 'shopify') {
      const shopify = new ShopifyClient({
        baseUrl: conn.api_base_url,
        accessToken: conn.api_token,
        apiVersion: conn.api_version,
        timeoutMs: this.options.timeoutMs ?? DEFAULT_CHANNEL_TIMEOUT_MS,
        now: this.clock,
      });
      const result = await shopify.fulfil({
        orderGid: order.external_ref,
        trackingCompany: order.carrier,
        trackingNumber: order.tracking_number,
        locationId: conn.location_id,
      });
      return result.kind === 'ok' ? { kind: 'ok' } : result;
    }
    const woo = this.wooClient(conn);
    if (woo.kind === 'error') return woo;
    return woo.client.completeOrder(order.external_ref, { trackingNumber: order.tracking_number, carrier: order.carrier });
  }
}
