/**
 * Medium-test harness for identity: the demo site's HTTP API in-process on a fresh Postgres schema, with the REAL
 * authenticator (users, sessions and API keys in Postgres), the demo users of data/users.json seeded with
 * `TEST_PASSWORD`, and every router main.ts mounts (`allRouters`), or the ones a test names.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Router } from 'express';
import { createSimulationPool, type SimulationPool } from '../../simulations/experiments/pool.ts';
import { slottingReport } from '../../solver/slotting/slot-report.ts';
import { createApp, type AppOptions } from '../api/app.ts';
import { catalogueRouter } from '../api/catalogue.routes.ts';
import { countsRouter } from '../api/counts.routes.ts';
import { floorModesRouter } from '../api/floor-modes.routes.ts';
import { goodsInRouter } from '../api/goods-in.routes.ts';
import { answerMalformedRequests } from '../api/http-error.ts';
import { IdempotencyStore } from '../api/idempotency.ts';
import { inspectRouter } from '../api/inspect.routes.ts';
import { kpisRouter } from '../api/kpis.routes.ts';
import { moveTasksRouter } from '../api/move-tasks.routes.ts';
import { transfersRouter } from '../api/transfers.routes.ts';
import { serialsRouter } from '../api/serials.routes.ts';
import { builtinPackingOptions, packingRouter } from '../api/packing.routes.ts';
import { positionsRouter } from '../api/positions.routes.ts';
import { replayRouter } from '../api/replay.routes.ts';
import { returnsRouter } from '../api/returns.routes.ts';
import { shiftRouter } from '../api/shift.routes.ts';
import { siteRegistry, type SiteRegistry } from '../api/sites.ts';
import { slottingRouter } from '../api/slotting.routes.ts';
import { snapshotRouter } from '../api/snapshot.routes.ts';
import { whatIfRouter } from '../api/what-if.routes.ts';
import { analyticsRouter } from '../api/analytics.routes.ts';
import { portalRouter } from '../api/portal.routes.ts';
import { AnalyticsService } from '../analytics/analytics-service.ts';
import { billingRouter } from '../api/billing.routes.ts';
import { BillingService, readRateCardsFile } from '../billing/billing-service.ts';
import { PgAuthStore } from '../auth/auth-store.pg.ts';
import { seedDemoUsers } from '../auth/demo-users.ts';
import { channelsRouter } from '../channels/channels.routes.ts';
import { webhookRouter } from '../channels/webhook.routes.ts';
import { loadSiteFiles } from '../site/site-loader.ts';
import { SiteRunner } from '../site/site-runner.ts';
import { PgEventStore } from '../store/event-store.pg.ts';
import { layoutView } from '../twin/floor-view.ts';
import { epochMs } from '../twin/ids.ts';
import type { SiteDefinition } from '../twin/site.ts';
import { TEST_DATABASE_URL, uniqueSchema } from './server-process.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const USERS_FILE = path.join(root, 'data/users.json');
/** The demo users' password in tests (as server-process.ts sets DEMO_PASSWORD for the real server). */
export const TEST_PASSWORD = 'floortwin-test';

export interface RouterDeps {
  readonly sites: SiteRegistry;
  readonly store: PgEventStore;
  readonly site: SiteDefinition;
  readonly simulationPool: SimulationPool;
}

/**
 * The router factories main.ts mounts, by name, built like main.ts builds them. T5 compares these names with the
 * `…Router(` calls in main.ts, so a router wired into the server but not here fails the matrix.
 */
export function allRouters(deps: RouterDeps): { readonly raw: Record<string, Router>; readonly json: Record<string, Router> } {
  const { sites, store, site } = deps;
  const pg = { pool: store.pool, schema: store.tables.schema };
  const billing = new BillingService({ ...pg, sites, defaultCards: readRateCardsFile(path.join(root, 'data/rate-cards.json')) });
  const analytics = new AnalyticsService(pg);
  return {
    raw: { webhookRouter: webhookRouter({ ...pg }) },
    json: {
      channelsRouter: channelsRouter({ ...pg, sites }),
      packingRouter: packingRouter(sites, builtinPackingOptions(site.name, 'GB')),
      shiftRouter: shiftRouter(sites, new Map()),
      replayRouter: replayRouter(sites, { store }),
      floorModesRouter: floorModesRouter({ ...pg, sites }),
      kpisRouter: kpisRouter(sites, new Map()),
      inspectRouter: inspectRouter(sites, pg),
      countsRouter: countsRouter({ sites }),
      positionsRouter: positionsRouter({ sites }),
      goodsInRouter: goodsInRouter({ sites }),
      returnsRouter: returnsRouter({ sites }),
      moveTasksRouter: moveTasksRouter({ sites }),
      transfersRouter: transfersRouter({ sites }),
      serialsRouter: serialsRouter({ sites, ...pg }),
      catalogueRouter: catalogueRouter({ sites }),
      snapshotRouter: snapshotRouter({ sites }),
      whatIfRouter: whatIfRouter({ sites, pool: deps.simulationPool }),
      slottingRouter: slottingRouter({ sites, runSlotting: (input, options) => Promise.resolve(slottingReport(input, options)), pool: deps.simulationPool }),
      analyticsRouter: analyticsRouter(sites, analytics),
      portalRouter: portalRouter({ sites, layoutOf: () => layoutView(site), analytics, billing }),
      billingRouter: billingRouter(billing),
    },
  };
}

export interface AuthApi {
  readonly store: PgEventStore;
  readonly runner: SiteRunner;
  readonly site: SiteDefinition;
  readonly accounts: PgAuthStore;
  readonly app: ReturnType<typeof createApp>;
  readonly server: Server;
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  /** Moves the auth store's wall clock by `ms` (session expiry). */
  shiftClock(ms: number): void;
  close(): Promise<void>;
}

export interface AuthApiOptions {
  /** Mount every router main.ts mounts (T5); default only createApp's own routes and the auth routes. */
  readonly allRouters?: boolean;
  readonly rateLimit?: AppOptions['rateLimit'];
  readonly sessionTtlMs?: number;
}

export async function startAuthApi(schemaPrefix: string, options: AuthApiOptions = {}): Promise<AuthApi> {
  const store = new PgEventStore({ connectionString: TEST_DATABASE_URL, schema: uniqueSchema(schemaPrefix), maxConnections: 16 });
  await store.init();
  const { site } = await loadSiteFiles(path.join(root, 'data/sites/demo.json'));
  await store.ensureSite(site.id, site);
  let twinMs = Date.UTC(2026, 10, 27, 8, 0, 0);
  const runner = await SiteRunner.open({ site, store, clock: { now: () => epochMs((twinMs += 1000)) } });
  const sites = siteRegistry([runner]);
  let shiftMs = 0;
  const accounts = new PgAuthStore({
    pool: store.pool,
    schema: store.tables.schema,
    now: () => Date.now() + shiftMs,
    ...(options.sessionTtlMs === undefined ? {} : { sessionTtlMs: options.sessionTtlMs }),
  });
  await seedDemoUsers(accounts, USERS_FILE, TEST_PASSWORD);
  const simulationPool = createSimulationPool({ threads: 1 });
  const routers = options.allRouters === true ? allRouters({ sites, store, site, simulationPool }) : { raw: {}, json: {} };
  const app = createApp({
    sites,
    isReady: () => true,
    layoutOf: () => layoutView(site),
    authenticator: accounts,
    accounts,
    idempotency: new IdempotencyStore({ pool: store.pool, schema: store.tables.schema }),
    rawRouters: Object.values(routers.raw),
    routers: Object.values(routers.json),
    ...(options.rateLimit === undefined ? {} : { rateLimit: options.rateLimit }),
  });
  const server = createServer(app);
  answerMalformedRequests(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    store,
    runner,
    site,
    accounts,
    app,
    server,
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    shiftClock: (ms) => void (shiftMs += ms),
    async close() {
      server.closeAllConnections();
      server.close();
      await simulationPool.close();
      await runner.close();
      await store.close();
    },
  };
}

/** Signs in over HTTP; returns the session token (also set as the ft_session cookie). */
export async function signIn(origin: string, email: string, password = TEST_PASSWORD): Promise<string> {
  const res = await fetch(`${origin}/api/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (res.status !== 200) throw new Error(`sign-in ${email}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}
