/**
 * One way for the handheld, pack and planner pages to call the JSON API: same origin, JSON in and out, and every
 * refusal thrown as the page's own error class carrying the server's `{ error: { code, message, details } }` (or
 * status 0 / `NETWORK` when the server cannot be reached), so a page shows the server's words as they are. A 401 (no
 * session, or it expired) also sends the browser to the sign-in page, which comes back here afterwards.
 */
import { handleUnauthenticated } from '../auth/session.ts';

/** What every page's API error is: the server's status, code, message and details (status 0 / `NETWORK` offline).
 * Pages subclass it so a catch can tell whose call failed; the name is the subclass's. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown = null,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** An error class a page throws: status, code, message and the server's details. */
export type ApiErrorClass<E extends Error> = new (status: number, code: string, message: string, details?: unknown) => E;

/** A page's `call(method, path, body?, signal?)`, throwing `ErrorClass`. */
export function jsonCaller<E extends Error>(ErrorClass: ApiErrorClass<E>) {
  return async function call<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    let response: Response;
    try {
      response = await fetch(path, {
        method,
        signal: signal ?? null,
        headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      // A cancelled request is the caller's doing, not a network failure.
      if (signal?.aborted) throw error;
      throw new ErrorClass(0, 'NETWORK', 'Cannot reach the server. Check the connection and try again.');
    }
    const payload = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string; details?: unknown } } | null;
    if (!response.ok) {
      handleUnauthenticated(response.status);
      const error = payload?.error;
      throw new ErrorClass(response.status, error?.code ?? `HTTP_${response.status}`, error?.message ?? `HTTP ${response.status}`, error?.details ?? null);
    }
    return payload as T;
  };
}
