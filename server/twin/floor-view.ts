/** Floor views of the twin: fill levels, operatives and counters in the wire shapes of server/protocol/floor.ts. */
import type { FloorCounters, FloorDiff, FloorSnapshot, LayoutView, OperativeView } from '../protocol/floor.ts';
import type { LocationId, OperativeId } from './ids.ts';
import { PICK_WINDOW_MS } from './keys.ts';
import type { Location } from './layout/types.ts';
import type { SiteDefinition } from './site.ts';
import type { OperativeState, TwinState } from './state.ts';

/** Units on hand in a bin (all quants), from the location index: O(quants in that bin). */
export function onHandAt(state: TwinState, locationId: LocationId): number {
  let total = 0;
  for (const key of state.quantsByLocation.get(locationId) ?? []) total += state.quants.get(key)?.onHand ?? 0;
  return total;
}

/** Fill of a bin in whole percent of `capacityUnits` (0..100, above 100 only if a bin is over capacity). */
export function fillPercent(state: TwinState, location: Location): number {
  if (location.capacityUnits <= 0) return 0;
  return Math.round((100 * onHandAt(state, location.id)) / location.capacityUnits);
}

/** Live counters for the floor panel; picks in the last hour are counted back from `state.now`. */
export function countersOf(state: TwinState): FloorCounters {
  const c = state.counters;
  const cutoff = state.now - PICK_WINDOW_MS;
  let picksLastHour = 0;
  for (let i = state.recentPickTimes.length - 1; i >= 0; i--) {
    if ((state.recentPickTimes[i] as number) <= cutoff) break;
    picksLastHour++;
  }
  return {
    ordersReceived: c.ordersReceived,
    // No event cancels orders yet, so every order not despatched is open.
    ordersOpen: c.ordersReceived - c.ordersDespatched,
    ordersPicked: c.ordersPicked,
    ordersDespatched: c.ordersDespatched,
    linesPicked: c.linesPicked,
    unitsPicked: c.unitsPicked,
    picksLastHour,
  };
}

/** Wire view of one operative. */
export function operativeView(op: OperativeState): OperativeView {
  return { id: op.id, name: op.name, x: op.position.x, y: op.position.y, activity: op.activity, tasks: op.taskIds.length };
}

/** Everything a floor view needs at `state.seq` apart from the static layout. O(locations). */
export function floorSnapshot(state: TwinState): FloorSnapshot {
  const locations = state.site.layout.locations;
  const fill = new Array<number>(locations.length).fill(0);
  for (const l of locations) fill[l.index] = fillPercent(state, l);
  return {
    siteId: state.site.id,
    seq: state.seq,
    at: state.now,
    fill,
    operatives: [...state.operatives.values()].map(operativeView),
    counters: countersOf(state),
  };
}

/**
 * Diff from `fromSeq` to `state.seq` with absolute current values of the given bins (ids or layout indexes) and
 * operatives. An operative listed but no longer signed on is reported as removed; ids in `removedOperativeIds` that
 * are signed on again are reported as present (latest wins). Unknown locations are skipped.
 */
export function floorDiff(
  state: TwinState,
  fromSeq: number,
  locations: Iterable<LocationId | number>,
  operativeIds: Iterable<OperativeId>,
  removedOperativeIds: Iterable<OperativeId> = [],
): FloorDiff {
  const fill: number[] = [];
  const seen = new Set<number>();
  const all = state.site.layout.locations;
  for (const ref of locations) {
    const location = typeof ref === 'number' ? all[ref] : state.locationsById.get(ref);
    if (location === undefined || seen.has(location.index)) continue;
    seen.add(location.index);
    fill.push(location.index, fillPercent(state, location));
  }
  const operatives: OperativeView[] = [];
  const removed = new Set<string>();
  const listed = new Set<string>();
  for (const id of [...operativeIds, ...removedOperativeIds]) {
    if (listed.has(id)) continue;
    listed.add(id);
    const op = state.operatives.get(id);
    if (op === undefined) removed.add(id);
    else operatives.push(operativeView(op));
  }
  return {
    siteId: state.site.id,
    fromSeq,
    toSeq: state.seq,
    at: state.now,
    fill,
    operatives,
    removedOperatives: [...removed],
    counters: countersOf(state),
  };
}

/** Static columnar geometry of a site for the 3D view: bins, walkable (unblocked) segments, depot and bounds. */
export function layoutView(site: SiteDefinition): LayoutView {
  const { layout } = site;
  const n = layout.locations.length;
  const ids = new Array<string>(n);
  const x = new Array<number>(n);
  const y = new Array<number>(n);
  const z = new Array<number>(n);
  const w = new Array<number>(n);
  const d = new Array<number>(n);
  const h = new Array<number>(n);
  let minX = layout.depot.x;
  let maxX = layout.depot.x;
  let minY = layout.depot.y;
  let maxY = layout.depot.y;
  for (const l of layout.locations) {
    const i = l.index;
    ids[i] = l.id;
    x[i] = l.x;
    y[i] = l.y;
    z[i] = l.z;
    w[i] = l.width;
    d[i] = l.depth;
    h[i] = l.height;
    minX = Math.min(minX, l.x - l.depth / 2);
    maxX = Math.max(maxX, l.x + l.depth / 2);
    minY = Math.min(minY, l.y - l.width / 2);
    maxY = Math.max(maxY, l.y + l.width / 2);
  }
  const nodes = new Map(layout.graph.nodes.map((node) => [node.id, node]));
  for (const node of layout.graph.nodes) {
    minX = Math.min(minX, node.x);
    maxX = Math.max(maxX, node.x);
    minY = Math.min(minY, node.y);
    maxY = Math.max(maxY, node.y);
  }
  const segments: number[] = [];
  for (const e of layout.graph.edges) {
    if (e.blocked === true) continue;
    const a = nodes.get(e.a);
    const b = nodes.get(e.b);
    if (a !== undefined && b !== undefined) segments.push(a.x, a.y, b.x, b.y);
  }
  return {
    siteId: site.id,
    layoutId: layout.id,
    ids,
    x,
    y,
    z,
    w,
    d,
    h,
    segments,
    depot: { x: layout.depot.x, y: layout.depot.y },
    bounds: { minX, minY, maxX, maxY },
  };
}
