/** The one contract every `EventStore` adapter passes (tldraw-style storage contract suite). */
import { afterEach, describe, expect, it } from 'vitest';
import type { DurableEvent } from '../twin/events.ts';
import { SeqConflictError, UnknownSiteError, type EventStore } from './event-store.ts';
import { syntheticHistory } from './synthetic-history.ts';

let siteCounter = 0;
const freshSite = (): string => `site-${process.pid}-${Date.now()}-${++siteCounter}`;

/** Registers the contract tests for the adapter built by `makeStore` (a new, initialised store per test). */
export function eventStoreContract(name: string, makeStore: () => Promise<EventStore>): void {
  describe(`EventStore contract: ${name}`, () => {
    const open: EventStore[] = [];
    const store = async (): Promise<EventStore> => {
      const s = await makeStore();
      open.push(s);
      return s;
    };
    afterEach(async () => {
      await Promise.all(open.splice(0).map((s) => s.close()));
    });
    const history = syntheticHistory({ orders: 30 });
    const first = history.slice(0, 10);
    const second = history.slice(10, 25);

    it('init is idempotent', async () => {
      const s = await store();
      await s.init();
      await s.init();
    });

    it('stores the site definition once', async () => {
      const s = await store();
      const site = freshSite();
      expect(await s.siteDefinition(site)).toBeNull();
      await s.ensureSite(site, { name: 'first', zones: [1, 2] });
      await s.ensureSite(site, { name: 'second' });
      expect(await s.siteDefinition(site)).toEqual({ name: 'first', zones: [1, 2] });
    });

    it('refuses an append to an unknown site', async () => {
      const s = await store();
      await expect(s.append(freshSite(), 0, first)).rejects.toBeInstanceOf(UnknownSiteError);
    });

    it('numbers events 1, 2, 3 … without gaps across appends', async () => {
      const s = await store();
      const site = freshSite();
      await s.ensureSite(site, {});
      expect(await s.lastSeq(site)).toBe(0);
      expect(await s.append(site, 0, first)).toEqual({ firstSeq: 1, lastSeq: 10 });
      expect(await s.append(site, 10, second)).toEqual({ firstSeq: 11, lastSeq: 25 });
      expect(await s.lastSeq(site)).toBe(25);
      const all = await s.load(site);
      expect(all.map((e) => e.seq)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
      expect(all.map((e) => e.event)).toEqual([...first, ...second]);
    });

    it('an empty append stores nothing', async () => {
      const s = await store();
      const site = freshSite();
      await s.ensureSite(site, {});
      await s.append(site, 0, first);
      expect(await s.append(site, 10, [])).toEqual({ firstSeq: 11, lastSeq: 10 });
      expect(await s.lastSeq(site)).toBe(10);
    });

    it('loads only events after a seq, in order, in pages', async () => {
      const s = await store();
      const site = freshSite();
      await s.ensureSite(site, {});
      await s.append(site, 0, [...first, ...second]);
      const after = await s.load(site, 7);
      expect(after.map((e) => e.seq)).toEqual(Array.from({ length: 18 }, (_, i) => i + 8));
      expect(after[0]?.event).toEqual(first[7]);
      const pages: number[][] = [];
      for await (const page of s.loadPages(site, 3, 10)) pages.push(page.map((e) => e.seq));
      expect(pages.map((p) => p.length)).toEqual([10, 10, 2]);
      expect(pages.flat()).toEqual(Array.from({ length: 22 }, (_, i) => i + 4));
      expect(await s.load(site, 25)).toEqual([]);
      expect(await s.load(freshSite())).toEqual([]);
    });

    it('fences a stale writer: an append at an old seq fails and stores nothing', async () => {
      const s = await store();
      const site = freshSite();
      await s.ensureSite(site, {});
      await s.append(site, 0, first);
      const err: unknown = await s.append(site, 5, second).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SeqConflictError);
      expect((err as SeqConflictError).expectedSeq).toBe(5);
      await expect(s.append(site, 0, second)).rejects.toBeInstanceOf(SeqConflictError);
      expect(await s.lastSeq(site)).toBe(10);
      expect((await s.load(site)).map((e) => e.event)).toEqual(first);
    });

    it('fences a writer that is ahead of the log (no gaps)', async () => {
      const s = await store();
      const site = freshSite();
      await s.ensureSite(site, {});
      await s.append(site, 0, first);
      await expect(s.append(site, 12, second)).rejects.toBeInstanceOf(SeqConflictError);
      expect(await s.lastSeq(site)).toBe(10);
    });

    it('of two concurrent appends at the same seq exactly one wins', async () => {
      // One store: a Postgres pool runs the two on separate connections, i.e. truly concurrently.
      const a = await store();
      const b = a;
      const site = freshSite();
      await a.ensureSite(site, {});
      await a.append(site, 0, first);
      const rival = syntheticHistory({ orders: 1, prefix: 'R-' });
      const results = await Promise.allSettled([a.append(site, 10, second), b.append(site, 10, rival)]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(SeqConflictError);
      const winner = results[0]?.status === 'fulfilled' ? second : rival;
      const all = await a.load(site);
      expect(all.map((e) => e.event)).toEqual([...first, ...winner]);
      expect(await b.lastSeq(site)).toBe(10 + winner.length);
    });

    it('keeps sites apart', async () => {
      const s = await store();
      const x = freshSite();
      const y = freshSite();
      await s.ensureSite(x, {});
      await s.ensureSite(y, {});
      const other = syntheticHistory({ orders: 2, prefix: 'Y-' });
      await s.append(x, 0, first);
      await s.append(y, 0, other);
      expect(await s.lastSeq(x)).toBe(10);
      expect(await s.lastSeq(y)).toBe(other.length);
      expect((await s.load(y)).map((e) => e.event)).toEqual(other);
    });

    it('returns the latest snapshot', async () => {
      const s = await store();
      const site = freshSite();
      await s.ensureSite(site, {});
      expect(await s.latestSnapshot(site)).toBeNull();
      await s.append(site, 0, [...first, ...second]);
      await s.saveSnapshot(site, 10, { quants: [1, 2], note: 'at 10' });
      await s.saveSnapshot(site, 25, { quants: [3], note: 'at 25' });
      await s.saveSnapshot(site, 20, { note: 'older, saved later' });
      expect(await s.latestSnapshot(site)).toEqual({ seq: 25, data: { quants: [3], note: 'at 25' } });
      await s.saveSnapshot(site, 25, { note: 'replaced' });
      expect(await s.latestSnapshot(site)).toEqual({ seq: 25, data: { note: 'replaced' } });
      await expect(s.saveSnapshot(freshSite(), 1, {})).rejects.toBeInstanceOf(UnknownSiteError);
    });

    it('does not alias what it stores', async () => {
      const s = await store();
      const site = freshSite();
      await s.ensureSite(site, {});
      const events: DurableEvent[] = structuredClone(first);
      await s.append(site, 0, events);
      (events[0] as { at: number }).at = -1;
      expect((await s.load(site))[0]?.event).toEqual(first[0]);
    });

    it('appends a batch of 5,000 events in one call', async () => {
      const s = await store();
      const site = freshSite();
      await s.ensureSite(site, {});
      const big = syntheticHistory({ orders: 700 }).slice(0, 5_000);
      expect(big).toHaveLength(5_000);
      await s.append(site, 0, big.slice(0, 1));
      expect(await s.append(site, 1, big.slice(1))).toEqual({ firstSeq: 2, lastSeq: 5_000 });
      const all = await s.load(site);
      expect(all).toHaveLength(5_000);
      expect(all[4_999]).toEqual({ seq: 5_000, event: big[4_999] });
      expect(all.every((e, i) => e.seq === i + 1)).toBe(true);
    });
  });
}
