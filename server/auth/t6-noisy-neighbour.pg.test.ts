/**
 * T6 (issue 9), behaviour: a tenant's API key far over its quota gets 429 RATE_LIMITED with Retry-After, while another
 * tenant's requests all succeed; the tenant's bucket also holds back its other principals; staff users are not
 * limited. Real authenticator on Postgres, buckets in real Redis; the limiter's clock is frozen so the counts are exact
 * (the latency figure — others' p99 rise ≤ 20 % — is benchmarks/tenants.bench.ts).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, startAuthApi, type AuthApi } from '../testing/auth-api-on-postgres.ts';
import { TEST_REDIS_URL } from '../testing/server-process.ts';
import { RedisRateLimiter } from './rate-limit.ts';

describe('T6 noisy neighbour (rate limits per key and per tenant, Redis-backed)', () => {
  let api: AuthApi;
  let limiter: RedisRateLimiter;
  const clock = { ms: 1_700_000_000_000 };
  const KEY_BURST = 10;
  const TENANT_BURST = 30;

  beforeAll(async () => {
    limiter = new RedisRateLimiter({ url: TEST_REDIS_URL, prefix: `ft-t6:${randomUUID()}`, now: () => clock.ms });
    if (!(await limiter.ready(5_000))) throw new Error(`no Redis at ${TEST_REDIS_URL}`);
    api = await startAuthApi('t6', {
      rateLimit: {
        limiter,
        limits: { perPrincipal: { ratePerSec: 1, burst: KEY_BURST }, perTenant: { ratePerSec: 3, burst: TENANT_BURST }, perStaffUser: null },
        signIn: { ratePerSec: 1 / 60, burst: 3 },
      },
    });
  }, 120_000);
  afterAll(async () => {
    await api?.close();
    await limiter?.close();
  });

  const me = async (token: string): Promise<{ status: number; retryAfter: string | null; body: { error?: { code: string; details: { scopes: string[] } } } }> => {
    const res = await fetch(`${api.origin}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as never };
  };

  it('a key at 10x its quota gets 429 + Retry-After; another tenant is untouched; the tenant bucket caps all its keys together', async () => {
    const acme = await api.accounts.createApiKey({ label: 'acme noisy', role: 'integration', tenantId: 'acme', createdBy: 'test' });
    const acme2 = await api.accounts.createApiKey({ label: 'acme second', role: 'integration', tenantId: 'acme', createdBy: 'test' });
    const acme3 = await api.accounts.createApiKey({ label: 'acme third', role: 'integration', tenantId: 'acme', createdBy: 'test' });
    const bloom = await api.accounts.createApiKey({ label: 'bloom quiet', role: 'integration', tenantId: 'bloom', createdBy: 'test' });

    // acme's key sends 10x its burst, interleaved with bloom's key at half of its own.
    const acmeAnswers: Awaited<ReturnType<typeof me>>[] = [];
    const bloomAnswers: Awaited<ReturnType<typeof me>>[] = [];
    for (let i = 0; i < 10 * KEY_BURST; i++) {
      const batch = [me(acme.key)];
      if (i % 20 === 0) batch.push(me(bloom.key));
      const [a, b] = await Promise.all(batch);
      acmeAnswers.push(a as Awaited<ReturnType<typeof me>>);
      if (b) bloomAnswers.push(b);
    }
    const ok = acmeAnswers.filter((a) => a.status === 200);
    const limited = acmeAnswers.filter((a) => a.status === 429);
    expect(ok).toHaveLength(KEY_BURST);
    expect(limited).toHaveLength(9 * KEY_BURST);
    for (const answer of limited) {
      expect(answer.body.error?.code).toBe('RATE_LIMITED');
      expect(answer.body.error?.details.scopes).toEqual(['api key']);
      expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
    }
    expect(bloomAnswers.map((b) => b.status)).toEqual(Array(KEY_BURST / 2).fill(200));

    // Refused requests took nothing from acme's tenant bucket (30): its other keys get the 20 left, then the tenant
    // limit holds them back while bloom is untouched.
    const more = [];
    for (let i = 0; i < KEY_BURST; i++) more.push(await me(acme2.key), await me(acme3.key));
    expect(more.filter((a) => a.status === 200)).toHaveLength(TENANT_BURST - KEY_BURST);
    const heldBack = await me(acme3.key);
    expect(heldBack.status).toBe(429);
    expect(heldBack.body.error?.details.scopes).toEqual(['api key', 'tenant']);
    expect((await me(bloom.key)).status).toBe(200);

    // Time heals: after 3 s the first key has 3 tokens back (1/s), the tenant 9.
    clock.ms += 3_000;
    const after = await Promise.all([me(acme.key), me(acme.key), me(acme.key), me(acme.key)]);
    expect(after.map((a) => a.status).sort()).toEqual([200, 200, 200, 429]);
  });

  it('staff users are not limited (perStaffUser: null)', async () => {
    const manager = await signIn(api.origin, 'manager@demo.floortwin');
    const statuses = await Promise.all(Array.from({ length: 3 * KEY_BURST }, () => me(manager)));
    expect(statuses.every((s) => s.status === 200)).toBe(true);
  });

  it('limits sign-in attempts per e-mail (password guessing), not per caller', async () => {
    const attempt = (email: string, password: string) =>
      fetch(`${api.origin}/api/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
    for (let i = 0; i < 3; i++) expect((await attempt('supervisor@demo.floortwin', `guess-${i}`)).status).toBe(401);
    const blocked = await attempt('supervisor@demo.floortwin', 'floortwin-test');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBe(60);
    expect(((await blocked.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    // Another account is not affected.
    expect((await attempt('planner@demo.floortwin', 'floortwin-test')).status).toBe(200);
    clock.ms += 60_000;
    expect((await attempt('supervisor@demo.floortwin', 'floortwin-test')).status).toBe(200);
  });
});
