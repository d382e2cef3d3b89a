/** Wall-clock adapters for the twin's injected Clock. */
import type { Clock } from '../twin/clock.ts';
import { epochMs } from '../twin/ids.ts';

/** A clock whose time runs `speed` times faster than the wall clock, from a start time that can be moved forward. */
export interface ScaledClock extends Clock {
  /** Continue from `at` (e.g. the time of the last logged event after a restart) if it is later than now. */
  continueFrom(at: number): void;
  /** Twin seconds per wall second. */
  readonly speed: number;
  /** Changes the speed from now on; twin time continues from where it is (never jumps or runs backwards). */
  setSpeed(speed: number): void;
}

export function scaledClock(initialSpeed: number, wallNow: () => number = Date.now): ScaledClock {
  let speed = initialSpeed;
  let wallStart = wallNow();
  let twinStart = wallStart;
  const now = () => epochMs(Math.floor(twinStart + (wallNow() - wallStart) * speed));
  return {
    now,
    get speed() {
      return speed;
    },
    setSpeed(next) {
      if (!Number.isFinite(next) || next <= 0) throw new RangeError(`speed must be a positive number, got ${next}`);
      twinStart = now();
      wallStart = wallNow();
      speed = next;
    },
    continueFrom(at) {
      // Twin time never runs backwards across a restart, even after a sped-up shift ran ahead of the wall clock.
      if (at > now()) {
        wallStart = wallNow();
        twinStart = at;
      }
    },
  };
}
