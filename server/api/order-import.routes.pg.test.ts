/**
 * CSV order import on Postgres: rows grouped into orders, channel 'csv', re-import creates nothing, validation errors
 * name the line and column and fail only their order, limits and media type enforced.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOrdersApi, type OrdersApi } from '../testing/orders-api-on-postgres.ts';
import type { ImportFailure } from './order-import.routes.ts';

interface ImportBody {
  created: number;
  duplicates: number;
  failed: ImportFailure[];
}

describe('POST /orders/import (text/csv)', () => {
  let api: OrdersApi;
  let tenantId: string;
  let skuA: string;
  let skuB: string;
  let otherTenant: string;

  beforeAll(async () => {
    api = await startOrdersApi('import');
    const skus = api.site.skus.filter((s) => !s.lotTracked);
    const first = skus[0]!;
    tenantId = first.tenantId;
    skuA = first.id;
    skuB = skus.find((s) => s.tenantId === tenantId && s.id !== skuA)!.id;
    otherTenant = api.site.tenants.find((t) => t.id !== tenantId)!.id;
  });
  afterAll(async () => {
    await api?.close();
  });

  const upload = (csv: string, contentType = 'text/csv') =>
    fetch(`${api.base}/orders/import`, { method: 'POST', headers: { 'content-type': contentType }, body: csv });

  const csvOrders = () => api.runner.read((twin) => [...twin.orders.values()].filter((o) => o.channel === 'csv'));

  it('groups rows into orders, with quoted fields and CRLF; importing the same file again creates nothing', async () => {
    const csv = [
      'order_ref,tenant,sku,qty,priority,service,due_at,ship_name,ship_line1,ship_city,ship_postcode,ship_country',
      `CSV-1,${tenantId},${skuA},2,5,express,2026-11-28T12:00:00Z,"Smith, Jane","1 ""The"" Street",Leeds,LS1 1AA,GB`,
      `CSV-1,${tenantId},${skuB},1,,,,,,,,`,
      `CSV-2,${tenantId},${skuB},4,,,,,,,,`,
      '',
    ].join('\r\n');
    const res = await upload(csv);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ created: 2, duplicates: 0, failed: [] });
    const orders = await csvOrders();
    const one = orders.find((o) => o.externalRef === 'CSV-1');
    expect(one).toMatchObject({
      tenantId,
      channel: 'csv',
      priority: 5,
      service: 'express',
      dueAt: Date.parse('2026-11-28T12:00:00Z'),
      shipTo: { name: 'Smith, Jane', line1: '1 "The" Street', city: 'Leeds', postcode: 'LS1 1AA', country: 'GB' },
    });
    expect(one?.lines.map((l) => [l.skuId, l.qty])).toEqual([
      [skuA, 2],
      [skuB, 1],
    ]);
    expect(orders.find((o) => o.externalRef === 'CSV-2')?.shipTo).toBeNull();

    const seq = api.runner.twin.seq;
    const again = await upload(csv);
    expect(await again.json()).toEqual({ created: 0, duplicates: 2, failed: [] });
    expect(api.runner.twin.seq).toBe(seq);
    expect(await csvOrders()).toHaveLength(2);
  });

  it('names the line and column of each bad row, fails only that order, and creates the rest', async () => {
    const csv = [
      'order_ref,tenant,sku,qty,ship_name,ship_line1,ship_city,ship_postcode,ship_country',
      `BAD-1,${tenantId},${skuA},1,,,,,`,
      `BAD-1,${tenantId},${skuB},0,,,,,`, // line 3: qty
      `OK-1,${tenantId},${skuA},1,,,,,`,
      `BAD-2,${tenantId},${skuA},1,Ann,1 Road,York,YO1 1AA,United Kingdom`, // line 5: country
      `BAD-3,${tenantId},${skuA},1,Ann,,York,YO1 1AA,GB`, // line 6: address incomplete
      `BAD-4,${tenantId},NO-SUCH-SKU,1,,,,,`, // line 7: refused by the twin
      `BAD-5,${tenantId},${skuA},1,,,,`, // line 8: a field short
      `BAD-6,${tenantId},${skuA},1,,,,,`,
      `BAD-6,${otherTenant},${skuB},1,,,,,`, // line 10: tenant differs
      `,${tenantId},${skuA},1,,,,,`, // line 11: no order_ref
    ].join('\n');
    const res = await upload(csv);
    expect(res.status).toBe(200);
    const body = (await res.json()) as ImportBody;
    expect(body.created).toBe(1);
    expect(body.duplicates).toBe(0);
    expect(body.failed.map((f) => [f.line, f.orderRef, f.column, f.code])).toEqual([
      [3, 'BAD-1', 'qty', 'VALIDATION_FAILED'],
      [5, 'BAD-2', 'ship_country', 'VALIDATION_FAILED'],
      [6, 'BAD-3', 'ship_line1', 'VALIDATION_FAILED'],
      [7, 'BAD-4', 'sku', 'UNKNOWN_SKU'],
      [8, 'BAD-5', null, 'MALFORMED_ROW'],
      [10, 'BAD-6', 'tenant', 'CONFLICTING_VALUE'],
      [11, null, 'order_ref', 'VALIDATION_FAILED'],
    ]);
    for (const failure of body.failed) expect(failure.message).toMatch(new RegExp(`^line ${failure.line}`));
    expect(body.failed[0]?.message).toMatch(/column qty/);
    const refs = (await csvOrders()).map((o) => o.externalRef);
    expect(refs).toContain('OK-1');
    for (const bad of ['BAD-1', 'BAD-2', 'BAD-3', 'BAD-4', 'BAD-5', 'BAD-6']) expect(refs).not.toContain(bad);
  });

  it('refuses a file it cannot read as a whole, changing nothing', async () => {
    const seq = api.runner.twin.seq;
    const cases: [Response, number, string, RegExp][] = [
      [await upload('order_ref,tenant,sku\nX,a,b\n'), 400, 'INVALID_HEADER', /missing qty/],
      [await upload(`order_ref,tenant,sku,qty,colour\nX,${tenantId},${skuA},1,red\n`), 400, 'INVALID_HEADER', /unknown colour/],
      [await upload(`order_ref,tenant,sku,qty\nQ-1,${tenantId},${skuA},"1\n`), 400, 'MALFORMED_CSV', /line 2/],
      [await upload(''), 400, 'MISSING_HEADER', /header/],
      [await upload('{"order_ref":"X"}', 'application/json'), 415, 'UNSUPPORTED_MEDIA_TYPE', /text\/csv/],
    ];
    for (const [res, status, code, message] of cases) {
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect({ status: res.status, code: body.error.code }).toEqual({ status, code });
      expect(body.error.message).toMatch(message);
    }
    expect(api.runner.twin.seq).toBe(seq);
  });

  it('enforces 10,000 rows and 5 MB', async () => {
    const header = 'order_ref,tenant,sku,qty\n';
    const tooManyRows = header + Array.from({ length: 10_001 }, (_, i) => `LIM-${i},${tenantId},${skuA},1`).join('\n');
    const rows = await upload(tooManyRows);
    expect(rows.status).toBe(413);
    expect(((await rows.json()) as { error: { code: string } }).error.code).toBe('TOO_MANY_ROWS');
    const tooBig = header + `BIG-1,${tenantId},${skuA},1,${'x'.repeat(5 * 1024 * 1024)}\n`;
    const big = await upload(tooBig);
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { code: string; message: string } }).error.message).toMatch(/5 MB/);
    expect((await csvOrders()).some((o) => o.externalRef?.startsWith('LIM-') || o.externalRef === 'BIG-1')).toBe(false);
  });
});
