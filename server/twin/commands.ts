/** Commands: requests to change the twin. `decide` turns one into events or a domain error. Quantities are whole units. */
import type { FloorPoint, LocationId, OperativeId, OrderId, SkuId, TaskId, TenantId } from './ids.ts';

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
}

export interface OrderLineInput {
  readonly skuId: SkuId;
  readonly qty: number;
}

export interface CreateOrder {
  readonly type: 'createOrder';
  readonly orderId: OrderId;
  readonly tenantId: TenantId;
  /** The channel's own reference (e.g. a Shopify order name); optional. */
  readonly externalRef?: string;
  readonly lines: readonly OrderLineInput[];
  /** Higher is more urgent. */
  readonly priority?: number;
}

export interface AllocateOrder {
  readonly type: 'allocateOrder';
  readonly orderId: OrderId;
  /** 'all-or-nothing' allocates nothing unless every line can be fully allocated; 'partial' backorders what is short. */
  readonly policy?: 'all-or-nothing' | 'partial';
}

export interface ReleaseOrder {
  readonly type: 'releaseOrder';
  readonly orderId: OrderId;
}

export interface SignOn {
  readonly type: 'signOn';
  readonly operativeId: OperativeId;
  readonly name: string;
}

export interface SignOff {
  readonly type: 'signOff';
  readonly operativeId: OperativeId;
}

/** Volatile: the latest position wins; not appended to the event log. */
export interface UpdatePosition {
  readonly type: 'updatePosition';
  readonly operativeId: OperativeId;
  readonly position: FloorPoint;
  readonly activity?: 'walking' | 'picking' | 'idle';
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
}

/** The picker found fewer than the task asks for: `foundQty` (0..task qty) is picked, the rest is written off for a count. */
export interface ShortPick {
  readonly type: 'shortPick';
  readonly taskId: TaskId;
  readonly operativeId: OperativeId;
  readonly foundQty: number;
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

export interface PackOrder {
  readonly type: 'packOrder';
  readonly orderId: OrderId;
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

export type Command =
  | ReceiveStock
  | MoveStock
  | CreateOrder
  | AllocateOrder
  | ReleaseOrder
  | SignOn
  | SignOff
  | UpdatePosition
  | RequestWork
  | ConfirmPick
  | ShortPick
  | SetRoute
  | PackOrder
  | DespatchOrder
  | BlockSegment
  | UnblockSegment;

export type CommandType = Command['type'];
