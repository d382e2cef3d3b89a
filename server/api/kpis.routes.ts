/** The KPI panels over HTTP: `GET /api/sites/:siteId/kpis` answers the same `KpiView` the floor room gets as `site:kpis`. */
import { Router } from 'express';
import type { KpiView } from '../protocol/kpis.ts';
import { sendError } from './http-error.ts';
import { siteFrom } from './params.ts';
import type { SiteRegistry } from './sites.ts';

/** What the route needs of a site's KPI feed (`server/realtime/kpi-feed.ts` `KpiFeed`). */
export interface KpiSource {
  view(): Promise<KpiView>;
}

/** Routes of the KPI panels; a site this process runs without a KPI feed answers 503 KPIS_UNAVAILABLE. */
export function kpisRouter(sites: SiteRegistry, feeds: { get(siteId: string): KpiSource | undefined }): Router {
  const router = Router();

  router.get('/api/sites/:siteId/kpis', async (req, res) => {
    const site = siteFrom(sites, req, res);
    if (!site) return;
    const feed = feeds.get(site.siteId);
    if (feed === undefined) return sendError(res, 503, 'KPIS_UNAVAILABLE', `KPIs are not counted for site '${site.siteId}' yet`, { siteId: site.siteId });
    res.json(await feed.view());
  });

  return router;
}
