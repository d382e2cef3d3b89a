import { describe, expect, it } from 'vitest';
import { abcClasses, binAttributes, skusInDemand } from './bin-attributes.ts';
import type { LocationId } from './ids.ts';
import { asOperativeId, asOrderId, asSkuId, asTaskId } from './ids.ts';
import type { Sku } from './site.ts';
import { LOC, newTwin, SKU_A, SKU_C, SKU_D, T1, T2, TEST_SITE } from './test-site.ts';

const L1 = LOC[0] as LocationId;
const L2 = LOC[1] as LocationId;
const L3 = LOC[2] as LocationId;

describe('bin attributes', () => {
  it('classes SKUs A/B/C by demand rank: top 20 %, next 30 %, the rest', () => {
    const base = TEST_SITE.skus[0] as Sku;
    const skus = Array.from({ length: 10 }, (_, i) => ({ ...base, id: asSkuId(`S${i}`), demandWeight: i }));
    const classes = abcClasses(skus);
    expect(['S9', 'S8', 'S7', 'S6', 'S5', 'S4', 'S0'].map((id) => classes.get(asSkuId(id)))).toEqual([0, 0, 1, 1, 1, 2, 2]);
    // Equal weights rank by id, so the classes are stable.
    expect([...abcClasses(TEST_SITE.skus).values()]).toEqual([0, 1, 2, 2]);
  });

  it('names the owner and class of the main stock, heat from the counts given, -1 for empty bins', () => {
    const t = newTwin();
    t.ok({ type: 'receiveStock', tenantId: T1, locationId: L1, skuId: SKU_A, qty: 30 });
    t.ok({ type: 'receiveStock', tenantId: T2, locationId: L2, skuId: SKU_C, qty: 40 });
    t.ok({ type: 'receiveStock', tenantId: T1, locationId: L3, skuId: SKU_D, qty: 5 });
    const view = binAttributes(t.state, new Map([[L2, 7]]), 4);
    expect(view).toMatchObject({ siteId: 'test-site', layoutId: 'tiny', seq: 3, heatHours: 4, tenants: [{ id: 'acme', name: 'Acme' }, { id: 'globex', name: 'Globex' }] });
    expect(view.tenant).toEqual([0, 1, 0, -1, -1, -1]);
    expect(view.abc).toEqual([0, 2, 2, -1, -1, -1]);
    expect(view.heat).toEqual([0, 7, 0, 0, 0, 0]);
    expect(view.replenish).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('flags a low bin only while its SKU is wanted, not once it is picked empty and nothing wants it', () => {
    const t = newTwin();
    t.ok({ type: 'receiveStock', tenantId: T1, locationId: L1, skuId: SKU_A, qty: 9 }); // 18 % of 50
    t.ok({ type: 'receiveStock', tenantId: T2, locationId: L3, skuId: SKU_C, qty: 2 });
    expect(binAttributes(t.state, new Map(), 1).replenish).toEqual([0, 0, 0, 0, 0, 0]);
    t.ok({ type: 'createOrder', orderId: asOrderId('O1'), tenantId: T1, lines: [{ skuId: SKU_A, qty: 9 }] });
    expect(skusInDemand(t.state)).toEqual(new Set([SKU_A]));
    expect(binAttributes(t.state, new Map(), 1).replenish).toEqual([1, 0, 0, 0, 0, 0]);
    t.ok({ type: 'allocateOrder', orderId: asOrderId('O1') });
    t.ok({ type: 'releaseOrder', orderId: asOrderId('O1') });
    // Every unit is reserved by the task, none picked yet: still low and wanted.
    expect(binAttributes(t.state, new Map(), 1).replenish[0]).toBe(1);
    const P1 = asOperativeId('P1');
    t.ok({ type: 'signOn', operativeId: P1, name: 'Pat' });
    t.ok({ type: 'requestWork', operativeId: P1, maxTasks: 1 });
    t.ok({ type: 'confirmPick', taskId: asTaskId('O1-T1'), operativeId: P1, scannedLocation: 'L1', scannedItem: 'BC-A', qty: 9 });
    // Picked empty and nothing else wants it: no replenishment.
    const after = binAttributes(t.state, new Map(), 1);
    expect(after.tenant[0]).toBe(-1);
    expect(after.replenish).toEqual([0, 0, 0, 0, 0, 0]);
  });
});
