import { describe, expect, it } from 'vitest';
import { scaledClock } from './clock.ts';

describe('scaledClock', () => {
  it('runs at its speed, changes speed without a jump, and never runs backwards', () => {
    let wall = 1_000_000;
    const clock = scaledClock(10, () => wall);
    wall += 1_000;
    expect(clock.now()).toBe(1_010_000);
    clock.setSpeed(100);
    expect(clock.now()).toBe(1_010_000);
    wall += 1_000;
    expect(clock.now()).toBe(1_110_000);
    expect(clock.speed).toBe(100);
    clock.continueFrom(1_000);
    expect(clock.now()).toBe(1_110_000);
    expect(() => clock.setSpeed(0)).toThrow(RangeError);
  });
});
