/**
 * Billing use cases over a site's log and its stored rate cards: invoices, drill-down, re-rating, simulation, cards.
 * Rating itself is pure (invoice.ts); this service loads the billable events (cached per site: the log is append-only,
 * so only events after the cached seq are read again) and the card in force.
 *
 * Portal (H7): `billing.invoiceFor(siteId, principal.tenantId, { from, to })`, then `invoiceCsv` / `invoicePdf`.
 */
import { readFileSync } from 'node:fs';
import type pg from 'pg';
import type { SiteRegistry } from '../api/sites.ts';
import type { SequencedEvent } from '../twin/events.ts';
import type { SiteDefinition } from '../twin/site.ts';
import { loadBillableEvents, RateCardStore, type StoredRateCard } from './billing-store.pg.ts';
import { diffInvoices, rateUsage, type Invoice, type InvoiceLine, type LineBasis, type Rerating } from './invoice.ts';
import { dayOf, periodProblems, type BillingPeriod, type RateCard } from './rate-card.ts';
import { invoiceCsv, invoicePdf } from './invoice-format.ts';
import { RateCardsFile, rateCardOf, type RateCardBody } from './rate-card.schema.ts';
import { simulateInvoice, type ProspectVolumes } from './simulate.ts';
import { measureUsage, unitVolumes, type StockPosition, type Usage } from './usage.ts';

export { invoiceCsv, invoicePdf };

/** The default cards file (data/rate-cards.json), validated: `{ cards: { [tenantId]: card } }`. Throws when invalid. */
export function readRateCardsFile(file: string): Record<string, RateCardBody> {
  return RateCardsFile.parse(JSON.parse(readFileSync(file, 'utf8'))).cards;
}

/** A billing request the caller got wrong: mapped to 4xx by the routes. */
export class BillingError extends Error {
  override readonly name = 'BillingError';
  constructor(
    readonly status: 400 | 404 | 409 | 422,
    readonly code: string,
    message: string,
    readonly details: unknown = null,
  ) {
    super(message);
  }
}

export interface BillingServiceOptions {
  readonly pool: pg.Pool;
  readonly schema: string;
  readonly sites: SiteRegistry;
  /** Cards stored as version 1 for a client that has none (data/rate-cards.json), keyed by tenant id. */
  readonly defaultCards?: Readonly<Record<string, RateCardBody>>;
  /** The site's current time (twin clock); storage is charged only for days that have ended. Default: the twin's now. */
  readonly now?: (siteId: string) => number;
}

/** One drill-down item: a counted fact and the events behind it. */
export interface DrillDownItem extends LineBasis {
  readonly events: readonly SequencedEvent[];
}

export interface DrillDown {
  readonly line: Omit<InvoiceLine, 'basis' | 'eventSeqs'> & { readonly events: number };
  readonly total: number;
  readonly offset: number;
  readonly items: readonly DrillDownItem[];
  /** For a storage line with `day`: that day's end-of-day positions. */
  readonly positions?: readonly StockPosition[];
}

/** Effective date of seeded demo cards: before any demo history. */
const SEED_EFFECTIVE_FROM = '2000-01-01';

export class BillingService {
  readonly cards: RateCardStore;
  private readonly cache = new Map<string, { events: SequencedEvent[]; loading: Promise<void> | null }>();

  constructor(private readonly options: BillingServiceOptions) {
    this.cards = new RateCardStore(options.pool, options.schema);
  }

  /** The site, or a 404. */
  site(siteId: string): SiteDefinition {
    const runner = this.options.sites.get(siteId);
    if (runner === undefined) throw new BillingError(404, 'UNKNOWN_SITE', `no site '${siteId}'`, { siteId });
    return runner.site;
  }

  /** Checks the site and the client exist (404 otherwise). */
  tenant(siteId: string, tenantId: string): SiteDefinition {
    const site = this.site(siteId);
    if (!site.tenants.some((t) => t.id === tenantId)) throw new BillingError(404, 'UNKNOWN_TENANT', `no client '${tenantId}' on site '${siteId}'`, { tenantId });
    return site;
  }

  /** Stores the default cards of the site's clients that have none. Returns the clients seeded. */
  async seedDefaultCards(siteId: string): Promise<string[]> {
    const site = this.site(siteId);
    const seeded: string[] = [];
    for (const tenant of site.tenants) {
      const body = this.options.defaultCards?.[tenant.id];
      if (body !== undefined && (await this.cards.seed(siteId, rateCardOf(tenant.id, body), SEED_EFFECTIVE_FROM))) seeded.push(tenant.id);
    }
    return seeded;
  }

  /** The card in force for a period starting on `date` (seeding the default when the client has none), or a 404. */
  async cardInForce(siteId: string, tenantId: string, date: string): Promise<StoredRateCard> {
    this.tenant(siteId, tenantId);
    let card = await this.cards.inForce(siteId, tenantId, date);
    if (card === null && this.options.defaultCards?.[tenantId] !== undefined) {
      await this.seedDefaultCards(siteId);
      card = await this.cards.inForce(siteId, tenantId, date);
    }
    if (card === null) throw new BillingError(404, 'NO_RATE_CARD', `client '${tenantId}' has no rate card`, { tenantId });
    return card;
  }

  /** A stored version, or a 404. */
  async cardVersion(siteId: string, tenantId: string, version: number): Promise<StoredRateCard> {
    this.tenant(siteId, tenantId);
    const card = await this.cards.version(siteId, tenantId, version);
    if (card === null) throw new BillingError(404, 'UNKNOWN_RATE_CARD_VERSION', `client '${tenantId}' has no rate card version ${version}`, { tenantId, version });
    return card;
  }

  /** Stores a new version of a client's card, effective from `effectiveFrom` (default: today on the site's clock). */
  async putCard(siteId: string, tenantId: string, body: RateCardBody, effectiveFrom: string | null, createdBy: string | null): Promise<StoredRateCard> {
    this.tenant(siteId, tenantId);
    return this.cards.put(siteId, rateCardOf(tenantId, body), effectiveFrom ?? dayOf(await this.now(siteId)), createdBy);
  }

  /** The client's invoice for a period with the card in force (or the given card / version). */
  async invoiceFor(siteId: string, tenantId: string, period: BillingPeriod, using: { card?: RateCard; version?: number } = {}): Promise<Invoice> {
    checkPeriod(period);
    const { card, version } = await this.resolveCard(siteId, tenantId, period, using);
    const usage = await this.usage(siteId, tenantId, period, card);
    return rateUsage(usage, card, { cardVersion: version });
  }

  /** The invoice as CSV (for callers holding the service, like the portal). */
  invoiceCsv(invoice: Invoice): string {
    return invoiceCsv(invoice);
  }

  /** The invoice as a PDF document. */
  invoicePdf(invoice: Invoice): Buffer {
    return invoicePdf(invoice);
  }

  /** A line of the invoice and the facts and events it counts, paged (`offset`, `limit` basis items). */
  async drillDown(siteId: string, tenantId: string, period: BillingPeriod, code: string, page: { offset: number; limit: number; day?: string }): Promise<DrillDown> {
    const invoice = await this.invoiceFor(siteId, tenantId, period);
    const line = invoice.lines.find((l) => l.code === code);
    if (line === undefined)
      throw new BillingError(404, 'UNKNOWN_LINE', `the invoice has no line '${code}'`, { code, lines: invoice.lines.map((l) => l.code) });
    const events = await this.events(siteId);
    const items = line.basis.slice(page.offset, page.offset + page.limit).map((b) => ({ ...b, events: b.seqs.map((s) => eventAt(events, s)).filter((e) => e !== null) }));
    const { basis: _basis, eventSeqs, ...rest } = line;
    let positions: StockPosition[] | undefined;
    if (page.day !== undefined) {
      if (line.family !== 'storage') throw new BillingError(400, 'NOT_STORAGE', `day applies to the STORAGE line only, not '${code}'`, { code });
      if (page.day < period.from || page.day > period.to) throw new BillingError(400, 'DAY_OUTSIDE_PERIOD', `${page.day} is not in ${period.from} … ${period.to}`, { day: page.day });
      const card = (await this.cardInForce(siteId, tenantId, period.from)).card;
      const usage = await this.usage(siteId, tenantId, { from: page.day, to: page.day }, card, true);
      positions = [...(usage.snapshots[0]?.positions ?? [])];
    }
    return { line: { ...rest, events: eventSeqs.length }, total: line.basis.length, offset: page.offset, items, ...(positions === undefined ? {} : { positions }) };
  }

  /** Re-rates a period: the card in force against a new card (or a stored version), line by line. */
  async rerate(siteId: string, tenantId: string, period: BillingPeriod, using: { card?: RateCard; version?: number }): Promise<Rerating> {
    checkPeriod(period);
    const current = await this.cardInForce(siteId, tenantId, period.from);
    const next = await this.resolveCard(siteId, tenantId, period, using);
    const usage = await this.usage(siteId, tenantId, period, current.card);
    // Pallet volume is part of measuring: a card that changes it is measured with its own.
    const nextUsage = next.card.palletVolumeM3 === current.card.palletVolumeM3 ? usage : await this.usage(siteId, tenantId, period, next.card);
    return diffInvoices(rateUsage(usage, current.card, { cardVersion: current.version }), rateUsage(nextUsage, next.card, { cardVersion: next.version }));
  }

  /** A prospect's invoice from declared volumes, priced with `card` or with a client's card in force. */
  async simulate(siteId: string, period: BillingPeriod, volumes: ProspectVolumes, using: { card?: RateCard; tenantId?: string }): Promise<Invoice> {
    checkPeriod(period);
    this.site(siteId);
    let card = using.card;
    if (card === undefined) {
      if (using.tenantId === undefined) throw new BillingError(400, 'CARD_REQUIRED', 'give a card or the tenantId whose card to use');
      card = (await this.cardInForce(siteId, using.tenantId, period.from)).card;
    }
    return simulateInvoice(volumes, card, period);
  }

  private async resolveCard(siteId: string, tenantId: string, period: BillingPeriod, using: { card?: RateCard; version?: number }): Promise<{ card: RateCard; version: number | null }> {
    this.tenant(siteId, tenantId);
    if (using.card !== undefined) return { card: { ...using.card, tenantId }, version: null };
    const stored = using.version === undefined ? await this.cardInForce(siteId, tenantId, period.from) : await this.cardVersion(siteId, tenantId, using.version);
    return { card: stored.card, version: stored.version };
  }

  private async now(siteId: string): Promise<number> {
    if (this.options.now) return this.options.now(siteId);
    const runner = this.options.sites.get(siteId);
    return runner === undefined ? 0 : runner.read((twin) => twin.now);
  }

  private async usage(siteId: string, tenantId: string, period: BillingPeriod, card: RateCard, keepPositions = false): Promise<Usage> {
    const site = this.tenant(siteId, tenantId);
    const [events, asOfMs] = await Promise.all([this.events(siteId), this.now(siteId)]);
    return measureUsage(events, { tenantId, period, unitVolumeM3: unitVolumes(site.skus), palletVolumeM3: card.palletVolumeM3, asOfMs, keepPositions });
  }

  /** The site's billable events so far (cached; extended with what was appended since). */
  private async events(siteId: string): Promise<SequencedEvent[]> {
    let entry = this.cache.get(siteId);
    if (entry === undefined) {
      entry = { events: [], loading: null };
      this.cache.set(siteId, entry);
    }
    const e = entry;
    // One reader at a time per site; a caller arriving during a load waits for it, then reads what is new.
    while (e.loading !== null) await e.loading;
    e.loading = (async () => {
      const after = e.events[e.events.length - 1]?.seq ?? 0;
      const fresh = await loadBillableEvents(this.options.pool, this.options.schema, siteId, after);
      for (const ev of fresh) e.events.push(ev);
    })();
    try {
      await e.loading;
    } finally {
      e.loading = null;
    }
    return e.events;
  }
}

function checkPeriod(period: BillingPeriod): void {
  const problems = periodProblems(period);
  if (problems.length > 0) throw new BillingError(400, 'INVALID_PERIOD', problems.join('; '), { period });
}

/** The event with `seq` (binary search; events are in seq order), or null. */
function eventAt(events: readonly SequencedEvent[], seq: number): SequencedEvent | null {
  let lo = 0;
  let hi = events.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const e = events[mid] as SequencedEvent;
    if (e.seq === seq) return e;
    if (e.seq < seq) lo = mid + 1;
    else hi = mid - 1;
  }
  return null;
}
