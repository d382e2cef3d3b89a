/**
 * The client portal's HTTP calls (no React): `/api/portal/sites/:siteId/...`, same origin, the session cookie sent by
 * the browser. The shapes mirror `server/api/portal.routes.ts` and `portal-views.ts`; the tenant is the signed-in
 * user's, never named here.
 */
import { ApiError, jsonCaller } from '../net/json-call.ts';

/** An error the server answered with, or a network failure (status 0). */
export class PortalApiError extends ApiError {}

const call = jsonCaller(PortalApiError);

export interface SiteRef {
  readonly id: string;
  readonly name: string;
}

export interface StockUnits {
  readonly onHand: number;
  readonly reserved: number;
  readonly held: number;
  readonly available: number;
}

export interface PortalSummary {
  readonly siteId: string;
  readonly siteName: string;
  readonly tenant: { readonly id: string; readonly name: string };
  readonly at: string;
  readonly seq: number;
  readonly stock: StockUnits & { readonly skus: number; readonly bins: number };
  readonly orders: Readonly<Record<string, number>>;
  readonly openAsns: number;
  readonly openRmas: number;
}

export type StockBy = 'sku' | 'lot' | 'class';
export type StockRow = StockUnits & {
  readonly skuId?: string;
  readonly description?: string;
  readonly lot?: string;
  readonly expiry?: string | null;
  readonly locationClass?: string;
  readonly bins: number;
  readonly lots?: number;
  readonly skus?: number;
};
export interface StockPage {
  readonly by: StockBy;
  readonly totals: StockUnits & { readonly skus: number; readonly bins: number };
  readonly total: number;
  readonly rows: readonly StockRow[];
}

export interface OrderLine {
  readonly lineNo: number;
  readonly skuId: string;
  readonly qty: number;
  readonly allocated: number;
  readonly backordered: number;
  readonly picked: number;
  readonly shorted: number;
  readonly cancelled: number;
}
export interface PortalOrder {
  readonly id: string;
  readonly externalRef: string | null;
  readonly channel: string;
  readonly status: string;
  readonly createdAt: string;
  readonly dueAt: string | null;
  readonly service: string | null;
  readonly carrier: string | null;
  readonly trackingNumber: string | null;
  readonly despatchedAt: string | null;
  readonly cancelReason: string | null;
  readonly lines: readonly OrderLine[];
}
export interface OrdersPage {
  readonly total: number;
  readonly byStatus: Readonly<Record<string, number>>;
  readonly orders: readonly PortalOrder[];
}

export interface AsnView {
  readonly asnRef: string;
  readonly status: 'open' | 'closed';
  readonly createdAt: string | null;
  readonly closedAt: string | null;
  readonly lines: readonly { readonly lineNo: number; readonly skuId: string; readonly expectedQty: number; readonly lot: string | null; readonly expiry: string | null; readonly receivedQty: number; readonly damagedQty: number }[];
}
export interface RmaView {
  readonly rmaId: string;
  readonly orderId: string;
  readonly status: 'open' | 'closed';
  readonly createdAt: string | null;
  readonly closedAt: string | null;
  readonly lines: readonly { readonly lineNo: number; readonly skuId: string; readonly qty: number; readonly reason: string; readonly receivedQty: number; readonly inspectedQty: number }[];
}

export interface SlaDay {
  readonly day: string;
  readonly due: number;
  readonly onTime: number;
  readonly late: number;
  readonly pending: number;
  readonly rate: number | null;
}
export interface SlaView {
  readonly from: string;
  readonly to: string;
  readonly days: readonly SlaDay[];
  readonly totals: { readonly onTime: number; readonly late: number; readonly pending: number; readonly rate: number | null };
  readonly withoutCutoff: number;
}

export interface PortalBin {
  readonly locationId: string;
  readonly index: number;
  readonly units: number;
}
export interface PortalFloorView {
  readonly siteId: string;
  readonly layoutId: string;
  readonly seq: number;
  /** Bins lit: layout bins holding the tenant's stock. */
  readonly count: number;
  readonly units: number;
  readonly bins: readonly PortalBin[];
  readonly offFloor: readonly { readonly locationId: string; readonly locationClass: string; readonly units: number }[];
}

/** One invoice line (money in minor units); `eventSeqs` are the events it counts, the drill-down. */
export interface InvoiceLine {
  readonly code: string;
  readonly description: string;
  readonly quantity: number;
  readonly unit: string;
  readonly unitPrice: number;
  readonly amount: number;
  readonly eventSeqs: readonly number[];
  /** The counted facts behind the line: day, quantity, the events and a human reference (an order, an ASN…). */
  readonly basis?: readonly { readonly day: string; readonly quantity: number; readonly seqs: readonly number[]; readonly ref: string }[];
}
export interface Invoice {
  readonly tenantId: string;
  readonly period: unknown;
  readonly lines: readonly InvoiceLine[];
  readonly total: number;
  readonly currency?: string;
}

export interface SeriesView {
  readonly metric: string;
  readonly bucket: string;
  readonly points: readonly { readonly t: string | number; readonly value: number | null }[];
}

const site = (siteId: string): string => `/api/portal/sites/${encodeURIComponent(siteId)}`;
const query = (params: Record<string, string | number | undefined>): string => {
  const entries = Object.entries(params).filter((e): e is [string, string | number] => e[1] !== undefined);
  return entries.length === 0 ? '' : `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString()}`;
};

export const fetchSites = (signal?: AbortSignal): Promise<{ sites: SiteRef[] }> => call('GET', '/api/portal/sites', undefined, signal);
export const fetchSummary = (siteId: string, signal?: AbortSignal): Promise<PortalSummary> => call('GET', `${site(siteId)}/summary`, undefined, signal);
export const fetchStock = (siteId: string, by: StockBy, opts: { skuId?: string; limit?: number; offset?: number } = {}, signal?: AbortSignal): Promise<StockPage> =>
  call('GET', `${site(siteId)}/stock${query({ by, skuId: opts.skuId, limit: opts.limit, offset: opts.offset })}`, undefined, signal);
export const fetchOrders = (siteId: string, opts: { status?: string; limit?: number; offset?: number } = {}, signal?: AbortSignal): Promise<OrdersPage> =>
  call('GET', `${site(siteId)}/orders${query(opts)}`, undefined, signal);
export const fetchOrder = (siteId: string, orderId: string, signal?: AbortSignal): Promise<PortalOrder> =>
  call('GET', `${site(siteId)}/orders/${encodeURIComponent(orderId)}`, undefined, signal);
export const fetchAsns = (siteId: string, signal?: AbortSignal): Promise<{ total: number; asns: AsnView[] }> => call('GET', `${site(siteId)}/asns`, undefined, signal);
export const fetchReturns = (siteId: string, signal?: AbortSignal): Promise<{ total: number; rmas: RmaView[] }> => call('GET', `${site(siteId)}/returns`, undefined, signal);
export const fetchSla = (siteId: string, days: number, signal?: AbortSignal): Promise<SlaView> => call('GET', `${site(siteId)}/sla${query({ days })}`, undefined, signal);
export const fetchFloor = (siteId: string, signal?: AbortSignal): Promise<PortalFloorView> => call('GET', `${site(siteId)}/floor`, undefined, signal);
export const fetchInvoice = (siteId: string, from: string, to: string, signal?: AbortSignal): Promise<Invoice> =>
  call('GET', `${site(siteId)}/invoices${query({ from, to })}`, undefined, signal);
/** One counted fact of an invoice line and the events behind it (`GET …/invoices/lines/:code`). */
export interface DrillItem {
  readonly day: string;
  readonly quantity: number;
  readonly ref: string;
  readonly seqs: readonly number[];
  readonly events: readonly { readonly seq: number; readonly event: { readonly type: string; readonly at?: number } }[];
}
export interface DrillDown {
  readonly total: number;
  readonly offset: number;
  readonly items: readonly DrillItem[];
}
export const fetchDrillDown = (siteId: string, code: string, q: { from: string; to: string; limit: number; offset: number }, signal?: AbortSignal): Promise<DrillDown> =>
  call('GET', `${site(siteId)}/invoices/lines/${encodeURIComponent(code)}${query(q)}`, undefined, signal);
export const fetchSeries = (siteId: string, q: { metric: string; from: string; to: string; bucket: string }, signal?: AbortSignal): Promise<SeriesView> =>
  call('GET', `${site(siteId)}/analytics${query(q)}`, undefined, signal);
export const fetchPortalLayout = <T>(siteId: string, signal?: AbortSignal): Promise<T> => call('GET', `${site(siteId)}/layout`, undefined, signal);

/** Places an order for the signed-in client (client admins and integration keys); stock is reserved as it allows. */
export const createOrder = (siteId: string, body: { externalRef?: string; service?: string; lines: { skuId: string; qty: number }[] }): Promise<PortalOrder> =>
  call('POST', `${site(siteId)}/orders`, body);

/** The address of an invoice as a CSV or PDF download (the browser sends the session cookie). */
export function invoiceFileUrl(siteId: string, from: string, to: string, format: 'csv' | 'pdf'): string {
  return `${site(siteId)}/invoices${query({ from, to, format })}`;
}
