/**
 * Webhooks in, end to end on Postgres: signed deliveries are stored once and acknowledged, forged ones are refused and
 * leave nothing behind, and the InboxProcessor turns stored orders into allocated (or cancelled) twin orders.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookRouter } from './webhook.routes.ts';
import { asOperativeId, asOrderId } from '../twin/ids.ts';
import { InboxProcessor } from './inbox-processor.ts';
import { signHmacBase64 } from './hmac.ts';
import { type ChannelsHarness, deliverShopify, deliverWoo, inParallel, shopifyOrderBody, startChannelsHarness } from './channels.fixture.ts';

const SHOP = 'acme-outdoor.myshopify.com';
const SECRET = 'shpss_current_secret_1';
const OLD_SECRET = 'shpss_previous_secret_0';
const WOO_SOURCE = 'https://shop.acme.test/';
const WOO_SECRET = 'woo secret & more';

let h: ChannelsHarness;
let skus: string[];

beforeAll(async () => {
  h = await startChannelsHarness('channels_webhooks');
  skus = h.site.skus.filter((s) => s.tenantId === 'acme' && !s.lotTracked).slice(0, 4).map((s) => s.id);
  await h.stockUp('acme', skus, 200);
  const base = { siteId: 'demo', apiToken: 'shpat_token_value', apiBaseUrl: 'http://127.0.0.1:9/' };
  for (const body of [
    { ...base, id: 'shopify-acme', kind: 'shopify', tenantId: 'acme', shop: SHOP, secrets: [SECRET, OLD_SECRET] },
    { ...base, id: 'shopify-bloom', kind: 'shopify', tenantId: 'bloom', shop: 'bloom-beauty.myshopify.com', secrets: ['shpss_bloom_secret'] },
    { ...base, id: 'woo-acme', kind: 'woocommerce', tenantId: 'acme', shop: 'https://shop.acme.test', secrets: [WOO_SECRET], apiToken: 'ck_abc:cs_def' },
  ]) {
    const res = await h.createConnection(body);
    expect(res.status, await res.clone().text()).toBe(201);
  }
});

afterAll(async () => {
  await h?.close();
});

const shopifyOrder = (id: string, lines: { sku: string; qty: number }[], extra: Record<string, unknown> = {}) =>
  shopifyOrderBody(id, {
    name: `#${id.slice(-4)}`,
    email: 'buyer@example.com',
    created_at: '2026-11-27T09:00:00Z',
    updated_at: '2026-11-27T09:00:00Z',
    cancelled_at: null,
    shipping_address: { name: 'Buyer One', address1: '1 High St', city: 'Leeds', zip: 'LS1 1AA', country_code: 'GB' },
    shipping_lines: [{ code: 'EXPRESS', title: 'Express' }],
    line_items: lines.map((l, i) => ({ id: i + 1, sku: l.sku, quantity: l.qty, fulfillable_quantity: l.qty, requires_shipping: true, gift_card: false })),
    ...extra,
  });

const shopify = { secret: SECRET, shop: SHOP };
const inboxRows = () => h.count('SELECT count(*) AS n FROM $schema.channel_inbox');
const orderOf = (orderId: string) => h.runner.read((twin) => twin.orders.get(asOrderId(orderId)) ?? null);

describe('channel admin API', () => {
  it('never returns secrets or tokens, validates input, and refuses duplicates', async () => {
    const res = await fetch(`${h.url}/api/channels/shopify-acme`);
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(JSON.parse(text)).toMatchObject({ id: 'shopify-acme', kind: 'shopify', tenantId: 'acme', shop: SHOP, secretsCount: 2 });
    for (const secret of [SECRET, OLD_SECRET, 'shpat_token_value']) expect(text).not.toContain(secret);
    const woo = (await (await fetch(`${h.url}/api/channels/woo-acme`)).json()) as { shop: string };
    expect(woo.shop).toBe(WOO_SOURCE);

    const valid = { id: 'x-1', kind: 'shopify', siteId: 'demo', tenantId: 'acme', shop: 'x.myshopify.com', secrets: ['12345678'], apiBaseUrl: 'https://x.myshopify.com', apiToken: 't' };
    const cases: [Record<string, unknown>, number, string][] = [
      [{ ...valid, secrets: [] }, 400, 'VALIDATION_FAILED'],
      [{ ...valid, shop: 'not a domain' }, 400, 'VALIDATION_FAILED'],
      [{ ...valid, kind: 'woocommerce' }, 400, 'VALIDATION_FAILED'],
      [{ ...valid, tenantId: 'nobody' }, 422, 'UNKNOWN_TENANT'],
      [{ ...valid, siteId: 'elsewhere' }, 422, 'UNKNOWN_SITE'],
      [{ ...valid, id: 'shopify-acme' }, 409, 'DUPLICATE_CONNECTION'],
      [{ ...valid, shop: SHOP }, 409, 'DUPLICATE_CONNECTION'],
    ];
    for (const [body, status, code] of cases) {
      const r = await h.createConnection(body);
      expect([r.status, ((await r.json()) as { error: { code: string } }).error.code]).toEqual([status, code]);
    }
    expect((await fetch(`${h.url}/api/channels/nope`)).status).toBe(404);
  });

  it('maps SKUs of the tenant to channel items, and refuses SKUs of another tenant', async () => {
    const put = (body: unknown) =>
      fetch(`${h.url}/api/channels/shopify-acme/items`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const ok = await put({ items: [{ skuId: skus[0], externalItemId: 'gid://shopify/InventoryItem/1' }, { skuId: skus[1], externalItemId: 'gid://shopify/InventoryItem/2' }] });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { items: unknown[] }).items).toHaveLength(2);
    const again = await put([{ skuId: skus[1], externalItemId: 'gid://shopify/InventoryItem/22' }]);
    expect(((await again.json()) as { items: { skuId: string; externalItemId: string }[] }).items).toContainEqual({ skuId: skus[1], externalItemId: 'gid://shopify/InventoryItem/22', lastPushedQty: null });
    const bloomSku = h.site.skus.find((s) => s.tenantId === 'bloom')?.id;
    const refused = await put({ items: [{ skuId: bloomSku, externalItemId: '9' }] });
    expect(refused.status).toBe(422);
  });
});

describe('Shopify webhooks', () => {
  it('a signed orders/create is stored, acknowledged, then created and allocated', async () => {
    const id = '820982911946154508';
    const body = shopifyOrder(id, [{ sku: skus[0] as string, qty: 2 }, { sku: skus[1] as string, qty: 1 }]);
    const res = await deliverShopify(h.url, 'shopify-acme', body, { ...shopify, webhookId: 'wh-create-1', eventId: 'ev-create-1' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'stored' });
    expect(await h.processor.drain()).toBe(1);
    const order = await orderOf(`shopify-acme-${id}`);
    expect(order).toMatchObject({
      status: 'allocated',
      channel: 'shopify-acme',
      externalRef: `gid://shopify/Order/${id}`,
      tenantId: 'acme',
      service: 'express',
      shipTo: { name: 'Buyer One', line1: '1 High St', city: 'Leeds', postcode: 'LS1 1AA', country: 'GB', email: 'buyer@example.com' },
    });
    expect(order?.lines.map((l) => [l.skuId, l.qty, l.allocated])).toEqual([[skus[0], 2, 2], [skus[1], 1, 1]]);
    const inbox = (await (await fetch(`${h.url}/api/channels/shopify-acme/inbox?status=done`)).json()) as { rows: Record<string, unknown>[] };
    expect(inbox.rows[0]).toMatchObject({ deliveryId: 'wh-create-1', eventId: 'ev-create-1', externalOrderId: `gid://shopify/Order/${id}`, status: 'done' });
    expect(inbox.rows[0]).not.toHaveProperty('body');
  });

  it('three deliveries of one webhook id, and a redelivery of the event under a new id, make one order', async () => {
    const id = '900000000000000001';
    const body = shopifyOrder(id, [{ sku: skus[2] as string, qty: 1 }]);
    const before = await inboxRows();
    const first = await deliverShopify(h.url, 'shopify-acme', body, { ...shopify, webhookId: 'wh-dup', eventId: 'ev-dup' });
    const concurrent = await Promise.all([1, 2].map(() => deliverShopify(h.url, 'shopify-acme', body, { ...shopify, webhookId: 'wh-dup', eventId: 'ev-dup' })));
    const sameEvent = await deliverShopify(h.url, 'shopify-acme', body, { ...shopify, webhookId: 'wh-dup-other', eventId: 'ev-dup' });
    expect([first, ...concurrent, sameEvent].map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(await Promise.all(concurrent.map((r) => r.json()))).toEqual([{ status: 'duplicate' }, { status: 'duplicate' }]);
    expect(await inboxRows()).toBe(before + 1);
    await h.processor.drain();
    const orders = await h.runner.read((twin) => [...twin.orders.values()].filter((o) => o.externalRef === `gid://shopify/Order/${id}`));
    expect(orders.map((o) => [o.id, o.status])).toEqual([[`shopify-acme-${id}`, 'allocated']]);
  });

  it('accepts the previous secret during a rotation', async () => {
    const res = await deliverShopify(h.url, 'shopify-acme', shopifyOrder('900000000000000002', [{ sku: skus[0] as string, qty: 1 }]), {
      secret: OLD_SECRET,
      shop: SHOP,
      webhookId: 'wh-rotated',
    });
    expect(res.status).toBe(200);
  });

  it('[B5] refuses 1,000 forged deliveries with 401/403 and stores none of them', async () => {
    const before = await inboxRows();
    const body = shopifyOrder('900000000000000003', [{ sku: skus[0] as string, qty: 1 }]);
    const forgeries: (() => Promise<Response>)[] = [];
    for (let i = 0; i < 1000; i++) {
      const webhookId = `forged-${i}`;
      const kinds: (() => Promise<Response>)[] = [
        // bad HMAC
        () => deliverShopify(h.url, 'shopify-acme', body, { ...shopify, webhookId, headers: { 'x-shopify-hmac-sha256': signHmacBase64(`x${i}`, SECRET) } }),
        // body altered after signing
        () => deliverShopify(h.url, 'shopify-acme', body, { ...shopify, webhookId, sendBody: body.replace('"quantity":1', `"quantity":${i + 2}`) }),
        // re-serialised JSON (the id loses precision, whitespace changes)
        () => deliverShopify(h.url, 'shopify-acme', body, { ...shopify, webhookId, sendBody: JSON.stringify(JSON.parse(body), null, i % 3) }),
        // wrong secret
        () => deliverShopify(h.url, 'shopify-acme', body, { ...shopify, secret: `wrong-secret-${i}`, webhookId }),
        // missing headers
        () => deliverShopify(h.url, 'shopify-acme', body, { ...shopify, webhookId, headers: i % 2 === 0 ? { 'x-shopify-hmac-sha256': null } : { 'x-shopify-shop-domain': null } }),
        // the shop domain (and secret) of another connection
        () => deliverShopify(h.url, 'shopify-acme', body, { secret: 'shpss_bloom_secret', shop: 'bloom-beauty.myshopify.com', webhookId }),
        // hex instead of base64, and garbage
        () => deliverShopify(h.url, 'shopify-acme', body, { ...shopify, webhookId, headers: { 'x-shopify-hmac-sha256': i % 2 ? 'AAAA' : 'a'.repeat(64) } }),
      ];
      forgeries.push(kinds[i % kinds.length] as () => Promise<Response>);
    }
    const statuses = await inParallel(forgeries, 32).then((responses) => responses.map((r) => r.status));
    expect(statuses.filter((s) => s !== 401 && s !== 403)).toEqual([]);
    expect(statuses.filter((s) => s === 403).length).toBeGreaterThan(0);
    expect(await inboxRows()).toBe(before);
  }, 180_000);

  it('answers 503 while the server has no database yet (deps given as a function)', async () => {
    const app = express().use(webhookRouter(() => undefined));
    const server = createServer(app).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const res = await deliverShopify(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 'shopify-acme', '{}', { ...shopify, webhookId: 'w' });
    server.close();
    expect([res.status, res.headers.get('retry-after')]).toEqual([503, '5']);
  });

  it('answers 404 for an unknown connection or one of another kind', async () => {
    const body = shopifyOrder('1', []);
    expect((await deliverShopify(h.url, 'no-such', body, { ...shopify, webhookId: 'w' })).status).toBe(404);
    expect((await deliverShopify(h.url, 'woo-acme', body, { ...shopify, webhookId: 'w' })).status).toBe(404);
  });

  it('orders/cancelled cancels the order; a stale orders/updated is ignored', async () => {
    const id = '900000000000000004';
    const lines = [{ sku: skus[1] as string, qty: 1 }];
    await deliverShopify(h.url, 'shopify-acme', shopifyOrder(id, lines), { ...shopify, webhookId: 'wh-c1' });
    await h.processor.drain();
    expect((await orderOf(`shopify-acme-${id}`))?.status).toBe('allocated');
    const cancelled = shopifyOrder(id, lines, { updated_at: '2026-11-27T09:05:00Z', cancelled_at: '2026-11-27T09:05:00Z' });
    expect((await deliverShopify(h.url, 'shopify-acme', cancelled, { ...shopify, topic: 'orders/cancelled', webhookId: 'wh-c2' })).status).toBe(200);
    const stale = shopifyOrder(id, [{ sku: skus[1] as string, qty: 5 }], { updated_at: '2026-11-27T09:01:00Z' });
    expect((await deliverShopify(h.url, 'shopify-acme', stale, { ...shopify, topic: 'orders/updated', webhookId: 'wh-c3' })).status).toBe(200);
    await h.processor.drain();
    const order = await orderOf(`shopify-acme-${id}`);
    expect([order?.status, order?.cancelReason]).toEqual(['cancelled', 'cancelled on channel']);
    const rows = await h.store.pool.query<{ delivery_id: string; status: string; result: { reason?: string } }>(
      `SELECT delivery_id, status, result FROM "${h.schema}".channel_inbox WHERE delivery_id IN ('wh-c2', 'wh-c3') ORDER BY delivery_id`,
    );
    expect(rows.rows.map((r) => [r.delivery_id, r.status])).toEqual([['wh-c2', 'done'], ['wh-c3', 'ignored']]);
    expect(rows.rows[1]?.result.reason).toMatch(/stale/);
  });

  it('a newer orders/updated with other lines is recorded but its line changes are not applied', async () => {
    const id = '900000000000000008';
    await deliverShopify(h.url, 'shopify-acme', shopifyOrder(id, [{ sku: skus[0] as string, qty: 1 }]), { ...shopify, webhookId: 'wh-l1' });
    const changed = shopifyOrder(id, [{ sku: skus[0] as string, qty: 4 }], { updated_at: '2026-11-27T09:20:00Z' });
    await deliverShopify(h.url, 'shopify-acme', changed, { ...shopify, topic: 'orders/updated', webhookId: 'wh-l2' });
    await h.processor.drain();
    expect((await orderOf(`shopify-acme-${id}`))?.lines.map((l) => l.qty)).toEqual([1]);
    const row = await h.store.pool.query<{ status: string; result: { action: string } }>(`SELECT status, result FROM "${h.schema}".channel_inbox WHERE delivery_id = 'wh-l2'`);
    expect(row.rows[0]).toMatchObject({ status: 'done', result: { action: 'line changes not applied' } });
    const applied = await h.store.pool.query<{ at: Date }>(
      `SELECT channel_updated_at AS at FROM "${h.schema}".channel_orders WHERE external_order_id = $1`,
      [`gid://shopify/Order/${id}`],
    );
    expect(applied.rows[0]?.at.toISOString()).toBe('2026-11-27T09:20:00.000Z');
  });

  it('a cancel refused because picking started fails the row with ORDER_IN_PROGRESS, for a supervisor', async () => {
    const id = '900000000000000006';
    const lines = [{ sku: skus[0] as string, qty: 1 }];
    await deliverShopify(h.url, 'shopify-acme', shopifyOrder(id, lines), { ...shopify, webhookId: 'wh-p1' });
    await h.processor.drain();
    const orderId = asOrderId(`shopify-acme-${id}`);
    const operativeId = asOperativeId('op-b1');
    // Pick the order's only unit: release, sign on, take the work, confirm the pick.
    expect((await h.runner.submit({ type: 'releaseOrder', orderId })).ok).toBe(true);
    expect((await h.runner.submit({ type: 'signOn', operativeId, name: 'Pat' })).ok).toBe(true);
    expect((await h.runner.submit({ type: 'requestWork', operativeId, maxTasks: 50 })).ok).toBe(true);
    const task = await h.runner.read((twin) => {
      const t = [...twin.tasks.values()].find((x) => x.orderId === orderId);
      return t && { id: t.id, locationId: t.locationId, qty: t.qty, barcode: twin.skusById.get(t.skuId)?.barcode ?? '' };
    });
    if (!task) throw new Error('no task');
    const picked = await h.runner.submit({ type: 'confirmPick', taskId: task.id, operativeId, scannedLocation: task.locationId, scannedItem: task.barcode, qty: task.qty });
    expect(picked.ok ? 'ok' : picked.error.code).toBe('ok');

    const cancelled = shopifyOrder(id, lines, { updated_at: '2026-11-27T09:10:00Z', cancelled_at: '2026-11-27T09:10:00Z' });
    await deliverShopify(h.url, 'shopify-acme', cancelled, { ...shopify, topic: 'orders/cancelled', webhookId: 'wh-p2' });
    await h.processor.drain();
    expect((await orderOf(orderId))?.status).not.toBe('cancelled');
    const failed = (await (await fetch(`${h.url}/api/channels/shopify-acme/inbox?status=failed`)).json()) as { rows: { deliveryId: string; result: { code: string; error: string } }[] };
    const row = failed.rows.find((r) => r.deliveryId === 'wh-p2');
    expect(row?.result.code).toBe('ORDER_IN_PROGRESS');
    expect(row?.result.error).toMatch(/ORDER_IN_PROGRESS.*picking has started/);
  });

  it('an unavailable site leaves the row pending with attempts + 1 and a retry time', async () => {
    const down = new InboxProcessor({
      pool: h.store.pool,
      schema: h.schema,
      sites: {
        list: () => [{ siteId: 'demo' }],
        get: () => ({ read: (view) => h.runner.read(view), submit: () => Promise.resolve({ ok: false, error: { code: 'UNAVAILABLE', message: 'storage is unavailable; retry' } }) }),
      },
    });
    const id = '900000000000000007';
    await deliverShopify(h.url, 'shopify-acme', shopifyOrder(id, [{ sku: skus[0] as string, qty: 1 }]), { ...shopify, webhookId: 'wh-down' });
    expect(await down.drain()).toBe(1);
    const row = await h.store.pool.query<{ status: string; attempts: number; result: { error: string; retryAt: string } }>(
      `SELECT status, attempts, result FROM "${h.schema}".channel_inbox WHERE delivery_id = 'wh-down'`,
    );
    expect(row.rows[0]).toMatchObject({ status: 'pending', attempts: 1, result: { error: expect.any(String) as unknown, retryAt: expect.any(String) as unknown } });
    expect(await down.drain()).toBe(0);
    // Once the retry time has come, the real processor creates the order.
    await h.store.pool.query(`UPDATE "${h.schema}".channel_inbox SET result = NULL WHERE delivery_id = 'wh-down'`);
    await h.processor.drain();
    expect((await orderOf(`shopify-acme-${id}`))?.status).toBe('allocated');
  });

  it('an unknown SKU (or one of another tenant) fails the row with a clear message and creates no order', async () => {
    const bloomSku = h.site.skus.find((s) => s.tenantId === 'bloom')?.id as string;
    const id = '900000000000000005';
    await deliverShopify(h.url, 'shopify-acme', shopifyOrder(id, [{ sku: 'NO-SUCH-SKU', qty: 1 }, { sku: bloomSku, qty: 1 }]), { ...shopify, webhookId: 'wh-unknown' });
    await h.processor.drain();
    expect(await orderOf(`shopify-acme-${id}`)).toBeNull();
    const row = await h.store.pool.query<{ status: string; result: { error: string } }>(`SELECT status, result FROM "${h.schema}".channel_inbox WHERE delivery_id = 'wh-unknown'`);
    expect(row.rows[0]?.status).toBe('failed');
    expect(row.rows[0]?.result.error).toMatch(/unknown SKU 'NO-SUCH-SKU' for tenant acme.*unknown SKU '.+' for tenant acme/);
  });

  it('stores other topics as ignored, and never processes them', async () => {
    const res = await deliverShopify(h.url, 'shopify-acme', '{"id":1}', { ...shopify, topic: 'products/update', webhookId: 'wh-product' });
    expect(await res.json()).toEqual({ status: 'ignored' });
    const row = await h.store.pool.query<{ status: string }>(`SELECT status FROM "${h.schema}".channel_inbox WHERE delivery_id = 'wh-product'`);
    expect(row.rows[0]?.status).toBe('ignored');
  });
});

describe('WooCommerce webhooks', () => {
  const woo = { secret: WOO_SECRET, source: WOO_SOURCE, webhookId: '17' };
  const wooOrder = (id: number, status: string, modified: string, lines: { sku: string; qty: number }[]) =>
    JSON.stringify({
      id,
      status,
      date_modified_gmt: modified,
      billing: { email: 'w@example.com' },
      shipping: { first_name: 'Wendy', last_name: 'Woo', address_1: '9 Shop Rd', city: 'Hull', postcode: 'HU1 1AA', country: 'GB' },
      shipping_lines: [{ method_id: 'flat_rate', method_title: 'Standard' }],
      line_items: lines.map((l, i) => ({ id: i + 1, sku: l.sku, quantity: l.qty, product_id: 100 + i, variation_id: 0 })),
    });

  it('answers the unsigned creation ping with exactly 200 and stores nothing', async () => {
    const before = await inboxRows();
    const res = await fetch(`${h.url}/webhooks/woocommerce/woo-acme`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'WooCommerce/9.0 Hookshot (WordPress/6.6)' },
      body: 'webhook_id=17',
    });
    expect(res.status).toBe(200);
    expect(await inboxRows()).toBe(before);
  }, 180_000);

  it('creates a processing order once, ignores a pending one, refuses forgeries, and cancels on delete', async () => {
    const before = await inboxRows();
    const body = wooOrder(5001, 'processing', '2026-11-27T09:00:00', [{ sku: skus[3] as string, qty: 2 }]);
    const ok = await deliverWoo(h.url, 'woo-acme', body, { ...woo, topic: 'order.created', deliveryId: 'd1' });
    const dup = await deliverWoo(h.url, 'woo-acme', body, { ...woo, topic: 'order.created', deliveryId: 'd1' });
    const badSig = await deliverWoo(h.url, 'woo-acme', body, { ...woo, secret: 'woo secret &amp; more', topic: 'order.created', deliveryId: 'd2' });
    const badSource = await deliverWoo(h.url, 'woo-acme', body, { ...woo, source: 'https://evil.test/', topic: 'order.created', deliveryId: 'd3' });
    const unsigned = await deliverWoo(h.url, 'woo-acme', body, { ...woo, topic: 'order.created', deliveryId: 'd4', headers: { 'x-wc-webhook-signature': null } });
    expect([ok.status, dup.status, badSig.status, badSource.status, unsigned.status]).toEqual([200, 200, 401, 403, 401]);
    expect(await dup.json()).toEqual({ status: 'duplicate' });
    await deliverWoo(h.url, 'woo-acme', wooOrder(5002, 'pending', '2026-11-27T09:00:00', [{ sku: skus[3] as string, qty: 1 }]), { ...woo, topic: 'order.created', deliveryId: 'd5' });
    expect(await inboxRows()).toBe(before + 2);
    await h.processor.drain();
    expect(await orderOf('woo-acme-5001')).toMatchObject({ status: 'allocated', channel: 'woo-acme', externalRef: '5001', service: 'standard', shipTo: { name: 'Wendy Woo', email: 'w@example.com' } });
    expect(await orderOf('woo-acme-5002')).toBeNull();

    await deliverWoo(h.url, 'woo-acme', '{"id":5001}', { ...woo, topic: 'order.deleted', deliveryId: 'd6' });
    await h.processor.drain();
    expect((await orderOf('woo-acme-5001'))?.status).toBe('cancelled');
  });
});
