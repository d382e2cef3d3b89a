/**
 * The single writer per site against a real Postgres: group commit, replay equals live state, and a stale writer is
 * fenced (its batch is refused, nothing of it is acknowledged, and it reloads what the log holds).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoShift } from '../../simulations/shift/demo-shift.ts';
import { generateSite } from '../twin/layout/generator.ts';
import { asOrderId, epochMs } from '../twin/ids.ts';
import { toSnapshotData } from '../twin/twin.ts';
import { checkTwinInvariants } from '../twin/invariants.ts';
import { PgEventStore } from '../store/event-store.pg.ts';
import { TEST_DATABASE_URL, uniqueSchema } from '../testing/server-process.ts';
import { SiteRunner } from './site-runner.ts';

const { site, initialStock } = generateSite(
  { id: 'runner', name: 'Runner test site', aisles: 6, blocks: 2, baysPerBlock: 8, levels: 3, skuCount: 60, tenants: 2, stockFillRatio: 0.7, baseDate: '2026-11-01' },
  11,
);

describe('SiteRunner on Postgres', () => {
  const schema = uniqueSchema('runner');
  let store: PgEventStore;
  let clockMs = Date.UTC(2026, 10, 27, 6);
  const clock = { now: () => epochMs(clockMs) };

  beforeAll(async () => {
    store = new PgEventStore({ connectionString: TEST_DATABASE_URL, schema });
    await store.init();
    await store.ensureSite(site.id, site);
  });
  afterAll(async () => {
    await store?.close();
  });

  it('commits concurrent commands in groups, and a reopened twin equals the live one', async () => {
    const runner = await SiteRunner.open({ site, store, clock, snapshotEvery: 400 });
    const results = await Promise.all(initialStock.map((command) => runner.submit(command)));
    expect(results.every((r) => r.ok)).toBe(true);
    // Many commands arrived while the first append was in flight: far fewer transactions than commands.
    expect(runner.stats.commits).toBeLessThan(initialStock.length / 5);

    // An hour of the simulated shift through the runner, on the twin's clock.
    const shift = createDemoShift({
      port: { state: () => runner.twin, submit: (command) => runner.submit(command) },
      seed: 5,
      pickers: 4,
      ordersPerHour: 120,
      startAt: clock.now(),
    });
    shift.start();
    const end = clockMs + 3_600_000;
    while (clockMs < end) {
      clockMs += 5_000;
      await shift.sim.advanceTo(clockMs);
    }
    shift.stop();
    await runner.idle();
    expect(shift.stats.ordersDespatched).toBeGreaterThan(10);
    expect(checkTwinInvariants(runner.twin)).toEqual([]);

    const reopened = await SiteRunner.open({ site, store, clock });
    const live = toSnapshotData(runner.twin);
    const replayed = toSnapshotData(reopened.twin);
    // Positions are volatile (not logged); everything else must be identical.
    const withoutPositions = (data: typeof live) => ({
      ...data,
      now: 0,
      operatives: data.operatives.map((op) => ({ ...op, position: null, activity: null })),
    });
    expect(withoutPositions(replayed)).toEqual(withoutPositions(live));
    expect(replayed.seq).toBe(await store.lastSeq(site.id));
    await runner.close();
    await reopened.close();
  });

  it('fences a stale writer: its batch is refused as UNAVAILABLE and it reloads the log', async () => {
    let fenced = 0;
    const a = await SiteRunner.open({ site, store, clock, onFenced: () => fenced++ });
    const b = await SiteRunner.open({ site, store, clock, onFenced: () => fenced++ });
    const sku = site.skus[0];
    if (!sku) throw new Error('no sku');
    const order = (id: string) => ({ type: 'createOrder' as const, orderId: asOrderId(id), tenantId: sku.tenantId, lines: [{ skuId: sku.id, qty: 1 }] });

    expect((await a.submit(order('FENCE-A'))).ok).toBe(true);
    // b still believes the log ends where it opened it.
    const refusal = b.submit(order('FENCE-B'));
    // The refused batch is already applied in memory, but nobody may read it: reads wait for the commit's outcome.
    expect(b.settled).toBe(false);
    const seenDuringCommit = b.read((twin) => twin.orders.has(asOrderId('FENCE-B')));
    const refused = await refusal;
    expect(await seenDuringCommit).toBe(false);
    expect(refused.ok ? 'accepted' : refused.error.code).toBe('UNAVAILABLE');
    expect(b.stats.reloads).toBe(1);
    // The cluster hears of it (and asks the lease whether b still owns the site).
    expect(fenced).toBe(1);
    // After the reload b holds a's order, not its own, and can write again.
    expect(b.twin.orders.has(asOrderId('FENCE-A'))).toBe(true);
    expect(b.twin.orders.has(asOrderId('FENCE-B'))).toBe(false);
    expect((await b.submit(order('FENCE-B'))).ok).toBe(true);
    expect(b.twin.seq).toBe(await store.lastSeq(site.id));
    await a.close();
    await b.close();
  });
});
