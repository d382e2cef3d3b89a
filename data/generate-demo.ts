/**
 * Writes the demo site deterministically (fixed seed): `npx tsx data/generate-demo.ts`.
 * 2 blocks × 16 aisles × 25 bays × 5 levels × 2 sides = 8,000 pick locations, ~2,000 SKUs, 3 tenants.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { formatCatalogue, formatStockCsv } from '../server/twin/catalogue/catalogue.ts';
import { generateSite, siteLayoutDocument } from '../server/twin/layout/generator.ts';
import { DEMO_SITE_PARAMS as DEMO_PARAMS, DEMO_SITE_SEED as DEMO_SEED } from '../server/twin/layout/demo-site.ts';
import { createRng, pickWeighted, randomInt } from '../server/twin/rng.ts';

const root = import.meta.dirname;
const write = (relative: string, text: string): void => {
  const path = join(root, relative);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
};

const { site, initialStock } = generateSite(DEMO_PARAMS, DEMO_SEED);
write('layouts/demo.json', `${JSON.stringify(siteLayoutDocument(DEMO_PARAMS), null, 2)}\n`);
write('catalogues/demo.json', formatCatalogue(site.skus));
write('stock/demo-initial.csv', formatStockCsv(initialStock));
write('sites/demo.json', `${JSON.stringify({
  id: DEMO_PARAMS.id,
  name: DEMO_PARAMS.name,
  layout: 'layouts/demo.json',
  catalogue: 'catalogues/demo.json',
  initialStock: 'stock/demo-initial.csv',
  tenants: site.tenants.map((t) => ({ id: t.id, name: t.name })),
}, null, 2)}\n`);

// Sample pick lists for `npm run cli -- route --layout data/layouts/demo.json --picks data/picks/demo-sample.json`:
// orders of 1–30 lines drawn by demand from the stocked locations.
const rng = createRng(DEMO_SEED + 1);
const stocked = initialStock.map((r) => r.locationId);
const cumulative: number[] = [];
const weightOf = new Map(site.skus.map((s) => [s.id as string, s.demandWeight]));
let total = 0;
for (const r of initialStock) cumulative.push((total += weightOf.get(r.skuId) ?? 0));
const pickLists = Array.from({ length: 20 }, (_, i) => {
  const lines = randomInt(rng, 1, 30);
  const locations = [...new Set(Array.from({ length: lines }, () => stocked[pickWeighted(rng, cumulative)]!))];
  return { id: `demo-${String(i + 1).padStart(2, '0')}`, locations };
});
write('picks/demo-sample.json', `{"pickLists":[\n${pickLists.map((p) => JSON.stringify(p)).join(',\n')}\n]}\n`);

process.stdout.write(`demo site: ${site.layout.locations.length} locations, ${site.skus.length} SKUs, ${site.tenants.length} tenants, ${initialStock.length} stock rows\n`);
