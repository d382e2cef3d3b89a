/** Time travel over HTTP against a real Postgres: the log's span, a replayed window, the errors at the edge, and the cost. */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FloorDiff, FloorSnapshot } from '../protocol/floor.ts';
import { replayFloor } from '../site/replay.ts';
import { syntheticHistory } from '../store/synthetic-history.ts';
import { startApiOnPostgres, type ApiOnPostgres } from '../testing/api-on-postgres.ts';
import { floorSnapshot, layoutView } from '../twin/floor-view.ts';
import { asSiteId } from '../twin/ids.ts';
import { createApp } from './app.ts';
import { replayRouter } from './replay.routes.ts';
import { siteRegistry } from './sites.ts';
import { SITE_MANAGER, fixedPrincipal } from '../testing/principals.ts';

interface ReplayBody {
  readonly from: string;
  readonly to: string;
  readonly stepMs: number;
  readonly snapshot: FloorSnapshot;
  readonly frames: FloorDiff[];
}

describe('time travel over HTTP on Postgres', () => {
  let api: ApiOnPostgres;
  let server: Server;
  let base: string;
  /** Twin times of the receipts, epoch ms. */
  const receivedAt: number[] = [];

  beforeAll(async () => {
    api = await startApiOnPostgres('replay');
    const sites = siteRegistry([api.runner]);
    const app = createApp({ authenticator: fixedPrincipal(SITE_MANAGER), sites, isReady: () => true, layoutOf: () => layoutView(api.site), routers: [replayRouter(sites, { store: api.store })] });
    server = createServer(app);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/sites/${api.site.id}`;

    // Six receipts into six bins, one second of twin time apart (the harness clock ticks a second per reading).
    const sku = api.site.skus[0]!;
    for (const location of api.site.layout.locations.slice(0, 6)) {
      const result = await api.runner.submit({ type: 'receiveStock', tenantId: sku.tenantId, locationId: location.id, skuId: sku.id, qty: 1 });
      if (!result.ok) throw new Error(`receiveStock refused: ${JSON.stringify(result)}`);
      receivedAt.push(api.runner.twin.now);
    }
  });

  afterAll(async () => {
    server?.close();
    await api?.close();
  });

  const errorOf = async (response: Response) => ({ status: response.status, code: ((await response.json()) as { error: { code: string } }).error.code });
  const iso = (ms: number) => new Date(ms).toISOString();

  it('answers the span of the log: first and last event time, last seq', async () => {
    const response = await fetch(`${base}/history-range`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ siteId: api.site.id, firstAt: iso(receivedAt[0]!), lastAt: iso(receivedAt[5]!), lastSeq: 6 });
  });

  it('replays a past window: the floor at `from`, then one diff per step with the bins that changed', async () => {
    const from = receivedAt[1]! + 500;
    const to = receivedAt[4]! + 500;
    const response = await fetch(`${base}/replay?from=${iso(from)}&to=${iso(to)}&stepMs=1000`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as ReplayBody;
    expect(body).toMatchObject({ from: iso(from), to: iso(to), stepMs: 1000 });
    expect(body.snapshot).toMatchObject({ seq: 2, at: from });
    const binsAtFrom = body.snapshot.fill.slice(0, 6).map((f) => f > 0);
    expect(binsAtFrom).toEqual([true, true, false, false, false, false]);
    expect(body.frames.map((f) => [f.fromSeq, f.toSeq])).toEqual([[2, 3], [3, 4], [4, 5]]);
    expect(body.frames.map((f) => f.fill[0])).toEqual([2, 3, 4]);
    // The live twin has moved on; the replay stayed in the past.
    expect(api.runner.twin.seq).toBe(6);
    expect(floorSnapshot(api.runner.twin).seq).toBe(6);
  });

  it('defaults stepMs to 10 s and answers 400 for a bad window, 404 for an unknown site', async () => {
    const from = receivedAt[0]!;
    const ok = (await (await fetch(`${base}/replay?from=${iso(from)}&to=${iso(from + 60_000)}`)).json()) as ReplayBody;
    expect(ok.stepMs).toBe(10_000);
    expect(ok.frames).toHaveLength(6);

    expect(await errorOf(await fetch(`${base}/replay?from=${iso(from)}&to=${iso(from)}`))).toEqual({ status: 400, code: 'INVALID_WINDOW' });
    expect(await errorOf(await fetch(`${base}/replay?from=${iso(from)}&to=${iso(from + 25 * 3_600_000)}&stepMs=600000`))).toEqual({ status: 400, code: 'INVALID_WINDOW' });
    expect(await errorOf(await fetch(`${base}/replay?from=${iso(from)}&to=${iso(from + 3_600_000)}&stepMs=1000`))).toEqual({ status: 400, code: 'INVALID_WINDOW' });
    expect(await errorOf(await fetch(`${base}/replay?from=yesterday&to=${iso(from)}`))).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(await errorOf(await fetch(`${base}/replay?to=${iso(from)}`))).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(await errorOf(await fetch(`${base}/replay?from=${iso(from)}&to=${iso(from + 60_000)}&stepMs=abc`))).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(await errorOf(await fetch(`${base.replace(/demo$/, 'nowhere')}/replay?from=${iso(from)}&to=${iso(from + 60_000)}`))).toEqual({ status: 404, code: 'UNKNOWN_SITE' });
  });

  it('rebuilds from a long log in pages (cost reported)', async () => {
    const site = { ...api.site, id: asSiteId('replay-bench') };
    await api.store.ensureSite(site.id, {});
    const startMs = Date.UTC(2026, 0, 5, 8);
    const events = syntheticHistory({ orders: 4_000, startMs });
    for (let i = 0; i < events.length; i += 5_000) await api.store.append(site.id, i, events.slice(i, i + 5_000));
    const lastAt = events.at(-1)!.at;
    const { replay, stats } = await replayFloor(api.store, site, { from: lastAt - 60_000, to: lastAt, stepMs: 10_000 });
    expect(stats.eventsApplied).toBe(events.length);
    expect(replay.frames.at(-1)?.toSeq).toBe(events.length);
    const perSecond = Math.round(stats.eventsApplied / (stats.elapsedMs / 1000));
    console.log(`replay rebuild: ${stats.eventsApplied} events from Postgres in ${Math.round(stats.elapsedMs)} ms = ${perSecond} events/s`);
    expect(perSecond).toBeGreaterThan(5_000);
  });
});
