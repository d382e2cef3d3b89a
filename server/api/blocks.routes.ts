/** Blocked aisle segments (R28): close and reopen walk-graph edges on the live floor, list what is closed. */
import { Router } from 'express';
import { z } from 'zod';
import type { TwinState } from '../twin/state.ts';
import { sendDomainError } from './http-error.ts';
import { parseOr400, siteFrom } from './params.ts';
import type { SiteRegistry } from './sites.ts';

/** A walk-graph node id. */
const NodeId = z.number().int('must be a whole node id').min(0).max(10_000_000);
/** A node id in the path: digits only, so '', '1.5' and '1e3' are refused rather than coerced. */
const NodeIdParam = z.string().regex(/^\d{1,8}$/, 'must be a whole node id').transform(Number);
const BlockBody = z.object({ a: NodeId, b: NodeId, reason: z.string().trim().min(1).max(200) }).strict();
const SegmentPath = z.object({ a: NodeIdParam, b: NodeIdParam }).strict();

/** The blocked segments in key order, with the floor coordinates of both ends for drawing. */
function blockList(twin: TwinState) {
  const nodes = twin.site.layout.graph.nodes;
  return [...twin.blockedEdges.values()]
    .sort((x, y) => x.a - y.a || x.b - y.b)
    .map((s) => ({
      a: s.a,
      b: s.b,
      reason: s.reason,
      at: new Date(s.at).toISOString(),
      from: { x: nodes[s.a]?.x ?? null, y: nodes[s.a]?.y ?? null },
      to: { x: nodes[s.b]?.x ?? null, y: nodes[s.b]?.y ?? null },
    }));
}

export function blocksRouter(sites: SiteRegistry): Router {
  const router = Router();

  router.get('/api/sites/:siteId/blocks', async (req, res) => {
    const site = siteFrom(sites, req, res);
    if (!site) return;
    res.json({ siteId: site.siteId, blocks: await site.read(blockList) });
  });

  router.post('/api/sites/:siteId/blocks', async (req, res) => {
    const site = siteFrom(sites, req, res);
    const body = site && parseOr400(BlockBody, req.body, res, 'body');
    if (!site || !body) return;
    const result = await site.submit({ type: 'blockSegment', a: body.a, b: body.b, reason: body.reason });
    if (!result.ok) return sendDomainError(res, result.error);
    res.status(201).json({ seq: result.lastSeq, events: result.events });
  });

  router.delete('/api/sites/:siteId/blocks/:a/:b', async (req, res) => {
    const site = siteFrom(sites, req, res);
    const params = site && parseOr400(SegmentPath, { a: req.params['a'], b: req.params['b'] }, res, 'path');
    if (!site || !params) return;
    const result = await site.submit({ type: 'unblockSegment', a: params.a, b: params.b });
    if (!result.ok) return sendDomainError(res, result.error);
    res.json({ seq: result.lastSeq, events: result.events });
  });

  return router;
}
