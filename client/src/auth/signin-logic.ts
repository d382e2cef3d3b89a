/**
 * The sign-in page's decisions, pure so they are tested without a browser: where to go after signing in (only a path
 * of this site, never another origin), which pages a role may land on, what the form says about its fields, and how
 * a refusal reads.
 */

/** Path of the sign-in page. */
export const SIGN_IN_PATH = '/signin';
/** Path of the client portal: the only pages of a client role. */
export const PORTAL_PATH = '/portal';

/** Roles of the 3PL's clients (server/auth/principal.ts `CLIENT_ROLES`); they see the portal, never staff pages. */
const CLIENT_ROLES: readonly string[] = ['client-user', 'client-admin'];

/** How each role reads on the page. */
const ROLE_LABELS: Readonly<Record<string, string>> = {
  'site-manager': 'site manager',
  planner: 'planner',
  supervisor: 'supervisor',
  picker: 'picker',
  packer: 'packer',
  'client-user': 'client user',
  'client-admin': 'client admin',
  integration: 'integration key',
};

export const roleLabel = (role: string): string => ROLE_LABELS[role] ?? role;

export const isClientRole = (role: string): boolean => CLIENT_ROLES.includes(role);

const isUnder = (path: string, prefix: string): boolean => path === prefix || path.startsWith(`${prefix}/`) || path.startsWith(`${prefix}?`);

/** True for the portal's pages. */
export const isPortalPath = (path: string): boolean => isUnder(path, PORTAL_PATH);

/** True for the sign-in page itself (never a place to return to). */
export const isSignInPath = (path: string): boolean => isUnder(path, SIGN_IN_PATH);

/**
 * The page to return to from `?next=`: a path on this site (starts with one `/`, no scheme, no `//` or `/\` that a
 * browser would read as another host, no control characters), not the sign-in page; otherwise `/`.
 */
export function safeNextPath(raw: string | null | undefined): string {
  if (raw === null || raw === undefined || raw.length === 0 || raw.length > 2_000) return '/';
  if (!raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return '/';
  // eslint-disable-next-line no-control-regex -- rejecting control characters is the point
  if (/[\u0000-\u001f\u007f\\]/.test(raw)) return '/';
  if (isSignInPath(raw)) return '/';
  return raw;
}

/** The sign-in page's URL that comes back to `pathAndSearch` afterwards. */
export function signInUrl(pathAndSearch: string): string {
  const next = safeNextPath(pathAndSearch);
  return next === '/' ? SIGN_IN_PATH : `${SIGN_IN_PATH}?next=${encodeURIComponent(next)}`;
}

/**
 * Where a signed-in role may be on `path`, or null when it may stay: client roles belong on the portal, staff on
 * the staff pages (the portal would refuse them).
 */
export function redirectFor(role: string, path: string): string | null {
  if (isClientRole(role)) return isPortalPath(path) ? null : PORTAL_PATH;
  if (isPortalPath(path)) return '/';
  return null;
}

/** The page to open after signing in as `role`, given the `?next=` asked for. */
export function landingAfterSignIn(role: string, next: string | null | undefined): string {
  const wanted = safeNextPath(next);
  return redirectFor(role, wanted) ?? wanted;
}

/** The form's fields. */
export interface SignInFields {
  readonly email: string;
  readonly password: string;
}

/** What is wrong with each field before anything is sent (empty object: nothing). */
export interface FieldErrors {
  email?: string;
  password?: string;
}

/** Checks the form before sending: an e-mail address, and a password (at most 256 characters). */
export function validateSignIn(fields: SignInFields): FieldErrors {
  const errors: FieldErrors = {};
  const email = fields.email.trim();
  if (email.length === 0) errors.email = 'Enter your e-mail address.';
  else if (email.length > 254 || !/^[^\s@]+@[^\s@]+$/.test(email)) errors.email = 'Enter an e-mail address like name@example.com.';
  if (fields.password.length === 0) errors.password = 'Enter your password.';
  else if (fields.password.length > 256) errors.password = 'That password is too long (256 characters at most).';
  return errors;
}

/** A refusal of `POST /api/auth/sign-in` (status 0: the server could not be reached). */
export interface SignInFailure {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  /** Seconds from `Retry-After` on a 429. */
  readonly retryAfterS?: number | null;
}

/** How a refusal reads on the page: plain words, and what to do next. */
export function signInErrorMessage(failure: SignInFailure): string {
  if (failure.status === 0) return 'Cannot reach the server. Check the connection and try again.';
  if (failure.status === 401 || failure.code === 'UNAUTHENTICATED') return 'That e-mail and password do not match an account. Check them and try again.';
  if (failure.status === 429 || failure.code === 'RATE_LIMITED') {
    const wait = failure.retryAfterS ?? null;
    return wait !== null && wait > 0
      ? `Too many attempts. Wait ${wait === 1 ? '1 second' : `${Math.ceil(wait)} seconds`} and try again.`
      : 'Too many attempts. Wait a moment and try again.';
  }
  if (failure.status === 400) return `The server refused the form: ${failure.message}`;
  if (failure.status >= 500) return 'The server could not sign you in just now. Try again in a moment.';
  return failure.message;
}

/** Seconds in a `Retry-After` header (a number of seconds; an HTTP date is read against `nowMs`), or null. */
export function retryAfterSeconds(header: string | null, nowMs: number): number | null {
  if (header === null || header.trim() === '') return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - nowMs) / 1000));
}
