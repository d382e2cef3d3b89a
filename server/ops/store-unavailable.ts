/** Tells "Postgres is unreachable" apart from every other failure, so HTTP answers 503 STORE_UNAVAILABLE, not 500. */

/** Postgres SQLSTATEs that mean the server is going away or not accepting connections (class 08, 57P01–57P03). */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
const MESSAGES = [/^Connection terminated/, /^timeout exceeded when trying to connect/, /Client has encountered a connection error/, /^Query read timeout/];

export function isStoreUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message, errors } = error as { code?: unknown; message?: unknown; errors?: unknown };
  if (typeof code === 'string' && (code === 'STORE_UNAVAILABLE' || NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08'))) return true;
  if (typeof message === 'string' && MESSAGES.some((pattern) => pattern.test(message))) return true;
  // Node's AggregateError from a connect to several addresses (localhost: ::1 and 127.0.0.1).
  return Array.isArray(errors) && errors.some((inner) => isStoreUnavailable(inner));
}
