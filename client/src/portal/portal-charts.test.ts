import { describe, expect, it } from 'vitest';
import type { SeriesView } from './portal-api.ts';
import { chartSummaries, epochSeconds, kpiChartData, stats } from './portal-charts.ts';

const DAY_S = 86_400;
const day = (n: number): string => new Date((Date.UTC(2026, 10, 20) / 1000 + n * DAY_S) * 1000).toISOString();
const series = (metric: string, values: (number | null)[], at: (i: number) => string | number = day): SeriesView => ({
  metric,
  bucket: 'day',
  points: values.map((value, i) => ({ t: at(i), value })),
});

describe('the portal KPI charts data', () => {
  it('reads ISO and epoch-ms times alike, as seconds', () => {
    expect(epochSeconds('2026-11-20T00:00:00.000Z')).toBe(Date.UTC(2026, 10, 20) / 1000);
    expect(epochSeconds(Date.UTC(2026, 10, 20))).toBe(Date.UTC(2026, 10, 20) / 1000);
  });

  it('lines every series up on one ascending axis and converts units: hours for lead time, percent for on time', () => {
    const data = kpiChartData([
      series('on_time_rate', [null, 0.975, 1]),
      series('orders_received', [3, 5, 0]),
      series('orders_despatched', [1, 4, 2], (i) => Date.parse(day(i))), // epoch ms: the same buckets
      series('lead_time_p50_ms', [null, 5_400_000, 9_000_000]),
      series('pick_accuracy', [1, 1, 1]), // not charted
    ]);
    expect(data.xs).toEqual([0, 1, 2].map((i) => epochSeconds(day(i))));
    expect(data.orders[1]).toEqual([3, 5, 0]);
    expect(data.orders[2]).toEqual([1, 4, 2]);
    expect(data.leadTime[1]).toEqual([null, 1.5, 2.5]);
    expect(data.onTime[1]).toEqual([null, 97.5, 100]);
  });

  it('leaves a bucket a series lacks as a gap, never a zero', () => {
    const data = kpiChartData([series('orders_received', [3, 5, 7]), { metric: 'orders_despatched', bucket: 'day', points: [{ t: day(2), value: 6 }] }]);
    expect(data.orders[2]).toEqual([null, null, 6]);
    expect(data.leadTime[1]).toEqual([null, null, null]);
  });

  it('has no axis without points', () => {
    expect(kpiChartData([]).xs).toEqual([]);
    expect(kpiChartData([series('orders_received', [])]).xs).toEqual([]);
  });

  it('sums counts and gives ranges in words, skipping gaps', () => {
    expect(stats([null, 2, 4])).toEqual({ count: 2, sum: 6, mean: 3, min: 2, max: 4 });
    expect(stats([null]).mean).toBeNull();
    const text = chartSummaries(
      kpiChartData([series('orders_received', [3, 5]), series('orders_despatched', [1, 4]), series('lead_time_p50_ms', [3_600_000, null]), series('on_time_rate', [null, null])]),
    );
    expect(text.orders).toBe('8 orders received and 5 despatched over 2 periods.');
    expect(text.leadTime).toBe('Median lead time from 1.0 h to 1.0 h (mean of the periods 1.0 h).');
    expect(text.onTime).toBe('No order with a cut-off was despatched yet.');
  });
});
