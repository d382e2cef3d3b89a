/** Wire shapes of the live floor: shared by the realtime gateway and the web client. Floor coordinates in metres. */

/** Bump when a wire shape changes incompatibly; clients send theirs on join. */
export const PROTOCOL_VERSION = 1;

/** Static geometry of a site, columnar so 8,000+ bins stay compact. Index i describes location i. */
export interface LayoutView {
  readonly siteId: string;
  readonly layoutId: string;
  readonly ids: readonly string[];
  /** Bin centre x, y (floor metres) and base height z. */
  readonly x: readonly number[];
  readonly y: readonly number[];
  readonly z: readonly number[];
  /** Bin width (along y), depth (along x), height (z), metres. */
  readonly w: readonly number[];
  readonly d: readonly number[];
  readonly h: readonly number[];
  /** Walkable aisle segments as [x1, y1, x2, y2] quadruples, for drawing floor markings. */
  readonly segments: readonly number[];
  readonly depot: { readonly x: number; readonly y: number };
  /** Axis-aligned extent of the site, metres. */
  readonly bounds: { readonly minX: number; readonly minY: number; readonly maxX: number; readonly maxY: number };
}

/** `blocked`: waiting for another operative to clear the aisle segment ahead; `offline`: the floor lost them. */
export type OperativeActivity = 'walking' | 'picking' | 'idle' | 'blocked' | 'offline';

export interface OperativeView {
  readonly id: string;
  readonly name: string;
  readonly x: number;
  readonly y: number;
  readonly activity: OperativeActivity;
  /** Open tasks assigned to this operative. */
  readonly tasks: number;
}

/** Live counters shown on the floor panel. */
export interface FloorCounters {
  readonly ordersReceived: number;
  /** Orders not yet despatched (and not cancelled). */
  readonly ordersOpen: number;
  readonly ordersPicked: number;
  readonly ordersDespatched: number;
  readonly linesPicked: number;
  readonly unitsPicked: number;
  /** Pick confirmations in the last 60 minutes of twin time. */
  readonly picksLastHour: number;
}

/** Everything a floor view needs at one seq, apart from the static layout. */
export interface FloorSnapshot {
  readonly siteId: string;
  /** Seq of the last durable event reflected here. */
  readonly seq: number;
  readonly at: number;
  /** Fill per location index, whole percent 0..100 (may exceed 100 if over capacity). */
  readonly fill: readonly number[];
  readonly operatives: readonly OperativeView[];
  readonly counters: FloorCounters;
}

/**
 * Changes between two seqs, with absolute values (so applying a diff twice is harmless).
 * A client at `fromSeq` applies it and is then at `toSeq`; any other client seq means a gap: ask again with `since`.
 */
export interface FloorDiff {
  readonly siteId: string;
  readonly fromSeq: number;
  readonly toSeq: number;
  readonly at: number;
  /** Flat pairs [locationIndex, fillPercent, …] of bins whose fill changed. */
  readonly fill: readonly number[];
  /** Operatives whose position, activity or tasks changed (latest value wins). */
  readonly operatives: readonly OperativeView[];
  /** Operatives that left the floor. */
  readonly removedOperatives: readonly string[];
  readonly counters: FloorCounters;
}

/**
 * Per-bin attributes for the floor's colour modes other than fill, COLUMNAR and aligned with `LayoutView.ids` of
 * `layoutId` (index i describes location i). `GET /api/sites/:siteId/bin-attributes?heatHours=N`.
 */
export interface BinAttributesView {
  readonly siteId: string;
  readonly layoutId: string;
  /** Twin seq and twin time (epoch ms) the attributes were read at. */
  readonly seq: number;
  readonly at: number;
  /** The 3PL clients; `tenant[i]` indexes this list. */
  readonly tenants: readonly { readonly id: string; readonly name: string }[];
  /** Owner of the stock in the bin (the tenant with most units there), index into `tenants`; −1 when empty. */
  readonly tenant: readonly number[];
  /**
   * Velocity class of the bin's main SKU (most units there) by its demand rank among the site's SKUs: 0 = A (top
   * 20 % by `demandWeight`), 1 = B (next 30 %), 2 = C (the rest); −1 when empty.
   */
  readonly abc: readonly number[];
  /** Picks confirmed at the bin in the last `heatHours` of twin time. */
  readonly heat: readonly number[];
  readonly heatHours: number;
  /**
   * 1 when the bin needs replenishing: below 20 % of capacity while its SKU has open demand (order lines not yet
   * picked, shorted or cancelled), or empty with open pick tasks still pointing at it; else 0.
   */
  readonly replenish: readonly number[];
}

/**
 * What a stock activity on the floor was: a receipt at the dock, a put-away or restock into a bin, a replenishment of
 * a pick face, a count submitted, or a count's ledger adjustment.
 */
export type FloorActivityKind = 'receipt' | 'putaway' | 'replenish' | 'count' | 'adjust' | 'restock';

/**
 * `floor:activity`, one per relevant durable event, sent to the site's floor room once the event is committed
 * (`server/realtime/activity-feed.ts`). Compact: the floor draws a short-lived marker and keeps nothing.
 */
export interface FloorActivity {
  readonly siteId: string;
  /** Seq of the event in the site's log. */
  readonly seq: number;
  readonly kind: FloorActivityKind;
  /** Index into `LayoutView.ids` of the bin; −1 for the dock or the returns desk (off the layout: drawn at the depot). */
  readonly locationIndex: number;
  /** Twin time of the event, epoch ms. */
  readonly at: number;
}
