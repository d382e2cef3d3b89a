import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSiteDefinition, loadSiteFiles } from './site-loader.ts';

const data = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../data');

describe('loadSiteDefinition', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('gives the site and, when asked, the same initial stock as loadSiteFiles', async () => {
    const file = path.join(data, 'sites/demo.json');
    const [whole, definition] = await Promise.all([loadSiteFiles(file), loadSiteDefinition(file)]);
    expect(definition.site).toEqual(whole.site);
    const stock = await definition.loadInitialStock();
    expect(stock.length).toBeGreaterThan(0);
    expect(stock).toEqual(whole.initialStock);
  });

  it('reads the stock file only when asked: a broken one fails that call, naming the file, not the definition', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'site-loader-'));
    dirs.push(dir);
    for (const part of ['sites', 'layouts', 'catalogues']) await cp(path.join(data, part), path.join(dir, part), { recursive: true });
    const stockFile = path.join(dir, 'stock/demo-initial.csv');
    await cp(path.join(data, 'stock'), path.join(dir, 'stock'), { recursive: true });
    await writeFile(stockFile, 'location,tenant,sku,lot,expiry,qty\nNOWHERE-1,acme,SKU-00001,,,5\n');
    const siteFile = path.join(dir, 'sites/demo.json');

    const definition = await loadSiteDefinition(siteFile);
    expect(definition.site.id).toBe('demo');
    await expect(definition.loadInitialStock()).rejects.toThrow(stockFile);
    await expect(loadSiteFiles(siteFile)).rejects.toThrow(stockFile);
  });
});
