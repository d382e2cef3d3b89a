/**
 * Two processes' site ownership over the real Redis (issue 10): exactly one opens the site; the other points its
 * requests at the owner; the owner's shutdown hands the site over without a TTL wait; a fenced write makes a process
 * that lost its lease step down, and one that still holds it stay.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../ops/faults/wait.ts';
import { RedisSiteLeases, type LeaseHolder } from './site-lease.ts';
import { SiteOwnership } from './site-ownership.ts';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

describe('SiteOwnership', () => {
  const namespace = `own:${randomBytes(6).toString('hex')}`;
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function processNamed(instance: string, ttlMs = 4_000) {
    const me: LeaseHolder = { instance, boot: randomBytes(4).toString('hex'), url: `http://${instance}.test` };
    const leases = new RedisSiteLeases({ url: REDIS_URL, namespace, me, ttlMs, log: () => undefined });
    expect(await leases.ready()).toBe(true);
    const events: string[] = [];
    const ownership = new SiteOwnership({
      leases,
      siteIds: ['s1'],
      me,
      renewMs: 100,
      log: () => undefined,
      open: (siteId) => {
        events.push(`open ${siteId}`);
        return Promise.resolve();
      },
      close: (siteId, why) => {
        events.push(`close ${siteId} ${why}`);
        return Promise.resolve();
      },
    });
    cleanup.push(async () => {
      await ownership.stop();
      await leases.close();
    });
    return { me, leases, ownership, events };
  }

  it('opens the site in one process; the other forwards to it, and takes it over when the owner stops', async () => {
    const a = await processNamed('a');
    await a.ownership.start();
    const b = await processNamed('b');
    await b.ownership.start();
    expect(a.ownership.placement('s1')).toEqual({ kind: 'local' });
    expect(b.ownership.placement('s1')).toEqual({ kind: 'remote', holder: a.me });
    expect(b.events).toEqual([]);
    expect(b.ownership.describe()).toEqual({ s1: { owner: 'a', local: false, state: 'standby' } });
    expect(a.ownership.placement('elsewhere')).toBeUndefined();

    await a.ownership.stop();
    expect(a.events).toEqual(['open s1', 'close s1 shutdown']);
    // Released, not lapsed: the standby takes it at its next round (the TTL is 4 s).
    await waitFor(() => b.ownership.placement('s1')?.kind === 'local', 2_000, 'b takes the site');
    expect(b.events).toEqual(['open s1']);
  });

  it('steps down on a fenced write when the lease is another process’s, and stays when it is still its own', async () => {
    const a = await processNamed('a');
    await a.ownership.start();
    await a.ownership.fenced('s1');
    expect(a.ownership.placement('s1')).toEqual({ kind: 'local' });

    // Another life of the same instance took the lease (a restart); the old one's next write was fenced.
    const restarted = await processNamed('a');
    expect((await restarted.leases.acquire('s1')).state).toBe('held');
    await a.ownership.fenced('s1');
    expect(a.events).toEqual(['open s1', 'close s1 lost']);
    expect(a.ownership.placement('s1')?.kind).not.toBe('local');
  });
});
