/**
 * Main-thread time of OUR per-frame code (applying diffs, the `useFrame` callbacks that update instances), summed per
 * animation frame, for the client benchmark (benchmarks/client.bench.ts) and anyone profiling in devtools.
 * No React, no three. Instrumented code brackets its work with `const t0 = perfProbe.start(); … perfProbe.end('bins', t0)`.
 * Frames are delimited by the probe's own `requestAnimationFrame` tick: each sample is the time our code ran between
 * two ticks (socket handlers between frames + the frame's `useFrame` callbacks), so every call is counted exactly once.
 * Samples live in a fixed ring (no allocation per frame). The rAF tick starts on the first measured section.
 *
 * `window.__floortwinPerf` (installed by `installPerfHooks`): `frames`, `samples()`, `parts()`, `reset()`,
 * `applySyntheticDiff(n)` which times `FloorStore.applyDiff` on the live store with a diff of `n` bins that leaves the
 * state as it was (same seq, current fills), and `loadMarks()`: when each step of the first floor happened
 * (`markLoad`, User Timing marks `ft:*`, ms since navigation start).
 *
 * `?norender=1` (benchmark only, `renderingDisabled`): the frame loop and our `useFrame` callbacks run, but three.js
 * never draws, so frames come at the browser's own rate and "our code per frame" is not diluted by software WebGL.
 */
import type { FloorDiff } from '../../server/protocol/floor.ts';
import type { FloorStore } from './net/floor-store.ts';

/** The instrumented sections: diff application (socket → store), and the per-frame renderers (congestion twice a second). */
export type PerfPart = 'diff' | 'bins' | 'operatives' | 'congestion';
const PARTS: readonly PerfPart[] = ['diff', 'bins', 'operatives', 'congestion'];

/** A clock and a frame scheduler; the browser's by default, injectable for tests. */
export interface PerfEnv {
  now(): number;
  requestFrame(callback: () => void): void;
}

/** Per-frame totals of our code, ms. */
export interface PerfProbe {
  /** Start of a measured section: returns the time to hand to `end`. */
  start(): number;
  /** End of a measured section started at `t0`. */
  end(part: PerfPart, t0: number): void;
  /** Frames closed since the last reset. */
  readonly frames: number;
  /** Our time in each closed frame (oldest first, at most the ring's capacity), ms. */
  samples(): number[];
  /** Total time per part since the last reset, ms, and how many sections were measured. */
  parts(): Record<PerfPart, { ms: number; calls: number }>;
  reset(): void;
}

const DEFAULT_CAPACITY = 4096;

const browserEnv = (): PerfEnv => ({
  now: () => performance.now(),
  // Outside a browser (the store's tests in Node) there are no frames: the probe adds up time but never ticks.
  requestFrame: (callback) => {
    if (typeof requestAnimationFrame === 'function') requestAnimationFrame(callback);
  },
});

/** A probe over `env`; samples beyond `capacity` overwrite the oldest. */
export function createPerfProbe(env: PerfEnv | null = null, capacity = DEFAULT_CAPACITY): PerfProbe {
  let clock: PerfEnv | null = env;
  const ring = new Float64Array(Math.max(1, capacity));
  let frames = 0;
  let current = 0;
  let ticking = false;
  const partMs = new Float64Array(PARTS.length);
  const partCalls = new Uint32Array(PARTS.length);

  const tick = (): void => {
    ring[frames % ring.length] = current;
    frames++;
    current = 0;
    clock?.requestFrame(tick);
  };
  const ensureTicking = (): void => {
    if (ticking || clock === null) return;
    ticking = true;
    clock.requestFrame(tick);
  };

  return {
    start(): number {
      clock ??= browserEnv();
      return clock.now();
    },
    end(part: PerfPart, t0: number): void {
      const c = clock ?? browserEnv();
      const ms = c.now() - t0;
      current += ms;
      const k = PARTS.indexOf(part);
      partMs[k] = (partMs[k] ?? 0) + ms;
      partCalls[k] = (partCalls[k] ?? 0) + 1;
      ensureTicking();
    },
    get frames() {
      return frames;
    },
    samples(): number[] {
      const n = Math.min(frames, ring.length);
      const out: number[] = [];
      for (let i = frames - n; i < frames; i++) out.push(ring[i % ring.length] ?? 0);
      return out;
    },
    parts() {
      const out = {} as Record<PerfPart, { ms: number; calls: number }>;
      PARTS.forEach((p, k) => (out[p] = { ms: partMs[k] ?? 0, calls: partCalls[k] ?? 0 }));
      return out;
    },
    reset(): void {
      frames = 0;
      current = 0;
      partMs.fill(0);
      partCalls.fill(0);
    },
  };
}

/** The page's probe: instrumented modules import this one. */
export const perfProbe: PerfProbe = createPerfProbe();

/** Steps of the first floor, in the order they happen. */
export type LoadStep =
  | 'layout-applied'
  | 'canvas-created'
  | 'bins-built'
  | 'snapshot-received'
  | 'snapshot-applied'
  | 'first-frame'
  | 'first-drawn';

/** Marks `step` once per page (a User Timing mark `ft:<step>`); a no-op outside a browser. */
export function markLoad(step: LoadStep): void {
  if (typeof performance === 'undefined' || typeof performance.mark !== 'function') return;
  if (performance.getEntriesByName(`ft:${step}`, 'mark').length > 0) return;
  performance.mark(`ft:${step}`);
}

/** True when the page was opened with `?norender=1` (benchmark only: frames run, nothing is drawn). */
export function renderingDisabled(): boolean {
  return typeof window !== 'undefined' && new URLSearchParams(window.location.search).get('norender') === '1';
}

/** Timing of `applySyntheticDiff`: one entry per run, ms. */
export interface SyntheticDiffTiming {
  readonly bins: number;
  readonly runsMs: number[];
}

/** Shape of `window.__floortwinPerf`. */
export interface FloortwinPerfHooks {
  readonly frames: number;
  samples(): number[];
  parts(): Record<PerfPart, { ms: number; calls: number }>;
  reset(): void;
  /** Times `store.applyDiff` of a diff changing `bins` bins, `runs` times; null before the first snapshot. */
  applySyntheticDiff(bins: number, runs?: number): SyntheticDiffTiming | null;
  /** Each `ft:*` mark (name without the prefix) → ms since navigation start. */
  loadMarks(): Record<string, number>;
}

declare global {
  interface Window {
    __floortwinPerf?: FloortwinPerfHooks;
  }
}

/** The next double after `x` (x finite); `x + 1e-6` is lost at epoch milliseconds. */
function nextAfter(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  const up = x + Math.abs(x) * Number.EPSILON;
  return up > x ? up : x + Number.MIN_VALUE;
}

/**
 * A diff of `bins` distinct bins (spread evenly over the site) that sets each to its current fill, at the store's
 * seq and a hair after its `at`: `applyDiff` does all its work (writes, dirty marks, listeners) yet the live state
 * and the next real diff are unaffected. Null before the first snapshot.
 */
export function syntheticDiff(store: FloorStore, bins: number): FloorDiff | null {
  if (store.seq === null || store.siteId === null || store.counters === null) return null;
  const n = store.fill.length;
  const count = Math.min(Math.max(0, Math.floor(bins)), n);
  const fill: number[] = [];
  const step = count === 0 ? 1 : n / count;
  for (let k = 0; k < count; k++) {
    const index = Math.floor(k * step);
    fill.push(index, store.fill[index] ?? 0);
  }
  return {
    siteId: store.siteId,
    fromSeq: store.seq,
    toSeq: store.seq,
    // The smallest step after `lastAt`: later than the last diff (so it is applied), earlier than any real next one.
    at: nextAfter(store.lastAt),
    fill,
    operatives: [],
    removedOperatives: [],
    counters: store.counters,
  };
}

/** Installs `window.__floortwinPerf` over `probe` and the page's `store`. */
export function installPerfHooks(store: FloorStore, probe: PerfProbe = perfProbe, target: Window = window): void {
  target.__floortwinPerf = {
    get frames() {
      return probe.frames;
    },
    samples: () => probe.samples(),
    parts: () => probe.parts(),
    reset: () => probe.reset(),
    applySyntheticDiff(bins: number, runs = 1): SyntheticDiffTiming | null {
      const runsMs: number[] = [];
      for (let r = 0; r < runs; r++) {
        const diff = syntheticDiff(store, bins);
        if (diff === null) return null;
        const t0 = performance.now();
        const outcome = store.applyDiff(diff, t0);
        const ms = performance.now() - t0;
        if (outcome !== 'applied') return null;
        runsMs.push(ms);
      }
      return { bins: Math.min(bins, store.fill.length), runsMs };
    },
    loadMarks() {
      const out: Record<string, number> = {};
      for (const mark of performance.getEntriesByType('mark')) if (mark.name.startsWith('ft:')) out[mark.name.slice(3)] = mark.startTime;
      return out;
    },
  };
}
