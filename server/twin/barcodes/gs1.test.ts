import { describe, expect, it } from 'vitest';
import {
  buildSscc, gs1128Data, gs1CheckDigit, gtinMatches, hasValidCheckDigit, looksLikeGs1, parseGs1, ssccHri, ssccSerialCapacity,
} from './gs1.ts';

const GS = '\x1d';

describe('GS1 check digits (integrations.md §3.4 vectors)', () => {
  it.each([
    ['10614141123456789', 7], // SSCC
    ['00614141123456789', 0], // SSCC
    ['890400021003', 7], // GTIN-13
    ['03600024145', 7], // UPC-A
    ['0952123454321', 3], // GTIN-14
  ])('check digit of %s is %i', (body, check) => {
    expect(gs1CheckDigit(body)).toBe(check);
    expect(hasValidCheckDigit(`${body}${check}`)).toBe(true);
    expect(hasValidCheckDigit(`${body}${(check + 1) % 10}`)).toBe(false);
  });

  it('refuses non-digits', () => {
    expect(() => gs1CheckDigit('12a4')).toThrow(RangeError);
    expect(hasValidCheckDigit('12a4')).toBe(false);
    expect(hasValidCheckDigit('')).toBe(false);
  });
});

describe('SSCC', () => {
  it('builds the §3.4 example from extension, prefix and serial', () => {
    expect(buildSscc(1, '0614141', 123456789)).toBe('106141411234567897');
    expect(buildSscc(0, '0614141', 123456789)).toBe('006141411234567890');
  });

  it('zero-pads the serial to 16 − prefix length and always yields 18 digits', () => {
    const sscc = buildSscc(3, '5012345678', 42);
    expect(sscc).toHaveLength(18);
    expect(sscc.slice(0, 17)).toBe('35012345678000042');
    expect(hasValidCheckDigit(sscc)).toBe(true);
  });

  it('knows the capacity per prefix length and refuses serials that do not fit', () => {
    expect(ssccSerialCapacity('0614141')).toBe(1_000_000_000);
    expect(ssccSerialCapacity('5012345678')).toBe(1_000_000);
    expect(buildSscc(9, '5012345678', 999_999).slice(11, 17)).toBe('999999');
    expect(() => buildSscc(9, '5012345678', 1_000_000)).toThrow(RangeError);
    expect(() => buildSscc(0, '0614141', -1)).toThrow(RangeError);
    expect(() => buildSscc(0, '0614141', 1.5)).toThrow(RangeError);
    expect(() => buildSscc(10, '0614141', 1)).toThrow(RangeError);
    expect(() => buildSscc(0, '123456', 1)).toThrow(RangeError);
    expect(() => ssccSerialCapacity('12345678901')).toThrow(RangeError);
  });

  it('prints the HRI with the AI in parentheses', () => {
    expect(ssccHri('106141411234567897')).toBe('(00) 106141411234567897');
  });
});

describe('parseGs1', () => {
  const example = '(01)09521234543213(17)100101(10)123ABC(21)1234567890';
  const expected = {
    ok: true,
    elements: [
      { ai: '01', value: '09521234543213' },
      { ai: '17', value: '100101' },
      { ai: '10', value: '123ABC' },
      { ai: '21', value: '1234567890' },
    ],
    gtin: '09521234543213',
    expiry: '2010-01-01',
    lot: '123ABC',
    serial: '1234567890',
  };

  it('parses the §3.4 example as parenthesised HRI', () => {
    expect(parseGs1(example)).toEqual(expected);
  });

  it('parses the same data raw, with a GS after the variable-length lot, with or without AIM prefix and FNC1', () => {
    const raw = `0109521234543213171001011012 3ABC${GS}211234567890`.replace(' ', '');
    expect(parseGs1(raw)).toEqual(expected);
    expect(parseGs1(`]C1${raw}`)).toEqual(expected);
    expect(parseGs1(`]d2${GS}${raw}`)).toEqual(expected);
    expect(parseGs1(`]Q3${raw}\r\n`)).toEqual(expected);
    expect(parseGs1(`${GS}${raw}`)).toEqual(expected);
  });

  it('tolerates a GS after a fixed-length AI and spaces in the HRI', () => {
    expect(parseGs1(`0109521234543213${GS}10LOT1`)).toMatchObject({ ok: true, gtin: '09521234543213', lot: 'LOT1' });
    expect(parseGs1('(00) 106141411234567897')).toMatchObject({ ok: true, sscc: '106141411234567897' });
  });

  it('lifts SSCC, best-before and counts', () => {
    const r = parseGs1(`00106141411234567897020952123454321315260615${'37'}24${GS}4001PO-77`);
    expect(r).toEqual({
      ok: true,
      elements: [
        { ai: '00', value: '106141411234567897' },
        { ai: '02', value: '09521234543213' },
        { ai: '15', value: '260615' },
        { ai: '37', value: '24' },
        { ai: '400', value: '1PO-77' },
      ],
      sscc: '106141411234567897',
      bestBefore: '2026-06-15',
      count: 24,
    });
  });

  it('reads measures (31nn–36nn), variant, shipment id and GLNs as fixed length', () => {
    const r = parseGs1(`(3103)001250(20)07(402)12345678901234560(414)5412345000013(30)5`);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.elements.map((e) => e.ai)).toEqual(['3103', '20', '402', '414', '30']);
    if (r.ok) expect(r.count).toBe(5);
    expect(parseGs1(`31030012502007${'402'}12345678901234560414541234500001330${'5'}`)).toEqual(r);
  });

  it('rejects bad check digits of 00, 01, 02 and 410–414, naming the AI', () => {
    expect(parseGs1('(01)09521234543214')).toEqual({ ok: false, error: 'bad check digit of AI 01: 09521234543214' });
    expect(parseGs1('00106141411234567898')).toMatchObject({ ok: false, error: expect.stringContaining('AI 00') as unknown });
    expect(parseGs1('(02)09521234543210')).toMatchObject({ ok: false, error: expect.stringContaining('AI 02') as unknown });
    expect(parseGs1('(410)5412345000012')).toMatchObject({ ok: false, error: expect.stringContaining('AI 410') as unknown });
  });

  it('rejects unknown AIs, wrong lengths, bad characters and repeats', () => {
    expect(parseGs1('(99)ABC')).toEqual({ ok: false, error: 'unknown AI 99' });
    expect(parseGs1('0109521234543213' + '99ABC')).toEqual({ ok: false, error: 'unknown AI 99' });
    expect(parseGs1('(01)0952123454321')).toMatchObject({ ok: false, error: expect.stringContaining('exactly 14 digits') as unknown });
    expect(parseGs1('010952123454321')).toMatchObject({ ok: false });
    expect(parseGs1(`10${'A'.repeat(21)}`)).toMatchObject({ ok: false, error: expect.stringContaining('longer than 20') as unknown });
    expect(parseGs1('(37)12a')).toMatchObject({ ok: false });
    expect(parseGs1('(10)A B#C')).toMatchObject({ ok: false });
    expect(parseGs1('(10)')).toEqual({ ok: false, error: 'AI 10 has no value' });
    expect(parseGs1('(10)A(10)B')).toEqual({ ok: false, error: 'AI 10 appears more than once' });
    expect(parseGs1('')).toMatchObject({ ok: false });
    expect(parseGs1(']C1')).toMatchObject({ ok: false });
    expect(parseGs1('x(01)09521234543213')).toMatchObject({ ok: false });
  });

  describe('dates', () => {
    const expiry = (yymmdd: string, refYear?: number): string | undefined => {
      const r = parseGs1(`(17)${yymmdd}`, refYear === undefined ? {} : { refYear });
      return r.ok ? r.expiry : r.error;
    };

    it('reads DD 00 as the last day of the month, leap-aware', () => {
      expect(expiry('240200')).toBe('2024-02-29');
      expect(expiry('250200')).toBe('2025-02-28');
      expect(expiry('000200')).toBe('2000-02-29');
      expect(expiry('260400')).toBe('2026-04-30');
      expect(expiry('261200')).toBe('2026-12-31');
    });

    it('rejects impossible dates', () => {
      expect(expiry('250229')).toContain('bad date in AI 17');
      expect(expiry('251301')).toContain('bad date in AI 17');
      expect(expiry('250001')).toContain('bad date in AI 17');
      expect(expiry('260431')).toContain('bad date in AI 17');
    });

    it('puts the century within 49 years back and 50 ahead of the reference year (default 2026)', () => {
      expect(expiry('760101')).toBe('2076-01-01'); // +50
      expect(expiry('770101')).toBe('1977-01-01'); // −49
      expect(expiry('990101', 2050)).toBe('2099-01-01');
      expect(expiry('010101', 2050)).toBe('2001-01-01');
      expect(expiry('250101', 2075)).toBe('2125-01-01'); // +50 across the century
      expect(expiry('260101', 2075)).toBe('2026-01-01'); // −49
    });
  });
});

describe('looksLikeGs1', () => {
  it('accepts element strings and refuses plain barcodes', () => {
    expect(looksLikeGs1('(01)09521234543213')).toBe(true);
    expect(looksLikeGs1(']C10109521234543213')).toBe(true);
    expect(looksLikeGs1(']d20109521234543213')).toBe(true);
    expect(looksLikeGs1(']Q30109521234543213')).toBe(true);
    expect(looksLikeGs1(`${GS}0109521234543213`)).toBe(true);
    expect(looksLikeGs1('0109521234543213')).toBe(true);
    expect(looksLikeGs1('00106141411234567897')).toBe(true);
    expect(looksLikeGs1('4006381333931')).toBe(false); // EAN-13
    expect(looksLikeGs1('036000241457')).toBe(false); // UPC-A
    expect(looksLikeGs1('09521234543213')).toBe(false); // bare GTIN-14
    expect(looksLikeGs1('SKU-1')).toBe(false);
    expect(looksLikeGs1('(note)')).toBe(false);
  });
});

describe('gtinMatches', () => {
  it('compares as GTIN-14', () => {
    expect(gtinMatches('04006381333931', '4006381333931')).toBe(true);
    expect(gtinMatches('00036000241457', '036000241457')).toBe(true);
    expect(gtinMatches('09521234543213', '9521234543213')).toBe(true);
    expect(gtinMatches('19521234543210', '9521234543213')).toBe(false); // case vs unit: indicator digit differs
    expect(gtinMatches('04006381333931', 'SKU-1')).toBe(false);
    expect(gtinMatches('04006381333931', '')).toBe(false);
  });
});

describe('gs1128Data', () => {
  it('encodes the SSCC as start C, FNC1, AI 00 and the 18 digits', () => {
    expect(gs1128Data([{ ai: '00', value: '106141411234567897' }])).toBe('>;>800106141411234567897');
  });

  it('puts FNC1 after variable-length AIs that are not last and switches subsets for letters', () => {
    const data = gs1128Data([
      { ai: '01', value: '09521234543213' },
      { ai: '17', value: '100101' },
      { ai: '10', value: '123ABC' },
      { ai: '21', value: '1234567890' },
    ]);
    // 01… 17… "1012" in C, then B for "3ABC", FNC1, back to C for the even run "211234567890".
    expect(data).toBe('>;>80109521234543213171001011012>63ABC>8>5211234567890');
  });

  it('escapes the ZPL invocation character', () => {
    expect(gs1128Data([{ ai: '10', value: 'A>B' }])).toBe('>;>810>6A>0B');
  });
});
