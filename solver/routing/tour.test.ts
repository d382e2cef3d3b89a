import { describe, expect, it } from 'vitest';
import { createRng, randomInt } from '../../server/twin/rng.ts';
import type { DistanceMatrix } from './tour.ts';
import { heldKarp, improveTour, nearestNeighbour, orOpt, tourCost, twoOpt } from './tour.ts';

/** Random asymmetric matrix (one-way lanes make real ones asymmetric too). */
function randomMatrix(seed: number, n: number): number[][] {
  const rng = createRng(seed);
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 0 : randomInt(rng, 1, 100))));
}

function bruteForce(d: DistanceMatrix): number {
  const n = d.length - 1;
  let best = Infinity;
  const go = (order: number[], left: number[]): void => {
    if (left.length === 0) {
      best = Math.min(best, tourCost(d, order));
      return;
    }
    for (let i = 0; i < left.length; i++) go([...order, left[i]!], [...left.slice(0, i), ...left.slice(i + 1)]);
  };
  go([], Array.from({ length: n }, (_, i) => i + 1));
  return best;
}

const isPermutation = (order: readonly number[], n: number): boolean =>
  [...order].sort((a, b) => a - b).join() === Array.from({ length: n }, (_, i) => i + 1).join();

describe('tours over a distance matrix', () => {
  it('[R4][R6] Held–Karp equals brute force on asymmetric matrices', () => {
    for (let seed = 1; seed <= 25; seed++) {
      const d = randomMatrix(seed, 2 + (seed % 7));
      const order = heldKarp(d);
      expect(isPermutation(order, d.length - 1)).toBe(true);
      expect(tourCost(d, order)).toBe(bruteForce(d));
    }
  });

  it('[R6] nearest neighbour, 2-opt and Or-opt keep a permutation and never lengthen the tour', () => {
    for (let seed = 1; seed <= 25; seed++) {
      const d = randomMatrix(100 + seed, 3 + seed);
      const order = nearestNeighbour(d);
      expect(isPermutation(order, d.length - 1)).toBe(true);
      let cost = tourCost(d, order);
      for (const step of [twoOpt, orOpt, (m: DistanceMatrix, o: number[]): boolean => (improveTour(m, o), true)]) {
        step(d, order);
        expect(isPermutation(order, d.length - 1)).toBe(true);
        const next = tourCost(d, order);
        expect(next).toBeLessThanOrEqual(cost);
        cost = next;
      }
    }
  });

  it('handles the empty and one-stop tours', () => {
    expect(heldKarp([[0]])).toEqual([]);
    expect(nearestNeighbour([[0]])).toEqual([]);
    expect(heldKarp([[0, 4], [6, 0]])).toEqual([1]);
    expect(tourCost([[0, 4], [6, 0]], [1])).toBe(10);
  });
});
