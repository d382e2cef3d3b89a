/** Principals for tests that are not about identity: the app built with `fixedPrincipal(SITE_MANAGER)` lets every staff route through. */
import type { Authenticator, Principal, Role } from '../auth/principal.ts';

export const SITE_MANAGER: Principal = { kind: 'user', id: 'U-test-manager', name: 'manager@test.floortwin', role: 'site-manager', tenantId: null };

/** A staff user of `role` (no tenant). */
export function staffUser(role: Exclude<Role, 'client-user' | 'client-admin' | 'integration'>): Principal {
  return { kind: 'user', id: `U-test-${role}`, name: `${role}@test.floortwin`, role, tenantId: null };
}

/** A client user of `tenantId`. */
export function clientUser(tenantId: string): Principal {
  return { kind: 'user', id: `U-test-${tenantId}-user`, name: `${tenantId}-user@test.floortwin`, role: 'client-user', tenantId };
}

/** A client admin of `tenantId`. */
export function clientAdmin(tenantId: string): Principal {
  return { kind: 'user', id: `U-test-${tenantId}-admin`, name: `${tenantId}-admin@test.floortwin`, role: 'client-admin', tenantId };
}

/** An integration API key of `tenantId`. */
export function integrationKey(tenantId: string): Principal {
  return { kind: 'api-key', id: `K-test-${tenantId}`, name: `${tenantId} integration`, role: 'integration', tenantId };
}

/** Every request is `principal`, whatever credential it carries (or none). */
export function fixedPrincipal(principal: Principal): Authenticator {
  return { authenticate: () => Promise.resolve(principal) };
}
