/**
 * Orders: create (optionally allocating in the same request), allocate, release, cancel, query. Thin: parse, submit,
 * map the result. Creation and cancellation honour `Idempotency-Key` (see idempotency.ts).
 */
import { randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { SiteRunner } from '../site/site-runner.ts';
import type { Address } from '../twin/commands.ts';
import type { DomainError } from '../twin/errors.ts';
import { asOrderId, asSkuId, asTenantId, epochMs, type OrderId } from '../twin/ids.ts';
import type { OrderState, TwinState } from '../twin/state.ts';
import { deriveOrderId, errorResponse, idempotencyKeyOf, requestHash, type IdempotencyStore, type StoredResponse } from './idempotency.ts';
import { sendDomainError, sendError } from './http-error.ts';
import { Id, Limit, Offset, Quantity, parseOr400, siteFrom } from './params.ts';
import type { SiteRegistry } from './sites.ts';

/** A delivery address; strict, so a misspelt field is an error rather than silently lost. */
export const AddressBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    company: z.string().trim().min(1).max(200).optional(),
    line1: z.string().trim().min(1).max(200),
    line2: z.string().trim().min(1).max(200).optional(),
    city: z.string().trim().min(1).max(100),
    region: z.string().trim().min(1).max(100).optional(),
    postcode: z.string().trim().min(1).max(20),
    country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code in capitals, e.g. GB'),
    phone: z.string().trim().min(1).max(40).optional(),
    email: z.email().max(254).optional(),
  })
  .strict();

/** Requested shipping service: 'standard' | 'express' | 'next-day', or a carrier's own name. */
export const ServiceName = z.string().trim().min(1).max(32);
/** An ISO 8601 date-time with a zone (Z or ±hh:mm). */
export const IsoDateTime = z.iso.datetime({ offset: true });

const CreateOrderBody = z
  .object({
    orderId: Id.optional(),
    tenantId: Id,
    externalRef: z.string().min(1).max(128).optional(),
    priority: z.number().int().min(0).max(9).optional(),
    lines: z
      .array(z.object({ skuId: Id, qty: Quantity }).strict())
      .min(1, 'an order needs at least one line')
      .max(1000, 'at most 1,000 lines per order'),
    shipTo: AddressBody.optional(),
    service: ServiceName.optional(),
    dueAt: IsoDateTime.optional(),
    // 'none' (the default) keeps the old behaviour: create only. Otherwise the order is allocated in the same request.
    allocate: z.enum(['all-or-nothing', 'partial', 'none']).default('none'),
  })
  .strict();
type CreateOrderBody = z.infer<typeof CreateOrderBody>;

const MAX_TTL_MS = 7 * 24 * 3600_000;
const AllocateBody = z
  .object({ policy: z.enum(['all-or-nothing', 'partial']).optional(), ttlMs: z.number().int().positive().max(MAX_TTL_MS).optional() })
  .strict();
const CancelBody = z.object({ reason: z.string().trim().min(1).max(500) }).strict();
const OrderStatus = z.enum(['open', 'allocated', 'released', 'picked', 'packed', 'despatched', 'cancelled']);
const OrdersQuery = z.object({ status: OrderStatus.optional(), tenantId: Id.optional(), limit: Limit, offset: Offset }).strict();

/** Epoch ms as ISO 8601, or null. */
function isoOrNull(ms: number | null | undefined): string | null {
  return typeof ms === 'number' ? new Date(ms).toISOString() : null;
}

/** The public view of an order. */
export function orderView(order: OrderState, twin: TwinState) {
  return {
    id: order.id,
    tenantId: order.tenantId,
    channel: order.channel,
    externalRef: order.externalRef,
    status: order.status,
    priority: order.priority,
    createdAt: new Date(order.createdAt).toISOString(),
    dueAt: isoOrNull(order.dueAt),
    service: order.service,
    shipTo: order.shipTo,
    holdUntil: isoOrNull(order.holdUntil),
    sscc: order.sscc,
    cartonCode: order.cartonCode,
    weightG: order.weightG,
    carrier: order.carrier,
    trackingNumber: order.trackingNumber,
    cancelReason: order.cancelReason,
    despatchedAt: isoOrNull(order.despatchedAt),
    lines: order.lines.map((line) => ({ ...line })),
    tasks: order.taskIds.map((id) => {
      const task = twin.tasks.get(id);
      return task ? { id, locationId: task.locationId, skuId: task.skuId, qty: task.qty, status: task.status } : { id };
    }),
  };
}

function orderViewById(twin: TwinState, orderId: OrderId) {
  const order = twin.orders.get(orderId);
  return order ? orderView(order, twin) : null;
}

/** A domain error as status + body, exactly as `sendDomainError` would answer it (for storing under a key). */
function domainErrorResponse(error: DomainError | { readonly code: 'UNAVAILABLE'; readonly message: string }): StoredResponse {
  let status = 500;
  let body: unknown = null;
  // Reuses the one status table in http-error.ts instead of copying it.
  const recorder = {
    setHeader: () => recorder,
    status(code: number) {
      status = code;
      return recorder;
    },
    json(value: unknown) {
      body = value;
      return recorder;
    },
  };
  sendDomainError(recorder as unknown as Response, error);
  return { status, body };
}

/** Sends a (possibly replayed) answer with the headers its status implies. */
function sendStored(res: Response, siteId: string, response: StoredResponse): void {
  const id = (response.body as { id?: unknown } | null)?.id;
  if (response.status === 201 && typeof id === 'string') res.location(`/api/sites/${siteId}/orders/${id}`);
  if (response.status === 503 || (response.status === 409 && isCode(response.body, 'REQUEST_IN_PROGRESS'))) res.setHeader('Retry-After', '1');
  res.status(response.status).json(response.body);
}

function isCode(body: unknown, code: string): boolean {
  return (body as { error?: { code?: unknown } } | null)?.error?.code === code;
}

/**
 * Creates the order and, when asked, allocates it. An all-or-nothing allocation that finds too little stock leaves the
 * order open and still answers 201, with `allocation: { ok: false, error }`. `recovering`: this request took over an
 * Idempotency-Key whose first request died; if that one committed the order (DUPLICATE_ORDER on the derived id), we
 * finish its work and answer as it would have.
 */
async function createOrder(site: SiteRunner, body: CreateOrderBody, orderId: OrderId, recovering: boolean): Promise<StoredResponse> {
  const created = await site.submit({
    type: 'createOrder',
    orderId,
    tenantId: asTenantId(body.tenantId),
    channel: 'api',
    lines: body.lines.map((line) => ({ skuId: asSkuId(line.skuId), qty: line.qty })),
    ...(body.externalRef === undefined ? {} : { externalRef: body.externalRef }),
    ...(body.priority === undefined ? {} : { priority: body.priority }),
    ...(body.shipTo === undefined ? {} : { shipTo: body.shipTo satisfies Address }),
    ...(body.service === undefined ? {} : { service: body.service }),
    ...(body.dueAt === undefined ? {} : { dueAt: epochMs(Date.parse(body.dueAt)) }),
  });
  let existingStatus: string | undefined;
  if (!created.ok) {
    const details = 'details' in created.error ? created.error.details : undefined;
    const committedBefore = recovering && created.error.code === 'DUPLICATE_ORDER' && details?.['orderId'] === orderId;
    if (!committedBefore) return domainErrorResponse(created.error);
    existingStatus = await site.read((twin) => {
      const order = twin.orders.get(orderId);
      return order && order.tenantId === body.tenantId ? order.status : undefined;
    });
    if (existingStatus === undefined) return domainErrorResponse(created.error);
  }
  let allocation: { ok: true; policy: string } | { ok: false; policy: string; error: unknown } | undefined;
  if (body.allocate !== 'none' && (existingStatus === undefined || existingStatus === 'open')) {
    const allocated = await site.submit({ type: 'allocateOrder', orderId, policy: body.allocate });
    allocation = allocated.ok
      ? { ok: true, policy: body.allocate }
      : { ok: false, policy: body.allocate, error: (domainErrorResponse(allocated.error).body as { error: unknown }).error };
  } else if (body.allocate !== 'none' && existingStatus !== 'cancelled') {
    // Recovering an order the first request already allocated (it is past 'open').
    allocation = { ok: true, policy: body.allocate };
  }
  const view = await site.read((twin) => orderViewById(twin, orderId));
  if (!view) return errorResponse(500, 'INTERNAL', `order ${orderId} vanished after it was created`);
  return { status: 201, body: allocation === undefined ? view : { ...view, allocation } };
}

export interface OrdersRouterOptions {
  /** Where Idempotency-Keys are kept; without it a request carrying the header is refused (501), never run twice. */
  readonly idempotency?: IdempotencyStore;
}

export function ordersRouter(sites: SiteRegistry, options: OrdersRouterOptions = {}): Router {
  const router = Router();
  const { idempotency } = options;

  /**
   * Runs `execute` once per Idempotency-Key (or plainly without one) and sends the answer. `scope` names the site and
   * route; the hash covers the concrete path and the body.
   */
  async function withKey(
    req: Request,
    res: Response,
    site: SiteRunner,
    key: string | undefined,
    route: string,
    execute: (recovering: boolean) => Promise<StoredResponse>,
  ): Promise<void> {
    if (key === undefined) return sendStored(res, site.siteId, await execute(false));
    if (!idempotency) return sendError(res, 501, 'IDEMPOTENCY_UNAVAILABLE', 'Idempotency-Key is not supported by this server');
    const scope = `${site.siteId} ${route}`;
    const hash = requestHash('POST', req.path, req.body ?? {});
    sendStored(res, site.siteId, await idempotency.run(scope, key, hash, (attempt) => execute(attempt.reclaimed)));
  }

  router.post('/api/sites/:siteId/orders', async (req, res) => {
    const site = siteFrom(sites, req, res);
    const body = site && parseOr400(CreateOrderBody, req.body, res, 'body');
    if (!site || !body) return;
    const keyOf = idempotencyKeyOf(req);
    if ('error' in keyOf) return sendError(res, 400, 'INVALID_IDEMPOTENCY_KEY', keyOf.error);
    // With a key the order id is derived from it, so a retry after a crash names the same order (never a second one).
    const orderId = asOrderId(
      body.orderId ?? (keyOf.key === undefined ? `ORD-${randomUUID()}` : deriveOrderId(site.siteId, body.tenantId, 'key', keyOf.key)),
    );
    await withKey(req, res, site, keyOf.key, 'POST /orders', (recovering) => createOrder(site, body, orderId, recovering));
  });

  router.post('/api/sites/:siteId/orders/:orderId/allocate', async (req, res) => {
    const site = siteFrom(sites, req, res);
    const orderId = site && parseOr400(Id, req.params['orderId'], res, 'path');
    const body = orderId && parseOr400(AllocateBody, req.body ?? {}, res, 'body');
    if (!site || !orderId || !body) return;
    const result = await site.submit({
      type: 'allocateOrder',
      orderId: asOrderId(orderId),
      ...(body.policy ? { policy: body.policy } : {}),
      ...(body.ttlMs === undefined ? {} : { ttlMs: body.ttlMs }),
    });
    if (!result.ok) return sendDomainError(res, result.error);
    res.json(await site.read((twin) => orderViewById(twin, asOrderId(orderId))));
  });

  router.post('/api/sites/:siteId/orders/:orderId/release', async (req, res) => {
    const site = siteFrom(sites, req, res);
    const orderId = site && parseOr400(Id, req.params['orderId'], res, 'path');
    if (!site || !orderId) return;
    const result = await site.submit({ type: 'releaseOrder', orderId: asOrderId(orderId) });
    if (!result.ok) return sendDomainError(res, result.error);
    res.json(await site.read((twin) => orderViewById(twin, asOrderId(orderId))));
  });

  router.post('/api/sites/:siteId/orders/:orderId/cancel', async (req, res) => {
    const site = siteFrom(sites, req, res);
    const orderId = site && parseOr400(Id, req.params['orderId'], res, 'path');
    const body = orderId && parseOr400(CancelBody, req.body ?? {}, res, 'body');
    if (!site || !orderId || !body) return;
    const keyOf = idempotencyKeyOf(req);
    if ('error' in keyOf) return sendError(res, 400, 'INVALID_IDEMPOTENCY_KEY', keyOf.error);
    await withKey(req, res, site, keyOf.key, 'POST /orders/:orderId/cancel', async (recovering) => {
      const result = await site.submit({ type: 'cancelOrder', orderId: asOrderId(orderId), reason: body.reason });
      const view = await site.read((twin) => orderViewById(twin, asOrderId(orderId)));
      // Taking over from a request that died after cancelling: answer as it would have.
      const cancelledBefore = recovering && view?.status === 'cancelled' && view.cancelReason === body.reason;
      if (!result.ok && !cancelledBefore) return domainErrorResponse(result.error);
      return { status: 200, body: view };
    });
  });

  router.get('/api/sites/:siteId/orders', async (req, res) => {
    const site = siteFrom(sites, req, res);
    const query = site && parseOr400(OrdersQuery, req.query, res, 'query');
    if (!site || !query) return;
    const page = await site.read((twin) => {
      const matching = [...twin.orders.values()].filter(
        (order) => (query.status === undefined || order.status === query.status) && (query.tenantId === undefined || order.tenantId === query.tenantId),
      );
      return {
        total: matching.length,
        orders: matching.slice(query.offset, query.offset + query.limit).map((order) => orderView(order, twin)),
      };
    });
    res.json(page);
  });

  router.get('/api/sites/:siteId/orders/:orderId', async (req, res) => {
    const site = siteFrom(sites, req, res);
    const orderId = site && parseOr400(Id, req.params['orderId'], res, 'path');
    if (!site || !orderId) return;
    const view = await site.read((twin) => orderViewById(twin, asOrderId(orderId)));
    if (!view) return sendError(res, 404, 'UNKNOWN_ORDER', `no order '${orderId}'`, { orderId });
    res.json(view);
  });

  return router;
}
