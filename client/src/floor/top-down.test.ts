import { describe, expect, it } from 'vitest';
import { distanceForZoom, easeInOut, topDownFitZoom, visibleHeightAt, zoomForDistance } from './top-down.ts';

describe('top-down view maths', () => {
  it('fits the longer side of the site into the view', () => {
    const bounds = { minX: 0, minY: 0, maxX: 100, maxY: 50 };
    expect(topDownFitZoom(bounds, 1000, 1000, 1)).toBe(10);
    expect(topDownFitZoom(bounds, 2000, 400, 1)).toBe(8);
  });

  it('converts distance to zoom and back, keeping the visible floor height', () => {
    const zoom = zoomForDistance(80, 40, 720);
    expect(720 / zoom).toBeCloseTo(visibleHeightAt(80, 40), 9);
    expect(distanceForZoom(zoom, 40, 720)).toBeCloseTo(80, 9);
  });

  it('eases from 0 to 1 through the midpoint, clamped', () => {
    expect([easeInOut(-1), easeInOut(0), easeInOut(0.5), easeInOut(1), easeInOut(2)]).toEqual([0, 0, 0.5, 1, 1]);
    expect(easeInOut(0.25)).toBeLessThan(0.25);
  });
});
