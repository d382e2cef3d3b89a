/**
 * C3 (../shared/reference/reliability.md §6.1): the mixed stock lifecycle under concurrency, through the HTTP API of a
 * site on Postgres. Clients each run a seeded mix of receive (goods-in to the dock) and put-away, moves, holds,
 * orders with and without a reservation TTL, release, pick and short pick, pack, despatch, returns (authorise,
 * receive, inspect), and cycle counts (create, start, submit, approve → adjustment), while a sweeper expires lapsed
 * reservations and lots every few seconds and a checker reads every store invariant in one REPEATABLE READ snapshot
 * under load. Picks go through the site runner as the picking gateway submits them (the handheld has no HTTP route).
 * Used by `c3-mixed-lifecycle.pg.test.ts` at CI size; a benchmark can run it at full size.
 */
import type { ApiOnPostgres } from '../../testing/api-on-postgres.ts';
import { checkStore } from '../../store/check.pg.ts';
import type { Command } from '../../twin/commands.ts';
import { asOperativeId, type LocationId, type OperativeId } from '../../twin/ids.ts';
import { createRng, randomInt, type Rng } from '../../twin/rng.ts';
import type { Sku } from '../../twin/site.ts';
import { dockLocationId } from '../../twin/stock-status.ts';
import { errorBodyProblem, type KeepAliveClient, type RawResponse } from './http-client.ts';

export interface MixedLifecycleOptions {
  readonly api: ApiOnPostgres;
  readonly client: KeepAliveClient;
  readonly clients: number;
  /** Operations per client. */
  readonly opsPerClient: number;
  readonly seed: number;
  /** Wall-clock period of the expiry sweeps, ms. */
  readonly sweepEveryMs: number;
  /** Wall-clock period of the invariant checkpoints read under load, ms. */
  readonly checkpointEveryMs: number;
}

export interface MixedLifecycleResult {
  /** 2xx answers per operation kind. */
  readonly ok: Record<string, number>;
  /** 4xx answers per `kind code`. */
  readonly refused: Record<string, number>;
  /** Answers that were 5xx, or 4xx without the standard error body. */
  readonly broken: string[];
  readonly sweeps: number;
  /** Checkpoints read under load, and each invariant that failed at one. */
  readonly checkpoints: number;
  readonly checkpointProblems: string[];
}

const PARCEL = { cartonCode: 'M1', weightG: 800 };
const SHIP_TO = { name: 'A Buyer', line1: '1 High Street', city: 'Leeds', postcode: 'LS1 1AA', country: 'GB' };

/** Runs the lifecycle; resolves when every client is done and the last sweep and checkpoint have finished. */
export async function runMixedLifecycle(o: MixedLifecycleOptions): Promise<MixedLifecycleResult> {
  const { api, client } = o;
  const ok: Record<string, number> = {};
  const refused: Record<string, number> = {};
  const broken: string[] = [];
  const checkpointProblems: string[] = [];
  let sweeps = 0;
  let checkpoints = 0;

  const note = (kind: string, res: RawResponse): boolean => {
    if (res.status >= 200 && res.status < 300) {
      ok[kind] = (ok[kind] ?? 0) + 1;
      return true;
    }
    const problem = errorBodyProblem(res.json);
    if (res.status >= 500 || res.status < 400 || problem !== null) broken.push(`${kind}: ${res.status} ${res.text.slice(0, 200)}`);
    else {
      const code = (res.json as { error: { code: string } }).error.code;
      refused[`${kind} ${code}`] = (refused[`${kind} ${code}`] ?? 0) + 1;
    }
    return false;
  };
  const post = async (kind: string, path: string, body: unknown): Promise<RawResponse> => {
    const res = await client.postJson(`${api.base}${path}`, body);
    note(kind, res);
    return res;
  };
  const submit = async (kind: string, c: Command): Promise<boolean> => {
    const r = await api.runner.submit(c);
    if (r.ok) ok[kind] = (ok[kind] ?? 0) + 1;
    else refused[`${kind} ${r.error.code}`] = (refused[`${kind} ${r.error.code}`] ?? 0) + 1;
    return r.ok;
  };

  // Stock to start from: 8 plain SKUs, 30 units in each of 2 bins; bins 400… are each client's spare bins.
  const skus = api.site.skus.filter((s) => !s.lotTracked).slice(0, 8);
  const locations = api.site.layout.locations;
  for (const [i, sku] of skus.entries()) {
    for (let b = 0; b < 2; b++) {
      await post('setup', '/stock/receipts', { tenantId: sku.tenantId, locationId: locations[100 + i * 2 + b]?.id, skuId: sku.id, qty: 30 });
    }
  }
  const dock = dockLocationId(api.site.id);
  const spare = (client: number, rng: Rng): LocationId => locations[400 + client * 10 + randomInt(rng, 0, 9)]?.id as LocationId;

  /** A bin already holding the SKU (else a spare one): put-away that mostly fits R4. */
  const targetFor = async (sku: Sku, client: number, rng: Rng): Promise<LocationId> => {
    const bins = await api.runner.read((twin) =>
      [...(twin.quantsBySku.get(`${sku.tenantId}|${sku.id}`) ?? [])].map((k) => twin.quants.get(k)?.locationId).filter((l): l is LocationId => l !== undefined && twin.locationsById.has(l)),
    );
    return rng.next() < 0.7 && bins.length > 0 ? (bins[randomInt(rng, 0, bins.length - 1)] as LocationId) : spare(client, rng);
  };

  const runClient = async (n: number): Promise<void> => {
    const rng = createRng(o.seed * 1000 + n);
    const operative: OperativeId = asOperativeId(`C3-P${n}`);
    await submit('signOn', { type: 'signOn', operativeId: operative, name: `Picker ${n}` });
    const pickSku = (): Sku => skus[randomInt(rng, 0, skus.length - 1)] as Sku;
    let seq = 0;
    const id = (prefix: string): string => `${prefix}-${n}-${++seq}`;
    for (let i = 0; i < o.opsPerClient; i++) {
      const r = randomInt(rng, 0, 99);
      if (r < 12) {
        const sku = pickSku();
        const qty = randomInt(rng, 1, 10);
        const res = await post('receive', '/receipts', { receiptId: id('RCV'), tenantId: sku.tenantId, skuId: sku.id, qty });
        if (res.status < 300 && rng.next() < 0.8) {
          await post('putaway', '/stock/moves', { tenantId: sku.tenantId, skuId: sku.id, fromLocationId: dock, toLocationId: await targetFor(sku, n, rng), qty });
        }
      } else if (r < 20) {
        const sku = pickSku();
        const from = await targetFor(sku, n, rng);
        await post('move', '/stock/moves', { tenantId: sku.tenantId, skuId: sku.id, fromLocationId: from, toLocationId: await targetFor(sku, n, rng), qty: randomInt(rng, 1, 5) });
      } else if (r < 40) {
        const sku = pickSku();
        const orderId = id('O');
        const res = await post('order', '/orders', { orderId, tenantId: sku.tenantId, lines: [{ skuId: sku.id, qty: randomInt(rng, 1, 4) }], shipTo: SHIP_TO });
        if (res.status < 300) {
          const ttl = rng.next() < 0.4 ? { ttlMs: randomInt(rng, 5, 30) * 1000 } : {};
          const alloc = await post('allocate', `/orders/${orderId}/allocate`, { policy: 'partial', ...ttl });
          // Some reservations are left to lapse, some cancelled; most released for picking.
          if (alloc.status < 300 && rng.next() < 0.75) await post('release', `/orders/${orderId}/release`, {});
          else if (alloc.status < 300 && rng.next() < 0.3) await post('cancel', `/orders/${orderId}/cancel`, { reason: 'customer changed mind' });
        }
      } else if (r < 55) {
        await submit('requestWork', { type: 'requestWork', operativeId: operative, maxTasks: 3 });
        const tasks = await api.runner.read((twin) => (twin.operatives.get(operative)?.taskIds ?? []).map((t) => twin.tasks.get(t)).filter((t) => t !== undefined));
        for (const t of tasks) {
          const barcode = api.site.skus.find((s) => s.id === t.skuId)?.barcode ?? '';
          if (rng.next() < 0.9) await submit('pick', { type: 'confirmPick', taskId: t.id, operativeId: operative, scannedLocation: t.locationId, scannedItem: barcode, qty: t.qty, scanId: id('S') });
          else await submit('shortPick', { type: 'shortPick', taskId: t.id, operativeId: operative, foundQty: randomInt(rng, 0, t.qty - 1), scanId: id('S') });
        }
      } else if (r < 67) {
        const picked = await api.runner.read((twin) => [...twin.orders.values()].filter((x) => x.status === 'picked' && x.id.startsWith(`O-${n}-`)).map((x) => x.id));
        for (const orderId of picked.slice(0, 2)) {
          const packed = await post('pack', `/orders/${orderId}/pack`, PARCEL);
          if (packed.status < 300) await post('despatch', `/orders/${orderId}/despatch`, {});
        }
      } else if (r < 77) {
        const shipped = await api.runner.read((twin) =>
          [...twin.orders.values()].filter((x) => x.status === 'despatched' && x.id.startsWith(`O-${n}-`)).flatMap((x) => x.lines.filter((l) => l.picked > 0).map((l) => ({ orderId: x.id, tenantId: x.tenantId, skuId: l.skuId }))),
        );
        const line = shipped[randomInt(rng, 0, Math.max(0, shipped.length - 1))];
        if (line !== undefined) {
          const rmaId = id('RMA');
          const created = await post('rma', '/rmas', { rmaId, tenantId: line.tenantId, orderId: line.orderId, lines: [{ skuId: line.skuId, qty: 1, reason: 'unwanted' }] });
          const barcode = api.site.skus.find((s) => s.id === line.skuId)?.barcode ?? '';
          if (created.status < 300) {
            const received = await post('returnReceipt', `/rmas/${rmaId}/receipts`, { receiptId: id('RR'), scan: barcode, qty: 1 });
            const disposition = (['restock', 'quarantine', 'dispose'] as const)[randomInt(rng, 0, 2)] ?? 'restock';
            if (received.status < 300) {
              await post('inspect', `/rmas/${rmaId}/inspections`, { inspectionId: id('I'), skuId: line.skuId, qty: 1, grade: disposition === 'dispose' ? 'unsellable' : 'A', disposition });
            }
          }
        }
      } else if (r < 90) {
        // A count of a stocked bin while picks go on: blind count of what is there give or take a unit, then approval.
        const sku = pickSku();
        const bin = await targetFor(sku, n, rng);
        const created = await post('count', '/counts', { locationIds: [bin] });
        const countId = await api.runner.read((twin) => twin.openCountByLocation.get(bin));
        if (created.status < 300 && countId !== undefined) {
          const counter = `K${n}`;
          await post('countStart', `/counts/${countId}/start`, { counterId: counter });
          const lines = await api.runner.read((twin) =>
            [...(twin.quantsByLocation.get(bin) ?? [])].flatMap((k) => {
              const q = twin.quants.get(k);
              return q === undefined ? [] : [{ skuId: q.skuId, qty: Math.max(0, q.onHand + randomInt(rng, -1, 1)), ...(q.lot === '' ? {} : { lot: q.lot }) }];
            }),
          );
          await post('countSubmit', `/counts/${countId}/submit`, { counterId: counter, lines, scanId: id('CS') });
          await post('countApprove', `/counts/${countId}/approve`, { approverId: `SUP${n}` });
        }
      } else {
        const sku = pickSku();
        const bin = await targetFor(sku, n, rng);
        const holdId = id('H');
        const held = await post('hold', '/holds', { holdId, tenantId: sku.tenantId, status: 'quarantine', reason: 'inspect', locationId: bin, skuId: sku.id, qty: 1 });
        if (held.status < 300) await post('holdRelease', `/holds/${holdId}/release`, { reason: 'inspected' });
      }
    }
  };

  // The sweeper and the checker run beside the clients from the start until they finish, then once more each: at
  // least two rounds whatever the machine's speed (the test asserts behaviour, not timing).
  let running = true;
  const every = async (ms: number, task: () => Promise<void>): Promise<void> => {
    while (running) {
      await task();
      await new Promise((resolve) => setTimeout(resolve, ms));
    }
  };
  const sweep = async (): Promise<void> => {
    sweeps++;
    await submit('expireReservations', { type: 'expireReservations' });
    const today = await api.runner.read((twin) => new Date(twin.now).toISOString().slice(0, 10));
    await post('expireLots', '/lots/expire', { asOf: today });
  };
  const checkpoint = async (): Promise<void> => {
    checkpoints++;
    for (const r of await checkStore(api.store.pool, api.store.tables.schema, api.site.id)) {
      if (!r.ok) checkpointProblems.push(`checkpoint ${checkpoints}: ${r.name}: ${r.violations} e.g. ${JSON.stringify(r.sample[0])}`);
    }
  };
  const sweeper = every(o.sweepEveryMs, sweep);
  const checker = every(o.checkpointEveryMs, checkpoint);
  try {
    await Promise.all(Array.from({ length: o.clients }, (_, n) => runClient(n)));
  } finally {
    running = false;
    await Promise.all([sweeper, checker]);
  }
  await sweep();
  await checkpoint();
  return { ok, refused, broken, sweeps, checkpoints, checkpointProblems };
}
