/**
 * Sales-channel webhooks in: `POST /webhooks/shopify/:connectionId` and `POST /webhooks/woocommerce/:connectionId`.
 * Each delivery is authenticated on its raw bytes (HMAC-SHA256, any current secret), deduplicated and stored in the
 * inbox, then acknowledged at once; the InboxProcessor turns it into twin commands later. A rejected delivery stores
 * nothing. Mount this router before any body parser: the signature covers the exact bytes sent.
 *
 * Topics: Shopify orders/create|updated|cancelled and Woo order.created|updated|deleted|restored are stored 'pending';
 * any other topic is stored 'ignored' (200, kept for the record, never processed), so a misconfigured subscription shows
 * up in `GET /api/channels/:id/inbox?status=ignored` instead of failing the channel's delivery.
 */
import express, { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import type pg from 'pg';
import { sendError } from '../api/http-error.ts';
import { Id } from '../api/params.ts';
import { loadConnection, type ChannelConnection, type ChannelKind } from './connections.pg.ts';
import { verifyHmacBase64 } from './hmac.ts';
import { insertInbox } from './inbox.pg.ts';
import { parseJsonExact } from './json-bigint.ts';
import { shopifyOrderId } from './shopify-order.ts';
import { isWooPing } from './woo-order.ts';

export interface WebhookDeps {
  readonly pool: pg.Pool;
  readonly schema: string;
  /** Called after a delivery is stored, e.g. `() => processor.wake()`. Never awaited. */
  readonly onStored?: () => void;
  readonly log?: (message: string, error?: unknown) => void;
}

export const SHOPIFY_ORDER_TOPICS: ReadonlySet<string> = new Set(['orders/create', 'orders/updated', 'orders/cancelled']);
export const WOO_ORDER_TOPICS: ReadonlySet<string> = new Set(['order.created', 'order.updated', 'order.deleted', 'order.restored']);

const rawBody = express.raw({ type: () => true, limit: '1mb' });

function header(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first.trim() === '' ? undefined : first.trim();
}

/** Woo sends its home URL with a trailing slash; compare case-insensitively and with exactly one trailing slash. */
function sameSource(a: string, b: string): boolean {
  const norm = (url: string): string => url.trim().toLowerCase().replace(/\/+$/, '') + '/';
  return norm(a) === norm(b);
}

function bodyOf(req: Request): Buffer {
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}

/** The connection named in the path, of the path's kind; answers 404/503 and returns null otherwise. */
async function connectionFor(deps: WebhookDeps, kind: ChannelKind, req: Request, res: Response): Promise<ChannelConnection | null> {
  const parsed = Id.safeParse(req.params['connectionId']);
  if (!parsed.success) {
    sendError(res, 404, 'UNKNOWN_CONNECTION', 'no such channel connection');
    return null;
  }
  let connection: ChannelConnection | null;
  try {
    connection = await loadConnection(deps.pool, deps.schema, parsed.data);
  } catch (error) {
    deps.log?.('webhook: could not load the channel connection', error);
    res.setHeader('Retry-After', '5');
    sendError(res, 503, 'UNAVAILABLE', 'storage is unavailable; retry');
    return null;
  }
  if (connection === null || connection.kind !== kind) {
    sendError(res, 404, 'UNKNOWN_CONNECTION', `no ${kind} connection '${parsed.data}'`, { connectionId: parsed.data });
    return null;
  }
  return connection;
}

/** Parses a verified body; answers 400 and returns undefined when it is not JSON. */
function parsedBody(raw: Buffer, res: Response): unknown {
  try {
    return parseJsonExact(raw.toString('utf8'));
  } catch {
    sendError(res, 400, 'MALFORMED_JSON', 'the signed body is not valid JSON');
    return undefined;
  }
}

async function store(deps: WebhookDeps, res: Response, row: Parameters<typeof insertInbox>[2]): Promise<void> {
  let outcome: 'stored' | 'duplicate';
  try {
    outcome = await insertInbox(deps.pool, deps.schema, row);
  } catch (error) {
    // Not stored, so not acknowledged: the channel retries (Shopify) or the reconciliation poll catches up (Woo).
    deps.log?.(`webhook: could not store delivery ${row.deliveryId} of ${row.connectionId}`, error);
    res.setHeader('Retry-After', '5');
    return sendError(res, 503, 'UNAVAILABLE', 'storage is unavailable; retry');
  }
  res.status(200).json({ status: outcome === 'duplicate' ? 'duplicate' : row.status === 'ignored' ? 'ignored' : 'stored' });
  if (outcome === 'stored' && row.status !== 'ignored') deps.onStored?.();
}

/**
 * The webhook endpoints. Mount at the app root before `express.json()`. `deps` may be a function for a server that
 * listens before its database is ready: while it returns undefined, deliveries get 503 (the channel retries).
 */
export function webhookRouter(deps: WebhookDeps | (() => WebhookDeps | undefined)): Router {
  const router = Router();
  const ready = (res: Response): WebhookDeps | undefined => {
    const resolved = typeof deps === 'function' ? deps() : deps;
    if (resolved === undefined) {
      res.setHeader('Retry-After', '5');
      sendError(res, 503, 'STARTING', 'the server is still loading; retry shortly');
    }
    return resolved;
  };

  router.post('/webhooks/shopify/:connectionId', rawBody, async (req, res) => {
    const deps = ready(res);
    if (!deps) return;
    const connection = await connectionFor(deps, 'shopify', req, res);
    if (!connection) return;
    const shop = header(req, 'x-shopify-shop-domain');
    if (shop === undefined || shop.toLowerCase() !== connection.shop.toLowerCase())
      return sendError(res, 403, 'SHOP_MISMATCH', 'X-Shopify-Shop-Domain does not match this connection');
    const raw = bodyOf(req);
    if (!verifyHmacBase64(raw, header(req, 'x-shopify-hmac-sha256'), connection.secrets))
      return sendError(res, 401, 'INVALID_SIGNATURE', 'X-Shopify-Hmac-Sha256 does not match the body');
    const topic = header(req, 'x-shopify-topic');
    const webhookId = header(req, 'x-shopify-webhook-id');
    if (topic === undefined || webhookId === undefined)
      return sendError(res, 400, 'MISSING_HEADER', 'X-Shopify-Topic and X-Shopify-Webhook-Id are required', { topic: topic ?? null, webhookId: webhookId ?? null });
    const payload = parsedBody(raw, res);
    if (payload === undefined) return;
    const handled = SHOPIFY_ORDER_TOPICS.has(topic);
    await store(deps, res, {
      connectionId: connection.id,
      deliveryId: webhookId,
      eventId: header(req, 'x-shopify-event-id') ?? null,
      topic,
      externalOrderId: handled ? shopifyOrderId(payload) : null,
      triggeredAt: header(req, 'x-shopify-triggered-at') ?? null,
      body: raw.toString('utf8'),
      ...(handled ? {} : { status: 'ignored' as const, result: { reason: `topic ${topic} is not handled` } }),
    });
  });

  router.post('/webhooks/woocommerce/:connectionId', rawBody, async (req, res) => {
    const deps = ready(res);
    if (!deps) return;
    const connection = await connectionFor(deps, 'woocommerce', req, res);
    if (!connection) return;
    const raw = bodyOf(req);
    const signature = header(req, 'x-wc-webhook-signature');
    // WooCommerce pings a new webhook with an unsigned form body and disables it unless the answer is exactly 200.
    if (signature === undefined && isWooPing(raw)) {
      res.status(200).json({ status: 'ping' });
      return;
    }
    const source = header(req, 'x-wc-webhook-source');
    if (source === undefined || !sameSource(source, connection.shop))
      return sendError(res, 403, 'SHOP_MISMATCH', 'X-WC-Webhook-Source does not match this connection');
    if (!verifyHmacBase64(raw, signature, connection.secrets))
      return sendError(res, 401, 'INVALID_SIGNATURE', 'X-WC-Webhook-Signature does not match the body');
    const topic = header(req, 'x-wc-webhook-topic');
    const deliveryId = header(req, 'x-wc-webhook-delivery-id');
    const webhookId = header(req, 'x-wc-webhook-id');
    if (topic === undefined || deliveryId === undefined || webhookId === undefined)
      return sendError(res, 400, 'MISSING_HEADER', 'X-WC-Webhook-Topic, -ID and -Delivery-ID are required');
    const payload = parsedBody(raw, res);
    if (payload === undefined) return;
    const handled = WOO_ORDER_TOPICS.has(topic);
    const id = typeof payload === 'object' && payload !== null ? (payload as { id?: unknown }).id : undefined;
    await store(deps, res, {
      connectionId: connection.id,
      deliveryId: `${webhookId}:${deliveryId}`,
      topic,
      externalOrderId: handled && (typeof id === 'number' || typeof id === 'string') ? String(id) : null,
      body: raw.toString('utf8'),
      ...(handled ? {} : { status: 'ignored' as const, result: { reason: `topic ${topic} is not handled` } }),
    });
  });

  // Body-reader failures on these routes: answer in our shape with the right limit.
  const onError: ErrorRequestHandler = (error: unknown, _req, res, next) => {
    const e = error as { type?: string };
    if (res.headersSent) return next(error);
    if (e.type === 'entity.too.large') return sendError(res, 413, 'PAYLOAD_TOO_LARGE', 'webhook body exceeds 1 MB');
    if (e.type === 'request.aborted') return sendError(res, 400, 'BAD_REQUEST', 'request aborted');
    next(error);
  };
  router.use('/webhooks', onError);
  return router;
}
