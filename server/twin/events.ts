/** Events: facts the twin has decided. Durable events are appended to the log with a per-site seq; volatile ones are not. */
import type { Address } from './commands.ts';
import type { EpochMs, FloorPoint, LocationId, OperativeId, OrderId, SkuId, TaskId, TenantId } from './ids.ts';
import type { CountId, CountReason, HoldId, HoldLine, HoldSource, HoldStatus, OperativeActivity, ReturnDisposition, ReturnGrade, ReturnReason } from './state.ts';
import type { MoveTaskKind } from './state.ts';

/**
 * Virtual locations of the double-entry stock ledger: stock enters from SUPPLIER, picked stock sits in PACKING
 * until despatch moves it to CUSTOMER, and write-offs go to ADJUSTMENT. They never appear in a layout.
 */
export const VIRTUAL_LOCATIONS = {
  supplier: 'V:SUPPLIER',
  packing: 'V:PACKING',
  customer: 'V:CUSTOMER',
  adjustment: 'V:ADJUSTMENT',
  /** Where a site's transfers in come from and its delivered transfers out go (R73–R76). */
  transferIn: 'V:TRANSFER_IN',
  transferOut: 'V:TRANSFER_OUT',
} as const;

interface EventBase {
  /** When the twin decided it, from the injected clock. */
  readonly at: EpochMs;
}

/** Identity of stock within a location: owner, item and lot ('' for none). */
export interface StockKey {
  readonly tenantId: TenantId;
  readonly skuId: SkuId;
  readonly lot: string;
  /** `YYYY-MM-DD`, or null when the lot has no expiry. */
  readonly expiry: string | null;
}

export interface StockReceived extends EventBase, StockKey {
  readonly type: 'StockReceived';
  readonly locationId: LocationId;
  readonly qty: number;
}

export interface StockMoved extends EventBase, StockKey {
  readonly type: 'StockMoved';
  readonly fromLocationId: LocationId;
  readonly toLocationId: LocationId;
  readonly qty: number;
  /** The serials moved, for a serial-tracked SKU (R80); absent otherwise and in older events. */
  readonly serials?: readonly string[];
}

export interface OrderLine {
  /** 1-based line number within the order. */
  readonly lineNo: number;
  readonly skuId: SkuId;
  readonly qty: number;
}

export interface OrderCreated extends EventBase {
  readonly type: 'OrderCreated';
  readonly orderId: OrderId;
  readonly tenantId: TenantId;
  readonly externalRef: string | null;
  readonly lines: readonly OrderLine[];
  readonly priority: number;
  /** Absent in events written before channels existed: 'api'. */
  readonly channel?: string;
  readonly shipTo?: Address | null;
  readonly service?: string | null;
  readonly dueAt?: EpochMs | null;
}

/** Reserved stock handed back: one quant's reservation falls by `qty`. */
export interface ReservationRelease extends StockKey {
  readonly locationId: LocationId;
  readonly qty: number;
}

/** Change of one order line's counters (negative to take back). */
export interface LineChange {
  readonly lineNo: number;
  readonly dAllocated: number;
  readonly dBackordered: number;
  readonly dCancelled: number;
}

/** The order is cancelled: reservations and open tasks released, lines closed as cancelled (R29). */
export interface OrderCancelled extends EventBase {
  readonly type: 'OrderCancelled';
  readonly orderId: OrderId;
  readonly reason: string;
  readonly releases: readonly ReservationRelease[];
  readonly cancelledTaskIds: readonly TaskId[];
  readonly lineChanges: readonly LineChange[];
}

/** An allocated order was not released within its hold: reservations released, the order open again (R30). */
export interface AllocationExpired extends EventBase {
  readonly type: 'AllocationExpired';
  readonly orderId: OrderId;
  readonly releases: readonly ReservationRelease[];
  readonly lineChanges: readonly LineChange[];
}

/** Orders released together; `batches` groups small orders picked in one trip (R31). */
export interface WaveReleased extends EventBase {
  readonly type: 'WaveReleased';
  readonly waveId: string;
  readonly orderIds: readonly OrderId[];
  readonly batches: readonly { readonly batchId: string; readonly orderIds: readonly OrderId[] }[];
}

/** A bin needs counting (a short pick found less than the twin expected). */
export interface CountRequested extends EventBase {
  readonly type: 'CountRequested';
  readonly locationId: LocationId;
  readonly reason: string;
  readonly taskId: TaskId | null;
}

/** Units of one (tenant, sku, lot) in a bin, as the twin held them or as a counter found them. */
export interface CountLine extends StockKey {
  readonly qty: number;
  /** The serials counted, for a serial-tracked SKU (R80); absent otherwise, in `expected` and in older events. */
  readonly serials?: readonly string[];
}

/** A count task was created for a bin (R33). */
export interface CountCreated extends EventBase {
  readonly type: 'CountCreated';
  readonly countId: CountId;
  readonly locationId: LocationId;
  readonly reason: CountReason;
}

/** A blind count started: `expected` is the bin at `expectedAtSeq` (never shown to the counter, R34). */
export interface CountStarted extends EventBase {
  readonly type: 'CountStarted';
  readonly countId: CountId;
  readonly locationId: LocationId;
  readonly counterId: string;
  /** 1 for the first count, 2 for the recount. */
  readonly attempt: number;
  readonly expectedAtSeq: number;
  readonly expected: readonly CountLine[];
}

/** Reconciliation of one (tenant, sku, lot): variance = counted − (expected at start + moved since) (R35). */
export interface CountVariance extends StockKey {
  readonly expected: number;
  readonly moved: number;
  readonly counted: number;
  readonly variance: number;
  /** Serial-tracked SKU (R80): serials in stock here at submission that were not counted, and counted ones that were not. */
  readonly missingSerials?: readonly string[];
  readonly foundSerials?: readonly string[];
}

/** A counter submitted what they found; `outcome` says what follows (R35, R36). */
export interface CountSubmitted extends EventBase {
  readonly type: 'CountSubmitted';
  readonly countId: CountId;
  readonly locationId: LocationId;
  readonly counterId: string;
  readonly attempt: number;
  readonly counted: readonly CountLine[];
  readonly variances: readonly CountVariance[];
  readonly outcome: 'adjust' | 'recount' | 'approval';
  readonly scanId?: string | null;
}

/** One ledger adjustment of a count (R37): `qty` applied (signed), `deferred` left to the open picks. */
export interface CountAdjustment extends StockKey {
  readonly variance: number;
  readonly qty: number;
  readonly deferred: number;
}

/** What a count did to the serials of one serial-tracked (tenant, SKU, lot) in the bin (R80). */
export interface CountSerialChange extends StockKey {
  /** Missing at submission and still in stock here at close: `written-off`. */
  readonly writtenOff: readonly string[];
  /** Counted here and in stock nowhere at close: in stock here. */
  readonly found: readonly string[];
}

/**
 * A count closed: each non-zero `qty` is a ledger move ADJUSTMENT → bin (found) or bin → ADJUSTMENT (lost) with
 * `reasonCode`; the bin's count request is cleared (R36, R37).
 */
export interface CountAdjusted extends EventBase {
  readonly type: 'CountAdjusted';
  readonly countId: CountId;
  readonly locationId: LocationId;
  /** Null when the variance was within tolerance and adjusted without approval. */
  readonly approverId: string | null;
  readonly reasonCode: string;
  readonly adjustments: readonly CountAdjustment[];
  /** Serial-tracked SKUs counted by serial (R80); absent in older events and when none changed. */
  readonly serials?: readonly CountSerialChange[];
}

/** A supervisor rejected a count: nothing is adjusted and the bin is requested for a new count (R37). */
export interface CountRejected extends EventBase {
  readonly type: 'CountRejected';
  readonly countId: CountId;
  readonly locationId: LocationId;
  readonly approverId: string;
  readonly reason: string;
}

/** Units of quants set aside with a status (R39): they leave availability until released. */
export interface HoldPlaced extends EventBase {
  readonly type: 'HoldPlaced';
  readonly holdId: HoldId;
  readonly status: HoldStatus;
  readonly reason: string;
  readonly source: HoldSource;
  readonly lines: readonly HoldLine[];
}

/** A hold is lifted: its units are available again (R40). */
export interface HoldReleased extends EventBase {
  readonly type: 'HoldReleased';
  readonly holdId: HoldId;
  readonly reason: string;
  readonly lines: readonly HoldLine[];
}

/** An advance shipping notice of one client (R42). */
export interface AsnCreated extends EventBase {
  readonly type: 'AsnCreated';
  readonly asnRef: string;
  readonly tenantId: TenantId;
  readonly lines: readonly { readonly lineNo: number; readonly skuId: SkuId; readonly qty: number; readonly lot: string | null; readonly expiry: string | null }[];
}

/**
 * Units received at the dock (R43, R44): a ledger move SUPPLIER → the dock location; `holds` set the damaged units
 * and, under a quality rule, the rest aside. `lineNo` null with an ASN: a SKU the ASN did not list; `blind`: no ASN.
 */
export interface GoodsReceived extends EventBase, StockKey {
  readonly type: 'GoodsReceived';
  readonly receiptId: string;
  readonly asnRef: string | null;
  readonly lineNo: number | null;
  readonly locationId: LocationId;
  readonly qty: number;
  readonly damagedQty: number;
  /** Units beyond what the ASN line still expected. */
  readonly overQty: number;
  readonly reason: string | null;
  readonly blind: boolean;
  readonly holds: readonly { readonly holdId: HoldId; readonly status: HoldStatus; readonly qty: number }[];
  /** Serials of the units, for a serial-tracked SKU (R77); absent otherwise and in older events. */
  readonly serials?: readonly string[];
}

/** One line of an ASN's discrepancy report (R46): short = expected − received when positive, over the reverse. */
export interface AsnReportLine {
  readonly lineNo: number | null;
  readonly skuId: SkuId;
  readonly lot: string | null;
  readonly expectedQty: number;
  readonly receivedQty: number;
  readonly damagedQty: number;
  readonly overQty: number;
  readonly shortQty: number;
  readonly reasons: readonly string[];
}

/** The ASN is closed: no more receipts against it; `report` is what the client is told (R46). */
export interface AsnClosed extends EventBase {
  readonly type: 'AsnClosed';
  readonly asnRef: string;
  readonly tenantId: TenantId;
  readonly reason: string | null;
  readonly report: readonly AsnReportLine[];
}

/** A quality-hold-on-receipt rule for a client (skuId null) or one SKU (R45). */
export interface QcRuleSet extends EventBase {
  readonly type: 'QcRuleSet';
  readonly tenantId: TenantId;
  readonly skuId: SkuId | null;
  readonly hold: boolean;
}

/** An RMA was authorised (R50). */
export interface RmaCreated extends EventBase {
  readonly type: 'RmaCreated';
  readonly rmaId: string;
  readonly tenantId: TenantId;
  readonly orderId: OrderId;
  readonly lines: readonly { readonly lineNo: number; readonly skuId: SkuId; readonly qty: number; readonly reason: ReturnReason }[];
}

/**
 * Returned units arrived at the returns desk (R51): the ledger move CUSTOMER → `RETURNS:<site>`. The same decision
 * places the `qc` hold `holdId` on them until inspection.
 */
export interface ReturnReceived extends EventBase, StockKey {
  readonly type: 'ReturnReceived';
  readonly rmaId: string;
  readonly receiptId: string;
  readonly lineNo: number;
  readonly locationId: LocationId;
  readonly qty: number;
  readonly holdId: HoldId;
  /** The returned unit's serial, for a serial-tracked SKU (R79). */
  readonly serial?: string;
}

/**
 * Units of an RMA line inspected (R52, R53). The hold changes travel as HoldReleased/HoldPlaced in the same decision;
 * `disposed` (dispose only) are written off from the returns location to ADJUSTMENT with reason RETURN_DISPOSED.
 */
export interface ReturnInspected extends EventBase {
  readonly type: 'ReturnInspected';
  readonly rmaId: string;
  readonly inspectionId: string;
  readonly tenantId: TenantId;
  readonly lineNo: number;
  readonly skuId: SkuId;
  readonly grade: ReturnGrade;
  readonly disposition: ReturnDisposition;
  readonly qty: number;
  readonly note: string | null;
  readonly locationId: LocationId;
  readonly disposed: readonly { readonly lot: string; readonly expiry: string | null; readonly qty: number }[];
  /** The inspected units' serials, for a serial-tracked SKU (R80): `disposed` on dispose, otherwise still in stock. */
  readonly serials?: readonly string[];
}

/** An RMA was closed (R54). */
export interface RmaClosed extends EventBase {
  readonly type: 'RmaClosed';
  readonly rmaId: string;
  readonly reason: string | null;
}

/** A move task was created (R56, R57): `qty` units of the quant at `fromLocationId` are committed to it. */
export interface MoveTaskCreated extends EventBase, StockKey {
  readonly type: 'MoveTaskCreated';
  readonly taskId: string;
  readonly kind: MoveTaskKind;
  readonly fromLocationId: LocationId;
  /** The suggested target, or null. */
  readonly toLocationId: LocationId | null;
  readonly qty: number;
  readonly priority: number;
  readonly reason: string | null;
}

/** An open move task was given to an operative (R58). */
export interface MoveTaskAssigned extends EventBase {
  readonly type: 'MoveTaskAssigned';
  readonly taskId: string;
  readonly operativeId: OperativeId;
}

/**
 * A move task was done (R59): the ledger move `fromLocationId` → `toLocationId` of `qty` units, exactly like
 * StockMoved; the task's whole commitment is released (a short move's missing units are simply no longer committed).
 */
export interface MoveTaskCompleted extends EventBase, StockKey {
  readonly type: 'MoveTaskCompleted';
  readonly taskId: string;
  readonly operativeId: OperativeId;
  readonly fromLocationId: LocationId;
  readonly toLocationId: LocationId;
  /** Units moved (0 … the task's qty). */
  readonly qty: number;
  /** The task's qty less the units moved. */
  readonly shortQty: number;
  /** True when the target differs from the suggestion. */
  readonly overridden: boolean;
  readonly overrideReason: string | null;
  readonly scanId: string;
  /** The serials moved, for a serial-tracked SKU (R80); absent otherwise and in older events. */
  readonly serials?: readonly string[];
}

/** A move task was cancelled; its committed units are free again (R60). */
export interface MoveTaskCancelled extends EventBase {
  readonly type: 'MoveTaskCancelled';
  readonly taskId: string;
  readonly reason: string;
}

/** A bin became (or stays, with new levels) the pick face of a SKU (R62). */
export interface PickFaceSet extends EventBase {
  readonly type: 'PickFaceSet';
  readonly locationId: LocationId;
  readonly tenantId: TenantId;
  readonly skuId: SkuId;
  readonly min: number;
  readonly max: number;
}

/** A bin is no longer a pick face (R62). */
export interface PickFaceCleared extends EventBase {
  readonly type: 'PickFaceCleared';
  readonly locationId: LocationId;
}

/** The carrier's label for a packed order (R32). */
export interface ShipmentLabelled extends EventBase {
  readonly type: 'ShipmentLabelled';
  readonly orderId: OrderId;
  readonly carrier: string;
  readonly service: string;
  readonly trackingNumber: string;
}

/** A reservation of stock in one location for one order line. */
export interface Allocation extends StockKey {
  readonly lineNo: number;
  readonly locationId: LocationId;
  readonly qty: number;
}

export interface OrderAllocated extends EventBase {
  readonly type: 'OrderAllocated';
  readonly orderId: OrderId;
  readonly allocations: readonly Allocation[];
  /**
   * Per line, the change of the backordered quantity: positive when short units wait for stock, negative when a
   * refill allocates backordered units.
   */
  readonly backordered: readonly { readonly lineNo: number; readonly qty: number }[];
  /** Hold deadline of an allocated order's reservation (R30); null or absent for none. */
  readonly holdUntil?: EpochMs | null;
}

export interface PickTaskSpec extends StockKey {
  readonly taskId: TaskId;
  readonly orderId: OrderId;
  readonly lineNo: number;
  readonly locationId: LocationId;
  readonly qty: number;
  readonly waveId?: string | null;
  readonly batchId?: string | null;
}

export interface OrderReleased extends EventBase {
  readonly type: 'OrderReleased';
  readonly orderId: OrderId;
  readonly tasks: readonly PickTaskSpec[];
}

export interface OperativeSignedOn extends EventBase {
  readonly type: 'OperativeSignedOn';
  readonly operativeId: OperativeId;
  readonly name: string;
  /** Zones they may work in, empty = all (R67); absent in events written before zones. */
  readonly zones?: readonly string[];
  /** Skills they hold (R67); absent in events written before skills. */
  readonly skills?: readonly string[];
}

export interface OperativeSignedOff extends EventBase {
  readonly type: 'OperativeSignedOff';
  readonly operativeId: OperativeId;
  /** Tasks that were assigned and not done; they go back to the released pool. */
  readonly unassignedTaskIds: readonly TaskId[];
}

export interface TasksAssigned extends EventBase {
  readonly type: 'TasksAssigned';
  readonly operativeId: OperativeId;
  readonly taskIds: readonly TaskId[];
  /** True when pushed by `assignWork` (R68); absent or false when the operative asked (`requestWork`). */
  readonly pushed?: boolean;
}

/** Tasks taken back from an operative (R69): released again, their orders back in the release queue. */
export interface TasksUnassigned extends EventBase {
  readonly type: 'TasksUnassigned';
  readonly operativeId: OperativeId;
  readonly taskIds: readonly TaskId[];
  readonly reason: string;
}

export interface PickConfirmed extends EventBase, StockKey {
  readonly type: 'PickConfirmed';
  readonly taskId: TaskId;
  readonly orderId: OrderId;
  readonly operativeId: OperativeId;
  readonly locationId: LocationId;
  readonly qty: number;
  readonly scanId?: string | null;
  readonly deviceId?: string | null;
  /** Serials picked, for a serial-tracked SKU (R78). */
  readonly serials?: readonly string[];
}

export interface PickShorted extends EventBase, StockKey {
  readonly type: 'PickShorted';
  readonly taskId: TaskId;
  readonly orderId: OrderId;
  readonly operativeId: OperativeId;
  readonly locationId: LocationId;
  /** Units found and picked (moved to PACKING). */
  readonly pickedQty: number;
  /** Units not found: the reservation is released and these are written off to ADJUSTMENT. */
  readonly shortQty: number;
  readonly scanId?: string | null;
  readonly deviceId?: string | null;
  /** Serials of the units found, for a serial-tracked SKU (R78). */
  readonly serials?: readonly string[];
}

/** A route was planned for an operative: their open tasks in visit order (R27). */
export interface RoutePlanned extends EventBase {
  readonly type: 'RoutePlanned';
  readonly operativeId: OperativeId;
  readonly taskIds: readonly TaskId[];
  readonly distanceM: number;
  readonly method: string;
}

/** Every task of the order is done (picked or shorted). */
export interface OrderPicked extends EventBase {
  readonly type: 'OrderPicked';
  readonly orderId: OrderId;
}

export interface OrderPacked extends EventBase {
  readonly type: 'OrderPacked';
  readonly orderId: OrderId;
  /** The parcel's SSCC-18 and its serial reference (absent in events written before packing recorded them). */
  readonly sscc?: string | null;
  readonly ssccSerial?: number | null;
  readonly cartonCode?: string | null;
  readonly weightG?: number | null;
}

export interface OrderDespatched extends EventBase {
  readonly type: 'OrderDespatched';
  readonly orderId: OrderId;
  readonly carrier: string | null;
  readonly trackingNumber: string | null;
  /** Backordered units still waiting at despatch are closed as cancelled (shipped short). */
  readonly closedBackorders?: readonly { readonly lineNo: number; readonly qty: number }[];
}

/** A walk-graph edge was closed (R28); `a < b` always. */
export interface SegmentBlocked extends EventBase {
  readonly type: 'SegmentBlocked';
  readonly a: number;
  readonly b: number;
  readonly reason: string;
}

/** A blocked walk-graph edge was reopened (R28); `a < b` always. */
export interface SegmentUnblocked extends EventBase {
  readonly type: 'SegmentUnblocked';
  readonly a: number;
  readonly b: number;
}

/** Volatile: an operative's latest position. Applied and streamed, never appended to the log. */
export interface OperativeMoved extends EventBase {
  readonly type: 'OperativeMoved';
  readonly operativeId: OperativeId;
  readonly position: FloorPoint;
  readonly activity: OperativeActivity;
}

/** A line of a transfer between sites (R71). */
export interface TransferLine extends StockKey {
  readonly lineNo: number;
  readonly qty: number;
  readonly fromLocationId: LocationId;
}

/** A transfer order from this site to another (R71); its units are committed at their bins until despatch. */
export interface TransferCreated extends EventBase {
  readonly type: 'TransferCreated';
  readonly transferId: string;
  readonly toSiteId: string;
  readonly lines: readonly TransferLine[];
}

/** A transfer line picked with its source scan (R72), with the serials scanned (R78). */
export interface TransferLinePicked extends EventBase {
  readonly type: 'TransferLinePicked';
  readonly transferId: string;
  readonly lineNo: number;
  readonly scanId: string;
  readonly serials: readonly string[];
}

/** A transfer cancelled before despatch (R72): its commitments end. */
export interface TransferCancelled extends EventBase {
  readonly type: 'TransferCancelled';
  readonly transferId: string;
  readonly reason: string;
}

/** Ledger moves bin → `TRANSIT:<site>` for every line (R73): the units leave the site's available stock. */
export interface TransferDespatched extends EventBase {
  readonly type: 'TransferDespatched';
  readonly transferId: string;
  readonly toSiteId: string;
  readonly transitLocationId: LocationId;
  readonly lines: readonly TransferLine[];
}

/** The destination refused a step of a despatched transfer (R76a): the transfer shows it until returned. */
export interface TransferRefusedByDestination extends EventBase {
  readonly type: 'TransferRefusedByDestination';
  readonly transferId: string;
  readonly siteId: string;
  readonly code: string;
  readonly message: string;
}

/** One line a refused transfer brings back (R76a), with the serials it was despatched with. */
export interface ReturnedLine extends StockKey {
  readonly lineNo: number;
  readonly qty: number;
  readonly serials: readonly string[];
}

/** Ledger moves `TRANSIT:<site>` → `locationId` for every line of a refused transfer (R76a): the units are back in stock. */
export interface TransferReturned extends EventBase {
  readonly type: 'TransferReturned';
  readonly transferId: string;
  readonly transitLocationId: LocationId;
  readonly locationId: LocationId;
  readonly reason: string;
  readonly lines: readonly ReturnedLine[];
}

/** One line of an inbound transfer as the receiving site expects it (R74). */
export interface InboundLine extends StockKey {
  readonly lineNo: number;
  readonly qty: number;
  readonly serials: readonly string[];
}

/** The receiving site's expectation of a despatched transfer (R74). */
export interface InboundTransferExpected extends EventBase {
  readonly type: 'InboundTransferExpected';
  readonly transferId: string;
  readonly fromSiteId: string;
  readonly lines: readonly InboundLine[];
}

/** Units of an inbound transfer line received on the dock (R75): the ledger move TRANSFER_IN → `DOCK:<site>`. */
export interface TransferReceived extends EventBase, StockKey {
  readonly type: 'TransferReceived';
  readonly transferId: string;
  readonly receiptId: string;
  readonly lineNo: number;
  readonly locationId: LocationId;
  readonly qty: number;
  readonly damagedQty: number;
  /** Units beyond what the line still expected. */
  readonly overQty: number;
  readonly reason: string | null;
  readonly holds: readonly { readonly holdId: HoldId; readonly status: HoldStatus; readonly qty: number }[];
  readonly serials: readonly string[];
}

/** One line of an inbound transfer's report (R75). */
export interface TransferReportLine {
  readonly lineNo: number;
  readonly expectedQty: number;
  readonly receivedQty: number;
  readonly damagedQty: number;
}

/** An inbound transfer closed with what arrived against what was sent (R75). */
export interface InboundTransferClosed extends EventBase {
  readonly type: 'InboundTransferClosed';
  readonly transferId: string;
  readonly fromSiteId: string;
  readonly reason: string | null;
  readonly report: readonly TransferReportLine[];
}

/** One line of a receipt confirmation at the source site (R76). */
export interface ConfirmedLine extends StockKey {
  readonly lineNo: number;
  /** Units despatched that arrived: TRANSIT → TRANSFER_OUT. */
  readonly deliveredQty: number;
  /** Units despatched that did not arrive: TRANSIT → ADJUSTMENT (reason TRANSFER_SHORT). */
  readonly shortQty: number;
  readonly receivedQty: number;
  readonly damagedQty: number;
}

/**
 * The source site's transit cleared (R76): per line, delivered units `TRANSIT:<site>` → TRANSFER_OUT and units that
 * did not arrive → ADJUSTMENT. Over-deliveries are the receiving site's (from its TRANSFER_IN).
 */
export interface TransferReceiptConfirmed extends EventBase {
  readonly type: 'TransferReceiptConfirmed';
  readonly transferId: string;
  readonly transitLocationId: LocationId;
  readonly reason: string | null;
  readonly lines: readonly ConfirmedLine[];
}

export type DurableEvent =
  | StockReceived
  | StockMoved
  | OrderCreated
  | OrderAllocated
  | OrderReleased
  | OperativeSignedOn
  | OperativeSignedOff
  | TasksAssigned
  | TasksUnassigned
  | PickConfirmed
  | PickShorted
  | RoutePlanned
  | OrderPicked
  | OrderPacked
  | OrderDespatched
  | SegmentBlocked
  | SegmentUnblocked
  | OrderCancelled
  | AllocationExpired
  | WaveReleased
  | CountRequested
  | ShipmentLabelled
  | CountCreated
  | CountStarted
  | CountSubmitted
  | CountAdjusted
  | CountRejected
  | HoldPlaced
  | HoldReleased
  | AsnCreated
  | GoodsReceived
  | AsnClosed
  | QcRuleSet
  | RmaCreated
  | ReturnReceived
  | ReturnInspected
  | RmaClosed
  | MoveTaskCreated
  | MoveTaskAssigned
  | MoveTaskCompleted
  | MoveTaskCancelled
  | PickFaceSet
  | PickFaceCleared
  | TransferCreated
  | TransferLinePicked
  | TransferCancelled
  | TransferDespatched
  | TransferRefusedByDestination
  | TransferReturned
  | InboundTransferExpected
  | TransferReceived
  | InboundTransferClosed
  | TransferReceiptConfirmed;

export type TwinEvent = DurableEvent | OperativeMoved;
export type TwinEventType = TwinEvent['type'];

/** A durable event as stored: numbered by the site's log, 1, 2, 3, … without gaps. */
export interface SequencedEvent {
  readonly seq: number;
  readonly event: DurableEvent;
}

/** True for events that go to the log. */
export function isDurable(event: TwinEvent): event is DurableEvent {
  return event.type !== 'OperativeMoved';
}
