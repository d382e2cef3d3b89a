/** Reads a site's files from disk (site file, layout, catalogue, initial stock) and validates them with the core's parsers. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ReceiveStock } from '../twin/commands.ts';
import { parseStockCsv } from '../twin/catalogue/catalogue.ts';
import { buildSiteDefinition, checkInitialStock, parseSiteFile } from '../twin/layout/site-definition.ts';
import type { SiteDefinition } from '../twin/site.ts';

export interface LoadedSite {
  readonly site: SiteDefinition;
  readonly initialStock: readonly ReceiveStock[];
}

async function readJson(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${(error as Error).message})`);
  }
}

/** Loads `siteFile` (e.g. data/sites/demo.json); the paths inside it are relative to its data folder (the parent of sites/). */
export async function loadSiteFiles(siteFile: string): Promise<LoadedSite> {
  const siteJson = await readJson(siteFile);
  const file = parseSiteFile(siteJson);
  if (!file.ok) throw new Error(`${siteFile}: ${file.error}`);
  const dataDir = path.resolve(path.dirname(siteFile), '..');
  const [layoutJson, catalogueJson] = await Promise.all([
    readJson(path.join(dataDir, file.value.layout)),
    readJson(path.join(dataDir, file.value.catalogue)),
  ]);
  const site = buildSiteDefinition(siteJson, layoutJson, catalogueJson);
  if (!site.ok) throw new Error(`${siteFile}: ${site.error}`);

  let initialStock: ReceiveStock[] = [];
  if (file.value.initialStock !== undefined) {
    const stockFile = path.join(dataDir, file.value.initialStock);
    const stock = parseStockCsv(await readFile(stockFile, 'utf8'));
    if (!stock.ok) throw new Error(`${stockFile}: ${stock.error}`);
    const problems = checkInitialStock(site.value, stock.value);
    if (problems.length > 0) throw new Error(`${stockFile}: ${problems.join('; ')}`);
    initialStock = stock.value;
  }
  return { site: site.value, initialStock };
}
