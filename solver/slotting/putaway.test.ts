/** Put-away suggestions (SPEC S9): mixing, capacity by units, cube and weight, travel from the dock, velocity. */
import { describe, expect, it } from 'vitest';
import { asSkuId, asTenantId } from '../../server/twin/ids.ts';
import { layoutFromRackAisle } from '../../server/twin/layout/rack-aisle.ts';
import type { SlotSku } from './model.ts';
import { travelCosts } from './model.ts';
import { suggestPutawayLocations, type StockLine } from './putaway.ts';

const acme = asTenantId('acme');
const bloom = asTenantId('bloom');
const layout = layoutFromRackAisle({ id: 'p', aisles: 3, blocks: 1, baysPerBlock: 6, levels: 3, bayLength: 1, aisleSpacing: 3, crossAisleWidth: 2, depot: { x: 0 } });
const skus: SlotSku[] = Array.from({ length: 10 }, (_, i) => ({ id: asSkuId(`S${i}`), tenantId: i % 2 === 0 ? acme : bloom, picks: 100 - i * 10, unitCube: 0.0001, unitWeightKg: 2 }));
const at = (i: number) => layout.locations[i]!.id;

describe('[S9] suggestPutawayLocations', () => {
  it('never suggests a bin holding another client, another SKU or another lot', () => {
    const stock: StockLine[] = [
      { locationId: at(0), skuId: asSkuId('S1'), tenantId: bloom, lot: '', onHand: 1 },
      { locationId: at(1), skuId: asSkuId('S2'), tenantId: acme, lot: '', onHand: 1 },
      { locationId: at(2), skuId: asSkuId('S0'), tenantId: acme, lot: 'L2', onHand: 1 },
      { locationId: at(3), skuId: asSkuId('S0'), tenantId: acme, lot: 'L1', onHand: 1 },
    ];
    const s = suggestPutawayLocations({ layout, skus, stock }, asSkuId('S0'), 5, { lot: 'L1', limit: 1000 });
    const ids = s.map((x) => x.locationId);
    expect(ids).not.toContain(at(0));
    expect(ids).not.toContain(at(1));
    expect(ids).not.toContain(at(2));
    expect(s[0]).toMatchObject({ locationId: at(3), kind: 'top-up' });
    expect(s.slice(1).every((x) => x.kind === 'empty')).toBe(true);
  });

  it('limits what fits by the bin load (maxLoadKg) as well as units and cube', () => {
    const stock: StockLine[] = [{ locationId: at(4), skuId: asSkuId('S0'), tenantId: acme, lot: '', onHand: 10 }];
    const s = suggestPutawayLocations({ layout, skus, stock, rules: { maxLoadKg: 30 } }, asSkuId('S0'), 50, { limit: 1000 });
    const top = s.find((x) => x.locationId === at(4));
    expect(top?.fits).toBe(5); // 30 kg − 10 × 2 kg = 10 kg left: 5 units
    expect(s.filter((x) => x.kind === 'empty').every((x) => x.fits === 15)).toBe(true);
    // Without a load limit the units bound it.
    expect(suggestPutawayLocations({ layout, skus, stock }, asSkuId('S0'), 50, { limit: 1000 }).find((x) => x.locationId === at(4))?.fits).toBe(Math.min(50, layout.locations[4]!.capacityUnits - 10));
  });

  it('reports the routed round trip from the dock and sends fast movers nearer than slow ones', () => {
    const travel = travelCosts(layout);
    const fast = suggestPutawayLocations({ layout, skus, stock: [], travel }, asSkuId('S0'), 1)[0]!;
    const slow = suggestPutawayLocations({ layout, skus, stock: [], travel }, asSkuId('S9'), 1)[0]!;
    const index = new Map(layout.locations.map((l) => [l.id, l.index]));
    expect(fast.travelM).toBe(travel[index.get(fast.locationId)!]);
    expect(fast.travelM).toBeGreaterThan(0);
    expect(fast.travelM).toBeLessThan(slow.travelM);
  });
});
