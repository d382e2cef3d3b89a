/**
 * The client portal's KPI charts and its ASN and return forms in a browser, against the real server (its own: the
 * demo shift runs so orders are despatched, and the test creates an ASN and an RMA). Acme's admin sees three KPI
 * charts whose words agree with the KPI table, announces an ASN and authorises a return of a despatched order through
 * the forms, and sees both in their tables; a typing mistake is named before anything is sent; Acme's client user
 * (read-only) gets no forms. Screenshot: test-output/portal-forms.png.
 */
import { readFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, uniqueSchema, type ServerProcess } from '../../server/testing/server-process.ts';
import { DEMO_SHIFT_ENV, saveShot, sharedBrowser, signedInPage } from './browser-kit.ts';

const BROWSER_TEST_TIMEOUT_MS = 300_000;
/** The demo shift despatches acme orders within its first minutes. */
const FIRST_DESPATCH_WAIT_MS = 150_000;
const ADMIN = 'acme-admin@demo.floortwin';

interface DemoSku {
  readonly id: string;
  readonly tenantId: string;
  readonly lotTracked: boolean;
}

describe('the portal KPI charts and forms in a browser', () => {
  let server: ServerProcess;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServerProcess({ DB_SCHEMA: uniqueSchema('e2e_portal_forms'), ...DEMO_SHIFT_ENV }), sharedBrowser()]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('charts the KPIs, and creates an ASN and a return through the forms', async () => {
    const page = await signedInPage(browser, server, ADMIN);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));

    // KPIs: three charts (canvases) beside the table; the orders chart's words agree with the table's column.
    await page.goto(`${server.url}/portal#kpis`);
    const charts = page.getByTestId('portal-kpi-charts');
    await charts.waitFor({ timeout: 60_000 });
    expect(await charts.locator('figure').count()).toBe(3);
    expect(await charts.locator('canvas').count()).toBe(3);
    const words = (await page.getByTestId('kpi-chart-orders').locator('figcaption').textContent()) ?? '';
    const received = Number(/^(\d+) orders received/.exec(words)?.[1] ?? Number.NaN);
    const column = await page.getByTestId('portal-kpis').locator('tbody tr').evaluateAll((rows) => rows.map((r) => (r.children[1]?.textContent ?? '').replace(/\D/g, '')));
    expect(received).toBe(column.reduce((n, c) => n + Number(c), 0));

    // An ASN: a mistake is named on the page, then two acme SKUs (not lot-tracked) are announced.
    const skus = (JSON.parse(await readFile(new URL('../../data/catalogues/demo.json', import.meta.url), 'utf8')) as { skus: DemoSku[] }).skus
      .filter((s) => s.tenantId === 'acme' && !s.lotTracked)
      .slice(0, 2)
      .map((s) => s.id);
    expect(skus).toHaveLength(2);
    await page.getByRole('tab', { name: 'ASNs' }).click();
    await page.getByRole('button', { name: 'New ASN…' }).click();
    await page.getByLabel('ASN reference (optional; one is made up when empty)').fill('E2E-ASN-1');
    const asnLines = page.getByLabel(/^Lines: one “SKU quantity \[lot\]/);
    await asnLines.fill(`${skus[0]} twelve`);
    await page.getByRole('button', { name: 'Announce the ASN' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/^line 1: write a SKU and a whole quantity/);
    await asnLines.fill(`${skus[0]} 12\n${skus[1]} 30`);
    await page.getByRole('button', { name: 'Announce the ASN' }).click();
    await page.getByText('ASN E2E-ASN-1 announced (2 lines).').waitFor({ timeout: 30_000 });
    const asnRow = page.getByTestId('portal-asns').locator('tbody tr', { has: page.getByRole('rowheader', { name: 'E2E-ASN-1' }) });
    await asnRow.waitFor({ timeout: 30_000 });
    await expect(asnRow.locator('td').nth(2).textContent()).resolves.toBe('42');

    // A return of a despatched order (the demo shift's), for one unit of a SKU it shipped.
    const token = await server.signIn(ADMIN);
    const portalGet = async <T,>(path: string): Promise<T> =>
      (await (await fetch(`${server.url}/api/portal/sites/demo${path}`, { headers: { authorization: `Bearer ${token}` } })).json()) as T;
    const deadline = Date.now() + FIRST_DESPATCH_WAIT_MS;
    let order: { id: string; lines: { skuId: string; picked: number }[] } | undefined;
    while (order === undefined) {
      expect(Date.now(), 'no acme order was despatched by the demo shift').toBeLessThan(deadline);
      order = (await portalGet<{ orders: { id: string; lines: { skuId: string; picked: number }[] }[] }>('/orders?status=despatched&limit=1')).orders[0];
      if (order === undefined) await page.waitForTimeout(2_000); // pacing only
    }
    const shipped = order.lines.find((l) => l.picked > 0);
    expect(shipped).toBeDefined();
    await page.getByRole('tab', { name: 'Returns' }).click();
    await page.getByRole('button', { name: 'New return…' }).click();
    await page.getByLabel('Order (despatched)').fill(order.id);
    await page.getByLabel('RMA id (optional; one is made up when empty)').fill('E2E-RMA-1');
    await page.getByLabel(/^Lines: one “SKU quantity reason”/).fill(`${shipped?.skuId} 1 damaged`);
    await page.getByRole('button', { name: 'Authorise the return' }).click();
    await page.getByText(`Return E2E-RMA-1 authorised for order ${order.id}.`).waitFor({ timeout: 30_000 });
    const rmaRow = page.getByTestId('portal-returns').locator('tbody tr', { has: page.getByRole('rowheader', { name: 'E2E-RMA-1' }) });
    await rmaRow.waitFor({ timeout: 30_000 });
    await expect(rmaRow.locator('td').nth(0).textContent()).resolves.toBe(order.id);
    await saveShot('portal-forms.png', await page.screenshot({ fullPage: true }));
    // The server holds both, as the client's own.
    expect((await portalGet<{ asnRef: string; lines: unknown[] }>('/asns/E2E-ASN-1')).lines).toHaveLength(2);
    expect((await portalGet<{ rmaId: string; orderId: string }>('/returns/E2E-RMA-1')).orderId).toBe(order.id);
    expect(errors).toEqual([]);
    await page.close();

    // A client user reads the same tables but gets no forms.
    const reader = await signedInPage(browser, server, 'acme-user@demo.floortwin');
    await reader.goto(`${server.url}/portal#asns`);
    await reader.getByTestId('portal-asns').waitFor({ timeout: 60_000 });
    // The ASNs tab shows the reader the table only: no button to open a form, no form (the admin above had both).
    const asnsPanel = reader.getByRole('tabpanel', { name: 'ASNs' });
    expect(await asnsPanel.getByRole('button').allInnerTexts()).toEqual([]);
    expect(await asnsPanel.locator('form').evaluateAll((forms) => forms.map((f) => f.getAttribute('aria-label')))).toEqual([]);
    await reader.close();
  }, BROWSER_TEST_TIMEOUT_MS);
});
