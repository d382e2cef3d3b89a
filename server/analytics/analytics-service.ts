/**
 * Analytics series of a site, or of one client (tenant) of it, over time: one point per UTC bucket (see buckets.ts)
 * from the facts of migrations/015-analytics.sql. The same queries in both storage modes (date_bin / date_trunc over
 * the fact tables); under TimescaleDB with its continuous aggregate, site-wide order counts and on-time rates over
 * hour-aligned ranges read the hourly aggregate instead (tenant reads always read the facts, under RLS).
 *
 * Metrics (twin time; a fact counts in the bucket of its time when from ≤ time < to):
 * - orders_received / orders_picked / orders_despatched: orders created / fully picked / despatched (0 when none).
 * - lead_time_p50_ms (median, the mean of the two middle values) / lead_time_p90_ms (nearest rank): created →
 *   despatched of the orders despatched in the bucket; null when none.
 * - on_time_rate: share of the orders despatched in the bucket with a carrier cut-off that left at or before it.
 * - picks: picks confirmed or shorted.
 * - pick_accuracy: picks right first time (confirmed in full) / pick attempts (picks + handheld confirm scans refused
 *   as the wrong location or item). Refused scans are known per site only (the scan names no tenant), so a tenant's
 *   accuracy is its picks in full / its picks.
 * - picks_per_picker_hour: picks / hours operatives were signed on in the bucket (still signed on: up to the last
 *   recorded event). Site-wide only: operatives' time is not split by client.
 * - mismatched_scans: handheld confirm scans refused (site-wide only).
 */
import type pg from 'pg';
import {
  analyticsTables,
  inScope,
  msOf,
  readMode,
  tsParam,
  type AnalyticsMode,
  type AnalyticsTables,
} from './analytics-store.pg.ts';
import { BUCKETS, bucketCount, bucketSql, bucketStarts, overlapPerBucket, type Bucket } from './buckets.ts';

export const METRICS = [
  'orders_received',
  'orders_picked',
  'orders_despatched',
  'lead_time_p50_ms',
  'lead_time_p90_ms',
  'on_time_rate',
  'picks',
  'pick_accuracy',
  'picks_per_picker_hour',
  'mismatched_scans',
] as const;
export type Metric = (typeof METRICS)[number];
export { BUCKETS, type Bucket };

/** Metrics that have no per-tenant meaning (asking with a tenant is a 400). */
export const SITE_ONLY_METRICS: readonly Metric[] = ['picks_per_picker_hour', 'mismatched_scans'];

/** Most points one series may have. */
export const MAX_POINTS = 5_000;

export interface SeriesQuery {
  /** A client of the site, or null / absent for the whole site. */
  readonly tenantId?: string | null;
  readonly metric: Metric;
  /** Range [from, to), ms since the epoch (twin time). */
  readonly from: number;
  readonly to: number;
  readonly bucket: Bucket;
}

export interface SeriesPoint {
  /** Bucket start, ms since the epoch (UTC grid). */
  readonly t: number;
  /** Counts are 0 for an empty bucket; rates, percentiles and ratios are null. */
  readonly value: number | null;
}

export interface AnalyticsSeries {
  readonly siteId: string;
  readonly tenantId: string | null;
  readonly metric: Metric;
  readonly bucket: Bucket;
  readonly from: number;
  readonly to: number;
  /** Where the points came from: the fact tables, or TimescaleDB's continuous aggregate. */
  readonly source: 'facts' | 'continuous-aggregate';
  readonly points: SeriesPoint[];
}

/** A query the caller got wrong: `code` and `details` for the `{ error }` body of a 400. */
export class AnalyticsInputError extends Error {
  constructor(
    readonly code: 'UNKNOWN_METRIC' | 'UNKNOWN_BUCKET' | 'INVALID_RANGE' | 'RANGE_TOO_LARGE' | 'METRIC_NOT_PER_TENANT',
    message: string,
    readonly details: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AnalyticsInputError';
  }
}

/** What routes (and the client portal) need of analytics. */
export interface AnalyticsQueries {
  series(siteId: string, query: SeriesQuery): Promise<AnalyticsSeries>;
}

const isMetric = (m: unknown): m is Metric => typeof m === 'string' && (METRICS as readonly string[]).includes(m);
const isBucket = (b: unknown): b is Bucket => typeof b === 'string' && (BUCKETS as readonly string[]).includes(b);

/** Checks a query; throws {@link AnalyticsInputError} naming what is wrong. */
export function validateQuery(query: SeriesQuery, maxPoints = MAX_POINTS): void {
  const { metric, bucket, from, to } = query;
  if (!isMetric(metric)) throw new AnalyticsInputError('UNKNOWN_METRIC', `unknown metric '${String(metric)}'`, { metric, metrics: METRICS });
  if (!isBucket(bucket)) throw new AnalyticsInputError('UNKNOWN_BUCKET', `unknown bucket '${String(bucket)}'`, { bucket, buckets: BUCKETS });
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0) {
    throw new AnalyticsInputError('INVALID_RANGE', 'from and to must be times (ms since the epoch, or ISO 8601)', { from, to });
  }
  if (from >= to) throw new AnalyticsInputError('INVALID_RANGE', `from (${new Date(from).toISOString()}) must be before to (${new Date(to).toISOString()})`, { from, to });
  const n = bucketCount(bucket, from, to, maxPoints);
  if (n > maxPoints) throw new AnalyticsInputError('RANGE_TOO_LARGE', `the range holds more than ${maxPoints} ${bucket} buckets: use a larger bucket or a shorter range`, { from, to, bucket, maxPoints });
  if (query.tenantId != null && SITE_ONLY_METRICS.includes(metric)) {
    throw new AnalyticsInputError('METRIC_NOT_PER_TENANT', `metric '${metric}' is site-wide only`, { metric, siteOnly: SITE_ONLY_METRICS });
  }
}

type OrderMetric = Extract<Metric, 'orders_received' | 'orders_picked' | 'orders_despatched' | 'lead_time_p50_ms' | 'lead_time_p90_ms' | 'on_time_rate'>;

const ORDER_METRICS: Record<OrderMetric, { kind: string; agg: string; where: string; count: boolean }> = {
  orders_received: { kind: 'received', agg: 'count(*)::float8', where: '', count: true },
  orders_picked: { kind: 'picked', agg: 'count(*)::float8', where: '', count: true },
  orders_despatched: { kind: 'despatched', agg: 'count(*)::float8', where: '', count: true },
  lead_time_p50_ms: { kind: 'despatched', agg: 'percentile_cont(0.5) WITHIN GROUP (ORDER BY lead_time_ms)::float8', where: 'AND lead_time_ms IS NOT NULL', count: false },
  lead_time_p90_ms: { kind: 'despatched', agg: 'percentile_disc(0.9) WITHIN GROUP (ORDER BY lead_time_ms)::float8', where: 'AND lead_time_ms IS NOT NULL', count: false },
  on_time_rate: {
    kind: 'despatched',
    agg: 'count(*) FILTER (WHERE on_time)::float8 / nullif(count(*) FILTER (WHERE on_time IS NOT NULL), 0)',
    where: '',
    count: false,
  },
};
const isOrderMetric = (m: Metric): m is OrderMetric => m in ORDER_METRICS;

/** The same order metrics over the hourly continuous aggregate (site-wide). */
const HOURLY_AGG: Partial<Record<OrderMetric, string>> = {
  orders_received: 'sum(n)::float8',
  orders_picked: 'sum(n)::float8',
  orders_despatched: 'sum(n)::float8',
  on_time_rate: 'sum(on_time_n)::float8 / nullif(sum(with_cutoff_n), 0)',
};

const HOUR_MS = 3_600_000;

export interface AnalyticsServiceOptions {
  readonly pool: pg.Pool;
  readonly schema: string;
  readonly maxPoints?: number;
}

/** Answers series from the fact tables; see the file comment for the metrics. */
export class AnalyticsService implements AnalyticsQueries {
  private readonly tables: AnalyticsTables;
  private mode: Promise<AnalyticsMode> | null = null;

  constructor(private readonly options: AnalyticsServiceOptions) {
    this.tables = analyticsTables(options.schema);
  }

  /** The storage mode the migration chose. */
  storageMode(): Promise<AnalyticsMode> {
    this.mode ??= readMode(this.options.pool, this.tables).catch((error: unknown) => {
      this.mode = null;
      throw error;
    });
    return this.mode;
  }

  async series(siteId: string, query: SeriesQuery): Promise<AnalyticsSeries> {
    validateQuery(query, this.options.maxPoints ?? MAX_POINTS);
    const tenantId = query.tenantId ?? null;
    const { metric, bucket, from, to } = query;
    const mode = await this.storageMode();
    const useAggregate =
      mode.mode === 'timescale' && mode.continuousAggregates && tenantId === null && metric in HOURLY_AGG && from % HOUR_MS === 0 && to % HOUR_MS === 0;
    const values = await inScope(this.options.pool, tenantId, (client) =>
      useAggregate ? this.fromAggregate(client, siteId, query as SeriesQuery & { metric: OrderMetric }) : this.fromFacts(client, siteId, { ...query, tenantId }),
    );
    const zero = isOrderMetric(metric) ? ORDER_METRICS[metric].count : metric === 'picks' || metric === 'mismatched_scans';
    const points = bucketStarts(bucket, from, to).map((t) => ({ t, value: values.get(t) ?? (zero ? 0 : null) }));
    return { siteId, tenantId, metric, bucket, from, to, source: useAggregate ? 'continuous-aggregate' : 'facts', points };
  }

  private async fromAggregate(client: pg.PoolClient, siteId: string, query: SeriesQuery & { metric: OrderMetric }): Promise<Map<number, number | null>> {
    const agg = HOURLY_AGG[query.metric]!;
    const { rows } = await client.query<{ t: number; v: number | null }>(
      `SELECT ${msOf(bucketSql(query.bucket, 'hour'))} AS t, ${agg} AS v
         FROM ${this.tables.ordersHourly}
        WHERE site_id = $1 AND kind = $2 AND hour >= ${tsParam(3)} AND hour < ${tsParam(4)}
        GROUP BY 1`,
      [siteId, ORDER_METRICS[query.metric].kind, query.from, query.to],
    );
    return new Map(rows.map((r) => [r.t, r.v]));
  }

  private async fromFacts(client: pg.PoolClient, siteId: string, query: SeriesQuery & { tenantId: string | null }): Promise<Map<number, number | null>> {
    const { metric, bucket, from, to, tenantId } = query;
    const t = this.tables;
    const params: unknown[] = [siteId, from, to];
    const tenantFilter = tenantId === null ? '' : `AND tenant_id = $${params.push(tenantId)}`;
    const grouped = async (sql: string, extra: unknown[] = []): Promise<{ t: number; v: number | null; w: number | null }[]> =>
      (await client.query<{ t: number; v: number | null; w: number | null }>(sql, [...params, ...extra])).rows;

    if (isOrderMetric(metric)) {
      const m = ORDER_METRICS[metric];
      const rows = await grouped(
        `SELECT ${msOf(bucketSql(bucket, 'at'))} AS t, ${m.agg} AS v
           FROM ${t.orderFacts}
          WHERE site_id = $1 AND at >= ${tsParam(2)} AND at < ${tsParam(3)} ${tenantFilter} AND kind = $${params.length + 1} ${m.where}
          GROUP BY 1`,
        [m.kind],
      );
      return new Map(rows.map((r) => [r.t, r.v]));
    }

    const picksPerBucket = async (): Promise<Map<number, { picks: number; right: number }>> => {
      const rows = await grouped(
        `SELECT ${msOf(bucketSql(bucket, 'at'))} AS t, count(*)::float8 AS v, count(*) FILTER (WHERE NOT shorted)::float8 AS w
           FROM ${t.pickFacts}
          WHERE site_id = $1 AND at >= ${tsParam(2)} AND at < ${tsParam(3)} ${tenantFilter}
          GROUP BY 1`,
      );
      return new Map(rows.map((r) => [r.t, { picks: r.v ?? 0, right: r.w ?? 0 }]));
    };
    const mismatchesPerBucket = async (): Promise<Map<number, number>> => {
      const rows = await grouped(
        `SELECT ${msOf(bucketSql(bucket, 'at'))} AS t, count(*)::float8 AS v, NULL::float8 AS w
           FROM ${t.scanFacts}
          WHERE site_id = $1 AND at >= ${tsParam(2)} AND at < ${tsParam(3)}
          GROUP BY 1`,
      );
      return new Map(rows.map((r) => [r.t, r.v ?? 0]));
    };

    switch (metric) {
      case 'picks': {
        const picks = await picksPerBucket();
        return new Map([...picks].map(([b, p]) => [b, p.picks]));
      }
      case 'mismatched_scans':
        return mismatchesPerBucket();
      case 'pick_accuracy': {
        const picks = await picksPerBucket();
        const mismatches = tenantId === null ? await mismatchesPerBucket() : new Map<number, number>();
        const out = new Map<number, number | null>();
        for (const b of new Set([...picks.keys(), ...mismatches.keys()])) {
          const p = picks.get(b) ?? { picks: 0, right: 0 };
          const attempts = p.picks + (mismatches.get(b) ?? 0);
          out.set(b, attempts > 0 ? p.right / attempts : null);
        }
        return out;
      }
      case 'picks_per_picker_hour': {
        const picks = await picksPerBucket();
        const { rows } = await client.query<{ start_ms: number; end_ms: number | null }>(
          `SELECT ${msOf('l.on_at')} AS start_ms, ${msOf('coalesce(l.off_at, c.at)')} AS end_ms
             FROM ${t.labour} l LEFT JOIN ${t.cursor} c ON c.site_id = l.site_id
            WHERE l.site_id = $1 AND l.on_at < ${tsParam(3)} AND coalesce(l.off_at, c.at) > ${tsParam(2)}`,
          params,
        );
        const intervals = rows.flatMap((r) => (r.end_ms === null ? [] : [{ start: r.start_ms, end: r.end_ms }]));
        const signedOnMs = overlapPerBucket(bucket, from, to, intervals);
        const out = new Map<number, number | null>();
        for (const [b, ms] of signedOnMs) out.set(b, ms > 0 ? (picks.get(b)?.picks ?? 0) / (ms / HOUR_MS) : null);
        return out;
      }
    }
  }
}

/** RFC 4180 field. */
const csvField = (value: string): string => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

/** The series as CSV: one row per bucket (`value` empty when null), header first, CRLF line ends. */
export function seriesCsv(series: AnalyticsSeries): string {
  const header = ['site_id', 'tenant_id', 'metric', 'bucket', 'bucket_start', 'bucket_start_ms', 'value'];
  const rows = series.points.map((p) =>
    [series.siteId, series.tenantId ?? '', series.metric, series.bucket, new Date(p.t).toISOString(), String(p.t), p.value === null ? '' : String(p.value)]
      .map(csvField)
      .join(','),
  );
  return [header.join(','), ...rows].join('\r\n') + '\r\n';
}
