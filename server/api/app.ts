/** The express application: JSON routes, health, and the built web client. No business logic lives here. */
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import express, { type Router } from 'express';
import type { PgAuthStore } from '../auth/auth-store.pg.ts';
import { authRouter, signInRouter } from '../auth/auth.routes.ts';
import { authenticate } from '../auth/authenticate.ts';
import { authorize } from '../auth/authorize.ts';
import type { Authenticator } from '../auth/principal.ts';
import { earlyRefusal, rateLimit, type BucketLimit, type RateLimiter, type RateLimits } from '../auth/rate-limit.ts';
import type { LayoutView } from '../protocol/floor.ts';
import { countersOf } from '../twin/floor-view.ts';
import { blocksRouter } from './blocks.routes.ts';
import { errorHandler, sendError } from './http-error.ts';
import { operativesRouter } from './operatives.routes.ts';
import type { IdempotencyStore } from './idempotency.ts';
import { orderImportRouter } from './order-import.routes.ts';
import { ordersRouter } from './orders.routes.ts';
import { wavesRouter } from './waves.routes.ts';
import { siteFrom } from './params.ts';
import type { SiteRegistry } from './sites.ts';
import { stockRouter } from './stock.routes.ts';
import { countResponses, opsRouter, type OpsOptions } from '../ops/ops.routes.ts';

export interface AppOptions {
  readonly sites: SiteRegistry;
  /** False until every site is loaded; /api answers 503 STARTING and /readyz 503 until then. */
  readonly isReady: () => boolean;
  /** Static geometry per site, built once. */
  readonly layoutOf: (siteId: string) => LayoutView;
  /**
   * Every site of the deployment, in its order (`GET /api/sites`), also those another process decides (their
   * requests are forwarded there). Default: the sites this process runs.
   */
  readonly deploymentSites?: () => readonly { readonly id: string; readonly name: string }[];
  /** Folder with the built client (index.html); served when it exists. */
  readonly clientDir?: string;
  /** Makes `Idempotency-Key` work on order writes (Postgres-backed); without it a keyed request is refused. */
  readonly idempotency?: IdempotencyStore;
  /** Routes that read their own raw body (webhooks: the HMAC covers the exact bytes), mounted before any parser. */
  readonly rawRouters?: readonly Router[];
  /** Further JSON routes (channels, packing, …). */
  readonly routers?: readonly Router[];
  /**
   * Turns a request's session cookie or bearer token into a principal. Every /api route but sign-in needs one (401
   * UNAUTHENTICATED); then the route policy (server/auth/route-policy.ts) decides (403 FORBIDDEN). Feature tests pass
   * `fixedPrincipal(SITE_MANAGER)` (server/testing/principals.ts).
   */
  readonly authenticator: Authenticator;
  /** Users, sessions and API keys: mounts sign-in, sign-out, users and api-keys. Without it only /api/auth/me is served. */
  readonly accounts?: PgAuthStore;
  /** Rate limits per principal and per tenant (429 RATE_LIMITED); also limits sign-in attempts per e-mail. */
  readonly rateLimit?: { readonly limiter: RateLimiter; readonly limits: RateLimits; readonly signIn?: BucketLimit };
  /** /readyz and /metrics (server/ops/ops.routes.ts); /metrics accepts a site manager through `authenticator`. */
  readonly ops?: Omit<OpsOptions, 'authenticator'>;
}

/** POST bodies that are not JSON by design: the CSV imports of orders and ASNs. */
const isCsvImport = (req: express.Request): boolean =>
  req.method === 'POST' && /^\/sites\/[^/]+\/(orders|asns)\/import$/.test(req.path) && typeof req.is('text/csv') === 'string';

export function createApp(options: AppOptions): express.Express {
  const { sites } = options;
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  if (options.rateLimit) {
    // A flood past its quota is refused before express's own per-request work (see earlyRefusal): `app(req, res)`
    // calls `app.handle`, so the check sits in front of everything below, for main.ts and tests alike.
    const refusedEarly = earlyRefusal({
      authenticator: options.authenticator,
      limiter: options.rateLimit.limiter,
      limits: options.rateLimit.limits,
      isReady: options.isReady,
      ...(options.ops?.metrics ? { onRefused: () => options.ops?.metrics?.http(429) } : {}),
    });
    // Express 5's `app.handle(req, res, next)` is not in its type definitions.
    const dispatching = app as express.Express & { handle(req: IncomingMessage, res: ServerResponse, next?: unknown): void };
    const handle = dispatching.handle.bind(app);
    dispatching.handle = (req, res, next) => {
      if (!refusedEarly(req, res)) handle(req, res, next);
    };
  }

  if (options.ops?.metrics) app.use(countResponses(options.ops.metrics));
  // Liveness: the process answers. Whether it should get traffic (sites loaded, Postgres reachable) is /readyz.
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', ready: options.isReady() });
  });
  if (options.ops) app.use(opsRouter({ ...options.ops, authenticator: options.authenticator }));

  for (const router of options.rawRouters ?? []) app.use(router);

  app.use('/api', (req, res, next) => {
    if (!options.isReady()) return sendError(res, 503, 'STARTING', 'the server is still loading; retry shortly');
    // Writes must be JSON: a form or text body is a client mistake, not an empty order.
    if ((req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH') && req.headers['content-length'] !== '0' && !req.is('application/json') && !isCsvImport(req))
      return sendError(res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
    next();
  });
  app.use('/api', express.json({ limit: '256kb', strict: true }));

  // Identity: sign-in is open; everything after it under /api needs a principal, stays within its rate limits, and
  // must be allowed by the route policy (deny by default). /healthz, the webhooks above and static files stay open.
  const knownTenants = (): string[] => [...new Set(sites.list().flatMap((site) => site.site.tenants.map((tenant) => tenant.id)))];
  const signInLimit = options.rateLimit?.signIn ? { limiter: options.rateLimit.limiter, limit: options.rateLimit.signIn } : undefined;
  const authDeps = options.accounts ? { accounts: options.accounts, knownTenants, ...(signInLimit ? { signInLimit } : {}) } : undefined;
  if (authDeps) app.use(signInRouter(authDeps));
  app.use('/api', authenticate(options.authenticator));
  if (options.rateLimit) app.use('/api', rateLimit(options.rateLimit.limiter, options.rateLimit.limits));
  app.use('/api', authorize(app));
  // A site whose store is down (Postgres unreachable; server/site/site-runner.ts) answers at once instead of waiting.
  const storeDown: express.RequestHandler = (req, res, next) => {
    const site = sites.get(String(req.params['siteId']));
    if (site === undefined || site.storeAvailable) return next();
    res.setHeader('Retry-After', '1');
    sendError(res, 503, 'STORE_UNAVAILABLE', 'storage is unavailable; retry', { siteId: site.siteId });
  };
  app.use(['/api/sites/:siteId', '/api/portal/sites/:siteId'], storeDown);
  if (authDeps) app.use(authRouter(authDeps));
  else app.get('/api/auth/me', (_req, res) => void res.json({ principal: res.locals['principal'] as unknown }));

  app.get('/api/sites', (_req, res) => {
    res.json({ sites: options.deploymentSites?.() ?? sites.list().map((site) => ({ id: site.siteId, name: site.site.name })) });
  });
  // The layout is static and large (944 KB of JSON for 20,000 bins, 48 KB gzipped): compressed once per site.
  const gzippedLayouts = new Map<string, Buffer>();
  app.get('/api/sites/:siteId/layout', (req, res) => {
    const site = siteFrom(sites, req, res);
    if (!site) return;
    res.vary('Accept-Encoding');
    if (!req.acceptsEncodings('gzip')) return void res.json(options.layoutOf(site.siteId));
    let body = gzippedLayouts.get(site.siteId);
    if (body === undefined) {
      body = gzipSync(JSON.stringify(options.layoutOf(site.siteId)));
      gzippedLayouts.set(site.siteId, body);
    }
    res.set({ 'Content-Type': 'application/json; charset=utf-8', 'Content-Encoding': 'gzip' }).send(body);
  });

  app.get('/api/sites/:siteId/summary', async (req, res) => {
    const site = siteFrom(sites, req, res);
    if (!site) return;
    const summary = await site.read((twin) => ({
      siteId: site.siteId,
      seq: twin.seq,
      at: new Date(twin.now).toISOString(),
      counters: countersOf(twin),
      operatives: twin.operatives.size,
    }));
    res.json(summary);
  });

  app.use(orderImportRouter(sites));
  app.use(ordersRouter(sites, options.idempotency ? { idempotency: options.idempotency } : {}));
  app.use(wavesRouter(sites));
  app.use(stockRouter(sites));
  app.use(operativesRouter(sites));
  app.use(blocksRouter(sites));
  for (const router of options.routers ?? []) app.use(router);

  app.use('/api', (req, res) => sendError(res, 404, 'NOT_FOUND', `no route ${req.method} ${req.path}`));

  if (options.clientDir && existsSync(options.clientDir)) {
    const clientDir = options.clientDir;
    // Hashed assets may be cached; index.html must not be, or a rebuilt client is not picked up.
    app.use(
      express.static(clientDir, {
        index: 'index.html',
        maxAge: '1h',
        setHeaders: (res, filePath) => {
          if (filePath.endsWith('.html')) res.setHeader('Cache-Control', 'no-cache');
        },
      }),
    );
    // Client-side routes (/picker and the like) get the app shell.
    app.get(/^\/(?!api\/|socket\.io\/).*/, (_req, res) => res.sendFile('index.html', { root: clientDir, headers: { 'Cache-Control': 'no-cache' } }));
  }

  app.use(errorHandler);
  return app;
}
