import { describe, expect, it } from 'vitest';
import type { LocationId } from './ids.ts';
import { asOrderId } from './ids.ts';
import { checkTwinInvariants, ledgerBalances } from './invariants.ts';
import { quantKey } from './keys.ts';
import { LOC, newTwin, SKU_A, T0, T1 } from './test-site.ts';

const L1 = LOC[0] as LocationId;

describe('invariants', () => {
  it('[R25] a healthy twin has no problems; a broken reservation is reported', () => {
    const t = newTwin();
    t.ok({ type: 'receiveStock', tenantId: T1, locationId: L1, skuId: SKU_A, qty: 10 });
    t.ok({ type: 'createOrder', orderId: asOrderId('O1'), tenantId: T1, lines: [{ skuId: SKU_A, qty: 4 }] });
    t.ok({ type: 'allocateOrder', orderId: asOrderId('O1') });
    expect(checkTwinInvariants(t.state)).toEqual([]);
    const q = t.state.quants.get(quantKey(L1, T1, SKU_A, ''));
    if (q === undefined) throw new Error('no quant');
    q.reserved = 11;
    const problems = checkTwinInvariants(t.state);
    expect(problems.some((p) => p.includes('reserved 11 > onHand 10'))).toBe(true);
    expect(problems.some((p) => p.includes('tasks and allocations hold 4'))).toBe(true);
  });

  it('[R25] reports broken indexes and line arithmetic', () => {
    const t = newTwin();
    t.ok({ type: 'receiveStock', tenantId: T1, locationId: L1, skuId: SKU_A, qty: 10 });
    t.ok({ type: 'createOrder', orderId: asOrderId('O1'), tenantId: T1, lines: [{ skuId: SKU_A, qty: 4 }] });
    t.state.quantsBySku.clear();
    const line = t.state.orders.get(asOrderId('O1'))?.lines[0];
    if (line === undefined) throw new Error('no line');
    line.picked = 1;
    const problems = checkTwinInvariants(t.state);
    expect(problems.some((p) => p.includes('missing from quantsBySku'))).toBe(true);
    expect(problems.some((p) => p.includes('picked > allocated'))).toBe(true);
  });

  it('[R25] the ledger nets to zero and its real balances equal the quants', () => {
    const t = newTwin();
    t.ok({ type: 'receiveStock', tenantId: T1, locationId: L1, skuId: SKU_A, qty: 10 });
    t.ok({ type: 'moveStock', tenantId: T1, skuId: SKU_A, fromLocationId: L1, toLocationId: LOC[1] as LocationId, qty: 4 });
    const { balances, problems } = ledgerBalances(t.log.map((s) => s.event));
    expect(problems).toEqual([]);
    expect(balances.get(`V:SUPPLIER|${T1}|${SKU_A}`)).toBe(-10);
    expect(balances.get(`L1|${T1}|${SKU_A}`)).toBe(6);
    expect(balances.get(`L2|${T1}|${SKU_A}`)).toBe(4);
  });

  it('[R25] the ledger reports a bin driven negative', () => {
    const { problems } = ledgerBalances([
      { type: 'StockMoved', at: T0, tenantId: T1, skuId: SKU_A, lot: '', expiry: null, fromLocationId: L1, toLocationId: LOC[1] as LocationId, qty: 1 },
    ]);
    expect(problems).toEqual([`ledger L1|${T1}|${SKU_A}: negative balance -1`]);
  });
});
