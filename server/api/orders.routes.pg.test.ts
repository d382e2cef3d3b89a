/**
 * REST orders on Postgres: ship-to, service and due date; create-and-allocate in one request; external refs unique per
 * tenant and channel; allocation holds; cancellation (with Idempotency-Key).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asLocationId, asSkuId, asTenantId } from '../twin/ids.ts';
import { startOrdersApi, type OrdersApi } from '../testing/orders-api-on-postgres.ts';

interface OrderBody {
  id: string;
  status: string;
  channel: string;
  externalRef: string | null;
  shipTo: unknown;
  service: string | null;
  dueAt: string | null;
  holdUntil: string | null;
  cancelReason: string | null;
  lines: { skuId: string; qty: number; allocated: number; backordered: number }[];
  allocation?: { ok: boolean; policy: string; error?: { code: string; details: unknown } };
}
interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> | null };
}

describe('REST orders', () => {
  let api: OrdersApi;
  let stockIndex = 0;

  beforeAll(async () => {
    api = await startOrdersApi('orders');
  });
  afterAll(async () => {
    await api?.close();
  });

  const post = (path: string, body: unknown, key?: string) =>
    fetch(`${api.base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { 'idempotency-key': key }) },
      body: JSON.stringify(body),
    });

  /** A plain SKU of its own with `qty` units received in a bin of its own. */
  async function stocked(qty: number) {
    const n = stockIndex++;
    const sku = api.site.skus.filter((s) => !s.lotTracked)[n];
    const location = api.site.layout.locations[200 + n];
    if (!sku || !location) throw new Error('demo site too small');
    if (qty > 0) {
      const received = await api.runner.submit({
        type: 'receiveStock',
        tenantId: asTenantId(sku.tenantId),
        locationId: asLocationId(location.id),
        skuId: asSkuId(sku.id),
        qty,
      });
      expect(received.ok).toBe(true);
    }
    return { tenantId: sku.tenantId, skuId: sku.id };
  }

  const shipTo = { name: 'Ada Lovelace', line1: '12 St James Square', city: 'London', postcode: 'SW1Y 4JH', country: 'GB' };

  it('creates an order with ship-to, service and due date, on channel api', async () => {
    const { tenantId, skuId } = await stocked(0);
    const res = await post('/orders', { tenantId, externalRef: 'WEB-1', lines: [{ skuId, qty: 1 }], shipTo, service: 'next-day', dueAt: '2026-11-27T16:30:00+01:00' });
    expect(res.status).toBe(201);
    const order = (await res.json()) as OrderBody;
    expect(order).toMatchObject({ status: 'open', channel: 'api', externalRef: 'WEB-1', shipTo, service: 'next-day', dueAt: '2026-11-27T15:30:00.000Z' });
    expect(order.allocation).toBeUndefined();
    expect(res.headers.get('location')).toBe(`/api/sites/${api.site.id}/orders/${order.id}`);
  });

  it('refuses a second order with the same external ref for the tenant and channel, naming the first', async () => {
    const { tenantId, skuId } = await stocked(0);
    const first = (await (await post('/orders', { tenantId, externalRef: 'WEB-2', lines: [{ skuId, qty: 1 }] })).json()) as OrderBody;
    const again = await post('/orders', { tenantId, externalRef: 'WEB-2', lines: [{ skuId, qty: 2 }] });
    expect(again.status).toBe(409);
    const body = (await again.json()) as ErrorBody;
    expect(body.error.code).toBe('DUPLICATE_ORDER');
    expect(body.error.details?.['orderId']).toBe(first.id);
  });

  it('rejects a bad address, service or due date with 400 naming the field', async () => {
    const { tenantId, skuId } = await stocked(0);
    const seqBefore = api.runner.twin.seq;
    const cases: [unknown, RegExp][] = [
      [{ tenantId, lines: [{ skuId, qty: 1 }], shipTo: { ...shipTo, street: 'x' } }, /shipTo/],
      [{ tenantId, lines: [{ skuId, qty: 1 }], shipTo: { ...shipTo, country: 'United Kingdom' } }, /shipTo\.country/],
      [{ tenantId, lines: [{ skuId, qty: 1 }], shipTo: { name: 'A' } }, /shipTo\.line1/],
      [{ tenantId, lines: [{ skuId, qty: 1 }], dueAt: 'tomorrow' }, /dueAt/],
      [{ tenantId, lines: [{ skuId, qty: 1 }], dueAt: 1764259200000 }, /dueAt/],
      [{ tenantId, lines: [{ skuId, qty: 1 }], service: '' }, /service/],
      [{ tenantId, lines: [{ skuId, qty: 1 }], allocate: 'some' }, /allocate/],
    ];
    for (const [body, field] of cases) {
      const res = await post('/orders', body);
      expect(res.status).toBe(400);
      const error = (await res.json()) as ErrorBody;
      expect(error.error.code).toBe('VALIDATION_FAILED');
      expect(error.error.message).toMatch(field);
    }
    expect(api.runner.twin.seq).toBe(seqBefore);
  });

  it('creates and allocates in one request', async () => {
    const { tenantId, skuId } = await stocked(5);
    const res = await post('/orders', { tenantId, lines: [{ skuId, qty: 3 }], allocate: 'all-or-nothing' });
    expect(res.status).toBe(201);
    const order = (await res.json()) as OrderBody;
    expect(order.status).toBe('allocated');
    expect(order.allocation).toEqual({ ok: true, policy: 'all-or-nothing' });
    expect(order.lines[0]).toMatchObject({ qty: 3, allocated: 3, backordered: 0 });
  });

  it('all-or-nothing without enough stock: 201, the order stays open, allocation says OUT_OF_STOCK', async () => {
    const { tenantId, skuId } = await stocked(2);
    const res = await post('/orders', { tenantId, lines: [{ skuId, qty: 3 }], allocate: 'all-or-nothing' });
    expect(res.status).toBe(201);
    const order = (await res.json()) as OrderBody;
    expect(order.status).toBe('open');
    expect(order.allocation).toMatchObject({ ok: false, policy: 'all-or-nothing', error: { code: 'OUT_OF_STOCK' } });
    expect(order.lines[0]).toMatchObject({ allocated: 0 });
  });

  it('partial allocation backorders what is short', async () => {
    const { tenantId, skuId } = await stocked(2);
    const order = (await (await post('/orders', { tenantId, lines: [{ skuId, qty: 3 }], allocate: 'partial' })).json()) as OrderBody;
    expect(order.allocation).toEqual({ ok: true, policy: 'partial' });
    expect(order.lines[0]).toMatchObject({ allocated: 2, backordered: 1 });
  });

  it('allocates with a hold (ttlMs) and rejects a hold out of range', async () => {
    const { tenantId, skuId } = await stocked(2);
    const order = (await (await post('/orders', { tenantId, lines: [{ skuId, qty: 1 }] })).json()) as OrderBody;
    expect((await post(`/orders/${order.id}/allocate`, { ttlMs: 0 })).status).toBe(400);
    const res = await post(`/orders/${order.id}/allocate`, { policy: 'all-or-nothing', ttlMs: 60_000 });
    expect(res.status).toBe(200);
    const allocated = (await res.json()) as OrderBody;
    expect(allocated.status).toBe('allocated');
    expect(allocated.holdUntil).not.toBeNull();
  });

  it('cancels an order; the same Idempotency-Key replays the answer; unknown orders are 404', async () => {
    const { tenantId, skuId } = await stocked(3);
    const order = (await (await post('/orders', { tenantId, lines: [{ skuId, qty: 2 }], allocate: 'partial' })).json()) as OrderBody;
    expect((await post(`/orders/${order.id}/cancel`, {})).status).toBe(400);
    const first = await post(`/orders/${order.id}/cancel`, { reason: 'customer changed their mind' }, 'cancel-1');
    const firstText = await first.text();
    expect(first.status).toBe(200);
    expect(JSON.parse(firstText)).toMatchObject({ status: 'cancelled', cancelReason: 'customer changed their mind' });
    const seq = api.runner.twin.seq;
    const replay = await post(`/orders/${order.id}/cancel`, { reason: 'customer changed their mind' }, 'cancel-1');
    expect(replay.status).toBe(200);
    expect(await replay.text()).toBe(firstText);
    expect(api.runner.twin.seq).toBe(seq);
    const reused = await post(`/orders/${order.id}/cancel`, { reason: 'another reason' }, 'cancel-1');
    expect(reused.status).toBe(422);
    const unknown = await post('/orders/NO-SUCH-ORDER/cancel', { reason: 'x' });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as ErrorBody).error.code).toBe('UNKNOWN_ORDER');
  });
});
