/** The inspector and alerts over HTTP on Postgres: stock by lot, ledger history, search, alerts for a due order and a stock-out. */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiOnPostgres, type ApiOnPostgres } from '../testing/api-on-postgres.ts';
import type { FloorAlert, LocationInspectionView, SearchHit, SkuInspectionView } from '../twin/floor-alerts.ts';
import { layoutView } from '../twin/floor-view.ts';
import type { Sku } from '../twin/site.ts';
import { createApp } from './app.ts';
import { inspectRouter } from './inspect.routes.ts';
import { siteRegistry } from './sites.ts';
import { SITE_MANAGER, fixedPrincipal } from '../testing/principals.ts';

describe('inspect routes on Postgres', () => {
  let api: ApiOnPostgres;
  let server: Server;
  /** Writes go to the demo API; reads to an app with the inspect router on the same runner and store. */
  let base: string;
  let read: string;
  let lotSku: Sku;
  let plainSku: Sku;
  let idleSku: Sku;
  let from: string;
  let to: string;
  /** A third bin, for the plain SKU (a bin holds one SKU). */
  let third: string;

  beforeAll(async () => {
    api = await startApiOnPostgres('inspect');
    base = api.base;
    const sites = siteRegistry([api.runner]);
    const app = createApp({
      authenticator: fixedPrincipal(SITE_MANAGER),
      sites,
      isReady: () => true,
      layoutOf: () => layoutView(api.site),
      routers: [inspectRouter(sites, { pool: api.store.pool, schema: api.store.tables.schema })],
    });
    server = createServer(app);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    read = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/sites/${api.site.id}`;
    const skus = api.site.skus;
    lotSku = skus.find((s) => s.lotTracked) ?? (skus[0] as Sku);
    plainSku = skus.find((s) => !s.lotTracked && s.tenantId === lotSku.tenantId) ?? (skus[1] as Sku);
    idleSku = skus.find((s) => s !== lotSku && s !== plainSku) as Sku;
    const locations = api.site.layout.locations;
    from = (locations[0] as { id: string }).id;
    to = (locations[1] as { id: string }).id;
    third = (locations[2] as { id: string }).id;
  });

  afterAll(async () => {
    server?.close();
    await api?.close();
  });

  const post = async (path: string, body: unknown): Promise<void> => {
    const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status, `${path}: ${await res.clone().text()}`).toBeLessThan(300);
  };
  const get = async <T>(path: string): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${read}${path}`);
    return { status: res.status, body: (await res.json()) as T };
  };

  it('shows stock by lot and the ledger moves touching a location, newest first', async () => {
    expect(lotSku.lotTracked, 'the demo catalogue has lot-tracked SKUs').toBe(true);
    const lot = lotSku.lotTracked ? { lot: 'L-EARLY', expiry: '2027-01-31' } : {};
    const lot2 = lotSku.lotTracked ? { lot: 'L-LATE', expiry: '2027-06-30' } : {};
    await post('/stock/receipts', { tenantId: lotSku.tenantId, locationId: from, skuId: lotSku.id, qty: 10, ...lot });
    await post('/stock/receipts', { tenantId: lotSku.tenantId, locationId: from, skuId: lotSku.id, qty: 4, ...lot2 });
    await post('/stock/moves', { tenantId: lotSku.tenantId, fromLocationId: from, toLocationId: to, skuId: lotSku.id, qty: 3, ...(lotSku.lotTracked ? { lot: 'L-EARLY' } : {}) });

    const { status, body } = await get<LocationInspectionView>(`/locations/${from}`);
    expect(status).toBe(200);
    const loc = api.site.layout.locations[0];
    expect(body).toMatchObject({ locationId: from, x: loc?.x, y: loc?.y, level: loc?.level, openTasks: [], countRequest: null });
    if (lotSku.lotTracked) {
      expect(body.stock.map((s) => [s.skuId, s.lot, s.expiry, s.onHand, s.reserved, s.available])).toEqual([
        [lotSku.id, 'L-EARLY', '2027-01-31', 7, 0, 7],
        [lotSku.id, 'L-LATE', '2027-06-30', 4, 0, 4],
      ]);
    }
    expect(body.totals).toEqual({ onHand: 11, reserved: 0, available: 11 });
    expect(body.history.map((m) => [m.direction, m.qty, m.fromLocation, m.toLocation])).toEqual([
      ['out', 3, from, to],
      ['in', 4, 'V:SUPPLIER', from],
      ['in', 10, 'V:SUPPLIER', from],
    ]);
    expect(body.history[0]).toMatchObject({ tenantId: lotSku.tenantId, skuId: lotSku.id, orderId: null });
    expect(body.history[0]?.seq).toBeGreaterThan(body.history[1]?.seq ?? Infinity);
    if (lotSku.lotTracked) expect(body.history[2]).toMatchObject({ lot: 'L-EARLY', expiry: '2027-01-31' });

    const target = await get<LocationInspectionView>(`/locations/${to}`);
    expect(target.body.history.map((m) => [m.direction, m.qty])).toEqual([['in', 3]]);
  });

  it('shows a SKU: stock per bin and lot, the available total and the orders waiting for it', async () => {
    await post('/stock/receipts', { tenantId: plainSku.tenantId, locationId: third, skuId: plainSku.id, qty: 5 });
    await post('/orders', { orderId: 'INS-1', tenantId: plainSku.tenantId, lines: [{ skuId: plainSku.id, qty: 8 }], allocate: 'partial' });
    const { status, body } = await get<SkuInspectionView>(`/skus/${plainSku.id}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ skuId: plainSku.id, barcode: plainSku.barcode, onHand: 5, reserved: 5, available: 0, backordered: 3 });
    expect(body.stock.map((s) => [s.locationId, s.onHand, s.available])).toEqual([[third, 5, 0]]);
    expect(body.openOrders).toEqual([expect.objectContaining({ orderId: 'INS-1', ordered: 8, allocated: 5, backordered: 3, outstanding: 8 })]);
  });

  it('searches by barcode and by an order external reference, with a place on the floor', async () => {
    await post('/orders', { orderId: 'INS-2', tenantId: lotSku.tenantId, externalRef: 'WEB-90210', lines: [{ skuId: lotSku.id, qty: 2 }], allocate: 'all-or-nothing' });
    const byBarcode = await get<{ hits: SearchHit[] }>(`/search?q=${encodeURIComponent(lotSku.barcode)}`);
    expect(byBarcode.status).toBe(200);
    expect(byBarcode.body.hits[0]).toMatchObject({ kind: 'sku', id: lotSku.id, x: api.site.layout.locations[0]?.x, y: api.site.layout.locations[0]?.y });
    const byRef = await get<{ hits: SearchHit[] }>('/search?q=web-902');
    expect(byRef.body.hits).toEqual([{ kind: 'order', id: 'INS-2', label: 'INS-2 · WEB-90210 · allocated', x: api.site.layout.locations[0]?.x, y: api.site.layout.locations[0]?.y }]);
    const byLocation = await get<{ hits: SearchHit[] }>(`/search?q=${encodeURIComponent(from)}&limit=1`);
    expect(byLocation.body.hits).toEqual([expect.objectContaining({ kind: 'location', id: from })]);
  });

  it('raises alerts for an order due within 30 minutes and for a stock-out with demand', async () => {
    const dueAt = new Date(api.runner.twin.now + 10 * 60_000).toISOString();
    await post('/orders', { orderId: 'INS-DUE', tenantId: lotSku.tenantId, lines: [{ skuId: lotSku.id, qty: 1 }], dueAt, allocate: 'all-or-nothing' });
    await post('/orders', { orderId: 'INS-OUT', tenantId: idleSku.tenantId, lines: [{ skuId: idleSku.id, qty: 2 }] });
    const { status, body } = await get<{ total: number; alerts: FloorAlert[] }>('/alerts');
    expect(status).toBe(200);
    const due = body.alerts.find((a) => a.id === 'cutoff:INS-DUE');
    expect(due).toMatchObject({ kind: 'cutoff', severity: 'warning', ref: { kind: 'order', id: 'INS-DUE' }, x: api.site.layout.locations[0]?.x });
    expect(due?.message).toMatch(/^Order INS-DUE cut-off in (9|10) min, still allocated$/);
    expect(body.alerts.find((a) => a.id === `stockout:${idleSku.tenantId}|${idleSku.id}`)).toMatchObject({ kind: 'stockout', ref: { kind: 'sku', id: idleSku.id }, x: null });
    // The plain SKU is fully reserved with 3 backordered: a stock-out too, at the bin that holds it.
    expect(body.alerts.find((a) => a.id === `stockout:${plainSku.tenantId}|${plainSku.id}`)).toMatchObject({ x: api.site.layout.locations[2]?.x, y: api.site.layout.locations[2]?.y });
    expect(body.total).toBe(body.alerts.length);
  });

  it('answers 404 for unknown things and 400 for a blank search', async () => {
    expect(await get('/locations/NOPE-1')).toMatchObject({ status: 404, body: { error: { code: 'UNKNOWN_LOCATION' } } });
    expect(await get('/skus/NOPE-1')).toMatchObject({ status: 404, body: { error: { code: 'UNKNOWN_SKU' } } });
    expect(await get('/operatives/NOPE-1')).toMatchObject({ status: 404, body: { error: { code: 'UNKNOWN_OPERATIVE' } } });
    expect(await get('/search?q=%20')).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED' } } });
    expect(await get('/search?q=x&limit=99')).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED' } } });
  });
});
