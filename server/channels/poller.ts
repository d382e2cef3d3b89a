/**
 * Reconciliation poll: catches the channel orders whose webhooks we never received.
 *
 * Why a poll at all: webhooks are the fast path but not a guarantee. Shopify retries a failed delivery 8 times over about
 * 4 hours and then drops it (and may remove an Admin-API subscription after repeated failures); WooCommerce never
 * retries a failed delivery and disables the webhook after more than 5 consecutive failures. An outage longer than a
 * few hours, or any Woo hiccup, loses orders unless we ask the channel ourselves.
 *
 * How: per connection, page through the orders updated since the cursor and store each one in the same inbox the
 * webhooks feed (`insertInbox`), as topic `orders/updated` (Shopify) or `order.updated` (Woo) with delivery id
 * `poll:<externalId>:<updatedAt ISO>`. The inbox processor then treats it exactly like a webhook: it applies a channel
 * version only if it is newer than the one recorded in `channel_orders`, so a polled copy of something a webhook already
 * delivered changes nothing, and polling the same version twice stores it once (same delivery id).
 * - Shopify: `GET {api_base_url}/admin/api/{version}/orders.json?status=any&updated_at_min=…&limit=250` with
 *   `X-Shopify-Access-Token`, then the `Link: <…>; rel="next"` URL (cursor pagination; `page_info` carries the filters).
 * - Woo: `GET {api_base_url}wp-json/wc/v3/orders?modified_after=…&dates_are_gmt=true&per_page=100&page=n` with HTTP
 *   Basic auth, until `page` > `X-WP-TotalPages`. The default sort (newest created first) keeps offset paging safe
 *   while orders arrive: a new order pushes the others one place later, so we may see one twice, never miss one.
 * The cursor (`poll_cursor`, the newest `updated_at` seen) only advances after every page is stored, and never moves
 * back. Each poll starts `overlapMs` before it: channel timestamps are second-precision, Woo's `modified_after` is
 * exclusive, and an order committed on the channel while we paged may carry an earlier timestamp than the newest seen.
 * The overlap costs a few re-fetched orders, which the delivery id deduplicates. A connection never polled starts
 * from its `created_at` (what webhooks should have covered since it was connected).
 */
import type { Pool } from 'pg';
import { quoteIdent } from '../store/pg-util.ts';
import { isoUtc, idText, isRecord } from './channel-order.ts';
import { insertInbox, type InboxInsert } from './inbox.pg.ts';
import { parseJsonExact } from './json-bigint.ts';
import { shopifyOrderId } from './shopify-order.ts';

export interface PollerOptions {
  readonly pool: Pool;
  readonly schema: string;
  /** HTTP client; default the global fetch. */
  readonly fetch?: typeof fetch;
  /** Re-fetch window before the cursor. Default 5 minutes. */
  readonly overlapMs?: number;
  /** Guard against a channel that never stops paging. Default 1,000 pages per poll. */
  readonly maxPages?: number;
  /** Per request. Default 30 s. */
  readonly requestTimeoutMs?: number;
  /** Attempts per page on 429 / 5xx / network errors. Default 3. */
  readonly attempts?: number;
  /** Waits between attempts (injected so tests need not wait). Default a timer. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** `start` polls the connections of these sites only; default all. */
  readonly siteIds?: readonly string[];
  /** Stores one order; default `insertInbox`. */
  readonly insert?: (pool: Pool, schema: string, row: InboxInsert) => Promise<'stored' | 'duplicate'>;
  readonly log?: (message: string, error?: unknown) => void;
}

/** What one poll of one connection did. */
export interface PollResult {
  /** Orders the channel returned (including ones already stored). */
  readonly fetched: number;
  /** Orders newly stored in the inbox. */
  readonly stored: number;
}

/** A channel answered something we cannot use (status, body), or a request failed after its attempts. */
export class PollError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

interface ConnectionRow {
  id: string;
  kind: 'shopify' | 'woocommerce';
  api_base_url: string;
  api_token: string;
  api_version: string;
  poll_cursor: Date | null;
  created_at: Date;
}

/** One channel order as found in a page: its raw JSON text and what identifies the version. */
interface PolledOrder {
  readonly raw: string;
  readonly externalId: string;
  readonly updatedAt: string;
}

const DEFAULT_OVERLAP_MS = 5 * 60_000;
const MAX_RETRY_WAIT_MS = 30_000;
const STORE_CONCURRENCY = 8;

export class ReconciliationPoller {
  private readonly pool: Pool;
  private readonly schema: string;
  private readonly fetch: typeof fetch;
  private readonly overlapMs: number;
  private readonly maxPages: number;
  private readonly requestTimeoutMs: number;
  private readonly attempts: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly insert: NonNullable<PollerOptions['insert']>;
  private readonly log: (message: string, error?: unknown) => void;
  /** One poll per connection at a time in this process; a second caller shares the first's result. */
  private readonly inFlight = new Map<string, Promise<PollResult>>();
  private readonly abort = new AbortController();
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly options: PollerOptions) {
    this.pool = options.pool;
    this.schema = options.schema;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.overlapMs = options.overlapMs ?? DEFAULT_OVERLAP_MS;
    this.maxPages = options.maxPages ?? 1000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.attempts = Math.max(1, options.attempts ?? 3);
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.insert = options.insert ?? insertInbox;
    this.log = options.log ?? ((message, error) => console.error(message, error));
  }

  /** Polls one connection once: fetches every order updated since its cursor, stores them, advances the cursor. */
  pollOnce(connectionId: string): Promise<PollResult> {
    const running = this.inFlight.get(connectionId);
    if (running) return running;
    const poll = this.poll(connectionId).finally(() => this.inFlight.delete(connectionId));
    this.inFlight.set(connectionId, poll);
    return poll;
  }

  /** Polls every connection now, then again `intervalMs` after each round ends. Failures are logged, not thrown. */
  start(intervalMs: number): void {
    if (this.closed || this.timer !== null || this.round !== null) return;
    const runRound = (): void => {
      this.timer = null;
      this.round = this.pollAll().finally(() => {
        this.round = null;
        if (!this.closed) this.timer = setTimeout(runRound, intervalMs);
      });
    };
    runRound();
  }

  /** Stops polling: cancels requests in flight and waits for the current round to end. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.abort.abort();
    await this.round;
    await Promise.allSettled([...this.inFlight.values()]);
  }

  private async pollAll(): Promise<void> {
    let ids: string[];
    try {
      const res = await this.pool.query<{ id: string }>(
        `SELECT id FROM ${this.table()} WHERE $1::text[] IS NULL OR site_id = ANY($1) ORDER BY id`,
        [this.options.siteIds === undefined ? null : [...this.options.siteIds]],
      );
      ids = res.rows.map((r) => r.id);
    } catch (error) {
      this.log('poller: could not list channel connections', error);
      return;
    }
    for (const id of ids) {
      if (this.closed) return;
      try {
        await this.pollOnce(id);
      } catch (error) {
        if (!this.closed) this.log(`poller: polling ${id} failed; the cursor stays put and the next round retries`, error);
      }
    }
  }

  private table(): string {
    return `${quoteIdent(this.schema)}.channel_connections`;
  }

  private async poll(connectionId: string): Promise<PollResult> {
    const found = await this.pool.query<ConnectionRow>(
      `SELECT id, kind, api_base_url, api_token, api_version, poll_cursor, created_at FROM ${this.table()} WHERE id = $1`,
      [connectionId],
    );
    const connection = found.rows[0];
    if (!connection) throw new PollError(`no channel connection '${connectionId}'`, null);
    const sinceMs = (connection.poll_cursor ?? connection.created_at).getTime() - this.overlapMs;
    const since = new Date(sinceMs).toISOString();
    const topic = connection.kind === 'shopify' ? 'orders/updated' : 'order.updated';
    let fetched = 0;
    let stored = 0;
    let newestMs: number | null = null;
    const pages = connection.kind === 'shopify' ? this.shopifyPages(connection, since) : this.wooPages(connection, since);
    for await (const orders of pages) {
      fetched += orders.length;
      // A few inserts at a time: each is its own short statement, and a page holds up to 250 orders.
      for (let i = 0; i < orders.length; i += STORE_CONCURRENCY) {
        const outcomes = await Promise.all(
          orders.slice(i, i + STORE_CONCURRENCY).map((order) =>
            this.insert(this.pool, this.schema, {
              connectionId,
              deliveryId: `poll:${order.externalId}:${order.updatedAt}`,
              topic,
              externalOrderId: order.externalId,
              triggeredAt: order.updatedAt,
              body: order.raw,
            }),
          ),
        );
        stored += outcomes.filter((outcome) => outcome === 'stored').length;
      }
      for (const order of orders) {
        const ms = Date.parse(order.updatedAt);
        if (newestMs === null || ms > newestMs) newestMs = ms;
      }
    }
    if (newestMs !== null) {
      await this.pool.query(`UPDATE ${this.table()} SET poll_cursor = GREATEST(COALESCE(poll_cursor, $2), $2) WHERE id = $1`, [
        connectionId,
        new Date(newestMs),
      ]);
    }
    return { fetched, stored };
  }

  private async *shopifyPages(connection: ConnectionRow, since: string): AsyncGenerator<PolledOrder[]> {
    const base = connection.api_base_url.replace(/\/+$/, '');
    const params = new URLSearchParams({ status: 'any', updated_at_min: since, limit: '250' });
    let url: string | null = `${base}/admin/api/${encodeURIComponent(connection.api_version)}/orders.json?${params.toString()}`;
    const headers = { 'X-Shopify-Access-Token': connection.api_token, Accept: 'application/json' };
    for (let page = 1; url !== null; page++) {
      if (page > this.maxPages) throw new PollError(`${connection.id}: more than ${this.maxPages} pages; giving up this round`, null);
      const res = await this.get(connection.id, url, headers);
      const text = await res.text();
      const orders = rawItems(text, 'orders', connection.id);
      yield orders.map((raw) => polledOrder(raw, connection, 'shopify'));
      url = nextLink(res.headers.get('link'), base, connection.id);
    }
  }

  private async *wooPages(connection: ConnectionRow, since: string): AsyncGenerator<PolledOrder[]> {
    const base = connection.api_base_url.endsWith('/') ? connection.api_base_url : `${connection.api_base_url}/`;
    const headers = { Authorization: `Basic ${Buffer.from(connection.api_token, 'utf8').toString('base64')}`, Accept: 'application/json' };
    for (let page = 1; ; page++) {
      if (page > this.maxPages) throw new PollError(`${connection.id}: more than ${this.maxPages} pages; giving up this round`, null);
      const params = new URLSearchParams({ modified_after: since, dates_are_gmt: 'true', per_page: '100', page: String(page) });
      const res = await this.get(connection.id, `${base}wp-json/wc/v3/orders?${params.toString()}`, headers);
      const text = await res.text();
      const orders = rawItems(text, null, connection.id);
      yield orders.map((raw) => polledOrder(raw, connection, 'woocommerce'));
      const totalPages = Number(res.headers.get('x-wp-totalpages'));
      if (!Number.isFinite(totalPages)) throw new PollError(`${connection.id}: no X-WP-TotalPages header`, res.status);
      if (page >= totalPages || orders.length === 0) return;
    }
  }

  /** GET with a timeout and a few attempts on 429 (after Retry-After), 5xx and network errors. 4xx is final. */
  private async get(connectionId: string, url: string, headers: Record<string, string>): Promise<Response> {
    let lastError: PollError | null = null;
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      if (this.closed) throw new PollError(`${connectionId}: poller closed`, null);
      let res: Response;
      try {
        res = await this.fetch(url, { headers, signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.requestTimeoutMs)]) });
      } catch (error) {
        lastError = new PollError(`${connectionId}: GET ${redact(url)} failed: ${String(error)}`, null, { cause: error });
        if (this.closed) throw lastError;
        await this.sleep(500 * 2 ** (attempt - 1));
        continue;
      }
      if (res.ok) return res;
      const detail = (await res.text().catch(() => '')).slice(0, 300);
      lastError = new PollError(`${connectionId}: GET ${redact(url)} answered ${res.status}: ${detail}`, res.status);
      if (res.status === 429) {
        const retryAfterS = Number(res.headers.get('retry-after'));
        await this.sleep(Math.min(MAX_RETRY_WAIT_MS, Number.isFinite(retryAfterS) && retryAfterS > 0 ? retryAfterS * 1000 : 2000));
      } else if (res.status >= 500) {
        await this.sleep(500 * 2 ** (attempt - 1));
      } else {
        throw lastError;
      }
    }
    throw lastError ?? new PollError(`${connectionId}: GET ${redact(url)} failed`, null);
  }
}

/** The URL without its query (page_info cursors and dates are noise in logs). */
function redact(url: string): string {
  return url.split('?')[0] ?? url;
}

/** The `rel="next"` URL of a Link header, only if it points at the channel we were asked to poll. */
function nextLink(header: string | null, base: string, connectionId: string): string | null {
  if (header === null) return null;
  for (const part of header.split(',')) {
    const match = /^\s*<([^>]+)>\s*;(.*)$/.exec(part);
    if (!match || !/\brel\s*=\s*"?next"?/i.test(match[2] ?? '')) continue;
    const next = new URL(match[1]!, base);
    if (next.origin !== new URL(base).origin) throw new PollError(`${connectionId}: Link rel="next" leaves ${new URL(base).origin}`, null);
    return next.toString();
  }
  return null;
}

function polledOrder(raw: string, connection: ConnectionRow, kind: 'shopify' | 'woocommerce'): PolledOrder {
  const payload = parseJsonExact(raw);
  const externalId = kind === 'shopify' ? shopifyOrderId(payload) : isRecord(payload) ? idText(payload['id']) : null;
  const updatedAt = isRecord(payload)
    ? kind === 'shopify'
      ? isoUtc(payload['updated_at'])
      : (isoUtc(payload['date_modified_gmt']) ?? isoUtc(payload['date_modified']))
    : null;
  if (externalId === null || updatedAt === null)
    throw new PollError(`${connection.id}: an order in the page has no id or no ${kind === 'shopify' ? 'updated_at' : 'date_modified_gmt'}`, null);
  return { raw, externalId, updatedAt };
}

// ---------------------------------------------------------------------------------------------------------------
// Raw JSON slices: each order is stored exactly as the channel sent it (Shopify ids exceed 2^53, so a parse and
// re-serialise would corrupt them).

/** The raw text of each element of the array at `member` of the top-level object (or of the top-level array). */
export function rawItems(text: string, member: string | null, connectionId = 'channel'): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new PollError(`${connectionId}: the orders page is not JSON`, null, { cause: error });
  }
  let start = skipSpace(text, 0);
  if (member !== null) {
    if (!isRecord(parsed) || !Array.isArray(parsed[member])) throw new PollError(`${connectionId}: the page has no "${member}" array`, null);
    start = memberStart(text, start, member);
  } else if (!Array.isArray(parsed)) {
    throw new PollError(`${connectionId}: the orders page is not an array`, null);
  }
  const items: string[] = [];
  let i = skipSpace(text, start + 1); // past '['
  if (text[i] === ']') return items;
  for (;;) {
    const end = valueEnd(text, i);
    items.push(text.slice(i, end));
    i = skipSpace(text, end);
    if (text[i] === ']') return items;
    i = skipSpace(text, i + 1); // past ','
  }
}

/** Index of the value of the top-level member `name` of the (valid) object starting at `i`. */
function memberStart(text: string, i: number, name: string): number {
  i = skipSpace(text, i + 1); // past '{'
  for (;;) {
    const keyEnd = valueEnd(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    const valueAt = skipSpace(text, skipSpace(text, keyEnd) + 1); // past ':'
    if (key === name) return valueAt;
    i = skipSpace(text, valueEnd(text, valueAt));
    if (text[i] === '}') throw new Error(`member ${name} not found`); // unreachable: checked on the parsed value
    i = skipSpace(text, i + 1); // past ','
  }
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  return i;
}

/** End (exclusive) of the JSON value starting at `i`, in text already known to be valid JSON. */
function valueEnd(text: string, i: number): number {
  const first = text[i];
  if (first === '"') return stringEnd(text, i);
  if (first === '{' || first === '[') {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const ch = text[j];
      if (ch === '"') j = stringEnd(text, j) - 1;
      else if (ch === '{' || ch === '[') depth++;
      else if (ch === '}' || ch === ']') {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return text.length;
  }
  let j = i;
  while (j < text.length && !',]} \n\r\t'.includes(text[j]!)) j++;
  return j;
}

function stringEnd(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === '\\') j++;
    else if (text[j] === '"') return j + 1;
  }
  return text.length;
}
