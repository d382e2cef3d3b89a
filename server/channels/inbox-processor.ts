/**
 * Turns stored webhook deliveries into twin commands, asynchronously. Each batch claims pending inbox rows in one
 * transaction (FOR UPDATE SKIP LOCKED), maps each row, submits commands to the connection's site, and records the
 * outcome and the newest channel version applied (`channel_orders`) in that same transaction.
 *
 * Per row: a new channel order → createOrder (id `<connectionId>-<externalId>`, channel = connection id, externalRef =
 * channel id) then allocateOrder 'partial'. A version not newer than the one applied → 'ignored' (stale). A cancelled
 * version → cancelOrder (refused once picking started: the row is 'failed' so a supervisor sees it). Line changes to an
 * order the warehouse already holds are not applied (result says so). Storage/site unavailable → stays pending with backoff.
 * Every step is idempotent (DUPLICATE_ORDER is success, allocation only of an 'open' order), so a crash mid-batch is safe.
 */
import type pg from 'pg';
import type { Command } from '../twin/commands.ts';
import { asOrderId, asSkuId, asTenantId, type OrderId } from '../twin/ids.ts';
import type { TwinState } from '../twin/state.ts';
import type { SubmitResult } from '../site/site-runner.ts';
import { orderIdFor, type MappingConnection, type OrderMapping } from './channel-order.ts';
import { listConnections, listItems, type ChannelConnection } from './connections.pg.ts';
import { channelOrder, claimPending, markProcessed, retryLater, upsertChannelOrder, type Db, type InboxRow } from './inbox.pg.ts';
import { isPgError } from '../store/pg-util.ts';
import { parseJsonExact } from './json-bigint.ts';
import { toShopifyOrderInput } from './shopify-order.ts';
import { toWooOrderInput } from './woo-order.ts';

/** What the processor needs of a site: a SiteRunner satisfies it. */
export interface TwinPort {
  submit(command: Command): Promise<SubmitResult>;
  read<T>(view: (twin: TwinState) => T): Promise<T>;
}

/** The sites this process runs (a SiteRegistry satisfies it). */
export interface ProcessorSites {
  get(siteId: string): TwinPort | undefined;
  list(): readonly { readonly siteId: string }[];
}

export interface InboxProcessorOptions {
  readonly pool: pg.Pool;
  readonly schema: string;
  readonly sites: ProcessorSites;
  /** Rows claimed per transaction. Default 100. */
  readonly batchSize?: number;
  /** How often to look for work without a wake-up (rows in backoff, deliveries from other processes). Default 2000 ms. */
  readonly pollMs?: number;
  /** After this many infrastructure failures a row is marked 'failed'. Default 12. */
  readonly maxAttempts?: number;
  readonly log?: (message: string, error?: unknown) => void;
}

type Outcome =
  | { readonly status: 'done' | 'ignored' | 'failed'; readonly result: Record<string, unknown> }
  | { readonly retry: string };

type Action = 'create' | 'update' | 'cancel' | 'delete';

const ACTIONS: Record<string, Record<string, Action>> = {
  shopify: { 'orders/create': 'create', 'orders/updated': 'update', 'orders/cancelled': 'cancel' },
  woocommerce: { 'order.created': 'create', 'order.updated': 'update', 'order.restored': 'update', 'order.deleted': 'delete' },
};

/** First key of our per-order advisory locks: ASCII 'Flto'. */
const ORDER_LOCK_CLASS = 0x466c746f;

interface OrderSummary {
  readonly id: OrderId;
  readonly status: string;
  readonly lines: readonly { readonly skuId: string; readonly qty: number }[];
}

function summary(twin: TwinState, orderId: OrderId): OrderSummary | null {
  const order = twin.orders.get(orderId);
  return order ? { id: order.id, status: order.status, lines: order.lines.map((l) => ({ skuId: l.skuId, qty: l.qty })) } : null;
}

function sameLines(a: readonly { skuId: string; qty: number }[], b: readonly { skuCode: string; qty: number }[]): boolean {
  const key = (pairs: [string, number][]): string => pairs.sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).join(';');
  const total = (pairs: [string, number][]): [string, number][] => {
    const m = new Map<string, number>();
    for (const [sku, qty] of pairs) m.set(sku, (m.get(sku) ?? 0) + qty);
    return [...m];
  };
  return key(total(a.map((l) => [l.skuId, l.qty]))) === key(total(b.map((l) => [l.skuCode, l.qty])));
}

/** One transaction's client shared by concurrent groups: queries are queued here (pg allows one in flight per client). */
function serialised(client: pg.PoolClient): Db {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
      const run = tail.then(() => client.query<R>(text, values));
      tail = run.catch(() => undefined);
      return run;
    },
  };
}

/**
 * A row whose processing threw. A database error aborts the claim transaction, so it is rethrown (the batch rolls back
 * and is retried); anything else is a bug tripped by this row: it is failed, so one bad row cannot stall the inbox.
 */
function poisoned(error: unknown, row: InboxRow): Outcome {
  if (isPgError(error)) throw error;
  const message = error instanceof Error ? error.message : String(error);
  return { status: 'failed', result: { error: `internal error processing delivery ${row.deliveryId}: ${message}` } };
}

/** Processes the channel inbox; see the file comment. `start` for the server, `drain` for tests. */
export class InboxProcessor {
  private readonly batchSize: number;
  private readonly pollMs: number;
  private readonly maxAttempts: number;
  private started = false;
  private closed = false;
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  /** Rows finished (done/ignored/failed) and retries scheduled, for the closing note. */
  readonly stats = { done: 0, ignored: 0, failed: 0, retried: 0 };

  constructor(private readonly options: InboxProcessorOptions) {
    this.batchSize = options.batchSize ?? 100;
    this.pollMs = options.pollMs ?? 2000;
    this.maxAttempts = options.maxAttempts ?? 12;
  }

  /** Starts processing in the background: now, on every `wake`, and every `pollMs`. */
  start(): void {
    this.started = true;
    this.wake();
  }

  /** New work was stored: process soon (coalesces with a batch in flight). No-op before `start` or after `close`. */
  wake(): void {
    if (!this.started || this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.running = this.loop().finally(() => {
      this.running = null;
      if (this.closed) return;
      if (this.again) {
        this.again = false;
        this.wake();
      } else {
        this.timer = setTimeout(() => this.wake(), this.pollMs);
        this.timer.unref();
      }
    });
  }

  /** Stops the background loop and waits for the batch in flight. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Processes until nothing claimable is pending; returns how many rows were handled. For tests and tools. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const handled = await this.runBatch();
      total += handled;
      if (handled === 0) return total;
    }
  }

  private async loop(): Promise<void> {
    try {
      while (!this.closed && (await this.runBatch()) > 0);
    } catch (error) {
      this.options.log?.('channel inbox: batch failed; its rows stay pending', error);
    }
  }

  /** One claim transaction. Returns the number of rows given an outcome (0: nothing claimable). */
  private async runBatch(): Promise<number> {
    const { pool, schema, sites } = this.options;
    const siteIds = sites.list().map((s) => s.siteId);
    const claim = await claimPending(pool, schema, this.batchSize, siteIds);
    if (claim.rows.length === 0 || claim.client === null) {
      await claim.commit();
      return 0;
    }
    const client = serialised(claim.client);
    try {
      const connections = new Map((await listConnections(client, schema, siteIds)).map((c) => [c.id, c]));
      const mappings = new Map<string, MappingConnection>();
      for (const id of new Set(claim.rows.map((r) => r.connectionId))) {
        const c = connections.get(id);
        if (c) mappings.set(id, { id, tenantId: c.tenantId, skuByItem: new Map((await listItems(client, schema, id)).map((i) => [i.externalItemId, i.skuId])) });
      }
      // Rows of one channel order run in arrival order; different orders run side by side (the site batches commits).
      const groups = new Map<string, InboxRow[]>();
      for (const row of claim.rows) {
        const key = row.externalOrderId === null ? `row:${row.id}` : `${row.connectionId}|${row.externalOrderId}`;
        groups.set(key, [...(groups.get(key) ?? []), row]);
      }
      let handled = 0;
      // allSettled: every group must be finished with the client before the transaction ends, even when one fails.
      const settled = await Promise.allSettled(
        [...groups].map(async ([key, rows]) => {
          // Another process may hold this order's rows of an older claim; skip them this time rather than wait.
          const locked = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS ok', [ORDER_LOCK_CLASS, key]);
          if (locked.rows[0]?.ok !== true) return;
          for (const row of rows) {
            const connection = connections.get(row.connectionId);
            const mapping = mappings.get(row.connectionId);
            const outcome: Outcome =
              connection && mapping
                ? await this.processRow(client, connection, mapping, row).catch((error: unknown) => poisoned(error, row))
                : { status: 'failed', result: { error: `no channel connection '${row.connectionId}' for a site of this server` } };
            await this.record(client, row, outcome);
            handled++;
          }
        }),
      );
      const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failure) throw failure.reason;
      await claim.commit();
      return handled;
    } catch (error) {
      await claim.rollback();
      throw error;
    }
  }

  private async record(client: Db, row: InboxRow, outcome: Outcome): Promise<void> {
    const { schema } = this.options;
    if ('retry' in outcome) {
      if (row.attempts + 1 >= this.maxAttempts) {
        this.stats.failed++;
        return markProcessed(client, schema, row.id, { status: 'failed', result: { error: `gave up after ${row.attempts + 1} attempts: ${outcome.retry}` } });
      }
      this.stats.retried++;
      const delayMs = Math.min(60_000, 1000 * 2 ** row.attempts);
      return retryLater(client, schema, row.id, outcome.retry, delayMs);
    }
    this.stats[outcome.status]++;
    return markProcessed(client, schema, row.id, outcome);
  }

  private async processRow(client: Db, connection: ChannelConnection, mappingConnection: MappingConnection, row: InboxRow): Promise<Outcome> {
    const { schema, sites } = this.options;
    const port = sites.get(connection.siteId);
    if (!port) return { retry: `site '${connection.siteId}' is not running` };
    const action = ACTIONS[connection.kind]?.[row.topic];
    if (action === undefined) return { status: 'ignored', result: { reason: `topic ${row.topic} is not handled` } };

    let payload: unknown;
    try {
      payload = parseJsonExact(row.body);
    } catch {
      return { status: 'failed', result: { error: 'the body is not valid JSON' } };
    }
    let mapping: OrderMapping;
    if (action === 'delete') {
      // Woo sends only { id } for a deleted order: it is a cancellation as of its arrival.
      const id = (payload as { id?: unknown } | null)?.id;
      if (typeof id !== 'number' && typeof id !== 'string') return { status: 'failed', result: { error: 'deleted order without an id' } };
      mapping = {
        ok: true,
        externalId: String(id),
        updatedAt: row.receivedAt,
        cancelled: true,
        order: { externalRef: String(id), lines: [], shipTo: null, service: null, priority: 0 },
      };
    } else {
      mapping = connection.kind === 'shopify' ? toShopifyOrderInput(payload, mappingConnection) : toWooOrderInput(payload, mappingConnection);
    }
    if (!mapping.ok) return { status: 'failed', result: { error: mapping.error } };

    const { externalId, updatedAt } = mapping;
    const applied = await channelOrder(client, schema, connection.id, externalId, true);
    // A deletion carries no channel time (its version is its arrival): it is final, so never stale.
    if (applied && action !== 'delete' && Date.parse(updatedAt) <= Date.parse(applied.channelUpdatedAt))
      return { status: 'ignored', result: { reason: 'stale: a version at least as new was applied', updatedAt, applied: applied.channelUpdatedAt, orderId: applied.orderId } };

    let orderId = asOrderId(applied?.orderId ?? orderIdFor(connection.id, externalId));
    let existing = await port.read((twin) => summary(twin, orderId));
    const recordVersion = (): Promise<void> => upsertChannelOrder(client, schema, { connectionId: connection.id, externalOrderId: externalId, orderId, updatedAt });

    if (mapping.cancelled || action === 'cancel' || action === 'delete') {
      if (existing === null) {
        await recordVersion();
        return { status: 'ignored', result: { reason: 'cancelled on the channel before the warehouse had it', orderId } };
      }
      if (existing.status === 'cancelled') {
        await recordVersion();
        return { status: 'done', result: { action: 'already cancelled', orderId } };
      }
      const cancelled = await port.submit({ type: 'cancelOrder', orderId, reason: 'cancelled on channel' });
      if (!cancelled.ok) {
        if (cancelled.error.code === 'UNAVAILABLE') return { retry: cancelled.error.message };
        // Not recorded as applied: a later delivery or poll of this version tries again.
        const message =
          cancelled.error.code === 'ORDER_IN_PROGRESS'
            ? `ORDER_IN_PROGRESS: order ${orderId} was cancelled on the channel but picking has started — stop it by hand`
            : `${cancelled.error.code}: ${cancelled.error.message}`;
        return { status: 'failed', result: { error: message, code: cancelled.error.code, orderId } };
      }
      await recordVersion();
      return { status: 'done', result: { action: 'cancelled', orderId } };
    }

    if (mapping.ignore !== undefined) {
      await recordVersion();
      return { status: 'ignored', result: { reason: mapping.ignore, ...(existing ? { orderId } : {}) } };
    }

    let action_: string;
    if (existing === null) {
      const lines = await port.read((twin) =>
        mapping.order.lines.map((line, index) => {
          const sku = twin.skusById.get(asSkuId(line.skuCode));
          if (sku === undefined || sku.tenantId !== connection.tenantId)
            return { error: `unknown SKU '${line.skuCode}' for tenant ${connection.tenantId} (line ${index + 1})` };
          return { skuId: sku.id, qty: line.qty };
        }),
      );
      const unknown = lines.flatMap((l) => ('error' in l ? [l.error] : []));
      if (unknown.length > 0) return { status: 'failed', result: { error: unknown.join('; '), code: 'UNKNOWN_SKU' } };
      const created = await port.submit({
        type: 'createOrder',
        orderId,
        tenantId: asTenantId(connection.tenantId),
        channel: connection.id,
        externalRef: externalId,
        lines: lines.flatMap((l) => ('error' in l ? [] : [l])),
        priority: mapping.order.priority,
        ...(mapping.order.shipTo ? { shipTo: mapping.order.shipTo } : {}),
        ...(mapping.order.service ? { service: mapping.order.service } : {}),
      });
      if (!created.ok) {
        if (created.error.code === 'UNAVAILABLE') return { retry: created.error.message };
        if (created.error.code !== 'DUPLICATE_ORDER') return { status: 'failed', result: { error: `${created.error.code}: ${created.error.message}`, code: created.error.code } };
        // Already there (a retry after a crash, or the same channel order under another id): idempotent.
        const other = created.error.details?.['orderId'];
        if (typeof other === 'string') orderId = asOrderId(other);
      }
      action_ = created.ok ? 'created' : 'already created';
      existing = await port.read((twin) => summary(twin, orderId));
    } else if (existing.status === 'cancelled') {
      await recordVersion();
      return { status: 'failed', result: { error: `order ${orderId} is cancelled in the warehouse but active on the channel`, orderId } };
    } else {
      action_ = sameLines(existing.lines, mapping.order.lines) ? 'unchanged' : 'line changes not applied';
    }

    if (existing?.status === 'open') {
      const allocated = await port.submit({ type: 'allocateOrder', orderId, policy: 'partial' });
      if (!allocated.ok) {
        if (allocated.error.code === 'UNAVAILABLE') return { retry: allocated.error.message };
        await recordVersion();
        return { status: 'failed', result: { error: `created but not allocated: ${allocated.error.code}: ${allocated.error.message}`, code: allocated.error.code, orderId } };
      }
    }
    await recordVersion();
    const status = await port.read((twin) => twin.orders.get(orderId)?.status ?? null);
    return { status: 'done', result: { action: action_, orderId, status } };
  }
}
