/**
 * The array-scanned event list: the approach of common JS simulation libraries, kept as the benchmark's peer of the
 * binary heap (`EventQueue`). Same contract and tie rule (SPEC E1); push is O(1), peek and pop scan every entry, O(n).
 */
import { checkEventTime, runsBefore, type EventList, type QueueEntry } from './event-list.ts';

export class ArrayEventList<T> implements EventList<T> {
  private readonly entries: QueueEntry<T>[] = [];
  private nextSeq = 0;
  /** Index of the earliest entry, or -1 when it must be found again by a scan. */
  private minIndex = -1;

  /** Number of entries waiting. */
  get size(): number {
    return this.entries.length;
  }

  /** Adds an entry at `time` (any finite number; callers use epoch ms). */
  push(time: number, item: T): void {
    checkEventTime(time);
    const entry: QueueEntry<T> = { time, seq: this.nextSeq++, item };
    this.entries.push(entry);
    // A known minimum stays valid unless the new entry runs before it (it never ties: its seq is the highest).
    if (this.minIndex >= 0 && runsBefore(entry, this.entries[this.minIndex] as QueueEntry<T>)) {
      this.minIndex = this.entries.length - 1;
    }
  }

  /** The earliest entry without removing it, or undefined when empty. */
  peek(): QueueEntry<T> | undefined {
    const i = this.findMin();
    return i < 0 ? undefined : this.entries[i];
  }

  /** Removes and returns the earliest entry (ties: the one pushed first), or undefined when empty. */
  pop(): QueueEntry<T> | undefined {
    const i = this.findMin();
    if (i < 0) return undefined;
    const entries = this.entries;
    const top = entries[i] as QueueEntry<T>;
    // Move the last entry into the hole: order in the array does not matter, the scan compares (time, seq).
    const last = entries.pop() as QueueEntry<T>;
    if (i < entries.length) entries[i] = last;
    this.minIndex = -1;
    return top;
  }

  /** Removes every entry. Insertion numbering continues, so order stays stable across a clear. */
  clear(): void {
    this.entries.length = 0;
    this.minIndex = -1;
  }

  private findMin(): number {
    if (this.minIndex >= 0) return this.minIndex;
    const entries = this.entries;
    if (entries.length === 0) return -1;
    let best = 0;
    for (let i = 1; i < entries.length; i++) {
      if (runsBefore(entries[i] as QueueEntry<T>, entries[best] as QueueEntry<T>)) best = i;
    }
    this.minIndex = best;
    return best;
  }
}
