/**
 * Analytics over time for staff: `GET /api/sites/:siteId/analytics?metric&from&to&bucket&tenant[&format=csv]`.
 * `from`/`to` are ISO 8601 times or ms since the epoch (range [from, to), twin time); `bucket` is hour, day (default),
 * week or month on the UTC grid; `tenant` narrows to one client. JSON `AnalyticsSeries`, or CSV as an attachment.
 * Bad input → 400 (VALIDATION_FAILED naming the field, or INVALID_RANGE / RANGE_TOO_LARGE / METRIC_NOT_PER_TENANT).
 */
import { Router } from 'express';
import { z } from 'zod';
import { AnalyticsInputError, BUCKETS, METRICS, seriesCsv, type AnalyticsQueries } from '../analytics/analytics-service.ts';
import { sendError } from './http-error.ts';
import { Id, parseOr400, siteFrom } from './params.ts';
import type { SiteRegistry } from './sites.ts';

/** ISO 8601 date (UTC midnight) or date-time with its zone (Z or ±hh:mm): never the server's local time. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** A time in a query string: ms since the epoch (digits), an ISO 8601 date, or a date-time with a zone. */
export const QueryTime = z
  .string()
  .trim()
  .min(1)
  .transform((text, ctx) => {
    const ms = /^\d{1,15}$/.test(text) ? Number(text) : ISO_TIME.test(text) ? Date.parse(text) : Number.NaN;
    if (!Number.isSafeInteger(ms)) {
      ctx.addIssue({ code: 'custom', message: `'${text}' is not a time (ms since the epoch, or ISO 8601 with a zone, e.g. 2026-11-27T08:00:00Z)` });
      return z.NEVER;
    }
    return ms;
  });

/** The query of the analytics route (shared with the client portal's passthrough). */
export const AnalyticsQuerySchema = z.object({
  metric: z.enum(METRICS, { message: `metric must be one of ${METRICS.join(', ')}` }),
  from: QueryTime,
  to: QueryTime,
  bucket: z.enum(BUCKETS, { message: `bucket must be one of ${BUCKETS.join(', ')}` }).default('day'),
  tenant: Id.optional(),
  format: z.enum(['json', 'csv'], { message: 'format must be json or csv' }).default('json'),
});

/** Answers an {@link AnalyticsInputError} as a 400; rethrows anything else. */
export function sendAnalyticsError(res: Parameters<typeof sendError>[0], error: unknown): void {
  if (error instanceof AnalyticsInputError) return sendError(res, 400, error.code, error.message, error.details);
  throw error;
}

export function analyticsRouter(sites: SiteRegistry, analytics: AnalyticsQueries): Router {
  const router = Router();

  router.get('/api/sites/:siteId/analytics', async (req, res) => {
    const site = siteFrom(sites, req, res);
    if (!site) return;
    const query = parseOr400(AnalyticsQuerySchema, req.query, res, 'query');
    if (!query) return;
    let series;
    try {
      series = await analytics.series(site.siteId, { tenantId: query.tenant ?? null, metric: query.metric, from: query.from, to: query.to, bucket: query.bucket });
    } catch (error) {
      return sendAnalyticsError(res, error);
    }
    if (query.format === 'csv') {
      const name = `analytics-${site.siteId}${query.tenant === undefined ? '' : `-${query.tenant}`}-${query.metric}-${query.bucket}.csv`;
      res.type('text/csv; charset=utf-8').attachment(name).send(seriesCsv(series));
      return;
    }
    res.json(series);
  });

  return router;
}
