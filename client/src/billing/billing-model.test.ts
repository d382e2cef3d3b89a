import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RateCardBody as RateCardSchema } from '../../../server/billing/rate-card.schema.ts';
import type { RateCardBody } from './billing-api.ts';
import {
  applyFields, cardBody, cardFields, changedLines, checkTotal, drillItemText, fieldId, fieldText, formatDelta, formatMoney, formatUnitPrice, isDate, monthOf,
  parseField, parseMoney, parseVolumes, periodProblem, DEFAULT_VOLUMES,
} from './billing-model.ts';

/** The demo cards the server seeds (data/rate-cards.json), so the tests edit real cards. */
const demoCards = (JSON.parse(readFileSync(new URL('../../../data/rate-cards.json', import.meta.url), 'utf8')) as { cards: Record<string, RateCardBody> }).cards;
const acme = demoCards['acme'] as RateCardBody;
const bloom = demoCards['bloom'] as RateCardBody;

describe('periods', () => {
  it('takes the UTC calendar month around an instant, and months back across a year', () => {
    expect(monthOf(Date.parse('2026-11-27T18:00:00Z'))).toEqual({ from: '2026-11-01', to: '2026-11-30' });
    expect(monthOf(Date.parse('2026-03-31T23:59:59Z'), 1)).toEqual({ from: '2026-02-01', to: '2026-02-28' });
    expect(monthOf(Date.parse('2026-01-15T00:00:00Z'), 1)).toEqual({ from: '2025-12-01', to: '2025-12-31' });
  });

  it('refuses what the server would refuse: unreal dates, reversed periods, more than 366 days', () => {
    expect(isDate('2026-02-29')).toBe(false);
    expect(isDate('2028-02-29')).toBe(true);
    expect(periodProblem('2026-11-01', '2026-11-30')).toBeNull();
    expect(periodProblem('2026-11-31', '2026-12-01')).toMatch(/first day/);
    expect(periodProblem('2026-11-02', '2026-11-01')).toMatch(/not be after/);
    expect(periodProblem('2026-01-01', '2027-01-01')).toBeNull(); // 366 days
    expect(periodProblem('2026-01-01', '2027-01-02')).toMatch(/367/);
  });
});

describe('money', () => {
  it('formats minor units, fractional unit prices and signed differences', () => {
    expect(formatMoney(123456)).toBe('£1,234.56');
    expect(formatUnitPrice(14.25)).toBe('£0.1425');
    expect(formatUnitPrice(12)).toBe('£0.12');
    expect(formatDelta(120)).toBe('+£1.20');
    expect(formatDelta(-30)).toBe('−£0.30');
    expect(formatDelta(0)).toBe('£0.00');
  });

  it('parses prices typed in major units exactly, to whole minor units', () => {
    expect(parseMoney('0.12')).toEqual({ ok: true, minor: 12 });
    expect(parseMoney('1.5')).toEqual({ ok: true, minor: 150 });
    expect(parseMoney(' 1500 ')).toEqual({ ok: true, minor: 150000 });
    // 0.29 × 100 is 28.999… in floating point; the text is read digit by digit.
    expect(parseMoney('0.29')).toEqual({ ok: true, minor: 29 });
    for (const bad of ['', '-1', '0.125', '1,50', 'abc', '1e3']) expect(parseMoney(bad).ok, bad).toBe(false);
  });

  it('checks that line amounts add up to the total', () => {
    expect(checkTotal({ lines: [{ amount: 60 }, { amount: 190 }, { amount: 149750 }], total: 150000 })).toEqual({ sum: 150000, matches: true });
    expect(checkTotal({ lines: [{ amount: 60 }], total: 61 })).toEqual({ sum: 60, matches: false });
    expect(checkTotal({ lines: [], total: 0 }).matches).toBe(true);
  });
});

describe('the rate card as fields', () => {
  it('lists every price of the card once, with distinct ids, and reads back unchanged', () => {
    const fields = cardFields(acme);
    const ids = fields.map(fieldId);
    expect(new Set(ids).size).toBe(ids.length);
    // acme: storage, pallet volume, 4 inbound, 3 outbound, default + 4 cartons, default + 2 services + margin, 2 returns, 8 VAS, minimum, 1 peak.
    expect(fields).toHaveLength(2 + 4 + 3 + 5 + 4 + 2 + 8 + 1 + 1);
    const texts = Object.fromEntries(fields.map((f) => [fieldId(f), fieldText(f)]));
    const again = applyFields(acme, texts);
    expect(again).toEqual({ ok: true, card: acme });
  });

  it('applies edited prices without touching the original, and the result is a card the server accepts', () => {
    const perUnit = cardFields(acme).find((f) => f.path.join('.') === 'outbound.perUnit');
    const carton = cardFields(acme).find((f) => f.path.join('.') === 'packaging.byCarton.M1');
    const peak = cardFields(acme).find((f) => f.path.join('.') === 'peaks.0.upliftPct');
    expect(perUnit && carton && peak).toBeTruthy();
    const result = applyFields(acme, { [fieldId(perUnit!)]: '0.25', [fieldId(carton!)]: '1', [fieldId(peak!)]: '20' });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.card.outbound.perUnit).toBe(25);
    expect(result.card.packaging.byCarton['M1']).toBe(100);
    expect(result.card.peaks[0]?.upliftPct).toBe(20);
    expect(result.card.packaging.byCarton['S1']).toBe(acme.packaging.byCarton['S1']);
    expect(acme.outbound.perUnit).toBe(12);
    expect(RateCardSchema.safeParse(result.card).success).toBe(true);
  });

  it('names every wrong field and changes nothing', () => {
    const margin = cardFields(bloom).find((f) => f.path.join('.') === 'labels.marginPct')!;
    const pallet = cardFields(bloom).find((f) => f.path.join('.') === 'palletVolumeM3')!;
    const minimum = cardFields(bloom).find((f) => f.path.join('.') === 'minimumMonthly')!;
    const result = applyFields(bloom, { [fieldId(margin)]: '2000', [fieldId(pallet)]: '0', [fieldId(minimum)]: '-5' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(Object.keys(result.errors).sort()).toEqual([fieldId(margin), fieldId(minimum), fieldId(pallet)].sort());
    expect(parseField({ kind: 'percent' }, '12.5')).toEqual({ ok: true, value: 12.5 });
    expect(parseField({ kind: 'm3' }, '1.2')).toEqual({ ok: true, value: 1.2 });
  });

  it('drops the tenantId for the request body (the path names the client)', () => {
    expect(cardBody({ ...acme, tenantId: 'acme' })).toEqual(acme);
    expect(RateCardSchema.safeParse(cardBody({ ...acme, tenantId: 'acme' })).success).toBe(true);
  });
});

describe('re-rating and the prospect', () => {
  it('lists the changed lines, largest change first', () => {
    const line = (code: string, delta: number) => ({ code, description: code, before: null, after: null, delta });
    expect(changedLines([line('A', 0), line('B', -30), line('C', 120), line('D', 30)]).map((l) => l.code)).toEqual(['C', 'B', 'D']);
  });

  it('reads the default volumes, leaves an empty optional field out and names wrong ones', () => {
    const ok = parseVolumes(DEFAULT_VOLUMES);
    expect(ok.ok && ok.volumes.ordersPerDay).toBe(120);
    const without = parseVolumes({ ...DEFAULT_VOLUMES, palletsPerReceipt: '' });
    expect(without.ok && 'palletsPerReceipt' in without.volumes).toBe(false);
    const bad = parseVolumes({ ...DEFAULT_VOLUMES, ordersPerDay: '-1', returns: '' });
    expect(bad.ok ? [] : Object.keys(bad.errors).sort()).toEqual(['ordersPerDay', 'returns']);
  });

  it('tells a drill-down item with its events', () => {
    const item = { day: '2026-11-27', ref: 'order O-1 pick T1', quantity: 2, seqs: [6953], events: [{ seq: 6953, event: { type: 'PickConfirmed' } }] };
    expect(drillItemText(item, 'unit')).toBe('2026-11-27 · order O-1 pick T1 · 2 unit · events #6953 PickConfirmed');
    expect(drillItemText({ ...item, seqs: [], events: [] }, 'day')).toBe('2026-11-27 · order O-1 pick T1 · 2 day');
  });
});
