/**
 * Channel administration: create a connection, read it (never its secrets or token), map SKUs to channel items, and
 * look at the webhook inbox. Mounted after the app's JSON parser (under /api).
 */
import { Router, type Request, type Response } from 'express';
import type pg from 'pg';
import { z } from 'zod';
import { sendError } from '../api/http-error.ts';
import { Id, Limit, Offset, parseOr400 } from '../api/params.ts';
import type { SiteRegistry } from '../api/sites.ts';
import { ConnectionExistsError, createConnection, listItems, loadConnection, upsertItems, type ChannelConnection } from './connections.pg.ts';
import { listInbox } from './inbox.pg.ts';

export interface ChannelsDeps {
  readonly pool: pg.Pool;
  readonly schema: string;
  /** The sites this process runs: a connection's site, tenant and mapped SKUs are checked against them. */
  readonly sites: SiteRegistry;
}

const Secret = z.string().min(8, 'at least 8 characters').max(512);
const ShopDomain = z.string().regex(/^[a-z0-9][a-z0-9.-]*\.[a-z0-9-]+(:\d+)?$/i, 'a shop domain, e.g. acme.myshopify.com');
const HttpUrl = z.url({ protocol: /^https?$/ }).max(500);

const CreateConnectionBody = z
  .object({
    id: Id,
    kind: z.enum(['shopify', 'woocommerce']),
    siteId: Id,
    tenantId: Id,
    /** Shopify: the shop domain; WooCommerce: the site URL (X-WC-Webhook-Source). */
    shop: z.string().min(1).max(300),
    secrets: z.array(Secret).min(1).max(3),
    apiBaseUrl: HttpUrl,
    apiToken: z.string().min(1).max(1000),
    apiVersion: z.string().regex(/^[0-9a-z.-]{1,20}$/i).optional(),
    locationId: z.string().min(1).max(200).optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.kind === 'shopify' && !ShopDomain.safeParse(body.shop).success)
      ctx.addIssue({ code: 'custom', path: ['shop'], message: 'a shop domain, e.g. acme.myshopify.com' });
    if (body.kind === 'woocommerce' && !HttpUrl.safeParse(body.shop).success)
      ctx.addIssue({ code: 'custom', path: ['shop'], message: 'the store URL, e.g. https://shop.example/' });
    if (body.kind === 'woocommerce' && !/^ck_[^:]+:cs_.+$/.test(body.apiToken))
      ctx.addIssue({ code: 'custom', path: ['apiToken'], message: "WooCommerce keys as 'ck_…:cs_…'" });
  });

const ItemMapping = z.object({ skuId: Id, externalItemId: z.string().min(1).max(200) }).strict();
const ItemsBody = z.union([z.array(ItemMapping).max(10_000), z.object({ items: z.array(ItemMapping).max(10_000) }).strict()]);
const InboxQuery = z.object({ status: z.enum(['pending', 'done', 'ignored', 'failed']).optional(), limit: Limit, offset: Offset }).strict();

/** A connection as clients see it: no webhook secrets, no API token. */
export function connectionView(c: ChannelConnection) {
  return {
    id: c.id,
    kind: c.kind,
    siteId: c.siteId,
    tenantId: c.tenantId,
    shop: c.shop,
    apiBaseUrl: c.apiBaseUrl,
    apiVersion: c.apiVersion,
    locationId: c.locationId,
    pollCursor: c.pollCursor,
    createdAt: c.createdAt,
    secretsCount: c.secrets.length,
    webhookPath: `/webhooks/${c.kind}/${c.id}`,
  };
}

/**
 * The admin routes. `deps` may be a function for a server that listens before its database is ready (the app's /api
 * guard answers 503 until then; a route reached without deps answers 503 too).
 */
export function channelsRouter(depsOrGetter: ChannelsDeps | (() => ChannelsDeps | undefined)): Router {
  const router = Router();
  const resolve = (): ChannelsDeps | undefined => (typeof depsOrGetter === 'function' ? depsOrGetter() : depsOrGetter);
  router.use('/api/channels', (_req, res, next) => {
    if (resolve() === undefined) return sendError(res, 503, 'STARTING', 'the server is still loading; retry shortly');
    next();
  });
  const deps = {
    get pool() {
      return (resolve() as ChannelsDeps).pool;
    },
    get schema() {
      return (resolve() as ChannelsDeps).schema;
    },
    get sites() {
      return (resolve() as ChannelsDeps).sites;
    },
  };

  async function connectionFrom(req: Request, res: Response): Promise<ChannelConnection | undefined> {
    const id = parseOr400(Id, req.params['id'], res, 'path');
    if (id === undefined) return undefined;
    const connection = await loadConnection(deps.pool, deps.schema, id);
    if (connection === null) sendError(res, 404, 'UNKNOWN_CONNECTION', `no channel connection '${id}'`, { connectionId: id });
    return connection ?? undefined;
  }

  router.post('/api/channels', async (req, res) => {
    const body = parseOr400(CreateConnectionBody, req.body, res, 'body');
    if (!body) return;
    const site = deps.sites.get(body.siteId);
    if (!site) return sendError(res, 422, 'UNKNOWN_SITE', `no site '${body.siteId}'`, { siteId: body.siteId });
    if (!site.site.tenants.some((tenant) => tenant.id === body.tenantId))
      return sendError(res, 422, 'UNKNOWN_TENANT', `no tenant '${body.tenantId}' at site '${body.siteId}'`, { tenantId: body.tenantId });
    // Woo sends its home URL with a trailing slash; store it that way so the Source check is exact.
    const shop = body.kind === 'shopify' ? body.shop.toLowerCase() : body.shop.replace(/\/*$/, '/');
    try {
      const created = await createConnection(deps.pool, deps.schema, {
        id: body.id,
        kind: body.kind,
        siteId: body.siteId,
        tenantId: body.tenantId,
        shop,
        secrets: body.secrets,
        apiBaseUrl: body.apiBaseUrl,
        apiToken: body.apiToken,
        ...(body.apiVersion === undefined ? {} : { apiVersion: body.apiVersion }),
        locationId: body.locationId ?? null,
      });
      res.status(201).location(`/api/channels/${created.id}`).json(connectionView(created));
    } catch (error) {
      if (error instanceof ConnectionExistsError)
        return sendError(res, 409, 'DUPLICATE_CONNECTION', error.message, { field: error.field });
      throw error;
    }
  });

  router.get('/api/channels/:id', async (req, res) => {
    const connection = await connectionFrom(req, res);
    if (connection) res.json(connectionView(connection));
  });

  router.get('/api/channels/:id/items', async (req, res) => {
    const connection = await connectionFrom(req, res);
    if (connection) res.json({ items: await listItems(deps.pool, deps.schema, connection.id) });
  });

  router.put('/api/channels/:id/items', async (req, res) => {
    const connection = await connectionFrom(req, res);
    const body = connection && parseOr400(ItemsBody, req.body, res, 'body');
    if (!connection || !body) return;
    const items = Array.isArray(body) ? body : body.items;
    const site = deps.sites.get(connection.siteId);
    if (!site) return sendError(res, 409, 'SITE_NOT_RUNNING', `site '${connection.siteId}' is not run by this server`);
    const problems = await site.read((twin) =>
      items.flatMap((item, index) => {
        const sku = twin.skusById.get(item.skuId as never);
        if (sku === undefined) return [{ index, skuId: item.skuId, problem: 'unknown SKU' }];
        if (sku.tenantId !== connection.tenantId) return [{ index, skuId: item.skuId, problem: `belongs to tenant ${sku.tenantId}` }];
        return [];
      }),
    );
    if (problems.length > 0)
      return sendError(res, 422, 'UNKNOWN_SKU', `${problems.length} mapping(s) name SKUs not of tenant ${connection.tenantId}`, { problems });
    res.json({ items: await upsertItems(deps.pool, deps.schema, connection.id, items) });
  });

  router.get('/api/channels/:id/inbox', async (req, res) => {
    const connection = await connectionFrom(req, res);
    const query = connection && parseOr400(InboxQuery, req.query, res, 'query');
    if (!connection || !query) return;
    res.json(await listInbox(deps.pool, deps.schema, connection.id, { ...(query.status ? { status: query.status } : {}), limit: query.limit, offset: query.offset }));
  });

  return router;
}
