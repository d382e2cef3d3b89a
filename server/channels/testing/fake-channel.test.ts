import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeChannel, type FakeChannel } from './fake-channel.ts';

const ITEM = 'gid://shopify/InventoryItem/111';
const LOCATION = 'gid://shopify/Location/9';
const SET_QUANTITIES = `mutation SetAvailable($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) {
    inventoryAdjustmentGroup { id changes { name delta quantityAfterChange } }
    userErrors { field message code }
  }
}`;

let fake: FakeChannel;
beforeEach(async () => {
  fake = await startFakeChannel();
});
afterEach(async () => {
  await fake.close();
});

interface UserError {
  field: string[];
  message: string;
  code: string;
}
interface GqlBody {
  data: {
    inventorySetQuantities: {
      inventoryAdjustmentGroup: { id: string; changes: { name: string; delta: number; quantityAfterChange: number }[] } | null;
      userErrors: UserError[];
    };
    fulfillmentCreate: { fulfillment: { id: string; status: string } | null; userErrors: UserError[] };
    order: { fulfillmentOrders: { nodes: { id: string; status: string }[] } } | null;
  };
  errors: { message: string }[];
}

async function gql(query: string, variables: unknown, init: { token?: string; version?: string } = {}): Promise<{ status: number; body: GqlBody }> {
  const res = await fetch(`${fake.url}/admin/api/${init.version ?? '2025-07'}/graphql.json`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Shopify-Access-Token': init.token ?? fake.shopifyToken },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as GqlBody };
}

function setInput(quantity: number, changeFromQuantity: number | null | undefined, extra: Record<string, unknown> = {}): unknown {
  const q: Record<string, unknown> = { inventoryItemId: ITEM, locationId: LOCATION, quantity };
  if (changeFromQuantity !== undefined) q['changeFromQuantity'] = changeFromQuantity;
  return { input: { name: 'available', reason: 'correction', referenceDocumentUri: 'gid://floortwin/Outbox/1', quantities: [q], ...extra } };
}

const wooAuth = (): string => `Basic ${Buffer.from(fake.wooToken).toString('base64')}`;
async function woo(method: string, path: string, body?: unknown, auth = wooAuth()): Promise<Response> {
  return fetch(`${fake.url}/wp-json/wc/v3/${path}`, {
    method,
    headers: { Authorization: auth, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

describe('fake Shopify inventorySetQuantities', () => {
  it('sets the level when changeFromQuantity matches, answering only the selected fields', async () => {
    fake.shopify.setLevel(ITEM, LOCATION, 5);
    const { status, body } = await gql(SET_QUANTITIES, setInput(7, 5));
    expect(status).toBe(200);
    expect(body.data.inventorySetQuantities.userErrors).toEqual([]);
    expect(body.data.inventorySetQuantities.inventoryAdjustmentGroup?.changes).toEqual([{ name: 'available', delta: 2, quantityAfterChange: 7 }]);
    expect(Object.keys(body.data.inventorySetQuantities.inventoryAdjustmentGroup ?? {})).toEqual(['id', 'changes']);
    expect(fake.shopify.level(ITEM, LOCATION)).toBe(7);
    expect(fake.requests.at(-1)).toMatchObject({ channel: 'shopify', operation: 'inventorySetQuantities', status: 200 });
  });

  it('rejects a stale changeFromQuantity with CHANGE_FROM_QUANTITY_STALE and leaves the level alone', async () => {
    fake.shopify.setLevel(ITEM, LOCATION, 5);
    const { body } = await gql(SET_QUANTITIES, setInput(7, 4));
    expect(body.data.inventorySetQuantities.inventoryAdjustmentGroup).toBeNull();
    expect(body.data.inventorySetQuantities.userErrors[0]?.code).toBe('CHANGE_FROM_QUANTITY_STALE');
    expect(fake.shopify.level(ITEM, LOCATION)).toBe(5);
  });

  it('accepts an explicit null changeFromQuantity (opt out of compare-and-set) but not a missing one', async () => {
    fake.shopify.setLevel(ITEM, LOCATION, 5);
    expect((await gql(SET_QUANTITIES, setInput(3, null))).body.data.inventorySetQuantities.userErrors).toEqual([]);
    expect(fake.shopify.level(ITEM, LOCATION)).toBe(3);
    const missing = await gql(SET_QUANTITIES, setInput(4, undefined));
    expect(missing.body.data.inventorySetQuantities.userErrors[0]?.code).toBe('CHANGE_FROM_QUANTITY_REQUIRED');
    expect(fake.shopify.level(ITEM, LOCATION)).toBe(3);
  });

  it('refuses gid://shopify/ reference documents, unknown reasons and items not stocked at the location', async () => {
    fake.shopify.setLevel(ITEM, LOCATION, 5);
    const input = setInput(1, 5) as { input: Record<string, unknown> };
    input.input['referenceDocumentUri'] = 'gid://shopify/Order/1';
    input.input['reason'] = 'because';
    const codes = (await gql(SET_QUANTITIES, input)).body.data.inventorySetQuantities.userErrors.map((e) => e.code);
    expect(codes).toEqual(['INVALID_REASON', 'INVALID_REFERENCE_DOCUMENT']);
    const other = setInput(1, 0) as { input: { quantities: Record<string, unknown>[] } };
    other.input.quantities[0]!['inventoryItemId'] = 'gid://shopify/InventoryItem/999';
    expect((await gql(SET_QUANTITIES, other)).body.data.inventorySetQuantities.userErrors[0]?.code).toBe('ITEM_NOT_STOCKED_AT_LOCATION');
  });

  it('answers 400 for malformed variables, wrong variable types, unknown fields and parse errors', async () => {
    fake.shopify.setLevel(ITEM, LOCATION, 5);
    const asString = setInput(1, 5) as { input: { quantities: Record<string, unknown>[] } };
    asString.input.quantities[0]!['quantity'] = '1';
    const cases: [string, unknown][] = [
      [SET_QUANTITIES, asString],
      [SET_QUANTITIES, setInput(1, 5, { extra: true })],
      [SET_QUANTITIES, { input: { name: 'available', reason: 'correction', quantities: [{ inventoryItemId: ITEM, locationId: LOCATION }] } }],
      [SET_QUANTITIES.replace('InventorySetQuantitiesInput!', 'InventorySetQuantitiesInput'), setInput(1, 5)],
      [SET_QUANTITIES.replace('userErrors { field message code }', 'userErrors { field message code nonsense }'), setInput(1, 5)],
      [SET_QUANTITIES.replace('inventoryAdjustmentGroup { id changes { name delta quantityAfterChange } }', 'inventoryAdjustmentGroup'), setInput(1, 5)],
      ['mutation { inventorySetQuantities(input: $input) { userErrors { code } }', setInput(1, 5)],
      ['mutation { productDelete(id: "1") { userErrors { message } } }', {}],
    ];
    for (const [query, variables] of cases) {
      const { status, body } = await gql(query, variables);
      expect(status, query).toBe(400);
      expect(body.errors[0]?.message, query).toMatch(/./);
    }
    expect(fake.shopify.level(ITEM, LOCATION)).toBe(5);
  });

  it('checks the access token, the API version and the method', async () => {
    expect((await gql(SET_QUANTITIES, setInput(1, 5), { token: 'wrong' })).status).toBe(401);
    expect((await gql(SET_QUANTITIES, setInput(1, 5), { version: '2025-08' })).status).toBe(404);
    const get = await fetch(`${fake.url}/admin/api/2025-07/graphql.json`, { headers: { 'X-Shopify-Access-Token': fake.shopifyToken } });
    expect(get.status).toBe(405);
  });
});

describe('fake Shopify fulfilment', () => {
  const FOS = `query FOs($id: ID!) { order(id: $id) { fulfillmentOrders(first: 10) { nodes { id status } } } }`;
  const CREATE = `mutation Fulfil($fulfillment: FulfillmentInput!) {
    fulfillmentCreate(fulfillment: $fulfillment) { fulfillment { id status } userErrors { field message } }
  }`;

  it('lists fulfilment orders, fulfils them with tracking, and refuses a second fulfilment of a closed one', async () => {
    const gid = fake.shopify.addOrder({ id: 820982911946154508n, name: '#1001' });
    const fos = await gql(FOS, { id: gid });
    const nodes = fos.body.data.order?.fulfillmentOrders.nodes ?? [];
    expect(nodes.map((n) => n.status)).toEqual(['OPEN']);
    expect(nodes[0]?.id).toMatch(/^gid:\/\/shopify\/FulfillmentOrder\/\d+$/);
    const fulfillment = {
      lineItemsByFulfillmentOrder: [{ fulfillmentOrderId: nodes[0]!.id }],
      trackingInfo: { company: 'Floortwin Post', number: 'FT123', url: 'https://track.example/FT123' },
      notifyCustomer: true,
    };
    const first = await gql(CREATE, { fulfillment });
    expect(first.body.data.fulfillmentCreate).toMatchObject({ fulfillment: { status: 'SUCCESS' }, userErrors: [] });
    expect(fake.shopify.fulfilments).toMatchObject([{ orderGid: gid, trackingCompany: 'Floortwin Post', trackingNumber: 'FT123', notifyCustomer: true }]);
    const second = await gql(CREATE, { fulfillment });
    expect(second.body.data.fulfillmentCreate.fulfillment).toBeNull();
    expect(second.body.data.fulfillmentCreate.userErrors[0]?.message).toMatch(/unfulfillable status/);
    expect((await gql(FOS, { id: 'gid://shopify/Order/1' })).body.data.order).toBeNull();
  });

  it('rejects code on UserError (fulfillmentCreate has no error codes) and a connection without first/last', async () => {
    expect((await gql(CREATE.replace('userErrors { field message }', 'userErrors { field message code }'), { fulfillment: { lineItemsByFulfillmentOrder: [] } })).status).toBe(400);
    expect((await gql(FOS.replace('(first: 10)', ''), { id: 'gid://shopify/Order/1' })).status).toBe(400);
  });
});

describe('fake Shopify orders.json', () => {
  it('filters by updated_at_min and paginates with Link page_info cursors; int64 ids stay exact', async () => {
    for (let i = 1; i <= 5; i++) fake.shopify.addOrder({ id: 9007199254740993n + BigInt(i), updated_at: `2026-11-2${i}T10:00:00Z` });
    const first = await fetch(`${fake.url}/admin/api/2025-07/orders.json?status=any&updated_at_min=2026-11-22T00:00:00Z&limit=3`, {
      headers: { 'X-Shopify-Access-Token': fake.shopifyToken },
    });
    const text = await first.text();
    expect(text).toContain('"id":9007199254740995');
    const link = first.headers.get('link')!;
    expect(link).toMatch(/rel="next"/);
    const next = /<([^>]+)>; rel="next"/.exec(link)![1]!;
    const second = await fetch(next, { headers: { 'X-Shopify-Access-Token': fake.shopifyToken } });
    const body = (await second.json()) as { orders: { updated_at: string }[] };
    expect(body.orders.map((o) => o.updated_at)).toEqual(['2026-11-25T10:00:00Z']);
    expect(second.headers.get('link')).toMatch(/rel="previous"/);
    expect(second.headers.get('link')).not.toMatch(/rel="next"/);
    const mixed = await fetch(`${next}&status=any`, { headers: { 'X-Shopify-Access-Token': fake.shopifyToken } });
    expect(mixed.status).toBe(400);
  });
});

describe('fake WooCommerce', () => {
  it('sets stock on products and variations with basic auth', async () => {
    fake.woo.setStock(12, 0);
    fake.woo.setStock('20/21', 0);
    expect((await woo('PUT', 'products/12', { manage_stock: true, stock_quantity: 8 })).status).toBe(200);
    expect((await woo('PUT', 'products/20/variations/21', { manage_stock: true, stock_quantity: 3 })).status).toBe(200);
    expect(fake.woo.stock(12)).toBe(8);
    expect(fake.woo.stock('20/21')).toBe(3);
  });

  it('rejects bad auth, bad types and unknown products', async () => {
    fake.woo.setStock(12, 1);
    expect((await woo('PUT', 'products/12', { stock_quantity: 5 }, 'Basic ' + Buffer.from('ck_fake:nope').toString('base64'))).status).toBe(401);
    const bad = await woo('PUT', 'products/12', { manage_stock: true, stock_quantity: '5' });
    expect(bad.status).toBe(400);
    const reason = (await bad.json()) as { code: string; data: { status: number; params: Record<string, string> } };
    expect([reason.code, reason.data.status, Object.keys(reason.data.params)]).toEqual(['rest_invalid_param', 400, ['stock_quantity']]);
    expect((await woo('PUT', 'products/13', { manage_stock: true, stock_quantity: 5 })).status).toBe(404);
    expect((await woo('DELETE', 'products/12')).status).toBe(404);
    expect(fake.woo.stock(12)).toBe(1);
  });

  it('completes an order with tracking meta and lists orders modified after a date with WP paging headers', async () => {
    let clock = Date.parse('2026-11-27T08:00:00Z');
    await fake.close();
    fake = await startFakeChannel({ now: () => clock });
    for (let id = 1; id <= 3; id++) fake.woo.addOrder({ id, status: 'processing' });
    clock += 60_000;
    const put = await woo('PUT', 'orders/2', { status: 'completed', meta_data: [{ key: '_tracking_number', value: 'FT9' }] });
    expect(put.status).toBe(200);
    expect(fake.woo.order(2)).toMatchObject({ status: 'completed', meta_data: [{ key: '_tracking_number', value: 'FT9' }], date_modified_gmt: '2026-11-27T08:01:00' });
    expect((await woo('PUT', 'orders/2', { status: 'shipped' })).status).toBe(400);
    expect((await woo('PUT', 'orders/99', { status: 'completed' })).status).toBe(404);

    const all = await woo('GET', 'orders?modified_after=2026-11-27T07:00:00&page=1&per_page=2');
    expect([all.headers.get('x-wp-total'), all.headers.get('x-wp-totalpages')]).toEqual(['3', '2']);
    const changed = await woo('GET', 'orders?modified_after=2026-11-27T08:00:30&per_page=10');
    expect(((await changed.json()) as { id: number }[]).map((o) => o.id)).toEqual([2]);
    expect((await woo('GET', 'orders?per_page=500')).status).toBe(400);
  });
});

describe('fault injection', () => {
  it('answers injected 503 and 429 (with Retry-After) before any check, then serves normally', async () => {
    fake.woo.setStock(12, 0);
    fake.failNext(1, 503);
    fake.failNext(1, 429, { retryAfterSec: 7 });
    expect((await woo('PUT', 'products/12', { manage_stock: true, stock_quantity: 1 })).status).toBe(503);
    const throttled = await woo('PUT', 'products/12', { manage_stock: true, stock_quantity: 1 });
    expect([throttled.status, throttled.headers.get('retry-after')]).toEqual([429, '7']);
    expect(fake.woo.stock(12)).toBe(0);
    expect((await woo('PUT', 'products/12', { manage_stock: true, stock_quantity: 1 })).status).toBe(200);
    expect(fake.woo.stock(12)).toBe(1);
  });

  it('drops the connection for a network failure, only on matching paths', async () => {
    fake.woo.setStock(12, 0);
    fake.failNext(1, 'network', { path: /products/ });
    expect((await woo('GET', 'orders')).status).toBe(200);
    await expect(woo('PUT', 'products/12', { manage_stock: true, stock_quantity: 1 })).rejects.toThrow();
    expect(fake.requests.map((r) => r.status)).toEqual([200, 0]);
  });
});
