/**
 * The `RateLimiter` contract, run against the in-memory buckets and the Redis buckets (real Redis at REDIS_URL), with
 * a clock the test moves; then what only Redis gives (buckets shared between processes) and the fallback while Redis
 * is unreachable.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_REDIS_URL } from '../testing/server-process.ts';
import { MemoryRateLimiter, RedisRateLimiter, type RateLimiter } from './rate-limit.ts';

const LIMIT = { ratePerSec: 2, burst: 5 };
const open: RateLimiter[] = [];
afterAll(async () => {
  await Promise.all(open.map((limiter) => limiter.close()));
});

async function takeN(limiter: RateLimiter, key: string, n: number): Promise<boolean[]> {
  const allowed: boolean[] = [];
  for (let i = 0; i < n; i++) allowed.push((await limiter.take([{ key, limit: LIMIT }])).allowed);
  return allowed;
}

const adapters: [string, (now: () => number) => Promise<RateLimiter>][] = [
  ['memory', (now) => Promise.resolve(new MemoryRateLimiter({ now }))],
  [
    'redis',
    async (now) => {
      const limiter = new RedisRateLimiter({ url: TEST_REDIS_URL, prefix: `ft-test:${randomUUID()}`, now });
      open.push(limiter);
      if (!(await limiter.ready(5_000))) throw new Error(`no Redis at ${TEST_REDIS_URL}`);
      return limiter;
    },
  ],
];

describe.each(adapters)('RateLimiter contract: %s', (name, make) => {
  it('allows a full burst, then refuses with the time until the next token', async () => {
    const clock = { ms: 1_000_000 };
    const limiter = await make(() => clock.ms);
    expect(await takeN(limiter, 'k', 5)).toEqual([true, true, true, true, true]);
    const refused = await limiter.take([{ key: 'k', limit: LIMIT }]);
    expect(refused).toEqual({ allowed: false, retryAfterMs: 500, refused: [0] });
    // 2 tokens/s: the next one is 500 ms away.
    clock.ms += 499;
    expect((await limiter.take([{ key: 'k', limit: LIMIT }])).allowed).toBe(false);
    clock.ms += 1;
    expect((await limiter.take([{ key: 'k', limit: LIMIT }])).allowed).toBe(true);
  });

  it('refills at the rate, never beyond the burst', async () => {
    const clock = { ms: 2_000_000 };
    const limiter = await make(() => clock.ms);
    await takeN(limiter, 'k', 5);
    clock.ms += 1_000; // two tokens back
    expect(await takeN(limiter, 'k', 3)).toEqual([true, true, false]);
    clock.ms += 3_600_000; // an hour idle: still only a burst
    expect((await takeN(limiter, 'k', 6)).filter(Boolean)).toHaveLength(5);
  });

  it('keeps buckets apart: one key empty, another untouched', async () => {
    const clock = { ms: 3_000_000 };
    const limiter = await make(() => clock.ms);
    await takeN(limiter, 'tenant:acme', 10);
    expect((await limiter.take([{ key: 'tenant:acme', limit: LIMIT }])).allowed).toBe(false);
    expect(await takeN(limiter, 'tenant:bloom', 5)).toEqual([true, true, true, true, true]);
    expect(name).toMatch(/memory|redis/);
  });

  it('takes from several buckets all or nothing: a refused request takes no token from the others', async () => {
    const clock = { ms: 4_000_000 };
    const limiter = await make(() => clock.ms);
    const key = { key: 'api-key:K1', limit: { ratePerSec: 1, burst: 2 } };
    const tenant = { key: 'tenant:acme', limit: { ratePerSec: 1, burst: 3 } };
    expect((await limiter.take([key, tenant])).allowed).toBe(true);
    expect((await limiter.take([key, tenant])).allowed).toBe(true);
    // The key is empty; the tenant still has 1 and keeps it.
    const refused = await limiter.take([key, tenant]);
    expect(refused.allowed).toBe(false);
    expect(refused.refused).toEqual([0]);
    expect(refused.retryAfterMs).toBe(1000);
    expect(await takeN(limiter, 'tenant:acme', 1)).toEqual([true]);
    // Both empty now: refused, naming at least the key (a remembered refusal need not look at the tenant).
    const both = await limiter.take([key, tenant]);
    expect(both.allowed).toBe(false);
    expect(both.refused).toContain(0);
    clock.ms += 1_000;
    expect((await limiter.take([key, tenant])).allowed).toBe(true);
  });
});

describe.each(adapters)('RateLimiter.refusedNow: %s', (name, make) => {
  it('refuses only what is certainly empty, and takes nothing', async () => {
    const clock = { ms: 9_000_000 };
    const limiter = await make(() => clock.ms);
    const bucket = [{ key: `api-key:K-${name}`, limit: LIMIT }];
    expect(limiter.refusedNow?.(bucket)).toBeNull();
    expect(await takeN(limiter, `api-key:K-${name}`, 5)).toEqual([true, true, true, true, true]);
    // Redis's buckets are only known empty once a take was refused; memory's are seen empty at once.
    if (name === 'redis') expect(limiter.refusedNow?.(bucket)).toBeNull();
    expect(await takeN(limiter, `api-key:K-${name}`, 1)).toEqual([false]);
    expect(limiter.refusedNow?.(bucket)).toEqual({ allowed: false, retryAfterMs: 500, refused: [0] });
    // Asking again and again takes nothing: the token due in 500 ms is there for the next take.
    for (let i = 0; i < 10; i++) limiter.refusedNow?.(bucket);
    clock.ms += 500;
    expect(limiter.refusedNow?.(bucket)).toBeNull();
    expect(await takeN(limiter, `api-key:K-${name}`, 2)).toEqual([true, false]);
  });
});

describe('MemoryRateLimiter.takeNow', () => {
  it('is take without the promise: the same buckets, the same answers', async () => {
    const limiter = new MemoryRateLimiter({ now: () => 1_000 });
    const bucket = [{ key: 'tenant:acme', limit: LIMIT }];
    expect([1, 2, 3].map(() => limiter.takeNow(bucket).allowed)).toEqual([true, true, true]);
    expect(await takeN(limiter, 'tenant:acme', 3)).toEqual([true, true, false]);
    expect(limiter.takeNow(bucket)).toEqual({ allowed: false, retryAfterMs: 500, refused: [0] });
  });
});

describe('RedisRateLimiter', () => {
  it('shares one budget between processes (two limiters on one Redis)', async () => {
    const prefix = `ft-test:${randomUUID()}`;
    const now = (): number => 5_000_000;
    const a = new RedisRateLimiter({ url: TEST_REDIS_URL, prefix, now });
    const b = new RedisRateLimiter({ url: TEST_REDIS_URL, prefix, now });
    open.push(a, b);
    expect(await a.ready(5_000)).toBe(true);
    expect(await b.ready(5_000)).toBe(true);
    expect(await takeN(a, 'tenant:acme', 3)).toEqual([true, true, true]);
    // b sees what a took: 2 left of 5.
    expect(await takeN(b, 'tenant:acme', 2)).toEqual([true, true]);
    expect(b.lastBackend).toBe('redis');
    expect(await takeN(a, 'tenant:acme', 1)).toEqual([false]);
    expect(a.lastBackend).toBe('redis');
    // A refusal is remembered until the next token is due: no round trip for the flood behind it.
    expect(await takeN(a, 'tenant:acme', 1)).toEqual([false]);
    expect(a.lastBackend).toBe('local');
  });

  it('takeNow answers without Redis only what it knows: a remembered refusal, until its next token is due', async () => {
    const clock = { ms: 7_000_000 };
    const limiter = new RedisRateLimiter({ url: TEST_REDIS_URL, prefix: `ft-test:${randomUUID()}`, now: () => clock.ms });
    open.push(limiter);
    expect(await limiter.ready(5_000)).toBe(true);
    const bucket = [{ key: 'api-key:K-1', limit: LIMIT }];
    // Nothing known yet: the answer needs Redis, and takeNow takes no token meanwhile.
    expect(limiter.takeNow(bucket)).toBeNull();
    expect(await takeN(limiter, 'api-key:K-1', 6)).toEqual([true, true, true, true, true, false]);
    expect(limiter.takeNow(bucket)).toEqual({ allowed: false, retryAfterMs: 500, refused: [0] });
    expect(limiter.lastBackend).toBe('local');
    // The next token is due (2/s): back to Redis, which gives it.
    clock.ms += 500;
    expect(limiter.takeNow(bucket)).toBeNull();
    expect(await takeN(limiter, 'api-key:K-1', 1)).toEqual([true]);
  });

  it('limits in memory while Redis is unreachable, and never makes a request wait for it', async () => {
    const logged: string[] = [];
    // Port 1: nothing listens; the client keeps retrying in the background.
    const limiter = new RedisRateLimiter({ url: 'redis://127.0.0.1:1', now: () => 6_000_000, log: (message) => logged.push(message) });
    open.push(limiter);
    expect(await limiter.ready(300)).toBe(false);
    expect(await takeN(limiter, 'tenant:acme', 6)).toEqual([true, true, true, true, true, false]);
    expect(limiter.lastBackend).toBe('memory');
    expect(logged.some((line) => line.includes('limiting in memory'))).toBe(true);
    // In memory every answer is at hand: takeNow gives it (the same buckets as take).
    expect(limiter.takeNow([{ key: 'tenant:acme', limit: LIMIT }])?.allowed).toBe(false);
    expect(limiter.takeNow([{ key: 'tenant:bloom', limit: LIMIT }])?.allowed).toBe(true);
  });
});
