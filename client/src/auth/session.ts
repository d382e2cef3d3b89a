/**
 * What every page does when the server says nobody is signed in: go to the sign-in page once, with the page asked for
 * as `?next=`, so signing in comes back to it. Used by the JSON callers (`net/json-call.ts`, `net/api.ts`) on a 401
 * and by the sockets on a `connect_error` of `UNAUTHENTICATED`.
 */
import { isSignInPath, signInUrl } from './signin-logic.ts';

/** The part of `window.location` this needs (a stand-in in tests). */
export interface PageLocation {
  readonly pathname: string;
  readonly search: string;
  assign(url: string): void;
}

let redirecting = false;

const pageLocation = (): PageLocation | null => (typeof window === 'undefined' ? null : window.location);

/**
 * Sends the browser to the sign-in page (at most once per page; never from the sign-in page itself). Returns whether
 * it did.
 */
export function redirectToSignIn(location: PageLocation | null = pageLocation()): boolean {
  if (location === null || redirecting || isSignInPath(location.pathname)) return false;
  redirecting = true;
  location.assign(signInUrl(`${location.pathname}${location.search}`));
  return true;
}

/** For tests: forget that a redirect was made. */
export function resetRedirectForTests(): void {
  redirecting = false;
}

/** An HTTP status that means "sign in": redirects and answers true on 401. */
export function handleUnauthenticated(status: number): boolean {
  return status === 401 && redirectToSignIn();
}

/** The socket events {@link watchSocketAuth} needs (a Socket.IO client socket). */
export interface AuthWatchedSocket {
  on(event: 'connect_error', listener: (error: Error) => void): unknown;
  connect(): unknown;
  readonly active: boolean;
}

const RETRY_STARTING_MS = 2_000;

/**
 * Handles the handshake's refusals on a page's socket: `UNAUTHENTICATED` (no session, or it was revoked) → the
 * sign-in page; `UNAVAILABLE` (the server is starting) → connect again in a moment, since Socket.IO does not retry a
 * refused handshake by itself.
 */
export function watchSocketAuth<S extends AuthWatchedSocket>(socket: S, options: { readonly retryMs?: number; readonly onUnauthenticated?: () => void } = {}): S {
  socket.on('connect_error', (error) => {
    if (error.message === 'UNAUTHENTICATED') {
      (options.onUnauthenticated ?? (() => void redirectToSignIn()))();
    } else if (error.message === 'UNAVAILABLE' && !socket.active) {
      setTimeout(() => {
        if (!socket.active) socket.connect();
      }, options.retryMs ?? RETRY_STARTING_MS);
    }
  });
  return socket;
}
