/** The CSV reader behind the order import (RFC 4180: quotes, escaped quotes, CRLF, line numbers). */
import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, parseCsv } from './order-import.routes.ts';

const fields = (text: string) => parseCsv(text).map((r) => r.fields);

describe('parseCsv', () => {
  it('splits records on LF, CRLF and CR, with or without a final line break', () => {
    expect(fields('a,b\n1,2\n')).toEqual([['a', 'b'], ['1', '2']]);
    expect(fields('a,b\r\n1,2\r\n3,4')).toEqual([['a', 'b'], ['1', '2'], ['3', '4']]);
    expect(fields('a,b\r1,2')).toEqual([['a', 'b'], ['1', '2']]);
  });

  it('keeps empty fields and skips blank lines', () => {
    expect(fields('a,,c\n\n,,\n\r\nx\n')).toEqual([['a', '', 'c'], ['', '', ''], ['x']]);
  });

  it('reads quoted fields with commas, escaped quotes and line breaks', () => {
    expect(fields('ref,name\nR1,"Smith, Jane"\nR2,"She said ""hi"""\nR3,"two\r\nlines"\nR4,""\n')).toEqual([
      ['ref', 'name'],
      ['R1', 'Smith, Jane'],
      ['R2', 'She said "hi"'],
      ['R3', 'two\r\nlines'],
      ['R4', ''],
    ]);
  });

  it('numbers records by the line they start on, counting line breaks inside quotes', () => {
    const records = parseCsv('h\n"a\nb"\r\n\nc\n"d\r\ne\rf"\ng');
    expect(records.map((r) => [r.line, r.fields[0]])).toEqual([
      [1, 'h'],
      [2, 'a\nb'],
      [5, 'c'],
      [6, 'd\r\ne\rf'],
      [9, 'g'],
    ]);
  });

  it('rejects broken quoting with the line number', () => {
    const lineOf = (text: string) => {
      try {
        parseCsv(text);
      } catch (err) {
        expect(err).toBeInstanceOf(CsvSyntaxError);
        return (err as CsvSyntaxError).line;
      }
      return null;
    };
    expect(lineOf('a,b\n1,"open\n2,3\n')).toBe(2);
    expect(lineOf('a,b\n1,2\n3,"x"y\n')).toBe(3);
    expect(lineOf('a,b\n1,ab"c\n')).toBe(2);
  });
});
