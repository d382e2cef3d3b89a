import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { epochMs } from '../../server/twin/ids.ts';
import { MetricsRecorder, distributionOf } from './metrics.ts';

const T0 = epochMs(Date.UTC(2026, 10, 27, 6, 0, 0));
const minutes = (m: number) => epochMs(T0 + m * 60_000);
const bounds = { minX: 0, minY: 0, maxX: 10, maxY: 6 };
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

describe('distributionOf', () => {
  it('takes quantiles by nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted input
    const d = distributionOf(values);
    expect(d).toMatchObject({ count: 100, mean: 50.5, p50: 50, p90: 90, p95: 95, p99: 99, max: 100 });
    // Nearest rank on 4 values: p50 is the 2nd, p90/p95/p99 the 4th.
    expect(distributionOf([10, 40, 20, 30])).toMatchObject({ p50: 20, p90: 40, p95: 40, p99: 40, max: 40, mean: 25 });
  });

  it('bins with the given edges, clamping values outside them into the end bins', () => {
    const d = distributionOf([-5, 0, 0.5, 1, 2.5, 3, 99], [0, 1, 2, 3]);
    expect(d.histogram).toEqual({ edges: [0, 1, 2, 3], counts: [3, 1, 3] });
  });

  it('chooses round default edges that cover the sample, and counts every value', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: 0, max: 1e4, noNaN: true }), { minLength: 1, maxLength: 200 }), (values) => {
      const { histogram, count, max } = distributionOf(values);
      expect(sum(histogram.counts)).toBe(count);
      expect(histogram.edges.length).toBe(histogram.counts.length + 1);
      expect(histogram.edges[0]).toBeLessThanOrEqual(Math.min(...values));
      expect(histogram.edges.at(-1)).toBeGreaterThan(max);
      expect(histogram.counts.length).toBeLessThanOrEqual(21);
    }));
    expect(distributionOf([4.5, 4.5]).histogram).toEqual({ edges: [4, 5], counts: [2] });
    expect(distributionOf([0, 7, 19.9]).histogram.edges).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
  });

  it('gives zeros for an empty sample and rejects edges that do not increase', () => {
    expect(distributionOf([])).toEqual({ count: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, max: 0, histogram: { edges: [0, 1], counts: [0] } });
    expect(() => distributionOf([1], [0, 2, 2])).toThrow(RangeError);
    expect(() => distributionOf([1], [0])).toThrow(RangeError);
  });
});

describe('MetricsRecorder series', () => {
  const recorder = () => new MetricsRecorder({ startAt: T0, endAt: minutes(50), sampleMinutes: 15, layoutBounds: bounds });

  it('counts each event in the interval that contains it; the last interval may be shorter', () => {
    const r = recorder();
    r.orderArrived(minutes(0), 3);
    r.orderArrived(minutes(14.99), 1);
    r.orderArrived(minutes(15), 2); // boundary belongs to the next interval
    r.linesPicked(minutes(31), 4);
    r.linesPicked(minutes(49), 2);
    r.orderDespatched(minutes(46), minutes(1), true);
    r.orderDespatched(minutes(50), minutes(15), false); // at endAt: the last interval
    const { series } = r.finish();
    expect(series.at).toEqual(['2026-11-27T06:15:00.000Z', '2026-11-27T06:30:00.000Z', '2026-11-27T06:45:00.000Z', '2026-11-27T06:50:00.000Z']);
    expect(series.ordersArrived).toEqual([2, 1, 0, 0]);
    expect(series.linesPicked).toEqual([0, 0, 4, 2]);
    expect(series.ordersDespatched).toEqual([0, 0, 0, 2]);
    expect(r.totals).toEqual({ ordersArrived: 3, linesArrived: 6, linesPicked: 6, ordersDespatched: 2, ordersDespatchedByCutoff: 1, metresWalked: 0 });
  });

  it('keeps the last level call of an interval and carries it over intervals without one', () => {
    const r = recorder();
    r.levels(minutes(1), { backlog: 5, pickersOnShift: 3, pickersBusy: 1 });
    r.levels(minutes(14), { backlog: 7, pickersOnShift: 4, pickersBusy: 2 });
    r.levels(minutes(40), { backlog: 1, pickersOnShift: 2, pickersBusy: 0 });
    const { series } = r.finish();
    expect(series.backlog).toEqual([7, 7, 1, 1]);
    expect(series.pickersOnShift).toEqual([4, 4, 2, 2]);
    expect(series.pickersBusy).toEqual([2, 2, 0, 0]);
  });

  it('reports lead times in minutes from arrival to despatch', () => {
    const r = recorder();
    r.orderDespatched(minutes(30), minutes(0), true);
    r.orderDespatched(minutes(40), minutes(30), true);
    const { leadTimeMinutes } = r.finish();
    expect(leadTimeMinutes).toMatchObject({ count: 2, mean: 20, p50: 10, max: 30 });
  });

  it('rejects an empty run or a non-positive sample interval', () => {
    expect(() => new MetricsRecorder({ startAt: T0, endAt: T0, sampleMinutes: 15, layoutBounds: bounds })).toThrow(RangeError);
    expect(() => new MetricsRecorder({ startAt: T0, endAt: minutes(5), sampleMinutes: 0, layoutBounds: bounds })).toThrow(RangeError);
  });
});

describe('MetricsRecorder heat map', () => {
  const recorder = (cellMetres = 1) => new MetricsRecorder({ startAt: T0, endAt: minutes(60), sampleMinutes: 15, layoutBounds: bounds, cellMetres });
  const cell = (metres: readonly number[], cols: number, col: number, row: number) => metres[row * cols + col]!;

  it('splits a straight walk over the cells it crosses by the length inside each', () => {
    const r = recorder(2);
    r.walked({ x: 1, y: 1 }, { x: 6, y: 1 }); // along row 0: 1 m in col 0, 2 in col 1, 2 in col 2
    r.walked({ x: 0.5, y: 0.5 }, { x: 3.5, y: 3.5 }); // diagonal through cells (0,0), (1,1) via the corner
    const { heatmap } = r.finish();
    expect(heatmap).toMatchObject({ originX: 0, originY: 0, cellMetres: 2, cols: 5, rows: 3 });
    const d = Math.SQRT2;
    expect(cell(heatmap.metres, 5, 0, 0)).toBeCloseTo(1 + 1.5 * d, 9);
    expect(cell(heatmap.metres, 5, 1, 0)).toBeCloseTo(2, 9);
    expect(cell(heatmap.metres, 5, 2, 0)).toBeCloseTo(2, 9);
    expect(cell(heatmap.metres, 5, 1, 1)).toBeCloseTo(1.5 * d, 9);
    expect(sum(heatmap.metres)).toBeCloseTo(5 + 3 * d, 9);
  });

  it('walks outside the bounds land in the nearest edge cell', () => {
    const r = recorder();
    r.walked({ x: -3, y: 2.5 }, { x: -1, y: 2.5 });
    r.walked({ x: 12, y: 9 }, { x: 12, y: 7 });
    const { heatmap } = r.finish();
    expect(cell(heatmap.metres, 10, 0, 2)).toBeCloseTo(2, 9);
    expect(cell(heatmap.metres, 10, 9, 5)).toBeCloseTo(2, 9);
  });

  it('conserves metres: the heat map total equals the metres walked, in any direction', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ ax: fc.double({ min: -2, max: 12, noNaN: true }), ay: fc.double({ min: -2, max: 8, noNaN: true }),
        bx: fc.double({ min: -2, max: 12, noNaN: true }), by: fc.double({ min: -2, max: 8, noNaN: true }) }), { maxLength: 30 }),
      fc.constantFrom(0.5, 1, 3),
      (walks, cellMetres) => {
        const r = recorder(cellMetres);
        let expected = 0;
        for (const w of walks) {
          r.walked({ x: w.ax, y: w.ay }, { x: w.bx, y: w.by });
          expected += Math.hypot(w.bx - w.ax, w.by - w.ay);
        }
        const { heatmap } = r.finish();
        expect(heatmap.metres.every((m) => m >= 0)).toBe(true);
        expect(sum(heatmap.metres)).toBeCloseTo(expected, 6);
        expect(r.totals.metresWalked).toBeCloseTo(expected, 9);
      }));
  });

  it('walks exactly along grid lines and from grid corners, both directions', () => {
    const r = recorder();
    r.walked({ x: 4, y: 2 }, { x: 1, y: 2 }); // leftwards along y = 2: the row above the line
    r.walked({ x: 3, y: 5 }, { x: 3, y: 3 }); // downwards along x = 3
    const { heatmap } = r.finish();
    expect(sum(heatmap.metres)).toBeCloseTo(5, 9);
    expect([1, 2, 3].map((col) => cell(heatmap.metres, 10, col, 2))).toEqual([1, 1, 1]);
    expect([3, 4].map((row) => cell(heatmap.metres, 10, 3, row))).toEqual([1, 1]);
  });
});
