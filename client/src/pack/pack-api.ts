/**
 * The pack station's HTTP calls (no React): look an order up, pack and label it, despatch it. Same origin.
 * The shapes mirror `server/api/packing.routes.ts`.
 */
import type { Address } from '../../../server/twin/commands.ts';
import { ApiError, jsonCaller } from '../net/json-call.ts';
import type { Carton } from '../../../server/twin/packing/cartons.ts';

/** One SKU to pack: the units picked for the order. */
export interface PackItemView {
  readonly skuId: string;
  readonly description: string;
  readonly barcode: string;
  readonly qty: number;
  readonly unitWeightG: number;
}

/** A carton the station stocks: inner dimensions (m), the most it may weigh in total and its own weight (kg). */
export type CartonView = Carton;

/** A delivery address as the order carries it (the twin's shape). */
export type AddressView = Omit<Address, 'phone' | 'email'>;

/** `GET /api/sites/:siteId/pack/:code`. */
export interface PackOrderView {
  readonly orderId: string;
  readonly tenantId: string;
  readonly channel: string;
  readonly externalRef: string | null;
  readonly status: string;
  readonly service: string | null;
  readonly shipTo: AddressView | null;
  readonly items: readonly PackItemView[];
  readonly units: number;
  /** The smallest carton that takes the items (and how full it gets), or why none does. */
  readonly carton: {
    readonly suggested: string | null;
    readonly fillRatio: number | null;
    readonly reason: string | null;
    readonly options: readonly CartonView[];
  };
  readonly estimatedWeightG: number;
}

/** `POST /api/sites/:siteId/orders/:orderId/pack` → 201 (or 200 when it was already labelled). */
export interface PackResult {
  readonly orderId: string;
  readonly sscc: string;
  readonly carrier: string;
  readonly service: string;
  readonly trackingNumber: string;
  readonly trackingUrl: string | null;
  readonly labels: { readonly zpl: string; readonly pdf: string };
}

/** An error the server answered with (`{ error: { code, message, details } }`), or a network failure (status 0). */
export class PackApiError extends ApiError {}

const call = jsonCaller(PackApiError);

const site = (siteId: string): string => `/api/sites/${encodeURIComponent(siteId)}`;

/** Looks up the order to pack by order id or channel reference. */
export function fetchPackOrder(siteId: string, code: string, signal?: AbortSignal): Promise<PackOrderView> {
  return call('GET', `${site(siteId)}/pack/${encodeURIComponent(code)}`, undefined, signal);
}

/**
 * Packs the order (checking the scans against the picks), buys its label and returns SSCC and tracking. For an order
 * packed already the server only labels it (or answers the label it has), so the body may be empty.
 */
export function packOrder(
  siteId: string,
  orderId: string,
  body: { cartonCode?: string; weightG?: number; scannedItems?: readonly { code: string; qty: number }[] },
): Promise<PackResult> {
  return call('POST', `${site(siteId)}/orders/${encodeURIComponent(orderId)}/pack`, body);
}

/** Confirms the parcel has left: closes the order with the label's carrier and tracking. */
export function despatchOrder(siteId: string, orderId: string): Promise<{ id: string; status: string }> {
  return call('POST', `${site(siteId)}/orders/${encodeURIComponent(orderId)}/despatch`, {});
}
