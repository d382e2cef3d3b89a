/**
 * The floor's inspector and alerts (read-only): what a location holds (stock by lot, open tasks, count request and the
 * last ledger moves touching it), what a SKU holds and who needs it, one operative, search across locations / SKUs /
 * orders / operatives, and the alerts a site manager acts on. Everything is read from committed twin state, except a
 * location's history, read from the `stock_move` projection up to the same seq. Shapes: `server/twin/floor-alerts.ts`.
 */
import { Router } from 'express';
import type pg from 'pg';
import { z } from 'zod';
import type { SiteRunner } from '../site/site-runner.ts';
import { tablesIn } from '../store/pg-util.ts';
import {
  SEARCH_LIMIT,
  inspectLocation,
  inspectOperative,
  inspectSku,
  noteIdle,
  searchFloor,
  topAlerts,
  type LedgerMoveRow,
  type LocationInspectionView,
} from '../twin/floor-alerts.ts';
import type { EpochMs, OperativeId } from '../twin/ids.ts';
import { asLocationId, asOperativeId, asSkuId } from '../twin/ids.ts';
import { touchedBy } from '../twin/twin.ts';
import { sendError } from './http-error.ts';
import { Id, parseOr400, siteFrom } from './params.ts';
import type { SiteRegistry } from './sites.ts';

/** Where the ledger lives. */
export interface InspectDeps {
  readonly pool: pg.Pool;
  readonly schema: string;
}

/** Moves of a location's history answered. */
export const HISTORY_LIMIT = 50;
/** Most alerts answered (most severe and newest first); `total` says how many there are. */
export const ALERTS_LIMIT = 200;

const SearchQuery = z
  .object({
    q: z.string().trim().min(1, 'type something to search for').max(100),
    limit: z.coerce.number().int().min(1).max(SEARCH_LIMIT).default(SEARCH_LIMIT),
  })
  .strict();

interface MoveRow {
  seq: number;
  idx: number;
  at: Date;
  tenant_id: string;
  sku_id: string;
  lot: string;
  expiry: string | null;
  from_location: string;
  to_location: string;
  qty: number;
  order_id: string | null;
}

/**
 * The last `HISTORY_LIMIT` moves into or out of `locationId` committed at or before `seq`, newest first. Two arms (from,
 * to) so each can use an index on (site_id, from_location|to_location, seq) when one exists; a move never has both.
 */
async function locationHistory(pool: pg.Pool, table: string, siteId: string, locationId: string, seq: number): Promise<LedgerMoveRow[]> {
  const cols = `seq::float8 AS seq, idx, at, tenant_id, sku_id, lot, to_char(expiry, 'YYYY-MM-DD') AS expiry,
                from_location, to_location, qty, order_id`;
  const result = await pool.query<MoveRow>(
    `SELECT * FROM (
       (SELECT ${cols} FROM ${table} WHERE site_id = $1 AND from_location = $2 AND seq <= $3 ORDER BY seq DESC, idx DESC LIMIT $4)
       UNION ALL
       (SELECT ${cols} FROM ${table} WHERE site_id = $1 AND to_location = $2 AND seq <= $3 ORDER BY seq DESC, idx DESC LIMIT $4)
     ) m ORDER BY seq DESC, idx DESC LIMIT $4`,
    [siteId, locationId, seq, HISTORY_LIMIT],
  );
  return result.rows.map((row) => ({
    seq: row.seq,
    idx: row.idx,
    at: row.at.toISOString(),
    tenantId: row.tenant_id,
    skuId: row.sku_id,
    lot: row.lot,
    expiry: row.expiry,
    fromLocation: row.from_location,
    toLocation: row.to_location,
    qty: row.qty,
    orderId: row.order_id,
    direction: row.to_location === locationId ? 'in' : 'out',
  }));
}

/**
 * Since when each operative of a site has been idle with no task (twin time), learnt by listening to the runner from
 * the first inspect request on; operatives already idle then count from that moment (a lower bound). Adapter state:
 * the core keeps no "idle since".
 */
class IdleWatch {
  private readonly bySite = new Map<string, Map<OperativeId, EpochMs>>();

  async of(site: SiteRunner): Promise<ReadonlyMap<OperativeId, EpochMs>> {
    const known = this.bySite.get(site.siteId);
    if (known !== undefined) return known;
    const idle = new Map<OperativeId, EpochMs>();
    this.bySite.set(site.siteId, idle);
    // Listeners run after the readers of the same commit, so the seed below never sees a batch the listener missed.
    site.subscribe({
      committed: (events) => {
        for (const { event } of events) noteIdle(idle, site.twin, touchedBy(site.twin, event).operatives, event.at);
      },
      volatile: (events) => {
        for (const event of events) noteIdle(idle, site.twin, [event.operativeId], event.at);
      },
      reloaded: () => {
        idle.clear();
        noteIdle(idle, site.twin, site.twin.operatives.keys(), site.twin.now);
      },
    });
    await site.read((twin) => noteIdle(idle, twin, twin.operatives.keys(), twin.now));
    return idle;
  }
}

/** See the module comment. Mount after the app's JSON middleware (under /api). */
export function inspectRouter(sites: SiteRegistry, deps: InspectDeps): Router {
  const router = Router();
  const table = tablesIn(deps.schema).stockMove;
  const idleWatch = new IdleWatch();

  router.get('/api/sites/:siteId/locations/:locationId', async (req, res) => {
    const site = siteFrom(sites, req, res);
    const locationId = site && parseOr400(Id, req.params['locationId'], res, 'path');
    if (!site || !locationId) return;
    const found = await site.read((twin) => ({ seq: twin.seq, view: inspectLocation(twin, asLocationId(locationId)) }));
    if (found.view === undefined)
      return sendError(res, 404, 'UNKNOWN_LOCATION', `no location '${locationId}' at site '${site.siteId}'`, { locationId });
    const history = await locationHistory(deps.pool, table, site.siteId, locationId, found.seq);
    const view: LocationInspectionView = { ...found.view, history };
    res.json(view);
  });

  router.get('/api/sites/:siteId/skus/:skuId', async (req, res) => {
    const site = siteFrom(sites, req, res);
    const skuId = site && parseOr400(Id, req.params['skuId'], res, 'path');
    if (!site || !skuId) return;
    const view = await site.read((twin) => inspectSku(twin, asSkuId(skuId)));
    if (view === undefined) return sendError(res, 404, 'UNKNOWN_SKU', `no SKU '${skuId}' at site '${site.siteId}'`, { skuId });
    res.json(view);
  });

  router.get('/api/sites/:siteId/operatives/:operativeId', async (req, res) => {
    const site = siteFrom(sites, req, res);
    const operativeId = site && parseOr400(Id, req.params['operativeId'], res, 'path');
    if (!site || !operativeId) return;
    const idle = await idleWatch.of(site);
    const view = await site.read((twin) => inspectOperative(twin, asOperativeId(operativeId), idle));
    if (view === undefined)
      return sendError(res, 404, 'UNKNOWN_OPERATIVE', `operative '${operativeId}' is not signed on at site '${site.siteId}'`, { operativeId });
    res.json(view);
  });

  router.get('/api/sites/:siteId/search', async (req, res) => {
    const site = siteFrom(sites, req, res);
    const query = site && parseOr400(SearchQuery, req.query, res, 'query');
    if (!site || !query) return;
    const hits = await site.read((twin) => searchFloor(twin, query.q, query.limit));
    res.json({ siteId: site.siteId, q: query.q, hits });
  });

  router.get('/api/sites/:siteId/alerts', async (req, res) => {
    const site = siteFrom(sites, req, res);
    if (!site) return;
    const idleSince = await idleWatch.of(site);
    const body = await site.read((twin) => {
      const { total, alerts } = topAlerts(twin, ALERTS_LIMIT, { idleSince });
      return { siteId: site.siteId, seq: twin.seq, at: new Date(twin.now).toISOString(), total, alerts };
    });
    res.json(body);
  });

  return router;
}
