/**
 * The 3PL client portal API, `/api/portal/sites/:siteId/...`: a client's own stock, orders, ASNs, returns, invoices,
 * KPIs, SLA and the bins of the read-only floor, plus order / ASN / RMA creation for client admins and integration
 * keys. The tenant is ALWAYS the principal's (`principalOf(res).tenantId`), never the URL or the body; every read is
 * filtered by it, and ids in the path or body (order, ASN, RMA, SKU) are resolved inside it: another tenant's id and a
 * missing one get the same 404 `NOT_FOUND` body, which names only what the caller sent. Thin: parse, read or submit,
 * map; the views are in portal-views.ts.
 */
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { AnalyticsInputError, BUCKETS, METRICS, SITE_ONLY_METRICS, type AnalyticsQueries, type Metric } from '../analytics/analytics-service.ts';
import type { Principal } from '../auth/principal.ts';
import { principalOf } from '../auth/principal.ts';
import { BillingError, type BillingService } from '../billing/billing-service.ts';
import type { LayoutView } from '../protocol/floor.ts';
import type { SiteRunner } from '../site/site-runner.ts';
import type { Address, Command } from '../twin/commands.ts';
import { asOrderId, asSkuId, asTenantId, epochMs, type OrderId } from '../twin/ids.ts';
import { RETURN_REASONS } from '../twin/returns.ts';
import type { TwinState } from '../twin/state.ts';
import { asnView } from './goods-in.routes.ts';
import { sendDomainError, sendError, statusOfDomainError } from './http-error.ts';
import { deriveOrderId, idempotencyKeyOf, requestHash, type IdempotencyStore, type StoredResponse } from './idempotency.ts';
import { AddressBody, IsoDateTime, ServiceName } from './orders.routes.ts';
import { Id, Limit, Offset, Quantity, parseOr400, siteFrom } from './params.ts';
import {
  ownAsn, ownOrder, ownRma, portalAsns, portalFloor, portalOrderView, portalOrders, portalRmas, portalSla, portalStock, portalSummary,
} from './portal-views.ts';
import { rmaView } from './returns.routes.ts';
import type { SiteRegistry } from './sites.ts';

/** The billing use cases the portal passes through, always with the caller's tenant. */
export type PortalBilling = Pick<BillingService, 'invoiceFor' | 'invoiceCsv' | 'invoicePdf' | 'drillDown'>;

export interface PortalRouterOptions {
  readonly sites: SiteRegistry;
  /** Static geometry per site (the same the floor loads), for the read-only floor. */
  readonly layoutOf: (siteId: string) => LayoutView;
  /** Idempotency-Key on order creation (integration keys retry); without it a keyed request is refused (501). */
  readonly idempotency?: IdempotencyStore;
  /** Invoices; without it `GET …/invoices` answers 503 BILLING_UNAVAILABLE. */
  readonly billing?: PortalBilling;
  /** KPIs over time; without it `GET …/analytics` answers 503 ANALYTICS_UNAVAILABLE. */
  readonly analytics?: AnalyticsQueries;
}

/** Roles that may create orders, ASNs and RMAs through the portal (the route policy says the same). */
export const PORTAL_WRITERS: readonly Principal['role'][] = ['client-admin', 'integration'];

/** The metrics a client may chart: every per-tenant one (operatives' time is not split by client). */
export const PORTAL_METRICS = METRICS.filter((m) => !SITE_ONLY_METRICS.includes(m)) as [Metric, ...Metric[]];

const Instant = z.iso.datetime({ offset: true }).or(z.iso.date());
const period = <T extends { from: string; to: string }>(schema: z.ZodType<T>) =>
  schema.refine((q) => Date.parse(q.from) < Date.parse(q.to), { message: 'from must be before to', path: ['to'] });
const StockQuery = z.object({ by: z.enum(['sku', 'lot', 'class']).default('sku'), skuId: Id.optional(), limit: Limit, offset: Offset }).strict();
const OrderStatus = z.enum(['open', 'allocated', 'released', 'picked', 'packed', 'despatched', 'cancelled']);
const OrdersQuery = z.object({ status: OrderStatus.optional(), limit: Limit, offset: Offset }).strict();
const OpenClosedQuery = z.object({ status: z.enum(['open', 'closed']).optional(), limit: Limit, offset: Offset }).strict();
const IsoDate = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'must be a date YYYY-MM-DD');
// A billing period is whole UTC days, `to` included.
const InvoiceQuery = z
  .object({ from: IsoDate, to: IsoDate, format: z.enum(['json', 'csv', 'pdf']).default('json') })
  .strict()
  .refine((q) => q.from <= q.to, { message: 'from must not be after to', path: ['to'] });
const DrillQuery = z
  .object({ from: IsoDate, to: IsoDate, day: IsoDate.optional(), limit: Limit, offset: Offset })
  .strict()
  .refine((q) => q.from <= q.to, { message: 'from must not be after to', path: ['to'] });
const LineCode = z.string().min(1).max(128).regex(/^[A-Za-z0-9][A-Za-z0-9_:.-]*$/, 'must be an invoice line code');
const AnalyticsQuery = period(z.object({ metric: z.enum(PORTAL_METRICS), from: Instant, to: Instant, bucket: z.enum(BUCKETS).default('day') }).strict());
const SlaQuery = z.object({ from: Instant.optional(), to: Instant.optional(), days: z.coerce.number().int().min(1).max(366).default(14) }).strict();
const Lot = z.string().trim().min(1).max(64);

// Strict bodies with no tenantId: the tenant comes from the principal, so naming one is a client mistake (400).
const CreateOrderBody = z
  .object({
    externalRef: z.string().min(1).max(128).optional(),
    priority: z.number().int().min(0).max(9).optional(),
    lines: z.array(z.object({ skuId: Id, qty: Quantity }).strict()).min(1, 'an order needs at least one line').max(1000, 'at most 1,000 lines per order'),
    shipTo: AddressBody.optional(),
    service: ServiceName.optional(),
    dueAt: IsoDateTime.optional(),
    // Like a channel order, a portal order reserves what stock there is and backorders the rest unless told otherwise.
    allocate: z.enum(['all-or-nothing', 'partial', 'none']).default('partial'),
  })
  .strict();
type CreateOrderBody = z.infer<typeof CreateOrderBody>;
const CreateAsnBody = z
  .object({
    asnRef: Id.optional(),
    lines: z.array(z.object({ skuId: Id, qty: Quantity, lot: Lot.optional(), expiry: IsoDate.optional() }).strict()).min(1).max(1000),
  })
  .strict();
const RmaId = z.string().min(1).max(48).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be 1-48 characters: letters, digits, . _ -');
const CreateRmaBody = z
  .object({
    rmaId: RmaId.optional(),
    orderId: Id,
    lines: z.array(z.object({ skuId: Id, qty: Quantity, reason: z.enum(RETURN_REASONS as [string, ...string[]]) }).strict()).min(1).max(100),
  })
  .strict();

/** The one 404 for a missing object and another tenant's alike: it names only what the caller asked for. */
function notFound(res: Response, what: 'order' | 'ASN' | 'RMA' | 'SKU', id: string): void {
  sendError(res, 404, 'NOT_FOUND', `no ${what} '${id}'`, { [what === 'SKU' ? 'skuId' : what === 'order' ? 'orderId' : what === 'ASN' ? 'asnId' : 'rmaId']: id });
}
const notFoundResponse = (what: 'SKU' | 'order', id: string): StoredResponse => ({
  status: 404,
  body: { error: { code: 'NOT_FOUND', message: `no ${what} '${id}'`, details: { [what === 'SKU' ? 'skuId' : 'orderId']: id } } },
});

/** The first SKU of `skuIds` that is not this tenant's (missing or another's), or undefined. */
function foreignSku(twin: TwinState, tenantId: string, skuIds: readonly string[]): string | undefined {
  return skuIds.find((id) => twin.skusById.get(asSkuId(id))?.tenantId !== tenantId);
}

/** A domain error as status + body (for storing under an Idempotency-Key). */
function domainResponse(error: { readonly code: string; readonly message: string; readonly details?: unknown }): StoredResponse {
  return { status: statusOfDomainError(error.code), body: { error: { code: error.code, message: error.message, details: error.details ?? null } } };
}

/** Answers a billing refusal (BillingError) with its status and returns undefined; anything else is rethrown. */
const billingRefusal =
  (res: Response) =>
  (error: unknown): undefined => {
    if (!(error instanceof BillingError)) throw error;
    sendError(res, error.status, error.code, error.message, error.details);
    return undefined;
  };

interface Ctx {
  readonly site: SiteRunner;
  readonly tenantId: string;
  readonly principal: Principal;
}

export function portalRouter(options: PortalRouterOptions): Router {
  const { sites, idempotency, billing, analytics } = options;
  const router = Router();
  const base = '/api/portal/sites/:siteId';

  /** The caller's tenant and the site, or an answer (403 without a tenant, 404 for an unknown site). */
  function contextOf(req: Request, res: Response, write = false): Ctx | undefined {
    const principal = principalOf(res);
    if (principal.tenantId === null) {
      sendError(res, 403, 'FORBIDDEN', 'the client portal is for 3PL client users and integration keys');
      return undefined;
    }
    if (write && !PORTAL_WRITERS.includes(principal.role)) {
      sendError(res, 403, 'FORBIDDEN', `role ${principal.role} may not create orders, ASNs or returns`);
      return undefined;
    }
    const site = siteFrom(sites, req, res);
    return site && { site, tenantId: principal.tenantId, principal };
  }

  router.get('/api/portal/sites', (_req, res) => {
    if (principalOf(res).tenantId === null) return sendError(res, 403, 'FORBIDDEN', 'the client portal is for 3PL client users and integration keys');
    res.json({ sites: sites.list().map((site) => ({ id: site.siteId, name: site.site.name })) });
  });

  router.get(`${base}/summary`, async (req, res) => {
    const ctx = contextOf(req, res);
    if (!ctx) return;
    res.json(await ctx.site.read((twin) => portalSummary(twin, ctx.tenantId)));
  });

  router.get(`${base}/stock`, async (req, res) => {
    const ctx = contextOf(req, res);
    const q = ctx && parseOr400(StockQuery, req.query, res, 'query');
    if (!ctx || !q) return;
    const view = await ctx.site.read((twin) => portalStock(twin, ctx.tenantId, q.by, q.skuId));
    res.json({ by: view.by, totals: view.totals, total: view.rows.length, rows: view.rows.slice(q.offset, q.offset + q.limit) });
  });

  router.get(`${base}/orders`, async (req, res) => {
    const ctx = contextOf(req, res);
    const q = ctx && parseOr400(OrdersQuery, req.query, res, 'query');
    if (!ctx || !q) return;
    res.json(await ctx.site.read((twin) => portalOrders(twin, ctx.tenantId, q)));
  });

  router.get(`${base}/orders/:orderId`, async (req, res) => {
    const ctx = contextOf(req, res);
    const orderId = ctx && parseOr400(Id, req.params['orderId'], res, 'path');
    if (!ctx || !orderId) return;
    const view = await ctx.site.read((twin) => {
      const order = ownOrder(twin, ctx.tenantId, orderId);
      return order && portalOrderView(order);
    });
    if (!view) return notFound(res, 'order', orderId);
    res.json(view);
  });

  router.get(`${base}/asns`, async (req, res) => {
    const ctx = contextOf(req, res);
    const q = ctx && parseOr400(OpenClosedQuery, req.query, res, 'query');
    if (!ctx || !q) return;
    res.json(await ctx.site.read((twin) => portalAsns(twin, ctx.tenantId, q)));
  });

  router.get(`${base}/asns/:asnId`, async (req, res) => {
    const ctx = contextOf(req, res);
    const asnId = ctx && parseOr400(Id, req.params['asnId'], res, 'path');
    if (!ctx || !asnId) return;
    const view = await ctx.site.read((twin) => {
      const asn = ownAsn(twin, ctx.tenantId, asnId);
      return asn && asnView(asn);
    });
    if (!view) return notFound(res, 'ASN', asnId);
    res.json(view);
  });

  router.get(`${base}/returns`, async (req, res) => {
    const ctx = contextOf(req, res);
    const q = ctx && parseOr400(OpenClosedQuery, req.query, res, 'query');
    if (!ctx || !q) return;
    res.json(await ctx.site.read((twin) => portalRmas(twin, ctx.tenantId, q)));
  });

  router.get(`${base}/returns/:rmaId`, async (req, res) => {
    const ctx = contextOf(req, res);
    const rmaId = ctx && parseOr400(Id, req.params['rmaId'], res, 'path');
    if (!ctx || !rmaId) return;
    const view = await ctx.site.read((twin) => {
      const rma = ownRma(twin, ctx.tenantId, rmaId);
      return rma && rmaView(rma);
    });
    if (!view) return notFound(res, 'RMA', rmaId);
    res.json(view);
  });

  router.get(`${base}/sla`, async (req, res) => {
    const ctx = contextOf(req, res);
    const q = ctx && parseOr400(SlaQuery, req.query, res, 'query');
    if (!ctx || !q) return;
    const view = await ctx.site.read((twin) => {
      // Default window: the `days` UTC days up to and including the twin's today.
      const to = q.to === undefined ? (Math.floor(twin.now / 86_400_000) + 1) * 86_400_000 : Date.parse(q.to);
      const from = q.from === undefined ? to - q.days * 86_400_000 : Date.parse(q.from);
      return from < to && to - from <= 366 * 86_400_000 ? portalSla(twin, ctx.tenantId, from, to, twin.now) : null;
    });
    if (view === null) return sendError(res, 400, 'VALIDATION_FAILED', 'invalid query: from must be before to, at most 366 days apart', { issues: [{ field: 'to', message: 'from must be before to, at most 366 days apart', code: 'custom' }] });
    res.json(view);
  });

  router.get(`${base}/floor`, async (req, res) => {
    const ctx = contextOf(req, res);
    if (!ctx) return;
    const layout = options.layoutOf(ctx.site.siteId);
    res.json(await ctx.site.read((twin) => portalFloor(twin, layout, ctx.tenantId)));
  });

  // The site's static geometry (no stock, no tenant data), for the read-only floor; compressed once per site.
  const gzippedLayouts = new Map<string, Buffer>();
  router.get(`${base}/layout`, (req, res) => {
    const ctx = contextOf(req, res);
    if (!ctx) return;
    res.vary('Accept-Encoding');
    if (!req.acceptsEncodings('gzip')) return void res.json(options.layoutOf(ctx.site.siteId));
    let body = gzippedLayouts.get(ctx.site.siteId);
    if (body === undefined) {
      body = gzipSync(JSON.stringify(options.layoutOf(ctx.site.siteId)));
      gzippedLayouts.set(ctx.site.siteId, body);
    }
    res.set({ 'Content-Type': 'application/json; charset=utf-8', 'Content-Encoding': 'gzip' }).send(body);
  });

  router.get(`${base}/invoices`, async (req, res) => {
    const ctx = contextOf(req, res);
    const q = ctx && parseOr400(InvoiceQuery, req.query, res, 'query');
    if (!ctx || !q) return;
    if (!billing) return sendError(res, 503, 'BILLING_UNAVAILABLE', 'invoices are not available on this server');
    const invoice = await billing.invoiceFor(ctx.site.siteId, ctx.tenantId, { from: q.from, to: q.to }).catch(billingRefusal(res));
    if (invoice === undefined) return;
    const name = `invoice-${ctx.tenantId}-${q.from}-${q.to}`;
    if (q.format === 'csv') {
      res.set({ 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${name}.csv"` }).send(billing.invoiceCsv(invoice));
    } else if (q.format === 'pdf') {
      res.set({ 'Content-Type': 'application/pdf', 'Content-Disposition': `attachment; filename="${name}.pdf"` }).send(billing.invoicePdf(invoice));
    } else {
      res.json(invoice);
    }
  });

  // An invoice line down to the facts and events it counts (paged); a code the invoice does not have is a 404.
  router.get(`${base}/invoices/lines/:code`, async (req, res) => {
    const ctx = contextOf(req, res);
    const code = ctx && parseOr400(LineCode, req.params['code'], res, 'path');
    const q = code && parseOr400(DrillQuery, req.query, res, 'query');
    if (!ctx || !code || !q) return;
    if (!billing) return sendError(res, 503, 'BILLING_UNAVAILABLE', 'invoices are not available on this server');
    const page = { offset: q.offset, limit: q.limit, ...(q.day === undefined ? {} : { day: q.day }) };
    const drill = await billing.drillDown(ctx.site.siteId, ctx.tenantId, { from: q.from, to: q.to }, code, page).catch(billingRefusal(res));
    if (drill !== undefined) res.json(drill);
  });

  router.get(`${base}/analytics`, async (req, res) => {
    const ctx = contextOf(req, res);
    const q = ctx && parseOr400(AnalyticsQuery, req.query, res, 'query');
    if (!ctx || !q) return;
    if (!analytics) return sendError(res, 503, 'ANALYTICS_UNAVAILABLE', 'analytics are not available on this server');
    try {
      const series = await analytics.series(ctx.site.siteId, { tenantId: ctx.tenantId, metric: q.metric, from: Date.parse(q.from), to: Date.parse(q.to), bucket: q.bucket });
      res.json({ metric: series.metric, bucket: series.bucket, from: series.from, to: series.to, points: series.points });
    } catch (error) {
      if (error instanceof AnalyticsInputError) return sendError(res, 400, error.code, error.message, error.details);
      throw error;
    }
  });

  /** Creates the order (and allocates it when asked), every SKU resolved inside the tenant first. */
  async function createOrder(ctx: Ctx, body: CreateOrderBody, orderId: OrderId, recovering: boolean): Promise<StoredResponse> {
    const foreign = await ctx.site.read((twin) => foreignSku(twin, ctx.tenantId, body.lines.map((l) => l.skuId)));
    if (foreign !== undefined) return notFoundResponse('SKU', foreign);
    const created = await ctx.site.submit({
      type: 'createOrder',
      orderId,
      tenantId: asTenantId(ctx.tenantId),
      channel: 'portal',
      lines: body.lines.map((line) => ({ skuId: asSkuId(line.skuId), qty: line.qty })),
      ...(body.externalRef === undefined ? {} : { externalRef: body.externalRef }),
      ...(body.priority === undefined ? {} : { priority: body.priority }),
      ...(body.shipTo === undefined ? {} : { shipTo: body.shipTo satisfies Address }),
      ...(body.service === undefined ? {} : { service: body.service }),
      ...(body.dueAt === undefined ? {} : { dueAt: epochMs(Date.parse(body.dueAt)) }),
    });
    if (!created.ok) {
      // Taking over a key whose first request died after committing: finish as it would have.
      const ours = recovering && created.error.code === 'DUPLICATE_ORDER' && (await ctx.site.read((twin) => ownOrder(twin, ctx.tenantId, orderId) !== undefined));
      if (!ours) return domainResponse(created.error);
    }
    let allocation: unknown;
    if (body.allocate !== 'none') {
      const allocated = await ctx.site.submit({ type: 'allocateOrder', orderId, policy: body.allocate });
      allocation = allocated.ok ? { ok: true, policy: body.allocate } : { ok: false, policy: body.allocate, error: (domainResponse(allocated.error).body as { error: unknown }).error };
    }
    const view = await ctx.site.read((twin) => {
      const order = ownOrder(twin, ctx.tenantId, orderId);
      return order && portalOrderView(order);
    });
    if (!view) return { status: 500, body: { error: { code: 'INTERNAL', message: `order ${orderId} vanished after it was created`, details: null } } };
    return { status: 201, body: allocation === undefined ? view : { ...view, allocation } };
  }

  router.post(`${base}/orders`, async (req, res) => {
    const ctx = contextOf(req, res, true);
    const body = ctx && parseOr400(CreateOrderBody, req.body, res, 'body');
    if (!ctx || !body) return;
    const keyOf = idempotencyKeyOf(req);
    if ('error' in keyOf) return sendError(res, 400, 'INVALID_IDEMPOTENCY_KEY', keyOf.error);
    const send = (stored: StoredResponse): void => {
      const id = (stored.body as { id?: unknown } | null)?.id;
      if (stored.status === 201 && typeof id === 'string') res.location(`/api/portal/sites/${ctx.site.siteId}/orders/${id}`);
      res.status(stored.status).json(stored.body);
    };
    if (keyOf.key === undefined) return send(await createOrder(ctx, body, asOrderId(`ORD-${randomUUID()}`), false));
    if (!idempotency) return sendError(res, 501, 'IDEMPOTENCY_UNAVAILABLE', 'Idempotency-Key is not supported by this server');
    // The key is the tenant's: the same key from two clients names two orders.
    const orderId = deriveOrderId(ctx.site.siteId, ctx.tenantId, 'portal-key', keyOf.key);
    const scope = `${ctx.site.siteId} portal:${ctx.tenantId} POST /orders`;
    send(await idempotency.run(scope, keyOf.key, requestHash('POST', req.path, req.body ?? {}), (attempt) => createOrder(ctx, body, orderId, attempt.reclaimed)));
  });

  router.post(`${base}/asns`, async (req, res) => {
    const ctx = contextOf(req, res, true);
    const body = ctx && parseOr400(CreateAsnBody, req.body, res, 'body');
    if (!ctx || !body) return;
    const asnRef = body.asnRef ?? `ASN-${randomUUID()}`;
    const foreign = await ctx.site.read((twin) => foreignSku(twin, ctx.tenantId, body.lines.map((l) => l.skuId)));
    if (foreign !== undefined) return notFound(res, 'SKU', foreign);
    const command: Command = {
      type: 'createAsn',
      asnRef,
      tenantId: asTenantId(ctx.tenantId),
      lines: body.lines.map((l) => ({ skuId: asSkuId(l.skuId), qty: l.qty, ...(l.lot === undefined ? {} : { lot: l.lot }), ...(l.expiry === undefined ? {} : { expiry: l.expiry }) })),
    };
    const result = await ctx.site.submit(command);
    if (!result.ok) return sendDomainError(res, result.error);
    const view = await ctx.site.read((twin) => {
      const asn = ownAsn(twin, ctx.tenantId, asnRef);
      return asn && asnView(asn);
    });
    if (!view) return sendError(res, 500, 'INTERNAL', `ASN ${asnRef} vanished`);
    res.status(result.events.length > 0 ? 201 : 200).json(view);
  });

  router.post(`${base}/returns`, async (req, res) => {
    const ctx = contextOf(req, res, true);
    const body = ctx && parseOr400(CreateRmaBody, req.body, res, 'body');
    if (!ctx || !body) return;
    const rmaId = body.rmaId ?? `RMA-${randomUUID()}`;
    const refused = await ctx.site.read((twin) => {
      if (ownOrder(twin, ctx.tenantId, body.orderId) === undefined) return notFoundResponse('order', body.orderId);
      const foreign = foreignSku(twin, ctx.tenantId, body.lines.map((l) => l.skuId));
      return foreign === undefined ? null : notFoundResponse('SKU', foreign);
    });
    if (refused !== null) return void res.status(refused.status).json(refused.body);
    const result = await ctx.site.submit({
      type: 'createRma',
      rmaId,
      tenantId: asTenantId(ctx.tenantId),
      orderId: asOrderId(body.orderId),
      lines: body.lines.map((l) => ({ skuId: asSkuId(l.skuId), qty: l.qty, reason: l.reason as (typeof RETURN_REASONS)[number] })),
    });
    if (!result.ok) return sendDomainError(res, result.error);
    const view = await ctx.site.read((twin) => {
      const rma = ownRma(twin, ctx.tenantId, rmaId);
      return rma && rmaView(rma);
    });
    if (!view) return sendError(res, 500, 'INTERNAL', `RMA ${rmaId} vanished`);
    res.status(result.events.length > 0 ? 201 : 200).json(view);
  });

  return router;
}
