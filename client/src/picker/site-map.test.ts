import { describe, expect, it } from 'vitest';
import type { LayoutView } from '../../../server/protocol/floor.ts';
import { mapFrame, rackFootprints } from './site-map.ts';

const layout = (bins: Array<[x: number, y: number]>): LayoutView => ({
  siteId: 's', layoutId: 'l', ids: bins.map((_, i) => `b${i}`),
  x: bins.map((b) => b[0]), y: bins.map((b) => b[1]), z: bins.map(() => 0),
  w: bins.map(() => 1), d: bins.map(() => 1), h: bins.map(() => 1),
  segments: [], depot: { x: 0, y: 0 }, bounds: { minX: 0, minY: 0, maxX: 10, maxY: 20 },
});

describe('mini-map geometry', () => {
  it('merges touching bins of a rack face into one run and splits at a cross-aisle', () => {
    // Two levels of bays at y = 1.5, 2.5, 3.5, then a 3 m cross-aisle, then y = 7.5; and a second face at x = 4.
    const rects = rackFootprints(layout([[2, 1.5], [2, 1.5], [2, 2.5], [2, 3.5], [2, 7.5], [4, 1.5]]));
    expect(rects).toEqual([
      { minX: 1.5, maxX: 2.5, minY: 1, maxY: 4 },
      { minX: 1.5, maxX: 2.5, minY: 7, maxY: 8 },
      { minX: 3.5, maxX: 4.5, minY: 1, maxY: 2 },
    ]);
  });

  it('maps the front of the site to the bottom of the map', () => {
    const frame = mapFrame({ minX: 0, minY: 0, maxX: 10, maxY: 20 }, 1);
    expect(frame.viewBox).toBe('0 0 12.00 22.00');
    expect([frame.mx(0), frame.my(0)]).toEqual([1, 21]);
    expect([frame.mx(10), frame.my(20)]).toEqual([11, 1]);
  });
});
