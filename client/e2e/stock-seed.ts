/**
 * Shared by the stock handheld's browser tests (`stock-flows`, `serial-flows`): a copy of the demo site's files where
 * one plain SKU is serial-tracked (without initial stock: those receipts carry no serials), the seeded history the
 * stock flows start from, and the typing / message helpers of the 360 px handheld.
 */
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { scaledClock } from '../../server/site/clock.ts';
import { loadSiteFiles } from '../../server/site/site-loader.ts';
import { SiteRunner } from '../../server/site/site-runner.ts';
import { PgEventStore } from '../../server/store/event-store.pg.ts';
import { TEST_DATABASE_URL } from '../../server/testing/server-process.ts';
import type { Command } from '../../server/twin/commands.ts';
import { asLocationId, asOperativeId, asOrderId, type LocationId } from '../../server/twin/ids.ts';
import type { SiteDefinition, Sku } from '../../server/twin/site.ts';
import { dockLocationId } from '../../server/twin/stock-status.ts';

/** The handheld's screen: 360×740 at 2×, touch. */
export const HANDHELD = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true } as const;
const dataDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../data');

interface CatalogueFile {
  format: unknown;
  skus: (Sku & { serialTracked?: boolean })[];
}

/** What the seeded history left for the flows. */
export interface Seeded {
  site: SiteDefinition;
  serialSku: Sku;
  /** A plain (no lot, no serial) SKU with an EAN-13 barcode and initial stock in two bins. */
  plain: Sku;
  plainBins: { locationId: LocationId; qty: number }[];
  /** The despatched order with 2 units of `plain`. */
  orderId: string;
  /** The bin holding the serial-tracked units SN-OUT-1, SN-OUT-2. */
  serialBin: LocationId;
  /** The SKU of transfer TR-REFUSED-E2E: one unit despatched to north, which refused it. */
  refused: { skuId: string; tenantId: string };
}

/**
 * Writes into `workDir` a copy of the demo site's files where one plain cobalt SKU (EAN-13 barcode) is serial-tracked
 * and has no initial stock. A server started with `SITE_FILE` = `siteFile` on an empty schema seeds the rest itself.
 */
export async function writeSerialSiteCopy(workDir: string): Promise<{ siteFile: string; serialSkuId: string }> {
  const catalogue = JSON.parse(await readFile(path.join(dataDir, 'catalogues/demo.json'), 'utf8')) as CatalogueFile;
  const serialSkuId = catalogue.skus.find((s) => s.tenantId === 'cobalt' && !s.lotTracked && /^\d{13}$/.test(s.barcode))?.id;
  if (serialSkuId === undefined) throw new Error('the demo catalogue has no plain cobalt item');
  for (const dir of ['sites', 'layouts', 'catalogues', 'stock']) await mkdir(path.join(workDir, dir), { recursive: true });
  await copyFile(path.join(dataDir, 'sites/demo.json'), path.join(workDir, 'sites/demo.json'));
  await copyFile(path.join(dataDir, 'layouts/demo.json'), path.join(workDir, 'layouts/demo.json'));
  await writeFile(path.join(workDir, 'catalogues/demo.json'), JSON.stringify({ ...catalogue, skus: catalogue.skus.map((s) => (s.id === serialSkuId ? { ...s, serialTracked: true } : s)) }));
  const csv = (await readFile(path.join(dataDir, 'stock/demo-initial.csv'), 'utf8')).split('\n');
  await writeFile(path.join(workDir, 'stock/demo-initial.csv'), csv.filter((row) => row.split(',')[2] !== serialSkuId).join('\n'));
  return { siteFile: path.join(workDir, 'sites/demo.json'), serialSkuId };
}

/**
 * The site copy of {@link writeSerialSiteCopy}, and the history the flows start from, written through a SiteRunner
 * into `schema`.
 */
export async function seedSite(schema: string, workDir: string): Promise<{ siteFile: string; seeded: Seeded }> {
  const { siteFile, serialSkuId } = await writeSerialSiteCopy(workDir);

  const { site, initialStock } = await loadSiteFiles(siteFile);
  const store = new PgEventStore({ connectionString: TEST_DATABASE_URL, schema });
  await store.init();
  await store.ensureSite(site.id, site);
  const runner = await SiteRunner.open({ site, store, clock: scaledClock(1) });
  try {
    // The initial stock, as the server seeds an empty site (server/main.ts): it then resumes from this log instead.
    const receipts = await Promise.all(initialStock.map((command) => runner.submit(command)));
    const refused = receipts.find((r) => !r.ok);
    if (refused !== undefined) throw new Error(`initial stock refused: ${JSON.stringify(refused)}`);
    const submit = async (c: Command): Promise<void> => {
      const r = await runner.submit(c);
      if (!r.ok) throw new Error(`seed ${c.type}: ${r.error.code} ${r.error.message}`);
    };
    const serialSku = site.skus.find((s) => s.id === serialSkuId) as Sku;
    // A plain SKU in two bins of different aisles: one bin becomes a pick face, the other its reserve.
    const byLocation = new Map<string, { locationId: LocationId; qty: number }[]>();
    for (const r of initialStock) {
      if (r.lot !== undefined && r.lot !== '') continue;
      const list = byLocation.get(`${r.tenantId}|${r.skuId}`) ?? [];
      list.push({ locationId: r.locationId, qty: r.qty });
      byLocation.set(`${r.tenantId}|${r.skuId}`, list);
    }
    let plain: Sku | undefined;
    let plainBins: { locationId: LocationId; qty: number }[] = [];
    for (const s of site.skus) {
      const bins = byLocation.get(`${s.tenantId}|${s.id}`) ?? [];
      if (s.lotTracked || s.serialTracked === true || !/^\d{13}$/.test(s.barcode) || bins.length !== 2 || bins.some((b) => b.qty < 10)) continue;
      plain = s;
      plainBins = bins;
      break;
    }
    if (plain === undefined) throw new Error('no plain SKU stocked in two bins');

    // An order of 2 units picked, packed and despatched: what the return comes back against.
    const orderId = asOrderId('E2E-ORDER-1');
    await submit({ type: 'createOrder', orderId, tenantId: plain.tenantId, lines: [{ skuId: plain.id, qty: 2 }] });
    await submit({ type: 'allocateOrder', orderId });
    await submit({ type: 'releaseOrder', orderId });
    const picker = asOperativeId('SEED-PICKER');
    await submit({ type: 'signOn', operativeId: picker, name: 'Seed' });
    await submit({ type: 'requestWork', operativeId: picker, maxTasks: 10 });
    const tasks = await runner.read((twin) => (twin.orders.get(orderId)?.taskIds ?? []).map((id) => twin.tasks.get(id)!));
    for (const t of tasks) await submit({ type: 'confirmPick', taskId: t.id, operativeId: picker, scannedLocation: t.locationId, scannedItem: plain.barcode, qty: t.qty });
    await submit({ type: 'packOrder', orderId });
    await submit({ type: 'despatchOrder', orderId });
    await submit({ type: 'signOff', operativeId: picker });

    // Two serial-tracked units received and moved into an empty bin: the transfer out picks them by serial.
    const stocked = new Set(initialStock.map((r) => r.locationId));
    const serialBin = site.layout.locations.find((l) => !stocked.has(l.id))?.id;
    if (serialBin === undefined) throw new Error('no empty bin');
    await submit({ type: 'receiveGoods', receiptId: 'E2E-SERIALS', tenantId: serialSku.tenantId, skuId: serialSku.id, qty: 2, serials: ['SN-OUT-1', 'SN-OUT-2'] });
    await submit({ type: 'moveStock', tenantId: serialSku.tenantId, skuId: serialSku.id, fromLocationId: dockLocationId(site.id), toLocationId: asLocationId(serialBin), qty: 2, serials: ['SN-OUT-1', 'SN-OUT-2'] });

    // What site north's relay would tell this site of a transfer it despatched here (R74).
    await submit({
      type: 'expectTransfer',
      transferId: 'TR-IN-E2E',
      fromSiteId: 'north',
      lines: [
        { lineNo: 1, tenantId: serialSku.tenantId, skuId: serialSku.id, lot: '', expiry: null, qty: 2, serials: ['SN-IN-1', 'SN-IN-2'] },
        { lineNo: 2, tenantId: plain.tenantId, skuId: plain.id, lot: '', expiry: null, qty: 3, serials: [] },
      ],
    });
    // A transfer to north of one unit of another plain SKU, despatched, that north refused (what this site's relay
    // records when north answers the expectation with a refusal, R76a): the desk's return is left to the handheld.
    const other = initialStock.find((r) => (r.lot === undefined || r.lot === '') && r.skuId !== plain.id && r.skuId !== serialSkuId && r.qty >= 2);
    if (other === undefined) throw new Error('no second plain SKU in stock');
    await submit({ type: 'createTransfer', transferId: 'TR-REFUSED-E2E', toSiteId: 'north', lines: [{ tenantId: other.tenantId, skuId: other.skuId, qty: 1, fromLocationId: other.locationId }] });
    await submit({ type: 'pickTransferLine', transferId: 'TR-REFUSED-E2E', lineNo: 1, sourceScan: other.locationId, scanId: 'E2E-REFUSED-PICK' });
    await submit({ type: 'despatchTransfer', transferId: 'TR-REFUSED-E2E' });
    await submit({ type: 'noteTransferRefused', transferId: 'TR-REFUSED-E2E', siteId: 'north', code: 'UNKNOWN_SKU', message: `north does not stock ${other.skuId}` });
    await runner.snapshotNow();
    return { siteFile, seeded: { site, serialSku, plain, plainBins, orderId, serialBin: asLocationId(serialBin), refused: { skuId: other.skuId, tenantId: other.tenantId } } };
  } finally {
    await runner.close();
    await store.close();
  }
}

/** Types a code into the focused scan field the way a keyboard-wedge scanner does: the characters, then Enter. */
export async function scan(page: Page, code: string): Promise<void> {
  await page.keyboard.type(code);
  await page.keyboard.press('Enter');
}

/** Waits until the message line shows `text` in `tone` (an alert for `bad`), and returns its code. */
export async function expectMessage(page: Page, tone: 'good' | 'bad' | 'info', text: string): Promise<string | null> {
  const message = page.locator(`[data-testid="stock-message"][data-tone="${tone}"]`, { hasText: text });
  await message.waitFor({ state: 'visible', timeout: 30_000 });
  await expect(message.getAttribute('role')).resolves.toBe(tone === 'bad' ? 'alert' : 'status');
  return message.getAttribute('data-code');
}

/** Opens a mode from the menu (the app starts on the menu; other modes come back to it). */
export async function openMode(page: Page, mode: string): Promise<void> {
  if (await page.getByTestId('stock-menu').isVisible()) await page.getByTestId('stock-menu').click();
  await page.getByTestId(`mode-${mode}`).click();
}

/** Opens `mode`'s next move task (planning the mode's tasks when none is open) and returns its bins, not yet scanned. */
export async function openNextMove(page: Page, mode: 'putaway' | 'replenish'): Promise<{ from: string; to: string }> {
  await openMode(page, mode);
  await page.getByTestId('next-move').click();
  const planButton = page.getByTestId('plan-moves');
  const task = page.getByTestId('move-task');
  await Promise.race([planButton.waitFor({ state: 'visible', timeout: 30_000 }), task.waitFor({ state: 'visible', timeout: 30_000 })]);
  if (await planButton.isVisible()) await planButton.click();
  await task.waitFor({ state: 'visible', timeout: 30_000 });
  return { from: (await page.getByTestId('move-from').textContent()) ?? '', to: (await page.getByTestId('move-to').textContent()) ?? '' };
}

/** Nothing is wider than the phone. */
export async function fitsThePhone(page: Page): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
}
