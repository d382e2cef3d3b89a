/**
 * The auth routes as the pages use them (same origin; the session cookie is HttpOnly, so a page learns who is signed
 * in only from `GET /api/auth/me`). These calls never redirect on a 401: they are how the sign-in flow finds out.
 */
import { retryAfterSeconds, type SignInFailure } from './signin-logic.ts';

/** Who is signed in, as `GET /api/auth/me` answers (`Principal` in server/auth/principal.ts). */
export interface SessionPrincipal {
  readonly kind: 'user' | 'api-key';
  readonly id: string;
  /** E-mail (or key label). */
  readonly name: string;
  readonly role: string;
  readonly tenantId: string | null;
}

/** The user `POST /api/auth/sign-in` answers with. */
export interface SignedInUser {
  readonly id: string;
  readonly email: string;
  readonly role: string;
  readonly tenantId: string | null;
}

/** A refused sign-in, with what the page needs to say why. */
export class SignInError extends Error implements SignInFailure {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterS: number | null = null,
  ) {
    super(message);
  }
}

type ErrorBody = { error?: { code?: string; message?: string } } | null;

const readJson = async (response: Response): Promise<unknown> => response.json().catch(() => null);

/** Signs in; the answer sets the session cookie. Throws {@link SignInError}. */
export async function signIn(email: string, password: string, signal?: AbortSignal): Promise<SignedInUser> {
  let response: Response;
  try {
    response = await fetch('/api/auth/sign-in', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify({ email: email.trim(), password }),
      signal: signal ?? null,
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new SignInError(0, 'NETWORK', 'Cannot reach the server.');
  }
  const body = await readJson(response);
  if (!response.ok) {
    const error = (body as ErrorBody)?.error;
    throw new SignInError(
      response.status,
      error?.code ?? `HTTP_${response.status}`,
      error?.message ?? `HTTP ${response.status}`,
      retryAfterSeconds(response.headers.get('retry-after'), Date.now()),
    );
  }
  const user = (body as { user?: SignedInUser } | null)?.user;
  if (user === undefined || typeof user.role !== 'string') throw new SignInError(response.status, 'BAD_ANSWER', 'The server answered without a user.');
  return user;
}

/** Who is signed in, or null when nobody is (401). Throws on any other failure (the server is down, …). */
export async function fetchMe(signal?: AbortSignal): Promise<SessionPrincipal | null> {
  const response = await fetch('/api/auth/me', { credentials: 'same-origin', headers: { accept: 'application/json' }, signal: signal ?? null });
  if (response.status === 401) return null;
  if (!response.ok) throw new Error(`/api/auth/me: HTTP ${response.status}`);
  const principal = ((await readJson(response)) as { principal?: SessionPrincipal } | null)?.principal;
  if (principal === undefined || typeof principal.role !== 'string') throw new Error('/api/auth/me: no principal');
  return principal;
}

/** Ends the session (the server revokes it and clears the cookie). A session that is already gone is not an error. */
export async function signOut(): Promise<void> {
  const response = await fetch('/api/auth/sign-out', { method: 'POST', credentials: 'same-origin', headers: { accept: 'application/json' } });
  if (!response.ok && response.status !== 401) throw new Error(`sign-out: HTTP ${response.status}`);
}
