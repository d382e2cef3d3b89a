/** A binary min-heap of timed entries: the simulation's future event list (SPEC E1, E2). */
import { checkEventTime, runsBefore as before, type EventList, type QueueEntry } from './event-list.ts';

export type { QueueEntry } from './event-list.ts';

/**
 * Priority queue ordered by time, then by insertion order, so that entries at the same time come out
 * first-in first-out and a run never depends on how the heap happens to be shaped (SPEC E1).
 * push and pop are O(log n); peek is O(1).
 */
export class EventQueue<T> implements EventList<T> {
  private readonly heap: QueueEntry<T>[] = [];
  private nextSeq = 0;

  /** Number of entries waiting. */
  get size(): number {
    return this.heap.length;
  }

  /** Adds an entry at `time` (any finite number; callers use epoch ms). */
  push(time: number, item: T): void {
    checkEventTime(time);
    const entry: QueueEntry<T> = { time, seq: this.nextSeq++, item };
    const heap = this.heap;
    heap.push(entry);
    // Sift up: move the new entry above every parent that sorts after it.
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >>> 1;
      const p = heap[parent] as QueueEntry<T>;
      if (!before(entry, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = entry;
  }

  /** The earliest entry without removing it, or undefined when empty. */
  peek(): QueueEntry<T> | undefined {
    return this.heap[0];
  }

  /** Removes and returns the earliest entry (ties: the one pushed first), or undefined when empty. */
  pop(): QueueEntry<T> | undefined {
    const heap = this.heap;
    const top = heap[0];
    if (top === undefined) return undefined;
    const last = heap.pop() as QueueEntry<T>;
    if (heap.length > 0) {
      // Sift down: put the last entry at the root and push it below every child that sorts before it.
      let i = 0;
      const n = heap.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        let child = l;
        if (r < n && before(heap[r] as QueueEntry<T>, heap[l] as QueueEntry<T>)) child = r;
        const c = heap[child] as QueueEntry<T>;
        if (!before(c, last)) break;
        heap[i] = c;
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }

  /** Removes every entry. Insertion numbering continues, so order stays stable across a clear. */
  clear(): void {
    this.heap.length = 0;
  }
}
