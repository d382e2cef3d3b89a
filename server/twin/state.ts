/** The twin's in-memory state for one site. `apply` mutates it in place (for speed); only `apply` may change it. */
import type { Address } from './commands.ts';
import type { CountLine, CountVariance, CountAdjustment } from './events.ts';
import type { Brand } from './ids.ts';
import type { EpochMs, FloorPoint, LocationId, OperativeId, OrderId, SkuId, TaskId, TenantId } from './ids.ts';
import type { Location } from './layout/types.ts';
import type { SiteDefinition, Sku } from './site.ts';

/** Stock of one (location, tenant, sku, lot). Available = onHand − reserved. Invariant: 0 ≤ reserved ≤ onHand. */
export interface Quant {
  readonly key: string;
  readonly locationId: LocationId;
  readonly tenantId: TenantId;
  readonly skuId: SkuId;
  readonly lot: string;
  readonly expiry: string | null;
  onHand: number;
  reserved: number;
}

export type OrderStatus =
  | 'open' // created, not (fully) allocated
  | 'allocated' // every line allocated or backordered by policy
  | 'released' // pick tasks exist
  | 'picked' // every task done
  | 'packed'
  | 'despatched'
  | 'cancelled';

export interface OrderLineState {
  readonly lineNo: number;
  readonly skuId: SkuId;
  readonly qty: number;
  allocated: number;
  backordered: number;
  picked: number;
  shorted: number;
  /** Units closed without shipping: the order was cancelled, or shipped short with backorders open (R29, R21). */
  cancelled: number;
}

export interface OrderState {
  readonly id: OrderId;
  readonly tenantId: TenantId;
  readonly externalRef: string | null;
  readonly priority: number;
  readonly createdAt: EpochMs;
  status: OrderStatus;
  readonly lines: OrderLineState[];
  /** Reservations made by allocation, consumed by release. */
  allocations: { lineNo: number; locationId: LocationId; skuId: SkuId; lot: string; expiry: string | null; qty: number }[];
  taskIds: TaskId[];
  despatchedAt: EpochMs | null;
  /** 'api', 'csv', a channel connection id, … (absent in snapshots written before channels: 'api'). */
  channel: string;
  shipTo: Address | null;
  service: string | null;
  dueAt: EpochMs | null;
  /** An allocated order's reservation lapses at this time unless released (R30). */
  holdUntil: EpochMs | null;
  sscc: string | null;
  /** When the parcel was packed (its label's date). */
  packedAt: EpochMs | null;
  cartonCode: string | null;
  weightG: number | null;
  carrier: string | null;
  trackingNumber: string | null;
  cancelReason: string | null;
}

export type TaskStatus = 'released' | 'assigned' | 'picked' | 'shorted' | 'cancelled';

export interface PickTask {
  readonly id: TaskId;
  readonly orderId: OrderId;
  readonly tenantId: TenantId;
  readonly lineNo: number;
  readonly locationId: LocationId;
  readonly skuId: SkuId;
  readonly lot: string;
  readonly expiry: string | null;
  readonly qty: number;
  status: TaskStatus;
  operativeId: OperativeId | null;
  pickedQty: number;
  waveId: string | null;
  /** Small orders released together in a wave are picked as one batch (R31). */
  batchId: string | null;
  /** The scan that completed the task; a resend of it is acknowledged without effect (R17). */
  scanId: string | null;
  /** Assigned by push (`assignWork`, R68) rather than asked for; false while released. */
  pushed: boolean;
}

/** `blocked`: waiting for another operative to clear the aisle segment ahead. */
export type OperativeActivity = 'walking' | 'picking' | 'idle' | 'blocked';

/** The operative's latest planned route (R27). Tasks done since stay listed; the remaining route is the open ones. */
export interface OperativeRoute {
  /** Tasks in visit order, as they were open when the route was planned. */
  readonly taskIds: readonly TaskId[];
  readonly distanceM: number;
  readonly method: string;
  /** Seq of the RoutePlanned event. */
  readonly seq: number;
  readonly at: EpochMs;
}

export interface OperativeState {
  readonly id: OperativeId;
  readonly name: string;
  position: FloorPoint;
  activity: OperativeActivity;
  /** Assigned, not yet done, in assignment order. */
  taskIds: TaskId[];
  /** The latest planned route, or null before the first plan (R27). */
  route: OperativeRoute | null;
  /** Zones they may work in; empty = every zone (R67). */
  zones: readonly string[];
  /** Skills they hold (R67). */
  skills: readonly string[];
  /**
   * Last sign of progress (R70): sign-on, a pick or short by them, or being given work while holding none. The
   * assignment engine calls an operative holding tasks with no progress for too long "behind".
   */
  lastProgressAt: EpochMs;
}

export interface SiteCounters {
  ordersReceived: number;
  ordersPicked: number;
  ordersDespatched: number;
  linesPicked: number;
  unitsPicked: number;
}

/** A closed walk-graph edge (R28), `a < b`. */
export interface BlockedSegment {
  readonly a: number;
  readonly b: number;
  readonly reason: string;
  readonly at: EpochMs;
}

export interface TwinState {
  readonly site: SiteDefinition;
  readonly locationsById: ReadonlyMap<LocationId, Location>;
  readonly skusById: ReadonlyMap<SkuId, Sku>;
  /** Seq of the last durable event applied (0 for a fresh site). */
  seq: number;
  /** Time of the last event applied. */
  now: EpochMs;
  readonly quants: Map<string, Quant>;
  /** Quant keys per location, for fill levels and picking. */
  readonly quantsByLocation: Map<LocationId, Set<string>>;
  /** Quant keys per (tenant, sku), for allocation. Key: `${tenantId}|${skuId}`. */
  readonly quantsBySku: Map<string, Set<string>>;
  readonly orders: Map<OrderId, OrderState>;
  readonly tasks: Map<TaskId, PickTask>;
  /** Orders with released, unassigned tasks, waiting for a picker: highest priority first, then oldest, then order id. */
  readonly releaseQueue: OrderId[];
  readonly operatives: Map<OperativeId, OperativeState>;
  readonly counters: SiteCounters;
  /** Twin times of pick confirmations within the last hour (oldest first), for picks/hour. */
  readonly recentPickTimes: EpochMs[];
  /** Closed walk-graph edges by `segmentKey` (`min-max` of the node ids), R28. */
  readonly blockedEdges: Map<string, BlockedSegment>;
  /** Order per `externalKey(tenant, channel, externalRef)`: one order per channel order (R7). */
  readonly ordersByExternal: Map<string, OrderId>;
  /** Allocated orders with a hold deadline (R30). */
  readonly heldOrders: Map<OrderId, EpochMs>;
  /** Serial reference of the last SSCC issued; SSCCs are never reused (R20). */
  lastSsccSerial: number;
  /** Wave ids used so far (R31). */
  readonly waves: Set<string>;
  /** Bins that need a count, by location (a short pick raises one); a completed count clears it (R36). */
  readonly countRequests: Map<LocationId, CountRequest>;
  /** Cycle-count tasks by id, open and closed (their history drives scheduling, R38). */
  readonly counts: Map<CountId, CountTask>;
  /** The one count not yet closed per location (R33). */
  readonly openCountByLocation: Map<LocationId, CountId>;
  /** Closed counts in the order they closed; a closed count leaves `counts` after `COUNT_RETENTION_MS` (R38). */
  readonly closedCounts: CountId[];
  /** Per bin, what scheduling needs of its closed counts, kept after they leave `counts` (R38). */
  readonly countHistory: Map<LocationId, CountHistory>;
  /** Stock holds by id (R39): units of a quant set aside with a status other than `available`. */
  readonly holds: Map<HoldId, Hold>;
  /** Σ held units per quant key (R39): a quant gives at most onHand − reserved − held. */
  readonly heldByQuant: Map<string, number>;
  /** Advance shipping notices by ref (R42). */
  readonly asns: Map<string, AsnState>;
  /** Receipts a quality hold applies to (R45): `tenant|` for a whole client, `tenant|sku` for one SKU. */
  readonly qcRules: Set<string>;
  /** Ids of receipts applied, so a rescanned receipt is acknowledged without a second effect (R43, I8). */
  readonly receiptIds: Set<string>;
  /** Returns (RMAs) by id, open and closed (R50–R55). */
  readonly rmas: Map<string, RmaState>;
  /** Move tasks by id, open and closed (R56–R66): put-away, replenishment, reslotting, restock. */
  readonly moveTasks: Map<string, MoveTask>;
  /**
   * Units per quant key committed to open (`open`/`assigned`) move tasks at their source (R57): a quant gives at most
   * onHand − reserved − held − moving.
   */
  readonly movingByQuant: Map<string, number>;
  /** Pick faces by bin (R62): the bin a SKU is picked from, refilled from reserve between `min` and `max`. */
  readonly pickFaces: Map<LocationId, PickFace>;
  /** Transfers out of this site by id (R71–R76); absent in states built before transfers (read as empty). */
  readonly transfers: Map<string, TransferState>;
  /** Transfers into this site by id (R74, R75). */
  readonly inboundTransfers: Map<string, InboundTransferState>;
  /** Units per quant key committed to transfers not yet despatched (R71): a quant gives at most what else is free less these. */
  readonly transferringByQuant: Map<string, number>;
  /** Serial-tracked units known to this site, keyed `serialKey(tenant, sku, serial)` (R77–R80). */
  readonly serials: Map<string, SerialState>;
  /**
   * `tenant|sku` keys of serial-tracked SKUs whose log moved units without naming their serials (events written before
   * R80 captured moves, counts and disposals, receipts by `receiveStock`, short picks' missing units). The strict
   * serials = units check (R80) applies only to the other SKUs.
   */
  readonly serialGaps: Set<string>;
}

/** `created` → `despatched` → `received`; `created` → `cancelled` (R71–R76). */
export type TransferStatus = 'created' | 'despatched' | 'received' | 'cancelled' | 'returned';

/** The destination's refusal of a step of a despatched transfer (R76a). */
export interface TransferRefusal {
  readonly siteId: string;
  readonly code: string;
  readonly message: string;
  readonly at: EpochMs;
}

/** One line of a transfer out (R71). */
export interface TransferLineState {
  readonly lineNo: number;
  readonly tenantId: TenantId;
  readonly skuId: SkuId;
  readonly lot: string;
  readonly expiry: string | null;
  readonly qty: number;
  readonly fromLocationId: LocationId;
  /** The pick's scan id once picked (R72), else null. */
  pickScanId: string | null;
  serials: readonly string[];
  /** Set by the receipt confirmation (R76). */
  receivedQty: number | null;
  damagedQty: number | null;
}

/** A transfer order from this site to another (R71). */
export interface TransferState {
  readonly id: string;
  readonly toSiteId: string;
  readonly createdAt: EpochMs;
  status: TransferStatus;
  readonly lines: TransferLineState[];
  despatchedAt: EpochMs | null;
  receivedAt: EpochMs | null;
  cancelReason: string | null;
  /** The receiving site's reason for a short or over delivery (R76). */
  receiptReason: string | null;
  /** The destination's latest refusal (R76a); null when none. */
  refusal: TransferRefusal | null;
  /** When and why a refused transfer came back into stock, and where (R76a). */
  returnedAt: EpochMs | null;
  returnReason: string | null;
  returnLocationId: LocationId | null;
}

/** One line of a transfer into this site and what has been received against it (R74, R75). */
export interface InboundLineState {
  readonly lineNo: number;
  readonly tenantId: TenantId;
  readonly skuId: SkuId;
  readonly lot: string;
  readonly expiry: string | null;
  readonly expectedQty: number;
  readonly serials: readonly string[];
  receivedQty: number;
  damagedQty: number;
  reasons: string[];
}

/** A transfer into this site (R74): `expected` until closed (R75). */
export interface InboundTransferState {
  readonly id: string;
  readonly fromSiteId: string;
  readonly expectedAt: EpochMs;
  status: 'expected' | 'closed';
  readonly lines: InboundLineState[];
  /** Receipt ids applied, so a rescan is acknowledged without a second effect. */
  readonly receiptIds: string[];
  closedAt: EpochMs | null;
  closeReason: string | null;
}

/** Where a serial-tracked unit is (R80): in stock at a location, on its way to a customer or another site, or gone. */
export type SerialStatus = 'in-stock' | 'picked' | 'shipped' | 'in-transit' | 'transferred' | 'written-off' | 'disposed';

export interface SerialState {
  readonly tenantId: TenantId;
  readonly skuId: SkuId;
  readonly serial: string;
  lot: string;
  status: SerialStatus;
  /** The location it was last scanned at (receipt, move, count, pick, return); null once it left the site. */
  locationId: LocationId | null;
  /** The order it was picked for / shipped to ('picked', 'shipped'), else null. */
  orderId: OrderId | null;
  /** The transfer carrying it ('in-transit', 'transferred'), else null. */
  transferId: string | null;
  /** Seq-less history is kept in Postgres (serial_history); the twin keeps the time of the last change. */
  updatedAt: EpochMs;
}

/** Status of stock (R39). Everything not `available` is held and excluded from availability and allocation. */
export type StockStatus = 'available' | 'qc' | 'quarantine' | 'damaged' | 'expired';
export type HoldStatus = Exclude<StockStatus, 'available'>;
export type HoldId = Brand<string, 'HoldId'>;

/** Held units of one quant. */
export interface HoldLine {
  readonly locationId: LocationId;
  readonly tenantId: TenantId;
  readonly skuId: SkuId;
  readonly lot: string;
  readonly expiry: string | null;
  readonly qty: number;
}

/** Why a hold exists: placed by a user, by a receipt (damaged units, quality rule) or by the expiry sweep. */
export type HoldSource = 'manual' | 'receipt' | 'expiry';

export interface Hold {
  readonly id: HoldId;
  readonly status: HoldStatus;
  readonly reason: string;
  readonly source: HoldSource;
  readonly placedAt: EpochMs;
  readonly lines: readonly HoldLine[];
}

/** One expected line of an ASN and what has been received against it (R42, R43). */
export interface AsnLineState {
  readonly lineNo: number;
  readonly skuId: SkuId;
  readonly expectedQty: number;
  readonly lot: string | null;
  readonly expiry: string | null;
  receivedQty: number;
  damagedQty: number;
  /** Reasons given for over and damaged receipts against the line. */
  reasons: string[];
}

export interface AsnState {
  readonly ref: string;
  readonly tenantId: TenantId;
  readonly createdAt: EpochMs;
  status: 'open' | 'closed';
  readonly lines: AsnLineState[];
  /** Units received of SKUs the ASN did not list (over receipts with no line). */
  unexpected: { readonly skuId: SkuId; readonly lot: string; qty: number; damagedQty: number; reasons: string[] }[];
  closedAt: EpochMs | null;
  closeReason: string | null;
}

/** A bin's count history for scheduling (R38). */
export interface CountHistory {
  readonly locationId: LocationId;
  /** When its last count closed adjusted, or null. */
  lastCountedAt: EpochMs | null;
  /** Closed counts that found a variance, and rejected counts. */
  discrepancies: number;
}

/** A cycle-count task id. */
export type CountId = Brand<string, 'CountId'>;
/** Why a count was created (R33). */
export type CountReason = 'scheduled' | 'short-pick' | 'manual';
/**
 * `open` → `counting` → (`recount` → `recounting` →) `pending-approval` | `adjusted`; `pending-approval` →
 * `adjusted` | `rejected` (R34–R37).
 */
export type CountStatus = 'open' | 'counting' | 'recount' | 'recounting' | 'pending-approval' | 'adjusted' | 'rejected';

/** Units of one (tenant, sku, lot) that moved in or out of a bin while it was being counted (signed). */
export interface CountMoved {
  readonly tenantId: TenantId;
  readonly skuId: SkuId;
  readonly lot: string;
  readonly expiry: string | null;
  qty: number;
}

/** One blind count of a bin: what the twin held when it started, what moved since, what was found (R34, R35). */
export interface CountAttempt {
  readonly counterId: string;
  /** Seq of the last event applied when counting started: `expected` is the bin at that seq. */
  readonly expectedAtSeq: number;
  readonly startedAt: EpochMs;
  readonly expected: readonly CountLine[];
  /** Net moves into (+) and out of (−) the bin since the start; kept by `apply` while counting. */
  readonly moved: CountMoved[];
  counted: readonly CountLine[] | null;
  variances: readonly CountVariance[] | null;
  submittedAt: EpochMs | null;
  /** The device's id of the submission, so a resend is recognised (R35). */
  scanId: string | null;
}

export interface CountTask {
  readonly id: CountId;
  readonly locationId: LocationId;
  readonly reason: CountReason;
  readonly createdAt: EpochMs;
  status: CountStatus;
  /** One per blind count: the first and, after a large variance, the recount. */
  readonly attempts: CountAttempt[];
  /** Ledger adjustments made when the count closed (R37). */
  adjustments: readonly CountAdjustment[];
  approverId: string | null;
  rejectReason: string | null;
  closedAt: EpochMs | null;
}

export interface CountRequest {
  readonly locationId: LocationId;
  readonly reason: string;
  readonly taskId: TaskId | null;
  readonly at: EpochMs;
}

/** Why the customer sent it back (R50). */
export type ReturnReason = 'damaged' | 'defective' | 'wrong-item' | 'not-as-described' | 'unwanted' | 'late-delivery' | 'other';
/** Condition found at inspection (R52). */
export type ReturnGrade = 'A' | 'B' | 'C' | 'unsellable';
/** What happens to inspected units (R53). */
export type ReturnDisposition = 'restock' | 'refurbish' | 'quarantine' | 'dispose';

/** One authorised line of an RMA and its progress (R50–R53). */
export interface RmaLineState {
  readonly lineNo: number;
  readonly skuId: SkuId;
  readonly qty: number;
  readonly reason: ReturnReason;
  receivedQty: number;
  inspectedQty: number;
}

/** Units scanned in at the returns desk; `holdId` holds them until inspected (R51). */
export interface RmaReceipt {
  readonly receiptId: string;
  readonly lineNo: number;
  readonly lot: string;
  readonly expiry: string | null;
  readonly qty: number;
  readonly holdId: HoldId;
  readonly at: EpochMs;
  /** The unit's serial, for a serial-tracked SKU (R79); absent otherwise and in older states. */
  readonly serial?: string;
}

export interface RmaInspection {
  readonly inspectionId: string;
  readonly lineNo: number;
  readonly grade: ReturnGrade;
  readonly disposition: ReturnDisposition;
  readonly qty: number;
  readonly note: string | null;
  readonly at: EpochMs;
}

/** A return merchandise authorisation against one despatched order (R50). */
export interface RmaState {
  readonly id: string;
  readonly tenantId: TenantId;
  readonly orderId: OrderId;
  readonly createdAt: EpochMs;
  status: 'open' | 'closed';
  readonly lines: RmaLineState[];
  readonly receipts: RmaReceipt[];
  readonly inspections: RmaInspection[];
  closedAt: EpochMs | null;
  closeReason: string | null;
}

/** What a move task does (R56): dock → bin, reserve → pick face, bin → bin (slotting), returns desk → bin. */
export type MoveTaskKind = 'putaway' | 'replenish' | 'reslot' | 'restock';
/** `open` → `assigned` → `done`; `open`/`assigned` → `cancelled`; sign-off puts `assigned` back to `open` (R56–R60). */
export type MoveTaskStatus = 'open' | 'assigned' | 'done' | 'cancelled';

/** Directed work to move units of one quant between locations, done with two scans: source, then target (R56). */
export interface MoveTask {
  readonly id: string;
  readonly kind: MoveTaskKind;
  readonly tenantId: TenantId;
  readonly skuId: SkuId;
  readonly lot: string;
  readonly expiry: string | null;
  /** Units committed at the source while the task is open (R57). */
  readonly qty: number;
  readonly fromLocationId: LocationId;
  /** The bin the task suggests; null when the operative chooses. */
  readonly suggestedToLocationId: LocationId | null;
  /** The bin the stock actually went to (set on completion). */
  toLocationId: LocationId | null;
  /** Higher first. */
  readonly priority: number;
  status: MoveTaskStatus;
  operativeId: OperativeId | null;
  readonly createdAt: EpochMs;
  doneAt: EpochMs | null;
  /** Set when the target scanned differs from the suggestion (R59). */
  overrideReason: string | null;
  /** Why it exists, e.g. 'min 10, on hand 3', 'wave W-1'. */
  readonly reason: string | null;
  /** Units actually moved on completion (fewer than `qty` for a short move), null until done. */
  movedQty: number | null;
  /** The completing scan, so a resend is acknowledged without effect (R59). */
  scanId: string | null;
  /** Why it was cancelled (R60). */
  cancelReason: string | null;
}

/** A bin a SKU is picked from (R62): replenished from reserve when its level falls below `min`, up to `max`. */
export interface PickFace {
  readonly locationId: LocationId;
  readonly tenantId: TenantId;
  readonly skuId: SkuId;
  /** 0 ≤ min < max ≤ the bin's capacityUnits. */
  readonly min: number;
  readonly max: number;
}
