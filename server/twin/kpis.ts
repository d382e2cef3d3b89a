/**
 * KPIs of a site from its committed event stream: orders received / picked / despatched, picks per picker-hour, order
 * lead time and handheld scan accuracy per hour of twin time (the last {@link KPI_BUCKETS} hours), and the carrier
 * cut-off status from the twin's orders. Pure: the caller feeds events and says what time it is.
 */
import {
  CUTOFF_AT_RISK_MS,
  KPI_BUCKET_MS,
  KPI_BUCKETS,
  type CutoffOrderView,
  type CutoffStatusView,
  type KpiHourView,
  type KpiTotalsView,
  type KpiView,
} from '../protocol/kpis.ts';
import type { SequencedEvent } from './events.ts';
import type { EpochMs, OperativeId, OrderId } from './ids.ts';
import type { TwinState } from './state.ts';

/** Start of the hour bucket holding `at`. */
export function hourOf(at: number): number {
  return Math.floor(at / KPI_BUCKET_MS) * KPI_BUCKET_MS;
}

/** Start of the oldest bucket of the window that ends with the hour of `at`. */
function windowStart(at: number): number {
  return hourOf(at) - (KPI_BUCKETS - 1) * KPI_BUCKET_MS;
}

interface Bucket {
  readonly hourStart: number;
  ordersReceived: number;
  ordersPicked: number;
  ordersDespatched: number;
  picks: number;
  /** Signed-on time of operatives who have signed off since, ms (the still signed-on are added by `view`). */
  pickerMs: number;
  /** Created → despatched of each order despatched in the hour, ms. */
  readonly leadTimesMs: number[];
  scansAccepted: number;
  scansRefused: number;
}

const emptyBucket = (hourStart: number): Bucket => ({
  hourStart,
  ordersReceived: 0,
  ordersPicked: 0,
  ordersDespatched: 0,
  picks: 0,
  pickerMs: 0,
  leadTimesMs: [],
  scansAccepted: 0,
  scansRefused: 0,
});

/** Median of ascending `sorted` (mean of the two middle values for an even count); null when empty. */
export function median(sorted: readonly number[]): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Nearest-rank percentile `p` (0 < p ≤ 1) of ascending `sorted`; null when empty. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
  return sorted[rank - 1]!;
}

const ratio = (numerator: number, denominator: number): number | null => (denominator > 0 ? numerator / denominator : null);
const ascending = (a: number, b: number): number => a - b;

/**
 * Accumulates KPIs from committed durable events. Events are counted once: an event whose seq is not above the last
 * one counted is ignored, so a replay of the log may overlap the live stream. Buckets older than the window of the
 * latest event are dropped.
 */
export class KpiAccumulator {
  private readonly buckets = new Map<number, Bucket>();
  /** Twin time each not yet despatched (nor cancelled) order was created. */
  private readonly createdAt = new Map<OrderId, number>();
  /** Since when each signed-on operative has been signed on (clipped to what was observed). */
  private readonly signedOnSince = new Map<OperativeId, number>();
  private seq = 0;
  private since: number | null = null;
  private latestHour = Number.NEGATIVE_INFINITY;

  constructor(readonly siteId: string) {}

  /** Seq of the last event counted (0 before any). */
  get lastSeq(): number {
    return this.seq;
  }

  /** Twin time from which events were counted, or null before the first event or seed. */
  get countingSince(): number | null {
    return this.since;
  }

  /** Open orders whose creation time is known (for lead time). */
  get openOrders(): number {
    return this.createdAt.size;
  }

  /**
   * Starts counting from the twin's current state instead of its log: orders not yet despatched keep their creation
   * time (so lead times stay right) and signed-on operatives count from `at`. Sets the seq to the state's.
   */
  seed(state: TwinState, at: EpochMs): void {
    for (const order of state.orders.values()) {
      if (order.status !== 'despatched' && order.status !== 'cancelled') this.createdAt.set(order.id, order.createdAt);
    }
    for (const id of state.operatives.keys()) this.signedOnSince.set(id, at);
    this.seq = Math.max(this.seq, state.seq);
    this.since ??= at;
    this.latestHour = Math.max(this.latestHour, hourOf(at));
  }

  /** Counts committed events in seq order. */
  addEvents(events: readonly SequencedEvent[]): void {
    for (const sequenced of events) this.addEvent(sequenced);
  }

  /** Counts one committed event (ignored when its seq was counted already). */
  addEvent({ seq, event }: SequencedEvent): void {
    if (seq <= this.seq) return;
    this.seq = seq;
    const at: number = event.at;
    this.since ??= at;
    switch (event.type) {
      case 'OrderCreated':
        this.createdAt.set(event.orderId, at);
        this.count(at, 'ordersReceived');
        break;
      case 'OrderPicked':
        this.count(at, 'ordersPicked');
        break;
      case 'OrderDespatched': {
        const created = this.createdAt.get(event.orderId);
        this.createdAt.delete(event.orderId);
        const b = this.bucket(at);
        if (b === null) break;
        b.ordersDespatched++;
        if (created !== undefined) b.leadTimesMs.push(Math.max(0, at - created));
        break;
      }
      case 'OrderCancelled':
        this.createdAt.delete(event.orderId);
        break;
      case 'PickConfirmed':
      case 'PickShorted':
        this.count(at, 'picks');
        break;
      case 'OperativeSignedOn':
        this.signedOnSince.set(event.operativeId, at);
        break;
      case 'OperativeSignedOff': {
        const since = this.signedOnSince.get(event.operativeId);
        this.signedOnSince.delete(event.operativeId);
        if (since !== undefined) this.addPickerTime(since, at);
        break;
      }
      case 'StockReceived':
      case 'StockMoved':
      case 'OrderAllocated':
      case 'OrderReleased':
      case 'OrderPacked':
      case 'AllocationExpired':
      case 'WaveReleased':
      case 'TasksAssigned':
      case 'TasksUnassigned':
      case 'RoutePlanned':
      case 'SegmentBlocked':
      case 'SegmentUnblocked':
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
      case 'TransferCreated': // transfers between sites (R71–R76) are no KPI yet
      case 'TransferLinePicked':
      case 'TransferCancelled':
      case 'TransferDespatched':
      case 'InboundTransferExpected':
      case 'TransferReceived':
      case 'InboundTransferClosed':
      case 'TransferReceiptConfirmed':
      case 'TransferRefusedByDestination':
      case 'TransferReturned':
        break;
    }
  }

  /**
   * Counts one handheld scan that reached the twin: accepted, or refused as the wrong location or item. Scans are not
   * in the log, so they count from when this accumulator started (a replay does not bring them back).
   */
  recordScan(at: EpochMs, accepted: boolean): void {
    this.count(at, accepted ? 'scansAccepted' : 'scansRefused');
  }

  /** The KPI view at twin time `now`: the {@link KPI_BUCKETS} hours ending with the hour of `now`. */
  view(now: EpochMs, cutoff: CutoffStatusView): KpiView {
    const first = windowStart(now);
    const hours: KpiHourView[] = [];
    const allLeadTimes: number[] = [];
    const sum = { ordersReceived: 0, ordersPicked: 0, ordersDespatched: 0, picks: 0, pickerMs: 0, scansAccepted: 0, scansRefused: 0 };
    for (let i = 0; i < KPI_BUCKETS; i++) {
      const hourStart = first + i * KPI_BUCKET_MS;
      const b = this.buckets.get(hourStart) ?? emptyBucket(hourStart);
      let pickerMs = b.pickerMs;
      const hourEnd = Math.min(hourStart + KPI_BUCKET_MS, now);
      for (const since of this.signedOnSince.values()) pickerMs += Math.max(0, hourEnd - Math.max(since, hourStart));
      const leadTimes = [...b.leadTimesMs].sort(ascending);
      for (const t of leadTimes) allLeadTimes.push(t);
      const pickerHours = pickerMs / KPI_BUCKET_MS;
      hours.push({
        hourStart,
        ordersReceived: b.ordersReceived,
        ordersPicked: b.ordersPicked,
        ordersDespatched: b.ordersDespatched,
        picks: b.picks,
        pickerHours,
        picksPerPickerHour: ratio(b.picks, pickerHours),
        leadTimeMedianMs: median(leadTimes),
        leadTimeP90Ms: percentile(leadTimes, 0.9),
        scansAccepted: b.scansAccepted,
        scansRefused: b.scansRefused,
        accuracy: ratio(b.scansAccepted, b.scansAccepted + b.scansRefused),
      });
      sum.ordersReceived += b.ordersReceived;
      sum.ordersPicked += b.ordersPicked;
      sum.ordersDespatched += b.ordersDespatched;
      sum.picks += b.picks;
      sum.pickerMs += pickerMs;
      sum.scansAccepted += b.scansAccepted;
      sum.scansRefused += b.scansRefused;
    }
    allLeadTimes.sort(ascending);
    const pickerHours = sum.pickerMs / KPI_BUCKET_MS;
    const totals: KpiTotalsView = {
      ordersReceived: sum.ordersReceived,
      ordersPicked: sum.ordersPicked,
      ordersDespatched: sum.ordersDespatched,
      picks: sum.picks,
      pickerHours,
      picksPerPickerHour: ratio(sum.picks, pickerHours),
      leadTimeMedianMs: median(allLeadTimes),
      leadTimeP90Ms: percentile(allLeadTimes, 0.9),
      scansAccepted: sum.scansAccepted,
      scansRefused: sum.scansRefused,
      accuracy: ratio(sum.scansAccepted, sum.scansAccepted + sum.scansRefused),
    };
    return { siteId: this.siteId, at: now, seq: this.seq, countingSince: this.since ?? now, hours, totals, cutoff };
  }

  /** Adds one to a counter of the bucket of `at`. */
  private count(at: number, counter: 'ordersReceived' | 'ordersPicked' | 'picks' | 'scansAccepted' | 'scansRefused'): void {
    const b = this.bucket(at);
    if (b !== null) b[counter]++;
  }

  /** Adds a closed signed-on interval to the buckets it overlaps (within the window of its end). */
  private addPickerTime(from: number, to: number): void {
    let start = Math.max(from, windowStart(to));
    while (start < to) {
      const hourStart = hourOf(start);
      const end = Math.min(to, hourStart + KPI_BUCKET_MS);
      const b = this.bucket(start);
      if (b !== null) b.pickerMs += end - start;
      start = end;
    }
  }

  /** The bucket of `at`, created on first use; null when `at` is older than the window of the latest event. */
  private bucket(at: number): Bucket | null {
    const hourStart = hourOf(at);
    if (hourStart > this.latestHour) {
      this.latestHour = hourStart;
      const oldest = windowStart(at);
      for (const key of this.buckets.keys()) if (key < oldest) this.buckets.delete(key);
    }
    if (hourStart < windowStart(this.latestHour)) return null;
    let b = this.buckets.get(hourStart);
    if (b === undefined) {
      b = emptyBucket(hourStart);
      this.buckets.set(hourStart, b);
    }
    return b;
  }
}

/** How many urgent (at-risk or overdue) orders {@link cutoffStatus} lists. */
const MAX_URGENT = 10;

/**
 * Carrier cut-off status at twin time `now` over the orders with a `dueAt` that are not cancelled: despatched orders
 * whose cut-off lies within the KPI window (on time or late), and every order not yet despatched (late when the
 * cut-off has passed, at risk when it is within {@link CUTOFF_AT_RISK_MS}, otherwise open). O(orders).
 */
export function cutoffStatus(state: TwinState, now: EpochMs): CutoffStatusView {
  const from = windowStart(now);
  let onTime = 0;
  let late = 0;
  let overdue = 0;
  let atRisk = 0;
  let open = 0;
  const urgent: CutoffOrderView[] = [];
  for (const order of state.orders.values()) {
    const dueAt = order.dueAt;
    if (dueAt === null || order.status === 'cancelled') continue;
    if (order.status === 'despatched') {
      if (dueAt < from) continue;
      if ((order.despatchedAt ?? now) <= dueAt) onTime++;
      else late++;
    } else if (dueAt < now) {
      late++;
      overdue++;
      urgent.push({ orderId: order.id, dueAt });
    } else if (dueAt - now <= CUTOFF_AT_RISK_MS) {
      atRisk++;
      urgent.push({ orderId: order.id, dueAt });
    } else {
      open++;
    }
  }
  urgent.sort((a, b) => a.dueAt - b.dueAt || (a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0));
  return { onTime, late, overdue, atRisk, open, urgent: urgent.slice(0, MAX_URGENT) };
}
