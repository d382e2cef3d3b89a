/**
 * The 3D floor client at scale (issue 5): a generated site with 20,000 bins and 500 operatives moving at 10 position
 * updates/s each, the real server, the built client in headless Chromium (software WebGL). Measures against targets:
 *  - snapshot bytes on the wire: the `site:join` ack frame (CDP `Network.webSocketFrameReceived`) ≤ 1 MB;
 *    the layout (`GET /api/sites/:id/layout`, fetched once per page) is reported too;
 *  - navigation → `window.__floortwin.ready` (first floor drawn) ≤ 3 s, with where the time goes (User Timing marks
 *    `ft:*` from client/src/perf-probe.ts `markLoad`, resource and navigation timing);
 *  - main-thread time of OUR per-frame code (client/src/perf-probe.ts: diff application + the bins / operatives
 *    `useFrame` callbacks), p50 / p95 over ≥ 300 frames, p95 ≤ 4 ms (GPU / raster work excluded). Measured twice:
 *    rendered (software WebGL, < 1 frame/s, so each frame carries seconds of diffs) and with `?norender=1` (the frame
 *    loop and our callbacks run, three.js draws nothing), where frames come at the browser's rate as the target means;
 *  - `store.applyDiff` of a 1,000-bin diff in the page (`__floortwinPerf.applySyntheticDiff`) ≤ 2 ms.
 * Context (not targets): the whole animation-frame callback time from a Chrome trace (three.js render submission
 * included), frames/s, the measured position-update rate, diff bytes/s.
 *
 * Positions come over the network: BENCH_OPERATIVES (500) operatives sign on over one handheld socket
 * (`picker:signOn`) and walk up and down the aisles, all reported every 100 ms (10 updates/s each) in one
 * `POST /api/sites/:id/positions` batch, or over `picker:position` when the server has no such route. A small demo
 * shift (SHIFT_PICKERS=20) keeps orders and picks, hence bin fill changes, flowing. The rates applied by the server
 * and received by a Node observer are reported.
 *
 * Run: `npm run bench -- client` (builds the client first). Env: CLIENT_FRAMES (no-render frames, default 600),
 * CLIENT_RENDERED_FRAMES (default 100), BENCH_OPERATIVES (default 500), BENCH_CLIENT_DIST (serve
 * this built client instead of client/dist, e.g. an instrumented copy; several, comma-separated, take turns),
 * CLIENT_LOAD_RUNS (cold page loads for the first-floor figure, each in a fresh browser context; the median is
 * reported, default 1), CLIENT_LOAD_ONLY=1 (stop after those loads; writes bench/results/client-load.json), CLIENT_LOAD_TRACE=path
 * (first a traced, uncounted load per client: a Chrome trace with CPU samples to `<path>.<k>.json`),
 * BENCH_SKIP_BUILD=1. Writes bench/results/client.json.
 * Comparing two builds on a busy machine: build each into its own folder (`npx vite build --config
 * client/vite.config.ts --outDir /tmp/a`) and run with BENCH_CLIENT_DIST=/tmp/a,/tmp/b CLIENT_LOAD_RUNS=10 CLIENT_LOAD_ONLY=1.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';
import { io } from 'socket.io-client';
import * as msgpackParser from 'socket.io-msgpack-parser';
import { launchChromium } from '../client/e2e/browser-kit.ts';
// Brings in the types of window.__floortwin and window.__floortwinPerf.
import type {} from '../client/src/test-hooks.ts';
import type {} from '../client/src/perf-probe.ts';
import { PROTOCOL_VERSION, type FloorDiff, type LayoutView } from '../server/protocol/floor.ts';
import type { SignOnResult } from '../server/protocol/picking.ts';
import type { PositionResult } from '../server/protocol/positions.ts';
import type { JoinResult } from '../server/protocol/socket.ts';
import { startServerProcess, uniqueSchema, type ServerProcess } from '../server/testing/server-process.ts';
import { formatCatalogue, formatStockCsv } from '../server/twin/catalogue/catalogue.ts';
import { generateSite, siteLayoutDocument, type SiteParams } from '../server/twin/layout/generator.ts';
import { benchRoot, printTable, writeResults, type Row } from './bench-util.ts';

const FRAMES = Number(process.env['CLIENT_FRAMES'] ?? 600);
/** Software WebGL draws < 1 frame/s here: fewer rendered frames keep the run to minutes (context, not the target). */
const RENDERED_FRAMES = Number(process.env['CLIENT_RENDERED_FRAMES'] ?? 100);
const OPERATIVES = Number(process.env['BENCH_OPERATIVES'] ?? 500);
const UPDATES_PER_S = 10;
const SHIFT_PICKERS = 20;
const SHIFT_SPEED = 5;
const VIEWPORT = { width: 960, height: 600 };
/** Cold page loads measured for the first floor (median reported); `CLIENT_LOAD_ONLY=1` stops after them. */
const LOAD_RUNS = Number(process.env['CLIENT_LOAD_RUNS'] ?? 1);
const LOAD_ONLY = process.env['CLIENT_LOAD_ONLY'] === '1';
/** When set, the first load of each client writes a Chrome trace to `<CLIENT_LOAD_TRACE>.<run>.json`. */
const LOAD_TRACE = process.env['CLIENT_LOAD_TRACE'];
const TARGETS = { snapshotBytes: 1_000_000, readyMs: 3_000, frameP95Ms: 4, diff1000Ms: 2 };

/** 2 blocks × 40 aisles × 25 bays × 5 levels × 2 sides = 20,000 pick locations. */
const SITE_PARAMS: SiteParams = {
  id: 'bench20k',
  name: 'Floortwin 20k bench DC',
  aisles: 40,
  blocks: 2,
  baysPerBlock: 25,
  levels: 5,
  depotX: 60,
  skuCount: 5000,
  tenants: 3,
  stockFillRatio: 0.85,
  baseDate: '2026-11-01',
};
const SITE_SEED = 20261127;

/** Writes the generated site's files (site, layout, catalogue, initial stock) under `dir`; returns the site file. */
async function writeSite(dir: string): Promise<{ siteFile: string; bins: number }> {
  const { site, initialStock } = generateSite(SITE_PARAMS, SITE_SEED);
  const put = async (relative: string, text: string): Promise<void> => {
    await mkdir(path.dirname(path.join(dir, relative)), { recursive: true });
    await writeFile(path.join(dir, relative), text);
  };
  await put('layouts/bench20k.json', JSON.stringify(siteLayoutDocument(SITE_PARAMS)));
  await put('catalogues/bench20k.json', formatCatalogue(site.skus));
  await put('stock/bench20k-initial.csv', formatStockCsv(initialStock));
  const siteDoc = {
    id: SITE_PARAMS.id, name: SITE_PARAMS.name, layout: 'layouts/bench20k.json', catalogue: 'catalogues/bench20k.json',
    initialStock: 'stock/bench20k-initial.csv', tenants: site.tenants.map((t) => ({ id: t.id, name: t.name })),
  };
  await put('sites/bench20k.json', JSON.stringify(siteDoc));
  return { siteFile: path.join(dir, 'sites/bench20k.json'), bins: site.layout.locations.length };
}

const quantile = (values: readonly number[], q: number): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
};
const round = (x: number, digits = 2): number => Number(x.toFixed(digits));

/** What a Node client joined to the floor sees: diffs, operative updates, bytes. */
interface Observer {
  stats(): { diffs: number; operativeUpdates: number; distinctMoving: number; walking: number; seconds: number };
  reset(): void;
  close(): void;
}

async function observeFloor(url: string, siteId: string, token: string): Promise<Observer> {
  const socket = io(url, { path: '/socket.io', parser: msgpackParser, transports: ['websocket'], auth: { token } });
  let diffs = 0;
  let operativeUpdates = 0;
  let since = performance.now();
  const moving = new Set<string>();
  const activity = new Map<string, string>();
  const position = new Map<string, string>();
  socket.on('site:diff', (diff: FloorDiff) => {
    diffs++;
    for (const op of diff.operatives) {
      activity.set(op.id, op.activity);
      const at = `${op.x},${op.y}`;
      if (position.get(op.id) !== at) {
        operativeUpdates++;
        moving.add(op.id);
        position.set(op.id, at);
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => {
      socket.emit('site:join', { siteId, protocolVersion: PROTOCOL_VERSION }, (result: JoinResult) => {
        if (!result.ok) return reject(new Error(`observer join: ${result.error.message}`));
        if (result.kind === 'snapshot') for (const op of result.snapshot.operatives) activity.set(op.id, op.activity);
        resolve();
      });
    });
    socket.once('connect_error', reject);
  });
  return {
    stats: () => ({
      diffs,
      operativeUpdates,
      distinctMoving: moving.size,
      walking: [...activity.values()].filter((a) => a === 'walking').length,
      seconds: (performance.now() - since) / 1000,
    }),
    reset: () => {
      diffs = 0;
      operativeUpdates = 0;
      moving.clear();
      since = performance.now();
    },
    close: () => socket.close(),
  };
}

/** Operatives driven over the network: their positions sent 10 times a second; counts what the server applied. */
interface PositionDriver {
  readonly transport: 'http' | 'socket';
  stats(): { applied: number; sent: number; failed: number; seconds: number; lateTicks: number };
  reset(): void;
  close(): void;
}

/**
 * Signs `count` operatives on over one handheld socket and walks each along an aisle segment of the layout (up and
 * back at 1.2 m/s; now and then picking, idle or blocked, so every colour shows), sending every position each tick.
 */
async function drivePositions(url: string, siteId: string, count: number, token: string): Promise<PositionDriver> {
  const authorization = `Bearer ${token}`;
  const layout = (await (await fetch(`${url}/api/sites/${siteId}/layout`, { headers: { authorization } })).json()) as LayoutView;
  const segments: [number, number, number, number][] = [];
  for (let k = 0; k + 3 < layout.segments.length; k += 4) {
    const [x1 = 0, y1 = 0, x2 = 0, y2 = 0] = layout.segments.slice(k, k + 4);
    if (Math.hypot(x2 - x1, y2 - y1) > 0) segments.push([x1, y1, x2, y2]);
  }
  const socket = io(url, { path: '/socket.io', parser: msgpackParser, transports: ['websocket'], auth: { token } });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const ids = Array.from({ length: count }, (_, i) => `BENCH-${String(i + 1).padStart(3, '0')}`);
  const deviceId = 'bench-driver';
  const signedOn = await Promise.all(
    ids.map(async (operativeId): Promise<SignOnResult> => (await socket.timeout(30_000).emitWithAck('picker:signOn', { siteId, operativeId, deviceId, name: operativeId })) as SignOnResult),
  );
  const refused = signedOn.filter((r) => !r.ok);
  if (refused.length > 0) throw new Error(`sign-on refused: ${JSON.stringify(refused[0])}`);

  const positionsUrl = `${url}/api/sites/${siteId}/positions`;
  const probe = await fetch(positionsUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: '{"positions":[]}' });
  const transport: 'http' | 'socket' = probe.status === 404 ? 'socket' : 'http';
  const activities = ['walking', 'walking', 'walking', 'walking', 'walking', 'walking', 'picking', 'picking', 'idle', 'blocked'] as const;
  const tickMs = 1000 / UPDATES_PER_S;
  let tick = 0;
  let applied = 0;
  let sent = 0;
  let failed = 0;
  let lateTicks = 0;
  let since = performance.now();
  let inFlight = false;
  const positionOf = (i: number): { operativeId: string; x: number; y: number; activity: (typeof activities)[number] } => {
    const [x1, y1, x2, y2] = segments[(i * 7919) % segments.length] ?? [0, 0, 0, 0];
    const length = Math.hypot(x2 - x1, y2 - y1);
    const walked = (1.2 * tick * tickMs) / 1000 + i;
    const phase = (walked % (2 * length)) / length;
    const t = phase <= 1 ? phase : 2 - phase;
    const activity = activities[(Math.floor(tick / 50) + i) % activities.length] ?? 'walking';
    return { operativeId: ids[i] ?? '', x: x1 + (x2 - x1) * t, y: y1 + (y2 - y1) * t, activity };
  };
  const send = async (): Promise<void> => {
    const positions = ids.map((_, i) => positionOf(i));
    sent += positions.length;
    if (transport === 'http') {
      const res = await fetch(positionsUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify({ positions }) });
      const body = (await res.json()) as { applied?: number };
      if (res.ok) applied += body.applied ?? 0;
      else failed += positions.length;
      return;
    }
    const results = await Promise.all(
      positions.map(async (p): Promise<PositionResult | null> => {
        try {
          return (await socket.timeout(10_000).emitWithAck('picker:position', { siteId, deviceId, ...p })) as PositionResult;
        } catch {
          return null;
        }
      }),
    );
    for (const r of results) {
      if (r?.ok === true) applied += r.applied ? 1 : 0;
      else failed++;
    }
  };
  const timer = setInterval(() => {
    tick++;
    // A tick that finds the previous one unanswered is skipped (latest wins), and counted.
    if (inFlight) {
      lateTicks++;
      return;
    }
    inFlight = true;
    send()
      .catch(() => (failed += count))
      .finally(() => (inFlight = false));
  }, tickMs);
  return {
    transport,
    stats: () => ({ applied, sent, failed, lateTicks, seconds: (performance.now() - since) / 1000 }),
    reset: () => {
      applied = 0;
      sent = 0;
      failed = 0;
      lateTicks = 0;
      since = performance.now();
    },
    close: () => {
      clearInterval(timer);
      socket.close();
    },
  };
}

/** Per-frame samples of our code and per-part totals, once `frames` frames were measured (or the wait timed out). */
async function measureFrames(page: Page, frames: number): Promise<{ samples: number[]; parts: Record<string, { ms: number; calls: number }>; seconds: number }> {
  await page.evaluate(() => window.__floortwinPerf?.reset());
  const started = performance.now();
  await page.waitForFunction((n) => (window.__floortwinPerf?.frames ?? 0) >= n, frames, { timeout: 600_000, polling: 1000 }).catch(() => undefined);
  const samples = await page.evaluate(() => window.__floortwinPerf?.samples() ?? []);
  const parts = await page.evaluate(() => window.__floortwinPerf?.parts() ?? {});
  return { samples, parts, seconds: (performance.now() - started) / 1000 };
}

/** Where the first floor's time went: ms after navigation start, from the page's own timing. */
async function loadProfile(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => {
    const out: Record<string, number> = {};
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
    if (nav !== undefined) {
      out['document-received'] = nav.responseEnd;
      out['dom-content-loaded'] = nav.domContentLoadedEventEnd;
    }
    for (const entry of performance.getEntriesByType('resource') as PerformanceResourceTiming[]) {
      const name = new URL(entry.name).pathname;
      if (name.endsWith('.js')) out['scripts-loaded'] = Math.max(out['scripts-loaded'] ?? 0, entry.responseEnd);
      else if (name === '/api/sites') {
        out['sites-requested'] = entry.startTime;
        out['sites-fetched'] = entry.responseEnd;
      }
      else if (/\/api\/sites\/[^/]+\/layout$/.test(name)) {
        out['layout-requested'] = entry.startTime;
        out['layout-fetched'] = entry.responseEnd;
      }
    }
    for (const [name, at] of Object.entries(window.__floortwinPerf?.loadMarks() ?? {})) out[name] = at;
    return out;
  });
}

/** Sizes of the frames the page's WebSockets receive, and of the layout response; finds the `site:join` ack. */
interface Wire {
  snapshotBytes(): number | null;
  layoutBytes(): number | null;
  received(): number;
  /** Milestones after the document request, ms (CDP monotonic timestamps). */
  milestones(): { layoutLoadedMs: number | null; snapshotReceivedMs: number | null };
}

function watchWire(cdp: CDPSession): Wire {
  let snapshotBytes: number | null = null;
  let documentAt: number | null = null;
  let layoutAt: number | null = null;
  let snapshotAt: number | null = null;
  let lastFrameAt = 0;
  let layoutBytes: number | null = null;
  let layoutRequest: string | null = null;
  let received = 0;
  const decoder = new msgpackParser.Decoder();
  let lastSize = 0;
  decoder.on('decoded', (packet: { type: number; data?: unknown[] }) => {
    const result = packet.data?.[0] as JoinResult | undefined;
    if (packet.type === 3 && result?.ok === true && result.kind === 'snapshot' && snapshotBytes === null) {
      snapshotBytes = lastSize;
      snapshotAt = lastFrameAt;
    }
  });
  cdp.on('Network.requestWillBeSent', ({ type, timestamp }) => {
    if (type === 'Document' && documentAt === null) documentAt = timestamp;
  });
  cdp.on('Network.webSocketFrameReceived', ({ response, timestamp }) => {
    lastFrameAt = timestamp;
    // Binary frames (opcode 2) arrive base64-encoded; text frames are engine.io control packets.
    const bytes = response.opcode === 2 ? Buffer.from(response.payloadData, 'base64') : Buffer.from(response.payloadData);
    received += bytes.length;
    if (response.opcode !== 2) return;
    lastSize = bytes.length;
    try {
      decoder.add(bytes);
    } catch {
      // Not a socket.io packet we need.
    }
  });
  // The first page's layout only: the later `?norender=1` page revalidates it (a 304 of a few hundred bytes).
  cdp.on('Network.responseReceived', ({ requestId, response }) => {
    if (layoutRequest === null && /\/api\/sites\/[^/]+\/layout$/.test(new URL(response.url).pathname)) layoutRequest = requestId;
  });
  cdp.on('Network.loadingFinished', ({ requestId, encodedDataLength, timestamp }) => {
    if (requestId !== layoutRequest || layoutAt !== null) return;
    layoutBytes = encodedDataLength;
    layoutAt = timestamp;
  });
  const since = (at: number | null): number | null => (at === null || documentAt === null ? null : (at - documentAt) * 1000);
  return {
    snapshotBytes: () => snapshotBytes,
    layoutBytes: () => layoutBytes,
    received: () => received,
    milestones: () => ({ layoutLoadedMs: since(layoutAt), snapshotReceivedMs: since(snapshotAt) }),
  };
}

/** Serves the page and its assets from `dist` (the API and Socket.IO still go to the server). */
async function serveClientFrom(page: Page, dist: string): Promise<void> {
  await page.route(/^http:\/\/127\.0\.0\.1:\d+\/(assets\/.*|[^/]*\.(?:html|svg|ico|png))?(\?.*)?$/, async (route) => {
    const { pathname } = new URL(route.request().url());
    const file = pathname === '/' ? 'index.html' : pathname.slice(1);
    const type = file.endsWith('.js') ? 'text/javascript' : file.endsWith('.css') ? 'text/css' : file.endsWith('.html') ? 'text/html' : undefined;
    const body = await readFile(path.join(dist, file)).catch(() => null);
    if (body === null) return route.fulfill({ status: 404, body: '' });
    return route.fulfill({ status: 200, body, ...(type === undefined ? {} : { contentType: type }) });
  });
}

/** One page that loaded the first floor; `page` stays open (its context is the caller's to close). */
interface LoadedPage {
  readonly page: Page;
  readonly cdp: CDPSession;
  readonly wire: Wire;
  readonly errors: string[];
  readonly readyMs: number;
  readonly readyPolledMs: number;
  readonly profile: Record<string, number>;
}

/**
 * Opens `url` in a fresh context (cold cache) with the client of `dist` (default: the server's client/dist) and waits
 * for the first floor. With `tracePath`, writes a Chrome trace of the load there (for chrome://tracing / Perfetto).
 */
async function loadFirstFloor(browser: Browser, url: string, token: string, dist: string | undefined, tracePath: string | undefined): Promise<LoadedPage> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  // Signed in as the site manager: the session cookie the sign-in page would have set (HttpOnly, like the real one).
  await context.addCookies([{ name: 'ft_session', value: token, url, httpOnly: true, sameSite: 'Lax' }]);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  if (dist !== undefined) await serveClientFrom(page, dist);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const wire = watchWire(cdp);
  if (tracePath !== undefined) await browser.startTracing(page, { path: tracePath, screenshots: false, categories: TRACE_CATEGORIES });

  await page.goto(url);
  const readyHandle = await page
    .waitForFunction(() => (window.__floortwin?.ready === true ? performance.now() : false), undefined, { timeout: 180_000, polling: 20 })
    .catch(async (error: unknown) => {
      const state = await page.evaluate(() => ({ hooks: window.__floortwin === undefined ? null : { ready: window.__floortwin.ready, bins: window.__floortwin.bins, seq: window.__floortwin.seq }, text: document.body.innerText.slice(0, 400) }));
      await mkdir(path.join(benchRoot, 'test-output'), { recursive: true });
      await page.screenshot({ path: path.join(benchRoot, 'test-output', 'client-bench-not-ready.png') }).catch(() => undefined);
      throw new Error(`floor not ready: ${JSON.stringify(state)}; page errors: ${errors.join('; ')}; console: ${consoleErrors.join('; ')}`, { cause: error });
    });
  if (tracePath !== undefined) await browser.stopTracing();
  const readyPolledMs = (await readyHandle.jsonValue()) as number;
  const profile = await loadProfile(page);
  // The poll runs only when the main thread is free, i.e. after the next (slow, software) frame is drawn too: the
  // page's own mark of the moment `ready` turned true is the truer figure when it is there.
  const readyMs = profile['first-drawn'] ?? readyPolledMs;
  return { page, cdp, wire, errors, readyMs, readyPolledMs, profile };
}

const TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'v8', 'blink.user_timing', 'loading', 'disabled-by-default-v8.cpu_profiler', 'gpu', 'toplevel'];

/** One cold load: which client, when the first floor was drawn, and its step marks. */
interface LoadRun {
  readonly dist: string;
  readonly readyMs: number;
  readonly profile: Record<string, number>;
}

interface LoadStats {
  readonly dist: string;
  readonly runs: number;
  readonly median: number;
  readonly p95: number;
  readonly min: number;
  readonly max: number;
  /** Median of `first-frame` (our work done, the first software-WebGL render not yet). */
  readonly firstFrameMedian: number;
  readonly each: number[];
  /** Median per step mark, ms after navigation. */
  readonly stepMedians: Record<string, number>;
}

function statsOf(dist: string, runs: readonly LoadRun[]): LoadStats {
  const each = runs.map((r) => r.readyMs);
  const steps = new Set(runs.flatMap((r) => Object.keys(r.profile)));
  const stepMedians: Record<string, number> = {};
  for (const step of steps) stepMedians[step] = round(quantile(runs.map((r) => r.profile[step]).filter((v) => v !== undefined), 0.5), 0);
  return {
    dist, runs: runs.length, median: quantile(each, 0.5), p95: quantile(each, 0.95), min: Math.min(...each), max: Math.max(...each),
    firstFrameMedian: quantile(runs.map((r) => r.profile['first-frame'] ?? Number.NaN), 0.5), each, stepMedians,
  };
}

/** Medians over all loads and per client. */
function summariseLoads(runs: readonly LoadRun[]): { all: LoadStats; byDist: LoadStats[] } {
  const names = [...new Set(runs.map((r) => r.dist))];
  return { all: statsOf('all', runs), byDist: names.map((name) => statsOf(name, runs.filter((r) => r.dist === name))) };
}

/** Whole animation-frame callback durations (ms) from a Chrome trace of `ms` milliseconds. */
async function traceAnimationFrames(cdp: CDPSession, ms: number): Promise<number[]> {
  const events: { name: string; ph: string; dur?: number }[] = [];
  cdp.on('Tracing.dataCollected', ({ value }) => events.push(...(value as unknown as typeof events)));
  const done = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
  await cdp.send('Tracing.start', { traceConfig: { includedCategories: ['devtools.timeline'] }, transferMode: 'ReportEvents' });
  await new Promise((resolve) => setTimeout(resolve, ms));
  await cdp.send('Tracing.end');
  await done;
  return events.filter((e) => e.name === 'FireAnimationFrame' && e.ph === 'X' && e.dur !== undefined).map((e) => (e.dur ?? 0) / 1000);
}

// ---------------------------------------------------------------------------------------------------------------------

const loadStart = loadavg();
/** Built clients to serve instead of client/dist (comma-separated: their loads alternate, for an A/B comparison). */
const dists = (process.env['BENCH_CLIENT_DIST'] ?? '').split(',').map((d) => d.trim()).filter((d) => d !== '');
if (dists.length === 0 && process.env['BENCH_SKIP_BUILD'] !== '1') {
  console.log('building the client (npm run build:client)…');
  const build = spawnSync('npm', ['run', 'build:client'], { cwd: benchRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) throw new Error('client build failed');
}

const siteDir = await mkdtemp(path.join(tmpdir(), 'floortwin-client-bench-'));
let server: ServerProcess | undefined;
let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
let observer: Observer | undefined;
let driver: PositionDriver | undefined;
try {
  const { siteFile, bins } = await writeSite(siteDir);
  console.log(`site: ${bins} bins in ${siteDir}; starting the server with ${SHIFT_PICKERS} demo-shift pickers…`);
  const serverStarted = performance.now();
  server = await startServerProcess(
    {
      DB_SCHEMA: uniqueSchema('bench_client'),
      SITE_FILE: siteFile,
      DEMO_SHIFT: 'on',
      SHIFT_PICKERS: String(SHIFT_PICKERS),
      SHIFT_SPEED: String(SHIFT_SPEED),
      SHIFT_ORDERS_PER_HOUR: '3000',
    },
    300_000,
  );
  console.log(`server ready in ${Math.round(performance.now() - serverStarted)} ms at ${server.url}`);
  observer = await observeFloor(server.url, SITE_PARAMS.id, server.token);
  driver = await drivePositions(server.url, SITE_PARAMS.id, OPERATIVES, server.token);

  // Let the positions flow for a while before the page loads.
  await new Promise((r) => setTimeout(r, Number(process.env['CLIENT_WARM_S'] ?? 10) * 1000));
  const warm = observer.stats();
  const warmDriver = driver.stats();
  console.log(
    `positions over ${driver.transport} for ${Math.round(warm.seconds)} s: ${Math.round(warmDriver.applied / warmDriver.seconds)} applied/s, ` +
      `${Math.round(warm.operativeUpdates / warm.seconds)} updates/s on the floor stream`,
  );
  observer.reset();
  driver.reset();

  // A page whose document is served by `page.route` counts as public to Chromium, which then blocks its WebSocket to
  // 127.0.0.1 (ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS): only then, turn that check off.
  browser =
    dists.length === 0
      ? await launchChromium()
      : await chromium.launch({
          executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
          args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-features=LocalNetworkAccessChecks'],
        });

  // First floors: LOAD_RUNS page loads, each in a fresh context (empty cache, as a first visit), the dists taking
  // turns (A, B, A, B, …) so a busy machine weighs on each alike. The first load's page is the one measured further.
  const loads: LoadRun[] = [];
  let kept: LoadedPage | undefined;
  // Traced loads (tracing slows the page) come first, one per client, and are not counted.
  const traced = LOAD_TRACE === undefined ? [] : dists.length === 0 ? [undefined] : dists;
  for (const [k, tracedDist] of traced.entries()) {
    const loaded = await loadFirstFloor(browser, server.url, server.token, tracedDist, `${LOAD_TRACE}.${k}.json`);
    console.log(`traced load (${tracedDist ?? 'client/dist'}): first floor at ${Math.round(loaded.readyMs)} ms, trace in ${LOAD_TRACE}.${k}.json`);
    await loaded.page.context().close();
  }
  for (let run = 0; run < LOAD_RUNS; run++) {
    const runDist = dists.length === 0 ? undefined : dists[run % dists.length];
    const loaded = await loadFirstFloor(browser, server.url, server.token, runDist, undefined);
    loads.push({ dist: runDist ?? 'client/dist', readyMs: loaded.readyMs, profile: loaded.profile });
    console.log(`load ${run + 1}/${LOAD_RUNS} (${runDist ?? 'client/dist'}): first floor at ${Math.round(loaded.readyMs)} ms`);
    // Only the last page stays open (for the measurements that follow): an open floor keeps drawing, slowly, and
    // would take the CPU from the next load.
    if (run === LOAD_RUNS - 1 && !LOAD_ONLY) kept = loaded;
    else await loaded.page.context().close();
  }
  if (loads.length === 0) throw new Error('CLIENT_LOAD_RUNS must be at least 1');
  const loadSummary = summariseLoads(loads);
  // With several clients the figure is that of the client measured further (the last one loaded), not of the mix.
  const keptDist = loads[loads.length - 1]?.dist;
  const readyMs = (dists.length > 1 ? loadSummary.byDist.find((d) => d.dist === keptDist) : undefined)?.median ?? loadSummary.all.median;
  if (LOAD_RUNS > 1) {
    printTable(
      `First floor over ${LOAD_RUNS} cold loads (ms after navigation; load average now ${loadavg().map((l) => l.toFixed(2)).join(' ')})`,
      loadSummary.byDist.map((d) => ({ dist: d.dist, runs: d.runs, median: round(d.median, 0), p95: round(d.p95, 0), min: round(d.min, 0), max: round(d.max, 0), 'median first-frame': round(d.firstFrameMedian, 0), each: d.each.map((x) => Math.round(x)).join(' ') })),
    );
  }
  if (LOAD_ONLY) {
    console.log(`\nwrote ${await writeResults('client-load', { bins, operatives: OPERATIVES, loadRuns: LOAD_RUNS, loads: loadSummary, loadAverage: { start: loadStart, end: loadavg() } })}`);
  } else if (kept !== undefined) {
    const { page, cdp, wire, errors, readyPolledMs, profile } = kept;
    // Per-frame time of our code (needs the perf-probe insertions; frames stays 0 without them).
    const instrumented = await page.evaluate(() => window.__floortwinPerf !== undefined);
    await page.waitForTimeout(3000);
    const receivedBefore = wire.received();
    observer.reset();
    driver.reset();
    const rendered = instrumented ? await measureFrames(page, RENDERED_FRAMES) : { samples: [], parts: {}, seconds: 0 };
    const frameSamples = rendered.samples;
    const parts = rendered.parts;
    const frameSeconds = rendered.seconds;
    const feed = observer.stats();
    const applied = driver.stats();
    const diffBytesPerS = (wire.received() - receivedBefore) / frameSeconds;

    // Whole animation-frame callbacks (three.js render included) over 20 s, for context.
    const animationFrames = await traceAnimationFrames(cdp, 20_000);

    const diffTiming = await page.evaluate(() => window.__floortwinPerf?.applySyntheticDiff(1000, 50) ?? null);
    const diffRuns = diffTiming?.runsMs ?? [];
    const operativesInPage = await page.evaluate(() => window.__floortwin?.operatives().length ?? 0);

    // The same page with rendering off: frames at the browser's rate, so each carries about one frame's worth of diffs.
    await page.goto(`${server.url}/?norender=1`);
    await page.waitForFunction(() => window.__floortwin?.ready === true, undefined, { timeout: 180_000, polling: 100 });
    await page.waitForTimeout(3000);
    const bare = instrumented ? await measureFrames(page, FRAMES) : { samples: [], parts: {}, seconds: 0 };
    const bareDiff = await page.evaluate(() => window.__floortwinPerf?.applySyntheticDiff(1000, 50) ?? null);
    const bareDiffRuns = bareDiff?.runsMs ?? [];
    const loadEnd = loadavg();

    const snapshotBytes = wire.snapshotBytes();
    const milestones = wire.milestones();
    const frameP95 = quantile(frameSamples, 0.95);
    const diffMedian = quantile(diffRuns, 0.5);
    const bareP95 = quantile(bare.samples, 0.95);
    const bareDiffMedian = quantile(bareDiffRuns, 0.5);
    const fmtMs = (ms: number | null): string => (ms === null ? 'n/a' : String(Math.round(ms)));
    const steps = Object.entries(profile).sort((a, b) => a[1] - b[1]);
    const verdict = (ok: boolean | null): string => (ok === null ? 'not measured' : ok ? 'met' : 'MISSED');
    const rows: Row[] = [
      { measure: 'snapshot (site:join ack) on the wire, bytes', value: snapshotBytes ?? 'n/a', target: '≤ 1,000,000', result: verdict(snapshotBytes === null ? null : snapshotBytes <= TARGETS.snapshotBytes) },
      { measure: 'layout (GET …/layout, once per page), bytes', value: wire.layoutBytes() ?? 'n/a', target: '(context)', result: '' },
      { measure: 'navigation → first floor drawn, ms', value: round(readyMs, 0), target: '≤ 3,000', result: verdict(readyMs <= TARGETS.readyMs) },
      { measure: '  without the first software-WebGL render (snapshot colours in, draw submitted: `first-frame`), ms', value: profile['first-frame'] === undefined ? 'n/a' : round(profile['first-frame'], 0), target: '(context)', result: '' },
      { measure: '  the bench saw `ready` at, ms (polled: after the next frame drew)', value: round(readyPolledMs, 0), target: '(context)', result: '' },
      { measure: '  of which: layout loaded / snapshot received at, ms', value: `${fmtMs(milestones.layoutLoadedMs)} / ${fmtMs(milestones.snapshotReceivedMs)}`, target: '(context)', result: '' },
      ...steps.map(([name, at]) => ({ measure: `  step: ${name}, ms after navigation`, value: Math.round(at), target: '(context)', result: '' })),
      { measure: `NO RENDER: our code per frame p50, ms (${bare.samples.length} frames)`, value: bare.samples.length > 0 ? round(quantile(bare.samples, 0.5), 3) : 'n/a', target: '', result: '' },
      { measure: `NO RENDER: our code per frame p95, ms (${bare.samples.length} frames)`, value: bare.samples.length > 0 ? round(bareP95, 3) : 'n/a', target: '≤ 4', result: verdict(bare.samples.length >= FRAMES ? bareP95 <= TARGETS.frameP95Ms : null) },
      { measure: 'NO RENDER: our code per frame max, ms / frames per s', value: bare.samples.length > 0 ? `${round(Math.max(...bare.samples), 3)} / ${round(bare.samples.length / bare.seconds, 1)}` : 'n/a', target: '', result: '' },
      { measure: 'NO RENDER: applyDiff of 1,000 bins, median / max of 50, ms', value: bareDiffRuns.length > 0 ? `${round(bareDiffMedian, 3)} / ${round(Math.max(...bareDiffRuns), 3)}` : 'n/a', target: '≤ 2', result: verdict(bareDiffRuns.length > 0 ? bareDiffMedian <= TARGETS.diff1000Ms : null) },
      { measure: `RENDERED: our code per frame p50, ms (${frameSamples.length} frames)`, value: frameSamples.length > 0 ? round(quantile(frameSamples, 0.5), 3) : 'n/a', target: '(context)', result: '' },
      { measure: `RENDERED: our code per frame p95, ms (${frameSamples.length} frames)`, value: frameSamples.length > 0 ? round(frameP95, 3) : 'n/a', target: '(context)', result: '' },
      { measure: 'RENDERED: our code per frame max, ms', value: frameSamples.length > 0 ? round(Math.max(...frameSamples), 3) : 'n/a', target: '', result: '' },
      { measure: 'RENDERED: applyDiff of 1,000 bins, median / max of 50, ms', value: diffRuns.length > 0 ? `${round(diffMedian, 3)} / ${round(Math.max(...diffRuns), 3)}` : 'n/a', target: '(context)', result: '' },
      { measure: 'each rAF callback p50 / p95, ms (trace; R3F frame incl. three.js)', value: `${round(quantile(animationFrames, 0.5), 1)} / ${round(quantile(animationFrames, 0.95), 1)}`, target: '(context)', result: '' },
      { measure: 'RENDERED: frames/s (software WebGL)', value: round(frameSamples.length / frameSeconds, 2), target: '(context)', result: '' },
      { measure: `positions applied by the server /s (${driver.transport}; late ticks)`, value: `${round(applied.applied / applied.seconds, 0)} (${applied.lateTicks})`, target: `${OPERATIVES * UPDATES_PER_S}`, result: '' },
      { measure: 'position updates/s on the floor stream (all operatives)', value: round(feed.operativeUpdates / feed.seconds, 0), target: `${OPERATIVES * UPDATES_PER_S}`, result: '' },
      { measure: 'operatives moving / in page', value: `${feed.distinctMoving} / ${operativesInPage}`, target: `${OPERATIVES + SHIFT_PICKERS}`, result: '' },
      { measure: 'diffs/s, bytes/s received by the page', value: `${round(feed.diffs / feed.seconds, 1)} / ${round(diffBytesPerS, 0)}`, target: '(context)', result: '' },
      { measure: 'load average 1/5/15 min (start → end)', value: `${loadStart.map((l) => l.toFixed(2)).join(' ')} → ${loadEnd.map((l) => l.toFixed(2)).join(' ')}`, target: '', result: '' },
    ];
    printTable(
      `Floor client, ${bins} bins, ${OPERATIVES} operatives at ${UPDATES_PER_S}/s over ${driver.transport} + ${SHIFT_PICKERS} demo-shift pickers, headless Chromium ${VIEWPORT.width}×${VIEWPORT.height}`,
      rows,
    );
    if (!instrumented) console.log('\nnote: window.__floortwinPerf is not installed: per-frame and applyDiff figures need the perf-probe wiring.');
    else if (frameSamples.length === 0) console.log('\nnote: no frames were measured: the perf-probe start/end calls are not in Bins.tsx / Operatives.tsx / floor-socket.ts yet.');
    if (errors.length > 0) console.log(`\npage errors: ${errors.join('; ')}`);
    console.log(
      `\nwrote ${await writeResults('client', {
        bins,
        operatives: OPERATIVES,
        positionTransport: driver.transport,
        shiftPickers: SHIFT_PICKERS,
        shiftSpeed: SHIFT_SPEED,
        viewport: VIEWPORT,
        targets: TARGETS,
        snapshotBytes,
        layoutBytes: wire.layoutBytes(),
        readyMs,
        measuredClient: keptDist,
        loads: loadSummary,
        readyPolledMs,
        milestones,
        loadProfileMs: profile,
        frames: { count: frameSamples.length, p50: quantile(frameSamples, 0.5), p95: frameP95, max: frameSamples.length > 0 ? Math.max(...frameSamples) : null, parts },
        framesNoRender: { count: bare.samples.length, p50: quantile(bare.samples, 0.5), p95: bareP95, max: bare.samples.length > 0 ? Math.max(...bare.samples) : null, perSecond: bare.samples.length / bare.seconds, parts: bare.parts },
        applyDiff1000Ms: { median: diffMedian, max: diffRuns.length > 0 ? Math.max(...diffRuns) : null, runs: diffRuns.length },
        applyDiff1000MsNoRender: { median: bareDiffMedian, max: bareDiffRuns.length > 0 ? Math.max(...bareDiffRuns) : null, runs: bareDiffRuns.length },
        positionsApplied: { ...applied, perSecond: applied.applied / applied.seconds },
        animationFrameMs: { p50: quantile(animationFrames, 0.5), p95: quantile(animationFrames, 0.95), count: animationFrames.length },
        feed: { ...feed, updatesPerSecond: feed.operativeUpdates / feed.seconds, diffBytesPerSecond: diffBytesPerS },
        loadAverage: { start: loadStart, end: loadEnd },
        pageErrors: errors,
        rows,
      })}`,
    );
  }
} finally {
  observer?.close();
  driver?.close();
  await browser?.close();
  await server?.stop();
  await rm(siteDir, { recursive: true, force: true });
}
