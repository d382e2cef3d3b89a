/**
 * What-if from the live floor on Postgres and the real simulation pool: the fork never touches the live twin, bad
 * bodies start nothing, more orders arrive in a +40 % what-if than in its baseline, and the snapshot downloads.
 */
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulationPool, type SimulationJob, type SimulationPool } from '../../simulations/experiments/pool.ts';
import { loadScenarioFile } from '../../simulations/io/scenario-files.ts';
import type { SimulationKpis } from '../../simulations/model/result.ts';
import type { FloorDiff, FloorSnapshot } from '../protocol/floor.ts';
import { SCENARIO_DEFAULTS } from '../../simulations/scenario/defaults.ts';
import { startApiOnPostgres, type ApiOnPostgres } from '../testing/api-on-postgres.ts';
import type { Command } from '../twin/commands.ts';
import { layoutView } from '../twin/floor-view.ts';
import { asOperativeId, asOrderId } from '../twin/ids.ts';
import { snapshotJson } from '../twin/twin.ts';
import { createApp } from './app.ts';
import { siteRegistry } from './sites.ts';
import { snapshotRouter } from './snapshot.routes.ts';
import { whatIfRouter, type WhatIfRouterDeps } from './what-if.routes.ts';
import { SITE_MANAGER, fixedPrincipal } from '../testing/principals.ts';

interface WhatIfBody {
  readonly id: string;
  readonly status: 'running' | 'done' | 'failed';
  readonly request: { readonly pickersNow: number; readonly pickers: number; readonly linesPerHour: number; readonly seed: number; readonly startAt: string };
  readonly baseline?: SimulationKpis;
  readonly result?: SimulationKpis;
  readonly error?: string;
}

interface Playback {
  readonly siteId: string;
  readonly scenario: string;
  readonly from: string;
  readonly to: string;
  readonly stepMs: number;
  readonly snapshot: FloorSnapshot;
  readonly frames: readonly FloorDiff[];
}

describe('what-if routes on Postgres', () => {
  let api: ApiOnPostgres;
  let pool: SimulationPool;
  const servers: Server[] = [];
  /** Every job the routers handed to the pool. */
  const jobs: SimulationJob[] = [];

  /** Serves the snapshot and what-if routers on the demo site's runner; returns `…/api/sites`. */
  const serve = async (options: Partial<WhatIfRouterDeps> = {}): Promise<string> => {
    const sites = siteRegistry([api.runner]);
    const counted: WhatIfRouterDeps['pool'] = {
      run: (job) => {
        jobs.push(job);
        return (options.pool ?? pool).run(job);
      },
    };
    const app = createApp({
      authenticator: fixedPrincipal(SITE_MANAGER),
      sites,
      isReady: () => true,
      layoutOf: () => layoutView(api.site),
      routers: [snapshotRouter({ sites }), whatIfRouter({ ...options, sites, pool: counted })],
    });
    const server = createServer(app);
    servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/sites`;
  };

  const post = (url: string, body: unknown): Promise<Response> =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  const settled = async (url: string): Promise<WhatIfBody> => {
    for (;;) {
      const body = (await (await fetch(url)).json()) as WhatIfBody;
      if (body.status !== 'running') return body;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };

  const submit = async (command: Command): Promise<void> => {
    const result = await api.runner.submit(command);
    expect(result.ok, JSON.stringify(result)).toBe(true);
  };

  beforeAll(async () => {
    api = await startApiOnPostgres('what_if');
    pool = createSimulationPool({ threads: 1 });
    // A live floor in miniature: 20 stocked SKUs of one client, 4 pickers signed on, 40 allocated orders this hour.
    const tenantId = api.site.tenants[0]!.id;
    const skus = api.site.skus.filter((s) => s.tenantId === tenantId && !s.lotTracked).slice(0, 20);
    const locations = api.site.layout.locations;
    for (const [i, sku] of skus.entries()) {
      const location = locations[i * 37]!;
      await submit({ type: 'receiveStock', tenantId, locationId: location.id, skuId: sku.id, qty: Math.min(200, location.capacityUnits) });
    }
    for (const n of [1, 2, 3, 4]) await submit({ type: 'signOn', operativeId: asOperativeId(`P${n}`), name: `Picker ${n}` });
    for (let n = 0; n < 40; n++) {
      const orderId = asOrderId(`WI-${n}`);
      const lines = [0, 1, 2].slice(0, 1 + (n % 3)).map((k) => ({ skuId: skus[(n + k * 7) % skus.length]!.id, qty: 1 + (n % 2) }));
      await submit({ type: 'createOrder', orderId, tenantId, lines });
      await submit({ type: 'allocateOrder', orderId });
    }
  }, 60_000);

  afterAll(async () => {
    for (const server of servers) server.close();
    await pool?.close();
    await api?.close();
  });

  it('downloads the live snapshot with its site and seq', async () => {
    const sites = await serve();
    const res = await fetch(`${sites}/demo/snapshot`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="demo-snapshot-${api.runner.twin.seq}.json"`);
    const body = (await res.json()) as { siteId: string; seq: number; orders: unknown[]; operatives: unknown[] };
    expect({ siteId: body.siteId, seq: body.seq, orders: body.orders.length, operatives: body.operatives.length }).toEqual({
      siteId: 'demo',
      seq: api.runner.twin.seq,
      orders: 40,
      operatives: 4,
    });
    // The rest of the document is the snapshot itself.
    const { siteId, ...snapshot } = body;
    expect(siteId).toBe('demo');
    expect(JSON.stringify(snapshot)).toBe(snapshotJson(api.runner.twin));

    // A scenario file starts from the downloaded file as it is.
    const root = await mkdtemp(path.join(tmpdir(), 'what-if-'));
    await writeFile(path.join(root, 'live.json'), JSON.stringify(body));
    const scenario = { ...SCENARIO_DEFAULTS, site: { kind: 'demo' }, start: { kind: 'snapshot', path: 'live.json' } };
    await writeFile(path.join(root, 'scenario.json'), JSON.stringify(scenario));
    const resolved = await loadScenarioFile(path.join(root, 'scenario.json'), { root });
    expect({ seq: resolved.state.seq, orders: resolved.state.orders.size }).toEqual({ seq: api.runner.twin.seq, orders: 40 });
    await rm(root, { recursive: true });
  });

  it('answers 404 for an unknown site or what-if, and 400 naming the bad field without starting a run', async () => {
    const sites = await serve();
    expect((await fetch(`${sites}/nowhere/snapshot`)).status).toBe(404);
    const unknownSite = await post(`${sites}/nowhere/what-if`, {});
    expect(unknownSite.status).toBe(404);
    expect(((await unknownSite.json()) as { error: { code: string } }).error.code).toBe('UNKNOWN_SITE');
    expect((await fetch(`${sites}/demo/what-if/no-such-run`)).status).toBe(404);

    const before = jobs.length;
    for (const [body, field] of [
      [{ hours: 30 }, 'hours'],
      [{ hours: 0.1 }, 'hours'],
      [{ pickerDelta: 1.5 }, 'pickerDelta'],
      [{ orderMultiplier: -1 }, 'orderMultiplier'],
      [{ routing: 'zigzag' }, 'routing'],
      [{ orderMultipler: 1.4 }, 'orderMultipler'],
    ] as const) {
      const res = await post(`${sites}/demo/what-if`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const error = ((await res.json()) as { error: { code: string; message: string } }).error;
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.message).toContain(field);
    }
    expect(jobs.length).toBe(before);
  });

  it('forks the floor without touching it: +40 % orders and 2 pickers fewer against the baseline', async () => {
    const sites = await serve();
    const live = snapshotJson(api.runner.twin);
    const res = await post(`${sites}/demo/what-if`, { orderMultiplier: 1.4, pickerDelta: -2, hours: 2, seed: 42 });
    expect(res.status).toBe(202);
    const { id, status } = (await res.json()) as { id: string; status: string };
    expect(status).toBe('running');
    expect(res.headers.get('location')).toBe(`/api/sites/demo/what-if/${id}`);

    const done = await settled(`${sites}/demo/what-if/${id}`);
    expect(done.error).toBeUndefined();
    expect(done.status).toBe('done');
    expect(done.request).toMatchObject({ pickersNow: 4, pickers: 2, seed: 42 });
    expect(done.request.linesPerHour).toBe(79);
    const { baseline, result } = done;
    if (!baseline || !result) throw new Error('no results');
    expect(result.ordersArrived).toBeGreaterThan(baseline.ordersArrived);
    expect(baseline.ordersArrived).toBeGreaterThan(0);
    // The live twin is byte for byte what it was.
    expect(snapshotJson(api.runner.twin)).toBe(live);

    const report = await fetch(`${sites}/demo/what-if/${id}/report`);
    expect(report.status).toBe(200);
    expect(report.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await report.text()).toMatch(/^<!doctype html>/i);
    const comparison = await fetch(`${sites}/demo/what-if/${id}/report?run=comparison`);
    expect(await comparison.text()).toContain('what-if baseline');

    // [M13] The what-if run's first hour, as the replay player reads it: the fork's floor, then a frame every 6 s.
    const playback = await fetch(`${sites}/demo/what-if/${id}/playback`);
    expect(playback.status).toBe(200);
    const watched = (await playback.json()) as Playback;
    const from = Date.parse(watched.from);
    expect({ siteId: watched.siteId, to: Date.parse(watched.to) - from, stepMs: watched.stepMs, frames: watched.frames.length }).toEqual({
      siteId: 'demo',
      to: 3_600_000,
      stepMs: 6000,
      frames: 600,
    });
    expect(watched.scenario).toMatch(/^what-if \(demo @\d+\)$/);
    expect(from).toBe(Date.parse(done.request.startAt));
    expect(watched.snapshot.fill).toHaveLength(api.site.layout.locations.length);
    // The 2 pickers left walk and pick: figures move and bins empty.
    expect(watched.snapshot.operatives).toHaveLength(2);
    expect(watched.frames.some((f) => f.operatives.some((o) => o.activity === 'walking'))).toBe(true);
    expect(watched.frames.some((f) => f.fill.length > 0)).toBe(true);
    expect(watched.frames.at(-1)?.at).toBe(from + 3_600_000);
  }, 120_000);

  it('answers 404 for the playback of an unknown what-if, or one run without watch', async () => {
    const sites = await serve();
    const unknown = await fetch(`${sites}/demo/what-if/no-such-run/playback`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('UNKNOWN_WHAT_IF');
    const res = await post(`${sites}/demo/what-if`, { hours: 0.5, watch: false });
    const { id } = (await res.json()) as { id: string };
    expect((await settled(`${sites}/demo/what-if/${id}`)).status).toBe('done');
    expect(jobs.at(-1)?.record).toBeUndefined();
    const none = await fetch(`${sites}/demo/what-if/${id}/playback`);
    expect(none.status).toBe(404);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('NO_PLAYBACK');
  }, 120_000);

  it('reports a run the pool refused as failed, with the reason', async () => {
    const closed = createSimulationPool({ threads: 1 });
    await closed.close();
    const sites = await serve({ pool: closed });
    const { id } = (await (await post(`${sites}/demo/what-if`, { hours: 0.5 })).json()) as { id: string };
    const failed = await settled(`${sites}/demo/what-if/${id}`);
    expect(failed).toMatchObject({ status: 'failed', error: 'the simulation pool is closed' });
    expect(failed.result).toBeUndefined();
    expect((await fetch(`${sites}/demo/what-if/${id}/report`)).status).toBe(409);
  });

  it('runs at most maxRunning at once (429 with Retry-After) and keeps only the latest runs', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const sites = await serve({ maxRunning: 1, maxRuns: 1, pool: { run: async (job) => gate.then(() => pool.run(job)) } });
    const first = (await (await post(`${sites}/demo/what-if`, { hours: 0.5 })).json()) as { id: string };
    const refused = await post(`${sites}/demo/what-if`, { hours: 0.5 });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).not.toBeNull();
    // While it runs the first is kept, even past maxRuns.
    expect(((await (await fetch(`${sites}/demo/what-if/${first.id}`)).json()) as WhatIfBody).status).toBe('running');
    const notYet = await fetch(`${sites}/demo/what-if/${first.id}/report`);
    expect(notYet.status).toBe(409);
    const noPlaybackYet = await fetch(`${sites}/demo/what-if/${first.id}/playback`);
    expect(noPlaybackYet.status).toBe(409);
    expect(((await noPlaybackYet.json()) as { error: { code: string } }).error.code).toBe('NOT_READY');
    open();
    expect((await settled(`${sites}/demo/what-if/${first.id}`)).status).toBe('done');

    const second = await post(`${sites}/demo/what-if`, { hours: 0.5 });
    expect(second.status).toBe(202);
    const { id } = (await second.json()) as { id: string };
    expect((await fetch(`${sites}/demo/what-if/${first.id}`)).status).toBe(404);
    expect((await settled(`${sites}/demo/what-if/${id}`)).status).toBe('done');
  }, 120_000);
});
