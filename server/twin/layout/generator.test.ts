import { describe, expect, it } from 'vitest';
import { isValidGtin, formatCatalogue, formatStockCsv, parseCatalogue, parseStockCsv } from '../catalogue/catalogue.ts';
import { addDays, generateSite, makeGtin13 } from './generator.ts';
import type { SiteParams } from './generator.ts';
import { checkInitialStock } from './site-definition.ts';

const params: SiteParams = {
  id: 'gen', name: 'Generated', aisles: 8, blocks: 2, baysPerBlock: 10, levels: 4,
  skuCount: 600, tenants: 3, stockFillRatio: 0.8, baseDate: '2026-03-01',
};

describe('generateSite', () => {
  const { site, initialStock } = generateSite(params, 42);

  it('[L7] is deterministic for a seed and differs across seeds', () => {
    expect(generateSite(params, 42)).toEqual({ site, initialStock });
    expect(generateSite(params, 43).site.skus).not.toEqual(site.skus);
  });

  it('builds the layout of the params', () => {
    expect(site.layout.locations).toHaveLength(8 * 2 * 10 * 4 * 2);
    expect(site.layout.rackAisle?.aisles).toBe(8);
    expect(site.tenants.map((t) => t.id)).toEqual(['acme', 'bloom', 'cobalt']);
  });

  it('gives every SKU a unique valid EAN-13 and a tenant of the site', () => {
    const barcodes = site.skus.map((s) => s.barcode);
    expect(new Set(barcodes).size).toBe(site.skus.length);
    for (const b of barcodes) expect(isValidGtin(b)).toBe(true);
    const tenants = new Set<string>(site.tenants.map((t) => t.id));
    for (const s of site.skus) expect(tenants.has(s.tenantId)).toBe(true);
    for (const t of site.tenants) expect(site.skus.some((s) => s.tenantId === t.id)).toBe(true);
  });

  it('skews demand: the top 20% of SKUs carry most of it', () => {
    const w = site.skus.map((s) => s.demandWeight).sort((a, b) => b - a);
    const total = w.reduce((a, b) => a + b, 0);
    const top = w.slice(0, Math.round(w.length * 0.2)).reduce((a, b) => a + b, 0);
    expect(top / total).toBeGreaterThan(0.7);
  });

  it('makes about 10% of SKUs lot-tracked, stocked with lots and future expiries', () => {
    const share = site.skus.filter((s) => s.lotTracked).length / site.skus.length;
    expect(share).toBeGreaterThan(0.06);
    expect(share).toBeLessThan(0.14);
    const lotSkus = new Set<string>(site.skus.filter((s) => s.lotTracked).map((s) => s.id));
    for (const r of initialStock) {
      if (lotSkus.has(r.skuId)) {
        expect(r.lot).toMatch(/^L\d{6}-\d{2}$/);
        expect(r.expiry! > params.baseDate).toBe(true);
      } else {
        expect(r.lot).toBeUndefined();
      }
    }
  });

  it('[L7] stocks the fill ratio of locations, one SKU each, none over capacity, fast movers in several', () => {
    expect(initialStock).toHaveLength(Math.floor(0.8 * site.layout.locations.length));
    expect(new Set(initialStock.map((r) => r.locationId)).size).toBe(initialStock.length);
    expect(checkInitialStock(site, initialStock)).toEqual([]);
    const fastest = [...site.skus].sort((a, b) => b.demandWeight - a.demandWeight).slice(0, 10);
    for (const s of fastest) expect(initialStock.filter((r) => r.skuId === s.id).length).toBeGreaterThan(1);
    for (const s of site.skus) expect(initialStock.some((r) => r.skuId === s.id)).toBe(true);
  });

  it('copes with tiny sites and more SKUs than locations', () => {
    const tiny = generateSite({ ...params, aisles: 1, blocks: 1, baysPerBlock: 1, levels: 1, skuCount: 5, tenants: 1, stockFillRatio: 1 }, 1);
    expect(tiny.site.layout.locations).toHaveLength(2);
    expect(tiny.initialStock).toHaveLength(2);
    expect(checkInitialStock(tiny.site, tiny.initialStock)).toEqual([]);
  });

  it('round-trips its catalogue and stock through the file formats', () => {
    const cat = parseCatalogue(JSON.parse(formatCatalogue(site.skus)));
    expect(cat.ok && cat.value).toEqual(site.skus);
    const csv = parseStockCsv(formatStockCsv(initialStock));
    expect(csv.ok && csv.value).toEqual(initialStock);
  });
});

describe('generator helpers', () => {
  it('makes GTIN-13s with the GS1 check digit', () => {
    expect(makeGtin13(0, 1)).toBe('5010000000011');
    expect(isValidGtin('4006381333931')).toBe(true);
    expect(isValidGtin('4006381333932')).toBe(false);
  });
  it('adds days across months and years', () => {
    expect(addDays('2026-12-30', 3)).toBe('2027-01-02');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
  });
});
