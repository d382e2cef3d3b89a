/**
 * C1 (reliability.md §6.1), CI size: 1,000 single-unit allocation attempts from 50 concurrent HTTP clients on the
 * last 10 units of a SKU. Exactly 10 succeed, every other attempt is 409 OUT_OF_STOCK, nothing is 5xx, Postgres holds
 * on_hand 10 / reserved 10, and every invariant holds. Variant (c): the 10 units split over 10 bins. Also with the
 * allocation in the create body, where a refusal is 201 with `allocation: { ok: false, error: OUT_OF_STOCK }`.
 * The full size (10,000 attempts on 100 units from 200 clients) runs in `npm run bench -- pipeline`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiOnPostgres, type ApiOnPostgres } from '../../testing/api-on-postgres.ts';
import { KeepAliveClient } from './http-client.ts';
import { siteInvariantProblems } from './invariants.ts';
import { runLastUnitsRace } from './last-units-race.ts';

const UNITS = 10;
const ATTEMPTS = 1_000;
const CLIENTS = 50;

describe('C1 last-units race over HTTP on Postgres', () => {
  let api: ApiOnPostgres;
  let client: KeepAliveClient;

  beforeAll(async () => {
    api = await startApiOnPostgres('c1');
    client = new KeepAliveClient(CLIENTS);
  });
  afterAll(async () => {
    client?.close();
    await api?.close();
  });

  /** The n-th plain (not lot-tracked) SKU and `bins` empty bins for it. */
  function stockFor(n: number, bins: number) {
    const sku = api.site.skus.filter((s) => !s.lotTracked)[n];
    const locations = api.site.layout.locations.slice(200 + n * 20, 200 + n * 20 + bins);
    if (!sku || locations.length !== bins) throw new Error('demo site too small');
    return { skuId: sku.id, tenantId: sku.tenantId, locationIds: locations.map((l) => l.id) };
  }

  async function receive(tenantId: string, skuId: string, locationId: string, qty: number): Promise<void> {
    const res = await client.postJson(`${api.base}/stock/receipts`, { tenantId, locationId, skuId, qty });
    expect(res.status, res.text).toBe(201);
  }

  /** On-hand and reserved per bin of (tenant, sku), as Postgres holds them. */
  async function quantRows(tenantId: string, skuId: string) {
    return api.store.query<{ location_id: string; on_hand: number; reserved: number }>(
      `SELECT location_id, on_hand, reserved FROM stock_quant WHERE site_id = $1 AND tenant_id = $2 AND sku_id = $3 ORDER BY location_id`,
      [api.site.id, tenantId, skuId],
    );
  }

  async function allocatedOrders(prefix: string): Promise<number> {
    const rows = await api.store.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM orders WHERE site_id = $1 AND order_id LIKE $2 AND status = 'allocated'`,
      [api.site.id, `${prefix}-%`],
    );
    return rows[0]?.n ?? -1;
  }

  const twoCallOutcomes = { 'create 201': ATTEMPTS, 'allocate 200': UNITS, 'allocate 409 OUT_OF_STOCK': ATTEMPTS - UNITS };
  const oneCallOutcomes = { 'create+allocate 201 allocated': UNITS, 'create+allocate 201 OUT_OF_STOCK': ATTEMPTS - UNITS };

  it.each([
    { variant: '(a) one bin, create then allocate', skuIndex: 0, bins: 1, mode: 'two-call', outcomes: twoCallOutcomes },
    { variant: '(c) ten bins, create then allocate', skuIndex: 1, bins: 10, mode: 'two-call', outcomes: twoCallOutcomes },
    { variant: '(a) one bin, allocate in the create body', skuIndex: 2, bins: 1, mode: 'one-call', outcomes: oneCallOutcomes },
  ] as const)('$variant: exactly 10 of 1,000 attempts succeed, every other is refused OUT_OF_STOCK', { timeout: 180_000 }, async (c) => {
    const { variant, skuIndex, bins, mode, outcomes } = c;
    const { skuId, tenantId, locationIds } = stockFor(skuIndex, bins);
    for (const locationId of locationIds) await receive(tenantId, skuId, locationId, UNITS / bins);
    const prefix = `C1-${skuIndex}`;

    const race = await runLastUnitsRace({ client, base: api.base, tenantId, skuId, attempts: ATTEMPTS, clients: CLIENTS, orderPrefix: prefix, mode });

    expect(race.serverErrors, variant).toBe(0);
    expect(race.outcomes).toEqual(outcomes);
    expect(new Set(race.allocatedOrderIds).size).toBe(UNITS);

    const rows = await quantRows(tenantId, skuId);
    expect(rows.reduce((s, r) => s + r.on_hand, 0)).toBe(UNITS);
    expect(rows.reduce((s, r) => s + r.reserved, 0)).toBe(UNITS);
    expect(rows).toEqual(locationIds.map((location_id) => ({ location_id, on_hand: UNITS / bins, reserved: UNITS / bins })));
    expect(await allocatedOrders(prefix)).toBe(UNITS);
    expect(await siteInvariantProblems(api)).toEqual([]);
  });
});
