/**
 * Rate cards (pure types and helpers): what one 3PL client pays for storage, inbound, outbound, packaging, labels,
 * returns and value-added services, with a monthly minimum and peak surcharges. Every price is in minor units of
 * `currency` (integers; label costs may become fractional once the margin is added, see invoice.ts).
 */

/** How storage is measured each day from the end-of-day stock snapshot. */
export type StorageBasis = 'location' | 'pallet' | 'm3';

/**
 * Value-added services with a price list. `producedBy` says which events produce each; services with `null` are on
 * the price list but no event records them yet (manual work, TODO(#9): a command to record them).
 */
export const SERVICES = {
  QC_HOLD_RECEIPT: { description: 'Quality hold on receipt', unit: 'unit', producedBy: 'GoodsReceived (units held qc)' },
  DAMAGE_HANDLING: { description: 'Damaged goods handling at goods in', unit: 'unit', producedBy: 'GoodsReceived (damagedQty)' },
  RETURN_INSPECTION: { description: 'Return inspection and grading', unit: 'unit', producedBy: 'ReturnInspected (qty)' },
  RETURN_DISPOSAL: { description: 'Disposal of returned goods', unit: 'unit', producedBy: 'ReturnInspected (disposed)' },
  CYCLE_COUNT: { description: 'Bin count closed holding the client\'s stock', unit: 'count', producedBy: 'CountAdjusted' },
  KITTING: { description: 'Kitting', unit: 'kit', producedBy: null },
  GIFT_WRAP: { description: 'Gift wrapping', unit: 'order', producedBy: null },
  RELABEL: { description: 'Relabelling', unit: 'unit', producedBy: null },
} as const satisfies Record<string, { description: string; unit: string; producedBy: string | null }>;

export type ServiceCode = keyof typeof SERVICES;
export const SERVICE_CODES = Object.keys(SERVICES) as ServiceCode[];

/** Charge families a peak surcharge may apply to. */
export type ChargeFamily = 'storage' | 'inbound' | 'outbound' | 'packaging' | 'labels' | 'returns' | 'services';
export const CHARGE_FAMILIES: readonly ChargeFamily[] = ['storage', 'inbound', 'outbound', 'packaging', 'labels', 'returns', 'services'];

/** A period with a percentage uplift on the charges of its days (dates inclusive, UTC). */
export interface PeakPeriod {
  readonly id: string;
  readonly name: string;
  /** `YYYY-MM-DD`, inclusive. */
  readonly from: string;
  /** `YYYY-MM-DD`, inclusive. */
  readonly to: string;
  /** Uplift in percent of the base unit price (e.g. 15 = +15 %). */
  readonly upliftPct: number;
  /** Families uplifted; default every family but storage. */
  readonly appliesTo?: readonly ChargeFamily[];
}

/** A client's rate card. Prices in minor units; 0 = not charged (no line). */
export interface RateCard {
  readonly tenantId: string;
  /** ISO 4217 code, e.g. GBP. */
  readonly currency: string;
  /** Volume of one pallet equivalent, m³ (storage per pallet and inbound per pallet). */
  readonly palletVolumeM3: number;
  readonly storage: { readonly basis: StorageBasis; readonly pricePerDay: number };
  readonly inbound: { readonly perReceipt: number; readonly perLine: number; readonly perUnit: number; readonly perPallet: number };
  readonly outbound: { readonly perOrder: number; readonly perLine: number; readonly perUnit: number };
  /** Price per carton packed, by carton code; `default` for codes not listed and for packs without a carton code. */
  readonly packaging: { readonly default: number; readonly byCarton: Readonly<Record<string, number>> };
  /** Carrier label cost by `carrier:service` (or `default`) passed on with `marginPct` on top. */
  readonly labels: { readonly default: number; readonly byService: Readonly<Record<string, number>>; readonly marginPct: number };
  readonly returns: { readonly perRma: number; readonly perUnit: number };
  readonly services: Readonly<Partial<Record<ServiceCode, number>>>;
  /** Minimum charge per calendar month, pro-rated for other periods (invoice.ts). */
  readonly minimumMonthly: number;
  readonly peaks: readonly PeakPeriod[];
}

/** A billing period: whole UTC days `from` … `to`, both inclusive (`YYYY-MM-DD`). */
export interface BillingPeriod {
  readonly from: string;
  readonly to: string;
}

const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Epoch ms of 00:00 UTC of a `YYYY-MM-DD` date; NaN when it is not a real date. */
export function dayStartMs(date: string): number {
  const m = DATE.exec(date);
  if (!m) return Number.NaN;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return dayOf(ms) === date ? ms : Number.NaN;
}

/** The UTC date `YYYY-MM-DD` of an instant. */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** True for a real `YYYY-MM-DD` date. */
export const isDate = (date: string): boolean => !Number.isNaN(dayStartMs(date));

/** The days of a period, in order. */
export function daysOf(period: BillingPeriod): string[] {
  const days: string[] = [];
  for (let ms = dayStartMs(period.from); ms <= dayStartMs(period.to); ms += DAY_MS) days.push(dayOf(ms));
  return days;
}

/** [start, end) of a period in epoch ms. */
export function periodRangeMs(period: BillingPeriod): { startMs: number; endMs: number } {
  return { startMs: dayStartMs(period.from), endMs: dayStartMs(period.to) + DAY_MS };
}

/** Problems with a period (empty when valid): real dates, from ≤ to, at most `maxDays` days. */
export function periodProblems(period: BillingPeriod, maxDays = 366): string[] {
  if (!isDate(period.from)) return [`from '${period.from}' is not a YYYY-MM-DD date`];
  if (!isDate(period.to)) return [`to '${period.to}' is not a YYYY-MM-DD date`];
  const days = (dayStartMs(period.to) - dayStartMs(period.from)) / DAY_MS + 1;
  if (days < 1) return ['from must not be after to'];
  if (days > maxDays) return [`a period may span at most ${maxDays} days, got ${days}`];
  return [];
}

/** Families a peak uplifts. */
export const peakFamilies = (peak: PeakPeriod): readonly ChargeFamily[] =>
  peak.appliesTo ?? CHARGE_FAMILIES.filter((f) => f !== 'storage');

/** The label cost of a carrier service (`carrier:service`) on a card, before margin. */
export function labelCost(card: RateCard, carrierService: string): number {
  return card.labels.byService[carrierService] ?? card.labels.default;
}
