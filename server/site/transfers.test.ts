/** The transfer relay on two in-memory sites (R74, R76): steps once each, refusals kept rather than retried. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryEventStore } from '../store/event-store.memory.ts';
import type { Command } from '../twin/commands.ts';
import { asSiteId, epochMs, type LocationId } from '../twin/ids.ts';
import { checkTwinInvariants } from '../twin/invariants.ts';
import type { SiteDefinition } from '../twin/site.ts';
import { LOC, SKU_A, SKU_C, T1, T2, TEST_SITE } from '../twin/test-site.ts';
import { SiteRunner } from './site-runner.ts';
import { TransferRelay, type TransferSite } from './transfers.ts';

const L1 = LOC[0] as LocationId;
const L4 = LOC[3] as LocationId;

async function twoSites(b: SiteDefinition): Promise<{ a: SiteRunner; b: SiteRunner }> {
  const store = new MemoryEventStore();
  const clock = { ms: Date.UTC(2026, 10, 27, 8) };
  const open = async (site: SiteDefinition) => {
    await store.ensureSite(site.id, site);
    return SiteRunner.open({ site, store, clock: { now: () => epochMs((clock.ms += 1000)) } });
  };
  return { a: await open(TEST_SITE), b: await open(b) };
}
const ok = async (runner: SiteRunner, c: Command): Promise<void> => {
  const r = await runner.submit(c);
  if (!r.ok) throw new Error(`${c.type}: ${r.error.code}`);
};
async function despatchTwoClients(a: SiteRunner, to: string): Promise<void> {
  await ok(a, { type: 'receiveStock', tenantId: T1, locationId: L1, skuId: SKU_A, qty: 5 });
  await ok(a, { type: 'receiveStock', tenantId: T2, locationId: L4, skuId: SKU_C, qty: 5 });
  await ok(a, { type: 'createTransfer', transferId: 'TR-M', toSiteId: to, lines: [{ tenantId: T1, skuId: SKU_A, qty: 2, fromLocationId: L1 }, { tenantId: T2, skuId: SKU_C, qty: 3, fromLocationId: L4 }] });
  await ok(a, { type: 'pickTransferLine', transferId: 'TR-M', lineNo: 1, sourceScan: L1, scanId: 's1' });
  await ok(a, { type: 'pickTransferLine', transferId: 'TR-M', lineNo: 2, sourceScan: L4, scanId: 's2' });
  await ok(a, { type: 'despatchTransfer', transferId: 'TR-M' });
}

describe('TransferRelay (in memory)', () => {
  it('[R74][R76] tells B once, confirms A once after B closes; each client keeps its units', async () => {
    const { a, b } = await twoSites({ ...TEST_SITE, id: asSiteId('b') });
    const relay = new TransferRelay([a, b], { retryMs: 10 });
    relay.start();
    await despatchTwoClients(a, 'b');
    await relay.settle();
    expect(b.twin.inboundTransfers.get('TR-M')?.lines.map((l) => [l.tenantId, l.skuId, l.expectedQty])).toEqual([
      [T1, SKU_A, 2],
      [T2, SKU_C, 3],
    ]);
    await ok(b, { type: 'receiveTransfer', transferId: 'TR-M', receiptId: 'r1', lineNo: 1, qty: 2 });
    await ok(b, { type: 'receiveTransfer', transferId: 'TR-M', receiptId: 'r2', lineNo: 2, qty: 3 });
    await ok(b, { type: 'closeTransfer', transferId: 'TR-M' });
    await relay.settle();
    await relay.settle();
    await relay.stop();
    expect(a.twin.transfers.get('TR-M')?.status).toBe('received');
    expect(relay.stats.acknowledged).toBe(2); // one expectation, one confirmation, however many passes ran
    expect(checkTwinInvariants(a.twin)).toEqual([]);
    expect(checkTwinInvariants(b.twin)).toEqual([]);
  });

  it('[R74] a destination that does not know the SKU refuses once; the refusal is kept, not retried', async () => {
    const { a, b } = await twoSites({ ...TEST_SITE, id: asSiteId('b'), skus: TEST_SITE.skus.filter((s) => s.id !== SKU_C) });
    const relay = new TransferRelay([a, b], { retryMs: 10 });
    await despatchTwoClients(a, 'b');
    await relay.pass();
    await relay.pass();
    await relay.pass();
    expect(relay.refusals()).toEqual([expect.objectContaining({ siteId: 'b', transferId: 'TR-M', command: 'expectTransfer', code: 'UNKNOWN_SKU' })]);
    expect(relay.stats.submitted).toBe(1);
    expect(b.twin.inboundTransfers.size).toBe(0);
  });

  it('[R74][R76] follows the sites this process decides: a site added later gets its step, a removed one none', async () => {
    const { a, b } = await twoSites({ ...TEST_SITE, id: asSiteId('b') });
    // Only A is decided here (B's lease is elsewhere, and there is no remote: nothing to do for B yet).
    const relay = new TransferRelay([a], { retryMs: 10 });
    relay.start();
    await despatchTwoClients(a, 'b');
    await relay.settle();
    expect(relay.stats.submitted).toBe(0);
    expect(b.twin.inboundTransfers.size).toBe(0);

    // B's lease comes to this process: adding it runs its pending step at once.
    relay.add(b);
    relay.add(b); // the same site again: no second listener, no second step
    await relay.settle();
    expect(b.twin.inboundTransfers.get('TR-M')?.status).toBe('expected');
    expect(relay.siteIds()).toEqual([a.siteId, 'b']);

    // B leaves (lease lost): its close commits, but nothing is confirmed at A from here.
    relay.remove('b');
    await ok(b, { type: 'receiveTransfer', transferId: 'TR-M', receiptId: 'r1', lineNo: 1, qty: 2 });
    await ok(b, { type: 'receiveTransfer', transferId: 'TR-M', receiptId: 'r2', lineNo: 2, qty: 3 });
    await ok(b, { type: 'closeTransfer', transferId: 'TR-M' });
    await relay.settle();
    expect(a.twin.transfers.get('TR-M')?.status).toBe('despatched');

    // Back again: the confirmation is found in the logs.
    relay.add(b);
    await relay.settle();
    await relay.stop();
    expect(a.twin.transfers.get('TR-M')?.status).toBe('received');
    expect(relay.stats.acknowledged).toBe(2);
    expect(checkTwinInvariants(a.twin)).toEqual([]);
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('goes idle when every pass outlasts the retry interval (the timer does not queue a pass behind a pass)', async () => {
    const { a, b } = await twoSites({ ...TEST_SITE, id: asSiteId('b') });
    await despatchTwoClients(a, 'b');
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const retryMs = 10;
    let relay: TransferRelay | null = null;
    // A's reads take longer than retryMs (a slow site, a remote answer): the retry timer fires during each pass.
    const slowA: TransferSite = {
      siteId: a.siteId,
      read: async (view) => {
        await Promise.resolve(); // as a real read does, once the pass is under way
        vi.advanceTimersByTime(retryMs * 3);
        if (relay !== null && relay.stats.passes > 20) void relay.stop(); // a relay that never goes idle: end the test
        return a.read(view);
      },
      submit: (command) => a.submit(command),
      subscribe: (listener) => a.subscribe(listener),
    };
    relay = new TransferRelay([slowA, b], { retryMs });
    relay.start();
    await relay.settle();
    expect(relay.stats.passes).toBeLessThanOrEqual(3);
    expect(b.twin.inboundTransfers.get('TR-M')?.status).toBe('expected');
    await relay.stop();
  });
});
