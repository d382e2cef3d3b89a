/**
 * Projection rows of transfers between sites and serial numbers (twin SPEC R71–R80), written inside the append's
 * transaction by projections.pg.ts: `transfers` / `transfer_lines` (both directions) and `serial_history` (one row per
 * serial per event that moved it: receipts, moves, picks, counts, returns, dispositions, transfers). Their stock moves and holds go the common way (projections.pg.ts). Transfers and
 * serial scans are rare next to picks, so each step is its own small statement, in event order.
 */
import type { PoolClient } from 'pg';
import type { TwinEvent } from '../twin/events.ts';
import { quoteIdent, type Tables } from './pg-util.ts';

/** One statement of a batch, in event order. */
interface Step {
  /** `$1` is always the site id; `params` are `$2`, `$3`, … */
  readonly sql: (table: (name: string) => string) => string;
  readonly params: readonly unknown[];
  /** Rows the statement must touch (null: any number). */
  readonly expect: number | null;
}

/** What a batch writes for transfers and serials. */
export interface TransferRows {
  readonly steps: Step[];
  /** Orders despatched in the batch: their picked serials are shipped (one statement per batch, after the steps). */
  readonly despatched: { order_id: string; seq: number; at: string }[];
}

export const emptyTransferRows = (): TransferRows => ({ steps: [], despatched: [] });

const ts = (atMs: number): string => new Date(atMs).toISOString();

/** Serial history rows of serials named in the event itself. */
function serialRows(rows: TransferRows, seq: number, at: number, event: string, tenantId: string, skuId: string, serials: readonly string[], status: string, locationId: string | null, orderId: string | null, transferId: string | null): void {
  if (serials.length === 0) return;
  rows.steps.push({
    sql: (t) => `INSERT INTO ${t('serial_history')} (site_id, tenant_id, sku_id, serial, seq, at, event, status, location_id, order_id, transfer_id)
                 SELECT $1, $2, $3, s, $4, $5::timestamptz, $6, $7, $8, $9, $10 FROM unnest($11::text[]) AS s`,
    params: [tenantId, skuId, seq, ts(at), event, status, locationId, orderId, transferId, serials],
    expect: serials.length,
  });
}

/** Serial history rows for every serial of an outbound transfer's lines (as stored at pick); location 'from' = the line's bin. */
function transferSerialRows(rows: TransferRows, seq: number, at: number, event: string, transferId: string, status: string, location: string | null): void {
  rows.steps.push({
    sql: (t) => `INSERT INTO ${t('serial_history')} (site_id, tenant_id, sku_id, serial, seq, at, event, status, location_id, order_id, transfer_id)
                 SELECT l.site_id, l.tenant_id, l.sku_id, s, $3, $4::timestamptz, $5, $6,
                        CASE WHEN $7::text = 'from' THEN l.from_location ELSE $7::text END, NULL, l.transfer_id
                   FROM ${t('transfer_lines')} l, unnest(l.serials) AS s
                  WHERE l.site_id = $1 AND l.direction = 'out' AND l.transfer_id = $2`,
    params: [transferId, seq, ts(at), event, status, location],
    expect: null,
  });
}

const ROW_EVENTS = [
  'StockMoved',
  'MoveTaskCompleted',
  'CountAdjusted',
  'ReturnInspected',
  'TransferCreated',
  'TransferLinePicked',
  'TransferCancelled',
  'TransferDespatched',
  'TransferReceiptConfirmed',
  'TransferRefusedByDestination',
  'TransferReturned',
  'InboundTransferExpected',
  'TransferReceived',
  'InboundTransferClosed',
  'GoodsReceived',
  'PickConfirmed',
  'PickShorted',
  'ReturnReceived',
  'OrderDespatched',
] as const;
type RowEvent = Extract<TwinEvent, { type: (typeof ROW_EVENTS)[number] }>;
const rowEventTypes: ReadonlySet<string> = new Set(ROW_EVENTS);
const isRowEvent = (e: TwinEvent): e is RowEvent => rowEventTypes.has(e.type);

/** Adds the rows `event` writes (events without transfer or serial rows add none). */
export function noteTransferRows(rows: TransferRows, seq: number, event: TwinEvent): void {
  if (!isRowEvent(event)) return;
  const e = event;
  const at = e.at;
  switch (e.type) {
    case 'TransferCreated':
      rows.steps.push({
        sql: (t) => `INSERT INTO ${t('transfers')} (site_id, direction, transfer_id, other_site_id, status, created_at, created_seq, updated_seq)
                     VALUES ($1, 'out', $2, $3, 'created', $4::timestamptz, $5, $5)`,
        params: [e.transferId, e.toSiteId, ts(at), seq],
        expect: 1,
      });
      rows.steps.push({
        sql: (t) => `INSERT INTO ${t('transfer_lines')} (site_id, direction, transfer_id, line_no, tenant_id, sku_id, lot, expiry, qty, from_location)
                     SELECT $1, 'out', $2, x.line_no, x.tenant_id, x.sku_id, x.lot, x.expiry::date, x.qty, x.from_location
                       FROM jsonb_to_recordset($3::jsonb) AS x(line_no integer, tenant_id text, sku_id text, lot text, expiry text, qty integer, from_location text)`,
        params: [e.transferId, JSON.stringify(e.lines.map((l) => ({ line_no: l.lineNo, tenant_id: l.tenantId, sku_id: l.skuId, lot: l.lot, expiry: l.expiry, qty: l.qty, from_location: l.fromLocationId })))],
        expect: e.lines.length,
      });
      break;
    case 'TransferLinePicked':
      rows.steps.push({
        sql: (t) => `UPDATE ${t('transfer_lines')} SET serials = $4::text[] WHERE site_id = $1 AND direction = 'out' AND transfer_id = $2 AND line_no = $3`,
        params: [e.transferId, e.lineNo, e.serials],
        expect: 1,
      });
      rows.steps.push({
        sql: (t) => `INSERT INTO ${t('serial_history')} (site_id, tenant_id, sku_id, serial, seq, at, event, status, location_id, order_id, transfer_id)
                     SELECT l.site_id, l.tenant_id, l.sku_id, s, $4, $5::timestamptz, 'TransferLinePicked', 'picked', l.from_location, NULL, l.transfer_id
                       FROM ${t('transfer_lines')} l, unnest(l.serials) AS s
                      WHERE l.site_id = $1 AND l.direction = 'out' AND l.transfer_id = $2 AND l.line_no = $3`,
        params: [e.transferId, e.lineNo, seq, ts(at)],
        expect: e.serials.length,
      });
      break;
    case 'TransferCancelled':
    case 'TransferDespatched':
    case 'TransferReceiptConfirmed': {
      const status = e.type === 'TransferCancelled' ? 'cancelled' : e.type === 'TransferDespatched' ? 'despatched' : 'received';
      rows.steps.push({
        sql: (t) => `UPDATE ${t('transfers')} SET status = $3, updated_seq = $4,
                            despatched_at = CASE WHEN $3 = 'despatched' THEN $5::timestamptz ELSE despatched_at END,
                            closed_at = CASE WHEN $3 <> 'despatched' THEN $5::timestamptz ELSE closed_at END,
                            reason = COALESCE($6, reason)
                      WHERE site_id = $1 AND direction = 'out' AND transfer_id = $2`,
        params: [e.transferId, status, seq, ts(at), e.type === 'TransferDespatched' ? null : e.reason],
        expect: 1,
      });
      if (e.type === 'TransferReceiptConfirmed') {
        rows.steps.push({
          sql: (t) => `UPDATE ${t('transfer_lines')} l SET received_qty = x.received_qty, damaged_qty = x.damaged_qty
                         FROM jsonb_to_recordset($3::jsonb) AS x(line_no integer, received_qty integer, damaged_qty integer)
                        WHERE l.site_id = $1 AND l.direction = 'out' AND l.transfer_id = $2 AND l.line_no = x.line_no`,
          params: [e.transferId, JSON.stringify(e.lines.map((l) => ({ line_no: l.lineNo, received_qty: l.receivedQty, damaged_qty: l.damagedQty })))],
          expect: e.lines.length,
        });
      }
      if (e.type === 'TransferCancelled') transferSerialRows(rows, seq, at, e.type, e.transferId, 'in-stock', 'from');
      else if (e.type === 'TransferDespatched') transferSerialRows(rows, seq, at, e.type, e.transferId, 'in-transit', e.transitLocationId);
      else transferSerialRows(rows, seq, at, e.type, e.transferId, 'transferred', null);
      break;
    }
    // R76a: the destination's refusal shows on the row; a return closes it and brings the serials back in stock.
    case 'TransferRefusedByDestination':
      rows.steps.push({
        sql: (t) => `UPDATE ${t('transfers')} SET refusal_site_id = $3, refusal_code = $4, refusal_message = $5, refused_at = $6::timestamptz, updated_seq = $7
                      WHERE site_id = $1 AND direction = 'out' AND transfer_id = $2`,
        params: [e.transferId, e.siteId, e.code, e.message, ts(at), seq],
        expect: 1,
      });
      break;
    case 'TransferReturned':
      rows.steps.push({
        sql: (t) => `UPDATE ${t('transfers')} SET status = 'returned', closed_at = $3::timestamptz, reason = $4, return_location = $5, updated_seq = $6
                      WHERE site_id = $1 AND direction = 'out' AND transfer_id = $2 AND status = 'despatched'`,
        params: [e.transferId, ts(at), e.reason, e.locationId, seq],
        expect: 1,
      });
      transferSerialRows(rows, seq, at, e.type, e.transferId, 'in-stock', e.locationId);
      break;
    case 'InboundTransferExpected':
      rows.steps.push({
        sql: (t) => `INSERT INTO ${t('transfers')} (site_id, direction, transfer_id, other_site_id, status, created_at, created_seq, updated_seq)
                     VALUES ($1, 'in', $2, $3, 'expected', $4::timestamptz, $5, $5)`,
        params: [e.transferId, e.fromSiteId, ts(at), seq],
        expect: 1,
      });
      rows.steps.push({
        sql: (t) => `INSERT INTO ${t('transfer_lines')} (site_id, direction, transfer_id, line_no, tenant_id, sku_id, lot, expiry, qty, serials)
                     SELECT $1, 'in', $2, x.line_no, x.tenant_id, x.sku_id, x.lot, x.expiry::date, x.qty, ARRAY(SELECT jsonb_array_elements_text(x.serials))
                       FROM jsonb_to_recordset($3::jsonb) AS x(line_no integer, tenant_id text, sku_id text, lot text, expiry text, qty integer, serials jsonb)`,
        params: [e.transferId, JSON.stringify(e.lines.map((l) => ({ line_no: l.lineNo, tenant_id: l.tenantId, sku_id: l.skuId, lot: l.lot, expiry: l.expiry, qty: l.qty, serials: l.serials })))],
        expect: e.lines.length,
      });
      break;
    case 'TransferReceived':
      rows.steps.push({
        sql: (t) => `UPDATE ${t('transfer_lines')} SET received_qty = received_qty + $4, damaged_qty = damaged_qty + $5
                      WHERE site_id = $1 AND direction = 'in' AND transfer_id = $2 AND line_no = $3`,
        params: [e.transferId, e.lineNo, e.qty, e.damagedQty],
        expect: 1,
      });
      serialRows(rows, seq, at, e.type, e.tenantId, e.skuId, e.serials, 'in-stock', e.locationId, null, e.transferId);
      break;
    case 'InboundTransferClosed':
      rows.steps.push({
        sql: (t) => `UPDATE ${t('transfers')} SET status = 'closed', closed_at = $3::timestamptz, reason = $4, updated_seq = $5
                      WHERE site_id = $1 AND direction = 'in' AND transfer_id = $2 AND status = 'expected'`,
        params: [e.transferId, ts(at), e.reason, seq],
        expect: 1,
      });
      break;
    case 'GoodsReceived':
      serialRows(rows, seq, at, e.type, e.tenantId, e.skuId, e.serials ?? [], 'in-stock', e.locationId, null, null);
      break;
    case 'PickConfirmed':
    case 'PickShorted':
      serialRows(rows, seq, at, e.type, e.tenantId, e.skuId, e.serials ?? [], 'picked', e.locationId, e.orderId, null);
      break;
    case 'ReturnReceived':
      if (e.serial !== undefined) serialRows(rows, seq, at, e.type, e.tenantId, e.skuId, [e.serial], 'in-stock', e.locationId, null, null);
      break;
    // R80: moves name the serials moved (now at the target); counts write off and find; dispositions dispose or keep.
    case 'StockMoved':
    case 'MoveTaskCompleted':
      serialRows(rows, seq, at, e.type, e.tenantId, e.skuId, e.serials ?? [], 'in-stock', e.toLocationId, null, null);
      break;
    case 'CountAdjusted':
      for (const c of e.serials ?? []) {
        serialRows(rows, seq, at, e.type, c.tenantId, c.skuId, c.writtenOff, 'written-off', e.locationId, null, null);
        serialRows(rows, seq, at, e.type, c.tenantId, c.skuId, c.found, 'in-stock', e.locationId, null, null);
      }
      break;
    case 'ReturnInspected':
      serialRows(rows, seq, at, e.type, e.tenantId, e.skuId, e.serials ?? [], e.disposition === 'dispose' ? 'disposed' : 'in-stock', e.locationId, null, null);
      break;
    case 'OrderDespatched':
      rows.despatched.push({ order_id: e.orderId, seq, at: ts(at) });
      break;
  }
}

/** Runs the batch's steps in order on the append's transaction. */
export async function writeTransfers(client: PoolClient, t: Tables, siteId: string, rows: TransferRows): Promise<void> {
  const table = (name: string): string => `${quoteIdent(t.schema)}.${name}`;
  for (const step of rows.steps) {
    const res = await client.query(step.sql(table), [siteId, ...step.params]);
    if (step.expect !== null && res.rowCount !== step.expect) throw new Error(`projection: transfers/serials step matched ${res.rowCount ?? 0} rows, expected ${step.expect}`);
  }
  if (rows.despatched.length === 0) return;
  // The despatched orders' serials whose latest row says picked for that order are shipped now (by order_id index).
  await client.query(
    `INSERT INTO ${table('serial_history')} (site_id, tenant_id, sku_id, serial, seq, at, event, status, location_id, order_id, transfer_id)
     SELECT h.site_id, h.tenant_id, h.sku_id, h.serial, x.seq, x.at::timestamptz, 'OrderDespatched', 'shipped', NULL, h.order_id, NULL
       FROM jsonb_to_recordset($2::jsonb) AS x(order_id text, seq bigint, at text)
       JOIN ${table('serial_history')} h ON h.site_id = $1 AND h.order_id = x.order_id AND h.status = 'picked'
      WHERE NOT EXISTS (SELECT 1 FROM ${table('serial_history')} n
                         WHERE n.site_id = h.site_id AND n.tenant_id = h.tenant_id AND n.sku_id = h.sku_id
                           AND n.serial = h.serial AND n.seq > h.seq)`,
    [siteId, JSON.stringify(rows.despatched)],
  );
}
