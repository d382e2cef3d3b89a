import { describe, expect, it } from 'vitest';
import { createRng, randomInt } from '../../server/twin/rng.ts';
import { EventQueue } from './event-queue.ts';

describe('EventQueue', () => {
  it('[E1] pops in ascending time, ties first-in first-out (property over seeded random inputs)', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const rng = createRng(seed);
      const queue = new EventQueue<number>();
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
    const queue = new EventQueue<string>();
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

  it('[E1] keeps insertion order across a clear', () => {
    const queue = new EventQueue<string>();
    queue.push(1, 'x');
    queue.clear();
    queue.push(2, 'p');
    queue.push(2, 'q');
    expect([queue.pop()?.item, queue.pop()?.item]).toEqual(['p', 'q']);
  });

  it('rejects a time that is not finite', () => {
    const queue = new EventQueue<string>();
    expect(() => queue.push(Number.NaN, 'x')).toThrow(RangeError);
    expect(() => queue.push(Number.POSITIVE_INFINITY, 'x')).toThrow(RangeError);
  });
});
