/**
 * Blocked aisle segments (R28): a spill or congestion closes a walk-graph edge; routes are planned on the
 * effective layout, which is the site layout with those edges flagged `blocked`.
 */
import type { BlockSegment, UnblockSegment } from './commands.ts';
import type { DomainError } from './errors.ts';
import { domainError } from './errors.ts';
import type { TwinEvent } from './events.ts';
import type { EpochMs } from './ids.ts';
import type { Layout, WalkEdge, WalkGraph } from './layout/types.ts';
import type { TwinState } from './state.ts';

/** Longest reason kept with a block. */
export const MAX_BLOCK_REASON_LENGTH = 200;

/** Key of the undirected segment between two nodes: `min-max`. */
export function segmentKey(a: number, b: number): string {
  return a <= b ? `${a}-${b}` : `${b}-${a}`;
}

/** Edge indexes per segment key, built once per graph: a pair may have two one-way edges and both are closed. */
const edgesByKey = new WeakMap<WalkGraph, Map<string, number[]>>();

function edgeIndex(graph: WalkGraph): Map<string, number[]> {
  let index = edgesByKey.get(graph);
  if (index === undefined) {
    index = new Map();
    graph.edges.forEach((edge, i) => {
      const key = segmentKey(edge.a, edge.b);
      const list = index?.get(key);
      if (list === undefined) index?.set(key, [i]);
      else list.push(i);
    });
    edgesByKey.set(graph, index);
  }
  return index;
}

/** True when the site's walk graph has an edge between the two nodes (either direction). */
export function segmentExists(state: TwinState, a: number, b: number): boolean {
  return edgeIndex(state.site.layout.graph).has(segmentKey(a, b));
}

const isNodeId = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

/** [R28] the pair names an existing edge; returns its ordered ends. */
function checkSegment(state: TwinState, a: unknown, b: unknown): DomainError | { a: number; b: number } {
  if (!isNodeId(a) || !isNodeId(b) || a === b || !segmentExists(state, a, b)) {
    return domainError('UNKNOWN_SEGMENT', `no walk-graph edge between nodes ${String(a)} and ${String(b)}`, { a, b });
  }
  return a < b ? { a, b } : { a: b, b: a };
}

/** [R28] blockSegment: the edge exists, the reason is 1–200 characters and the edge is open. */
export function decideBlockSegment(state: TwinState, c: BlockSegment, at: EpochMs): DomainError | TwinEvent[] {
  const seg = checkSegment(state, c.a, c.b);
  if ('code' in seg) return seg;
  if (typeof c.reason !== 'string' || c.reason.trim().length === 0 || c.reason.length > MAX_BLOCK_REASON_LENGTH) {
    return domainError('INVALID_STATE', `reason must be 1 to ${MAX_BLOCK_REASON_LENGTH} characters`, { reason: c.reason });
  }
  const key = segmentKey(seg.a, seg.b);
  if (state.blockedEdges.has(key)) {
    return domainError('INVALID_STATE', `segment ${key} is already blocked`, { a: seg.a, b: seg.b });
  }
  return [{ type: 'SegmentBlocked', at, a: seg.a, b: seg.b, reason: c.reason }];
}

/** [R28] unblockSegment: the edge exists and is blocked. */
export function decideUnblockSegment(state: TwinState, c: UnblockSegment, at: EpochMs): DomainError | TwinEvent[] {
  const seg = checkSegment(state, c.a, c.b);
  if ('code' in seg) return seg;
  const key = segmentKey(seg.a, seg.b);
  if (!state.blockedEdges.has(key)) {
    return domainError('INVALID_STATE', `segment ${key} is not blocked`, { a: seg.a, b: seg.b });
  }
  return [{ type: 'SegmentUnblocked', at, a: seg.a, b: seg.b }];
}

/** A stable key of the blocked set (sorted segment keys), '' when nothing is blocked. */
export function blockedSetKey(state: TwinState): string {
  return [...state.blockedEdges.keys()].sort().join(',');
}

const effective = new WeakMap<TwinState, { readonly key: string; readonly layout: Layout }>();

/**
 * The site layout with the blocked segments (R28) flagged `blocked: true`. The site's own layout object when
 * nothing is blocked; otherwise memoised per blocked set, so the same object comes back until the set changes
 * (the solver pool caches per layout object).
 */
export function effectiveLayout(state: TwinState): Layout {
  const base = state.site.layout;
  if (state.blockedEdges.size === 0) return base;
  const key = blockedSetKey(state);
  const cached = effective.get(state);
  if (cached !== undefined && cached.key === key) return cached.layout;
  const edges: WalkEdge[] = base.graph.edges.map((edge) =>
    state.blockedEdges.has(segmentKey(edge.a, edge.b)) ? { ...edge, blocked: true } : edge,
  );
  const layout: Layout = { ...base, graph: { ...base.graph, edges } };
  effective.set(state, { key, layout });
  return layout;
}
