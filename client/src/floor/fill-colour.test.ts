import { describe, it, expect } from 'vitest';
import { FILL_STOPS, OVER_CAPACITY_HEX, fillColour, fillGradientCss, hexToRgb } from './fill-colour.ts';

const brightness = (p: number): number => {
  const c = fillColour(p);
  return 0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b;
};

describe('fill colour ramp', () => {
  it('hits the stops exactly', () => {
    for (const stop of FILL_STOPS) expect(fillColour(stop.percent)).toEqual(hexToRgb(stop.hex));
  });

  it('empty is dark and cool, full is warm', () => {
    const empty = fillColour(0);
    const full = fillColour(100);
    expect(empty.b).toBeGreaterThan(empty.r);
    expect(full.r).toBeGreaterThan(full.b + 0.5);
    expect(brightness(0)).toBeLessThan(brightness(50));
  });

  it('interpolates between stops', () => {
    const mid = fillColour(15);
    const a = hexToRgb('#2a3852');
    const b = hexToRgb('#4a6fa5');
    expect(mid.r).toBeCloseTo((a.r + b.r) / 2, 6);
    expect(mid.b).toBeCloseTo((a.b + b.b) / 2, 6);
  });

  it('flags over capacity with its own colour and treats negatives and NaN as empty', () => {
    expect(fillColour(101)).toEqual(hexToRgb(OVER_CAPACITY_HEX));
    expect(fillColour(-5)).toEqual(fillColour(0));
    expect(fillColour(Number.NaN)).toEqual(fillColour(0));
  });

  it('describes the same stops as a CSS gradient for the legend', () => {
    expect(fillGradientCss()).toBe('linear-gradient(to right, #2a3852 0%, #4a6fa5 30%, #f0c04a 60%, #f08a35 85%, #e0482c 100%)');
  });
});
