/**
 * Site leases on the real Redis (issue 10): one holder at a time, renew/release only by the holder, a restarted
 * instance takes its earlier life's lease back at once, a lapsed or flushed lease is free again, and a hung Redis
 * answers `unknown` within the bound instead of stalling.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import { PrivateRedis } from '../ops/faults/private-redis.ts';
import { RedisSiteLeases, type LeaseHolder } from './site-lease.ts';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const holder = (instance: string): LeaseHolder => ({ instance, boot: randomBytes(4).toString('hex'), url: `http://${instance}.test:3000` });

describe('RedisSiteLeases', () => {
  const open: RedisSiteLeases[] = [];
  const namespace = `test:${randomBytes(6).toString('hex')}`;
  const leases = async (me: LeaseHolder, ttlMs = 5_000, url = REDIS_URL): Promise<RedisSiteLeases> => {
    const made = new RedisSiteLeases({ url, namespace, me, ttlMs, log: () => undefined });
    open.push(made);
    expect(await made.ready()).toBe(true);
    return made;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((l) => l.close()));
  });

  it('gives a site to one process; the other learns who holds it, and takes it once it is released', async () => {
    const a = holder('a');
    const b = holder('b');
    const leaseA = await leases(a);
    const leaseB = await leases(b);
    expect(await leaseA.acquire('s1')).toEqual({ state: 'held', holder: a });
    expect(await leaseB.acquire('s1')).toEqual({ state: 'other', holder: a });
    // Only the holder renews; the other cannot extend or drop it.
    expect(await leaseA.renew('s1')).toBe('held');
    expect(await leaseB.renew('s1')).toBe('lost');
    await leaseB.release('s1');
    expect(await leaseB.acquire('s1')).toEqual({ state: 'other', holder: a });
    await leaseA.release('s1');
    expect(await leaseB.acquire('s1')).toEqual({ state: 'held', holder: b });
    expect(await leaseA.renew('s1')).toBe('lost');
  });

  it('lets a restarted instance take back its earlier life’s lease at once, and the earlier life loses it', async () => {
    const before = await leases(holder('a'));
    expect((await before.acquire('s2')).state).toBe('held');
    const restarted = holder('a');
    const after = await leases(restarted);
    expect(await after.acquire('s2')).toEqual({ state: 'held', holder: restarted });
    expect(await before.renew('s2')).toBe('lost');
  });

  it('frees a lease its holder stopped renewing, and a holder retakes a lease that vanished (Redis flushed)', async () => {
    const a = await leases(holder('a'), 300);
    const b = await leases(holder('b'), 300);
    expect((await a.acquire('s3')).state).toBe('held');
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect((await b.acquire('s3')).state).toBe('held');

    expect((await a.acquire('s4')).state).toBe('held');
    const raw = createClient({ url: REDIS_URL });
    await raw.connect();
    await raw.del(`floortwin:lease:${namespace}:s4`);
    await raw.close();
    expect(await a.renew('s4')).toBe('held');
    expect((await b.acquire('s4')).state).toBe('other');
  });
});

describe('RedisSiteLeases with a hung Redis', () => {
  let redis: PrivateRedis | undefined;
  afterAll(async () => {
    redis?.resume();
    await redis?.stop();
  });

  it('answers unknown within its bound while Redis is stopped (SIGSTOP), and works again when it resumes', async () => {
    redis = await PrivateRedis.start();
    const lease = new RedisSiteLeases({ url: redis.url, namespace: 'hung', me: holder('a'), ttlMs: 5_000, callTimeoutMs: 200, log: () => undefined });
    expect(await lease.ready()).toBe(true);
    expect((await lease.acquire('s')).state).toBe('held');
    redis.hang();
    expect(await lease.renew('s')).toBe('unknown');
    expect((await lease.acquire('t')).state).toBe('unknown');
    redis.resume();
    expect(await lease.renew('s')).toBe('held');
    await lease.close();
  });
});
