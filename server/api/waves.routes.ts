/** Waves (manual release of several orders, or the next automatic selection) and the bins waiting for a count. */
import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { asOrderId } from '../twin/ids.ts';
import { selectWaveOrders } from '../twin/order-lifecycle.ts';
import { sendDomainError } from './http-error.ts';
import { Id, parseOr400, siteFrom } from './params.ts';
import type { SiteRegistry } from './sites.ts';

const WaveBody = z
  .object({
    waveId: Id.optional(),
    /** The orders to release; omitted → the next allocated orders by carrier cut-off and priority. */
    orderIds: z.array(Id).min(1).max(1000).optional(),
    maxOrders: z.number().int().min(1).max(1000).optional(),
    maxBatchOrders: z.number().int().min(1).max(50).optional(),
  })
  .strict();

export function wavesRouter(sites: SiteRegistry): Router {
  const router = Router();

  router.post('/api/sites/:siteId/waves', async (req, res) => {
    const site = siteFrom(sites, req, res);
    const body = site && parseOr400(WaveBody, req.body ?? {}, res, 'body');
    if (!site || !body) return;
    const orderIds = body.orderIds?.map(asOrderId) ?? (await site.read((twin) => selectWaveOrders(twin, { maxOrders: body.maxOrders ?? 200 })));
    const waveId = body.waveId ?? `WAVE-${randomUUID()}`;
    if (orderIds.length === 0) return res.status(200).json({ waveId: null, orderIds: [], batches: [] });
    const result = await site.submit({
      type: 'releaseWave',
      waveId,
      orderIds,
      ...(body.maxBatchOrders === undefined ? {} : { maxBatchOrders: body.maxBatchOrders }),
    });
    if (!result.ok) return sendDomainError(res, result.error);
    const released = result.events.find((e) => e.type === 'WaveReleased');
    res.status(201).json({ waveId, orderIds, batches: released?.type === 'WaveReleased' ? released.batches : [] });
  });

  router.get('/api/sites/:siteId/count-requests', async (req, res) => {
    const site = siteFrom(sites, req, res);
    if (!site) return;
    const requests = await site.read((twin) =>
      [...twin.countRequests.values()].map((c) => ({ ...c, at: new Date(c.at).toISOString() })),
    );
    res.json({ requests });
  });

  return router;
}
