import { describe, expect, it } from 'vitest';
import type { FloorDiff, FloorSnapshot, OperativeView } from '../../server/protocol/floor.ts';
import type { SiteParams } from '../../server/twin/layout/generator.ts';
import { SCENARIO_DEFAULTS, scenarioWith } from '../scenario/defaults.ts';
import { resolveScenario } from '../scenario/resolve.ts';
import type { Scenario } from '../scenario/types.ts';
import { MAX_RECORDING_FRAMES, pointAlong, recordingStepMs } from './recording.ts';
import type { FloorRecording } from './result.ts';
import { runScenario, type RunOptions } from './run-scenario.ts';

/** 6 aisles × 2 blocks × 8 bays × 2 levels × 2 sides = 384 bins, 120 SKUs, 2 tenants. */
const SMALL_SITE: SiteParams = {
  id: 'record-small',
  name: 'Recording test site',
  aisles: 6,
  blocks: 2,
  baysPerBlock: 8,
  levels: 2,
  capacityUnits: 40,
  skuCount: 120,
  tenants: 2,
  stockFillRatio: 0.7,
  baseDate: '2026-11-01',
};
const START = Date.parse('2026-11-27T06:00:00Z');
const MINUTE = 60_000;

/** Two busy hours on the small site with congestion: pickers walk, wait and pick. */
const scenario: Scenario = scenarioWith({
  name: 'recording',
  startAt: new Date(START).toISOString(),
  durationHours: 2,
  site: { kind: 'generated', params: SMALL_SITE, seed: 7 },
  demand: { ...SCENARIO_DEFAULTS.demand, lines: 1200 },
  labour: { ...SCENARIO_DEFAULTS.labour, shifts: [{ start: '06:00', end: '08:00', pickers: 5 }], breaks: [], replenishers: 1 },
  stations: { ...SCENARIO_DEFAULTS.stations, packStations: 2, cutoffs: [{ carrier: 'early', at: '07:30' }] },
  congestion: { enabled: true, pickersPerSegment: 1, passingSpeedFactor: 0.7 },
  sampleMinutes: 15,
});
const resolved = resolveScenario(scenario);
const run = (options: RunOptions = {}) => runScenario(resolved, options);
const recordingOf = (options: RunOptions['record']): FloorRecording => {
  const recording = run({ record: options }).recording;
  if (recording === undefined) throw new Error('no recording');
  return recording;
};

/** The floor a client holds after applying `frames` to `snapshot` (as FloorStore does: absolute values, latest wins). */
function replayed(snapshot: FloorSnapshot, frames: readonly FloorDiff[]): { fill: number[]; operatives: Map<string, OperativeView> } {
  const fill = [...snapshot.fill];
  const operatives = new Map(snapshot.operatives.map((o) => [o.id, o]));
  for (const frame of frames) {
    for (let k = 0; k + 1 < frame.fill.length; k += 2) fill[frame.fill[k] as number] = frame.fill[k + 1] as number;
    for (const o of frame.operatives) operatives.set(o.id, o);
    for (const id of frame.removedOperatives) operatives.delete(id);
  }
  return { fill, operatives };
}

describe('floor recording', () => {
  it('[M13][M1] leaves the result byte for byte as it is without a recording', () => {
    const plain = run();
    const { recording, ...withRecording } = run({ record: {} });
    expect(plain.recording).toBeUndefined();
    expect(recording?.frames.length).toBeGreaterThan(0);
    expect(JSON.stringify(withRecording)).toBe(JSON.stringify(plain));
    expect(plain.kpis.linesPicked).toBeGreaterThan(0);
  });

  it('[M13][E8] records the same frames for the same scenario and seed, others for another seed', () => {
    const a = recordingOf({ windowMs: 20 * MINUTE });
    expect(JSON.stringify(recordingOf({ windowMs: 20 * MINUTE }))).toBe(JSON.stringify(a));
    const other = runScenario(resolveScenario({ ...scenario, seed: scenario.seed + 1 }), { record: { windowMs: 20 * MINUTE } }).recording;
    expect(JSON.stringify(other)).not.toBe(JSON.stringify(a));
  });

  it('[M13] defaults to the first hour in at most 600 frames, chained seq by seq at every step', () => {
    const r = recordingOf({});
    expect({ from: r.from, to: r.to, stepMs: r.stepMs, siteId: r.siteId }).toEqual({ from: START, to: START + 60 * MINUTE, stepMs: 6000, siteId: 'record-small' });
    expect(r.frames).toHaveLength(MAX_RECORDING_FRAMES);
    expect(r.snapshot.at).toBe(START);
    let seq = r.snapshot.seq;
    r.frames.forEach((frame, k) => {
      expect(frame.at).toBe(START + (k + 1) * 6000);
      expect(frame.fromSeq).toBe(seq);
      expect(frame.toSeq).toBeGreaterThanOrEqual(seq);
      seq = frame.toSeq;
    });
    expect(seq).toBeGreaterThan(r.snapshot.seq);
    // The step grows with the window, never below a second; the last frame of an uneven window ends at `to`.
    expect(recordingStepMs(60_000)).toBe(1000);
    expect(recordingStepMs(8 * 3_600_000)).toBe(48_000);
    const uneven = recordingOf({ from: START + 30 * MINUTE, windowMs: 95_000, stepMs: 10_000 });
    expect(uneven.frames.map((f) => f.at - uneven.from)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 95].map((s) => s * 1000));
  });

  it('[M13] cuts the window at the run end and refuses steps under a second or over 600 frames', () => {
    const tail = recordingOf({ from: START + 110 * MINUTE });
    expect({ from: tail.from, to: tail.to, frames: tail.frames.length }).toEqual({ from: START + 110 * MINUTE, to: START + 120 * MINUTE, frames: 600 });
    expect(tail.frames.at(-1)?.at).toBe(START + 120 * MINUTE);
    expect(() => run({ record: { stepMs: 500 } })).toThrow(/stepMs/);
    expect(() => run({ record: { windowMs: 60 * MINUTE, stepMs: 1000 } })).toThrow(/600/);
    expect(() => run({ record: { from: START + 120 * MINUTE } })).toThrow(/window/);
  });

  it('[M13] moves the pickers along their legs, walking and picking, and changes the bins they pick from', () => {
    const r = recordingOf({ windowMs: 30 * MINUTE, stepMs: 3000 });
    const ids = r.snapshot.operatives.map((o) => o.id);
    expect(ids).toHaveLength(5);
    // At the start every picker stands at the depot; the first trips begin at once.
    const depot = r.snapshot.operatives[0];
    expect(r.snapshot.operatives.every((o) => o.x === depot?.x && o.y === depot.y && o.activity === 'idle')).toBe(true);
    const { operatives } = replayed(r.snapshot, r.frames.slice(0, 100));
    expect([...operatives.values()].filter((o) => o.x !== depot?.x || o.y !== depot.y).length).toBeGreaterThan(0);
    const seen = new Set(r.frames.flatMap((f) => f.operatives.map((o) => o.activity)));
    expect([...seen].sort()).toEqual(expect.arrayContaining(['picking', 'walking']));
    // A walking picker moves between consecutive frames; picking stands still.
    const track = new Map<string, OperativeView>();
    let moves = 0;
    for (const frame of r.frames) {
      for (const o of frame.operatives) {
        const before = track.get(o.id);
        if (before?.activity === 'walking' && o.activity === 'walking' && (before.x !== o.x || before.y !== o.y)) moves++;
        track.set(o.id, o);
      }
    }
    expect(moves).toBeGreaterThan(50);
    // Picks empty bins: fill falls in some frames, each listed bin with a value that differs from what was shown.
    const changed = r.frames.filter((f) => f.fill.length > 0);
    expect(changed.length).toBeGreaterThan(10);
    let shown = [...r.snapshot.fill];
    for (const frame of r.frames) {
      for (let k = 0; k + 1 < frame.fill.length; k += 2) {
        expect(frame.fill[k + 1]).not.toBe(shown[frame.fill[k] as number]);
      }
      shown = replayed({ ...r.snapshot, fill: shown }, [frame]).fill;
    }
  });

  it('[M13] replays to the floor a later recording starts from: the same fill, pickers, tasks and counters', () => {
    const first = recordingOf({ windowMs: 25 * MINUTE, stepMs: 5000 });
    const later = recordingOf({ from: START + 25 * MINUTE, windowMs: 5 * MINUTE });
    const end = replayed(first.snapshot, first.frames);
    expect(end.fill).toEqual([...later.snapshot.fill]);
    expect([...end.operatives.values()].sort((a, b) => a.id.localeCompare(b.id))).toEqual([...later.snapshot.operatives].sort((a, b) => a.id.localeCompare(b.id)));
    expect(first.frames.at(-1)?.counters).toEqual(later.snapshot.counters);
    expect(first.frames.at(-1)?.toSeq).toBe(later.snapshot.seq);
  });

  it('[M13] finds the point along a polyline by metres walked', () => {
    const path = [{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 10, y: 5 }];
    expect(pointAlong(path, 0)).toEqual({ x: 0, y: 0 });
    expect(pointAlong(path, 4)).toEqual({ x: 4, y: 0 });
    expect(pointAlong(path, 12)).toEqual({ x: 10, y: 2 });
    expect(pointAlong(path, 99)).toEqual({ x: 10, y: 5 });
    expect(pointAlong([{ x: 3, y: 4 }], 2)).toEqual({ x: 3, y: 4 });
  });
});
