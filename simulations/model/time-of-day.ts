/** Daily times of a scenario (`HH:MM`, UTC) turned into the instants of a run: shift windows, breaks, trucks. */
import { DAY_MS, msOfDay } from '../scenario/time-of-day.ts';

/** Every instant in [from, to) whose UTC time of day is `offsetMs` after midnight, ascending. */
export function dailyInstants(offsetMs: number, from: number, to: number): number[] {
  const out: number[] = [];
  const first = from - msOfDay(from) + (((offsetMs % DAY_MS) + DAY_MS) % DAY_MS);
  for (let t = first < from ? first + DAY_MS : first; t < to; t += DAY_MS) out.push(t);
  return out;
}

/**
 * Windows [start, end) of a daily pattern from `startMs` to `endMs` after midnight (an end at or before the start
 * runs past midnight) that overlap [from, to), clipped to it; touching windows merge.
 */
export function dailyWindows(startMs: number, endMs: number, from: number, to: number): { start: number; end: number }[] {
  const lengthMs = endMs > startMs ? endMs - startMs : endMs + DAY_MS - startMs;
  const out: { start: number; end: number }[] = [];
  for (const begin of dailyInstants(startMs, from - DAY_MS, to)) {
    const start = Math.max(from, begin);
    const end = Math.min(to, begin + lengthMs);
    if (end <= start) continue;
    const last = out[out.length - 1];
    if (last !== undefined && start <= last.end) last.end = Math.max(last.end, end);
    else out.push({ start, end });
  }
  return out;
}
