/** Edge validation of rate cards, periods and prospect volumes (zod), shared by the routes and the demo card file. */
import { z } from 'zod';
import { CHARGE_FAMILIES, SERVICE_CODES, isDate, periodProblems, type ChargeFamily, type RateCard } from './rate-card.ts';
import type { ProspectVolumes } from './simulate.ts';

/** A price in minor units: a whole number, 0 … 10^9. */
const Price = z.number().int('prices are whole minor units').min(0).max(1_000_000_000);
const DateText = z.string().refine(isDate, 'must be a YYYY-MM-DD date');
const Code = z.string().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]*$/, 'must be 1-64 characters: letters, digits, . _ : / -');

const Peak = z
  .object({
    id: z.string().min(1).max(32).regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and -'),
    name: z.string().min(1).max(80),
    from: DateText,
    to: DateText,
    upliftPct: z.number().min(0).max(1000),
    appliesTo: z.array(z.enum(CHARGE_FAMILIES as [ChargeFamily, ...ChargeFamily[]])).optional(),
  })
  .refine((p) => p.from <= p.to, { message: 'from must not be after to', path: ['to'] });

const Services = z
  .record(z.string(), Price)
  .refine((r) => Object.keys(r).every((k) => (SERVICE_CODES as string[]).includes(k)), { message: `services are ${SERVICE_CODES.join(', ')}` });

/** A rate card as sent (PUT) or simulated; tenantId comes from the path, not the body. */
export const RateCardBody = z
  .object({
    currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code like GBP'),
    palletVolumeM3: z.number().positive().max(100),
    storage: z.object({ basis: z.enum(['location', 'pallet', 'm3']), pricePerDay: Price }).strict(),
    inbound: z.object({ perReceipt: Price, perLine: Price, perUnit: Price, perPallet: Price }).strict(),
    outbound: z.object({ perOrder: Price, perLine: Price, perUnit: Price }).strict(),
    packaging: z.object({ default: Price, byCarton: z.record(Code, Price) }).strict(),
    labels: z.object({ default: Price, byService: z.record(Code, Price), marginPct: z.number().min(0).max(1000) }).strict(),
    returns: z.object({ perRma: Price, perUnit: Price }).strict(),
    services: Services,
    minimumMonthly: Price,
    peaks: z.array(Peak).max(50).refine((ps) => new Set(ps.map((p) => p.id)).size === ps.length, { message: 'peak ids must be distinct' }),
  })
  .strict();
export type RateCardBody = z.infer<typeof RateCardBody>;

/** The card of `tenantId` from a validated body. */
export function rateCardOf(tenantId: string, body: RateCardBody): RateCard {
  return {
    ...body,
    tenantId,
    services: body.services,
    peaks: body.peaks.map(({ appliesTo, ...p }) => ({ ...p, ...(appliesTo === undefined ? {} : { appliesTo }) })),
  };
}

/** `?from=YYYY-MM-DD&to=YYYY-MM-DD`, both inclusive, at most 366 days. */
export const PeriodInput = z
  .object({ from: z.string(), to: z.string() })
  .superRefine((p, ctx) => {
    for (const message of periodProblems(p)) ctx.addIssue({ code: 'custom', message, path: ['from'] });
  });

const Volume = z.number().min(0).max(1_000_000);
export const ProspectVolumesInput = z
  .object({
    ordersPerDay: Volume,
    linesPerOrder: Volume,
    unitsPerLine: Volume,
    palletsStored: Volume,
    receipts: Volume,
    linesPerReceipt: Volume,
    unitsPerReceiptLine: Volume,
    palletsPerReceipt: Volume.optional(),
    returns: Volume,
    unitsPerReturn: Volume,
    cartonCode: Code.optional(),
    carrierService: Code.optional(),
  })
  .strict() satisfies z.ZodType<ProspectVolumes>;

/** The demo cards file: `{ cards: { [tenantId]: RateCardBody } }`. */
export const RateCardsFile = z.object({ cards: z.record(z.string(), RateCardBody) });
