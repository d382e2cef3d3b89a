/**
 * Composition root: the only place that wires adapters to the core. Starts Postgres (embedded unless DATABASE_URL),
 * serves HTTP + Socket.IO, and opens the sites this process decides among SITE_FILES: with Redis, the sites whose lease it holds
 * (server/cluster: a site taken is opened from the log, a site lost is closed, other sites' requests are forwarded to
 * their owner); without Redis, every site. An opened site resumes its twin from the log and runs its loops and the demo shift.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readConfig, siteFiles } from './config.ts';
import { createLog } from './ops/log.ts';
import { ServerMetrics } from './ops/metrics.ts';
import { readinessCheck } from './ops/ops.routes.ts';
import { HttpDrain } from './ops/shutdown.ts';
import { PgAuthStore } from './auth/auth-store.pg.ts';
import { seedDemoUsers } from './auth/demo-users.ts';
import { NOBODY } from './auth/principal.ts';
import { MemoryRateLimiter, RedisRateLimiter, type BucketLimit, type RateLimiter } from './auth/rate-limit.ts';
import { createApp } from './api/app.ts';
import { replayRouter } from './api/replay.routes.ts';
import { inspectRouter } from './api/inspect.routes.ts';
import { floorModesRouter } from './api/floor-modes.routes.ts';
import { shiftRouter, type ShiftControl } from './api/shift.routes.ts';
import { answerMalformedRequests } from './api/http-error.ts';
import { FloorFeed } from './realtime/floor-feed.ts';
import { attachFloorGateway } from './realtime/gateway.ts';
import { attachRouteGateway } from './realtime/route-gateway.ts';
import { attachPickingGateway } from './realtime/picking-gateway.ts';
import { KpiFeed, scanRecorder } from './realtime/kpi-feed.ts';
import { ActivityFeed, roomSink } from './realtime/activity-feed.ts';
import { attachSocketAuth } from './realtime/socket-auth.ts';
import { attachPortalGateway } from './realtime/portal-gateway.ts';
import type { Authenticator } from './auth/principal.ts';
import { catalogueRouter } from './api/catalogue.routes.ts';
import { kpisRouter } from './api/kpis.routes.ts';
import { analyticsRouter } from './api/analytics.routes.ts';
import { AnalyticsRecorder, withMismatchRecording } from './analytics/analytics-recorder.ts';
import { AnalyticsService } from './analytics/analytics-service.ts';
import { snapshotRouter } from './api/snapshot.routes.ts';
import { countsRouter } from './api/counts.routes.ts';
import { positionsRouter } from './api/positions.routes.ts';
import { goodsInRouter } from './api/goods-in.routes.ts';
import { slottingRouter } from './api/slotting.routes.ts';
import { returnsRouter } from './api/returns.routes.ts';
import { whatIfRouter } from './api/what-if.routes.ts';
import { portalRouter } from './api/portal.routes.ts';
import { billingRouter } from './api/billing.routes.ts';
import { BillingService, readRateCardsFile } from './billing/billing-service.ts';
import { createSimulationPool } from '../simulations/experiments/pool.ts';
import { createSocketServer } from './realtime/socket-server.ts';
import { scaledClock } from './site/clock.ts';
import { RouteService } from './site/route-service.ts';
import { OrderPipeline } from './site/order-pipeline.ts';
import { StockTasks } from './site/stock-tasks.ts';
import { moveTasksRouter } from './api/move-tasks.routes.ts';
import { transfersRouter } from './api/transfers.routes.ts';
import { serialsRouter } from './api/serials.routes.ts';
import { TransferRelay } from './site/transfers.ts';
import { WorkAssigner } from './site/work-assigner.ts';
import { startShiftDriver } from './site/shift-driver.ts';
import { OutboxRelay } from './channels/outbox-relay.ts';
import { ReconciliationPoller } from './channels/poller.ts';
import { InboxProcessor } from './channels/inbox-processor.ts';
import { webhookRouter } from './channels/webhook.routes.ts';
import { channelsRouter } from './channels/channels.routes.ts';
import { builtinPackingOptions, packingRouter } from './api/packing.routes.ts';
import { IdempotencyStore, pruneIdempotencyKeys } from './api/idempotency.ts';
import { loadSiteDefinition } from './site/site-loader.ts';
import { gs1Clashes } from './twin/layout/site-definition.ts';
import { SiteRunner } from './site/site-runner.ts';
import { startEmbeddedPostgres } from './store/embedded-postgres.ts';
import { PgEventStore } from './store/event-store.pg.ts';
import { PiscinaSolverPool } from './solver-pool/piscina-solver-pool.ts';
import type { LayoutView } from './protocol/floor.ts';
import type { SiteDefinition } from './twin/site.ts';
import type { Command } from './twin/commands.ts';
import { RedisSiteLeases, type LeaseHolder, type SiteLeases } from './cluster/site-lease.ts';
import { SiteOwnership, SoleSiteLeases, type SitePlacement } from './cluster/site-ownership.ts';
import { siteForwarder } from './cluster/forward.ts';
import { answerTransferSteps, remoteTransferSites } from './cluster/remote-sites.ts';
import { layoutView } from './twin/floor-view.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// LOG_FORMAT=json: one JSON object per line (time, level, msg, fields); text by default (read before the config, so a
// bad configuration is logged in the chosen format too).
const log = createLog(process.env['LOG_FORMAT'] === 'json' ? 'json' : 'text');

async function main(): Promise<void> {
  const startedAt = performance.now();
  const config = readConfig(process.env);
  let ready = false;
  const runners: SiteRunner[] = [];
  const layouts = new Map<string, LayoutView>();
  const feeds = new Map<string, FloorFeed>();
  const routeServices = new Map<string, RouteService>();
  const kpiFeeds = new Map<string, KpiFeed>();
  const analyticsRecorders = new Map<string, AnalyticsRecorder>();

  const shifts = new Map<string, ShiftControl>();
  const sites = { get: (id: string) => runners.find((runner) => runner.siteId === id), list: () => runners };
  // Operations (server/ops): Prometheus metrics, readiness (sites loaded, Postgres answers, not stopping).
  const metrics = new ServerMetrics();
  let stopping = false;
  let pingStore: (() => Promise<unknown>) | null = null;
  let ownershipView: () => Record<string, unknown> = () => ({});
  let sitesMoving: () => string[] = () => [];
  const readiness = readinessCheck({
    loaded: () => ready,
    stopping: () => stopping,
    pingStore: () => pingStore,
    sitesDown: () => runners.filter((runner) => !runner.storeAvailable).map((runner) => runner.siteId),
    sitesMoving: () => sitesMoving(),
    detail: () => ownershipView(),
  });
  const appOptions = {
    sites,
    isReady: () => ready,
    layoutOf: (siteId: string) => layouts.get(siteId) as LayoutView,
    clientDir: path.join(root, 'client/dist'),
    authenticator: NOBODY,
    ops: { readiness, metrics, ...(config.METRICS_TOKEN === undefined ? {} : { metricsToken: config.METRICS_TOKEN }) },
  };
  // Until the store is up the app answers 503 STARTING; then it is replaced by one with the store-backed routes.
  let app = createApp(appOptions);
  // Requests for a site another process decides are forwarded there before the app sees them (server/cluster/forward.ts).
  let forward: (req: IncomingMessage, res: ServerResponse) => boolean = () => false;
  const httpServer = createServer((req, res) => {
    drain.track(req, res);
    if (!forward(req, res)) app(req, res);
  });
  const drain = new HttpDrain(httpServer);
  answerMalformedRequests(httpServer);
  // Processes of one deployment (same database schema) share rooms; other deployments on the same Redis do not.
  const sockets = await createSocketServer(httpServer, config.REDIS_URL ? { redisUrl: config.REDIS_URL, redisKey: `floortwin:${config.DB_SCHEMA}`, log } : { log });
  const io = sockets.io;
  // Every socket authenticates at the handshake (before any gateway sees it); until the store is up there is nobody
  // to ask, so connections are refused with UNAVAILABLE and clients retry.
  let socketAuthenticator: Authenticator | null = null;
  const socketAuth = attachSocketAuth(io, () => socketAuthenticator, { log });
  // Where a site is decided (set once the leases are up): socket requests for another process's site are forwarded.
  // Until then every site is 'moving' (answered SITE_MOVING: retry), not unknown (a final refusal to a handheld).
  let sitePlacement: (siteId: string) => SitePlacement | undefined = () => ({ kind: 'moving' });
  const elsewhere = (siteId: string): 'moving' | 'remote' | undefined => {
    const where = sitePlacement(siteId);
    return where === undefined || where.kind === 'local' ? undefined : where.kind;
  };
  const gateway = attachFloorGateway(io, { get: (siteId) => feeds.get(siteId) }, { patchMs: config.PATCH_MS, log, placement: elsewhere });
  const routeGateway = attachRouteGateway(io, { get: (siteId) => routeServices.get(siteId) }, { log });
  const pickingGateway = attachPickingGateway(io, sites, { log, maxTasks: 10, onScan: withMismatchRecording(scanRecorder(kpiFeeds), analyticsRecorders), placement: elsewhere });
  const portalGateway = attachPortalGateway(io, sites, { log, decidedElsewhere: (siteId) => elsewhere(siteId) !== undefined });
  // Routes are solved on worker threads so a burst of plans never stalls the floor stream.
  const solverPool = new PiscinaSolverPool();
  metrics.setSources({ sockets: () => io.engine.clientsCount, solverQueue: () => solverPool.queued, siteQueues: () => runners.map((r) => ({ siteId: r.siteId, queued: r.queued })) });
  // What-if runs: worker threads of their own, so a long simulation never delays route planning.
  const simulationPool = createSimulationPool();
  await new Promise<void>((resolve) => httpServer.listen(config.PORT, config.HOST, resolve));
  const address = httpServer.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  log(`listening on http://localhost:${port} (loading…)`);

  let stopEmbedded: (() => Promise<void>) | null = null;
  let connectionString = config.DATABASE_URL;
  if (!connectionString) {
    const dataDir = path.resolve(root, config.DATA_DIR, 'pg');
    log(`starting embedded Postgres in ${dataDir}`);
    const embedded = await startEmbeddedPostgres({ dataDir });
    connectionString = embedded.connectionString;
    stopEmbedded = () => embedded.stop();
  }
  // With APP_DATABASE_URL the app's pools log in as floortwin_app itself (RLS applies and no SET ROLE can undo it);
  // without, they connect as the owner and SET ROLE floortwin_app (the embedded Postgres: password auth, one user).
  const appConnectionString = config.APP_DATABASE_URL;
  const store = new PgEventStore({ connectionString, schema: config.DB_SCHEMA, ...(appConnectionString ? { appConnectionString } : {}) });
  await store.init();
  pingStore = () => store.pool.query('SELECT 1');

  // Identity: users, sessions and API keys in Postgres; demo users (one per role) seeded into an empty users table.
  const accounts = new PgAuthStore({ pool: store.pool, schema: config.DB_SCHEMA, sessionTtlMs: config.SESSION_TTL_HOURS * 3_600_000 });
  const demoPassword = config.DEMO_PASSWORD ?? randomBytes(12).toString('base64url');
  const seededUsers = await seedDemoUsers(accounts, path.resolve(root, config.USERS_FILE), demoPassword);
  if (seededUsers > 0) log(`seeded ${seededUsers} demo users from ${config.USERS_FILE}${config.DEMO_PASSWORD === undefined ? ` with the generated password ${demoPassword} (set DEMO_PASSWORD to choose one)` : ' with DEMO_PASSWORD'}`);
  const bucket = (ratePerSec: number, burst: number): BucketLimit | null => (ratePerSec > 0 ? { ratePerSec, burst } : null);
  const limiter: RateLimiter = config.REDIS_URL ? new RedisRateLimiter({ url: config.REDIS_URL, log }) : new MemoryRateLimiter();
  const rateLimits = {
    limiter,
    limits: {
      perPrincipal: bucket(config.RATE_LIMIT_KEY_RPS, config.RATE_LIMIT_KEY_BURST),
      perTenant: bucket(config.RATE_LIMIT_TENANT_RPS, config.RATE_LIMIT_TENANT_BURST),
      perStaffUser: bucket(config.RATE_LIMIT_STAFF_RPS, config.RATE_LIMIT_STAFF_BURST),
    },
    signIn: { ratePerSec: config.SIGN_IN_PER_MINUTE / 60, burst: config.SIGN_IN_BURST },
  };
  // Sockets ask the same store as the HTTP routes: one session, one revocation.
  socketAuthenticator = accounts;

  // This process's life: its site leases and its Idempotency-Key claims carry it, so a claim left by a process killed
  // mid-request is taken over by the next owner at once (keyed requests run only where their site is decided).
  const boot = randomBytes(8).toString('hex');
  const idempotency = new IdempotencyStore({ pool: store.pool, schema: config.DB_SCHEMA, holder: boot });
  const pruneKeys = setInterval(() => {
    pruneIdempotencyKeys(store.pool, config.DB_SCHEMA, Date.now()).catch((error: unknown) => log('idempotency key prune failed', error));
    accounts.pruneSessions().catch((error: unknown) => log('session prune failed', error));
  }, 3_600_000);
  pruneKeys.unref();

  // The sites this deployment runs (SITE_FILES); which of them this process decides is the leases' call.
  // The initial stock file is read only by the process that seeds an empty log, never on a restart.
  const files = siteFiles(config);
  const loaded = await Promise.all(files.map((file) => loadSiteDefinition(path.resolve(root, file))));
  const definitions = new Map<string, { readonly site: SiteDefinition; readonly loadInitialStock: () => Promise<readonly Command[]> }>();
  for (const [i, { site, loadInitialStock }] of loaded.entries()) {
    if (definitions.has(site.id)) throw new Error(`${files[i]}: site ${site.id} is defined twice in SITE_FILES`);
    definitions.set(site.id, { site, loadInitialStock });
  }
  const definition = loaded[0]?.site;
  if (definition === undefined) throw new Error('no site file');
  // Parcels' SSCCs are unique across the deployment (one orders table): two sites may not number them alike.
  const clashes = gs1Clashes([...definitions.values()].map((entry) => entry.site));
  if (clashes.length > 0) throw new Error(`SITE_FILES: ${clashes.join('; ')}`);
  for (const { site } of definitions.values()) {
    await store.ensureSite(site.id, site);
    layouts.set(site.id, layoutView(site));
  }
  const analytics = new AnalyticsService({ pool: store.pool, schema: config.DB_SCHEMA });
  // Billing's "now" is twin time (the demo shift may run faster than the wall clock): an open site's clock.
  const clocks = new Map<string, ReturnType<typeof scaledClock>>();
  const twinNow = (): number => clocks.values().next().value?.now() ?? Date.now();
  // Rate-card billing from the log (issue 9); clients without a stored card get data/rate-cards.json's on first use.
  const billing = new BillingService({ pool: store.pool, schema: config.DB_SCHEMA, sites, defaultCards: readRateCardsFile(path.join(root, 'data/rate-cards.json')), now: () => twinNow() });
  // Channel write-back: stock levels and fulfilments leave through the outbox the append wrote (wall time, not twin).
  // Rows are claimed with SKIP LOCKED, so every process may run it.
  const relay = new OutboxRelay({ pool: store.pool, schema: config.DB_SCHEMA, onError: (message, error) => log(message, error) });
  relay.start(1000);
  // Cross-site transfer steps (R74, R76): one relay over every site this process decides (sites join and leave it as
  // leases move); a destination another process decides is asked and told through the Redis adapter, and this process
  // answers the others for its own sites (server/cluster/remote-sites.ts: transfer steps only).
  const transferRelay = new TransferRelay([], { log, retryMs: config.TRANSFER_RETRY_MS, ...(sockets.adapter === 'redis' ? { remote: remoteTransferSites(io, log) } : {}) });
  transferRelay.start();
  const stopAnsweringTransfers = answerTransferSteps(io, sites, log);

  /** Opens one site this process now decides: its twin from the log, then every loop that runs for it. */
  async function openSite(siteId: string): Promise<OpenSite> {
    const entry = definitions.get(siteId);
    if (entry === undefined) throw new Error(`unknown site ${siteId}`);
    const { site } = entry;
    const clock = scaledClock(config.SHIFT_SPEED);
    const runner = await SiteRunner.open({
      site,
      store,
      clock,
      snapshotEvery: config.SNAPSHOT_EVERY,
      log,
      onAnswer: (result, ms) =>
        metrics.command(site.id, result.ok ? 'accepted' : result.error.code === 'UNAVAILABLE' ? 'unavailable' : 'refused', ms / 1000),
      onFenced: () => void ownership.fenced(site.id),
    });
    clock.continueFrom(runner.twin.now);
    clocks.set(site.id, clock);
    const resumed = runner.twin.seq;
    if (resumed === 0) {
      const initialStock = await entry.loadInitialStock();
      const results = await Promise.all(initialStock.map((command) => runner.submit(command)));
      const rejected = results.filter((result) => !result.ok);
      if (rejected.length > 0) throw new Error(`initial stock: ${rejected.length} receipts rejected, first: ${JSON.stringify(rejected[0])}`);
      log(`seeded ${initialStock.length} stock receipts`);
    } else {
      log(`resumed site ${site.id} at seq ${resumed}`);
    }
    const feed = new FloorFeed(() => runner.twin, { historySize: 20_000, isSettled: () => runner.settled });
    runner.subscribe({
      committed: (events) => feed.committed(events),
      volatile: (events) => feed.volatile(events),
      reloaded: () => feed.reset(),
    });
    feeds.set(site.id, feed);
    // Receipts, put-aways, replenishments and counts as markers on the 3D floor (`floor:activity`).
    const activityFeed = new ActivityFeed({ runner, sink: roomSink(io, site.id) });
    let closed = false;
    // KPIs replay the log in the background; until then GET …/kpis answers 503 KPIS_UNAVAILABLE.
    void KpiFeed.start({ runner, store, now: () => clock.now(), io, log }).then(
      (kpiFeed) => (closed ? kpiFeed.close() : kpiFeeds.set(site.id, kpiFeed)),
      (error: unknown) => log('KPI feed failed to start', error),
    );
    // Analytics facts (issue 9) from committed events, caught up from the log in the background; idempotent by seq.
    const recorder = AnalyticsRecorder.start({ runner, store, pool: store.pool, schema: config.DB_SCHEMA, now: () => clock.now(), log }).then(
      (started) => {
        if (!closed) analyticsRecorders.set(site.id, started);
        return started;
      },
      (error: unknown) => {
        log('analytics recorder failed to start', error);
        return null;
      },
    );
    runner.subscribe({ committed: () => relay.wake(), volatile: () => undefined, reloaded: () => undefined });
    const pipeline = new OrderPipeline(runner, {
      releaseEveryMs: config.AUTO_RELEASE_MS,
      waveMaxOrders: config.WAVE_MAX_ORDERS,
      queueTarget: config.WAVE_QUEUE_TARGET,
      sweepEveryMs: config.RESERVATION_SWEEP_MS,
      ...(config.WAVE_BATCHING === 'count'
        ? {}
        : {
            batching: {
              pool: solverPool,
              method: config.WAVE_BATCHING,
              capacity: { items: config.WAVE_CART_ITEMS, orders: config.WAVE_CART_ORDERS },
              timeoutMs: config.WAVE_BATCHING_TIMEOUT_MS,
            },
          }),
      ...(config.WAVE_MODE === 'count'
        ? {}
        : {
            planning: {
              mode: config.WAVE_MODE,
              pool: solverPool,
              waveIntervalMs: config.WAVE_INTERVAL_MS,
              wavelessIntervalMs: config.WAVELESS_INTERVAL_MS,
              picksPerHour: config.PICKS_PER_HOUR,
              packStations: config.PACK_STATIONS,
              packOrdersPerHour: config.PACK_ORDERS_PER_HOUR,
            },
          }),
      now: () => clock.now(),
      log,
    });
    pipeline.start();
    // Replenishment after each wave release and on a timer; expired lots held once per twin day (R41, R64).
    const stockTasks = new StockTasks(runner, { replenishEveryMs: config.REPLENISH_INTERVAL_MS, expirySweepEveryMs: config.EXPIRY_SWEEP_INTERVAL_MS, clock, log });
    stockTasks.start();
    const assigner = new WorkAssigner(runner, {
      pool: solverPool,
      intervalMs: config.WORK_ASSIGN_INTERVAL_MS,
      behindAfterMs: config.WORK_BEHIND_AFTER_MS,
      now: () => clock.now(),
      log,
    });
    assigner.start();
    const poller = new ReconciliationPoller({ pool: store.pool, schema: config.DB_SCHEMA, siteIds: [site.id], log });
    if (config.CHANNEL_POLL_MS > 0) poller.start(config.CHANNEL_POLL_MS);
    gateway.watch(site.id);
    const routes = new RouteService(runner, { pool: solverPool, log });
    const unpublishRoutes = routeGateway.publish(routes);
    const unpublishPortal = portalGateway.publish(runner);
    routes.start();
    routeServices.set(site.id, routes);
    // The registry keeps SITE_FILES's order whatever order the sites open in: the first is the views' default site.
    const order = [...definitions.keys()];
    runners.push(runner);
    runners.sort((x, y) => order.indexOf(x.siteId) - order.indexOf(y.siteId));
    transferRelay.add(runner);
    const shift =
      config.DEMO_SHIFT === 'on'
        ? startShiftDriver(runner, {
            pickers: config.SHIFT_PICKERS,
            ordersPerHour: config.SHIFT_ORDERS_PER_HOUR,
            seed: config.SHIFT_SEED,
            clock,
            log,
            // Pickers walk the routes the route service planned into the twin.
            routeSource: 'twin',
          })
        : null;
    if (shift) shifts.set(site.id, { clock, driver: shift, pickers: config.SHIFT_PICKERS, ordersPerHour: config.SHIFT_ORDERS_PER_HOUR, startedAt: clock.now() });
    log(`site ${site.id}: owned by this process (instance ${me.instance}) at seq ${runner.twin.seq}`);

    return {
      runner,
      async close(why) {
        closed = true;
        // Out of the registry first: new requests are forwarded or answered SITE_MOVING; those in flight finish here.
        runners.splice(runners.indexOf(runner), 1);
        shift?.stop();
        shifts.delete(site.id);
        transferRelay.remove(site.id);
        gateway.unwatch(site.id);
        unpublishRoutes();
        unpublishPortal();
        kpiFeeds.get(site.id)?.close();
        kpiFeeds.delete(site.id);
        activityFeed.close();
        await routes.close();
        pipeline.close();
        stockTasks.close();
        await assigner.close();
        await poller.close();
        await runner.close();
        // A site lost to another process keeps no snapshot from here: the new owner writes the log now.
        if (why === 'shutdown') await runner.snapshotNow().catch((error: unknown) => log('final snapshot failed', error));
        await (await recorder)?.close();
        analyticsRecorders.delete(site.id);
        feeds.delete(site.id);
        routeServices.delete(site.id);
        clocks.delete(site.id);
        log(`site ${site.id} closed (${why}): route service ${JSON.stringify(routes.stats)}; order pipeline ${JSON.stringify(pipeline.stats)}${shift ? `; demo shift ${shift.shift.stats.trips} trips` : ''}`);
      },
    };
  }

  // Who decides which site: with Redis, leases (server/cluster/site-lease.ts); without, this process decides them all.
  const me: LeaseHolder = {
    instance: config.INSTANCE_ID ?? `${hostname()}-${process.pid}`,
    boot,
    url: config.ADVERTISE_URL ?? `http://${isLoopback(config.HOST) ? '127.0.0.1' : hostname()}:${port}`,
  };
  const leases: SiteLeases =
    config.REDIS_URL && config.SITE_LEASES === 'on'
      ? new RedisSiteLeases({ url: config.REDIS_URL, namespace: `${dbName(connectionString)}:${config.DB_SCHEMA}`, me, ttlMs: config.LEASE_TTL_MS, log })
      : new SoleSiteLeases(me);
  if (leases instanceof RedisSiteLeases && !(await leases.ready(5_000))) log('site leases: Redis not reachable yet; sites are taken once it answers');
  const openSites = new Map<string, OpenSite>();
  const ownership: SiteOwnership = new SiteOwnership({
    leases,
    siteIds: [...definitions.keys()],
    me,
    renewMs: config.LEASE_RENEW_MS,
    log,
    onRenewFailure: () => metrics.leaseRenewFailures.inc(),
    open: async (siteId) => {
      openSites.set(siteId, await openSite(siteId));
    },
    close: async (siteId, why) => {
      const site = openSites.get(siteId);
      openSites.delete(siteId);
      await site?.close(why);
    },
  });
  const forwarder = siteForwarder({
    instance: me.instance,
    placement: (siteId) => ownership.placement(siteId),
    ownsAny: () => ownership.owned().length > 0,
    anyRemote: () => ownership.anyRemote(),
    log,
    onForward: (outcome) => metrics.forwards.inc({ outcome }),
  });
  forward = (req, res) => forwarder.handle(req, res);
  sitePlacement = (siteId) => ownership.placement(siteId);
  metrics.setSources({ siteOwnership: () => [...definitions.keys()].map((siteId) => ({ siteId, owned: ownership.placement(siteId)?.kind === 'local' })) });
  ownershipView = () => ({ instance: me.instance, sites: ownership.describe() });
  sitesMoving = () => [...definitions.keys()].filter((siteId) => ownership.placement(siteId)?.kind === 'moving');

  const inbox = new InboxProcessor({ pool: store.pool, schema: config.DB_SCHEMA, sites, log });
  const packing = packingRouter(sites, builtinPackingOptions(definition.name, config.SITE_COUNTRY, (siteId) => definitions.get(siteId)?.site.name));
  const deploymentSites = [...definitions.values()].map(({ site }) => ({ id: site.id, name: site.name }));
  app = createApp({
    ...appOptions,
    deploymentSites: () => deploymentSites,
    authenticator: accounts,
    accounts,
    rateLimit: rateLimits,
    idempotency,
    rawRouters: [webhookRouter({ pool: store.pool, schema: config.DB_SCHEMA, onStored: () => inbox.wake(), log })],
    routers: [channelsRouter({ pool: store.pool, schema: config.DB_SCHEMA, sites }), packing, shiftRouter(sites, shifts), replayRouter(sites, { store, log }),
      floorModesRouter({ pool: store.pool, schema: config.DB_SCHEMA, sites }), kpisRouter(sites, kpiFeeds), analyticsRouter(sites, analytics),
      inspectRouter(sites, { pool: store.pool, schema: config.DB_SCHEMA }), countsRouter({ sites }), positionsRouter({ sites }), goodsInRouter({ sites }), returnsRouter({ sites }), moveTasksRouter({ sites }), transfersRouter({ sites }), serialsRouter({ sites, pool: store.pool, schema: config.DB_SCHEMA }), catalogueRouter({ sites }), snapshotRouter({ sites }), whatIfRouter({ sites, pool: simulationPool, log }),
      slottingRouter({ sites, runSlotting: (input, options) => solverPool.slottingReport(input, options), pool: simulationPool, log }),
      portalRouter({ sites, layoutOf: appOptions.layoutOf, idempotency, analytics, billing }), billingRouter(billing)],
  });
  await ownership.start();
  inbox.start();

  ready = true;
  const owned = ownership.owned();
  log(
    `ready in ${Math.round(performance.now() - startedAt)} ms: ${owned.length > 0 ? `deciding ${owned.map((id) => `site ${id} (${definitions.get(id)?.site.layout.locations.length} locations, ${definitions.get(id)?.site.skus.length} SKUs) at seq ${sites.get(id)?.twin.seq}`).join(', ')}` : 'standby'}; instance ${me.instance}`,
  );

  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    // /readyz answers 503 from here on, so the load balancer stops sending; the app keeps serving what arrives.
    stopping = true;
    log(`${signal}: shutting down`);
    for (const shift of shifts.values()) shift.driver.stop();
    // Requests in flight are decided and answered while the runners still take commands (no 5xx for them); new
    // connections are refused and keep-alive clients are told to reconnect elsewhere.
    const unfinished = await drain.drain(config.SHUTDOWN_GRACE_MS);
    if (unfinished > 0) log(`${unfinished} requests still running after ${config.SHUTDOWN_GRACE_MS} ms; closing their connections`);
    ready = false;
    gateway.close();
    routeGateway.close();
    pickingGateway.close();
    portalGateway.close();
    socketAuth.close();
    stopAnsweringTransfers();
    await transferRelay.stop();
    // Hand the sites over: each is closed (its final snapshot written) and its lease released, so a standby takes it
    // at its next try instead of waiting for the lease to lapse.
    await ownership.stop();
    // Closing the transports (not a server-side disconnect) makes every Socket.IO client reconnect on its own, to a
    // process that is ready; the handheld's scan queue resends what was not acknowledged (scans are applied once).
    await sockets.close();
    httpServer.closeAllConnections();
    forwarder.close();
    clearInterval(pruneKeys);
    await inbox.close();
    await solverPool.close();
    await simulationPool.close();
    await relay.close();
    await limiter.close();
    await leases.close();
    await store.close();
    if (stopEmbedded) await stopEmbedded();
    metrics.close();
    log('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

/** One site this process decides: its runner and how to stop everything that runs for it. */
interface OpenSite {
  readonly runner: SiteRunner;
  close(why: 'lost' | 'shutdown'): Promise<void>;
}

function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1';
}

/** The database name of a connection string: part of the lease namespace. */
function dbName(connectionString: string): string {
  try {
    return new URL(connectionString).pathname.replace(/^\//, '') || 'postgres';
  } catch {
    return 'postgres';
  }
}

main().catch((error: unknown) => {
  log('fatal: could not start', error);
  process.exit(1);
});
