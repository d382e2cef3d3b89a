/** What a sales channel may sell: on hand minus reserved over the real bins, per (tenant, SKU). */
import type { SkuId, TenantId } from './ids.ts';
import { skuKey } from './keys.ts';
import type { TwinState } from './state.ts';

/** Σ (onHand − reserved) of the tenant's SKU over every bin; the figure pushed to channels. */
export function availableOf(state: TwinState, tenantId: TenantId, skuId: SkuId): number {
  let total = 0;
  for (const key of state.quantsBySku.get(skuKey(tenantId, skuId)) ?? []) {
    const q = state.quants.get(key);
    if (q !== undefined) total += q.onHand - q.reserved;
  }
  return total;
}
