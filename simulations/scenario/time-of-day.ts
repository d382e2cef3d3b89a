/** `HH:MM` times of day of a scenario (UTC), as minutes after midnight and as instants of a run. Pure. */
import { epochMs, type EpochMs } from '../../server/twin/ids.ts';

const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const MINUTE_MS = 60_000;
export const DAY_MS = 24 * 60 * MINUTE_MS;

/** True when `text` is a valid `HH:MM` (00:00–23:59). */
export function isTimeOfDay(text: string): boolean {
  return HH_MM.test(text);
}

/** Minutes after midnight of an `HH:MM` time; a RangeError names the text when it is not one. */
export function minutesOfDay(text: string): number {
  const m = HH_MM.exec(text);
  if (m === null) throw new RangeError(`expected HH:MM, got '${text}'`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** Milliseconds after UTC midnight of the instant `at`. */
export function msOfDay(at: number): number {
  return ((at % DAY_MS) + DAY_MS) % DAY_MS;
}

/** The first instant at or after `from` whose UTC time of day is `text` (`HH:MM`). */
export function nextTimeOfDay(from: number, text: string): EpochMs {
  const target = minutesOfDay(text) * MINUTE_MS;
  const midnight = from - msOfDay(from);
  const today = midnight + target;
  return epochMs(today >= from ? today : today + DAY_MS);
}
