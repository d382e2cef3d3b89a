/** The simulation's clock: it moves only when the simulation says so (SPEC E3). */
import type { Clock } from '../../server/twin/clock.ts';
import { epochMs, type EpochMs } from '../../server/twin/ids.ts';

/** A `Clock` whose time is set by the simulation, never read from the machine; it never goes backwards. */
export class VirtualClock implements Clock {
  private current: EpochMs;

  constructor(startAt: EpochMs) {
    if (!Number.isFinite(startAt)) throw new RangeError(`clock start must be finite, got ${startAt}`);
    this.current = startAt;
  }

  /** Current virtual time, epoch ms. */
  now(): EpochMs {
    return this.current;
  }

  /** Moves the clock forward to `timeMs`; moving it backwards is a programming error (RangeError). */
  advanceTo(timeMs: number): void {
    if (!(timeMs >= this.current)) {
      throw new RangeError(`virtual clock cannot go back from ${this.current} to ${timeMs}`);
    }
    this.current = epochMs(timeMs);
  }
}
