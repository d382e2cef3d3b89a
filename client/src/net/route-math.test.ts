import { describe, expect, it } from 'vitest';
import type { RouteStopView, RouteView } from '../../../server/protocol/route.ts';
import { formatDistance, nextStopIndex, openStops, polylineLength, remainingDistance, splitLocationId, stopArcs } from './route-math.ts';

const stop = (taskId: string, x: number, y: number, status: RouteStopView['status'] = 'open'): RouteStopView => ({
  taskId, orderId: 'o1', locationId: `A01-B1-00${taskId}-L1`, skuId: 'SKU-1', skuDescription: 'Widget', qty: 1, x, y, status,
});

/** Depot (0,0) → up aisle x=0 to y=10 → across to x=4 → down to y=0 → back to the depot: 10 + 4 + 10 + 4 = 28 m. */
const route = (stops: RouteStopView[]): RouteView => ({
  siteId: 's', operativeId: 'P1', seq: 1, method: 'test', distanceM: 28, stops,
  path: [0, 0, 0, 10, 4, 10, 4, 0, 0, 0], plannedAt: 0,
});

describe('route math', () => {
  it('measures a polyline', () => {
    expect(polylineLength([0, 0, 3, 4, 3, 10])).toBe(11);
    expect(polylineLength([])).toBe(0);
  });

  it('numbers open stops by their place in the whole route', () => {
    const r = route([stop('1', 0, 4, 'picked'), stop('2', 0, 8), stop('3', 4, 5)]);
    expect(nextStopIndex(r)).toBe(1);
    expect(openStops(r).map((s) => s.number)).toEqual([2, 3]);
  });

  it('places stops along the walk in order, even where the walk passes a point twice', () => {
    // (2, 10) lies on the cross segment; (4, 5) on the way down; a stop at (0, 4) matches the way up only.
    const r = route([stop('1', 0, 4), stop('2', 2, 10), stop('3', 4, 5)]);
    expect(stopArcs(r)).toEqual([4, 12, 19]);
  });

  it('counts the distance left from the last finished stop, or from the live position near the path', () => {
    const r = route([stop('1', 0, 4, 'picked'), stop('2', 4, 5)]);
    expect(remainingDistance(r)).toBe(24);
    expect(remainingDistance(r, { x: 0.3, y: 9 })).toBeCloseTo(19);
    // A position far from the remaining path is not trusted.
    expect(remainingDistance(r, { x: 40, y: 40 })).toBe(24);
    expect(remainingDistance(route([stop('1', 0, 4)]))).toBe(28);
    expect(remainingDistance(route([stop('1', 0, 4, 'picked'), stop('2', 4, 5, 'shorted')]))).toBe(9);
  });

  it('measures from the start when the server sends only the walk left (from the last finished stop)', () => {
    // Finished stops at (0, 4) and (0, 8); the path starts at (0, 8): up to y=10, across, down, back = 2 + 4 + 10 + 4.
    const r: RouteView = {
      ...route([stop('1', 0, 4, 'picked'), stop('2', 0, 8, 'picked'), stop('3', 4, 5)]),
      path: [0, 8, 0, 10, 4, 10, 4, 0, 0, 0],
    };
    expect(stopArcs(r)).toEqual([0, 0, 11]);
    expect(remainingDistance(r)).toBe(20);
  });

  it('splits a canonical location id into aisle, bay and level', () => {
    expect(splitLocationId('A03-B2-017-L4')).toEqual({ aisle: '03', bay: '2-017', side: 'L', level: '4' });
    expect(splitLocationId('DOCK-1')).toBeNull();
  });

  it('formats distances for a glance', () => {
    expect(formatDistance(341.6)).toBe('342 m');
    expect(formatDistance(1234)).toBe('1.23 km');
    expect(formatDistance(Number.NaN)).toBe('–');
  });
});
