/** The simulation's future event list: what the binary heap and its array-scanned peer both implement (SPEC E1). */

/** One entry of the list: when it fires, its insertion number (the tie-breaker) and its payload. */
export interface QueueEntry<T> {
  readonly time: number;
  readonly seq: number;
  readonly item: T;
}

/** Timed entries that come out in ascending time, ties first-in first-out (SPEC E1). */
export interface EventList<T> {
  /** Number of entries waiting. */
  readonly size: number;
  /** Adds an entry at `time` (any finite number, else RangeError; callers use epoch ms). */
  push(time: number, item: T): void;
  /** The earliest entry without removing it, or undefined when empty. */
  peek(): QueueEntry<T> | undefined;
  /** Removes and returns the earliest entry (ties: the one pushed first), or undefined when empty. */
  pop(): QueueEntry<T> | undefined;
  /** Removes every entry. Insertion numbering continues, so order stays stable across a clear. */
  clear(): void;
}

/** Event list implementations by name: the binary heap (default) or the array-scanned peer (benchmarks). */
export type EventListKind = 'heap' | 'array';

/** True when `a` runs before `b`: earlier time, or the same time and pushed first. */
export function runsBefore<T>(a: QueueEntry<T>, b: QueueEntry<T>): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}

/** RangeError unless `time` is finite. */
export function checkEventTime(time: number): void {
  if (!Number.isFinite(time)) throw new RangeError(`event time must be finite, got ${time}`);
}
