import { afterEach, describe, expect, it, vi } from 'vitest';
import { fetchMe, signIn, SignInError } from './auth-api.ts';

afterEach(() => vi.unstubAllGlobals());

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

describe('signIn', () => {
  it('posts the trimmed e-mail and the password, and answers the user', async () => {
    const fetch = vi.fn(() => Promise.resolve(json(200, { user: { id: 'U-1', email: 'picker@demo.floortwin', role: 'picker', tenantId: null }, token: 't' })));
    vi.stubGlobal('fetch', fetch);
    await expect(signIn(' picker@demo.floortwin ', 'pw')).resolves.toMatchObject({ role: 'picker' });
    expect(fetch).toHaveBeenCalledWith('/api/auth/sign-in', expect.objectContaining({ method: 'POST', body: '{"email":"picker@demo.floortwin","password":"pw"}' }));
  });

  it('throws the refusal with its status, code and Retry-After', async () => {
    vi.stubGlobal('fetch', () => Promise.resolve(json(429, { error: { code: 'RATE_LIMITED', message: 'slow down' } }, { 'retry-after': '7' })));
    const error = await signIn('a@b.c', 'pw').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SignInError);
    expect(error).toMatchObject({ status: 429, code: 'RATE_LIMITED', retryAfterS: 7 });
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('failed to fetch')));
    await expect(signIn('a@b.c', 'pw')).rejects.toMatchObject({ status: 0, code: 'NETWORK' });
  });
});

describe('fetchMe', () => {
  it('answers the principal, null when nobody is signed in, and throws on other failures', async () => {
    const principal = { kind: 'user', id: 'U-1', name: 'acme-user@demo.floortwin', role: 'client-user', tenantId: 'acme' };
    vi.stubGlobal('fetch', () => Promise.resolve(json(200, { principal })));
    await expect(fetchMe()).resolves.toEqual(principal);
    vi.stubGlobal('fetch', () => Promise.resolve(json(401, { error: { code: 'UNAUTHENTICATED', message: 'sign in' } })));
    await expect(fetchMe()).resolves.toBeNull();
    vi.stubGlobal('fetch', () => Promise.resolve(json(503, { error: { code: 'STARTING', message: 'starting' } })));
    await expect(fetchMe()).rejects.toThrow(/503/);
  });
});
