/** Wall-clock adapters for the twin's injected Clock. */
import type { Clock } from '../twin/clock.ts';
import { epochMs } from '../twin/ids.ts';

/** A clock whose time runs `speed` times faster than the wall clock, from a start time that can be moved forward. */
export interface ScaledClock extends Clock {
  /** Continue from `at` (e.g. the time of the last logged event after a restart) if it is later than now. */
  continueFrom(at: number): void;
}

export function scaledClock(speed: number, wallNow: () => number = Date.now): ScaledClock {
  let wallStart = wallNow();
  let twinStart = wallStart;
  const now = () => epochMs(Math.floor(twinStart + (wallNow() - wallStart) * speed));
  return {
    now,
    continueFrom(at) {
      // Twin time never runs backwards across a restart, even after a sped-up shift ran ahead of the wall clock.
      if (at > now()) {
        wallStart = wallNow();
        twinStart = at;
      }
    },
  };
}
