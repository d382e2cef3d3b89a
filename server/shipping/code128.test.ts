import { describe, expect, it } from 'vitest';
import { code128Values, encodeCode128, planCode128, zplCode128Data } from './code128.ts';

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

describe('Code 128', () => {
  it('encodes subset B with the mod-103 check symbol', () => {
    // 104 + 48·1 + 42·2 + 42·3 + 17·4 + 18·5 + 19·6 + 35·7 = 879; 879 mod 103 = 55.
    expect(code128Values('PJJ123C')).toEqual([104, 48, 42, 42, 17, 18, 19, 35, 55]);
  });

  it('encodes the GS1-128 SSCC as start C, FNC1 and digit pairs', () => {
    const values = code128Values('00106141411234567897', { gs1: true });
    expect(values.slice(0, -1)).toEqual([105, 102, 0, 10, 61, 41, 41, 12, 34, 56, 78, 97]);
    const weighted = values.slice(1, -1).reduce((acc, v, i) => acc + v * (i + 1), 105);
    expect(values.at(-1)).toBe(weighted % 103);
    expect(values.at(-1)).toBe(34);
  });

  it('switches to C for long digit runs and back to B, choosing the shortest mix', () => {
    // A, A, 4 in B; 73 12 48 29 in C; G, B in B: 13 symbols instead of 15 all in B.
    expect(code128Values('AA473124829GB')).toEqual([104, 33, 33, 20, 99, 73, 12, 48, 29, 100, 39, 34, 32]);
    // Two digits are not worth a switch.
    expect(planCode128('A12B').steps.map((s) => s.kind)).toEqual(['char', 'char', 'char', 'char']);
    // All-digit even data stays in C from the start.
    expect(planCode128('123456').start).toBe('C');
    expect(planCode128('12345').steps).toHaveLength(4); // 12 34 + switch + '5', or '1' + switch + 23 45
  });

  it('encodes GS as FNC1 in GS1 mode', () => {
    const values = code128Values('10123ABC\x1d21123', { gs1: true });
    expect(values.filter((v) => v === 102)).toHaveLength(2);
    expect(values.slice(0, 4)).toEqual([105, 102, 10, 12]);
  });

  it('produces 11·n + 13 modules, bars and spaces alternating from a bar, each element 1–4 modules', () => {
    for (const [data, gs1] of [['PJJ123C', false], ['00106141411234567897', true], ['AA473124829GB', false], ['x', false]] as const) {
      const widths = encodeCode128(data, { gs1 });
      const n = code128Values(data, { gs1 }).length;
      expect(sum(widths)).toBe(11 * n + 13);
      expect(widths.length).toBe(6 * n + 7); // odd: starts and ends with a bar
      expect(widths.every((w) => w >= 1 && w <= 4)).toBe(true);
    }
    // Start C = 211232, stop + final bar = 2331112.
    const sscc = encodeCode128('00106141411234567897', { gs1: true });
    expect(sscc.slice(0, 6)).toEqual([2, 1, 1, 2, 3, 2]);
    expect(sscc.slice(-7)).toEqual([2, 3, 3, 1, 1, 1, 2]);
  });

  it('writes the same plan as ZPL mode-N data', () => {
    expect(zplCode128Data('00106141411234567897', { gs1: true })).toBe('>;>800106141411234567897');
    expect(zplCode128Data('AA473124829GB')).toBe('>:AA4>573124829>6GB');
    expect(zplCode128Data('A>B')).toBe('>:A>0B');
  });

  it('refuses what subset B cannot encode', () => {
    expect(() => encodeCode128('')).toThrow(RangeError);
    expect(() => encodeCode128('é')).toThrow(RangeError);
    expect(() => encodeCode128('a\x1db')).toThrow(RangeError);
  });
});
