/**
 * The stock handheld's HTTP calls (no React): goods-in (ASNs, receipts), the catalogue (what a scan names, the
 * clients), cycle counts (blind), returns (RMAs), move tasks (put-away, replenishment), transfers between sites and
 * the serial audit. Same origin; the shapes mirror
 * `server/api/{goods-in,catalogue,counts,returns,move-tasks,transfers,serials}.routes.ts`. Every refusal is a
 * {@link StockApiError} carrying the server's code and message, for the page to show as it is.
 */
import { ApiError, jsonCaller } from '../net/json-call.ts';
import type { CompleteMoveTaskRequest, MoveTaskKindWire, MoveTaskView } from '../../../server/protocol/move-tasks.ts';

/** An error the server answered with (`{ error: { code, message, details } }`), or a network failure (status 0). */
export class StockApiError extends ApiError {}

const call = jsonCaller(StockApiError);

const site = (siteId: string): string => `/api/sites/${encodeURIComponent(siteId)}`;
const seg = encodeURIComponent;

// ---- catalogue ---------------------------------------------------------------------------------------------------

/** A client (3PL owner). */
export interface TenantView {
  readonly id: string;
  readonly name: string;
}

/** One SKU a scan names (no stock figures). */
export interface CatalogueItem {
  readonly skuId: string;
  readonly tenantId: string;
  readonly tenantName: string;
  readonly description: string;
  readonly barcode: string;
  readonly lotTracked: boolean;
  /** One serial per unit is scanned on receipt and on return (twin R77, R79). */
  readonly serialTracked: boolean;
}

/** What a scanned code names: the SKUs (one per client sharing a GTIN) and what a GS1 string carries. */
export interface CatalogueLookup {
  readonly code: string;
  readonly kind: 'barcode' | 'gs1';
  readonly matches: readonly CatalogueItem[];
  readonly lot: string | null;
  readonly expiry: string | null;
  readonly qty: number | null;
}

export const fetchTenants = async (siteId: string): Promise<TenantView[]> => (await call<{ tenants: TenantView[] }>('GET', `${site(siteId)}/tenants`)).tenants;
export const lookupCode = (siteId: string, code: string): Promise<CatalogueLookup> => call('GET', `${site(siteId)}/catalogue/lookup?code=${seg(code)}`);

// ---- goods-in ----------------------------------------------------------------------------------------------------

/** An ASN line and what arrived against it. */
export interface AsnLineView {
  readonly lineNo: number;
  readonly skuId: string;
  readonly expectedQty: number;
  readonly lot: string | null;
  readonly expiry: string | null;
  readonly receivedQty: number;
  readonly damagedQty: number;
}

/** An advance shipping notice. */
export interface AsnView {
  readonly asnRef: string;
  readonly tenantId: string;
  readonly status: 'open' | 'closed';
  readonly lines: readonly AsnLineView[];
}

/** `POST /receipts` body. */
export interface ReceiptRequest {
  readonly receiptId: string;
  readonly asnRef?: string;
  readonly tenantId?: string;
  readonly scan?: string;
  readonly skuId?: string;
  readonly lot?: string;
  readonly expiry?: string;
  readonly qty?: number;
  readonly damagedQty?: number;
  readonly reason?: string;
  /** One per unit of a serial-tracked SKU, in scan order (R77). */
  readonly serials?: readonly string[];
}

/** What the dock took in (201), or a resend acknowledged (200, `duplicate`). */
export interface ReceiptResult {
  readonly receiptId: string;
  readonly duplicate: boolean;
  readonly skuId?: string;
  readonly lot?: string;
  readonly qty?: number;
  readonly damagedQty?: number;
  readonly overQty?: number;
  readonly blind?: boolean;
  readonly holds?: readonly { holdId: string; status: string; qty: number }[];
}

export const fetchOpenAsns = async (siteId: string): Promise<AsnView[]> => (await call<{ asns: AsnView[] }>('GET', `${site(siteId)}/asns?status=open&limit=200`)).asns;
export const fetchAsn = (siteId: string, asnRef: string): Promise<AsnView> => call('GET', `${site(siteId)}/asns/${seg(asnRef)}`);
export const postReceipt = (siteId: string, body: ReceiptRequest): Promise<ReceiptResult> => call('POST', `${site(siteId)}/receipts`, body);

// ---- counts ------------------------------------------------------------------------------------------------------

/** A count as a counter may see it: never a quantity (R34). */
export interface BlindCountView {
  readonly id: string;
  readonly locationId: string;
  readonly reason: string;
  readonly status: 'open' | 'counting' | 'recount' | 'recounting' | 'pending-approval' | 'adjusted' | 'rejected';
  readonly attempt: number;
  readonly counterId: string | null;
}

/** One (SKU, lot) found in the bin. */
export interface CountLineRequest {
  readonly skuId: string;
  readonly lot?: string;
  readonly expiry?: string;
  readonly qty: number;
  /** One serial per unit found, for a serial-tracked item (twin R80). */
  readonly serials?: readonly string[];
}

export async function fetchCounts(siteId: string, status: BlindCountView['status']): Promise<BlindCountView[]> {
  return (await call<{ counts: BlindCountView[] }>('GET', `${site(siteId)}/counts?status=${status}&limit=200`)).counts;
}
export const startCount = (siteId: string, countId: string, counterId: string): Promise<BlindCountView> => call('POST', `${site(siteId)}/counts/${seg(countId)}/start`, { counterId });
export const submitCount = (siteId: string, countId: string, body: { counterId: string; lines: readonly CountLineRequest[]; scanId: string; attempt: number }): Promise<BlindCountView> =>
  call('POST', `${site(siteId)}/counts/${seg(countId)}/submit`, body);

// ---- returns -----------------------------------------------------------------------------------------------------

/** One authorised line of an RMA and its progress. */
export interface RmaLineView {
  readonly lineNo: number;
  readonly skuId: string;
  readonly qty: number;
  readonly reason: string;
  readonly receivedQty: number;
  readonly inspectedQty: number;
  readonly awaitingInspection: number;
}

/** An RMA. */
export interface RmaView {
  readonly rmaId: string;
  readonly tenantId: string;
  readonly orderId: string;
  readonly status: 'open' | 'closed';
  readonly lines: readonly RmaLineView[];
  readonly duplicate?: boolean;
}

export const fetchRma = (siteId: string, rmaId: string): Promise<RmaView> => call('GET', `${site(siteId)}/rmas/${seg(rmaId)}`);
/** `POST …/rmas/:rmaId/receipts` body: `serial` names the one unit (qty 1) of a serial-tracked SKU (R79). */
export interface ReturnReceiptRequest {
  readonly receiptId: string;
  readonly scan: string;
  readonly qty: number;
  readonly skuId?: string;
  readonly lot?: string;
  readonly serial?: string;
}

export const receiveReturn = (siteId: string, rmaId: string, body: ReturnReceiptRequest): Promise<RmaView> =>
  call('POST', `${site(siteId)}/rmas/${seg(rmaId)}/receipts`, body);
export const inspectReturn = (
  siteId: string,
  rmaId: string,
  body: { inspectionId: string; skuId: string; qty: number; grade: string; disposition: string; note?: string },
): Promise<RmaView> => call('POST', `${site(siteId)}/rmas/${seg(rmaId)}/inspections`, body);

// ---- move tasks --------------------------------------------------------------------------------------------------

export const nextMoveTask = async (siteId: string, operativeId: string, kinds: readonly MoveTaskKindWire[]): Promise<MoveTaskView | null> =>
  (await call<{ task: MoveTaskView | null }>('POST', `${site(siteId)}/move-tasks/next`, { operativeId, kinds })).task;
export const completeMoveTask = (siteId: string, taskId: string, body: CompleteMoveTaskRequest): Promise<unknown> =>
  call('POST', `${site(siteId)}/move-tasks/${seg(taskId)}/complete`, body);
/** Creates put-away tasks for the dock's free stock (all of it, or the lines matching the filters). */
export const planPutaway = async (siteId: string, filter: { tenantId?: string; skuId?: string } = {}): Promise<MoveTaskView[]> =>
  (await call<{ tasks: MoveTaskView[] }>('POST', `${site(siteId)}/move-tasks/putaway`, filter)).tasks;
/** Creates the replenishment tasks the pick faces need now. */
export const planReplenishment = (siteId: string): Promise<unknown> => call('POST', `${site(siteId)}/replenishment/plan`, {});

// ---- transfers between sites (R71–R76a) --------------------------------------------------------------------------

/** What a transfer line says of its goods, either way. */
interface TransferLineGoods {
  readonly lineNo: number;
  readonly tenantId: string;
  readonly skuId: string;
  readonly skuName: string;
  readonly serialTracked: boolean;
  readonly lot: string;
  readonly expiry: string | null;
}

/** One line of a transfer out of this site: the bin it is picked from and, once picked, its serials. */
export interface OutboundLineView extends TransferLineGoods {
  readonly qty: number;
  readonly fromLocationId: string;
  readonly picked: boolean;
  readonly serials: readonly string[];
}

/** The destination's refusal of a despatched transfer (R76a): it will not take it as sent. */
export interface TransferRefusalView {
  readonly siteId: string;
  readonly code: string;
  readonly message: string;
  readonly at: string | null;
}

/**
 * A transfer out of this site: picked line by line while `created`, then despatched into transit; one the destination
 * refused carries `refusal` until the desk returns it into stock here (`returned`, R76a).
 */
export interface OutboundTransferView {
  readonly direction: 'out';
  readonly transferId: string;
  readonly toSiteId: string;
  readonly status: 'created' | 'despatched' | 'received' | 'cancelled' | 'returned';
  readonly refusal: TransferRefusalView | null;
  readonly returnReason: string | null;
  readonly returnLocationId: string | null;
  readonly lines: readonly OutboundLineView[];
}

/** One line of a transfer into this site and what arrived against it. */
export interface InboundLineView extends TransferLineGoods {
  readonly expectedQty: number;
  readonly receivedQty: number;
  readonly damagedQty: number;
}

/** A transfer into this site: `expected` until closed at the dock. */
export interface InboundTransferView {
  readonly direction: 'in';
  readonly transferId: string;
  readonly fromSiteId: string;
  readonly status: 'expected' | 'closed';
  readonly closeReason: string | null;
  readonly lines: readonly InboundLineView[];
}

export type TransferView = OutboundTransferView | InboundTransferView;

export const fetchTransfers = (siteId: string): Promise<{ outbound: OutboundTransferView[]; inbound: InboundTransferView[] }> => call('GET', `${site(siteId)}/transfers`);
export const fetchTransfer = async (siteId: string, transferId: string): Promise<TransferView> => (await call<{ transfer: TransferView }>('GET', `${site(siteId)}/transfers/${seg(transferId)}`)).transfer;
export const pickTransferLine = async (siteId: string, transferId: string, body: { lineNo: number; sourceScan: string; scanId: string; serials?: readonly string[] }): Promise<OutboundTransferView> =>
  (await call<{ transfer: OutboundTransferView }>('POST', `${site(siteId)}/transfers/${seg(transferId)}/pick`, body)).transfer;
export const despatchTransfer = async (siteId: string, transferId: string): Promise<OutboundTransferView> =>
  (await call<{ transfer: OutboundTransferView }>('POST', `${site(siteId)}/transfers/${seg(transferId)}/despatch`, {})).transfer;
/** Brings a refused transfer's units back into stock here, on the dock (R76a); a supervisor's step. */
export const returnRefusedTransfer = async (siteId: string, transferId: string, reason: string): Promise<OutboundTransferView> =>
  (await call<{ transfer: OutboundTransferView }>('POST', `${site(siteId)}/transfers/${seg(transferId)}/return`, { reason })).transfer;
export const receiveTransfer = async (
  siteId: string,
  transferId: string,
  body: { receiptId: string; lineNo: number; qty: number; damagedQty?: number; reason?: string; serials?: readonly string[] },
): Promise<InboundTransferView> => (await call<{ transfer: InboundTransferView }>('POST', `${site(siteId)}/transfers/${seg(transferId)}/receipts`, body)).transfer;
export const closeTransfer = async (siteId: string, transferId: string, reason?: string): Promise<InboundTransferView> =>
  (await call<{ transfer: InboundTransferView }>('POST', `${site(siteId)}/transfers/${seg(transferId)}/close`, reason === undefined ? {} : { reason })).transfer;

// ---- serials (R80) -----------------------------------------------------------------------------------------------

/** Where a serial-tracked unit is now. */
export type SerialStatus = 'in-stock' | 'picked' | 'shipped' | 'in-transit' | 'transferred' | 'written-off' | 'disposed';

/** A serial's audit: where the twin holds it now (null when it was here once and no longer is) and its history. */
export interface SerialAudit {
  readonly serial: string;
  readonly skuId: string;
  readonly tenantId: string;
  readonly current: { status: SerialStatus; lot: string; locationId: string | null; orderId: string | null; transferId: string | null; updatedAt: string } | null;
  readonly history: readonly { seq: number; at: string; event: string; status: string; locationId: string | null; orderId: string | null; transferId: string | null }[];
}

export const lookupSerial = (siteId: string, skuId: string, serial: string): Promise<SerialAudit> => call('GET', `${site(siteId)}/serials/${seg(skuId)}/${seg(serial)}`);

/** A fresh id for a receipt, a count submission, a move scan (resends carry the same one: applied once). */
export function newRequestId(prefix: string): string {
  const random = typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  return `${prefix}-${random}`;
}
