/** A despatched transfer the destination refused (R76a): the refusal is recorded once, the desk brings the units back. */
import { describe, expect, it } from 'vitest';
import type { Command } from './commands.ts';
import type { LocationId } from './ids.ts';
import { checkTwinInvariants, ledgerBalances } from './invariants.ts';
import { quantKey } from './keys.ts';
import { serialKey } from './serials.ts';
import type { SiteDefinition } from './site.ts';
import { dockLocationId, freeOf } from './stock-status.ts';
import type { TestTwin } from './test-site.ts';
import { LOC, newTwin, SKU_A, SKU_D, T1, TEST_SITE } from './test-site.ts';
import { transitLocationId } from './transfers.ts';
import { fromSnapshotData, toSnapshotData } from './twin.ts';

const SITE_A: SiteDefinition = { ...TEST_SITE, skus: TEST_SITE.skus.map((s) => (s.id === SKU_D ? { ...s, serialTracked: true } : s)) };
const B = 'site-b';
const L1 = LOC[0] as LocationId;
const L2 = LOC[1] as LocationId;
const TRANSIT = transitLocationId(SITE_A.id);
const DOCK = dockLocationId(SITE_A.id);

const codeOf = (t: TestTwin, c: Command): string => {
  const d = t.run(c);
  return d.ok ? 'ok' : d.error.code;
};
const typesOf = (t: TestTwin, c: Command): string[] => t.ok(c).events.map((e) => e.type);
const onHand = (t: TestTwin, loc: string, sku = SKU_A): number => t.state.quants.get(quantKey(loc as LocationId, T1, sku, ''))?.onHand ?? 0;
const noProblems = (t: TestTwin): void => {
  expect(checkTwinInvariants(t.state)).toEqual([]);
  expect(ledgerBalances(t.log.map((s) => s.event)).problems).toEqual([]);
};
const refused = (code = 'UNKNOWN_SKU', message = 'line 1: unknown SKU A', siteId = B): Command => ({ type: 'noteTransferRefused', transferId: 'TR-1', siteId, code, message });
const giveBack = (reason = 'north does not stock it', locationId?: LocationId): Command => ({ type: 'returnRefusedTransfer', transferId: 'TR-1', reason, ...(locationId === undefined ? {} : { locationId }) });

/** Site A with 10 of SKU A at L1; TR-1 sends 4 of them to B and is despatched (4 in transit). */
function despatched(): TestTwin {
  const a = newTwin(SITE_A);
  a.ok({ type: 'receiveStock', tenantId: T1, locationId: L1, skuId: SKU_A, qty: 10 });
  a.ok({ type: 'createTransfer', transferId: 'TR-1', toSiteId: B, lines: [{ tenantId: T1, skuId: SKU_A, qty: 4, fromLocationId: L1 }] });
  a.ok({ type: 'pickTransferLine', transferId: 'TR-1', lineNo: 1, sourceScan: L1, scanId: 's1' });
  a.ok({ type: 'despatchTransfer', transferId: 'TR-1' });
  return a;
}

describe('a transfer the destination refused (R76a)', () => {
  it('records the refusal once; the same again adds nothing, another is recorded and shown', () => {
    const a = despatched();
    expect(typesOf(a, refused())).toEqual(['TransferRefusedByDestination']);
    expect(a.state.transfers.get('TR-1')?.refusal).toMatchObject({ siteId: B, code: 'UNKNOWN_SKU', message: 'line 1: unknown SKU A' });
    expect(typesOf(a, refused())).toEqual([]);
    expect(typesOf(a, refused('UNKNOWN_TENANT', 'line 1: unknown tenant t1'))).toEqual(['TransferRefusedByDestination']);
    expect(a.state.transfers.get('TR-1')?.refusal).toMatchObject({ code: 'UNKNOWN_TENANT' });
    expect(a.state.transfers.get('TR-1')?.status).toBe('despatched');
    expect(onHand(a, TRANSIT)).toBe(4); // a refusal moves nothing
    noProblems(a);
  });

  it('refuses a refusal of an unknown, not despatched, or other destination’s transfer, or without code and message', () => {
    const a = newTwin(SITE_A);
    a.ok({ type: 'receiveStock', tenantId: T1, locationId: L1, skuId: SKU_A, qty: 10 });
    expect(codeOf(a, refused())).toBe('UNKNOWN_TRANSFER');
    a.ok({ type: 'createTransfer', transferId: 'TR-1', toSiteId: B, lines: [{ tenantId: T1, skuId: SKU_A, qty: 4, fromLocationId: L1 }] });
    expect(codeOf(a, refused())).toBe('TRANSFER_CLOSED'); // created: nothing asked of B yet
    a.ok({ type: 'pickTransferLine', transferId: 'TR-1', lineNo: 1, sourceScan: L1, scanId: 's1' });
    a.ok({ type: 'despatchTransfer', transferId: 'TR-1' });
    expect(codeOf(a, refused('UNKNOWN_SKU', 'x', 'site-c'))).toBe('INVALID_STATE');
    expect(codeOf(a, refused('', 'x'))).toBe('INVALID_STATE');
    expect(codeOf(a, refused('UNKNOWN_SKU', ' '))).toBe('INVALID_STATE');
    expect(codeOf(a, refused('UNKNOWN_SKU', 'x'.repeat(501)))).toBe('INVALID_STATE');
    expect(a.state.transfers.get('TR-1')?.refusal).toBeNull();
  });

  it('returns a refused transfer to the dock: transit empties, the units are free stock again, the transfer is returned', () => {
    const a = despatched();
    a.ok(refused());
    expect(typesOf(a, giveBack())).toEqual(['TransferReturned']);
    expect(onHand(a, TRANSIT)).toBe(0);
    expect(onHand(a, DOCK)).toBe(4);
    expect(onHand(a, L1)).toBe(6);
    expect(a.state.transfers.get('TR-1')).toMatchObject({ status: 'returned', returnReason: 'north does not stock it', returnLocationId: DOCK });
    noProblems(a);
    expect(typesOf(a, giveBack())).toEqual([]); // returned already
    expect(codeOf(a, refused('OTHER', 'later'))).toBe('TRANSFER_CLOSED'); // nothing more is asked of B
    expect(codeOf(a, { type: 'confirmTransferReceipt', transferId: 'TR-1', lines: [{ lineNo: 1, receivedQty: 4, damagedQty: 0 }], reason: null })).toBe('TRANSFER_CLOSED');
    noProblems(a);
  });

  it('returns to a named bin of this site, where the units are free to use', () => {
    const a = despatched();
    a.ok(refused());
    expect(codeOf(a, giveBack('back', 'NOPE' as LocationId))).toBe('UNKNOWN_LOCATION');
    a.ok(giveBack('back', L2));
    const q = a.state.quants.get(quantKey(L2, T1, SKU_A, ''));
    expect(q === undefined ? -1 : freeOf(a.state, q)).toBe(4);
    noProblems(a);
  });

  it('only a refused, despatched transfer is returned, with a reason; nothing is written otherwise', () => {
    const a = despatched();
    expect(codeOf(a, giveBack())).toBe('TRANSFER_NOT_REFUSED'); // B never answered: it may still take it
    a.ok(refused());
    expect(codeOf(a, giveBack(''))).toBe('REASON_REQUIRED');
    expect(codeOf(a, giveBack('x'.repeat(201)))).toBe('REASON_REQUIRED');
    expect(codeOf(a, { type: 'returnRefusedTransfer', transferId: 'TR-9', reason: 'r' })).toBe('UNKNOWN_TRANSFER');
    expect(a.state.transfers.get('TR-1')?.status).toBe('despatched');
    expect(onHand(a, TRANSIT)).toBe(4);

    const c = newTwin(SITE_A);
    c.ok({ type: 'receiveStock', tenantId: T1, locationId: L1, skuId: SKU_A, qty: 10 });
    c.ok({ type: 'createTransfer', transferId: 'TR-1', toSiteId: B, lines: [{ tenantId: T1, skuId: SKU_A, qty: 4, fromLocationId: L1 }] });
    expect(codeOf(c, giveBack())).toBe('TRANSFER_CLOSED'); // created: cancel it instead
  });

  it('[R80] serials come back in stock at the return location with their units', () => {
    const a = newTwin(SITE_A);
    a.ok({ type: 'receiveGoods', receiptId: 'G-1', tenantId: T1, skuId: SKU_D, qty: 3, serials: ['S1', 'S2', 'S3'] });
    a.ok({ type: 'moveStock', tenantId: T1, skuId: SKU_D, fromLocationId: DOCK, toLocationId: L1, qty: 3, serials: ['S1', 'S2', 'S3'] });
    a.ok({ type: 'createTransfer', transferId: 'TR-1', toSiteId: B, lines: [{ tenantId: T1, skuId: SKU_D, qty: 2, fromLocationId: L1 }] });
    a.ok({ type: 'pickTransferLine', transferId: 'TR-1', lineNo: 1, sourceScan: L1, scanId: 's1', serials: ['S1', 'S2'] });
    a.ok({ type: 'despatchTransfer', transferId: 'TR-1' });
    expect(a.state.serials.get(serialKey(T1, SKU_D, 'S1'))?.status).toBe('in-transit');
    a.ok(refused());
    a.ok(giveBack('back', L2));
    for (const s of ['S1', 'S2']) expect(a.state.serials.get(serialKey(T1, SKU_D, s))).toMatchObject({ status: 'in-stock', locationId: L2, transferId: null });
    expect(onHand(a, L2, SKU_D)).toBe(2);
    noProblems(a);
  });

  it('a snapshot keeps the refusal and the return; a snapshot written before R76a reads as neither', () => {
    const a = despatched();
    a.ok(refused());
    const again = fromSnapshotData(SITE_A, toSnapshotData(a.state));
    expect(again.transfers.get('TR-1')?.refusal).toMatchObject({ code: 'UNKNOWN_SKU' });
    a.ok(giveBack());
    const data = toSnapshotData(a.state);
    expect(fromSnapshotData(SITE_A, data).transfers.get('TR-1')).toMatchObject({ status: 'returned', returnLocationId: DOCK });
    const r76aFields = new Set(['refusal', 'returnedAt', 'returnReason', 'returnLocationId']);
    const old = JSON.parse(JSON.stringify(data), (key, value: unknown) => (r76aFields.has(key) ? undefined : value)) as typeof data;
    expect(old.transfers?.[0]).not.toHaveProperty('refusal');
    const read = fromSnapshotData(SITE_A, old).transfers.get('TR-1');
    expect(read?.refusal).toBeNull();
    expect(read?.returnReason).toBeNull();
  });
});
