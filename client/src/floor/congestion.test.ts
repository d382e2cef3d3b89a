import { describe, expect, it } from 'vitest';
import { congestionLevel, countBySegment, countBySegmentIndexed, indexSegments } from './congestion.ts';

describe('aisle congestion', () => {
  // Two aisles along y (x = 0 and x = 10) joined by a cross-aisle at y = 0.
  const segments = [0, 0, 0, 20, 10, 0, 10, 20, 0, 0, 10, 0];

  it('counts operatives on each segment by distance to its centre line', () => {
    const positions = [0.5, 5, -0.4, 12, 10, 15, 30, 30];
    const out = countBySegment(segments, positions, 4, new Uint16Array(3));
    expect([...out]).toEqual([2, 1, 0]);
  });

  it('counts an operative at a junction in each segment it touches, and reuses the buffer', () => {
    const out = new Uint16Array(3).fill(9);
    expect([...countBySegment(segments, [0, 0], 1, out)]).toEqual([1, 0, 1]);
  });

  it('shades two operatives as slowing and three as queueing', () => {
    expect([0, 1, 2, 3, 7].map(congestionLevel)).toEqual([0, 0, 1, 2, 2]);
  });

  it('counts the same through the grid index as by visiting every segment', () => {
    // A seeded scatter of segments and operatives (some outside the grid); the index must not change any count.
    let seed = 42;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const lines: number[] = [];
    for (let k = 0; k < 300; k++) {
      const x = rand() * 100;
      const y = rand() * 60;
      lines.push(x, y, x + (rand() < 0.5 ? rand() * 10 : 0), y + rand() * 10);
    }
    const positions = Array.from({ length: 2 * 500 }, (_, i) => (i % 2 === 0 ? rand() * 120 - 10 : rand() * 80 - 10));
    const index = indexSegments(lines, 3);
    const indexed = countBySegmentIndexed(lines, index, positions, 500, new Uint16Array(300).fill(7));
    const brute = countBySegment(lines, positions, 500, new Uint16Array(300));
    expect([...indexed]).toEqual([...brute]);
    expect(brute.some((n) => n >= 2)).toBe(true);
  });
});
