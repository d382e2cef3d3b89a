/**
 * What a handheld needs to read a scan without seeing any stock: the site's clients, and what a barcode or a GS1
 * element string names (SKU, client, lot tracking, and the lot / expiry / count the scan carries). Used by the stock
 * handheld (`/stock`): a blind count must never load quantities, so it resolves items here, not through the
 * inspector's SKU view (which lists stock by bin). Thin: parse, read the twin, answer.
 */
import { Router } from 'express';
import { z } from 'zod';
import { gtinMatches, hasValidCheckDigit, looksLikeGs1, parseGs1 } from '../twin/barcodes/gs1.ts';
import type { Sku } from '../twin/site.ts';
import type { TwinState } from '../twin/state.ts';
import { sendError } from './http-error.ts';
import { parseOr400, siteFrom } from './params.ts';
import type { SiteRegistry } from './sites.ts';

const LookupQuery = z.object({ code: z.string().trim().min(1, 'scan or type a code').max(200) }).strict();

/** One SKU a code names, with no stock figures. */
export interface CatalogueItemView {
  readonly skuId: string;
  readonly tenantId: string;
  readonly tenantName: string;
  readonly description: string;
  readonly barcode: string;
  readonly lotTracked: boolean;
  /** One serial per unit is scanned on receipt, pick and return (twin R77–R79). */
  readonly serialTracked: boolean;
}

/** `GET /api/sites/:siteId/catalogue/lookup?code=`: the SKUs the code names (one per client sharing a GTIN). */
export interface CatalogueLookupView {
  readonly code: string;
  /** `barcode`: matched the printed barcode (or a bare GTIN); `gs1`: a GS1 element string. */
  readonly kind: 'barcode' | 'gs1';
  readonly matches: readonly CatalogueItemView[];
  readonly lot: string | null;
  /** `YYYY-MM-DD` from AI 17. */
  readonly expiry: string | null;
  /** Units from AI 37 (else 30). */
  readonly qty: number | null;
}

/** A refusal of {@link lookupCode}: what is wrong with the code. */
export interface LookupRefusal {
  readonly status: 400 | 404;
  readonly code: 'INVALID_SCAN' | 'UNKNOWN_SKU';
  readonly message: string;
}

const itemView = (twin: TwinState, sku: Sku): CatalogueItemView => ({
  skuId: sku.id,
  tenantId: sku.tenantId,
  tenantName: twin.site.tenants.find((t) => t.id === sku.tenantId)?.name ?? sku.tenantId,
  description: sku.description,
  barcode: sku.barcode,
  lotTracked: sku.lotTracked,
  serialTracked: sku.serialTracked === true,
});

/**
 * Resolves a scanned code the way the twin reads receipts (R43) and pick scans (R17): the exact printed barcode (or
 * SKU id) first; else a GS1 element string (its (01) GTIN, lot, expiry, count) or a bare GTIN, compared as GTIN-14.
 */
export function lookupCode(twin: TwinState, raw: string): CatalogueLookupView | LookupRefusal {
  const code = raw.trim();
  const exact = twin.site.skus.filter((s) => s.barcode === code || s.id === code);
  if (exact.length > 0) return { code, kind: 'barcode', matches: exact.map((s) => itemView(twin, s)), lot: null, expiry: null, qty: null };
  let gtin: string;
  let extra: Pick<CatalogueLookupView, 'lot' | 'expiry' | 'qty'> = { lot: null, expiry: null, qty: null };
  let kind: CatalogueLookupView['kind'] = 'barcode';
  if (/^(\d{8}|\d{12}|\d{13}|\d{14})$/.test(code)) {
    if (!hasValidCheckDigit(code)) return { status: 400, code: 'INVALID_SCAN', message: `${code}: the check digit is wrong (a misread?) — scan again` };
    gtin = code;
  } else if (looksLikeGs1(code)) {
    const parsed = parseGs1(code, { refYear: new Date(twin.now).getUTCFullYear() });
    if (!parsed.ok) return { status: 400, code: 'INVALID_SCAN', message: `${code}: ${parsed.error}` };
    if (parsed.gtin === undefined) return { status: 400, code: 'INVALID_SCAN', message: `${code}: no GTIN (AI 01) in the scan` };
    gtin = parsed.gtin;
    kind = 'gs1';
    extra = { lot: parsed.lot ?? null, expiry: parsed.expiry ?? null, qty: parsed.count ?? null };
  } else {
    return { status: 404, code: 'UNKNOWN_SKU', message: `no item has the code ${code}` };
  }
  const matches = twin.site.skus.filter((s) => gtinMatches(gtin, s.barcode));
  if (matches.length === 0) return { status: 404, code: 'UNKNOWN_SKU', message: `no item has GTIN ${gtin}` };
  return { code, kind, matches: matches.map((s) => itemView(twin, s)), ...extra };
}

/** The catalogue routes; mount with the other routers. Needs only the site registry. */
export function catalogueRouter(deps: { readonly sites: SiteRegistry }): Router {
  const { sites } = deps;
  const router = Router();
  const base = '/api/sites/:siteId';

  router.get(`${base}/tenants`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    if (!site) return;
    res.json({ tenants: await site.read((twin) => twin.site.tenants.map((t) => ({ id: t.id, name: t.name }))) });
  });

  router.get(`${base}/catalogue/lookup`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const q = site && parseOr400(LookupQuery, req.query, res, 'query');
    if (!site || !q) return;
    const found = await site.read((twin) => lookupCode(twin, q.code));
    if ('status' in found) return sendError(res, found.status, found.code, found.message, { code: q.code });
    res.json(found);
  });

  return router;
}
