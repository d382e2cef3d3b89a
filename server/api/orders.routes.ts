/** Orders: create, allocate, release, query. Thin: parse, submit one command, map the result. */
import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { asOrderId, asSkuId, asTenantId, type OrderId } from '../twin/ids.ts';
import type { OrderState, TwinState } from '../twin/state.ts';
import { sendDomainError, sendError } from './http-error.ts';
import { Id, Limit, Offset, Quantity, parseOr400, siteFrom } from './params.ts';
import type { SiteRegistry } from './sites.ts';

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
  })
  .strict();

const AllocateBody = z.object({ policy: z.enum(['all-or-nothing', 'partial']).optional() }).strict();
const OrderStatus = z.enum(['open', 'allocated', 'released', 'picked', 'packed', 'despatched', 'cancelled']);
const OrdersQuery = z.object({ status: OrderStatus.optional(), tenantId: Id.optional(), limit: Limit, offset: Offset }).strict();

/** The public view of an order. */
export function orderView(order: OrderState, twin: TwinState) {
  return {
    id: order.id,
    tenantId: order.tenantId,
    externalRef: order.externalRef,
    status: order.status,
    priority: order.priority,
    createdAt: new Date(order.createdAt).toISOString(),
    despatchedAt: order.despatchedAt === null ? null : new Date(order.despatchedAt).toISOString(),
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

export function ordersRouter(sites: SiteRegistry): Router {
  const router = Router();

  router.post('/api/sites/:siteId/orders', async (req, res) => {
    const site = siteFrom(sites, req, res);
    const body = site && parseOr400(CreateOrderBody, req.body, res, 'body');
    if (!site || !body) return;
    const orderId = asOrderId(body.orderId ?? `ORD-${randomUUID()}`);
    const result = await site.submit({
      type: 'createOrder',
      orderId,
      tenantId: asTenantId(body.tenantId),
      lines: body.lines.map((line) => ({ skuId: asSkuId(line.skuId), qty: line.qty })),
      ...(body.externalRef === undefined ? {} : { externalRef: body.externalRef }),
      ...(body.priority === undefined ? {} : { priority: body.priority }),
    });
    if (!result.ok) return sendDomainError(res, result.error);
    const view = await site.read((twin) => orderViewById(twin, orderId));
    res.status(201).location(`/api/sites/${site.siteId}/orders/${orderId}`).json(view);
  });

  router.post('/api/sites/:siteId/orders/:orderId/allocate', async (req, res) => {
    const site = siteFrom(sites, req, res);
    const orderId = site && parseOr400(Id, req.params['orderId'], res, 'path');
    const body = orderId && parseOr400(AllocateBody, req.body ?? {}, res, 'body');
    if (!site || !orderId || !body) return;
    const result = await site.submit({ type: 'allocateOrder', orderId: asOrderId(orderId), ...(body.policy ? { policy: body.policy } : {}) });
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
