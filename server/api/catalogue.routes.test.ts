/**
 * The catalogue routes over HTTP on an in-memory log: clients, and what a scan names (barcode, bare GTIN, GS1 with
 * lot / expiry / count) — never a stock figure; bad codes are 400/404 naming the problem.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SiteRunner } from '../site/site-runner.ts';
import { MemoryEventStore } from '../store/event-store.memory.ts';
import { gs1CheckDigit } from '../twin/barcodes/gs1.ts';
import { layoutView } from '../twin/floor-view.ts';
import { epochMs } from '../twin/ids.ts';
import { generateSite } from '../twin/layout/generator.ts';
import { createApp } from './app.ts';
import { catalogueRouter } from './catalogue.routes.ts';
import { siteRegistry } from './sites.ts';
import { SITE_MANAGER, fixedPrincipal } from '../testing/principals.ts';

const { site, initialStock } = generateSite(
  { id: 'cat', name: 'Catalogue site', aisles: 4, blocks: 1, baysPerBlock: 4, levels: 2, skuCount: 30, tenants: 2, stockFillRatio: 0.8, lotTrackedShare: 0.5, baseDate: '2026-11-01' },
  3,
);

describe('catalogue API', () => {
  let runner: SiteRunner;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    let now = Date.UTC(2026, 10, 27, 8);
    const store = new MemoryEventStore();
    await store.ensureSite(site.id, site);
    runner = await SiteRunner.open({ site, store, clock: { now: () => epochMs((now += 1000)) } });
    for (const command of initialStock) await runner.submit(command);
    const app = createApp({ authenticator: fixedPrincipal(SITE_MANAGER), sites: siteRegistry([runner]), isReady: () => true, layoutOf: () => layoutView(site), routers: [catalogueRouter({ sites: siteRegistry([runner]) })] });
    server = createServer(app).listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/sites/${site.id}`;
  });

  afterAll(async () => {
    server?.close();
    await runner?.close();
  });

  const get = async (path: string): Promise<{ status: number; body: Record<string, unknown> }> => {
    const response = await fetch(`${base}${path}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('lists the clients by id and name', async () => {
    const { status, body } = await get('/tenants');
    expect(status).toBe(200);
    expect(body['tenants']).toEqual(site.tenants.map((t) => ({ id: t.id, name: t.name })));
  });

  it('[R43] resolves a printed barcode to its SKU and client, without any stock figure', async () => {
    const sku = site.skus[0];
    if (sku === undefined) throw new Error('no SKU');
    const { status, body } = await get(`/catalogue/lookup?code=${encodeURIComponent(sku.barcode)}`);
    expect(status).toBe(200);
    expect(body).toEqual({
      code: sku.barcode,
      kind: 'barcode',
      matches: [{ skuId: sku.id, tenantId: sku.tenantId, tenantName: site.tenants.find((t) => t.id === sku.tenantId)?.name, description: sku.description, barcode: sku.barcode, lotTracked: sku.lotTracked, serialTracked: false }],
      lot: null,
      expiry: null,
      qty: null,
    });
    expect(JSON.stringify(body)).not.toMatch(/onHand|stock|available/);
  });

  it('[R43] reads a GS1-128 element string: GTIN-14 of the barcode, lot (10), expiry (17), count (37)', async () => {
    const sku = site.skus.find((s) => s.lotTracked && /^\d{13}$/.test(s.barcode));
    if (sku === undefined) throw new Error('no lot-tracked SKU with an EAN-13');
    const scan = `(01)0${sku.barcode}(17)270331(10)L-7(37)12`;
    const { status, body } = await get(`/catalogue/lookup?code=${encodeURIComponent(scan)}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ kind: 'gs1', lot: 'L-7', expiry: '2027-03-31', qty: 12 });
    expect((body['matches'] as { skuId: string }[]).map((m) => m.skuId)).toEqual([sku.id]);
  });

  it('answers 400 INVALID_SCAN for a misread GTIN or a broken GS1 string, 404 UNKNOWN_SKU for an unknown code', async () => {
    const body12 = '501073100001';
    const wrong = `${body12}${(gs1CheckDigit(body12) + 1) % 10}`;
    const misread = await get(`/catalogue/lookup?code=${wrong}`);
    expect(misread.status).toBe(400);
    expect(misread.body).toMatchObject({ error: { code: 'INVALID_SCAN' } });
    const broken = await get(`/catalogue/lookup?code=${encodeURIComponent('(01)123')}`);
    expect(broken.status).toBe(400);
    expect(broken.body).toMatchObject({ error: { code: 'INVALID_SCAN' } });
    const unknown = await get('/catalogue/lookup?code=NOPE-1');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: { code: 'UNKNOWN_SKU', message: 'no item has the code NOPE-1' } });
    const empty = await get('/catalogue/lookup?code=');
    expect(empty.status).toBe(400);
  });
});
