/** Medium-test harness: the demo site's HTTP API in-process, on a fresh schema of the machine's Postgres. */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from '../api/app.ts';
import { answerMalformedRequests } from '../api/http-error.ts';
import { IdempotencyStore } from '../api/idempotency.ts';
import { builtinPackingOptions, packingRouter } from '../api/packing.routes.ts';
import { floorModesRouter } from '../api/floor-modes.routes.ts';
import { replayRouter } from '../api/replay.routes.ts';
import { countsRouter } from '../api/counts.routes.ts';
import { positionsRouter } from '../api/positions.routes.ts';
import { goodsInRouter } from '../api/goods-in.routes.ts';
import { returnsRouter } from '../api/returns.routes.ts';
import { moveTasksRouter } from '../api/move-tasks.routes.ts';
import { transfersRouter } from '../api/transfers.routes.ts';
import { serialsRouter } from '../api/serials.routes.ts';
import { snapshotRouter } from '../api/snapshot.routes.ts';
import { inspectRouter } from '../api/inspect.routes.ts';
import { analyticsRouter } from '../api/analytics.routes.ts';
import { AnalyticsRecorder } from '../analytics/analytics-recorder.ts';
import { AnalyticsService } from '../analytics/analytics-service.ts';
import { portalRouter } from '../api/portal.routes.ts';
import { billingRouter } from '../api/billing.routes.ts';
import { BillingService, readRateCardsFile } from '../billing/billing-service.ts';
import { siteRegistry } from '../api/sites.ts';
import { loadSiteFiles } from '../site/site-loader.ts';
import { SiteRunner } from '../site/site-runner.ts';
import { PgEventStore } from '../store/event-store.pg.ts';
import { layoutView } from '../twin/floor-view.ts';
import { epochMs } from '../twin/ids.ts';
import type { SiteDefinition } from '../twin/site.ts';
import { TEST_DATABASE_URL, uniqueSchema } from './server-process.ts';
import { SITE_MANAGER, fixedPrincipal } from './principals.ts';
import type { Authenticator } from '../auth/principal.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ApiOnPostgres {
  readonly store: PgEventStore;
  readonly runner: SiteRunner;
  readonly site: SiteDefinition;
  /** `http://127.0.0.1:PORT/api/sites/demo` */
  readonly base: string;
  /** Analytics series of the site (GET …/analytics), fed by `analyticsRecorder` from every commit. */
  readonly analytics: AnalyticsService;
  readonly analyticsRecorder: AnalyticsRecorder;
  close(): Promise<void>;
}

export interface ApiOnPostgresOptions {
  /** Changes the demo site before it is stored (e.g. gives a SKU the barcode a test scans). */
  readonly site?: (site: SiteDefinition) => SiteDefinition;
  /** Who every request is; default `fixedPrincipal(SITE_MANAGER)`. */
  readonly authenticator?: Authenticator;
}

/** The demo site with no stock, a clock that ticks a second per reading, and the app on an ephemeral port. */
export async function startApiOnPostgres(schemaPrefix: string, options: ApiOnPostgresOptions = {}): Promise<ApiOnPostgres> {
  const store = new PgEventStore({ connectionString: TEST_DATABASE_URL, schema: uniqueSchema(schemaPrefix) });
  await store.init();
  const demo = (await loadSiteFiles(path.join(root, 'data/sites/demo.json'))).site;
  const site = options.site?.(demo) ?? demo;
  await store.ensureSite(site.id, site);
  let clockMs = Date.UTC(2026, 10, 27, 8, 0, 0);
  const runner = await SiteRunner.open({ site, store, clock: { now: () => epochMs((clockMs += 1000)) } });
  const sites = siteRegistry([runner]);
  const analyticsRecorder = await AnalyticsRecorder.start({ runner, store, pool: store.pool, schema: store.tables.schema, now: () => runner.twin.now });
  const analytics = new AnalyticsService({ pool: store.pool, schema: store.tables.schema });
  const idempotency = new IdempotencyStore({ pool: store.pool, schema: store.tables.schema });
  const billing = new BillingService({ pool: store.pool, schema: store.tables.schema, sites, defaultCards: readRateCardsFile(path.join(root, 'data/rate-cards.json')) });
  const app = createApp({
    authenticator: options.authenticator ?? fixedPrincipal(SITE_MANAGER),
    sites,
    isReady: () => true,
    layoutOf: () => layoutView(site),
    idempotency,
    routers: [
      packingRouter(sites, builtinPackingOptions(site.name, 'GB')),
      floorModesRouter({ pool: store.pool, schema: store.tables.schema, sites }),
      replayRouter(sites, { store }),
      inspectRouter(sites, { pool: store.pool, schema: store.tables.schema }),
      countsRouter({ sites }),
      positionsRouter({ sites }),
      goodsInRouter({ sites }),
      returnsRouter({ sites }),
      moveTasksRouter({ sites }),
      transfersRouter({ sites }),
      serialsRouter({ sites, pool: store.pool, schema: store.tables.schema }),
      snapshotRouter({ sites }),
      analyticsRouter(sites, analytics),
      portalRouter({ sites, layoutOf: () => layoutView(site), idempotency, analytics, billing }),
      billingRouter(billing),
    ],
  });
  const server = createServer(app);
  answerMalformedRequests(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/sites/${site.id}`;
  return {
    store,
    runner,
    site,
    base,
    analytics,
    analyticsRecorder,
    async close() {
      server.close();
      await runner.close();
      await analyticsRecorder.close();
      await store.close();
    },
  };
}
