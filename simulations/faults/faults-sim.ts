/**
 * C8 (../shared/reference/reliability.md §6.1): a seeded, deterministic simulation of the twin core with injected
 * faults — VOPR-lite. Clients send commands through a network that duplicates, delays and reorders deliveries; the
 * server decides, appends to a durable log, applies and acknowledges, and may crash between any two of those steps
 * (restart from the latest snapshot plus the log after it); acknowledgements get lost; the clock jumps ahead, which
 * drives the reservation-TTL and lot-expiry sweeps. Clients resend until they hear back, with the same key.
 *
 * Oracles (rules F1–F8 in ./SPEC.md): a reference twin that never crashes and applies every committed command exactly
 * once must decide identical events at every commit and equal the server after every restart and at the end; each
 * command has at most one effect and a definite refusal has none; on-hand per (location, tenant, SKU, lot) folded from
 * the log equals the quants; the twin's invariants and the double-entry ledger hold; free units are never negative.
 * Pure: no I/O, no clock, no randomness but the seeded `Rng`, so a seed replays exactly (`traceHash`).
 */
import type { Command } from '../../server/twin/commands.ts';
import type { SequencedEvent, TwinEvent } from '../../server/twin/events.ts';
import type { EpochMs, LocationId, OperativeId } from '../../server/twin/ids.ts';
import { asOperativeId, asOrderId, epochMs } from '../../server/twin/ids.ts';
import { checkTwinInvariants, ledgerBalances } from '../../server/twin/invariants.ts';
import { generateSite } from '../../server/twin/layout/generator.ts';
import { asCountId } from '../../server/twin/counting.ts';
import { returnsLocationId } from '../../server/twin/returns.ts';
import type { Rng } from '../../server/twin/rng.ts';
import { createRng, randomInt } from '../../server/twin/rng.ts';
import type { SiteDefinition } from '../../server/twin/site.ts';
import type { HoldStatus, TwinState } from '../../server/twin/state.ts';
import { asHoldId, dockLocationId, freeOf } from '../../server/twin/stock-status.ts';
import { applyEvents, applySequenced, createTwinState, decide, durableOnly, fromSnapshotData, toSnapshotData } from '../../server/twin/twin.ts';
import type { TwinSnapshotData } from '../../server/twin/twin.ts';

/** Probabilities of each fault, per delivery (clock jumps per tick). */
export interface FaultRates {
  /** A send is delivered twice. */
  readonly duplicate: number;
  /** The next delivery is a random pending message instead of the oldest. */
  readonly reorder: number;
  /** The server crashes after deciding, before appending: nothing of the command survives. */
  readonly crashAfterDecide: number;
  /** The server crashes after appending, before applying and acknowledging: the effect survives, the ack does not. */
  readonly crashAfterAppend: number;
  /** The acknowledgement is lost on the way back. */
  readonly lostAck: number;
  /** The clock jumps ahead 1 minute to 12 hours (then the sweeps run). */
  readonly clockJump: number;
}

export const DEFAULT_FAULTS: FaultRates = { duplicate: 0.1, reorder: 0.3, crashAfterDecide: 0.01, crashAfterAppend: 0.01, lostAck: 0.05, clockJump: 0.01 };

export interface FaultSimOptions {
  readonly seed: number;
  /** Ticks of the faulty phase; each delivers at most one message (a drain without faults follows). */
  readonly ops: number;
  readonly faults?: FaultRates;
  /** Snapshot every this many commits (default 50). */
  readonly snapshotEvery?: number;
  /**
   * A broken server that never consults its idempotency table, to show the oracle catches double effects (F8). Off in
   * every real run.
   */
  readonly forgetIdempotency?: boolean;
}

export interface FaultSimStats {
  intents: number;
  deliveries: number;
  commits: number;
  refusals: number;
  duplicates: number;
  reorders: number;
  crashes: number;
  lostAcks: number;
  idempotentReplays: number;
  clockJumps: number;
  resends: number;
}

export interface FaultSimResult {
  readonly seed: number;
  readonly ops: number;
  /** Every broken rule, one line each; empty is a pass. */
  readonly violations: string[];
  /** Hash of everything that happened, in order: the same seed gives the same hash. */
  readonly traceHash: string;
  readonly stats: FaultSimStats;
}

/** The site of every run: 4 aisles × 6 bays × 2 levels, 16 SKUs of 2 clients, a third lot-tracked. */
export function faultSimSite(): { site: SiteDefinition; initialStock: readonly Command[] } {
  return generateSite(
    { id: 'faults', name: 'Faults', aisles: 4, blocks: 1, baysPerBlock: 6, levels: 2, skuCount: 16, tenants: 2, stockFillRatio: 0.6, baseDate: '2026-10-01', maxLocationsPerSku: 3, capacityUnits: 40, lotTrackedShare: 0.35 },
    7,
  );
}

const T0: EpochMs = epochMs(Date.UTC(2026, 10, 27, 6));
const OPERATIVES = ['P1', 'P2', 'P3'].map(asOperativeId);
const HOLD_STATUSES: readonly HoldStatus[] = ['qc', 'quarantine', 'damaged'];
const MAX_IN_FLIGHT = 6;
/** Ticks a client waits for an answer before sending again. */
const RESEND_AFTER = 12;
const SWEEP_EVERY = 200;

/** cyrb53: a fast 53-bit string hash (not cryptographic; enough to tell two traces apart). */
function hashStep(h: readonly [number, number], s: string): [number, number] {
  let h1 = h[0];
  let h2 = h[1];
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return [h1 >>> 0, h2 >>> 0];
}

type Outcome = { readonly ok: true; readonly events: number } | { readonly ok: false; readonly code: string };

/** A command a client wants done, with the key the adapter dedupes it by (null when the core's own id does). */
interface Intent {
  readonly id: number;
  readonly command: Command;
  readonly key: string | null;
  /** Sweeps may legitimately take effect more than once (each run sweeps what has lapsed by then). */
  readonly sweep: boolean;
  lastSentTick: number;
  outcome: Outcome | null;
}

/** One commit: the events a command appended, tagged with its intent (the durable idempotency record). */
interface Commit {
  readonly intentId: number;
  readonly firstSeq: number;
  readonly count: number;
}

/** Structural equality of plain JSON-like data, key order ignored; `path` names the first difference. */
export function firstDifference(a: unknown, b: unknown, path = '$'): string | null {
  if (a === b) return null;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return `${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
  if (Array.isArray(a) !== Array.isArray(b)) return `${path}: array vs object`;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path}: length ${a.length} vs ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (d !== null) return d;
    }
    return null;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  for (const k of Object.keys(x)) {
    const d = firstDifference(x[k], y[k], `${path}.${k}`);
    if (d !== null) return d;
  }
  for (const k of Object.keys(y)) if (!(k in x) && y[k] !== undefined) return `${path}.${k}: missing vs ${JSON.stringify(y[k])}`;
  return null;
}

/** The durable part of a state: positions and activity are volatile (never logged); `now` is the last event's time. */
const durablePart = (state: TwinState): TwinSnapshotData => {
  const data = toSnapshotData(state);
  return { ...data, now: 0, operatives: data.operatives.map((o) => ({ ...o, position: { x: 0, y: 0 }, activity: 'idle' })) };
};

/** The server: live state, the durable log, the durable idempotency table, and the latest snapshot. */
class Server {
  state: TwinState;
  readonly log: SequencedEvent[] = [];
  readonly commits: Commit[] = [];
  readonly idem = new Map<string, Outcome>();
  snapshot: string;

  constructor(private readonly site: SiteDefinition) {
    this.state = createTwinState(site, T0);
    this.snapshot = JSON.stringify(toSnapshotData(this.state));
  }
  /** Crash and restart: the latest snapshot plus the log after it. */
  restart(): void {
    const data = JSON.parse(this.snapshot) as TwinSnapshotData;
    const state = fromSnapshotData(this.site, data);
    for (const e of this.log) if (e.seq > data.seq) applySequenced(state, e);
    this.state = state;
  }
  takeSnapshot(): void {
    this.snapshot = JSON.stringify(toSnapshotData(this.state));
  }
}

/** Runs one seed: the faulty phase for `ops` ticks, then a drain without faults until every intent is answered. */
export function runFaultSim(options: FaultSimOptions): FaultSimResult {
  const faults = options.faults ?? DEFAULT_FAULTS;
  const snapshotEvery = options.snapshotEvery ?? 50;
  const rng = createRng(options.seed);
  const { site, initialStock } = faultSimSite();
  const server = new Server(site);
  const reference = createTwinState(site, T0);
  const violations: string[] = [];
  const violate = (tick: number, msg: string): void => {
    if (violations.length < 50) violations.push(`seed ${options.seed} tick ${tick}: ${msg}`);
  };
  const stats: FaultSimStats = { intents: 0, deliveries: 0, commits: 0, refusals: 0, duplicates: 0, reorders: 0, crashes: 0, lostAcks: 0, idempotentReplays: 0, clockJumps: 0, resends: 0 };
  let hash: [number, number] = [0xdeadbeef ^ options.seed, 0x41c6ce57 ^ options.seed];
  const trace = (s: string): void => {
    hash = hashStep(hash, s);
  };
  let now = T0;
  let tick = 0;
  const intents: Intent[] = [];
  /** Intents not yet answered, and how many copies of each are on the network. */
  const open = new Set<Intent>();
  const inNetwork = new Map<number, number>();
  const network: number[] = []; // intent ids in flight, oldest first
  const workload = new Workload(rng, site);

  /** Decides at the server and commits, as the site runner does; returns the outcome or null when it crashed. */
  const deliver = (intent: Intent, faulty: boolean): Outcome | null => {
    stats.deliveries++;
    if (intent.key !== null && options.forgetIdempotency !== true) {
      const prior = server.idem.get(intent.key);
      if (prior !== undefined) {
        stats.idempotentReplays++;
        return prior;
      }
    }
    const d = decide(server.state, intent.command, { now });
    if (faulty && rng.next() < faults.crashAfterDecide) {
      stats.crashes++;
      trace(`crash-decide ${intent.id}`);
      restartAndCheck();
      return null;
    }
    const outcome: Outcome = d.ok ? { ok: true, events: d.events.length } : { ok: false, code: d.error.code };
    if (d.ok && d.events.length > 0) {
      // The oracle: the same command on the never-crashed reference decides the same events.
      const r = decide(reference, intent.command, { now });
      if (!r.ok || JSON.stringify(r.events) !== JSON.stringify(d.events)) violate(tick, `[F1] ${intent.command.type} (intent ${intent.id}) decided differently on the reference: ${r.ok ? 'other events' : r.error.code}`);
      else applyEvents(reference, r.events);
      const durable = durableOnly(d.events);
      const firstSeq = server.state.seq + 1;
      const sequenced = durable.map((event, i) => ({ seq: firstSeq + i, event }));
      // One transaction: the events, the commit record and the idempotency row.
      server.log.push(...sequenced);
      server.commits.push({ intentId: intent.id, firstSeq, count: sequenced.length });
      if (intent.key !== null) server.idem.set(intent.key, outcome);
      stats.commits++;
      trace(`commit ${intent.id} ${JSON.stringify(d.events)}`);
      if (faulty && rng.next() < faults.crashAfterAppend) {
        stats.crashes++;
        trace(`crash-append ${intent.id}`);
        restartAndCheck();
        return null;
      }
      for (const e of sequenced) applySequenced(server.state, e);
      if (server.commits.length % snapshotEvery === 0) server.takeSnapshot();
    } else {
      if (intent.key !== null) server.idem.set(intent.key, outcome);
      if (!d.ok) stats.refusals++;
      trace(`answer ${intent.id} ${d.ok ? 'ok0' : d.error.code}`);
    }
    return outcome;
  };

  const restartAndCheck = (): void => {
    server.restart();
    // [F2] Restart from the snapshot and the log equals the reference, which never crashed.
    const d = firstDifference(durablePart(server.state), durablePart(reference));
    if (d !== null) violate(tick, `[F2] state after restart differs from the reference: ${d}`);
  };

  const send = (intent: Intent, faulty: boolean): void => {
    intent.lastSentTick = tick;
    const copies = faulty && rng.next() < faults.duplicate ? 2 : 1;
    if (copies === 2) stats.duplicates++;
    for (let c = 0; c < copies; c++) network.push(intent.id);
    inNetwork.set(intent.id, (inNetwork.get(intent.id) ?? 0) + copies);
  };

  const newIntent = (command: Command, key: string | null, sweep = false): Intent => {
    const intent: Intent = { id: intents.length, command, key, sweep, lastSentTick: tick, outcome: null };
    intents.push(intent);
    open.add(intent);
    stats.intents++;
    trace(`intent ${intent.id} ${JSON.stringify(command)}`);
    return intent;
  };

  // Set-up without faults: initial stock, operatives on the floor.
  const setup: Command[] = [...initialStock, ...OPERATIVES.map((operativeId): Command => ({ type: 'signOn', operativeId, name: operativeId }))];
  for (const c of setup) {
    const intent = newIntent(c, `setup-${intents.length}`);
    intent.outcome = deliver(intent, false);
    open.delete(intent);
  }
  server.takeSnapshot();

  const step = (faulty: boolean): void => {
    tick++;
    if (tick % 25 === 0) checkState(server.state, tick, violate);
    now = epochMs(now + randomInt(rng, 200, 2_000));
    if (faulty && rng.next() < faults.clockJump) {
      stats.clockJumps++;
      now = epochMs(now + randomInt(rng, 1, 720) * 60_000);
      trace(`jump ${now}`);
    }
    if (faulty) {
      if (open.size < MAX_IN_FLIGHT) {
        const next = workload.next(server.state);
        if (next !== null) send(newIntent(next.command, next.key), faulty);
      }
      // The sweeps: reservations past their TTL, lots past their expiry (database time = the server's clock).
      if (tick % SWEEP_EVERY === 0 || (stats.clockJumps > 0 && tick % 20 === 0)) {
        send(newIntent({ type: 'expireReservations' }, null, true), faulty);
        send(newIntent({ type: 'expireLots', asOf: new Date(now).toISOString().slice(0, 10) }, null, true), faulty);
      }
    }
    // Clients resend what has gone unanswered for a while (same command, same key).
    for (const i of open) {
      if (tick - i.lastSentTick >= RESEND_AFTER && (inNetwork.get(i.id) ?? 0) === 0) {
        stats.resends++;
        send(i, faulty);
      }
    }
    if (network.length === 0) return;
    let at = 0;
    if (faulty && network.length > 1 && rng.next() < faults.reorder) {
      stats.reorders++;
      at = randomInt(rng, 0, network.length - 1);
    }
    const [id] = network.splice(at, 1);
    const intent = intents[id as number] as Intent;
    inNetwork.set(intent.id, (inNetwork.get(intent.id) ?? 1) - 1);
    trace(`deliver ${intent.id}`);
    const outcome = deliver(intent, faulty);
    if (outcome === null) return;
    if (faulty && rng.next() < faults.lostAck) {
      stats.lostAcks++;
      trace(`lost-ack ${intent.id}`);
      return;
    }
    if (intent.outcome === null) intent.outcome = outcome;
    open.delete(intent);
  };

  for (let i = 0; i < options.ops; i++) step(true);
  // Drain: no new work, no faults; everything in flight gets its answer.
  for (let guard = 0; open.size > 0 && guard < 100_000; guard++) step(false);

  finalChecks(server, reference, intents, tick, violate);
  trace(`end ${server.state.seq}`);
  return { seed: options.seed, ops: options.ops, violations, traceHash: hash.map((h) => h.toString(16).padStart(8, '0')).join(''), stats };
}

/** Cheap checks during the run: invariants, free ≥ 0. */
function checkState(state: TwinState, tick: number, violate: (tick: number, msg: string) => void): void {
  for (const p of checkTwinInvariants(state).slice(0, 3)) violate(tick, `[F5] invariant: ${p}`);
  for (const q of state.quants.values()) if (freeOf(state, q) < 0) violate(tick, `[F5] ${q.key}: free ${freeOf(state, q)} < 0`);
}

/** On-hand per `location|tenant|sku|lot` folded from the log's stock events (I1 at lot level). */
export function onHandFromLog(events: Iterable<TwinEvent>): Map<string, number> {
  const out = new Map<string, number>();
  const add = (loc: string, e: { tenantId: string; skuId: string; lot: string }, qty: number): void => {
    const k = `${loc}|${e.tenantId}|${e.skuId}|${e.lot}`;
    const v = (out.get(k) ?? 0) + qty;
    if (v === 0) out.delete(k);
    else out.set(k, v);
  };
  // Not a switch over every event type: a stock event this fold does not know shows up as an F4 difference.
  for (const e of events) {
    if (e.type === 'StockReceived' || e.type === 'GoodsReceived' || e.type === 'ReturnReceived') add(e.locationId, e, e.qty);
    else if (e.type === 'StockMoved' || e.type === 'MoveTaskCompleted') {
      add(e.fromLocationId, e, -e.qty);
      add(e.toLocationId, e, e.qty);
    } else if (e.type === 'PickConfirmed') add(e.locationId, e, -e.qty);
    else if (e.type === 'PickShorted') add(e.locationId, e, -(e.pickedQty + e.shortQty));
    else if (e.type === 'CountAdjusted') for (const a of e.adjustments) add(e.locationId, a, a.qty);
    else if (e.type === 'ReturnInspected') for (const d of e.disposed) add(e.locationId, { tenantId: e.tenantId, skuId: e.skuId, lot: d.lot }, -d.qty);
  }
  return out;
}

function finalChecks(server: Server, reference: TwinState, intents: readonly Intent[], tick: number, violate: (tick: number, msg: string) => void): void {
  const unanswered = intents.filter((i) => i.outcome === null).length;
  if (unanswered > 0) violate(tick, `[F6] ${unanswered} commands never answered`);
  // [F3] At most one effect per command (sweeps excepted); a definite refusal has none; an acknowledged effect exists.
  const effects = new Map<number, number>();
  for (const c of server.commits) effects.set(c.intentId, (effects.get(c.intentId) ?? 0) + 1);
  for (const i of intents) {
    const n = effects.get(i.id) ?? 0;
    if (!i.sweep && n > 1) violate(tick, `[F3] ${i.command.type} (intent ${i.id}) took effect ${n} times`);
    if (i.outcome !== null && !i.outcome.ok && n > 0) violate(tick, `[F3] ${i.command.type} (intent ${i.id}) answered ${i.outcome.code} but took effect`);
    if (!i.sweep && i.outcome !== null && i.outcome.ok && i.outcome.events > 0 && n !== 1) violate(tick, `[F3] ${i.command.type} (intent ${i.id}) acknowledged with effect, found ${n} in the log`);
  }
  // [F1] The server equals the reference; [F2] a restart from the snapshot and log equals both.
  const live = durablePart(server.state);
  const diff = firstDifference(live, durablePart(reference));
  if (diff !== null) violate(tick, `[F1] server differs from the reference at the end: ${diff}`);
  server.restart();
  const again = firstDifference(durablePart(server.state), live);
  if (again !== null) violate(tick, `[F2] restart at the end differs from the live state: ${again}`);
  // [F4] On-hand folded from the log = the quants; the double-entry ledger balances.
  const events = server.log.map((e) => e.event);
  const folded = onHandFromLog(events);
  const quants = new Map<string, number>();
  for (const q of server.state.quants.values()) quants.set(`${q.locationId}|${q.tenantId}|${q.skuId}|${q.lot}`, q.onHand);
  for (const k of new Set([...folded.keys(), ...quants.keys()])) {
    if ((folded.get(k) ?? 0) !== (quants.get(k) ?? 0)) violate(tick, `[F4] ${k}: log says ${folded.get(k) ?? 0}, quants ${quants.get(k) ?? 0}`);
  }
  for (const p of ledgerBalances(events).problems.slice(0, 5)) violate(tick, `[F4] ledger: ${p}`);
  checkState(server.state, tick, violate);
}

// -------------------------------------------------------------------------------------------------------------------
// The workload: plausible commands drawn from the state the client last saw (sometimes stale by the time they land).

/** Next command and the key the adapter dedupes it by; commands the core dedupes itself (scan and receipt ids) go without. */
class Workload {
  private n = 0;
  constructor(private readonly rng: Rng, private readonly site: SiteDefinition) {}

  private pick<T>(xs: readonly T[]): T | undefined {
    return xs.length === 0 ? undefined : xs[randomInt(this.rng, 0, xs.length - 1)];
  }
  private key(): string {
    return `k${++this.n}`;
  }

  next(s: TwinState): { command: Command; key: string | null } | null {
    const rng = this.rng;
    const id = ++this.n;
    const bins = this.site.layout.locations;
    const anyBin = (): LocationId => (this.pick(bins)?.id ?? bins[0]?.id) as LocationId;
    const quants = [...s.quants.values()];
    const binQuants = quants.filter((q) => s.locationsById.has(q.locationId));
    const dock = dockLocationId(this.site.id);
    const desk = returnsLocationId(this.site.id);
    const orders = (status: string) => [...s.orders.values()].filter((o) => o.status === status);
    const keyed = (command: Command) => ({ command, key: this.key() });
    const own = (command: Command) => ({ command, key: null });
    const r = randomInt(rng, 0, 99);
    if (r < 8) {
      const sku = this.pick(this.site.skus);
      if (sku === undefined) return null;
      const expiry = `2026-12-${String(randomInt(rng, 1, 28)).padStart(2, '0')}`;
      return own({
        type: 'receiveGoods',
        receiptId: `G${id}`,
        tenantId: sku.tenantId,
        skuId: sku.id,
        qty: randomInt(rng, 1, 20),
        ...(sku.lotTracked ? { lot: `F${expiry.slice(8)}`, expiry } : {}),
      });
    }
    if (r < 16) {
      const q = this.pick(quants.filter((x) => x.locationId === dock || x.locationId === desk));
      if (q !== undefined) {
        // Put-away: half as a move task, half as a direct move.
        if (rng.next() < 0.5) {
          return own({ type: 'createMoveTask', taskId: `MT${id}`, kind: q.locationId === dock ? 'putaway' : 'restock', tenantId: q.tenantId, skuId: q.skuId, ...(q.lot === '' ? {} : { lot: q.lot }), fromLocationId: q.locationId, toLocationId: anyBin(), qty: randomInt(rng, 1, q.onHand) });
        }
        return keyed({ type: 'moveStock', tenantId: q.tenantId, skuId: q.skuId, lot: q.lot, fromLocationId: q.locationId, toLocationId: anyBin(), qty: randomInt(rng, 1, q.onHand) });
      }
    }
    if (r < 20) {
      const q = this.pick(binQuants);
      if (q !== undefined) return keyed({ type: 'moveStock', tenantId: q.tenantId, skuId: q.skuId, lot: q.lot, fromLocationId: q.locationId, toLocationId: anyBin(), qty: randomInt(rng, 1, q.onHand + 1) });
    }
    if (r < 24) {
      const op = this.pick(OPERATIVES) as OperativeId;
      const t = this.pick([...s.moveTasks.values()].filter((x) => x.status === 'assigned'));
      if (t !== undefined && t.operativeId !== null) {
        const to = t.suggestedToLocationId ?? anyBin();
        return own({ type: 'completeMoveTask', taskId: t.id, operativeId: t.operativeId, fromScan: t.fromLocationId, toScan: to, scanId: `S${id}` });
      }
      return keyed({ type: 'requestMoveTask', operativeId: op });
    }
    if (r < 36) {
      const tenant = this.pick(this.site.tenants);
      const skus = this.site.skus.filter((x) => x.tenantId === tenant?.id);
      if (tenant === undefined || skus.length === 0) return null;
      const lines = Array.from({ length: randomInt(rng, 1, 3) }, () => ({ skuId: (this.pick(skus) as (typeof skus)[number]).id, qty: randomInt(rng, 1, 6) }));
      return keyed({ type: 'createOrder', orderId: asOrderId(`O${id}`), tenantId: tenant.id, lines });
    }
    if (r < 46) {
      const o = this.pick(orders('open'));
      if (o !== undefined) return keyed({ type: 'allocateOrder', orderId: o.id, policy: rng.next() < 0.5 ? 'partial' : 'all-or-nothing', ...(rng.next() < 0.5 ? { ttlMs: 60_000 } : {}) });
    }
    if (r < 52) {
      const o = this.pick(orders('allocated'));
      if (o !== undefined) return keyed(rng.next() < 0.85 ? { type: 'releaseOrder', orderId: o.id } : { type: 'cancelOrder', orderId: o.id, reason: 'customer' });
    }
    if (r < 70) {
      const t = this.pick([...s.tasks.values()].filter((x) => x.status === 'assigned'));
      if (t !== undefined && t.operativeId !== null) {
        const sku = s.skusById.get(t.skuId);
        if (rng.next() < 0.85) return own({ type: 'confirmPick', taskId: t.id, operativeId: t.operativeId, scannedLocation: t.locationId, scannedItem: sku?.barcode ?? '', qty: t.qty, scanId: `S${id}` });
        return own({ type: 'shortPick', taskId: t.id, operativeId: t.operativeId, foundQty: randomInt(rng, 0, t.qty - 1), scanId: `S${id}` });
      }
      return keyed({ type: 'requestWork', operativeId: this.pick(OPERATIVES) as OperativeId, maxTasks: 4 });
    }
    if (r < 76) {
      const picked = this.pick(orders('picked'));
      if (picked !== undefined) return keyed({ type: 'packOrder', orderId: picked.id });
      const packed = this.pick(orders('packed'));
      if (packed !== undefined) return keyed({ type: 'despatchOrder', orderId: packed.id });
    }
    if (r < 84) {
      // Counting while picks go on (C6): create, start, submit what the twin holds give or take, approve.
      const open = this.pick([...s.counts.values()].filter((c) => c.status === 'open' || c.status === 'recount'));
      if (open !== undefined) return keyed({ type: 'startCount', countId: open.id, counterId: 'K1' });
      const counting = this.pick([...s.counts.values()].filter((c) => c.status === 'counting' || c.status === 'recounting'));
      if (counting !== undefined) {
        const lines = [...(s.quantsByLocation.get(counting.locationId) ?? [])].flatMap((key) => {
          const q = s.quants.get(key);
          return q === undefined ? [] : [{ skuId: q.skuId, qty: Math.max(0, q.onHand + randomInt(rng, -2, 1)), ...(q.lot === '' ? {} : { lot: q.lot }) }];
        });
        // The device names the attempt it counted, as the handheld does: a late duplicate of it never becomes the recount.
        return own({ type: 'submitCount', countId: counting.id, counterId: counting.attempts[counting.attempts.length - 1]?.counterId ?? 'K1', lines, scanId: `S${id}`, attempt: counting.attempts.length });
      }
      const pending = this.pick([...s.counts.values()].filter((c) => c.status === 'pending-approval'));
      if (pending !== undefined) return keyed({ type: 'approveCount', countId: pending.id, approverId: 'SUP' });
      return keyed({ type: 'createCounts', reason: 'manual', counts: [{ countId: asCountId(`C${id}`), locationId: anyBin() }] });
    }
    if (r < 90) {
      const hold = this.pick([...s.holds.values()].filter((h) => h.source === 'manual' || h.source === 'expiry'));
      if (hold !== undefined && rng.next() < 0.5) return keyed({ type: 'releaseHold', holdId: hold.id, reason: 'checked' });
      const q = this.pick(binQuants);
      if (q !== undefined) return keyed({ type: 'placeHold', holdId: asHoldId(`H${id}`), tenantId: q.tenantId, status: this.pick(HOLD_STATUSES) as HoldStatus, reason: 'check', locationId: q.locationId, skuId: q.skuId, qty: randomInt(rng, 1, q.onHand) });
    }
    // Returns against despatched orders: authorise, receive at the desk, inspect.
    const rma = this.pick([...s.rmas.values()].filter((x) => x.status === 'open'));
    const line = rma?.lines[0];
    if (rma !== undefined && line !== undefined) {
      if (line.receivedQty < line.qty && rng.next() < 0.6) {
        const task = [...s.tasks.values()].find((t) => t.orderId === rma.orderId && t.skuId === line.skuId && t.pickedQty > 0);
        return own({ type: 'receiveReturn', rmaId: rma.id, receiptId: `RR${id}`, scan: s.skusById.get(line.skuId)?.barcode ?? '', qty: 1, ...(task !== undefined && task.lot !== '' ? { lot: task.lot } : {}) });
      }
      if (line.receivedQty > line.inspectedQty) {
        const disposition = this.pick(['restock', 'quarantine', 'dispose'] as const) ?? 'restock';
        return own({ type: 'inspectReturn', rmaId: rma.id, inspectionId: `I${id}`, skuId: line.skuId, qty: 1, grade: disposition === 'dispose' ? 'unsellable' : 'A', disposition });
      }
      return keyed({ type: 'closeRma', rmaId: rma.id, reason: 'done' });
    }
    const despatched = this.pick(orders('despatched'));
    const shipped = despatched?.lines.find((l) => l.picked > 0);
    if (despatched !== undefined && shipped !== undefined) {
      return own({ type: 'createRma', rmaId: `RMA${id}`, tenantId: despatched.tenantId, orderId: despatched.id, lines: [{ skuId: shipped.skuId, qty: randomInt(rng, 1, shipped.picked), reason: 'unwanted' }] });
    }
    return null;
  }
}
