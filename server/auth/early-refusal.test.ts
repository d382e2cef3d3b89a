/**
 * The early 429 (`earlyRefusal`, wired into `createApp`): a flood past its quota is refused before express runs, and
 * only ever what the app's own limiter would refuse — same status, body and Retry-After, no token taken, nothing
 * refused that the app would have let through or answered otherwise (sign-in, non-JSON writes, while starting).
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../api/app.ts';
import { siteRegistry } from '../api/sites.ts';
import { SiteRunner } from '../site/site-runner.ts';
import { MemoryEventStore } from '../store/event-store.memory.ts';
import { integrationKey } from '../testing/principals.ts';
import { layoutView } from '../twin/floor-view.ts';
import { epochMs } from '../twin/ids.ts';
import { TEST_SITE } from '../twin/test-site.ts';
import type { Authenticator, Credential, Principal } from './principal.ts';
import { earlyRefusal, MemoryRateLimiter, type RateLimits } from './rate-limit.ts';

const LIMITS: RateLimits = { perPrincipal: { ratePerSec: 1, burst: 3 }, perTenant: null, perStaffUser: null };
const ACME = integrationKey('acme');
const BLOOM = integrationKey('bloom');

/** Bearer tokens → principals; `known` answers only after a first `authenticate` (a cache, as the real one). */
class TokenAuthenticator implements Authenticator {
  private readonly cached = new Set<string>();
  /** How often a credential was looked up, either way. */
  lookups = 0;
  constructor(private readonly tokens: ReadonlyMap<string, Principal>) {}
  authenticate(credential: Credential): Promise<Principal | null> {
    this.lookups++;
    const principal = credential.bearer === undefined ? undefined : this.tokens.get(credential.bearer);
    if (principal !== undefined && credential.bearer !== undefined) this.cached.add(credential.bearer);
    return Promise.resolve(principal ?? null);
  }
  known(credential: Credential): Principal | undefined {
    this.lookups++;
    return credential.bearer !== undefined && this.cached.has(credential.bearer) ? this.tokens.get(credential.bearer) : undefined;
  }
}

interface Answer {
  readonly status: number;
  readonly retryAfter: string | null;
  readonly body: unknown;
}

let server: Server | undefined;
afterEach(async () => {
  if (server) await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

async function start(options: { ready?: () => boolean; outerGate?: boolean } = {}): Promise<{
  call: (path: string, init?: { method?: string; token?: string; contentType?: string; body?: string }) => Promise<Answer>;
  refusedEarly: () => number;
  limiter: MemoryRateLimiter;
  authenticator: TokenAuthenticator;
}> {
  const store = new MemoryEventStore();
  await store.ensureSite(TEST_SITE.id, TEST_SITE);
  const runner = await SiteRunner.open({ site: TEST_SITE, store, clock: { now: () => epochMs(0) } });
  const clock = { ms: 1_000_000 };
  const limiter = new MemoryRateLimiter({ now: () => clock.ms });
  const authenticator = new TokenAuthenticator(new Map([['acme-token', ACME], ['bloom-token', BLOOM]]));
  // What the app's handle saw: a request refused early never reaches it.
  let early = 0;
  const gate = earlyRefusal({ authenticator, limiter, limits: LIMITS, isReady: options.ready ?? (() => true), onRefused: () => early++ });
  const app = createApp({ authenticator, sites: siteRegistry([runner]), isReady: options.ready ?? (() => true), layoutOf: () => layoutView(TEST_SITE), rateLimit: { limiter, limits: LIMITS } });
  // The app carries the same gate inside; this outer one only counts what it refuses (it refuses first).
  server = createServer((req, res) => {
    if (options.outerGate === false || !gate(req, res)) app(req, res);
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const call = async (path: string, init: { method?: string; token?: string; contentType?: string; body?: string } = {}): Promise<Answer> => {
    const headers: Record<string, string> = {};
    if (init.token !== undefined) headers['authorization'] = `Bearer ${init.token}`;
    if (init.contentType !== undefined) headers['content-type'] = init.contentType;
    const res = await fetch(`${origin}${path}`, { method: init.method ?? 'GET', headers, ...(init.body === undefined ? {} : { body: init.body }) });
    const text = await res.text();
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: text === '' ? null : (JSON.parse(text) as unknown) };
  };
  return { call, refusedEarly: () => early, limiter, authenticator };
}

describe('earlyRefusal', () => {
  it("refuses a known principal's flood with the app's own 429, and takes no token doing it", async () => {
    const { call, refusedEarly, limiter } = await start();
    const answers: Answer[] = [];
    for (let i = 0; i < 6; i++) answers.push(await call('/api/auth/me', { token: 'acme-token' }));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429, 429, 429]);
    // In-memory buckets are seen empty at once: every refusal came from the gate, with the app's body and header.
    expect(refusedEarly()).toBe(3);
    for (const refused of answers.slice(3)) {
      expect(refused.body).toEqual({
        error: { code: 'RATE_LIMITED', message: 'too many requests for this api key; retry after 1 s', details: { retryAfterSeconds: 1, scopes: ['api key'] } },
      });
      expect(refused.retryAfter).toBe('1');
    }
    // The gate only looked: the bucket is as empty as the app left it, and another key is untouched.
    expect(limiter.refusedNow([{ key: `api-key:${ACME.id}`, limit: LIMITS.perPrincipal ?? { ratePerSec: 1, burst: 1 } }])?.allowed).toBe(false);
    expect((await call('/api/auth/me', { token: 'bloom-token' })).status).toBe(200);
  });

  it('lets the app answer what it answers before the limit: sign-in, non-JSON writes, unknown credentials, while starting', async () => {
    let ready = true;
    const { call, refusedEarly } = await start({ ready: () => ready });
    for (let i = 0; i < 4; i++) await call('/api/auth/me', { token: 'acme-token' });
    const before = refusedEarly();
    // A form body is 415 in the app, before any limit.
    expect((await call('/api/auth/me', { method: 'POST', token: 'acme-token', contentType: 'text/plain', body: 'x' })).status).toBe(415);
    // Sign-in is limited per e-mail by its own route (this app has no accounts, so it falls through to the limiter
    // in the app — the gate must not be the one that answers).
    await call('/api/auth/sign-in', { method: 'POST', token: 'acme-token', contentType: 'application/json', body: '{}' });
    // An unknown credential is the app's 401.
    expect((await call('/api/auth/me', { token: 'nobody' })).status).toBe(401);
    // Outside /api nothing is limited.
    expect((await call('/healthz', { token: 'acme-token' })).status).toBe(200);
    ready = false;
    expect((await call('/api/auth/me', { token: 'acme-token' })).body).toMatchObject({ error: { code: 'STARTING' } });
    expect(refusedEarly()).toBe(before);
    // A JSON write over quota is refused early, without its body being read.
    ready = true;
    expect((await call('/api/auth/me', { method: 'POST', token: 'acme-token', contentType: 'application/json; charset=utf-8', body: '{not json' })).status).toBe(429);
    expect(refusedEarly()).toBe(before + 1);
  });

  it('hands a principal it lets through to authenticate: one lookup per request, not two', async () => {
    const { call, authenticator } = await start({ outerGate: false });
    expect((await call('/api/auth/me', { token: 'acme-token' })).status).toBe(200);
    // The first request is looked up by authenticate (nothing cached yet): the gate's known() and authenticate().
    const afterFirst = authenticator.lookups;
    expect((await call('/api/auth/me', { token: 'acme-token' })).status).toBe(200);
    expect(authenticator.lookups - afterFirst).toBe(1);
  });
});
