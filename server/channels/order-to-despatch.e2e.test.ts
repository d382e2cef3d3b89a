/**
 * Issue 4's "done when": a signed Shopify webhook becomes a despatched order on the real server — allocated, picked by
 * a handheld over Socket.IO, packed with a ZPL label carrying a valid SSCC, tracking sent back to the channel, and the
 * channel's stock level equal to Floortwin's available stock. The channel is a strict local fake of Shopify's API.
 * The webhooks carry only their HMAC; the API calls are the site manager's, the handheld signs in as a picker.
 */
import { io as connect, type Socket } from 'socket.io-client';
import * as msgpackParser from 'socket.io-msgpack-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NextPickResult, ScanResult, SignOnResult } from '../protocol/picking.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../protocol/socket.ts';
import pg from 'pg';
import { checkStore } from '../store/check.pg.ts';
import { TEST_DATABASE_URL, startServerProcess, uniqueSchema, type ServerProcess } from '../testing/server-process.ts';
import { hasValidCheckDigit } from '../twin/barcodes/gs1.ts';
import { deliverShopify, shopifyOrderBody } from './channels.fixture.ts';
import { startFakeChannel, type FakeChannel } from './testing/fake-channel.ts';

const SHOP = 'acme-e2e.myshopify.com';
const SECRET = 'e2e_webhook_secret';
const LOCATION = 'gid://shopify/Location/7001';
const ITEMS = { 'SKU-00002': 'gid://shopify/InventoryItem/9002', 'SKU-00004': 'gid://shopify/InventoryItem/9004' } as const;
const ORDER_ID = '820982911946154508';

async function json<T>(res: Response): Promise<T> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${res.status} ${res.url}: ${text}`);
  return JSON.parse(text) as T;
}

/** Polls until `probe` returns a value (not undefined), or fails after `ms`. */
async function eventually<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 30_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

interface OrderView {
  id: string;
  status: string;
  lines: { skuId: string; qty: number; allocated: number; picked: number }[];
  trackingNumber: string | null;
  sscc: string | null;
}

describe('order to despatch, end to end', () => {
  let server: ServerProcess;
  let fake: FakeChannel;
  let api: string;
  const schema = uniqueSchema('e2e_o2d');

  beforeAll(async () => {
    fake = await startFakeChannel();
    for (const item of Object.values(ITEMS)) fake.shopify.setLevel(item, LOCATION, 0);
    server = await startServerProcess({ DB_SCHEMA: schema, DEMO_SHIFT: 'off', CHANNEL_POLL_MS: '0' });
    api = `${server.url}/api/sites/demo`;
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await fake?.close();
  });

  it('takes a signed Shopify order to a despatched parcel with tracking and stock written back', async () => {
    // Connect the channel and map two SKUs: the first push sets the channel to our available stock.
    await json(
      await server.fetch(`${server.url}/api/channels`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          id: 'shopify-acme',
          kind: 'shopify',
          siteId: 'demo',
          tenantId: 'acme',
          shop: SHOP,
          secrets: [SECRET],
          apiBaseUrl: fake.url,
          apiToken: fake.shopifyToken,
          locationId: LOCATION,
        }),
      }),
    );
    await json(
      await server.fetch(`${server.url}/api/channels/shopify-acme/items`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(Object.entries(ITEMS).map(([skuId, externalItemId]) => ({ skuId, externalItemId }))),
      }),
    );
    const available = async (skuId: string): Promise<number> => {
      const { quants } = await json<{ quants: { available: number }[] }>(await server.fetch(`${api}/stock?skuId=${skuId}&limit=1000`));
      return quants.reduce((n, q) => n + q.available, 0);
    };
    const before = await available('SKU-00002');
    expect(before).toBeGreaterThan(2);
    await eventually('the first stock push', () => (fake.shopify.level(ITEMS['SKU-00002'], LOCATION) === before ? true : undefined));

    // The customer orders on Shopify: a signed orders/create webhook with an id beyond 2^53.
    fake.shopify.addOrder({ id: BigInt(ORDER_ID), admin_graphql_api_id: `gid://shopify/Order/${ORDER_ID}`, name: '#1001', updated_at: '2026-11-27T09:00:00Z' }, {
      fulfillmentOrders: [{ id: 'gid://shopify/FulfillmentOrder/5001', status: 'OPEN', locationId: LOCATION }],
    });
    const body = shopifyOrderBody(ORDER_ID, {
      name: '#1001',
      updated_at: '2026-11-27T09:00:00Z',
      shipping_address: { name: 'Ada Lovelace', address1: '1 Analytical St', city: 'London', zip: 'N1 1AA', country_code: 'GB' },
      shipping_lines: [{ code: 'standard', title: 'Standard' }],
      line_items: [
        { id: 1, sku: 'SKU-00002', quantity: 2, fulfillable_quantity: 2, requires_shipping: true },
        { id: 2, sku: 'SKU-00004', quantity: 1, fulfillable_quantity: 1, requires_shipping: true },
      ],
    });
    const delivery = await deliverShopify(server.url, 'shopify-acme', body, { webhookId: 'wh-e2e-1', secret: SECRET, shop: SHOP });
    expect(delivery.status).toBe(200);
    // Shopify retries: the same delivery again changes nothing.
    expect((await deliverShopify(server.url, 'shopify-acme', body, { webhookId: 'wh-e2e-1', secret: SECRET, shop: SHOP })).status).toBe(200);

    const orderId = `shopify-acme-${ORDER_ID}`;
    const allocated = await eventually('the order to be allocated', async () => {
      const res = await server.fetch(`${api}/orders/${orderId}`);
      if (res.status !== 200) return undefined;
      const order = await json<OrderView>(res);
      return order.status === 'allocated' ? order : undefined;
    });
    expect(allocated.lines.map((l) => [l.skuId, l.allocated])).toEqual([['SKU-00002', 2], ['SKU-00004', 1]]);
    // Allocation lowered what the channel may sell.
    await eventually('the push after allocation', () => (fake.shopify.level(ITEMS['SKU-00002'], LOCATION) === before - 2 ? true : undefined));

    await json(await server.fetch(`${api}/waves`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ orderIds: [orderId] }) }));

    // A handheld picks it over Socket.IO: sign on, next pick, scan location then item.
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = connect(server.url, {
      parser: msgpackParser,
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      auth: { token: await server.signIn('picker@demo.floortwin') },
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    const who = { siteId: 'demo', operativeId: 'E2E-PICKER', deviceId: 'e2e-device' };
    const ask = (event: 'picker:signOn' | 'picker:next' | 'picker:scan', request: unknown): Promise<unknown> =>
      socket.timeout(10_000).emitWithAck(event, request);
    try {
      expect(((await ask('picker:signOn', { ...who, name: 'E2E' })) as SignOnResult).ok).toBe(true);
      const next = (await ask('picker:next', who)) as NextPickResult;
      if (!next.ok) throw new Error(next.error.message);
      expect(next.next.tasks.every((t) => t.orderId === orderId)).toBe(true);
      for (const [i, task] of next.next.tasks.entries()) {
        const scan = {
          ...who,
          kind: 'confirm',
          scanId: `e2e-${i}`,
          taskId: task.taskId,
          scannedLocation: task.locationId,
          scannedItem: task.barcode,
          qty: task.qty,
        };
        const result = (await ask('picker:scan', scan)) as ScanResult;
        expect(result.ok && !result.duplicate).toBe(true);
        // The device resends (its ack was lost): applied once.
        const again = (await ask('picker:scan', scan)) as ScanResult;
        expect(again.ok && again.duplicate).toBe(true);
      }
    } finally {
      socket.close();
    }

    // The pack station looks the order up and suggests a carton; pack with the scans, get the label.
    const station = await json<{ carton: { suggested: string | null } }>(await server.fetch(`${api}/pack/${orderId}`));
    expect(station.carton.suggested).not.toBeNull();
    const packed = await json<{ sscc: string; trackingNumber: string; labels: { zpl: string } }>(
      await server.fetch(`${api}/orders/${orderId}/pack`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ cartonCode: station.carton.suggested, weightG: 600, scannedItems: [{ code: '5010000000011', qty: 2 }, { code: '5010000000028', qty: 1 }] }),
      }),
    );
    expect(packed.sscc).toMatch(/^\d{18}$/);
    expect(hasValidCheckDigit(packed.sscc)).toBe(true);
    const zpl = await (await server.fetch(`${server.url}${packed.labels.zpl}`)).text();
    expect(zpl.startsWith('^XA')).toBe(true);
    expect(zpl.trimEnd().endsWith('^XZ')).toBe(true);
    expect(zpl).toContain(`>;>800${packed.sscc}`);

    const despatched = await json<OrderView>(await server.fetch(`${api}/orders/${orderId}/despatch`, { method: 'POST', headers: { 'content-length': '0' } }));
    expect(despatched.status).toBe('despatched');

    // Tracking reaches Shopify, and the channel's level equals our available stock.
    const fulfilment = await eventually('the fulfilment on Shopify', () => fake.shopify.fulfilments.find((f) => JSON.stringify(f).includes(packed.trackingNumber)));
    expect(JSON.stringify(fulfilment)).toContain('FulfillmentOrder/5001');
    for (const [skuId, item] of Object.entries(ITEMS)) {
      const ours = await available(skuId);
      await eventually(`Shopify's level of ${skuId} to equal ${ours}`, () => (fake.shopify.level(item, LOCATION) === ours ? true : undefined));
    }
    expect(await available('SKU-00002')).toBe(before - 2);

    // The store's invariants (I1–I8) hold on the live database.
    const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
    try {
      const failed = (await checkStore(pool, schema, 'demo')).filter((c) => !c.ok);
      expect(failed).toEqual([]);
    } finally {
      await pool.end();
    }
    const summary = await json<{ counters: { ordersDespatched: number } }>(await server.fetch(`${api}/summary`));
    expect(summary.counters.ordersDespatched).toBe(1);
  }, 180_000);
});
