/** Health checks of the twin: state invariants and the double-entry stock ledger. Used by tests and `floortwin check`. */
import type { TwinEvent } from './events.ts';
import { VIRTUAL_LOCATIONS } from './events.ts';
import type { OrderId, TenantId, SkuId } from './ids.ts';
import { compareQueued } from './apply.ts';
import { segmentExists, segmentKey } from './blocks.ts';
import { externalKey, quantKey, skuKey } from './keys.ts';
import type { TwinState } from './state.ts';
import { dockLocationId } from './stock-status.ts';
import { returnsLocationId, rmaProblems } from './returns.ts';
import { moveTaskProblems } from './move-tasks.ts';
import { isTransitLocation, transferProblems } from './transfers.ts';
import { serialProblems } from './serials.ts';

/**
 * Every broken invariant of the state as one line each; empty means healthy. Full scan (O(state)): for tests and
 * audits, not for the command path.
 */
export function checkTwinInvariants(state: TwinState): string[] {
  const problems: string[] = [];
  const expectedReserved = new Map<string, number>();
  const addReserved = (key: string, qty: number): void => {
    expectedReserved.set(key, (expectedReserved.get(key) ?? 0) + qty);
  };

  // Quants and indexes.
  const binOwner = new Map<string, string>();
  for (const [key, q] of state.quants) {
    if (key !== q.key || key !== quantKey(q.locationId, q.tenantId, q.skuId, q.lot)) problems.push(`quant ${key}: key mismatch`);
    if (!Number.isSafeInteger(q.onHand) || !Number.isSafeInteger(q.reserved)) problems.push(`quant ${key}: non-integer quantity`);
    if (q.reserved < 0) problems.push(`quant ${key}: reserved ${q.reserved} < 0`);
    if (q.reserved > q.onHand) problems.push(`quant ${key}: reserved ${q.reserved} > onHand ${q.onHand}`);
    if (q.onHand <= 0) problems.push(`quant ${key}: empty quant kept (onHand ${q.onHand})`);
    // The returns desk (R51) is a dock too: outside the layout, never reserved from, any mix.
    const dock = q.locationId === dockLocationId(state.site.id) || q.locationId === returnsLocationId(state.site.id) || isTransitLocation(q.locationId);
    if (!state.locationsById.has(q.locationId) && !dock) problems.push(`quant ${key}: unknown location`);
    // R39: held units are never reserved too; R44: nothing is allocated from the dock.
    const held = state.heldByQuant.get(key) ?? 0;
    if (held < 0 || q.reserved + held > q.onHand) problems.push(`quant ${key}: reserved ${q.reserved} + held ${held} > onHand ${q.onHand}`);
    // R65: only cross-dock refills reserve on the dock (the general reserved check covers them); never the returns desk.
    if (q.locationId === returnsLocationId(state.site.id) && q.reserved !== 0) problems.push(`quant ${key}: ${q.reserved} reserved on the returns desk`);
    if (state.quantsByLocation.get(q.locationId)?.has(key) !== true) problems.push(`quant ${key}: missing from quantsByLocation`);
    if (state.quantsBySku.get(skuKey(q.tenantId, q.skuId))?.has(key) !== true) problems.push(`quant ${key}: missing from quantsBySku`);
    const owner = `${q.tenantId}|${q.skuId}`;
    if (dock) continue; // the dock holds any mix of clients and SKUs
    const prior = binOwner.get(q.locationId);
    if (prior !== undefined && prior !== owner) problems.push(`location ${q.locationId}: mixes ${prior} and ${owner}`);
    binOwner.set(q.locationId, owner);
  }
  for (const [index, name] of [
    [state.quantsByLocation, 'quantsByLocation'],
    [state.quantsBySku, 'quantsBySku'],
  ] as const) {
    for (const [k, set] of index) {
      if (set.size === 0) problems.push(`${name} ${k}: empty set kept`);
      for (const key of set) if (!state.quants.has(key)) problems.push(`${name} ${k}: dangling quant ${key}`);
    }
  }

  // Orders: line arithmetic and the reservations they hold.
  for (const [id, o] of state.orders) {
    if (id !== o.id) problems.push(`order ${id}: key mismatch`);
    for (const l of o.lines) {
      // I7: allocated + backordered + cancelled = ordered once allocated (≤ before); picked ≤ allocated.
      const accounted = l.allocated + l.backordered + l.cancelled;
      if (accounted > l.qty) problems.push(`order ${id} line ${l.lineNo}: allocated+backordered+cancelled > qty`);
      if (o.status !== 'open' && accounted !== l.qty) problems.push(`order ${id} line ${l.lineNo}: ${o.status} but allocated+backordered+cancelled ${accounted} ≠ qty ${l.qty}`);
      if (l.picked > l.allocated) problems.push(`order ${id} line ${l.lineNo}: picked > allocated`);
      if (l.allocated < 0 || l.backordered < 0 || l.picked < 0 || l.shorted < 0 || l.cancelled < 0) problems.push(`order ${id} line ${l.lineNo}: negative`);
    }
    if (o.allocations.length > 0 && o.status !== 'allocated') problems.push(`order ${id}: ${o.status} but holds allocations`);
    for (const a of o.allocations) addReserved(quantKey(a.locationId, o.tenantId, a.skuId, a.lot), a.qty);
    let open = 0;
    for (const taskId of o.taskIds) {
      const t = state.tasks.get(taskId);
      if (t === undefined) problems.push(`order ${id}: dangling task ${taskId}`);
      else if (t.status === 'released' || t.status === 'assigned') open++;
    }
    const done = o.status === 'picked' || o.status === 'packed' || o.status === 'despatched';
    if (done && open > 0) problems.push(`order ${id}: ${o.status} with ${open} open tasks`);
    if (o.status === 'released' && open === 0) problems.push(`order ${id}: released with no open tasks`);
    if (o.status === 'cancelled' && open > 0) problems.push(`order ${id}: cancelled with ${open} open tasks`);
    if ((o.holdUntil !== null) !== state.heldOrders.has(id)) problems.push(`order ${id}: hold index disagrees`);
    if (o.externalRef !== null && state.ordersByExternal.get(externalKey(o.tenantId, o.channel, o.externalRef)) !== id) {
      problems.push(`order ${id}: missing from the channel index`);
    }
  }

  // Tasks: reservations, assignment and the release queue.
  const queued = new Set<OrderId>();
  for (const orderId of state.releaseQueue) {
    if (queued.has(orderId)) problems.push(`releaseQueue: ${orderId} twice`);
    queued.add(orderId);
  }
  const ordersWithReleased = new Set<OrderId>();
  for (const [id, t] of state.tasks) {
    if (id !== t.id) problems.push(`task ${id}: key mismatch`);
    const order = state.orders.get(t.orderId);
    if (order === undefined || !order.taskIds.includes(id)) problems.push(`task ${id}: not listed by its order`);
    if (t.status === 'released' || t.status === 'assigned') addReserved(quantKey(t.locationId, t.tenantId, t.skuId, t.lot), t.qty);
    if (t.status === 'released') {
      ordersWithReleased.add(t.orderId);
      if (t.operativeId !== null) problems.push(`task ${id}: released but held by ${t.operativeId}`);
    }
    if (t.status === 'assigned') {
      const op = t.operativeId === null ? undefined : state.operatives.get(t.operativeId);
      if (op === undefined || !op.taskIds.includes(id)) problems.push(`task ${id}: assigned but not held by a signed-on operative`);
    }
  }
  for (const orderId of ordersWithReleased) if (!queued.has(orderId)) problems.push(`order ${orderId}: released tasks but not queued`);
  for (const orderId of queued) if (!ordersWithReleased.has(orderId)) problems.push(`releaseQueue: ${orderId} has no released task`);
  for (let i = 1; i < state.releaseQueue.length; i++) {
    const a = state.orders.get(state.releaseQueue[i - 1] as OrderId);
    const b = state.orders.get(state.releaseQueue[i] as OrderId);
    if (a !== undefined && b !== undefined && compareQueued(a, b) > 0) problems.push(`releaseQueue: ${a.id} before ${b.id} out of order`);
  }
  for (const [id, op] of state.operatives) {
    for (const taskId of op.taskIds) {
      const t = state.tasks.get(taskId);
      if (t?.status !== 'assigned' || t.operativeId !== id) problems.push(`operative ${id}: holds task ${taskId} not assigned to it`);
    }
  }

  // reserved = Σ open task qty + Σ unreleased allocations, per quant.
  for (const [key, q] of state.quants) {
    const expected = expectedReserved.get(key) ?? 0;
    if (q.reserved !== expected) problems.push(`quant ${key}: reserved ${q.reserved}, tasks and allocations hold ${expected}`);
  }
  for (const [key, qty] of expectedReserved) {
    if (!state.quants.has(key) && qty > 0) problems.push(`quant ${key}: ${qty} reserved on a missing quant`);
  }

  // Cycle counts (R33, R35): one open count per bin, indexed; while counting, expected + moved = the bin now.
  for (const [id, count] of state.counts) {
    if (id !== count.id) problems.push(`count ${id}: key mismatch`);
    const closed = count.status === 'adjusted' || count.status === 'rejected';
    if (closed !== (state.openCountByLocation.get(count.locationId) !== id)) problems.push(`count ${id}: open-count index disagrees (${count.status})`);
    const attempt = count.attempts[count.attempts.length - 1];
    if (attempt !== undefined && (count.status === 'counting' || count.status === 'recounting')) {
      const now = new Map<string, number>();
      for (const key of state.quantsByLocation.get(count.locationId) ?? []) {
        const q = state.quants.get(key);
        if (q !== undefined) now.set(`${q.tenantId}|${q.skuId}|${q.lot}`, q.onHand);
      }
      const tracked = new Map<string, number>();
      for (const l of [...attempt.expected, ...attempt.moved]) {
        const k = `${l.tenantId}|${l.skuId}|${l.lot}`;
        tracked.set(k, (tracked.get(k) ?? 0) + l.qty);
      }
      for (const k of new Set([...now.keys(), ...tracked.keys()])) {
        if ((now.get(k) ?? 0) !== (tracked.get(k) ?? 0)) problems.push(`count ${id}: expected + moved ${tracked.get(k) ?? 0} ≠ on hand ${now.get(k) ?? 0} for ${k}`);
      }
    }
  }
  const closedListed = new Set(state.closedCounts);
  for (const [id, count] of state.counts) {
    if ((count.closedAt !== null) !== closedListed.has(id)) problems.push(`count ${id}: closed-count list disagrees`);
  }
  for (const id of closedListed) if (!state.counts.has(id)) problems.push(`closed count ${id}: not in counts`);
  for (const [locationId, id] of state.openCountByLocation) {
    if (state.counts.get(id)?.locationId !== locationId) problems.push(`open count ${id}: not a count of ${locationId}`);
  }

  // Holds (R39): the held index is Σ of the holds' lines, each on a quant that exists.
  const heldSum = new Map<string, number>();
  for (const [id, h] of state.holds) {
    if (id !== h.id) problems.push(`hold ${id}: key mismatch`);
    if (h.lines.length === 0) problems.push(`hold ${id}: no lines`);
    for (const l of h.lines) {
      const key = quantKey(l.locationId, l.tenantId, l.skuId, l.lot);
      if (!Number.isSafeInteger(l.qty) || l.qty <= 0) problems.push(`hold ${id}: line ${key} qty ${l.qty}`);
      if (!state.quants.has(key)) problems.push(`hold ${id}: holds ${key}, which has no stock`);
      heldSum.set(key, (heldSum.get(key) ?? 0) + l.qty);
    }
  }
  for (const key of new Set([...heldSum.keys(), ...state.heldByQuant.keys()])) {
    if ((heldSum.get(key) ?? 0) !== (state.heldByQuant.get(key) ?? 0)) problems.push(`held index ${key}: ${state.heldByQuant.get(key) ?? 0}, holds say ${heldSum.get(key) ?? 0}`);
  }
  // ASNs (R43): received ≥ damaged ≥ 0 per line.
  for (const [ref, asn] of state.asns) {
    if (ref !== asn.ref) problems.push(`asn ${ref}: key mismatch`);
    for (const l of asn.lines) if (l.damagedQty < 0 || l.damagedQty > l.receivedQty) problems.push(`asn ${ref} line ${l.lineNo}: damaged ${l.damagedQty} of ${l.receivedQty} received`);
  }
  // Returns (R50–R54): line arithmetic, never more under return than shipped.
  problems.push(...rmaProblems(state));
  // Move tasks and pick faces (R63): commitments within what a quant can give, index = open tasks, valid faces.
  problems.push(...moveTaskProblems(state));
  // Transfers between sites and serials (R76, R80): commitments, transit = despatched − confirmed, serial places.
  problems.push(...transferProblems(state), ...serialProblems(state, isTransitLocation));

  // Blocked segments (R28): keyed min-max, stored a < b, and an edge of the site's walk graph.
  for (const [key, seg] of state.blockedEdges) {
    if (seg.a >= seg.b || key !== segmentKey(seg.a, seg.b)) problems.push(`blocked segment ${key}: key mismatch`);
    if (!segmentExists(state, seg.a, seg.b)) problems.push(`blocked segment ${key}: no such walk-graph edge`);
  }
  return problems;
}

/** Balances of the stock ledger replayed from events, keyed `${location}|${tenant}|${sku}` (virtual locations included). */
export interface LedgerResult {
  readonly balances: Map<string, number>;
  /** Problems found: a (tenant, sku) whose balances do not sum to 0, or a negative balance outside SUPPLIER. */
  readonly problems: string[];
}

/**
 * Replays stock events as double-entry moves (SUPPLIER → bin on receipt, bin → bin on move, bin → PACKING and
 * bin → ADJUSTMENT on picks, PACKING → CUSTOMER on despatch) and checks every (tenant, sku) nets to 0.
 */
export function ledgerBalances(events: Iterable<TwinEvent>): LedgerResult {
  const balances = new Map<string, number>();
  const move = (from: string, to: string, tenantId: TenantId, skuId: SkuId, qty: number): void => {
    if (qty === 0) return;
    const fk = `${from}|${tenantId}|${skuId}`;
    const tk = `${to}|${tenantId}|${skuId}`;
    balances.set(fk, (balances.get(fk) ?? 0) - qty);
    balances.set(tk, (balances.get(tk) ?? 0) + qty);
  };
  const packing = new Map<OrderId, Map<string, { tenantId: TenantId; skuId: SkuId; qty: number }>>();
  for (const e of events) {
    switch (e.type) {
      case 'StockReceived':
      case 'GoodsReceived':
        move(VIRTUAL_LOCATIONS.supplier, e.locationId, e.tenantId, e.skuId, e.qty);
        break;
      case 'StockMoved':
      case 'MoveTaskCompleted':
        move(e.fromLocationId, e.toLocationId, e.tenantId, e.skuId, e.qty);
        break;
      case 'PickConfirmed':
      case 'PickShorted': {
        const picked = e.type === 'PickConfirmed' ? e.qty : e.pickedQty;
        move(e.locationId, VIRTUAL_LOCATIONS.packing, e.tenantId, e.skuId, picked);
        if (e.type === 'PickShorted') move(e.locationId, VIRTUAL_LOCATIONS.adjustment, e.tenantId, e.skuId, e.shortQty);
        let box = packing.get(e.orderId);
        if (box === undefined) {
          box = new Map();
          packing.set(e.orderId, box);
        }
        const k = skuKey(e.tenantId, e.skuId);
        const entry = box.get(k) ?? { tenantId: e.tenantId, skuId: e.skuId, qty: 0 };
        entry.qty += picked;
        box.set(k, entry);
        break;
      }
      case 'OrderDespatched': {
        for (const entry of packing.get(e.orderId)?.values() ?? []) {
          move(VIRTUAL_LOCATIONS.packing, VIRTUAL_LOCATIONS.customer, entry.tenantId, entry.skuId, entry.qty);
        }
        packing.delete(e.orderId);
        break;
      }
      case 'ReturnReceived':
        move(VIRTUAL_LOCATIONS.customer, e.locationId, e.tenantId, e.skuId, e.qty);
        break;
      case 'ReturnInspected':
        for (const d of e.disposed) move(e.locationId, VIRTUAL_LOCATIONS.adjustment, e.tenantId, e.skuId, d.qty);
        break;
      // Transfers (R73–R76): bin → TRANSIT on despatch, TRANSFER_IN → dock at the receiving site, TRANSIT →
      // TRANSFER_OUT (delivered) and → ADJUSTMENT (short) when the receipt is confirmed.
      case 'TransferDespatched':
        for (const l of e.lines) move(l.fromLocationId, e.transitLocationId, l.tenantId, l.skuId, l.qty);
        break;
      case 'TransferReceived':
        move(VIRTUAL_LOCATIONS.transferIn, e.locationId, e.tenantId, e.skuId, e.qty);
        break;
      case 'TransferReceiptConfirmed':
        for (const l of e.lines) {
          move(e.transitLocationId, VIRTUAL_LOCATIONS.transferOut, l.tenantId, l.skuId, l.deliveredQty);
          move(e.transitLocationId, VIRTUAL_LOCATIONS.adjustment, l.tenantId, l.skuId, l.shortQty);
        }
        break;
      case 'TransferReturned': // R76a: TRANSIT → the dock or bin it comes back to
        for (const l of e.lines) move(e.transitLocationId, e.locationId, l.tenantId, l.skuId, l.qty);
        break;
      case 'TransferCreated':
      case 'TransferLinePicked':
      case 'TransferCancelled':
      case 'TransferRefusedByDestination':
      case 'InboundTransferExpected':
      case 'InboundTransferClosed':
        break;
      case 'CountAdjusted':
        // Found units come in from ADJUSTMENT, lost ones go out to it (R37).
        for (const a of e.adjustments) {
          if (a.qty > 0) move(VIRTUAL_LOCATIONS.adjustment, e.locationId, a.tenantId, a.skuId, a.qty);
          else move(e.locationId, VIRTUAL_LOCATIONS.adjustment, a.tenantId, a.skuId, -a.qty);
        }
        break;
      case 'OrderCreated':
      case 'OrderAllocated':
      case 'OrderReleased':
      case 'OperativeSignedOn':
      case 'OperativeSignedOff':
      case 'TasksAssigned':
      case 'TasksUnassigned':
      case 'RoutePlanned':
      case 'SegmentBlocked':
      case 'SegmentUnblocked':
      case 'OrderPicked':
      case 'OrderPacked':
      case 'OperativeMoved':
      case 'OrderCancelled':
      case 'AllocationExpired':
      case 'WaveReleased':
      case 'CountRequested':
      case 'ShipmentLabelled':
      case 'CountCreated':
      case 'CountStarted':
      case 'CountSubmitted':
      case 'CountRejected':
      case 'HoldPlaced':
      case 'HoldReleased':
      case 'AsnCreated':
      case 'AsnClosed':
      case 'QcRuleSet':
      case 'RmaCreated':
      case 'RmaClosed':
      case 'MoveTaskCreated':
      case 'MoveTaskAssigned':
      case 'MoveTaskCancelled':
      case 'PickFaceSet':
      case 'PickFaceCleared':
        break;
    }
  }
  const problems: string[] = [];
  const net = new Map<string, number>();
  for (const [key, qty] of balances) {
    const [location, tenantId, skuId] = key.split('|') as [string, string, string];
    const k = `${tenantId}|${skuId}`;
    net.set(k, (net.get(k) ?? 0) + qty);
    // SUPPLIER and ADJUSTMENT are sources as well as sinks (count adjustments find stock, R37).
    if (location !== VIRTUAL_LOCATIONS.supplier && location !== VIRTUAL_LOCATIONS.adjustment && location !== VIRTUAL_LOCATIONS.transferIn && qty < 0) problems.push(`ledger ${key}: negative balance ${qty}`);
  }
  for (const [k, qty] of net) if (qty !== 0) problems.push(`ledger ${k}: nets to ${qty}, not 0`);
  return { balances, problems };
}
