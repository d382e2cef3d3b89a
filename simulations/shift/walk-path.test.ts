import { describe, expect, it } from 'vitest';
import { arcLengthOf, createWalkPath, pointAt } from './walk-path.ts';

// An L-shaped walk out and back: (0,0) → (0,10) → (4,10) → (0,10) → (0,0); 28 m.
const path = createWalkPath([
  { x: 0, y: 0 },
  { x: 0, y: 10 },
  { x: 4, y: 10 },
  { x: 0, y: 10 },
  { x: 0, y: 0 },
]);

describe('walk path', () => {
  it('measures cumulative length along the polyline', () => {
    expect(path.cum).toEqual([0, 10, 14, 18, 28]);
    expect(path.length).toBe(28);
  });

  it('interpolates points by arc length and clamps at the ends', () => {
    expect(pointAt(path, 5)).toEqual({ x: 0, y: 5 });
    expect(pointAt(path, 12)).toEqual({ x: 2, y: 10 });
    expect(pointAt(path, 16)).toEqual({ x: 2, y: 10 });
    expect(pointAt(path, -1)).toEqual({ x: 0, y: 0 });
    expect(pointAt(path, 99)).toEqual({ x: 0, y: 0 });
  });

  it('[S3] finds where the walk passes a point, searching forward only', () => {
    expect(arcLengthOf(path, { x: 0, y: 5 }, 0)).toBeCloseTo(5);
    // On the way back the same point is reached again at 23 m.
    expect(arcLengthOf(path, { x: 0, y: 5 }, 6)).toBeCloseTo(23);
    expect(arcLengthOf(path, { x: 4, y: 10 }, 0)).toBeCloseTo(14);
  });

  it('[S3] falls back to the nearest point ahead when the walk never reaches the target', () => {
    // (3, 12) is 2 m beside the cross segment; nearest ahead is (3, 10) at 13 m.
    expect(arcLengthOf(path, { x: 3, y: 12 }, 0)).toBeCloseTo(13);
  });

  it('handles a single-point path', () => {
    const p = createWalkPath([{ x: 1, y: 2 }]);
    expect(p.length).toBe(0);
    expect(pointAt(p, 3)).toEqual({ x: 1, y: 2 });
    expect(arcLengthOf(p, { x: 5, y: 5 }, 0)).toBe(0);
    expect(() => createWalkPath([])).toThrow(RangeError);
  });
});
