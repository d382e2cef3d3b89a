/**
 * The HTTP API against a real Postgres: validation at the edge, domain errors as 4xx, and no overselling when many
 * clients allocate the last units at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SiteDefinition } from '../twin/site.ts';
import type { SiteRunner } from '../site/site-runner.ts';
import type { PgEventStore } from '../store/event-store.pg.ts';
import { startApiOnPostgres, type ApiOnPostgres } from '../testing/api-on-postgres.ts';

describe('HTTP API on Postgres', () => {
  let store: PgEventStore;
  let runner: SiteRunner;
  let site: SiteDefinition;
  let api: ApiOnPostgres;
  let base: string;

  beforeAll(async () => {
    api = await startApiOnPostgres('api');
    ({ store, runner, site, base } = api);
  });

  afterAll(async () => {
    await api?.close();
  });

  const post = (url: string, body: unknown, contentType = 'application/json') =>
    fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) });

  /** A SKU of the first tenant and an empty location, for tests that need their own stock. */
  function freshStock(n: number) {
    const sku = site.skus.filter((s) => !s.lotTracked)[n];
    const location = site.layout.locations[100 + n];
    if (!sku || !location) throw new Error('demo site too small');
    return { skuId: sku.id, tenantId: sku.tenantId, locationId: location.id };
  }

  it('receives stock and reports it', async () => {
    const { skuId, tenantId, locationId } = freshStock(0);
    const receipt = await post(`${base}/stock/receipts`, { tenantId, locationId, skuId, qty: 7 });
    expect(receipt.status).toBe(201);
    const stock = (await (await fetch(`${base}/stock?locationId=${locationId}`)).json()) as { quants: { onHand: number; available: number }[] };
    expect(stock.quants).toEqual([expect.objectContaining({ onHand: 7, available: 7 })]);
  });

  it('rejects bad input with a 4xx naming the problem, and changes nothing', async () => {
    const { skuId, tenantId, locationId } = freshStock(1);
    const seqBefore = runner.twin.seq;
    const cases: [Response, number, string, RegExp][] = [
      [await post(`${base}/orders`, { tenantId, lines: [{ skuId, qty: 0 }] }), 400, 'VALIDATION_FAILED', /lines\.0\.qty/],
      [await post(`${base}/orders`, { tenantId, lines: [] }), 400, 'VALIDATION_FAILED', /lines/],
      [await post(`${base}/orders`, { tenantId, lines: [{ skuId, qty: 1.5 }] }), 400, 'VALIDATION_FAILED', /whole number/],
      [await post(`${base}/orders`, { tenantId, lines: [{ skuId, qty: 1 }], status: 'despatched' }), 400, 'VALIDATION_FAILED', /status/],
      [await post(`${base}/orders`, '{"tenantId": '), 400, 'MALFORMED_JSON', /JSON/],
      [await post(`${base}/orders`, 'tenantId=x', 'application/x-www-form-urlencoded'), 415, 'UNSUPPORTED_MEDIA_TYPE', /json/],
      [await post(`${base}/orders`, { tenantId, lines: [{ skuId: 'NO-SUCH-SKU', qty: 1 }] }), 422, 'UNKNOWN_SKU', /NO-SUCH-SKU/],
      [await post(`${base}/stock/receipts`, { tenantId, locationId: 'A99-B9-999-L9', skuId, qty: 1 }), 422, 'UNKNOWN_LOCATION', /A99-B9-999-L9/],
      [await post(`${base}/stock/receipts`, { tenantId, locationId, skuId, qty: -1 }), 400, 'VALIDATION_FAILED', /qty/],
      [await post(`${base}/stock/moves`, { tenantId, fromLocationId: locationId, toLocationId: locationId, skuId, qty: 1 }), 400, 'VALIDATION_FAILED', /toLocationId/],
      [await post(`${base}/orders/NOPE/allocate`, {}), 404, 'UNKNOWN_ORDER', /NOPE/],
      [await fetch(`${base}/orders?limit=1000000000`), 400, 'VALIDATION_FAILED', /limit/],
      [await fetch(`${base.replace(/demo$/, 'nowhere')}/orders`), 404, 'UNKNOWN_SITE', /nowhere/],
    ];
    for (const [response, status, code, message] of cases) {
      const body = (await response.json()) as { error: { code: string; message: string; details: unknown } };
      expect({ status: response.status, code: body.error.code }).toEqual({ status, code });
      expect(body.error.message).toMatch(message);
      expect(body.error).toHaveProperty('details');
    }
    expect(runner.twin.seq).toBe(seqBefore);
  });

  it('never oversells: of 60 concurrent single-unit allocations on 10 units, exactly 10 succeed', async () => {
    const { skuId, tenantId, locationId } = freshStock(2);
    expect((await post(`${base}/stock/receipts`, { tenantId, locationId, skuId, qty: 10 })).status).toBe(201);
    const orderIds = Array.from({ length: 60 }, (_, i) => `RACE-${i}`);
    const created = await Promise.all(orderIds.map((orderId) => post(`${base}/orders`, { orderId, tenantId, lines: [{ skuId, qty: 1 }] })));
    expect(created.map((r) => r.status)).toEqual(orderIds.map(() => 201));

    const allocations = await Promise.all(orderIds.map((orderId) => post(`${base}/orders/${orderId}/allocate`, {})));
    const statuses = allocations.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 409)).toHaveLength(50);
    const refusal = (await allocations[statuses.indexOf(409)]?.json()) as { error: { code: string } };
    expect(refusal.error.code).toBe('OUT_OF_STOCK');

    const stock = (await (await fetch(`${base}/stock?locationId=${locationId}`)).json()) as { quants: { onHand: number; reserved: number }[] };
    expect(stock.quants).toEqual([expect.objectContaining({ onHand: 10, reserved: 10 })]);
    // The durable projection agrees with the twin.
    const rows = await store.query<{ on_hand: number; reserved: number }>(
      'SELECT on_hand, reserved FROM stock_quant WHERE site_id = $1 AND location_id = $2',
      [site.id, locationId],
    );
    expect(rows).toEqual([{ on_hand: 10, reserved: 10 }]);
  });
});
