/**
 * T5 (issue 9): the role × route matrix. The app is built with every router main.ts mounts and the REAL authenticator
 * on Postgres; one signed-in user per role (data/users.json) and an integration API key call every route the express
 * router stack holds. A forbidden call must be 403 FORBIDDEN; a permitted one must get past identity (neither 401 nor
 * 403). Every registered route must have a rule in route-policy.ts, and every exact rule must name a registered route.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allRouters, signIn, startAuthApi, type AuthApi } from '../testing/auth-api-on-postgres.ts';
import { registeredRoutes, type RegisteredRoute } from './authorize.ts';
import { ROLES, type Role } from './principal.ts';
import { ROUTE_POLICY, mayCall, ruleFor } from './route-policy.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const USER_OF_ROLE: Record<Exclude<Role, 'integration'>, string> = {
  'site-manager': 'manager@demo.floortwin',
  planner: 'planner@demo.floortwin',
  supervisor: 'supervisor@demo.floortwin',
  picker: 'picker@demo.floortwin',
  packer: 'packer@demo.floortwin',
  'client-user': 'acme-user@demo.floortwin',
  'client-admin': 'acme-admin@demo.floortwin',
};

/** A concrete URL for an express path: the demo site for :siteId, a plausible id elsewhere. */
function concrete(routePath: string): string {
  return routePath
    .replace(/:siteId\b/g, 'demo')
    .replace(/:(\w+)/g, 'T5-$1')
    .replace(/\*(\w+)/g, 'T5-$1')
    .replace(/[{}]/g, '');
}

interface Answer {
  readonly status: number;
  readonly code: string | null;
}

describe('T5 role × route matrix (real authenticator on Postgres)', () => {
  let api: AuthApi;
  let routes: RegisteredRoute[];
  const credentials = new Map<Role, { authorization?: string; cookie?: string }>();

  beforeAll(async () => {
    api = await startAuthApi('t5', { allRouters: true });
    routes = registeredRoutes(api.app);
    for (const [role, email] of Object.entries(USER_OF_ROLE) as [Role, string][]) {
      const token = await signIn(api.origin, email);
      // Web pages send the cookie; handheld/socket clients the bearer. Half the roles each.
      credentials.set(role, ROLES.indexOf(role) % 2 === 0 ? { cookie: `ft_session=${token}` } : { authorization: `Bearer ${token}` });
    }
    const key = await fetch(`${api.origin}/api/auth/api-keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...credentials.get('site-manager') },
      body: JSON.stringify({ label: 't5 integration', tenantId: 'acme' }),
    });
    credentials.set('integration', { authorization: `Bearer ${((await key.json()) as { key: string }).key}` });
  }, 180_000);
  afterAll(async () => {
    await api?.close();
  });

  async function send(route: RegisteredRoute, headers: Record<string, string>): Promise<Answer> {
    const write = route.method !== 'GET' && route.method !== 'DELETE';
    const res = await fetch(`${api.origin}${concrete(route.path)}`, {
      method: route.method,
      headers: write ? { ...headers, 'content-type': 'application/json' } : headers,
      ...(write ? { body: '{}' } : {}),
    });
    const text = await res.text();
    let code: string | null = null;
    try {
      code = (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? null;
    } catch {
      code = null;
    }
    return { status: res.status, code };
  }

  it('walks the real router stack: every registered route has a rule (deny by default), every exact rule a route', () => {
    expect(routes.length).toBeGreaterThan(100);
    const unruled = routes.filter((route) => !route.path.startsWith('regexp:') && ruleFor(route.method, route.path) === undefined);
    expect(unruled.map((r) => `${r.method} ${r.path}`)).toEqual([]);
    // No regular-expression route under /api (the only one is the client's app shell, not mounted here).
    expect(routes.filter((route) => route.path.startsWith('regexp:'))).toEqual([]);
    const registered = new Set(routes.map((route) => `${route.method} ${route.path}`));
    const stale = ROUTE_POLICY.filter((rule) => rule.prefix !== true && !registered.has(`${rule.method} ${rule.path}`));
    expect(stale.map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });

  it('mounts every router main.ts mounts (so a new router cannot slip past this matrix)', async () => {
    const main = await readFile(path.join(root, 'server/main.ts'), 'utf8');
    const inMain = new Set([...main.matchAll(/\b([a-z][A-Za-z]*Router)\(/g)].map((m) => m[1] ?? ''));
    const built = allRouters as unknown as { toString(): string };
    const here = new Set([...built.toString().matchAll(/\b([a-z][A-Za-z]*Router): /g)].map((m) => m[1] ?? ''));
    expect([...inMain].filter((name) => !here.has(name))).toEqual([]);
  });

  it('without a principal every non-open route is 401 UNAUTHENTICATED; open routes answer without one', async () => {
    const wrong: string[] = [];
    for (const route of routes) {
      const answer = await send(route, {});
      const open = ruleFor(route.method, route.path)?.access === 'open';
      if (open ? answer.code === 'UNAUTHENTICATED' || answer.code === 'FORBIDDEN' : answer.status !== 401 || answer.code !== 'UNAUTHENTICATED')
        wrong.push(`${route.method} ${route.path}: ${answer.status} ${answer.code}`);
    }
    expect(wrong).toEqual([]);
  });

  it('every route × every role: forbidden → 403 FORBIDDEN, permitted → neither 401 nor 403', { timeout: 600_000 }, async () => {
    // Sign-out ends the caller's session, so it goes last.
    const ordered = [...routes.filter((r) => r.path !== '/api/auth/sign-out'), ...routes.filter((r) => r.path === '/api/auth/sign-out')];
    const wrong: string[] = [];
    let forbidden = 0;
    let permitted = 0;
    await Promise.all(
      ROLES.map(async (role) => {
        const headers = credentials.get(role) as Record<string, string>;
        for (const route of ordered) {
          if (ruleFor(route.method, route.path)?.access === 'open') continue;
          const allowed = mayCall(role, route.method, route.path);
          const answer = await send(route, headers);
          if (allowed) {
            permitted++;
            if (answer.status === 401 || answer.status === 403) wrong.push(`${role} ${route.method} ${route.path}: permitted but ${answer.status} ${answer.code}`);
          } else {
            forbidden++;
            if (answer.status !== 403 || answer.code !== 'FORBIDDEN') wrong.push(`${role} ${route.method} ${route.path}: forbidden but ${answer.status} ${answer.code}`);
          }
        }
      }),
    );
    expect(wrong).toEqual([]);
    // Not vacuous: both sides of the matrix were exercised.
    expect(forbidden).toBeGreaterThan(400);
    expect(permitted).toBeGreaterThan(200);
    console.log(`T5: ${routes.length} routes × ${ROLES.length} roles: ${forbidden} forbidden calls all 403, ${permitted} permitted calls none 401/403`);
  });
});
