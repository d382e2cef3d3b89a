/**
 * Time travel: the floor as it was over a past window, rebuilt from the event log on a private twin (never the
 * site's live one). The twin is rebuilt at `from` (from the latest snapshot when it is not later than `from`, else
 * from seq 0), then stepped through the window: one `FloorDiff` per `stepMs` of twin time with the bins, operatives
 * and counters that changed in that step. Operative positions are volatile (never logged), so replayed figures stand
 * where they signed on: a replay shows stock, counters and who was signed on with their task counts, not walking.
 */
import type { FloorDiff, FloorSnapshot } from '../protocol/floor.ts';
import type { EventStore } from '../store/event-store.ts';
import type { SequencedEvent } from '../twin/events.ts';
import { floorDiff, floorSnapshot } from '../twin/floor-view.ts';
import type { EpochMs, LocationId, OperativeId } from '../twin/ids.ts';
import type { SiteDefinition } from '../twin/site.ts';
import type { TwinState } from '../twin/state.ts';
import { applySequenced, createTwinState, fromSnapshotData, touchedBy, type TwinSnapshotData } from '../twin/twin.ts';

/** Longest window one replay may cover, twin ms (24 h). */
export const MAX_REPLAY_WINDOW_MS = 24 * 60 * 60 * 1000;
/** Most frames one replay may return (24 h at one frame a minute; a 15-minute window at one a second). */
export const MAX_REPLAY_FRAMES = 1_440;
/** Shortest step between frames, twin ms. */
export const MIN_REPLAY_STEP_MS = 1_000;
/** Default step between frames, twin ms. */
export const DEFAULT_REPLAY_STEP_MS = 10_000;

/** A replay request: twin-time window [from, to] in epoch ms and the twin time between frames. */
export interface ReplayWindow {
  readonly from: number;
  readonly to: number;
  readonly stepMs: number;
}

/** What a replay returns: the floor at `from`, then one diff per step up to `to` (the last step may be shorter). */
export interface FloorReplay {
  readonly siteId: string;
  readonly from: number;
  readonly to: number;
  readonly stepMs: number;
  readonly snapshot: FloorSnapshot;
  /** frames[k] leads from frames[k−1] (or the snapshot) to twin time min(from + (k+1)·stepMs, to). */
  readonly frames: readonly FloorDiff[];
}

/** Cost of one replay, for logs and the benchmark note. */
export interface ReplayStats {
  /** Events applied to the private twin (before `from` and inside the window). */
  readonly eventsApplied: number;
  /** Seq the rebuild started after (the snapshot's seq, or 0). */
  readonly startSeq: number;
  readonly elapsedMs: number;
}

/** Why a window cannot be replayed, or null when it can. */
export function replayWindowProblem(window: ReplayWindow): string | null {
  const { from, to, stepMs } = window;
  if (!Number.isFinite(from) || !Number.isFinite(to)) return 'from and to must be times';
  if (to <= from) return 'to must be later than from';
  if (to - from > MAX_REPLAY_WINDOW_MS) return `the window may span at most ${MAX_REPLAY_WINDOW_MS / 3_600_000} hours`;
  if (!Number.isSafeInteger(stepMs) || stepMs < MIN_REPLAY_STEP_MS) return `stepMs must be a whole number ≥ ${MIN_REPLAY_STEP_MS}`;
  const frames = frameCount(window);
  if (frames > MAX_REPLAY_FRAMES)
    return `the window would need ${frames} frames (at most ${MAX_REPLAY_FRAMES}): choose a larger stepMs or a shorter window`;
  return null;
}

/** Number of frames a valid window produces. */
export function frameCount(window: ReplayWindow): number {
  return Math.ceil((window.to - window.from) / window.stepMs);
}

/** Options of `replayFloor`. */
export interface ReplayOptions {
  /** Events per page read from the store (the event loop is free between pages). Default: the store's. */
  readonly pageSize?: number;
}

/** Throws on a window `replayWindowProblem` refuses. */
function assertWindow(window: ReplayWindow): void {
  const problem = replayWindowProblem(window);
  if (problem !== null) throw new RangeError(problem);
}

/** Starting point of a rebuild at `from`: the latest snapshot if it is not later than `from`, else an empty twin. */
async function startingState(store: EventStore, site: SiteDefinition, from: number): Promise<TwinState> {
  const snapshot = await store.latestSnapshot(site.id);
  const data = snapshot?.data as TwinSnapshotData | undefined;
  // A snapshot's `now` is the time of the last event it holds (or later), so every event in it happened by then.
  if (data !== undefined && typeof data.now === 'number' && data.now <= from) return fromSnapshotData(site, data);
  return createTwinState(site, from as EpochMs);
}

/**
 * Replays `window` of `site`'s log from `store` on a private twin. Reads pages asynchronously, yields to the event loop
 * after each page (one page of 5,000 events applies in a few ms), and stops reading once an event is later than `to`. Events are in seq order and their twin times never decrease (the site clock is monotonic).
 */
export async function replayFloor(
  store: EventStore,
  site: SiteDefinition,
  window: ReplayWindow,
  options: ReplayOptions = {},
): Promise<{ replay: FloorReplay; stats: ReplayStats }> {
  assertWindow(window);
  const startedAt = performance.now();
  const { from, to, stepMs } = window;
  const total = frameCount(window);
  const state = await startingState(store, site, from);
  const startSeq = state.seq;

  // Held in an object: TypeScript does not see assignments made inside the closures below.
  const at0: { snapshot: FloorSnapshot | null } = { snapshot: null };
  const frames: FloorDiff[] = [];
  const locations = new Set<LocationId>();
  const operatives = new Set<OperativeId>();
  let frameFromSeq = 0;
  let eventsApplied = 0;

  const boundary = (k: number): number => Math.min(from + k * stepMs, to);
  const takeSnapshot = (): void => {
    state.now = Math.max(state.now, from) as EpochMs;
    at0.snapshot = floorSnapshot(state);
    frameFromSeq = state.seq;
  };
  const emitFrame = (): void => {
    // Counters such as picks in the last hour are counted back from the frame's time, not the last event's.
    state.now = boundary(frames.length + 1) as EpochMs;
    frames.push(floorDiff(state, frameFromSeq, locations, operatives));
    frameFromSeq = state.seq;
    locations.clear();
    operatives.clear();
  };
  /** Applies one event; false once the event lies after the window (nothing further is needed). */
  const step = (sequenced: SequencedEvent): boolean => {
    const at = sequenced.event.at;
    if (at0.snapshot === null) {
      if (at <= from) {
        applySequenced(state, sequenced);
        eventsApplied++;
        return true;
      }
      takeSnapshot();
    }
    while (frames.length < total && boundary(frames.length + 1) < at) emitFrame();
    if (frames.length >= total) return false;
    const touched = touchedBy(state, sequenced.event);
    for (const id of touched.locations) locations.add(id);
    for (const id of touched.operatives) operatives.add(id);
    applySequenced(state, sequenced);
    eventsApplied++;
    return true;
  };

  pages: for await (const page of store.loadPages(site.id, startSeq, options.pageSize)) {
    for (const sequenced of page) if (!step(sequenced)) break pages;
    // A store that answers from memory resolves at once; let I/O in between pages either way.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  if (at0.snapshot === null) takeSnapshot();
  while (frames.length < total) emitFrame();
  const snapshot = at0.snapshot ?? floorSnapshot(state);

  return {
    replay: { siteId: site.id, from, to, stepMs, snapshot, frames },
    stats: { eventsApplied, startSeq, elapsedMs: performance.now() - startedAt },
  };
}

/** Earliest and latest logged twin time of a site, and its last seq; nulls for an empty log. */
export interface HistoryRange {
  readonly firstAt: number | null;
  readonly lastAt: number | null;
  readonly lastSeq: number;
}

/** The span of a site's log, from two one-event reads by seq (twin times follow seq order). */
export async function historyRange(store: EventStore, siteId: string): Promise<HistoryRange> {
  const lastSeq = await store.lastSeq(siteId);
  if (lastSeq === 0) return { firstAt: null, lastAt: null, lastSeq };
  const first = await firstEventAfter(store, siteId, 0);
  const last = await firstEventAfter(store, siteId, lastSeq - 1);
  return { firstAt: first?.event.at ?? null, lastAt: last?.event.at ?? first?.event.at ?? null, lastSeq };
}

async function firstEventAfter(store: EventStore, siteId: string, afterSeq: number): Promise<SequencedEvent | undefined> {
  for await (const page of store.loadPages(siteId, afterSeq, 1)) return page[0];
  return undefined;
}
