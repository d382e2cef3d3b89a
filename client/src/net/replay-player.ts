/**
 * Time travel on the client: loads a replayed window (the floor at `from` and one diff per step), pauses the live
 * stream, and plays the frames into the same FloorStore the 3D floor draws, at 1×–600× twin time. `backToLive`
 * resumes the live stream with a fresh snapshot. No React, no three: the Timeline panel subscribes to `getView`.
 * A window comes from the site's event log (`load`), or from any other source in the same shape (`open`): the planner
 * plays a simulation's recorded hour this way. Operative positions are not logged, so figures replayed from the log
 * stand where they signed on; a simulation's recording moves them.
 */
import type { FloorStore } from './floor-store.ts';
import { fetchReplay as fetchReplayOverHttp, type FetchReplay, type ReplayData } from './replay-api.ts';

/** Playback speeds offered, in twin time per wall time. */
export const REPLAY_SPEEDS = [1, 10, 60, 100, 600] as const;
export type ReplaySpeed = (typeof REPLAY_SPEEDS)[number];

/** `live`: the store follows the socket; `replay`: the store shows a replayed window at `at`. */
export type ReplayMode = 'live' | 'replay';

/** What a replayed window shows: the site's past from its event log, or a simulation's recording (named). */
export type ReplaySource = { readonly kind: 'history' } | { readonly kind: 'simulation'; readonly name: string };

/** A window to show: already at hand (a preloaded source), or fetched (aborted by a newer `open` or `backToLive`). */
export type ReplayInput = ReplayData | ((signal: AbortSignal) => Promise<ReplayData>);

/** How `open` starts: at which speed, and whether it plays at once (default: the current speed, paused). */
export interface OpenOptions {
  readonly speed?: ReplaySpeed;
  readonly play?: boolean;
}

/** Immutable view for React (`useSyncExternalStore`); replaced on change, at most once per tick while playing. */
export interface ReplayView {
  readonly mode: ReplayMode;
  /** What the window shows; null in live mode. */
  readonly source: ReplaySource | null;
  /** A window is being fetched (in either mode). */
  readonly loading: boolean;
  readonly playing: boolean;
  readonly speed: ReplaySpeed;
  /** The replayed window, twin epoch ms; null in live mode. */
  readonly from: number | null;
  readonly to: number | null;
  /** Twin time shown (the playhead); null in live mode. */
  readonly at: number | null;
  /** Seq of the floor shown; null in live mode. */
  readonly seq: number | null;
  /** Frames applied after the snapshot, and how many the window has. */
  readonly frame: number;
  readonly frames: number;
  readonly error: string | null;
}

/** What the player needs of the live stream (see `connectLiveFloor`). */
export interface LiveControl {
  pause(): void;
  resume(): void;
}

/** Options of `ReplayPlayer`; defaults suit the browser. */
export interface ReplayPlayerOptions {
  readonly store: FloorStore;
  readonly live: LiveControl;
  readonly siteId: string;
  readonly fetchReplay?: FetchReplay;
  /** Monotonic wall clock, ms. */
  readonly now?: () => number;
  /** Starts a repeating timer; returns its cancel function. */
  readonly every?: (ms: number, run: () => void) => () => void;
  /** Wall time between playback ticks, ms. Default 100 (the live patch rate). */
  readonly tickMs?: number;
}

/** At most this many frames per window: the step grows with the window (never below a second). */
export const TARGET_FRAMES = 600;

/** Twin time between frames for a window of `windowMs`: whole seconds, at least 1 s, at most `TARGET_FRAMES` frames. */
export function chooseStepMs(windowMs: number): number {
  return Math.max(1000, Math.ceil(windowMs / TARGET_FRAMES / 1000) * 1000);
}

const defaultEvery = (ms: number, run: () => void): (() => void) => {
  const id = setInterval(run, ms);
  return () => clearInterval(id);
};

type Listener = () => void;

/** Plays replayed windows into a FloorStore; see the module comment. */
export class ReplayPlayer {
  private readonly store: FloorStore;
  private readonly live: LiveControl;
  private readonly siteId: string;
  private readonly fetchReplay: FetchReplay;
  private readonly now: () => number;
  private readonly every: (ms: number, run: () => void) => () => void;
  private readonly tickMs: number;
  private readonly listeners = new Set<Listener>();

  private mode: ReplayMode = 'live';
  private data: ReplayData | null = null;
  private source: ReplaySource | null = null;
  /** Frames applied after the snapshot. */
  private applied = 0;
  private at: number | null = null;
  private playing = false;
  private speed: ReplaySpeed = 60;
  private loading: AbortController | null = null;
  private error: string | null = null;
  private stopTimer: (() => void) | null = null;
  private lastTickMs = 0;
  private view: ReplayView;

  constructor(options: ReplayPlayerOptions) {
    this.store = options.store;
    this.live = options.live;
    this.siteId = options.siteId;
    this.fetchReplay = options.fetchReplay ?? fetchReplayOverHttp;
    this.now = options.now ?? (() => performance.now());
    this.every = options.every ?? defaultEvery;
    this.tickMs = options.tickMs ?? 100;
    this.view = this.buildView();
  }

  /**
   * Fetches [from, to] and shows the floor at `from`, paused (the live stream is paused once the window has arrived).
   * A failed fetch leaves the mode as it was and sets `error`. A newer `load` or `backToLive` cancels this one.
   */
  load(from: number, to: number, stepMs: number = chooseStepMs(to - from)): Promise<void> {
    return this.open({ kind: 'history' }, (signal) => this.fetchReplay(this.siteId, from, to, stepMs, signal));
  }

  /**
   * Shows a window from `source` — given, or fetched by `input` — at its `from`, as `load` does; with `play` it plays
   * at once (at `speed`). A failed fetch leaves the mode as it was and sets `error`.
   */
  async open(source: ReplaySource, input: ReplayInput, options: OpenOptions = {}): Promise<void> {
    this.loading?.abort();
    const abort = new AbortController();
    this.loading = abort;
    this.error = null;
    this.emit();
    try {
      const data = typeof input === 'function' ? await input(abort.signal) : input;
      if (abort.signal.aborted) return;
      this.loading = null;
      this.stopPlaying();
      if (this.mode === 'live') this.live.pause();
      this.mode = 'replay';
      this.data = data;
      this.source = source;
      if (options.speed !== undefined) this.speed = options.speed;
      this.showFrom(data.from);
      if (options.play === true) this.play();
      this.emit();
    } catch (e) {
      if (abort.signal.aborted) return;
      this.loading = null;
      this.error = e instanceof Error ? e.message : String(e);
      this.emit();
    }
  }

  /** Plays from the playhead (from the start again when at the end). */
  play(): void {
    const data = this.data;
    if (this.mode !== 'replay' || data === null || this.playing) return;
    if ((this.at ?? data.from) >= data.to) this.showFrom(data.from);
    this.playing = true;
    this.lastTickMs = this.now();
    this.stopTimer = this.every(this.tickMs, () => this.tick());
    this.emit();
  }

  pause(): void {
    if (!this.playing) return;
    this.stopPlaying();
    this.emit();
  }

  togglePlay(): void {
    if (this.playing) this.pause();
    else this.play();
  }

  setSpeed(speed: ReplaySpeed): void {
    if (speed === this.speed) return;
    this.speed = speed;
    this.emit();
  }

  /** Moves the playhead to twin time `at` (clamped to the window); backwards replays from the window's snapshot. */
  seek(at: number): void {
    const data = this.data;
    if (this.mode !== 'replay' || data === null) return;
    const target = Math.min(data.to, Math.max(data.from, at));
    if (target < this.frameTime(this.applied)) this.showFrom(data.from);
    this.advanceTo(target);
    this.lastTickMs = this.now();
    this.emit();
  }

  /** Leaves the replay and re-joins the live stream (a fresh snapshot). */
  backToLive(): void {
    this.loading?.abort();
    this.loading = null;
    this.stopPlaying();
    const wasReplay = this.mode === 'replay';
    this.mode = 'live';
    this.data = null;
    this.source = null;
    this.applied = 0;
    this.at = null;
    this.error = null;
    if (wasReplay) this.live.resume();
    this.emit();
  }

  /** One playback step: advances the playhead by the wall time since the last tick × speed. Called by the timer. */
  tick(): void {
    const data = this.data;
    if (!this.playing || data === null) return;
    const nowMs = this.now();
    const elapsed = Math.max(0, nowMs - this.lastTickMs);
    this.lastTickMs = nowMs;
    this.advanceTo(Math.min(data.to, (this.at ?? data.from) + elapsed * this.speed));
    if ((this.at ?? data.from) >= data.to) this.stopPlaying();
    this.emit();
  }

  /** Stops the timer and any fetch (a later `play` or `load` works again); the store is left as it is. */
  dispose(): void {
    this.loading?.abort();
    this.loading = null;
    this.stopPlaying();
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The current immutable view (stable identity between changes). */
  getView(): ReplayView {
    return this.view;
  }

  /** Twin time reached after `k` frames (the snapshot's time for 0). */
  private frameTime(k: number): number {
    const data = this.data;
    if (data === null) return 0;
    return k === 0 ? data.from : (data.frames[k - 1]?.at ?? data.to);
  }

  private showFrom(from: number): void {
    const data = this.data;
    if (data === null) return;
    this.store.applySnapshot(data.snapshot, this.now());
    this.applied = 0;
    this.at = from;
  }

  /** Applies every frame up to twin time `target` and moves the playhead there. */
  private advanceTo(target: number): void {
    const data = this.data;
    if (data === null) return;
    const nowMs = this.now();
    while (this.applied < data.frames.length) {
      const frame = data.frames[this.applied];
      if (frame === undefined || frame.at > target) break;
      this.store.applyDiff(frame, nowMs);
      this.applied++;
    }
    this.at = target;
  }

  private stopPlaying(): void {
    this.playing = false;
    this.stopTimer?.();
    this.stopTimer = null;
  }

  private buildView(): ReplayView {
    const data = this.data;
    return {
      mode: this.mode,
      source: this.mode === 'replay' ? this.source : null,
      loading: this.loading !== null,
      playing: this.playing,
      speed: this.speed,
      from: data?.from ?? null,
      to: data?.to ?? null,
      at: this.mode === 'replay' ? this.at : null,
      seq: this.mode === 'replay' ? this.store.seq : null,
      frame: this.applied,
      frames: data?.frames.length ?? 0,
      error: this.error,
    };
  }

  private emit(): void {
    this.view = this.buildView();
    for (const listener of this.listeners) listener();
  }
}

/** Shape of `window.__floortwinReplay`, for the browser test. */
export interface ReplayTestHooks {
  readonly mode: ReplayMode;
  /** `history` or `simulation` while replaying; null live. */
  readonly source: ReplaySource['kind'] | null;
  readonly at: number | null;
  readonly seq: number | null;
  readonly frame: number;
  readonly frames: number;
  readonly playing: boolean;
  /** Sum of every bin's fill as the store holds it: changes when replayed frames change stock. */
  fillSum(): number;
}

declare global {
  interface Window {
    __floortwinReplay?: ReplayTestHooks;
  }
}

/** Installs live getters over `player` and `store` as `window.__floortwinReplay`; returns the uninstaller. */
export function installReplayTestHooks(player: ReplayPlayer, store: FloorStore, target: Window = window): () => void {
  const hooks: ReplayTestHooks = {
    get mode() {
      return player.getView().mode;
    },
    get source() {
      return player.getView().source?.kind ?? null;
    },
    get at() {
      return player.getView().at;
    },
    get seq() {
      return player.getView().seq;
    },
    get frame() {
      return player.getView().frame;
    },
    get frames() {
      return player.getView().frames;
    },
    get playing() {
      return player.getView().playing;
    },
    fillSum: () => store.fill.reduce((sum, f) => sum + f, 0),
  };
  target.__floortwinReplay = hooks;
  return () => {
    if (target.__floortwinReplay === hooks) delete target.__floortwinReplay;
  };
}
