/**
 * The carrier port: create a shipment (tracking number + label), build the day's manifest, and the rule that picks
 * a carrier service for an order. Adapters (the built-in carrier, later real carrier APIs) implement `Carrier`.
 */
import type { Buffer } from 'node:buffer';
import type { LabelAddress } from './label.ts';

/** What a carrier needs to ship one packed parcel. `weightG` is gross grams; `shippedOn` is YYYY-MM-DD. */
export interface ShipmentRequest {
  orderId: string;
  sscc: string;
  service: string;
  weightG: number;
  cartonCode: string;
  from: LabelAddress;
  to: LabelAddress;
  externalRef: string | null;
  shippedOn: string;
}

/** A booked shipment: its tracking number and the label as ZPL and PDF. */
export interface Shipment {
  carrier: string;
  service: string;
  trackingNumber: string;
  trackingUrl: string;
  zpl: string;
  pdf: Buffer;
}

/** One parcel on a manifest. */
export interface ManifestParcel {
  orderId: string;
  sscc: string;
  trackingNumber: string;
  service: string;
  weightG: number;
  postcode: string;
  country: string;
}

/** The end-of-day hand-over list for a carrier, as totals and CSV. */
export interface Manifest {
  carrier: string;
  date: string;
  parcels: number;
  totalWeightG: number;
  csv: string;
}

/** A carrier service: its code, display name, heaviest parcel (g) and whether it crosses borders. */
export interface CarrierService {
  code: string;
  name: string;
  maxWeightG: number;
  international: boolean;
}

/** A carrier adapter. `createShipment` rejects with a `CarrierError` for a request the carrier cannot take. */
export interface Carrier {
  readonly id: string;
  readonly name: string;
  readonly services: readonly CarrierService[];
  createShipment(req: ShipmentRequest): Promise<Shipment>;
  manifest(date: string, parcels: readonly ManifestParcel[]): Manifest;
  trackingUrl(trackingNumber: string): string;
}

/** Why a carrier refused a request: an unknown or unsuitable service, or malformed data. */
export class CarrierError extends Error {
  constructor(
    readonly code: 'SERVICE_UNAVAILABLE' | 'INVALID_REQUEST',
    message: string,
  ) {
    super(message);
    this.name = 'CarrierError';
  }
}

/** Service code of heavy shipments that parcel services do not take. */
export const FREIGHT_SERVICE = 'freight';
/** Service used when nothing else decides. */
export const STANDARD_SERVICE = 'standard';

/** True when the service may carry a parcel of this weight to this destination (international services go anywhere). */
export function serviceTakes(service: CarrierService, weightG: number, international: boolean): boolean {
  return weightG <= service.maxWeightG && (!international || service.international);
}

type Choice = { carrier: Carrier; service: string } | { error: string };

const byWeightThenCode = (a: CarrierService, b: CarrierService): number =>
  a.maxWeightG - b.maxWeightG || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);

/** The first carrier (in the order given) with a service that passes `accept`, the lightest suitable service first. */
function firstOffering(carriers: readonly Carrier[], accept: (s: CarrierService) => boolean): Choice | undefined {
  for (const carrier of carriers) {
    const service = [...carrier.services].sort(byWeightThenCode).find(accept);
    if (service !== undefined) return { carrier, service: service.code };
  }
  return undefined;
}

/**
 * Picks the carrier and service for an order, deterministically (carriers in the order given):
 * 1. the requested service, if a carrier offers it for this weight and destination;
 * 2. an international destination (country ≠ `home`) → an international service that takes the weight;
 * 3. heavier than every domestic parcel service → freight;
 * 4. otherwise standard, or failing that the lightest domestic parcel service that takes the weight.
 * Returns `{ error }` when no carrier can take the parcel.
 */
export function chooseService(
  order: { service: string | null; weightG: number; country: string },
  carriers: readonly Carrier[],
  home: string,
): Choice {
  if (!Number.isFinite(order.weightG) || order.weightG < 0) return { error: `invalid parcel weight ${order.weightG} g` };
  const international = order.country.trim().toUpperCase() !== home.trim().toUpperCase();
  const fits = (s: CarrierService): boolean => serviceTakes(s, order.weightG, international);

  const requested = order.service?.trim().toLowerCase() ?? '';
  if (requested !== '') {
    const hit = firstOffering(carriers, (s) => s.code.toLowerCase() === requested && fits(s));
    if (hit !== undefined) return hit;
  }
  if (international) {
    return firstOffering(carriers, (s) => s.international && fits(s))
      ?? { error: `no international service takes ${order.weightG} g to ${order.country.toUpperCase()}` };
  }
  const parcel = (s: CarrierService): boolean => s.code !== FREIGHT_SERVICE;
  const parcelFits = carriers.some((c) => c.services.some((s) => parcel(s) && fits(s)));
  if (!parcelFits) {
    return firstOffering(carriers, (s) => s.code === FREIGHT_SERVICE && fits(s))
      ?? { error: `no service takes ${order.weightG} g, not even freight` };
  }
  return firstOffering(carriers, (s) => s.code === STANDARD_SERVICE && fits(s))
    ?? firstOffering(carriers, (s) => parcel(s) && fits(s))
    ?? { error: `no service takes ${order.weightG} g` };
}
