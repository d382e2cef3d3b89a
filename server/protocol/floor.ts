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

export type OperativeActivity = 'walking' | 'picking' | 'idle' | 'offline';

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
