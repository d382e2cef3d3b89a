/**
 * The staff billing page's HTTP calls (no React): `/api/sites/:siteId/billing/...` (server/api/billing.routes.ts),
 * same origin, the session cookie sent by the browser. Shapes mirror the server's billing types; money is in integer
 * minor units, unit prices may carry 4 decimals of a minor unit.
 */
import type { DrillDown } from '../../../server/billing/billing-service.ts';
import type { Invoice, InvoiceLine, RerateLine } from '../../../server/billing/invoice.ts';
import type { RateCard } from '../../../server/billing/rate-card.ts';
import type { ProspectVolumes } from '../../../server/billing/simulate.ts';
import { ApiError, jsonCaller } from '../net/json-call.ts';

export type { DrillDown, RateCard, RerateLine, ProspectVolumes };

/** An error the server answered with, or a network failure (status 0). */
export class BillingApiError extends ApiError {}

const call = jsonCaller(BillingApiError);

/** An invoice line as the JSON routes send it: without its basis (the drill-down serves that). */
export type InvoiceLineView = Omit<InvoiceLine, 'basis'>;
/** An invoice as JSON. */
export type InvoiceView = Omit<Invoice, 'lines'> & { readonly lines: readonly InvoiceLineView[] };

/** A stored card version. */
export interface StoredCard {
  readonly version: number;
  readonly effectiveFrom: string;
  readonly card: RateCard;
  readonly createdAt: string;
  readonly createdBy: string | null;
}

/** `GET …/rate-cards`: every client of the site and its current card (null: none). */
export interface ClientCards {
  readonly cards: readonly { readonly tenantId: string; readonly name: string; readonly current: StoredCard | null }[];
}

/** `GET …/rate-cards/:tenantId`: the card (current or asked version) and every version without its card. */
export interface CardWithVersions {
  readonly tenantId: string;
  readonly card: StoredCard;
  readonly versions: readonly Omit<StoredCard, 'card'>[];
}

/** `POST …/invoices/:tenantId/rerate`: the period under the card in force and under the other card, line by line. */
export interface RerateView {
  readonly before: InvoiceView;
  readonly after: InvoiceView;
  readonly lines: readonly RerateLine[];
  readonly totalDelta: number;
}

/** A rate card as the PUT / re-rate / simulate bodies take it: no tenantId (it comes from the path). */
export type RateCardBody = Omit<RateCard, 'tenantId'>;

export interface Period {
  readonly from: string;
  readonly to: string;
}

const billing = (siteId: string): string => `/api/sites/${encodeURIComponent(siteId)}/billing`;
const query = (params: Record<string, string | number | undefined>): string => {
  const entries = Object.entries(params).filter((e): e is [string, string | number] => e[1] !== undefined);
  return entries.length === 0 ? '' : `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString()}`;
};

export const fetchClientCards = (siteId: string, signal?: AbortSignal): Promise<ClientCards> => call('GET', `${billing(siteId)}/rate-cards`, undefined, signal);

export const fetchCard = (siteId: string, tenantId: string, version?: number, signal?: AbortSignal): Promise<CardWithVersions> =>
  call('GET', `${billing(siteId)}/rate-cards/${encodeURIComponent(tenantId)}${query({ version })}`, undefined, signal);

/** Stores a new version of the client's card (the old ones stay; invoices of earlier periods keep theirs). */
export const putCard = (siteId: string, tenantId: string, card: RateCardBody, effectiveFrom?: string): Promise<StoredCard> =>
  call('PUT', `${billing(siteId)}/rate-cards/${encodeURIComponent(tenantId)}`, { card, ...(effectiveFrom === undefined ? {} : { effectiveFrom }) });

export const fetchInvoice = (siteId: string, tenantId: string, period: Period, signal?: AbortSignal): Promise<InvoiceView> =>
  call('GET', `${billing(siteId)}/invoices/${encodeURIComponent(tenantId)}${query({ from: period.from, to: period.to })}`, undefined, signal);

export const fetchDrillDown = (siteId: string, tenantId: string, period: Period, code: string, page: { offset: number; limit: number }, signal?: AbortSignal): Promise<DrillDown> =>
  call('GET', `${billing(siteId)}/invoices/${encodeURIComponent(tenantId)}/lines${query({ from: period.from, to: period.to, code, offset: page.offset, limit: page.limit })}`, undefined, signal);

/** Re-rates a period with an edited card (not stored), line by line against the card in force. */
export const rerateWith = (siteId: string, tenantId: string, period: Period, card: RateCardBody): Promise<RerateView> =>
  call('POST', `${billing(siteId)}/invoices/${encodeURIComponent(tenantId)}/rerate`, { from: period.from, to: period.to, card });

/** A prospect's invoice from volumes, priced with a client's card in force. */
export const simulateProspect = (siteId: string, period: Period, volumes: ProspectVolumes, tenantId: string): Promise<InvoiceView> =>
  call('POST', `${billing(siteId)}/simulate`, { from: period.from, to: period.to, volumes, tenantId });

/** The address of an invoice as a CSV or PDF download (the browser sends the session cookie). */
export function invoiceFileUrl(siteId: string, tenantId: string, period: Period, format: 'csv' | 'pdf'): string {
  return `${billing(siteId)}/invoices/${encodeURIComponent(tenantId)}${query({ from: period.from, to: period.to, format })}`;
}
