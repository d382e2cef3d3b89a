/**
 * Shared by the browser tests: the machine's Chromium with the flags this workplace needs, the servers and browser
 * `npm run test:e2e` shares between files (started once by client/e2e/e2e-setup.ts; a file run on its own starts its
 * own), signed-in pages, and screenshot checks.
 *
 * A browser test that only reads the demo shift's floor:
 *   in the describe: `const fixture = serverAndBrowser()` (the shared demo shift and Chromium; let go after the block)
 *   the test:        `const { page, errors } = await openFloor(fixture.browser, fixture.server)` (the site manager,
 *                    floor ready), or `openPage(fixture.browser, fixture.server, { path: '/picker', email, context })`;
 *                    it ends with `expect(errors).toEqual([])`
 * A test that changes the site (orders, receipts, counts…) or needs other settings starts its own server:
 * `serverAndBrowser(() => startServerProcess(env))`, and uses the same pages.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, beforeAll, inject, type ProvidedContext } from 'vitest';
import { SESSION_COOKIE } from '../../server/auth/authenticate.ts';
import { SITE_MANAGER_EMAIL, startServerProcess, testServerAt, uniqueSchema, type TestServer } from '../../server/testing/server-process.ts';
import { CHROMIUM_LAUNCH, DEMO_SHIFT_ENV } from './e2e-setup.ts';
// Brings in the type of window.__floortwin (the hooks the page installs).
import type {} from '../src/test-hooks.ts';

export { DEMO_SHIFT_ENV };

declare module 'vitest' {
  export interface ProvidedContext {
    /** The shared demo-shift server ({@link DEMO_SHIFT_ENV}) and its site manager's token; null when not started. */
    demoShiftServer: { readonly url: string; readonly token: string } | null;
    /** Playwright endpoint of the shared Chromium; null when not started. */
    chromiumEndpoint: string | null;
  }
}

/** Where browser tests save their screenshots for a reviewer: `test-output/` at the repo root, or `E2E_SHOTS_DIR`. */
export const SHOTS_DIR = process.env['E2E_SHOTS_DIR'] ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test-output');

/** Saves a screenshot as `SHOTS_DIR/name` and returns its path. */
export async function saveShot(name: string, png: Buffer): Promise<string> {
  await mkdir(SHOTS_DIR, { recursive: true });
  const file = path.join(SHOTS_DIR, name);
  await writeFile(file, png);
  return file;
}

/** A headless Chromium of this file's own. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch(CHROMIUM_LAUNCH);
}

/** The provided value of `key`, or null outside `npm run test:e2e` (no global setup ran). */
function provided<K extends 'demoShiftServer' | 'chromiumEndpoint'>(key: K): ProvidedContext[K] {
  const value: ProvidedContext[K] | undefined = inject(key);
  return value ?? null;
}

/**
 * The Chromium the run shares (one process for every browser file; `close()` only disconnects), else a new one.
 * Each page gets its own context, so files never share cookies or storage.
 */
export async function sharedBrowser(): Promise<Browser> {
  const endpoint = provided('chromiumEndpoint');
  return endpoint === null ? launchChromium() : chromium.connect(endpoint);
}

/** A server a test was handed: `stop()` stops it when the test started it, and leaves a shared one running. */
export type HandedServer = TestServer & { stop(): Promise<unknown> };

/** The shared demo-shift server ({@link DEMO_SHIFT_ENV}) of `npm run test:e2e`, or (a file run on its own) a new one. */
export async function demoShiftServer(): Promise<HandedServer> {
  const shared = provided('demoShiftServer');
  if (shared !== null) return { ...testServerAt(shared.url, shared.token), stop: () => Promise.resolve() };
  return startServerProcess({ DB_SCHEMA: uniqueSchema('e2e_shift'), ...DEMO_SHIFT_ENV });
}

/**
 * A page in a context of its own, signed in as `email` (default the site manager): the session token from
 * POST /api/auth/sign-in goes into the context as the `ft_session` cookie, so the page's requests and its socket carry
 * it. `options` are the context's (viewport — default 1280×800 —, isMobile, …). Actions wait up to 60 s by default
 * (`page.setDefaultTimeout` to change). Closing the page closes the context.
 */
export async function signedInPage(browser: Browser, server: TestServer, email: string = SITE_MANAGER_EMAIL, options: BrowserContextOptions = {}): Promise<Page> {
  // The site manager was signed in when the server started; anyone else signs in now.
  const token = email === SITE_MANAGER_EMAIL ? server.token : await server.signIn(email);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  await context.addCookies([{ name: SESSION_COOKIE, value: token, url: server.url, httpOnly: true, sameSite: 'Lax' }]);
  const page = await context.newPage();
  // Software WebGL keeps the page's main thread busy: on a loaded machine input and waits are answered slowly.
  page.setDefaultTimeout(60_000);
  page.once('close', () => void context.close().catch(() => undefined));
  return page;
}

/** The server and browser of a describe block's tests; read them inside a test (they exist from `beforeAll` on). */
export interface ServerAndBrowser<S extends HandedServer> {
  readonly server: S;
  readonly browser: Browser;
}

/**
 * Registers the calling describe block's `beforeAll` and `afterAll`: starts `start()` (default: the shared demo shift,
 * {@link demoShiftServer}) and connects to the shared Chromium together, and after the block's last test closes the
 * browser (a shared one: disconnects) and stops the server (a shared one: left running).
 */
export function serverAndBrowser(): ServerAndBrowser<HandedServer>;
export function serverAndBrowser<S extends HandedServer>(start: () => Promise<S>): ServerAndBrowser<S>;
export function serverAndBrowser(start: () => Promise<HandedServer> = demoShiftServer): ServerAndBrowser<HandedServer> {
  let server: HandedServer | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    [server, browser] = await Promise.all([start(), sharedBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the ${what} is started in beforeAll: read it inside a test`);
    return value;
  };
  return {
    get server() {
      return started(server, 'server');
    },
    get browser() {
      return started(browser, 'browser');
    },
  };
}

/** A page and the uncaught errors it has thrown so far (`pageerror`); a test ends with `expect(errors).toEqual([])`. */
export interface WatchedPage {
  readonly page: Page;
  readonly errors: string[];
}

/** How {@link openPage} opens a page: where, as whom, with which context options, and how long actions wait. */
export interface OpenPageOptions {
  /** Path on the server; default `/` (the 3D floor). */
  readonly path?: string;
  /** Who signs in; default the site manager. */
  readonly email?: string;
  /** The browser context's options (viewport, isMobile…), as {@link signedInPage}'s. */
  readonly context?: BrowserContextOptions;
  /** The page's default wait for actions and navigation; default 60 s. */
  readonly timeoutMs?: number;
}

/** {@link signedInPage}, its page errors collected from the start, opened at `options.path` of the server. */
export async function openPage(browser: Browser, server: TestServer, options: OpenPageOptions = {}): Promise<WatchedPage> {
  const page = await signedInPage(browser, server, options.email, options.context);
  if (options.timeoutMs !== undefined) page.setDefaultTimeout(options.timeoutMs);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${server.url}${options.path ?? '/'}`);
  return { page, errors };
}

/** {@link openPage} at the 3D floor (`/`), once the page says it is ready (`window.__floortwin.ready`, up to 60 s). */
export async function openFloor(browser: Browser, server: TestServer, options: Omit<OpenPageOptions, 'path'> = {}): Promise<WatchedPage> {
  const opened = await openPage(browser, server, options);
  await opened.page.waitForFunction(() => window.__floortwin?.ready === true, undefined, { timeout: 60_000 });
  return opened;
}

/** Counts distinct colours in a PNG screenshot, sampling every `samplePixels`-th pixel, decoded by the browser itself. */
export async function distinctColours(page: Page, png: Buffer, samplePixels: number): Promise<number> {
  return page.evaluate(
    async ({ base64, stride }) => {
      const blob = await (await fetch(`data:image/png;base64,${base64}`)).blob();
      const bitmap = await createImageBitmap(blob);
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const context = canvas.getContext('2d');
      if (!context) return 0;
      context.drawImage(bitmap, 0, 0);
      const { data } = context.getImageData(0, 0, bitmap.width, bitmap.height);
      const colours = new Set<number>();
      for (let i = 0; i < data.length; i += 4 * stride) colours.add(((data[i] ?? 0) << 16) | ((data[i + 1] ?? 0) << 8) | (data[i + 2] ?? 0));
      return colours.size;
    },
    { base64: png.toString('base64'), stride: samplePixels },
  );
}
