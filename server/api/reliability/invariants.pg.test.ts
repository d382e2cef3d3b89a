/** The reusable site checker: clean on a healthy site, and it bites when the projection drifts from the log. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiOnPostgres, type ApiOnPostgres } from '../../testing/api-on-postgres.ts';
import { KeepAliveClient } from './http-client.ts';
import { siteInvariantProblems } from './invariants.ts';

describe('siteInvariantProblems', () => {
  let api: ApiOnPostgres;
  let client: KeepAliveClient;

  beforeAll(async () => {
    api = await startApiOnPostgres('inv');
    client = new KeepAliveClient(2);
  });
  afterAll(async () => {
    client?.close();
    await api?.close();
  });

  it('is empty on a healthy site and names the drift after a projection row is corrupted', async () => {
    const sku = api.site.skus.find((s) => !s.lotTracked);
    const location = api.site.layout.locations[400];
    if (!sku || !location) throw new Error('demo site too small');
    const steps: [string, unknown][] = [
      ['/stock/receipts', { tenantId: sku.tenantId, locationId: location.id, skuId: sku.id, qty: 5 }],
      ['/orders', { orderId: 'INV-1', tenantId: sku.tenantId, lines: [{ skuId: sku.id, qty: 2 }] }],
      ['/orders/INV-1/allocate', {}],
    ];
    for (const [path, body] of steps) expect((await client.postJson(`${api.base}${path}`, body)).status).toBeLessThan(300);
    expect(await siteInvariantProblems(api)).toEqual([]);

    await api.store.pool.query(`UPDATE ${api.store.tables.stockQuant} SET on_hand = on_hand + 1 WHERE site_id = $1 AND location_id = $2`, [
      api.site.id,
      location.id,
    ]);
    const problems = await siteInvariantProblems(api);
    expect(problems).toEqual(
      expect.arrayContaining([expect.stringMatching(/^store: I1 /), expect.stringMatching(/^store: I2 /), expect.stringMatching(/^projection: /)]),
    );
    expect(problems.some((p) => p.startsWith('twin:') || p.startsWith('ledger:'))).toBe(false);
  });
});
