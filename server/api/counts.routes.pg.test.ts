/** Cycle counts over HTTP on a real Postgres (R33–R38): blind flow, approval, ledger rows, errors, the plan, replay. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SiteRunner } from '../site/site-runner.ts';
import { checkStore } from '../store/check.pg.ts';
import type { PgEventStore } from '../store/event-store.pg.ts';
import { startApiOnPostgres, type ApiOnPostgres } from '../testing/api-on-postgres.ts';
import type { LocationId, SkuId, TenantId } from '../twin/ids.ts';
import { asOperativeId, asOrderId, epochMs } from '../twin/ids.ts';
import type { SiteDefinition } from '../twin/site.ts';
import { applySequenced, createTwinState, toSnapshotData } from '../twin/twin.ts';

describe('[R33]–[R38] cycle counts over HTTP on Postgres', () => {
  let store: PgEventStore;
  let runner: SiteRunner;
  let site: SiteDefinition;
  let api: ApiOnPostgres;
  let base: string;
  /** Three stocked bins of plain (not lot-tracked) SKUs: 40 units each. */
  let bins: { locationId: LocationId; skuId: SkuId; tenantId: TenantId }[];

  beforeAll(async () => {
    api = await startApiOnPostgres('counts');
    ({ store, runner, site } = api);
    base = `${api.base}/counts`;
    const skus = site.skus.filter((s) => !s.lotTracked).slice(0, 3);
    bins = skus.map((s, i) => ({ locationId: site.layout.locations[i * 7]!.id, skuId: s.id, tenantId: s.tenantId }));
    for (const b of bins) {
      const r = await runner.submit({ type: 'receiveStock', tenantId: b.tenantId, locationId: b.locationId, skuId: b.skuId, qty: 40 });
      expect(r.ok).toBe(true);
    }
  });

  afterAll(async () => {
    await api?.close();
  });

  const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = async <T>(r: Response): Promise<T> => (await r.json()) as T;
  const errorOf = async (r: Response) => ({ status: r.status, code: (await json<{ error: { code: string } }>(r)).error.code });
  const createOne = async (locationId: string): Promise<string> => {
    const r = await post(base, { locationIds: [locationId] });
    expect(r.status).toBe(201);
    return (await json<{ counts: { id: string }[] }>(r)).counts[0]!.id;
  };

  it('creates, starts and takes a blind count: no quantity reaches the counter; an exact count closes at once', async () => {
    const b = bins[0]!;
    const created = await post(base, { locationIds: [b.locationId], reason: 'manual' });
    expect(created.status).toBe(201);
    const text = await created.text();
    expect(text).not.toMatch(/expected|variance|qty|onHand/);
    const id = (JSON.parse(text) as { counts: { id: string; status: string }[] }).counts[0]!.id;

    const started = await post(`${base}/${id}/start`, { counterId: 'counter-1' });
    expect(started.status).toBe(200);
    const startedText = await started.text();
    expect(startedText).not.toMatch(/expected|variance|qty|onHand/);
    const blindKeys = ['id', 'locationId', 'reason', 'status', 'attempt', 'counterId', 'createdAt', 'startedAt', 'closedAt'];
    expect(Object.keys(JSON.parse(startedText) as object).sort()).toEqual([...blindKeys].sort());
    expect(JSON.parse(startedText)).toMatchObject({ id, status: 'counting', attempt: 1, counterId: 'counter-1' });
    expect(await errorOf(await fetch(`${base}/${id}/review`))).toEqual({ status: 409, code: 'COUNT_BLIND' });

    const body = { counterId: 'counter-1', lines: [{ skuId: b.skuId, qty: 40 }], scanId: 'scan-1' };
    const submitted = await post(`${base}/${id}/submit`, body);
    expect(submitted.status).toBe(200);
    expect(await json(submitted)).toMatchObject({ id, status: 'adjusted' });
    // The handheld resends (its answer was lost): acknowledged, nothing written twice.
    const seq = runner.twin.seq;
    const resent = await post(`${base}/${id}/submit`, body);
    expect(resent.status).toBe(200);
    expect(await json(resent)).toMatchObject({ id, status: 'adjusted' });
    expect(runner.twin.seq).toBe(seq);
    const review = await json<{ attempts: { variances: { variance: number }[] }[]; adjustments: unknown[] }>(await fetch(`${base}/${id}/review`));
    expect(review.attempts[0]!.variances).toEqual([expect.objectContaining({ expected: 40, moved: 0, counted: 40, variance: 0 })]);
    expect(review.adjustments).toEqual([]);
  });

  it('a variance waits for a supervisor; approval writes a CYCLE_COUNT ledger move and the store stays consistent', async () => {
    const b = bins[1]!;
    const id = await createOne(b.locationId);
    expect((await post(`${base}/${id}/start`, { counterId: 'counter-1' })).status).toBe(200);
    const submitted = await post(`${base}/${id}/submit`, { counterId: 'counter-1', lines: [{ skuId: b.skuId, qty: 36 }] });
    expect(await json(submitted)).toMatchObject({ status: 'pending-approval' });
    expect(await errorOf(await post(`${base}/${id}/approve`, { approverId: 'counter-1' }))).toEqual({ status: 409, code: 'COUNT_SELF_APPROVAL' });
    const approved = await post(`${base}/${id}/approve`, { approverId: 'sup-1' });
    expect(approved.status).toBe(200);
    expect(await json(approved)).toMatchObject({ status: 'adjusted', approverId: 'sup-1', adjustments: [expect.objectContaining({ variance: -4, qty: -4 })] });
    expect(await errorOf(await post(`${base}/${id}/approve`, { approverId: 'sup-1' }))).toEqual({ status: 409, code: 'COUNT_NOT_PENDING' });

    const moves = await store.pool.query<{ from_location: string; to_location: string; qty: number; reason: string }>(
      `SELECT from_location, to_location, qty, reason FROM ${store.tables.stockMove} WHERE site_id = $1 AND reason = 'CYCLE_COUNT'`,
      [site.id],
    );
    expect(moves.rows).toEqual([{ from_location: b.locationId, to_location: 'V:ADJUSTMENT', qty: 4, reason: 'CYCLE_COUNT' }]);
    const row = await store.pool.query<{ status: string; approver_id: string; adjusted_units: number; variance_units: number }>(
      `SELECT status, approver_id, adjusted_units, variance_units FROM "${store.tables.schema}".cycle_counts
        WHERE site_id = $1 AND count_id = $2`,
      [site.id, id],
    );
    expect(row.rows).toEqual([{ status: 'adjusted', approver_id: 'sup-1', adjusted_units: 4, variance_units: 4 }]);
    expect((await checkStore(store.pool, store.tables.schema, site.id)).filter((r) => !r.ok)).toEqual([]);
  });

  it('a rejected count adjusts nothing and leaves the bin requested', async () => {
    const b = bins[2]!;
    const id = await createOne(b.locationId);
    await post(`${base}/${id}/start`, { counterId: 'counter-1' });
    await post(`${base}/${id}/submit`, { counterId: 'counter-1', lines: [{ skuId: b.skuId, qty: 37 }] });
    const rejected = await post(`${base}/${id}/reject`, { approverId: 'sup-1', reason: 'wrong bin counted' });
    expect(await json(rejected)).toMatchObject({ status: 'rejected', rejectReason: 'wrong bin counted', adjustments: [] });
    expect(runner.twin.countRequests.get(b.locationId)?.reason).toBe('count rejected');
    const listed = await json<{ total: number; counts: { id: string }[] }>(await fetch(`${base}?status=rejected`));
    expect(listed.counts.map((c) => c.id)).toEqual([id]);
  });

  it('refuses bad input with 400 naming the field and domain errors with their code, writing nothing', async () => {
    const b = bins[0]!;
    const id = await createOne(b.locationId);
    const seqBefore = runner.twin.seq;
    const cases: [Response, number, string][] = [
      [await post(base, { locationIds: [] }), 400, 'VALIDATION_FAILED'],
      [await post(base, { locationIds: [b.locationId], reason: 'whim' }), 400, 'VALIDATION_FAILED'],
      [await post(base, { locationIds: ['NO-SUCH-BIN'] }), 422, 'UNKNOWN_LOCATION'],
      [await post(base, { locationIds: [b.locationId] }), 409, 'COUNT_ALREADY_OPEN'],
      [await post(`${base}/${id}/submit`, { counterId: 'c', lines: [] }), 409, 'COUNT_NOT_STARTED'],
      [await post(`${base}/nope/start`, { counterId: 'c' }), 404, 'UNKNOWN_COUNT'],
      [await fetch(`${base}/nope`), 404, 'UNKNOWN_COUNT'],
      [await post(`${base}/${id}/start`, {}), 400, 'VALIDATION_FAILED'],
      [await post(`${base}/${id}/approve`, { approverId: 'sup' }), 409, 'COUNT_NOT_PENDING'],
      [await fetch(`${base}/plan?date=tomorrow&capacity=5`), 400, 'VALIDATION_FAILED'],
    ];
    for (const [response, status, code] of cases) expect(await errorOf(response)).toEqual({ status, code });
    const negative = await post(`${base}/${id}/submit`, { counterId: 'c', lines: [{ skuId: b.skuId, qty: -1 }] });
    expect(negative.status).toBe(400);
    expect((await json<{ error: { message: string } }>(negative)).error.message).toContain('lines.0.qty');
    expect(runner.twin.seq).toBe(seqBefore);
    // Finish it so the bin is free for the plan below.
    await post(`${base}/${id}/start`, { counterId: 'c' });
    expect(await errorOf(await post(`${base}/${id}/start`, { counterId: 'c' }))).toEqual({ status: 409, code: 'COUNT_IN_PROGRESS' });
    expect(await errorOf(await post(`${base}/${id}/submit`, { counterId: 'd', lines: [] }))).toEqual({ status: 409, code: 'COUNT_NOT_ASSIGNED' });
    expect((await post(`${base}/${id}/submit`, { counterId: 'c', lines: [{ skuId: b.skuId, qty: 40 }] })).status).toBe(200);
  });

  it('plans the day (requested bins first) and creates the planned counts', async () => {
    const plan = await json<{ plan: { locationId: string; reason: string }[] }>(await fetch(`${base}/plan?date=2026-11-28&capacity=5`));
    // bins[2] was requested again by its rejection; the others were counted today and are not due.
    expect(plan.plan).toEqual([expect.objectContaining({ locationId: bins[2]!.locationId, reason: 'manual' })]);
    const created = await post(`${base}/plan`, { date: '2026-11-28', capacity: 5 });
    expect(created.status).toBe(201);
    expect((await json<{ counts: { locationId: string; reason: string }[] }>(created)).counts).toEqual([
      expect.objectContaining({ locationId: bins[2]!.locationId, reason: 'manual', status: 'open' }),
    ]);
  });

  it('C6 on Postgres: counts over HTTP while picks hit the bins; adjustments are only the real losses, the store checks clean', async () => {
    const picker = asOperativeId('picker-c6');
    expect((await runner.submit({ type: 'signOn', operativeId: picker, name: 'C6' })).ok).toBe(true);
    const skus = site.skus.filter((s) => !s.lotTracked).slice(10, 15);
    const c6 = skus.map((s, i) => ({ locationId: site.layout.locations[100 + i * 11]!.id, sku: s, lost: i % 2 }));
    for (const b of c6) expect((await runner.submit({ type: 'receiveStock', tenantId: b.sku.tenantId, locationId: b.locationId, skuId: b.sku.id, qty: 50 })).ok).toBe(true);
    const created = await json<{ counts: { id: string; locationId: string }[] }>(await post(base, { locationIds: c6.map((b) => b.locationId) }));
    let orderNo = 0;
    const pick = async (b: (typeof c6)[number]): Promise<void> => {
      const orderId = asOrderId(`C6-${++orderNo}`);
      for (const command of [
        { type: 'createOrder' as const, orderId, tenantId: b.sku.tenantId, lines: [{ skuId: b.sku.id, qty: 2 }] },
        { type: 'allocateOrder' as const, orderId },
        { type: 'releaseOrder' as const, orderId },
        { type: 'requestWork' as const, operativeId: picker, maxTasks: 1 },
      ]) expect((await runner.submit(command)).ok).toBe(true);
      const task = runner.twin.tasks.get(runner.twin.orders.get(orderId)!.taskIds[0]!)!;
      const confirmed = await runner.submit({ type: 'confirmPick', taskId: task.id, operativeId: picker, scannedLocation: task.locationId, scannedItem: b.sku.barcode, qty: 2 });
      expect(confirmed.ok).toBe(true);
    };
    // Start every count, pick 3 × 2 units from every bin while they are counted, then submit what is there
    // (odd bins really lost one unit).
    for (const c of created.counts) expect((await post(`${base}/${c.id}/start`, { counterId: 'counter-c6' })).status).toBe(200);
    for (let round = 0; round < 3; round++) for (const b of c6) await pick(b);
    for (const [i, c] of created.counts.entries()) {
      const b = c6[i]!;
      const r = await post(`${base}/${c.id}/submit`, { counterId: 'counter-c6', lines: [{ skuId: b.sku.id, qty: 50 - 6 - b.lost }] });
      expect(await json(r)).toMatchObject({ status: 'adjusted' });
    }
    const moves = await store.pool.query<{ from_location: string; qty: number }>(
      `SELECT from_location, qty FROM ${store.tables.stockMove} WHERE site_id = $1 AND reason = 'CYCLE_COUNT' AND from_location = ANY($2::text[])`,
      [site.id, c6.map((b) => b.locationId)],
    );
    expect(moves.rows.map((m) => m.from_location).sort()).toEqual(c6.filter((b) => b.lost === 1).map((b) => b.locationId).sort());
    expect(moves.rows.every((m) => m.qty === 1)).toBe(true);
    expect((await checkStore(store.pool, store.tables.schema, site.id)).filter((r) => !r.ok)).toEqual([]);
  });

  it('counts are durable: replaying the Postgres log rebuilds them', async () => {
    const replayed = createTwinState(site, epochMs(0));
    for (const entry of await store.load(site.id)) applySequenced(replayed, entry);
    expect(toSnapshotData(replayed).counts).toEqual(toSnapshotData(runner.twin).counts);
    expect(replayed.counts.size).toBe(runner.twin.counts.size);
  });
});
