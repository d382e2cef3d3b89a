/** Stock: receive into a location, move between locations, query quants. */
import { Router } from 'express';
import { z } from 'zod';
import { asLocationId, asSkuId, asTenantId } from '../twin/ids.ts';
import type { Quant, TwinState } from '../twin/state.ts';
import { sendDomainError } from './http-error.ts';
import { SerialsSchema } from '../protocol/serials.ts';
import { Id, Limit, Offset, Quantity, parseOr400, siteFrom } from './params.ts';
import type { SiteRegistry } from './sites.ts';

const Lot = z.string().min(1).max(64);
const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD').refine((s) => !Number.isNaN(Date.parse(s)), 'must be a real date');

const ReceiveBody = z.object({ tenantId: Id, locationId: Id, skuId: Id, qty: Quantity, lot: Lot.optional(), expiry: IsoDate.optional() }).strict();
const MoveBody = z
  .object({ tenantId: Id, fromLocationId: Id, toLocationId: Id, skuId: Id, qty: Quantity, lot: Lot.optional(), serials: SerialsSchema.optional() })
  .strict()
  .refine((body) => body.fromLocationId !== body.toLocationId, { message: 'must differ from fromLocationId', path: ['toLocationId'] });
const StockQuery = z.object({ skuId: Id.optional(), locationId: Id.optional(), tenantId: Id.optional(), limit: Limit, offset: Offset }).strict();

/** The public view of a quant. */
export function quantView(quant: Quant) {
  return {
    locationId: quant.locationId,
    tenantId: quant.tenantId,
    skuId: quant.skuId,
    lot: quant.lot,
    expiry: quant.expiry,
    onHand: quant.onHand,
    reserved: quant.reserved,
    available: quant.onHand - quant.reserved,
  };
}

/** Quants with stock matching the filters, in key order, narrowed through the twin's indexes first. */
function findQuants(twin: TwinState, query: z.infer<typeof StockQuery>) {
  const keys = query.locationId
    ? (twin.quantsByLocation.get(asLocationId(query.locationId)) ?? new Set<string>())
    : query.skuId && query.tenantId
      ? (twin.quantsBySku.get(`${query.tenantId}|${query.skuId}`) ?? new Set<string>())
      : twin.quants.keys();
  const quants: Quant[] = [];
  for (const key of keys) {
    const quant = twin.quants.get(key);
    if (!quant || quant.onHand === 0) continue;
    if (query.skuId !== undefined && quant.skuId !== query.skuId) continue;
    if (query.tenantId !== undefined && quant.tenantId !== query.tenantId) continue;
    quants.push(quant);
  }
  quants.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { total: quants.length, quants: quants.slice(query.offset, query.offset + query.limit).map(quantView) };
}

export function stockRouter(sites: SiteRegistry): Router {
  const router = Router();

  router.post('/api/sites/:siteId/stock/receipts', async (req, res) => {
    const site = siteFrom(sites, req, res);
    const body = site && parseOr400(ReceiveBody, req.body, res, 'body');
    if (!site || !body) return;
    const result = await site.submit({
      type: 'receiveStock',
      tenantId: asTenantId(body.tenantId),
      locationId: asLocationId(body.locationId),
      skuId: asSkuId(body.skuId),
      qty: body.qty,
      ...(body.lot === undefined ? {} : { lot: body.lot }),
      ...(body.expiry === undefined ? {} : { expiry: body.expiry }),
    });
    if (!result.ok) return sendDomainError(res, result.error);
    res.status(201).json({ seq: result.lastSeq, events: result.events });
  });

  router.post('/api/sites/:siteId/stock/moves', async (req, res) => {
    const site = siteFrom(sites, req, res);
    const body = site && parseOr400(MoveBody, req.body, res, 'body');
    if (!site || !body) return;
    const result = await site.submit({
      type: 'moveStock',
      tenantId: asTenantId(body.tenantId),
      fromLocationId: asLocationId(body.fromLocationId),
      toLocationId: asLocationId(body.toLocationId),
      skuId: asSkuId(body.skuId),
      qty: body.qty,
      ...(body.lot === undefined ? {} : { lot: body.lot }),
      ...(body.serials === undefined ? {} : { serials: body.serials }),
    });
    if (!result.ok) return sendDomainError(res, result.error);
    res.status(201).json({ seq: result.lastSeq, events: result.events });
  });

  router.get('/api/sites/:siteId/stock', async (req, res) => {
    const site = siteFrom(sites, req, res);
    const query = site && parseOr400(StockQuery, req.query, res, 'query');
    if (!site || !query) return;
    res.json(await site.read((twin) => findQuants(twin, query)));
  });

  return router;
}
