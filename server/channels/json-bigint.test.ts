import { describe, expect, it } from 'vitest';
import { parseJsonExact } from './json-bigint.ts';

describe('parseJsonExact', () => {
  it('keeps an id beyond 2^53 exact, as a string', () => {
    expect(JSON.parse('{"id":820982911946154508}')).toEqual({ id: 820982911946154500 });
    expect(parseJsonExact('{"id":820982911946154508,"name":"#9999"}')).toEqual({ id: '820982911946154508', name: '#9999' });
  });

  it('leaves small numbers, decimals, exponents and strings alone', () => {
    const text = '{"a":1,"b":-2.5,"c":1e21,"d":"820982911946154508","e":[123456789012345,-1234567890123456],"f":"say \\"99999999999999999\\""}';
    expect(parseJsonExact(text)).toEqual({
      a: 1,
      b: -2.5,
      c: 1e21,
      d: '820982911946154508',
      e: [123456789012345, '-1234567890123456'],
      f: 'say "99999999999999999"',
    });
  });

  it('handles nested arrays and whitespace, and rejects invalid JSON', () => {
    expect(parseJsonExact(' [ { "x" : 12345678901234567890 } ] ')).toEqual([{ x: '12345678901234567890' }]);
    expect(() => parseJsonExact('{"id": 820982911946154508')).toThrow(SyntaxError);
    expect(() => parseJsonExact('webhook_id=1')).toThrow(SyntaxError);
  });
});
