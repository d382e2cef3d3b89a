/**
 * Time travel over HTTP: the span of a site's log, and a past window of the floor replayed from it
 * (server/site/replay.ts). Reads the log only; the site's live twin is never touched.
 */
import { Router } from 'express';
import { z } from 'zod';
import { DEFAULT_REPLAY_STEP_MS, historyRange, replayFloor, replayWindowProblem } from '../site/replay.ts';
import type { EventStore } from '../store/event-store.ts';
import { sendError } from './http-error.ts';
import { parseOr400, siteFrom } from './params.ts';
import type { SiteRegistry } from './sites.ts';

/** Options of `replayRouter`. */
export interface ReplayRouterOptions {
  /** Where the sites' logs are read from. */
  readonly store: EventStore;
  /** Replays computed at once; further requests are answered 503 BUSY (each replay is CPU work). Default 2. */
  readonly maxConcurrent?: number;
  /** Where the cost of each replay is reported (events applied, ms). Default: nowhere. */
  readonly log?: (message: string) => void;
}

const Time = z.iso.datetime({ offset: true }).transform((s) => Date.parse(s));
const ReplayQuery = z.object({
  from: Time,
  to: Time,
  stepMs: z.coerce.number().int().positive().default(DEFAULT_REPLAY_STEP_MS),
});

/** `GET /api/sites/:siteId/history-range` and `GET /api/sites/:siteId/replay?from=ISO&to=ISO&stepMs=`. */
export function replayRouter(sites: SiteRegistry, options: ReplayRouterOptions): Router {
  const { store } = options;
  const maxConcurrent = options.maxConcurrent ?? 2;
  let running = 0;
  const router = Router();

  router.get('/api/sites/:siteId/history-range', async (req, res) => {
    const site = siteFrom(sites, req, res);
    if (!site) return;
    const range = await historyRange(store, site.siteId);
    res.json({
      siteId: site.siteId,
      firstAt: range.firstAt === null ? null : new Date(range.firstAt).toISOString(),
      lastAt: range.lastAt === null ? null : new Date(range.lastAt).toISOString(),
      lastSeq: range.lastSeq,
    });
  });

  router.get('/api/sites/:siteId/replay', async (req, res) => {
    const site = siteFrom(sites, req, res);
    const query = site && parseOr400(ReplayQuery, req.query, res, 'query');
    if (!site || !query) return;
    const problem = replayWindowProblem(query);
    if (problem !== null) return sendError(res, 400, 'INVALID_WINDOW', problem, { from: req.query['from'], to: req.query['to'], stepMs: query.stepMs });
    if (running >= maxConcurrent) {
      res.setHeader('Retry-After', '1');
      return sendError(res, 503, 'BUSY', 'too many replays at once; retry shortly');
    }
    running++;
    try {
      const { replay, stats } = await replayFloor(store, site.site, query);
      options.log?.(
        `replay ${site.siteId} ${replay.frames.length} frames: ${stats.eventsApplied} events from seq ${stats.startSeq} in ${Math.round(stats.elapsedMs)} ms`,
      );
      res.json({
        siteId: replay.siteId,
        from: new Date(replay.from).toISOString(),
        to: new Date(replay.to).toISOString(),
        stepMs: replay.stepMs,
        snapshot: replay.snapshot,
        frames: replay.frames,
      });
    } finally {
      running--;
    }
  });

  return router;
}
