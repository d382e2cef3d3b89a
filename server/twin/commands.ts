/** Commands: requests to change the twin. `decide` turns one into events or a domain error. Quantities are whole units. */
import type { EpochMs, FloorPoint, LocationId, OperativeId, OrderId, SkuId, TaskId, TenantId } from './ids.ts';
import type { CountId, CountReason, HoldId, HoldStatus, OperativeActivity, ReturnDisposition, ReturnGrade, ReturnReason } from './state.ts';
import type { MoveTaskKind } from './state.ts';

export interface ReceiveStock {
  readonly type: 'receiveStock';
  readonly tenantId: TenantId;
  readonly locationId: LocationId;
  readonly skuId: SkuId;
  readonly qty: number;
  /** Lot code; '' when the SKU is not lot-tracked. */
  readonly lot?: string;
  /** Expiry date `YYYY-MM-DD` for lot-tracked stock. */
  readonly expiry?: string;
}

export interface MoveStock {
  readonly type: 'moveStock';
  readonly tenantId: TenantId;
  readonly fromLocationId: LocationId;
  readonly toLocationId: LocationId;
  readonly skuId: SkuId;
  readonly lot?: string;
  readonly qty: number;
  /** One serial per unit moved, each in stock at the source, for a serial-tracked SKU (R80). */
  readonly serials?: readonly string[];
}

export interface OrderLineInput {
  readonly skuId: SkuId;
  readonly qty: number;
}

/** A delivery address as the channel gave it. */
export interface Address {
  readonly name: string;
  readonly company?: string;
  readonly line1: string;
  readonly line2?: string;
  readonly city: string;
  readonly region?: string;
  readonly postcode: string;
  /** ISO 3166-1 alpha-2. */
  readonly country: string;
  readonly phone?: string;
  readonly email?: string;
}

export interface CreateOrder {
  readonly type: 'createOrder';
  readonly orderId: OrderId;
  readonly tenantId: TenantId;
  /** Where the order came from: 'api' (default), 'csv', or a channel connection id. */
  readonly channel?: string;
  /** The channel's own order id; unique per (tenant, channel) (R7). */
  readonly externalRef?: string;
  readonly lines: readonly OrderLineInput[];
  /** Higher is more urgent. */
  readonly priority?: number;
  readonly shipTo?: Address;
  /** Requested shipping service ('standard', 'express', 'next-day', …). */
  readonly service?: string;
  /** Ship by (the carrier cut-off), epoch ms. */
  readonly dueAt?: EpochMs;
}

export interface AllocateOrder {
  readonly type: 'allocateOrder';
  readonly orderId: OrderId;
  /** 'all-or-nothing' allocates nothing unless every line can be fully allocated; 'partial' backorders what is short. */
  readonly policy?: 'all-or-nothing' | 'partial';
  /** The reservation lapses if the order is not released within this many ms (R30). */
  readonly ttlMs?: number;
}

/** Cancels an order before any unit of it is picked; its reservations and open tasks are released (R29). */
export interface CancelOrder {
  readonly type: 'cancelOrder';
  readonly orderId: OrderId;
  readonly reason: string;
}

/** Sweep: allocated orders whose hold has passed go back to open and their stock to available (R30). */
export interface ExpireReservations {
  readonly type: 'expireReservations';
}

/** Releases several allocated orders at once; small orders are grouped into batches picked together (R31). */
export interface ReleaseWave {
  readonly type: 'releaseWave';
  readonly waveId: string;
  readonly orderIds: readonly OrderId[];
  /** Most orders per batch (default 4); 1 disables batching. */
  readonly maxBatchOrders?: number;
  /**
   * The batches, decided by the caller (the batching solver): each a list of the wave's orders, disjoint; a batch of
   * one is dropped. When given, `maxBatchOrders` is not used and unlisted orders are picked alone.
   */
  readonly batches?: readonly (readonly OrderId[])[];
}

export interface ReleaseOrder {
  readonly type: 'releaseOrder';
  readonly orderId: OrderId;
}

export interface SignOn {
  readonly type: 'signOn';
  readonly operativeId: OperativeId;
  readonly name: string;
  /** Zones the operative may work in (R67); absent or empty = every zone. */
  readonly zones?: readonly string[];
  /** Skills the operative holds (R67), e.g. `reach-truck`. */
  readonly skills?: readonly string[];
}

export interface SignOff {
  readonly type: 'signOff';
  readonly operativeId: OperativeId;
}

/**
 * Push assignment (R68): released pick tasks handed to a signed-on operative by the assignment engine, not asked for.
 * `requiredSkill` is the skill the assigner's rules say the work needs; the operative must hold it.
 */
export interface AssignWork {
  readonly type: 'assignWork';
  readonly operativeId: OperativeId;
  readonly taskIds: readonly TaskId[];
  readonly requiredSkill?: string;
}

/**
 * Takes pushed or pulled tasks back from an operative (R69): all their open tasks, or the ones listed; they return to
 * the release queue in their original order. `reason` says why (falls behind, rebalanced, supervisor).
 */
export interface UnassignWork {
  readonly type: 'unassignWork';
  readonly operativeId: OperativeId;
  readonly taskIds?: readonly TaskId[];
  readonly reason: string;
}

/** Volatile: the latest position wins; not appended to the event log. */
export interface UpdatePosition {
  readonly type: 'updatePosition';
  readonly operativeId: OperativeId;
  readonly position: FloorPoint;
  readonly activity?: OperativeActivity;
}

/** An operative asks for work: the twin assigns released pick tasks (whole orders, oldest/highest priority first). */
export interface RequestWork {
  readonly type: 'requestWork';
  readonly operativeId: OperativeId;
  /** Upper bound on tasks assigned in one go. */
  readonly maxTasks: number;
}

export interface ConfirmPick {
  readonly type: 'confirmPick';
  readonly taskId: TaskId;
  readonly operativeId: OperativeId;
  /** What the picker scanned at the location (must equal the task's location id). */
  readonly scannedLocation: string;
  /** What the picker scanned on the item (must equal the SKU's barcode). */
  readonly scannedItem: string;
  readonly qty: number;
  /** Unique per scan on the device: a resend of a scan that was applied is acknowledged, not applied twice (R17). */
  readonly scanId?: string;
  readonly deviceId?: string;
  /** One serial scanned per unit of a serial-tracked SKU (R78). */
  readonly serials?: readonly string[];
}

/** The picker found fewer than the task asks for: `foundQty` (0..task qty) is picked, the rest is written off for a count. */
export interface ShortPick {
  readonly type: 'shortPick';
  readonly taskId: TaskId;
  readonly operativeId: OperativeId;
  readonly foundQty: number;
  readonly scanId?: string;
  readonly deviceId?: string;
  /** One serial per unit found, for a serial-tracked SKU (R78). */
  readonly serials?: readonly string[];
}

/**
 * Records the route an operative is to walk: their open assigned tasks in visit order, as planned by the solver
 * outside the twin. A plan made against an older task set is refused (R27), so the planner re-plans.
 */
export interface SetRoute {
  readonly type: 'setRoute';
  readonly operativeId: OperativeId;
  /** Exactly the operative's open assigned tasks, in the order they are to be visited. */
  readonly taskIds: readonly TaskId[];
  /** Length of the closed walk depot → stops → depot, metres. */
  readonly distanceM: number;
  /** The routing method that produced it (e.g. `best`). */
  readonly method: string;
}

/** A unit scanned at the pack station: an item barcode or a GS1 element string, with how many units it stands for. */
export interface ScannedItem {
  readonly code: string;
  readonly qty: number;
}

export interface PackOrder {
  readonly type: 'packOrder';
  readonly orderId: OrderId;
  readonly cartonCode?: string;
  readonly weightG?: number;
  /** When given, must match the picked units per SKU (R20). */
  readonly scannedItems?: readonly ScannedItem[];
}

/** Records the carrier's label for a packed order (R32). */
export interface LabelShipment {
  readonly type: 'labelShipment';
  readonly orderId: OrderId;
  readonly carrier: string;
  readonly service: string;
  readonly trackingNumber: string;
}

export interface DespatchOrder {
  readonly type: 'despatchOrder';
  readonly orderId: OrderId;
  readonly carrier?: string;
  readonly trackingNumber?: string;
}

/**
 * Closes a walk-graph edge (a spill, congestion) named by its two node ids, either order (R28). Routes avoid it.
 */
export interface BlockSegment {
  readonly type: 'blockSegment';
  readonly a: number;
  readonly b: number;
  /** Why, for the floor and the log (1–200 characters). */
  readonly reason: string;
}

/** Reopens a blocked walk-graph edge (R28). */
export interface UnblockSegment {
  readonly type: 'unblockSegment';
  readonly a: number;
  readonly b: number;
}

/** Creates count tasks for one or more bins, all or none (R33). */
export interface CreateCounts {
  readonly type: 'createCounts';
  readonly reason: CountReason;
  readonly counts: readonly { readonly countId: CountId; readonly locationId: LocationId }[];
}

/** A counter starts a blind count (or the recount) of a bin (R34). */
export interface StartCount {
  readonly type: 'startCount';
  readonly countId: CountId;
  readonly counterId: string;
}

/** What a counter found of one (SKU, lot) in the bin; `expiry` only for a lot the bin does not hold yet. */
export interface CountedLineInput {
  readonly skuId: SkuId;
  readonly lot?: string;
  readonly expiry?: string;
  readonly qty: number;
  /** One serial per unit found, for a serial-tracked SKU (R80). */
  readonly serials?: readonly string[];
}

/** The counter's blind count: every (SKU, lot) found in the bin; anything not listed was not found (R35). */
export interface SubmitCount {
  readonly type: 'submitCount';
  readonly countId: CountId;
  readonly counterId: string;
  readonly lines: readonly CountedLineInput[];
  /** Unique per submission on the device: a resend of an applied one is acknowledged without effect (R35). */
  readonly scanId?: string;
  /**
   * The attempt counted (1 for the first count, 2 for the recount: `attempt` of the started count). A submission for an
   * attempt already submitted or superseded is refused, so a late duplicate never becomes the recount (R35).
   */
  readonly attempt?: number;
}

/** A supervisor approves a count pending approval: its variance is adjusted (R37). */
export interface ApproveCount {
  readonly type: 'approveCount';
  readonly countId: CountId;
  readonly approverId: string;
}

/** A supervisor rejects a count pending approval: nothing is adjusted, the bin is requested again (R37). */
export interface RejectCount {
  readonly type: 'rejectCount';
  readonly countId: CountId;
  readonly approverId: string;
  readonly reason: string;
}

/**
 * Sets units aside with a status (R39): the free units (on hand − reserved − held) of the tenant's quants matching
 * every filter given; `qty` caps the units held (taken in quant-key order).
 */
export interface PlaceHold {
  readonly type: 'placeHold';
  readonly holdId: HoldId;
  readonly tenantId: TenantId;
  readonly status: HoldStatus;
  readonly reason: string;
  readonly locationId?: LocationId;
  readonly skuId?: SkuId;
  readonly lot?: string;
  readonly qty?: number;
}

/** Lifts a hold (R40). */
export interface ReleaseHold {
  readonly type: 'releaseHold';
  readonly holdId: HoldId;
  readonly reason: string;
}

/** Sets the free units of every lot whose expiry is before `asOf` (`YYYY-MM-DD`) aside as `expired` (R41). */
export interface ExpireLots {
  readonly type: 'expireLots';
  readonly asOf: string;
}

export interface AsnLineInput {
  readonly skuId: SkuId;
  readonly qty: number;
  readonly lot?: string;
  readonly expiry?: string;
}

/** An advance shipping notice of one client (R42). */
export interface CreateAsn {
  readonly type: 'createAsn';
  readonly asnRef: string;
  readonly tenantId: TenantId;
  readonly lines: readonly AsnLineInput[];
}

/**
 * Units received at the dock (R43): a GS1-128 `scan` (01 GTIN, 10 lot, 17 expiry, 30/37 count) or `skuId` with
 * `lot`/`expiry`/`qty`; against `asnRef`, or blind with `tenantId`. `damagedQty` of the units go in as damaged.
 */
export interface ReceiveGoods {
  readonly type: 'receiveGoods';
  readonly receiptId: string;
  readonly asnRef?: string;
  readonly tenantId?: TenantId;
  readonly scan?: string;
  readonly skuId?: SkuId;
  readonly lot?: string;
  readonly expiry?: string;
  readonly qty?: number;
  readonly damagedQty?: number;
  /** Required for damaged units and for units beyond the ASN line. */
  readonly reason?: string;
  /** One per unit of a serial-tracked SKU (R77). */
  readonly serials?: readonly string[];
}

/** Closes an ASN and reports what was expected against what arrived (R46); `reason` required when a line is short. */
export interface CloseAsn {
  readonly type: 'closeAsn';
  readonly asnRef: string;
  readonly reason?: string;
}

/** Quality hold on receipt for a client (no skuId) or one SKU (R45). */
export interface SetQcRule {
  readonly type: 'setQcRule';
  readonly tenantId: TenantId;
  readonly skuId?: SkuId;
  readonly hold: boolean;
}

export interface RmaLineInput {
  readonly skuId: SkuId;
  readonly qty: number;
  readonly reason: ReturnReason;
}

/** Authorises a return of units shipped on a despatched order of the client (R50). */
export interface CreateRma {
  readonly type: 'createRma';
  readonly rmaId: string;
  readonly tenantId: TenantId;
  readonly orderId: OrderId;
  readonly lines: readonly RmaLineInput[];
}

/** Units of an open RMA scanned in at the returns desk (R51): the item's barcode or GS1 string names the SKU. */
export interface ReceiveReturn {
  readonly type: 'receiveReturn';
  readonly rmaId: string;
  /** Unique per scan: a resend of an applied one is acknowledged without effect. */
  readonly receiptId: string;
  readonly scan: string;
  readonly qty: number;
  /** Which RMA SKU the scan is for when it names none by itself; must agree with the scan. */
  readonly skuId?: SkuId;
  /** The shipped lot, for a lot-tracked SKU (else taken from a GS1 (10) in the scan). */
  readonly lot?: string;  /** The returned unit's serial, for a serial-tracked SKU (one unit per receipt, R79). */
  readonly serial?: string;
}

/** Grades received units of an RMA line and decides their disposition (R52, R53). */
export interface InspectReturn {
  readonly type: 'inspectReturn';
  readonly rmaId: string;
  readonly inspectionId: string;
  readonly skuId: SkuId;
  readonly qty: number;
  readonly grade: ReturnGrade;
  readonly disposition: ReturnDisposition;
  readonly note?: string;
  /** One serial per unit inspected, each in stock on the returns desk, for a serial-tracked SKU (R80); required to dispose. */
  readonly serials?: readonly string[];
}

/** Closes an RMA once every received unit is inspected (R54). */
export interface CloseRma {
  readonly type: 'closeRma';
  readonly rmaId: string;
  readonly reason?: string;
}

/**
 * Creates a move task (R56, R57): `qty` units of one quant at `fromLocationId` are committed to it until it is done or
 * cancelled. `toLocationId` is the suggested target (optional). The same task id with the same content again decides
 * no events; with other content it is DUPLICATE_TASK.
 */
export interface CreateMoveTask {
  readonly type: 'createMoveTask';
  readonly taskId: string;
  readonly kind: MoveTaskKind;
  readonly tenantId: TenantId;
  readonly skuId: SkuId;
  /** Required for a lot-tracked SKU. */
  readonly lot?: string;
  readonly fromLocationId: LocationId;
  readonly toLocationId?: LocationId;
  readonly qty: number;
  /** Higher first; default 0. */
  readonly priority?: number;
  readonly reason?: string;
}

/** An operative asks for the next move task (R58): the best open one is assigned to them, or none is. */
export interface RequestMoveTask {
  readonly type: 'requestMoveTask';
  readonly operativeId: OperativeId;
  /** Only these kinds; all when absent. */
  readonly kinds?: readonly MoveTaskKind[];
}

/** Pushes an open move task to an operative (R58), e.g. from the assignment engine. */
export interface AssignMoveTask {
  readonly type: 'assignMoveTask';
  readonly taskId: string;
  readonly operativeId: OperativeId;
}

/**
 * The operative scanned the source and then the target (R59). `fromScan`/`toScan` are location ids (labels);
 * `qty` below the task's is a short move; a target other than the suggestion needs `overrideReason`.
 */
export interface CompleteMoveTask {
  readonly type: 'completeMoveTask';
  readonly taskId: string;
  readonly operativeId: OperativeId;
  readonly fromScan: string;
  readonly toScan: string;
  readonly qty?: number;
  readonly overrideReason?: string;
  /** Unique per scan on the device: a resend of the completing scan is acknowledged without effect. */
  readonly scanId: string;
  /** One serial per unit moved, each in stock at the source, for a serial-tracked SKU (R80). */
  readonly serials?: readonly string[];
}

/** Cancels an open or assigned move task; its committed units are free again (R60). */
export interface CancelMoveTask {
  readonly type: 'cancelMoveTask';
  readonly taskId: string;
  readonly reason: string;
}

/** Makes a bin the pick face of a SKU with replenishment levels (R62). */
export interface SetPickFace {
  readonly type: 'setPickFace';
  readonly locationId: LocationId;
  readonly tenantId: TenantId;
  readonly skuId: SkuId;
  readonly min: number;
  readonly max: number;
}

/** The bin is no longer a pick face (R62). */
export interface ClearPickFace {
  readonly type: 'clearPickFace';
  readonly locationId: LocationId;
}

/** One line of a transfer to another site (R71): units of one quant of the source site, taken from `fromLocationId`. */
export interface TransferLineInput {
  readonly tenantId: TenantId;
  readonly skuId: SkuId;
  /** '' or absent for a SKU without lots. */
  readonly lot?: string;
  readonly qty: number;
  readonly fromLocationId: LocationId;
}

/** Creates a transfer order from this site to `toSiteId` and commits its units at their bins (R71). */
export interface CreateTransfer {
  readonly type: 'createTransfer';
  readonly transferId: string;
  readonly toSiteId: string;
  readonly lines: readonly TransferLineInput[];
}

/** Picks one transfer line with a source scan (and one serial per unit of a serial-tracked SKU, R72, R78). */
export interface PickTransferLine {
  readonly type: 'pickTransferLine';
  readonly transferId: string;
  readonly lineNo: number;
  readonly sourceScan: string;
  readonly scanId: string;
  readonly serials?: readonly string[];
}

/** Despatches a fully picked transfer: its units leave the bins into `TRANSIT:<site>` (R73). */
export interface DespatchTransfer {
  readonly type: 'despatchTransfer';
  readonly transferId: string;
}

/** Cancels a transfer not yet despatched; its committed units are free again (R72). */
export interface CancelTransfer {
  readonly type: 'cancelTransfer';
  readonly transferId: string;
  readonly reason: string;
}

/** One despatched line as the receiving site is told of it (R74). */
export interface InboundTransferLine {
  readonly lineNo: number;
  readonly tenantId: TenantId;
  readonly skuId: SkuId;
  readonly lot: string;
  readonly expiry: string | null;
  readonly qty: number;
  readonly serials: readonly string[];
}

/** Tells the receiving site of a despatched transfer (R74); the same transfer again is acknowledged without effect. */
export interface ExpectTransfer {
  readonly type: 'expectTransfer';
  readonly transferId: string;
  readonly fromSiteId: string;
  readonly lines: readonly InboundTransferLine[];
}

/** Units of an inbound transfer line scanned in on the receiving site's dock (R75). */
export interface ReceiveTransfer {
  readonly type: 'receiveTransfer';
  readonly transferId: string;
  readonly receiptId: string;
  readonly lineNo: number;
  readonly qty: number;
  readonly damagedQty?: number;
  /** Required for damaged units and for units beyond the line. */
  readonly reason?: string;
  readonly serials?: readonly string[];
}

/** Closes an inbound transfer with its report (R75); `reason` required when a line is short. */
export interface CloseTransfer {
  readonly type: 'closeTransfer';
  readonly transferId: string;
  readonly reason?: string;
}

/** What the receiving site confirmed of one line (R76). */
export interface TransferReceiptLine {
  readonly lineNo: number;
  readonly receivedQty: number;
  readonly damagedQty: number;
}

/** The source site learns what arrived and clears its transit (R76); a second confirmation is acknowledged without effect. */
export interface ConfirmTransferReceipt {
  readonly type: 'confirmTransferReceipt';
  readonly transferId: string;
  readonly lines: readonly TransferReceiptLine[];
  readonly reason: string | null;
}

/**
 * The source learns that the destination refused a step of a despatched transfer (R76a), e.g. it does not know the
 * SKU: submitted by the transfer relay (server/site/transfers.ts). The same refusal again is acknowledged without effect.
 */
export interface NoteTransferRefused {
  readonly type: 'noteTransferRefused';
  readonly transferId: string;
  /** The site that refused (the transfer's destination). */
  readonly siteId: string;
  readonly code: string;
  readonly message: string;
}

/**
 * Brings the units of a despatched transfer the destination refused back into stock at this site (R76a): the reverse
 * of the despatch, to the site's dock or a named bin; the transfer ends `returned`.
 */
export interface ReturnRefusedTransfer {
  readonly type: 'returnRefusedTransfer';
  readonly transferId: string;
  readonly reason: string;
  /** A bin of this site; default the site's dock. */
  readonly locationId?: LocationId;
}

export type Command =
  | ReceiveStock
  | MoveStock
  | CreateOrder
  | AllocateOrder
  | ReleaseOrder
  | SignOn
  | SignOff
  | AssignWork
  | UnassignWork
  | UpdatePosition
  | RequestWork
  | ConfirmPick
  | ShortPick
  | SetRoute
  | PackOrder
  | LabelShipment
  | DespatchOrder
  | CancelOrder
  | ExpireReservations
  | ReleaseWave
  | BlockSegment
  | UnblockSegment
  | CreateCounts
  | StartCount
  | SubmitCount
  | ApproveCount
  | RejectCount
  | PlaceHold
  | ReleaseHold
  | ExpireLots
  | CreateAsn
  | ReceiveGoods
  | CloseAsn
  | SetQcRule
  | CreateRma
  | ReceiveReturn
  | InspectReturn
  | CloseRma
  | CreateMoveTask
  | RequestMoveTask
  | AssignMoveTask
  | CompleteMoveTask
  | CancelMoveTask
  | SetPickFace
  | ClearPickFace
  | CreateTransfer
  | PickTransferLine
  | DespatchTransfer
  | CancelTransfer
  | ExpectTransfer
  | ReceiveTransfer
  | CloseTransfer
  | ConfirmTransferReceipt
  | NoteTransferRefused
  | ReturnRefusedTransfer;

export type CommandType = Command['type'];
