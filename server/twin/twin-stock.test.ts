import { describe, expect, it } from 'vitest';
import { asLocationId, asOrderId, asSkuId, asTenantId } from './ids.ts';
import { checkTwinInvariants } from './invariants.ts';
import { quantKey } from './keys.ts';
import { LOC, newTwin, SKU_A, SKU_B, SKU_C, SKU_D, T1, T2 } from './test-site.ts';
import type { Command } from './commands.ts';

const L1 = LOC[0]!;
const L2 = LOC[1]!;
const receive = (over: Partial<Extract<Command, { type: 'receiveStock' }>> = {}): Command => ({
  type: 'receiveStock',
  tenantId: T1,
  locationId: L1,
  skuId: SKU_A,
  qty: 10,
  ...over,
});

describe('receiveStock', () => {
  it('[R1] refuses unknown tenant, location and SKU, and a SKU of another tenant', () => {
    const t = newTwin();
    const code = (c: Command): string | undefined => {
      const d = t.run(c);
      return d.ok ? undefined : d.error.code;
    };
    expect(code(receive({ tenantId: asTenantId('nobody') }))).toBe('UNKNOWN_TENANT');
    expect(code(receive({ locationId: asLocationId('L99') }))).toBe('UNKNOWN_LOCATION');
    expect(code(receive({ locationId: asLocationId('V:SUPPLIER') }))).toBe('UNKNOWN_LOCATION');
    expect(code(receive({ skuId: asSkuId('ZZ') }))).toBe('UNKNOWN_SKU');
    expect(code(receive({ skuId: SKU_C }))).toBe('TENANT_MISMATCH');
    expect(t.log).toHaveLength(0);
  });

  it('[R2] refuses zero, negative, fractional and non-finite quantities', () => {
    const t = newTwin();
    for (const qty of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      const d = t.run(receive({ qty }));
      expect(d.ok ? 'ok' : d.error.code).toBe('INVALID_QUANTITY');
    }
  });

  it('[R1] records received stock as a StockReceived event and a quant', () => {
    const t = newTwin();
    const d = t.ok(receive());
    expect(d.events).toEqual([
      { type: 'StockReceived', at: expect.any(Number) as number, tenantId: T1, skuId: SKU_A, lot: '', expiry: null, locationId: L1, qty: 10 },
    ]);
    const q = t.state.quants.get(quantKey(L1, T1, SKU_A, ''));
    expect(q).toMatchObject({ onHand: 10, reserved: 0 });
    t.ok(receive({ qty: 5 }));
    expect(t.state.quants.get(quantKey(L1, T1, SKU_A, ''))?.onHand).toBe(15);
    expect(checkTwinInvariants(t.state)).toEqual([]);
  });

  it('[R3] requires lot and expiry for a lot-tracked SKU, and forbids them otherwise', () => {
    const t = newTwin();
    const err = (c: Command): string | undefined => {
      const d = t.run(c);
      return d.ok ? undefined : d.error.code;
    };
    expect(err(receive({ skuId: SKU_B }))).toBe('LOT_REQUIRED');
    expect(err(receive({ skuId: SKU_B, lot: 'L-1' }))).toBe('LOT_REQUIRED');
    expect(err(receive({ skuId: SKU_B, lot: 'L-1', expiry: '27/11/2026' }))).toBe('INVALID_STATE');
    expect(err(receive({ skuId: SKU_B, lot: 'L-1', expiry: '2026-13-01' }))).toBe('INVALID_STATE');
    expect(err(receive({ lot: 'L-1' }))).toBe('INVALID_STATE');
    expect(err(receive({ expiry: '2027-01-01' }))).toBe('INVALID_STATE');
    expect(err(receive({ skuId: SKU_B, lot: 'L-1', expiry: '2027-01-01' }))).toBeUndefined();
    expect(t.state.quants.get(quantKey(L1, T1, SKU_B, 'L-1'))?.expiry).toBe('2027-01-01');
  });

  it('[R3] keeps one expiry per lot in a bin, and allows several lots of one SKU', () => {
    const t = newTwin();
    t.ok(receive({ skuId: SKU_B, lot: 'L-1', expiry: '2027-01-01' }));
    const d = t.run(receive({ skuId: SKU_B, lot: 'L-1', expiry: '2027-02-01' }));
    expect(d.ok ? 'ok' : d.error.code).toBe('INVALID_STATE');
    t.ok(receive({ skuId: SKU_B, lot: 'L-2', expiry: '2027-02-01' }));
    expect(t.state.quantsByLocation.get(L1)?.size).toBe(2);
  });

  it('[R4] refuses a second SKU or tenant in an occupied bin, and frees the bin when emptied', () => {
    const t = newTwin();
    t.ok(receive());
    const other = t.run(receive({ skuId: SKU_D }));
    expect(other.ok ? 'ok' : other.error.code).toBe('INVALID_STATE');
    const otherTenant = t.run(receive({ tenantId: T2, skuId: SKU_C }));
    expect(otherTenant.ok ? 'ok' : otherTenant.error.code).toBe('INVALID_STATE');
    t.ok({ type: 'moveStock', tenantId: T1, skuId: SKU_A, fromLocationId: L1, toLocationId: L2, qty: 10 });
    expect(t.state.quantsByLocation.has(L1)).toBe(false);
    t.ok(receive({ tenantId: T2, skuId: SKU_C }));
    expect(checkTwinInvariants(t.state)).toEqual([]);
  });

  it('[R5] never exceeds a bin capacity in units', () => {
    const t = newTwin();
    t.ok(receive({ qty: 45 }));
    const d = t.run(receive({ qty: 6 }));
    expect(d.ok ? 'ok' : d.error.code).toBe('CAPACITY_EXCEEDED');
    t.ok(receive({ qty: 5 }));
    expect(t.state.quants.get(quantKey(L1, T1, SKU_A, ''))?.onHand).toBe(50);
  });
});

describe('moveStock', () => {
  const move = (qty: number, over: Partial<Extract<Command, { type: 'moveStock' }>> = {}): Command => ({
    type: 'moveStock',
    tenantId: T1,
    skuId: SKU_A,
    fromLocationId: L1,
    toLocationId: L2,
    qty,
    ...over,
  });

  it('[R6] moves only available stock (on hand minus reserved)', () => {
    const t = newTwin();
    t.ok(receive({ qty: 10 }));
    t.ok({ type: 'createOrder', orderId: asOrderId('O1'), tenantId: T1, lines: [{ skuId: SKU_A, qty: 7 }] });
    t.ok({ type: 'allocateOrder', orderId: asOrderId('O1') });
    const d = t.run(move(4));
    expect(d.ok ? 'ok' : d.error.code).toBe('INSUFFICIENT_STOCK');
    const nothing = t.run(move(1, { fromLocationId: LOC[3]! }));
    expect(nothing.ok ? 'ok' : nothing.error.code).toBe('INSUFFICIENT_STOCK');
    t.ok(move(3));
    expect(t.state.quants.get(quantKey(L1, T1, SKU_A, ''))).toMatchObject({ onHand: 7, reserved: 7 });
    expect(t.state.quants.get(quantKey(L2, T1, SKU_A, ''))).toMatchObject({ onHand: 3, reserved: 0 });
    expect(checkTwinInvariants(t.state)).toEqual([]);
  });

  it('[R6] refuses a move to the same bin, and applies R4/R5 at the target', () => {
    const t = newTwin();
    t.ok(receive({ qty: 30 }));
    t.ok(receive({ locationId: L2, qty: 25 }));
    t.ok(receive({ locationId: LOC[2]!, skuId: SKU_D, qty: 1 }));
    const same = t.run(move(1, { toLocationId: L1 }));
    expect(same.ok ? 'ok' : same.error.code).toBe('INVALID_STATE');
    const full = t.run(move(26));
    expect(full.ok ? 'ok' : full.error.code).toBe('CAPACITY_EXCEEDED');
    const mixed = t.run(move(1, { toLocationId: LOC[2]! }));
    expect(mixed.ok ? 'ok' : mixed.error.code).toBe('INVALID_STATE');
    t.ok(move(25));
  });

  it('[R3] a lot-tracked move names the lot and carries the expiry', () => {
    const t = newTwin();
    t.ok(receive({ skuId: SKU_B, lot: 'L-1', expiry: '2027-01-01' }));
    const d = t.run(move(2, { skuId: SKU_B }));
    expect(d.ok ? 'ok' : d.error.code).toBe('LOT_REQUIRED');
    const moved = t.ok(move(2, { skuId: SKU_B, lot: 'L-1' }));
    expect(moved.events[0]).toMatchObject({ type: 'StockMoved', expiry: '2027-01-01', lot: 'L-1' });
    expect(t.state.quants.get(quantKey(L2, T1, SKU_B, 'L-1'))?.expiry).toBe('2027-01-01');
  });

  it('[R1] refuses moves of unknown or foreign stock', () => {
    const t = newTwin();
    const code = (c: Command): string | undefined => {
      const d = t.run(c);
      return d.ok ? undefined : d.error.code;
    };
    expect(code(move(1, { toLocationId: asLocationId('V:CUSTOMER') }))).toBe('UNKNOWN_LOCATION');
    expect(code(move(1, { skuId: SKU_C }))).toBe('TENANT_MISMATCH');
    expect(code(move(0))).toBe('INVALID_QUANTITY');
  });
});
