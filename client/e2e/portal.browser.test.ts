/**
 * The client portal in a browser: the real server on the demo site (its three clients' initial stock, no demo shift)
 * and the built client in headless Chromium. Acme's and Bloom's admins place orders through the portal API; Acme's
 * client user, signed in, sees only Acme's stock and orders (Bloom's order is nowhere on the page), moves between tabs
 * with the keyboard, and the read-only 3D floor lights exactly as many bins as the floor API counts for Acme. The page
 * calls only the portal and auth APIs. Screenshots go to the shared test-output folder.
 */
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveShot, sharedBrowser, signedInPage } from './browser-kit.ts';
import { startServerProcess, uniqueSchema, type ServerProcess } from '../../server/testing/server-process.ts';
// Bring in the type of window.__floortwinPortal.
import type {} from '../src/portal/PortalFloor.tsx';

const BROWSER_TEST_TIMEOUT_MS = 240_000;

interface DemoSku {
  readonly id: string;
  readonly tenantId: string;
  readonly lotTracked: boolean;
}

async function demoSkus(): Promise<DemoSku[]> {
  const url = new URL('../../data/catalogues/demo.json', import.meta.url);
  return (JSON.parse(await readFile(url, 'utf8')) as { skus: DemoSku[] }).skus;
}

describe('client portal in the browser', () => {
  let server: ServerProcess;
  let browser: Browser;
  let portal: string;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServerProcess({ DB_SCHEMA: uniqueSchema('e2e_portal'), DEMO_SHIFT: 'off' }), sharedBrowser()]);
    portal = `${server.url}/api/portal/sites/demo`;
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** A portal call with a session token. */
  const call = async <T,>(token: string, method: 'GET' | 'POST', route: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${portal}${route}`, {
      method,
      headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${route}: HTTP ${response.status} ${text}`);
    return JSON.parse(text) as T;
  };

  /** The first cell (row header) of every body row of the table with `testId`. */
  const firstColumn = (page: Page, testId: string): Promise<string[]> =>
    page.locator(`[data-testid="${testId}"] tbody tr th`).allInnerTexts();

  it(
    'a client user sees only its own stock and orders, and its bins lit on the 3D floor',
    async () => {
      const skus = await demoSkus();
      const acmeSkus = new Set(skus.filter((s) => s.tenantId === 'acme').map((s) => s.id));
      const [acmeAdmin, bloomAdmin, acmeUser] = await Promise.all([
        server.signIn('acme-admin@demo.floortwin'),
        server.signIn('bloom-admin@demo.floortwin'),
        server.signIn('acme-user@demo.floortwin'),
      ]);
      // Stocked SKUs of each client (the demo's initial stock), so the orders are ordinary.
      const stockOf = async (token: string): Promise<string[]> =>
        (await call<{ rows: { skuId: string }[] }>(token, 'GET', '/stock?by=sku&limit=2')).rows.map((r) => r.skuId);
      const [acmeStock, bloomStock] = await Promise.all([stockOf(acmeAdmin), stockOf(bloomAdmin)]);
      const acmeOrders = [
        await call<{ id: string }>(acmeAdmin, 'POST', '/orders', { externalRef: 'ACME-WEB-1', lines: [{ skuId: acmeStock[0], qty: 1 }] }),
        await call<{ id: string }>(acmeAdmin, 'POST', '/orders', { externalRef: 'ACME-WEB-2', lines: [{ skuId: acmeStock[1], qty: 2 }] }),
      ].map((o) => o.id);
      const bloomOrder = (await call<{ id: string }>(bloomAdmin, 'POST', '/orders', { externalRef: 'BLOOM-WEB-1', lines: [{ skuId: bloomStock[0], qty: 1 }] })).id;

      const page = await signedInPage(browser, server, 'acme-user@demo.floortwin');
      const errors: string[] = [];
      const apiPaths: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('request', (request) => {
        const { pathname } = new URL(request.url());
        if (pathname.startsWith('/api/')) apiPaths.push(pathname);
      });
      await page.goto(`${server.url}/portal`);
      await page.getByRole('heading', { level: 1, name: /Acme Outdoor/ }).waitFor({ timeout: 60_000 });

      // Stock: every SKU shown is Acme's.
      await page.locator('[data-testid="portal-stock"] tbody tr').first().waitFor({ timeout: 30_000 });
      const stockSkus = await firstColumn(page, 'portal-stock');
      expect(stockSkus.length).toBeGreaterThan(0);
      expect(stockSkus.filter((id) => !acmeSkus.has(id))).toEqual([]);
      await page.getByRole('radio', { name: 'Location class' }).check();
      await page.getByRole('cell', { name: 'Reserve racking' }).or(page.getByRole('rowheader', { name: 'Reserve racking' })).first().waitFor({ timeout: 30_000 });

      // Orders, reached with the keyboard from the Stock tab: exactly Acme's two.
      await page.getByRole('tab', { name: 'Stock' }).focus();
      await page.keyboard.press('ArrowRight');
      await expect(page.getByRole('tab', { name: 'Orders' }).getAttribute('aria-selected')).resolves.toBe('true');
      await page.locator('[data-testid="portal-orders"] tbody tr').first().waitFor({ timeout: 30_000 });
      const shownOrders = await firstColumn(page, 'portal-orders');
      expect([...shownOrders].sort()).toEqual([...acmeOrders].sort());
      expect(await page.content()).not.toContain(bloomOrder);
      expect(await page.content()).not.toContain('BLOOM-WEB-1');
      // A client user reads: the Orders tab offers its orders to open and nothing to place one with (a client admin
      // gets a "New order…" button there, then the "New order" form; below).
      const ordersPanel = page.getByRole('tabpanel', { name: 'Orders' });
      const offered = (await ordersPanel.getByRole('button').allInnerTexts()).filter((name) => !/new or changed — refresh$/.test(name));
      expect(offered.sort()).toEqual([...acmeOrders].sort());
      expect(await ordersPanel.locator('form').evaluateAll((forms) => forms.map((f) => f.getAttribute('aria-label')))).toEqual([]);
      // Live: a status the warehouse changes arrives over the portal socket without a reload (Bloom's never does).
      await page.getByRole('status').filter({ hasText: 'Live' }).waitFor({ timeout: 30_000 });
      for (const id of [bloomOrder, acmeOrders[0]]) {
        const released = await server.fetch(`/api/sites/demo/orders/${id}/release`, { method: 'POST' });
        expect(released.status).toBe(200);
      }
      await page.locator('[data-testid="portal-orders"] tbody tr', { hasText: acmeOrders[0] }).getByText('released').waitFor({ timeout: 30_000 });
      await page.getByRole('button', { name: acmeOrders[0] }).click();
      await page.getByRole('complementary', { name: `Order ${acmeOrders[0]}` }).waitFor();
      await saveShot('portal-orders.png', await page.screenshot());

      // Invoices: this month's, with a total, downloads, and a line opened down to its events.
      await page.getByRole('tab', { name: 'Invoices' }).click();
      await page.locator('[data-testid="portal-invoice"] caption', { hasText: 'Invoice' }).waitFor({ timeout: 30_000 });
      await expect(page.getByRole('link', { name: 'Download CSV' }).getAttribute('href')).resolves.toMatch(/^\/api\/portal\/sites\/demo\/invoices\?.*format=csv/);
      const showEvents = page.getByRole('button', { name: /^Show \d/ }).first();
      if ((await showEvents.count()) > 0) {
        await showEvents.click();
        await page.locator('.portal__drill li').first().waitFor({ timeout: 30_000 });
      }
      await saveShot('portal-invoice.png', await page.screenshot());

      // KPIs and the SLA: the on-time table by day of the cut-off, and the analytics series per day.
      await page.getByRole('tab', { name: 'KPIs & SLA' }).click();
      await page.locator('[data-testid="portal-sla"] tbody tr').first().waitFor({ timeout: 30_000 });
      await page.locator('[data-testid="portal-kpis"] tbody tr').first().waitFor({ timeout: 30_000 });
      await saveShot('portal-kpis.png', await page.screenshot());

      // The floor: the canvas lights as many bins as the API counts for Acme, and no more.
      const floor = await call<{ count: number }>(acmeUser, 'GET', '/floor');
      expect(floor.count).toBeGreaterThan(0);
      await page.getByRole('tab', { name: 'Floor' }).click();
      await page.locator('[data-testid="portal-floor-canvas"] canvas').waitFor({ timeout: 60_000 });
      await page.waitForFunction(() => window.__floortwinPortal?.drawn === true, undefined, { timeout: 120_000 });
      const drawn = await page.evaluate(() => ({ apiCount: window.__floortwinPortal?.apiCount ?? -1, lit: window.__floortwinPortal?.litDrawn() ?? -1 }));
      expect(drawn.apiCount).toBe(floor.count);
      expect(drawn.lit).toBe(floor.count);
      await saveShot('portal-floor.png', await page.screenshot());

      // Only the portal's and the session's APIs were called.
      expect(apiPaths.filter((p) => !p.startsWith('/api/portal/') && !p.startsWith('/api/auth/'))).toEqual([]);
      expect(errors).toEqual([]);
      await page.close();

      // Acme's admin places an order with the form; it joins Acme's list.
      const admin = await signedInPage(browser, server, 'acme-admin@demo.floortwin');
      await admin.goto(`${server.url}/portal#orders`);
      await admin.getByRole('button', { name: 'New order…' }).click();
      await admin.getByLabel('Your reference').fill('ACME-FORM-1');
      await admin.getByLabel(/^Lines/).fill(`${acmeStock[0]} 1`);
      await admin.getByRole('button', { name: 'Place order' }).click();
      await admin.getByRole('status').filter({ hasText: /placed/ }).waitFor({ timeout: 30_000 });
      await admin.locator('[data-testid="portal-orders"] tbody tr', { hasText: 'ACME-FORM-1' }).waitFor({ timeout: 30_000 });
      expect(await firstColumn(admin, 'portal-orders')).toHaveLength(3);
      await admin.close();
    },
    BROWSER_TEST_TIMEOUT_MS,
  );
});
