import { describe, it, expect } from 'vitest';
import { FloorStore, interpolatePosition, type OperativeTrack } from './floor-store.ts';
import type { FloorCounters, FloorDiff, FloorSnapshot, LayoutView, OperativeView } from '../../../server/protocol/floor.ts';

const counters = (picked: number): FloorCounters => ({
  ordersReceived: 10, ordersOpen: 10 - picked, ordersPicked: picked, ordersDespatched: 0,
  linesPicked: picked, unitsPicked: picked, picksLastHour: picked,
});

const layout = (bins: number): LayoutView => ({
  siteId: 's1', layoutId: 'l1',
  ids: Array.from({ length: bins }, (_, i) => `B${i}`),
  x: Array.from({ length: bins }, (_, i) => i), y: new Array<number>(bins).fill(0), z: new Array<number>(bins).fill(0),
  w: new Array<number>(bins).fill(1), d: new Array<number>(bins).fill(1), h: new Array<number>(bins).fill(0.5),
  segments: [0, 0, 10, 0], depot: { x: 0, y: 0 }, bounds: { minX: 0, minY: 0, maxX: 10, maxY: 10 },
});

const op = (id: string, x: number, y: number, activity: OperativeView['activity'] = 'walking'): OperativeView =>
  ({ id, name: id.toUpperCase(), x, y, activity, tasks: 1 });

const snapshot = (seq: number, fill: number[], operatives: OperativeView[] = []): FloorSnapshot =>
  ({ siteId: 's1', seq, at: seq * 1000, fill, operatives, counters: counters(0) });

const diff = (fromSeq: number, toSeq: number, fill: number[], extra: Partial<FloorDiff> = {}): FloorDiff => ({
  siteId: 's1', fromSeq, toSeq, at: toSeq * 1000, fill, operatives: [], removedOperatives: [], counters: counters(toSeq),
  ...extra,
});

function drain(store: FloorStore): Array<[number, number]> {
  const seen: Array<[number, number]> = [];
  store.consumeDirty((i, f) => seen.push([i, f]));
  return seen;
}

function joined(): FloorStore {
  const store = new FloorStore();
  store.setLayout(layout(4));
  store.applySnapshot(snapshot(5, [0, 10, 20, 30], [op('a', 0, 0)]), 0);
  drain(store);
  return store;
}

describe('FloorStore snapshot and diffs', () => {
  it('a snapshot sets fill, seq and counters and marks every bin dirty once', () => {
    const store = new FloorStore();
    store.setLayout(layout(4));
    store.applySnapshot(snapshot(5, [0, 10, 20, 30]), 0);
    expect(store.seq).toBe(5);
    expect(Array.from(store.fill)).toEqual([0, 10, 20, 30]);
    expect(drain(store)).toEqual([[0, 0], [1, 10], [2, 20], [3, 30]]);
    expect(store.pendingDirty).toBe(0);
  });

  it('applies consecutive diffs and reports only the changed bins as dirty, each once', () => {
    const store = joined();
    expect(store.applyDiff(diff(5, 7, [1, 55, 3, 100]), 100)).toBe('applied');
    expect(store.applyDiff(diff(7, 8, [1, 60]), 200)).toBe('applied');
    expect(store.seq).toBe(8);
    expect(Array.from(store.fill)).toEqual([0, 60, 20, 100]);
    expect(drain(store)).toEqual([[1, 60], [3, 100]]);
    expect(store.counters?.ordersPicked).toBe(8);
  });

  it('detects a gap when a diff starts after our seq, and changes nothing', () => {
    const store = joined();
    expect(store.applyDiff(diff(6, 9, [0, 99]), 100)).toBe('gap');
    expect(store.seq).toBe(5);
    expect(store.fill[0]).toBe(0);
    expect(store.pendingDirty).toBe(0);
  });

  it('treats a diff before any snapshot as a gap', () => {
    const store = new FloorStore();
    store.setLayout(layout(2));
    expect(store.applyDiff(diff(0, 1, [0, 5]), 0)).toBe('gap');
  });

  it('ignores a duplicate of the last diff and a diff that ends before our seq', () => {
    const store = joined();
    const d = diff(5, 6, [2, 40]);
    expect(store.applyDiff(d, 100)).toBe('applied');
    drain(store);
    expect(store.applyDiff(d, 200)).toBe('stale');
    expect(store.applyDiff(diff(3, 4, [2, 0]), 300)).toBe('stale');
    expect(store.fill[2]).toBe(40);
    expect(store.pendingDirty).toBe(0);
    expect(store.seq).toBe(6);
  });

  it('applies an overlapping diff (absolute values) and a position-only diff at the same seq', () => {
    const store = joined();
    expect(store.applyDiff(diff(3, 7, [0, 70]), 100)).toBe('applied');
    expect(store.seq).toBe(7);
    const moved = { ...diff(7, 7, []), at: 7500, operatives: [op('a', 4, 0)] };
    expect(store.applyDiff(moved, 200)).toBe('applied');
    expect(store.operative('a')?.toX).toBe(4);
  });

  it('ignores diffs for another site', () => {
    const store = joined();
    expect(store.applyDiff({ ...diff(5, 6, [0, 1]), siteId: 'other' }, 100)).toBe('stale');
  });

  it('adds, updates and removes operatives', () => {
    const store = joined();
    store.applyDiff(diff(5, 6, [], { operatives: [op('b', 3, 3, 'picking'), op('a', 1, 0)] }), 100);
    expect(store.operatives.map((o) => o.id).sort()).toEqual(['a', 'b']);
    expect(store.operative('b')?.activity).toBe('picking');
    store.applyDiff(diff(6, 7, [], { removedOperatives: ['a'] }), 200);
    expect(store.operatives.map((o) => o.id)).toEqual(['b']);
    expect(store.operative('a')).toBeUndefined();
    expect(store.operative('b')?.toX).toBe(3);
  });

  it('a later snapshot removes operatives that are no longer on the floor', () => {
    const store = joined();
    store.applySnapshot(snapshot(9, [1, 1, 1, 1], [op('c', 2, 2)]), 100);
    expect(store.operatives.map((o) => o.id)).toEqual(['c']);
    expect(store.seq).toBe(9);
  });

  it('lists who is on the floor in natural id order, the same list object until someone arrives, leaves or is renamed', () => {
    const store = joined();
    store.applyDiff(diff(5, 6, [], { operatives: [op('p10', 1, 1), op('p2', 2, 2)] }), 100);
    const roster = store.roster();
    expect(roster.map((o) => o.id)).toEqual(['a', 'p2', 'p10']);
    store.applyDiff(diff(6, 6, [], { at: 6500, operatives: [op('p10', 3, 3, 'blocked'), op('p2', 4, 4)] }), 200);
    expect(store.roster()).toBe(roster);
    store.applyDiff(diff(6, 7, [], { operatives: [{ ...op('p2', 4, 4), name: 'Pat' }] }), 300);
    expect(store.roster()).not.toBe(roster);
    expect(store.roster().find((o) => o.id === 'p2')?.name).toBe('Pat');
    const renamed = store.roster();
    store.applyDiff(diff(7, 8, [], { removedOperatives: ['a'] }), 400);
    expect(store.roster().map((o) => o.id)).toEqual(['p2', 'p10']);
    expect(store.roster()).not.toBe(renamed);
  });

  it('counts operatives on the floor without the offline ones', () => {
    const store = joined();
    store.applyDiff(diff(5, 6, [], { operatives: [op('b', 1, 1, 'offline'), op('c', 2, 2, 'idle')] }), 100);
    expect(store.getSummary().operativesOnFloor).toBe(2);
  });

  it('a new layout clears the live state until the next snapshot', () => {
    const store = joined();
    store.drawnSeq = 5;
    store.setLayout(layout(6));
    expect(store.seq).toBeNull();
    expect(store.drawnSeq).toBeNull();
    expect(store.fill.length).toBe(6);
    expect(store.operatives).toHaveLength(0);
    expect(store.applyDiff(diff(5, 6, []), 100)).toBe('gap');
  });

  it('notifies subscribers with a new immutable summary per change', () => {
    const store = joined();
    let calls = 0;
    const unsubscribe = store.subscribe(() => calls++);
    const before = store.getSummary();
    store.applyDiff(diff(5, 6, []), 100);
    store.setStatus('live');
    store.setStatus('live');
    expect(calls).toBe(2);
    expect(store.getSummary()).not.toBe(before);
    expect(store.getSummary().seq).toBe(6);
    expect(store.getSummary().status).toBe('live');
    unsubscribe();
    store.setStatus('offline');
    expect(calls).toBe(2);
  });
});

describe('operative interpolation', () => {
  const track = (): OperativeTrack =>
    ({ id: 'a', name: 'A', activity: 'walking', tasks: 0, fromX: 0, fromY: 0, toX: 10, toY: -4, startMs: 1000 });

  it('moves linearly from the previous to the latest position over the interval', () => {
    const out = { x: NaN, y: NaN };
    expect(interpolatePosition(track(), 1000, 100, out)).toEqual({ x: 0, y: 0 });
    expect(interpolatePosition(track(), 1025, 100, out)).toEqual({ x: 2.5, y: -1 });
    expect(interpolatePosition(track(), 1050, 100, out)).toEqual({ x: 5, y: -2 });
  });

  it('holds the latest position after the interval and never extrapolates or goes backwards', () => {
    const out = { x: 0, y: 0 };
    expect(interpolatePosition(track(), 5000, 100, out)).toEqual({ x: 10, y: -4 });
    expect(interpolatePosition(track(), 500, 100, out)).toEqual({ x: 0, y: 0 });
    expect(interpolatePosition(track(), 1000, 0, out)).toEqual({ x: 10, y: -4 });
  });

  it('a report arriving mid-glide starts the next glide from where the figure is drawn', () => {
    const store = joined();
    store.applyDiff(diff(5, 6, [], { operatives: [op('a', 10, 0)] }), 1000);
    store.patchIntervalMs = 100;
    // Half-way (x = 5) a new report arrives.
    store.applyDiff(diff(6, 7, [], { operatives: [op('a', 10, 10)] }), 1050);
    const a = store.operative('a');
    expect(a).toBeDefined();
    if (a === undefined) return;
    expect(a.fromX).toBeCloseTo(5, 6);
    expect(a.fromY).toBeCloseTo(0, 6);
    const p = store.positionAt(a, a.startMs + store.patchIntervalMs, { x: 0, y: 0 });
    expect(p.x).toBeCloseTo(10, 6);
    expect(p.y).toBeCloseTo(10, 6);
  });

  it('estimates the patch interval from diff arrivals', () => {
    const store = joined();
    for (let k = 0; k < 40; k++) store.applyDiff(diff(5 + k, 6 + k, []), 1000 + k * 200);
    expect(store.patchIntervalMs).toBeCloseTo(200, 0);
  });
});
