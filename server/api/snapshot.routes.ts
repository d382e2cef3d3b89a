/**
 * The live twin's state as a file: `GET /api/sites/:siteId/snapshot` answers the committed state at one seq, to save
 * and start a simulation scenario from (`start: { kind: 'snapshot', path }`). Read-only; taken synchronously, so it is
 * one consistent state.
 */
import { Router } from 'express';
import { snapshotJson } from '../twin/twin.ts';
import { siteFrom } from './params.ts';
import type { SiteRegistry } from './sites.ts';

/** Dependencies of `snapshotRouter`. */
export interface SnapshotRouterDeps {
  readonly sites: SiteRegistry;
}

/**
 * The body is a `TwinSnapshotData` (seq, now, quants, orders, …) with `siteId` added as its first field, so a loader
 * that reads a bare snapshot reads this file as it is.
 */
export function snapshotRouter(deps: SnapshotRouterDeps): Router {
  const router = Router();

  router.get('/api/sites/:siteId/snapshot', async (req, res) => {
    const site = siteFrom(deps.sites, req, res);
    if (!site) return;
    const { seq, json } = await site.read((twin) => ({ seq: twin.seq, json: snapshotJson(twin) }));
    // Splice the site id into the serialised object rather than copying a state of tens of MB to add one field.
    const body = `{"siteId":${JSON.stringify(site.siteId)},${json.slice(1)}`;
    res.set({
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Disposition': `attachment; filename="${site.siteId}-snapshot-${seq}.json"`,
      'Cache-Control': 'no-store',
    });
    res.send(body);
  });

  return router;
}
