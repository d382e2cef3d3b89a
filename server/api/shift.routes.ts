/**
 * The planner's control of the simulated shift: how fast it runs (1–100x twin time) and what it has done so far.
 * Only where the server runs a demo shift: a real site's clock is the wall clock and cannot be sped up.
 */
import { Router } from 'express';
import { z } from 'zod';
import type { ScaledClock } from '../site/clock.ts';
import type { ShiftDriver } from '../site/shift-driver.ts';
import { countersOf } from '../twin/floor-view.ts';
import { sendError } from './http-error.ts';
import { parseOr400, siteFrom } from './params.ts';
import type { SiteRegistry } from './sites.ts';

/** What the planner may see and steer of one site's simulated shift. */
export interface ShiftControl {
  readonly clock: ScaledClock;
  readonly driver: ShiftDriver;
  readonly pickers: number;
  readonly ordersPerHour: number;
  /** Twin time the shift started at. */
  readonly startedAt: number;
}

const ShiftBody = z.object({ speed: z.number().min(1, 'at least 1x').max(100, 'at most 100x') }).strict();

export function shiftRouter(sites: SiteRegistry, shifts: { get(siteId: string): ShiftControl | undefined }): Router {
  const router = Router();

  const view = async (siteId: string, control: ShiftControl) => {
    const site = sites.get(siteId);
    const counters = site ? await site.read((twin) => countersOf(twin)) : null;
    const { stats } = control.driver.shift;
    return {
      siteId,
      speed: control.clock.speed,
      pickers: control.pickers,
      ordersPerHour: control.ordersPerHour,
      startedAt: new Date(control.startedAt).toISOString(),
      twinNow: new Date(control.clock.now()).toISOString(),
      elapsedTwinMs: control.clock.now() - control.startedAt,
      results: {
        ordersCreated: stats.ordersCreated,
        ordersReleased: stats.ordersReleased,
        ordersSkipped: stats.ordersSkipped,
        trips: stats.trips,
        picksConfirmed: stats.picksConfirmed,
        shorts: stats.shorts,
        ordersPacked: stats.ordersPacked,
        ordersDespatched: stats.ordersDespatched,
        stockReceipts: stats.stockReceipts,
      },
      counters,
    };
  };

  router.get('/api/sites/:siteId/shift', async (req, res) => {
    const site = siteFrom(sites, req, res);
    if (!site) return;
    const control = shifts.get(site.siteId);
    if (!control) return sendError(res, 404, 'NO_SHIFT', `site '${site.siteId}' runs no simulated shift (DEMO_SHIFT=off)`);
    res.json(await view(site.siteId, control));
  });

  router.post('/api/sites/:siteId/shift', async (req, res) => {
    const site = siteFrom(sites, req, res);
    const body = site && parseOr400(ShiftBody, req.body ?? {}, res, 'body');
    if (!site || !body) return;
    const control = shifts.get(site.siteId);
    if (!control) return sendError(res, 404, 'NO_SHIFT', `site '${site.siteId}' runs no simulated shift (DEMO_SHIFT=off)`);
    control.clock.setSpeed(body.speed);
    res.json(await view(site.siteId, control));
  });

  return router;
}
