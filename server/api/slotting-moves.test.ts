import { describe, expect, it } from 'vitest';
import type { SlotMove } from '../../solver/slotting/move-plan.ts';
import { asOrderId } from '../twin/ids.ts';
import { checkTwinInvariants } from '../twin/invariants.ts';
import { LOC, newTwin, SKU_A, SKU_D, T1 } from '../twin/test-site.ts';
import { toSnapshotData } from '../twin/twin.ts';
import { applySlotMoves } from './slotting-moves.ts';

const [L1, L2, L3, L4, L5, L6] = LOC as [typeof LOC[0], typeof LOC[0], typeof LOC[0], typeof LOC[0], typeof LOC[0], typeof LOC[0]];
/** SKU id → units per location, for comparing stock before and after. */
const stockAt = (t: ReturnType<typeof newTwin>): Record<string, string> =>
  Object.fromEntries([...t.state.quants.values()].filter((q) => q.onHand > 0).map((q) => [q.locationId, `${q.skuId}×${q.onHand}`]));

/** Every quant, by key (an undone move may re-insert one). */
const quantsOf = (t: ReturnType<typeof newTwin>): string => JSON.stringify(toSnapshotData(t.state).quants.toSorted((a, b) => (a.key < b.key ? -1 : 1)));

/** A twin with A in L1 (10 units) and D in L2 (20 units); L3–L6 empty. */
function stocked() {
  const t = newTwin();
  t.ok({ type: 'receiveStock', tenantId: T1, locationId: L1, skuId: SKU_A, qty: 10 });
  t.ok({ type: 'receiveStock', tenantId: T1, locationId: L2, skuId: SKU_D, qty: 20 });
  return t;
}

describe('slot moves as stock moves', () => {
  it('relocates every unit, and swaps two SKUs via an empty buffer that ends empty', () => {
    const t = stocked();
    const relocate: SlotMove = { kind: 'relocate', sku: SKU_A, from: L1, to: L4, saving: 1 };
    const swap: SlotMove = { kind: 'swap', sku: SKU_A, from: L4, to: L2, swappedSku: SKU_D, saving: 1 };
    const outcome = applySlotMoves(t.state, [relocate, swap]);
    expect(outcome.skipped).toEqual([]);
    expect(outcome.applied.map((a) => a.commands.length)).toEqual([1, 3]);
    expect(stockAt(t)).toEqual({ [L2]: 'A×10', [L4]: 'D×20' });
    expect(checkTwinInvariants(t.state)).toEqual([]);
  });

  it('skips a move that no longer fits with the twin\'s reason and leaves the state as it was', () => {
    const t = stocked();
    t.ok({ type: 'receiveStock', tenantId: T1, locationId: L3, skuId: SKU_A, qty: 45 });
    for (const l of [L4, L5, L6]) t.ok({ type: 'receiveStock', tenantId: T1, locationId: l, skuId: SKU_D, qty: 1 });
    const before = quantsOf(t);
    const outcome = applySlotMoves(
      t.state,
      [
        { kind: 'relocate', sku: SKU_A, from: L1, to: L2, saving: 1 }, // L2 holds D
        { kind: 'relocate', sku: SKU_A, from: L1, to: L3, saving: 1 }, // 45 + 10 > 50
        { kind: 'swap', sku: SKU_A, from: L1, to: L2, swappedSku: SKU_D, saving: 1 }, // no empty location left
        { kind: 'relocate', sku: SKU_A, from: L5, to: L1, saving: 1 }, // L5 holds D, not A
      ],
      7,
    );
    expect(outcome.applied).toEqual([]);
    expect(outcome.skipped.map((s) => [s.index, s.code])).toEqual([
      [7, 'INVALID_STATE'],
      [8, 'CAPACITY_EXCEEDED'],
      [9, 'NO_BUFFER'],
      [10, 'NOTHING_TO_MOVE'],
    ]);
    expect(quantsOf(t)).toBe(before);
  });

  it('undoes the first half of a swap when the second is refused (reserved stock stays put)', () => {
    const t = stocked();
    t.ok({ type: 'createOrder', orderId: asOrderId('O1'), tenantId: T1, lines: [{ skuId: SKU_D, qty: 5 }] });
    t.ok({ type: 'allocateOrder', orderId: asOrderId('O1') });
    const before = quantsOf(t);
    const outcome = applySlotMoves(t.state, [{ kind: 'swap', sku: SKU_A, from: L1, to: L2, swappedSku: SKU_D, saving: 1 }]);
    expect(outcome.skipped.map((s) => s.code)).toEqual(['INSUFFICIENT_STOCK']);
    expect(quantsOf(t)).toBe(before);
    expect(checkTwinInvariants(t.state)).toEqual([]);
  });
});
