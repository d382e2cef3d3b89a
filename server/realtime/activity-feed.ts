/**
 * The floor's stock activity: receipts, put-aways, replenishments, restocks, counts and count adjustments as they are
 * committed, one compact `floor:activity` message per event to the site's floor room (the 3D floor draws a short
 * marker at the bin). `activityOf` is the pure mapping; `ActivityFeed` subscribes to a site runner and sends.
 *
 * Only committed events are sent (the runner reports them after the commit). A burst (a count plan of 500 bins, a
 * replenishment run) is capped per second: a marker is a glance, not a record, so the excess is dropped and counted.
 */
import type { FloorActivity, FloorActivityKind } from '../protocol/floor.ts';
import type { SiteRunner } from '../site/site-runner.ts';
import type { SequencedEvent } from '../twin/events.ts';
import { returnsLocationId } from '../twin/returns.ts';
import type { MoveTaskKind, TwinState } from '../twin/state.ts';
import { dockLocationId } from '../twin/stock-status.ts';
import { siteRoom } from './gateway.ts';
import type { FloorServer } from './socket-server.ts';

/** Layout index of each bin; absent (the dock, the returns desk) = −1. */
export type LocationIndex = ReadonlyMap<string, number>;

/** Index of every layout location, in `LayoutView.ids` order. */
export function locationIndexOf(state: Pick<TwinState, 'site'>): LocationIndex {
  return new Map(state.site.layout.locations.map((location, i) => [location.id, i]));
}

const indexOf = (index: LocationIndex, locationId: string): number => index.get(locationId) ?? -1;
const isDock = (state: Pick<TwinState, 'site'>, locationId: string): boolean => locationId === dockLocationId(state.site.id);
const isReturnsDesk = (state: Pick<TwinState, 'site'>, locationId: string): boolean => locationId === returnsLocationId(state.site.id);

/** Move-task kinds (issue 8) as floor activities; a re-slotting move shows as a put-away into its new bin. */
const MOVE_TASK_KINDS: Readonly<Record<MoveTaskKind, FloorActivityKind>> = { putaway: 'putaway', replenish: 'replenish', restock: 'restock', reslot: 'putaway' };

/**
 * The activity one durable event shows on the floor, or null when it shows none. `state` is the twin after the
 * event was applied (a move task's kind is read from it).
 *  - GoodsReceived, ReturnReceived → `receipt` (at the dock / returns desk: index −1);
 *  - StockMoved from the dock → `putaway`, from the returns desk → `restock` (the moves of R44 / R53);
 *  - MoveTaskCompleted → its task's kind at the target bin;
 *  - CountSubmitted → `count`; CountAdjusted with a non-zero applied adjustment → `adjust`.
 */
export function activityOf(state: TwinState, index: LocationIndex, sequenced: SequencedEvent): FloorActivity | null {
  const { seq, event } = sequenced;
  const make = (kind: FloorActivityKind, locationId: string): FloorActivity => ({ siteId: state.site.id, seq, kind, locationIndex: indexOf(index, locationId), at: event.at });
  // Only a few event types show; an if-chain keeps new event types (the core grows) out of this file.
  if (event.type === 'GoodsReceived' || event.type === 'ReturnReceived') return make('receipt', event.locationId);
  if (event.type === 'StockMoved') {
    if (isDock(state, event.fromLocationId)) return make('putaway', event.toLocationId);
    if (isReturnsDesk(state, event.fromLocationId)) return make('restock', event.toLocationId);
    return null;
  }
  if (event.type === 'CountSubmitted') return make('count', event.locationId);
  if (event.type === 'CountAdjusted') return event.adjustments.some((a) => a.qty !== 0) ? make('adjust', event.locationId) : null;
  if (event.type === 'MoveTaskCompleted') {
    // The event names the target, the task in the state its kind; a short move of nothing shows nothing.
    const kind = state.moveTasks.get(event.taskId)?.kind;
    return kind === undefined || event.qty === 0 ? null : make(MOVE_TASK_KINDS[kind], event.toLocationId);
  }
  return null;
}

/** Where activities go: the site's floor room in production, a list in tests. */
export type ActivitySink = (activity: FloorActivity) => void;

/** The site's floor room on a Socket.IO server. */
export function roomSink(io: FloorServer, siteId: string): ActivitySink {
  const room = siteRoom(siteId);
  return (activity) => void io.to(room).emit('floor:activity', activity);
}

/** Options of {@link ActivityFeed}. */
export interface ActivityFeedOptions {
  readonly runner: Pick<SiteRunner, 'subscribe' | 'twin'>;
  readonly sink: ActivitySink;
  /** At most this many messages per second of `nowMs` (default 50); the rest are dropped and counted. */
  readonly maxPerSecond?: number;
  /** Wall clock for the cap, ms (default `performance.now`). */
  readonly nowMs?: () => number;
}

/** Subscribes to one site's runner and sends each committed event's activity. See the file comment. */
export class ActivityFeed {
  /** Sent and dropped (over the cap) so far. */
  readonly stats = { sent: 0, dropped: 0 };
  private readonly index: LocationIndex;
  private readonly maxPerSecond: number;
  private readonly nowMs: () => number;
  private windowStart = -Infinity;
  private inWindow = 0;
  private readonly unsubscribe: () => void;

  constructor(private readonly options: ActivityFeedOptions) {
    const max = options.maxPerSecond ?? 50;
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`maxPerSecond must be a positive integer, got ${String(max)}`);
    this.maxPerSecond = max;
    this.nowMs = options.nowMs ?? (() => performance.now());
    this.index = locationIndexOf(options.runner.twin);
    this.unsubscribe = options.runner.subscribe({
      committed: (events) => this.committed(events),
      volatile: () => undefined,
      // Only committed events were sent; nothing to take back.
      reloaded: () => undefined,
    });
  }

  /** Stops listening. */
  close(): void {
    this.unsubscribe();
  }

  private committed(events: readonly SequencedEvent[]): void {
    const state = this.options.runner.twin;
    for (const sequenced of events) {
      const activity = activityOf(state, this.index, sequenced);
      if (activity === null) continue;
      const now = this.nowMs();
      if (now - this.windowStart >= 1_000) {
        this.windowStart = now;
        this.inWindow = 0;
      }
      if (this.inWindow >= this.maxPerSecond) {
        this.stats.dropped++;
        continue;
      }
      this.inWindow++;
      this.stats.sent++;
      this.options.sink(activity);
    }
  }
}
