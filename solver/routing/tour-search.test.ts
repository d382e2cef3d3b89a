import { describe, expect, it } from 'vitest';
import { createRng, randomInt } from '../../server/twin/rng.ts';
import { heldKarp, nearestNeighbour, tourCost } from './tour.ts';
import { searchTour } from './tour-search.ts';

/** Random asymmetric matrix: points on a grid plus a one-way penalty on some legs (like one-way lanes). */
function matrix(seed: number, n: number, asymmetric: boolean): number[][] {
  const rng = createRng(seed);
  const pts = Array.from({ length: n }, () => [randomInt(rng, 0, 60), randomInt(rng, 0, 60)] as const);
  return pts.map((p, i) => pts.map((q, j) => {
    if (i === j) return 0;
    const base = Math.abs(p[0] - q[0]) + Math.abs(p[1] - q[1]);
    return asymmetric && (i * 7 + j * 3) % 5 === 0 ? base + randomInt(rng, 5, 40) : base;
  }));
}

const isPermutation = (order: readonly number[], n: number): boolean =>
  [...order].sort((a, b) => a - b).join() === Array.from({ length: n }, (_, i) => i + 1).join();

describe('[R4][R6] iterated local search', () => {
  it('finds the Held–Karp optimum on small symmetric and asymmetric matrices', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const d = matrix(seed, 6 + (seed % 7), seed % 2 === 0);
      const order = searchTour(d, [nearestNeighbour(d)], { seed, kicks: 200 });
      expect(isPermutation(order, d.length - 1)).toBe(true);
      expect(tourCost(d, order)).toBeCloseTo(tourCost(d, heldKarp(d)), 9);
    }
  });

  it('never returns a tour longer than its starts, and stays a permutation (asymmetric, up to 80 stops)', () => {
    for (let seed = 1; seed <= 12; seed++) {
      const d = matrix(100 + seed, 20 + seed * 5, true);
      const start = nearestNeighbour(d);
      const reversed = [...start].reverse();
      for (const kicks of [0, 50]) {
        const order = searchTour(d, [start, reversed], { seed, kicks });
        expect(isPermutation(order, d.length - 1)).toBe(true);
        expect(tourCost(d, order)).toBeLessThanOrEqual(Math.min(tourCost(d, start), tourCost(d, reversed)) + 1e-9);
      }
    }
  });

  it('is deterministic for a seed', () => {
    const d = matrix(7, 60, true);
    const a = searchTour(d, [nearestNeighbour(d)], { seed: 42, kicks: 100 });
    const b = searchTour(d, [nearestNeighbour(d)], { seed: 42, kicks: 100 });
    expect(a).toEqual(b);
  });

  it('handles tiny tours', () => {
    expect(searchTour([[0]], [])).toEqual([]);
    expect(searchTour([[0, 4], [6, 0]], [[1]])).toEqual([1]);
    const d = [[0, 1, 9], [9, 0, 1], [1, 9, 0]];
    expect(tourCost(d, searchTour(d, [[2, 1]]))).toBe(3);
  });
});
