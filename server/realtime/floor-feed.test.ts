import { describe, expect, it } from 'vitest';
import type { SequencedEvent } from '../twin/events.ts';
import { floorSnapshot } from '../twin/floor-view.ts';
import { applyEvents, decide } from '../twin/twin.ts';
import { FloorFeed } from './floor-feed.ts';
import { epochMs } from '../twin/ids.ts';
import { ALICE, BINS, BOB, SKU, TENANT, TestSite, applyDiff, comparable, fromSnapshot } from './realtime.fixture.ts';

const [A1, A2, B1, B2] = BINS as [(typeof BINS)[number], (typeof BINS)[number], (typeof BINS)[number], (typeof BINS)[number]];

describe('FloorFeed patches', () => {
  it('has nothing to send while nothing changes', () => {
    const site = new TestSite();
    expect(site.feed.takePatch()).toBeNull();
    site.receive(A1, 10);
    expect(site.feed.takePatch()).not.toBeNull();
    expect(site.feed.takePatch()).toBeNull();
  });

  it('chains patches by seq and carries only touched bins, with absolute values', () => {
    const site = new TestSite();
    site.receive(A1, 10);
    site.receive(B1, 30);
    const first = site.feed.takePatch();
    expect(first).toMatchObject({ fromSeq: 0, toSeq: 2, fill: [0, 10, 2, 30] });
    site.move(B1, B2, 5);
    const second = site.feed.takePatch();
    expect(second).toMatchObject({ fromSeq: 2, toSeq: 3 });
    expect(second?.fill).toEqual([2, 25, 3, 5]);
    expect(second?.counters).toEqual(site.feed.snapshot().counters);
  });

  it('sends positions-only patches with fromSeq == toSeq', () => {
    const site = new TestSite();
    site.signOn(ALICE, 'Alice');
    site.feed.takePatch();
    site.walk(ALICE, 4, 5);
    const patch = site.feed.takePatch();
    expect(patch).toMatchObject({ fromSeq: 1, toSeq: 1, fill: [] });
    expect(patch?.operatives).toEqual([expect.objectContaining({ id: ALICE, x: 4, y: 5, activity: 'walking' })]);
  });

  it('reports an operative that left as removed, and one that came and went within a patch not at all', () => {
    const site = new TestSite();
    site.signOn(ALICE, 'Alice');
    site.feed.takePatch();
    site.signOff(ALICE);
    site.signOn(BOB, 'Bob');
    site.signOff(BOB);
    const patch = site.feed.takePatch();
    expect(patch?.removedOperatives).toEqual([ALICE]);
    expect(patch?.operatives).toEqual([]);
  });

  it('reproduces the server floor when a client applies snapshot + patches', () => {
    const site = new TestSite();
    site.receive(A1, 40);
    const view = fromSnapshot(site.feed.snapshot());
    site.feed.takePatch(); // the snapshot already holds these changes; the next patch starts at its seq
    site.signOn(ALICE, 'Alice');
    site.move(A1, A2, 15);
    applyDiff(view, site.feed.takePatch() ?? expect.fail('patch expected'));
    site.walk(ALICE, 2, 2);
    applyDiff(view, site.feed.takePatch() ?? expect.fail('patch expected'));
    site.signOff(ALICE);
    site.receive(B2, 7);
    applyDiff(view, site.feed.takePatch() ?? expect.fail('patch expected'));
    expect(comparable(view)).toEqual(comparable(fromSnapshot(site.feed.snapshot())));
  });
});

describe('FloorFeed catch-up', () => {
  it('answers `since` within the history with a diff equal in effect to the missed ones', () => {
    const site = new TestSite();
    site.receive(A1, 50);
    site.signOn(ALICE, 'Alice');
    site.signOn(BOB, 'Bob');
    const old = fromSnapshot(site.feed.snapshot());
    site.move(A1, B1, 20);
    site.walk(ALICE, 9, 9);
    site.signOff(BOB);
    site.receive(A2, 3);
    const diff = site.feed.diffSince(old.seq);
    expect(diff).toMatchObject({ fromSeq: old.seq, toSeq: site.state.seq, removedOperatives: [BOB] });
    applyDiff(old, diff ?? expect.fail('diff expected'));
    expect(comparable(old)).toEqual(comparable(fromSnapshot(site.feed.snapshot())));
  });

  it('answers the current seq with an empty diff and a future or too-old seq with null', () => {
    const site = new TestSite(undefined, 2);
    site.receive(A1, 1);
    site.receive(A1, 1);
    site.receive(A1, 1); // seq 3; history holds seqs 2 and 3
    expect(site.feed.diffSince(3)).toMatchObject({ fromSeq: 3, toSeq: 3, fill: [] });
    expect(site.feed.diffSince(1)).toMatchObject({ fromSeq: 1, toSeq: 3, fill: [0, 3] });
    expect(site.feed.diffSince(0)).toBeNull();
    expect(site.feed.diffSince(4)).toBeNull();
    expect(site.feed.diffSince(-1)).toBeNull();
    expect(site.feed.diffSince(1.5)).toBeNull();
  });

  it('keeps only the last historySize events over a long run', () => {
    const site = new TestSite(undefined, 5);
    for (let i = 0; i < 40; i++) site.receive(BINS[i % 4] as (typeof BINS)[number], 1);
    expect(site.feed.diffSince(34)).toBeNull();
    const diff = site.feed.diffSince(35);
    expect(diff).toMatchObject({ fromSeq: 35, toSeq: 40 });
    expect(diff?.fill).toEqual(expect.arrayContaining([3, 10, 0, 10, 1, 10, 2, 10]));
  });

  it('with historySize 0 answers only the current seq', () => {
    const site = new TestSite(undefined, 0);
    site.receive(A1, 1);
    expect(site.feed.diffSince(0)).toBeNull();
    expect(site.feed.diffSince(1)).toMatchObject({ fromSeq: 1, toSeq: 1 });
  });

  it('after a gap in reported seqs, refuses older `since` and sends a full patch', () => {
    const site = new TestSite();
    site.receive(A1, 5);
    site.feed.takePatch();
    // Events applied without being reported (a runner bug or a skipped batch), then one reported.
    const hidden = decide(site.state, { type: 'receiveStock', tenantId: TENANT, locationId: B1, skuId: SKU, qty: 9 }, { now: epochMs(1) });
    if (!hidden.ok) expect.fail(hidden.error.message);
    applyEvents(site.state, hidden.events);
    expect(site.feed.diffSince(1)).toBeNull(); // the state is ahead of what the feed knows
    const next = decide(site.state, { type: 'receiveStock', tenantId: TENANT, locationId: A2, skuId: SKU, qty: 2 }, { now: epochMs(2) });
    if (!next.ok) expect.fail(next.error.message);
    const reported: SequencedEvent[] = applyEvents(site.state, next.events);
    site.feed.committed(reported);
    expect(site.feed.diffSince(1)).toBeNull();
    expect(site.feed.diffSince(2)).toMatchObject({ fromSeq: 2, toSeq: 3, fill: [1, 2] });
    const patch = site.feed.takePatch();
    expect(patch).toMatchObject({ fromSeq: 1, toSeq: 3, fill: [0, 5, 1, 2, 2, 9, 3, 0] });
  });

  it('sends every bin when the state is ahead of what was reported', () => {
    const site = new TestSite();
    site.receive(A1, 5);
    site.feed.takePatch();
    const unreported = decide(site.state, { type: 'receiveStock', tenantId: TENANT, locationId: B2, skuId: SKU, qty: 6 }, { now: epochMs(1) });
    if (!unreported.ok) expect.fail(unreported.error.message);
    const events = applyEvents(site.state, unreported.events);
    expect(site.feed.takePatch()).toMatchObject({ fromSeq: 1, toSeq: 2, fill: [0, 5, 1, 0, 2, 0, 3, 6] });
    site.feed.committed(events); // reported late: harmless, and the history is whole again
    expect(site.feed.diffSince(1)).toMatchObject({ fromSeq: 1, toSeq: 2, fill: [3, 6] });
  });

  it('ignores events reported twice', () => {
    const site = new TestSite();
    const decision = decide(site.state, { type: 'receiveStock', tenantId: TENANT, locationId: A1, skuId: SKU, qty: 4 }, { now: epochMs(1) });
    if (!decision.ok) expect.fail(decision.error.message);
    const events = applyEvents(site.state, decision.events);
    site.feed.committed(events);
    site.feed.committed(events);
    expect(site.feed.diffSince(0)).toMatchObject({ fromSeq: 0, toSeq: 1, fill: [0, 4] });
  });

  it('after reset, serves only from the new seq and sends everything once', () => {
    const site = new TestSite();
    site.receive(A1, 5);
    site.signOn(ALICE, 'Alice');
    site.feed.takePatch();
    site.feed.reset();
    expect(site.feed.diffSince(1)).toBeNull();
    expect(site.feed.diffSince(2)).toMatchObject({ fromSeq: 2, toSeq: 2 });
    const patch = site.feed.takePatch();
    expect(patch?.fill).toEqual([0, 5, 1, 0, 2, 0, 3, 0]);
    expect(patch?.operatives.map((o) => o.id)).toEqual([ALICE]);
    expect(site.feed.takePatch()).toBeNull();
  });
});

describe('FloorFeed snapshots', () => {
  it('always equal the twin floor, whether fresh or kept current by patches', () => {
    const site = new TestSite();
    const check = (): void => expect(site.feed.snapshot()).toEqual(floorSnapshot(site.state));
    check(); // fresh
    site.receive(A1, 10);
    site.signOn(ALICE, 'Alice');
    check(); // seq moved without a patch: recomputed
    site.feed.takePatch();
    check(); // from the patched cache
    site.move(A1, B2, 4);
    site.walk(ALICE, 1, 2);
    site.feed.takePatch();
    check();
    site.walk(ALICE, 3, 3); // positions only: fill unchanged, operatives live
    check();
    site.receive(B1, 8);
    check(); // pending durable change: recomputed
    site.signOff(ALICE);
    site.feed.takePatch();
    check();
    site.feed.reset();
    check();
    site.receive(A2, 1);
    site.feed.takePatch();
    check();
  });
});

describe('FloorFeed and commits in flight', () => {
  it('streams nothing uncommitted: patches and catch-up diffs wait until the commit is resolved', async () => {
    const site = new TestSite();
    let settled = true;
    const feed = new FloorFeed(() => site.state, { historySize: 100, isSettled: () => settled });
    settled = false; // the runner has applied a batch and is waiting for its commit
    site.receive(A1, 10);
    expect(feed.takePatch()).toBeNull();
    expect(feed.diffSince(0)).toBeNull();
    const woken = feed.nextReport();
    settled = true;
    feed.committed([]);
    await woken;
    const patch = feed.takePatch();
    expect(patch?.toSeq).toBe(1);
    expect(patch?.fill.slice(0, 2)).toEqual([0, 10]);
  });
});
