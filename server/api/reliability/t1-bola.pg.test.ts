/**
 * T1 BOLA matrix (reliability.md §6.5) over the client portal, with real authentication (users signed in over HTTP,
 * an integration API key) on Postgres: three tenants of the demo site (acme the caller; bloom and cobalt the others,
 * whose data carries canary strings in SKU descriptions, lots, order references and ship-to names).
 * - every portal route registered on the app is in the matrix (a new route fails the test until it is added);
 * - every id position (path, query, body, nested body refs) × every caller credential (client user, client admin,
 *   integration key) × another tenant's id: the same answer as a missing id — 404 NOT_FOUND with an identical body
 *   (once the id is masked) for objects; for the stock filter, the same empty answer;
 * - the tenant cannot be smuggled in the query or the body (400, nothing written);
 * - an Idempotency-Key another tenant used does not return their order;
 * - 0 canaries and 0 ids of another tenant in any response to acme, while bloom's own answers do carry its canaries.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnalyticsService } from '../../analytics/analytics-service.ts';
import { PgAuthStore } from '../../auth/auth-store.pg.ts';
import { registeredRoutes } from '../../auth/authorize.ts';
import { BillingService } from '../../billing/billing-service.ts';
import type { RateCardBody } from '../../billing/rate-card.schema.ts';
import { loadSiteFiles } from '../../site/site-loader.ts';
import { SiteRunner } from '../../site/site-runner.ts';
import { PgEventStore } from '../../store/event-store.pg.ts';
import { TEST_DATABASE_URL, uniqueSchema } from '../../testing/server-process.ts';
import type { Command } from '../../twin/commands.ts';
import { layoutView } from '../../twin/floor-view.ts';
import { asOperativeId, asOrderId, epochMs, type TenantId } from '../../twin/ids.ts';
import type { SiteDefinition, Sku } from '../../twin/site.ts';
import { createApp } from '../app.ts';
import { answerMalformedRequests } from '../http-error.ts';
import { IdempotencyStore } from '../idempotency.ts';
import { portalRouter } from '../portal.routes.ts';
import { siteRegistry } from '../sites.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const PASSWORD = 'floortwin-t1-bola';
const CANARY = 'CANARY';
const OTHERS = ['bloom', 'cobalt'] as const;
type Other = (typeof OTHERS)[number];

interface Answer {
  readonly status: number;
  readonly text: string;
}

/** What one tenant owns, for probes and leak checks. */
interface Owned {
  skus: Sku[];
  lotSku: Sku | undefined;
  orders: string[];
  despatched: string;
  asns: string[];
  rmas: string[];
}

/** One id position of one route: how a request names an object, given the id to try and the caller's own objects. */
interface Probe {
  readonly route: string;
  readonly position: string;
  readonly kind: 'order' | 'ASN' | 'RMA' | 'SKU';
  /** How a missing id and another tenant's id must compare: the same 404, or the same (empty) filter answer. */
  readonly expect: 'not-found' | 'same-as-missing';
  readonly request: (id: string) => { method: 'GET' | 'POST'; url: string; body?: unknown };
}

describe('T1 BOLA matrix: the client portal with another tenant’s ids', () => {
  let store: PgEventStore;
  let runner: SiteRunner;
  let site: SiteDefinition;
  let app: express.Express;
  let server: Server;
  let origin: string;
  let base: string;
  const owned = {} as Record<'acme' | Other, Owned>;
  /** Bearer credentials of acme's principals (session tokens from sign-in, an API key), and bloom's client admin. */
  const acme: Record<'user' | 'admin' | 'key', string> = { user: '', admin: '', key: '' };
  let bloomAdmin = '';
  let bloomUser = '';

  const call = async (bearer: string, method: 'GET' | 'POST', url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> => {
    const response = await fetch(`${origin}${url}`, {
      method,
      headers: { authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const bytes = Buffer.from(await response.arrayBuffer());
    // PDFs are compressed streams; their text is checked through the CSV and JSON of the same invoice.
    return { status: response.status, text: bytes.toString('latin1') };
  };
  const submit = async (c: Command): Promise<void> => {
    const r = await runner.submit(c);
    if (!r.ok) throw new Error(`${c.type}: ${r.error.code} ${r.error.message}`);
  };
  /** An order of one line taken to despatch. */
  const despatch = async (orderId: string, sku: Sku, externalRef: string): Promise<void> => {
    const id = asOrderId(orderId);
    await submit({
      type: 'createOrder',
      orderId: id,
      tenantId: sku.tenantId,
      lines: [{ skuId: sku.id, qty: 1 }],
      externalRef,
      shipTo: { name: `${externalRef} recipient`, line1: '1 High St', city: 'Leeds', postcode: 'LS1 1AA', country: 'GB' },
    });
    await submit({ type: 'allocateOrder', orderId: id });
    await submit({ type: 'releaseOrder', orderId: id });
    const picker = asOperativeId(`P-${orderId}`);
    await submit({ type: 'signOn', operativeId: picker, name: 'Pat' });
    await submit({ type: 'requestWork', operativeId: picker, maxTasks: 20 });
    const tasks = await runner.read((twin) => (twin.orders.get(id)?.taskIds ?? []).map((t) => twin.tasks.get(t)!));
    for (const t of tasks) await submit({ type: 'confirmPick', taskId: t.id, operativeId: picker, scannedLocation: t.locationId, scannedItem: sku.barcode, qty: t.qty });
    await submit({ type: 'packOrder', orderId: id });
    await submit({ type: 'despatchOrder', orderId: id });
    await submit({ type: 'signOff', operativeId: picker });
  };
  const signIn = async (email: string): Promise<string> => {
    const res = await fetch(`${origin}/api/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
    const body = (await res.json()) as { token?: string };
    if (res.status !== 200 || body.token === undefined) throw new Error(`sign-in ${email}: ${res.status}`);
    return body.token;
  };

  beforeAll(async () => {
    store = new PgEventStore({ connectionString: TEST_DATABASE_URL, schema: uniqueSchema('t1bola') });
    await store.init();
    const demo = (await loadSiteFiles(path.join(root, 'data/sites/demo.json'))).site;
    // Canaries in the other tenants' catalogue: every description of a bloom or cobalt SKU.
    site = { ...demo, skus: demo.skus.map((s) => (s.tenantId === 'acme' ? s : { ...s, description: `${CANARY}-${s.tenantId}-desc ${s.description}` })) };
    await store.ensureSite(site.id, site);
    let clockMs = Date.UTC(2026, 10, 27, 8, 0, 0);
    runner = await SiteRunner.open({ site, store, clock: { now: () => epochMs((clockMs += 1000)) } });
    const sites = siteRegistry([runner]);
    const accounts = new PgAuthStore({ pool: store.pool, schema: store.tables.schema });
    const rateCards = JSON.parse(await readFile(path.join(root, 'data/rate-cards.json'), 'utf8')) as { cards: Record<string, RateCardBody> };
    const billing = new BillingService({ pool: store.pool, schema: store.tables.schema, sites, defaultCards: rateCards.cards });
    const idempotency = new IdempotencyStore({ pool: store.pool, schema: store.tables.schema });
    app = createApp({
      authenticator: accounts,
      accounts,
      sites,
      isReady: () => true,
      layoutOf: () => layoutView(site),
      idempotency,
      routers: [
        portalRouter({
          sites,
          layoutOf: () => layoutView(site),
          idempotency,
          billing,
          analytics: new AnalyticsService({ pool: store.pool, schema: store.tables.schema }),
        }),
      ],
    });
    server = createServer(app);
    answerMalformedRequests(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    base = `/api/portal/sites/${site.id}`;

    // Stock, orders (one despatched, one open), an ASN and an RMA per tenant; the others' carry canaries.
    const bins = site.layout.locations;
    let bin = 0;
    for (const tenant of ['acme', ...OTHERS] as const) {
      const mark = tenant === 'acme' ? 'ACME' : `${CANARY}-${tenant}`;
      const skus = site.skus.filter((s) => s.tenantId === tenant && !s.lotTracked && s.serialTracked !== true).slice(0, 2);
      const lotSku = site.skus.find((s) => s.tenantId === tenant && s.lotTracked && s.serialTracked !== true);
      if (skus.length < 2) throw new Error(`demo site: ${tenant} needs two plain SKUs`);
      for (const sku of skus) await submit({ type: 'receiveStock', tenantId: sku.tenantId, locationId: bins[bin++]!.id, skuId: sku.id, qty: 30 });
      if (lotSku) {
        await submit({ type: 'receiveStock', tenantId: lotSku.tenantId, locationId: bins[bin++]!.id, skuId: lotSku.id, qty: 12, lot: `${mark}-LOT-1`, expiry: '2027-12-31' });
      }
      const up = tenant.toUpperCase();
      await despatch(`PO-${up}-1`, skus[0]!, `${mark}-REF-1`);
      await submit({ type: 'createOrder', orderId: asOrderId(`PO-${up}-2`), tenantId: skus[1]!.tenantId, lines: [{ skuId: skus[1]!.id, qty: 1 }], externalRef: `${mark}-REF-2` });
      await submit({
        type: 'createAsn',
        asnRef: `ASN-${up}-1`,
        tenantId: skus[0]!.tenantId,
        lines: [{ skuId: skus[0]!.id, qty: 5 }, ...(lotSku ? [{ skuId: lotSku.id, qty: 4, lot: `${mark}-ASNLOT`, expiry: '2027-11-30' }] : [])],
      });
      await submit({ type: 'createRma', rmaId: `RMA-${up}-1`, tenantId: skus[0]!.tenantId, orderId: asOrderId(`PO-${up}-1`), lines: [{ skuId: skus[0]!.id, qty: 1, reason: 'damaged' }] });
      owned[tenant] = { skus, lotSku, orders: [`PO-${up}-1`, `PO-${up}-2`], despatched: `PO-${up}-1`, asns: [`ASN-${up}-1`], rmas: [`RMA-${up}-1`] };
    }

    for (const [email, role, tenantId] of [
      ['acme-user@t1.test', 'client-user', 'acme'],
      ['acme-admin@t1.test', 'client-admin', 'acme'],
      ['bloom-admin@t1.test', 'client-admin', 'bloom'],
      ['bloom-user@t1.test', 'client-user', 'bloom'],
    ] as const) {
      await accounts.createUser({ email, password: PASSWORD, role, tenantId });
    }
    acme.user = await signIn('acme-user@t1.test');
    acme.admin = await signIn('acme-admin@t1.test');
    bloomAdmin = await signIn('bloom-admin@t1.test');
    bloomUser = await signIn('bloom-user@t1.test');
    acme.key = (await accounts.createApiKey({ label: 'acme shop', role: 'integration', tenantId: 'acme', createdBy: 'test' })).key;
  }, 120_000);

  afterAll(async () => {
    server?.close();
    await runner?.close();
    await store?.close();
  });

  const own = (): Owned => owned.acme;
  /** Every id of another tenant, by kind. */
  const foreignIds = (kind: Probe['kind']): string[] =>
    OTHERS.flatMap((t) => {
      const o = owned[t];
      switch (kind) {
        case 'order':
          return o.orders;
        case 'ASN':
          return o.asns;
        case 'RMA':
          return o.rmas;
        case 'SKU':
          return [...o.skus.map((s) => s.id as string), ...(o.lotSku ? [o.lotSku.id as string] : [])];
      }
    });
  /** A missing id shaped like a real one. */
  const missingId = (kind: Probe['kind']): string => `${kind === 'order' ? 'PO' : kind}-${randomUUID().slice(0, 8)}`;

  const probes = (): Probe[] => {
    const mine = own();
    const sku = mine.skus[0]!.id as string;
    const line = (skuId: string) => ({ skuId, qty: 1 });
    return [
      { route: `GET ${base}/orders/:orderId`, position: 'path orderId', kind: 'order', expect: 'not-found', request: (id) => ({ method: 'GET', url: `${base}/orders/${id}` }) },
      { route: `GET ${base}/asns/:asnId`, position: 'path asnId', kind: 'ASN', expect: 'not-found', request: (id) => ({ method: 'GET', url: `${base}/asns/${id}` }) },
      { route: `GET ${base}/returns/:rmaId`, position: 'path rmaId', kind: 'RMA', expect: 'not-found', request: (id) => ({ method: 'GET', url: `${base}/returns/${id}` }) },
      ...(['sku', 'lot', 'class'] as const).map((by): Probe => ({ route: `GET ${base}/stock`, position: `query skuId (by=${by})`, kind: 'SKU', expect: 'same-as-missing', request: (id) => ({ method: 'GET', url: `${base}/stock?by=${by}&skuId=${id}` }) })),
      { route: `POST ${base}/orders`, position: 'body lines[0].skuId', kind: 'SKU', expect: 'not-found', request: (id) => ({ method: 'POST', url: `${base}/orders`, body: { lines: [line(id)] } }) },
      { route: `POST ${base}/orders`, position: 'body lines[1].skuId (after an own SKU)', kind: 'SKU', expect: 'not-found', request: (id) => ({ method: 'POST', url: `${base}/orders`, body: { lines: [line(sku), line(id)], allocate: 'partial' } }) },
      { route: `POST ${base}/asns`, position: 'body lines[0].skuId', kind: 'SKU', expect: 'not-found', request: (id) => ({ method: 'POST', url: `${base}/asns`, body: { lines: [line(id)] } }) },
      { route: `POST ${base}/asns`, position: 'body lines[1].skuId (after an own SKU)', kind: 'SKU', expect: 'not-found', request: (id) => ({ method: 'POST', url: `${base}/asns`, body: { lines: [line(sku), line(id)] } }) },
      { route: `POST ${base}/returns`, position: 'body orderId', kind: 'order', expect: 'not-found', request: (id) => ({ method: 'POST', url: `${base}/returns`, body: { orderId: id, lines: [{ skuId: sku, qty: 1, reason: 'damaged' }] } }) },
      { route: `POST ${base}/returns`, position: 'body lines[0].skuId', kind: 'SKU', expect: 'not-found', request: (id) => ({ method: 'POST', url: `${base}/returns`, body: { orderId: mine.despatched, lines: [{ skuId: id, qty: 1, reason: 'damaged' }] } }) },
    ];
  };

  /** Routes without an object id: what an acme caller reads there must hold nothing of another tenant. */
  const reads = (): { route: string; url: string }[] => [
    { route: 'GET /api/portal/sites', url: '/api/portal/sites' },
    { route: `GET ${base}/summary`, url: `${base}/summary` },
    ...(['sku', 'lot', 'class'] as const).map((by) => ({ route: `GET ${base}/stock`, url: `${base}/stock?by=${by}` })),
    { route: `GET ${base}/orders`, url: `${base}/orders` },
    { route: `GET ${base}/asns`, url: `${base}/asns` },
    { route: `GET ${base}/returns`, url: `${base}/returns` },
    { route: `GET ${base}/sla`, url: `${base}/sla?days=30` },
    { route: `GET ${base}/floor`, url: `${base}/floor` },
    { route: `GET ${base}/layout`, url: `${base}/layout` },
    ...(['json', 'csv', 'pdf'] as const).map((format) => ({ route: `GET ${base}/invoices`, url: `${base}/invoices?from=2026-11-01&to=2026-11-30&format=${format}` })),
    { route: `GET ${base}/invoices/lines/:code`, url: `${base}/invoices/lines/<each line of the invoice>` },
    { route: `GET ${base}/analytics`, url: `${base}/analytics?metric=orders_received&from=2026-11-20&to=2026-11-30&bucket=day` },
    ...own().orders.map((id) => ({ route: `GET ${base}/orders/:orderId`, url: `${base}/orders/${id}` })),
    { route: `GET ${base}/asns/:asnId`, url: `${base}/asns/${own().asns[0]!}` },
    { route: `GET ${base}/returns/:rmaId`, url: `${base}/returns/${own().rmas[0]!}` },
  ];

  /** Everything of another tenant a response to acme must never carry: canaries and object ids (but `sent`, echoed). */
  const leaksIn = (text: string, sent?: string): string[] => {
    const found: string[] = [];
    if (text.includes(CANARY)) found.push(`canary ${text.slice(text.indexOf(CANARY), text.indexOf(CANARY) + 40)}`);
    for (const t of OTHERS) {
      const o = owned[t];
      for (const id of [...o.orders, ...o.asns, ...o.rmas, ...o.skus.map((s) => s.id as string), ...(o.lotSku ? [o.lotSku.id as string] : [])]) {
        if (id !== sent && (text.includes(`"${id}"`) || text.includes(`,${id},`))) found.push(`${t} id ${id}`);
      }
    }
    return found;
  };
  const mask = (text: string, id: string): string => text.replaceAll(id, '<id>');

  it('covers every portal route the app registers', () => {
    const registered = registeredRoutes(app)
      .filter((r) => r.path.startsWith('/api/portal'))
      .map((r) => `${r.method} ${r.path.replace(':siteId', site.id)}`);
    const covered = new Set([...probes().map((p) => p.route), ...reads().map((r) => r.route)]);
    expect(registered.filter((r) => !covered.has(r))).toEqual([]);
  });

  it("another tenant's id answers exactly as a missing id, at every id position, for every kind of caller (0 leaks)", async () => {
    const seqBefore = runner.twin.seq;
    const results: { probe: string; caller: string; id: string; status: number; same: boolean; leaks: string[] }[] = [];
    for (const probe of probes()) {
      for (const [caller, bearer] of Object.entries(acme)) {
        const isWrite = probe.request('x').method === 'POST';
        // Client users may not write at all (403 before any lookup): the write matrix runs for admins and keys.
        if (isWrite && caller === 'user') continue;
        const missing = missingId(probe.kind);
        const m = probe.request(missing);
        const missingAnswer = await call(bearer, m.method, m.url, m.body);
        for (const id of foreignIds(probe.kind)) {
          const r = probe.request(id);
          const answer = await call(bearer, r.method, r.url, r.body);
          const same = answer.status === missingAnswer.status && mask(answer.text, id) === mask(missingAnswer.text, missing);
          results.push({ probe: `${probe.route} ${probe.position}`, caller, id, status: answer.status, same, leaks: leaksIn(answer.text, id) });
          if (probe.expect === 'not-found') expect([probe.position, caller, id, answer.status]).toEqual([probe.position, caller, id, 404]);
        }
        if (probe.expect === 'not-found') {
          expect([probe.position, caller, missingAnswer.status, JSON.parse(missingAnswer.text)]).toEqual([
            probe.position,
            caller,
            404,
            { error: { code: 'NOT_FOUND', message: expect.any(String) as string, details: expect.anything() as unknown } },
          ]);
        }
      }
    }
    console.log(`T1: ${results.length} cross-tenant requests; ${results.filter((r) => r.status === 404).length} × 404; ` +
      `${results.filter((r) => !r.same).length} differ from a missing id; ${results.reduce((n, r) => n + r.leaks.length, 0)} leaks`);
    expect(results.filter((r) => !r.same)).toEqual([]);
    expect(results.flatMap((r) => r.leaks.map((l) => `${r.probe} ${r.caller} ${r.id}: ${l}`))).toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(100);
    // Nothing was written by any refused request.
    expect(runner.twin.seq).toBe(seqBefore);
  }, 120_000);

  it("no read of acme's carries a canary or an id of another tenant, while bloom's own reads do carry bloom's canaries", async () => {
    const leaks: string[] = [];
    // The drill-down of every line of acme's invoice: the facts and events each line counts.
    const period = 'from=2026-11-01&to=2026-11-30';
    const invoice = JSON.parse((await call(acme.user, 'GET', `${base}/invoices?${period}`)).text) as { lines: { code: string }[] };
    expect(invoice.lines.length).toBeGreaterThan(0);
    const drills = invoice.lines.map((l) => `${base}/invoices/lines/${encodeURIComponent(l.code)}?${period}`);
    for (const url of [...reads().map((r) => r.url).filter((u) => !u.includes('<')), ...drills]) {
      for (const [caller, bearer] of Object.entries(acme)) {
        const answer = await call(bearer, 'GET', url);
        expect([url, caller, answer.status]).toEqual([url, caller, 200]);
        leaks.push(...leaksIn(answer.text).map((l) => `${url} ${caller}: ${l}`));
      }
    }
    expect(leaks).toEqual([]);
    // The canaries are reachable to their owner, so their absence above means something.
    const bloomOrders = await call(bloomUser, 'GET', `${base}/orders`);
    const bloomSkus = await call(bloomUser, 'GET', `${base}/stock?by=sku`);
    const bloomLots = await call(bloomUser, 'GET', `${base}/stock?by=lot`);
    expect(bloomOrders.text).toContain(`${CANARY}-bloom-REF-1`);
    expect(bloomSkus.text).toContain(`${CANARY}-bloom-desc`);
    expect(bloomLots.text).toContain(`${CANARY}-bloom-LOT-1`);
  }, 120_000);

  it('the tenant cannot be named in the query or the body (400, nothing written)', async () => {
    const seqBefore = runner.twin.seq;
    const sku = own().skus[0]!.id as string;
    const attempts: { method: 'GET' | 'POST'; url: string; body?: unknown }[] = [
      { method: 'GET', url: `${base}/orders?tenantId=bloom` },
      { method: 'GET', url: `${base}/stock?tenantId=bloom` },
      { method: 'GET', url: `${base}/asns?tenant=bloom` },
      { method: 'GET', url: `${base}/invoices?from=2026-11-01&to=2026-11-30&tenantId=bloom` },
      { method: 'POST', url: `${base}/orders`, body: { tenantId: 'bloom', lines: [{ skuId: sku, qty: 1 }] } },
      { method: 'POST', url: `${base}/asns`, body: { tenantId: 'bloom', lines: [{ skuId: sku, qty: 1 }] } },
      { method: 'POST', url: `${base}/returns`, body: { tenantId: 'bloom', orderId: own().despatched, lines: [{ skuId: sku, qty: 1, reason: 'damaged' }] } },
    ];
    for (const a of attempts) {
      const answer = await call(acme.admin, a.method, a.url, a.body);
      expect([a.url, answer.status]).toEqual([a.url, 400]);
      expect(leaksIn(answer.text)).toEqual([]);
    }
    expect(runner.twin.seq).toBe(seqBefore);
  });

  it("an Idempotency-Key bloom used creates acme's own order for acme, never answers with bloom's", async () => {
    const key = `shared-${randomUUID()}`;
    const bloomSku = owned.bloom.skus[0]!.id as string;
    const first = await call(bloomAdmin, 'POST', `${base}/orders`, { lines: [{ skuId: bloomSku, qty: 1 }], externalRef: `${CANARY}-bloom-REF-key` }, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    const bloomOrder = (JSON.parse(first.text) as { id: string }).id;
    const answer = await call(acme.key, 'POST', `${base}/orders`, { lines: [{ skuId: own().skus[0]!.id, qty: 1 }], externalRef: 'ACME-REF-key' }, { 'idempotency-key': key });
    expect(answer.status).toBe(201);
    const acmeOrder = JSON.parse(answer.text) as { id: string };
    expect(acmeOrder.id).not.toBe(bloomOrder);
    expect(leaksIn(answer.text)).toEqual([]);
    const tenants = await runner.read((twin) => [twin.orders.get(asOrderId(bloomOrder))?.tenantId, twin.orders.get(asOrderId(acmeOrder.id))?.tenantId]);
    expect(tenants).toEqual(['bloom' as TenantId, 'acme' as TenantId]);
    // And bloom's order is not reachable by acme's id lookup.
    expect((await call(acme.user, 'GET', `${base}/orders/${bloomOrder}`)).status).toBe(404);
  });
});
