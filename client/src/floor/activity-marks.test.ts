/** Activity marker places: above the rack column, the beam down to the bin. */
import { describe, expect, it } from 'vitest';
import type { LayoutView } from '../../../server/protocol/floor.ts';
import { markerPlaces } from './activity-marks.ts';

const layout: LayoutView = {
  siteId: 's',
  layoutId: 'l',
  ids: ['A-1-0', 'A-1-1', 'A-1-2', 'B-1-0'],
  x: [1, 1, 1, 5],
  y: [2, 2, 2, 2],
  z: [0, 1, 2, 0],
  w: [1, 1, 1, 1],
  d: [1, 1, 1, 1],
  h: [0.9, 0.9, 0.8, 1.2],
  segments: [],
  depot: { x: 3, y: 0 },
  bounds: { minX: 0, minY: 0, maxX: 6, maxY: 4 },
};

describe('markerPlaces', () => {
  it('puts every bin of a column under one marker height, the tallest top of it', () => {
    const places = markerPlaces(layout);
    expect([...places.top]).toEqual([2.8, 2.8, 2.8, 1.2].map((v) => Math.fround(v)));
    expect(places.bin[1]).toBeCloseTo(1.45);
    expect([places.x[3], places.y[3]]).toEqual([5, 2]);
    expect(places.depot).toEqual({ x: 3, y: 0 });
  });
});
