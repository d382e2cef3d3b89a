/**
 * What a picker and a site manager see of routes and picking: the real server, the built client in headless Chromium,
 * each page signed in as its user. With the demo shift (the shared one of `npm run test:e2e`): the handheld (360×740) shows SIM-P1's next pick, the same location the route API names, and a
 * mini-map with the walk on it; on the 3D floor, choosing an operative draws their route over the floor.
 * Without it: a picker signs on, gets the pick of an order released through the REST API, "scans" with a keyboard
 * wedge (the code typed into the focused field, then Enter): the location, a wrong item (an error, nothing recorded),
 * the item as a GS1 element string (the pick is confirmed), records a short pick, then scans while offline (the scan
 * is kept on the device and sent when the connection is back).
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { RouteView } from '../../server/protocol/route.ts';
import { distinctColours, openFloor, openPage, saveShot, serverAndBrowser } from './browser-kit.ts';
import { startServerProcess, uniqueSchema, type TestServer } from '../../server/testing/server-process.ts';
// Bring in the types of window.__floortwin and window.__floortwinPicker.
import type {} from '../src/picker/picker-hooks.ts';
import type {} from '../src/test-hooks.ts';

/** Software WebGL on a busy CI machine can draw ~1 frame/s; screenshots and overlay draws wait for frames. */
const BROWSER_TEST_TIMEOUT_MS = 240_000;
const PICKER = 'picker@demo.floortwin';
const HANDHELD = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

/** The first open stop of an operative's route as the HTTP API reports it (null without a route). */
async function firstOpenStop(server: TestServer, operativeId: string): Promise<string | null> {
  const response = await server.fetch(`/api/sites/demo/operatives/${operativeId}/route`);
  if (!response.ok) return null;
  const body = (await response.json()) as Partial<RouteView> & { route?: RouteView };
  const route = body.route ?? body;
  return route.stops?.find((s) => s.status === 'open')?.locationId ?? null;
}

describe('routes in a browser', () => {
  const fixture = serverAndBrowser();

  it('the handheld shows the next pick of SIM-P1, as the route API has it, with a mini-map', async () => {
    const { server } = fixture;
    const { page, errors } = await openPage(fixture.browser, server, { path: '/picker?operative=SIM-P1', email: PICKER, context: HANDHELD });
    await page.waitForFunction(() => window.__floortwinPicker?.nextLocationId != null, undefined, { timeout: 90_000 });
    await expect(page.evaluate(() => window.__floortwinPicker?.operativeId)).resolves.toBe('SIM-P1');

    // The route moves on as the simulated picker works: compare the page and the API until they agree on a moment.
    let shown: string | null = null;
    let api: string | null = null;
    for (let attempt = 0; attempt < 20; attempt++) {
      shown = await page.evaluate(() => window.__floortwinPicker?.nextLocationId ?? null);
      api = await firstOpenStop(server, 'SIM-P1');
      if (shown !== null && shown === api) break;
      await page.waitForTimeout(250);
    }
    expect(shown).not.toBeNull();
    expect(shown).toBe(api);
    await expect(page.getByTestId('next-location').textContent()).resolves.toBe(shown);
    expect(await page.evaluate(() => window.__floortwinPicker?.stops ?? 0)).toBeGreaterThan(0);

    // The map draws racks, the walk and the stops: plenty of colours, and the walk is on it.
    const map = page.getByTestId('mini-map');
    await map.waitFor({ state: 'visible', timeout: 30_000 });
    await expect(map.locator('polyline').count()).resolves.toBeGreaterThan(0);
    const mapShot = await map.screenshot();
    expect(await distinctColours(page, mapShot, 3)).toBeGreaterThan(20);
    await saveShot('picker-360.png', await page.screenshot({ fullPage: true }));

    // Nothing is wider than the phone.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(errors).toEqual([]);
    await page.close();
  }, BROWSER_TEST_TIMEOUT_MS);

  it('on the 3D floor, choosing an operative overlays their route; Escape clears it', async () => {
    const { page, errors } = await openFloor(fixture.browser, fixture.server);
    await page.waitForFunction(() => (window.__floortwin?.operatives().length ?? 0) > 0, undefined, { timeout: 60_000 });
    expect(await page.evaluate(() => window.__floortwin?.route())).toBeNull();

    const select = page.getByTestId('route-select');
    await page.waitForFunction(() => document.querySelector('[data-testid="route-select"] option[value="SIM-P1"]') !== null, undefined, { timeout: 60_000 });
    await select.selectOption('SIM-P1');
    await page.waitForFunction(() => (window.__floortwin?.route()?.pathPoints ?? 0) > 1, undefined, { timeout: 60_000 });
    const drawn = await page.evaluate(() => window.__floortwin?.route());
    expect(drawn?.operativeId).toBe('SIM-P1');
    expect(drawn?.stops).toBeGreaterThan(0);
    await page.waitForTimeout(300);
    await saveShot('floor-route.png', await page.screenshot());

    await page.keyboard.press('Escape');
    await page.waitForFunction(() => window.__floortwin?.route() === null, undefined, { timeout: 10_000 });
    expect(errors).toEqual([]);
    await page.close();
  }, BROWSER_TEST_TIMEOUT_MS);
});

/** The demo catalogue's barcodes by SKU id: what the printed labels carry, independent of the handheld. */
async function catalogueBarcodes(): Promise<Map<string, string>> {
  const url = new URL('../../data/catalogues/demo.json', import.meta.url);
  const catalogue = JSON.parse(await readFile(url, 'utf8')) as { skus: { id: string; barcode: string }[] };
  return new Map(catalogue.skus.map((sku) => [sku.id, sku.barcode]));
}

interface OrderBody {
  id: string;
  status: string;
  lines: { skuId: string; qty: number; picked: number; shorted: number }[];
  tasks: { id: string; locationId: string; status: string }[];
}

async function api<T>(server: TestServer, path: string, method: 'GET' | 'POST', body?: unknown): Promise<T> {
  const url = `${server.url}${path}`;
  const response = await server.fetch(url, {
    method,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url}: HTTP ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

describe('picking on the handheld', () => {
  // Its own server without the demo shift: nobody else takes the released orders.
  const fixture = serverAndBrowser(() => startServerProcess({ DB_SCHEMA: uniqueSchema('e2e_pick'), DEMO_SHIFT: 'off' }));

  /** Creates, allocates and releases a one-line order for `qty` units of a plain (no lot) SKU with enough stock. */
  async function releaseOrder(orderId: string, qty: number, skip: ReadonlySet<string>): Promise<{ skuId: string }> {
    const stock = await api<{ quants: { tenantId: string; skuId: string; lot: string; available: number }[] }>(fixture.server, '/api/sites/demo/stock?limit=1000', 'GET');
    const quant = stock.quants.find((q) => q.lot === '' && q.available >= qty + 2 && !skip.has(q.skuId));
    if (quant === undefined) throw new Error('no plain stock to order from');
    const base = '/api/sites/demo/orders';
    await api(fixture.server, base, 'POST', { orderId, tenantId: quant.tenantId, lines: [{ skuId: quant.skuId, qty }] });
    await api(fixture.server, `${base}/${orderId}/allocate`, 'POST', {});
    await api(fixture.server, `${base}/${orderId}/release`, 'POST', {});
    return { skuId: quant.skuId };
  }

  const order = (id: string): Promise<OrderBody> => api<OrderBody>(fixture.server, `/api/sites/demo/orders/${id}`, 'GET');

  it('signs on, scans the location then the item with a wedge scanner, refuses a wrong item, confirms, shorts, and works offline', async () => {
    const barcodes = await catalogueBarcodes();
    const first = await releaseOrder('E2E-PICK-1', 1, new Set());
    const second = await releaseOrder('E2E-PICK-2', 2, new Set([first.skuId]));
    await releaseOrder('E2E-PICK-3', 1, new Set([first.skuId, second.skuId]));

    const { server } = fixture;
    const { page, errors } = await openPage(fixture.browser, server, { path: '/picker', email: PICKER, context: HANDHELD });

    // Sign on with a badge id (typed into the labelled field, as a badge scanner would).
    const badge = page.getByLabel('Badge / operative id');
    await badge.waitFor({ state: 'visible', timeout: 30_000 });
    await badge.fill('HH-E2E');
    await page.getByLabel('Name (optional)').fill('Robin');
    await page.getByTestId('signon-submit').click();
    // All three orders are assigned; the pick on screen follows the planned route once it is there.
    await page.waitForFunction(
      () => {
        const hooks = window.__floortwinPicker;
        return hooks?.signedOn === true && hooks.stops === 3 && hooks.pick !== null && hooks.pick.taskId === hooks.routeNextTaskId;
      },
      undefined,
      { timeout: 30_000 },
    );
    const pick = await page.evaluate(() => window.__floortwinPicker!.pick!);
    expect(['E2E-PICK-1', 'E2E-PICK-2', 'E2E-PICK-3']).toContain(pick.orderId);
    await expect(page.getByTestId('next-location').textContent()).resolves.toBe(pick.locationId);
    const deviceId = await page.evaluate(() => window.__floortwinPicker!.deviceId);
    expect(deviceId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await page.evaluate(() => localStorage.getItem('floortwin.picker.device'))).toBe(deviceId);

    // The scan field has the focus: the wedge just types. A wrong location is refused on the spot.
    const input = page.getByTestId('scan-input');
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'scan-input');
    await expect(page.getByLabel('Scan the location').count()).resolves.toBe(1);
    await page.keyboard.type('A99-B9-999-L9');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => window.__floortwinPicker?.messageCode === 'WRONG_LOCATION_SCANNED');
    expect(await page.evaluate(() => window.__floortwinPicker?.step)).toBe('location');
    await page.keyboard.type(pick.locationId);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => window.__floortwinPicker?.step === 'item');
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'scan-input');

    // A wrong item: the server refuses it, the handheld says so, and nothing is recorded.
    await page.keyboard.type('5099999999994');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => window.__floortwinPicker?.messageCode === 'WRONG_ITEM_SCANNED', undefined, { timeout: 15_000 });
    await expect(page.getByRole('alert').filter({ hasText: 'Wrong item' }).count()).resolves.toBe(1);
    await saveShot('picker-wrong-item-360.png', await page.screenshot());
    const untouched = await order(pick.orderId);
    expect(untouched.lines[0]?.picked).toBe(0);
    expect(untouched.tasks.every((t) => t.status === 'assigned')).toBe(true);
    expect(await page.evaluate(() => window.__floortwinPicker?.pick?.taskId)).toBe(pick.taskId);

    // The right item, as a GS1 element string ((01) + the GTIN-14 of the EAN-13 on the label): the pick is confirmed.
    expect(await page.evaluate(() => window.__floortwinPicker?.step)).toBe('item');
    await input.focus();
    await page.keyboard.type(`(01)0${barcodes.get(pick.skuId)}`);
    await page.keyboard.press('Enter');
    await page.waitForFunction((taskId) => window.__floortwinPicker?.pick?.taskId !== taskId && window.__floortwinPicker?.pendingScans === 0, pick.taskId, { timeout: 15_000 });
    const picked = await order(pick.orderId);
    expect(picked.status).toBe('picked');
    expect(picked.lines[0]?.picked).toBe(pick.qty);

    // The next pick is another order: "Short", found one fewer than asked.
    const shortPick = await page.evaluate(() => window.__floortwinPicker!.pick!);
    expect(shortPick.orderId).not.toBe(pick.orderId);
    await page.getByTestId('short-open').click();
    await page.getByLabel(/How many did you find/).fill(String(shortPick.qty - 1));
    await page.getByTestId('short-submit').click();
    // The short units may be re-allocated from another bin and handed out next: wait for this pick to be answered.
    await page.waitForFunction((taskId) => window.__floortwinPicker?.pendingScans === 0 && window.__floortwinPicker?.pick?.taskId !== taskId, shortPick.taskId, { timeout: 15_000 });
    await page.waitForFunction(() => window.__floortwinPicker?.messageCode === '');
    const shorted = await order(shortPick.orderId);
    expect(shorted.tasks.find((t) => t.id === shortPick.taskId)?.status).toBe('shorted');
    expect(shorted.lines[0]?.picked).toBe(shortPick.qty - 1);

    await saveShot('picker-scan-360.png', await page.screenshot());

    // The connection drops: the picker carries on; the scan is kept on the device and sent when it is back.
    const offlinePick = await page.evaluate(() => window.__floortwinPicker!.pick!);
    await page.context().setOffline(true);
    await page.waitForFunction(() => window.__floortwinPicker?.connected === false, undefined, { timeout: 30_000 });
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'scan-input');
    await page.keyboard.type(offlinePick.locationId);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => window.__floortwinPicker?.step === 'item');
    await page.keyboard.type(barcodes.get(offlinePick.skuId) ?? '');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => window.__floortwinPicker?.pendingScans === 1);
    expect(await page.evaluate(() => window.__floortwinPicker?.pick?.taskId)).not.toBe(offlinePick.taskId);
    await expect(page.getByTestId('offline-banner').isVisible()).resolves.toBe(true);
    const kept = await page.evaluate(() => JSON.parse(localStorage.getItem('floortwin.picker.scans') ?? '[]') as { taskId: string; deviceId: string; scanId: string }[]);
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({ taskId: offlinePick.taskId, deviceId });
    await saveShot('picker-offline-360.png', await page.screenshot());
    expect((await order(offlinePick.orderId)).tasks.find((t) => t.id === offlinePick.taskId)?.status).toBe('assigned');

    await page.context().setOffline(false);
    await page.waitForFunction(() => window.__floortwinPicker?.connected === true && window.__floortwinPicker.pendingScans === 0, undefined, { timeout: 30_000 });
    expect((await order(offlinePick.orderId)).tasks.find((t) => t.id === offlinePick.taskId)?.status).toBe('picked');
    expect(await page.evaluate(() => localStorage.getItem('floortwin.picker.scans'))).toBeNull();

    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(errors).toEqual([]);
    await page.close();
  }, BROWSER_TEST_TIMEOUT_MS);
});
