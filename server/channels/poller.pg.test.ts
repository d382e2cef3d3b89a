/**
 * The reconciliation poller against the fake channel server (documented Shopify / Woo order-list shapes, pagination,
 * auth) and a real inbox in Postgres.
 */
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from '../store/migrate.pg.ts';
import { quoteIdent } from '../store/pg-util.ts';
import { freshSchema } from '../store/test-database.ts';
import { uniqueSchema } from '../testing/server-process.ts';
import { createConnection } from './connections.pg.ts';
import { PollError, ReconciliationPoller, rawItems } from './poller.ts';
import { startFakeChannel, type FakeChannel } from './testing/fake-channel.ts';

const T0 = Date.UTC(2026, 10, 20, 12, 0, 0);
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
/** Woo's `date_modified_gmt`: ISO without zone, second precision. */
const wooDate = (ms: number) => iso(ms).slice(0, 19);

describe('rawItems', () => {
  it('slices each element exactly as sent, big integers and escapes included', () => {
    const text = ' { "x": [1, {"a":"]"}], "orders" : [ {"id":820982911946154508,"note":"say \\"hi\\" }"} ,{"id":2,"n":[{}]} ] } ';
    expect(rawItems(text, 'orders')).toEqual(['{"id":820982911946154508,"note":"say \\"hi\\" }"}', '{"id":2,"n":[{}]}']);
    expect(rawItems('[]', null)).toEqual([]);
    expect(rawItems('[ {"id":1} ]', null)).toEqual(['{"id":1}']);
    expect(() => rawItems('{"orders":', 'orders')).toThrow(PollError);
    expect(() => rawItems('{"order":[]}', 'orders')).toThrow(PollError);
  });
});

describe('ReconciliationPoller', () => {
  let pool: pg.Pool;
  let schema: string;
  let fake: FakeChannel;
  let poller: ReconciliationPoller;
  const waits: number[] = [];

  beforeAll(async () => {
    schema = uniqueSchema('poller');
    pool = await freshSchema(schema);
    await migrate(pool, schema);
  });
  afterAll(async () => {
    await pool?.end();
  });

  let n = 0;
  let shopifyId: string;
  let wooId: string;
  beforeEach(async () => {
    fake = await startFakeChannel();
    waits.length = 0;
    poller = new ReconciliationPoller({ pool, schema, sleep: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      }, log: () => undefined });
    n++;
    shopifyId = `shopify-t${n}`;
    wooId = `woo-t${n}`;
    await createConnection(pool, schema, {
      id: shopifyId,
      kind: 'shopify',
      siteId: 'demo',
      tenantId: 'acme',
      shop: `t${n}.myshopify.com`,
      secrets: ['s'],
      apiBaseUrl: fake.url,
      apiToken: fake.shopifyToken,
      apiVersion: '2025-07',
    });
    await createConnection(pool, schema, {
      id: wooId,
      kind: 'woocommerce',
      siteId: 'demo',
      tenantId: 'acme',
      shop: `https://t${n}.example/`,
      secrets: ['s'],
      apiBaseUrl: `${fake.url}/`,
      apiToken: fake.wooToken,
    });
    await setCursor(shopifyId, T0);
    await setCursor(wooId, T0);
  });
  afterEach(async () => {
    await poller.close();
    await fake.close();
  });

  const setCursor = (id: string, ms: number) => pool.query(`UPDATE ${quoteIdent(schema)}.channel_connections SET poll_cursor = $2 WHERE id = $1`, [id, new Date(ms)]);
  const cursorOf = async (id: string) =>
    (await pool.query<{ poll_cursor: Date }>(`SELECT poll_cursor FROM ${quoteIdent(schema)}.channel_connections WHERE id = $1`, [id])).rows[0]?.poll_cursor.getTime();
  const inbox = async (connectionId: string) =>
    (
      await pool.query<{ delivery_id: string; topic: string; external_order_id: string; triggered_at: Date; body: string; status: string }>(
        `SELECT delivery_id, topic, external_order_id, triggered_at, body, status FROM ${quoteIdent(schema)}.channel_inbox WHERE connection_id = $1 ORDER BY id`,
        [connectionId],
      )
    ).rows;

  it('Shopify: pages through every order updated since the cursor with Link page_info, stores each once, advances the cursor', async () => {
    // 600 orders updated after the cursor (3 pages of 250), 5 before the overlap window, one with an id beyond 2^53.
    for (let i = 0; i < 600; i++) fake.shopify.addOrder({ id: 5000 + i, name: `#${1000 + i}`, updated_at: iso(T0 + (i + 1) * 1000) });
    for (let i = 0; i < 5; i++) fake.shopify.addOrder({ id: 9000 + i, updated_at: iso(T0 - 60 * MIN) });
    fake.shopify.addOrder({ id: 820982911946154508n, name: '#9999', updated_at: iso(T0 + 601_000) });

    expect(await poller.pollOnce(shopifyId)).toEqual({ fetched: 601, stored: 601 });
    const lists = fake.requests.filter((r) => r.operation === 'orders.list');
    expect(lists).toHaveLength(3);
    expect(lists.every((r) => r.status === 200 && r.headers['x-shopify-access-token'] === fake.shopifyToken)).toBe(true);
    expect(lists[0]?.path).toBe('/admin/api/2025-07/orders.json');
    expect(lists[0]?.query).toEqual({ status: 'any', updated_at_min: iso(T0 - 5 * MIN), limit: '250' });
    expect(Object.keys(lists[1]?.query ?? {}).sort()).toEqual(['limit', 'page_info']);

    const rows = await inbox(shopifyId);
    expect(rows).toHaveLength(601);
    expect(rows.every((r) => r.topic === 'orders/updated' && r.status === 'pending')).toBe(true);
    const big = rows.find((r) => r.external_order_id === 'gid://shopify/Order/820982911946154508');
    expect(big?.delivery_id).toBe(`poll:gid://shopify/Order/820982911946154508:${iso(T0 + 601_000)}`);
    expect(big?.body).toContain('"id":820982911946154508,');
    expect(big?.triggered_at.getTime()).toBe(T0 + 601_000);
    expect(await cursorOf(shopifyId)).toBe(T0 + 601_000);

    // Polling again re-reads only the overlap window and stores nothing twice.
    fake.clearRequests();
    const again = await poller.pollOnce(shopifyId);
    expect(again.stored).toBe(0);
    expect(again.fetched).toBe(301); // updated in the 5 minutes before the newest (T0 + 301 s … T0 + 601 s)
    expect(await cursorOf(shopifyId)).toBe(T0 + 601_000);

    // A newer version of an order is a new delivery.
    fake.shopify.addOrder({ id: 5000, name: '#1000', updated_at: iso(T0 + 700_000), note: 'changed' });
    expect((await poller.pollOnce(shopifyId)).stored).toBe(1);
    expect((await inbox(shopifyId)).filter((r) => r.external_order_id === 'gid://shopify/Order/5000')).toHaveLength(2);
    expect(await cursorOf(shopifyId)).toBe(T0 + 700_000);
  });

  it('WooCommerce: pages with page/per_page until X-WP-TotalPages, with Basic auth, and advances the cursor', async () => {
    for (let i = 0; i < 250; i++) fake.woo.addOrder({ id: 100 + i, status: 'processing', date_modified_gmt: wooDate(T0 + (i + 1) * 1000) });
    fake.woo.addOrder({ id: 99, status: 'processing', date_modified_gmt: wooDate(T0 - 60 * MIN) });

    expect(await poller.pollOnce(wooId)).toEqual({ fetched: 250, stored: 250 });
    const lists = fake.requests.filter((r) => r.operation === 'orders.list' || r.path === '/wp-json/wc/v3/orders');
    expect(lists.map((r) => r.query['page'])).toEqual(['1', '2', '3']);
    expect(lists.every((r) => r.status === 200 && r.query['per_page'] === '100' && r.query['modified_after'] === iso(T0 - 5 * MIN))).toBe(true);
    expect(lists[0]?.headers['authorization']).toBe(`Basic ${Buffer.from(fake.wooToken).toString('base64')}`);

    const rows = await inbox(wooId);
    expect(rows).toHaveLength(250);
    expect(rows.every((r) => r.topic === 'order.updated')).toBe(true);
    const first = rows.find((r) => r.external_order_id === '100');
    expect(first?.delivery_id).toBe(`poll:100:${iso(T0 + 1000)}`);
    expect(JSON.parse(first?.body ?? '{}')).toMatchObject({ id: 100, status: 'processing' });
    expect(await cursorOf(wooId)).toBe(T0 + 250_000);
    expect((await poller.pollOnce(wooId)).stored).toBe(0);
  });

  it('a first poll with no cursor starts from when the connection was made', async () => {
    await pool.query(`UPDATE ${quoteIdent(schema)}.channel_connections SET poll_cursor = NULL, created_at = $2 WHERE id = $1`, [shopifyId, new Date(T0)]);
    fake.shopify.addOrder({ id: 1, updated_at: iso(T0 - 60 * MIN) });
    fake.shopify.addOrder({ id: 2, updated_at: iso(T0 + MIN) });
    expect(await poller.pollOnce(shopifyId)).toEqual({ fetched: 1, stored: 1 });
    expect(await cursorOf(shopifyId)).toBe(T0 + MIN);
  });

  it('retries 429 after Retry-After and 5xx with backoff; a failure that persists leaves the cursor where it was', async () => {
    for (let i = 0; i < 300; i++) fake.shopify.addOrder({ id: 7000 + i, updated_at: iso(T0 + (i + 1) * 1000) });
    fake.failNext(1, 429, { retryAfterSec: 3 });
    fake.failNext(1, 503);
    expect(await poller.pollOnce(shopifyId)).toEqual({ fetched: 300, stored: 300 });
    expect(waits).toContain(3000);
    expect(await cursorOf(shopifyId)).toBe(T0 + 300_000);

    fake.shopify.addOrder({ id: 7000, updated_at: iso(T0 + 400_000) });
    fake.failNext(10, 500);
    await expect(poller.pollOnce(shopifyId)).rejects.toThrow(/answered 500/);
    expect(await cursorOf(shopifyId)).toBe(T0 + 300_000);
  });

  it('a 4xx is final (no retry): a wrong token fails the poll and moves nothing', async () => {
    await pool.query(`UPDATE ${quoteIdent(schema)}.channel_connections SET api_token = 'wrong' WHERE id = $1`, [wooId]);
    fake.woo.addOrder({ id: 1, date_modified_gmt: wooDate(T0 + 1000) });
    await expect(poller.pollOnce(wooId)).rejects.toBeInstanceOf(PollError);
    expect(fake.requests).toHaveLength(1);
    expect(await inbox(wooId)).toHaveLength(0);
    expect(await cursorOf(wooId)).toBe(T0);
  });

  it('start polls every connection of its sites until closed', async () => {
    fake.shopify.addOrder({ id: 42, updated_at: iso(T0 + 1000) });
    fake.woo.addOrder({ id: 43, date_modified_gmt: wooDate(T0 + 1000) });
    // Connections of earlier tests point at closed servers: this one polls its own site only.
    await pool.query(`UPDATE ${quoteIdent(schema)}.channel_connections SET site_id = 'start-site' WHERE id = ANY($1)`, [[shopifyId, wooId]]);
    const running = new ReconciliationPoller({ pool, schema, siteIds: ['start-site'], log: () => undefined });
    running.start(60_000);
    for (let i = 0; i < 200 && ((await inbox(shopifyId)).length === 0 || (await inbox(wooId)).length === 0); i++) await new Promise((r) => setTimeout(r, 25));
    await running.close();
    expect((await inbox(shopifyId)).map((r) => r.external_order_id)).toEqual(['gid://shopify/Order/42']);
    expect((await inbox(wooId)).map((r) => r.external_order_id)).toEqual(['43']);
  });
});
