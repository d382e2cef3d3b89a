/**
 * JSON parsing that keeps large integers exact. Shopify ids exceed 2^53, and `JSON.parse` silently rounds
 * `820982911946154508` to `820982911946154500`; here every integer literal of more than 15 digits becomes a string.
 */

const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
/** 15 digits always fit a double exactly; longer integers are kept as their literal text. */
const MAX_EXACT_DIGITS = 15;

/**
 * Parses `text` like `JSON.parse`, except that integer literals of more than 15 digits come back as strings
 * (e.g. `{"id":820982911946154508}` → `{ id: '820982911946154508' }`). Throws SyntaxError on invalid JSON.
 */
export function parseJsonExact(text: string): unknown {
  let out = '';
  let copied = 0;
  let i = 0;
  while (i < text.length) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22 /* " */) {
      // Skip a string literal, honouring escapes, so digits inside strings are never touched.
      i++;
      while (i < text.length) {
        const c = text.charCodeAt(i);
        if (c === 0x5c /* \ */) i += 2;
        else if (c === 0x22) {
          i++;
          break;
        } else i++;
      }
      continue;
    }
    if (ch === 0x2d /* - */ || (ch >= 0x30 && ch <= 0x39)) {
      NUMBER.lastIndex = i;
      const match = NUMBER.exec(text);
      if (match === null) {
        i++;
        continue;
      }
      const literal = match[0];
      const isInteger = !/[.eE]/.test(literal);
      const digits = literal.startsWith('-') ? literal.length - 1 : literal.length;
      if (isInteger && digits > MAX_EXACT_DIGITS) {
        out += `${text.slice(copied, i)}"${literal}"`;
        copied = i + literal.length;
      }
      i += literal.length;
      continue;
    }
    i++;
  }
  return JSON.parse(copied === 0 ? text : out + text.slice(copied)) as unknown;
}
