/**
 * Idempotent REST orders on Postgres (reliability C4 at CI size): concurrent duplicates make one order and identical
 * answers, a reused key with another body is refused, a replay a day later is still deduplicated, a key past the 7-day
 * retention is forgotten, and a retry after a crash between the order's commit and the key's completion finds the order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asOrderId, asSkuId, asTenantId } from '../twin/ids.ts';
import { startOrdersApi, type OrdersApi } from '../testing/orders-api-on-postgres.ts';
import { quoteIdent } from '../store/pg-util.ts';
import { deriveOrderId, pruneIdempotencyKeys, requestHash } from './idempotency.ts';
import { siteInvariantProblems } from './reliability/invariants.ts';

const HOUR = 3600_000;
/** The process life the API's store claims keys as. */
const THIS_LIFE = 'boot-now';

describe('Idempotency-Key on POST /orders', () => {
  let api: OrdersApi;
  let tenantId: string;
  let skuId: string;

  beforeAll(async () => {
    api = await startOrdersApi('idem', { holder: THIS_LIFE });
    const sku = api.site.skus.find((s) => !s.lotTracked);
    if (!sku) throw new Error('demo site has no plain SKU');
    ({ tenantId } = sku);
    skuId = sku.id;
  });

  afterAll(async () => {
    // I1–I8 hold after the scenario.
    if (api) expect(await siteInvariantProblems(api)).toEqual([]);
    await api?.close();
  });

  const post = (path: string, body: unknown, key?: string) =>
    fetch(`${api.base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { 'idempotency-key': key }) },
      body: JSON.stringify(body),
    });

  /**
   * Posts until the answer is not REQUEST_IN_PROGRESS (the documented client behaviour), resending with the same key
   * when the connection is reset (1,000 simultaneous connections overflow the listen backlog on a loaded machine:
   * exactly the case the key is for); returns status and raw text.
   */
  async function postSettled(path: string, body: unknown, key: string): Promise<{ status: number; text: string }> {
    for (let resets = 0; ; ) {
      let res: Response;
      try {
        res = await post(path, body, key);
      } catch (e) {
        const code = (e as { cause?: { code?: string } }).cause?.code;
        if ((code === 'ECONNRESET' || code === 'ECONNREFUSED') && resets++ < 5) continue;
        throw e;
      }
      const text = await res.text();
      if (res.status === 409 && text.includes('"REQUEST_IN_PROGRESS"')) {
        expect(res.headers.get('retry-after')).toBe('1');
        continue;
      }
      return { status: res.status, text };
    }
  }

  const orderBody = (i: number) => ({ tenantId, externalRef: `C4-${i}`, lines: [{ skuId, qty: 1 + (i % 3) }] });
  const orderCount = () => api.runner.read((twin) => twin.orders.size);

  it('C4: 100 keys x 10 identical concurrent requests make exactly 100 orders and 10 identical answers per key', async () => {
    const before = await orderCount();
    const keys = Array.from({ length: 100 }, (_, i) => `c4-key-${i}`);
    const answers = await Promise.all(keys.map((key, i) => Promise.all(Array.from({ length: 10 }, () => postSettled('/orders', orderBody(i), key)))));
    expect((await orderCount()) - before).toBe(100);
    for (const [i, perKey] of answers.entries()) {
      expect(perKey[0]?.status).toBe(201);
      for (const answer of perKey) expect(answer).toEqual(perKey[0]);
      const view = JSON.parse(perKey[0]!.text) as { id: string; externalRef: string; channel: string };
      expect(view.id).toBe(deriveOrderId(api.site.id, tenantId, 'key', keys[i]!));
      expect(view.externalRef).toBe(`C4-${i}`);
    }
    // A later replay (sequential, after completion) is byte-identical too, with the Location of the order.
    const replay = await post('/orders', orderBody(7), keys[7]);
    expect(replay.status).toBe(201);
    expect(await replay.text()).toBe(answers[7]![0]!.text);
    expect(replay.headers.get('location')).toBe(`/api/sites/${api.site.id}/orders/${deriveOrderId(api.site.id, tenantId, 'key', keys[7]!)}`);
  });

  it('C4: 20 keys reused with a different body get 422 IDEMPOTENCY_KEY_REUSED and change nothing', async () => {
    const keys = Array.from({ length: 20 }, (_, i) => `reuse-key-${i}`);
    for (const [i, key] of keys.entries()) expect((await postSettled('/orders', orderBody(1000 + i), key)).status).toBe(201);
    const before = await orderCount();
    const seqBefore = api.runner.twin.seq;
    const reused = await Promise.all(keys.map((key, i) => post('/orders', { ...orderBody(1000 + i), priority: 5 }, key)));
    for (const res of reused) {
      expect(res.status).toBe(422);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    }
    expect(await orderCount()).toBe(before);
    expect(api.runner.twin.seq).toBe(seqBefore);
  });

  it('treats the same JSON with its keys in another order as the same request', async () => {
    const first = await postSettled('/orders', { tenantId, lines: [{ skuId, qty: 2 }], priority: 3 }, 'reorder-key');
    const again = await postSettled('/orders', { priority: 3, lines: [{ qty: 2, skuId }], tenantId }, 'reorder-key');
    expect(first.status).toBe(201);
    expect(again).toEqual(first);
  });

  it('C4: a replay 25 h later is still deduplicated; after the 7-day retention the key is forgotten', async () => {
    const keys = Array.from({ length: 10 }, (_, i) => `late-key-${i}`);
    const firsts = await Promise.all(keys.map((key, i) => postSettled('/orders', orderBody(2000 + i), key)));
    const before = await orderCount();

    api.shiftClock(25 * HOUR);
    expect(await pruneIdempotencyKeys(api.store.pool, api.schema, api.now())).toBe(0);
    const replays = await Promise.all(keys.map((key, i) => postSettled('/orders', orderBody(2000 + i), key)));
    expect(replays).toEqual(firsts);
    expect(await orderCount()).toBe(before);

    api.shiftClock(7 * 24 * HOUR);
    expect(await pruneIdempotencyKeys(api.store.pool, api.schema, api.now())).toBeGreaterThanOrEqual(keys.length);
    const left = await api.store.query<{ n: string }>(`SELECT count(*) AS n FROM idempotency_keys WHERE key LIKE 'late-key-%'`);
    expect(Number(left[0]?.n)).toBe(0);
    // Forgotten: the request runs again, and the order id derived from the key refuses a second order.
    const afterRetention = await post('/orders', orderBody(2000), keys[0]);
    expect(afterRetention.status).toBe(409);
    const body = (await afterRetention.json()) as { error: { code: string; details: { orderId: string } } };
    expect(body.error.code).toBe('DUPLICATE_ORDER');
    expect(body.error.details.orderId).toBe(deriveOrderId(api.site.id, tenantId, 'key', keys[0]!));
    expect(await orderCount()).toBe(before);
  });

  it('a retry after a crash between the order commit and the key completion answers with that order, not a new one', async () => {
    const key = 'crashed-key';
    const body = { tenantId, lines: [{ skuId, qty: 4 }] };
    const orderId = deriveOrderId(api.site.id, tenantId, 'key', key);
    // The dead request: it claimed the key (its lease has run out) and committed the order, then died.
    const now = api.now();
    const hashOfBody = requestHash('POST', `/api/sites/${api.site.id}/orders`, body);
    await api.store.pool.query(
      `INSERT INTO ${quoteIdent(api.schema)}.idempotency_keys (scope, key, request_hash, status, created_at, locked_until)
       VALUES ($1, $2, $3, 'in_progress', $4, $5)`,
      [`${api.site.id} POST /orders`, key, hashOfBody, new Date(now - 60_000), new Date(now - 30_000)],
    );
    const created = await api.runner.submit({
      type: 'createOrder',
      orderId,
      tenantId: asTenantId(tenantId),
      channel: 'api',
      lines: [{ skuId: asSkuId(skuId), qty: 4 }],
    });
    expect(created.ok).toBe(true);
    const before = await orderCount();

    const retry = await post('/orders', body, key);
    expect(retry.status).toBe(201);
    const view = (await retry.json()) as { id: string; status: string };
    expect(view).toMatchObject({ id: orderId, status: 'open' });
    expect(await orderCount()).toBe(before);
    // …and the key is now done: the next retry replays the same answer.
    const again = await post('/orders', body, key);
    expect(again.status).toBe(201);
    expect(await again.json()).toEqual(view);
  });

  it('a cancel retried after a crash that followed the cancellation answers 200 with the cancelled order', async () => {
    const key = 'crashed-cancel';
    const orderId = 'CANCEL-CRASH-1';
    expect((await post('/orders', { orderId, tenantId, lines: [{ skuId, qty: 1 }] })).status).toBe(201);
    const body = { reason: 'duplicate order' };
    const now = api.now();
    await api.store.pool.query(
      `INSERT INTO ${quoteIdent(api.schema)}.idempotency_keys (scope, key, request_hash, status, created_at, locked_until)
       VALUES ($1, $2, $3, 'in_progress', $4, $5)`,
      [
        `${api.site.id} POST /orders/:orderId/cancel`,
        key,
        requestHash('POST', `/api/sites/${api.site.id}/orders/${orderId}/cancel`, body),
        new Date(now - 60_000),
        new Date(now - 30_000),
      ],
    );
    expect((await api.runner.submit({ type: 'cancelOrder', orderId: asOrderId(orderId), reason: body.reason })).ok).toBe(true);
    const retry = await post(`/orders/${orderId}/cancel`, body, key);
    expect(retry.status).toBe(200);
    expect(await retry.json()).toMatchObject({ id: orderId, status: 'cancelled', cancelReason: 'duplicate order' });
  });

  it('while a claim of unknown holder (no life recorded) holds a live lease, a duplicate gets 409 REQUEST_IN_PROGRESS', async () => {
    const key = 'held-key';
    const body = { tenantId, lines: [{ skuId, qty: 1 }] };
    const hash = requestHash('POST', `/api/sites/${api.site.id}/orders`, body);
    const now = api.now();
    await api.store.pool.query(
      `INSERT INTO ${quoteIdent(api.schema)}.idempotency_keys (scope, key, request_hash, status, created_at, locked_until)
       VALUES ($1, $2, $3, 'in_progress', $4, $5)`,
      [`${api.site.id} POST /orders`, key, hash, new Date(now), new Date(now + 3600_000)],
    );
    const res = await post('/orders', body, key);
    expect(res.status).toBe(409);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('REQUEST_IN_PROGRESS');
    expect(api.runner.twin.orders.has(asOrderId(deriveOrderId(api.site.id, tenantId, 'key', key)))).toBe(false);
  });

  /** A claim of `key` for `body` as a request still running under `holder` would have left it (lease: 1 h). */
  async function leftClaim(key: string, body: unknown, holder: string | null): Promise<void> {
    const now = api.now();
    await api.store.pool.query(
      `INSERT INTO ${quoteIdent(api.schema)}.idempotency_keys (scope, key, request_hash, status, created_at, locked_until, holder)
       VALUES ($1, $2, $3, 'in_progress', $4, $5, $6)`,
      [`${api.site.id} POST /orders`, key, requestHash('POST', `/api/sites/${api.site.id}/orders`, body), new Date(now), new Date(now + HOUR), holder],
    );
  }

  it('a claim left by an earlier life of a process (killed mid-request) is taken over at once, not after its lease', async () => {
    const key = 'killed-holder-key';
    const body = { tenantId, lines: [{ skuId, qty: 1 }] };
    await leftClaim(key, body, 'boot-before-kill-9');
    const res = await post('/orders', body, key);
    expect(res.status).toBe(201);
    const orderId = asOrderId(deriveOrderId(api.site.id, tenantId, 'key', key));
    expect(api.runner.twin.orders.has(orderId)).toBe(true);
    // The retry after it replays the stored answer: one order.
    const again = await post('/orders', body, key);
    expect(again.status).toBe(201);
    expect(((await again.json()) as { id: string }).id).toBe(orderId);
  });

  it("a live claim of this process's own life is still waited for (409 REQUEST_IN_PROGRESS when it outlasts the wait)", async () => {
    const key = 'own-holder-key';
    const body = { tenantId, lines: [{ skuId, qty: 1 }] };
    await leftClaim(key, body, THIS_LIFE);
    const res = await post('/orders', body, key);
    expect(res.status).toBe(409);
    expect(api.runner.twin.orders.has(asOrderId(deriveOrderId(api.site.id, tenantId, 'key', key)))).toBe(false);
  });

  it('rejects a malformed key with 400 and runs nothing', async () => {
    const seqBefore = api.runner.twin.seq;
    for (const key of ['x'.repeat(256), 'caf\u00e9']) {
      const res = await post('/orders', { tenantId, lines: [{ skuId, qty: 1 }] }, key);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('INVALID_IDEMPOTENCY_KEY');
    }
    expect(api.runner.twin.seq).toBe(seqBefore);
  });

  it('does not store a validation failure: the corrected request with the same key runs', async () => {
    const bad = await post('/orders', { tenantId, lines: [{ skuId, qty: 0 }] }, 'fix-me');
    expect(bad.status).toBe(400);
    expect((await postSettled('/orders', { tenantId, lines: [{ skuId, qty: 1 }] }, 'fix-me')).status).toBe(201);
  });
});
