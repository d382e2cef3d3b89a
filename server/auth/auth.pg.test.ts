/**
 * Identity over HTTP with the real authenticator on Postgres: sign-in, sessions (cookie and bearer), sign-out,
 * expiry, revocation, users admin, API keys (shown once, stored as sha256, revoked → 401, client-admin scoped).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthApi, signIn, TEST_PASSWORD, type AuthApi } from '../testing/auth-api-on-postgres.ts';
import { PgAuthStore, sha256Hex } from './auth-store.pg.ts';

interface ErrorBody {
  error: { code: string; message: string; details: unknown };
}

describe('identity: sign-in, sessions and API keys on Postgres', () => {
  let api: AuthApi;
  const TTL_MS = 3_600_000;

  beforeAll(async () => {
    api = await startAuthApi('auth', { sessionTtlMs: TTL_MS });
  }, 120_000);
  afterAll(async () => {
    await api?.close();
  });

  const call = async (method: string, path: string, options: { token?: string; cookie?: string; body?: unknown } = {}): Promise<{ status: number; body: unknown; headers: Headers }> => {
    const headers: Record<string, string> = {};
    if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
    if (options.cookie !== undefined) headers['cookie'] = options.cookie;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${api.origin}${path}`, { method, headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) });
    const text = await res.text();
    return { status: res.status, body: text === '' ? null : (JSON.parse(text) as unknown), headers: res.headers };
  };
  const code = (body: unknown): string => (body as ErrorBody).error.code;

  it('seeded one user per role from data/users.json, passwords hashed with scrypt', async () => {
    const users = await api.accounts.listUsers();
    expect(users.map((u) => u.role).sort()).toEqual(
      ['client-admin', 'client-admin', 'client-admin', 'client-user', 'client-user', 'client-user', 'packer', 'picker', 'planner', 'site-manager', 'supervisor'],
    );
    const rows = await api.store.pool.query<{ password_hash: string }>(`SELECT password_hash FROM ${api.store.tables.schema}.users`);
    for (const row of rows.rows) {
      expect(row.password_hash.startsWith('scrypt$')).toBe(true);
      expect(row.password_hash).not.toContain(TEST_PASSWORD);
    }
  });

  it('without a credential every /api route but sign-in is 401 UNAUTHENTICATED; /healthz stays open', async () => {
    for (const [method, path] of [['GET', '/api/sites'], ['GET', '/api/auth/me'], ['POST', '/api/sites/demo/orders'], ['GET', '/api/no-such-route']] as const) {
      const res = await call(method, path, method === 'POST' ? { body: {} } : {});
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(code(res.body)).toBe('UNAUTHENTICATED');
    }
    expect((await fetch(`${api.origin}/healthz`)).status).toBe(200);
    const garbage = await call('GET', '/api/sites', { token: 'fts_not-a-real-token' });
    expect(garbage.status).toBe(401);
  });

  it('signs in with the right password: a session cookie (HttpOnly, SameSite=Lax) and the token in the body', async () => {
    const res = await call('POST', '/api/auth/sign-in', { body: { email: 'Manager@Demo.Floortwin', password: TEST_PASSWORD } });
    expect(res.status).toBe(200);
    const body = res.body as { user: { email: string; role: string; tenantId: string | null }; token: string };
    expect(body.user).toMatchObject({ email: 'manager@demo.floortwin', role: 'site-manager', tenantId: null });
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toContain(`ft_session=${body.token}`);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\//);
    // The cookie and the bearer both work.
    const viaCookie = await call('GET', '/api/auth/me', { cookie: `ft_session=${body.token}` });
    expect(viaCookie.status).toBe(200);
    expect(viaCookie.body).toMatchObject({ principal: { kind: 'user', role: 'site-manager', name: 'manager@demo.floortwin', tenantId: null } });
    expect((await call('GET', '/api/sites', { token: body.token })).status).toBe(200);
    // Only the sha256 of the token is stored.
    const stored = await api.store.pool.query<{ token_hash: string }>(`SELECT token_hash FROM ${api.store.tables.schema}.sessions`);
    expect(stored.rows.map((r) => r.token_hash)).toContain(sha256Hex(body.token));
    expect(JSON.stringify(stored.rows)).not.toContain(body.token);
  });

  it('refuses a wrong password and an unknown e-mail with the same 401, and a malformed body with 400', async () => {
    const wrong = await call('POST', '/api/auth/sign-in', { body: { email: 'manager@demo.floortwin', password: 'not-the-password' } });
    const unknown = await call('POST', '/api/auth/sign-in', { body: { email: 'nobody@demo.floortwin', password: TEST_PASSWORD } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const bad = await call('POST', '/api/auth/sign-in', { body: { email: 'manager@demo.floortwin' } });
    expect(bad.status).toBe(400);
    expect(code(bad.body)).toBe('VALIDATION_FAILED');
  });

  it('sign-out ends the session: the same token is 401 afterwards, other sessions of the user live on', async () => {
    const a = await signIn(api.origin, 'planner@demo.floortwin');
    const b = await signIn(api.origin, 'planner@demo.floortwin');
    const out = await call('POST', '/api/auth/sign-out', { cookie: `ft_session=${a}` });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/ft_session=;.*Max-Age=0/);
    expect((await call('GET', '/api/auth/me', { token: a })).status).toBe(401);
    expect((await call('GET', '/api/auth/me', { token: b })).status).toBe(200);
  });

  it('a session expires after its lifetime', async () => {
    const token = await signIn(api.origin, 'supervisor@demo.floortwin');
    api.shiftClock(TTL_MS - 60_000);
    expect((await call('GET', '/api/auth/me', { token })).status).toBe(200);
    api.shiftClock(120_000);
    const expired = await call('GET', '/api/auth/me', { token });
    expect(expired.status).toBe(401);
    expect(code(expired.body)).toBe('UNAUTHENTICATED');
  });

  it('users admin (site manager): create, change password → old sessions revoked, disable → cannot sign in', async () => {
    const manager = await signIn(api.origin, 'manager@demo.floortwin');
    const created = await call('POST', '/api/auth/users', { token: manager, body: { email: 'temp@demo.floortwin', password: 'first-password', role: 'picker' } });
    expect(created.status).toBe(201);
    const user = (created.body as { user: { id: string; role: string } }).user;
    expect(user.role).toBe('picker');
    expect((await call('POST', '/api/auth/users', { token: manager, body: { email: 'temp@demo.floortwin', password: 'first-password', role: 'picker' } })).status).toBe(409);
    // A client role needs a known tenant; staff must have none.
    const noTenant = await call('POST', '/api/auth/users', { token: manager, body: { email: 'c@demo.floortwin', password: 'first-password', role: 'client-user' } });
    expect(noTenant.status).toBe(422);
    const badTenant = await call('POST', '/api/auth/users', { token: manager, body: { email: 'c@demo.floortwin', password: 'first-password', role: 'client-user', tenantId: 'zzz' } });
    expect(code(badTenant.body)).toBe('INVALID_TENANT');
    expect((await call('POST', '/api/auth/users', { token: manager, body: { email: 'c@demo.floortwin', password: 'first-password', role: 'packer', tenantId: 'acme' } })).status).toBe(422);

    const session = await signIn(api.origin, 'temp@demo.floortwin', 'first-password');
    const changed = await call('PATCH', `/api/auth/users/${user.id}`, { token: manager, body: { password: 'second-password' } });
    expect(changed.status).toBe(200);
    expect((await call('GET', '/api/auth/me', { token: session })).status).toBe(401);
    await expect(signIn(api.origin, 'temp@demo.floortwin', 'first-password')).rejects.toThrow(/401/);
    const again = await signIn(api.origin, 'temp@demo.floortwin', 'second-password');
    expect((await call('PATCH', `/api/auth/users/${user.id}`, { token: manager, body: { disabled: true } })).status).toBe(200);
    expect((await call('GET', '/api/auth/me', { token: again })).status).toBe(401);
    await expect(signIn(api.origin, 'temp@demo.floortwin', 'second-password')).rejects.toThrow(/401/);
    expect((await call('PATCH', '/api/auth/users/U-none', { token: manager, body: { disabled: true } })).status).toBe(404);
    // A site manager cannot lock themself out.
    const me = (await call('GET', '/api/auth/me', { token: manager })).body as { principal: { id: string } };
    expect(code((await call('PATCH', `/api/auth/users/${me.principal.id}`, { token: manager, body: { disabled: true } })).body)).toBe('SELF_LOCKOUT');
    // Not a site manager: 403.
    const picker = await signIn(api.origin, 'picker@demo.floortwin');
    const forbidden = await call('GET', '/api/auth/users', { token: picker });
    expect(forbidden.status).toBe(403);
    expect(code(forbidden.body)).toBe('FORBIDDEN');
  });

  it('API keys: shown once, stored as sha256, work as a bearer, and a revoked key is 401', async () => {
    const manager = await signIn(api.origin, 'manager@demo.floortwin');
    const created = await call('POST', '/api/auth/api-keys', { token: manager, body: { label: 'acme shop', tenantId: 'acme' } });
    expect(created.status).toBe(201);
    const { id, key } = created.body as { id: string; key: string };
    expect(key).toMatch(/^ftk_[A-Za-z0-9_-]{43}$/);
    // Never shown again: listings carry no secret, the table holds only the hash.
    const list = await call('GET', '/api/auth/api-keys', { token: manager });
    expect(JSON.stringify(list.body)).not.toContain(key);
    expect((list.body as { keys: { id: string; role: string; tenantId: string }[] }).keys.find((k) => k.id === id)).toMatchObject({ role: 'integration', tenantId: 'acme' });
    const rows = await api.store.pool.query(`SELECT * FROM ${api.store.tables.schema}.api_keys`);
    expect(JSON.stringify(rows.rows)).not.toContain(key);
    expect(rows.rows.map((r: { key_hash: string }) => r.key_hash)).toContain(sha256Hex(key));

    const me = await call('GET', '/api/auth/me', { token: key });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ principal: { kind: 'api-key', id, name: 'acme shop', role: 'integration', tenantId: 'acme' } });
    // An integration key may not touch staff routes.
    expect((await call('GET', '/api/sites', { token: key })).status).toBe(403);

    expect((await call('DELETE', `/api/auth/api-keys/${id}`, { token: manager })).status).toBe(200);
    const revoked = await call('GET', '/api/auth/me', { token: key });
    expect(revoked.status).toBe(401);
    expect(code(revoked.body)).toBe('UNAUTHENTICATED');
    // An integration key needs a tenant; a tampered key is unknown.
    expect((await call('POST', '/api/auth/api-keys', { token: manager, body: { label: 'no tenant' } })).status).toBe(422);
    expect((await call('GET', '/api/auth/me', { token: `${key.slice(0, -1)}A` })).status).toBe(401);
  });

  it('a client-admin manages only its own tenant’s keys; another tenant’s key looks missing', async () => {
    const manager = await signIn(api.origin, 'manager@demo.floortwin');
    const acmeAdmin = await signIn(api.origin, 'acme-admin@demo.floortwin');
    const bloomAdmin = await signIn(api.origin, 'bloom-admin@demo.floortwin');
    const own = await call('POST', '/api/auth/api-keys', { token: acmeAdmin, body: { label: 'acme erp' } });
    expect(own.status).toBe(201);
    expect((own.body as { apiKey: { tenantId: string } }).apiKey.tenantId).toBe('acme');
    expect((await call('POST', '/api/auth/api-keys', { token: acmeAdmin, body: { label: 'x', tenantId: 'bloom' } })).status).toBe(403);
    expect((await call('POST', '/api/auth/api-keys', { token: acmeAdmin, body: { label: 'x', role: 'site-manager' } })).status).toBe(403);
    const bloomKey = await call('POST', '/api/auth/api-keys', { token: manager, body: { label: 'bloom shop', tenantId: 'bloom' } });
    const bloomId = (bloomKey.body as { id: string }).id;

    const acmeList = (await call('GET', '/api/auth/api-keys', { token: acmeAdmin })).body as { keys: { tenantId: string }[] };
    expect(acmeList.keys.length).toBeGreaterThan(0);
    expect(acmeList.keys.every((k) => k.tenantId === 'acme')).toBe(true);
    const missing = await call('DELETE', '/api/auth/api-keys/K-does-not-exist', { token: acmeAdmin });
    const foreign = await call('DELETE', `/api/auth/api-keys/${bloomId}`, { token: acmeAdmin });
    expect(foreign.status).toBe(404);
    expect(code(foreign.body)).toBe(code(missing.body));
    // bloom's key still works; bloom's admin may revoke it.
    expect((await call('GET', '/api/auth/me', { token: (bloomKey.body as { key: string }).key })).status).toBe(200);
    expect((await call('DELETE', `/api/auth/api-keys/${bloomId}`, { token: bloomAdmin })).status).toBe(200);
    // A client-user manages no keys.
    const acmeUser = await signIn(api.origin, 'acme-user@demo.floortwin');
    expect((await call('GET', '/api/auth/api-keys', { token: acmeUser })).status).toBe(403);
  });

  it('a revocation made by another process takes effect within the principal cache time (2 s)', async () => {
    const manager = await signIn(api.origin, 'manager@demo.floortwin');
    const created = (await call('POST', '/api/auth/api-keys', { token: manager, body: { label: 'cached', tenantId: 'cobalt' } })).body as { id: string; key: string };
    expect((await call('GET', '/api/auth/me', { token: created.key })).status).toBe(200);
    // Another server process on the same database revokes the key.
    const other = new PgAuthStore({ pool: api.store.pool, schema: api.store.tables.schema });
    expect(await other.revokeApiKey(created.id)).toBe(true);
    api.shiftClock(2_001);
    expect((await call('GET', '/api/auth/me', { token: created.key })).status).toBe(401);
  });

  it('a sign-out in another process ends the session here within the principal cache time (2 s), the bound sockets re-check within', async () => {
    const token = await signIn(api.origin, 'acme-admin@demo.floortwin');
    expect(api.accounts.known({ bearer: token })).toBeUndefined();
    expect((await call('GET', '/api/auth/me', { token })).status).toBe(200);
    // This process now knows the session without asking Postgres (what the middleware and a flood use).
    expect(api.accounts.known({ bearer: token })?.name).toBe('acme-admin@demo.floortwin');
    await new PgAuthStore({ pool: api.store.pool, schema: api.store.tables.schema }).signOut(token);
    api.shiftClock(2_001);
    expect(api.accounts.known({ bearer: token })).toBeUndefined();
    expect((await call('GET', '/api/auth/me', { token })).status).toBe(401);
    expect((await call('GET', '/api/auth/me', { cookie: `ft_session=${token}` })).status).toBe(401);
  });

  it('asks Postgres once for many simultaneous requests with the same credential (a reconnect storm)', async () => {
    const token = await signIn(api.origin, 'supervisor@demo.floortwin');
    let queries = 0;
    const pool = api.store.pool;
    const counting = new Proxy(pool, {
      get(target, property) {
        if (property === 'query') {
          return (...args: Parameters<typeof pool.query>) => {
            queries++;
            return (target.query as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        return Reflect.get(target, property, target) as unknown;
      },
    });
    const fresh = new PgAuthStore({ pool: counting, schema: api.store.tables.schema, cacheMs: 0 });
    const principals = await Promise.all(Array.from({ length: 50 }, () => fresh.authenticate({ bearer: token })));
    expect(principals.every((principal) => principal?.name === 'supervisor@demo.floortwin')).toBe(true);
    expect(queries).toBe(1);
    // Once answered, the next request asks again (no cache here): the lookup is shared, never kept.
    await fresh.authenticate({ bearer: token });
    expect(queries).toBe(2);
  });

  it('prunes sessions a day after they expired or were revoked, and no live one', async () => {
    const ended = await signIn(api.origin, 'packer@demo.floortwin');
    await call('POST', '/api/auth/sign-out', { token: ended });
    api.shiftClock(86_400_001);
    const live = await signIn(api.origin, 'packer@demo.floortwin');
    expect(await api.accounts.pruneSessions()).toBeGreaterThan(0);
    const rows = await api.store.pool.query<{ token_hash: string }>(`SELECT token_hash FROM ${api.store.tables.schema}.sessions`);
    const hashes = rows.rows.map((r) => r.token_hash);
    expect(hashes).not.toContain(sha256Hex(ended));
    expect(hashes).toContain(sha256Hex(live));
    expect((await call('GET', '/api/auth/me', { token: live })).status).toBe(200);
  });
});
