/**
 * The pack station and despatch: what to pack for an order, pack + label (carrier), the label files, despatch, and
 * the carrier's end-of-day manifest. Thin: parse, read committed state or submit a command, map the result.
 *
 * Nothing large is stored: ZPL and PDF labels are regenerated on demand from the order's committed state (SSCC,
 * carrier, service, tracking, addresses), so the same order always prints the same label.
 */
import { Router, type Response } from 'express';
import { z } from 'zod';
import { builtinCarrier } from '../shipping/builtin-carrier.ts';
import { CarrierError, chooseService, type Carrier, type ManifestParcel, type Shipment } from '../shipping/carrier.ts';
import { pdfLabel, zplLabel, type LabelAddress, type LabelData } from '../shipping/label.ts';
import type { Address } from '../twin/commands.ts';
import { asOrderId, type OrderId, type SkuId } from '../twin/ids.ts';
import { DEFAULT_CARTONS, suggestCarton, type Carton } from '../twin/packing/cartons.ts';
import type { OrderState, TwinState } from '../twin/state.ts';
import { sendDomainError, sendError } from './http-error.ts';
import { orderView } from './orders.routes.ts';
import { Id, Quantity, parseOr400, siteFrom } from './params.ts';
import type { SiteRegistry } from './sites.ts';

/** How the packing routes reach carriers and where parcels are sent from. */
export interface PackingOptions {
  /** Carriers to choose from; the first that offers the requested service wins (see `chooseService`). */
  readonly carriers: readonly Carrier[];
  /** The warehouse's address, printed as the sender. */
  readonly shipFrom: LabelAddress;
  /** The sender of one site's parcels, when a deployment's sites differ (default `shipFrom` for every site). */
  readonly shipFromOf?: (siteId: string) => LabelAddress;
  /** ISO 3166-1 alpha-2 country of the warehouse: parcels to elsewhere are international. */
  readonly homeCountry: string;
  /** Cartons the pack station stocks (default `DEFAULT_CARTONS`). */
  readonly cartons?: readonly Carton[];
}

/**
 * Packing with the built-in carrier, shipping from the site: its name from `siteNameOf` (each site of a deployment its
 * own), the address a placeholder until site files carry their real sender address.
 */
export function builtinPackingOptions(siteName: string, country: string, siteNameOf?: (siteId: string) => string | undefined): PackingOptions {
  const shipFrom = { name: siteName, line1: '1 Depot Way', city: 'Daventry', postcode: 'NN11 8RN', country };
  return {
    carriers: [builtinCarrier({ country })],
    shipFrom,
    ...(siteNameOf === undefined ? {} : { shipFromOf: (siteId: string) => ({ ...shipFrom, name: siteNameOf(siteId) ?? siteName }) }),
    homeCountry: country,
  };
}

/** A scan at the pack station may be a barcode or a GS1 element string (up to 48 data characters plus AIs). */
const ScanCode = z.string().trim().min(1).max(128);

/**
 * Carton and weight are required to pack a picked order; a retry on an order packed earlier (its label failed) uses
 * what was committed then and may omit them. `scannedItems`, when given, must match the picked units (PACK_MISMATCH).
 */
const PackBody = z
  .object({
    cartonCode: z.string().trim().min(1).max(32).optional(),
    /** Weighed gross weight of the parcel, grams. */
    weightG: z.number().int('weigh in whole grams').positive('must be at least 1 g').max(1_000_000, 'at most 1,000 kg').optional(),
    scannedItems: z.array(z.object({ code: ScanCode, qty: Quantity }).strict()).max(1000).optional(),
  })
  .strict();

const DespatchBody = z
  .object({ carrier: z.string().trim().min(1).max(64).optional(), trackingNumber: z.string().trim().min(1).max(64).optional() })
  .strict();

const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'not a calendar date');

const ManifestQuery = z
  .object({ carrier: Id, date: IsoDate.optional(), format: z.enum(['json', 'csv']).optional() })
  .strict();

/** The order and the parts of it packing needs, read in one go from committed state. */
interface OrderRead {
  readonly order: OrderState;
  /** Units picked per SKU, in order of first appearance on the lines. */
  readonly picked: ReadonlyMap<SkuId, number>;
}

function readOrder(twin: TwinState, orderId: OrderId): OrderRead | null {
  const order = twin.orders.get(orderId);
  if (order === undefined) return null;
  const picked = new Map<SkuId, number>();
  for (const line of order.lines) if (line.picked > 0) picked.set(line.skuId, (picked.get(line.skuId) ?? 0) + line.picked);
  return { order: structuredClone(order), picked };
}

/** The order a pack-station scan names: its order id, else the channel's reference (only one live order may match). */
function findOrderByCode(twin: TwinState, code: string): { orderId: OrderId } | { ambiguous: OrderId[] } | null {
  if (twin.orders.has(asOrderId(code))) return { orderId: asOrderId(code) };
  const matches = [...twin.orders.values()].filter((o) => o.externalRef === code);
  const live = matches.filter((o) => o.status !== 'cancelled' && o.status !== 'despatched');
  const candidates = live.length > 0 ? live : matches;
  if (candidates.length === 0) return null;
  if (candidates.length === 1) return { orderId: candidates[0]!.id };
  return { ambiguous: candidates.map((o) => o.id) };
}

/** What the pack station shows for a picked order: the items to verify, a carton, an estimated weight. */
function packView(twin: TwinState, read: OrderRead, cartons: readonly Carton[]) {
  const { order, picked } = read;
  const items = [...picked].map(([skuId, qty]) => {
    const sku = twin.skusById.get(skuId);
    return {
      skuId,
      description: sku?.description ?? skuId,
      barcode: sku?.barcode ?? '',
      qty,
      unitWeightG: sku === undefined ? 0 : Math.round(sku.weightKg * 1000),
      sku,
    };
  });
  const itemsWeightG = items.reduce((sum, item) => sum + item.unitWeightG * item.qty, 0);
  const suggestion = suggestCarton(
    items.flatMap(({ sku, qty }) => (sku === undefined ? [] : [{ lengthM: sku.lengthM, widthM: sku.widthM, heightM: sku.heightM, weightKg: sku.weightKg, qty }])),
    cartons,
  );
  return {
    orderId: order.id,
    tenantId: order.tenantId,
    channel: order.channel,
    externalRef: order.externalRef,
    status: order.status,
    service: order.service,
    shipTo: order.shipTo,
    items: items.map(({ sku: _sku, ...item }) => item),
    units: items.reduce((sum, item) => sum + item.qty, 0),
    carton: suggestion.ok
      ? { suggested: suggestion.carton.code, fillRatio: round(suggestion.fillRatio, 3), reason: null, options: cartons }
      : { suggested: null, fillRatio: null, reason: suggestion.reason, options: cartons },
    // Gross: items plus the suggested carton's own weight, to compare with the scale.
    estimatedWeightG: suggestion.ok ? Math.round(suggestion.weightKg * 1000) : itemsWeightG,
  };
}

const round = (n: number, digits: number): number => Math.round(n * 10 ** digits) / 10 ** digits;

/** Everything a label prints, from the order's committed state; null until the order is labelled. */
function labelDataOf(order: OrderState, twin: TwinState, options: PackingOptions): LabelData | null {
  if (order.sscc === null || order.trackingNumber === null || order.carrier === null || order.shipTo === null) return null;
  // Labels print the carrier's and the service's names, as the carrier printed them when it booked the shipment.
  const carrier = options.carriers.find((c) => c.id === order.carrier);
  const service = order.service ?? 'standard';
  return {
    sscc: order.sscc,
    from: options.shipFromOf?.(twin.site.id) ?? options.shipFrom,
    to: labelAddressOf(order.shipTo),
    orderId: order.id,
    externalRef: order.externalRef,
    carrier: carrier?.name ?? order.carrier,
    service: carrier?.services.find((s) => s.code === service)?.name ?? service,
    trackingNumber: order.trackingNumber,
    weightG: order.weightG ?? 0,
    cartonCode: order.cartonCode ?? '',
    shippedOn: shippedOnOf(order, twin),
  };
}

/**
 * The day printed on the label: the day the order was packed when the twin records it (so a reprint is identical),
 * else the despatch day, else today.
 */
function shippedOnOf(order: OrderState, twin: TwinState): string {
  return utcDay(packedAtOf(order) ?? order.despatchedAt ?? twin.now);
}

/** When the order was packed; null before. */
function packedAtOf(order: OrderState): number | null {
  return order.packedAt;
}

function labelAddressOf(address: Address): LabelAddress {
  return { ...address };
}

function labelLinks(siteId: string, orderId: string) {
  const base = `/api/sites/${encodeURIComponent(siteId)}/orders/${encodeURIComponent(orderId)}`;
  return { zpl: `${base}/label.zpl`, pdf: `${base}/label.pdf` };
}

/** One parcel on a manifest, from a labelled order. */
function parcelOf(order: OrderState): ManifestParcel | null {
  if (order.sscc === null || order.trackingNumber === null || order.shipTo === null) return null;
  return {
    orderId: order.id,
    sscc: order.sscc,
    trackingNumber: order.trackingNumber,
    service: order.service ?? 'standard',
    weightG: order.weightG ?? 0,
    postcode: order.shipTo.postcode,
    country: order.shipTo.country,
  };
}

/** `YYYY-MM-DD` (UTC) of an epoch-ms time. */
const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export function packingRouter(sites: SiteRegistry, options: PackingOptions): Router {
  const router = Router();
  const cartons = options.cartons ?? DEFAULT_CARTONS;
  const carrierById = new Map(options.carriers.map((carrier) => [carrier.id, carrier]));

  // Pack + label of one order runs one request at a time, so two clicks never buy two labels for one parcel.
  const busy = new Map<string, Promise<unknown>>();
  const exclusively = async (key: string, work: () => Promise<unknown>): Promise<void> => {
    const before = busy.get(key) ?? Promise.resolve();
    const mine = before.then(work, work);
    const tail = mine.then(
      () => undefined,
      () => undefined,
    );
    busy.set(key, tail);
    try {
      await mine;
    } finally {
      if (busy.get(key) === tail) busy.delete(key);
    }
  };

  router.get('/api/sites/:siteId/pack/:code', async (req, res) => {
    const site = siteFrom(sites, req, res);
    const code = site && parseOr400(ScanCode, req.params['code'], res, 'path');
    if (!site || !code) return;
    const answer = await site.read((twin) => {
      const found = findOrderByCode(twin, code);
      if (found === null || 'ambiguous' in found) return found;
      const read = readOrder(twin, found.orderId);
      if (read === null) return null;
      return { read, view: read.order.status === 'picked' ? packView(twin, read, cartons) : null };
    });
    if (answer === null) return sendError(res, 404, 'UNKNOWN_ORDER', `no order with id or channel reference '${code}'`, { code });
    if ('ambiguous' in answer)
      return sendError(res, 409, 'AMBIGUOUS_CODE', `'${code}' is the channel reference of ${answer.ambiguous.length} orders; scan the order id`, {
        code,
        orderIds: answer.ambiguous,
      });
    const { order } = answer.read;
    if (answer.view === null) return notPickedError(res, order, 'packed');
    res.json(answer.view);
  });

  router.post('/api/sites/:siteId/orders/:orderId/pack', async (req, res) => {
    const site = siteFrom(sites, req, res);
    const rawId = site && parseOr400(Id, req.params['orderId'], res, 'path');
    const body = rawId && parseOr400(PackBody, req.body, res, 'body');
    if (!site || !rawId || !body) return;
    const orderId = asOrderId(rawId);

    await exclusively(`${site.siteId}\u0000${orderId}`, async () => {
      const before = await site.read((twin) => readOrder(twin, orderId));
      if (before === null) return sendError(res, 404, 'UNKNOWN_ORDER', `no order '${orderId}'`, { orderId });
      const { order } = before;
      if (order.shipTo === null)
        return sendError(res, 422, 'NO_SHIP_TO', `order '${orderId}' has no delivery address; it cannot be labelled`, { orderId });
      const shipTo = order.shipTo;

      // Already labelled: a retry gets the same answer, and no second label is bought.
      if ((order.status === 'packed' || order.status === 'despatched') && order.trackingNumber !== null && order.sscc !== null) {
        return res.status(200).json(packResult(site.siteId, order, carrierById.get(order.carrier ?? '')));
      }
      if (order.status !== 'picked' && order.status !== 'packed') return notPickedError(res, order, 'packed');

      // Packed earlier but the carrier failed: only the label part is done now, with the carton and weight of then.
      const relabel = order.status === 'packed';
      const cartonCode = relabel ? (order.cartonCode ?? body.cartonCode ?? '') : body.cartonCode;
      const weightG = relabel ? (order.weightG ?? body.weightG) : body.weightG;
      const missing = [...(cartonCode === undefined ? ['cartonCode'] : []), ...(weightG === undefined ? ['weightG'] : [])];
      if (cartonCode === undefined || weightG === undefined)
        return sendError(res, 400, 'VALIDATION_FAILED', `invalid body: ${missing.map((field) => `${field}: required to pack a picked order`).join('; ')}`, {
          issues: missing.map((field) => ({ field, message: 'required to pack a picked order', code: 'invalid_type' })),
        });
      if (!relabel && !cartons.some((c) => c.code === cartonCode))
        return sendError(res, 422, 'UNKNOWN_CARTON', `no carton '${cartonCode}'; choose one of ${cartons.map((c) => c.code).join(', ')}`, {
          cartonCode,
          cartons: cartons.map((c) => c.code),
        });

      // Chosen before packing: a parcel no carrier takes is refused while the order is still picked.
      const choice = chooseService({ service: order.service, weightG, country: shipTo.country }, options.carriers, options.homeCountry);
      if ('error' in choice)
        return sendError(res, 422, 'NO_CARRIER_SERVICE', `no carrier can take this parcel: ${choice.error}`, {
          orderId,
          service: order.service,
          weightG,
          country: shipTo.country,
        });

      if (!relabel) {
        const packed = await site.submit({
          type: 'packOrder',
          orderId,
          cartonCode,
          weightG,
          ...(body.scannedItems === undefined ? {} : { scannedItems: body.scannedItems }),
        });
        if (!packed.ok) return sendDomainError(res, packed.error);
      }

      const request = await site.read((twin) => {
        const now = twin.orders.get(orderId);
        if (now?.sscc == null) return null;
        return {
          orderId,
          sscc: now.sscc,
          service: choice.service,
          weightG,
          cartonCode,
          from: options.shipFromOf?.(twin.site.id) ?? options.shipFrom,
          to: labelAddressOf(shipTo),
          externalRef: now.externalRef,
          shippedOn: shippedOnOf(now, twin),
        };
      });
      if (request === null) return sendError(res, 409, 'INVALID_STATE', `order '${orderId}' has no SSCC after packing`, { orderId });
      let shipment: Shipment;
      try {
        shipment = await choice.carrier.createShipment(request);
      } catch (error) {
        // The parcel stays packed with its SSCC; POST again to retry the label only.
        const refused = error instanceof CarrierError;
        const message = error instanceof Error ? error.message : String(error);
        return sendError(
          res,
          refused ? 422 : 502,
          refused ? 'CARRIER_REFUSED' : 'CARRIER_FAILED',
          `carrier '${choice.carrier.id}' ${refused ? 'refused' : 'could not create'} the shipment: ${message}`,
          { orderId, sscc: request.sscc, status: 'packed', carrier: choice.carrier.id, service: choice.service },
        );
      }
      const labelled = await site.submit({
        type: 'labelShipment',
        orderId,
        carrier: shipment.carrier,
        service: shipment.service,
        trackingNumber: shipment.trackingNumber,
      });
      if (!labelled.ok) return sendDomainError(res, labelled.error);
      const after = await site.read((twin) => readOrder(twin, orderId));
      if (after === null) return sendError(res, 404, 'UNKNOWN_ORDER', `no order '${orderId}'`, { orderId });
      res
        .status(201)
        .location(labelLinks(site.siteId, orderId).zpl)
        .json({ ...packResult(site.siteId, after.order, choice.carrier), trackingUrl: shipment.trackingUrl });
    });
  });

  const labelRoute = (kind: 'zpl' | 'pdf') =>
    router.get(`/api/sites/:siteId/orders/:orderId/label.${kind}`, async (req, res) => {
      const site = siteFrom(sites, req, res);
      const rawId = site && parseOr400(Id, req.params['orderId'], res, 'path');
      if (!site || !rawId) return;
      const orderId = asOrderId(rawId);
      const found = await site.read((twin) => {
        const order = twin.orders.get(orderId);
        return order === undefined ? null : { status: order.status, data: labelDataOf(order, twin, options) };
      });
      if (found === null) return sendError(res, 404, 'UNKNOWN_ORDER', `no order '${orderId}'`, { orderId });
      const { data } = found;
      if (data === null)
        return sendError(res, 409, 'NOT_LABELLED', `order '${orderId}' is ${found.status} and has no shipping label yet`, {
          orderId,
          status: found.status,
        });
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Content-Disposition', `inline; filename="${orderId}-${data.sscc}.${kind}"`);
      if (kind === 'zpl') res.type('text/plain; charset=utf-8').send(zplLabel(data));
      else res.type('application/pdf').send(pdfLabel(data));
    });
  labelRoute('zpl');
  labelRoute('pdf');

  router.post('/api/sites/:siteId/orders/:orderId/despatch', async (req, res) => {
    const site = siteFrom(sites, req, res);
    const rawId = site && parseOr400(Id, req.params['orderId'], res, 'path');
    const body = rawId && parseOr400(DespatchBody, req.body ?? {}, res, 'body');
    if (!site || !rawId || !body) return;
    const orderId = asOrderId(rawId);
    const result = await site.submit({
      type: 'despatchOrder',
      orderId,
      ...(body.carrier === undefined ? {} : { carrier: body.carrier }),
      ...(body.trackingNumber === undefined ? {} : { trackingNumber: body.trackingNumber }),
    });
    if (!result.ok) return sendDomainError(res, result.error);
    res.json(await site.read((twin) => {
      const order = twin.orders.get(orderId);
      return order === undefined ? null : orderView(order, twin);
    }));
  });

  router.get('/api/sites/:siteId/manifest', async (req, res) => {
    const site = siteFrom(sites, req, res);
    const query = site && parseOr400(ManifestQuery, req.query, res, 'query');
    if (!site || !query) return;
    const carrier = carrierById.get(query.carrier);
    if (carrier === undefined)
      return sendError(res, 404, 'UNKNOWN_CARRIER', `no carrier '${query.carrier}'; configured: ${[...carrierById.keys()].join(', ')}`, {
        carrier: query.carrier,
        carriers: [...carrierById.keys()],
      });
    const { date, parcels } = await site.read((twin) => {
      const day = query.date ?? utcDay(twin.now);
      // Despatched that day, plus parcels labelled and waiting for collection: those packed that day (or, where the
      // pack time is not recorded, on today's manifest).
      const onManifest = [...twin.orders.values()].filter(
        (o) =>
          o.carrier === carrier.id &&
          o.trackingNumber !== null &&
          (o.status === 'despatched'
            ? o.despatchedAt !== null && utcDay(o.despatchedAt) === day
            : o.status === 'packed' && utcDay(packedAtOf(o) ?? twin.now) === day),
      );
      onManifest.sort((a, b) => (a.despatchedAt ?? Number.MAX_SAFE_INTEGER) - (b.despatchedAt ?? Number.MAX_SAFE_INTEGER) || a.id.localeCompare(b.id));
      return { date: day, parcels: onManifest.flatMap((o) => parcelOf(o) ?? []) };
    });
    // `parcels` of the carrier's manifest is the count; the list goes alongside for the screen.
    const manifest = { ...carrier.manifest(date, parcels), parcelList: parcels };
    const wantsCsv = query.format === 'csv' || (query.format === undefined && req.accepts(['application/json', 'text/csv']) === 'text/csv');
    if (wantsCsv) {
      res.setHeader('Content-Disposition', `attachment; filename="${carrier.id}-manifest-${date}.csv"`);
      return res.type('text/csv; charset=utf-8').send(manifest.csv);
    }
    res.json(manifest);
  });

  return router;
}

/** 409 naming the order's status when it is not ready for the step asked for. */
function notPickedError(res: Response, order: OrderState, step: 'packed'): void {
  const labelPending = order.status === 'packed' && order.trackingNumber === null;
  sendError(
    res,
    409,
    'INVALID_STATE',
    labelPending
      ? `order '${order.id}' is packed but has no label yet; POST /orders/${order.id}/pack again to print it`
      : `order '${order.id}' is ${order.status}; only picked orders can be ${step}`,
    {
      orderId: order.id,
      status: order.status,
      labelPending,
      sscc: order.sscc,
      trackingNumber: order.trackingNumber,
      cartonCode: order.cartonCode,
      weightG: order.weightG,
    },
  );
}

/** The answer to a pack request: the SSCC, the carrier's tracking and where the label files are. */
function packResult(siteId: string, order: OrderState, carrier: Carrier | undefined) {
  return {
    orderId: order.id,
    status: order.status,
    sscc: order.sscc,
    cartonCode: order.cartonCode,
    weightG: order.weightG,
    carrier: order.carrier,
    service: order.service,
    trackingNumber: order.trackingNumber,
    trackingUrl: carrier !== undefined && order.trackingNumber !== null ? carrier.trackingUrl(order.trackingNumber) : null,
    labels: labelLinks(siteId, order.id),
  };
}
