import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sumQuantities } from '../billing/money.ts';
import { RateCardsFile, rateCardOf } from '../billing/rate-card.schema.ts';
import { measureUsage, unitVolumes } from '../billing/usage.ts';
import type { Invoice } from '../billing/invoice.ts';
import type { SequencedEvent } from '../twin/events.ts';
import { loadScenarioOrFail } from './simulate.command.ts';
import { explainInvoice, invoiceDocument, invoiceOf, runInvoiceSim, simulateDays, type SimulatedLog } from './invoice-sim.command.ts';

const root = resolve(import.meta.dirname, '../..');
const scenarioFile = join(root, 'data/scenarios/normal-day.json');
const dir = mkdtempSync(join(tmpdir(), 'floortwin-invoice-sim-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cards = RateCardsFile.parse(JSON.parse(readFileSync(join(root, 'data/rate-cards.json'), 'utf8'))).cards;
const CLIENTS = ['acme', 'bloom', 'cobalt'];
const DAYS = 2;
const LINES = 1500;

async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runInvoiceSim(args, { out: (t) => { stdout += t; }, err: (t) => { stderr += t; }, errIsTty: false });
  return { code, stdout, stderr };
}

/** The client an event belongs to: its own tenantId, or its order's (from OrderCreated); null for neither. */
function tenantsOfSeqs(events: readonly SequencedEvent[]): Map<number, string | null> {
  const orderTenant = new Map<string, string>();
  const out = new Map<number, string | null>();
  for (const { seq, event: e } of events) {
    if (e.type === 'OrderCreated') orderTenant.set(e.orderId, e.tenantId);
    const own = 'tenantId' in e && typeof e.tenantId === 'string' ? e.tenantId : null;
    const viaOrder = 'orderId' in e && typeof e.orderId === 'string' ? (orderTenant.get(e.orderId) ?? null) : null;
    out.set(seq, own ?? viaOrder);
  }
  return out;
}

describe('invoice-sim', async () => {
  const resolved = await loadScenarioOrFail(scenarioFile);
  const log: SimulatedLog = simulateDays(resolved, { days: DAYS, linesPerDay: LINES });
  const invoices = new Map<string, Invoice>(CLIENTS.map((id) => [id, invoiceOf(log, rateCardOf(id, cards[id]!)).invoice]));

  it('bills each client: lines sum to the total, each line to its drill-down, the explanation adds up to the line', () => {
    for (const id of CLIENTS) {
      const inv = invoices.get(id)!;
      expect(inv.tenantId).toBe(id);
      expect(inv.lines.length).toBeGreaterThan(3);
      expect(inv.total).toBe(inv.lines.reduce((s, l) => s + l.amount, 0));
      expect(inv.lines.find((l) => l.code === 'OUTBOUND_ORDER')?.quantity ?? 0).toBeGreaterThan(0);
      const explained = explainInvoice(inv);
      for (const [i, line] of inv.lines.entries()) {
        expect(sumQuantities(line.basis.map((b) => b.quantity))).toBe(line.quantity);
        const x = explained.lines[i]!;
        expect(x.code).toBe(line.code);
        expect(sumQuantities(x.byDay.map((d) => d.quantity))).toBe(line.quantity);
        expect(x.byDay.reduce((s, d) => s + d.items, 0)).toBe(line.basis.length);
        expect(x.counted).toContain(`${line.basis.length.toLocaleString('en-GB')} `);
      }
    }
  });

  it("counts only the client's own events, and opening stock is stored but never charged as goods in", () => {
    const owner = tenantsOfSeqs(log.events);
    for (const id of CLIENTS) {
      const inv = invoices.get(id)!;
      for (const line of inv.lines) {
        // Storage lines name the last event of each day's log (the snapshot's seq), whoever it belonged to.
        if (line.code === 'MINIMUM' || line.code.endsWith('STORAGE')) continue;
        expect(line.eventSeqs.length).toBeGreaterThan(0);
        for (const seq of line.eventSeqs) expect(owner.get(seq), `${id} ${line.code} seq ${seq}`).toBe(id);
      }
      expect(inv.lines.filter((l) => l.code.startsWith('INBOUND'))).toEqual([]);
      // Every SKU in the client's daily stock snapshots is the client's own.
      const usage = measureUsage(log.events, { tenantId: id, period: log.period, unitVolumeM3: unitVolumes(log.site.skus), palletVolumeM3: 1.5, keepPositions: true });
      const own = new Set(log.site.skus.filter((s) => s.tenantId === id).map((s) => s.id as string));
      const positions = usage.snapshots.flatMap((s) => s.positions);
      expect(positions.length).toBeGreaterThan(0);
      expect(positions.every((p) => own.has(p.skuId))).toBe(true);
    }
  });

  it('charges storage for every simulated day, from the opening stock on', () => {
    expect(log.openingEvents).toBeGreaterThan(0);
    expect(log.period.to > log.period.from).toBe(true);
    for (const id of CLIENTS) {
      const storage = invoices.get(id)!.lines.find((l) => l.code === 'STORAGE')!;
      expect(storage.basis.map((b) => b.day)).toEqual([log.period.from, log.period.to]);
      expect(storage.basis.every((b) => b.quantity > 0)).toBe(true);
    }
    // Without the opening stock the first day's stock would be what the run itself put away: far less.
    const withoutOpening = log.events.filter((e) => e.seq > log.openingEvents);
    const usage = measureUsage(withoutOpening, { tenantId: 'acme', period: log.period, unitVolumeM3: unitVolumes(log.site.skus), palletVolumeM3: 1.5 });
    const first = invoices.get('acme')!.lines.find((l) => l.code === 'STORAGE')!.basis[0]!.quantity;
    expect(usage.snapshots[0]!.locations).toBeLessThan(first);
  });

  it('gives the same invoices for the same seed, and other ones for another seed', () => {
    const again = simulateDays(resolved, { days: DAYS, linesPerDay: LINES });
    for (const id of CLIENTS) expect(JSON.stringify(invoiceOf(again, rateCardOf(id, cards[id]!)).invoice)).toBe(JSON.stringify(invoices.get(id)));
    const other = simulateDays({ ...resolved, scenario: { ...resolved.scenario, seed: resolved.scenario.seed + 7 } }, { days: DAYS, linesPerDay: LINES });
    expect(JSON.stringify(invoiceOf(other, rateCardOf('acme', cards.acme!)).invoice)).not.toBe(JSON.stringify(invoices.get('acme')));
  });

  it('writes the invoice (JSON, CSV, PDF) and its explanation per client, the same bytes for the same seed', async () => {
    const [a, b] = [join(dir, 'a'), join(dir, 'b')];
    const run = await cli(['--scenario', scenarioFile, '--days', String(DAYS), '--lines', String(LINES), '--out', a]);
    expect(run.code).toBe(0);
    expect((await cli(['--scenario', scenarioFile, '--days', String(DAYS), '--lines', String(LINES), '--out', b])).code).toBe(0);
    for (const id of CLIENTS) {
      for (const f of ['invoice.json', 'invoice.csv', 'invoice.pdf', 'explained.json', 'explained.txt']) {
        expect(readFileSync(join(a, id, f)).equals(readFileSync(join(b, id, f))), `${id}/${f}`).toBe(true);
      }
      const written = JSON.parse(readFileSync(join(a, id, 'invoice.json'), 'utf8')) as ReturnType<typeof invoiceDocument>;
      const inv = invoices.get(id)!;
      expect(written.total).toBe(inv.total);
      expect(written).toEqual(JSON.parse(JSON.stringify(invoiceDocument(inv))));
      expect(written.lines.map((l) => [l.code, l.amount, l.eventSeqs.length, l.basisItems])).toEqual(inv.lines.map((l) => [l.code, l.amount, l.eventSeqs.length, l.basis.length]));
      expect(readFileSync(join(a, id, 'invoice.pdf')).subarray(0, 5).toString()).toBe('%PDF-');
      expect(readFileSync(join(a, id, 'invoice.csv'), 'utf8')).toMatch(/^tenant,period_from/);
      expect(run.stdout).toMatch(new RegExp(`^${id} .* GBP$`, 'm'));
    }
    // Every despatch of the log is billed to exactly one client.
    const summary = JSON.parse(readFileSync(join(a, 'summary.json'), 'utf8')) as { ordersDespatched: number; ordersCreated: number };
    const billed = CLIENTS.reduce((s, id) => s + (invoices.get(id)!.lines.find((l) => l.code === 'OUTBOUND_ORDER')?.quantity ?? 0), 0);
    expect(summary.ordersDespatched).toBe(billed);
    expect(summary.ordersCreated).toBeGreaterThanOrEqual(billed);
  });

  it('writes only the client and format asked for', async () => {
    const out = join(dir, 'one');
    const run = await cli(['--scenario', scenarioFile, '--days', '1', '--lines', '300', '--tenant', 'bloom', '--format', 'csv', '--out', out]);
    expect(run.code).toBe(0);
    expect(existsSync(join(out, 'bloom', 'invoice.csv'))).toBe(true);
    expect(existsSync(join(out, 'bloom', 'explained.txt'))).toBe(true);
    expect(existsSync(join(out, 'bloom', 'invoice.pdf'))).toBe(false);
    expect(existsSync(join(out, 'acme'))).toBe(false);
  });

  it.each([
    [[], /missing --scenario/],
    [['--scenario', scenarioFile, '--format', 'xls'], /--format must be one of/],
    [['--scenario', scenarioFile, '--tenant', 'delta'], /--tenant "delta" is not a client/],
    [['--scenario', scenarioFile, '--days', '0'], /--days must be a whole number/],
    [['--scenario', scenarioFile, '--from', '2026-11-01'], /--from must not be before/],
  ])('refuses bad usage with one line and exit 2: %j', async (args, mentions) => {
    const run = await cli(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(mentions);
  });
});
