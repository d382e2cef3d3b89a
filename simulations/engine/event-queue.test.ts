import { describe, expect, it } from 'vitest';
import { createRng, randomInt } from '../../server/twin/rng.ts';
import { ArrayEventList } from './array-event-list.ts';
import type { EventList, EventListKind } from './event-list.ts';
import { EventQueue } from './event-queue.ts';

const LISTS: readonly (readonly [EventListKind, <T>() => EventList<T>])[] = [
  ['heap', <T>() => new EventQueue<T>()],
  ['array', <T>() => new ArrayEventList<T>()],
];

// One contract, both implementations: the heap and its array-scanned benchmark peer.
describe.each(LISTS)('event list (%s)', (_kind, create) => {
  it('[E1] pops in ascending time, ties first-in first-out (property over seeded random inputs)', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const rng = createRng(seed);
      const queue = create<number>();
      const pushed: { time: number; id: number }[] = [];
      const ops = randomInt(rng, 1, 300);
      const popped: { time: number; id: number }[] = [];
      for (let id = 0; id < ops; id++) {
        // Few distinct times, so ties are common.
        const time = randomInt(rng, 0, 20);
        queue.push(time, id);
        pushed.push({ time, id });
        // Interleave pops so the heap is exercised in many shapes.
        if (rng.next() < 0.3) {
          const e = queue.pop();
          if (e !== undefined) popped.push({ time: e.time, id: e.item });
        }
      }
      for (let e = queue.pop(); e !== undefined; e = queue.pop()) popped.push({ time: e.time, id: e.item });
      expect(popped).toHaveLength(pushed.length);

      // Reference: replay the same pushes and pops against a stable sort.
      const ref: { time: number; id: number }[] = [];
      const waiting: { time: number; id: number }[] = [];
      const rng2 = createRng(seed);
      const ops2 = randomInt(rng2, 1, 300);
      for (let id = 0; id < ops2; id++) {
        waiting.push({ time: randomInt(rng2, 0, 20), id });
        if (rng2.next() < 0.3) {
          waiting.sort((a, b) => a.time - b.time || a.id - b.id);
          const first = waiting.shift();
          if (first !== undefined) ref.push(first);
        }
      }
      waiting.sort((a, b) => a.time - b.time || a.id - b.id);
      ref.push(...waiting);
      expect(popped).toEqual(ref);
    }
  });

  it('[E1] peek shows the next entry without removing it; pop on empty gives undefined', () => {
    const queue = create<string>();
    expect(queue.peek()).toBeUndefined();
    expect(queue.pop()).toBeUndefined();
    queue.push(5, 'b');
    queue.push(1, 'a');
    queue.push(5, 'c');
    expect(queue.peek()?.item).toBe('a');
    expect(queue.size).toBe(3);
    expect([queue.pop()?.item, queue.pop()?.item, queue.pop()?.item]).toEqual(['a', 'b', 'c']);
    expect(queue.size).toBe(0);
  });

  it('[E1] peek follows a push that runs before the current first, and ties stay first-in first-out', () => {
    const queue = create<string>();
    queue.push(10, 'late');
    expect(queue.peek()?.item).toBe('late');
    queue.push(3, 'early');
    queue.push(3, 'early-too');
    expect(queue.peek()?.item).toBe('early');
    queue.push(10, 'late-too');
    expect([queue.pop()?.item, queue.peek()?.item]).toEqual(['early', 'early-too']);
    queue.push(1, 'first');
    expect([queue.pop(), queue.pop(), queue.pop(), queue.pop()].map((e) => e?.item)).toEqual(['first', 'early-too', 'late', 'late-too']);
  });

  it('[E1] keeps insertion order across a clear', () => {
    const queue = create<string>();
    queue.push(1, 'x');
    queue.clear();
    queue.push(2, 'p');
    queue.push(2, 'q');
    expect([queue.pop()?.item, queue.pop()?.item]).toEqual(['p', 'q']);
  });

  it('rejects a time that is not finite', () => {
    const queue = create<string>();
    expect(() => queue.push(Number.NaN, 'x')).toThrow(RangeError);
    expect(() => queue.push(Number.POSITIVE_INFINITY, 'x')).toThrow(RangeError);
  });
});
