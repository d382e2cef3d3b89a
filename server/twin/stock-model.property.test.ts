/**
 * C7 (../shared/reference/reliability.md §6.1): fast-check `fc.commands` over the twin core (decide + apply) against a
 * small reference model of stock. Each step resolves a generated operation against the twin (which order, task,
 * count…), decides it, applies it, and then checks: on-hand per (location, tenant, SKU, lot) equals the model's,
 * every quant's free units (on hand − reserved − held − committed to move tasks) are ≥ 0, `checkTwinInvariants` and
 * the replayed ledger are clean, and deciding a command (refused or not) changed nothing. The model keeps its own books
 * of on-hand, receipts, ASNs, pick faces, shipments and returns, and predicts what must be accepted or refused where
 * that follows from the rules (R2–R6, R35–R37, R41, R43, R50–R53, R57–R64) without copying the core's algorithms.
 * Flows: receipts (receiveStock, goods-in on the dock against ASNs or blind, damaged), put-away and moves, holds,
 * lot expiry, orders (allocate with TTL, release, cancel, pick, short, pack, despatch, reservation expiry), cycle
 * counts with moves during the count, returns (RMA, receipt, inspection and disposition, close), move tasks (create,
 * request, complete with override or short, cancel), pick faces and replenishment, and device resends.
 *
 * Runs: `C7_RUNS` (default 200 per PR; 1,000 nightly), `C7_SEED` replays one failing seed. A shrunk failure prints
 * the concrete twin commands it ran; each one found became a named regression test at the bottom of this file.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Command } from './commands.ts';
import { asCountId } from './counting.ts';
import type { CountSubmitted, SequencedEvent, TwinEvent } from './events.ts';
import type { EpochMs, LocationId, OrderId, SkuId } from './ids.ts';
import { asOperativeId, asOrderId, epochMs } from './ids.ts';
import { checkTwinInvariants, ledgerBalances } from './invariants.ts';
import { planReplenishment } from './move-tasks.ts';
import { returnsLocationId } from './returns.ts';
import type { HoldStatus, ReturnDisposition, TwinState } from './state.ts';
import { asHoldId, dockLocationId, freeOf } from './stock-status.ts';
import { transitLocationId } from './transfers.ts';
import { LOC, SKU_A, SKU_B, T0, T1, TEST_SITE } from './test-site.ts';
import { applyEvents, createTwinState, decide, toSnapshotData } from './twin.ts';

const RUNS = Number(process.env['C7_RUNS'] ?? 200);
const SEED = process.env['C7_SEED'] === undefined ? undefined : Number(process.env['C7_SEED']);
const MAX_COMMANDS = 80;

const SITE = TEST_SITE;
const DOCK = dockLocationId(SITE.id);
const DESK = returnsLocationId(SITE.id);
const CAPACITY = 50;
/** One expiry per lot, so receipts never disagree about a lot's expiry (R3) unless a test means them to. */
const LOT_EXPIRY: Readonly<Record<string, string>> = { X1: '2027-01-01', X2: '2027-02-01', X3: '2026-12-15' };
const LOTS = Object.keys(LOT_EXPIRY);
const AS_OF = ['2026-12-01', '2026-12-20', '2027-01-15', '2027-03-01'];
const OPERATIVES = ['P1', 'P2'].map(asOperativeId);
const COUNTERS = ['C1', 'C2'];
const HOLD_STATUSES: readonly HoldStatus[] = ['qc', 'quarantine', 'damaged', 'expired'];
const DISPOSITIONS: readonly ReturnDisposition[] = ['restock', 'refurbish', 'quarantine', 'dispose'];

const at = <T>(xs: readonly T[], n: number): T | undefined => (xs.length === 0 ? undefined : xs[n % xs.length]);
const stockKey = (loc: string, tenant: string, sku: string, lot: string): string => `${loc}|${tenant}|${sku}|${lot}`;
const skuOf = (id: SkuId) => SITE.skus.find((s) => s.id === id);
const lotFields = (skuId: SkuId, lot: number): { lot?: string; expiry?: string } => {
  if (skuOf(skuId)?.lotTracked !== true) return {};
  const name = at(LOTS, lot) as string;
  return { lot: name, expiry: LOT_EXPIRY[name] ?? '' };
};

// ---------------------------------------------------------------------------------------------------------------
// The operations fast-check generates: plain data with selectors resolved against the twin at run time.

type Op =
  | { readonly k: 'receive'; readonly sku: number; readonly loc: number; readonly qty: number; readonly lot: number }
  | { readonly k: 'goodsIn'; readonly sku: number; readonly qty: number; readonly lot: number; readonly receipt: number; readonly asn: number | null; readonly damaged: number }
  | { readonly k: 'createAsn'; readonly asn: number; readonly sku: number; readonly qty: number; readonly lot: number }
  | { readonly k: 'closeAsn'; readonly asn: number }
  | { readonly k: 'putAway'; readonly from: 'dock' | 'desk'; readonly pick: number; readonly loc: number; readonly qty: number }
  | { readonly k: 'move'; readonly pick: number; readonly loc: number; readonly qty: number }
  | { readonly k: 'hold'; readonly pick: number; readonly qty: number | null; readonly status: number; readonly whole: boolean }
  | { readonly k: 'releaseHold'; readonly pick: number }
  | { readonly k: 'expireLots'; readonly asOf: number }
  | { readonly k: 'order'; readonly lines: readonly (readonly [number, number])[] }
  | { readonly k: 'allocate'; readonly pick: number; readonly partial: boolean; readonly ttl: boolean }
  | { readonly k: 'releaseOrder'; readonly pick: number }
  | { readonly k: 'cancel'; readonly pick: number }
  | { readonly k: 'requestWork'; readonly op: number }
  | { readonly k: 'confirmPick'; readonly pick: number }
  | { readonly k: 'shortPick'; readonly pick: number; readonly found: number }
  | { readonly k: 'pack'; readonly pick: number }
  | { readonly k: 'despatch'; readonly pick: number }
  | { readonly k: 'tick'; readonly minutes: number }
  | { readonly k: 'createCount'; readonly loc: number }
  | { readonly k: 'startCount'; readonly pick: number; readonly counter: number }
  | { readonly k: 'submitCount'; readonly pick: number; readonly deltas: readonly number[] }
  | { readonly k: 'approveCount'; readonly pick: number }
  | { readonly k: 'rejectCount'; readonly pick: number }
  | { readonly k: 'rma'; readonly pick: number; readonly qty: number }
  | { readonly k: 'receiveReturn'; readonly pick: number; readonly qty: number; readonly receipt: number }
  | { readonly k: 'inspect'; readonly pick: number; readonly qty: number; readonly disposition: number }
  | { readonly k: 'closeRma'; readonly pick: number }
  | { readonly k: 'moveTask'; readonly kind: 'putaway' | 'reslot' | 'restock'; readonly pick: number; readonly loc: number; readonly qty: number; readonly suggest: boolean }
  | { readonly k: 'requestMoveTask'; readonly op: number }
  | { readonly k: 'completeMoveTask'; readonly pick: number; readonly loc: number | null; readonly short: number }
  | { readonly k: 'cancelMoveTask'; readonly pick: number }
  | { readonly k: 'pickFace'; readonly loc: number; readonly sku: number; readonly min: number; readonly span: number }
  | { readonly k: 'replenish' }
  | { readonly k: 'resend' }
  | { readonly k: 'transfer'; readonly pick: number; readonly qty: number }
  | { readonly k: 'pickTransfer'; readonly pick: number }
  | { readonly k: 'despatchTransfer'; readonly pick: number }
  | { readonly k: 'cancelTransfer'; readonly pick: number }
  | { readonly k: 'confirmTransfer'; readonly pick: number; readonly received: number };

const n = (max: number) => fc.nat({ max });
const OP_ARBS: fc.Arbitrary<Op>[] = [
  fc.record({ k: fc.constant('receive' as const), sku: n(3), loc: n(5), qty: fc.integer({ min: 1, max: 30 }), lot: n(2) }),
  fc.record({
    k: fc.constant('goodsIn' as const),
    sku: n(3),
    qty: fc.integer({ min: 1, max: 20 }),
    lot: n(2),
    receipt: n(12),
    asn: fc.option(n(2), { nil: null }),
    damaged: fc.oneof(fc.constant(0), n(3)),
  }),
  fc.record({ k: fc.constant('createAsn' as const), asn: n(2), sku: n(3), qty: fc.integer({ min: 1, max: 20 }), lot: n(2) }),
  fc.record({ k: fc.constant('closeAsn' as const), asn: n(2) }),
  fc.record({ k: fc.constant('putAway' as const), from: fc.constantFrom('dock' as const, 'desk' as const), pick: n(20), loc: n(5), qty: fc.integer({ min: 1, max: 25 }) }),
  fc.record({ k: fc.constant('move' as const), pick: n(20), loc: n(5), qty: fc.integer({ min: 1, max: 25 }) }),
  fc.record({ k: fc.constant('hold' as const), pick: n(20), qty: fc.option(fc.integer({ min: 1, max: 10 }), { nil: null }), status: n(3), whole: fc.boolean() }),
  fc.record({ k: fc.constant('releaseHold' as const), pick: n(20) }),
  fc.record({ k: fc.constant('expireLots' as const), asOf: n(3) }),
  fc.record({ k: fc.constant('order' as const), lines: fc.array(fc.tuple(n(3), fc.integer({ min: 1, max: 8 })), { minLength: 1, maxLength: 3 }) }),
  fc.record({ k: fc.constant('allocate' as const), pick: n(20), partial: fc.boolean(), ttl: fc.boolean() }),
  fc.record({ k: fc.constant('releaseOrder' as const), pick: n(20) }),
  fc.record({ k: fc.constant('cancel' as const), pick: n(20) }),
  fc.record({ k: fc.constant('requestWork' as const), op: n(1) }),
  fc.record({ k: fc.constant('confirmPick' as const), pick: n(20) }),
  fc.record({ k: fc.constant('shortPick' as const), pick: n(20), found: n(8) }),
  fc.record({ k: fc.constant('pack' as const), pick: n(20) }),
  fc.record({ k: fc.constant('despatch' as const), pick: n(20) }),
  fc.record({ k: fc.constant('tick' as const), minutes: fc.integer({ min: 1, max: 180 }) }),
  fc.record({ k: fc.constant('createCount' as const), loc: n(5) }),
  fc.record({ k: fc.constant('startCount' as const), pick: n(20), counter: n(1) }),
  fc.record({ k: fc.constant('submitCount' as const), pick: n(20), deltas: fc.array(fc.integer({ min: -12, max: 4 }), { minLength: 3, maxLength: 3 }) }),
  fc.record({ k: fc.constant('approveCount' as const), pick: n(20) }),
  fc.record({ k: fc.constant('rejectCount' as const), pick: n(20) }),
  fc.record({ k: fc.constant('rma' as const), pick: n(20), qty: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ k: fc.constant('receiveReturn' as const), pick: n(20), qty: fc.integer({ min: 1, max: 4 }), receipt: n(12) }),
  fc.record({ k: fc.constant('inspect' as const), pick: n(20), qty: fc.integer({ min: 1, max: 4 }), disposition: n(3) }),
  fc.record({ k: fc.constant('closeRma' as const), pick: n(20) }),
  fc.record({
    k: fc.constant('moveTask' as const),
    kind: fc.constantFrom('putaway' as const, 'reslot' as const, 'restock' as const),
    pick: n(20),
    loc: n(5),
    qty: fc.integer({ min: 1, max: 20 }),
    suggest: fc.boolean(),
  }),
  fc.record({ k: fc.constant('requestMoveTask' as const), op: n(1) }),
  fc.record({ k: fc.constant('completeMoveTask' as const), pick: n(20), loc: fc.option(n(5), { nil: null }), short: fc.oneof(fc.constant(0), n(5)) }),
  fc.record({ k: fc.constant('cancelMoveTask' as const), pick: n(20) }),
  fc.record({ k: fc.constant('pickFace' as const), loc: n(5), sku: n(3), min: fc.integer({ min: 1, max: 15 }), span: fc.integer({ min: 1, max: 30 }) }),
  fc.constant({ k: 'replenish' as const }),
  fc.constant({ k: 'resend' as const }),
  // Transfers to another site (R71–R76): the receiving site's side is the relay's, so confirmations are drawn here.
  fc.record({ k: fc.constant('transfer' as const), pick: n(20), qty: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ k: fc.constant('pickTransfer' as const), pick: n(20) }),
  fc.record({ k: fc.constant('despatchTransfer' as const), pick: n(20) }),
  fc.record({ k: fc.constant('cancelTransfer' as const), pick: n(20) }),
  fc.record({ k: fc.constant('confirmTransfer' as const), pick: n(20), received: n(14) }),
];

// ---------------------------------------------------------------------------------------------------------------
// The reference model: its own books, updated from the commands it accepted, never from the twin's choices except
// where the rules leave the choice to the core (which lot an inspection disposes of, which outcome a count takes).

interface ModelRma {
  readonly orderId: OrderId;
  readonly skuId: SkuId;
  authorised: number;
  received: number;
  closed: boolean;
}

class StockModel {
  readonly onHand = new Map<string, number>();
  readonly receiptIds = new Set<string>();
  readonly asns = new Map<string, { closed: boolean }>();
  /** Units picked per `${order}|${sku}` (confirmed and found on a short pick), shipped once the order despatches. */
  readonly picked = new Map<string, number>();
  readonly despatched = new Set<OrderId>();
  readonly rmas = new Map<string, ModelRma>();
  /** Variance per stock key the model expects a count to adjust, set when it is submitted. */
  readonly countVariances = new Map<string, Map<string, number>>();
  /** Pick faces set (R62): the bin takes only that (tenant, SKU), even while empty. */
  readonly faces = new Map<string, string>();

  add(key: string, qty: number): void {
    const v = (this.onHand.get(key) ?? 0) + qty;
    if (v === 0) this.onHand.delete(key);
    else this.onHand.set(key, v);
  }
  binKeys(loc: string): string[] {
    return [...this.onHand.keys()].filter((k) => k.startsWith(`${loc}|`)).sort();
  }
  binTotal(loc: string): number {
    return this.binKeys(loc).reduce((s, k) => s + (this.onHand.get(k) ?? 0), 0);
  }
  /** Units under return of (order, SKU): authorised on open RMAs, received on closed ones (R50). */
  underReturn(orderId: OrderId, skuId: SkuId): number {
    let sum = 0;
    for (const r of this.rmas.values()) if (r.orderId === orderId && r.skuId === skuId) sum += r.closed ? r.received : r.authorised;
    return sum;
  }
}

/** The system under test: a twin with its log, a clock, and the trace of concrete commands it ran. */
class TwinUnderTest {
  readonly state: TwinState = createTwinState(SITE, T0);
  readonly log: SequencedEvent[] = [];
  readonly trace: Command[] = [];
  now: EpochMs = T0;
  lastIdempotent: Command | null = null;
  scanNo = 0;
  orderNo = 0;
  countNo = 0;
  holdNo = 0;
  rmaNo = 0;
  inspectionNo = 0;
  moveTaskNo = 0;
  transferNo = 0;

  /**
   * Signs the operatives on and, so that returns are reachable in a short run, ships order O0 (3 A and 2 of lot X1
   * of B) from stock received for it; what is left of that stock is the model's starting point.
   */
  constructor() {
    for (const operativeId of OPERATIVES) this.must({ type: 'signOn', operativeId, name: operativeId });
    const o0 = asOrderId('O0');
    this.must({ type: 'receiveStock', tenantId: T1, locationId: LOC[0] as LocationId, skuId: SKU_A, qty: 10 });
    this.must({ type: 'receiveStock', tenantId: T1, locationId: LOC[1] as LocationId, skuId: SKU_B, qty: 10, lot: 'X1', expiry: LOT_EXPIRY['X1'] as string });
    this.must({ type: 'createOrder', orderId: o0, tenantId: T1, lines: [{ skuId: SKU_A, qty: 3 }, { skuId: SKU_B, qty: 2 }] });
    this.must({ type: 'allocateOrder', orderId: o0 });
    this.must({ type: 'releaseOrder', orderId: o0 });
    this.must({ type: 'requestWork', operativeId: OPERATIVES[0] as (typeof OPERATIVES)[number], maxTasks: 10 });
    for (const t of [...this.state.tasks.values()]) {
      this.must({ type: 'confirmPick', taskId: t.id, operativeId: t.operativeId ?? OPERATIVES[0] as (typeof OPERATIVES)[number], scannedLocation: t.locationId, scannedItem: skuOf(t.skuId)?.barcode ?? '', qty: t.qty });
    }
    this.must({ type: 'packOrder', orderId: o0 });
    this.must({ type: 'despatchOrder', orderId: o0 });
  }
  /** The model of this starting state. */
  startingModel(): StockModel {
    const m = new StockModel();
    for (const q of this.state.quants.values()) m.add(stockKey(q.locationId, q.tenantId, q.skuId, q.lot), q.onHand);
    m.picked.set(`O0|${SKU_A}`, 3);
    m.picked.set(`O0|${SKU_B}`, 2);
    m.despatched.add(asOrderId('O0'));
    return m;
  }
  private must(c: Command): void {
    const d = decide(this.state, c, { now: this.now });
    if (!d.ok) throw new Error(`setup refused: ${d.error.code}`);
    this.log.push(...applyEvents(this.state, d.events));
  }
}

type Outcome = { ok: true; events: TwinEvent[] } | { ok: false; code: string };

/** Decides and applies one command, checking R0: deciding (refused or not) leaves the state as it was. */
function runCommand(r: TwinUnderTest, c: Command): Outcome {
  r.trace.push(c);
  const before = JSON.stringify(toSnapshotData(r.state));
  const seqBefore = r.log.length;
  const d = decide(r.state, c, { now: r.now });
  const after = JSON.stringify(toSnapshotData(r.state));
  if (after !== before) throw new Error(`[R0] deciding ${c.type} changed the state`);
  r.now = epochMs(r.now + 1000);
  if (!d.ok) {
    if (r.log.length !== seqBefore) throw new Error('a refused command wrote events');
    return { ok: false, code: d.error.code };
  }
  r.log.push(...applyEvents(r.state, d.events));
  return { ok: true, events: d.events };
}

const sorted = <T>(xs: Iterable<T>, key: (x: T) => string): T[] => [...xs].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
const fail = (msg: string): never => {
  throw new Error(msg);
};

/** Resolves `op` against the twin into a concrete command, runs it, and updates the model from what was accepted. */
function step(m: StockModel, r: TwinUnderTest, op: Op): void {
  const s = r.state;
  const bin = (i: number) => LOC[i % LOC.length] as LocationId;
  const sku = (i: number) => SITE.skus[i % SITE.skus.length] as (typeof SITE.skus)[number];
  const quantsAt = (pred: (loc: string) => boolean) => sorted(s.quants.values(), (q) => q.key).filter((q) => pred(q.locationId));
  const ordersIn = (...status: string[]) => sorted(s.orders.values(), (o) => o.id).filter((o) => status.includes(o.status));

  switch (op.k) {
    case 'receive': {
      const k = sku(op.sku);
      const loc = bin(op.loc);
      const c: Command = { type: 'receiveStock', tenantId: k.tenantId, locationId: loc, skuId: k.id, qty: op.qty, ...lotFields(k.id, op.lot) };
      const out = runCommand(r, c);
      const key = stockKey(loc, k.tenantId, k.id, c.lot ?? '');
      // R4/R5: an empty bin takes any one SKU up to its capacity.
      const face = m.faces.get(loc);
      if (m.binTotal(loc) === 0 && op.qty <= CAPACITY && (face === undefined || face === `${k.tenantId}|${k.id}`) && !out.ok) fail(`receive into empty ${loc} refused: ${out.code}`);
      if (out.ok) {
        m.add(key, op.qty);
        if (m.binTotal(loc) > CAPACITY) fail(`[R5] ${loc} holds ${m.binTotal(loc)} > ${CAPACITY} after a receipt`);
      }
      return;
    }
    case 'goodsIn': {
      const k = sku(op.sku);
      const receiptId = `R${op.receipt}`;
      const asnRef = op.asn === null ? undefined : `ASN${op.asn}`;
      const c: Command = {
        type: 'receiveGoods',
        receiptId,
        ...(asnRef === undefined ? { tenantId: k.tenantId } : { asnRef }),
        skuId: k.id,
        qty: op.qty,
        ...lotFields(k.id, op.lot),
        ...(op.damaged > 0 ? { damagedQty: Math.min(op.damaged, op.qty) } : {}),
        reason: 'model',
      };
      const out = runCommand(r, c);
      if (m.receiptIds.has(receiptId)) {
        // I8: a receiptId already applied decides no events, whatever else it says.
        if (!out.ok || out.events.length > 0) fail(`[R43] resent receipt ${receiptId} was not a no-op`);
        return;
      }
      if (asnRef !== undefined && m.asns.get(asnRef)?.closed === true && (out.ok || out.code !== 'ASN_CLOSED')) fail(`[R46] receipt on closed ${asnRef}: ${out.ok ? 'ok' : out.code}`);
      if (asnRef === undefined && !out.ok) fail(`[R43] blind receipt refused: ${out.code}`);
      if (out.ok) {
        m.receiptIds.add(receiptId);
        r.lastIdempotent = c;
        const ev = out.events.find((e) => e.type === 'GoodsReceived');
        if (ev === undefined) fail('receipt without GoodsReceived');
        m.add(stockKey(DOCK, ev?.tenantId ?? '', k.id, c.lot ?? ''), op.qty);
      }
      return;
    }
    case 'createAsn': {
      const k = sku(op.sku);
      const asnRef = `ASN${op.asn}`;
      const c: Command = { type: 'createAsn', asnRef, tenantId: k.tenantId, lines: [{ skuId: k.id, qty: op.qty, ...lotFields(k.id, op.lot) }] };
      const out = runCommand(r, c);
      if (out.ok && !m.asns.has(asnRef)) m.asns.set(asnRef, { closed: false });
      return;
    }
    case 'closeAsn': {
      const asnRef = `ASN${op.asn}`;
      const out = runCommand(r, { type: 'closeAsn', asnRef, reason: 'model' });
      if (out.ok) m.asns.set(asnRef, { closed: true });
      else if (m.asns.get(asnRef)?.closed === false) fail(`[R46] closing open ${asnRef} refused: ${out.code}`);
      return;
    }
    case 'putAway':
    case 'move': {
      const from = op.k === 'move' ? quantsAt((l) => l !== DOCK && l !== DESK) : quantsAt((l) => l === (op.from === 'dock' ? DOCK : DESK));
      const q = at(from, op.pick);
      if (q === undefined) return;
      const to = bin(op.loc);
      const c: Command = { type: 'moveStock', tenantId: q.tenantId, skuId: q.skuId, lot: q.lot, fromLocationId: q.locationId, toLocationId: to, qty: op.qty };
      const fromKey = stockKey(q.locationId, q.tenantId, q.skuId, q.lot);
      const out = runCommand(r, c);
      // R6: never more than the model says is there.
      if (out.ok && op.qty > (m.onHand.get(fromKey) ?? 0)) fail(`[R6] moved ${op.qty} from ${fromKey}, model holds ${m.onHand.get(fromKey) ?? 0}`);
      if (out.ok) {
        m.add(fromKey, -op.qty);
        m.add(stockKey(to, q.tenantId, q.skuId, q.lot), op.qty);
        if (m.binTotal(to) > CAPACITY) fail(`[R5] ${to} holds ${m.binTotal(to)} > ${CAPACITY} after a move`);
      }
      return;
    }
    case 'hold': {
      const q = at(sorted(s.quants.values(), (x) => x.key), op.pick);
      if (q === undefined) return;
      const holdId = asHoldId(`H${++r.holdNo}`);
      const c: Command = {
        type: 'placeHold',
        holdId,
        tenantId: q.tenantId,
        status: at(HOLD_STATUSES, op.status) as HoldStatus,
        reason: 'model',
        ...(op.whole ? { skuId: q.skuId } : { locationId: q.locationId, skuId: q.skuId, lot: q.lot }),
        ...(op.qty === null ? {} : { qty: op.qty }),
      };
      runCommand(r, c);
      return;
    }
    case 'releaseHold': {
      const h = at(sorted(s.holds.values(), (x) => x.id), op.pick);
      if (h !== undefined) runCommand(r, { type: 'releaseHold', holdId: h.id, reason: 'model' });
      return;
    }
    case 'expireLots': {
      const asOf = at(AS_OF, op.asOf) as string;
      runCommand(r, { type: 'expireLots', asOf });
      // R41: afterwards no unit of a lot expired before asOf is free.
      for (const q of s.quants.values()) {
        if (q.expiry !== null && q.expiry < asOf && freeOf(s, q) > 0) fail(`[R41] ${q.key} expired ${q.expiry} < ${asOf} still has ${freeOf(s, q)} free`);
      }
      return;
    }
    case 'order': {
      const tenant = sku(op.lines[0]?.[0] ?? 0).tenantId;
      const lines = op.lines.map(([i, qty]) => ({ skuId: sku(i).id, qty })).filter((l) => skuOf(l.skuId)?.tenantId === tenant);
      runCommand(r, { type: 'createOrder', orderId: asOrderId(`O${++r.orderNo}`), tenantId: tenant, lines });
      return;
    }
    case 'allocate': {
      const o = at(ordersIn('open', 'allocated', 'released'), op.pick);
      if (o !== undefined) runCommand(r, { type: 'allocateOrder', orderId: o.id, policy: op.partial ? 'partial' : 'all-or-nothing', ...(op.ttl ? { ttlMs: 60_000 } : {}) });
      return;
    }
    case 'releaseOrder': {
      const o = at(ordersIn('allocated'), op.pick);
      if (o !== undefined) runCommand(r, { type: 'releaseOrder', orderId: o.id });
      return;
    }
    case 'cancel': {
      const o = at(ordersIn('open', 'allocated', 'released'), op.pick);
      if (o !== undefined) runCommand(r, { type: 'cancelOrder', orderId: o.id, reason: 'model' });
      return;
    }
    case 'requestWork':
      runCommand(r, { type: 'requestWork', operativeId: at(OPERATIVES, op.op) as (typeof OPERATIVES)[number], maxTasks: 3 });
      return;
    case 'confirmPick':
    case 'shortPick': {
      const t = at(sorted([...s.tasks.values()].filter((x) => x.status === 'assigned'), (x) => x.id), op.pick);
      if (t === undefined || t.operativeId === null) return;
      const scanId = `S${++r.scanNo}`;
      const found = op.k === 'shortPick' ? Math.min(op.found, t.qty - 1) : t.qty;
      const c: Command =
        op.k === 'confirmPick'
          ? { type: 'confirmPick', taskId: t.id, operativeId: t.operativeId, scannedLocation: t.locationId, scannedItem: skuOf(t.skuId)?.barcode ?? '', qty: t.qty, scanId }
          : { type: 'shortPick', taskId: t.id, operativeId: t.operativeId, foundQty: found, scanId };
      const out = runCommand(r, c);
      if (!out.ok) fail(`[R17] ${c.type} of assigned task ${t.id} refused: ${out.code}`);
      r.lastIdempotent = c;
      // R18/R19: the whole task qty leaves the bin (found to PACKING, the rest to ADJUSTMENT).
      m.add(stockKey(t.locationId, t.tenantId, t.skuId, t.lot), -t.qty);
      const pk = `${t.orderId}|${t.skuId}`;
      m.picked.set(pk, (m.picked.get(pk) ?? 0) + found);
      return;
    }
    case 'pack': {
      const o = at(ordersIn('picked'), op.pick);
      if (o !== undefined) runCommand(r, { type: 'packOrder', orderId: o.id });
      return;
    }
    case 'despatch': {
      const o = at(ordersIn('packed'), op.pick);
      if (o === undefined) return;
      const out = runCommand(r, { type: 'despatchOrder', orderId: o.id });
      if (!out.ok) fail(`[R21] despatch of packed ${o.id} refused: ${out.code}`);
      m.despatched.add(o.id);
      return;
    }
    case 'tick':
      r.now = epochMs(r.now + op.minutes * 60_000);
      runCommand(r, { type: 'expireReservations' });
      return;
    case 'createCount': {
      const countId = asCountId(`K${++r.countNo}`);
      runCommand(r, { type: 'createCounts', reason: 'manual', counts: [{ countId, locationId: bin(op.loc) }] });
      return;
    }
    case 'startCount': {
      const count = at(sorted([...s.counts.values()].filter((x) => x.status === 'open' || x.status === 'recount'), (x) => x.id), op.pick);
      if (count === undefined) return;
      const out = runCommand(r, { type: 'startCount', countId: count.id, counterId: at(COUNTERS, op.counter) as string });
      if (!out.ok) fail(`[R34] start of ${count.status} count ${count.id} refused: ${out.code}`);
      return;
    }
    case 'submitCount': {
      const count = at(sorted([...s.counts.values()].filter((x) => x.status === 'counting' || x.status === 'recounting'), (x) => x.id), op.pick);
      const attempt = count?.attempts[count.attempts.length - 1];
      if (count === undefined || attempt === undefined) return;
      // The counter finds the model's stock give or take a discrepancy per key; the model expects exactly that variance.
      const keys = m.binKeys(count.locationId);
      const variance = new Map<string, number>();
      const lines = keys.map((key, i) => {
        const [, , skuId, lot] = key.split('|') as [string, string, SkuId, string];
        const have = m.onHand.get(key) ?? 0;
        const qty = Math.max(0, have + (op.deltas[i % op.deltas.length] ?? 0));
        variance.set(key, qty - have);
        return { skuId, qty, ...(lot === '' ? {} : { lot }) };
      });
      const scanId = `S${++r.scanNo}`;
      const free = freeByKey(s, count.locationId);
      const c: Command = { type: 'submitCount', countId: count.id, counterId: attempt.counterId, lines, scanId };
      const out = runCommand(r, c);
      if (!out.ok) {
        if (out.code !== 'COUNT_MIXED_BIN') fail(`[R35] submission of count ${count.id} refused: ${out.code}`);
        return;
      }
      r.lastIdempotent = c;
      const submitted = out.events.find((e): e is CountSubmitted => e.type === 'CountSubmitted');
      if (submitted === undefined) return fail('submitCount without CountSubmitted');
      // [R35] Reconciliation: the variance is counted − on hand now, whatever moved since the count started.
      const got = new Map(submitted.variances.filter((v) => v.variance !== 0).map((v) => [stockKey(count.locationId, v.tenantId, v.skuId, v.lot), v.variance]));
      const want = new Map([...variance].filter(([, v]) => v !== 0));
      expect(Object.fromEntries(got), `[R35] phantom variance on count ${count.id}`).toEqual(Object.fromEntries(want));
      m.countVariances.set(count.id, want);
      applyAdjustment(m, count.id, out.events, free);
      return;
    }
    case 'approveCount':
    case 'rejectCount': {
      const count = at(sorted([...s.counts.values()].filter((x) => x.status === 'pending-approval'), (x) => x.id), op.pick);
      if (count === undefined) return;
      // Before the command: the free units the adjustment may take (R37, R39).
      const free = freeByKey(s, count.locationId);
      const out =
        op.k === 'approveCount'
          ? runCommand(r, { type: 'approveCount', countId: count.id, approverId: 'SUP' })
          : runCommand(r, { type: 'rejectCount', countId: count.id, approverId: 'SUP', reason: 'model' });
      if (!out.ok) {
        if (out.code !== 'COUNT_MIXED_BIN') fail(`[R37] ${op.k} of pending count ${count.id} refused: ${out.code}`);
        return;
      }
      applyAdjustment(m, count.id, out.events, free);
      return;
    }
    case 'rma': {
      const o = at(ordersIn('despatched'), op.pick);
      if (o === undefined) return;
      if (!m.despatched.has(o.id)) fail(`[R21] ${o.id} is despatched in the twin but was never despatched by a command`);
      const skuId = o.lines.find((l) => l.picked > 0)?.skuId ?? o.lines[0]?.skuId;
      if (skuId === undefined) return;
      const rmaId = `RMA${++r.rmaNo}`;
      const out = runCommand(r, { type: 'createRma', rmaId, tenantId: o.tenantId, orderId: o.id, lines: [{ skuId, qty: op.qty, reason: 'unwanted' }] });
      const room = (m.picked.get(`${o.id}|${skuId}`) ?? 0) - m.underReturn(o.id, skuId);
      // R50: under return never exceeds shipped, and anything within it is authorised.
      if (out.ok !== op.qty <= room) fail(`[R50] RMA of ${op.qty} with ${room} returnable was ${out.ok ? 'accepted' : `refused ${out.code}`}`);
      if (out.ok) m.rmas.set(rmaId, { orderId: o.id, skuId, authorised: op.qty, received: 0, closed: false });
      return;
    }
    case 'receiveReturn': {
      const rma = at(sorted([...s.rmas.values()].filter((x) => x.status === 'open'), (x) => x.id), op.pick);
      const line = rma?.lines[0];
      if (rma === undefined || line === undefined) return;
      const task = [...s.tasks.values()].find((t) => t.orderId === rma.orderId && t.skuId === line.skuId && t.pickedQty > 0);
      const receiptId = `RR${op.receipt}`;
      const c: Command = {
        type: 'receiveReturn',
        rmaId: rma.id,
        receiptId,
        scan: skuOf(line.skuId)?.barcode ?? '',
        qty: op.qty,
        ...(task !== undefined && task.lot !== '' ? { lot: task.lot } : {}),
      };
      const out = runCommand(r, c);
      const mr = m.rmas.get(rma.id) ?? fail(`model lacks ${rma.id}`);
      if (m.receiptIds.has(`${rma.id}/${receiptId}`)) {
        if (!out.ok || out.events.length > 0) fail(`[R51] resent return receipt ${receiptId} was not a no-op`);
        return;
      }
      // R51: a line receives at most its authorised units.
      if (out.ok !== mr.received + op.qty <= mr.authorised) fail(`[R51] return of ${op.qty} (${mr.received}/${mr.authorised}) was ${out.ok ? 'accepted' : `refused ${out.code}`}`);
      if (out.ok) {
        m.receiptIds.add(`${rma.id}/${receiptId}`);
        mr.received += op.qty;
        r.lastIdempotent = c;
        m.add(stockKey(DESK, rma.tenantId, line.skuId, task?.lot ?? ''), op.qty);
      }
      return;
    }
    case 'inspect': {
      const rma = at(sorted([...s.rmas.values()].filter((x) => x.status === 'open'), (x) => x.id), op.pick);
      const line = rma?.lines[0];
      if (rma === undefined || line === undefined) return;
      const disposition = at(DISPOSITIONS, op.disposition) as ReturnDisposition;
      const c: Command = {
        type: 'inspectReturn',
        rmaId: rma.id,
        inspectionId: `I${++r.inspectionNo}`,
        skuId: line.skuId,
        qty: op.qty,
        grade: disposition === 'dispose' ? 'unsellable' : 'A',
        disposition,
      };
      const out = runCommand(r, c);
      if (!out.ok) return;
      r.lastIdempotent = c;
      const inspected = out.events.find((e) => e.type === 'ReturnInspected');
      if (inspected?.type !== 'ReturnInspected') return fail('inspection without ReturnInspected');
      // R53: dispose writes exactly the inspected units off the desk (the core picks the lots).
      const disposed = inspected.disposed.reduce((t, d) => t + d.qty, 0);
      if (disposed !== (disposition === 'dispose' ? op.qty : 0)) fail(`[R53] ${disposition} of ${op.qty} disposed ${disposed}`);
      for (const d of inspected.disposed) m.add(stockKey(DESK, rma.tenantId, line.skuId, d.lot), -d.qty);
      return;
    }
    case 'closeRma': {
      const rma = at(sorted([...s.rmas.values()].filter((x) => x.status === 'open'), (x) => x.id), op.pick);
      if (rma === undefined) return;
      const out = runCommand(r, { type: 'closeRma', rmaId: rma.id });
      const mr = m.rmas.get(rma.id);
      if (out.ok && mr !== undefined) mr.closed = true;
      return;
    }
    case 'moveTask': {
      const source = op.kind === 'putaway' ? DOCK : op.kind === 'restock' ? DESK : undefined;
      const q = at(quantsAt((l) => (source === undefined ? l !== DOCK && l !== DESK : l === source)), op.pick);
      if (q === undefined) return;
      const c: Command = {
        type: 'createMoveTask',
        taskId: `MT${++r.moveTaskNo}`,
        kind: op.kind,
        tenantId: q.tenantId,
        skuId: q.skuId,
        ...(q.lot === '' ? {} : { lot: q.lot }),
        fromLocationId: q.locationId,
        ...(op.suggest ? { toLocationId: bin(op.loc) } : {}),
        qty: op.qty,
      };
      const out = runCommand(r, c);
      // R57: units committed to open tasks are not free, so a task never takes more than the model holds there.
      if (out.ok && op.qty > (m.onHand.get(stockKey(q.locationId, q.tenantId, q.skuId, q.lot)) ?? 0)) fail(`[R57] task of ${op.qty} created on ${q.key}`);
      return;
    }
    case 'requestMoveTask':
      runCommand(r, { type: 'requestMoveTask', operativeId: at(OPERATIVES, op.op) as (typeof OPERATIVES)[number] });
      return;
    case 'completeMoveTask': {
      const t = at(sorted([...s.moveTasks.values()].filter((x) => x.status === 'assigned'), (x) => x.id), op.pick);
      if (t === undefined || t.operativeId === null) return;
      const to = op.loc === null ? (t.suggestedToLocationId ?? bin(0)) : bin(op.loc);
      const qty = Math.max(0, t.qty - op.short);
      const c: Command = {
        type: 'completeMoveTask',
        taskId: t.id,
        operativeId: t.operativeId,
        fromScan: t.fromLocationId,
        toScan: to,
        ...(op.short > 0 ? { qty } : {}),
        ...(to !== t.suggestedToLocationId ? { overrideReason: 'model' } : {}),
        scanId: `S${++r.scanNo}`,
      };
      const out = runCommand(r, c);
      if (!out.ok) return;
      r.lastIdempotent = c;
      // R59: the units found move from the source to the target; a short rest stays where it was, free again.
      m.add(stockKey(t.fromLocationId, t.tenantId, t.skuId, t.lot), -qty);
      m.add(stockKey(to, t.tenantId, t.skuId, t.lot), qty);
      if (m.binTotal(to) > CAPACITY) fail(`[R5] ${to} holds ${m.binTotal(to)} > ${CAPACITY} after a move task`);
      return;
    }
    case 'cancelMoveTask': {
      const t = at(sorted([...s.moveTasks.values()].filter((x) => x.status === 'open' || x.status === 'assigned'), (x) => x.id), op.pick);
      if (t === undefined) return;
      const out = runCommand(r, { type: 'cancelMoveTask', taskId: t.id, reason: 'model' });
      if (!out.ok) fail(`[R60] cancelling ${t.status} move task ${t.id} refused: ${out.code}`);
      return;
    }
    case 'pickFace': {
      const k = sku(op.sku);
      const out = runCommand(r, { type: 'setPickFace', locationId: bin(op.loc), tenantId: k.tenantId, skuId: k.id, min: op.min, max: Math.min(CAPACITY, op.min + op.span) });
      if (out.ok) m.faces.set(bin(op.loc), `${k.tenantId}|${k.id}`);
      return;
    }
    case 'replenish': {
      // R64: the planner's tasks, submitted as the site pipeline does; each must be accepted as planned.
      for (const c of planReplenishment(s)) {
        const out = runCommand(r, c);
        if (!out.ok) fail(`[R64] planned ${c.taskId} refused: ${out.code}`);
      }
      return;
    }
    case 'transfer': {
      // R71: a transfer takes at most the free units of a layout bin's quant (committed until despatch or cancel).
      const q = at(quantsAt((l) => s.locationsById.has(l as LocationId)), op.pick);
      if (q === undefined) return;
      const free = freeOf(s, q);
      const out = runCommand(r, { type: 'createTransfer', transferId: `TR${++r.transferNo}`, toSiteId: 'elsewhere', lines: [{ tenantId: q.tenantId, skuId: q.skuId, lot: q.lot, qty: op.qty, fromLocationId: q.locationId }] });
      if (out.ok !== op.qty <= free) fail(`[R71] transfer of ${op.qty} with ${free} free was ${out.ok ? 'accepted' : `refused ${out.code}`}`);
      return;
    }
    case 'pickTransfer': {
      const t = at(sorted([...s.transfers.values()].filter((x) => x.status === 'created' && x.lines[0]?.pickScanId === null), (x) => x.id), op.pick);
      const line = t?.lines[0];
      if (t === undefined || line === undefined) return;
      const c: Command = { type: 'pickTransferLine', transferId: t.id, lineNo: 1, sourceScan: line.fromLocationId, scanId: `S${++r.scanNo}` };
      const out = runCommand(r, c);
      if (!out.ok) fail(`[R72] pick of transfer ${t.id} refused: ${out.code}`);
      r.lastIdempotent = c;
      return;
    }
    case 'despatchTransfer': {
      const t = at(sorted([...s.transfers.values()].filter((x) => x.status === 'created'), (x) => x.id), op.pick);
      if (t === undefined) return;
      const picked = t.lines.every((l) => l.pickScanId !== null);
      const out = runCommand(r, { type: 'despatchTransfer', transferId: t.id });
      if (out.ok !== picked) fail(`[R73] despatch of ${picked ? 'picked' : 'unpicked'} transfer ${t.id} was ${out.ok ? 'accepted' : `refused ${out.code}`}`);
      if (!out.ok) return;
      // R73: bin → TRANSIT, every line.
      for (const l of t.lines) {
        m.add(stockKey(l.fromLocationId, l.tenantId, l.skuId, l.lot), -l.qty);
        m.add(stockKey(transitLocationId(SITE.id), l.tenantId, l.skuId, l.lot), l.qty);
      }
      return;
    }
    case 'cancelTransfer': {
      const t = at(sorted([...s.transfers.values()].filter((x) => x.status === 'created'), (x) => x.id), op.pick);
      if (t === undefined) return;
      const out = runCommand(r, { type: 'cancelTransfer', transferId: t.id, reason: 'model' });
      if (!out.ok) fail(`[R72] cancelling transfer ${t.id} refused: ${out.code}`);
      return;
    }
    case 'confirmTransfer': {
      const t = at(sorted([...s.transfers.values()].filter((x) => x.status === 'despatched'), (x) => x.id), op.pick);
      if (t === undefined) return;
      const c: Command = { type: 'confirmTransferReceipt', transferId: t.id, lines: t.lines.map((l) => ({ lineNo: l.lineNo, receivedQty: op.received, damagedQty: 0 })), reason: null };
      const out = runCommand(r, c);
      if (!out.ok) fail(`[R76] confirming despatched transfer ${t.id} refused: ${out.code}`);
      r.lastIdempotent = c;
      // R76: the whole despatch leaves TRANSIT (delivered and short alike).
      for (const l of t.lines) m.add(stockKey(transitLocationId(SITE.id), l.tenantId, l.skuId, l.lot), -l.qty);
      return;
    }
    case 'resend': {
      // A device resends the last idempotent command (scan, receipt, submission, inspection): acknowledged, no effect.
      if (r.lastIdempotent === null) return;
      const out = runCommand(r, r.lastIdempotent);
      if (!out.ok || out.events.length > 0) fail(`[I8] resent ${r.lastIdempotent.type} was ${out.ok ? `applied again (${out.events.map((e) => e.type).join(',')})` : `refused ${out.code}`}`);
      return;
    }
  }
}

/** Free units (on hand − reserved − held) per stock key of a bin, read before a command. */
function freeByKey(s: TwinState, locationId: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const key of s.quantsByLocation.get(locationId as LocationId) ?? []) {
    const q = s.quants.get(key);
    if (q !== undefined) out.set(stockKey(q.locationId, q.tenantId, q.skuId, q.lot), freeOf(s, q));
  }
  return out;
}

/**
 * [R37] When a count closes adjusted, the model moves each key by the variance it expected at submission: found
 * units in full, lost units at most the free ones before the command (on hand − reserved − held, R39); the rest is
 * deferred to the picks holding it.
 */
function applyAdjustment(m: StockModel, countId: string, events: readonly TwinEvent[], freeBefore: Map<string, number>): void {
  if (!events.some((e) => e.type === 'CountAdjusted')) return;
  for (const [key, v] of m.countVariances.get(countId) ?? []) {
    m.add(key, v > 0 ? v : -Math.min(-v, Math.max(0, freeBefore.get(key) ?? 0)));
  }
}

/** After every step: twin on-hand = model, free ≥ 0, invariants and ledger clean. */
function checkAfter(m: StockModel, r: TwinUnderTest): void {
  const real = new Map<string, number>();
  for (const q of r.state.quants.values()) {
    real.set(stockKey(q.locationId, q.tenantId, q.skuId, q.lot), q.onHand);
    if (freeOf(r.state, q) < 0) fail(`[R39] ${q.key}: free ${freeOf(r.state, q)} < 0 (on hand ${q.onHand}, reserved ${q.reserved})`);
  }
  expect(Object.fromEntries(sorted(real, ([k]) => k)), 'on hand per (location, tenant, SKU, lot)').toEqual(Object.fromEntries(sorted(m.onHand, ([k]) => k)));
  const problems = checkTwinInvariants(r.state);
  if (problems.length > 0) fail(`invariants: ${problems.slice(0, 5).join('; ')}`);
  // The ledger replay is O(log): every few steps keeps a run within the CI budget.
  if (r.trace.length % 8 !== 0) return;
  const ledger = ledgerBalances(r.log.map((e) => e.event));
  if (ledger.problems.length > 0) fail(`ledger: ${ledger.problems.slice(0, 5).join('; ')}`);
}

class StepCommand implements fc.Command<StockModel, TwinUnderTest> {
  constructor(readonly op: Op) {}
  check(): boolean {
    return true;
  }
  run(m: StockModel, r: TwinUnderTest): void {
    try {
      step(m, r, this.op);
      checkAfter(m, r);
    } catch (e) {
      // The concrete commands replay the failure without fast-check (the regression tests below are made from them).
      const trace = r.trace.map((c) => JSON.stringify(c)).join('\n  ');
      throw new Error(`${(e as Error).message}\ncommands:\n  ${trace}`, { cause: e });
    }
  }
  toString(): string {
    return JSON.stringify(this.op);
  }
}

/** How often each kind is drawn relative to the others: the main flow often enough to reach returns in 80 steps. */
const WEIGHT: Partial<Record<Op['k'], number>> = { moveTask: 2, requestMoveTask: 2, completeMoveTask: 2, receive: 3, goodsIn: 2, putAway: 2, order: 3, allocate: 3, releaseOrder: 2, requestWork: 3, confirmPick: 3, shortPick: 3, pack: 2, despatch: 2, rma: 2, receiveReturn: 2 };
const commandArbs = OP_ARBS.flatMap((a) => {
  const cmd = a.map((op) => new StepCommand(op), (c) => (c as StepCommand).op);
  const kind = (fc.sample(a, { numRuns: 1, seed: 1 })[0] as Op).k;
  return Array.from({ length: WEIGHT[kind] ?? 1 }, () => cmd);
});

/** Runs the C7 property over `runs` command sequences; returns what the runs did, for the coverage check. */
function runC7(runs: number, seed: number | undefined): { stats: { runs: number; commands: number; accepted: number }; seen: Set<string> } {
  const stats = { runs: 0, commands: 0, accepted: 0 };
  const seen = new Set<string>();
  fc.assert(
    fc.property(fc.commands(commandArbs, { maxCommands: MAX_COMMANDS, size: 'max' }), (cmds) => {
      const real = new TwinUnderTest();
      fc.modelRun(() => ({ model: real.startingModel(), real }), cmds);
      stats.runs++;
      stats.commands += real.trace.length;
      stats.accepted += real.log.length;
      for (const e of real.log) seen.add(e.event.type);
    }),
    { numRuns: runs, ...(seed === undefined ? {} : { seed }) },
  );
  return { stats, seen };
}

/** A seed whose runs reach every flow below; the random-seed runs look for new bugs, this one proves the generator's reach. */
const COVERAGE_SEED = 1;

describe('C7 stock model (fast-check commands over decide + apply)', () => {
  it('[R0][R2-R6][R17-R19][R35-R37][R39-R46][R50-R53][R56-R64][R71-R76] on-hand equals the model, free ≥ 0, invariants hold, refusals change nothing', { timeout: 120_000 }, () => {
    const { stats } = runC7(RUNS, SEED);
    expect(stats.runs).toBeGreaterThanOrEqual(RUNS);
  });

  // Whether a random seed reaches a rare flow is chance (a CI run of 200 once reached no PickShorted), so the reach is
  // asserted on a fixed seed: a generator change that stops reaching a flow fails here every time, not now and then.
  it('the generator reaches every stock flow (fixed seed)', { timeout: 120_000 }, () => {
    const runs = 200;
    const { stats, seen } = runC7(runs, COVERAGE_SEED);
    // A generator that never reaches the flows proves little: most runs must run commands and write events.
    expect(stats.commands).toBeGreaterThan(runs * 10);
    expect(stats.accepted).toBeGreaterThan(runs * 5);
    const flows = ['StockReceived', 'GoodsReceived', 'StockMoved', 'HoldPlaced', 'HoldReleased', 'PickConfirmed', 'PickShorted', 'OrderDespatched', 'AllocationExpired', 'CountAdjusted', 'AsnClosed', 'RmaCreated', 'ReturnReceived', 'ReturnInspected', 'RmaClosed', 'MoveTaskCreated', 'MoveTaskCompleted', 'MoveTaskCancelled', 'PickFaceSet', 'TransferDespatched', 'TransferCancelled', 'TransferReceiptConfirmed'];
    expect(flows.filter((f) => !seen.has(f)), 'flows never reached').toEqual([]);
  });
});

/** Runs concrete commands on a fresh twin of the test site, failing on the first refusal. */
function twinAfter(commands: readonly Command[]): TwinState {
  const state = createTwinState(SITE, T0);
  let now = T0;
  for (const c of commands) {
    const d = decide(state, c, { now });
    if (!d.ok) throw new Error(`${c.type} refused: ${d.error.code}`);
    applyEvents(state, d.events);
    now = epochMs(now + 1000);
  }
  return state;
}

describe('C7 regressions (shrunk counterexamples)', () => {
  // Found by C7 (seed -739113504) while move tasks were landing: allocation subtracted held units but not units
  // committed to open move tasks (R57), so an order reserved units a reslot task already held (free 7 − 5 − 3 = −1).
  // Fixed in allocation.ts `allocationsFor` (held + moving are not free).
  it('[R57][R9] allocation never reserves units committed to an open move task', () => {
    const L1 = LOC[0] as LocationId;
    const state = twinAfter([
      { type: 'receiveStock', tenantId: T1, locationId: L1, skuId: SKU_A, qty: 7 },
      { type: 'createMoveTask', taskId: 'MT1', kind: 'reslot', tenantId: T1, skuId: SKU_A, fromLocationId: L1, qty: 3 },
      { type: 'createOrder', orderId: asOrderId('O1'), tenantId: T1, lines: [{ skuId: SKU_A, qty: 5 }] },
    ]);
    const d = decide(state, { type: 'allocateOrder', orderId: asOrderId('O1') }, { now: epochMs(T0 + 10_000) });
    // Only 4 units are free: all-or-nothing must refuse.
    expect(d.ok ? 'ok' : d.error.code).toBe('OUT_OF_STOCK');
  });

  // Found by C7 and C8 (every seed with a completed move task) while move tasks were landing: `ledgerBalances` had
  // no case for MoveTaskCompleted, so the replayed ledger left the units at the source and a later pick drove the
  // target negative (a false I1/I3 violation in `floortwin check` too). Fixed in invariants.ts `ledgerBalances`.
  it('[R25][R59] the replayed ledger moves a completed move task from its source to its target', () => {
    const L1 = LOC[0] as LocationId;
    const L2 = LOC[1] as LocationId;
    const state = createTwinState(SITE, T0);
    const log: SequencedEvent[] = [];
    let now = T0;
    for (const c of [
      { type: 'receiveStock', tenantId: T1, locationId: L1, skuId: SKU_A, qty: 5 },
      { type: 'signOn', operativeId: asOperativeId('P1'), name: 'P1' },
      { type: 'createMoveTask', taskId: 'MT1', kind: 'reslot', tenantId: T1, skuId: SKU_A, fromLocationId: L1, toLocationId: L2, qty: 5 },
      { type: 'assignMoveTask', taskId: 'MT1', operativeId: asOperativeId('P1') },
      { type: 'completeMoveTask', taskId: 'MT1', operativeId: asOperativeId('P1'), fromScan: L1, toScan: L2, scanId: 'S1' },
    ] satisfies Command[]) {
      const d = decide(state, c, { now });
      if (!d.ok) throw new Error(`${c.type} refused: ${d.error.code}`);
      log.push(...applyEvents(state, d.events));
      now = epochMs(now + 1000);
    }
    const ledger = ledgerBalances(log.map((e) => e.event));
    expect(ledger.balances.get(`${L2}|${T1}|${SKU_A}`)).toBe(5);
    expect(ledger.balances.get(`${L1}|${T1}|${SKU_A}`) ?? 0).toBe(0);
  });

  // Found by C8 (faults-sim seed 96 of 100 × 2,000): a count submission made during the first attempt reaches the
  // twin after another submission of that attempt sent the bin to recount. A network duplicate of it arrived after the
  // recount had started and was accepted as the blind recount. Fixed: `submitCount` names the attempt it counts, and a
  // submission for an attempt already submitted or superseded is refused COUNT_FINISHED (R35).
  it('[R35][R36][I11] a duplicate of a refused count submission is not taken as the recount', () => {
    const L1 = LOC[0] as LocationId;
    const K = asCountId('K1');
    const state = twinAfter([
      { type: 'receiveStock', tenantId: T1, locationId: L1, skuId: SKU_A, qty: 40 },
      { type: 'createCounts', reason: 'manual', counts: [{ countId: K, locationId: L1 }] },
      { type: 'startCount', countId: K, counterId: 'C1' },
      // 20 short of 40: beyond 10 units, so a recount (R36).
      { type: 'submitCount', countId: K, counterId: 'C1', lines: [{ skuId: SKU_A, qty: 20 }], scanId: 'S1' },
    ]);
    const stale: Command = { type: 'submitCount', countId: K, counterId: 'C1', lines: [{ skuId: SKU_A, qty: 39 }], scanId: 'S2', attempt: 1 };
    const first = decide(state, stale, { now: epochMs(T0 + 10_000) });
    expect(first.ok ? 'ok' : first.error.code).toBe('COUNT_FINISHED');
    const started = decide(state, { type: 'startCount', countId: K, counterId: 'C1' }, { now: epochMs(T0 + 11_000) });
    if (!started.ok) throw new Error(started.error.code);
    applyEvents(state, started.events);
    const duplicate = decide(state, stale, { now: epochMs(T0 + 12_000) });
    // The same scan, already answered with a refusal, must not now count as the recount.
    expect(duplicate.ok && duplicate.events.length > 0).toBe(false);
  });
});
