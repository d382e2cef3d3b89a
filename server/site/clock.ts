/** Wall-clock adapters for the twin's injected Clock. */
import type { Clock } from '../twin/clock.ts';
import { epochMs } from '../twin/ids.ts';

/** Twin time that runs `speed` times faster than the wall clock, starting at the current wall time. */
export function scaledClock(speed: number, wallNow: () => number = Date.now): Clock {
  const wallStart = wallNow();
  return { now: () => epochMs(Math.floor(wallStart + (wallNow() - wallStart) * speed)) };
}
