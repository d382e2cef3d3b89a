import { describe, expect, it } from 'vitest';
import type { Carton, PackItem } from './cartons.ts';
import { DEFAULT_CARTONS, suggestCarton } from './cartons.ts';

const mug: PackItem = { lengthM: 0.1, widthM: 0.1, heightM: 0.12, weightKg: 0.3, qty: 1 };

describe('DEFAULT_CARTONS', () => {
  it('has unique codes and positive sizes', () => {
    expect(new Set(DEFAULT_CARTONS.map((c) => c.code)).size).toBe(DEFAULT_CARTONS.length);
    for (const c of DEFAULT_CARTONS) {
      expect(Math.min(c.lengthM, c.widthM, c.heightM, c.maxWeightKg)).toBeGreaterThan(0);
      expect(c.tareKg).toBeLessThan(c.maxWeightKg);
    }
  });
});

describe('suggestCarton', () => {
  it('takes the smallest carton a single mug fits (too tall for the mailer)', () => {
    const s = suggestCarton([mug]);
    expect(s).toMatchObject({ ok: true, carton: { code: 'M1' } });
    if (s.ok) {
      expect(s.fillRatio).toBeCloseTo(0.0012 / (0.3 * 0.22 * 0.15), 9);
      expect(s.weightKg).toBeCloseTo(0.3 + 0.2, 9);
    }
  });

  it('puts a flat item in the mailer, in any orientation', () => {
    const book = { lengthM: 0.03, widthM: 0.2, heightM: 0.15, weightKg: 0.4, qty: 1 };
    expect(suggestCarton([book])).toMatchObject({ ok: true, carton: { code: 'S1' } });
  });

  it('moves up when volume / packing efficiency exceeds the carton', () => {
    // 8 mugs = 0.0096 m³ → needs 0.0113 m³: more than M1 (0.0099), fits M2 (0.024).
    expect(suggestCarton([{ ...mug, qty: 8 }])).toMatchObject({ ok: true, carton: { code: 'M2' } });
    // M1 holds 0.0099 m³ × 0.85 = 0.008415 m³ of 5 cm cubes (0.000125 m³ each): 67 fit, 68 do not.
    const m1 = DEFAULT_CARTONS.find((c) => c.code === 'M1')!;
    const cube = { lengthM: 0.05, widthM: 0.05, heightM: 0.05, weightKg: 0.01, qty: 67 };
    expect(suggestCarton([cube], [m1])).toMatchObject({ ok: true, carton: { code: 'M1' } });
    const over = suggestCarton([{ ...cube, qty: 68 }], [m1]);
    expect(over).toMatchObject({ ok: false, reason: '0.0085 m³ needs more room than any carton' });
  });

  it('moves up for weight, counting the tare', () => {
    const brick = { lengthM: 0.1, widthM: 0.1, heightM: 0.05, weightKg: 1.96, qty: 1 };
    // 1.96 + 0.05 tare > 2 kg: not the mailer.
    expect(suggestCarton([brick])).toMatchObject({ ok: true, carton: { code: 'M1' }, weightKg: 2.16 });
  });

  it('refuses with a reason when nothing fits', () => {
    const pole = { lengthM: 2, widthM: 0.05, heightM: 0.05, weightKg: 1, qty: 1 };
    expect(suggestCarton([pole])).toMatchObject({ ok: false, reason: 'an item is larger than every carton', weightKg: 1 });
    const heavy = suggestCarton([{ ...mug, weightKg: 40 }]);
    expect(heavy).toMatchObject({ ok: false, weightKg: 40 });
    if (!heavy.ok) expect(heavy.reason).toContain('heavier than any carton');
    expect(suggestCarton([])).toMatchObject({ ok: false, reason: 'nothing to pack' });
    expect(suggestCarton([{ ...mug, qty: 0 }])).toMatchObject({ ok: false, reason: 'nothing to pack' });
    expect(suggestCarton([{ ...mug, lengthM: -1 }])).toMatchObject({ ok: false });
    expect(suggestCarton([{ ...mug, qty: 1.5 }])).toMatchObject({ ok: false });
  });

  it('breaks volume ties by code, whatever the input order', () => {
    const a: Carton = { code: 'A', lengthM: 0.3, widthM: 0.3, heightM: 0.3, maxWeightKg: 10, tareKg: 0.1 };
    const b: Carton = { ...a, code: 'B' };
    expect(suggestCarton([mug], [b, a])).toMatchObject({ ok: true, carton: { code: 'A' } });
    expect(suggestCarton([mug], [a, b])).toMatchObject({ ok: true, carton: { code: 'A' } });
  });
});
