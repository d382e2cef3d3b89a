/** Result of parsing untrusted input: a value, or one line saying what is wrong. */
export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** Wraps a parsed value. */
export const parsed = <T>(value: T): ParseResult<T> => ({ ok: true, value });

/** Wraps a one-line error (newlines are flattened so the CLI can print it as one line). */
export const parseError = <T>(error: string): ParseResult<T> => ({ ok: false, error: error.replace(/\s*\n\s*/g, ' ') });

/** True for a plain JSON object (not null, not an array). */
export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Short JSON rendering of a bad value for error messages. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v) ?? typeof v;
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}
