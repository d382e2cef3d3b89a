/**
 * The floor recording of a run (SPEC M13): a window of the run's virtual time as the live floor and the replay player
 * see it — a `FloorSnapshot` at the window's start, then one `FloorDiff` per `stepMs` with the bins whose fill changed
 * (found with the core's `touchedBy` on every applied event) and the pickers whose place, activity or tasks changed.
 * Pickers stand where the model puts them: interpolated along the leg they walk, at its end while waiting or picking,
 * at the depot otherwise. Reads only; it schedules nothing, so the run's result is the same with or without it.
 */
import type { FloorDiff, FloorSnapshot, OperativeActivity, OperativeView } from '../../server/protocol/floor.ts';
import type { TwinEvent } from '../../server/twin/events.ts';
import { floorDiff, floorSnapshot } from '../../server/twin/floor-view.ts';
import type { FloorPoint, LocationId } from '../../server/twin/ids.ts';
import { epochMs } from '../../server/twin/ids.ts';
import type { TwinState } from '../../server/twin/state.ts';
import { touchedBy } from '../../server/twin/twin.ts';
import type { PickerOnFloor } from './pickers.ts';
import type { FloorRecording } from './result.ts';

/** Which part of the run to record; every field has a default. */
export interface RecordingOptions {
  /** Start of the window, epoch ms; default the run's start. Clamped into the run. */
  readonly from?: number;
  /** Length of the window, ms; default one hour (cut at the run's end). */
  readonly windowMs?: number;
  /** Virtual time between frames, whole ms ≥ 1 000; default {@link recordingStepMs} of the window. */
  readonly stepMs?: number;
}

/** Most frames a recording holds (the replay player's `TARGET_FRAMES`). */
export const MAX_RECORDING_FRAMES = 600;
/** Shortest step between frames, ms. */
export const MIN_RECORDING_STEP_MS = 1000;
/** Default window: the first hour of the run. */
export const DEFAULT_RECORDING_WINDOW_MS = 3_600_000;

/** Step for a window of `windowMs`: whole seconds, at least 1 s, at most {@link MAX_RECORDING_FRAMES} frames. */
export function recordingStepMs(windowMs: number): number {
  return Math.max(MIN_RECORDING_STEP_MS, Math.ceil(windowMs / MAX_RECORDING_FRAMES / 1000) * 1000);
}

/** Positions are rounded to the centimetre: finer says nothing on a floor plan and costs bytes. */
const round = (metres: number): number => Math.round(metres * 100) / 100;

/** Records one window of a run; `runScenario` stops the simulation at each `nextAt` and calls `capture`. */
export class FloorRecorder {
  readonly from: number;
  readonly to: number;
  readonly stepMs: number;
  /** Virtual time of the next capture; Infinity once the window is recorded. */
  nextAt: number;
  private snapshot: FloorSnapshot | null = null;
  private readonly frames: FloorDiff[] = [];
  private fromSeq = 0;
  private readonly touched = new Set<LocationId>();
  /** Fill last sent per location index, to leave out bins touched but not changed (a reservation, a pick and a top-up). */
  private readonly fill: number[] = [];
  /** Operatives last sent, by id: only changes go into a frame. */
  private readonly shown = new Map<string, OperativeView>();

  constructor(
    private readonly state: TwinState,
    private readonly depot: FloorPoint,
    run: { readonly startAt: number; readonly endAt: number },
    options: RecordingOptions = {},
  ) {
    this.from = Math.min(run.endAt, Math.max(run.startAt, Math.round(options.from ?? run.startAt)));
    this.to = Math.min(run.endAt, this.from + Math.round(options.windowMs ?? DEFAULT_RECORDING_WINDOW_MS));
    if (!(this.to > this.from)) throw new RangeError(`the recording window must lie inside the run and be longer than 0 ms`);
    this.stepMs = options.stepMs ?? recordingStepMs(this.to - this.from);
    if (!Number.isSafeInteger(this.stepMs) || this.stepMs < MIN_RECORDING_STEP_MS) throw new RangeError(`stepMs must be a whole number ≥ ${MIN_RECORDING_STEP_MS}, got ${this.stepMs}`);
    const frames = Math.ceil((this.to - this.from) / this.stepMs);
    if (frames > MAX_RECORDING_FRAMES) throw new RangeError(`the window would need ${frames} frames (at most ${MAX_RECORDING_FRAMES}): choose a larger stepMs`);
    this.nextAt = this.from;
  }

  /** Sees the events of every accepted command (the model context's observer); collects the bins they touch. */
  readonly observe = (events: readonly TwinEvent[]): void => {
    if (this.snapshot === null || this.nextAt === Infinity) return;
    for (const event of events) for (const id of touchedBy(this.state, event).locations) this.touched.add(id);
  };

  /** Takes the snapshot (at `from`) or the next frame; `at` must be `nextAt`, with every event up to it run. */
  capture(at: number, pickers: readonly PickerOnFloor[]): void {
    if (at !== this.nextAt) throw new RangeError(`capture at ${at}, expected ${this.nextAt}`);
    // The floor's time is the frame's, not the last event's (counters such as picks in the last hour count back from it).
    const state: TwinState = { ...this.state, now: epochMs(at) };
    const operatives = this.operativesOf(pickers);
    if (this.snapshot === null) {
      const snapshot = floorSnapshot(state);
      this.snapshot = { ...snapshot, operatives };
      this.fill.push(...snapshot.fill);
      for (const op of operatives) this.shown.set(op.id, op);
    } else {
      const diff = floorDiff(state, this.fromSeq, this.touched, []);
      const fill: number[] = [];
      for (let k = 0; k + 1 < diff.fill.length; k += 2) {
        const index = diff.fill[k] as number;
        const percent = diff.fill[k + 1] as number;
        if (this.fill[index] === percent) continue;
        this.fill[index] = percent;
        fill.push(index, percent);
      }
      const changed: OperativeView[] = [];
      const present = new Set<string>();
      for (const op of operatives) {
        present.add(op.id);
        const before = this.shown.get(op.id);
        if (before !== undefined && before.x === op.x && before.y === op.y && before.activity === op.activity && before.tasks === op.tasks) continue;
        this.shown.set(op.id, op);
        changed.push(op);
      }
      const removed: string[] = [];
      for (const id of this.shown.keys()) if (!present.has(id)) removed.push(id);
      for (const id of removed) this.shown.delete(id);
      this.frames.push({ ...diff, fill, operatives: changed, removedOperatives: removed });
      this.touched.clear();
    }
    this.fromSeq = this.state.seq;
    const next = Math.min(this.to, at + this.stepMs);
    this.nextAt = at >= this.to ? Infinity : next;
  }

  /** The recording so far (complete once `nextAt` is Infinity); undefined before the snapshot. */
  result(): FloorRecording | undefined {
    if (this.snapshot === null) return undefined;
    return { siteId: this.state.site.id, from: this.from, to: this.to, stepMs: this.stepMs, snapshot: this.snapshot, frames: [...this.frames] };
  }

  /** The wire view of each picker on the floor. */
  private operativesOf(pickers: readonly PickerOnFloor[]): OperativeView[] {
    const out: OperativeView[] = [];
    for (const p of pickers) {
      if (p.doing === 'off') continue;
      const place = this.placeOf(p);
      out.push({
        id: p.id,
        name: p.name,
        x: round(place.x),
        y: round(place.y),
        activity: activityOf(p.doing),
        tasks: this.state.operatives.get(p.id)?.taskIds.length ?? 0,
      });
    }
    return out;
  }

  /** Where a picker stands at `nextAt`: along its leg by the share of the leg's time gone (walking), at its end, or at the depot. */
  private placeOf(p: PickerOnFloor): FloorPoint {
    const points = p.leg?.points ?? [];
    const last = points[points.length - 1];
    if (last === undefined) return p.doing === 'depot' ? this.depot : (this.shown.get(p.id) ?? this.depot);
    if (p.doing !== 'walking' || p.legTo <= p.legFrom) return last;
    const share = Math.min(1, Math.max(0, (this.nextAt - p.legFrom) / (p.legTo - p.legFrom)));
    return pointAlong(points, share * (p.leg?.metres ?? 0));
  }
}

function activityOf(doing: Exclude<PickerOnFloor['doing'], 'off'>): OperativeActivity {
  switch (doing) {
    case 'depot':
      return 'idle';
    case 'walking':
    case 'blocked':
    case 'picking':
      return doing;
  }
}

/** The point `metres` along a polyline (its end beyond its length). */
export function pointAlong(points: readonly FloorPoint[], metres: number): FloorPoint {
  let left = metres;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1] as FloorPoint;
    const b = points[i] as FloorPoint;
    const length = Math.hypot(b.x - a.x, b.y - a.y);
    if (left <= length && length > 0) {
      const f = left / length;
      return { x: a.x + (b.x - a.x) * f, y: a.y + (b.y - a.y) * f };
    }
    left -= length;
  }
  return points[points.length - 1] ?? { x: 0, y: 0 };
}
