import { describe, expect, it } from 'vitest';
import { isTimeOfDay, minutesOfDay, msOfDay, nextTimeOfDay } from './time-of-day.ts';

describe('time of day', () => {
  it('reads HH:MM from 00:00 to 23:59 and nothing else', () => {
    expect(minutesOfDay('00:00')).toBe(0);
    expect(minutesOfDay('17:05')).toBe(17 * 60 + 5);
    expect(minutesOfDay('23:59')).toBe(24 * 60 - 1);
    for (const bad of ['24:00', '7:00', '07:60', '0700', '07:00:00', '']) {
      expect(isTimeOfDay(bad)).toBe(false);
      expect(() => minutesOfDay(bad)).toThrow(RangeError);
    }
  });

  it('finds the next instant with a time of day, today or tomorrow', () => {
    const at = Date.parse('2026-11-27T15:30:00Z');
    expect(msOfDay(at)).toBe((15 * 60 + 30) * 60_000);
    expect(new Date(nextTimeOfDay(at, '17:00')).toISOString()).toBe('2026-11-27T17:00:00.000Z');
    expect(new Date(nextTimeOfDay(at, '15:30')).toISOString()).toBe('2026-11-27T15:30:00.000Z');
    expect(new Date(nextTimeOfDay(at, '13:00')).toISOString()).toBe('2026-11-28T13:00:00.000Z');
  });
});
