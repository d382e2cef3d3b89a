/**
 * The slotting planner on Postgres and the real simulation pool: a plan from the live site's stock and order history
 * (the live twin untouched), bad requests start nothing, too little history is refused, the plan is checked by the
 * simulator, and released moves are real stock moves in the ledger.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulationPool, type SimulationPool } from '../../simulations/experiments/pool.ts';
import { slottingReport } from '../../solver/slotting/slot-report.ts';
import { startApiOnPostgres, type ApiOnPostgres } from '../testing/api-on-postgres.ts';
import type { Command } from '../twin/commands.ts';
import { layoutView } from '../twin/floor-view.ts';
import { asOrderId, type LocationId } from '../twin/ids.ts';
import { snapshotJson } from '../twin/twin.ts';
import { createApp } from './app.ts';
import { siteRegistry } from './sites.ts';
import { slottingRouter, type SlottingRouterDeps } from './slotting.routes.ts';
import { SITE_MANAGER, fixedPrincipal } from '../testing/principals.ts';

interface MoveView {
  readonly kind: 'relocate' | 'swap';
  readonly sku: string;
  readonly from: LocationId;
  readonly to: LocationId;
  readonly saving: number;
  readonly savingPerOrderM: number;
}
interface Walk {
  readonly metresPerLine: number | null;
  readonly linesPicked: number;
}
interface RunBody {
  readonly status: 'running' | 'done' | 'failed';
  readonly request: { readonly orders: number; readonly moves: number };
  readonly distancePerOrder?: { readonly before: number; readonly after: number };
  readonly moves?: readonly MoveView[];
  readonly error?: string;
  readonly verification?: {
    readonly status: 'running' | 'done' | 'failed';
    readonly movesApplied: number;
    readonly movesSkipped: readonly unknown[];
    readonly before?: Walk;
    readonly after?: Walk;
    readonly predictedSaving: number | null;
    readonly simulatedSaving: number | null;
    readonly error?: string;
  };
}
interface ReleaseBody {
  readonly kind: string;
  readonly applied: readonly { index: number; sku: string; from: LocationId; to: LocationId; stockMoves: number; tasks: readonly string[] }[];
  readonly skipped: readonly { index: number; code: string }[];
  readonly stopped: unknown;
  readonly released: number;
}

const ORDERS = 60;

describe('slotting routes on Postgres', () => {
  let api: ApiOnPostgres;
  let pool: SimulationPool;
  const servers: Server[] = [];
  let slottingCalls = 0;

  const serve = async (options: Partial<SlottingRouterDeps> = {}): Promise<string> => {
    const sites = siteRegistry([api.runner]);
    const runSlotting: SlottingRouterDeps['runSlotting'] = (input, o) => {
      slottingCalls++;
      return Promise.resolve(slottingReport(input, o));
    };
    const app = createApp({
      authenticator: fixedPrincipal(SITE_MANAGER),
      sites,
      isReady: () => true,
      layoutOf: () => layoutView(api.site),
      routers: [slottingRouter({ runSlotting, pool, ...options, sites })],
    });
    const server = createServer(app);
    servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/sites`;
  };

  const post = (url: string, body: unknown): Promise<Response> =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  const poll = async (url: string, settled: (body: RunBody) => boolean): Promise<RunBody> => {
    for (;;) {
      const body = (await (await fetch(url)).json()) as RunBody;
      if (settled(body)) return body;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };

  const submit = async (command: Command): Promise<void> => {
    const result = await api.runner.submit(command);
    expect(result.ok, JSON.stringify(result)).toBe(true);
  };

  beforeAll(async () => {
    api = await startApiOnPostgres('slotting');
    pool = createSimulationPool({ threads: 1 });
    // 30 SKUs of one client spread over the floor; 60 orders that favour a few of them (a skewed history).
    const tenantId = api.site.tenants[0]!.id;
    const skus = api.site.skus.filter((s) => s.tenantId === tenantId && !s.lotTracked).slice(0, 30);
    const locations = api.site.layout.locations;
    for (const [i, sku] of skus.entries()) {
      const location = locations[(i * 263) % locations.length]!;
      await submit({ type: 'receiveStock', tenantId, locationId: location.id, skuId: sku.id, qty: Math.min(100, location.capacityUnits) });
    }
    for (let n = 0; n < ORDERS; n++) {
      const picks = [skus[29 - (n % 4)]!, skus[(n * 7) % 30]!];
      const lines = [...new Set(picks.map((s) => s.id))].map((skuId) => ({ skuId, qty: 1 }));
      await submit({ type: 'createOrder', orderId: asOrderId(`SL-${n}`), tenantId, lines });
    }
  }, 60_000);

  afterAll(async () => {
    for (const server of servers) server.close();
    await pool?.close();
    await api?.close();
  });

  it('answers 404 for an unknown site or run, 400 naming the bad field and 409 for too little history, starting nothing', async () => {
    const sites = await serve();
    const unknownSite = await post(`${sites}/nowhere/slotting`, {});
    expect(unknownSite.status).toBe(404);
    expect(((await unknownSite.json()) as { error: { code: string } }).error.code).toBe('UNKNOWN_SITE');
    const unknownRun = await fetch(`${sites}/demo/slotting/no-such-run`);
    expect(unknownRun.status).toBe(404);
    expect(((await unknownRun.json()) as { error: { code: string } }).error.code).toBe('UNKNOWN_SLOTTING_RUN');
    expect((await post(`${sites}/demo/slotting/no-such-run/verify`, {})).status).toBe(404);
    expect((await post(`${sites}/demo/slotting/no-such-run/release`, { count: 1 })).status).toBe(404);

    const before = slottingCalls;
    for (const [body, field] of [
      [{ moves: 0 }, 'moves'],
      [{ moves: 5_001 }, 'moves'],
      [{ moves: 2.5 }, 'moves'],
      [{ affinity: 'yes' }, 'affinity'],
      [{ historyDays: -1 }, 'historyDays'],
      [{ movez: 10 }, 'movez'],
    ] as const) {
      const res = await post(`${sites}/demo/slotting`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const error = ((await res.json()) as { error: { code: string; message: string } }).error;
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.message).toContain(field);
    }
    const strict = await serve({ minOrders: ORDERS + 1 });
    const refused = await post(`${strict}/demo/slotting`, {});
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { code: string; details: unknown } }).error).toMatchObject({
      code: 'NOT_ENOUGH_HISTORY',
      details: { orders: ORDERS, minOrders: ORDERS + 1 },
    });
    // History older than a moment before the fork leaves nothing.
    expect((await post(`${sites}/demo/slotting`, { historyDays: 1e-9 })).status).toBe(409);
    expect(slottingCalls).toBe(before);
  });

  it('plans moves from the live stock and history, verifies them in the simulator and releases them as stock moves', async () => {
    const sites = await serve();
    const live = snapshotJson(api.runner.twin);
    const res = await post(`${sites}/demo/slotting`, { moves: 20 });
    expect(res.status).toBe(202);
    const { id, orders } = (await res.json()) as { id: string; orders: number };
    expect(orders).toBe(ORDERS);
    const url = `${sites}/demo/slotting/${id}`;
    const done = await poll(url, (b) => b.status !== 'running');
    expect(done.error).toBeUndefined();
    expect(done.request).toMatchObject({ orders: ORDERS, moves: 20 });
    const moves = done.moves ?? [];
    expect(moves.length).toBeGreaterThan(0);
    expect(moves.length).toBeLessThanOrEqual(20);
    expect(moves[0]!.savingPerOrderM).toBeCloseTo(moves[0]!.saving / ORDERS, 9);
    expect(done.distancePerOrder!.after).toBeLessThan(done.distancePerOrder!.before);
    // Planning read a fork: the live twin is byte for byte what it was.
    expect(snapshotJson(api.runner.twin)).toBe(live);

    // Bad bodies of the actions name the field.
    const badRelease = await post(`${url}/release`, { count: 0 });
    expect(badRelease.status).toBe(400);
    expect(((await badRelease.json()) as { error: { message: string } }).error.message).toContain('count');
    expect((await post(`${url}/verify`, { hours: 100 })).status).toBe(400);

    // The simulator walks the same shift twice, as stocked and with the moves: less walking per line with them.
    expect((await post(`${url}/verify`, { hours: 1, seed: 7 })).status).toBe(202);
    const verified = await poll(url, (b) => b.verification?.status !== 'running');
    const check = verified.verification!;
    expect(check.error).toBeUndefined();
    expect(check.movesApplied + check.movesSkipped.length).toBe(moves.length);
    expect(check.movesApplied).toBeGreaterThan(0);
    expect(check.before!.linesPicked).toBeGreaterThan(0);
    expect(check.after!.metresPerLine).toBeLessThan(check.before!.metresPerLine!);
    expect(check.simulatedSaving).toBeGreaterThan(0);
    expect(check.predictedSaving).toBeGreaterThan(0);
    expect(snapshotJson(api.runner.twin)).toBe(live);

    // Release: the first 3 moves run now through the site runner, each a stock move in the ledger.
    const seq = api.runner.twin.seq;
    const first = await post(`${url}/release`, { count: 3, as: 'immediate' });
    expect(first.status).toBe(200);
    const released = (await first.json()) as ReleaseBody;
    expect(released.kind).toBe('immediate-stock-moves');
    expect(released.stopped).toBeNull();
    expect(released.applied.length + released.skipped.length).toBe(Math.min(3, moves.length));
    expect(released.released).toBe(Math.min(3, moves.length));
    expect(api.runner.twin.seq - seq).toBe(released.applied.reduce((n, a) => n + a.stockMoves, 0));
    for (const a of released.applied) {
      const held = [...(api.runner.twin.quantsByLocation.get(a.to) ?? [])].map((k) => api.runner.twin.quants.get(k)!);
      expect(held.map((q) => q.skuId)).toContain(a.sku);
    }
    const events = await api.store.load('demo', seq);
    expect(events.every((e) => e.event.type === 'StockMoved')).toBe(true);

    // The next release carries on after those, by default as re-slot move tasks for operatives: nothing moves yet.
    const seq2 = api.runner.twin.seq;
    const second = (await (await post(`${url}/release`, { count: 2 })).json()) as ReleaseBody;
    expect(second.kind).toBe('move-tasks');
    const indexes = [...second.applied.map((a) => a.index), ...second.skipped.map((s) => s.index)].sort();
    expect(indexes[0]).toBe(released.released);
    const relocations = second.applied.filter((a) => a.tasks.length > 0);
    expect(relocations.length).toBeGreaterThan(0);
    for (const a of relocations) {
      for (const taskId of a.tasks) {
        const task = api.runner.twin.moveTasks.get(taskId);
        expect(task).toMatchObject({ kind: 'reslot', status: 'open', skuId: a.sku, fromLocationId: a.from, suggestedToLocationId: a.to });
        expect(task?.reason).toContain(`move ${a.index + 1}`);
      }
    }
    const created = (await api.store.load('demo', seq2)).filter((e) => e.event.type === 'MoveTaskCreated');
    expect(created.length).toBe(relocations.reduce((n, a) => n + a.tasks.length, 0));
    expect(await post(`${url}/release`, { count: 1, as: 'later' }).then((r) => r.status)).toBe(400);
  }, 180_000);

  it('runs at most maxRunning at once (429 with Retry-After), keeps only the latest runs and reports a failed run', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const sites = await serve({
      maxRunning: 1,
      maxRuns: 1,
      runSlotting: async (input, o) => gate.then(() => (o.moves === 1 ? Promise.reject(new Error('solver gave up')) : slottingReport(input, o))),
    });
    const first = (await (await post(`${sites}/demo/slotting`, { moves: 2 })).json()) as { id: string };
    const refused = await post(`${sites}/demo/slotting`, { moves: 2 });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).not.toBeNull();
    // Not ready yet: verify and release wait for the plan.
    expect((await post(`${sites}/demo/slotting/${first.id}/release`, { count: 1 })).status).toBe(409);
    open();
    expect((await poll(`${sites}/demo/slotting/${first.id}`, (b) => b.status !== 'running')).status).toBe('done');

    const failing = (await (await post(`${sites}/demo/slotting`, { moves: 1 })).json()) as { id: string };
    const failed = await poll(`${sites}/demo/slotting/${failing.id}`, (b) => b.status !== 'running');
    expect(failed).toMatchObject({ status: 'failed', error: 'solver gave up' });
    expect((await post(`${sites}/demo/slotting/${failing.id}/verify`, {})).status).toBe(409);
    // maxRuns 1: the first, finished run is gone.
    expect((await fetch(`${sites}/demo/slotting/${first.id}`)).status).toBe(404);
  });
});
