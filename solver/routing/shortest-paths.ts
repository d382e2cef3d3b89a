/**
 * Shortest walks on a layout's walk graph: Dijkstra with a binary heap, one-way edges walked only from `a` to `b`,
 * blocked edges never. Results are cached per graph (WeakMap, so a dropped layout frees them) and per source node.
 */
import type { WalkGraph } from '../../server/twin/layout/types.ts';

/** Distances (metres, Infinity when unreachable) and predecessor nodes (−1 for the source or unreachable) from one source. */
export interface SingleSource {
  readonly source: number;
  readonly dist: Float64Array;
  readonly prev: Int32Array;
}

interface GraphIndex {
  readonly n: number;
  /** Compressed adjacency: arcs of node u are offsets[u] .. offsets[u + 1] − 1. */
  readonly offsets: Int32Array;
  readonly targets: Int32Array;
  readonly weights: Float64Array;
  readonly cache: Map<number, SingleSource>;
  readonly maxCached: number;
}

const indexes = new WeakMap<WalkGraph, GraphIndex>();
/** Cached distance entries per graph (sources × nodes), to bound memory on very large graphs. */
const CACHE_CELLS = 16_000_000;

function indexOf(graph: WalkGraph): GraphIndex {
  const found = indexes.get(graph);
  if (found !== undefined) return found;
  const n = graph.nodes.length;
  const degree = new Int32Array(n + 1);
  for (const e of graph.edges) {
    if (e.blocked === true) continue;
    degree[e.a + 1]! += 1;
    if (e.oneWay !== true) degree[e.b + 1]! += 1;
  }
  const offsets = new Int32Array(n + 1);
  for (let u = 0; u < n; u++) offsets[u + 1] = offsets[u]! + degree[u + 1]!;
  const fill = offsets.slice(0, n);
  const targets = new Int32Array(offsets[n]!);
  const weights = new Float64Array(offsets[n]!);
  const add = (u: number, v: number, w: number): void => {
    const at = fill[u]!;
    targets[at] = v;
    weights[at] = w;
    fill[u] = at + 1;
  };
  for (const e of graph.edges) {
    if (e.blocked === true) continue;
    add(e.a, e.b, e.length);
    if (e.oneWay !== true) add(e.b, e.a, e.length);
  }
  const index: GraphIndex = {
    n, offsets, targets, weights, cache: new Map(), maxCached: Math.max(64, Math.floor(CACHE_CELLS / Math.max(1, n))),
  };
  indexes.set(graph, index);
  return index;
}

/** A min-heap of (key, node) with lazy deletion: stale entries are skipped when popped. */
class NodeHeap {
  private keys: Float64Array;
  private nodes: Int32Array;
  size = 0;
  constructor(capacity: number) {
    this.keys = new Float64Array(Math.max(4, capacity));
    this.nodes = new Int32Array(Math.max(4, capacity));
  }
  push(key: number, node: number): void {
    if (this.size === this.keys.length) {
      const keys = new Float64Array(this.size * 2);
      keys.set(this.keys);
      const nodes = new Int32Array(this.size * 2);
      nodes.set(this.nodes);
      this.keys = keys;
      this.nodes = nodes;
    }
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.keys[parent]! <= key) break;
      this.keys[i] = this.keys[parent]!;
      this.nodes[i] = this.nodes[parent]!;
      i = parent;
    }
    this.keys[i] = key;
    this.nodes[i] = node;
  }
  /** Removes the minimum; returns its node (the caller reads `topKey` first). */
  pop(): number {
    const top = this.nodes[0]!;
    const lastKey = this.keys[--this.size]!;
    const lastNode = this.nodes[this.size]!;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= this.size) break;
      if (child + 1 < this.size && this.keys[child + 1]! < this.keys[child]!) child++;
      if (this.keys[child]! >= lastKey) break;
      this.keys[i] = this.keys[child]!;
      this.nodes[i] = this.nodes[child]!;
      i = child;
    }
    this.keys[i] = lastKey;
    this.nodes[i] = lastNode;
    return top;
  }
  topKey(): number {
    return this.keys[0]!;
  }
}

/** A directed graph in compressed form: arcs of node u are offsets[u] .. offsets[u + 1] − 1. */
export interface Csr {
  readonly n: number;
  readonly offsets: Int32Array;
  readonly targets: Int32Array;
  readonly weights: Float64Array;
}

/** Dijkstra from `source` on a compressed graph: distances (Infinity when unreachable) and the arc used to reach each node (−1 for none). */
export function dijkstra(csr: Csr, source: number): { dist: Float64Array; prevArc: Int32Array } {
  const { n, offsets, targets, weights } = csr;
  const dist = new Float64Array(n).fill(Infinity);
  const prevArc = new Int32Array(n).fill(-1);
  const done = new Uint8Array(n);
  const heap = new NodeHeap(n);
  dist[source] = 0;
  heap.push(0, source);
  while (heap.size > 0) {
    const d = heap.topKey();
    const u = heap.pop();
    if (done[u] === 1) continue;
    done[u] = 1;
    for (let i = offsets[u]!; i < offsets[u + 1]!; i++) {
      const v = targets[i]!;
      const nd = d + weights[i]!;
      if (nd < dist[v]!) {
        dist[v] = nd;
        prevArc[v] = i;
        heap.push(nd, v);
      }
    }
  }
  return { dist, prevArc };
}

/**
 * Shortest distances and predecessors from `source` to every node of the full walk graph (cached). The reference
 * implementation: routing asks the faster distance oracle (distance-oracle.ts), which tests check against this.
 */
export function shortestFrom(graph: WalkGraph, source: number): SingleSource {
  const index = indexOf(graph);
  const cached = index.cache.get(source);
  if (cached !== undefined) return cached;
  const { dist, prevArc } = dijkstra(index, source);
  // Arc i belongs to the node whose offset range holds it; recover predecessors once per source.
  const arcOwner = ownersOf(index);
  const prev = new Int32Array(index.n).fill(-1);
  for (let v = 0; v < index.n; v++) if (prevArc[v]! >= 0) prev[v] = arcOwner[prevArc[v]!]!;
  const result: SingleSource = { source, dist, prev };
  if (index.cache.size >= index.maxCached) {
    const oldest = index.cache.keys().next();
    if (oldest.done !== true) index.cache.delete(oldest.value);
  }
  index.cache.set(source, result);
  return result;
}

const owners = new WeakMap<GraphIndex, Int32Array>();
function ownersOf(index: GraphIndex): Int32Array {
  let o = owners.get(index);
  if (o === undefined) {
    o = new Int32Array(index.targets.length);
    for (let u = 0; u < index.n; u++) for (let i = index.offsets[u]!; i < index.offsets[u + 1]!; i++) o[i] = u;
    owners.set(index, o);
  }
  return o;
}
