import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { PgEventStore } from '../store/event-store.pg.ts';
import { quoteIdent } from '../store/pg-util.ts';
import { freshSchema } from '../store/test-database.ts';
import { uniqueSchema } from '../testing/server-process.ts';
import { OutboxRelay, PERMANENT_PREFIX, type OutboxRelayOptions } from './outbox-relay.ts';
import { startFakeChannel, type FakeChannel } from './testing/fake-channel.ts';

const schema = uniqueSchema('outbox_relay');
const LOCATION = 'gid://shopify/Location/77';
const TENANT = 't1';
let pool: pg.Pool;
let store: PgEventStore;
let fake: FakeChannel;
let siteNo = 0;
let site: string;
let clockMs: number;
const relays: OutboxRelay[] = [];

const tbl = (name: string): string => `${quoteIdent(schema)}.${name}`;
const shopifyId = (): string => `shopify-${site}`;
const wooId = (): string => `woo-${site}`;
const item = (n: number): string => `gid://shopify/InventoryItem/${n}`;

beforeAll(async () => {
  pool = await freshSchema(schema);
  store = new PgEventStore({ pool, schema });
  await store.init();
});
afterAll(async () => {
  await pool.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
  await store.close();
  await pool.end();
});

beforeEach(async () => {
  fake = await startFakeChannel({ latencyMs: 2 });
  site = `site${++siteNo}`;
  clockMs = Date.parse('2026-11-27T09:00:00Z') + siteNo * 86_400_000;
  // One Shopify and one Woo connection for (site, tenant), both pointing at the fake.
  await pool.query(
    `INSERT INTO ${tbl('channel_connections')} (id, kind, site_id, tenant_id, shop, secrets, api_base_url, api_token, api_version, location_id)
     VALUES ($1, 'shopify', $3, $4, $5, '{s}', $6, $7, '2025-07', $8), ($2, 'woocommerce', $3, $4, $9, '{s}', $10, $11, 'wc/v3', NULL)`,
    [shopifyId(), wooId(), site, TENANT, `${site}.myshopify.com`, fake.url, fake.shopifyToken, LOCATION, `${fake.url}/${site}/`, `${fake.url}/`, fake.wooToken],
  );
});
afterEach(async () => {
  await Promise.all(relays.splice(0).map((r) => r.close()));
  await fake.close();
});

function relay(options: Partial<OutboxRelayOptions> = {}): OutboxRelay {
  const r = new OutboxRelay({ pool, schema, clock: () => clockMs, random: () => 0.5, timeoutMs: 5000, ...options });
  relays.push(r);
  return r;
}

async function mapSku(connectionId: string, skuId: string, externalItemId: string, lastPushedQty: number | null = null): Promise<void> {
  await pool.query(`INSERT INTO ${tbl('channel_items')} (connection_id, sku_id, external_item_id, last_pushed_qty) VALUES ($1, $2, $3, $4)`, [
    connectionId,
    skuId,
    externalItemId,
    lastPushedQty,
  ]);
}

async function stock(skuId: string, bins: [onHand: number, reserved: number][]): Promise<void> {
  for (const [i, [onHand, reserved]] of bins.entries()) {
    await pool.query(
      `INSERT INTO ${tbl('stock_quant')} (site_id, location_id, tenant_id, sku_id, lot, on_hand, reserved, updated_seq) VALUES ($1, $2, $3, $4, '', $5, $6, 1)`,
      [site, `BIN-${i}`, TENANT, skuId, onHand, reserved],
    );
  }
}

let seq = 0;
async function outbox(kind: 'stock' | 'fulfilment', ref: string, count = 1): Promise<void> {
  for (let i = 0; i < count; i++) {
    await pool.query(
      `INSERT INTO ${tbl('outbox')} (site_id, seq, kind, tenant_id, sku_id, order_id, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [site, ++seq, kind, TENANT, kind === 'stock' ? ref : null, kind === 'fulfilment' ? ref : null, new Date(clockMs)],
    );
  }
}

interface OutboxState {
  attempts: number;
  done: boolean;
  next_attempt_at: Date;
  last_error: string | null;
}
async function outboxRows(): Promise<OutboxState[]> {
  const res = await pool.query<OutboxState>(
    `SELECT attempts, done_at IS NOT NULL AS done, next_attempt_at, last_error FROM ${tbl('outbox')} WHERE site_id = $1 ORDER BY id`,
    [site],
  );
  return res.rows;
}

async function lastPushed(connectionId: string, skuId: string): Promise<number | null> {
  const res = await pool.query<{ q: number | null }>(`SELECT last_pushed_qty AS q FROM ${tbl('channel_items')} WHERE connection_id = $1 AND sku_id = $2`, [connectionId, skuId]);
  return res.rows[0]?.q ?? null;
}

const ops = (operation: string): number => fake.requests.filter((r) => r.operation === operation).length;

describe('OutboxRelay: stock', () => {
  it('pushes the current available (Σ on_hand − reserved) to every connection that maps the SKU', async () => {
    await stock('SKU-A', [[7, 2], [5, 0]]);
    await mapSku(shopifyId(), 'SKU-A', item(1));
    await mapSku(wooId(), 'SKU-A', '10');
    fake.shopify.setLevel(item(1), LOCATION, 3);
    fake.woo.setStock('10', 0);
    await outbox('stock', 'SKU-A');

    expect(await relay().drainOnce()).toEqual({ sent: 1, failed: 0 });
    expect(fake.shopify.level(item(1), LOCATION)).toBe(10);
    expect(fake.woo.stock('10')).toBe(10);
    expect([await lastPushed(shopifyId(), 'SKU-A'), await lastPushed(wooId(), 'SKU-A')]).toEqual([10, 10]);
    expect((await outboxRows()).map((r) => r.done)).toEqual([true]);
    // Every request passed the fake's checks of the documented shapes.
    expect(fake.requests.every((r) => r.status === 200)).toBe(true);
    const set = fake.requests.find((r) => r.operation === 'inventorySetQuantities')!;
    expect(set.variables).toMatchObject({ input: { name: 'available', quantities: [{ quantity: 10, changeFromQuantity: null }] } });
  });

  it('[R39][R44] pushes only sellable units: not the dock, not the returns desk, not units on hold', async () => {
    await stock('SKU-H', [[7, 2], [5, 0]]);
    for (const location of [`DOCK:${site}`, `RETURNS:${site}`]) {
      await pool.query(
        `INSERT INTO ${tbl('stock_quant')} (site_id, location_id, tenant_id, sku_id, lot, on_hand, reserved, updated_seq) VALUES ($1, $2, $3, 'SKU-H', '', 20, 0, 1)`,
        [site, location, TENANT],
      );
    }
    // 3 units of BIN-1 quarantined; a released hold and a hold on the dock change nothing.
    const hold = (id: string, locationId: string, qty: number, released: boolean) =>
      pool.query(
        `INSERT INTO ${tbl('stock_holds')} (site_id, hold_id, placed_seq, status, source, reason, lines, units, placed_at, released_seq)
         VALUES ($1, $2, 1, 'quarantine', 'manual', 'test', $3, $4, now(), $5)`,
        [site, id, JSON.stringify([{ locationId, tenantId: TENANT, skuId: 'SKU-H', lot: '', expiry: null, qty }]), qty, released ? 2 : null],
      );
    await hold('H1', 'BIN-1', 3, false);
    await hold('H2', 'BIN-0', 4, true);
    await hold('H3', `DOCK:${site}`, 5, false);
    await mapSku(wooId(), 'SKU-H', '11');
    fake.woo.setStock('11', 0);
    await outbox('stock', 'SKU-H');

    expect(await relay().drainOnce()).toEqual({ sent: 1, failed: 0 });
    // (7 − 2) + 5 in the bins, less 3 held.
    expect(fake.woo.stock('11')).toBe(7);
  });

  it('coalesces 10 rows of one SKU into one push per connection, and pushes a variation', async () => {
    await stock('SKU-A', [[4, 0]]);
    await stock('SKU-B', [[6, 1]]);
    await mapSku(shopifyId(), 'SKU-A', item(1), 0);
    await mapSku(wooId(), 'SKU-A', '10');
    await mapSku(wooId(), 'SKU-B', '20/21');
    fake.shopify.setLevel(item(1), LOCATION, 0);
    fake.woo.setStock('10', 0);
    fake.woo.setStock('20/21', 0);
    await outbox('stock', 'SKU-A', 10);
    await outbox('stock', 'SKU-B', 3);

    expect(await relay().drainOnce()).toEqual({ sent: 13, failed: 0 });
    expect(ops('inventorySetQuantities')).toBe(1);
    expect(fake.requests.filter((r) => r.path === '/wp-json/wc/v3/products/10')).toHaveLength(1);
    expect(fake.requests.filter((r) => r.path === '/wp-json/wc/v3/products/20/variations/21')).toHaveLength(1);
    expect([fake.shopify.level(item(1), LOCATION), fake.woo.stock('10'), fake.woo.stock('20/21')]).toEqual([4, 4, 5]);
    expect((await outboxRows()).every((r) => r.done && r.last_error === null)).toBe(true);
  });

  it('on a stale compare-and-set re-reads Shopify and keeps units the channel took since our last push subtracted', async () => {
    await stock('SKU-A', [[12, 0]]);
    await mapSku(shopifyId(), 'SKU-A', item(1), 10);
    // We last pushed 10; the channel sold 2 since (an order we have not imported yet).
    fake.shopify.setLevel(item(1), LOCATION, 8);
    await outbox('stock', 'SKU-A');

    expect(await relay().drainOnce()).toEqual({ sent: 1, failed: 0 });
    expect(fake.requests.map((r) => r.operation)).toEqual(['inventorySetQuantities', 'inventoryItem', 'inventorySetQuantities']);
    expect(JSON.parse(fake.requests[0]!.response)).toMatchObject({ data: { inventorySetQuantities: { userErrors: [{ code: 'CHANGE_FROM_QUANTITY_STALE' }] } } });
    expect(fake.requests[2]!.variables).toMatchObject({ input: { quantities: [{ quantity: 10, changeFromQuantity: 8 }] } });
    expect(fake.shopify.level(item(1), LOCATION)).toBe(10);
    expect(await lastPushed(shopifyId(), 'SKU-A')).toBe(10);

    // Once the order is imported and allocated our available includes it, and the next push is exact.
    await pool.query(`UPDATE ${tbl('stock_quant')} SET reserved = 2 WHERE site_id = $1 AND sku_id = 'SKU-A'`, [site]);
    await outbox('stock', 'SKU-A');
    expect(await relay().drainOnce()).toEqual({ sent: 1, failed: 0 });
    expect(fake.shopify.level(item(1), LOCATION)).toBe(10);
    expect(fake.requests.at(-1)!.variables).toMatchObject({ input: { quantities: [{ quantity: 10, changeFromQuantity: 10 }] } });
  });

  it('retries a 5xx with capped exponential backoff and jitter, then succeeds', async () => {
    await stock('SKU-A', [[5, 0]]);
    await mapSku(wooId(), 'SKU-A', '10');
    fake.woo.setStock('10', 0);
    await outbox('stock', 'SKU-A');
    const r = relay({ baseDelayMs: 1000, maxDelayMs: 1500 });
    const start = clockMs;

    fake.failNext(2, 503);
    expect(await r.drainOnce()).toEqual({ sent: 0, failed: 1 });
    let [row] = await outboxRows();
    // attempt 1: base 1000, equal jitter with random 0.5 → 750 ms.
    expect(row).toMatchObject({ attempts: 1, done: false });
    expect(row!.next_attempt_at.getTime() - start).toBe(750);
    expect(row!.last_error).toMatch(/503/);
    expect(await r.drainOnce()).toEqual({ sent: 0, failed: 0 }); // not due yet

    clockMs = start + 750;
    expect(await r.drainOnce()).toEqual({ sent: 0, failed: 1 });
    [row] = await outboxRows();
    // attempt 2: min(cap 1500, 2000) → 1125 ms.
    expect(row!.next_attempt_at.getTime() - clockMs).toBe(1125);

    clockMs += 1125;
    expect(await r.drainOnce()).toEqual({ sent: 1, failed: 0 });
    expect(fake.woo.stock('10')).toBe(5);
    expect(await outboxRows()).toMatchObject([{ attempts: 2, done: true, last_error: null }]);
  });

  it('honours Retry-After on a 429', async () => {
    await stock('SKU-A', [[5, 0]]);
    await mapSku(shopifyId(), 'SKU-A', item(1));
    fake.shopify.setLevel(item(1), LOCATION, 0);
    await outbox('stock', 'SKU-A');
    fake.failNext(1, 429, { retryAfterSec: 30 });
    expect(await relay().drainOnce()).toEqual({ sent: 0, failed: 1 });
    const [row] = await outboxRows();
    expect(row!.next_attempt_at.getTime() - clockMs).toBe(30_000);
    clockMs += 29_999;
    expect(await relay().drainOnce()).toEqual({ sent: 0, failed: 0 });
    clockMs += 1;
    expect(await relay().drainOnce()).toEqual({ sent: 1, failed: 0 });
    expect(fake.shopify.level(item(1), LOCATION)).toBe(5);
  });

  it('dead-letters a permanent 4xx at once, and a retryable failure after maxAttempts', async () => {
    await stock('SKU-A', [[5, 0]]);
    await mapSku(wooId(), 'SKU-A', '404'); // not a product on the channel → 404
    await outbox('stock', 'SKU-A');
    const r = relay({ maxAttempts: 3 });
    expect(await r.drainOnce()).toEqual({ sent: 0, failed: 1 });
    expect(await outboxRows()).toMatchObject([{ attempts: 1, done: true }]);
    expect((await outboxRows())[0]!.last_error).toMatch(new RegExp(`^${PERMANENT_PREFIX}.*404`));
    clockMs += 86_400_000;
    expect(await r.drainOnce()).toEqual({ sent: 0, failed: 0 });
    expect(fake.requests).toHaveLength(1);

    await mapSku(wooId(), 'SKU-B', '11');
    await stock('SKU-B', [[1, 0]]);
    fake.woo.setStock('11', 0);
    await outbox('stock', 'SKU-B');
    fake.failNext(10, 500);
    for (let i = 0; i < 3; i++) {
      expect(await r.drainOnce()).toEqual({ sent: 0, failed: 1 });
      clockMs += 3_600_000;
    }
    expect(await r.drainOnce()).toEqual({ sent: 0, failed: 0 });
    const dead = (await outboxRows())[1]!;
    expect(dead).toMatchObject({ attempts: 3, done: true });
    expect(dead.last_error).toMatch(/^permanent: gave up after 3 attempts: .*500/);
  });

  it('completes rows for SKUs no connection maps, without calling any channel', async () => {
    await stock('SKU-Z', [[1, 0]]);
    await outbox('stock', 'SKU-Z', 2);
    expect(await relay().drainOnce()).toEqual({ sent: 2, failed: 0 });
    expect(fake.requests).toHaveLength(0);
  });
});

describe('OutboxRelay: fulfilment', () => {
  async function order(orderId: string, channel: string, externalRef: string): Promise<void> {
    await pool.query(
      `INSERT INTO ${tbl('orders')} (site_id, order_id, tenant_id, status, external_ref, priority, created_at, carrier, tracking_number, updated_seq, channel)
       VALUES ($1, $2, $3, 'despatched', $4, 0, now(), 'Floortwin Post', $5, 1, $6)`,
      [site, orderId, TENANT, externalRef, `FT-${orderId}`, channel],
    );
  }

  it('sends tracking to Shopify (fulfillmentCreate) and Woo (completed + meta); a resend after a lost answer is done', async () => {
    const gid = fake.shopify.addOrder({ id: 4001 }, { fulfillmentOrders: [{ id: 'gid://shopify/FulfillmentOrder/5', status: 'OPEN', locationId: LOCATION }] });
    fake.woo.addOrder({ id: 88, status: 'processing' });
    await order('O-1', shopifyId(), gid);
    await order('O-2', wooId(), '88');
    await outbox('fulfilment', 'O-1');
    await outbox('fulfilment', 'O-2');

    expect(await relay().drainOnce()).toEqual({ sent: 2, failed: 0 });
    expect(fake.shopify.fulfilments).toMatchObject([{ orderGid: gid, trackingCompany: 'Floortwin Post', trackingNumber: 'FT-O-1', notifyCustomer: true }]);
    expect(fake.woo.order(88)).toMatchObject({ status: 'completed', meta_data: [{ key: '_tracking_number', value: 'FT-O-2' }, { key: '_tracking_provider', value: 'Floortwin Post' }] });

    // The outcome was lost (e.g. the process died before COMMIT): both rows are sent again.
    await pool.query(`UPDATE ${tbl('outbox')} SET done_at = NULL WHERE site_id = $1`, [site]);
    expect(await relay().drainOnce()).toEqual({ sent: 2, failed: 0 });
    expect(fake.shopify.fulfilments).toHaveLength(1);
  });

  it('completes API orders without a call, and dead-letters an order whose channel connection is gone', async () => {
    await order('O-3', 'api', '123');
    await order('O-4', 'shopify-deleted', '124');
    await outbox('fulfilment', 'O-3');
    await outbox('fulfilment', 'O-4');
    expect(await relay().drainOnce()).toEqual({ sent: 1, failed: 1 });
    expect(fake.requests).toHaveLength(0);
    const [api, gone] = await outboxRows();
    expect(api).toMatchObject({ done: true, last_error: null });
    expect(gone!.last_error).toMatch(/^permanent: .*no connection/);
  });
});

describe('OutboxRelay: concurrency', () => {
  it('two relays draining at once never send the same row twice (SKIP LOCKED)', async () => {
    const skus = Array.from({ length: 30 }, (_, i) => `SKU-${i}`);
    for (const [i, sku] of skus.entries()) {
      await stock(sku, [[i + 1, 0]]);
      await mapSku(wooId(), sku, String(100 + i));
      fake.woo.setStock(String(100 + i), 0);
      await outbox('stock', sku);
    }
    for (let i = 0; i < 6; i++) {
      fake.woo.addOrder({ id: 500 + i });
      await pool.query(
        `INSERT INTO ${tbl('orders')} (site_id, order_id, tenant_id, status, external_ref, priority, created_at, carrier, tracking_number, updated_seq, channel)
         VALUES ($1, $2, $3, 'despatched', $4, 0, now(), 'Floortwin Post', 'T', 1, $5)`,
        [site, `O-${i}`, TENANT, String(500 + i), wooId()],
      );
      await outbox('fulfilment', `O-${i}`);
    }
    const [a, b] = await Promise.all([relay().drainOnce(), relay().drainOnce()]);
    expect(a.sent + b.sent).toBe(36);
    expect(a.failed + b.failed).toBe(0);
    // Every product / order got exactly one PUT.
    const puts = fake.requests.filter((r) => r.method === 'PUT').map((r) => r.path);
    expect(puts).toHaveLength(36);
    expect(new Set(puts).size).toBe(36);
    expect(skus.map((_, i) => fake.woo.stock(String(100 + i)))).toEqual(skus.map((_, i) => i + 1));
  });

  it('skips rows another transaction holds, without waiting for it', async () => {
    await stock('SKU-A', [[2, 0]]);
    await stock('SKU-B', [[3, 0]]);
    await mapSku(wooId(), 'SKU-A', '10');
    await mapSku(wooId(), 'SKU-B', '11');
    fake.woo.setStock('10', 0);
    fake.woo.setStock('11', 0);
    await outbox('stock', 'SKU-A');
    await outbox('stock', 'SKU-B');
    const other = await pool.connect();
    try {
      await other.query('BEGIN');
      await other.query(`SELECT id FROM ${tbl('outbox')} WHERE site_id = $1 AND sku_id = 'SKU-A' FOR UPDATE`, [site]);
      expect(await relay().drainOnce()).toEqual({ sent: 1, failed: 0 });
      expect([fake.woo.stock('10'), fake.woo.stock('11')]).toEqual([0, 3]);
      await other.query('ROLLBACK');
    } finally {
      other.release();
    }
    expect(await relay().drainOnce()).toEqual({ sent: 1, failed: 0 });
    expect(fake.woo.stock('10')).toBe(2);
  });
});

describe('OutboxRelay: background loop', () => {
  it('start() drains, wake() drains again soon, close() stops', async () => {
    clockMs = Date.now(); // rows due by the wall clock the loop uses
    await stock('SKU-A', [[3, 0]]);
    await mapSku(wooId(), 'SKU-A', '10');
    fake.woo.setStock('10', 0);
    await outbox('stock', 'SKU-A');
    const r = relay({ clock: () => Date.now() + 60_000 });
    r.start(60_000);
    await expect.poll(() => fake.woo.stock('10')).toBe(3);
    await pool.query(`UPDATE ${tbl('stock_quant')} SET on_hand = 9 WHERE site_id = $1 AND sku_id = 'SKU-A'`, [site]);
    await outbox('stock', 'SKU-A');
    r.wake();
    await expect.poll(() => fake.woo.stock('10')).toBe(9);
    await r.close();
  });
});
