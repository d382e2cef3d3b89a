/**
 * Transfers between sites over HTTP (twin SPEC R71–R76), under /api/sites/:siteId/transfers: the source site creates,
 * picks (source scan, serials), despatches and cancels; the destination receives on its dock (discrepancies, serials)
 * and closes. The cross-site steps (the destination's expectation, the source's receipt confirmation) are taken by
 * the TransferRelay (server/site/transfers.ts), never by a route. Thin: parse, submit one command, answer the transfer
 * as the twin holds it then; a client-chosen id (`transferId`, `scanId`, `receiptId`) sent again writes nothing twice
 * (answered 200 with `duplicate: true`).
 */
import { randomUUID } from 'node:crypto';
import { Router, type Response } from 'express';
import { z } from 'zod';
import type { SiteRunner } from '../site/site-runner.ts';
import type { Command } from '../twin/commands.ts';
import { asLocationId, asSkuId, asTenantId, type SkuId } from '../twin/ids.ts';
import type { Sku } from '../twin/site.ts';
import type { InboundTransferState, TransferState, TwinState } from '../twin/state.ts';
import { inboundReport } from '../twin/transfers.ts';
import { sendDomainError, sendError } from './http-error.ts';
import { Id, Quantity, parseOr400, siteFrom } from './params.ts';
import type { SiteRegistry } from './sites.ts';

const Reason = z.string().trim().min(1).max(200);
const Serial = z.string().regex(/^[\x21-\x7e]{1,64}$/, 'a serial is 1-64 printable characters without spaces');
const Serials = z.array(Serial).min(1).max(10_000);
const ScanId = z.string().trim().min(1).max(128);
const LineNo = z.number().int().min(1).max(200);

const CreateBody = z
  .object({
    transferId: Id.optional(),
    toSiteId: Id,
    lines: z.array(z.object({ tenantId: Id, skuId: Id, lot: z.string().trim().min(1).max(64).optional(), qty: Quantity, fromLocationId: Id }).strict()).min(1).max(200),
  })
  .strict();
const PickBody = z.object({ lineNo: LineNo, sourceScan: z.string().min(1).max(200), scanId: ScanId.optional(), serials: Serials.optional() }).strict();
const CancelBody = z.object({ reason: Reason }).strict();
const ReceiptBody = z
  .object({
    receiptId: ScanId.optional(),
    lineNo: LineNo,
    qty: Quantity,
    damagedQty: z.number().int('must be a whole number of units').min(0).max(1_000_000).optional(),
    reason: Reason.optional(),
    serials: Serials.optional(),
  })
  .strict();
const CloseBody = z.object({ reason: Reason.optional() }).strict();
const ReturnBody = z.object({ reason: Reason, locationId: Id.optional() }).strict();
const TransferPath = z.object({ siteId: Id, transferId: Id }).strict();

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** What a handheld needs to know of a line's SKU: its name, and whether each unit's serial is scanned (R77, R78). */
const skuFacts = (skus: ReadonlyMap<SkuId, Sku>, skuId: SkuId) => {
  const sku = skus.get(skuId);
  return { skuName: sku?.description ?? skuId, serialTracked: sku?.serialTracked === true };
};

/** A transfer out of this site as the API shows it. */
export function transferView(t: TransferState, skus: ReadonlyMap<SkuId, Sku>) {
  return {
    direction: 'out' as const,
    transferId: t.id,
    toSiteId: t.toSiteId,
    status: t.status,
    createdAt: iso(t.createdAt),
    despatchedAt: iso(t.despatchedAt),
    receivedAt: iso(t.receivedAt),
    cancelReason: t.cancelReason,
    receiptReason: t.receiptReason,
    /** The destination's refusal (R76a): the transfer waits for the desk to return it. */
    refusal: t.refusal === null ? null : { siteId: t.refusal.siteId, code: t.refusal.code, message: t.refusal.message, at: iso(t.refusal.at) },
    returnedAt: iso(t.returnedAt),
    returnReason: t.returnReason,
    returnLocationId: t.returnLocationId,
    lines: t.lines.map((l) => ({ ...l, ...skuFacts(skus, l.skuId), picked: l.pickScanId !== null })),
  };
}

/** A transfer into this site as the API shows it, with its report (R75). */
export function inboundView(t: InboundTransferState, skus: ReadonlyMap<SkuId, Sku>) {
  return {
    direction: 'in' as const,
    transferId: t.id,
    fromSiteId: t.fromSiteId,
    status: t.status,
    expectedAt: iso(t.expectedAt),
    closedAt: iso(t.closedAt),
    closeReason: t.closeReason,
    lines: t.lines.map((l) => ({ ...l, ...skuFacts(skus, l.skuId) })),
    report: inboundReport(t),
  };
}

/** The transfer by id in either direction, as the API shows it. */
const viewOf = (twin: TwinState, transferId: string) => {
  const out = twin.transfers.get(transferId);
  if (out !== undefined) return transferView(out, twin.skusById);
  const inbound = twin.inboundTransfers.get(transferId);
  return inbound === undefined ? null : inboundView(inbound, twin.skusById);
};

/** Submits one command on a transfer and answers with the transfer then; `duplicate` when nothing was written. */
async function submitThen(res: Response, site: SiteRunner, transferId: string, command: Command, created = false): Promise<void> {
  const result = await site.submit(command);
  if (!result.ok) return sendDomainError(res, result.error);
  const wrote = result.events.length > 0;
  res.status(created && wrote ? 201 : 200).json({ transfer: await site.read((twin) => viewOf(twin, transferId)), duplicate: !wrote });
}

/**
 * When the destination is served here, its catalogue must know every line's client and SKU (R74) — refused before
 * anything is committed rather than found when the relay tells the destination.
 */
function unknownAtDestination(dest: SiteRunner, lines: readonly { tenantId: string; skuId: string }[]): { code: 'UNKNOWN_TENANT' | 'UNKNOWN_SKU'; lineNo: number; id: string } | null {
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] as { tenantId: string; skuId: string };
    if (!dest.site.tenants.some((t) => t.id === l.tenantId)) return { code: 'UNKNOWN_TENANT', lineNo: i + 1, id: l.tenantId };
    const sku = dest.site.skus.find((s) => s.id === l.skuId);
    if (sku === undefined || sku.tenantId !== l.tenantId) return { code: 'UNKNOWN_SKU', lineNo: i + 1, id: l.skuId };
  }
  return null;
}

/** The transfer routes; mount with the other routers. Needs only the site registry. */
export function transfersRouter(deps: { readonly sites: SiteRegistry }): Router {
  const { sites } = deps;
  const router = Router();
  const base = '/api/sites/:siteId/transfers';

  router.get(base, async (req, res) => {
    const site = siteFrom(sites, req, res);
    if (!site) return;
    res.json(
      await site.read((twin) => ({
        outbound: [...twin.transfers.values()].sort((a, b) => a.createdAt - b.createdAt).map((t) => transferView(t, twin.skusById)),
        inbound: [...twin.inboundTransfers.values()].sort((a, b) => a.expectedAt - b.expectedAt).map((t) => inboundView(t, twin.skusById)),
      })),
    );
  });

  router.get(`${base}/:transferId`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const path = site && parseOr400(TransferPath, req.params, res, 'path');
    if (!site || !path) return;
    const view = await site.read((twin) => viewOf(twin, path.transferId));
    if (view === null) return sendError(res, 404, 'UNKNOWN_TRANSFER', `no transfer ${path.transferId}`, { transferId: path.transferId });
    res.json({ transfer: view });
  });

  router.post(base, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const body = site && parseOr400(CreateBody, req.body, res, 'body');
    if (!site || !body) return;
    const dest = sites.get(body.toSiteId);
    const unknown = dest === undefined ? null : unknownAtDestination(dest, body.lines);
    if (unknown !== null) {
      return sendError(res, 422, unknown.code, `line ${unknown.lineNo}: site ${body.toSiteId} does not know ${unknown.id}`, { lineNo: unknown.lineNo, toSiteId: body.toSiteId, id: unknown.id });
    }
    const transferId = body.transferId ?? `TR-${randomUUID()}`;
    const command: Command = {
      type: 'createTransfer',
      transferId,
      toSiteId: body.toSiteId,
      lines: body.lines.map((l) => ({ tenantId: asTenantId(l.tenantId), skuId: asSkuId(l.skuId), qty: l.qty, fromLocationId: asLocationId(l.fromLocationId), ...(l.lot === undefined ? {} : { lot: l.lot }) })),
    };
    await submitThen(res, site, transferId, command, true);
  });

  router.post(`${base}/:transferId/pick`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const path = site && parseOr400(TransferPath, req.params, res, 'path');
    const body = path && parseOr400(PickBody, req.body, res, 'body');
    if (!site || !path || !body) return;
    const command: Command = { type: 'pickTransferLine', transferId: path.transferId, lineNo: body.lineNo, sourceScan: body.sourceScan, scanId: body.scanId ?? randomUUID(), ...(body.serials === undefined ? {} : { serials: body.serials }) };
    await submitThen(res, site, path.transferId, command);
  });

  router.post(`${base}/:transferId/despatch`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const path = site && parseOr400(TransferPath, req.params, res, 'path');
    if (!site || !path) return;
    await submitThen(res, site, path.transferId, { type: 'despatchTransfer', transferId: path.transferId });
  });

  router.post(`${base}/:transferId/cancel`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const path = site && parseOr400(TransferPath, req.params, res, 'path');
    const body = path && parseOr400(CancelBody, req.body, res, 'body');
    if (!site || !path || !body) return;
    await submitThen(res, site, path.transferId, { type: 'cancelTransfer', transferId: path.transferId, reason: body.reason });
  });

  // R76a: the units of a transfer the destination refused come back into stock here (the dock, or a named bin).
  router.post(`${base}/:transferId/return`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const path = site && parseOr400(TransferPath, req.params, res, 'path');
    const body = path && parseOr400(ReturnBody, req.body, res, 'body');
    if (!site || !path || !body) return;
    const command: Command = { type: 'returnRefusedTransfer', transferId: path.transferId, reason: body.reason, ...(body.locationId === undefined ? {} : { locationId: asLocationId(body.locationId) }) };
    await submitThen(res, site, path.transferId, command);
  });

  router.post(`${base}/:transferId/receipts`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const path = site && parseOr400(TransferPath, req.params, res, 'path');
    const body = path && parseOr400(ReceiptBody, req.body, res, 'body');
    if (!site || !path || !body) return;
    const command: Command = {
      type: 'receiveTransfer',
      transferId: path.transferId,
      receiptId: body.receiptId ?? randomUUID(),
      lineNo: body.lineNo,
      qty: body.qty,
      ...(body.damagedQty === undefined ? {} : { damagedQty: body.damagedQty }),
      ...(body.reason === undefined ? {} : { reason: body.reason }),
      ...(body.serials === undefined ? {} : { serials: body.serials }),
    };
    await submitThen(res, site, path.transferId, command, true);
  });

  router.post(`${base}/:transferId/close`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const path = site && parseOr400(TransferPath, req.params, res, 'path');
    const body = path && parseOr400(CloseBody, req.body, res, 'body');
    if (!site || !path || !body) return;
    await submitThen(res, site, path.transferId, { type: 'closeTransfer', transferId: path.transferId, ...(body.reason === undefined ? {} : { reason: body.reason }) });
  });

  return router;
}
