/**
 * The pack station over HTTP against a real Postgres: what to pack, pack + label through the built-in carrier,
 * the regenerated ZPL / PDF labels, a carrier failure and its retry, despatch, and the end-of-day manifest.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Carrier, Shipment } from '../shipping/carrier.ts';
import { builtinCarrier } from '../shipping/builtin-carrier.ts';
import { loadSiteFiles } from '../site/site-loader.ts';
import { SiteRunner } from '../site/site-runner.ts';
import { PgEventStore } from '../store/event-store.pg.ts';
import { TEST_DATABASE_URL, uniqueSchema } from '../testing/server-process.ts';
import { hasValidCheckDigit } from '../twin/barcodes/gs1.ts';
import type { Address } from '../twin/commands.ts';
import { asLocationId, asOperativeId, asOrderId, epochMs, type OrderId } from '../twin/ids.ts';
import { checkTwinInvariants } from '../twin/invariants.ts';
import type { SiteDefinition, Sku } from '../twin/site.ts';
import { errorHandler } from './http-error.ts';
import { packingRouter } from './packing.routes.ts';
import { siteRegistry } from './sites.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const SHIP_FROM = { name: 'Floortwin demo DC', line1: '1 Depot Way', city: 'Daventry', postcode: 'NN11 8RN', country: 'GB' };
const SHIP_TO: Address = { name: 'Ada Lovelace', line1: '12 St James Square', city: 'London', postcode: 'SW1Y 4JH', country: 'GB' };

/** The built-in carrier, counting shipments, failing the next `failNext` calls (a carrier outage). */
function countingCarrier(): { carrier: Carrier; calls: () => number; failNext: (n: number) => void; last: () => Shipment | null } {
  const inner = builtinCarrier({ country: 'GB' });
  let calls = 0;
  let failures = 0;
  let last: Shipment | null = null;
  const carrier: Carrier = {
    ...inner,
    createShipment: async (request) => {
      calls++;
      if (failures > 0) {
        failures--;
        throw new Error('carrier API timed out');
      }
      last = await inner.createShipment(request);
      return last;
    },
    manifest: (date, parcels) => inner.manifest(date, parcels),
  };
  return { carrier, calls: () => calls, failNext: (n) => (failures = n), last: () => last };
}

interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> | null };
}

describe('pack station API on Postgres', () => {
  let store: PgEventStore;
  let runner: SiteRunner;
  let site: SiteDefinition;
  let server: Server;
  let base: string;
  const carrier = countingCarrier();
  let nextLocation = 200;
  let nextOrder = 0;

  beforeAll(async () => {
    store = new PgEventStore({ connectionString: TEST_DATABASE_URL, schema: uniqueSchema('packing') });
    await store.init();
    ({ site } = await loadSiteFiles(path.join(root, 'data/sites/demo.json')));
    await store.ensureSite(site.id, site);
    let clockMs = Date.UTC(2026, 10, 27, 8, 0, 0);
    runner = await SiteRunner.open({ site, store, clock: { now: () => epochMs((clockMs += 1000)) } });
    const app = express();
    app.use('/api', express.json());
    app.use(packingRouter(siteRegistry([runner]), { carriers: [carrier.carrier], shipFrom: SHIP_FROM, homeCountry: 'GB' }));
    app.use(errorHandler);
    server = createServer(app).listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/sites/${site.id}`;
  });

  afterAll(async () => {
    server?.close();
    await runner?.close();
    await store?.close();
  });

  const post = (url: string, body?: unknown) =>
    fetch(url, body === undefined ? { method: 'POST' } : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  async function submit(command: Parameters<SiteRunner['submit']>[0]): Promise<void> {
    const result = await runner.submit(command);
    if (!result.ok) throw new Error(`${command.type}: ${result.error.code} ${result.error.message}`);
  }

  /** Plain (not lot-tracked) SKUs of one tenant, for orders the tests build. */
  function skusOf(n: number): Sku[] {
    const tenant = site.skus[0]!.tenantId;
    return site.skus.filter((s) => !s.lotTracked && s.tenantId === tenant).slice(0, n);
  }

  /** Receives stock, creates, allocates, releases and picks an order: it ends `picked`. */
  async function pickedOrder(lines: { sku: Sku; qty: number }[], extra: { shipTo?: Address | null; externalRef?: string } = {}): Promise<OrderId> {
    const orderId = asOrderId(`PACK-${++nextOrder}`);
    for (const { sku, qty } of lines) {
      await submit({ type: 'receiveStock', tenantId: sku.tenantId, locationId: asLocationId(site.layout.locations[nextLocation++]!.id), skuId: sku.id, qty });
    }
    await submit({
      type: 'createOrder',
      orderId,
      tenantId: lines[0]!.sku.tenantId,
      lines: lines.map(({ sku, qty }) => ({ skuId: sku.id, qty })),
      ...(extra.shipTo === null ? {} : { shipTo: extra.shipTo ?? SHIP_TO }),
      ...(extra.externalRef === undefined ? {} : { externalRef: extra.externalRef }),
      service: 'standard',
    });
    await submit({ type: 'allocateOrder', orderId });
    await submit({ type: 'releaseOrder', orderId });
    const operativeId = asOperativeId(`PACKER-${nextOrder}`);
    await submit({ type: 'signOn', operativeId, name: `Picker ${nextOrder}` });
    await submit({ type: 'requestWork', operativeId, maxTasks: 50 });
    const tasks = await runner.read((twin) => twin.orders.get(orderId)!.taskIds.map((id) => ({ ...twin.tasks.get(id)! })));
    for (const task of tasks) {
      const sku = site.skus.find((s) => s.id === task.skuId)!;
      expect(task.operativeId).toBe(operativeId);
      await submit({ type: 'confirmPick', taskId: task.id, operativeId, scannedLocation: task.locationId, scannedItem: sku.barcode, qty: task.qty });
    }
    await submit({ type: 'signOff', operativeId });
    expect(await runner.read((twin) => twin.orders.get(orderId)?.status)).toBe('picked');
    return orderId;
  }

  const orderStatus = (orderId: OrderId) => runner.read((twin) => ({ ...twin.orders.get(orderId)! }));

  it('shows what to pack, found by order id or by channel reference, with a carton and a weight', async () => {
    const [a, b] = skusOf(2);
    const orderId = await pickedOrder([{ sku: a!, qty: 2 }, { sku: b!, qty: 1 }], { externalRef: '820982911946154508' });
    for (const code of [orderId, '820982911946154508']) {
      const response = await fetch(`${base}/pack/${code}`);
      expect(response.status).toBe(200);
      const view = (await response.json()) as {
        orderId: string;
        status: string;
        items: { skuId: string; barcode: string; description: string; qty: number }[];
        units: number;
        carton: { suggested: string | null; options: { code: string }[] };
        estimatedWeightG: number;
      };
      expect(view.orderId).toBe(orderId);
      expect(view.status).toBe('picked');
      expect(view.items).toEqual([
        expect.objectContaining({ skuId: a!.id, barcode: a!.barcode, description: a!.description, qty: 2 }),
        expect.objectContaining({ skuId: b!.id, barcode: b!.barcode, qty: 1 }),
      ]);
      expect(view.units).toBe(3);
      expect(view.carton.options.map((c) => c.code)).toContain(view.carton.suggested);
      // Items plus the carton's own weight.
      expect(view.estimatedWeightG).toBeGreaterThan(Math.round((2 * a!.weightKg + b!.weightKg) * 1000));
    }

    const unknown = await fetch(`${base}/pack/NO-SUCH-ORDER`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as ErrorBody).error.code).toBe('UNKNOWN_ORDER');
  });

  it('refuses an order that is not picked, saying its status', async () => {
    const [sku] = skusOf(1);
    const orderId = asOrderId('PACK-OPEN');
    await submit({ type: 'createOrder', orderId, tenantId: sku!.tenantId, lines: [{ skuId: sku!.id, qty: 1 }], shipTo: SHIP_TO });
    const response = await fetch(`${base}/pack/${orderId}`);
    expect(response.status).toBe(409);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.code).toBe('INVALID_STATE');
    expect(body.error.message).toMatch(/is open/);
    expect(body.error.details).toMatchObject({ orderId, status: 'open' });
  });

  it('packs, labels and returns SSCC, tracking and label links; the labels are regenerated identically', async () => {
    const [a, b] = skusOf(2);
    const orderId = await pickedOrder([{ sku: a!, qty: 2 }, { sku: b!, qty: 1 }]);
    const before = carrier.calls();

    // A mismatch names what differs and changes nothing.
    const wrong = await post(`${base}/orders/${orderId}/pack`, { cartonCode: 'M1', weightG: 900, scannedItems: [{ code: a!.barcode, qty: 1 }, { code: b!.barcode, qty: 1 }] });
    expect(wrong.status).toBe(422);
    const mismatch = (await wrong.json()) as ErrorBody;
    expect(mismatch.error.code).toBe('PACK_MISMATCH');
    expect(JSON.stringify(mismatch.error)).toContain(a!.id);
    expect((await orderStatus(orderId)).status).toBe('picked');
    expect(carrier.calls()).toBe(before);

    const scannedItems = [{ code: a!.barcode, qty: 2 }, { code: `(01)${b!.barcode.padStart(14, '0')}`, qty: 1 }];
    const packed = await post(`${base}/orders/${orderId}/pack`, { cartonCode: 'M1', weightG: 900, scannedItems });
    expect(packed.status).toBe(201);
    const result = (await packed.json()) as { orderId: string; sscc: string; carrier: string; service: string; trackingNumber: string; trackingUrl: string; labels: { zpl: string; pdf: string } };
    expect(result).toMatchObject({ orderId, carrier: 'floortwin-post' });
    expect(result.sscc).toMatch(/^\d{18}$/);
    expect(hasValidCheckDigit(result.sscc)).toBe(true);
    expect(result.trackingNumber).toMatch(/\S/);
    expect(result.trackingUrl).toMatch(/^https?:\/\//);
    expect(result.labels).toEqual({ zpl: `/api/sites/${site.id}/orders/${orderId}/label.zpl`, pdf: `/api/sites/${site.id}/orders/${orderId}/label.pdf` });
    const order = await orderStatus(orderId);
    expect(order).toMatchObject({ status: 'packed', sscc: result.sscc, cartonCode: 'M1', weightG: 900, carrier: 'floortwin-post', trackingNumber: result.trackingNumber });

    const origin = base.slice(0, base.indexOf('/api/'));
    const zpl = await fetch(`${origin}${result.labels.zpl}`);
    expect(zpl.status).toBe(200);
    expect(zpl.headers.get('content-type')).toMatch(/^text\/plain/);
    const zplText = await zpl.text();
    expect(zplText.startsWith('^XA')).toBe(true);
    expect(zplText.trimEnd().endsWith('^XZ')).toBe(true);
    expect(zplText).toContain(result.sscc);
    expect(zplText).toContain(result.trackingNumber);
    expect(await (await fetch(`${origin}${result.labels.zpl}`)).text()).toBe(zplText);
    // Regenerated from committed state, it is the label the carrier produced when it booked the shipment.
    expect(zplText).toBe(carrier.last()?.zpl);

    const pdf = await fetch(`${origin}${result.labels.pdf}`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const pdfBytes = Buffer.from(await pdf.arrayBuffer());
    expect(pdfBytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(Buffer.from(await (await fetch(`${origin}${result.labels.pdf}`)).arrayBuffer()).equals(pdfBytes)).toBe(true);
    expect(pdfBytes.equals(carrier.last()?.pdf ?? Buffer.alloc(0))).toBe(true);

    // A retry after success buys no second label and answers the same.
    const calls = carrier.calls();
    const again = await post(`${base}/orders/${orderId}/pack`, { cartonCode: 'M1', weightG: 900, scannedItems });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ sscc: result.sscc, trackingNumber: result.trackingNumber });
    expect(carrier.calls()).toBe(calls);
  });

  it('refuses to pack an order without a delivery address, before packing it', async () => {
    const [sku] = skusOf(1);
    const orderId = await pickedOrder([{ sku: sku!, qty: 1 }], { shipTo: null });
    const response = await post(`${base}/orders/${orderId}/pack`, { cartonCode: 'S1', weightG: 300, scannedItems: [{ code: sku!.barcode, qty: 1 }] });
    expect(response.status).toBe(422);
    expect(((await response.json()) as ErrorBody).error.code).toBe('NO_SHIP_TO');
    expect((await orderStatus(orderId)).status).toBe('picked');
  });

  it('refuses a parcel no carrier service takes while the order is still picked', async () => {
    const [sku] = skusOf(1);
    const orderId = await pickedOrder([{ sku: sku!, qty: 1 }], { shipTo: { ...SHIP_TO, city: 'Boston', postcode: '02108', country: 'US' } });
    const response = await post(`${base}/orders/${orderId}/pack`, { cartonCode: 'XL1', weightG: 45_000 });
    expect(response.status).toBe(422);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.code).toBe('NO_CARRIER_SERVICE');
    expect(body.error.message).toMatch(/international/);
    expect((await orderStatus(orderId)).status).toBe('picked');
  });

  it('rejects a bad body or an unknown carton with a 4xx naming the problem', async () => {
    const [sku] = skusOf(1);
    const orderId = await pickedOrder([{ sku: sku!, qty: 1 }]);
    const cases: [Response, number, string, RegExp][] = [
      [await post(`${base}/orders/${orderId}/pack`, { cartonCode: 'S1', weightG: 2.5 }), 400, 'VALIDATION_FAILED', /weightG/],
      [await post(`${base}/orders/${orderId}/pack`, { cartonCode: 'S1', weightG: 300, scannedItems: [{ code: '', qty: 1 }] }), 400, 'VALIDATION_FAILED', /scannedItems\.0\.code/],
      [await post(`${base}/orders/${orderId}/pack`, { weightG: 300 }), 400, 'VALIDATION_FAILED', /cartonCode/],
      [await post(`${base}/orders/${orderId}/pack`, { cartonCode: 'CRATE', weightG: 300 }), 422, 'UNKNOWN_CARTON', /CRATE/],
      [await post(`${base}/orders/NOPE/pack`, { cartonCode: 'S1', weightG: 300 }), 404, 'UNKNOWN_ORDER', /NOPE/],
      [await fetch(`${base}/orders/${orderId}/label.zpl`), 409, 'NOT_LABELLED', /picked/],
      [await fetch(`${base}/manifest?carrier=floortwin-post&date=2026-02-30`), 400, 'VALIDATION_FAILED', /date/],
      [await fetch(`${base}/manifest?carrier=pigeon`), 404, 'UNKNOWN_CARRIER', /pigeon/],
    ];
    for (const [response, status, code, message] of cases) {
      const body = (await response.json()) as ErrorBody;
      expect({ status: response.status, code: body.error.code }).toEqual({ status, code });
      expect(body.error.message).toMatch(message);
    }
    expect((await orderStatus(orderId)).status).toBe('picked');
  });

  it('a carrier failure leaves the order packed without a label; the retry only labels it, with the same SSCC', async () => {
    const [sku] = skusOf(1);
    const orderId = await pickedOrder([{ sku: sku!, qty: 1 }]);
    carrier.failNext(1);
    const failed = await post(`${base}/orders/${orderId}/pack`, { cartonCode: 'S1', weightG: 250, scannedItems: [{ code: sku!.barcode, qty: 1 }] });
    expect(failed.status).toBe(502);
    const failure = (await failed.json()) as ErrorBody;
    expect(failure.error.code).toBe('CARRIER_FAILED');
    const packed = await orderStatus(orderId);
    expect(packed).toMatchObject({ status: 'packed', trackingNumber: null, cartonCode: 'S1', weightG: 250 });
    expect(failure.error.details).toMatchObject({ orderId, sscc: packed.sscc });

    // The pack station's lookup says the label is pending.
    const lookup = (await (await fetch(`${base}/pack/${orderId}`)).json()) as ErrorBody;
    expect(lookup.error.details).toMatchObject({ status: 'packed', labelPending: true, cartonCode: 'S1', weightG: 250 });

    const calls = carrier.calls();
    const retried = await post(`${base}/orders/${orderId}/pack`, {});
    expect(retried.status).toBe(201);
    expect(await retried.json()).toMatchObject({ orderId, sscc: packed.sscc });
    expect(carrier.calls()).toBe(calls + 1);
    expect((await orderStatus(orderId)).trackingNumber).not.toBeNull();
  });

  it('two pack requests at once for one order buy one label', async () => {
    const [sku] = skusOf(1);
    const orderId = await pickedOrder([{ sku: sku!, qty: 1 }]);
    const calls = carrier.calls();
    const body = { cartonCode: 'S1', weightG: 260, scannedItems: [{ code: sku!.barcode, qty: 1 }] };
    const responses = await Promise.all([post(`${base}/orders/${orderId}/pack`, body), post(`${base}/orders/${orderId}/pack`, body)]);
    expect(responses.map((r) => r.status).sort()).toEqual([200, 201]);
    const [first, second] = (await Promise.all(responses.map((r) => r.json()))) as { trackingNumber: string; sscc: string }[];
    expect(first!.trackingNumber).toBe(second!.trackingNumber);
    expect(first!.sscc).toBe(second!.sscc);
    expect(carrier.calls()).toBe(calls + 1);
  });

  it('despatches with the label’s carrier and tracking, and lists the parcel on the day’s manifest (JSON and CSV)', async () => {
    const [sku] = skusOf(1);
    const orderId = await pickedOrder([{ sku: sku!, qty: 1 }]);
    const packed = (await (await post(`${base}/orders/${orderId}/pack`, { cartonCode: 'S1', weightG: 270 })).json()) as { sscc: string; trackingNumber: string };

    const despatched = await post(`${base}/orders/${orderId}/despatch`);
    expect(despatched.status).toBe(200);
    expect(await despatched.json()).toMatchObject({ id: orderId, status: 'despatched' });
    expect(await orderStatus(orderId)).toMatchObject({ status: 'despatched', carrier: 'floortwin-post', trackingNumber: packed.trackingNumber });
    const twice = await post(`${base}/orders/${orderId}/despatch`);
    expect(twice.status).toBe(409);

    const day = await runner.read((twin) => new Date(twin.now).toISOString().slice(0, 10));
    const json = await fetch(`${base}/manifest?carrier=floortwin-post&date=${day}`);
    expect(json.status).toBe(200);
    const manifest = (await json.json()) as {
      carrier: string;
      date: string;
      parcels: number;
      parcelList: { orderId: string; sscc: string; trackingNumber: string; weightG: number }[];
      totalWeightG: number;
      csv: string;
    };
    expect(manifest).toMatchObject({ carrier: 'floortwin-post', date: day });
    expect(manifest.parcelList).toContainEqual(expect.objectContaining({ orderId, sscc: packed.sscc, trackingNumber: packed.trackingNumber, weightG: 270 }));
    expect(manifest.parcels).toBe(manifest.parcelList.length);
    expect(manifest.totalWeightG).toBe(manifest.parcelList.reduce((sum, p) => sum + p.weightG, 0));

    for (const request of [fetch(`${base}/manifest?carrier=floortwin-post&date=${day}&format=csv`), fetch(`${base}/manifest?carrier=floortwin-post&date=${day}`, { headers: { accept: 'text/csv' } })]) {
      const csv = await request;
      expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
      const text = await csv.text();
      expect(text).toBe(manifest.csv);
      expect(text).toContain(packed.trackingNumber);
    }

    // Another day's manifest does not list it.
    const other = (await (await fetch(`${base}/manifest?carrier=floortwin-post&date=2026-01-01`)).json()) as { parcels: number; parcelList: unknown[] };
    expect(other).toMatchObject({ parcels: 0, parcelList: [] });
    expect(checkTwinInvariants(runner.twin)).toEqual([]);
  });

  it('a despatch of an order that is not packed is refused with its status', async () => {
    const response = await post(`${base}/orders/PACK-OPEN/despatch`);
    expect(response.status).toBe(409);
    expect(((await response.json()) as ErrorBody).error.details).toMatchObject({ status: 'open' });
  });
});
