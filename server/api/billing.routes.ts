/**
 * Staff billing routes under /api/sites/:siteId/billing: rate cards per client (versioned), invoices for a period as
 * JSON, CSV or PDF, the drill-down of one line to its events, re-rating with another card, and a prospect's simulated
 * invoice. Thin: parse, call the BillingService, map the result. Roles: server/auth/route-policy.ts.
 */
import { Router, type Response } from 'express';
import { z } from 'zod';
import type { Principal } from '../auth/principal.ts';
import { BillingError, invoiceCsv, invoicePdf, type BillingService } from '../billing/billing-service.ts';
import type { Invoice } from '../billing/invoice.ts';
import { isDate } from '../billing/rate-card.ts';
import { PeriodInput, ProspectVolumesInput, RateCardBody, rateCardOf } from '../billing/rate-card.schema.ts';
import { sendError } from './http-error.ts';
import { Id, parseOr400 } from './params.ts';

const Format = z.enum(['json', 'csv', 'pdf']).default('json');
const Version = z.coerce.number().int().min(1).max(1_000_000);
const DateText = z.string().refine(isDate, 'must be a YYYY-MM-DD date');
const Path = z.object({ siteId: Id, tenantId: Id }).strict();
const SitePath = z.object({ siteId: Id }).strict();
const InvoiceQuery = z.object({ from: z.string(), to: z.string(), format: Format, version: Version.optional() }).strict();
const LinesQuery = z
  .object({
    from: z.string(),
    to: z.string(),
    code: z.string().min(1).max(200),
    offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    day: DateText.optional(),
  })
  .strict();
const CardQuery = z.object({ version: Version.optional() }).strict();
const PutBody = z.object({ effectiveFrom: DateText.optional(), card: RateCardBody }).strict();
const RerateBody = z
  .object({ from: z.string(), to: z.string(), card: RateCardBody.optional(), version: z.number().int().min(1).optional() })
  .strict()
  .refine((b) => (b.card === undefined) !== (b.version === undefined), { message: 'give exactly one of card or version', path: ['card'] });
const SimulateBody = z
  .object({ from: z.string(), to: z.string(), volumes: ProspectVolumesInput, card: RateCardBody.optional(), tenantId: Id.optional() })
  .strict()
  .refine((b) => (b.card === undefined) !== (b.tenantId === undefined), { message: 'give exactly one of card or tenantId', path: ['card'] });
const SimulateQuery = z.object({ format: Format }).strict();

/** The invoice as JSON without the per-line basis (the drill-down serves it), or as a CSV / PDF download. */
export function sendInvoice(res: Response, invoice: Invoice, format: 'json' | 'csv' | 'pdf'): void {
  const name = `invoice-${invoice.tenantId}-${invoice.period.from}-${invoice.period.to}${invoice.simulated ? '-simulated' : ''}`;
  if (format === 'csv') {
    res.type('text/csv; charset=utf-8').attachment(`${name}.csv`).send(invoiceCsv(invoice));
    return;
  }
  if (format === 'pdf') {
    res.type('application/pdf').attachment(`${name}.pdf`).send(invoicePdf(invoice));
    return;
  }
  res.json(invoiceJson(invoice));
}

/** The invoice's JSON shape: lines without their basis. */
export function invoiceJson(invoice: Invoice) {
  return { ...invoice, lines: invoice.lines.map(({ basis: _basis, ...line }) => line) };
}

const principalName = (res: Response): string | null => (res.locals as { principal?: Principal }).principal?.name ?? null;

/** Runs a handler, mapping BillingError to its 4xx and anything else to the error middleware. */
function handle(res: Response, next: (err: unknown) => void, work: () => Promise<void>): void {
  work().catch((err: unknown) => {
    if (err instanceof BillingError) sendError(res, err.status, err.code, err.message, err.details);
    else next(err);
  });
}

export function billingRouter(billing: BillingService): Router {
  const router = Router();
  const base = '/api/sites/:siteId/billing';

  router.get(`${base}/rate-cards`, (req, res, next) =>
    handle(res, next, async () => {
      const path = parseOr400(SitePath, req.params, res, 'path');
      if (!path) return;
      const site = billing.site(path.siteId);
      const cards = [];
      for (const tenant of site.tenants) {
        const current = await billing.cardInForce(path.siteId, tenant.id, '9999-12-31').catch((err: unknown) => {
          if (err instanceof BillingError && err.code === 'NO_RATE_CARD') return null;
          throw err;
        });
        cards.push({ tenantId: tenant.id, name: tenant.name, current });
      }
      res.json({ cards });
    }),
  );

  router.get(`${base}/rate-cards/:tenantId`, (req, res, next) =>
    handle(res, next, async () => {
      const path = parseOr400(Path, req.params, res, 'path');
      const query = path && parseOr400(CardQuery, req.query, res, 'query');
      if (!path || !query) return;
      const current =
        query.version === undefined ? await billing.cardInForce(path.siteId, path.tenantId, '9999-12-31') : await billing.cardVersion(path.siteId, path.tenantId, query.version);
      const versions = (await billing.cards.versions(path.siteId, path.tenantId)).map(({ card: _card, ...v }) => v);
      res.json({ tenantId: path.tenantId, card: current, versions });
    }),
  );

  router.put(`${base}/rate-cards/:tenantId`, (req, res, next) =>
    handle(res, next, async () => {
      const path = parseOr400(Path, req.params, res, 'path');
      const body = path && parseOr400(PutBody, req.body, res, 'body');
      if (!path || !body) return;
      const stored = await billing.putCard(path.siteId, path.tenantId, body.card, body.effectiveFrom ?? null, principalName(res));
      res.status(201).json(stored);
    }),
  );

  router.get(`${base}/invoices/:tenantId`, (req, res, next) =>
    handle(res, next, async () => {
      const path = parseOr400(Path, req.params, res, 'path');
      const query = path && parseOr400(InvoiceQuery, req.query, res, 'query');
      const period = query && parseOr400(PeriodInput, { from: query.from, to: query.to }, res, 'query');
      if (!path || !query || !period) return;
      const invoice = await billing.invoiceFor(path.siteId, path.tenantId, period, query.version === undefined ? {} : { version: query.version });
      sendInvoice(res, invoice, query.format);
    }),
  );

  router.get(`${base}/invoices/:tenantId/lines`, (req, res, next) =>
    handle(res, next, async () => {
      const path = parseOr400(Path, req.params, res, 'path');
      const query = path && parseOr400(LinesQuery, req.query, res, 'query');
      const period = query && parseOr400(PeriodInput, { from: query.from, to: query.to }, res, 'query');
      if (!path || !query || !period) return;
      const page = { offset: query.offset, limit: query.limit, ...(query.day === undefined ? {} : { day: query.day }) };
      res.json(await billing.drillDown(path.siteId, path.tenantId, period, query.code, page));
    }),
  );

  router.post(`${base}/invoices/:tenantId/rerate`, (req, res, next) =>
    handle(res, next, async () => {
      const path = parseOr400(Path, req.params, res, 'path');
      const body = path && parseOr400(RerateBody, req.body, res, 'body');
      const period = body && parseOr400(PeriodInput, { from: body.from, to: body.to }, res, 'body');
      if (!path || !body || !period) return;
      const using = body.card !== undefined ? { card: rateCardOf(path.tenantId, body.card) } : { version: body.version as number };
      const r = await billing.rerate(path.siteId, path.tenantId, period, using);
      res.json({ before: invoiceJson(r.before), after: invoiceJson(r.after), lines: r.lines, totalDelta: r.totalDelta });
    }),
  );

  router.post(`${base}/simulate`, (req, res, next) =>
    handle(res, next, async () => {
      const path = parseOr400(SitePath, req.params, res, 'path');
      const query = path && parseOr400(SimulateQuery, req.query, res, 'query');
      const body = query && parseOr400(SimulateBody, req.body, res, 'body');
      const period = body && parseOr400(PeriodInput, { from: body.from, to: body.to }, res, 'body');
      if (!path || !query || !body || !period) return;
      const using = body.card !== undefined ? { card: rateCardOf('prospect', body.card) } : { tenantId: body.tenantId as string };
      sendInvoice(res, await billing.simulate(path.siteId, period, body.volumes, using), query.format);
    }),
  );

  return router;
}
