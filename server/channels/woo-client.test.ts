import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeChannel, type FakeChannel } from './testing/fake-channel.ts';
import { WooClient } from './woo-client.ts';

let fake: FakeChannel;
let client: WooClient;
beforeEach(async () => {
  fake = await startFakeChannel();
  client = new WooClient({ baseUrl: `${fake.url}/`, apiToken: fake.wooToken, timeoutMs: 5000 });
});
afterEach(async () => {
  await fake.close();
});

describe('WooClient', () => {
  it('sets stock on a product and on a variation', async () => {
    fake.woo.setStock('10', 0);
    fake.woo.setStock('20/21', 0);
    expect(await client.setStock('10', 6)).toEqual({ kind: 'ok' });
    expect(await client.setStock('20/21', 2)).toEqual({ kind: 'ok' });
    expect([fake.woo.stock('10'), fake.woo.stock('20/21')]).toEqual([6, 2]);
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['PUT /wp-json/wc/v3/products/10', 'PUT /wp-json/wc/v3/products/20/variations/21']);
  });

  it('completes an order with tracking meta', async () => {
    fake.woo.addOrder({ id: 77, status: 'processing' });
    expect(await client.completeOrder('77', { trackingNumber: 'FT77', carrier: 'Floortwin Post' })).toEqual({ kind: 'ok' });
    expect(fake.woo.order(77)).toMatchObject({
      status: 'completed',
      meta_data: [{ key: '_tracking_number', value: 'FT77' }, { key: '_tracking_provider', value: 'Floortwin Post' }],
    });
  });

  it('classifies failures: unknown product and bad credentials permanent, 503 and 429 retryable', async () => {
    expect(await client.setStock('404', 1)).toMatchObject({ kind: 'error', retryable: false, status: 404 });
    const wrong = new WooClient({ baseUrl: fake.url, apiToken: 'ck_fake:wrong' });
    fake.woo.setStock('10', 0);
    expect(await wrong.setStock('10', 1)).toMatchObject({ kind: 'error', retryable: false, status: 401 });
    fake.failNext(1, 503);
    expect(await client.setStock('10', 1)).toMatchObject({ kind: 'error', retryable: true, status: 503 });
    fake.failNext(1, 429, { retryAfterSec: 5 });
    expect(await client.setStock('10', 1)).toMatchObject({ kind: 'error', retryable: true, retryAfterMs: 5000 });
    expect(await client.setStock('abc', 1)).toMatchObject({ kind: 'error', retryable: false });
    expect(fake.woo.stock('10')).toBe(0);
  });
});
