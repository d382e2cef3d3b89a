/**
 * A deterministic discrete-event simulation: an event list, a virtual clock and seeded random streams.
 * The caller drives time (`runUntil`, `advanceTo`); the engine has no timers and reads no ambient clock.
 * Rules are numbered in ../SPEC.md.
 */
import type { EpochMs } from '../../server/twin/ids.ts';
import { createRng, type Rng } from '../../server/twin/rng.ts';
import { ArrayEventList } from './array-event-list.ts';
import type { EventList, EventListKind } from './event-list.ts';
import { EventQueue } from './event-queue.ts';
import { VirtualClock } from './virtual-clock.ts';

/** An event's action. It may return a promise: the simulation then waits for it before the next event (SPEC E5). */
export type EventHandler = (sim: Simulation) => void | Promise<void>;

/** Options of a simulation run. */
export interface SimulationOptions {
  /** Root seed of every random stream (SPEC E6). */
  readonly seed: number;
  /** Virtual time at the start, epoch ms. */
  readonly startAt: EpochMs;
  /** Event list: the binary heap (default) or the array-scanned peer (benchmarks only). Same order either way (E1). */
  readonly eventList?: EventListKind;
}

/** An empty event list of the given kind. */
export function createEventList<T>(kind: EventListKind = 'heap'): EventList<T> {
  switch (kind) {
    case 'heap':
      return new EventQueue<T>();
    case 'array':
      return new ArrayEventList<T>();
  }
}

/** Derives the seed of the stream named `purpose` from the root seed: FNV-1a of the name, mixed with the seed. */
export function deriveSeed(rootSeed: number, purpose: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < purpose.length; i++) {
    h ^= purpose.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // Mix so that nearby root seeds and nearby names still give unrelated seeds (createRng splitmixes again).
  let z = (h ^ Math.imul(rootSeed >>> 0, 0x9e3779b1)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/** The simulation: schedule handlers at virtual times and run them in (time, insertion) order. */
export class Simulation {
  /** The virtual clock; pass it to the twin as its `Clock` to keep twin time and simulated time one. */
  readonly clock: VirtualClock;
  readonly seed: number;
  private readonly queue: EventList<EventHandler>;
  private readonly streams = new Map<string, Rng>();
  private pending = 0;
  private waiters: (() => void)[] = [];
  private failure: { readonly error: unknown } | null = null;
  private processed = 0;
  /** Latest time the caller asked to reach; the run resumes toward it after in-flight operations settle. */
  private target = Number.NEGATIVE_INFINITY;

  constructor(options: SimulationOptions) {
    this.seed = options.seed >>> 0;
    this.clock = new VirtualClock(options.startAt);
    this.queue = createEventList(options.eventList);
  }

  /** Current virtual time, epoch ms. */
  now(): EpochMs {
    return this.clock.now();
  }

  /** Number of events run so far. */
  get eventsProcessed(): number {
    return this.processed;
  }

  /** Number of events waiting in the queue. */
  get eventsQueued(): number {
    return this.queue.size;
  }

  /** Number of asynchronous operations in flight; while it is above 0 no event runs (SPEC E5). */
  get inFlight(): number {
    return this.pending;
  }

  /** Time of the next queued event, or undefined when none is queued. */
  nextEventAt(): number | undefined {
    return this.queue.peek()?.time;
  }

  /** Schedules `handler` at virtual time `atMs` (epoch ms, not before now: SPEC E4). */
  schedule(atMs: number, handler: EventHandler): void {
    if (!(atMs >= this.clock.now())) {
      throw new RangeError(`cannot schedule at ${atMs}: it is before now (${this.clock.now()})`);
    }
    this.queue.push(atMs, handler);
  }

  /** Schedules `handler` `delayMs` (≥ 0) after now. */
  scheduleIn(delayMs: number, handler: EventHandler): void {
    if (!(delayMs >= 0)) throw new RangeError(`delay must be ≥ 0, got ${delayMs}`);
    this.schedule(this.clock.now() + delayMs, handler);
  }

  /**
   * The random stream for `purpose` (e.g. 'orders', 'picker:3'): seeded from the root seed and the name only,
   * so adding a stream or drawing from one never shifts another (SPEC E6). The same name returns the same stream.
   */
  stream(purpose: string): Rng {
    let rng = this.streams.get(purpose);
    if (rng === undefined) {
      rng = createRng(deriveSeed(this.seed, purpose));
      this.streams.set(purpose, rng);
    }
    return rng;
  }

  /**
   * Counts `operation` as in flight until it settles (SPEC E5). When the last one settles the run resumes toward
   * the latest target given to `runUntil`/`advanceTo`. A rejection stops the run (SPEC E7).
   */
  track(operation: Promise<unknown>): void {
    this.pending++;
    const settle = (): void => {
      this.pending--;
      if (this.pending > 0) return;
      this.resume();
      if (this.pending > 0) return;
      const waiters = this.waiters;
      this.waiters = [];
      for (const wake of waiters) wake();
    };
    operation.then(settle, (error: unknown) => {
      this.failure ??= { error };
      settle();
    });
  }

  /** Resolves when no operation is in flight. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /**
   * Runs, in order, every queued event with time ≤ `timeMs`, moving the clock to each event's time, then to
   * `timeMs` (SPEC E2, E3). While an operation is in flight it stops without moving the clock further, and carries
   * on by itself when the operation settles (SPEC E5). Returns the number of events run by this call.
   */
  runUntil(timeMs: number): number {
    this.rethrowFailure();
    if (timeMs > this.target) this.target = timeMs;
    return this.drain();
  }

  /** Runs until `timeMs` like `runUntil` and resolves once the clock reads `timeMs` with nothing in flight. */
  async advanceTo(timeMs: number): Promise<void> {
    this.runUntil(timeMs);
    for (;;) {
      await this.idle();
      this.rethrowFailure();
      // Settling resumed the run; an idle sim that is not yet at the target has nothing left to wait for.
      if (this.pending === 0) {
        this.drain();
        if (this.pending === 0) return;
      }
    }
  }

  private drain(): number {
    let ran = 0;
    while (this.pending === 0 && this.failure === null) {
      const next = this.queue.peek();
      if (next === undefined || next.time > this.target) {
        if (this.target > this.clock.now()) this.clock.advanceTo(this.target);
        break;
      }
      this.queue.pop();
      this.clock.advanceTo(next.time);
      this.processed++;
      ran++;
      // A handler typed `void` may still return a value (an arrow's expression body); only promises are tracked.
      const result: unknown = next.item(this);
      if (result instanceof Promise) this.track(result);
    }
    return ran;
  }

  /** Called when the last in-flight operation settles; a handler that throws here is kept and rethrown (E7). */
  private resume(): void {
    try {
      this.drain();
    } catch (error) {
      this.failure ??= { error };
    }
  }

  private rethrowFailure(): void {
    if (this.failure !== null) throw this.failure.error;
  }
}
