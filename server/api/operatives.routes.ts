/** Operatives: who is on the floor (position, activity, route summary) and one operative's route. Reads committed state. */
import { Router } from 'express';
import { walkThrough } from '../../solver/worker.ts';
import type { OperativeId } from '../twin/ids.ts';
import { asOperativeId } from '../twin/ids.ts';
import { flattenPath, routeViewOf } from '../twin/route-view.ts';
import type { TwinState } from '../twin/state.ts';
import { effectiveLayout, remainingRoute, routeIsCurrent } from '../twin/twin.ts';
import { sendError } from './http-error.ts';
import { Id, parseOr400, siteFrom } from './params.ts';
import type { SiteRegistry } from './sites.ts';

/** The public view of an operative, with a summary of its route. */
function operativeSummary(twin: TwinState, id: OperativeId) {
  const op = twin.operatives.get(id);
  if (op === undefined) return undefined;
  const route = op.route;
  return {
    operativeId: op.id,
    name: op.name,
    position: { x: op.position.x, y: op.position.y },
    activity: op.activity,
    openTasks: op.taskIds.length,
    route:
      route === null
        ? null
        : {
            seq: route.seq,
            method: route.method,
            distanceM: route.distanceM,
            plannedAt: route.at,
            stops: route.taskIds.length,
            remainingStops: remainingRoute(twin, id).length,
            current: routeIsCurrent(twin, id),
          },
  };
}

export function operativesRouter(sites: SiteRegistry): Router {
  const router = Router();

  router.get('/api/sites/:siteId/operatives', async (req, res) => {
    const site = siteFrom(sites, req, res);
    if (!site) return;
    const operatives = await site.read((twin) =>
      [...twin.operatives.keys()].sort().map((id) => operativeSummary(twin, id)),
    );
    res.json({ siteId: site.siteId, operatives });
  });

  router.get('/api/sites/:siteId/operatives/:operativeId/route', async (req, res) => {
    const site = siteFrom(sites, req, res);
    const operativeId = site && parseOr400(Id, req.params['operativeId'], res, 'path');
    if (!site || !operativeId) return;
    const id = asOperativeId(operativeId);
    // The layout with today's blocked segments, so the line drawn is the walk the route really takes.
    const found = await site.read((twin) => (twin.operatives.has(id) ? { read: routeViewOf(twin, id), layout: effectiveLayout(twin) } : null));
    if (found === null) return sendError(res, 404, 'UNKNOWN_OPERATIVE', `operative '${id}' is not signed on at site '${site.siteId}'`, { operativeId: id });
    const { read, layout } = found;
    if ('reason' in read) return res.json(read);
    // The order is the planned one; only the polyline of what is left is drawn here (no re-optimising).
    const points = read.walk.stops.length === 0 ? [] : (walkThrough(layout, read.walk) ?? []);
    res.json({ ...read.view, path: flattenPath(points) });
  });

  return router;
}
