/** The express application: JSON routes, health, and the built web client. No business logic lives here. */
import { existsSync } from 'node:fs';
import express from 'express';
import type { LayoutView } from '../protocol/floor.ts';
import { countersOf } from '../twin/floor-view.ts';
import { blocksRouter } from './blocks.routes.ts';
import { errorHandler, sendError } from './http-error.ts';
import { operativesRouter } from './operatives.routes.ts';
import { ordersRouter } from './orders.routes.ts';
import { siteFrom } from './params.ts';
import type { SiteRegistry } from './sites.ts';
import { stockRouter } from './stock.routes.ts';

export interface AppOptions {
  readonly sites: SiteRegistry;
  /** False until every site is loaded; /healthz answers 503 until then. */
  readonly isReady: () => boolean;
  /** Static geometry per site, built once. */
  readonly layoutOf: (siteId: string) => LayoutView;
  /** Folder with the built client (index.html); served when it exists. */
  readonly clientDir?: string;
}

export function createApp(options: AppOptions): express.Express {
  const { sites } = options;
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');

  app.get('/healthz', (_req, res) => {
    if (options.isReady()) res.json({ status: 'ok' });
    else res.status(503).json({ status: 'starting' });
  });

  app.use('/api', (req, res, next) => {
    if (!options.isReady()) return sendError(res, 503, 'STARTING', 'the server is still loading; retry shortly');
    // Writes must be JSON: a form or text body is a client mistake, not an empty order.
    if ((req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH') && req.headers['content-length'] !== '0' && !req.is('application/json'))
      return sendError(res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
    next();
  });
  app.use('/api', express.json({ limit: '256kb', strict: true }));

  app.get('/api/sites', (_req, res) => {
    res.json({ sites: sites.list().map((site) => ({ id: site.siteId, name: site.site.name })) });
  });
  app.get('/api/sites/:siteId/layout', (req, res) => {
    const site = siteFrom(sites, req, res);
    if (site) res.json(options.layoutOf(site.siteId));
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

  app.use(ordersRouter(sites));
  app.use(stockRouter(sites));
  app.use(operativesRouter(sites));
  app.use(blocksRouter(sites));

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
