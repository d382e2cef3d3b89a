/**
 * Projections: the rows each durable event changes (ledger, stock by location, orders, lines, allocations, tasks,
 * operatives), computed for a whole batch in memory and written with one statement per table, inside the append's
 * transaction. The single mapping from event types to rows lives here.
 */
import type { PoolClient } from 'pg';
import { VIRTUAL_LOCATIONS, type LineChange, type ReservationRelease, type SequencedEvent, type StockKey } from '../twin/events.ts';
import type { OrderStatus, TaskStatus } from '../twin/state.ts';
import { isSellableLocation } from './channel-available.ts';
import { quoteIdent, type Tables } from './pg-util.ts';
import { emptyTransferRows, noteTransferRows, writeTransfers, type TransferRows } from './transfers-projection.pg.ts';

/** True for a location of the layout (stock_quant rows), false for the ledger's virtual ones. */
export function isPhysicalLocation(locationId: string): boolean {
  return !locationId.startsWith('V:');
}

interface MoveRow {
  seq: number;
  idx: number;
  tenant_id: string;
  sku_id: string;
  lot: string;
  expiry: string | null;
  from_location: string;
  to_location: string;
  qty: number;
  order_id: string | null;
  at_ms: number;
  /** Reason code of an adjustment move (count adjustment, short pick); null for ordinary moves. */
  reason: string | null;
}

/** A cycle count row: created in this batch (`is_new`) or changes to a stored one (null keeps the stored value). */
interface CountRow {
  is_new: boolean;
  count_id: string;
  location_id: string | null;
  reason: string | null;
  status: string | null;
  attempts: number | null;
  counter_id: string | null;
  approver_id: string | null;
  expected_at_seq: number | null;
  variance_units: number | null;
  adjusted_units: number | null;
  deferred_units: number | null;
  reject_reason: string | null;
  created_ms: number | null;
  closed_ms: number | null;
  seq: number;
}

interface QuantDelta {
  location_id: string;
  tenant_id: string;
  sku_id: string;
  lot: string;
  expiry: string | null;
  d_on_hand: number;
  d_reserved: number;
  seq: number;
}

interface OrderRow {
  order_id: string;
  tenant_id: string;
  external_ref: string | null;
  priority: number;
  created_ms: number;
  seq: number;
  channel: string;
  service: string | null;
  due_ms: number | null;
}

/** Changes to an order row; null fields keep the stored value. */
interface OrderUpdate {
  order_id: string;
  status: OrderStatus | null;
  despatched_ms: number | null;
  carrier: string | null;
  tracking_number: string | null;
  service: string | null;
  sscc: string | null;
  carton_code: string | null;
  weight_g: number | null;
  cancel_reason: string | null;
  seq: number;
}

interface LineRow {
  order_id: string;
  line_no: number;
  sku_id: string;
  ordered: number;
}

interface LineDelta {
  order_id: string;
  line_no: number;
  d_allocated: number;
  /** Backorders accumulate: a later allocation only considers what is neither allocated nor backordered. */
  d_backordered: number;
  d_picked: number;
  d_shorted: number;
  d_cancelled: number;
}

interface AllocationRow {
  seq: number;
  idx: number;
  order_id: string;
  line_no: number;
  location_id: string;
  tenant_id: string;
  sku_id: string;
  lot: string;
  expiry: string | null;
  qty: number;
  released: boolean;
}

interface TaskRow {
  task_id: string;
  order_id: string;
  tenant_id: string;
  line_no: number;
  location_id: string;
  sku_id: string;
  lot: string;
  expiry: string | null;
  qty: number;
  status: TaskStatus;
  operative_id: string | null;
  picked_qty: number;
  shorted_qty: number;
  created_seq: number;
  updated_seq: number;
  wave_id: string | null;
  batch_id: string | null;
}

interface OperativeRow {
  operative_id: string;
  name: string | null;
  signed_on: boolean;
  seq: number;
}

interface PackedStock {
  tenant_id: string;
  sku_id: string;
  lot: string;
  expiry: string | null;
  qty: number;
}

/** What the batch needs from earlier batches: tasks it refers to and stock already picked for orders it despatches. */
interface Prefetched {
  readonly tasks: Map<string, TaskRow>;
  readonly packing: Map<string, Map<string, PackedStock>>;
}

/** Everything one batch writes. */
interface Plan {
  readonly moves: MoveRow[];
  readonly quants: Map<string, QuantDelta>;
  readonly newOrders: OrderRow[];
  readonly newLines: LineRow[];
  readonly orderUpdates: Map<string, OrderUpdate>;
  readonly lineDeltas: Map<string, LineDelta>;
  /** Orders whose earlier (already stored) allocations this batch releases. */
  readonly releasedOrders: Set<string>;
  readonly newAllocations: AllocationRow[];
  readonly newTaskIds: Set<string>;
  readonly dirtyTaskIds: Set<string>;
  readonly operatives: Map<string, OperativeRow>;
  /** Orders despatched in this batch: a channel order's fulfilment goes to the outbox. */
  readonly despatched: string[];
  /** Transfers created or cancelled in this batch: their lines' SKUs gained or lost a commitment (R71), so the outbox must look again (I10). */
  readonly committingTransfers: string[];
  readonly counts: Map<string, CountRow>;
  readonly goodsIn: GoodsInRows;
  readonly returns: ReturnsRows;
  /** Transfers between sites and serial history (R71–R80), transfers-projection.pg.ts. */
  readonly transfers: TransferRows;
}

/** RMA rows of a batch (R50–R55), written by `writeReturns`; their stock moves and holds go the common way. */
interface ReturnsRows {
  readonly rmas: { rma_id: string; tenant_id: string; order_id: string; lines: unknown; seq: number; at_ms: number }[];
  /** Receipts and inspections, in event order. */
  readonly steps: {
    rma_id: string;
    step_id: string;
    seq: number;
    kind: 'receipt' | 'inspection';
    line_no: number;
    sku_id: string;
    lot: string | null;
    qty: number;
    grade: string | null;
    disposition: string | null;
    note: string | null;
    at_ms: number;
  }[];
  readonly closes: { rma_id: string; seq: number; reason: string | null; at_ms: number }[];
}

/** Goods-in and hold rows of a batch (R39–R46), written by `writeGoodsIn`. */
interface GoodsInRows {
  readonly holds: { hold_id: string; seq: number; status: string; source: string; reason: string; lines: unknown; units: number; at_ms: number }[];
  readonly releases: { hold_id: string; seq: number; reason: string; at_ms: number }[];
  readonly asns: { asn_ref: string; tenant_id: string; lines: unknown; seq: number; at_ms: number }[];
  readonly closes: { asn_ref: string; seq: number; reason: string | null; report: unknown; at_ms: number }[];
  readonly receipts: {
    receipt_id: string;
    seq: number;
    asn_ref: string | null;
    line_no: number | null;
    tenant_id: string;
    sku_id: string;
    lot: string;
    expiry: string | null;
    location_id: string;
    qty: number;
    damaged_qty: number;
    over_qty: number;
    reason: string | null;
    blind: boolean;
    at_ms: number;
  }[];
  /** (tenant, SKU) whose available units a hold changed without a stock change: the outbox must look again (I10). */
  readonly heldSkus: Map<string, { tenant_id: string; sku_id: string }>;
}

function unreachable(x: never): never {
  throw new Error(`unhandled event ${JSON.stringify(x)}`);
}

const stockKeyOf = (k: { tenantId: string; skuId: string; lot: string }): string =>
  `${k.tenantId}\u0000${k.skuId}\u0000${k.lot}`;

/** Ids the batch refers to that may have been stored by earlier batches. */
function referencedIds(batch: readonly SequencedEvent[]): { taskIds: string[]; despatchedOrderIds: string[] } {
  const created = new Set<string>();
  const referenced = new Set<string>();
  const despatched: string[] = [];
  for (const { event: e } of batch) {
    switch (e.type) {
      case 'OrderReleased':
        for (const t of e.tasks) created.add(t.taskId);
        break;
      case 'TasksAssigned':
      case 'TasksUnassigned':
        for (const id of e.taskIds) referenced.add(id);
        break;
      case 'OperativeSignedOff':
        for (const id of e.unassignedTaskIds) referenced.add(id);
        break;
      case 'OrderCancelled':
        for (const id of e.cancelledTaskIds) referenced.add(id);
        break;
      case 'PickConfirmed':
      case 'PickShorted':
        referenced.add(e.taskId);
        break;
      case 'OrderDespatched':
        despatched.push(e.orderId);
        break;
      case 'StockReceived':
      case 'StockMoved':
      case 'OrderCreated':
      case 'OrderAllocated':
      case 'OperativeSignedOn':
      case 'OrderPicked':
      case 'OrderPacked':
      case 'RoutePlanned':
      case 'SegmentBlocked':
      case 'SegmentUnblocked':
      case 'AllocationExpired':
      case 'WaveReleased':
      case 'CountRequested':
      case 'ShipmentLabelled':
      case 'CountCreated':
      case 'CountStarted':
      case 'CountSubmitted':
      case 'CountAdjusted':
      case 'CountRejected':
      case 'HoldPlaced':
      case 'HoldReleased':
      case 'AsnCreated':
      case 'GoodsReceived':
      case 'AsnClosed':
      case 'QcRuleSet':
      case 'RmaCreated':
      case 'ReturnReceived':
      case 'ReturnInspected':
      case 'RmaClosed':
      case 'MoveTaskCreated':
      case 'MoveTaskAssigned':
      case 'MoveTaskCompleted':
      case 'MoveTaskCancelled':
      case 'PickFaceSet':
      case 'PickFaceCleared':
      case 'TransferCreated':
      case 'TransferLinePicked':
      case 'TransferCancelled':
      case 'TransferDespatched':
      case 'TransferRefusedByDestination':
      case 'TransferReturned':
      case 'InboundTransferExpected':
      case 'TransferReceived':
      case 'InboundTransferClosed':
      case 'TransferReceiptConfirmed':
        break;
      default:
        return unreachable(e satisfies never);
    }
  }
  return { taskIds: [...referenced].filter((id) => !created.has(id)), despatchedOrderIds: despatched };
}

async function prefetch(client: PoolClient, t: Tables, siteId: string, batch: readonly SequencedEvent[]): Promise<Prefetched> {
  const { taskIds, despatchedOrderIds } = referencedIds(batch);
  const tasks = new Map<string, TaskRow>();
  const packing = new Map<string, Map<string, PackedStock>>();
  if (taskIds.length > 0) {
    const res = await client.query<TaskRow>(
      `SELECT task_id, order_id, tenant_id, line_no, location_id, sku_id, lot, expiry::text AS expiry, qty, status,
              operative_id, picked_qty, shorted_qty, created_seq::float8 AS created_seq, updated_seq::float8 AS updated_seq,
              wave_id, batch_id
         FROM ${t.pickTasks} WHERE site_id = $1 AND task_id = ANY($2::text[])`,
      [siteId, taskIds],
    );
    for (const row of res.rows) tasks.set(row.task_id, row);
  }
  if (despatchedOrderIds.length > 0) {
    const res = await client.query<PackedStock & { order_id: string }>(
      `SELECT order_id, tenant_id, sku_id, lot, expiry::text AS expiry, sum(qty)::int AS qty
         FROM ${t.stockMove}
        WHERE site_id = $1 AND order_id = ANY($2::text[]) AND to_location = $3
        GROUP BY order_id, tenant_id, sku_id, lot, expiry`,
      [siteId, despatchedOrderIds, VIRTUAL_LOCATIONS.packing],
    );
    for (const { order_id, ...stock } of res.rows) addPacked(packing, order_id, stock);
  }
  return { tasks, packing };
}

function addPacked(packing: Map<string, Map<string, PackedStock>>, orderId: string, stock: PackedStock): void {
  let byKey = packing.get(orderId);
  if (byKey === undefined) packing.set(orderId, (byKey = new Map<string, PackedStock>()));
  const key = `${stock.tenant_id}\u0000${stock.sku_id}\u0000${stock.lot}`;
  const have = byKey.get(key);
  if (have === undefined) byKey.set(key, { ...stock });
  else have.qty += stock.qty;
}

/** Computes the batch's rows. Pure: `pre` is read and the tasks in it are updated in place. */
function plan(batch: readonly SequencedEvent[], pre: Prefetched): Plan {
  const p: Plan = {
    moves: [],
    quants: new Map(),
    newOrders: [],
    newLines: [],
    orderUpdates: new Map(),
    lineDeltas: new Map(),
    releasedOrders: new Set(),
    newAllocations: [],
    newTaskIds: new Set(),
    dirtyTaskIds: new Set(),
    operatives: new Map(),
    despatched: [],
    committingTransfers: [],
    counts: new Map(),
    goodsIn: { holds: [], releases: [], asns: [], closes: [], receipts: [], heldSkus: new Map() },
    returns: { rmas: [], steps: [], closes: [] },
    transfers: emptyTransferRows(),
  };
  const heldSkus = (lines: readonly { tenantId: string; skuId: string }[]): void => {
    for (const l of lines) p.goodsIn.heldSkus.set(`${l.tenantId}\u0000${l.skuId}`, { tenant_id: l.tenantId, sku_id: l.skuId });
  };
  const tasks = pre.tasks;
  const allocationsByOrder = new Map<string, AllocationRow[]>();

  const quant = (seq: number, locationId: string, k: StockKey, dOnHand: number, dReserved: number): void => {
    if (!isPhysicalLocation(locationId)) return;
    const key = `${locationId}\u0000${stockKeyOf(k)}`;
    const q = p.quants.get(key);
    if (q === undefined) {
      p.quants.set(key, {
        location_id: locationId,
        tenant_id: k.tenantId,
        sku_id: k.skuId,
        lot: k.lot,
        expiry: k.expiry,
        d_on_hand: dOnHand,
        d_reserved: dReserved,
        seq,
      });
    } else {
      q.d_on_hand += dOnHand;
      q.d_reserved += dReserved;
      q.seq = seq;
    }
  };
  const move = (seq: number, at: number, k: StockKey, from: string, to: string, qty: number, orderId: string | null, reason: string | null = null): void => {
    if (qty <= 0) return;
    const idx = p.moves.length > 0 && p.moves[p.moves.length - 1]?.seq === seq ? (p.moves[p.moves.length - 1]?.idx ?? 0) + 1 : 0;
    p.moves.push({
      seq,
      idx,
      tenant_id: k.tenantId,
      sku_id: k.skuId,
      lot: k.lot,
      expiry: k.expiry,
      from_location: from,
      to_location: to,
      qty,
      order_id: orderId,
      at_ms: at,
      reason,
    });
    quant(seq, from, k, -qty, 0);
    quant(seq, to, k, qty, 0);
  };
  const status = (seq: number, orderId: string, s: OrderStatus | null): OrderUpdate => {
    const u = p.orderUpdates.get(orderId);
    if (u === undefined) {
      const fresh: OrderUpdate = {
        order_id: orderId,
        status: s,
        despatched_ms: null,
        carrier: null,
        tracking_number: null,
        service: null,
        sscc: null,
        carton_code: null,
        weight_g: null,
        cancel_reason: null,
        seq,
      };
      p.orderUpdates.set(orderId, fresh);
      return fresh;
    }
    if (s !== null) u.status = s;
    u.seq = seq;
    return u;
  };
  /** Reservations handed back (cancel, expiry): quants, and the order's stored and in-batch allocations. */
  const releaseHeld = (seq: number, orderId: string, releases: readonly ReservationRelease[]): void => {
    for (const r of releases) quant(seq, r.locationId, r, 0, -r.qty);
    for (const row of allocationsByOrder.get(orderId) ?? []) row.released = true;
    p.releasedOrders.add(orderId);
  };
  const changeLines = (orderId: string, changes: readonly LineChange[]): void => {
    for (const c of changes) {
      const d = line(orderId, c.lineNo);
      d.d_allocated += c.dAllocated;
      d.d_backordered += c.dBackordered;
      d.d_cancelled += c.dCancelled;
    }
  };
  const line = (orderId: string, lineNo: number): LineDelta => {
    const key = `${orderId}\u0000${lineNo}`;
    let d = p.lineDeltas.get(key);
    if (d === undefined) {
      d = { order_id: orderId, line_no: lineNo, d_allocated: 0, d_backordered: 0, d_picked: 0, d_shorted: 0, d_cancelled: 0 };
      p.lineDeltas.set(key, d);
    }
    return d;
  };
  const count = (seq: number, countId: string): CountRow => {
    let row = p.counts.get(countId);
    if (row === undefined) {
      row = {
        is_new: false,
        count_id: countId,
        location_id: null,
        reason: null,
        status: null,
        attempts: null,
        counter_id: null,
        approver_id: null,
        expected_at_seq: null,
        variance_units: null,
        adjusted_units: null,
        deferred_units: null,
        reject_reason: null,
        created_ms: null,
        closed_ms: null,
        seq,
      };
      p.counts.set(countId, row);
    }
    row.seq = seq;
    return row;
  };
  const task = (seq: number, taskId: string): TaskRow => {
    const row = tasks.get(taskId);
    if (row === undefined) throw new Error(`projection: event at seq ${seq} refers to unknown task ${taskId}`);
    row.updated_seq = seq;
    if (!p.newTaskIds.has(taskId)) p.dirtyTaskIds.add(taskId);
    return row;
  };

  for (const { seq, event: e } of batch) {
    const at: number = e.at;
    noteTransferRows(p.transfers, seq, e);
    switch (e.type) {
      case 'StockReceived':
        move(seq, at, e, VIRTUAL_LOCATIONS.supplier, e.locationId, e.qty, null);
        break;
      case 'StockMoved':
        move(seq, at, e, e.fromLocationId, e.toLocationId, e.qty, null);
        break;
      case 'OrderCreated':
        p.newOrders.push({
          order_id: e.orderId,
          tenant_id: e.tenantId,
          external_ref: e.externalRef,
          priority: e.priority,
          created_ms: at,
          seq,
          channel: e.channel ?? 'api',
          service: e.service ?? null,
          due_ms: e.dueAt ?? null,
        });
        for (const l of e.lines) p.newLines.push({ order_id: e.orderId, line_no: l.lineNo, sku_id: l.skuId, ordered: l.qty });
        break;
      case 'OrderAllocated': {
        let rows = allocationsByOrder.get(e.orderId);
        if (rows === undefined) allocationsByOrder.set(e.orderId, (rows = []));
        e.allocations.forEach((a, idx) => {
          const row: AllocationRow = {
            seq,
            idx,
            order_id: e.orderId,
            line_no: a.lineNo,
            location_id: a.locationId,
            tenant_id: a.tenantId,
            sku_id: a.skuId,
            lot: a.lot,
            expiry: a.expiry,
            qty: a.qty,
            released: false,
          };
          rows.push(row);
          p.newAllocations.push(row);
          quant(seq, a.locationId, a, 0, a.qty);
          line(e.orderId, a.lineNo).d_allocated += a.qty;
        });
        for (const b of e.backordered) line(e.orderId, b.lineNo).d_backordered += b.qty;
        // Allocated; a released order's refill or short-pick re-allocation is followed by its OrderReleased in the same
        // decision (so the same batch), and a backorder alone changes no status.
        if (e.allocations.length > 0) status(seq, e.orderId, 'allocated');
        break;
      }
      case 'OrderReleased':
        // Release hands every open allocation of the order over to its pick tasks.
        for (const row of allocationsByOrder.get(e.orderId) ?? []) row.released = true;
        p.releasedOrders.add(e.orderId);
        for (const spec of e.tasks) {
          tasks.set(spec.taskId, {
            task_id: spec.taskId,
            order_id: spec.orderId,
            tenant_id: spec.tenantId,
            line_no: spec.lineNo,
            location_id: spec.locationId,
            sku_id: spec.skuId,
            lot: spec.lot,
            expiry: spec.expiry,
            qty: spec.qty,
            status: 'released',
            operative_id: null,
            picked_qty: 0,
            shorted_qty: 0,
            created_seq: seq,
            updated_seq: seq,
            wave_id: spec.waveId ?? null,
            batch_id: spec.batchId ?? null,
          });
          p.newTaskIds.add(spec.taskId);
        }
        status(seq, e.orderId, 'released');
        break;
      case 'OperativeSignedOn':
        p.operatives.set(e.operativeId, { operative_id: e.operativeId, name: e.name, signed_on: true, seq });
        break;
      case 'OperativeSignedOff': {
        const known = p.operatives.get(e.operativeId);
        p.operatives.set(e.operativeId, { operative_id: e.operativeId, name: known?.name ?? null, signed_on: false, seq });
        for (const id of e.unassignedTaskIds) {
          const row = task(seq, id);
          row.status = 'released';
          row.operative_id = null;
        }
        break;
      }
      case 'TasksAssigned':
        for (const id of e.taskIds) {
          const row = task(seq, id);
          row.status = 'assigned';
          row.operative_id = e.operativeId;
        }
        break;
      case 'TasksUnassigned':
        // R69: released again, like a sign-off's tasks.
        for (const id of e.taskIds) {
          const row = task(seq, id);
          row.status = 'released';
          row.operative_id = null;
        }
        break;
      case 'PickConfirmed': {
        const row = task(seq, e.taskId);
        row.status = 'picked';
        row.operative_id = e.operativeId;
        row.picked_qty = e.qty;
        move(seq, at, e, e.locationId, VIRTUAL_LOCATIONS.packing, e.qty, e.orderId);
        quant(seq, e.locationId, e, 0, -e.qty);
        line(e.orderId, row.line_no).d_picked += e.qty;
        addPacked(pre.packing, e.orderId, { tenant_id: e.tenantId, sku_id: e.skuId, lot: e.lot, expiry: e.expiry, qty: e.qty });
        break;
      }
      case 'PickShorted': {
        const row = task(seq, e.taskId);
        row.status = 'shorted';
        row.operative_id = e.operativeId;
        row.picked_qty = e.pickedQty;
        row.shorted_qty = e.shortQty;
        move(seq, at, e, e.locationId, VIRTUAL_LOCATIONS.packing, e.pickedQty, e.orderId);
        move(seq, at, e, e.locationId, VIRTUAL_LOCATIONS.adjustment, e.shortQty, e.orderId, 'SHORT_PICK');
        quant(seq, e.locationId, e, 0, -(e.pickedQty + e.shortQty));
        const d = line(e.orderId, row.line_no);
        d.d_picked += e.pickedQty;
        d.d_shorted += e.shortQty;
        // Short units leave the allocation; the same decision re-allocates or backorders them.
        d.d_allocated -= e.shortQty;
        if (e.pickedQty > 0) {
          addPacked(pre.packing, e.orderId, {
            tenant_id: e.tenantId,
            sku_id: e.skuId,
            lot: e.lot,
            expiry: e.expiry,
            qty: e.pickedQty,
          });
        }
        break;
      }
      case 'OrderPicked':
        status(seq, e.orderId, 'picked');
        break;
      case 'RoutePlanned':
      case 'SegmentBlocked':
      case 'SegmentUnblocked':
        // Routes and blocked segments live in the event log and the twin (and its snapshots); no table needs them.
        break;
      case 'OrderPacked': {
        const u = status(seq, e.orderId, 'packed');
        u.sscc = e.sscc ?? null;
        u.carton_code = e.cartonCode ?? null;
        u.weight_g = e.weightG ?? null;
        break;
      }
      case 'ShipmentLabelled': {
        const u = status(seq, e.orderId, null);
        u.carrier = e.carrier;
        u.service = e.service;
        u.tracking_number = e.trackingNumber;
        break;
      }
      case 'OrderCancelled': {
        releaseHeld(seq, e.orderId, e.releases);
        for (const id of e.cancelledTaskIds) task(seq, id).status = 'cancelled';
        changeLines(e.orderId, e.lineChanges);
        status(seq, e.orderId, 'cancelled').cancel_reason = e.reason;
        break;
      }
      case 'AllocationExpired':
        releaseHeld(seq, e.orderId, e.releases);
        changeLines(e.orderId, e.lineChanges);
        status(seq, e.orderId, 'open');
        break;
      case 'WaveReleased':
      case 'CountRequested':
        // Waves live on the tasks (wave_id, batch_id); count requests in the twin (a count closing clears them).
        break;
      case 'CountCreated': {
        const row = count(seq, e.countId);
        Object.assign(row, { is_new: true, location_id: e.locationId, reason: e.reason, status: 'open', attempts: 0, created_ms: at });
        break;
      }
      case 'CountStarted': {
        const row = count(seq, e.countId);
        row.status = e.attempt > 1 ? 'recounting' : 'counting';
        row.attempts = e.attempt;
        row.counter_id = e.counterId;
        row.expected_at_seq = e.expectedAtSeq;
        break;
      }
      case 'CountSubmitted': {
        const row = count(seq, e.countId);
        row.status = e.outcome === 'recount' ? 'recount' : 'pending-approval';
        row.variance_units = e.variances.reduce((n, v) => n + Math.abs(v.variance), 0);
        break;
      }
      case 'CountAdjusted': {
        const row = count(seq, e.countId);
        row.status = 'adjusted';
        row.approver_id = e.approverId;
        row.adjusted_units = e.adjustments.reduce((n, a) => n + Math.abs(a.qty), 0);
        row.deferred_units = e.adjustments.reduce((n, a) => n + Math.abs(a.deferred), 0);
        row.closed_ms = at;
        for (const a of e.adjustments) {
          if (a.qty > 0) move(seq, at, a, VIRTUAL_LOCATIONS.adjustment, e.locationId, a.qty, null, e.reasonCode);
          else move(seq, at, a, e.locationId, VIRTUAL_LOCATIONS.adjustment, -a.qty, null, e.reasonCode);
        }
        break;
      }
      case 'CountRejected': {
        const row = count(seq, e.countId);
        row.status = 'rejected';
        row.approver_id = e.approverId;
        row.reject_reason = e.reason;
        row.closed_ms = at;
        break;
      }
      case 'OrderDespatched': {
        const u = status(seq, e.orderId, 'despatched');
        u.despatched_ms = at;
        if (e.carrier !== null) u.carrier = e.carrier;
        if (e.trackingNumber !== null) u.tracking_number = e.trackingNumber;
        for (const b of e.closedBackorders ?? []) {
          const d = line(e.orderId, b.lineNo);
          d.d_backordered -= b.qty;
          d.d_cancelled += b.qty;
        }
        p.despatched.push(e.orderId);
        // Sorted, so that a despatch's moves do not depend on how the history was split into batches.
        const packed = [...(pre.packing.get(e.orderId) ?? new Map<string, PackedStock>())].sort(([a], [b]) =>
          a < b ? -1 : a > b ? 1 : 0,
        );
        for (const [, s] of packed) {
          const k: StockKey = { tenantId: s.tenant_id, skuId: s.sku_id, lot: s.lot, expiry: s.expiry } as StockKey;
          move(seq, at, k, VIRTUAL_LOCATIONS.packing, VIRTUAL_LOCATIONS.customer, s.qty, e.orderId);
        }
        pre.packing.delete(e.orderId);
        break;
      }
      case 'HoldPlaced':
        p.goodsIn.holds.push({ hold_id: e.holdId, seq, status: e.status, source: e.source, reason: e.reason, lines: e.lines, units: e.lines.reduce((n, l) => n + l.qty, 0), at_ms: at });
        heldSkus(e.lines);
        break;
      case 'HoldReleased':
        p.goodsIn.releases.push({ hold_id: e.holdId, seq, reason: e.reason, at_ms: at });
        heldSkus(e.lines);
        break;
      case 'AsnCreated':
        p.goodsIn.asns.push({ asn_ref: e.asnRef, tenant_id: e.tenantId, lines: e.lines, seq, at_ms: at });
        break;
      case 'AsnClosed':
        p.goodsIn.closes.push({ asn_ref: e.asnRef, seq, reason: e.reason, report: e.report, at_ms: at });
        break;
      case 'GoodsReceived': {
        move(seq, at, e, VIRTUAL_LOCATIONS.supplier, e.locationId, e.qty, null, e.blind ? 'BLIND_RECEIPT' : 'RECEIPT');
        p.goodsIn.receipts.push({
          receipt_id: e.receiptId,
          seq,
          asn_ref: e.asnRef,
          line_no: e.lineNo,
          tenant_id: e.tenantId,
          sku_id: e.skuId,
          lot: e.lot,
          expiry: e.expiry,
          location_id: e.locationId,
          qty: e.qty,
          damaged_qty: e.damagedQty,
          over_qty: e.overQty,
          reason: e.reason,
          blind: e.blind,
          at_ms: at,
        });
        const { tenantId, skuId, lot, expiry, locationId } = e;
        for (const h of e.holds) {
          const reason = h.status === 'damaged' ? (e.reason ?? 'damaged on receipt') : 'quality hold on receipt';
          p.goodsIn.holds.push({ hold_id: h.holdId, seq, status: h.status, source: 'receipt', reason, lines: [{ locationId, tenantId, skuId, lot, expiry, qty: h.qty }], units: h.qty, at_ms: at });
        }
        break;
      }
      case 'QcRuleSet':
        break;
      case 'RmaCreated':
        p.returns.rmas.push({ rma_id: e.rmaId, tenant_id: e.tenantId, order_id: e.orderId, lines: e.lines, seq, at_ms: at });
        break;
      case 'ReturnReceived':
        // R51: customer → returns desk; the qc hold comes as its own HoldPlaced.
        move(seq, at, e, VIRTUAL_LOCATIONS.customer, e.locationId, e.qty, null, 'RETURN');
        p.returns.steps.push({ rma_id: e.rmaId, step_id: e.receiptId, seq, kind: 'receipt', line_no: e.lineNo, sku_id: e.skuId, lot: e.lot, qty: e.qty, grade: null, disposition: null, note: null, at_ms: at });
        break;
      case 'ReturnInspected':
        for (const d of e.disposed) move(seq, at, { tenantId: e.tenantId, skuId: e.skuId, lot: d.lot, expiry: d.expiry }, e.locationId, VIRTUAL_LOCATIONS.adjustment, d.qty, null, 'RETURN_DISPOSED');
        p.returns.steps.push({ rma_id: e.rmaId, step_id: e.inspectionId, seq, kind: 'inspection', line_no: e.lineNo, sku_id: e.skuId, lot: null, qty: e.qty, grade: e.grade, disposition: e.disposition, note: e.note, at_ms: at });
        break;
      case 'RmaClosed':
        p.returns.closes.push({ rma_id: e.rmaId, seq, reason: e.reason, at_ms: at });
        break;
      case 'MoveTaskCompleted':
        // R59: a completed move task is a ledger move like StockMoved (a short move of 0 units moves nothing).
        move(seq, at, e, e.fromLocationId, e.toLocationId, e.qty, null);
        break;
      case 'MoveTaskCreated':
      case 'MoveTaskAssigned':
      case 'MoveTaskCancelled':
      case 'PickFaceSet':
      case 'PickFaceCleared':
        // Move tasks and pick faces live in the event log and the twin (and its snapshots); no table needs them yet.
        break;
      // Transfers (R71–R76): bin → TRANSIT on despatch; TRANSFER_IN → dock on receipt (holds like goods-in); TRANSIT →
      // TRANSFER_OUT / ADJUSTMENT on confirmation. Their own rows: transfers-projection.pg.ts.
      case 'TransferDespatched':
        for (const l of e.lines) move(seq, at, l, l.fromLocationId, e.transitLocationId, l.qty, null, 'TRANSFER_OUT');
        break;
      case 'TransferReceived': {
        move(seq, at, e, VIRTUAL_LOCATIONS.transferIn, e.locationId, e.qty, null, 'TRANSFER_IN');
        const { tenantId, skuId, lot, expiry, locationId } = e;
        for (const h of e.holds) {
          const reason = h.status === 'damaged' ? (e.reason ?? 'damaged on receipt') : 'quality hold on receipt';
          p.goodsIn.holds.push({ hold_id: h.holdId, seq, status: h.status, source: 'receipt', reason, lines: [{ locationId, tenantId, skuId, lot, expiry, qty: h.qty }], units: h.qty, at_ms: at });
        }
        break;
      }
      case 'TransferReceiptConfirmed':
        for (const l of e.lines) {
          move(seq, at, l, e.transitLocationId, VIRTUAL_LOCATIONS.transferOut, l.deliveredQty, null, 'TRANSFER_DELIVERED');
          move(seq, at, l, e.transitLocationId, VIRTUAL_LOCATIONS.adjustment, l.shortQty, null, 'TRANSFER_SHORT');
        }
        break;
      case 'TransferReturned': // R76a: TRANSIT → the dock or bin the refused units come back to
        for (const l of e.lines) move(seq, at, l, e.transitLocationId, e.locationId, l.qty, null, 'TRANSFER_RETURNED');
        break;
      case 'TransferCreated':
      case 'TransferCancelled':
        p.committingTransfers.push(e.transferId);
        break;
      case 'TransferRefusedByDestination':
      case 'TransferLinePicked':
      case 'InboundTransferExpected':
      case 'InboundTransferClosed':
        break;
      default:
        return unreachable(e satisfies never);
    }
  }
  return p;
}

async function expectRows(client: PoolClient, what: string, sql: string, params: unknown[], expected: number): Promise<void> {
  const res = await client.query(sql, params);
  if (res.rowCount !== expected) {
    throw new Error(`projection: ${what} matched ${res.rowCount ?? 0} rows, expected ${expected}`);
  }
}

/**
 * Settings for the append transaction. Every statement touches a batch's worth of rows in tables that grow without
 * bound, so it must be driven by the batch and primary keys, never scan a site. With stale statistics (a fresh table,
 * a new site) the planner would hash or scan a whole site for each UPDATE … FROM; the UPDATEs therefore look rows up
 * by primary key in a subquery and join on ctid, and these settings rule out the scan and hash plans.
 * On tables under row-level security (migration 013) that subquery carries `OFFSET 0`: pulled up, its ctid lookup would
 * become a non-leakproof join qual that the planner may not move below the policy, and the TID scan became a scan of
 * the site for every row of the batch (50 s for a 5,000-event append).
 */
// jit = off: with scans priced out, a small join looks huge to the planner and was JIT-compiled on every append
// (~100 ms each in the pipeline benchmark).
export const PROJECTION_SETTINGS =
  'SET LOCAL enable_seqscan = off; SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off; SET LOCAL jit = off';

/** Writes the projections of `batch` (already in the events table) using `client`'s open transaction. */
export async function projectBatch(client: PoolClient, t: Tables, siteId: string, batch: readonly SequencedEvent[]): Promise<void> {
  if (batch.length === 0) return;
  const pre = await prefetch(client, t, siteId, batch);
  const p = plan(batch, pre);
  const json = (rows: Iterable<unknown>): string => JSON.stringify(Array.isArray(rows) ? rows : [...rows]);

  if (p.moves.length > 0) {
    await client.query(
      `INSERT INTO ${t.stockMove} (site_id, seq, idx, tenant_id, sku_id, lot, expiry, from_location, to_location, qty, order_id, at,
              reason)
       SELECT $1, x.seq, x.idx, x.tenant_id, x.sku_id, x.lot, x.expiry, x.from_location, x.to_location, x.qty, x.order_id,
              to_timestamp(x.at_ms / 1000.0), x.reason
         FROM jsonb_to_recordset($2::jsonb) AS x(seq bigint, idx integer, tenant_id text, sku_id text, lot text, expiry date,
              from_location text, to_location text, qty integer, order_id text, at_ms float8, reason text)`,
      [siteId, json(p.moves)],
    );
  }
  if (p.quants.size > 0) {
    // UPDATE the rows that exist, INSERT the rest: an INSERT … ON CONFLICT would check the CHECKs on the delta row.
    await client.query(
      `WITH d AS (
         SELECT * FROM jsonb_to_recordset($2::jsonb) AS x(location_id text, tenant_id text, sku_id text, lot text,
                expiry date, d_on_hand integer, d_reserved integer, seq bigint)
       ), upd AS (
         UPDATE ${t.stockQuant} q
            SET on_hand = q.on_hand + d.d_on_hand, reserved = q.reserved + d.d_reserved, updated_seq = d.seq
           FROM (SELECT d.*, (SELECT k.ctid FROM ${t.stockQuant} k
                               WHERE k.site_id = $1 AND k.location_id = d.location_id AND k.tenant_id = d.tenant_id
                                 AND k.sku_id = d.sku_id AND k.lot = d.lot) AS tid
                   FROM d OFFSET 0) d
          WHERE q.ctid = d.tid
         RETURNING q.location_id, q.tenant_id, q.sku_id, q.lot
       )
       INSERT INTO ${t.stockQuant} (site_id, location_id, tenant_id, sku_id, lot, expiry, on_hand, reserved, updated_seq)
       SELECT $1, d.location_id, d.tenant_id, d.sku_id, d.lot, d.expiry, d.d_on_hand, d.d_reserved, d.seq
         FROM d
        WHERE NOT EXISTS (SELECT 1 FROM upd u WHERE u.location_id = d.location_id AND u.tenant_id = d.tenant_id
                            AND u.sku_id = d.sku_id AND u.lot = d.lot)`,
      [siteId, json(p.quants.values())],
    );
  }
  if (p.newOrders.length > 0) {
    await client.query(
      `INSERT INTO ${t.orders} (site_id, order_id, tenant_id, status, external_ref, priority, created_at, updated_seq, channel,
              service, due_at)
       SELECT $1, x.order_id, x.tenant_id, 'open', x.external_ref, x.priority, to_timestamp(x.created_ms / 1000.0), x.seq,
              x.channel, x.service, to_timestamp(x.due_ms / 1000.0)
         FROM jsonb_to_recordset($2::jsonb) AS x(order_id text, tenant_id text, external_ref text, priority integer,
              created_ms float8, seq bigint, channel text, service text, due_ms float8)`,
      [siteId, json(p.newOrders)],
    );
  }
  if (p.newLines.length > 0) {
    await client.query(
      `INSERT INTO ${t.orderLines} (site_id, order_id, line_no, sku_id, ordered)
       SELECT $1, x.order_id, x.line_no, x.sku_id, x.ordered
         FROM jsonb_to_recordset($2::jsonb) AS x(order_id text, line_no integer, sku_id text, ordered integer)`,
      [siteId, json(p.newLines)],
    );
  }
  if (p.orderUpdates.size > 0) {
    await expectRows(
      client,
      'order updates',
      `UPDATE ${t.orders} o
          SET status = COALESCE(x.status, o.status),
              despatched_at = COALESCE(to_timestamp(x.despatched_ms / 1000.0), o.despatched_at),
              carrier = COALESCE(x.carrier, o.carrier),
              tracking_number = COALESCE(x.tracking_number, o.tracking_number),
              service = COALESCE(x.service, o.service),
              sscc = COALESCE(x.sscc, o.sscc),
              carton_code = COALESCE(x.carton_code, o.carton_code),
              weight_g = COALESCE(x.weight_g, o.weight_g),
              cancel_reason = COALESCE(x.cancel_reason, o.cancel_reason),
              updated_seq = x.seq
         FROM (SELECT x.*, (SELECT k.ctid FROM ${t.orders} k WHERE k.site_id = $1 AND k.order_id = x.order_id) AS tid
                 FROM jsonb_to_recordset($2::jsonb) AS x(order_id text, status text, despatched_ms float8, carrier text,
                      tracking_number text, service text, sscc text, carton_code text, weight_g integer, cancel_reason text,
                      seq bigint) OFFSET 0) x
        WHERE o.ctid = x.tid`,
      [siteId, json(p.orderUpdates.values())],
      p.orderUpdates.size,
    );
  }
  if (p.lineDeltas.size > 0) {
    await expectRows(
      client,
      'order line updates',
      `UPDATE ${t.orderLines} l
          SET allocated = l.allocated + x.d_allocated,
              backordered = l.backordered + x.d_backordered,
              picked = l.picked + x.d_picked,
              shorted = l.shorted + x.d_shorted,
              cancelled = l.cancelled + x.d_cancelled
         FROM (SELECT x.*, (SELECT k.ctid FROM ${t.orderLines} k
                             WHERE k.site_id = $1 AND k.order_id = x.order_id AND k.line_no = x.line_no) AS tid
                 FROM jsonb_to_recordset($2::jsonb) AS x(order_id text, line_no integer, d_allocated integer,
                      d_backordered integer, d_picked integer, d_shorted integer, d_cancelled integer)) x
        WHERE l.ctid = x.tid`,
      [siteId, json(p.lineDeltas.values())],
      p.lineDeltas.size,
    );
  }
  // Release stored allocations before inserting this batch's, which carry their own released flag.
  if (p.releasedOrders.size > 0) {
    await client.query(
      `UPDATE ${t.orderAllocations} SET released = true
        WHERE site_id = $1 AND order_id = ANY($2::text[]) AND NOT released`,
      [siteId, [...p.releasedOrders]],
    );
  }
  if (p.newAllocations.length > 0) {
    await client.query(
      `INSERT INTO ${t.orderAllocations}
              (site_id, seq, idx, order_id, line_no, location_id, tenant_id, sku_id, lot, expiry, qty, released)
       SELECT $1, x.seq, x.idx, x.order_id, x.line_no, x.location_id, x.tenant_id, x.sku_id, x.lot, x.expiry, x.qty, x.released
         FROM jsonb_to_recordset($2::jsonb) AS x(seq bigint, idx integer, order_id text, line_no integer, location_id text,
              tenant_id text, sku_id text, lot text, expiry date, qty integer, released boolean)`,
      [siteId, json(p.newAllocations)],
    );
  }
  const taskColumns = `task_id text, order_id text, tenant_id text, line_no integer, location_id text, sku_id text, lot text,
       expiry date, qty integer, status text, operative_id text, picked_qty integer, shorted_qty integer, created_seq bigint,
       updated_seq bigint, wave_id text, batch_id text`;
  if (p.newTaskIds.size > 0) {
    await client.query(
      `INSERT INTO ${t.pickTasks} (site_id, task_id, order_id, tenant_id, line_no, location_id, sku_id, lot, expiry, qty, status,
              operative_id, picked_qty, shorted_qty, created_seq, updated_seq, wave_id, batch_id)
       SELECT $1, x.task_id, x.order_id, x.tenant_id, x.line_no, x.location_id, x.sku_id, x.lot, x.expiry, x.qty, x.status,
              x.operative_id, x.picked_qty, x.shorted_qty, x.created_seq, x.updated_seq, x.wave_id, x.batch_id
         FROM jsonb_to_recordset($2::jsonb) AS x(${taskColumns})`,
      [siteId, json([...p.newTaskIds].map((id) => pre.tasks.get(id)))],
    );
  }
  if (p.dirtyTaskIds.size > 0) {
    await expectRows(
      client,
      'task updates',
      `UPDATE ${t.pickTasks} k
          SET status = x.status, operative_id = x.operative_id, picked_qty = x.picked_qty, shorted_qty = x.shorted_qty,
              updated_seq = x.updated_seq
         FROM (SELECT x.*, (SELECT j.ctid FROM ${t.pickTasks} j WHERE j.site_id = $1 AND j.task_id = x.task_id) AS tid
                 FROM jsonb_to_recordset($2::jsonb) AS x(${taskColumns}) OFFSET 0) x
        WHERE k.ctid = x.tid`,
      [siteId, json([...p.dirtyTaskIds].map((id) => pre.tasks.get(id)))],
      p.dirtyTaskIds.size,
    );
  }
  if (p.operatives.size > 0) {
    await client.query(
      `INSERT INTO ${t.operatives} AS o (site_id, operative_id, name, signed_on, updated_seq)
       SELECT $1, x.operative_id, COALESCE(x.name, ''), x.signed_on, x.seq
         FROM jsonb_to_recordset($2::jsonb) AS x(operative_id text, name text, signed_on boolean, seq bigint)
       ON CONFLICT (site_id, operative_id) DO UPDATE
          SET name = CASE WHEN excluded.name = '' THEN o.name ELSE excluded.name END,
              signed_on = excluded.signed_on, updated_seq = excluded.updated_seq`,
      [siteId, json(p.operatives.values())],
    );
  }
  if (p.counts.size > 0) await writeCounts(client, t, siteId, p.counts);
  await writeGoodsIn(client, t, siteId, p.goodsIn);
  await writeReturns(client, t, siteId, p.returns);
  await writeTransfers(client, t, siteId, p.transfers);
  await writeOutbox(client, t, siteId, batch, p);
}

/** Holds, ASNs and receipts (R39–R46). Rows are created in event order, so a hold placed and released in one batch works. */
async function writeGoodsIn(client: PoolClient, t: Tables, siteId: string, g: GoodsInRows): Promise<void> {
  const table = (name: string): string => `${quoteIdent(t.schema)}.${name}`;
  if (g.holds.length > 0) {
    await client.query(
      `INSERT INTO ${table('stock_holds')} (site_id, hold_id, placed_seq, status, source, reason, lines, units, placed_at)
       SELECT $1, x.hold_id, x.seq, x.status, x.source, x.reason, x.lines, x.units, to_timestamp(x.at_ms / 1000.0)
         FROM jsonb_to_recordset($2::jsonb) AS x(hold_id text, seq bigint, status text, source text, reason text, lines jsonb, units integer, at_ms float8)`,
      [siteId, JSON.stringify(g.holds)],
    );
  }
  for (const r of g.releases) {
    // One at a time: an id released, placed and released again in one batch closes its rows in order.
    await expectRows(
      client,
      `release of hold ${r.hold_id}`,
      `UPDATE ${table('stock_holds')} SET released_seq = $3, released_at = to_timestamp($4 / 1000.0), release_reason = $5
        WHERE site_id = $1 AND hold_id = $2 AND released_seq IS NULL AND placed_seq < $3`,
      [siteId, r.hold_id, r.seq, r.at_ms, r.reason],
      1,
    );
  }
  if (g.asns.length > 0) {
    await client.query(
      `INSERT INTO ${table('asns')} (site_id, asn_ref, tenant_id, status, lines, created_at, created_seq, updated_seq)
       SELECT $1, x.asn_ref, x.tenant_id, 'open', x.lines, to_timestamp(x.at_ms / 1000.0), x.seq, x.seq
         FROM jsonb_to_recordset($2::jsonb) AS x(asn_ref text, tenant_id text, lines jsonb, seq bigint, at_ms float8)`,
      [siteId, JSON.stringify(g.asns)],
    );
  }
  if (g.receipts.length > 0) {
    await client.query(
      `INSERT INTO ${table('goods_receipts')} (site_id, receipt_id, seq, asn_ref, line_no, tenant_id, sku_id, lot, expiry, location_id, qty,
              damaged_qty, over_qty, reason, blind, at)
       SELECT $1, x.receipt_id, x.seq, x.asn_ref, x.line_no, x.tenant_id, x.sku_id, x.lot, x.expiry, x.location_id, x.qty, x.damaged_qty,
              x.over_qty, x.reason, x.blind, to_timestamp(x.at_ms / 1000.0)
         FROM jsonb_to_recordset($2::jsonb) AS x(receipt_id text, seq bigint, asn_ref text, line_no integer, tenant_id text, sku_id text,
              lot text, expiry date, location_id text, qty integer, damaged_qty integer, over_qty integer, reason text, blind boolean, at_ms float8)`,
      [siteId, JSON.stringify(g.receipts)],
    );
  }
  if (g.closes.length > 0) {
    await expectRows(
      client,
      'ASN closes',
      `UPDATE ${table('asns')} a
          SET status = 'closed', closed_at = to_timestamp(x.at_ms / 1000.0), close_reason = x.reason, report = x.report, updated_seq = x.seq
         FROM jsonb_to_recordset($2::jsonb) AS x(asn_ref text, seq bigint, reason text, report jsonb, at_ms float8)
        WHERE a.site_id = $1 AND a.asn_ref = x.asn_ref AND a.status = 'open'`,
      [siteId, JSON.stringify(g.closes)],
      g.closes.length,
    );
  }
}

/** RMAs, their receipts and inspections (R50–R55); line counters are summed from the steps when read. */
async function writeReturns(client: PoolClient, t: Tables, siteId: string, r: ReturnsRows): Promise<void> {
  const table = (name: string): string => `${quoteIdent(t.schema)}.${name}`;
  if (r.rmas.length > 0) {
    await client.query(
      `INSERT INTO ${table('rmas')} (site_id, rma_id, tenant_id, order_id, status, lines, created_at, created_seq, updated_seq)
       SELECT $1, x.rma_id, x.tenant_id, x.order_id, 'open', x.lines, to_timestamp(x.at_ms / 1000.0), x.seq, x.seq
         FROM jsonb_to_recordset($2::jsonb) AS x(rma_id text, tenant_id text, order_id text, lines jsonb, seq bigint, at_ms float8)`,
      [siteId, JSON.stringify(r.rmas)],
    );
  }
  if (r.steps.length > 0) {
    await client.query(
      `INSERT INTO ${table('rma_steps')} (site_id, rma_id, step_id, seq, kind, line_no, sku_id, lot, qty, grade, disposition, note, at)
       SELECT $1, x.rma_id, x.step_id, x.seq, x.kind, x.line_no, x.sku_id, x.lot, x.qty, x.grade, x.disposition, x.note,
              to_timestamp(x.at_ms / 1000.0)
         FROM jsonb_to_recordset($2::jsonb) AS x(rma_id text, step_id text, seq bigint, kind text, line_no integer, sku_id text,
              lot text, qty integer, grade text, disposition text, note text, at_ms float8)`,
      [siteId, JSON.stringify(r.steps)],
    );
  }
  if (r.closes.length > 0) {
    await expectRows(
      client,
      'RMA closes',
      `UPDATE ${table('rmas')} a
          SET status = 'closed', closed_at = to_timestamp(x.at_ms / 1000.0), close_reason = x.reason, updated_seq = x.seq
         FROM jsonb_to_recordset($2::jsonb) AS x(rma_id text, seq bigint, reason text, at_ms float8)
        WHERE a.site_id = $1 AND a.rma_id = x.rma_id AND a.status = 'open'`,
      [siteId, JSON.stringify(r.closes)],
      r.closes.length,
    );
  }
}

const countColumns = `count_id text, location_id text, reason text, status text, attempts integer, counter_id text, approver_id text,
       expected_at_seq bigint, variance_units integer, adjusted_units integer, deferred_units integer, reject_reason text,
       created_ms float8, closed_ms float8, seq bigint`;

/** Cycle counts (R33–R37): new rows inserted, stored ones updated by primary key. */
async function writeCounts(client: PoolClient, t: Tables, siteId: string, counts: Map<string, CountRow>): Promise<void> {
  const table = `${quoteIdent(t.schema)}.cycle_counts`;
  const created = [...counts.values()].filter((r) => r.is_new);
  const changed = [...counts.values()].filter((r) => !r.is_new);
  if (created.length > 0) {
    await client.query(
      `INSERT INTO ${table} (site_id, count_id, location_id, reason, status, attempts, counter_id, approver_id, expected_at_seq,
              variance_units, adjusted_units, deferred_units, reject_reason, created_at, closed_at, created_seq, updated_seq)
       SELECT $1, x.count_id, x.location_id, x.reason, x.status, x.attempts, x.counter_id, x.approver_id, x.expected_at_seq,
              x.variance_units, x.adjusted_units, x.deferred_units, x.reject_reason, to_timestamp(x.created_ms / 1000.0),
              to_timestamp(x.closed_ms / 1000.0), x.seq, x.seq
         FROM jsonb_to_recordset($2::jsonb) AS x(${countColumns})`,
      [siteId, JSON.stringify(created)],
    );
  }
  if (changed.length > 0) {
    await expectRows(
      client,
      'cycle count updates',
      `UPDATE ${table} c
          SET status = COALESCE(x.status, c.status),
              attempts = COALESCE(x.attempts, c.attempts),
              counter_id = COALESCE(x.counter_id, c.counter_id),
              approver_id = COALESCE(x.approver_id, c.approver_id),
              expected_at_seq = COALESCE(x.expected_at_seq, c.expected_at_seq),
              variance_units = COALESCE(x.variance_units, c.variance_units),
              adjusted_units = COALESCE(x.adjusted_units, c.adjusted_units),
              deferred_units = COALESCE(x.deferred_units, c.deferred_units),
              reject_reason = COALESCE(x.reject_reason, c.reject_reason),
              closed_at = COALESCE(to_timestamp(x.closed_ms / 1000.0), c.closed_at),
              updated_seq = x.seq
         FROM (SELECT x.*, (SELECT k.ctid FROM ${table} k WHERE k.site_id = $1 AND k.count_id = x.count_id) AS tid
                 FROM jsonb_to_recordset($2::jsonb) AS x(${countColumns})) x
        WHERE c.ctid = x.tid`,
      [siteId, JSON.stringify(changed)],
      changed.length,
    );
  }
}

/**
 * Transactional outbox, in the append's transaction: a 'stock' row per (tenant, SKU) whose channel figure
 * (channel-available.ts) the batch may have changed, and a 'fulfilment' row per despatched order — only for tenants and
 * orders with a channel connection, so a site without channels writes nothing. The relay reads the current figure when
 * it sends, so rows only say "look".
 */
async function writeOutbox(client: PoolClient, t: Tables, siteId: string, batch: readonly SequencedEvent[], p: Plan): Promise<void> {
  const lastSeq = batch[batch.length - 1]?.seq ?? 0;
  // Only sellable locations count: a put-away from the dock or the returns desk nets to zero over all locations but
  // makes units sellable (R44, R53).
  const sellableDelta = new Map<string, { tenant_id: string; sku_id: string; d: number }>();
  for (const q of p.quants.values()) {
    if (!isSellableLocation(q.location_id)) continue;
    const key = `${q.tenant_id}\u0000${q.sku_id}`;
    const entry = sellableDelta.get(key) ?? { tenant_id: q.tenant_id, sku_id: q.sku_id, d: 0 };
    entry.d += q.d_on_hand - q.d_reserved;
    sellableDelta.set(key, entry);
  }
  const changed = new Map<string, { tenant_id: string; sku_id: string }>();
  for (const [key, e] of sellableDelta) if (e.d !== 0) changed.set(key, { tenant_id: e.tenant_id, sku_id: e.sku_id });
  // Holds change what is available without moving stock (R39).
  for (const [key, h] of p.goodsIn.heldSkus) changed.set(key, h);
  if (changed.size > 0 || p.committingTransfers.length > 0) {
    // Transfer commitments too (R71); a cancelled transfer's lines are only in transfer_lines (written above).
    await client.query(
      `INSERT INTO ${t.outbox} (site_id, seq, kind, tenant_id, sku_id)
       SELECT $1, $2, 'stock', x.tenant_id, x.sku_id
         FROM (SELECT tenant_id, sku_id FROM jsonb_to_recordset($3::jsonb) AS j(tenant_id text, sku_id text)
               UNION
               SELECT l.tenant_id, l.sku_id FROM ${quoteIdent(t.schema)}.transfer_lines l
                WHERE l.site_id = $1 AND l.direction = 'out' AND l.transfer_id = ANY($4::text[])) x
        WHERE EXISTS (SELECT 1 FROM ${t.channelConnections} c WHERE c.site_id = $1 AND c.tenant_id = x.tenant_id)`,
      [siteId, lastSeq, JSON.stringify([...changed.values()]), p.committingTransfers],
    );
  }
  if (p.despatched.length > 0) {
    await client.query(
      `INSERT INTO ${t.outbox} (site_id, seq, kind, tenant_id, order_id)
       SELECT $1, $2, 'fulfilment', o.tenant_id, o.order_id
         FROM ${t.orders} o JOIN ${t.channelConnections} c ON c.id = o.channel
        WHERE o.site_id = $1 AND o.order_id = ANY($3::text[]) AND o.external_ref IS NOT NULL`,
      [siteId, lastSeq, p.despatched],
    );
  }
}
