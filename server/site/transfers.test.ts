/** The transfer relay on two in-memory sites (R74, R76, R76a): steps once each, refusals recorded at the source, not retried. */
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

  it('[R76a] records the refusal at the source once; a restarted relay does not offer it again', async () => {
    const { a, b } = await twoSites({ ...TEST_SITE, id: asSiteId('b'), skus: TEST_SITE.skus.filter((s) => s.id !== SKU_C) });
    const logged: string[] = [];
    const relay = new TransferRelay([a, b], { retryMs: 10, log: (m) => logged.push(m) });
    relay.start();
    await despatchTwoClients(a, 'b');
    await relay.settle();
    await relay.settle();
    await relay.stop();
    expect(a.twin.transfers.get('TR-M')?.refusal).toMatchObject({ siteId: 'b', code: 'UNKNOWN_SKU' });
    const seq = a.twin.seq;
    expect(relay.stats).toMatchObject({ submitted: 1, refused: 1, noted: 1 });
    expect(logged.filter((m) => m.includes('refused'))).toHaveLength(1);

    // A new process (no memory of the refusal): the log says it, so B is not asked again and nothing is logged.
    const restarted = new TransferRelay([a, b], { retryMs: 10, log: (m) => logged.push(m) });
    restarted.start();
    await restarted.settle();
    await restarted.stop();
    expect(restarted.stats).toMatchObject({ submitted: 0, refused: 0, noted: 0 });
    expect(logged).toHaveLength(1);
    expect(a.twin.seq).toBe(seq);
    expect(checkTwinInvariants(a.twin)).toEqual([]);
  });

  it('[R76a] a refusal the source could not record then (unavailable) is recorded on a later pass, B not asked again', async () => {
    const { a, b } = await twoSites({ ...TEST_SITE, id: asSiteId('b'), skus: TEST_SITE.skus.filter((s) => s.id !== SKU_C) });
    let down = true;
    const flakyA: TransferSite = {
      siteId: a.siteId,
      read: (view) => a.read(view),
      submit: async (command) => (down && command.type === 'noteTransferRefused' ? { ok: false, error: { code: 'UNAVAILABLE', message: 'closing' } } : a.submit(command)),
      subscribe: (listener) => a.subscribe(listener),
    };
    const relay = new TransferRelay([flakyA, b], { retryMs: 10 });
    await despatchTwoClients(a, 'b');
    await relay.pass();
    expect(a.twin.transfers.get('TR-M')?.refusal).toBeNull();
    down = false;
    await relay.pass();
    await relay.pass();
    expect(a.twin.transfers.get('TR-M')?.refusal).toMatchObject({ code: 'UNKNOWN_SKU' });
    expect(relay.stats).toMatchObject({ submitted: 1, noted: 1 });
  });

  it('[R76a] a returned transfer is not expected at the destination, even once the destination could take it', async () => {
    const { a, b } = await twoSites({ ...TEST_SITE, id: asSiteId('b') }); // B knows every SKU (fixed since)
    await despatchTwoClients(a, 'b');
    await ok(a, { type: 'noteTransferRefused', transferId: 'TR-M', siteId: 'b', code: 'UNKNOWN_SKU', message: 'line 2: unknown SKU' });
    await ok(a, { type: 'returnRefusedTransfer', transferId: 'TR-M', reason: 'b did not stock C then' });
    const relay = new TransferRelay([a, b], { retryMs: 10 });
    relay.start();
    await relay.settle();
    await relay.stop();
    expect(relay.stats.submitted).toBe(0);
    expect(b.twin.inboundTransfers.size).toBe(0);
    expect(checkTwinInvariants(a.twin)).toEqual([]);
  });

  it('[R76a] a transfer returned while a pass was reading is not offered to the destination', async () => {
    const { a, b } = await twoSites({ ...TEST_SITE, id: asSiteId('b') });
    await despatchTwoClients(a, 'b');
    // While the pass asks B about TR-M, B's refusal is recorded at A (another relay) and the desk returns TR-M.
    let returned = false;
    const racingB: TransferSite = {
      siteId: b.siteId,
      read: async (view) => {
        const answer = await b.read(view);
        if (!returned) {
          returned = true;
          await ok(a, { type: 'noteTransferRefused', transferId: 'TR-M', siteId: 'b', code: 'UNKNOWN_TENANT', message: 'client not served at b' });
          await ok(a, { type: 'returnRefusedTransfer', transferId: 'TR-M', reason: 'sent back' });
        }
        return answer;
      },
      submit: (command) => b.submit(command),
      subscribe: (listener) => b.subscribe(listener),
    };
    const relay = new TransferRelay([a, racingB], { retryMs: 10 });
    await relay.pass();
    expect(returned).toBe(true);
    expect(relay.stats.submitted).toBe(0);
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
