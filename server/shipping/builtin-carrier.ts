/**
 * The built-in carrier "Floortwin Post": no external API. Tracking numbers are UPU S10 shaped and derived from the
 * parcel's SSCC, labels come from label.ts, and the manifest is a CSV. It lets a site ship end to end without a
 * carrier contract, and it is the reference implementation of the `Carrier` port.
 */
import { hasValidCheckDigit } from '../twin/barcodes/gs1.ts';
import type { Carrier, CarrierService, Manifest, ManifestParcel, Shipment, ShipmentRequest } from './carrier.ts';
import { CarrierError, serviceTakes } from './carrier.ts';
import { pdfLabel, zplLabel } from './label.ts';
import type { LabelData } from './label.ts';

/** Id of the built-in carrier, as stored on orders (`carrier`). */
export const BUILTIN_CARRIER_ID = 'floortwin-post';

/** Services of the built-in carrier. Parcel services stop at 30 kg; freight takes pallets up to 1 t. */
export const BUILTIN_SERVICES: readonly CarrierService[] = [
  { code: 'standard', name: 'Standard', maxWeightG: 30_000, international: false },
  { code: 'express', name: 'Express', maxWeightG: 30_000, international: false },
  { code: 'next-day', name: 'Next Day', maxWeightG: 20_000, international: false },
  { code: 'international', name: 'International', maxWeightG: 30_000, international: true },
  { code: 'freight', name: 'Freight', maxWeightG: 1_000_000, international: false },
];

const S10_WEIGHTS = [8, 6, 4, 2, 3, 5, 9, 7] as const;

/** UPU S10 check digit of an 8-digit serial: weights 8,6,4,2,3,5,9,7; 11 − sum mod 11, where 10 → 0 and 11 → 5. */
export function s10CheckDigit(serial: string): number {
  if (!/^\d{8}$/.test(serial)) throw new RangeError(`S10 serial must be 8 digits, got "${serial}"`);
  const sum = S10_WEIGHTS.reduce((acc, w, i) => acc + w * (serial.charCodeAt(i) - 48), 0);
  const check = 11 - (sum % 11);
  return check === 10 ? 0 : check === 11 ? 5 : check;
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * The S10 tracking number of a parcel: 2 letters + 8-digit serial + check digit + country, e.g. "AA473124829GB".
 * The extension digit and the last 9 digits of the SSCC body (its serial reference, plus prefix digits for prefixes
 * longer than 7) form a 10-digit number: its low 8 digits are the serial, its top two (0–99) pick the letters.
 * For SSCCs under one company prefix this is one-to-one, so a tracking number is reused only if an SSCC is.
 */
export function s10TrackingNumber(sscc: string, country: string): string {
  if (!/^\d{18}$/.test(sscc)) throw new RangeError(`SSCC must be 18 digits, got "${sscc}"`);
  if (!/^[A-Za-z]{2}$/.test(country)) throw new RangeError(`country must be ISO 3166 alpha-2, got "${country}"`);
  const n = Number(`${sscc[0] ?? '0'}${sscc.slice(8, 17)}`);
  const serial = String(n % 100_000_000).padStart(8, '0');
  const high = Math.floor(n / 100_000_000);
  const letters = `${LETTERS[Math.floor(high / 26)] ?? 'Z'}${LETTERS[high % 26] ?? 'Z'}`;
  return `${letters}${serial}${s10CheckDigit(serial)}${country.toUpperCase()}`;
}

/** Quotes a CSV field when needed and defuses spreadsheet formulas. */
function csvField(value: string | number): string {
  let s = String(value);
  if (/^[=+\-@]/.test(s) && typeof value === 'string') s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Header of the manifest CSV; the last line is a TOTAL row with the parcel count and total weight. */
export const MANIFEST_HEADER = 'carrier,date,order_id,sscc,tracking_number,service,weight_g,postcode,country';

/** Options of the built-in carrier. */
export interface BuiltinCarrierOptions {
  /** The site's country (ISO alpha-2): the S10 suffix and what counts as domestic. Default 'GB'. */
  readonly country?: string;
  /** Base of tracking links; the tracking number is appended. Default 'https://track.floortwin.example/'. */
  readonly trackingBaseUrl?: string;
}

/** The built-in carrier "Floortwin Post" (id 'floortwin-post'). */
export function builtinCarrier(options: BuiltinCarrierOptions = {}): Carrier {
  const country = (options.country ?? 'GB').toUpperCase();
  if (!/^[A-Z]{2}$/.test(country)) throw new RangeError(`country must be ISO 3166 alpha-2, got "${country}"`);
  const base = options.trackingBaseUrl ?? 'https://track.floortwin.example/';
  const name = 'Floortwin Post';
  const trackingUrl = (trackingNumber: string): string => `${base}${encodeURIComponent(trackingNumber)}`;

  return {
    id: BUILTIN_CARRIER_ID,
    name,
    services: BUILTIN_SERVICES,
    trackingUrl,

    createShipment(req: ShipmentRequest): Promise<Shipment> {
      try {
        if (!/^\d{18}$/.test(req.sscc) || !hasValidCheckDigit(req.sscc)) {
          throw new CarrierError('INVALID_REQUEST', `invalid SSCC "${req.sscc}"`);
        }
        const service = BUILTIN_SERVICES.find((s) => s.code === req.service);
        if (service === undefined) throw new CarrierError('SERVICE_UNAVAILABLE', `${name} has no service "${req.service}"`);
        const international = req.to.country.trim().toUpperCase() !== country;
        if (!serviceTakes(service, req.weightG, international)) {
          throw new CarrierError('SERVICE_UNAVAILABLE',
            `${service.name} does not take ${req.weightG} g to ${req.to.country.toUpperCase()} (max ${service.maxWeightG} g, ${service.international ? 'international' : 'domestic only'})`);
        }
        const trackingNumber = s10TrackingNumber(req.sscc, country);
        const label: LabelData = {
          sscc: req.sscc, from: req.from, to: req.to, orderId: req.orderId, externalRef: req.externalRef,
          carrier: name, service: service.name, trackingNumber, weightG: req.weightG, cartonCode: req.cartonCode,
          shippedOn: req.shippedOn,
        };
        let zpl: string;
        let pdf: Shipment['pdf'];
        try {
          zpl = zplLabel(label);
          pdf = pdfLabel(label);
        } catch (e) {
          throw new CarrierError('INVALID_REQUEST', e instanceof Error ? e.message : String(e));
        }
        return Promise.resolve({ carrier: BUILTIN_CARRIER_ID, service: service.code, trackingNumber, trackingUrl: trackingUrl(trackingNumber), zpl, pdf });
      } catch (e) {
        return Promise.reject(e instanceof Error ? e : new Error(String(e)));
      }
    },

    manifest(date: string, parcels: readonly ManifestParcel[]): Manifest {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new RangeError(`manifest date must be YYYY-MM-DD, got "${date}"`);
      const totalWeightG = parcels.reduce((sum, p) => sum + p.weightG, 0);
      const rows = parcels.map((p) =>
        [BUILTIN_CARRIER_ID, date, p.orderId, p.sscc, p.trackingNumber, p.service, p.weightG, p.postcode, p.country.toUpperCase()]
          .map(csvField).join(','));
      const total = [BUILTIN_CARRIER_ID, date, 'TOTAL', '', `${parcels.length} parcels`, '', totalWeightG, '', ''].map(csvField).join(',');
      const csv = `${[MANIFEST_HEADER, ...rows, total].join('\r\n')}\r\n`;
      return { carrier: BUILTIN_CARRIER_ID, date, parcels: parcels.length, totalWeightG, csv };
    },
  };
}
