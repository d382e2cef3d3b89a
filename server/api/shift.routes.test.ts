import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaledClock } from '../site/clock.ts';
import { startShiftDriver, type ShiftDriver } from '../site/shift-driver.ts';
import { loadSiteFiles } from '../site/site-loader.ts';
import { SiteRunner } from '../site/site-runner.ts';
import { MemoryEventStore } from '../store/event-store.memory.ts';
import { siteRegistry } from './sites.ts';
import { shiftRouter, type ShiftControl } from './shift.routes.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('the planner’s shift control', () => {
  let base: string;
  let driver: ShiftDriver;
  let runner: SiteRunner;
  let close: () => void;
  const clock = scaledClock(1);

  beforeAll(async () => {
    const { site, initialStock } = await loadSiteFiles(path.join(root, 'data/sites/demo.json'));
    const store = new MemoryEventStore();
    await store.ensureSite(site.id, site);
    runner = await SiteRunner.open({ site, store, clock });
    await Promise.all(initialStock.slice(0, 500).map((c) => runner.submit(c)));
    driver = startShiftDriver(runner, { pickers: 2, ordersPerHour: 600, seed: 1, clock });
    const shifts = new Map<string, ShiftControl>([[site.id, { clock, driver, pickers: 2, ordersPerHour: 600, startedAt: clock.now() }]]);
    const app = express().use(express.json()).use(shiftRouter(siteRegistry([runner]), shifts));
    const server = createServer(app).listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/sites`;
    close = () => server.close();
  });

  afterAll(async () => {
    driver?.stop();
    close?.();
    await runner?.close();
  });

  it('reports the shift, changes its speed within 1–100x, and says when a site has none', async () => {
    const first = (await (await fetch(`${base}/demo/shift`)).json()) as { speed: number; pickers: number; results: { ordersCreated: number } };
    expect(first).toMatchObject({ speed: 1, pickers: 2 });
    const faster = await fetch(`${base}/demo/shift`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ speed: 60 }) });
    expect(faster.status).toBe(200);
    expect(clock.speed).toBe(60);
    const tooFast = await fetch(`${base}/demo/shift`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ speed: 1000 }) });
    expect(tooFast.status).toBe(400);
    expect(clock.speed).toBe(60);
    expect((await fetch(`${base}/nowhere/shift`)).status).toBe(404);
  });
});
