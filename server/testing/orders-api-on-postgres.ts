/**
 * Medium-test harness for the order routes that need more than `createApp` wires today: the demo site on a fresh
 * Postgres schema, with `ordersRouter` given an `IdempotencyStore` on an injectable clock and `orderImportRouter`
 * mounted. The /api prelude mirrors app.ts (JSON writes only, except text/csv for the import).
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { errorHandler, sendError } from '../api/http-error.ts';
import { IdempotencyStore } from '../api/idempotency.ts';
import { orderImportRouter } from '../api/order-import.routes.ts';
import { ordersRouter } from '../api/orders.routes.ts';
import { siteRegistry } from '../api/sites.ts';
import { loadSiteFiles } from '../site/site-loader.ts';
import { SiteRunner } from '../site/site-runner.ts';
import { PgEventStore } from '../store/event-store.pg.ts';
import { epochMs } from '../twin/ids.ts';
import type { SiteDefinition } from '../twin/site.ts';
import { TEST_DATABASE_URL, uniqueSchema } from './server-process.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface OrdersApi {
  readonly store: PgEventStore;
  readonly runner: SiteRunner;
  readonly site: SiteDefinition;
  readonly schema: string;
  readonly idempotency: IdempotencyStore;
  /** `http://127.0.0.1:PORT/api/sites/demo` */
  readonly base: string;
  /** Moves the idempotency store's clock (not the twin's) by `ms`. */
  shiftClock(ms: number): void;
  /** The idempotency store's current time, epoch ms. */
  now(): number;
  close(): Promise<void>;
}

/** The demo site with no stock, its order routes on an ephemeral port. */
export async function startOrdersApi(schemaPrefix: string, options: { readonly waitMs?: number; readonly leaseMs?: number; readonly holder?: string } = {}): Promise<OrdersApi> {
  const schema = uniqueSchema(schemaPrefix);
  const store = new PgEventStore({ connectionString: TEST_DATABASE_URL, schema, maxConnections: 16 });
  await store.init();
  const { site } = await loadSiteFiles(path.join(root, 'data/sites/demo.json'));
  await store.ensureSite(site.id, site);
  let twinClockMs = Date.UTC(2026, 10, 27, 8, 0, 0);
  const runner = await SiteRunner.open({ site, store, clock: { now: () => epochMs((twinClockMs += 1000)) } });
  let shiftMs = 0;
  const now = (): number => Date.now() + shiftMs;
  const idempotency = new IdempotencyStore({
    pool: store.pool,
    schema,
    now,
    ...(options.waitMs === undefined ? {} : { waitMs: options.waitMs }),
    ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
    ...(options.holder === undefined ? {} : { holder: options.holder }),
  });
  const sites = siteRegistry([runner]);

  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use('/api', (req, res, next) => {
    const csvImport = req.path.endsWith('/orders/import') && req.is('text/csv');
    if ((req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH') && req.headers['content-length'] !== '0' && !req.is('application/json') && !csvImport)
      return sendError(res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
    next();
  });
  app.use('/api', express.json({ limit: '256kb', strict: true }));
  app.use(orderImportRouter(sites));
  app.use(ordersRouter(sites, { idempotency }));
  app.use('/api', (req, res) => sendError(res, 404, 'NOT_FOUND', `no route ${req.method} ${req.path}`));
  app.use(errorHandler);

  const server = createServer(app).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/sites/${site.id}`;
  return {
    store,
    runner,
    site,
    schema,
    idempotency,
    base,
    shiftClock: (ms) => void (shiftMs += ms),
    now,
    async close() {
      server.closeAllConnections();
      server.close();
      await runner.close();
      await store.close();
    },
  };
}
