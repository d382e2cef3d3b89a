import { describe, expect, it } from 'vitest';
import type { FloorDiff, FloorSnapshot } from '../protocol/floor.ts';
import { MemoryEventStore } from '../store/event-store.memory.ts';
import type { SequencedEvent } from '../twin/events.ts';
import { floorSnapshot } from '../twin/floor-view.ts';
import { asOperativeId, epochMs, type LocationId } from '../twin/ids.ts';
import { LOC, newTwin, SKU_A, T0, T1, TEST_SITE, type TestTwin } from '../twin/test-site.ts';
import { applySequenced, createTwinState, toSnapshotData } from '../twin/twin.ts';
import { MAX_REPLAY_FRAMES, historyRange, replayFloor, replayWindowProblem } from './replay.ts';

const L = (i: number): LocationId => LOC[i] as LocationId;
const P1 = asOperativeId('P1');
const P2 = asOperativeId('P2');
const at = (seconds: number): number => T0 + seconds * 1000;

/** A small history, one command a second from T0: stock in, moves, two operatives on and one off. */
function history(): TestTwin {
  const t = newTwin();
  t.ok({ type: 'receiveStock', tenantId: T1, locationId: L(0), skuId: SKU_A, qty: 40 }); // 0 s
  t.ok({ type: 'receiveStock', tenantId: T1, locationId: L(1), skuId: SKU_A, qty: 10 }); // 1 s
  t.ok({ type: 'signOn', operativeId: P1, name: 'Pat' }); // 2 s
  t.ok({ type: 'moveStock', tenantId: T1, fromLocationId: L(0), toLocationId: L(2), skuId: SKU_A, qty: 15 }); // 3 s
  // Volatile: never logged, so a replay cannot show it.
  t.ok({ type: 'updatePosition', operativeId: P1, position: { x: 2, y: 6 }, activity: 'walking' }); // 4 s
  t.ok({ type: 'signOn', operativeId: P2, name: 'Sam' }); // 5 s
  t.ok({ type: 'receiveStock', tenantId: T1, locationId: L(3), skuId: SKU_A, qty: 25 }); // 6 s
  t.ok({ type: 'signOff', operativeId: P1 }); // 7 s
  t.ok({ type: 'moveStock', tenantId: T1, fromLocationId: L(1), toLocationId: L(4), skuId: SKU_A, qty: 5 }); // 8 s
  t.ok({ type: 'receiveStock', tenantId: T1, locationId: L(5), skuId: SKU_A, qty: 50 }); // 9 s
  return t;
}

async function storeWith(log: readonly SequencedEvent[]): Promise<MemoryEventStore> {
  const store = new MemoryEventStore();
  await store.ensureSite(TEST_SITE.id, {});
  await store.append(TEST_SITE.id, 0, log.map((e) => e.event));
  return store;
}

/** The floor at twin time `t`, rebuilt independently: every logged event at or before `t`, the clock set to `t`. */
function floorAt(log: readonly SequencedEvent[], t: number): FloorSnapshot {
  const state = createTwinState(TEST_SITE, epochMs(t));
  for (const e of log) if (e.event.at <= t) applySequenced(state, e);
  state.now = epochMs(t);
  return floorSnapshot(state);
}

/** What a client holds after the snapshot and the first `k` frames (diffs carry absolute values). */
function clientAfter(snapshot: FloorSnapshot, frames: readonly FloorDiff[], k: number) {
  const fill = [...snapshot.fill];
  const ops = new Map(snapshot.operatives.map((o) => [o.id, o.tasks]));
  let seq = snapshot.seq;
  let counters = snapshot.counters;
  for (const f of frames.slice(0, k)) {
    expect(f.fromSeq).toBe(seq);
    for (let i = 0; i < f.fill.length; i += 2) fill[f.fill[i] as number] = f.fill[i + 1] as number;
    for (const o of f.operatives) ops.set(o.id, o.tasks);
    for (const id of f.removedOperatives) ops.delete(id);
    seq = f.toSeq;
    counters = f.counters;
  }
  return { fill, seq, counters, operatives: [...ops.keys()].sort() };
}

describe('replayFloor', () => {
  it('rebuilds the floor at `from` and steps it to `to`, each frame equal to a rebuild at its time', async () => {
    const t = history();
    const store = await storeWith(t.log);
    const window = { from: at(2.5), to: at(8), stepMs: 2000 };
    const { replay, stats } = await replayFloor(store, TEST_SITE, window, { pageSize: 3 });

    expect(replay.snapshot).toEqual(floorAt(t.log, window.from));
    expect(replay.snapshot.fill).toEqual([80, 20, 0, 0, 0, 0]);
    expect(replay.frames.map((f) => f.at)).toEqual([at(4.5), at(6.5), at(8)]);
    for (let k = 1; k <= replay.frames.length; k++) {
      const expected = floorAt(t.log, replay.frames[k - 1]?.at ?? 0);
      const client = clientAfter(replay.snapshot, replay.frames, k);
      expect(client.fill).toEqual(expected.fill);
      expect(client.seq).toBe(expected.seq);
      expect(client.counters).toEqual(expected.counters);
      expect(client.operatives).toEqual(expected.operatives.map((o) => o.id).sort());
    }
    // Only what changed in a step is sent: the move at 3 s touches L1 and L3.
    expect(replay.frames[0]?.fill).toEqual([0, 50, 2, 30]);
    expect(replay.frames[2]?.removedOperatives).toEqual(['P1']);
    // The event at 9 s is after the window: read (a page holds it) but not applied.
    expect(stats).toMatchObject({ startSeq: 0, eventsApplied: 8 });
  });

  it('shows where an operative signed on, not where they walked (positions are not logged)', async () => {
    const t = history();
    const { replay } = await replayFloor(await storeWith(t.log), TEST_SITE, { from: at(4.5), to: at(5), stepMs: 1000 });
    const depot = TEST_SITE.layout.depot;
    expect(replay.snapshot.operatives).toEqual([{ id: 'P1', name: 'Pat', x: depot.x, y: depot.y, activity: 'idle', tasks: 0 }]);
  });

  it('starts from the latest snapshot when it is not later than `from`, and from seq 0 otherwise', async () => {
    const t = history();
    const store = await storeWith(t.log);
    const early = createTwinState(TEST_SITE, T0);
    for (const e of t.log.slice(0, 4)) applySequenced(early, e);
    await store.saveSnapshot(TEST_SITE.id, early.seq, toSnapshotData(early));
    const window = { from: at(5.5), to: at(9), stepMs: 1000 };
    const fromSnapshot = await replayFloor(store, TEST_SITE, window);
    expect(fromSnapshot.stats.startSeq).toBe(4);
    // A replay before the snapshot cannot use it.
    const before = await replayFloor(store, TEST_SITE, { from: at(1.5), to: at(9), stepMs: 1000 });
    expect(before.stats.startSeq).toBe(0);
    expect(before.replay.frames.at(-1)).toMatchObject({ toSeq: 9, at: at(9) });

    const fromZero = await replayFloor(await storeWith(t.log), TEST_SITE, window);
    expect(fromSnapshot.replay).toEqual(fromZero.replay);
  });

  it('answers a window before the first event or after the last with empty steps', async () => {
    const t = history();
    const store = await storeWith(t.log);
    const before = await replayFloor(store, TEST_SITE, { from: at(-60), to: at(-30), stepMs: 10_000 });
    expect(before.replay.snapshot).toMatchObject({ seq: 0, fill: [0, 0, 0, 0, 0, 0] });
    expect(before.replay.frames.map((f) => [f.fromSeq, f.toSeq, f.fill.length])).toEqual([[0, 0, 0], [0, 0, 0], [0, 0, 0]]);
    const after = await replayFloor(store, TEST_SITE, { from: at(60), to: at(90), stepMs: 10_000 });
    expect(after.replay.snapshot.seq).toBe(9);
    expect(after.replay.frames.every((f) => f.fromSeq === 9 && f.toSeq === 9 && f.fill.length === 0)).toBe(true);
  });

  it('never touches the live twin it was given the log of', async () => {
    const t = history();
    const before = JSON.stringify(toSnapshotData(t.state));
    await replayFloor(await storeWith(t.log), TEST_SITE, { from: at(0), to: at(9), stepMs: 1000 });
    expect(JSON.stringify(toSnapshotData(t.state))).toBe(before);
  });

  it('refuses windows that are empty, reversed, too long or too finely stepped', async () => {
    expect(replayWindowProblem({ from: at(0), to: at(60), stepMs: 10_000 })).toBeNull();
    expect(replayWindowProblem({ from: at(60), to: at(60), stepMs: 10_000 })).toMatch(/later than from/);
    expect(replayWindowProblem({ from: at(0), to: at(25 * 3600), stepMs: 600_000 })).toMatch(/24 hours/);
    expect(replayWindowProblem({ from: at(0), to: at(60), stepMs: 10 })).toMatch(/stepMs/);
    expect(replayWindowProblem({ from: at(0), to: at(MAX_REPLAY_FRAMES + 1), stepMs: 1000 })).toMatch(/frames/);
    expect(replayWindowProblem({ from: Number.NaN, to: at(60), stepMs: 1000 })).toMatch(/times/);
    await expect(replayFloor(new MemoryEventStore(), TEST_SITE, { from: 2, to: 1, stepMs: 1000 })).rejects.toThrow(RangeError);
  });
});

describe('historyRange', () => {
  it('is the first and last logged twin time and the last seq', async () => {
    const t = history();
    expect(await historyRange(await storeWith(t.log), TEST_SITE.id)).toEqual({ firstAt: at(0), lastAt: at(9), lastSeq: 9 });
    const empty = new MemoryEventStore();
    await empty.ensureSite(TEST_SITE.id, {});
    expect(await historyRange(empty, TEST_SITE.id)).toEqual({ firstAt: null, lastAt: null, lastSeq: 0 });
  });
});
