/** Time is injected into the core: the server passes the wall clock, the simulator a virtual one. */
import type { EpochMs } from './ids.ts';

export interface Clock {
  /** Current time in epoch milliseconds. */
  now(): EpochMs;
}
