/**
 * `invoice-sim --scenario FILE --days N [--from YYYY-MM-DD] [--lines N] [--tenant ID] [--cards FILE] [--out DIR]
 * [--format json|csv|pdf]`: simulates N days on the scenario's site with its demand — day after day, each day starting
 * from the previous day's end state, the seed advanced by one a day — keeps the durable events the runs decided as one
 * log (seq 1, 2, 3, …), and rates each client's period with its card (data/rate-cards.json by default).
 *
 * The log opens with the start state's stock as `StockReceived` events (opening stock: stored, never charged as
 * inbound — see server/billing/usage.ts), so storage is billed from day one. Per client it writes the invoice
 * (invoice.json without the per-item basis, invoice.csv, invoice.pdf; `--format` picks one) and an explanation (explained.json, explained.txt):
 * per line the quantity, unit price, amount, how the quantity was counted and the per-day drill-down, whose
 * quantities add up to the line. Prints a table per client. Usage errors: one line on stderr, exit 2.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runScenario } from '../../simulations/model/run-scenario.ts';
import type { ResolvedScenario } from '../../simulations/model/run-scenario.ts';
import type { SimulationResult } from '../../simulations/model/result.ts';
import { invoiceCsv, invoicePdf } from '../billing/invoice-format.ts';
import { rateUsage, type Invoice, type InvoiceLine } from '../billing/invoice.ts';
import { formatMinor, formatUnitPrice, sumQuantities } from '../billing/money.ts';
import { RateCardsFile, rateCardOf } from '../billing/rate-card.schema.ts';
import { dayStartMs, type BillingPeriod, type RateCard } from '../billing/rate-card.ts';
import { BILLABLE_EVENT_TYPES, measureUsage, unitVolumes, type Usage } from '../billing/usage.ts';
import type { DurableEvent, SequencedEvent, StockReceived } from '../twin/events.ts';
import { isDurable } from '../twin/events.ts';
import { epochMs } from '../twin/ids.ts';
import type { SiteDefinition } from '../twin/site.ts';
import type { TwinState } from '../twin/state.ts';
import { applyEvents, fromSnapshotData, toSnapshotData } from '../twin/twin.ts';
import { EXIT_OK } from './route.command.ts';
import { CommandError, folderName, formatTable, integerFlag, loadScenarioOrFail, parseArgs, progressReporter, type ProgressIo } from './simulate.command.ts';

export const INVOICE_SIM_USAGE =
  'usage: invoice-sim --scenario SCENARIO.json [--days 30] [--from YYYY-MM-DD] [--lines N] [--tenant ID] [--cards FILE] [--out DIR] [--format json|csv|pdf]';

const DAY_MS = 86_400_000;
const FORMATS = ['json', 'csv', 'pdf'] as const;
type Format = (typeof FORMATS)[number];
const BILLABLE = new Set<string>(BILLABLE_EVENT_TYPES);

/** The log of a simulated period: billable durable events (seqs as in the full log), the site, the days' results. */
export interface SimulatedLog {
  readonly site: SiteDefinition;
  readonly period: BillingPeriod;
  readonly events: readonly SequencedEvent[];
  /** Durable events decided in all (the last seq). */
  readonly lastSeq: number;
  readonly openingEvents: number;
  readonly days: readonly SimulationResult[];
}

/** Opening stock of a state as `StockReceived` events at `at`: one per quant on hand, in the state's quant order. */
export function openingStockEvents(state: TwinState, at: number): StockReceived[] {
  const out: StockReceived[] = [];
  for (const q of state.quants.values()) {
    if (q.onHand > 0) out.push({ type: 'StockReceived', at: epochMs(at), tenantId: q.tenantId, skuId: q.skuId, lot: q.lot, expiry: q.expiry, locationId: q.locationId, qty: q.onHand });
  }
  return out;
}

/**
 * Runs `days` days of `resolved` (the scenario's daily window on each day from `from`, default the scenario's start
 * day; the seed + day index; `linesPerDay` overrides the demand). Pure and deterministic: the same input, the same log.
 */
export function simulateDays(
  resolved: ResolvedScenario,
  options: { days: number; from?: string; linesPerDay?: number; onProgress?: (fraction: number) => void },
): SimulatedLog {
  const base = resolved.scenario;
  const scenarioStart = Date.parse(base.startAt);
  const timeOfDay = ((scenarioStart % DAY_MS) + DAY_MS) % DAY_MS;
  const firstDay = options.from ?? new Date(scenarioStart - timeOfDay).toISOString().slice(0, 10);
  const firstDayMs = dayStartMs(firstDay);
  if (Number.isNaN(firstDayMs)) throw new CommandError([`--from must be a date YYYY-MM-DD, got ${JSON.stringify(firstDay)}`]);
  // The start state is the scenario's at its start time; days before it would run the twin backwards.
  if (firstDayMs + timeOfDay < scenarioStart) throw new CommandError([`--from must not be before the scenario's start (${base.startAt})`]);
  const period: BillingPeriod = { from: firstDay, to: new Date(firstDayMs + (options.days - 1) * DAY_MS).toISOString().slice(0, 10) };

  // The twin between days: the start state, then every event each day's run applied (the run's own end state).
  const state = fromSnapshotData(resolved.site, toSnapshotData(resolved.state));
  const events: SequencedEvent[] = [];
  let seq = 0;
  const log = (e: DurableEvent): void => {
    seq++;
    if (BILLABLE.has(e.type)) events.push({ seq, event: e });
  };
  const opening = openingStockEvents(state, firstDayMs + timeOfDay);
  for (const e of opening) log(e);

  const days: SimulationResult[] = [];
  for (let i = 0; i < options.days; i++) {
    const scenario = {
      ...base,
      startAt: new Date(firstDayMs + i * DAY_MS + timeOfDay).toISOString(),
      seed: (base.seed + i) % 2 ** 32,
      demand: options.linesPerDay === undefined ? base.demand : { ...base.demand, lines: options.linesPerDay },
    };
    days.push(
      runScenario(
        { scenario, site: resolved.site, state },
        {
          onEvents: (applied) => {
            applyEvents(state, applied);
            for (const e of applied) if (isDurable(e)) log(e);
          },
          ...(options.onProgress === undefined ? {} : { onProgress: (f: number) => options.onProgress?.((i + f) / options.days) }),
        },
      ),
    );
  }
  return { site: resolved.site, period, events, lastSeq: seq, openingEvents: opening.length, days };
}

/** One client's invoice from the simulated log, with the usage behind it. */
export function invoiceOf(log: SimulatedLog, card: RateCard): { usage: Usage; invoice: Invoice } {
  const usage = measureUsage(log.events, { tenantId: card.tenantId, period: log.period, unitVolumeM3: unitVolumes(log.site.skus), palletVolumeM3: card.palletVolumeM3 });
  return { usage, invoice: rateUsage(usage, card, { simulated: true }) };
}

/** One day of a line's drill-down: its counted facts on that day and the events behind them. */
export interface ExplainedDay {
  readonly day: string;
  readonly quantity: number;
  readonly items: number;
  readonly firstSeq: number | null;
  readonly lastSeq: number | null;
}

export interface ExplainedLine {
  readonly code: string;
  readonly description: string;
  readonly quantity: number;
  readonly unit: string;
  readonly unitPrice: string;
  readonly amount: string;
  /** How the quantity was counted, in words. */
  readonly counted: string;
  readonly example: string;
  /** Σ byDay quantities = quantity. */
  readonly byDay: readonly ExplainedDay[];
}

export interface Explanation {
  readonly tenantId: string;
  readonly currency: string;
  readonly period: BillingPeriod;
  readonly total: string;
  readonly lines: readonly ExplainedLine[];
}

const fmtQty = (n: number): string => n.toLocaleString('en-GB', { maximumFractionDigits: 3 });
const shortDay = (day: string): string => new Date(dayStartMs(day)).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });

/** Per line: what was counted, over which days and events, and the per-day drill-down adding up to the line. */
export function explainInvoice(invoice: Invoice): Explanation {
  const lines = invoice.lines.map((line): ExplainedLine => {
    const byDay = new Map<string, { quantities: number[]; items: number; seqs: number[] }>();
    for (const b of line.basis) {
      const d = byDay.get(b.day) ?? { quantities: [], items: 0, seqs: [] };
      d.quantities.push(b.quantity);
      d.items++;
      d.seqs.push(...b.seqs);
      byDay.set(b.day, d);
    }
    const days = [...byDay.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([day, d]): ExplainedDay => ({
        day,
        quantity: sumQuantities(d.quantities),
        items: d.items,
        firstSeq: d.seqs.length === 0 ? null : Math.min(...d.seqs),
        lastSeq: d.seqs.length === 0 ? null : Math.max(...d.seqs),
      }));
    return {
      code: line.code,
      description: line.description,
      quantity: line.quantity,
      unit: line.unit,
      unitPrice: formatUnitPrice(line.unitPrice),
      amount: formatMinor(line.amount),
      counted: countedText(line, days),
      example: line.basis[0]?.ref ?? '',
      byDay: days,
    };
  });
  return { tenantId: invoice.tenantId, currency: invoice.currency, period: invoice.period, total: formatMinor(invoice.total), lines };
}

/** What one counted fact of a line is, by the line's code (peak lines count the facts of their base line in the peak). */
function factOf(code: string): string {
  const base = code.startsWith('PEAK:') ? code.split(':').slice(2).join(':') : code;
  const peak = code.startsWith('PEAK:') ? ' dated in the peak' : '';
  const kind = base.split(':')[0];
  const facts: Record<string, string> = {
    STORAGE: 'end-of-day stock snapshot(s) of the replayed log',
    INBOUND_RECEIPT: 'first receipt event(s) of a receipt',
    INBOUND_LINE: 'first receipt event(s) of a receipt line',
    INBOUND_UNIT: 'goods-in event(s)',
    INBOUND_PALLET: 'receipt(s) by volume',
    OUTBOUND_ORDER: 'order(s) despatched',
    OUTBOUND_LINE: 'despatch(es), counting the lines with picked units',
    OUTBOUND_UNIT: 'pick event(s) of orders despatched',
    PACKAGING: 'order(s) packed',
    LABEL: 'label(s) printed',
    RETURN_RMA: 'RMA(s) first received',
    RETURN_UNIT: 'return receipt(s)',
    VAS: 'event(s) recording the service',
    MINIMUM: 'minimum term',
  };
  return `${facts[kind ?? ''] ?? 'counted fact(s)'}${peak}`;
}

function countedText(line: InvoiceLine, days: readonly ExplainedDay[]): string {
  const first = days[0]?.day;
  const last = days[days.length - 1]?.day;
  const span = first === undefined || last === undefined ? '' : first === last ? ` on ${shortDay(first)}` : ` ${shortDay(first)} – ${shortDay(last)}`;
  const seqs = line.eventSeqs;
  const events = seqs.length === 0 ? 'no events (a contract term)' : `${seqs.length.toLocaleString('en-GB')} event(s), first seq ${seqs[0]}, last seq ${seqs[seqs.length - 1]}`;
  return `${fmtQty(line.quantity)} ${line.unit}(s) from ${line.basis.length.toLocaleString('en-GB')} ${factOf(line.code)}${span} (${days.length} day(s)); ${events}`;
}

/** The explanation as text: a block per line, then the per-day drill-down. */
export function explanationText(x: Explanation): string {
  const out = [`${x.tenantId} · ${x.period.from} – ${x.period.to} · ${x.currency} · total ${x.total} (simulated)`, ''];
  for (const l of x.lines) {
    out.push(`${l.code}  ${l.description}`);
    out.push(`  ${fmtQty(l.quantity)} ${l.unit} × ${l.unitPrice} = ${l.amount}`);
    out.push(`  counted: ${l.counted}`);
    if (l.example !== '') out.push(`  e.g. ${l.example}`);
    const rows = [['  day', 'quantity', 'items', 'first seq', 'last seq'], ...l.byDay.map((d) => [`  ${d.day}`, fmtQty(d.quantity), String(d.items), String(d.firstSeq ?? '–'), String(d.lastSeq ?? '–')])];
    rows.push(['  Σ', fmtQty(sumQuantities(l.byDay.map((d) => d.quantity))), String(l.byDay.reduce((s, d) => s + d.items, 0)), '', '']);
    out.push(formatTable(rows), '');
  }
  return `${out.join('\n')}\n`;
}

/**
 * The invoice as written to invoice.json: every line with its event seqs, the basis items counted rather than listed
 * (a month of picks is hundreds of thousands of items; explained.json has them per day, the CSV the seqs).
 */
export function invoiceDocument(invoice: Invoice): Omit<Invoice, 'lines'> & { lines: (Omit<InvoiceLine, 'basis'> & { basisItems: number })[] } {
  return { ...invoice, lines: invoice.lines.map(({ basis, ...line }) => ({ ...line, basisItems: basis.length })) };
}

/** The quantity of a line of `invoice` by code prefix (0 when absent). */
const qtyOf = (invoice: Invoice, code: string): number => invoice.lines.find((l) => l.code === code)?.quantity ?? 0;

/** Runs the invoice-sim command; returns the exit code. */
export async function runInvoiceSim(args: readonly string[], io: ProgressIo): Promise<number> {
  try {
    const { positionals, flags } = parseArgs(args, ['scenario', 'days', 'from', 'lines', 'tenant', 'cards', 'out', 'format'], []);
    if (positionals.length > 0) throw new CommandError([`unexpected argument ${JSON.stringify(positionals[0])} (${INVOICE_SIM_USAGE})`]);
    const scenarioFile = flags.get('scenario');
    if (scenarioFile === undefined) throw new CommandError([`missing --scenario (${INVOICE_SIM_USAGE})`]);
    const days = integerFlag(flags, 'days', 1, 366) ?? 30;
    const linesPerDay = integerFlag(flags, 'lines', 1, 1_000_000);
    const from = flags.get('from');
    if (from !== undefined && (!/^\d{4}-\d{2}-\d{2}$/.test(from) || Number.isNaN(dayStartMs(from)))) throw new CommandError([`--from must be a date YYYY-MM-DD, got ${JSON.stringify(from)}`]);
    const format = flags.get('format');
    if (format !== undefined && !(FORMATS as readonly string[]).includes(format)) throw new CommandError([`--format must be one of ${FORMATS.join(', ')}, got ${JSON.stringify(format)}`]);
    const formats: readonly Format[] = format === undefined ? FORMATS : [format as Format];
    const cardsFile = flags.get('cards') ?? path.join('data', 'rate-cards.json');
    let cardBodies;
    try {
      cardBodies = RateCardsFile.parse(JSON.parse(await readFile(cardsFile, 'utf8'))).cards;
    } catch (e) {
      throw new CommandError([`${cardsFile}: not a rate cards file (${(e as Error).message.split('\n')[0] ?? ''})`]);
    }
    const resolved = await loadScenarioOrFail(scenarioFile);
    const tenantIds = resolved.site.tenants.map((t) => t.id as string).filter((id) => cardBodies[id] !== undefined);
    const tenant = flags.get('tenant');
    if (tenant !== undefined && !tenantIds.includes(tenant)) throw new CommandError([`--tenant ${JSON.stringify(tenant)} is not a client of the site with a rate card (${tenantIds.join(', ')})`]);
    const clients = tenant === undefined ? tenantIds : [tenant];
    if (clients.length === 0) throw new CommandError([`no client of the site has a card in ${cardsFile}`]);
    const outDir = flags.get('out') ?? path.join('simulation-output', 'invoice-sim', folderName(resolved.scenario.name));

    const started = performance.now();
    const progress = progressReporter(io, `invoice-sim ${resolved.scenario.name} ${days} day(s)`);
    const log = simulateDays(resolved, { days, ...(from === undefined ? {} : { from }), ...(linesPerDay === undefined ? {} : { linesPerDay }), onProgress: (f) => progress.update(f) });
    progress.update(1);
    progress.done();
    const simulatedMs = performance.now() - started;

    const rows = [['client', 'orders', 'lines', 'units', 'storage days', 'lines on invoice', 'total']];
    const summary: Record<string, unknown>[] = [];
    for (const id of clients) {
      const card = rateCardOf(id, cardBodies[id]!);
      const { invoice, usage } = invoiceOf(log, card);
      const explained = explainInvoice(invoice);
      const dir = path.join(outDir, folderName(id));
      await mkdir(dir, { recursive: true });
      if (formats.includes('json')) await writeFile(path.join(dir, 'invoice.json'), `${JSON.stringify(invoiceDocument(invoice))}\n`, 'utf8');
      if (formats.includes('csv')) await writeFile(path.join(dir, 'invoice.csv'), invoiceCsv(invoice), 'utf8');
      if (formats.includes('pdf')) await writeFile(path.join(dir, 'invoice.pdf'), invoicePdf(invoice));
      await writeFile(path.join(dir, 'explained.json'), `${JSON.stringify(explained, null, 2)}\n`, 'utf8');
      await writeFile(path.join(dir, 'explained.txt'), explanationText(explained), 'utf8');
      const orders = qtyOf(invoice, 'OUTBOUND_ORDER');
      rows.push([id, fmtQty(orders), fmtQty(qtyOf(invoice, 'OUTBOUND_LINE')), fmtQty(qtyOf(invoice, 'OUTBOUND_UNIT')), String(usage.snapshots.length), String(invoice.lines.length), `${formatMinor(invoice.total)} ${invoice.currency}`]);
      summary.push({ tenantId: id, currency: invoice.currency, ordersDespatched: orders, storageDays: usage.snapshots.length, lines: invoice.lines.length, total: invoice.total, dir });
    }
    // From the log: a day's `ordersArrived` also counts the backlog it took over from the day before.
    const ordersArrived = log.events.filter((e) => e.event.type === 'OrderCreated').length;
    const ordersDespatched = log.events.filter((e) => e.event.type === 'OrderDespatched').length;
    await writeFile(
      path.join(outDir, 'summary.json'),
      `${JSON.stringify({ scenario: resolved.scenario.name, period: log.period, days, linesPerDay: linesPerDay ?? resolved.scenario.demand.lines, ordersCreated: ordersArrived, durableEvents: log.lastSeq, openingStockEvents: log.openingEvents, ordersDespatched, simulatedSeconds: Math.round(simulatedMs / 100) / 10, clients: summary }, null, 2)}\n`,
      'utf8',
    );
    io.out(`${resolved.scenario.name} · ${log.period.from} – ${log.period.to} (${days} day(s)) · ${ordersArrived} orders created, ${ordersDespatched} despatched · ${log.lastSeq} durable events (${log.openingEvents} opening stock) · simulated in ${(simulatedMs / 1000).toFixed(1)} s\n`);
    io.out(`${formatTable(rows)}\n`);
    io.out(`wrote ${outDir}/<client>/{${[...formats.map((f) => `invoice.${f}`), 'explained.json', 'explained.txt'].join(',')}} and summary.json\n`);
    return EXIT_OK;
  } catch (e) {
    if (e instanceof CommandError) {
      for (const line of e.lines) io.err(`invoice-sim: ${line.replace(/\s*\n\s*/g, ' ')}\n`);
      return e.exitCode;
    }
    throw e;
  }
}
