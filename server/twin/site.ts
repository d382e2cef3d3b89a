/** Static definition of a site: layout, catalogue and 3PL clients. Changes to it are not events (yet). */
import type { SiteId, SkuId, TenantId } from './ids.ts';
import type { Layout } from './layout/types.ts';

export interface Sku {
  readonly id: SkuId;
  readonly tenantId: TenantId;
  readonly description: string;
  /** Barcode a picker scans to confirm the item (GTIN or internal). */
  readonly barcode: string;
  /** Unit dimensions in metres and weight in kilograms. */
  readonly lengthM: number;
  readonly widthM: number;
  readonly heightM: number;
  readonly weightKg: number;
  /** Relative demand weight (skewed: a few SKUs get most orders). */
  readonly demandWeight: number;
  /** True when stock of this SKU carries lots with expiry (allocated FEFO). */
  readonly lotTracked: boolean;
  /** True when every unit carries a serial number, captured on receipt and scanned on pick (R77–R80). */
  readonly serialTracked?: boolean;
}

export interface Tenant {
  readonly id: TenantId;
  readonly name: string;
}

export interface SiteDefinition {
  readonly id: SiteId;
  readonly name: string;
  readonly layout: Layout;
  readonly skus: readonly Sku[];
  readonly tenants: readonly Tenant[];
  /** GS1 identity for SSCCs on parcels; `DEFAULT_GS1` (keys.ts) when absent. */
  readonly gs1?: { readonly companyPrefix: string; readonly extensionDigit: number };
}
