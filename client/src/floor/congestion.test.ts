import { describe, expect, it } from 'vitest';
import { congestionLevel, countBySegment } from './congestion.ts';

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
});
