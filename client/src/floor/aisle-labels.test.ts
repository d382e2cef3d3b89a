import { describe, it, expect } from 'vitest';
import { aisleLabels } from './aisle-labels.ts';

describe('aisleLabels', () => {
  it('numbers aisles by ascending x and puts each label in front of the aisle', () => {
    // Two aisles split into blocks, given out of order, plus a cross-aisle (runs along x) that is not an aisle.
    const segments = [3, 10, 3, 20, 0, 0, 0, 10, 0, 10, 0, 20, 3, 0, 3, 10, 0, 0, 3, 0];
    expect(aisleLabels(segments, 1)).toEqual([
      { text: 'A01', x: 0, y: -1 },
      { text: 'A02', x: 3, y: -1 },
    ]);
  });

  it('uses three digits past 99 aisles and ignores degenerate segments', () => {
    const segments: number[] = [5, 5, 5, 5];
    for (let a = 0; a < 120; a++) segments.push(a * 3, 0, a * 3, 10);
    const labels = aisleLabels(segments);
    expect(labels).toHaveLength(120);
    expect(labels[119]?.text).toBe('A120');
    expect(labels[0]?.text).toBe('A001');
  });
});
