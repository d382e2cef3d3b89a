/**
 * The floor's activity feed: which committed events show as markers, at which bin (the real core on the tiny test
 * site), and the feed on a real site runner (in-memory log): committed events only, the per-second cap.
 */
import { describe, expect, it } from 'vitest';
import type { FloorActivity } from '../protocol/floor.ts';
import { SiteRunner } from '../site/site-runner.ts';
import { MemoryEventStore } from '../store/event-store.memory.ts';
import { asCountId } from '../twin/counting.ts';
import { dockLocationId } from '../twin/stock-status.ts';
import { asOperativeId, epochMs } from '../twin/ids.ts';
import { LOC, SKU_A, T0, T1, TEST_SITE, newTwin } from '../twin/test-site.ts';
import { ActivityFeed, activityOf, locationIndexOf } from './activity-feed.ts';

const DOCK = dockLocationId(TEST_SITE.id);
const L1 = LOC[0] ?? DOCK;
const L2 = LOC[1] ?? DOCK;

/** Runs the commands on a fresh twin and maps every event of the log, in order. */
function activitiesAfter(run: (t: ReturnType<typeof newTwin>) => void): { kind: string; locationIndex: number }[] {
  const t = newTwin();
  run(t);
  const index = locationIndexOf(t.state);
  return t.log.map((e) => activityOf(t.state, index, e)).flatMap((a) => (a === null ? [] : [{ kind: a.kind, locationIndex: a.locationIndex }]));
}

describe('activityOf', () => {
  it('[R43][R44] a receipt shows at the dock (index −1), its put-away at the bin it went into', () => {
    const shown = activitiesAfter((t) => {
      t.ok({ type: 'receiveGoods', receiptId: 'r1', tenantId: T1, skuId: SKU_A, qty: 5 });
      t.ok({ type: 'moveStock', tenantId: T1, skuId: SKU_A, fromLocationId: DOCK, toLocationId: L2, qty: 5 });
    });
    expect(shown).toEqual([
      { kind: 'receipt', locationIndex: -1 },
      { kind: 'putaway', locationIndex: 1 },
    ]);
  });

  it('[R58][R59] a completed move task shows as its kind at the bin the stock went into', () => {
    const shown = activitiesAfter((t) => {
      t.ok({ type: 'receiveGoods', receiptId: 'r1', tenantId: T1, skuId: SKU_A, qty: 5 });
      t.ok({ type: 'signOn', operativeId: asOperativeId('op1'), name: 'Op' });
      t.ok({ type: 'createMoveTask', taskId: 'PA-1', kind: 'putaway', tenantId: T1, skuId: SKU_A, fromLocationId: DOCK, toLocationId: L2, qty: 5 });
      t.ok({ type: 'requestMoveTask', operativeId: asOperativeId('op1') });
      t.ok({ type: 'completeMoveTask', taskId: 'PA-1', operativeId: asOperativeId('op1'), fromScan: DOCK, toScan: L2, scanId: 's1' });
    });
    expect(shown).toEqual([
      { kind: 'receipt', locationIndex: -1 },
      { kind: 'putaway', locationIndex: 1 },
    ]);
  });

  it('a move between two bins is not a put-away: no marker', () => {
    const shown = activitiesAfter((t) => {
      t.ok({ type: 'receiveGoods', receiptId: 'r1', tenantId: T1, skuId: SKU_A, qty: 5 });
      t.ok({ type: 'moveStock', tenantId: T1, skuId: SKU_A, fromLocationId: DOCK, toLocationId: L1, qty: 5 });
      t.ok({ type: 'moveStock', tenantId: T1, skuId: SKU_A, fromLocationId: L1, toLocationId: L2, qty: 2 });
    });
    expect(shown.map((a) => a.kind)).toEqual(['receipt', 'putaway']);
  });

  it('[R35][R37] a count shows when submitted; an adjustment only when the ledger moved', () => {
    const shown = activitiesAfter((t) => {
      t.ok({ type: 'receiveGoods', receiptId: 'r1', tenantId: T1, skuId: SKU_A, qty: 5 });
      t.ok({ type: 'moveStock', tenantId: T1, skuId: SKU_A, fromLocationId: DOCK, toLocationId: L2, qty: 5 });
      // L1 is empty and counted empty: adjusted at once with nothing to move.
      t.ok({ type: 'createCounts', reason: 'manual', counts: [{ countId: asCountId('C1'), locationId: L1 }, { countId: asCountId('C2'), locationId: L2 }] });
      t.ok({ type: 'startCount', countId: asCountId('C1'), counterId: 'ann' });
      t.ok({ type: 'submitCount', countId: asCountId('C1'), counterId: 'ann', lines: [] });
      // L2 holds 5, counted 4: 20 % off, so it waits for approval, then the loss is a ledger adjustment.
      t.ok({ type: 'startCount', countId: asCountId('C2'), counterId: 'ann' });
      t.ok({ type: 'submitCount', countId: asCountId('C2'), counterId: 'ann', lines: [{ skuId: SKU_A, qty: 4 }] });
      t.ok({ type: 'approveCount', countId: asCountId('C2'), approverId: 'sue' });
    });
    expect(shown).toEqual([
      { kind: 'receipt', locationIndex: -1 },
      { kind: 'putaway', locationIndex: 1 },
      { kind: 'count', locationIndex: 0 },
      { kind: 'count', locationIndex: 1 },
      { kind: 'adjust', locationIndex: 1 },
    ]);
  });
});

describe('ActivityFeed on a site runner', () => {
  async function openRunner(): Promise<SiteRunner> {
    const store = new MemoryEventStore();
    await store.ensureSite(TEST_SITE.id, TEST_SITE);
    let now = T0 as number;
    return SiteRunner.open({ site: TEST_SITE, store, clock: { now: () => epochMs((now += 1000)) } });
  }

  it('sends each committed activity once, with the log seq, and nothing for refused commands', async () => {
    const runner = await openRunner();
    const sent: FloorActivity[] = [];
    const feed = new ActivityFeed({ runner, sink: (a) => sent.push(a) });
    const received = await runner.submit({ type: 'receiveGoods', receiptId: 'r1', tenantId: T1, skuId: SKU_A, qty: 3 });
    // Refused (nothing on the dock of that quantity): no marker.
    await runner.submit({ type: 'moveStock', tenantId: T1, skuId: SKU_A, fromLocationId: DOCK, toLocationId: L1, qty: 30 });
    const moved = await runner.submit({ type: 'moveStock', tenantId: T1, skuId: SKU_A, fromLocationId: DOCK, toLocationId: L1, qty: 3 });
    // A resent receipt decides no events: no second marker.
    await runner.submit({ type: 'receiveGoods', receiptId: 'r1', tenantId: T1, skuId: SKU_A, qty: 3 });
    feed.close();
    await runner.submit({ type: 'receiveGoods', receiptId: 'r2', tenantId: T1, skuId: SKU_A, qty: 1 });
    expect(received.ok && moved.ok).toBe(true);
    expect(sent.map((a) => [a.siteId, a.kind, a.locationIndex])).toEqual([
      [TEST_SITE.id, 'receipt', -1],
      [TEST_SITE.id, 'putaway', 0],
    ]);
    expect(sent[0]?.seq).toBe(received.ok ? received.lastSeq : -1);
    expect(sent[1]?.seq).toBe(moved.ok ? moved.lastSeq : -1);
    expect(feed.stats).toEqual({ sent: 2, dropped: 0 });
    await runner.close();
  });

  it('caps a burst at maxPerSecond and counts what it dropped; the next second sends again', async () => {
    const runner = await openRunner();
    const sent: FloorActivity[] = [];
    let wall = 0;
    const feed = new ActivityFeed({ runner, sink: (a) => sent.push(a), maxPerSecond: 2, nowMs: () => wall });
    for (let i = 0; i < 4; i++) await runner.submit({ type: 'receiveGoods', receiptId: `r${i}`, tenantId: T1, skuId: SKU_A, qty: 1 });
    expect(feed.stats).toEqual({ sent: 2, dropped: 2 });
    wall = 1_000;
    await runner.submit({ type: 'receiveGoods', receiptId: 'r9', tenantId: T1, skuId: SKU_A, qty: 1 });
    expect(sent).toHaveLength(3);
    expect(() => new ActivityFeed({ runner, sink: () => undefined, maxPerSecond: 0 })).toThrow(RangeError);
    feed.close();
    await runner.close();
  });
});
