/**
 * Operative positions from an RTLS / positioning feed: `POST /api/sites/:siteId/positions` with up to 1,000
 * `{ operativeId, x, y, activity? }`. Positions are volatile (the latest wins, nothing is logged). A batch is all or
 * nothing: any item that fails validation, lies outside the site or names an operative who is not signed on rejects
 * the whole batch with a 4xx naming each such item, and nothing of it is applied.
 */
import { Router } from 'express';
import { insideBounds, PositionBatchSchema, type SiteBounds } from '../protocol/positions.ts';
import { layoutView } from '../twin/floor-view.ts';
import { asOperativeId } from '../twin/ids.ts';
import type { SiteDefinition } from '../twin/site.ts';
import { sendError } from './http-error.ts';
import { parseOr400, siteFrom } from './params.ts';
import type { SiteRegistry } from './sites.ts';

const boundsBySite = new WeakMap<SiteDefinition, SiteBounds>();

/** The site's extent (bins, aisle graph and depot), computed once per site definition. */
export function siteBounds(site: SiteDefinition): SiteBounds {
  let bounds = boundsBySite.get(site);
  if (bounds === undefined) {
    bounds = layoutView(site).bounds;
    boundsBySite.set(site, bounds);
  }
  return bounds;
}

/** What the positions router needs: the sites this process runs. */
export interface PositionsRouterDeps {
  readonly sites: SiteRegistry;
}

export function positionsRouter(deps: PositionsRouterDeps): Router {
  const router = Router();

  router.post('/api/sites/:siteId/positions', async (req, res) => {
    const site = siteFrom(deps.sites, req, res);
    const batch = site && parseOr400(PositionBatchSchema, req.body, res, 'body');
    if (!site || !batch) return;

    const bounds = siteBounds(site.site);
    const outside = batch.positions.flatMap((p, i) => {
      if (insideBounds(bounds, p.x, p.y)) return [];
      const field = p.x < bounds.minX || p.x > bounds.maxX ? 'x' : 'y';
      return [{ field: `positions.${i}.${field}`, message: `(${p.x}, ${p.y}) is outside the site`, code: 'OUT_OF_BOUNDS' }];
    });
    if (outside.length > 0) {
      const message = outside.map((issue) => `${issue.field}: ${issue.message}`).join('; ');
      return sendError(res, 400, 'VALIDATION_FAILED', `invalid body: ${message}`, { issues: outside, bounds });
    }

    const unknown = await site.read((twin) =>
      batch.positions.flatMap((p, i) => (twin.operatives.has(asOperativeId(p.operativeId)) ? [] : [{ index: i, operativeId: p.operativeId }])),
    );
    if (unknown.length > 0) {
      const names = unknown.map((u) => `positions.${u.index}.operativeId '${u.operativeId}'`).join(', ');
      return sendError(res, 409, 'OPERATIVE_NOT_SIGNED_ON', `not signed on at site '${site.siteId}': ${names}; nothing was applied`, {
        operatives: unknown,
      });
    }

    // Submitted together, the batch is decided in one runner batch. An operative who signs off between the check above
    // and the decision is refused alone (the rest apply); the answer lists them.
    const results = await Promise.all(
      batch.positions.map((p) =>
        site.submit({
          type: 'updatePosition',
          operativeId: asOperativeId(p.operativeId),
          position: { x: p.x, y: p.y },
          ...(p.activity === undefined ? {} : { activity: p.activity }),
        }),
      ),
    );
    const refused = results.flatMap((r, i) => (r.ok ? [] : [{ index: i, code: r.error.code, message: r.error.message }]));
    res.json({ siteId: site.siteId, applied: results.length - refused.length, refused });
  });

  return router;
}
