import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeChannel, type FakeChannel } from './testing/fake-channel.ts';
import { parseRetryAfter, ShopifyClient } from './shopify-client.ts';

const ITEM = 'gid://shopify/InventoryItem/7';
const LOCATION = 'gid://shopify/Location/1';
const OTHER_LOCATION = 'gid://shopify/Location/2';
const DOC = 'gid://floortwin/OutboxEntry/1';

let fake: FakeChannel;
let client: ShopifyClient;
beforeEach(async () => {
  fake = await startFakeChannel();
  client = new ShopifyClient({ baseUrl: fake.url, accessToken: fake.shopifyToken, apiVersion: '2025-07', timeoutMs: 5000 });
});
afterEach(async () => {
  await fake.close();
});

describe('ShopifyClient.setAvailable / getAvailable', () => {
  it('sets with compare-and-set, reports stale without writing, and reads the level back', async () => {
    fake.shopify.setLevel(ITEM, LOCATION, 4);
    expect(await client.setAvailable({ inventoryItemId: ITEM, locationId: LOCATION, quantity: 9, changeFromQuantity: 4, referenceDocumentUri: DOC })).toEqual({ kind: 'ok' });
    expect(fake.shopify.level(ITEM, LOCATION)).toBe(9);
    const stale = await client.setAvailable({ inventoryItemId: ITEM, locationId: LOCATION, quantity: 2, changeFromQuantity: 4, referenceDocumentUri: DOC });
    expect(stale.kind).toBe('stale');
    expect(fake.shopify.level(ITEM, LOCATION)).toBe(9);
    expect(await client.getAvailable(ITEM, LOCATION)).toEqual({ kind: 'ok', available: 9 });
    expect(await client.getAvailable(ITEM, OTHER_LOCATION)).toEqual({ kind: 'ok', available: null });
    // Every request passed the fake's shape checks.
    expect(fake.requests.map((r) => r.status)).toEqual([200, 200, 200, 200]);
  });

  it('classifies failures: 5xx and 429 retryable (Retry-After honoured), 401 and userErrors permanent, network retryable', async () => {
    fake.shopify.setLevel(ITEM, LOCATION, 4);
    const input = { inventoryItemId: ITEM, locationId: LOCATION, quantity: 1, changeFromQuantity: 4, referenceDocumentUri: DOC };
    fake.failNext(1, 502);
    expect(await client.setAvailable(input)).toMatchObject({ kind: 'error', retryable: true, status: 502 });
    fake.failNext(1, 429, { retryAfterSec: 3 });
    expect(await client.setAvailable(input)).toMatchObject({ kind: 'error', retryable: true, status: 429, retryAfterMs: 3000 });
    fake.failNext(1, 'throttled');
    expect(await client.setAvailable(input)).toMatchObject({ kind: 'error', retryable: true, status: 200 });
    fake.failNext(1, 'network');
    expect(await client.setAvailable(input)).toMatchObject({ kind: 'error', retryable: true, status: null });
    const badToken = new ShopifyClient({ baseUrl: fake.url, accessToken: 'nope', apiVersion: '2025-07' });
    expect(await badToken.setAvailable(input)).toMatchObject({ kind: 'error', retryable: false, status: 401 });
    expect(await client.setAvailable({ ...input, referenceDocumentUri: 'gid://shopify/Order/1' })).toMatchObject({ kind: 'error', retryable: false });
    expect(fake.shopify.level(ITEM, LOCATION)).toBe(4);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('2', 0)).toBe(2000);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:05 GMT', 1000)).toBe(4000);
    expect(parseRetryAfter(null, 0)).toBeNull();
    expect(parseRetryAfter('soon', 0)).toBeNull();
  });
});

describe('ShopifyClient.fulfil', () => {
  it('fulfils the open fulfilment orders at our location with tracking, and a repeat is already fulfilled', async () => {
    const gid = fake.shopify.addOrder(
      { id: 5001 },
      { fulfillmentOrders: [{ id: 'gid://shopify/FulfillmentOrder/1', status: 'OPEN', locationId: LOCATION }, { id: 'gid://shopify/FulfillmentOrder/2', status: 'OPEN', locationId: OTHER_LOCATION }] },
    );
    const input = { orderGid: '5001', trackingCompany: 'Floortwin Post', trackingNumber: 'FT1', locationId: LOCATION };
    const first = await client.fulfil(input);
    expect(first).toMatchObject({ kind: 'ok', alreadyFulfilled: false });
    expect(fake.shopify.fulfilments).toMatchObject([{ orderGid: gid, fulfillmentOrderIds: ['gid://shopify/FulfillmentOrder/1'], trackingNumber: 'FT1', trackingCompany: 'Floortwin Post' }]);
    expect(fake.shopify.fulfillmentOrders(gid).map((fo) => fo.status)).toEqual(['CLOSED', 'OPEN']);
    expect(await client.fulfil(input)).toEqual({ kind: 'ok', fulfillmentId: null, alreadyFulfilled: true });
    expect(fake.shopify.fulfilments).toHaveLength(1);
  });

  it('is a permanent failure for an unknown order or a cancelled fulfilment order', async () => {
    expect(await client.fulfil({ orderGid: 'gid://shopify/Order/404', trackingCompany: null, trackingNumber: null })).toMatchObject({ kind: 'error', retryable: false });
    fake.shopify.addOrder({ id: 6 }, { fulfillmentOrders: [{ id: 'gid://shopify/FulfillmentOrder/9', status: 'CANCELLED' }] });
    expect(await client.fulfil({ orderGid: 'gid://shopify/Order/6', trackingCompany: 'X', trackingNumber: '1' })).toMatchObject({ kind: 'error', retryable: false });
  });
});
