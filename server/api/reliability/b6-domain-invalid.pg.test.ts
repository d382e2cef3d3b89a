/**
 * B6 (../shared/reference/reliability.md §6.4): domain-invalid operations through the HTTP API on Postgres. One row
 * per case, grouped by rule: each must answer a 4xx with the specific code (a domain code, or VALIDATION_FAILED naming
 * the field when the edge already refuses the shape, e.g. a fractional quantity), with the standard error body, and
 * write nothing — the event log, the `stock_move` ledger, `stock_quant` and `stock_holds` are unchanged, and the
 * site's invariants still hold at the end.
 *
 * Picking has no HTTP route (the handheld scans over Socket.IO, server/realtime); the fixture's picks go through the
 * site runner as the picking gateway submits them. TODO(#8): rows for the move-task routes once they are mounted in
 * server/testing/api-on-postgres.ts (put-away into another client's bin → CLIENT_MISMATCH, into a bin being counted →
 * COUNT_IN_PROGRESS, wrong source scan → WRONG_LOCATION_SCANNED).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiOnPostgres, type ApiOnPostgres } from '../../testing/api-on-postgres.ts';
import type { Command } from '../../twin/commands.ts';
import { asCountId } from '../../twin/counting.ts';
import { asOperativeId, asOrderId, type LocationId, type OrderId } from '../../twin/ids.ts';
import type { Sku } from '../../twin/site.ts';
import { dockLocationId } from '../../twin/stock-status.ts';
import { errorBodyProblem, errorCodeOf, KeepAliveClient } from './http-client.ts';
import { siteInvariantProblems } from './invariants.ts';

/** What the fixture made, for the cases to name. */
interface Fixture {
  readonly a: Sku; // plain SKU of tenant 1, 10 units in bin A
  readonly d: Sku; // another plain SKU of tenant 1, 6 units in bin D, all held
  readonly c: Sku; // plain SKU of tenant 2, 5 units in bin C
  readonly lot: Sku; // lot-tracked SKU of tenant 1
  readonly binA: LocationId;
  readonly binC: LocationId;
  readonly binD: LocationId;
  readonly empty: LocationId;
  readonly counted: LocationId; // has an open count
  readonly dock: LocationId;
  readonly despatched: OrderId; // 3 units of A shipped to tenant 1
  readonly foreignDespatched: OrderId; // 2 units of C shipped to tenant 2
  readonly open: OrderId; // created, not allocated: 2 units of A
  readonly picked: OrderId; // picked, not packed
}

const SHIP_TO = { name: 'A Buyer', line1: '1 High Street', city: 'Leeds', postcode: 'LS1 1AA', country: 'GB' };

const PARCEL = { cartonCode: 'M1', weightG: 500 };

interface Case {
  readonly rule: string;
  readonly name: string;
  readonly method?: 'POST' | 'PUT';
  readonly path: (f: Fixture) => string;
  readonly body: (f: Fixture) => unknown;
  readonly status: number;
  readonly code: string;
  /** For VALIDATION_FAILED: the field the edge names. */
  readonly field?: string;
}

const CASES: readonly Case[] = [
  // R2 — quantities are positive whole units.
  ...[0, -1, -1000].map((qty): Case => ({ rule: 'R2', name: `receipt of qty ${qty}`, path: () => '/stock/receipts', body: (f) => ({ tenantId: f.a.tenantId, locationId: f.empty, skuId: f.a.id, qty }), status: 400, code: 'VALIDATION_FAILED', field: 'qty' })),
  ...[0.5, 1.5, 2.000001].map((qty): Case => ({ rule: 'R2', name: `fractional receipt ${qty}`, path: () => '/stock/receipts', body: (f) => ({ tenantId: f.a.tenantId, locationId: f.empty, skuId: f.a.id, qty }), status: 400, code: 'VALIDATION_FAILED', field: 'qty' })),
  { rule: 'R2', name: 'move of 0', path: () => '/stock/moves', body: (f) => ({ tenantId: f.a.tenantId, skuId: f.a.id, fromLocationId: f.binA, toLocationId: f.empty, qty: 0 }), status: 400, code: 'VALIDATION_FAILED', field: 'qty' },
  { rule: 'R2', name: 'fractional move', path: () => '/stock/moves', body: (f) => ({ tenantId: f.a.tenantId, skuId: f.a.id, fromLocationId: f.binA, toLocationId: f.empty, qty: 1.25 }), status: 400, code: 'VALIDATION_FAILED', field: 'qty' },
  { rule: 'R2', name: 'order line of 0', path: () => '/orders', body: (f) => ({ orderId: 'B6-O-0', tenantId: f.a.tenantId, lines: [{ skuId: f.a.id, qty: 0 }] }), status: 400, code: 'VALIDATION_FAILED', field: 'lines.0.qty' },
  { rule: 'R2', name: 'fractional order line', path: () => '/orders', body: (f) => ({ orderId: 'B6-O-1', tenantId: f.a.tenantId, lines: [{ skuId: f.a.id, qty: 2.5 }] }), status: 400, code: 'VALIDATION_FAILED', field: 'lines.0.qty' },
  { rule: 'R2', name: 'goods-in receipt of -3', path: () => '/receipts', body: (f) => ({ receiptId: 'B6-R-1', tenantId: f.a.tenantId, skuId: f.a.id, qty: -3 }), status: 400, code: 'VALIDATION_FAILED', field: 'qty' },
  { rule: 'R2', name: 'fractional damaged units', path: () => '/receipts', body: (f) => ({ receiptId: 'B6-R-2', tenantId: f.a.tenantId, skuId: f.a.id, qty: 3, damagedQty: 0.5, reason: 'crushed' }), status: 400, code: 'VALIDATION_FAILED', field: 'damagedQty' },
  { rule: 'R2', name: 'hold of 0 units', path: () => '/holds', body: (f) => ({ tenantId: f.a.tenantId, status: 'qc', reason: 'check', skuId: f.a.id, qty: 0 }), status: 400, code: 'VALIDATION_FAILED', field: 'qty' },
  { rule: 'R2', name: 'fractional RMA line', path: () => '/rmas', body: (f) => ({ rmaId: 'B6-RMA-F', tenantId: f.a.tenantId, orderId: f.despatched, lines: [{ skuId: f.a.id, qty: 1.5, reason: 'unwanted' }] }), status: 400, code: 'VALIDATION_FAILED', field: 'lines.0.qty' },
  // R1 — known places, SKUs of the tenant named.
  { rule: 'R1', name: 'receipt into an unknown bin', path: () => '/stock/receipts', body: (f) => ({ tenantId: f.a.tenantId, locationId: 'NO-SUCH-BIN', skuId: f.a.id, qty: 1 }), status: 422, code: 'UNKNOWN_LOCATION' },
  { rule: 'R1', name: 'receipt into a virtual ledger location', path: () => '/stock/receipts', body: (f) => ({ tenantId: f.a.tenantId, locationId: 'V:ADJUSTMENT', skuId: f.a.id, qty: 1 }), status: 422, code: 'UNKNOWN_LOCATION' },
  { rule: 'R1', name: "receipt of another client's SKU", path: () => '/stock/receipts', body: (f) => ({ tenantId: f.a.tenantId, locationId: f.empty, skuId: f.c.id, qty: 1 }), status: 422, code: 'TENANT_MISMATCH' },
  { rule: 'R1', name: "move naming another client's SKU", path: () => '/stock/moves', body: (f) => ({ tenantId: f.a.tenantId, skuId: f.c.id, fromLocationId: f.binC, toLocationId: f.empty, qty: 1 }), status: 422, code: 'TENANT_MISMATCH' },
  // R3 — lots.
  { rule: 'R3', name: 'lot-tracked receipt without a lot', path: () => '/stock/receipts', body: (f) => ({ tenantId: f.lot.tenantId, locationId: f.empty, skuId: f.lot.id, qty: 1 }), status: 422, code: 'LOT_REQUIRED' },
  { rule: 'R3', name: 'lot on a SKU that is not lot-tracked', path: () => '/stock/receipts', body: (f) => ({ tenantId: f.a.tenantId, locationId: f.empty, skuId: f.a.id, qty: 1, lot: 'L1', expiry: '2027-01-01' }), status: 409, code: 'INVALID_STATE' },
  // R4 — put away into another client's bin (or another SKU's).
  { rule: 'R4', name: "receipt into another client's bin", path: () => '/stock/receipts', body: (f) => ({ tenantId: f.a.tenantId, locationId: f.binC, skuId: f.a.id, qty: 1 }), status: 409, code: 'INVALID_STATE' },
  { rule: 'R4', name: "move into another client's bin", path: () => '/stock/moves', body: (f) => ({ tenantId: f.a.tenantId, skuId: f.a.id, fromLocationId: f.binA, toLocationId: f.binC, qty: 1 }), status: 409, code: 'INVALID_STATE' },
  { rule: 'R4', name: "put-away from the dock into another client's bin", path: () => '/stock/moves', body: (f) => ({ tenantId: f.a.tenantId, skuId: f.a.id, fromLocationId: f.dock, toLocationId: f.binC, qty: 1 }), status: 409, code: 'INVALID_STATE' },
  { rule: 'R4', name: "another client's put-away into this client's bin", path: () => '/stock/moves', body: (f) => ({ tenantId: f.c.tenantId, skuId: f.c.id, fromLocationId: f.binC, toLocationId: f.binA, qty: 1 }), status: 409, code: 'INVALID_STATE' },
  // R5 — capacity.
  { rule: 'R5', name: 'receipt beyond capacity', path: () => '/stock/receipts', body: (f) => ({ tenantId: f.a.tenantId, locationId: f.binA, skuId: f.a.id, qty: 999_999 }), status: 409, code: 'CAPACITY_EXCEEDED' },
  // R6/R39 — only free stock moves: not from an empty bin, not more than is there, not held units.
  { rule: 'R6', name: 'move from an empty bin', path: () => '/stock/moves', body: (f) => ({ tenantId: f.a.tenantId, skuId: f.a.id, fromLocationId: f.empty, toLocationId: f.binA, qty: 1 }), status: 409, code: 'INSUFFICIENT_STOCK' },
  { rule: 'R6', name: 'move more than on hand', path: () => '/stock/moves', body: (f) => ({ tenantId: f.a.tenantId, skuId: f.a.id, fromLocationId: f.binA, toLocationId: f.empty, qty: 11 }), status: 409, code: 'INSUFFICIENT_STOCK' },
  { rule: 'R39', name: 'move of held units', path: () => '/stock/moves', body: (f) => ({ tenantId: f.d.tenantId, skuId: f.d.id, fromLocationId: f.binD, toLocationId: f.empty, qty: 1 }), status: 409, code: 'INSUFFICIENT_STOCK' },
  { rule: 'R44', name: 'put-away of more than the dock holds', path: () => '/stock/moves', body: (f) => ({ tenantId: f.a.tenantId, skuId: f.a.id, fromLocationId: f.dock, toLocationId: f.binA, qty: 500 }), status: 409, code: 'INSUFFICIENT_STOCK' },
  // R39/R40 — holds.
  { rule: 'R39', name: 'hold where nothing is free', path: () => '/holds', body: (f) => ({ tenantId: f.d.tenantId, status: 'quarantine', reason: 'again', locationId: f.binD }), status: 409, code: 'NOTHING_TO_HOLD' },
  { rule: 'R39', name: 'hold of more than is free', path: () => '/holds', body: (f) => ({ tenantId: f.a.tenantId, status: 'qc', reason: 'check', locationId: f.binA, qty: 11 }), status: 409, code: 'INSUFFICIENT_STOCK' },
  { rule: 'R39', name: "hold of another client's SKU", path: () => '/holds', body: (f) => ({ tenantId: f.a.tenantId, status: 'qc', reason: 'check', skuId: f.c.id }), status: 422, code: 'TENANT_MISMATCH' },
  { rule: 'R40', name: 'release of an unknown hold', path: () => '/holds/NO-SUCH-HOLD/release', body: () => ({ reason: 'ok' }), status: 404, code: 'UNKNOWN_HOLD' },
  // R42/R43/R46 — goods-in.
  { rule: 'R46', name: 'receipt against a closed ASN', path: () => '/receipts', body: (f) => ({ receiptId: 'B6-R-3', asnRef: 'B6-ASN-CLOSED', skuId: f.a.id, qty: 1 }), status: 409, code: 'ASN_CLOSED' },
  { rule: 'R46', name: 'closing a closed ASN', path: () => '/asns/B6-ASN-CLOSED/close', body: () => ({ reason: 'again' }), status: 409, code: 'ASN_CLOSED' },
  { rule: 'R43', name: 'receipt against an unknown ASN', path: () => '/receipts', body: (f) => ({ receiptId: 'B6-R-4', asnRef: 'NO-SUCH-ASN', skuId: f.a.id, qty: 1 }), status: 404, code: 'UNKNOWN_ASN' },
  { rule: 'R43', name: 'units beyond the ASN line without a reason', path: () => '/receipts', body: (f) => ({ receiptId: 'B6-R-5', asnRef: 'B6-ASN-OPEN', skuId: f.a.id, qty: 50 }), status: 422, code: 'REASON_REQUIRED' },
  { rule: 'R43', name: 'damaged units without a reason', path: () => '/receipts', body: (f) => ({ receiptId: 'B6-R-6', tenantId: f.a.tenantId, skuId: f.a.id, qty: 3, damagedQty: 1 }), status: 422, code: 'REASON_REQUIRED' },
  { rule: 'R43', name: 'more damaged than received', path: () => '/receipts', body: (f) => ({ receiptId: 'B6-R-7', tenantId: f.a.tenantId, skuId: f.a.id, qty: 3, damagedQty: 4, reason: 'crushed' }), status: 422, code: 'INVALID_QUANTITY' },
  { rule: 'R43', name: "blind receipt of another client's SKU", path: () => '/receipts', body: (f) => ({ receiptId: 'B6-R-8', tenantId: f.a.tenantId, skuId: f.c.id, qty: 1 }), status: 422, code: 'TENANT_MISMATCH' },
  { rule: 'R42', name: "ASN line of another client's SKU", path: () => '/asns', body: (f) => ({ asnRef: 'B6-ASN-X', tenantId: f.a.tenantId, lines: [{ skuId: f.c.id, qty: 5 }] }), status: 422, code: 'TENANT_MISMATCH' },
  // R9/R11 — never oversell.
  { rule: 'R11', name: 'allocation beyond stock', path: (f) => `/orders/${f.open}/allocate`, body: () => ({ policy: 'all-or-nothing' }), status: 409, code: 'OUT_OF_STOCK' },
  // R20/R21/R29 — no over-ship: nothing packs or leaves before it is picked and packed.
  { rule: 'R21', name: 'despatch of an order not packed', path: (f) => `/orders/${f.picked}/despatch`, body: () => ({}), status: 409, code: 'INVALID_STATE' },
  { rule: 'R21', name: 'despatch of an order already despatched', path: (f) => `/orders/${f.despatched}/despatch`, body: () => ({}), status: 409, code: 'INVALID_STATE' },
  { rule: 'R20', name: 'pack of an order not picked', path: (f) => `/orders/${f.open}/pack`, body: () => PARCEL, status: 409, code: 'INVALID_STATE' },
  { rule: 'R20', name: 'pack scanning more than was picked', path: (f) => `/orders/${f.picked}/pack`, body: (f) => ({ ...PARCEL, scannedItems: [{ code: f.a.barcode, qty: 99 }] }), status: 422, code: 'PACK_MISMATCH' },
  { rule: 'R29', name: 'cancel of an order being picked', path: (f) => `/orders/${f.picked}/cancel`, body: () => ({ reason: 'changed mind' }), status: 409, code: 'ORDER_IN_PROGRESS' },
  // R50–R52 — returns never exceed what shipped.
  { rule: 'R50', name: 'return more than shipped', path: () => '/rmas', body: (f) => ({ rmaId: 'B6-RMA-1', tenantId: f.a.tenantId, orderId: f.despatched, lines: [{ skuId: f.a.id, qty: 4, reason: 'unwanted' }] }), status: 422, code: 'RETURN_EXCEEDS_SHIPPED' },
  { rule: 'R50', name: 'return more than shipped less already authorised', path: () => '/rmas', body: (f) => ({ rmaId: 'B6-RMA-2', tenantId: f.a.tenantId, orderId: f.despatched, lines: [{ skuId: f.a.id, qty: 2, reason: 'unwanted' }] }), status: 422, code: 'RETURN_EXCEEDS_SHIPPED' },
  { rule: 'R50', name: 'return of an order not despatched', path: () => '/rmas', body: (f) => ({ rmaId: 'B6-RMA-3', tenantId: f.a.tenantId, orderId: f.picked, lines: [{ skuId: f.a.id, qty: 1, reason: 'unwanted' }] }), status: 409, code: 'ORDER_NOT_DESPATCHED' },
  { rule: 'R50', name: "return of another client's order", path: () => '/rmas', body: (f) => ({ rmaId: 'B6-RMA-4', tenantId: f.a.tenantId, orderId: f.foreignDespatched, lines: [{ skuId: f.c.id, qty: 1, reason: 'unwanted' }] }), status: 422, code: 'TENANT_MISMATCH' },
  { rule: 'R51', name: 'receipt beyond the authorised units', path: () => '/rmas/B6-RMA-OPEN/receipts', body: (f) => ({ receiptId: 'B6-RR-1', scan: f.a.barcode, qty: 2 }), status: 422, code: 'RETURN_EXCEEDS_AUTHORISED' },
  { rule: 'R51', name: 'receipt scanning an item not on the RMA', path: () => '/rmas/B6-RMA-OPEN/receipts', body: (f) => ({ receiptId: 'B6-RR-2', scan: f.d.barcode, qty: 1 }), status: 422, code: 'WRONG_ITEM_SCANNED' },
  { rule: 'R52', name: 'inspection of more than received', path: () => '/rmas/B6-RMA-OPEN/inspections', body: (f) => ({ inspectionId: 'B6-I-1', skuId: f.a.id, qty: 2, grade: 'A', disposition: 'restock' }), status: 409, code: 'RETURN_NOT_RECEIVED' },
  { rule: 'R52', name: 'restock of unsellable units', path: () => '/rmas/B6-RMA-OPEN/inspections', body: (f) => ({ inspectionId: 'B6-I-2', skuId: f.a.id, qty: 1, grade: 'unsellable', disposition: 'restock' }), status: 409, code: 'INVALID_STATE' },
  { rule: 'R54', name: 'close with received units not inspected', path: () => '/rmas/B6-RMA-OPEN/close', body: () => ({}), status: 409, code: 'RETURN_NOT_INSPECTED' },
  // R33–R37 — counts: one open count per bin (the held location), in order, never approved by the counter.
  { rule: 'R33', name: 'count on a bin already held by an open count', path: () => '/counts', body: (f) => ({ locationIds: [f.counted] }), status: 409, code: 'COUNT_ALREADY_OPEN' },
  { rule: 'R33', name: 'count of an unknown bin', path: () => '/counts', body: () => ({ locationIds: ['NO-SUCH-BIN'] }), status: 422, code: 'UNKNOWN_LOCATION' },
  { rule: 'R33', name: 'count of the same bin twice in one request', path: () => '/counts', body: (f) => ({ locationIds: [f.empty, f.empty] }), status: 409, code: 'COUNT_ALREADY_OPEN' },
  { rule: 'R35', name: 'submission of a count not started', path: () => '/counts/B6-K-OPEN/submit', body: (f) => ({ counterId: 'K1', lines: [{ skuId: f.a.id, qty: 1 }] }), status: 409, code: 'COUNT_NOT_STARTED' },
  { rule: 'R35', name: 'negative counted quantity', path: () => '/counts/B6-K-OPEN/submit', body: (f) => ({ counterId: 'K1', lines: [{ skuId: f.a.id, qty: -1 }] }), status: 400, code: 'VALIDATION_FAILED', field: 'lines.0.qty' },
  { rule: 'R37', name: 'approval of a count not pending', path: () => '/counts/B6-K-OPEN/approve', body: () => ({ approverId: 'SUP' }), status: 409, code: 'COUNT_NOT_PENDING' },
];

describe('B6 domain-invalid operations over HTTP on Postgres: a specific 4xx, nothing written', () => {
  let api: ApiOnPostgres;
  let client: KeepAliveClient;
  let f: Fixture;

  const submit = async (c: Command): Promise<void> => {
    const r = await api.runner.submit(c);
    if (!r.ok) throw new Error(`fixture ${c.type}: ${r.error.code} ${r.error.message}`);
  };
  const post = async (path: string, body: unknown): Promise<void> => {
    const res = await client.postJson(`${api.base}${path}`, body);
    if (res.status >= 300) throw new Error(`fixture POST ${path}: ${res.status} ${res.text}`);
  };
  /** Creates, allocates, releases and picks an order; packs and despatches it when asked. */
  const pickedOrder = async (id: string, sku: Sku, qty: number, despatch: boolean): Promise<OrderId> => {
    const orderId = asOrderId(id);
    await post('/orders', { orderId, tenantId: sku.tenantId, lines: [{ skuId: sku.id, qty }], shipTo: SHIP_TO });
    await post(`/orders/${orderId}/allocate`, { policy: 'all-or-nothing' });
    await post(`/orders/${orderId}/release`, {});
    const picker = asOperativeId(`B6-${id}`);
    await submit({ type: 'signOn', operativeId: picker, name: 'Pat' });
    await submit({ type: 'requestWork', operativeId: picker, maxTasks: 20 });
    const tasks = await api.runner.read((twin) => (twin.orders.get(orderId)?.taskIds ?? []).map((t) => twin.tasks.get(t)));
    for (const t of tasks) {
      if (t !== undefined) await submit({ type: 'confirmPick', taskId: t.id, operativeId: picker, scannedLocation: t.locationId, scannedItem: sku.barcode, qty: t.qty });
    }
    if (despatch) {
      await post(`/orders/${orderId}/pack`, PARCEL);
      await post(`/orders/${orderId}/despatch`, {});
    }
    return orderId;
  };

  /** What a refused request must leave untouched: the log, the ledger, the projection and the holds. */
  const footprint = async (): Promise<string> => {
    await api.runner.idle();
    const s = `"${api.store.tables.schema}"`;
    const rows = await api.store.query<{ n: string }>(
      `SELECT concat_ws('/',
         (SELECT count(*) FROM ${s}.events WHERE site_id = $1),
         (SELECT count(*) FROM ${s}.stock_move WHERE site_id = $1),
         (SELECT coalesce(sum(on_hand), 0) || ':' || coalesce(sum(reserved), 0) FROM ${s}.stock_quant WHERE site_id = $1),
         (SELECT count(*) FROM ${s}.stock_holds WHERE site_id = $1)) AS n`,
      [api.site.id],
    );
    return rows[0]?.n ?? '';
  };

  beforeAll(async () => {
    api = await startApiOnPostgres('b6');
    client = new KeepAliveClient(4);
    const plain = api.site.skus.filter((s) => !s.lotTracked);
    const t1 = plain[0] as Sku;
    const a = t1;
    const d = plain.find((s) => s.tenantId === t1.tenantId && s.id !== t1.id) as Sku;
    const c = plain.find((s) => s.tenantId !== t1.tenantId) as Sku;
    const lot = api.site.skus.find((s) => s.lotTracked && s.tenantId === t1.tenantId) ?? api.site.skus.find((s) => s.lotTracked);
    if (lot === undefined) throw new Error('the demo site has no lot-tracked SKU');
    const bins = api.site.layout.locations.slice(300, 306).map((l) => l.id);
    const [binA, binC, binD, empty, counted, binO] = bins as [LocationId, LocationId, LocationId, LocationId, LocationId, LocationId];
    await post('/stock/receipts', { tenantId: a.tenantId, locationId: binO, skuId: a.id, qty: 8 });
    await post('/stock/receipts', { tenantId: c.tenantId, locationId: binC, skuId: c.id, qty: 7 });
    await post('/stock/receipts', { tenantId: d.tenantId, locationId: binD, skuId: d.id, qty: 6 });
    await post('/holds', { holdId: 'B6-H-ALL-D', tenantId: d.tenantId, status: 'quarantine', reason: 'recall', locationId: binD });
    await post('/receipts', { receiptId: 'B6-DOCK-1', tenantId: a.tenantId, skuId: a.id, qty: 4 });
    await post('/asns', { asnRef: 'B6-ASN-CLOSED', tenantId: a.tenantId, lines: [{ skuId: a.id, qty: 2 }] });
    await post('/receipts', { receiptId: 'B6-ASN-R1', asnRef: 'B6-ASN-CLOSED', skuId: a.id, qty: 2 });
    await post('/asns/B6-ASN-CLOSED/close', {});
    await post('/asns', { asnRef: 'B6-ASN-OPEN', tenantId: a.tenantId, lines: [{ skuId: a.id, qty: 5 }] });
    const despatched = await pickedOrder('B6-SHIPPED', a, 3, true);
    const foreignDespatched = await pickedOrder('B6-FOREIGN', c, 2, true);
    const picked = await pickedOrder('B6-PICKED', a, 2, false);
    // What is left of A in binO (8 − 3 shipped − 2 picked) moves to binA, topped up to 10 units.
    await post('/stock/moves', { tenantId: a.tenantId, skuId: a.id, fromLocationId: binO, toLocationId: binA, qty: 3 });
    await post('/stock/receipts', { tenantId: a.tenantId, locationId: binA, skuId: a.id, qty: 7 });
    await post('/orders', { orderId: 'B6-OPEN', tenantId: a.tenantId, lines: [{ skuId: a.id, qty: 500 }], shipTo: SHIP_TO });
    await post('/rmas', { rmaId: 'B6-RMA-OPEN', tenantId: a.tenantId, orderId: despatched, lines: [{ skuId: a.id, qty: 2, reason: 'unwanted' }] });
    await post('/rmas/B6-RMA-OPEN/receipts', { receiptId: 'B6-RR-0', scan: a.barcode, qty: 1 });
    await post('/counts', { locationIds: [counted] });
    const countId = await api.runner.read((twin) => twin.openCountByLocation.get(counted));
    // A count the cases can name by a stable id.
    await submit({ type: 'createCounts', reason: 'manual', counts: [{ countId: asCountId('B6-K-OPEN'), locationId: binO }] });
    if (countId === undefined) throw new Error('fixture: no open count');
    f = { a, c, d, lot, binA, binC, binD, empty, counted, dock: dockLocationId(api.site.id), despatched, foreignDespatched, open: asOrderId('B6-OPEN'), picked };
    expect(await siteInvariantProblems(api)).toEqual([]);
  }, 120_000);

  afterAll(async () => {
    client?.close();
    await api?.close();
  });

  it.each(CASES.map((c) => [`[${c.rule}] ${c.name} → ${c.status} ${c.code}`, c] as const))('%s', async (_title, c) => {
    const before = await footprint();
    const res = await client.request({ method: c.method ?? 'POST', url: `${api.base}${c.path(f)}`, body: JSON.stringify(c.body(f)) });
    expect(errorBodyProblem(res.json), res.text).toBeNull();
    expect({ status: res.status, code: errorCodeOf(res.json) }, res.text).toEqual({ status: c.status, code: c.code });
    if (c.field !== undefined) {
      const fields = ((res.json as { error: { details: { issues?: { field: string }[] } } }).error.details.issues ?? []).map((i) => i.field);
      expect(fields, res.text).toContain(c.field);
    }
    expect(await footprint(), 'nothing written').toBe(before);
  });

  it('covers at least 20 rules, sees a valid write in the footprint, and leaves every invariant holding', async () => {
    expect(new Set(CASES.map((c) => c.rule)).size).toBeGreaterThanOrEqual(20);
    // The footprint is not blind: a valid receipt changes it.
    const before = await footprint();
    await post('/stock/receipts', { tenantId: f.a.tenantId, locationId: f.binA, skuId: f.a.id, qty: 1 });
    expect(await footprint()).not.toBe(before);
    expect(await siteInvariantProblems(api)).toEqual([]);
  });
});
