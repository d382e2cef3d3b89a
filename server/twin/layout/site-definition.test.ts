import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatCatalogue, formatStockCsv, parseStockCsv } from '../catalogue/catalogue.ts';
import { DEMO_SITE_PARAMS, DEMO_SITE_SEED } from './demo-site.ts';
import { generateSite, siteLayoutDocument } from './generator.ts';
import { buildSiteDefinition, checkInitialStock, gs1Clashes, parseSiteFile } from './site-definition.ts';

const dataDir = resolve(import.meta.dirname, '../../../data');
const read = (relative: string): string => readFileSync(join(dataDir, relative), 'utf8');
const readJson = (relative: string): unknown => JSON.parse(read(relative));

describe('the committed demo site (data/)', () => {
  const siteJson = readJson('sites/demo.json');
  const site = parseSiteFile(siteJson);
  if (!site.ok) throw new Error(site.error);
  const built = buildSiteDefinition(siteJson, readJson(site.value.layout), readJson(site.value.catalogue));
  if (!built.ok) throw new Error(built.error);
  const stock = parseStockCsv(read(site.value.initialStock!));
  if (!stock.ok) throw new Error(stock.error);

  it('loads: 8,000 locations, ~2,000 SKUs, 3 tenants, valid stock', () => {
    expect(built.value.id).toBe('demo');
    expect(built.value.layout.locations).toHaveLength(8000);
    expect(built.value.skus).toHaveLength(2000);
    expect(built.value.tenants).toHaveLength(3);
    expect(checkInitialStock(built.value, stock.value)).toEqual([]);
  });

  it('is exactly what data/generate-demo.ts writes (regenerate after changing the generator)', () => {
    const fresh = generateSite(DEMO_SITE_PARAMS, DEMO_SITE_SEED);
    expect(read('layouts/demo.json')).toBe(`${JSON.stringify(siteLayoutDocument(DEMO_SITE_PARAMS), null, 2)}\n`);
    expect(read('catalogues/demo.json')).toBe(formatCatalogue(fresh.site.skus));
    expect(read('stock/demo-initial.csv')).toBe(formatStockCsv(fresh.initialStock));
  });
});

describe('the committed second site (data/sites/north.json)', () => {
  const load = (file: string) => {
    const siteJson = readJson(file);
    const site = parseSiteFile(siteJson);
    if (!site.ok) throw new Error(site.error);
    const built = buildSiteDefinition(siteJson, readJson(site.value.layout), readJson(site.value.catalogue));
    if (!built.ok) throw new Error(built.error);
    const stock = parseStockCsv(read(site.value.initialStock!));
    if (!stock.ok) throw new Error(stock.error);
    return { site: built.value, stock: stock.value };
  };

  it('loads with valid stock, and numbers its parcels apart from the demo site (SSCCs unique in a deployment)', () => {
    const north = load('sites/north.json');
    const demo = load('sites/demo.json');
    expect(north.site.layout.locations).toHaveLength(240);
    expect(checkInitialStock(north.site, north.stock)).toEqual([]);
    expect(gs1Clashes([demo.site, north.site])).toEqual([]);
  });
});

describe('buildSiteDefinition', () => {
  const { site } = generateSite({ ...DEMO_SITE_PARAMS, aisles: 2, blocks: 1, baysPerBlock: 2, levels: 1, skuCount: 4, depotX: 0 }, 1);
  const siteJson = { id: 's', name: 'S', layout: 'l.json', catalogue: 'c.json', tenants: site.tenants };
  const layoutJson = siteLayoutDocument({ ...DEMO_SITE_PARAMS, aisles: 2, blocks: 1, baysPerBlock: 2, levels: 1, depotX: 0 });
  const catalogueJson = JSON.parse(formatCatalogue(site.skus)) as unknown;

  it('builds a site from its three documents', () => {
    const r = buildSiteDefinition(siteJson, layoutJson, catalogueJson);
    expect(r.ok && r.value.skus).toEqual(site.skus);
    expect(r.ok && r.value.layout.locations.length).toBe(8);
  });
  it('names the failing part', () => {
    expect(buildSiteDefinition({ ...siteJson, tenants: [] }, layoutJson, catalogueJson)).toMatchObject({ ok: false, error: expect.stringMatching(/tenants/) as unknown });
    expect(buildSiteDefinition(siteJson, { ...layoutJson, levelHeight: -1 }, catalogueJson)).toMatchObject({ ok: false, error: expect.stringMatching(/layout l\.json: .*levelHeight/) as unknown });
    expect(buildSiteDefinition(siteJson, layoutJson, { format: 'x' })).toMatchObject({ ok: false, error: expect.stringMatching(/catalogue c\.json/) as unknown });
    const oneTenant = { ...siteJson, tenants: [{ id: 'zeta', name: 'Zeta' }] };
    expect(buildSiteDefinition(oneTenant, layoutJson, catalogueJson)).toMatchObject({ ok: false, error: expect.stringMatching(/unknown tenant/) as unknown });
  });
  it('reads the site\'s own GS1 identity, refusing a malformed one', () => {
    const gs1 = { companyPrefix: '5012345', extensionDigit: 3 };
    const r = buildSiteDefinition({ ...siteJson, gs1 }, layoutJson, catalogueJson);
    expect(r.ok && r.value.gs1).toEqual(gs1);
    const none = buildSiteDefinition(siteJson, layoutJson, catalogueJson);
    expect(none.ok && 'gs1' in none.value).toBe(false);
    for (const bad of [{ companyPrefix: '123', extensionDigit: 0 }, { companyPrefix: '5012345', extensionDigit: 10 }, { companyPrefix: 5012345, extensionDigit: 1 }, 'x']) {
      expect(buildSiteDefinition({ ...siteJson, gs1: bad }, layoutJson, catalogueJson)).toMatchObject({ ok: false, error: expect.stringMatching(/"gs1" must be/) as unknown });
    }
  });
  it('reports sites of one deployment that would number parcels alike', () => {
    const a = { ...site, id: 'a' as typeof site.id };
    const b = { ...site, id: 'b' as typeof site.id };
    expect(gs1Clashes([a, b])).toEqual([expect.stringContaining('sites a and b share GS1 prefix 0614141 with extension digit 0') as unknown]);
    expect(gs1Clashes([a, { ...b, gs1: { companyPrefix: '0614141', extensionDigit: 1 } }])).toEqual([]);
  });
  it('finds stock problems', () => {
    const [a, b] = site.layout.locations;
    const s0 = site.skus.find((s) => !s.lotTracked)!;
    const other = site.skus.find((s) => s.id !== s0.id && !s.lotTracked)!;
    const problems = checkInitialStock(site, [
      { type: 'receiveStock', tenantId: s0.tenantId, locationId: a!.id, skuId: s0.id, qty: 101 },
      { type: 'receiveStock', tenantId: other.tenantId, locationId: a!.id, skuId: other.id, qty: 1 },
      { type: 'receiveStock', tenantId: s0.tenantId, locationId: b!.id, skuId: s0.id, qty: 1, lot: 'X' },
    ]);
    expect(problems).toEqual([
      expect.stringMatching(/row 1 .*101 units over capacity 100/),
      expect.stringMatching(/row 2 .*already holds/),
      expect.stringMatching(/row 2 .*102 units over capacity/),
      expect.stringMatching(/row 3 .*takes no lot/),
    ]);
  });
});
