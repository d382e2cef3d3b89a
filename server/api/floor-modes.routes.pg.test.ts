/** Bin attributes for the floor's colour modes over HTTP on Postgres: owner, ABC class, pick heat window, replenish. */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BinAttributesView } from '../protocol/floor.ts';
import { startApiOnPostgres, type ApiOnPostgres } from '../testing/api-on-postgres.ts';
import { abcClasses } from '../twin/bin-attributes.ts';
import { asLocationId, asOperativeId, asOrderId } from '../twin/ids.ts';
import type { SiteRunner } from '../site/site-runner.ts';
import { floorModesRouter } from './floor-modes.routes.ts';
import { errorHandler } from './http-error.ts';
import { siteRegistry } from './sites.ts';

describe('bin attributes over HTTP on Postgres', () => {
  let api: ApiOnPostgres;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    api = await startApiOnPostgres('floormodes');
    const app = express();
    app.use('/api', express.json());
    app.use(floorModesRouter({ pool: api.store.pool, schema: api.store.tables.schema, sites: siteRegistry([api.runner]) }));
    app.use(errorHandler);
    server = createServer(app).listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/sites/${api.site.id}`;
  });

  afterAll(async () => {
    server?.close();
    await api?.close();
  });

  async function submit(command: Parameters<SiteRunner['submit']>[0]): Promise<void> {
    const result = await api.runner.submit(command);
    if (!result.ok) throw new Error(`${command.type}: ${result.error.code} ${result.error.message}`);
  }
  const attributes = async (query: string): Promise<BinAttributesView> => {
    const response = await fetch(`${base}/bin-attributes${query}`);
    expect(response.status).toBe(200);
    return (await response.json()) as BinAttributesView;
  };

  it('counts picks per bin within the window, names owner and class, flags a low bin that is still wanted', async () => {
    const { site } = api;
    const sku = site.skus.find((s) => !s.lotTracked)!;
    const location = site.layout.locations[120]!;
    const other = site.layout.locations[121]!;
    const stocked = Math.max(2, Math.floor(location.capacityUnits * 0.1));
    await submit({ type: 'receiveStock', tenantId: sku.tenantId, locationId: asLocationId(location.id), skuId: sku.id, qty: stocked });
    const orderId = asOrderId('HEAT-1');
    await submit({ type: 'createOrder', orderId, tenantId: sku.tenantId, lines: [{ skuId: sku.id, qty: 1 }] });
    await submit({ type: 'allocateOrder', orderId });
    await submit({ type: 'releaseOrder', orderId });
    const operativeId = asOperativeId('HEAT-P1');
    await submit({ type: 'signOn', operativeId, name: 'Heat picker' });
    await submit({ type: 'requestWork', operativeId, maxTasks: 5 });
    const task = await api.runner.read((twin) => ({ ...twin.tasks.get(twin.orders.get(orderId)!.taskIds[0]!)! }));
    await submit({ type: 'confirmPick', taskId: task.id, operativeId, scannedLocation: task.locationId, scannedItem: sku.barcode, qty: 1 });
    // An older pick at the neighbouring bin, three hours back in twin time (written as the projection would).
    const now = await api.runner.read((twin) => twin.now);
    await api.store.pool.query(
      `INSERT INTO ${api.store.tables.stockMove} (site_id, seq, idx, tenant_id, sku_id, lot, from_location, to_location, qty, order_id, at)
       VALUES ($1, 1000000, 0, $2, $3, '', $4, 'V:PACKING', 1, 'OLD', to_timestamp($5::float8 / 1000.0))`,
      [site.id, sku.tenantId, sku.id, other.id, now - 3 * 3_600_000],
    );

    const recent = await attributes('?heatHours=1');
    const i = location.index;
    expect(recent).toMatchObject({ siteId: site.id, layoutId: site.layout.id, heatHours: 1 });
    for (const column of [recent.tenant, recent.abc, recent.heat, recent.replenish]) expect(column).toHaveLength(site.layout.locations.length);
    expect(recent.heat[i]).toBe(1);
    expect(recent.heat[other.index]).toBe(0);
    expect(recent.heat.reduce((a, b) => a + b, 0)).toBe(1);
    expect(recent.tenants[recent.tenant[i]!]?.id).toBe(sku.tenantId);
    expect(recent.abc[i]).toBe(abcClasses(site.skus).get(sku.id));
    expect(recent.tenant[other.index]).toBe(-1);
    // Picked down to below 20 % with nothing else ordered: not wanted, so no replenishment yet.
    expect(recent.replenish[i]).toBe(0);

    const wider = await attributes('?heatHours=4');
    expect(wider.heat[other.index]).toBe(1);
    expect((await attributes('')).heatHours).toBe(8);

    await submit({ type: 'createOrder', orderId: asOrderId('HEAT-2'), tenantId: sku.tenantId, lines: [{ skuId: sku.id, qty: 1 }] });
    expect((await attributes('?heatHours=1')).replenish[i]).toBe(1);
  });

  it('refuses a bad window and an unknown site', async () => {
    const errorOf = async (url: string) => {
      const response = await fetch(url);
      return { status: response.status, code: ((await response.json()) as { error: { code: string } }).error.code };
    };
    for (const query of ['?heatHours=0', '?heatHours=1.5', '?heatHours=abc', '?heatHours=169', '?other=1'])
      expect(await errorOf(`${base}/bin-attributes${query}`)).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(await errorOf(base.replace(/[^/]+$/, 'nowhere') + '/bin-attributes')).toEqual({ status: 404, code: 'UNKNOWN_SITE' });
  });
});
