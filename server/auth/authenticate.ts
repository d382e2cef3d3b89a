/**
 * The authenticate middleware: reads `Authorization: Bearer <token|key>` or the `ft_session` cookie, asks the
 * `Authenticator`, and puts the principal on `res.locals.principal`. No valid credential → 401 UNAUTHENTICATED before
 * any route runs.
 */
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import { sendError } from '../api/http-error.ts';
import type { Authenticator, Credential, Principal } from './principal.ts';

export const SESSION_COOKIE = 'ft_session';

/** The value of cookie `name` in a Cookie header, or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const raw = part.slice(eq + 1).trim();
    try {
      return decodeURIComponent(raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The credentials of a request as the `Authenticator` takes them. */
export function credentialOf(headers: { authorization?: string | undefined; cookie?: string | undefined }): Credential {
  const bearer = /^Bearer\s+(\S{1,512})\s*$/i.exec(headers.authorization ?? '')?.[1];
  const sessionCookie = cookieValue(headers.cookie, SESSION_COOKIE);
  return { ...(bearer === undefined ? {} : { bearer }), ...(sessionCookie === undefined ? {} : { sessionCookie }) };
}

/** Principals looked up for a request before express ran (server/auth/rate-limit.ts `earlyRefusal`), by request. */
const resolvedBeforeExpress = new WeakMap<IncomingMessage, Principal>();

/** Hands `authenticate` the principal already looked up for `req`, so its credential is not parsed and hashed twice. */
export function rememberPrincipal(req: IncomingMessage, principal: Principal): void {
  resolvedBeforeExpress.set(req, principal);
}

export function authenticate(authenticator: Authenticator): RequestHandler {
  return (req, res, next) => {
    const resolved = resolvedBeforeExpress.get(req);
    if (resolved !== undefined) {
      res.locals['principal'] = resolved;
      return next();
    }
    const credential = credentialOf(req.headers);
    // A cached principal goes on at once (no promise): most requests, and every one of a flood.
    const known = authenticator.known?.(credential);
    if (known !== undefined) {
      res.locals['principal'] = known;
      return next();
    }
    const none = credential.bearer === undefined && credential.sessionCookie === undefined;
    // Asked even without a credential: a test authenticator (fixedPrincipal) answers every request.
    authenticator.authenticate(credential).then(
      (principal) => {
        if (principal === null)
          return sendError(res, 401, 'UNAUTHENTICATED', none ? 'sign in first: send the session cookie or an Authorization: Bearer token' : 'the session or API key is not valid (expired, revoked or unknown)');
        res.locals['principal'] = principal;
        next();
      },
      (error: unknown) => next(error),
    );
  };
}
