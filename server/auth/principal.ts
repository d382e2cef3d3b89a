/**
 * Who is calling: roles, the principal of a request, and the `Authenticator` port that turns a credential (session
 * token or API key) into a principal. Everything else in server/auth builds on these types.
 */
import type { Response } from 'express';

/** Warehouse staff roles, then the 3PL client roles, then machine keys. */
export type Role = 'site-manager' | 'planner' | 'supervisor' | 'picker' | 'packer' | 'client-user' | 'client-admin' | 'integration';

export const ROLES: readonly Role[] = ['site-manager', 'planner', 'supervisor', 'picker', 'packer', 'client-user', 'client-admin', 'integration'];
/** The people of the warehouse operator: no tenant, never the portal. */
export const STAFF_ROLES: readonly Role[] = ['site-manager', 'planner', 'supervisor', 'picker', 'packer'];
/** People of a 3PL client: always one tenant, only the portal. */
export const CLIENT_ROLES: readonly Role[] = ['client-user', 'client-admin'];
/** Roles that belong to one tenant (client people and integration keys). */
export const TENANT_ROLES: readonly Role[] = ['client-user', 'client-admin', 'integration'];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export interface Principal {
  readonly kind: 'user' | 'api-key';
  /** User id or key id. */
  readonly id: string;
  /** E-mail or key label. */
  readonly name: string;
  readonly role: Role;
  /**
   * The 3PL client this principal belongs to; null for warehouse staff. client-user, client-admin and integration
   * always have one.
   */
  readonly tenantId: string | null;
}

/** The credentials a request carries: `Authorization: Bearer …` and/or the `ft_session` cookie. */
export interface Credential {
  readonly bearer?: string;
  readonly sessionCookie?: string;
}

/** Port: how a request's credentials become a principal. Real one: Postgres-backed sessions and API keys. */
export interface Authenticator {
  authenticate(credential: Credential): Promise<Principal | null>;
  /** The principal when it is known without I/O (a recent lookup still cached), else undefined: then ask `authenticate`. */
  known?(credential: Credential): Principal | undefined;
}

/** The principal of a request, set by the authenticate middleware (401 before any route when absent). */
export function principalOf(res: Response): Principal {
  const principal = (res.locals as { principal?: Principal }).principal;
  if (principal === undefined) throw new Error('no principal on this request: is the route behind authenticate()?');
  return principal;
}

/** Knows nobody: every request is 401 (the app before the store is up, where everything answers 503 anyway). */
export const NOBODY: Authenticator = { authenticate: () => Promise.resolve(null) };
