/** Index keys of the twin state, shared by decide, apply, snapshots and the invariant checker. */
import type { LocationId, SkuId, TenantId } from './ids.ts';

/** Key of one quant in `TwinState.quants`: stock of (location, tenant, sku, lot). */
export const quantKey = (locationId: LocationId, tenantId: TenantId, skuId: SkuId, lot: string): string =>
  `${locationId}|${tenantId}|${skuId}|${lot}`;

/** Key of `TwinState.quantsBySku`: all quants of one tenant's SKU, for allocation. */
export const skuKey = (tenantId: TenantId, skuId: SkuId): string => `${tenantId}|${skuId}`;

/** Length of the picks-per-hour window, twin milliseconds. */
export const PICK_WINDOW_MS = 3_600_000;

/** Most lines one order may carry (larger orders are rejected rather than slowing the single writer). */
export const MAX_ORDER_LINES = 1_000;

/** Key of `TwinState.ordersByExternal`: one order per (tenant, channel, channel order id). */
export const externalKey = (tenantId: TenantId, channel: string, externalRef: string): string =>
  `${tenantId}|${channel}|${externalRef}`;

/** Orders with at most this many pick tasks count as small and may share a batch (R31). */
export const SMALL_ORDER_TASKS = 3;

/** GS1 company prefix and extension digit used for SSCCs when the site does not set its own (GS1's example prefix). */
export const DEFAULT_GS1 = { companyPrefix: '0614141', extensionDigit: 0 } as const;
