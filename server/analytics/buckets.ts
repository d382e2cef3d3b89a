/**
 * Time buckets of analytics series, on the UTC grid: hours, days, weeks starting Monday 00:00 UTC, calendar months.
 * A series over [from, to) has one point per bucket overlapping the range; a fact counts when from ≤ at < to, so the
 * first and last buckets may be partial. Pure.
 */

export const BUCKETS = ['hour', 'day', 'week', 'month'] as const;
export type Bucket = (typeof BUCKETS)[number];

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const WEEK_MS = 7 * DAY_MS;
/** 1970-01-05 00:00 UTC, a Monday: the origin of week buckets. */
export const WEEK_ORIGIN_MS = 4 * DAY_MS;

/** Start of the bucket holding `at` (ms since the epoch, UTC). */
export function bucketStart(bucket: Bucket, at: number): number {
  switch (bucket) {
    case 'hour':
      return Math.floor(at / HOUR_MS) * HOUR_MS;
    case 'day':
      return Math.floor(at / DAY_MS) * DAY_MS;
    case 'week':
      return Math.floor((at - WEEK_ORIGIN_MS) / WEEK_MS) * WEEK_MS + WEEK_ORIGIN_MS;
    case 'month': {
      const d = new Date(at);
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    }
  }
}

/** Start of the bucket after the one starting at `start`. */
export function nextBucket(bucket: Bucket, start: number): number {
  switch (bucket) {
    case 'hour':
      return start + HOUR_MS;
    case 'day':
      return start + DAY_MS;
    case 'week':
      return start + WEEK_MS;
    case 'month': {
      const d = new Date(start);
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    }
  }
}

/** How many buckets overlap [from, to) (0 when to ≤ from); stops counting past `limit` + 1. */
export function bucketCount(bucket: Bucket, from: number, to: number, limit: number): number {
  let n = 0;
  for (let b = bucketStart(bucket, from); b < to && n <= limit; b = nextBucket(bucket, b)) n++;
  return n;
}

/** Starts of the buckets overlapping [from, to), ascending. */
export function bucketStarts(bucket: Bucket, from: number, to: number): number[] {
  const starts: number[] = [];
  for (let b = bucketStart(bucket, from); b < to; b = nextBucket(bucket, b)) starts.push(b);
  return starts;
}

/**
 * Time overlapping each bucket of [from, to) of the intervals [start, end), ms per bucket start. Used for operatives'
 * signed-on time per bucket.
 */
export function overlapPerBucket(bucket: Bucket, from: number, to: number, intervals: readonly { readonly start: number; readonly end: number }[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const { start, end } of intervals) {
    const lo = Math.max(start, from);
    const hi = Math.min(end, to);
    for (let b = bucketStart(bucket, lo); b < hi; ) {
      const next = nextBucket(bucket, b);
      const ms = Math.min(hi, next) - Math.max(lo, b);
      if (ms > 0) out.set(b, (out.get(b) ?? 0) + ms);
      b = next;
    }
  }
  return out;
}

/** The SQL expression of the bucket start of timestamptz column `column` (the same grid as {@link bucketStart}). */
export function bucketSql(bucket: Bucket, column: string): string {
  switch (bucket) {
    case 'hour':
      return `date_bin(interval '1 hour', ${column}, timestamptz '1970-01-01 00:00:00+00')`;
    case 'day':
      return `date_bin(interval '1 day', ${column}, timestamptz '1970-01-01 00:00:00+00')`;
    case 'week':
      return `date_bin(interval '7 days', ${column}, timestamptz '1970-01-05 00:00:00+00')`;
    case 'month':
      return `date_trunc('month', ${column}, 'UTC')`;
  }
}
