/**
 * Fast exact shortest walks between any two nodes of a walk graph. Pick points lie on chains of degree-2 nodes
 * (an aisle between two junctions); only the junctions ("core" nodes) need Dijkstra, so a query is the best of at most
 * four combinations: leave the chain by one end, cross the core, enter the other chain by one end (or stay on a shared
 * chain). One-way and blocked edges are respected inside chains too. Cached per graph in a WeakMap.
 */
import type { FloorPoint } from '../../server/twin/ids.ts';
import type { WalkGraph } from '../../server/twin/layout/types.ts';
import type { Csr } from './shortest-paths.ts';
import { dijkstra } from './shortest-paths.ts';

interface Chain {
  /** Graph nodes from the start core node to the end core node. */
  readonly nodes: Int32Array;
  /** prefix[i] = walk length from nodes[0] to nodes[i]. */
  readonly prefix: Float64Array;
  /** badFwd[i] = edges among the first i that cannot be walked towards the end (blocked, or one-way the other way). */
  readonly badFwd: Int32Array;
  readonly badBwd: Int32Array;
  readonly startCore: number;
  readonly endCore: number;
}

interface Oracle {
  readonly graph: WalkGraph;
  /** Core index of a graph node, −1 when it is inside a chain. */
  readonly coreOf: Int32Array;
  readonly coreNodes: Int32Array;
  /** Chain and position of a non-core node. */
  readonly chainOf: Int32Array;
  readonly posOf: Int32Array;
  readonly chains: readonly Chain[];
  /** Core graph; arc i walks chain arcChain[i] forwards (arcDir 1) or backwards (−1). */
  readonly core: Csr;
  readonly arcFrom: Int32Array;
  readonly arcChain: Int32Array;
  readonly arcDir: Int8Array;
  readonly fromCore: Map<number, { dist: Float64Array; prevArc: Int32Array }>;
}

const oracles = new WeakMap<WalkGraph, Oracle>();

function build(graph: WalkGraph): Oracle {
  const n = graph.nodes.length;
  const incident: number[][] = Array.from({ length: n }, () => []);
  graph.edges.forEach((e, i) => {
    incident[e.a]!.push(i);
    if (e.b !== e.a) incident[e.b]!.push(i);
  });
  const isCore = new Uint8Array(n);
  for (let v = 0; v < n; v++) {
    const node = graph.nodes[v]!;
    if (node.kind !== 'access' || incident[v]!.length !== 2 || v === graph.depotNode) isCore[v] = 1;
  }
  for (;;) {
    const chainOf = new Int32Array(n).fill(-1);
    const posOf = new Int32Array(n).fill(-1);
    const usedEdge = new Uint8Array(graph.edges.length);
    const raw: { nodes: number[]; edges: number[] }[] = [];
    for (let c = 0; c < n; c++) {
      if (isCore[c] !== 1) continue;
      for (const first of incident[c]!) {
        if (usedEdge[first] === 1) continue;
        const nodes = [c];
        const edges: number[] = [];
        let edge = first;
        let at = c;
        for (;;) {
          usedEdge[edge] = 1;
          edges.push(edge);
          const e = graph.edges[edge]!;
          const next = e.a === at ? e.b : e.a;
          nodes.push(next);
          if (isCore[next] === 1) break;
          chainOf[next] = raw.length;
          posOf[next] = nodes.length - 1;
          const onward = incident[next]!.find((x) => x !== edge);
          if (onward === undefined) break;
          edge = onward;
          at = next;
        }
        raw.push({ nodes, edges });
      }
    }
    // A ring of access nodes with no junction has no chain: make one of its nodes a core node and build again.
    let stray = -1;
    for (let v = 0; v < n && stray === -1; v++) if (isCore[v] !== 1 && chainOf[v] === -1) stray = v;
    if (stray !== -1) {
      isCore[stray] = 1;
      continue;
    }
    const coreOf = new Int32Array(n).fill(-1);
    const coreList: number[] = [];
    for (let v = 0; v < n; v++) if (isCore[v] === 1) coreOf[v] = coreList.push(v) - 1;
    const chains: Chain[] = raw.map(({ nodes, edges }) => {
      const k = edges.length;
      const prefix = new Float64Array(k + 1);
      const badFwd = new Int32Array(k + 1);
      const badBwd = new Int32Array(k + 1);
      for (let i = 0; i < k; i++) {
        const e = graph.edges[edges[i]!]!;
        const from = nodes[i]!;
        const to = nodes[i + 1]!;
        const fwdOk = e.blocked !== true && (e.oneWay !== true || (e.a === from && e.b === to));
        const bwdOk = e.blocked !== true && (e.oneWay !== true || (e.a === to && e.b === from));
        prefix[i + 1] = prefix[i]! + e.length;
        badFwd[i + 1] = badFwd[i]! + (fwdOk ? 0 : 1);
        badBwd[i + 1] = badBwd[i]! + (bwdOk ? 0 : 1);
      }
      return {
        nodes: Int32Array.from(nodes), prefix, badFwd, badBwd,
        startCore: coreOf[nodes[0]!]!, endCore: coreOf[nodes[nodes.length - 1]!]!,
      };
    });
    const arcs: { from: number; to: number; w: number; chain: number; dir: 1 | -1 }[] = [];
    chains.forEach((ch, ci) => {
      const k = ch.nodes.length - 1;
      if (ch.badFwd[k] === 0) arcs.push({ from: ch.startCore, to: ch.endCore, w: ch.prefix[k]!, chain: ci, dir: 1 });
      if (ch.badBwd[k] === 0) arcs.push({ from: ch.endCore, to: ch.startCore, w: ch.prefix[k]!, chain: ci, dir: -1 });
    });
    arcs.sort((x, y) => x.from - y.from);
    const cn = coreList.length;
    const offsets = new Int32Array(cn + 1);
    for (const a of arcs) offsets[a.from + 1]! += 1;
    for (let u = 0; u < cn; u++) offsets[u + 1]! += offsets[u]!;
    return {
      graph, coreOf, coreNodes: Int32Array.from(coreList), chainOf, posOf, chains,
      core: {
        n: cn, offsets,
        targets: Int32Array.from(arcs.map((a) => a.to)),
        weights: Float64Array.from(arcs.map((a) => a.w)),
      },
      arcFrom: Int32Array.from(arcs.map((a) => a.from)),
      arcChain: Int32Array.from(arcs.map((a) => a.chain)),
      arcDir: Int8Array.from(arcs.map((a) => a.dir)),
      fromCore: new Map(),
    };
  }
}

function oracleOf(graph: WalkGraph): Oracle {
  let o = oracles.get(graph);
  if (o === undefined) {
    o = build(graph);
    oracles.set(graph, o);
  }
  return o;
}

function coreFrom(o: Oracle, c: number): { dist: Float64Array; prevArc: Int32Array } {
  let r = o.fromCore.get(c);
  if (r === undefined) {
    r = dijkstra(o.core, c);
    o.fromCore.set(c, r);
  }
  return r;
}

/** Ways to leave node u into the core: [core, cost] pairs (at most two). */
function exits(o: Oracle, u: number, out: number[]): number {
  const c = o.coreOf[u]!;
  if (c !== -1) {
    out[0] = c;
    out[1] = 0;
    return 1;
  }
  const ch = o.chains[o.chainOf[u]!]!;
  const i = o.posOf[u]!;
  const k = ch.nodes.length - 1;
  let m = 0;
  if (ch.badBwd[i] === 0) {
    out[2 * m] = ch.startCore;
    out[2 * m + 1] = ch.prefix[i]!;
    m++;
  }
  if (ch.badFwd[k]! - ch.badFwd[i]! === 0) {
    out[2 * m] = ch.endCore;
    out[2 * m + 1] = ch.prefix[k]! - ch.prefix[i]!;
    m++;
  }
  return m;
}

/** Ways to reach node v from the core: [core, cost] pairs (at most two). */
function entries(o: Oracle, v: number, out: number[]): number {
  const c = o.coreOf[v]!;
  if (c !== -1) {
    out[0] = c;
    out[1] = 0;
    return 1;
  }
  const ch = o.chains[o.chainOf[v]!]!;
  const j = o.posOf[v]!;
  const k = ch.nodes.length - 1;
  let m = 0;
  if (ch.badFwd[j] === 0) {
    out[2 * m] = ch.startCore;
    out[2 * m + 1] = ch.prefix[j]!;
    m++;
  }
  if (ch.badBwd[k]! - ch.badBwd[j]! === 0) {
    out[2 * m] = ch.endCore;
    out[2 * m + 1] = ch.prefix[k]! - ch.prefix[j]!;
    m++;
  }
  return m;
}

/** Walk along a shared chain without leaving it; Infinity when not allowed or not on one chain. */
function alongChain(o: Oracle, u: number, v: number): number {
  const cu = o.chainOf[u]!;
  if (cu === -1 || cu !== o.chainOf[v]) return Infinity;
  const ch = o.chains[cu]!;
  const i = o.posOf[u]!;
  const j = o.posOf[v]!;
  if (i <= j) return ch.badFwd[j]! - ch.badFwd[i]! === 0 ? ch.prefix[j]! - ch.prefix[i]! : Infinity;
  return ch.badBwd[i]! - ch.badBwd[j]! === 0 ? ch.prefix[i]! - ch.prefix[j]! : Infinity;
}

interface Best {
  cost: number;
  /** −1: along the shared chain; else the exit and entry core nodes used. */
  exitCore: number;
  entryCore: number;
}

function bestWay(o: Oracle, u: number, v: number): Best {
  const best: Best = { cost: u === v ? 0 : alongChain(o, u, v), exitCore: -1, entryCore: -1 };
  if (u === v) return best;
  const ex = [0, 0, 0, 0];
  const en = [0, 0, 0, 0];
  const ne = exits(o, u, ex);
  const nn = entries(o, v, en);
  for (let a = 0; a < ne; a++) {
    const { dist } = coreFrom(o, ex[2 * a]!);
    for (let b = 0; b < nn; b++) {
      const c = ex[2 * a + 1]! + dist[en[2 * b]!]! + en[2 * b + 1]!;
      if (c < best.cost) {
        best.cost = c;
        best.exitCore = ex[2 * a]!;
        best.entryCore = en[2 * b]!;
      }
    }
  }
  return best;
}

/** Length in metres of the shortest walk from node `from` to node `to`; Infinity when there is none. */
export function shortestDistance(graph: WalkGraph, from: number, to: number): number {
  return bestWay(oracleOf(graph), from, to).cost;
}

/** Graph nodes on chain `ch` from position i to position j inclusive (either direction). */
function chainSlice(ch: Chain, i: number, j: number, out: number[]): void {
  if (i <= j) for (let p = i; p <= j; p++) out.push(ch.nodes[p]!);
  else for (let p = i; p >= j; p--) out.push(ch.nodes[p]!);
}

/** Nodes of a shortest walk from `from` to `to`, both included; null when `to` cannot be reached. */
export function shortestPathNodes(graph: WalkGraph, from: number, to: number): number[] | null {
  const o = oracleOf(graph);
  const best = bestWay(o, from, to);
  if (!Number.isFinite(best.cost)) return null;
  const out: number[] = [];
  if (from === to) return [from];
  if (best.exitCore === -1) {
    chainSlice(o.chains[o.chainOf[from]!]!, o.posOf[from]!, o.posOf[to]!, out);
    return out;
  }
  // Leave the start chain to the exit core node (on a ring chain both ends are that node: take the cheaper way).
  if (o.coreOf[from] === -1) {
    const ch = o.chains[o.chainOf[from]!]!;
    const i = o.posOf[from]!;
    const k = ch.nodes.length - 1;
    const toStart = ch.badBwd[i] === 0 ? ch.prefix[i]! : Infinity;
    const toEnd = ch.badFwd[k]! - ch.badFwd[i]! === 0 ? ch.prefix[k]! - ch.prefix[i]! : Infinity;
    const useStart = best.exitCore === ch.startCore && (best.exitCore !== ch.endCore || toStart <= toEnd);
    chainSlice(ch, i, useStart ? 0 : k, out);
  } else {
    out.push(from);
  }
  // Cross the core along the arcs Dijkstra chose, expanding each into its chain.
  const { prevArc } = coreFrom(o, best.exitCore);
  const arcs: number[] = [];
  for (let c = best.entryCore; c !== best.exitCore;) {
    const arc = prevArc[c]!;
    arcs.push(arc);
    c = o.arcFrom[arc]!;
  }
  for (let a = arcs.length - 1; a >= 0; a--) {
    const ch = o.chains[o.arcChain[arcs[a]!]!]!;
    const k = ch.nodes.length - 1;
    if (o.arcDir[arcs[a]!] === 1) chainSlice(ch, 1, k, out);
    else chainSlice(ch, k - 1, 0, out);
  }
  // Enter the target chain from the entry core node.
  if (o.coreOf[to] === -1) {
    const ch = o.chains[o.chainOf[to]!]!;
    const j = o.posOf[to]!;
    const k = ch.nodes.length - 1;
    const fromStart = ch.badFwd[j] === 0 ? ch.prefix[j]! : Infinity;
    const fromEnd = ch.badBwd[k]! - ch.badBwd[j]! === 0 ? ch.prefix[k]! - ch.prefix[j]! : Infinity;
    const useStart = best.entryCore === ch.startCore && (best.entryCore !== ch.endCore || fromStart <= fromEnd);
    if (useStart) chainSlice(ch, 1, j, out);
    else chainSlice(ch, k - 1, j, out);
  }
  return out;
}

/**
 * The floor polyline of the walk through `nodes` in exactly that order, along shortest walks; consecutive equal points
 * are merged. Null when a leg cannot be walked.
 */
export function pathPolyline(graph: WalkGraph, nodes: readonly number[]): FloorPoint[] | null {
  const points: FloorPoint[] = [];
  const push = (node: number): void => {
    const n = graph.nodes[node];
    if (n === undefined) return;
    const last = points[points.length - 1];
    if (last !== undefined && last.x === n.x && last.y === n.y) return;
    points.push({ x: n.x, y: n.y });
  };
  if (nodes.length === 0) return points;
  push(nodes[0]!);
  for (let i = 1; i < nodes.length; i++) {
    const from = nodes[i - 1]!;
    const to = nodes[i]!;
    if (from === to) continue;
    const leg = shortestPathNodes(graph, from, to);
    if (leg === null) return null;
    for (const node of leg) push(node);
  }
  return points;
}

/** The floor polyline of a closed walk through `stops` (graph nodes), from the first back to it, along shortest walks. */
export function walkPolyline(graph: WalkGraph, stops: readonly number[]): FloorPoint[] {
  if (stops.length === 0) return [];
  return pathPolyline(graph, [...stops, stops[0]!]) ?? [];
}
