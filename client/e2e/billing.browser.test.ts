/**
 * The staff billing page in a browser against the real server (the shared demo shift: nothing here changes the site —
 * re-rating with an edited card stores nothing). A site manager signs in, opens /billing, reads acme's invoice for the
 * month (line amounts add up to the total), downloads it as CSV and PDF, drills a despatch line down to its events,
 * then re-rates the month with an edited card and reads the difference line by line. Screenshot: test-output/billing.png.
 * Saving a card (a new version) runs on a server of its own, since it changes what the next file would bill.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { startServerProcess, uniqueSchema } from '../../server/testing/server-process.ts';
import { openPage, saveShot, serverAndBrowser, signedInPage } from './browser-kit.ts';

const BROWSER_TEST_TIMEOUT_MS = 240_000;
/** The demo shift despatches acme orders within its first minutes; the invoice is refreshed until one is billed. */
const FIRST_DESPATCH_WAIT_MS = 150_000;

const minorOf = async (page: Page, selector: string): Promise<number[]> =>
  page.locator(selector).evaluateAll((cells) => cells.map((c) => Number((c as HTMLElement).dataset['minor'])));

describe('the billing page in a browser', () => {
  const fixture = serverAndBrowser();

  it('shows an invoice that adds up, drills a line down to its events, and re-rates it with an edited card', async () => {
    const { server } = fixture;
    const { page, errors } = await openPage(fixture.browser, server, { path: '/billing' });

    await page.getByLabel('Client', { exact: true }).selectOption('acme');
    const table = page.getByTestId('invoice-table');
    await table.waitFor({ timeout: 60_000 });

    // Wait (refreshing) until the month bills a despatched order: its line can then be drilled down to events.
    const orderRow = table.locator('tbody tr[data-code="OUTBOUND_ORDER"]');
    const deadline = Date.now() + FIRST_DESPATCH_WAIT_MS;
    while ((await orderRow.count()) === 0) {
      expect(Date.now(), 'no acme order was despatched by the demo shift').toBeLessThan(deadline);
      await Promise.all([page.waitForResponse((r) => r.url().includes('/billing/invoices/acme?')), page.getByRole('button', { name: 'Refresh' }).click()]);
      await page.waitForTimeout(1_000); // pacing only: the next look comes a second later
    }

    // The lines' amounts add up to the total, and the page says so.
    const amounts = await minorOf(page, '[data-testid="invoice-table"] tbody tr[data-code] td[data-minor]');
    const [total] = await minorOf(page, '[data-testid="invoice-table-total"]');
    expect(amounts.length).toBeGreaterThan(1);
    expect(amounts.every(Number.isInteger)).toBe(true);
    expect(amounts.reduce((a, b) => a + b, 0)).toBe(total);
    await expect(page.getByTestId('invoice-table-check').textContent()).resolves.toMatch(/line amounts add up to the total/);
    // The page fits a laptop screen's width.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);

    // The same invoice as files: CSV (a header and the lines) and PDF.
    const csvHref = await page.getByTestId('invoice-csv').getAttribute('href');
    const csv = await server.fetch(csvHref ?? '');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    expect(await csv.text()).toContain('OUTBOUND_ORDER');
    const pdf = await server.fetch((await page.getByTestId('invoice-pdf').getAttribute('href')) ?? '');
    expect(pdf.status).toBe(200);
    expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString('latin1')).toBe('%PDF-');

    // Drill down with the keyboard: the despatch line lists the orders it counts and their OrderDespatched events.
    const drill = orderRow.locator('button[aria-expanded]');
    await expect(drill.textContent()).resolves.toMatch(/^Show \d+ events$/);
    await drill.focus();
    await page.keyboard.press('Enter');
    const items = page.getByTestId('drill-items').locator('li');
    await items.first().waitFor({ timeout: 60_000 });
    expect(await items.count()).toBeGreaterThan(0);
    await expect(items.first().textContent()).resolves.toMatch(/#\d+ OrderDespatched/);
    await expect(drill.getAttribute('aria-expanded')).resolves.toBe('true');
    await expect(drill.textContent()).resolves.toMatch(/^Hide \d+ events$/);

    // Re-rate the month with an edited card: £1 more per order, no minimum. Tabs by keyboard (arrow keys).
    await page.getByRole('tab', { name: 'Invoice' }).focus();
    await page.keyboard.press('ArrowRight');
    await expect(page.getByRole('tab', { name: 'Rate card & re-rating' }).getAttribute('aria-selected')).resolves.toBe('true');
    const perOrder = page.getByLabel('Per order despatched');
    await perOrder.waitFor({ timeout: 30_000 });
    const oldPerOrder = Number(await perOrder.inputValue());
    await perOrder.fill((oldPerOrder + 1).toFixed(2));
    await page.getByLabel('Minimum charge per month').fill('0');
    await page.getByLabel('Minimum charge per month').press('Enter');

    const rerate = page.getByTestId('rerate-table');
    await rerate.waitFor({ timeout: 60_000 });
    const orderDiff = rerate.locator('tbody tr[data-code="OUTBOUND_ORDER"]');
    const orders = Number(await orderDiff.getAttribute('data-quantity'));
    expect(orders).toBeGreaterThan(0);
    const [orderDelta] = await minorOf(page, '[data-testid="rerate-table"] tbody tr[data-code="OUTBOUND_ORDER"] td[data-minor]');
    expect(orderDelta).toBe(orders * 100);
    // Each line's difference is shown, and they add up to the total's difference, which is not zero.
    const deltas = await minorOf(page, '[data-testid="rerate-table"] tbody tr[data-code] td[data-minor]');
    const [totalDelta] = await minorOf(page, '[data-testid="rerate-total-delta"]');
    expect(deltas.reduce((a, b) => a + b, 0)).toBe(totalDelta);
    expect(totalDelta).not.toBe(0);
    await expect(rerate.locator('caption').textContent()).resolves.toMatch(/[1-9]\d* of \d+ lines change/);

    await saveShot('billing.png', await page.screenshot({ fullPage: true }));
    expect(errors).toEqual([]);
    await page.close();
  }, BROWSER_TEST_TIMEOUT_MS);

  it('refuses a wrong price on the page, and saves an edited card as a new version', async () => {
    const own = await startServerProcess({ DB_SCHEMA: uniqueSchema('e2e_billing_card'), DEMO_SHIFT: 'off' });
    try {
      const page = await signedInPage(fixture.browser, own);
      await page.goto(`${own.url}/billing`);
      await page.getByLabel('Client', { exact: true }).selectOption('bloom');
      await page.getByRole('tab', { name: 'Rate card & re-rating' }).click();
      const perUnit = page.getByLabel('Per unit picked');
      await perUnit.waitFor({ timeout: 60_000 });
      await expect(page.getByText(/^Version 1 of 1/).count()).resolves.toBe(1);

      // A price with three decimals is marked and nothing is sent.
      await perUnit.fill('0.125');
      await page.getByRole('button', { name: 'Save as a new version' }).click();
      await expect(page.getByRole('alert').textContent()).resolves.toBe('Check the marked price.');
      await expect(perUnit.getAttribute('aria-invalid')).resolves.toBe('true');
      const before = (await (await own.fetch('/api/sites/demo/billing/rate-cards/bloom')).json()) as { versions: unknown[] };
      expect(before.versions).toHaveLength(1);

      await perUnit.fill('0.13');
      await page.getByLabel('Effective from').fill('2026-01-01');
      await page.getByRole('button', { name: 'Save as a new version' }).click();
      await page.getByText('Saved as version 2, in force for periods from 2026-01-01.').waitFor({ timeout: 30_000 });
      await page.getByText(/^Version 2 of 2, in force from 2026-01-01/).waitFor({ timeout: 30_000 });
      await expect(page.getByLabel('Per unit picked').inputValue()).resolves.toBe('0.13');
      const stored = (await (await own.fetch('/api/sites/demo/billing/rate-cards/bloom')).json()) as { card: { version: number; card: { outbound: { perUnit: number } } } };
      expect(stored.card.version).toBe(2);
      expect(stored.card.card.outbound.perUnit).toBe(13);
      await page.close();
    } finally {
      await own.stop();
    }
  }, BROWSER_TEST_TIMEOUT_MS);
});
