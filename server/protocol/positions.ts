/**
 * Wire shapes of operative positions from the floor: one handheld's own position over its socket (`picker:position`)
 * and batches from an RTLS / positioning feed over HTTP (`POST /api/sites/:siteId/positions`). Positions are volatile:
 * the latest wins and none is written to the event log. Floor metres; a position must lie inside the site's bounds.
 */
import { z } from 'zod';
import type { PickingFailure } from './picking.ts';

/** What an operative is doing, as a position report may state it (`offline` is the floor's own, never reported). */
export const REPORTED_ACTIVITIES = ['walking', 'picking', 'idle', 'blocked'] as const;
export type ReportedActivity = (typeof REPORTED_ACTIVITIES)[number];

const Id = z.string().min(1).max(200);
/** Finite floor metres (zod rejects NaN and ±Infinity); the site's bounds are checked where the site is known. */
const Metres = z.number();

/** Edge validation of `picker:position`: the signed-on picker's own position. */
export const PositionReportSchema = z
  .object({ siteId: Id, operativeId: Id, deviceId: Id, x: Metres, y: Metres, activity: z.enum(REPORTED_ACTIVITIES).optional() })
  .strict();
export type PositionReport = z.infer<typeof PositionReportSchema>;

/** Most positions in one HTTP batch. */
export const MAX_POSITION_BATCH = 1000;

/** One position of an HTTP batch. */
export const PositionItemSchema = z
  .object({ operativeId: Id, x: Metres, y: Metres, activity: z.enum(REPORTED_ACTIVITIES).optional() })
  .strict();
export type PositionItem = z.infer<typeof PositionItemSchema>;

/** Body of `POST /api/sites/:siteId/positions`. */
export const PositionBatchSchema = z.object({ positions: z.array(PositionItemSchema).min(1).max(MAX_POSITION_BATCH) }).strict();
export type PositionBatch = z.infer<typeof PositionBatchSchema>;

/** Axis-aligned site extent, floor metres (as in `LayoutView.bounds`). */
export interface SiteBounds {
  readonly minX: number;
  readonly minY: number;
  readonly maxX: number;
  readonly maxY: number;
}

/** True when (x, y) lies inside `bounds` (edges included). */
export const insideBounds = (bounds: SiteBounds, x: number, y: number): boolean =>
  x >= bounds.minX && x <= bounds.maxX && y >= bounds.minY && y <= bounds.maxY;

/**
 * Answer to `picker:position`. `applied: false` means a newer report from the same connection replaced this one before
 * it reached the twin (latest wins). Failure codes: BAD_REQUEST, UNKNOWN_SITE, NOT_SIGNED_ON_HERE (this connection did
 * not sign the operative on), OUT_OF_BOUNDS, OPERATIVE_NOT_SIGNED_ON, UNAVAILABLE, INTERNAL.
 */
export type PositionResult = { readonly ok: true; readonly applied: boolean } | PickingFailure;
