/**
 * The 3D floor client at scale (issue 5): a generated site with 20,000 bins and 500 operatives moving at 10 position
 * updates/s each, the real server, the built client in headless Chromium (software WebGL). Measures against targets:
 *  - snapshot bytes on the wire: the `site:join` ack frame (CDP `Network.webSocketFrameReceived`) ≤ 1 MB;
 *    the layout (`GET /api/sites/:id/layout`, fetched once per page) is reported too;
 *  - navigation → `window.__floortwin.ready` (first floor drawn) ≤ 3 s;
 *  - main-thread time of OUR per-frame code (client/src/perf-probe.ts: diff application + the bins / operatives
 *    `useFrame` callbacks), p50 / p95 over ≥ 300 frames, p95 ≤ 4 ms (GPU / raster work excluded);
 *  - `store.applyDiff` of a 1,000-bin diff in the page (`__floortwinPerf.applySyntheticDiff`) ≤ 2 ms.
 * Context (not targets): the whole animation-frame callback time from a Chrome trace (three.js render submission
 * included), frames/s, the measured position-update rate, diff bytes/s.
 *
 * Positions: there is no network API to send `updatePosition` (only the in-process SiteRunner), so the server's demo
 * shift drives 500 pickers (SHIFT_PICKERS=500); it reports each walking picker every 500 ms of twin time, so
 * SHIFT_SPEED=5 gives 10 updates/s per walking picker. The rate actually delivered is measured by a Node observer.
 *
 * Run: `npm run bench -- client` (builds the client first). Env: CLIENT_FRAMES (default 300), BENCH_CLIENT_DIST (serve
 * this built client instead of client/dist, e.g. an instrumented copy), BENCH_SKIP_BUILD=1. Writes bench/results/client.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type CDPSession, type Page } from 'playwright-core';
import { io } from 'socket.io-client';
import * as msgpackParser from 'socket.io-msgpack-parser';
import { launchChromium } from '../client/e2e/browser-kit.ts';
// Brings in the types of window.__floortwin and window.__floortwinPerf.
import type {} from '../client/src/test-hooks.ts';
import type {} from '../client/src/perf-probe.ts';
import { PROTOCOL_VERSION, type FloorDiff } from '../server/protocol/floor.ts';
import type { JoinResult } from '../server/protocol/socket.ts';
import { startServerProcess, uniqueSchema, type ServerProcess } from '../server/testing/server-process.ts';
import { formatCatalogue, formatStockCsv } from '../server/twin/catalogue/catalogue.ts';
import { generateSite, siteLayoutDocument, type SiteParams } from '../server/twin/layout/generator.ts';
import { benchRoot, printTable, writeResults, type Row } from './bench-util.ts';

const FRAMES = Number(process.env['CLIENT_FRAMES'] ?? 300);
const PICKERS = 500;
const SHIFT_SPEED = 5;
const VIEWPORT = { width: 960, height: 600 };
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

async function observeFloor(url: string, siteId: string): Promise<Observer> {
  const socket = io(url, { path: '/socket.io', parser: msgpackParser, transports: ['websocket'] });
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
  cdp.on('Network.responseReceived', ({ requestId, response }) => {
    if (/\/api\/sites\/[^/]+\/layout$/.test(new URL(response.url).pathname)) layoutRequest = requestId;
  });
  cdp.on('Network.loadingFinished', ({ requestId, encodedDataLength, timestamp }) => {
    if (requestId !== layoutRequest) return;
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
const dist = process.env['BENCH_CLIENT_DIST'];
if (dist === undefined && process.env['BENCH_SKIP_BUILD'] !== '1') {
  console.log('building the client (npm run build:client)…');
  const build = spawnSync('npm', ['run', 'build:client'], { cwd: benchRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) throw new Error('client build failed');
}

const siteDir = await mkdtemp(path.join(tmpdir(), 'floortwin-client-bench-'));
let server: ServerProcess | undefined;
let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
let observer: Observer | undefined;
try {
  const { siteFile, bins } = await writeSite(siteDir);
  console.log(`site: ${bins} bins in ${siteDir}; starting the server with ${PICKERS} demo-shift pickers…`);
  const serverStarted = performance.now();
  server = await startServerProcess(
    {
      DB_SCHEMA: uniqueSchema('bench_client'),
      SITE_FILE: siteFile,
      DEMO_SHIFT: 'on',
      SHIFT_PICKERS: String(PICKERS),
      SHIFT_SPEED: String(SHIFT_SPEED),
      SHIFT_ORDERS_PER_HOUR: '20000',
    },
    300_000,
  );
  console.log(`server ready in ${Math.round(performance.now() - serverStarted)} ms at ${server.url}`);
  observer = await observeFloor(server.url, SITE_PARAMS.id);

  // Let the shift get its pickers walking before the page loads.
  const warmUntil = performance.now() + Number(process.env['CLIENT_WARM_S'] ?? 90) * 1000;
  while (performance.now() < warmUntil && observer.stats().walking < PICKERS * 0.6) await new Promise((r) => setTimeout(r, 1000));
  const warm = observer.stats();
  console.log(`shift warmed for ${Math.round(warm.seconds)} s: ${warm.walking} walking, ${Math.round(warm.operativeUpdates / warm.seconds)} position updates/s`);
  observer.reset();

  // A page whose document is served by `page.route` counts as public to Chromium, which then blocks its WebSocket to
  // 127.0.0.1 (ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS): only then, turn that check off.
  browser =
    dist === undefined
      ? await launchChromium()
      : await chromium.launch({
          executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
          args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-features=LocalNetworkAccessChecks'],
        });
  const page = await browser.newPage({ viewport: VIEWPORT });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  if (dist !== undefined) await serveClientFrom(page, dist);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const wire = watchWire(cdp);

  await page.goto(server.url);
  const readyHandle = await page
    .waitForFunction(() => (window.__floortwin?.ready === true ? performance.now() : false), undefined, { timeout: 180_000, polling: 20 })
    .catch(async (error: unknown) => {
      const state = await page.evaluate(() => ({ hooks: window.__floortwin === undefined ? null : { ready: window.__floortwin.ready, bins: window.__floortwin.bins, seq: window.__floortwin.seq }, text: document.body.innerText.slice(0, 400) }));
      await mkdir(path.join(benchRoot, 'test-output'), { recursive: true });
      await page.screenshot({ path: path.join(benchRoot, 'test-output', 'client-bench-not-ready.png') }).catch(() => undefined);
      throw new Error(`floor not ready: ${JSON.stringify(state)}; page errors: ${errors.join('; ')}; console: ${consoleErrors.join('; ')}`, { cause: error });
    });
  const readyMs = (await readyHandle.jsonValue()) as number;

  // Per-frame time of our code (needs the perf-probe insertions; frames stays 0 without them).
  const instrumented = await page.evaluate(() => window.__floortwinPerf !== undefined);
  await page.waitForTimeout(3000);
  await page.evaluate(() => window.__floortwinPerf?.reset());
  const receivedBefore = wire.received();
  observer.reset();
  const framesStarted = performance.now();
  let frameSamples: number[] = [];
  let parts: Record<string, { ms: number; calls: number }> = {};
  if (instrumented) {
    await page
      .waitForFunction((n) => (window.__floortwinPerf?.frames ?? 0) >= n, FRAMES, { timeout: 600_000, polling: 1000 })
      .catch(() => undefined);
    frameSamples = await page.evaluate(() => window.__floortwinPerf?.samples() ?? []);
    parts = await page.evaluate(() => window.__floortwinPerf?.parts() ?? {});
  }
  const frameSeconds = (performance.now() - framesStarted) / 1000;
  const feed = observer.stats();
  const diffBytesPerS = (wire.received() - receivedBefore) / frameSeconds;

  // Whole animation-frame callbacks (three.js render included) over 20 s, for context.
  const animationFrames = await traceAnimationFrames(cdp, 20_000);

  const diffTiming = await page.evaluate(() => window.__floortwinPerf?.applySyntheticDiff(1000, 50) ?? null);
  const diffRuns = diffTiming?.runsMs ?? [];
  const operativesInPage = await page.evaluate(() => window.__floortwin?.operatives().length ?? 0);
  const loadEnd = loadavg();

  const snapshotBytes = wire.snapshotBytes();
  const milestones = wire.milestones();
  const fmtMs = (ms: number | null): string => (ms === null ? 'n/a' : String(Math.round(ms)));
  const frameP95 = quantile(frameSamples, 0.95);
  const diffMedian = quantile(diffRuns, 0.5);
  const verdict = (ok: boolean | null): string => (ok === null ? 'not measured' : ok ? 'met' : 'MISSED');
  const rows: Row[] = [
    { measure: 'snapshot (site:join ack) on the wire, bytes', value: snapshotBytes ?? 'n/a', target: '≤ 1,000,000', result: verdict(snapshotBytes === null ? null : snapshotBytes <= TARGETS.snapshotBytes) },
    { measure: 'layout (GET …/layout, once per page), bytes', value: wire.layoutBytes() ?? 'n/a', target: '(context)', result: '' },
    { measure: 'navigation → first floor drawn, ms', value: round(readyMs, 0), target: '≤ 3,000', result: verdict(readyMs <= TARGETS.readyMs) },
    { measure: '  of which: layout loaded / snapshot received at, ms', value: `${fmtMs(milestones.layoutLoadedMs)} / ${fmtMs(milestones.snapshotReceivedMs)}`, target: '(context)', result: '' },
    { measure: `our code per frame p50, ms (${frameSamples.length} frames)`, value: frameSamples.length > 0 ? round(quantile(frameSamples, 0.5), 3) : 'n/a', target: '', result: '' },
    { measure: `our code per frame p95, ms (${frameSamples.length} frames)`, value: frameSamples.length > 0 ? round(frameP95, 3) : 'n/a', target: '≤ 4', result: verdict(frameSamples.length >= FRAMES ? frameP95 <= TARGETS.frameP95Ms : null) },
    { measure: 'our code per frame max, ms', value: frameSamples.length > 0 ? round(Math.max(...frameSamples), 3) : 'n/a', target: '', result: '' },
    { measure: 'applyDiff of 1,000 bins, median of 50, ms', value: diffRuns.length > 0 ? round(diffMedian, 3) : 'n/a', target: '≤ 2', result: verdict(diffRuns.length > 0 ? diffMedian <= TARGETS.diff1000Ms : null) },
    { measure: 'applyDiff of 1,000 bins, max of 50, ms', value: diffRuns.length > 0 ? round(Math.max(...diffRuns), 3) : 'n/a', target: '', result: '' },
    { measure: 'each rAF callback p50 / p95, ms (trace; R3F frame incl. three.js)', value: `${round(quantile(animationFrames, 0.5), 1)} / ${round(quantile(animationFrames, 0.95), 1)}`, target: '(context)', result: '' },
    { measure: 'frames/s (software WebGL)', value: round(frameSamples.length / frameSeconds, 2), target: '(context)', result: '' },
    { measure: 'position updates/s received (all operatives)', value: round(feed.operativeUpdates / feed.seconds, 0), target: `${PICKERS * 10}`, result: '' },
    { measure: 'operatives moving / walking now / in page', value: `${feed.distinctMoving} / ${feed.walking} / ${operativesInPage}`, target: `${PICKERS}`, result: '' },
    { measure: 'diffs/s, bytes/s received by the page', value: `${round(feed.diffs / feed.seconds, 1)} / ${round(diffBytesPerS, 0)}`, target: '(context)', result: '' },
    { measure: 'load average 1/5/15 min (start → end)', value: `${loadStart.map((l) => l.toFixed(2)).join(' ')} → ${loadEnd.map((l) => l.toFixed(2)).join(' ')}`, target: '', result: '' },
  ];
  printTable(`Floor client, ${bins} bins, ${PICKERS} demo-shift pickers at SHIFT_SPEED=${SHIFT_SPEED}, headless Chromium ${VIEWPORT.width}×${VIEWPORT.height}`, rows);
  if (!instrumented) console.log('\nnote: window.__floortwinPerf is not installed: per-frame and applyDiff figures need the perf-probe wiring.');
  else if (frameSamples.length === 0) console.log('\nnote: no frames were measured: the perf-probe start/end calls are not in Bins.tsx / Operatives.tsx / floor-socket.ts yet.');
  if (errors.length > 0) console.log(`\npage errors: ${errors.join('; ')}`);
  console.log(
    `\nwrote ${await writeResults('client', {
      bins,
      pickers: PICKERS,
      shiftSpeed: SHIFT_SPEED,
      viewport: VIEWPORT,
      targets: TARGETS,
      snapshotBytes,
      layoutBytes: wire.layoutBytes(),
      readyMs,
      milestones,
      frames: { count: frameSamples.length, p50: quantile(frameSamples, 0.5), p95: frameP95, max: frameSamples.length > 0 ? Math.max(...frameSamples) : null, parts },
      applyDiff1000Ms: { median: diffMedian, max: diffRuns.length > 0 ? Math.max(...diffRuns) : null, runs: diffRuns.length },
      animationFrameMs: { p50: quantile(animationFrames, 0.5), p95: quantile(animationFrames, 0.95), count: animationFrames.length },
      feed: { ...feed, updatesPerSecond: feed.operativeUpdates / feed.seconds, diffBytesPerSecond: diffBytesPerS },
      loadAverage: { start: loadStart, end: loadEnd },
      pageErrors: errors,
      rows,
    })}`,
  );
} finally {
  observer?.close();
  await browser?.close();
  await server?.stop();
  await rm(siteDir, { recursive: true, force: true });
}
