/**
 * Properties of rating over generated month-long logs of two clients: every line equals the sum of its drill-down,
 * the invoice equals the sum of its lines, the same log gives the same invoice, re-rating with the same card changes
 * nothing, storage matches daily snapshots recomputed independently from the ledger, and quantities add up across
 * sub-periods.
 */
import { describe, expect, it } from 'vitest';
import { syntheticHistory } from '../store/synthetic-history.ts';
import type { DurableEvent, SequencedEvent } from '../twin/events.ts';
import { epochMs } from '../twin/ids.ts';
import { ledgerBalances } from '../twin/invariants.ts';
import { ev } from './billing.fixture.ts';
import { rateEvents, rerate } from './invoice.ts';
import { sumQuantities } from './money.ts';
import { daysOf, periodRangeMs, type RateCard } from './rate-card.ts';
import { measureUsage } from './usage.ts';

const NOV = { from: '2026-11-01', to: '2026-11-30' };

/** Two clients' histories (a: `aT1`, b: `bT1`) stretched over November by `spread`, merged by time, numbered. */
function monthLog(seed: number): { events: SequencedEvent[]; volumes: Map<string, number> } {
  const start = Date.UTC(2026, 9, 29, 6);
  const stretch = (events: DurableEvent[], factor: number, offsetMs: number): DurableEvent[] =>
    events.map((e) => ({ ...e, at: epochMs(start + offsetMs + (e.at - start) * factor) }));
  // ~10 events per order, 250 ms apart: stretched so the histories run from 29 Oct into December.
  const a = stretch(syntheticHistory({ orders: 150 + seed * 20, prefix: 'a', startMs: start }), 7000 - seed * 300, 0);
  const b = stretch(syntheticHistory({ orders: 120, prefix: 'b', startMs: start }), 9000, seed * 3_600_000);
  // Goods in against a few ASNs and blind, and returns, on some days.
  const extra: DurableEvent[] = [];
  for (let d = 0; d < 34; d++) {
    const t = start + d * 86_400_000 + (seed + 1) * 3_000_000;
    if ((d + seed) % 3 === 0) extra.push(ev.goodsReceived(t, 'aT1', 'aSKU-001', 5 + d, { receiptId: `GR-${d}`, asnRef: d % 4 === 0 ? null : `ASN-${d % 5}`, lineNo: (d % 2) + 1, damagedQty: d % 5 === 0 ? 1 : 0 }));
    if ((d + seed) % 4 === 1) extra.push(ev.returnReceived(t + 1000, d % 8 < 4 ? 'aT1' : 'bT1', `RMA-${d % 6}`, `RR-${d}`, 'aSKU-002', 1 + (d % 3)));
  }
  const merged = [...a, ...b, ...extra].sort((x, y) => x.at - y.at);
  const volumes = new Map<string, number>();
  for (const e of merged) if ('skuId' in e && e.skuId !== null) volumes.set(e.skuId, 0.0005 + (e.skuId.charCodeAt(e.skuId.length - 1) % 7) * 0.0011);
  return { events: merged.map((event, i) => ({ seq: i + 1, event })), volumes };
}

const card = (tenantId: string, basis: RateCard['storage']['basis']): RateCard => ({
  tenantId,
  currency: 'GBP',
  palletVolumeM3: 0.05,
  storage: { basis, pricePerDay: 37 },
  inbound: { perReceipt: 1500, perLine: 100, perUnit: 3, perPallet: 450 },
  outbound: { perOrder: 95, perLine: 20, perUnit: 12 },
  packaging: { default: 45, byCarton: {} },
  labels: { default: 320, byService: {}, marginPct: 12.5 },
  returns: { perRma: 150, perUnit: 35 },
  services: { CYCLE_COUNT: 250, DAMAGE_HANDLING: 60 },
  minimumMonthly: 0,
  peaks: [{ id: 'bf', name: 'Black Friday', from: '2026-11-27', to: '2026-11-30', upliftPct: 17.5, appliesTo: ['storage', 'outbound', 'packaging'] }],
});

describe('rating properties over generated logs', () => {
  for (const seed of [0, 1, 2]) {
    const { events, volumes } = monthLog(seed);
    for (const basis of ['location', 'pallet', 'm3'] as const) {
      it(`seed ${seed}, storage per ${basis}: lines = Σ drill-down, total = Σ lines, deterministic, re-rating neutral`, () => {
        const c = card('aT1', basis);
        const inv = rateEvents(events, c, NOV, { unitVolumeM3: volumes });
        expect(inv.lines.map((l) => l.family)).toEqual(expect.arrayContaining(['storage', 'inbound', 'outbound', 'packaging', 'returns', 'peak']));
        expect(inv.total).toBe(inv.lines.reduce((s, l) => s + l.amount, 0));
        const bySeq = new Map(events.map((e) => [e.seq, e.event]));
        for (const l of inv.lines) {
          expect(sumQuantities(l.basis.map((b) => b.quantity))).toBe(l.quantity);
          expect(l.eventSeqs).toEqual([...new Set(l.basis.flatMap((b) => b.seqs))].sort((x, y) => x - y));
          for (const s of l.eventSeqs) expect(bySeq.has(s)).toBe(true);
          // Activity lines count only the client's own events (its tenantId, or its order ids, prefixed 'a').
          if (l.family !== 'storage' && !l.code.endsWith('STORAGE')) {
            for (const s of l.eventSeqs) {
              const e = bySeq.get(s) as DurableEvent;
              const owner = 'tenantId' in e ? e.tenantId : 'orderId' in e ? e.orderId : 'countId' in e ? 'aT1' : '?';
              expect(owner.startsWith('a')).toBe(true);
            }
          }
        }
        // Same log (a deep copy) → the same invoice.
        const copy = JSON.parse(JSON.stringify(events)) as SequencedEvent[];
        expect(rateEvents(copy, c, NOV, { unitVolumeM3: volumes })).toEqual(inv);
        const usage = measureUsage(events, { tenantId: 'aT1', period: NOV, unitVolumeM3: volumes, palletVolumeM3: c.palletVolumeM3 });
        const same = rerate(usage, c, c);
        expect(same.totalDelta).toBe(0);
        expect(same.lines.every((l) => l.delta === 0)).toBe(true);
      });
    }

    it(`seed ${seed}: storage location-days match snapshots recomputed from the ledger`, () => {
      const { startMs } = periodRangeMs(NOV);
      const inv = rateEvents(events, card('aT1', 'location'), NOV, { unitVolumeM3: volumes });
      let expected = 0;
      daysOf(NOV).forEach((_, i) => {
        const end = startMs + (i + 1) * 86_400_000;
        const { balances } = ledgerBalances(events.filter((e) => e.event.at < end).map((e) => e.event));
        const held = new Set<string>();
        for (const [key, qty] of balances) {
          const [location, tenant] = key.split('|');
          if (tenant === 'aT1' && qty > 0 && !location!.startsWith('V:')) held.add(location!);
        }
        expected += held.size;
      });
      expect(expected).toBeGreaterThan(0);
      expect(inv.lines.find((l) => l.code === 'STORAGE')?.quantity).toBe(expected);
    });

    it(`seed ${seed}: quantities of two halves add up to the month`, () => {
      const c = { ...card('aT1', 'm3'), peaks: [] };
      const month = rateEvents(events, c, NOV, { unitVolumeM3: volumes });
      const first = rateEvents(events, c, { from: '2026-11-01', to: '2026-11-14' }, { unitVolumeM3: volumes });
      const second = rateEvents(events, c, { from: '2026-11-15', to: '2026-11-30' }, { unitVolumeM3: volumes });
      // Pallets per receipt are ⌈volume received in the period⌉: rounding up per period is not additive, by design.
      for (const l of month.lines.filter((x) => x.code !== 'INBOUND_PALLET')) {
        const halves = sumQuantities([first, second].map((inv) => inv.lines.find((x) => x.code === l.code)?.quantity ?? 0));
        expect([l.code, halves]).toEqual([l.code, l.quantity]);
      }
    });
  }
});
