import { describe, expect, it } from 'vitest';
import type { FloorCounters, FloorDiff, FloorSnapshot, LayoutView } from '../../../server/protocol/floor.ts';
import { FloorStore } from './floor-store.ts';
import type { FloorConnection } from './floor-socket.ts';
import { connectLiveFloor } from './live-floor.ts';
import type { ReplayData } from './replay-api.ts';
import { ReplayPlayer, chooseStepMs, installReplayTestHooks, type LiveControl } from './replay-player.ts';

const T = Date.UTC(2026, 10, 27, 8);
const counters = (picked: number): FloorCounters => ({
  ordersReceived: 10, ordersOpen: 10 - picked, ordersPicked: picked, ordersDespatched: 0,
  linesPicked: picked, unitsPicked: picked, picksLastHour: picked,
});
const layout: LayoutView = {
  siteId: 's1', layoutId: 'l1', ids: ['B0', 'B1', 'B2'], x: [0, 1, 2], y: [0, 0, 0], z: [0, 0, 0], w: [1, 1, 1], d: [1, 1, 1],
  h: [1, 1, 1], segments: [], depot: { x: 0, y: 0 }, bounds: { minX: 0, minY: 0, maxX: 2, maxY: 1 },
};
const live: FloorSnapshot = { siteId: 's1', seq: 500, at: T + 3_600_000, fill: [1, 1, 1], operatives: [], counters: counters(9) };
/** A minute from T at 10 s steps: bin 0 loses 10 % a step; someone signs on in the second step. */
const replay: ReplayData = {
  from: T,
  to: T + 60_000,
  stepMs: 10_000,
  snapshot: { siteId: 's1', seq: 100, at: T, fill: [80, 50, 0], operatives: [], counters: counters(0) },
  frames: Array.from({ length: 6 }, (_, k): FloorDiff => ({
    siteId: 's1', fromSeq: 100 + k, toSeq: 101 + k, at: T + (k + 1) * 10_000, fill: [0, 70 - 10 * k],
    operatives: k === 1 ? [{ id: 'P1', name: 'Pat', x: 0, y: 0, activity: 'idle', tasks: 2 }] : [],
    removedOperatives: [], counters: counters(k + 1),
  })),
};

function setup() {
  const store = new FloorStore();
  store.setLayout(layout);
  store.applySnapshot(live, 0);
  const calls: string[] = [];
  const liveControl: LiveControl = { pause: () => calls.push('pause'), resume: () => calls.push('resume') };
  let clock = 0;
  let timer: (() => void) | null = null;
  const fetched: Array<[number, number, number]> = [];
  let fail: string | null = null;
  const player = new ReplayPlayer({
    store,
    live: liveControl,
    siteId: 's1',
    now: () => clock,
    every: (_ms, run) => {
      timer = run;
      return () => (timer = null);
    },
    fetchReplay: (_site, from, to, stepMs) => {
      fetched.push([from, to, stepMs]);
      return fail === null ? Promise.resolve(replay) : Promise.reject(new Error(fail));
    },
  });
  /** Advances the wall clock by `ms` and fires the playback timer once. */
  const wait = (ms: number): void => {
    clock += ms;
    timer?.();
  };
  return { store, player, calls, fetched, wait, failWith: (message: string) => (fail = message), timerRunning: () => timer !== null };
}

describe('ReplayPlayer', () => {
  it('loads a window: pauses live and shows the floor at `from`, paused', async () => {
    const { store, player, calls, fetched } = setup();
    await player.load(T, T + 60_000, 10_000);
    expect(fetched).toEqual([[T, T + 60_000, 10_000]]);
    expect(calls).toEqual(['pause']);
    expect(player.getView()).toMatchObject({ mode: 'replay', playing: false, at: T, seq: 100, frame: 0, frames: 6, loading: false });
    expect([...store.fill]).toEqual([80, 50, 0]);
    expect(store.counters?.ordersPicked).toBe(0);
  });

  it('plays frames at the chosen speed of twin time and stops at the end', async () => {
    const { store, player, wait, timerRunning } = setup();
    await player.load(T, T + 60_000, 10_000);
    player.setSpeed(10);
    player.play();
    wait(999); // 9.99 s of twin time: no frame yet
    expect(player.getView()).toMatchObject({ frame: 0, at: T + 9_990 });
    wait(1); // 10 s: the first frame
    expect(player.getView()).toMatchObject({ frame: 1, seq: 101 });
    expect([...store.fill]).toEqual([70, 50, 0]);
    player.setSpeed(600);
    wait(100); // 60 s more: to the end, clamped
    expect(player.getView()).toMatchObject({ frame: 6, seq: 106, at: T + 60_000, playing: false });
    expect([...store.fill]).toEqual([20, 50, 0]);
    expect(store.operative('P1')?.tasks).toBe(2);
    expect(timerRunning()).toBe(false);
    // Play at the end starts over from `from`.
    player.play();
    expect(player.getView()).toMatchObject({ frame: 0, at: T, playing: true });
    expect([...store.fill]).toEqual([80, 50, 0]);
  });

  it('seeks forwards by applying frames and backwards by replaying from the window snapshot', async () => {
    const { store, player } = setup();
    await player.load(T, T + 60_000, 10_000);
    player.seek(T + 45_000);
    expect(player.getView()).toMatchObject({ frame: 4, seq: 104, at: T + 45_000 });
    expect([...store.fill]).toEqual([40, 50, 0]);
    player.seek(T + 15_000);
    expect(player.getView()).toMatchObject({ frame: 1, seq: 101 });
    expect([...store.fill]).toEqual([70, 50, 0]);
    expect(store.operative('P1')).toBeUndefined();
    player.seek(T - 1);
    expect(player.getView()).toMatchObject({ frame: 0, at: T });
  });

  it('goes back to live: resumes the stream and drops the window', async () => {
    const { player, calls, timerRunning } = setup();
    await player.load(T, T + 60_000, 10_000);
    player.play();
    player.backToLive();
    expect(calls).toEqual(['pause', 'resume']);
    expect(timerRunning()).toBe(false);
    expect(player.getView()).toMatchObject({ mode: 'live', at: null, seq: null, frames: 0, playing: false });
  });

  it('keeps the mode and reports the error when a window cannot be loaded', async () => {
    const { player, calls, failWith, store } = setup();
    failWith('to must be later than from');
    await player.load(T, T, 1000);
    expect(player.getView()).toMatchObject({ mode: 'live', error: 'to must be later than from', loading: false });
    expect(calls).toEqual([]);
    expect(store.seq).toBe(500);
  });

  it('exposes mode, time, seq and the fill sum as window.__floortwinReplay', async () => {
    const { player, store } = setup();
    const target = {} as Window;
    const uninstall = installReplayTestHooks(player, store, target);
    expect(target.__floortwinReplay).toMatchObject({ mode: 'live', at: null });
    await player.load(T, T + 60_000, 10_000);
    expect(target.__floortwinReplay).toMatchObject({ mode: 'replay', at: T, seq: 100, frames: 6 });
    expect(target.__floortwinReplay?.fillSum()).toBe(130);
    uninstall();
    expect(target.__floortwinReplay).toBeUndefined();
  });

  it('plays a preloaded simulation at 100×: moves the figures, names the source, and goes back to live', async () => {
    const { store, player, calls, fetched, wait, timerRunning } = setup();
    // A simulated hour elsewhere in time: a picker walks 6 m a frame; the log is never asked.
    const simulated: ReplayData = {
      from: T + 7_200_000,
      to: T + 7_200_000 + 30_000,
      stepMs: 6000,
      snapshot: { siteId: 's1', seq: 900, at: T + 7_200_000, fill: [10, 20, 30], operatives: [{ id: 'SIM-P1', name: 'Picker 1.1', x: 0, y: 0, activity: 'idle', tasks: 0 }], counters: counters(0) },
      frames: Array.from({ length: 5 }, (_, k): FloorDiff => ({
        siteId: 's1', fromSeq: 900 + k, toSeq: 901 + k, at: T + 7_200_000 + (k + 1) * 6000, fill: k === 2 ? [2, 25] : [],
        operatives: [{ id: 'SIM-P1', name: 'Picker 1.1', x: 6 * (k + 1), y: 0, activity: 'walking', tasks: 3 }],
        removedOperatives: [], counters: counters(k),
      })),
    };
    await player.open({ kind: 'simulation', name: 'what-if (s1 @500)' }, simulated, { speed: 100, play: true });
    expect(fetched).toEqual([]);
    expect(calls).toEqual(['pause']);
    expect(player.getView()).toMatchObject({ mode: 'replay', source: { kind: 'simulation', name: 'what-if (s1 @500)' }, speed: 100, playing: true, at: T + 7_200_000, frames: 5 });
    expect(store.operative('P1')).toBeUndefined();
    expect(store.operative('SIM-P1')?.toX).toBe(0);
    wait(120); // 12 s of simulated time at 100×: two frames
    expect(player.getView()).toMatchObject({ frame: 2, seq: 902, at: T + 7_212_000 });
    expect(store.operative('SIM-P1')).toMatchObject({ toX: 12, activity: 'walking' });
    wait(300); // past the end: clamped, stopped
    expect(player.getView()).toMatchObject({ frame: 5, at: simulated.to, playing: false });
    expect([...store.fill]).toEqual([10, 20, 25]);
    expect(timerRunning()).toBe(false);
    player.backToLive();
    expect(calls).toEqual(['pause', 'resume']);
    expect(player.getView()).toMatchObject({ mode: 'live', source: null });
  });

  it('opens a window from an injected fetch, which a newer open or back to live aborts', async () => {
    const { player, calls } = setup();
    const signals: AbortSignal[] = [];
    let deliver: (data: ReplayData) => void = () => undefined;
    const pending = player.open({ kind: 'simulation', name: 'slow' }, (signal) => {
      signals.push(signal);
      return new Promise<ReplayData>((resolve) => (deliver = resolve));
    });
    expect(player.getView()).toMatchObject({ mode: 'live', loading: true, source: null });
    player.backToLive();
    expect(signals[0]?.aborted).toBe(true);
    deliver(replay);
    await pending;
    expect(player.getView()).toMatchObject({ mode: 'live', loading: false });
    expect(calls).toEqual([]);
    await player.open({ kind: 'simulation', name: 'quick' }, () => Promise.resolve(replay));
    expect(player.getView()).toMatchObject({ mode: 'replay', source: { kind: 'simulation', name: 'quick' }, playing: false, frame: 0 });
    await player.load(T, T + 60_000, 10_000);
    expect(player.getView().source).toEqual({ kind: 'history' });
  });

  it('chooses whole-second steps, at most 600 frames a window', () => {
    expect(chooseStepMs(60_000)).toBe(1000);
    expect(chooseStepMs(3_600_000)).toBe(6000);
    expect(chooseStepMs(24 * 3_600_000)).toBe(144_000);
  });
});

describe('connectLiveFloor', () => {
  it('pauses by closing the connection and resumes with a fresh join that asks for a snapshot', () => {
    const store = new FloorStore();
    store.setLayout(layout);
    store.applySnapshot(live, 0);
    const log: string[] = [];
    const connect = (s: FloorStore): FloorConnection => {
      log.push(`connect seq=${String(s.seq)}`);
      return { close: () => log.push('close') };
    };
    const floor = connectLiveFloor(store, 's1', { connect });
    floor.pause();
    floor.pause();
    expect(floor.paused).toBe(true);
    expect(store.status).toBe('replay');
    store.applySnapshot(replay.snapshot, 1);
    floor.resume();
    floor.resume();
    expect(floor.paused).toBe(false);
    floor.close();
    expect(log).toEqual(['connect seq=500', 'close', 'connect seq=null', 'close']);
    expect(floor.paused).toBe(false);
  });
});
