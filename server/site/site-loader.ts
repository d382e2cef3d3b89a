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

/** A site's definition, its initial stock read and checked only when asked for. */
export interface SiteDefinitionFiles {
  readonly site: SiteDefinition;
  /**
   * The initial stock file's receipts, checked against the site (none when the site file names no stock file). Only a
   * first start seeds stock: a restart resumes from the log and need not parse the file (about 6,800 rows for the demo).
   */
  readonly loadInitialStock: () => Promise<readonly ReceiveStock[]>;
}

/** Loads `siteFile`'s definition (layout, catalogue); the paths inside it are relative to its data folder (the parent of sites/). */
export async function loadSiteDefinition(siteFile: string): Promise<SiteDefinitionFiles> {
  const siteJson = await readJson(siteFile);
  const file = parseSiteFile(siteJson);
  if (!file.ok) throw new Error(`${siteFile}: ${file.error}`);
  const dataDir = path.resolve(path.dirname(siteFile), '..');
  const [layoutJson, catalogueJson] = await Promise.all([
    readJson(path.join(dataDir, file.value.layout)),
    readJson(path.join(dataDir, file.value.catalogue)),
  ]);
  const built = buildSiteDefinition(siteJson, layoutJson, catalogueJson);
  if (!built.ok) throw new Error(`${siteFile}: ${built.error}`);
  const site = built.value;
  const stockPath = file.value.initialStock;

  const loadInitialStock = async (): Promise<readonly ReceiveStock[]> => {
    if (stockPath === undefined) return [];
    const stockFile = path.join(dataDir, stockPath);
    const stock = parseStockCsv(await readFile(stockFile, 'utf8'));
    if (!stock.ok) throw new Error(`${stockFile}: ${stock.error}`);
    const problems = checkInitialStock(site, stock.value);
    if (problems.length > 0) throw new Error(`${stockFile}: ${problems.join('; ')}`);
    return stock.value;
  };
  return { site, loadInitialStock };
}

/** Loads `siteFile` (e.g. data/sites/demo.json) with its initial stock; the paths inside it are relative to its data folder (the parent of sites/). */
export async function loadSiteFiles(siteFile: string): Promise<LoadedSite> {
  const { site, loadInitialStock } = await loadSiteDefinition(siteFile);
  return { site, initialStock: await loadInitialStock() };
}
