/**
 * C3 (../shared/reference/reliability.md §6.1) at CI size: `C3_CLIENTS` clients (default 8) × `C3_OPS` operations
 * (default 40) of the mixed stock lifecycle through the HTTP API on Postgres, with the expiry sweeps every second and
 * the store invariants read under load every 1.5 s (one REPEATABLE READ snapshot each; both also run at the start and
 * once after the clients finish). No answer is 5xx, every 4xx
 * carries the error body, every checkpoint is clean, and at the end the site is healthy end to end (store, twin, log
 * and projection agree). The plan's full size (50 clients, 200 ops/s for 10 min) reuses `runMixedLifecycle`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkStore } from '../../store/check.pg.ts';
import { startApiOnPostgres, type ApiOnPostgres } from '../../testing/api-on-postgres.ts';
import { KeepAliveClient } from './http-client.ts';
import { siteInvariantProblems } from './invariants.ts';
import { runMixedLifecycle } from './mixed-lifecycle.ts';

const CLIENTS = Number(process.env['C3_CLIENTS'] ?? 8);
const OPS = Number(process.env['C3_OPS'] ?? 40);
const SEED = Number(process.env['C3_SEED'] ?? 1);

describe('C3 mixed lifecycle under concurrency over HTTP on Postgres', () => {
  let api: ApiOnPostgres;
  let client: KeepAliveClient;

  beforeAll(async () => {
    api = await startApiOnPostgres('c3');
    client = new KeepAliveClient(CLIENTS + 2);
  });
  afterAll(async () => {
    client?.close();
    await api?.close();
  });

  it('[I1-I10][I12] hold at every checkpoint read under load and at the end; no 5xx', { timeout: 180_000 }, async () => {
    const r = await runMixedLifecycle({ api, client, clients: CLIENTS, opsPerClient: OPS, seed: SEED, sweepEveryMs: 1_000, checkpointEveryMs: 1_500 });
    expect(r.broken).toEqual([]);
    expect(r.checkpointProblems).toEqual([]);
    expect(r.checkpoints).toBeGreaterThanOrEqual(2);
    expect(r.sweeps).toBeGreaterThanOrEqual(2);

    // The workload reached every flow, or the run proves little.
    for (const kind of ['receive', 'putaway', 'move', 'order', 'allocate', 'release', 'pick', 'pack', 'despatch', 'rma', 'returnReceipt', 'inspect', 'count', 'countSubmit', 'hold']) {
      expect(r.ok[kind] ?? 0, `${kind} never succeeded`).toBeGreaterThan(0);
    }
    const types = new Map<string, number>();
    for (const e of await api.store.load(api.site.id)) types.set(e.event.type, (types.get(e.event.type) ?? 0) + 1);
    for (const t of ['GoodsReceived', 'StockMoved', 'AllocationExpired', 'PickConfirmed', 'OrderDespatched', 'ReturnReceived', 'ReturnInspected', 'CountAdjusted', 'HoldReleased']) {
      expect(types.get(t) ?? 0, `no ${t}`).toBeGreaterThan(0);
    }

    expect(await siteInvariantProblems(api)).toEqual([]);
    expect((await checkStore(api.store.pool, api.store.tables.schema, api.site.id)).filter((c) => !c.ok)).toEqual([]);
  });
});
