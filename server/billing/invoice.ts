/**
 * Rating (pure): usage × rate card → invoice. Every line keeps the contributions it sums (`basis`), so
 * Σ basis quantities = line quantity and `eventSeqs` are exactly the events the line counts.
 *
 * Rounding: quantities at 3 decimals; unit prices at 4 decimals of a minor unit (label cost + margin and peak uplifts
 * are rounded there, half away from zero); each line's amount = quantity × unit price rounded once, half away from
 * zero, to a whole minor unit; the total is the sum of line amounts (no further rounding).
 * Peak surcharges: for each peak and each uplifted line, a separate line over the contributions whose day falls in the
 * peak, at upliftPct % of the base unit price (overlapping peaks each add their own uplift).
 * Minimum: `minimumMonthly` × whole calendar months when the period is exactly whole months, otherwise pro-rated
 * `minimumMonthly × days / days in the month of the period's start` (rounded half away from zero); when the total of
 * the charge lines is below it, a MINIMUM line tops the invoice up to it.
 */
import type { SequencedEvent } from '../twin/events.ts';
import { amountOf, formatMinor, percentOf, roundUnitPrice, sumQuantities } from './money.ts';
import {
  SERVICES,
  dayStartMs,
  daysOf,
  labelCost,
  peakFamilies,
  type BillingPeriod,
  type ChargeFamily,
  type RateCard,
  type ServiceCode,
} from './rate-card.ts';
import { measureUsage, type Contribution, type MeterKind, type Usage } from './usage.ts';

/** One counted fact behind a line: its quantity, the events that caused it and a human reference. */
export interface LineBasis {
  readonly day: string;
  readonly quantity: number;
  readonly seqs: readonly number[];
  readonly ref: string;
}

export interface InvoiceLine {
  /** Stable key of the line within an invoice, e.g. OUTBOUND_UNIT, PACKAGING:M1, PEAK:xmas:OUTBOUND_UNIT, MINIMUM. */
  readonly code: string;
  readonly description: string;
  readonly family: ChargeFamily | 'peak' | 'minimum';
  readonly quantity: number;
  readonly unit: string;
  /** Minor units per unit (up to 4 decimals). */
  readonly unitPrice: number;
  /** Minor units, integer. */
  readonly amount: number;
  /** Every event the line counts, ascending, distinct. */
  readonly eventSeqs: readonly number[];
  readonly basis: readonly LineBasis[];
}

export interface Invoice {
  readonly tenantId: string;
  readonly currency: string;
  readonly period: BillingPeriod;
  readonly lines: readonly InvoiceLine[];
  /** Σ line amounts, minor units. */
  readonly total: number;
  /** The invoice is a function of the log through this seq (0 for simulated usage). */
  readonly throughSeq: number;
  /** Version of the stored rate card used, when it came from the store. */
  readonly cardVersion: number | null;
  readonly simulated: boolean;
}

interface Meter {
  readonly code: string;
  readonly family: ChargeFamily;
  readonly description: string;
  readonly unit: string;
  readonly unitPrice: number;
}

/** The priced meter of a contribution under a card, or null when the card does not charge it. */
function meterOf(card: RateCard, kind: MeterKind, variant: string): Meter | null {
  const m = (code: string, family: ChargeFamily, description: string, unit: string, unitPrice: number): Meter | null =>
    unitPrice > 0 ? { code, family, description, unit, unitPrice: roundUnitPrice(unitPrice) } : null;
  const s = card.storage;
  switch (kind) {
    case 'storage-location-days':
      return s.basis === 'location' ? m('STORAGE', 'storage', 'Storage per location per day', 'location-day', s.pricePerDay) : null;
    case 'storage-pallet-days':
      return s.basis === 'pallet' ? m('STORAGE', 'storage', `Storage per pallet (${card.palletVolumeM3} m³) per day`, 'pallet-day', s.pricePerDay) : null;
    case 'storage-m3-days':
      return s.basis === 'm3' ? m('STORAGE', 'storage', 'Storage per cubic metre per day', 'm3-day', s.pricePerDay) : null;
    case 'inbound-receipts':
      return m('INBOUND_RECEIPT', 'inbound', 'Goods in per receipt', 'receipt', card.inbound.perReceipt);
    case 'inbound-lines':
      return m('INBOUND_LINE', 'inbound', 'Goods in per receipt line', 'line', card.inbound.perLine);
    case 'inbound-units':
      return m('INBOUND_UNIT', 'inbound', 'Goods in per unit', 'unit', card.inbound.perUnit);
    case 'inbound-pallets':
      return m('INBOUND_PALLET', 'inbound', `Goods in per pallet (${card.palletVolumeM3} m³)`, 'pallet', card.inbound.perPallet);
    case 'outbound-orders':
      return m('OUTBOUND_ORDER', 'outbound', 'Despatch per order', 'order', card.outbound.perOrder);
    case 'outbound-lines':
      return m('OUTBOUND_LINE', 'outbound', 'Pick per order line', 'line', card.outbound.perLine);
    case 'outbound-units':
      return m('OUTBOUND_UNIT', 'outbound', 'Pick per unit', 'unit', card.outbound.perUnit);
    case 'cartons': {
      const code = variant === '' ? 'UNSPECIFIED' : variant;
      return m(`PACKAGING:${code}`, 'packaging', `Carton ${code} packed`, 'carton', card.packaging.byCarton[variant] ?? card.packaging.default);
    }
    case 'labels': {
      const cost = labelCost(card, variant);
      const margin = card.labels.marginPct;
      return m(`LABEL:${variant}`, 'labels', `Carrier label ${variant} (cost ${cost} + ${margin} %)`, 'label', percentOf(cost, 100 + margin));
    }
    case 'return-rmas':
      return m('RETURN_RMA', 'returns', 'Returns per RMA received', 'rma', card.returns.perRma);
    case 'return-units':
      return m('RETURN_UNIT', 'returns', 'Returns per unit received', 'unit', card.returns.perUnit);
    case 'service': {
      const code = variant as ServiceCode;
      const service = SERVICES[code] as (typeof SERVICES)[ServiceCode] | undefined;
      if (service === undefined) return null;
      return m(`VAS:${code}`, 'services', service.description, service.unit, card.services[code] ?? 0);
    }
  }
}

/** Sorted distinct seqs of a basis. */
function seqsOf(basis: readonly LineBasis[]): number[] {
  const all = new Set<number>();
  for (const b of basis) for (const s of b.seqs) all.add(s);
  return [...all].sort((a, b) => a - b);
}

function lineOf(meter: Omit<Meter, 'family'> & { family: InvoiceLine['family'] }, basis: readonly LineBasis[]): InvoiceLine {
  const quantity = sumQuantities(basis.map((b) => b.quantity));
  return {
    code: meter.code,
    description: meter.description,
    family: meter.family,
    quantity,
    unit: meter.unit,
    unitPrice: meter.unitPrice,
    amount: amountOf(quantity, meter.unitPrice),
    eventSeqs: seqsOf(basis),
    basis,
  };
}

const basisOf = (c: Contribution): LineBasis => ({ day: c.day, quantity: c.quantity, seqs: c.seqs, ref: c.ref });

const FAMILY_ORDER: readonly InvoiceLine['family'][] = ['storage', 'inbound', 'outbound', 'packaging', 'labels', 'returns', 'services', 'peak', 'minimum'];

/** The minimum charge for a period: whole calendar months × minimum, else pro-rated by the days of the start month. */
export function minimumFor(card: RateCard, period: BillingPeriod): number {
  if (card.minimumMonthly <= 0) return 0;
  const days = daysOf(period);
  const start = period.from;
  const next = new Date(dayStartMs(period.to) + 86_400_000).toISOString().slice(0, 10);
  if (start.endsWith('-01') && next.endsWith('-01')) {
    const months = (Number(next.slice(0, 4)) - Number(start.slice(0, 4))) * 12 + Number(next.slice(5, 7)) - Number(start.slice(5, 7));
    return card.minimumMonthly * months;
  }
  const y = Number(start.slice(0, 4));
  const mo = Number(start.slice(5, 7));
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return amountOf(days.length, card.minimumMonthly / daysInMonth);
}

/** Rates measured usage with a card. The same function rates logged and simulated usage. */
export function rateUsage(usage: Usage, card: RateCard, options: { cardVersion?: number | null; simulated?: boolean } = {}): Invoice {
  const groups = new Map<string, { meter: Meter; contributions: Contribution[] }>();
  for (const c of usage.contributions) {
    const meter = meterOf(card, c.kind, c.variant);
    if (meter === null) continue;
    const group = groups.get(meter.code) ?? { meter, contributions: [] };
    group.contributions.push(c);
    groups.set(meter.code, group);
  }
  const lines: InvoiceLine[] = [];
  for (const { meter, contributions } of groups.values()) lines.push(lineOf(meter, contributions.map(basisOf)));
  for (const peak of card.peaks) {
    const families = peakFamilies(peak);
    for (const { meter, contributions } of groups.values()) {
      if (!families.includes(meter.family)) continue;
      const inPeak = contributions.filter((c) => c.day >= peak.from && c.day <= peak.to);
      if (inPeak.length === 0) continue;
      lines.push(
        lineOf(
          {
            code: `PEAK:${peak.id}:${meter.code}`,
            family: 'peak',
            description: `${peak.name} surcharge +${peak.upliftPct} % on ${meter.description.toLowerCase()} (${peak.from} – ${peak.to})`,
            unit: meter.unit,
            unitPrice: percentOf(meter.unitPrice, peak.upliftPct),
          },
          inPeak.map(basisOf),
        ),
      );
    }
  }
  const ordered = lines
    .filter((l) => l.quantity !== 0)
    .sort((a, b) => FAMILY_ORDER.indexOf(a.family) - FAMILY_ORDER.indexOf(b.family) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  const subtotal = ordered.reduce((s, l) => s + l.amount, 0);
  const minimum = minimumFor(card, usage.period);
  if (subtotal < minimum) {
    const topUp = minimum - subtotal;
    ordered.push({
      code: 'MINIMUM',
      description: `Minimum charge ${formatMinor(minimum)} ${card.currency} for the period; charges were ${formatMinor(subtotal)}`,
      family: 'minimum',
      quantity: 1,
      unit: 'period',
      unitPrice: topUp,
      amount: topUp,
      eventSeqs: [],
      basis: [{ day: usage.period.from, quantity: 1, seqs: [], ref: `minimum ${minimum} − charges ${subtotal}` }],
    });
  }
  return {
    tenantId: usage.tenantId,
    currency: card.currency,
    period: usage.period,
    lines: ordered,
    total: ordered.reduce((s, l) => s + l.amount, 0),
    throughSeq: usage.throughSeq,
    cardVersion: options.cardVersion ?? null,
    simulated: options.simulated ?? false,
  };
}

/** What rating the log needs besides the events: unit volumes (m³) by SKU, and when the last charged day ended. */
export interface RateOptions {
  readonly unitVolumeM3: ReadonlyMap<string, number>;
  readonly asOfMs?: number;
  readonly cardVersion?: number | null;
}

/** The invoice of `card.tenantId` for `period`, a pure function of the log (`events` from seq 1, in seq order). */
export function rateEvents(events: Iterable<SequencedEvent>, card: RateCard, period: BillingPeriod, options: RateOptions): Invoice {
  const usage = measureUsage(events, {
    tenantId: card.tenantId,
    period,
    unitVolumeM3: options.unitVolumeM3,
    palletVolumeM3: card.palletVolumeM3,
    ...(options.asOfMs === undefined ? {} : { asOfMs: options.asOfMs }),
  });
  return rateUsage(usage, card, { cardVersion: options.cardVersion ?? null });
}

/** One line of a re-rating: the same code before and after (null when absent on that side). */
export interface RerateLine {
  readonly code: string;
  readonly description: string;
  readonly before: { readonly quantity: number; readonly unitPrice: number; readonly amount: number } | null;
  readonly after: { readonly quantity: number; readonly unitPrice: number; readonly amount: number } | null;
  /** after.amount − before.amount (absent side = 0). */
  readonly delta: number;
}

export interface Rerating {
  readonly before: Invoice;
  readonly after: Invoice;
  readonly lines: readonly RerateLine[];
  readonly totalDelta: number;
}

/** The line-by-line difference between two invoices of the same usage (re-rating a period with a new card). */
export function diffInvoices(before: Invoice, after: Invoice): Rerating {
  const side = (l: InvoiceLine | undefined) => (l === undefined ? null : { quantity: l.quantity, unitPrice: l.unitPrice, amount: l.amount });
  const codes: string[] = [];
  for (const l of [...before.lines, ...after.lines]) if (!codes.includes(l.code)) codes.push(l.code);
  const lines = codes.map((code): RerateLine => {
    const b = before.lines.find((l) => l.code === code);
    const a = after.lines.find((l) => l.code === code);
    return { code, description: (a ?? b)?.description ?? code, before: side(b), after: side(a), delta: (a?.amount ?? 0) - (b?.amount ?? 0) };
  });
  return { before, after, lines, totalDelta: after.total - before.total };
}

/** Re-rates measured usage with another card. */
export function rerate(usage: Usage, before: RateCard, after: RateCard, versions: { before?: number | null; after?: number | null } = {}): Rerating {
  return diffInvoices(rateUsage(usage, before, { cardVersion: versions.before ?? null }), rateUsage(usage, after, { cardVersion: versions.after ?? null }));
}
