/**
 * Pure data for the portal's KPI charts (no React, no uPlot): the analytics series of the KPIs tab lined up on one
 * time axis (seconds, as uPlot takes it) with their figures converted for the chart — orders as counts, the median
 * lead time in hours, the on-time share in percent — and a one-sentence summary of each for people who do not see it.
 */
import type { SeriesView } from './portal-api.ts';

/** Points' times as epoch seconds (the analytics route sends ISO strings or epoch ms). */
export function epochSeconds(t: string | number): number {
  const ms = typeof t === 'number' ? t : Date.parse(t);
  return Math.round(ms / 1000);
}

/** The series of `metric` in `series`, or null. */
const find = (series: readonly SeriesView[], metric: string): SeriesView | null => series.find((s) => s.metric === metric) ?? null;

/**
 * Values of `metric` on the time axis `xs` (seconds); a bucket the series lacks, or a null value, is a gap (null) —
 * never a zero — so a line breaks where nothing was measured.
 */
function valuesOn(xs: readonly number[], series: SeriesView | null, convert: (v: number) => number): (number | null)[] {
  const byTime = new Map<number, number | null>();
  for (const p of series?.points ?? []) byTime.set(epochSeconds(p.t), p.value);
  return xs.map((x) => {
    const v = byTime.get(x);
    return v === null || v === undefined || !Number.isFinite(v) ? null : convert(v);
  });
}

/** The three charts' data: [x, ...series] per chart, every chart on the same x. */
export interface KpiChartData {
  readonly xs: number[];
  /** Orders received and despatched per bucket. */
  readonly orders: [number[], (number | null)[], (number | null)[]];
  /** Median order lead time, hours. */
  readonly leadTime: [number[], (number | null)[]];
  /** Orders despatched on time, percent 0…100. */
  readonly onTime: [number[], (number | null)[]];
}

/** Lines the portal's series up for the charts; the time axis is the union of every series' buckets, ascending. */
export function kpiChartData(series: readonly SeriesView[]): KpiChartData {
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => epochSeconds(p.t))))].filter(Number.isFinite).sort((a, b) => a - b);
  const same = (v: number): number => v;
  return {
    xs,
    orders: [xs, valuesOn(xs, find(series, 'orders_received'), same), valuesOn(xs, find(series, 'orders_despatched'), same)],
    leadTime: [xs, valuesOn(xs, find(series, 'lead_time_p50_ms'), (ms) => Math.round((ms / 3_600_000) * 100) / 100)],
    onTime: [xs, valuesOn(xs, find(series, 'on_time_rate'), (share) => Math.round(share * 1000) / 10)],
  };
}

/** Sum, mean, min and max of the values that exist (nulls are gaps, not zeros). */
export function stats(values: readonly (number | null)[]): { count: number; sum: number; mean: number | null; min: number | null; max: number | null } {
  const present = values.filter((v): v is number => v !== null);
  if (present.length === 0) return { count: 0, sum: 0, mean: null, min: null, max: null };
  const sum = present.reduce((a, b) => a + b, 0);
  return { count: present.length, sum, mean: sum / present.length, min: Math.min(...present), max: Math.max(...present) };
}

const oneDecimal = (n: number): string => (Math.round(n * 10) / 10).toFixed(1);

/** The charts in words (their figcaptions): totals for counts, ranges for the lead time and the on-time share. */
export function chartSummaries(data: KpiChartData): { orders: string; leadTime: string; onTime: string } {
  const received = stats(data.orders[1]);
  const despatched = stats(data.orders[2]);
  const lead = stats(data.leadTime[1]);
  const onTime = stats(data.onTime[1]);
  const days = data.xs.length;
  return {
    orders: `${received.sum} orders received and ${despatched.sum} despatched over ${days} ${days === 1 ? 'period' : 'periods'}.`,
    leadTime:
      lead.count === 0 ? 'No order was despatched, so there is no lead time yet.' : `Median lead time from ${oneDecimal(lead.min ?? 0)} h to ${oneDecimal(lead.max ?? 0)} h (mean of the periods ${oneDecimal(lead.mean ?? 0)} h).`,
    onTime:
      onTime.count === 0 ? 'No order with a cut-off was despatched yet.' : `On time from ${oneDecimal(onTime.min ?? 0)} % to ${oneDecimal(onTime.max ?? 0)} % (mean of the periods ${oneDecimal(onTime.mean ?? 0)} %).`,
  };
}
