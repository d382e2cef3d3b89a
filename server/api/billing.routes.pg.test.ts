/**
 * Billing over HTTP on Postgres, on the demo site: stock received, orders of two clients picked, packed, labelled and
 * despatched through the twin; then a client's invoice (JSON, CSV, PDF), each line's drill-down to the very events,
 * rate card versions, re-rating, a prospect's simulation, RLS on rate cards, and bad input answered 4xx with nothing
 * changed.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BillingService, readRateCardsFile } from '../billing/billing-service.ts';
import { loadSiteFiles } from '../site/site-loader.ts';
import { SiteRunner } from '../site/site-runner.ts';
import { PgEventStore } from '../store/event-store.pg.ts';
import { quoteIdent } from '../store/pg-util.ts';
import { withTenant } from '../store/tenant-scope.ts';
import { SITE_MANAGER, clientUser, fixedPrincipal } from '../testing/principals.ts';
import { TEST_DATABASE_URL, uniqueSchema } from '../testing/server-process.ts';
import type { Command } from '../twin/commands.ts';
import type { SequencedEvent } from '../twin/events.ts';
import { asLocationId, asOperativeId, asOrderId, asTenantId, epochMs, type OrderId } from '../twin/ids.ts';
import { layoutView } from '../twin/floor-view.ts';
import type { SiteDefinition, Sku } from '../twin/site.ts';
import { createApp } from './app.ts';
import { billingRouter } from './billing.routes.ts';
import { siteRegistry } from './sites.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface ErrorBody {
  error: { code: string; message: string; details: unknown };
}
interface Line {
  code: string;
  quantity: number;
  unitPrice: number;
  amount: number;
  eventSeqs: number[];
  family: string;
}
interface InvoiceBody {
  tenantId: string;
  total: number;
  lines: Line[];
  cardVersion: number | null;
  throughSeq: number;
  simulated: boolean;
}

describe('billing API on Postgres', () => {
  let store: PgEventStore;
  let runner: SiteRunner;
  let site: SiteDefinition;
  let server: Server;
  let clientServer: Server;
  let base: string;
  let clientBase: string;
  let billing: BillingService;
  // The twin's clock: 2 Nov 2026 08:00, a second per reading; tests move it on a day.
  let clockMs = Date.UTC(2026, 10, 2, 8, 0, 0);
  let nextLocation = 300;
  const NOV = 'from=2026-11-01&to=2026-11-30';

  const listen = async (app: ReturnType<typeof createApp>): Promise<[Server, string]> => {
    const s = createServer(app).listen(0, '127.0.0.1');
    await once(s, 'listening');
    return [s, `http://127.0.0.1:${(s.address() as AddressInfo).port}/api/sites/${site.id}/billing`];
  };

  beforeAll(async () => {
    const schema = uniqueSchema('billing');
    store = new PgEventStore({ connectionString: TEST_DATABASE_URL, schema });
    await store.init();
    ({ site } = await loadSiteFiles(path.join(root, 'data/sites/demo.json')));
    await store.ensureSite(site.id, site);
    runner = await SiteRunner.open({ site, store, clock: { now: () => epochMs((clockMs += 1000)) } });
    const sites = siteRegistry([runner]);
    const defaultCards = readRateCardsFile(path.join(root, 'data/rate-cards.json'));
    billing = new BillingService({ pool: store.pool, schema, sites, defaultCards, now: () => clockMs });
    const options = { sites, isReady: () => true, layoutOf: () => layoutView(site), routers: [billingRouter(billing)] };
    [server, base] = await listen(createApp({ ...options, authenticator: fixedPrincipal(SITE_MANAGER) }));
    [clientServer, clientBase] = await listen(createApp({ ...options, authenticator: fixedPrincipal(clientUser('acme')) }));
  });

  afterAll(async () => {
    server?.close();
    clientServer?.close();
    await runner?.close();
    await store?.close();
  });

  async function submit(command: Command): Promise<void> {
    const result = await runner.submit(command);
    if (!result.ok) throw new Error(`${command.type}: ${result.error.code} ${result.error.message}`);
  }

  const skusOf = (tenantId: string, n: number): Sku[] => site.skus.filter((s) => !s.lotTracked && s.tenantId === tenantId).slice(0, n);

  /** Receives stock, then takes an order through pick, pack, label and despatch. */
  async function despatchedOrder(orderId: OrderId, lines: { sku: Sku; qty: number }[], cartonCode: string): Promise<void> {
    for (const { sku, qty } of lines) {
      await submit({ type: 'receiveStock', tenantId: sku.tenantId, locationId: asLocationId(site.layout.locations[nextLocation++]!.id), skuId: sku.id, qty: qty + 4 });
    }
    const tenantId = lines[0]!.sku.tenantId;
    await submit({ type: 'createOrder', orderId, tenantId, lines: lines.map(({ sku, qty }) => ({ skuId: sku.id, qty })), service: 'standard' });
    await submit({ type: 'allocateOrder', orderId });
    await submit({ type: 'releaseOrder', orderId });
    const operativeId = asOperativeId(`OP-${orderId}`);
    await submit({ type: 'signOn', operativeId, name: `Picker ${orderId}` });
    await submit({ type: 'requestWork', operativeId, maxTasks: 50 });
    const tasks = await runner.read((twin) => twin.orders.get(orderId)!.taskIds.map((id) => ({ ...twin.tasks.get(id)! })));
    for (const task of tasks) {
      const sku = site.skus.find((s) => s.id === task.skuId)!;
      await submit({ type: 'confirmPick', taskId: task.id, operativeId, scannedLocation: task.locationId, scannedItem: sku.barcode, qty: task.qty });
    }
    await submit({ type: 'signOff', operativeId });
    await submit({ type: 'packOrder', orderId, cartonCode, weightG: 800 });
    await submit({ type: 'labelShipment', orderId, carrier: 'floortwin-post', service: 'standard', trackingNumber: `TN${orderId}` });
    await submit({ type: 'despatchOrder', orderId });
  }

  const getJson = async <T>(url: string): Promise<{ status: number; body: T }> => {
    const res = await fetch(url);
    return { status: res.status, body: (await res.json()) as T };
  };
  const send = async <T>(method: string, url: string, body: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(url, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as T };
  };

  it('bills a client for its despatched orders, goods in and end-of-day storage, every line drilling down to its events', async () => {
    const [a, b, c] = skusOf('acme', 3);
    const [z] = skusOf('bloom', 1);
    await despatchedOrder(asOrderId('ACME-1'), [{ sku: a!, qty: 2 }, { sku: b!, qty: 3 }], 'M1');
    await despatchedOrder(asOrderId('ACME-2'), [{ sku: c!, qty: 1 }], 'S1');
    await despatchedOrder(asOrderId('BLOOM-1'), [{ sku: z!, qty: 5 }], 'M1');
    await submit({ type: 'receiveGoods', receiptId: 'GR-1', tenantId: asTenantId('acme'), skuId: a!.id, qty: 12 });
    await submit({ type: 'receiveGoods', receiptId: 'GR-2', tenantId: asTenantId('acme'), skuId: b!.id, qty: 6, damagedQty: 1, reason: 'crushed' });
    // The next day: 2 Nov is over, so its storage is charged.
    clockMs = Date.UTC(2026, 10, 3, 9, 0, 0);

    const { status, body: inv } = await getJson<InvoiceBody>(`${base}/invoices/acme?${NOV}`);
    expect(status).toBe(200);
    expect(inv.cardVersion).toBe(1); // the demo card, seeded on first use
    const q = (code: string) => inv.lines.find((l) => l.code === code);
    // acme card (data/rate-cards.json): order 95, line 20, unit 12, M1 40, S1 25, label 310 + 10 % = 341, receipt 1500,
    // line 100, unit 3, damaged 60, storage 12 per location-day, minimum 1,500.00 a month.
    expect(q('OUTBOUND_ORDER')).toMatchObject({ quantity: 2, amount: 190 });
    expect(q('OUTBOUND_LINE')).toMatchObject({ quantity: 3, amount: 60 });
    expect(q('OUTBOUND_UNIT')).toMatchObject({ quantity: 6, amount: 72 });
    expect(q('PACKAGING:M1')).toMatchObject({ quantity: 1, amount: 40 });
    expect(q('PACKAGING:S1')).toMatchObject({ quantity: 1, amount: 25 });
    expect(q('LABEL:floortwin-post:standard')).toMatchObject({ quantity: 2, unitPrice: 341, amount: 682 });
    expect(q('INBOUND_RECEIPT')).toMatchObject({ quantity: 1, amount: 1500 });
    expect(q('INBOUND_LINE')).toMatchObject({ quantity: 2, amount: 200 });
    expect(q('INBOUND_UNIT')).toMatchObject({ quantity: 18, amount: 54 });
    expect(q('VAS:DAMAGE_HANDLING')).toMatchObject({ quantity: 1, amount: 60 });
    // End of 2 Nov: three bins still hold acme stock (4 spare units each) and the dock holds the receipts.
    expect(q('STORAGE')).toMatchObject({ quantity: 4, unitPrice: 12, amount: 48 });
    const charges = inv.lines.filter((l) => l.code !== 'MINIMUM').reduce((s, l) => s + l.amount, 0);
    expect(q('MINIMUM')).toMatchObject({ amount: 150000 - charges });
    expect(inv.total).toBe(150000);

    // Only acme's events, and each line's drill-down adds up to the line.
    const events = await store.load(site.id);
    const bySeq = new Map(events.map((e: SequencedEvent) => [e.seq, e.event]));
    for (const line of inv.lines.filter((l) => l.code !== 'MINIMUM')) {
      const { status: s, body: dd } = await getJson<{ total: number; items: { quantity: number; seqs: number[]; events: SequencedEvent[] }[] }>(
        `${base}/invoices/acme/lines?${NOV}&code=${encodeURIComponent(line.code)}&limit=1000`,
      );
      expect(s).toBe(200);
      expect(dd.items).toHaveLength(dd.total);
      expect(dd.items.reduce((sum, i) => sum + i.quantity, 0)).toBeCloseTo(line.quantity, 9);
      for (const item of dd.items) {
        expect(item.events.map((e) => e.seq)).toEqual(item.seqs);
        for (const e of item.events) expect(e.event).toEqual(bySeq.get(e.seq));
      }
      if (line.family !== 'storage') {
        for (const seq of line.eventSeqs) {
          const e = bySeq.get(seq)!;
          const owner = 'tenantId' in e ? e.tenantId : 'orderId' in e ? (e.orderId.startsWith('ACME') ? 'acme' : 'other') : '?';
          expect(owner).toBe('acme');
        }
      }
    }
    const storage = await getJson<{ positions: { locationId: string; qty: number }[] }>(`${base}/invoices/acme/lines?${NOV}&code=STORAGE&day=2026-11-02`);
    expect(storage.status).toBe(200);
    expect(new Set(storage.body.positions.map((p) => p.locationId)).size).toBe(4);
    expect(storage.body.positions.reduce((s, p) => s + p.qty, 0)).toBe(3 * 4 + 12 + 6);

    // Same log → the same invoice.
    expect((await getJson<InvoiceBody>(`${base}/invoices/acme?${NOV}`)).body).toEqual(inv);
    // bloom's invoice counts bloom's order only.
    const bloom = (await getJson<InvoiceBody>(`${base}/invoices/bloom?${NOV}`)).body;
    expect(bloom.lines.find((l) => l.code === 'OUTBOUND_ORDER')).toMatchObject({ quantity: 1, amount: 110 });
  });

  it('serves the invoice as CSV and PDF downloads', async () => {
    const csv = await fetch(`${base}/invoices/acme?${NOV}&format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toContain('invoice-acme-2026-11-01-2026-11-30.csv');
    const rows = (await csv.text()).trimEnd().split('\r\n');
    const json = (await getJson<InvoiceBody>(`${base}/invoices/acme?${NOV}`)).body;
    expect(rows).toHaveLength(json.lines.length + 2);
    expect(rows.at(-1)).toMatch(/,TOTAL,Total,,,,1500\.00,,$/);
    const pdf = await fetch(`${base}/invoices/acme?${NOV}&format=pdf`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const bytes = Buffer.from(await pdf.arrayBuffer());
    expect(bytes.subarray(0, 8).toString('latin1')).toBe('%PDF-1.4');
    expect(bytes.toString('latin1')).toContain('(1500.00 GBP)');
  });

  it('stores card versions, rates with the version in force, and re-rates a period line by line', async () => {
    const current = await getJson<{ card: { version: number; card: Record<string, unknown> }; versions: unknown[] }>(`${base}/rate-cards/acme`);
    expect(current.status).toBe(200);
    const { tenantId: _t, ...body } = current.body.card.card;
    const next = { ...body, outbound: { perOrder: 95, perLine: 20, perUnit: 20 }, minimumMonthly: 0 };
    const put = await send<{ version: number; effectiveFrom: string }>('PUT', `${base}/rate-cards/acme`, { effectiveFrom: '2026-11-01', card: next });
    expect(put.status).toBe(201);
    expect(put.body).toMatchObject({ version: 2, effectiveFrom: '2026-11-01' });

    const inv = (await getJson<InvoiceBody>(`${base}/invoices/acme?${NOV}`)).body;
    expect(inv.cardVersion).toBe(2);
    expect(inv.lines.find((l) => l.code === 'OUTBOUND_UNIT')).toMatchObject({ quantity: 6, unitPrice: 20, amount: 120 });
    expect(inv.lines.find((l) => l.code === 'MINIMUM')).toBeUndefined();
    // October still rates with version 1 (version 2 starts in November): no activity, so the minimum alone.
    expect((await getJson<InvoiceBody>(`${base}/invoices/acme?from=2026-10-01&to=2026-10-31`)).body).toMatchObject({ cardVersion: 1, total: 150000 });

    const rerated = await send<{ lines: { code: string; delta: number; before: { amount: number } | null; after: { amount: number } | null }[]; totalDelta: number }>(
      'POST',
      `${base}/invoices/acme/rerate`,
      { from: '2026-11-01', to: '2026-11-30', version: 1 },
    );
    expect(rerated.status).toBe(200);
    const unit = rerated.body.lines.find((l) => l.code === 'OUTBOUND_UNIT');
    expect(unit).toMatchObject({ before: { amount: 120 }, after: { amount: 72 }, delta: -48 });
    expect(rerated.body.lines.find((l) => l.code === 'MINIMUM')).toMatchObject({ before: null });
    expect(rerated.body.totalDelta).toBe(150000 - inv.total);
    const same = await send<{ totalDelta: number; lines: { delta: number }[] }>('POST', `${base}/invoices/acme/rerate`, { from: '2026-11-01', to: '2026-11-30', version: 2 });
    expect(same.body.totalDelta).toBe(0);
    expect(same.body.lines.every((l) => l.delta === 0)).toBe(true);
  });

  it('simulates a prospect with a client card or a card of its own', async () => {
    const volumes = { ordersPerDay: 10, linesPerOrder: 2, unitsPerLine: 1, palletsStored: 0, receipts: 0, linesPerReceipt: 0, unitsPerReceiptLine: 0, returns: 0, unitsPerReturn: 0 };
    const sim = await send<InvoiceBody>('POST', `${base}/simulate`, { from: '2026-11-01', to: '2026-11-30', tenantId: 'cobalt', volumes });
    expect(sim.status).toBe(200);
    expect(sim.body.simulated).toBe(true);
    // cobalt: order 140, line 30, unit 8, carton 60, label 350 + 8 % = 378 → 300 × (140 + 60 + 378) + 600 × (30 + 8)
    // = 196,200, topped up to cobalt's 2,000.00 minimum.
    const charges = sim.body.lines.filter((l) => l.code !== 'MINIMUM').reduce((s, l) => s + l.amount, 0);
    expect(charges).toBe(300 * (140 + 60 + 378) + 600 * (30 + 8));
    expect(sim.body.lines.find((l) => l.code === 'MINIMUM')).toMatchObject({ amount: 200000 - 196200 });
    expect(sim.body.total).toBe(200000);
    const card = (await getJson<{ card: { card: Record<string, unknown> } }>(`${base}/rate-cards/bloom`)).body.card.card;
    const { tenantId: _t, ...body } = card;
    const own = await fetch(`${base}/simulate?format=csv`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from: '2026-11-01', to: '2026-11-30', card: body, volumes }) });
    expect(own.status).toBe(200);
    expect(await own.text()).toContain('Total (simulated)');
  });

  it('keeps rate cards per tenant in Postgres under row-level security', async () => {
    const table = `${quoteIdent(store.tables.schema)}.rate_cards`;
    const flags = await store.pool.query<{ relrowsecurity: boolean; relforcerowsecurity: boolean; policies: string }>(
      `SELECT c.relrowsecurity, c.relforcerowsecurity, (SELECT count(*) FROM pg_policies p WHERE p.schemaname = $1 AND p.tablename = 'rate_cards')::text AS policies
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = 'rate_cards'`,
      [store.tables.schema],
    );
    expect(flags.rows[0]).toEqual({ relrowsecurity: true, relforcerowsecurity: true, policies: '1' });
    const seen = (scope: string) => withTenant(store.pool, scope, async (c) => (await c.query<{ tenant_id: string }>(`SELECT DISTINCT tenant_id FROM ${table} ORDER BY 1`)).rows.map((r) => r.tenant_id));
    expect(await seen('acme')).toEqual(['acme']);
    expect(await seen('bloom')).toEqual(['bloom']);
    await expect(
      withTenant(store.pool, 'bloom', (c) => c.query(`INSERT INTO ${table} (site_id, tenant_id, version, effective_from, card) VALUES ('demo', 'acme', 99, '2026-01-01', '{}')`)),
    ).rejects.toThrow(/row-level security/);
    // Versions are append-only for the app role.
    await expect(withTenant(store.pool, 'acme', (c) => c.query(`UPDATE ${table} SET card = '{}' WHERE tenant_id = 'acme'`))).rejects.toThrow(/permission denied/);
  });

  it('answers bad input with 4xx and changes nothing; client roles may not use staff billing routes', async () => {
    const versionsBefore = (await getJson<{ versions: unknown[] }>(`${base}/rate-cards/acme`)).body.versions.length;
    const cases: [string, string, unknown, number, string][] = [
      ['GET', `${base}/invoices/acme?from=2026-11-30&to=2026-11-01`, undefined, 400, 'VALIDATION_FAILED'],
      ['GET', `${base}/invoices/acme?from=2026-11-31&to=2026-12-01`, undefined, 400, 'VALIDATION_FAILED'],
      ['GET', `${base}/invoices/acme?${NOV}&format=xml`, undefined, 400, 'VALIDATION_FAILED'],
      ['GET', `${base}/invoices/nobody?${NOV}`, undefined, 404, 'UNKNOWN_TENANT'],
      ['GET', `${base.replace('/demo/', '/nosite/')}/invoices/acme?${NOV}`, undefined, 404, 'UNKNOWN_SITE'],
      ['GET', `${base}/invoices/acme/lines?${NOV}&code=NOPE`, undefined, 404, 'UNKNOWN_LINE'],
      ['GET', `${base}/invoices/acme/lines?${NOV}&code=OUTBOUND_UNIT&day=2026-11-02`, undefined, 400, 'NOT_STORAGE'],
      ['GET', `${base}/rate-cards/acme?version=42`, undefined, 404, 'UNKNOWN_RATE_CARD_VERSION'],
      ['PUT', `${base}/rate-cards/acme`, { card: { currency: 'GBP' } }, 400, 'VALIDATION_FAILED'],
      ['POST', `${base}/invoices/acme/rerate`, { from: '2026-11-01', to: '2026-11-30' }, 400, 'VALIDATION_FAILED'],
      ['POST', `${base}/invoices/acme/rerate`, { from: '2026-11-01', to: '2026-11-30', version: 42 }, 404, 'UNKNOWN_RATE_CARD_VERSION'],
      ['POST', `${base}/simulate`, { from: '2026-11-01', to: '2026-11-30', tenantId: 'acme', volumes: { ordersPerDay: -1 } }, 400, 'VALIDATION_FAILED'],
    ];
    for (const [method, url, body, status, code] of cases) {
      const res = body === undefined ? await fetch(url, { method }) : await fetch(url, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const err = (await res.json()) as ErrorBody;
      expect([method, url, res.status, err.error?.code]).toEqual([method, url, status, code]);
    }
    const card = (await getJson<{ card: { card: Record<string, unknown> } }>(`${base}/rate-cards/acme`)).body.card.card;
    const { tenantId: _t, ...body } = card;
    const negative = await send<ErrorBody>('PUT', `${base}/rate-cards/acme`, { card: { ...body, outbound: { perOrder: -1, perLine: 0, perUnit: 0 } } });
    expect(negative.status).toBe(400);
    expect(JSON.stringify(negative.body.error.details)).toContain('outbound.perOrder');
    expect((await getJson<{ versions: unknown[] }>(`${base}/rate-cards/acme`)).body.versions).toHaveLength(versionsBefore);

    const forbidden = await fetch(`${clientBase}/invoices/acme?${NOV}`);
    expect(forbidden.status).toBe(403);
  });
});
