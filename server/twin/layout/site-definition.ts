/**
 * A site file (`data/sites/*.json`) names its layout, catalogue and initial stock files and lists its 3PL tenants.
 * These pure functions validate the parsed contents; reading the files is the caller's job (server/site-loader.ts).
 */
import type { ReceiveStock } from '../commands.ts';
import type { SiteDefinition, Tenant } from '../site.ts';
import { asSiteId, asTenantId } from '../ids.ts';
import { DEFAULT_GS1 } from '../keys.ts';
import { parseCatalogue } from '../catalogue/catalogue.ts';
import { parseLayoutDocument } from './floortwin-layout.ts';
import type { ParseResult } from './parse-result.ts';
import { describeValue, isRecord, parseError, parsed } from './parse-result.ts';

/** A site file: paths are relative to the data folder (e.g. `layouts/demo.json`). */
export interface SiteFile {
  readonly id: string;
  readonly name: string;
  readonly layout: string;
  readonly catalogue: string;
  /** CSV `location,tenant,sku,lot,expiry,qty`; optional (an empty site). */
  readonly initialStock?: string;
  readonly tenants: readonly { readonly id: string; readonly name: string }[];
  /** The site's GS1 identity for SSCCs (7–10 digit company prefix, extension digit 0–9); DEFAULT_GS1 when absent. */
  readonly gs1?: { readonly companyPrefix: string; readonly extensionDigit: number };
}

/** Validates a site file. */
export function parseSiteFile(json: unknown): ParseResult<SiteFile> {
  const where = 'site';
  if (!isRecord(json)) return parseError(`${where}: expected a JSON object (got ${describeValue(json)})`);
  for (const key of ['id', 'name', 'layout', 'catalogue'] as const) {
    const v = json[key];
    if (typeof v !== 'string' || v.length === 0) return parseError(`${where}: "${key}" must be a non-empty string (got ${describeValue(v)})`);
  }
  if (json.initialStock !== undefined && (typeof json.initialStock !== 'string' || json.initialStock.length === 0)) {
    return parseError(`${where}: "initialStock" must be a file path`);
  }
  if (!Array.isArray(json.tenants) || json.tenants.length === 0) return parseError(`${where}: "tenants" must be a non-empty array`);
  const gs1 = json.gs1;
  if (
    gs1 !== undefined &&
    !(isRecord(gs1) && typeof gs1.companyPrefix === 'string' && /^\d{7,10}$/.test(gs1.companyPrefix) && Number.isInteger(gs1.extensionDigit) && (gs1.extensionDigit as number) >= 0 && (gs1.extensionDigit as number) <= 9)
  ) {
    return parseError(`${where}: "gs1" must be { "companyPrefix": 7 to 10 digits, "extensionDigit": 0 to 9 } (got ${describeValue(gs1)})`);
  }
  const tenants: { id: string; name: string }[] = [];
  for (const [i, t] of json.tenants.entries()) {
    if (!isRecord(t) || typeof t.id !== 'string' || t.id.length === 0 || typeof t.name !== 'string') {
      return parseError(`${where}: tenants[${i}] must have a string "id" and "name"`);
    }
    if (tenants.some((x) => x.id === t.id)) return parseError(`${where}: tenant ${t.id} listed twice`);
    tenants.push({ id: t.id, name: t.name });
  }
  const file: { -readonly [K in keyof SiteFile]: SiteFile[K] } = {
    id: json.id as string,
    name: json.name as string,
    layout: json.layout as string,
    catalogue: json.catalogue as string,
    tenants,
  };
  if (typeof json.initialStock === 'string') file.initialStock = json.initialStock;
  if (isRecord(gs1)) file.gs1 = { companyPrefix: gs1.companyPrefix as string, extensionDigit: gs1.extensionDigit as number };
  return parsed(file);
}

/**
 * Builds a SiteDefinition from the parsed site, layout (`rack-aisle/1` or `floortwin-layout/1`) and catalogue JSON.
 * Every SKU must belong to a tenant of the site.
 */
export function buildSiteDefinition(siteJson: unknown, layoutJson: unknown, catalogueJson: unknown): ParseResult<SiteDefinition> {
  const site = parseSiteFile(siteJson);
  if (!site.ok) return site;
  const layout = parseLayoutDocument(layoutJson);
  if (!layout.ok) return parseError(`site ${site.value.id}: layout ${site.value.layout}: ${layout.error}`);
  const skus = parseCatalogue(catalogueJson);
  if (!skus.ok) return parseError(`site ${site.value.id}: catalogue ${site.value.catalogue}: ${skus.error}`);
  const tenants: Tenant[] = site.value.tenants.map((t) => ({ id: asTenantId(t.id), name: t.name }));
  const tenantIds = new Set<string>(tenants.map((t) => t.id));
  const stray = skus.value.find((s) => !tenantIds.has(s.tenantId));
  if (stray !== undefined) return parseError(`site ${site.value.id}: SKU ${stray.id} belongs to unknown tenant ${stray.tenantId}`);
  return parsed({ id: asSiteId(site.value.id), name: site.value.name, layout: layout.value, skus: skus.value, tenants, ...(site.value.gs1 === undefined ? {} : { gs1: site.value.gs1 }) });
}

/**
 * Sites of one deployment that would number parcels alike: the same GS1 company prefix and extension digit (DEFAULT_GS1
 * when a site names none) give the same SSCCs, which must be unique across the deployment. One message per clash.
 */
export function gs1Clashes(sites: readonly SiteDefinition[]): string[] {
  const seen = new Map<string, string>();
  const clashes: string[] = [];
  for (const site of sites) {
    const gs1 = site.gs1 ?? DEFAULT_GS1;
    const key = `${gs1.extensionDigit}/${gs1.companyPrefix}`;
    const other = seen.get(key);
    if (other === undefined) seen.set(key, site.id);
    else clashes.push(`sites ${other} and ${site.id} share GS1 prefix ${gs1.companyPrefix} with extension digit ${gs1.extensionDigit}: give one its own "gs1" in its site file (SSCCs must be unique)`);
  }
  return clashes;
}

/**
 * Checks initial stock against a site: known locations, SKUs and tenants (the SKU's own), lots on lot-tracked SKUs
 * only, one SKU per location, and no location over its capacity in units. Returns one message per problem (empty: fine).
 */
export function checkInitialStock(site: SiteDefinition, stock: readonly ReceiveStock[], maxProblems = 20): string[] {
  const locations = new Map(site.layout.locations.map((l) => [l.id as string, l]));
  const skus = new Map(site.skus.map((s) => [s.id as string, s]));
  const tenants = new Set<string>(site.tenants.map((t) => t.id));
  const skuAt = new Map<string, string>();
  const unitsAt = new Map<string, number>();
  const problems: string[] = [];
  for (const [i, r] of stock.entries()) {
    if (problems.length >= maxProblems) break;
    const at = `stock row ${i + 1} (${r.locationId})`;
    const loc = locations.get(r.locationId);
    const sku = skus.get(r.skuId);
    if (loc === undefined) problems.push(`${at}: unknown location`);
    else if (sku === undefined) problems.push(`${at}: unknown SKU ${r.skuId}`);
    else if (!tenants.has(r.tenantId)) problems.push(`${at}: unknown tenant ${r.tenantId}`);
    else if (sku.tenantId !== r.tenantId) problems.push(`${at}: SKU ${r.skuId} belongs to ${sku.tenantId}, not ${r.tenantId}`);
    else if (sku.lotTracked !== ((r.lot ?? '') !== '')) problems.push(`${at}: SKU ${r.skuId} ${sku.lotTracked ? 'needs' : 'takes no'} lot`);
    else {
      const other = skuAt.get(r.locationId);
      if (other !== undefined && other !== r.skuId) problems.push(`${at}: already holds SKU ${other}`);
      skuAt.set(r.locationId, r.skuId);
      const units = (unitsAt.get(r.locationId) ?? 0) + r.qty;
      unitsAt.set(r.locationId, units);
      if (units > loc.capacityUnits) problems.push(`${at}: ${units} units over capacity ${loc.capacityUnits}`);
    }
  }
  return problems;
}
