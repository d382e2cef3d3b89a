import { describe, expect, it } from 'vitest';
import { builtinPackingOptions } from './packing.routes.ts';

describe('builtinPackingOptions', () => {
  it("prints each site's own name as the sender, the first site's for a site it does not know", () => {
    const names = new Map([['demo', 'Floortwin demo DC'], ['north', 'Floortwin north satellite']]);
    const options = builtinPackingOptions('Floortwin demo DC', 'GB', (siteId) => names.get(siteId));
    expect(options.shipFromOf?.('north')).toMatchObject({ name: 'Floortwin north satellite', country: 'GB' });
    expect(options.shipFromOf?.('demo')?.name).toBe('Floortwin demo DC');
    expect(options.shipFromOf?.('elsewhere')?.name).toBe('Floortwin demo DC');
    // One site, no lookup: every parcel is sent from `shipFrom`.
    expect(builtinPackingOptions('Solo', 'GB').shipFromOf).toBeUndefined();
  });
});
