/**
 * Returns (twin SPEC R50–R55): RMAs per client against despatched orders (create, list, get), receipt by scan at the
 * returns desk, inspection with grade and disposition, close, and the per-client report by reason and outcome. Thin:
 * parse, submit one command, map the result; views are read from the twin. Restocked units are put away by restock
 * tasks planned from `RETURNS:<siteId>` (`POST /move-tasks/putaway` with `receiptLocation: 'returns'`) or an ordinary
 * stock move; refurbished and quarantined ones are released through the holds API.
 */
import { randomUUID } from 'node:crypto';
import { Router, type Response } from 'express';
import { z } from 'zod';
import { SerialSchema, SerialsSchema } from '../protocol/serials.ts';
import type { SiteRunner } from '../site/site-runner.ts';
import type { Command } from '../twin/commands.ts';
import { asOrderId, asSkuId, asTenantId, epochMs } from '../twin/ids.ts';
import { RETURN_DISPOSITIONS, RETURN_GRADES, RETURN_REASONS, returnsLocationId, returnsReport } from '../twin/returns.ts';
import type { RmaState, TwinState } from '../twin/state.ts';
import { sendDomainError, sendError } from './http-error.ts';
import { Id, Limit, Offset, Quantity, parseOr400, siteFrom } from './params.ts';
import type { SiteRegistry } from './sites.ts';

const StepId = z.string().trim().min(1).max(128);
const Text = z.string().trim().min(1).max(200);
const Reason = z.enum(RETURN_REASONS as [string, ...string[]]);
const RmaLine = z.object({ skuId: Id, qty: Quantity, reason: Reason }).strict();
const RmaId = z.string().min(1).max(48).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be 1-48 characters: letters, digits, . _ -');
const CreateBody = z.object({ rmaId: RmaId.optional(), tenantId: Id, orderId: Id, lines: z.array(RmaLine).min(1).max(100) }).strict();
const ListQuery = z.object({ tenantId: Id.optional(), orderId: Id.optional(), status: z.enum(['open', 'closed']).optional(), limit: Limit, offset: Offset }).strict();
const ReceiptBody = z
  .object({
    receiptId: StepId.optional(),
    scan: z.string().trim().min(1).max(200),
    qty: Quantity,
    skuId: Id.optional(),
    lot: z.string().trim().min(1).max(64).optional(),
    /** Required for a serial-tracked SKU: the unit's serial, one unit (qty 1) per receipt (R79). */
    serial: SerialSchema.optional(),
  })
  .strict();
const InspectBody = z
  .object({
    inspectionId: StepId.optional(),
    skuId: Id,
    qty: Quantity,
    grade: z.enum(RETURN_GRADES as [string, ...string[]]),
    disposition: z.enum(RETURN_DISPOSITIONS as [string, ...string[]]),
    note: Text.optional(),
    /** One serial per unit inspected, for a serial-tracked SKU; required to dispose (twin R80). */
    serials: SerialsSchema.optional(),
  })
  .strict();
const CloseBody = z.object({ reason: Text.optional() }).strict();
const RmaPath = z.object({ rmaId: RmaId }).strict();
const Instant = z.iso.datetime({ offset: true }).or(z.iso.date());
const ReportQuery = z
  .object({ tenantId: Id, from: Instant, to: Instant })
  .strict()
  .refine((q) => Date.parse(q.from) < Date.parse(q.to), { message: 'from must be before to', path: ['to'] });

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** An RMA as the API shows it: header, lines with progress, receipts and inspections. */
export function rmaView(rma: RmaState) {
  return {
    rmaId: rma.id,
    tenantId: rma.tenantId,
    orderId: rma.orderId,
    status: rma.status,
    createdAt: iso(rma.createdAt),
    closedAt: iso(rma.closedAt),
    closeReason: rma.closeReason,
    lines: rma.lines.map((l) => ({ ...l, awaitingInspection: l.receivedQty - l.inspectedQty })),
    receipts: rma.receipts.map((r) => ({ ...r, at: iso(r.at) })),
    inspections: rma.inspections.map((i) => ({ ...i, at: iso(i.at) })),
  };
}

const rmaPath = (rmaId: string): ((twin: TwinState) => ReturnType<typeof rmaView> | null) => (twin) => {
  const rma = twin.rmas.get(rmaId);
  return rma === undefined ? null : rmaView(rma);
};

/** Submits one command and answers with the RMA as it is then (201 when something was written, 200 for a resend). */
async function submitRma(res: Response, site: SiteRunner, command: Command, rmaId: string): Promise<void> {
  const result = await site.submit(command);
  if (!result.ok) return sendDomainError(res, result.error);
  const view = await site.read(rmaPath(rmaId));
  if (view === null) return sendError(res, 500, 'INTERNAL', `RMA ${rmaId} vanished`);
  res.status(result.events.length > 0 ? 201 : 200).json({ ...view, duplicate: result.events.length === 0 });
}

/** The returns routes; mount with the other routers. Needs only the site registry. */
export function returnsRouter(deps: { readonly sites: SiteRegistry }): Router {
  const { sites } = deps;
  const router = Router();
  const base = '/api/sites/:siteId';

  router.get(`${base}/rmas`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const q = site && parseOr400(ListQuery, req.query, res, 'query');
    if (!site || !q) return;
    res.json(
      await site.read((twin) => {
        const all = [...twin.rmas.values()]
          .filter((r) => (q.tenantId === undefined || r.tenantId === q.tenantId) && (q.orderId === undefined || r.orderId === q.orderId) && (q.status === undefined || r.status === q.status))
          .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
        return { total: all.length, rmas: all.slice(q.offset, q.offset + q.limit).map(rmaView) };
      }),
    );
  });

  router.post(`${base}/rmas`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const b = site && parseOr400(CreateBody, req.body, res, 'body');
    if (!site || !b) return;
    const rmaId = b.rmaId ?? `RMA-${randomUUID()}`; // 40 characters
    const command: Command = {
      type: 'createRma',
      rmaId,
      tenantId: asTenantId(b.tenantId),
      orderId: asOrderId(b.orderId),
      lines: b.lines.map((l) => ({ skuId: asSkuId(l.skuId), qty: l.qty, reason: l.reason as (typeof RETURN_REASONS)[number] })),
    };
    await submitRma(res, site, command, rmaId);
  });

  router.get(`${base}/rmas/:rmaId`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const p = site && parseOr400(RmaPath, { rmaId: req.params['rmaId'] }, res, 'path');
    if (!site || !p) return;
    const view = await site.read(rmaPath(p.rmaId));
    if (view === null) return sendError(res, 404, 'UNKNOWN_RMA', `unknown RMA ${p.rmaId}`, { rmaId: p.rmaId });
    res.json(view);
  });

  router.post(`${base}/rmas/:rmaId/receipts`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const p = site && parseOr400(RmaPath, { rmaId: req.params['rmaId'] }, res, 'path');
    const b = p && parseOr400(ReceiptBody, req.body, res, 'body');
    if (!site || !p || !b) return;
    const command: Command = {
      type: 'receiveReturn',
      rmaId: p.rmaId,
      receiptId: b.receiptId ?? `RTN-${randomUUID()}`,
      scan: b.scan,
      qty: b.qty,
      ...(b.skuId === undefined ? {} : { skuId: asSkuId(b.skuId) }),
      ...(b.lot === undefined ? {} : { lot: b.lot }),
      ...(b.serial === undefined ? {} : { serial: b.serial }),
    };
    await submitRma(res, site, command, p.rmaId);
  });

  router.post(`${base}/rmas/:rmaId/inspections`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const p = site && parseOr400(RmaPath, { rmaId: req.params['rmaId'] }, res, 'path');
    const b = p && parseOr400(InspectBody, req.body, res, 'body');
    if (!site || !p || !b) return;
    const command: Command = {
      type: 'inspectReturn',
      rmaId: p.rmaId,
      inspectionId: b.inspectionId ?? `INS-${randomUUID()}`,
      skuId: asSkuId(b.skuId),
      qty: b.qty,
      grade: b.grade as (typeof RETURN_GRADES)[number],
      disposition: b.disposition as (typeof RETURN_DISPOSITIONS)[number],
      ...(b.note === undefined ? {} : { note: b.note }),
      ...(b.serials === undefined ? {} : { serials: b.serials }),
    };
    await submitRma(res, site, command, p.rmaId);
  });

  router.post(`${base}/rmas/:rmaId/close`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const p = site && parseOr400(RmaPath, { rmaId: req.params['rmaId'] }, res, 'path');
    const b = p && parseOr400(CloseBody, req.body ?? {}, res, 'body');
    if (!site || !p || !b) return;
    await submitRma(res, site, { type: 'closeRma', rmaId: p.rmaId, ...(b.reason === undefined ? {} : { reason: b.reason }) }, p.rmaId);
  });

  // [R55] Units by reason and outcome for one client over [from, to).
  router.get(`${base}/returns/report`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const q = site && parseOr400(ReportQuery, req.query, res, 'query');
    if (!site || !q) return;
    const from = epochMs(Date.parse(q.from));
    const to = epochMs(Date.parse(q.to));
    const report = await site.read((twin) => (twin.site.tenants.some((t) => t.id === q.tenantId) ? returnsReport(twin, { tenantId: asTenantId(q.tenantId), from, to }) : null));
    if (report === null) return sendError(res, 422, 'UNKNOWN_TENANT', `unknown tenant ${q.tenantId}`, { tenantId: q.tenantId });
    res.json({ ...report, from: iso(report.from), to: iso(report.to) });
  });

  // What waits on the returns desk: stock by (client, SKU, lot) with the units still held.
  router.get(`${base}/returns/desk`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    if (!site) return;
    res.json(
      await site.read((twin) => {
        const desk = returnsLocationId(twin.site.id);
        const stock = [...(twin.quantsByLocation.get(desk) ?? [])].sort().flatMap((key) => {
          const q = twin.quants.get(key);
          return q === undefined ? [] : [{ tenantId: q.tenantId, skuId: q.skuId, lot: q.lot, expiry: q.expiry, onHand: q.onHand, held: twin.heldByQuant.get(key) ?? 0 }];
        });
        return { locationId: desk, stock };
      }),
    );
  });

  return router;
}
