/**
 * Serial-number audit over HTTP (twin SPEC R77–R80): `GET /api/sites/:siteId/serials/:skuId/:serial` answers where
 * the twin holds the serial now (status, location last scanned, order or transfer) and its history from the
 * `serial_history` projection, oldest first. Read-only and thin.
 */
import { Router } from 'express';
import type pg from 'pg';
import { z } from 'zod';
import { quoteIdent } from '../store/pg-util.ts';
import { asSkuId } from '../twin/ids.ts';
import { serialKey } from '../twin/serials.ts';
import { sendError } from './http-error.ts';
import { Id, parseOr400, siteFrom } from './params.ts';
import type { SiteRegistry } from './sites.ts';

const SerialPath = z.object({ siteId: Id, skuId: Id, serial: z.string().regex(/^[\x21-\x7e]{1,64}$/, 'a serial is 1-64 printable characters without spaces') }).strict();

interface HistoryRow {
  seq: string;
  at: Date;
  event: string;
  status: string;
  location_id: string | null;
  order_id: string | null;
  transfer_id: string | null;
}

/** The serial routes; `pool`/`schema` are the store's (site-wide scope). */
export function serialsRouter(deps: { readonly sites: SiteRegistry; readonly pool: pg.Pool; readonly schema: string }): Router {
  const { sites } = deps;
  const router = Router();
  const table = `${quoteIdent(deps.schema)}.serial_history`;

  router.get('/api/sites/:siteId/serials/:skuId/:serial', async (req, res) => {
    const site = siteFrom(sites, req, res);
    const path = site && parseOr400(SerialPath, req.params, res, 'path');
    if (!site || !path) return;
    const sku = site.site.skus.find((s) => s.id === path.skuId);
    if (sku === undefined) return sendError(res, 404, 'UNKNOWN_SKU', `no SKU ${path.skuId} at site ${site.siteId}`, { skuId: path.skuId });
    if (sku.serialTracked !== true) return sendError(res, 422, 'INVALID_STATE', `SKU ${sku.id} is not serial-tracked`, { skuId: sku.id });
    const now = await site.read((twin) => {
      const s = twin.serials.get(serialKey(sku.tenantId, asSkuId(sku.id), path.serial));
      return s === undefined ? null : { ...s, updatedAt: new Date(s.updatedAt).toISOString() };
    });
    const rows = await deps.pool.query<HistoryRow>(
      `SELECT seq::text AS seq, at, event, status, location_id, order_id, transfer_id FROM ${table}
        WHERE site_id = $1 AND tenant_id = $2 AND sku_id = $3 AND serial = $4 ORDER BY ${table}.seq`,
      [site.siteId, sku.tenantId, sku.id, path.serial],
    );
    if (now === null && rows.rows.length === 0) return sendError(res, 404, 'UNKNOWN_SERIAL', `serial ${path.serial} of ${sku.id} was never here`, { skuId: sku.id, serial: path.serial });
    res.json({
      serial: path.serial,
      skuId: sku.id,
      tenantId: sku.tenantId,
      current: now,
      history: rows.rows.map((r) => ({ seq: Number(r.seq), at: r.at.toISOString(), event: r.event, status: r.status, locationId: r.location_id, orderId: r.order_id, transferId: r.transfer_id })),
    });
  });

  return router;
}
