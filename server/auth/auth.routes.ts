/**
 * Identity routes: sign-in (open), sign-out, me, users (site manager) and API keys (site manager: any tenant;
 * client-admin: its own tenant). Thin: zod at the edge, one call into `PgAuthStore`.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { sendError } from '../api/http-error.ts';
import { parseOr400 } from '../api/params.ts';
import { DuplicateEmailError, type PgAuthStore } from './auth-store.pg.ts';
import { SESSION_COOKIE, credentialOf } from './authenticate.ts';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './passwords.ts';
import { CLIENT_ROLES, ROLES, STAFF_ROLES, TENANT_ROLES, principalOf, type Role } from './principal.ts';
import type { BucketLimit, RateLimiter } from './rate-limit.ts';

export interface AuthRoutesDeps {
  readonly accounts: PgAuthStore;
  /** Tenant ids a client user or key may belong to (the sites' clients). */
  readonly knownTenants: () => readonly string[];
  /** Sign-in attempts per e-mail (brute force); absent → unlimited. */
  readonly signInLimit?: { readonly limiter: RateLimiter; readonly limit: BucketLimit };
}

const Email = z.string().trim().min(3).max(254).regex(/^[^\s@]+@[^\s@]+$/, 'must be an e-mail address');
const SignIn = z.strictObject({ email: Email, password: z.string().min(1).max(MAX_PASSWORD_LENGTH) });
const Password = z.string().min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`).max(MAX_PASSWORD_LENGTH);
const TenantId = z.string().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);
const UserRole = z.enum([...STAFF_ROLES, ...CLIENT_ROLES] as [Exclude<Role, 'integration'>, ...Exclude<Role, 'integration'>[]]);
const NewUser = z.strictObject({ email: Email, password: Password, role: UserRole, tenantId: TenantId.nullable().optional() });
const UserChange = z
  .strictObject({ role: UserRole.optional(), tenantId: TenantId.nullable().optional(), password: Password.optional(), disabled: z.boolean().optional() })
  .refine((change) => Object.keys(change).length > 0, 'name at least one of role, tenantId, password, disabled');
const NewKey = z.strictObject({
  label: z.string().trim().min(1).max(100),
  role: z.enum(ROLES as [Role, ...Role[]]).default('integration'),
  tenantId: TenantId.nullable().optional(),
});
const IdParam = z.string().min(1).max(64).regex(/^[A-Za-z0-9-]+$/);

/** A role that belongs to a tenant needs a known one; a staff role must have none. Null when fine, else the message. */
function tenantProblem(role: Role, tenantId: string | null, known: readonly string[]): string | null {
  if (TENANT_ROLES.includes(role)) {
    if (tenantId === null) return `role '${role}' needs a tenantId`;
    if (!known.includes(tenantId)) return `unknown tenant '${tenantId}'`;
    return null;
  }
  return tenantId === null ? null : `role '${role}' is warehouse staff and takes no tenantId`;
}

function sessionCookie(req: Request, token: string, maxAgeSeconds: number): string {
  const secure = req.secure ? '; Secure' : '';
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure}`;
}

/** POST /api/auth/sign-in: needs no principal; mounted before `authenticate`. */
export function signInRouter(deps: AuthRoutesDeps): Router {
  const router = Router();
  router.post('/api/auth/sign-in', async (req, res) => {
    const body = parseOr400(SignIn, req.body, res, 'body');
    if (!body) return;
    if (deps.signInLimit) {
      const taken = await deps.signInLimit.limiter.take([{ key: `sign-in:${body.email.toLowerCase()}`, limit: deps.signInLimit.limit }]);
      if (!taken.allowed) {
        const retryAfterSeconds = Math.max(1, Math.ceil(taken.retryAfterMs / 1000));
        res.setHeader('Retry-After', String(retryAfterSeconds));
        return sendError(res, 429, 'RATE_LIMITED', `too many sign-in attempts for this e-mail; retry after ${retryAfterSeconds} s`, { retryAfterSeconds, scopes: ['sign-in'] });
      }
    }
    const session = await deps.accounts.signIn(body.email, body.password);
    if (!session) return sendError(res, 401, 'UNAUTHENTICATED', 'e-mail or password is wrong');
    const { user } = session;
    res.setHeader('Set-Cookie', sessionCookie(req, session.token, Math.floor(deps.accounts.sessionTtlMs / 1000)));
    res.setHeader('Cache-Control', 'no-store');
    res.json({ user: { id: user.id, email: user.email, role: user.role, tenantId: user.tenantId }, token: session.token, expiresAt: session.expiresAt.toISOString() });
  });
  return router;
}

/** Everything else under /api/auth: behind `authenticate` and the route policy. */
export function authRouter(deps: AuthRoutesDeps): Router {
  const router = Router();
  const { accounts } = deps;

  router.post('/api/auth/sign-out', async (req, res) => {
    const credential = credentialOf(req.headers);
    const principal = principalOf(res);
    // Only a session ends here; an API key is revoked through DELETE /api/auth/api-keys/:keyId.
    if (principal.kind === 'user') {
      for (const token of [credential.bearer, credential.sessionCookie]) if (token !== undefined) await accounts.signOut(token);
    }
    res.setHeader('Set-Cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`);
    res.json({ signedOut: principal.kind === 'user' });
  });

  router.get('/api/auth/me', (_req, res) => {
    res.json({ principal: principalOf(res) });
  });

  router.get('/api/auth/users', async (_req, res) => {
    res.json({ users: await accounts.listUsers() });
  });

  router.post('/api/auth/users', async (req, res) => {
    const body = parseOr400(NewUser, req.body, res, 'body');
    if (!body) return;
    const tenantId = body.tenantId ?? null;
    const problem = tenantProblem(body.role, tenantId, deps.knownTenants());
    if (problem) return sendError(res, 422, 'INVALID_TENANT', problem, { role: body.role, tenantId });
    try {
      res.status(201).json({ user: await accounts.createUser({ email: body.email, password: body.password, role: body.role, tenantId }) });
    } catch (error) {
      if (error instanceof DuplicateEmailError) return sendError(res, 409, 'DUPLICATE_EMAIL', error.message, { email: error.email });
      throw error;
    }
  });

  router.patch('/api/auth/users/:userId', async (req, res) => {
    const userId = parseOr400(IdParam, req.params['userId'], res, 'path');
    if (userId === undefined) return;
    const change = parseOr400(UserChange, req.body, res, 'body');
    if (!change) return;
    const current = await accounts.user(userId);
    if (!current) return sendError(res, 404, 'UNKNOWN_USER', `no user '${userId}'`, { userId });
    const me = principalOf(res);
    if (me.kind === 'user' && me.id === userId && (change.disabled === true || (change.role !== undefined && change.role !== current.role)))
      return sendError(res, 409, 'SELF_LOCKOUT', 'you may not disable yourself or change your own role', { userId });
    const role = change.role ?? current.role;
    const tenantId = change.tenantId !== undefined ? change.tenantId : TENANT_ROLES.includes(role) ? current.tenantId : null;
    const problem = tenantProblem(role, tenantId, deps.knownTenants());
    if (problem) return sendError(res, 422, 'INVALID_TENANT', problem, { role, tenantId });
    const user = await accounts.updateUser(userId, {
      ...(change.role === undefined ? {} : { role: change.role }),
      ...(tenantId === current.tenantId ? {} : { tenantId }),
      ...(change.password === undefined ? {} : { password: change.password }),
      ...(change.disabled === undefined ? {} : { disabled: change.disabled }),
    });
    if (!user) return sendError(res, 404, 'UNKNOWN_USER', `no user '${userId}'`, { userId });
    res.json({ user });
  });

  /** A client-admin sees and manages only its own tenant's keys; staff (site manager) every key. */
  const keyScope = (res: Response): string | undefined => {
    const me = principalOf(res);
    return me.role === 'site-manager' ? undefined : (me.tenantId ?? '\u0000none');
  };

  router.get('/api/auth/api-keys', async (_req, res) => {
    res.json({ keys: await accounts.listApiKeys(keyScope(res)) });
  });

  router.post('/api/auth/api-keys', async (req, res) => {
    const body = parseOr400(NewKey, req.body, res, 'body');
    if (!body) return;
    const me = principalOf(res);
    let tenantId = body.tenantId ?? null;
    if (me.role !== 'site-manager') {
      if (body.role !== 'integration') return sendError(res, 403, 'FORBIDDEN', `a ${me.role} may create only 'integration' keys`, { role: body.role });
      if (tenantId !== null && tenantId !== me.tenantId) return sendError(res, 403, 'FORBIDDEN', 'a client-admin may create keys for its own tenant only', { tenantId });
      tenantId = me.tenantId;
    }
    const problem = tenantProblem(body.role, tenantId, deps.knownTenants());
    if (problem) return sendError(res, 422, 'INVALID_TENANT', problem, { role: body.role, tenantId });
    const created = await accounts.createApiKey({ label: body.label, role: body.role, tenantId, createdBy: me.id });
    res.setHeader('Cache-Control', 'no-store');
    // The only time the key is shown: only its sha256 is stored.
    res.status(201).json({ id: created.id, key: created.key, apiKey: created.info });
  });

  router.delete('/api/auth/api-keys/:keyId', async (req, res) => {
    const keyId = parseOr400(IdParam, req.params['keyId'], res, 'path');
    if (keyId === undefined) return;
    if (!(await accounts.revokeApiKey(keyId, keyScope(res)))) return sendError(res, 404, 'UNKNOWN_API_KEY', `no API key '${keyId}'`, { keyId });
    res.json({ revoked: true, id: keyId });
  });

  return router;
}
