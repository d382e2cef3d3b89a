/**
 * The client portal over HTTP on a real Postgres, for two tenants (acme, bloom) of the demo site: every GET answers
 * only the caller's data; another tenant's order, ASN or RMA id answers exactly the 404 a missing id does; writes
 * resolve SKUs and orders inside the caller's tenant and write nothing when one is another's; staff and client users
 * cannot write; the tenant is never taken from the body. Principals come from the bearer token through a real
 * `Authenticator` (a table of test principals), so the full authenticate → authorize → route path runs.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnalyticsService } from '../analytics/analytics-service.ts';
import { BillingService, readRateCardsFile } from '../billing/billing-service.ts';
import type { Authenticator, Principal } from '../auth/principal.ts';
import { loadSiteFiles } from '../site/site-loader.ts';
import { SiteRunner } from '../site/site-runner.ts';
import { PgEventStore } from '../store/event-store.pg.ts';
import { SITE_MANAGER, clientAdmin, clientUser, integrationKey } from '../testing/principals.ts';
import { TEST_DATABASE_URL, uniqueSchema } from '../testing/server-process.ts';
import type { Command } from '../twin/commands.ts';
import { layoutView } from '../twin/floor-view.ts';
import { asOperativeId, asOrderId, epochMs, type OrderId } from '../twin/ids.ts';
import type { SiteDefinition, Sku } from '../twin/site.ts';
import { createApp } from './app.ts';
import { answerMalformedRequests } from './http-error.ts';
import { IdempotencyStore } from './idempotency.ts';
import { portalRouter } from './portal.routes.ts';
import { siteRegistry } from './sites.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Bearer token → principal. */
const PRINCIPALS: Record<string, Principal> = {
  'acme-user': clientUser('acme'),
  'acme-admin': clientAdmin('acme'),
  'bloom-user': clientUser('bloom'),
  'bloom-admin': clientAdmin('bloom'),
  'bloom-key': integrationKey('bloom'),
  manager: SITE_MANAGER,
};
const tokenTable: Authenticator = { authenticate: ({ bearer }) => Promise.resolve(bearer === undefined ? null : (PRINCIPALS[bearer] ?? null)) };

interface Answer<T = unknown> {
  readonly status: number;
  readonly body: T;
}

describe('client portal API on Postgres (two tenants)', () => {
  let store: PgEventStore;
  let runner: SiteRunner;
  let site: SiteDefinition;
  let server: Server;
  let portal: string;
  const acmeSkus: Sku[] = [];
  const bloomSkus: Sku[] = [];
  const orders: Record<'acme' | 'bloom', OrderId[]> = { acme: [], bloom: [] };
  const asns: Record<'acme' | 'bloom', string> = { acme: 'ASN-ACME-1', bloom: 'ASN-BLOOM-1' };
  const rmas: Record<'acme' | 'bloom', string> = { acme: 'RMA-ACME-1', bloom: 'RMA-BLOOM-1' };

  const call = async <T = Record<string, unknown>>(token: string, method: 'GET' | 'POST', route: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer<T>> => {
    const response = await fetch(`${portal}${route}`, {
      method,
      headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text === '' ? null : JSON.parse(text)) as T };
  };
  const submit = async (c: Command): Promise<void> => {
    const r = await runner.submit(c);
    if (!r.ok) throw new Error(`${c.type}: ${r.error.code} ${r.error.message}`);
  };
  /** Creates, picks, packs and despatches an order of one line. */
  const despatch = async (id: string, sku: Sku, qty: number, dueAt: number): Promise<OrderId> => {
    const orderId = asOrderId(id);
    await submit({ type: 'createOrder', orderId, tenantId: sku.tenantId, lines: [{ skuId: sku.id, qty }], dueAt: epochMs(dueAt) });
    await submit({ type: 'allocateOrder', orderId });
    await submit({ type: 'releaseOrder', orderId });
    const picker = asOperativeId(`P-${id}`);
    await submit({ type: 'signOn', operativeId: picker, name: 'Pat' });
    await submit({ type: 'requestWork', operativeId: picker, maxTasks: 20 });
    const tasks = await runner.read((twin) => (twin.orders.get(orderId)?.taskIds ?? []).map((t) => twin.tasks.get(t)!));
    for (const t of tasks) await submit({ type: 'confirmPick', taskId: t.id, operativeId: picker, scannedLocation: t.locationId, scannedItem: sku.barcode, qty: t.qty });
    await submit({ type: 'packOrder', orderId });
    await submit({ type: 'despatchOrder', orderId });
    await submit({ type: 'signOff', operativeId: picker });
    return orderId;
  };

  beforeAll(async () => {
    store = new PgEventStore({ connectionString: TEST_DATABASE_URL, schema: uniqueSchema('portal') });
    await store.init();
    site = (await loadSiteFiles(path.join(root, 'data/sites/demo.json'))).site;
    await store.ensureSite(site.id, site);
    let clockMs = Date.UTC(2026, 10, 27, 8, 0, 0);
    runner = await SiteRunner.open({ site, store, clock: { now: () => epochMs((clockMs += 1000)) } });
    const sites = siteRegistry([runner]);
    const app = createApp({
      authenticator: tokenTable,
      sites,
      isReady: () => true,
      layoutOf: () => layoutView(site),
      routers: [
        portalRouter({
          sites,
          layoutOf: () => layoutView(site),
          idempotency: new IdempotencyStore({ pool: store.pool, schema: store.tables.schema }),
          analytics: new AnalyticsService({ pool: store.pool, schema: store.tables.schema }),
          billing: new BillingService({ pool: store.pool, schema: store.tables.schema, sites, defaultCards: readRateCardsFile(path.join(root, 'data/rate-cards.json')) }),
        }),
      ],
    });
    server = createServer(app);
    answerMalformedRequests(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    portal = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/portal/sites/${site.id}`;

    acmeSkus.push(...site.skus.filter((s) => s.tenantId === 'acme' && !s.lotTracked).slice(0, 3));
    bloomSkus.push(...site.skus.filter((s) => s.tenantId === 'bloom' && !s.lotTracked).slice(0, 3));
    const bins = site.layout.locations;
    // acme in bins 0-2, bloom in bins 3-4.
    for (const [i, sku] of acmeSkus.entries()) await submit({ type: 'receiveStock', tenantId: sku.tenantId, locationId: bins[i]!.id, skuId: sku.id, qty: 50 });
    await submit({ type: 'receiveStock', tenantId: 'bloom' as never, locationId: bins[3]!.id, skuId: bloomSkus[0]!.id, qty: 40 });
    await submit({ type: 'receiveStock', tenantId: 'bloom' as never, locationId: bins[4]!.id, skuId: bloomSkus[1]!.id, qty: 40 });

    const due = Date.UTC(2026, 10, 27, 16, 0, 0);
    orders.acme.push(await despatch('PO-ACME-1', acmeSkus[0]!, 2, due));
    orders.bloom.push(await despatch('PO-BLOOM-1', bloomSkus[0]!, 3, Date.UTC(2026, 10, 27, 7, 0, 0))); // after its cut-off: late
    await submit({ type: 'createOrder', orderId: asOrderId('PO-ACME-2'), tenantId: acmeSkus[1]!.tenantId, lines: [{ skuId: acmeSkus[1]!.id, qty: 1 }] });
    orders.acme.push(asOrderId('PO-ACME-2'));
    await submit({ type: 'createAsn', asnRef: asns.acme, tenantId: acmeSkus[0]!.tenantId, lines: [{ skuId: acmeSkus[0]!.id, qty: 10 }] });
    await submit({ type: 'createAsn', asnRef: asns.bloom, tenantId: bloomSkus[0]!.tenantId, lines: [{ skuId: bloomSkus[0]!.id, qty: 10 }] });
    await submit({ type: 'createRma', rmaId: rmas.acme, tenantId: acmeSkus[0]!.tenantId, orderId: orders.acme[0]!, lines: [{ skuId: acmeSkus[0]!.id, qty: 1, reason: 'damaged' }] });
    await submit({ type: 'createRma', rmaId: rmas.bloom, tenantId: bloomSkus[0]!.tenantId, orderId: orders.bloom[0]!, lines: [{ skuId: bloomSkus[0]!.id, qty: 1, reason: 'unwanted' }] });
  }, 60_000);

  afterAll(async () => {
    server?.close();
    await runner?.close();
    await store?.close();
  });

  const eventCount = async (): Promise<number> => Number((await store.pool.query<{ n: string }>(`SELECT count(*) AS n FROM "${store.tables.schema}".events`)).rows[0]?.n);

  it.each([
    ['acme', 'acme-user'],
    ['bloom', 'bloom-user'],
  ] as const)('every read answers only %s\'s data', async (tenant, token) => {
    const other = tenant === 'acme' ? 'bloom' : 'acme';
    const mySkus = new Set((tenant === 'acme' ? acmeSkus : bloomSkus).map((s) => s.id));
    const summary = await call<{ tenant: { id: string }; orders: Record<string, number> }>(token, 'GET', '/summary');
    expect(summary.status).toBe(200);
    expect(summary.body.tenant.id).toBe(tenant);

    for (const by of ['sku', 'lot', 'class'] as const) {
      const stock = await call<{ rows: { skuId?: string }[]; totals: { onHand: number } }>(token, 'GET', `/stock?by=${by}`);
      expect(stock.status).toBe(200);
      expect(stock.body.rows.length).toBeGreaterThan(0);
      if (by !== 'class') for (const row of stock.body.rows) expect(mySkus.has(row.skuId as never)).toBe(true);
    }
    const expectedUnits = await runner.read((twin) => [...twin.quants.values()].filter((q) => q.tenantId === tenant).reduce((n, q) => n + q.onHand, 0));
    const totals = await call<{ totals: { onHand: number } }>(token, 'GET', '/stock?by=class');
    expect(totals.body.totals.onHand).toBe(expectedUnits);

    const list = await call<{ orders: { id: string }[]; total: number }>(token, 'GET', '/orders');
    expect(list.body.orders.map((o) => o.id).sort()).toEqual([...orders[tenant]].sort());
    const asnList = await call<{ asns: { asnRef: string }[] }>(token, 'GET', '/asns');
    expect(asnList.body.asns.map((a) => a.asnRef)).toEqual([asns[tenant]]);
    const rmaList = await call<{ rmas: { rmaId: string }[] }>(token, 'GET', '/returns');
    expect(rmaList.body.rmas.map((r) => r.rmaId)).toEqual([rmas[tenant]]);

    // Own ids open; another tenant's ids answer exactly what a missing id of the same spelling answers.
    expect((await call(token, 'GET', `/orders/${orders[tenant][0]}`)).status).toBe(200);
    expect((await call(token, 'GET', `/asns/${asns[tenant]}`)).status).toBe(200);
    expect((await call(token, 'GET', `/returns/${rmas[tenant]}`)).status).toBe(200);
    const foreign = [
      [`/orders/${orders[other][0]}`, 'order', 'orderId', orders[other][0]],
      [`/asns/${asns[other]}`, 'ASN', 'asnId', asns[other]],
      [`/returns/${rmas[other]}`, 'RMA', 'rmaId', rmas[other]],
    ] as const;
    for (const [route, what, key, id] of foreign) {
      const theirs = await call(token, 'GET', route);
      const missing = await call(token, 'GET', route.replace(id as string, `${id}X`));
      expect(theirs.status).toBe(404);
      expect(missing.status).toBe(404);
      expect(theirs.body).toEqual({ error: { code: 'NOT_FOUND', message: `no ${what} '${id}'`, details: { [key]: id } } });
      expect(JSON.stringify(missing.body)).toBe(JSON.stringify(theirs.body).replaceAll(`${id}`, `${id}X`));
    }

    // The floor lights exactly the layout bins holding the tenant's units, with the tenant's units in each.
    const floor = await call<{ count: number; bins: { locationId: string; index: number; units: number }[] }>(token, 'GET', '/floor');
    const expectedBins = await runner.read((twin) => [...new Set([...twin.quants.values()].filter((q) => q.tenantId === tenant && twin.locationsById.has(q.locationId)).map((q) => q.locationId))].sort());
    expect(floor.body.bins.map((b) => b.locationId).sort()).toEqual(expectedBins);
    expect(floor.body.count).toBe(expectedBins.length);
    const layout = layoutView(site);
    for (const bin of floor.body.bins) expect(layout.ids[bin.index]).toBe(bin.locationId);
    const units = await runner.read((twin) => [...twin.quants.values()].filter((q) => q.tenantId === tenant && twin.locationsById.has(q.locationId)).reduce((n, q) => n + q.onHand, 0));
    expect(floor.body.bins.reduce((n, b) => n + b.units, 0)).toBe(units);
  });

  it('SLA counts the tenant\'s own cut-offs: acme on time, bloom late', async () => {
    const acme = await call<{ totals: { onTime: number; late: number } }>('acme-user', 'GET', '/sla?from=2026-11-27&to=2026-11-28');
    const bloom = await call<{ totals: { onTime: number; late: number } }>('bloom-user', 'GET', '/sla?from=2026-11-27&to=2026-11-28');
    expect(acme.status).toBe(200);
    expect(acme.body.totals).toMatchObject({ onTime: 1, late: 0 });
    expect(bloom.body.totals).toMatchObject({ onTime: 0, late: 1 });
    expect((await call('acme-user', 'GET', '/sla?from=2026-11-28&to=2026-11-27')).status).toBe(400);
  });

  it('staff may not use the portal, and a client may not use the staff API', async () => {
    expect((await call('manager', 'GET', '/summary')).status).toBe(403);
    const staffRoute = await fetch(`${portal.replace('/api/portal/sites/', '/api/sites/')}/orders`, { headers: { authorization: 'Bearer acme-user' } });
    expect(staffRoute.status).toBe(403);
    expect((await call('nobody', 'GET', '/summary')).status).toBe(401);
  });

  it('POST order: own SKUs create an order of the caller\'s tenant; another tenant\'s SKU is a 404 and writes nothing', async () => {
    const created = await call<{ id: string; status: string }>('acme-admin', 'POST', '/orders', { lines: [{ skuId: acmeSkus[2]!.id, qty: 2 }], externalRef: 'WEB-1' });
    expect(created.status).toBe(201);
    expect(await runner.read((twin) => twin.orders.get(asOrderId(created.body.id))?.tenantId)).toBe('acme');
    expect((await call('acme-user', 'GET', `/orders/${created.body.id}`)).status).toBe(200);
    expect((await call('bloom-user', 'GET', `/orders/${created.body.id}`)).status).toBe(404);

    const before = await eventCount();
    const ordersBefore = await runner.read((twin) => twin.orders.size);
    const foreignSku = await call('acme-admin', 'POST', '/orders', { lines: [{ skuId: acmeSkus[0]!.id, qty: 1 }, { skuId: bloomSkus[0]!.id, qty: 1 }] });
    const missingSku = await call('acme-admin', 'POST', '/orders', { lines: [{ skuId: acmeSkus[0]!.id, qty: 1 }, { skuId: `${bloomSkus[0]!.id}X`, qty: 1 }] });
    expect(foreignSku.status).toBe(404);
    expect(foreignSku.body).toEqual({ error: { code: 'NOT_FOUND', message: `no SKU '${bloomSkus[0]!.id}'`, details: { skuId: bloomSkus[0]!.id } } });
    expect(missingSku.status).toBe(404);
    expect(JSON.stringify(missingSku.body)).toBe(JSON.stringify(foreignSku.body).replaceAll(bloomSkus[0]!.id, `${bloomSkus[0]!.id}X`));
    // Naming a tenant in the body is refused, not obeyed.
    const named = await call('acme-admin', 'POST', '/orders', { tenantId: 'bloom', lines: [{ skuId: bloomSkus[0]!.id, qty: 1 }] });
    expect(named.status).toBe(400);
    // A client user reads but does not write.
    expect((await call('acme-user', 'POST', '/orders', { lines: [{ skuId: acmeSkus[0]!.id, qty: 1 }] })).status).toBe(403);
    expect(await eventCount()).toBe(before);
    expect(await runner.read((twin) => twin.orders.size)).toBe(ordersBefore);
  });

  it('POST order with an Idempotency-Key creates one order however often it is sent; the key is per tenant', async () => {
    const body = { lines: [{ skuId: bloomSkus[0]!.id, qty: 1 }] };
    const first = await call<{ id: string }>('bloom-key', 'POST', '/orders', body, { 'idempotency-key': 'k-1' });
    const again = await call<{ id: string }>('bloom-key', 'POST', '/orders', body, { 'idempotency-key': 'k-1' });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    const acme = await call<{ id: string }>('acme-admin', 'POST', '/orders', { lines: [{ skuId: acmeSkus[0]!.id, qty: 1 }] }, { 'idempotency-key': 'k-1' });
    expect(acme.status).toBe(201);
    expect(acme.body.id).not.toBe(first.body.id);
  });

  it('POST ASN and RMA resolve SKUs and the order inside the tenant; a foreign one writes nothing', async () => {
    const asn = await call<{ asnRef: string; tenantId: string }>('bloom-admin', 'POST', '/asns', { lines: [{ skuId: bloomSkus[2]!.id, qty: 12 }] });
    expect(asn.status).toBe(201);
    expect(asn.body.tenantId).toBe('bloom');
    const before = await eventCount();
    const foreignAsn = await call('bloom-admin', 'POST', '/asns', { lines: [{ skuId: acmeSkus[0]!.id, qty: 12 }] });
    expect(foreignAsn.status).toBe(404);
    expect(foreignAsn.body).toMatchObject({ error: { code: 'NOT_FOUND', details: { skuId: acmeSkus[0]!.id } } });
    const foreignOrder = await call('bloom-admin', 'POST', '/returns', { orderId: orders.acme[0], lines: [{ skuId: acmeSkus[0]!.id, qty: 1, reason: 'damaged' }] });
    const missingOrder = await call('bloom-admin', 'POST', '/returns', { orderId: `${orders.acme[0]}X`, lines: [{ skuId: acmeSkus[0]!.id, qty: 1, reason: 'damaged' }] });
    expect(foreignOrder.status).toBe(404);
    expect(JSON.stringify(missingOrder.body)).toBe(JSON.stringify(foreignOrder.body).replaceAll(`${orders.acme[0]}`, `${orders.acme[0]}X`));
    expect(await eventCount()).toBe(before);
    const rma = await call<{ rmaId: string; tenantId: string }>('bloom-admin', 'POST', '/returns', { orderId: orders.bloom[0], lines: [{ skuId: bloomSkus[0]!.id, qty: 1, reason: 'defective' }] });
    expect(rma.status).toBe(201);
    expect(rma.body.tenantId).toBe('bloom');
  });

  it('analytics is the caller\'s tenant only; site-wide metrics are not offered', async () => {
    const series = await call<{ points: unknown[] }>('acme-user', 'GET', '/analytics?metric=orders_received&from=2026-11-27&to=2026-11-28&bucket=hour');
    expect(series.status).toBe(200);
    expect(series.body.points).toHaveLength(24);
    expect((await call('acme-user', 'GET', '/analytics?metric=picks_per_picker_hour&from=2026-11-27&to=2026-11-28')).status).toBe(400);
    expect((await call('acme-user', 'GET', '/analytics?metric=orders_received&from=2026-11-27&to=2026-11-28&tenantId=bloom')).status).toBe(400);
  });

  it('invoices are the caller\'s: JSON with drill-down lines, CSV and PDF; a line the invoice lacks is a 404', async () => {
    const period = 'from=2026-11-01&to=2026-11-30';
    const acme = await call<{ tenantId: string; total: number; lines: { code: string; amount: number; eventSeqs: number[] }[] }>('acme-user', 'GET', `/invoices?${period}`);
    const bloom = await call<{ tenantId: string; lines: { code: string }[] }>('bloom-user', 'GET', `/invoices?${period}`);
    expect(acme.status).toBe(200);
    expect(acme.body.tenantId).toBe('acme');
    expect(bloom.body.tenantId).toBe('bloom');
    expect(acme.body.lines.length).toBeGreaterThan(0);
    expect(acme.body.total).toBe(acme.body.lines.reduce((n, l) => n + l.amount, 0));
    // No line of acme's invoice counts one of bloom's events: every drill-down event names acme's objects only.
    for (const line of acme.body.lines) {
      const drill = await call<{ items: { events: unknown[] }[] }>('acme-user', 'GET', `/invoices/lines/${encodeURIComponent(line.code)}?${period}&limit=1000`);
      expect(drill.status).toBe(200);
      const text = JSON.stringify(drill.body.items);
      expect(text).not.toContain('"tenantId":"bloom"');
      expect(text).not.toContain(orders.bloom[0]);
    }
    expect((await call('acme-user', 'GET', `/invoices/lines/NO_SUCH_LINE?${period}`)).status).toBe(404);
    const csv = await fetch(`${portal}/invoices?${period}&format=csv`, { headers: { authorization: 'Bearer acme-user' } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(await csv.text()).not.toContain('bloom');
    const pdf = await fetch(`${portal}/invoices?${period}&format=pdf`, { headers: { authorization: 'Bearer acme-user' } });
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
    expect((await call('acme-user', 'GET', '/invoices?from=2026-11-30&to=2026-11-01')).status).toBe(400);
  });
});
