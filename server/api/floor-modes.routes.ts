/**
 * Data for the floor's colour modes other than fill: `GET /api/sites/:siteId/bin-attributes?heatHours=N` answers a
 * `BinAttributesView` (columnar, aligned with the layout's ids). Pick heat is counted in the stock-move projection
 * (picks move stock to V:PACKING) over the last N hours of twin time; the rest is read from the twin.
 */
import { Router } from 'express';
import type pg from 'pg';
import { z } from 'zod';
import type { BinAttributesView } from '../protocol/floor.ts';
import { tablesIn } from '../store/pg-util.ts';
import { binAttributes } from '../twin/bin-attributes.ts';
import { VIRTUAL_LOCATIONS } from '../twin/events.ts';
import { parseOr400, siteFrom } from './params.ts';
import type { SiteRegistry } from './sites.ts';

export interface FloorModesDeps {
  readonly pool: pg.Pool;
  readonly schema: string;
  readonly sites: SiteRegistry;
}

/** Longest heat window: a week. */
export const MAX_HEAT_HOURS = 168;
export const DEFAULT_HEAT_HOURS = 8;

const AttributesQuery = z
  .object({
    heatHours: z
      .string()
      .regex(/^\d{1,3}$/, 'must be a whole number of hours')
      .transform(Number)
      .pipe(z.number().int().min(1, 'must be at least 1').max(MAX_HEAT_HOURS, `must be at most ${MAX_HEAT_HOURS}`))
      .default(DEFAULT_HEAT_HOURS),
  })
  .strict();

const HOUR_MS = 3_600_000;

/** Picks per location confirmed at or after `sinceMs` (twin time). */
async function picksSince(pool: pg.Pool, table: string, siteId: string, sinceMs: number): Promise<Map<string, number>> {
  const result = await pool.query<{ location_id: string; picks: number }>(
    `SELECT from_location AS location_id, count(*)::int AS picks
       FROM ${table}
      WHERE site_id = $1 AND to_location = $2 AND at >= to_timestamp($3::float8 / 1000.0)
      GROUP BY from_location`,
    [siteId, VIRTUAL_LOCATIONS.packing, sinceMs],
  );
  return new Map(result.rows.map((row) => [row.location_id, row.picks]));
}

/** See the module comment. Mount after the app's JSON middleware (under /api). */
export function floorModesRouter(deps: FloorModesDeps): Router {
  const router = Router();
  const table = tablesIn(deps.schema).stockMove;
  // The answer only changes with the twin's seq: clients polling the same seq and window share one computation.
  const cache = new Map<string, BinAttributesView>();

  router.get('/api/sites/:siteId/bin-attributes', async (req, res, next) => {
    const site = siteFrom(deps.sites, req, res);
    const query = site && parseOr400(AttributesQuery, req.query, res, 'query');
    if (!site || !query) return;
    try {
      const { seq, now } = await site.read((twin) => ({ seq: twin.seq, now: twin.now }));
      const key = `${site.siteId}|${query.heatHours}`;
      const cached = cache.get(key);
      if (cached !== undefined && cached.seq === seq) {
        res.json(cached);
        return;
      }
      const picks = await picksSince(deps.pool, table, site.siteId, now - query.heatHours * HOUR_MS);
      const view = await site.read((twin) => binAttributes(twin, picks, query.heatHours));
      cache.set(key, view);
      res.json(view);
    } catch (error) {
      next(error);
    }
  });

  return router;
}
