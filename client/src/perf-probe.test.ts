import { describe, it, expect } from 'vitest';
import { createPerfProbe, installPerfHooks, syntheticDiff, type PerfEnv } from './perf-probe.ts';
import { FloorStore } from './net/floor-store.ts';
import type { FloorCounters, FloorDiff, LayoutView } from '../../server/protocol/floor.ts';

/** A hand-driven clock and frame scheduler. */
function fakeEnv(): PerfEnv & { t: number; frame(): void } {
  let pending: (() => void)[] = [];
  return {
    t: 0,
    now() {
      return this.t;
    },
    requestFrame(callback) {
      pending.push(callback);
    },
    frame() {
      const run = pending;
      pending = [];
      for (const callback of run) callback();
    },
  };
}

const counters: FloorCounters = {
  ordersReceived: 1, ordersOpen: 1, ordersPicked: 0, ordersDespatched: 0, linesPicked: 0, unitsPicked: 0, picksLastHour: 0,
};

const layout = (bins: number): LayoutView => ({
  siteId: 's1', layoutId: 'l1',
  ids: Array.from({ length: bins }, (_, i) => `B${i}`),
  x: new Array<number>(bins).fill(0), y: new Array<number>(bins).fill(0), z: new Array<number>(bins).fill(0),
  w: new Array<number>(bins).fill(1), d: new Array<number>(bins).fill(1), h: new Array<number>(bins).fill(1),
  segments: [], depot: { x: 0, y: 0 }, bounds: { minX: 0, minY: 0, maxX: 1, maxY: 1 },
});

function joinedStore(bins: number, at: number): FloorStore {
  const store = new FloorStore();
  store.setLayout(layout(bins));
  store.applySnapshot({ siteId: 's1', seq: 7, at, fill: Array.from({ length: bins }, (_, i) => i % 101), operatives: [], counters }, 0);
  store.consumeDirty(() => undefined);
  return store;
}

describe('perf probe', () => {
  it('sums the sections run between two frame ticks into one sample per frame', () => {
    const env = fakeEnv();
    const probe = createPerfProbe(env);
    env.t = 10;
    let t0 = probe.start();
    env.t = 11.5;
    probe.end('diff', t0);
    t0 = probe.start();
    env.t = 12;
    probe.end('bins', t0);
    env.frame();
    env.frame(); // a frame with none of our code: 0
    t0 = probe.start();
    env.t = 15;
    probe.end('operatives', t0);
    env.frame();
    expect(probe.frames).toBe(3);
    expect(probe.samples()).toEqual([2, 0, 3]);
    expect(probe.parts()).toEqual({
      diff: { ms: 1.5, calls: 1 }, bins: { ms: 0.5, calls: 1 }, operatives: { ms: 3, calls: 1 }, congestion: { ms: 0, calls: 0 },
    });
  });

  it('does not tick until something is measured, keeps only the newest samples, and resets', () => {
    const env = fakeEnv();
    const probe = createPerfProbe(env, 2);
    env.frame();
    expect(probe.frames).toBe(0);
    for (let i = 1; i <= 3; i++) {
      const t0 = probe.start();
      env.t += i;
      probe.end('bins', t0);
      env.frame();
    }
    expect(probe.frames).toBe(3);
    expect(probe.samples()).toEqual([2, 3]);
    probe.reset();
    expect(probe.frames).toBe(0);
    expect(probe.samples()).toEqual([]);
    expect(probe.parts().bins).toEqual({ ms: 0, calls: 0 });
  });
});

describe('synthetic diff', () => {
  it('is null before the first snapshot', () => {
    const store = new FloorStore();
    store.setLayout(layout(10));
    expect(syntheticDiff(store, 5)).toBeNull();
  });

  it('changes n distinct bins to their current fill and leaves seq, fill and the next real diff unaffected', () => {
    const at = 1_764_230_400_000; // epoch ms: a +1e-6 step would be lost here
    const store = joinedStore(20, at);
    const diff = syntheticDiff(store, 5) as FloorDiff;
    const indices = diff.fill.filter((_, k) => k % 2 === 0);
    expect(new Set(indices).size).toBe(5);
    expect(diff.at).toBeGreaterThan(at);
    const before = Array.from(store.fill);
    expect(store.applyDiff(diff, 1)).toBe('applied');
    expect(store.seq).toBe(7);
    expect(Array.from(store.fill)).toEqual(before);
    expect(store.pendingDirty).toBe(5);
    const next: FloorDiff = { ...diff, fromSeq: 7, toSeq: 8, at: at + 100, fill: [0, 50] };
    expect(store.applyDiff(next, 2)).toBe('applied');
    expect(store.fill[0]).toBe(50);
  });

  it('window hook times applyDiff on the live store', () => {
    const store = joinedStore(2000, 1000);
    const target = {} as Window;
    installPerfHooks(store, createPerfProbe(fakeEnv()), target);
    const timing = target.__floortwinPerf?.applySyntheticDiff(1000, 3);
    expect(timing?.bins).toBe(1000);
    expect(timing?.runsMs).toHaveLength(3);
    expect(store.seq).toBe(7);
    expect(store.pendingDirty).toBe(1000);
  });
});

describe('perf probe outside a browser', () => {
  it('measures without frames when there is no requestAnimationFrame (Node), instead of throwing', () => {
    const probe = createPerfProbe();
    const t0 = probe.start();
    expect(() => probe.end('diff', t0)).not.toThrow();
    expect(probe.parts().diff.calls).toBe(1);
    expect(probe.frames).toBe(0);
  });
});
