/**
 * Medium-test harness for the channel adapters: the demo site on a fresh Postgres schema, the webhook and channel routes
 * on an ephemeral port (webhooks before the JSON parser, as in the app), an InboxProcessor, and signed-delivery helpers.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { errorHandler } from '../api/http-error.ts';
import { siteRegistry } from '../api/sites.ts';
import { loadSiteFiles } from '../site/site-loader.ts';
import { SiteRunner } from '../site/site-runner.ts';
import { PgEventStore } from '../store/event-store.pg.ts';
import { TEST_DATABASE_URL, uniqueSchema } from '../testing/server-process.ts';
import { asLocationId, asSkuId, asTenantId, epochMs } from '../twin/ids.ts';
import type { SiteDefinition } from '../twin/site.ts';
import { channelsRouter } from './channels.routes.ts';
import { signHmacBase64 } from './hmac.ts';
import { InboxProcessor } from './inbox-processor.ts';
import { webhookRouter } from './webhook.routes.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ChannelsHarness {
  readonly store: PgEventStore;
  readonly schema: string;
  readonly runner: SiteRunner;
  readonly site: SiteDefinition;
  readonly processor: InboxProcessor;
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** Receives `qty` units of each SKU into empty bins (as many as needed). */
  stockUp(tenantId: string, skuIds: readonly string[], qty: number): Promise<void>;
  /** Creates a connection through the admin API; returns the response. */
  createConnection(body: Record<string, unknown>): Promise<Response>;
  count(sql: string, params?: unknown[]): Promise<number>;
  close(): Promise<void>;
}

export async function startChannelsHarness(prefix: string): Promise<ChannelsHarness> {
  const schema = uniqueSchema(prefix);
  const store = new PgEventStore({ connectionString: TEST_DATABASE_URL, schema, maxConnections: 20 });
  await store.init();
  const { site } = await loadSiteFiles(path.join(root, 'data/sites/demo.json'));
  await store.ensureSite(site.id, site);
  let clockMs = Date.UTC(2026, 10, 27, 8, 0, 0);
  const runner = await SiteRunner.open({ site, store, clock: { now: () => epochMs((clockMs += 1000)) } });
  const sites = siteRegistry([runner]);
  const processor = new InboxProcessor({ pool: store.pool, schema, sites, pollMs: 200, log: (m, e) => console.error(m, e) });
  const app = express();
  app.use(webhookRouter({ pool: store.pool, schema, onStored: () => processor.wake() }));
  app.use('/api', express.json());
  app.use(channelsRouter({ pool: store.pool, schema, sites }));
  app.use(errorHandler);
  const server: Server = createServer(app).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let nextLocation = 0;

  return {
    store,
    schema,
    runner,
    site,
    processor,
    url,
    async stockUp(tenantId, skuIds, qty) {
      const receipts = [];
      for (const skuId of skuIds) {
        for (let rest = qty; rest > 0; ) {
          const location = site.layout.locations[nextLocation++];
          if (!location) throw new Error('demo site has no more empty bins');
          const units = Math.min(rest, location.capacityUnits);
          receipts.push(
            runner.submit({ type: 'receiveStock', tenantId: asTenantId(tenantId), locationId: asLocationId(location.id), skuId: asSkuId(skuId), qty: units }),
          );
          rest -= units;
        }
      }
      // Submitted together, so the site commits them in a few batches.
      const rejected = (await Promise.all(receipts)).filter((r) => !r.ok);
      if (rejected.length > 0) throw new Error(`receiveStock: ${JSON.stringify(rejected[0])}`);
    },
    createConnection: (body) => fetch(`${url}/api/channels`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    async count(sql, params = []) {
      const res = await store.pool.query<{ n: string }>(sql.replaceAll('$schema', `"${schema}"`), params);
      return Number(res.rows[0]?.n ?? 0);
    },
    async close() {
      await processor.close();
      server.closeAllConnections();
      server.close();
      await runner.close();
      await store.close();
    },
  };
}

/** A Shopify order body as Shopify serialises it: the 18-digit id as a bare JSON number. */
export function shopifyOrderBody(id: string, fields: Record<string, unknown>): string {
  const rest = JSON.stringify({ admin_graphql_api_id: `gid://shopify/Order/${id}`, ...fields });
  return `{"id":${id},${rest.slice(1)}`;
}

export interface ShopifyDelivery {
  readonly topic?: string;
  readonly webhookId: string;
  readonly eventId?: string;
  readonly secret: string;
  readonly shop: string;
  /** Replace or drop (null) headers after signing. */
  readonly headers?: Record<string, string | null>;
  /** Send these bytes instead of the signed ones (a body altered after signing). */
  readonly sendBody?: string;
}

/** POSTs a signed Shopify webhook delivery. */
export function deliverShopify(url: string, connectionId: string, body: string, d: ShopifyDelivery): Promise<Response> {
  const headers: Record<string, string | null> = {
    'content-type': 'application/json',
    'x-shopify-topic': d.topic ?? 'orders/create',
    'x-shopify-hmac-sha256': signHmacBase64(body, d.secret),
    'x-shopify-shop-domain': d.shop,
    'x-shopify-api-version': '2025-07',
    'x-shopify-webhook-id': d.webhookId,
    'x-shopify-triggered-at': new Date().toISOString(),
    ...(d.eventId === undefined ? {} : { 'x-shopify-event-id': d.eventId }),
    ...d.headers,
  };
  const sent = Object.fromEntries(Object.entries(headers).filter((e): e is [string, string] => e[1] !== null));
  return fetch(`${url}/webhooks/shopify/${connectionId}`, { method: 'POST', headers: sent, body: d.sendBody ?? body });
}

/** POSTs a signed WooCommerce webhook delivery. */
export function deliverWoo(
  url: string,
  connectionId: string,
  body: string,
  d: { topic: string; webhookId: string; deliveryId: string; secret: string; source: string; headers?: Record<string, string | null> },
): Promise<Response> {
  const headers: Record<string, string | null> = {
    'content-type': 'application/json',
    'user-agent': 'WooCommerce/9.0 Hookshot (WordPress/6.6)',
    'x-wc-webhook-source': d.source,
    'x-wc-webhook-topic': d.topic,
    'x-wc-webhook-resource': d.topic.split('.')[0] ?? '',
    'x-wc-webhook-event': d.topic.split('.')[1] ?? '',
    'x-wc-webhook-signature': signHmacBase64(body, d.secret),
    'x-wc-webhook-id': d.webhookId,
    'x-wc-webhook-delivery-id': d.deliveryId,
    ...d.headers,
  };
  const sent = Object.fromEntries(Object.entries(headers).filter((e): e is [string, string] => e[1] !== null));
  return fetch(`${url}/webhooks/woocommerce/${connectionId}`, { method: 'POST', headers: sent, body });
}

/** Runs `tasks` with at most `limit` in flight; results in task order. */
export async function inParallel<T>(tasks: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await (tasks[i] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}
