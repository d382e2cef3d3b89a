/** What a sales channel may sell: on hand minus reserved over the real bins, per (tenant, SKU). */
import type { OrderId, SkuId, TenantId } from './ids.ts';
import { skuKey } from './keys.ts';
import type { TwinState } from './state.ts';
import { freeOf } from './stock-status.ts';

/**
 * Σ (onHand − reserved − held) of the tenant's SKU over every layout bin; the figure pushed to channels. Held units
 * (R39) and stock on the dock awaiting put-away (R44) are not available.
 */
export function availableOf(state: TwinState, tenantId: TenantId, skuId: SkuId): number {
  let total = 0;
  for (const key of state.quantsBySku.get(skuKey(tenantId, skuId)) ?? []) {
    const q = state.quants.get(key);
    if (q !== undefined && state.locationsById.has(q.locationId)) total += freeOf(state, q);
  }
  return total;
}

/**
 * Orders waiting for stock of (tenant, SKU): allocated or released orders with a backordered line of that SKU, oldest
 * first — what a receipt or a released reservation should refill (R12).
 */
export function ordersAwaitingStock(state: TwinState, tenantId: TenantId, skuId: SkuId): OrderId[] {
  const out: { id: OrderId; createdAt: number }[] = [];
  for (const order of state.orders.values()) {
    if (order.tenantId !== tenantId || (order.status !== 'allocated' && order.status !== 'released')) continue;
    if (order.lines.some((l) => l.skuId === skuId && l.backordered > 0)) out.push({ id: order.id, createdAt: order.createdAt });
  }
  return out.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1)).map((o) => o.id);
}
