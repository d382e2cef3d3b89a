/**
 * Global setup of `npm run test:e2e` (vitest.e2e.config.ts): starts what the files share — one Chromium and the
 * demo-shift server the read-only floor tests use (client/e2e/browser-kit.ts: `sharedBrowser`, `demoShiftServer`) —
 * and stops them after the last file. Files that change the site, or need other settings, start their own server.
 */
import { chromium, type LaunchOptions } from 'playwright-core';
import type { TestProject } from 'vitest/node';
import { startServerProcess, uniqueSchema } from '../../server/testing/server-process.ts';

/** How the tests launch Chromium: `CHROMIUM_PATH` (default the Debian package's /usr/bin/chromium); it downloads nothing. */
export const CHROMIUM_LAUNCH: LaunchOptions = {
  executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
};

/**
 * The demo shift the read-only floor tests share: the demo site with its simulated shift at 4× with 10 pickers.
 * Tests on it must not change the site (no orders, receipts, counts, speed changes: the next file sees the same
 * floor) and must not depend on how long it has run.
 */
export const DEMO_SHIFT_ENV: Readonly<Record<string, string>> = { DEMO_SHIFT: 'on', SHIFT_SPEED: '4', SHIFT_PICKERS: '10' };

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [server, browser] = await Promise.all([startServerProcess({ DB_SCHEMA: uniqueSchema('e2e_shared'), ...DEMO_SHIFT_ENV }), chromium.launchServer(CHROMIUM_LAUNCH)]);
  project.provide('demoShiftServer', { url: server.url, token: server.token });
  project.provide('chromiumEndpoint', browser.wsEndpoint());
  return async () => {
    await browser.close();
    await server.stop();
  };
}
