/**
 * Goods-in and stock statuses (twin SPEC R39–R46): ASNs (JSON and CSV, list, get, close with the discrepancy
 * report), dock receipts by scan, holds (place, release, list), quality rules and the expiry alert. Thin: parse,
 * submit one command, map the result. Receipts and holds are read from the twin; closed ASN reports come from the
 * twin too (the store keeps them in `asns.report`).
 */
import { randomUUID } from 'node:crypto';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { SerialsSchema } from '../protocol/serials.ts';
import type { SiteRunner } from '../site/site-runner.ts';
import type { Command } from '../twin/commands.ts';
import { asnReport, parseAsnCsv } from '../twin/goods-in.ts';
import { asLocationId, asSkuId, asTenantId } from '../twin/ids.ts';
import type { AsnState, Hold, TwinState } from '../twin/state.ts';
import { asHoldId, dockLocationId, expiringLots, listHolds } from '../twin/stock-status.ts';
import { decide } from '../twin/twin.ts';
import { sendDomainError, sendError } from './http-error.ts';
import { Id, Limit, Offset, Quantity, parseOr400, siteFrom } from './params.ts';
import type { SiteRegistry } from './sites.ts';

const IsoDate = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'must be a date YYYY-MM-DD');
const Reason = z.string().trim().min(1).max(200);
const Lot = z.string().trim().min(1).max(64);
const HoldStatus = z.enum(['qc', 'quarantine', 'damaged', 'expired']);

const AsnLine = z.object({ skuId: Id, qty: Quantity, lot: Lot.optional(), expiry: IsoDate.optional() }).strict();
const CreateAsnBody = z.object({ asnRef: Id, tenantId: Id, lines: z.array(AsnLine).min(1).max(1000) }).strict();
const CsvBody = z.object({ csv: z.string().min(1).max(5_000_000) }).strict();
const ListAsnQuery = z.object({ tenantId: Id.optional(), status: z.enum(['open', 'closed']).optional(), limit: Limit, offset: Offset }).strict();
const CloseBody = z.object({ reason: Reason.optional() }).strict();
const ReceiptBody = z
  .object({
    receiptId: z.string().trim().min(1).max(128).optional(),
    asnRef: Id.optional(),
    tenantId: Id.optional(),
    scan: z.string().min(1).max(200).optional(),
    skuId: Id.optional(),
    lot: Lot.optional(),
    expiry: IsoDate.optional(),
    qty: Quantity.optional(),
    damagedQty: z.number().int('must be a whole number of units').min(0).max(1_000_000).optional(),
    reason: Reason.optional(),
    /** Required for a serial-tracked SKU: one per unit (R77). */
    serials: SerialsSchema.optional(),
  })
  .strict()
  .refine((b) => b.scan !== undefined || b.skuId !== undefined, { message: 'give a scan or a skuId', path: ['scan'] })
  .refine((b) => b.asnRef !== undefined || b.tenantId !== undefined, { message: 'a receipt without asnRef names its tenantId', path: ['tenantId'] });
const PlaceHoldBody = z
  .object({
    holdId: Id.optional(),
    tenantId: Id,
    status: HoldStatus,
    reason: Reason,
    locationId: Id.optional(),
    skuId: Id.optional(),
    lot: Lot.optional(),
    qty: Quantity.optional(),
  })
  .strict();
const ReleaseBody = z.object({ reason: Reason }).strict();
const ListHoldQuery = z.object({ tenantId: Id.optional(), status: HoldStatus.optional(), skuId: Id.optional(), locationId: Id.optional() }).strict();
const QcRuleBody = z.object({ tenantId: Id, skuId: Id.optional(), hold: z.boolean() }).strict();
const ExpiringQuery = z.object({ asOf: IsoDate, withinDays: z.coerce.number().int().min(0).max(3650), tenantId: Id.optional() }).strict();
const ExpireBody = z.object({ asOf: IsoDate }).strict();
const AsnPath = z.object({ asnRef: Id }).strict();
const HoldPath = z.object({ holdId: Id }).strict();

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** An ASN as the API shows it: header, lines with what arrived, and the discrepancy report (R46). */
export function asnView(asn: AsnState) {
  return {
    asnRef: asn.ref,
    tenantId: asn.tenantId,
    status: asn.status,
    createdAt: iso(asn.createdAt),
    closedAt: iso(asn.closedAt),
    closeReason: asn.closeReason,
    lines: asn.lines.map((l) => ({ lineNo: l.lineNo, skuId: l.skuId, expectedQty: l.expectedQty, lot: l.lot, expiry: l.expiry, receivedQty: l.receivedQty, damagedQty: l.damagedQty })),
    report: asnReport(asn),
  };
}

const holdView = (h: Hold) => ({ ...h, placedAt: iso(h.placedAt), units: h.lines.reduce((n, l) => n + l.qty, 0) });

/** The twin's view after a command, or the domain error. */
async function submitThen<T>(res: Response, site: SiteRunner, command: Command, view: (twin: TwinState) => T, status = 200): Promise<void> {
  const result = await site.submit(command);
  if (!result.ok) return sendDomainError(res, result.error);
  res.status(status).json(await site.read(view));
}

/** CSV as text/csv (when the app lets it through) or as `{ csv }` JSON. */
function csvText(req: Request, res: Response): string | undefined {
  if (typeof req.body === 'string') return req.body;
  return parseOr400(CsvBody, req.body, res, 'body')?.csv;
}
const textCsv = express.text({ type: 'text/csv', limit: '5mb' });
const maybeCsv = (req: Request, res: Response, next: NextFunction): void => (req.is('text/csv') === 'text/csv' ? textCsv(req, res, next) : next());

/**
 * [R42] Imports a whole ASN CSV or nothing: parse errors name line and column (400); every ASN is decided against the
 * twin before any is written, so a domain error (422/409, its file line in `details.line`) leaves nothing behind;
 * re-importing a file creates nothing twice (`created` lists only the new ones).
 */
async function importCsv(res: Response, site: SiteRunner, text: string): Promise<void> {
  const parsed = parseAsnCsv(text);
  if (!parsed.ok) {
    const message = parsed.errors.slice(0, 20).map((e) => `line ${e.line}${e.column === '' ? '' : ` column ${e.column}`}: ${e.message}`).join('; ');
    return sendError(res, 400, 'INVALID_CSV', message, { errors: parsed.errors });
  }
  const refusals = await site.read((twin) =>
    parsed.asns.map((a) => ({ a, d: decide(twin, a.command, { now: twin.now }) })).filter(({ d }) => !d.ok),
  );
  const first = refusals[0];
  if (first !== undefined && !first.d.ok) {
    const lineNo = first.d.error.details?.['lineNo'];
    const line = typeof lineNo === 'number' ? first.a.fileLines[lineNo - 1] : first.a.fileLines[0];
    return sendDomainError(res, { ...first.d.error, message: `line ${line}: ASN ${first.a.command.asnRef}: ${first.d.error.message}`, details: { ...first.d.error.details, line } });
  }
  const created: string[] = [];
  for (const a of parsed.asns) {
    const result = await site.submit(a.command);
    if (!result.ok) return sendDomainError(res, result.error);
    if (result.events.length > 0) created.push(a.command.asnRef);
  }
  res.status(created.length > 0 ? 201 : 200).json({ asns: parsed.asns.map((a) => a.command.asnRef), created });
}

/** The goods-in routes; mount with the other routers. Needs only the site registry. */
export function goodsInRouter(deps: { readonly sites: SiteRegistry }): Router {
  const { sites } = deps;
  const router = Router();
  const base = '/api/sites/:siteId';

  router.get(`${base}/asns`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const q = site && parseOr400(ListAsnQuery, req.query, res, 'query');
    if (!site || !q) return;
    res.json(
      await site.read((twin) => {
        const all = [...twin.asns.values()]
          .filter((a) => (q.tenantId === undefined || a.tenantId === q.tenantId) && (q.status === undefined || a.status === q.status))
          .sort((a, b) => a.createdAt - b.createdAt || (a.ref < b.ref ? -1 : 1));
        return { total: all.length, asns: all.slice(q.offset, q.offset + q.limit).map(asnView) };
      }),
    );
  });

  router.post(`${base}/asns`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const body = site && parseOr400(CreateAsnBody, req.body, res, 'body');
    if (!site || !body) return;
    const command: Command = {
      type: 'createAsn',
      asnRef: body.asnRef,
      tenantId: asTenantId(body.tenantId),
      lines: body.lines.map((l) => ({ skuId: asSkuId(l.skuId), qty: l.qty, ...(l.lot === undefined ? {} : { lot: l.lot }), ...(l.expiry === undefined ? {} : { expiry: l.expiry }) })),
    };
    const result = await site.submit(command);
    if (!result.ok) return sendDomainError(res, result.error);
    const asn = await site.read((twin) => twin.asns.get(body.asnRef));
    if (asn === undefined) return sendError(res, 500, 'INTERNAL', `ASN ${body.asnRef} vanished`);
    res.status(result.events.length > 0 ? 201 : 200).json(asnView(asn));
  });

  router.post(`${base}/asns/import`, maybeCsv, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const text = site && csvText(req, res);
    if (!site || text === undefined) return;
    await importCsv(res, site, text);
  });

  router.get(`${base}/asns/:asnRef`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const p = site && parseOr400(AsnPath, { asnRef: req.params['asnRef'] }, res, 'path');
    if (!site || !p) return;
    const asn = await site.read((twin) => twin.asns.get(p.asnRef));
    if (asn === undefined) return sendError(res, 404, 'UNKNOWN_ASN', `unknown ASN ${p.asnRef}`, { asnRef: p.asnRef });
    res.json(asnView(asn));
  });

  router.post(`${base}/asns/:asnRef/close`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const p = site && parseOr400(AsnPath, { asnRef: req.params['asnRef'] }, res, 'path');
    const body = p && parseOr400(CloseBody, req.body ?? {}, res, 'body');
    if (!site || !p || !body) return;
    await submitThen(res, site, { type: 'closeAsn', asnRef: p.asnRef, ...(body.reason === undefined ? {} : { reason: body.reason }) }, (twin) => {
      const asn = twin.asns.get(p.asnRef) as AsnState;
      return asnView(asn);
    });
  });

  router.post(`${base}/receipts`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const b = site && parseOr400(ReceiptBody, req.body, res, 'body');
    if (!site || !b) return;
    const receiptId = b.receiptId ?? `RCV-${randomUUID()}`;
    const command: Command = {
      type: 'receiveGoods',
      receiptId,
      ...(b.asnRef === undefined ? {} : { asnRef: b.asnRef }),
      ...(b.tenantId === undefined ? {} : { tenantId: asTenantId(b.tenantId) }),
      ...(b.scan === undefined ? {} : { scan: b.scan }),
      ...(b.skuId === undefined ? {} : { skuId: asSkuId(b.skuId) }),
      ...(b.lot === undefined ? {} : { lot: b.lot }),
      ...(b.expiry === undefined ? {} : { expiry: b.expiry }),
      ...(b.qty === undefined ? {} : { qty: b.qty }),
      ...(b.damagedQty === undefined ? {} : { damagedQty: b.damagedQty }),
      ...(b.reason === undefined ? {} : { reason: b.reason }),
      ...(b.serials === undefined ? {} : { serials: b.serials }),
    };
    const result = await site.submit(command);
    if (!result.ok) return sendDomainError(res, result.error);
    const receipt = result.events.find((e) => e.type === 'GoodsReceived');
    // A resent receiptId is acknowledged: 200 with `duplicate`, nothing written twice (I8).
    if (receipt === undefined) return res.status(200).json({ receiptId, duplicate: true });
    const { type: _type, at, ...rest } = receipt;
    res.status(201).json({ ...rest, at: iso(at), duplicate: false });
  });

  router.get(`${base}/holds`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const q = site && parseOr400(ListHoldQuery, req.query, res, 'query');
    if (!site || !q) return;
    const filter = {
      ...(q.tenantId === undefined ? {} : { tenantId: asTenantId(q.tenantId) }),
      ...(q.status === undefined ? {} : { status: q.status }),
      ...(q.skuId === undefined ? {} : { skuId: asSkuId(q.skuId) }),
      ...(q.locationId === undefined ? {} : { locationId: asLocationId(q.locationId) }),
    };
    res.json(await site.read((twin) => ({ holds: listHolds(twin, filter).map(holdView) })));
  });

  router.post(`${base}/holds`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const b = site && parseOr400(PlaceHoldBody, req.body, res, 'body');
    if (!site || !b) return;
    const holdId = asHoldId(b.holdId ?? `HLD-${randomUUID()}`);
    const command: Command = {
      type: 'placeHold',
      holdId,
      tenantId: asTenantId(b.tenantId),
      status: b.status,
      reason: b.reason,
      ...(b.locationId === undefined ? {} : { locationId: asLocationId(b.locationId) }),
      ...(b.skuId === undefined ? {} : { skuId: asSkuId(b.skuId) }),
      ...(b.lot === undefined ? {} : { lot: b.lot }),
      ...(b.qty === undefined ? {} : { qty: b.qty }),
    };
    await submitThen(res, site, command, (twin) => holdView(twin.holds.get(holdId) as Hold), 201);
  });

  router.post(`${base}/holds/:holdId/release`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const p = site && parseOr400(HoldPath, { holdId: req.params['holdId'] }, res, 'path');
    const b = p && parseOr400(ReleaseBody, req.body, res, 'body');
    if (!site || !p || !b) return;
    await submitThen(res, site, { type: 'releaseHold', holdId: asHoldId(p.holdId), reason: b.reason }, () => ({ holdId: p.holdId, released: true }));
  });

  router.put(`${base}/qc-rules`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const b = site && parseOr400(QcRuleBody, req.body, res, 'body');
    if (!site || !b) return;
    const command: Command = { type: 'setQcRule', tenantId: asTenantId(b.tenantId), ...(b.skuId === undefined ? {} : { skuId: asSkuId(b.skuId) }), hold: b.hold };
    await submitThen(res, site, command, (twin) => ({ rules: [...twin.qcRules].sort() }));
  });

  router.get(`${base}/lots/expiring`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const q = site && parseOr400(ExpiringQuery, req.query, res, 'query');
    if (!site || !q) return;
    const options = { asOf: q.asOf, withinDays: q.withinDays, ...(q.tenantId === undefined ? {} : { tenantId: asTenantId(q.tenantId) }) };
    res.json({ ...options, lots: await site.read((twin) => expiringLots(twin, options)) });
  });

  // The expiry sweep on demand (the site pipeline calls the same command on its schedule).
  router.post(`${base}/lots/expire`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const b = site && parseOr400(ExpireBody, req.body, res, 'body');
    if (!site || !b) return;
    const result = await site.submit({ type: 'expireLots', asOf: b.asOf });
    if (!result.ok) return sendDomainError(res, result.error);
    const held = result.events.flatMap((e) => (e.type === 'HoldPlaced' ? e.lines : []));
    res.json({ asOf: b.asOf, holdId: result.events[0]?.type === 'HoldPlaced' ? result.events[0].holdId : null, lines: held });
  });

  router.get(`${base}/dock`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    if (!site) return;
    res.json(
      await site.read((twin) => {
        const dock = dockLocationId(twin.site.id);
        const stock = [...(twin.quantsByLocation.get(dock) ?? [])].sort().map((key) => {
          const q = twin.quants.get(key);
          return q === undefined ? null : { tenantId: q.tenantId, skuId: q.skuId, lot: q.lot, expiry: q.expiry, onHand: q.onHand, held: twin.heldByQuant.get(key) ?? 0 };
        });
        return { locationId: dock, stock: stock.filter((s) => s !== null) };
      }),
    );
  });

  return router;
}
