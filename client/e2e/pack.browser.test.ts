/**
 * The pack station in a browser against the real server: an order created over REST (with a delivery address),
 * allocated, released and picked by a handheld over Socket.IO; then at /pack the packer (signed in) scans the order and its
 * items with a keyboard-wedge scanner (typed text + Enter), sees a wrong item refused, weighs, packs and prints
 * (SSCC + carrier label, ZPL and PDF), and despatches.
 */
import type { Browser } from 'playwright-core';
import { io as connect, type Socket } from 'socket.io-client';
import * as msgpackParser from 'socket.io-msgpack-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NextPickResult, PickTaskView, ScanResult, SignOnResult } from '../../server/protocol/picking.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/protocol/socket.ts';
import { startServerProcess, uniqueSchema, type ServerProcess } from '../../server/testing/server-process.ts';
import { saveShot, sharedBrowser, signedInPage } from './browser-kit.ts';

const BROWSER_TEST_TIMEOUT_MS = 240_000;
/** Screenshots are kept for a human to look at. */
const SITE = 'demo';
const ORDER_ID = 'E2E-PACK-1';
/** A valid EAN-13 that is no SKU of this order. */
const FOREIGN_ITEM = '4006381333931';

interface Quant {
  readonly tenantId: string;
  readonly skuId: string;
  readonly lot: string;
  readonly available: number;
}

async function json<T>(response: Response): Promise<T> {
  const text = await response.text();
  if (!response.ok) throw new Error(`${response.url}: HTTP ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

/** This file's own server; the API calls below are the site manager's (the server's default credential). */
let server: ServerProcess;

const postJson = (url: string, body: unknown): Promise<Response> =>
  server.fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** Two SKUs of one tenant with free, lot-less stock: 2 units of the first and 1 of the second will be ordered. */
async function chooseStock(api: string): Promise<{ tenantId: string; skuIds: [string, string] }> {
  const { quants } = await json<{ quants: Quant[] }>(await server.fetch(`${api}/stock?limit=1000`));
  const free = quants.filter((q) => q.lot === '' && q.available >= 2);
  for (const first of free) {
    const second = free.find((q) => q.tenantId === first.tenantId && q.skuId !== first.skuId);
    if (second !== undefined) return { tenantId: first.tenantId, skuIds: [first.skuId, second.skuId] };
  }
  throw new Error('the seeded demo stock has no two SKUs of one tenant to order');
}

type PickerSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A handheld: signs on over Socket.IO, takes the work the twin assigns, and confirms every pick with the right scans. */
async function pickEverything(url: string, token: string): Promise<PickTaskView[]> {
  const socket: PickerSocket = connect(url, { parser: msgpackParser, transports: ['websocket'], reconnection: false, forceNew: true, auth: { token } });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  const who = { siteId: SITE, operativeId: 'E2E-PACKER', deviceId: 'e2e-handheld' };
  // The event map types requests as unknown (the server validates them), so acks come back untyped.
  const ask = (event: 'picker:signOn' | 'picker:signOff' | 'picker:next' | 'picker:scan', request: unknown): Promise<unknown> =>
    socket.timeout(10_000).emitWithAck(event, request);
  try {
    const signOn = (await ask('picker:signOn', { ...who, name: 'E2E picker' })) as SignOnResult;
    if (!signOn.ok) throw new Error(`sign on: ${signOn.error.code} ${signOn.error.message}`);
    const next = (await ask('picker:next', { ...who })) as NextPickResult;
    if (!next.ok) throw new Error(`next: ${next.error.code} ${next.error.message}`);
    const tasks = [...next.next.tasks];
    for (const [i, task] of tasks.entries()) {
      const scan = (await ask('picker:scan', {
        ...who,
        kind: 'confirm',
        scanId: `e2e-scan-${i}`,
        taskId: task.taskId,
        scannedLocation: task.locationId,
        scannedItem: task.barcode,
        qty: task.qty,
      })) as ScanResult;
      if (!scan.ok) throw new Error(`scan ${task.taskId}: ${scan.error.code} ${scan.error.message}`);
    }
    await ask('picker:signOff', { ...who });
    return tasks;
  } finally {
    socket.close();
  }
}

describe('the pack station in a browser', () => {
  let browser: Browser;

  beforeAll(async () => {
    // No demo shift (its simulated pickers would pack and despatch the order themselves) and no automatic release
    // (the test releases the order itself).
    [server, browser] = await Promise.all([startServerProcess({ DB_SCHEMA: uniqueSchema('e2e_pack'), DEMO_SHIFT: 'off', AUTO_RELEASE_MS: '0' }), sharedBrowser()]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('scans an order and its items, refuses a wrong item, packs with an SSCC label and despatches', async () => {
    const api = `${server.url}/api/sites/${SITE}`;
    const { tenantId, skuIds } = await chooseStock(api);
    await json(
      await postJson(`${api}/orders`, {
        orderId: ORDER_ID,
        tenantId,
        externalRef: 'SHOP-1001',
        service: 'standard',
        shipTo: { name: 'Ada Lovelace', line1: '12 St James Square', city: 'London', postcode: 'SW1Y 4JH', country: 'GB' },
        lines: [
          { skuId: skuIds[0], qty: 2 },
          { skuId: skuIds[1], qty: 1 },
        ],
      }),
    );
    await json(await postJson(`${api}/orders/${ORDER_ID}/allocate`, {}));
    await json(await postJson(`${api}/orders/${ORDER_ID}/release`, {}));
    const tasks = await pickEverything(server.url, await server.signIn('picker@demo.floortwin'));
    expect(tasks.every((t) => t.orderId === ORDER_ID)).toBe(true);
    expect((await json<{ status: string }>(await server.fetch(`${api}/orders/${ORDER_ID}`))).status).toBe('picked');
    const barcodeOf = new Map(tasks.map((t) => [t.skuId, t.barcode]));

    const page = await signedInPage(browser, server, 'packer@demo.floortwin', { viewport: { width: 1024, height: 900 } });
    const errors: string[] = [];
    const scripts: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('request', (request) => {
      if (request.resourceType() === 'script') scripts.push(request.url());
    });
    await page.goto(`${server.url}/pack`);

    // Keyboard only: the scan field has focus; a wedge scanner types the code and Enter.
    const scan = page.getByTestId('scan-input');
    await scan.waitFor({ state: 'visible', timeout: 30_000 });
    const wedge = async (code: string): Promise<void> => {
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('pack-scan');
      await page.keyboard.type(code);
      await page.keyboard.press('Enter');
    };
    await wedge('SHOP-1001'); // the channel's reference finds the order too
    await page.getByTestId('order-id').waitFor({ timeout: 10_000 });
    await expect(page.getByTestId('order-id').textContent()).resolves.toBe(ORDER_ID);
    await expect(page.getByTestId('remaining').textContent()).resolves.toBe('3 to scan');

    // A wrong item is refused, clearly, and ticks nothing.
    await wedge(FOREIGN_ITEM);
    await page.getByTestId('notice-error').waitFor({ state: 'visible' });
    await expect(page.getByTestId('notice-error').textContent()).resolves.toMatch(/Wrong item.*not in this order/);
    await expect(page.getByTestId('remaining').textContent()).resolves.toBe('3 to scan');

    // Each scan ticks one unit: a plain barcode, a GS1 element string with the GTIN, then the second SKU.
    const first = barcodeOf.get(skuIds[0]) ?? '';
    const second = barcodeOf.get(skuIds[1]) ?? '';
    await wedge(first);
    await expect.poll(() => page.getByTestId(`item-${skuIds[0]}`).textContent()).toMatch(/^1\/2/);
    await wedge(`(01)${first.padStart(14, '0')}`);
    await expect.poll(() => page.getByTestId(`item-${skuIds[0]}`).textContent()).toMatch(/^2\/2/);
    await wedge(first); // one too many
    await expect.poll(() => page.getByTestId('notice-error').textContent()).toMatch(/Too many/);
    await wedge(second);
    await expect.poll(() => page.getByTestId('remaining').textContent()).toBe('all scanned');

    // The suggested carton is preselected; weigh (focus moved to the weight field) and press Enter to pack.
    const suggested = await page.getByTestId('carton').inputValue();
    expect(suggested).not.toBe('');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('pack-weight');
    // A barcode scanned while the weight field has focus is checked as an item, never taken as a weight.
    await page.keyboard.type(second);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('notice-error').textContent()).toMatch(/Too many/);
    await expect(page.getByTestId('weight').inputValue()).resolves.toBe('');
    // The scale reads close to the estimate (items + carton), so no "check the carton" warning shows.
    const estimate = Number(((await page.locator('#pack-weight-hint').textContent()) ?? '').replace(/[^0-9]/g, ''));
    expect(estimate).toBeGreaterThan(0);
    await page.keyboard.type(String(Math.round(estimate * 1.05)));
    await expect(page.getByTestId('weight-warning').count()).resolves.toBe(0);
    // Large targets (the page's own styles are loaded): the main action is at least 48 px tall.
    expect((await page.getByTestId('pack-button').boundingBox())?.height ?? 0).toBeGreaterThanOrEqual(48);
    await saveShot('pack-verify.png', await page.screenshot({ fullPage: true }));
    await page.keyboard.press('Enter');

    const result = page.getByTestId('pack-result');
    await result.waitFor({ timeout: 30_000 });
    const sscc = (await page.getByTestId('sscc').textContent()) ?? '';
    expect(sscc).toMatch(/^\d{18}$/);
    const tracking = (await page.getByTestId('tracking').textContent()) ?? '';
    expect(tracking).toMatch(/\S/);
    const order = await json<{ status: string }>(await server.fetch(`${api}/orders/${ORDER_ID}`));
    expect(order.status).toBe('packed');

    // The label links answer a ZPL label and a PDF, both carrying the SSCC.
    const zplHref = await page.getByTestId('label-zpl').getAttribute('href');
    const pdfHref = await page.getByTestId('label-pdf').getAttribute('href');
    const zpl = await server.fetch(`${server.url}${zplHref}`);
    expect(zpl.headers.get('content-type')).toMatch(/^text\/plain/);
    const zplText = await zpl.text();
    expect(zplText.startsWith('^XA')).toBe(true);
    expect(zplText.trimEnd().endsWith('^XZ')).toBe(true);
    expect(zplText).toContain(sscc);
    const pdf = await server.fetch(`${server.url}${pdfHref}`);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    await saveShot('pack-labelled.png', await page.screenshot({ fullPage: true }));

    // Scanning the packed order again offers its label (the same SSCC; no second label is bought) and despatch.
    await page.getByRole('button', { name: 'Next order' }).click();
    await wedge(ORDER_ID);
    await page.getByRole('button', { name: 'Show label' }).click();
    await result.waitFor({ timeout: 10_000 });
    await expect(page.getByTestId('sscc').textContent()).resolves.toBe(sscc);
    await expect(page.getByTestId('tracking').textContent()).resolves.toBe(tracking);

    await page.getByTestId('despatch-button').click();
    await page.getByRole('heading', { name: 'Despatched' }).waitFor({ timeout: 10_000 });
    const despatched = await json<{ status: string }>(await server.fetch(`${api}/orders/${ORDER_ID}`));
    expect(despatched.status).toBe('despatched');
    await saveShot('pack-despatched.png', await page.screenshot({ fullPage: true }));

    // The pack station never downloads three.js, and nothing failed on the page.
    expect(scripts.some((url) => /\/three-[^/]*\.js$/.test(url))).toBe(false);
    expect(errors).toEqual([]);
    await page.close();
  }, BROWSER_TEST_TIMEOUT_MS);
});
