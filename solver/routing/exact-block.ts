/**
 * Provably shortest pick routes on rack-aisle layouts without one-way or blocked lanes: the Ratliff & Rosenthal (1983)
 * dynamic programme over aisles, in the form Roodbergen & de Koster (2001) extend to several blocks. A route is a
 * closed walk, so its edges form a connected multigraph with even degrees (a "tour subgraph"); each walk-graph edge is
 * used at most twice. Sweeping the aisles left to right, the programme keeps, per equivalence class of partial
 * subgraphs (degree parity of each cross-aisle node of the current aisle and which of them are connected), the
 * cheapest one. The optimal subgraph's Euler tour gives the visiting order. Pure: same input, same answer; per-layout
 * facts are cached in a WeakMap and the state transition tables (which depend only on the block count) in module
 * scope, the same way the distance oracle caches.
 */
import type { LocationId } from '../../server/twin/ids.ts';
import type { Layout, Location, RackAisleParams, WalkGraph } from '../../server/twin/layout/types.ts';
import { rackAisleNodeIds } from '../../server/twin/layout/rack-aisle.ts';
import { shortestDistance } from './distance-oracle.ts';

/** Most blocks the exact router handles (the state has blocks + 1 cross-aisle nodes; it grows fast past that). */
export const EXACT_MAX_BLOCKS = 3;

/** An exact route: the picks in visiting order and the length in metres of depot → sequence… → depot. */
export interface ExactRoute {
  readonly sequence: LocationId[];
  readonly distance: number;
}

/** What the programme needs of a layout, derived once per layout. */
interface Geometry {
  readonly p: RackAisleParams;
  readonly graph: WalkGraph;
  readonly junction: (aisle: number, crossAisle: number) => number;
  /** x of each aisle (index aisle − 1) and y of each cross-aisle (index k), from the graph's own nodes. */
  readonly aisleXs: Float64Array;
  readonly crossYs: Float64Array;
  readonly depotX: number;
  /** Aisle whose front junction is the depot, or −1 when the depot lies between aisles `depotLeft` and `depotLeft + 1`. */
  readonly depotAisle: number;
  readonly depotLeft: number;
  /** Scratch over graph nodes, all −1 between calls: the Euler tour's local numbering. */
  readonly local: Int32Array;
}

const geometries = new WeakMap<Layout, Geometry | null>();

function geometryOf(layout: Layout): Geometry | null {
  const found = geometries.get(layout);
  if (found !== undefined) return found;
  const geo = buildGeometry(layout);
  geometries.set(layout, geo);
  return geo;
}

function buildGeometry(layout: Layout): Geometry | null {
  const p = layout.rackAisle;
  if (p === undefined || p.blocks > EXACT_MAX_BLOCKS) return null;
  const graph = layout.graph;
  // The programme assumes every centreline segment can be walked both ways.
  for (const e of graph.edges) if (e.oneWay === true || e.blocked === true) return null;
  const ids = rackAisleNodeIds(p);
  const base = p.aisles * ids.perAisle;
  if (graph.nodes.length !== base && graph.nodes.length !== base + 1) return null;
  const aisleXs = new Float64Array(p.aisles);
  for (let a = 1; a <= p.aisles; a++) aisleXs[a - 1] = graph.nodes[ids.junction(a, 0)]!.x;
  const crossYs = new Float64Array(p.blocks + 1);
  for (let k = 0; k <= p.blocks; k++) crossYs[k] = graph.nodes[ids.junction(1, k)]!.y;
  const depot = graph.nodes[graph.depotNode]!;
  let depotAisle = -1;
  let depotLeft = -1;
  for (let a = 1; a <= p.aisles; a++) if (ids.junction(a, 0) === graph.depotNode) depotAisle = a;
  if (depotAisle === -1) {
    for (let a = 1; a < p.aisles; a++) if (aisleXs[a - 1]! < depot.x && depot.x < aisleXs[a]!) depotLeft = a;
    if (depotLeft === -1) return null;
  }
  const local = new Int32Array(graph.nodes.length).fill(-1);
  return { p, graph, junction: ids.junction, aisleXs, crossYs, depotX: depot.x, depotAisle, depotLeft, local };
}

/**
 * The location with this id by index arithmetic (rack-aisle locations are built in id order); undefined when unknown.
 * The id is read loosely (`A<digits>-B<digits>-<digits>-<L|R><digits>`): the location found must carry exactly this
 * id, which rejects every non-canonical spelling as parseLocationId would, without its regular expression.
 */
function locate(layout: Layout, p: RackAisleParams, id: string): Location | undefined {
  if (id.charCodeAt(0) !== 65) return undefined;
  const aisle = readNumber(id, 1);
  if (aisle === -1 || id.charCodeAt(cursor) !== 45 || id.charCodeAt(cursor + 1) !== 66) return undefined;
  const block = readNumber(id, cursor + 2);
  if (block === -1 || id.charCodeAt(cursor) !== 45) return undefined;
  const bay = readNumber(id, cursor + 1);
  if (bay === -1 || id.charCodeAt(cursor) !== 45) return undefined;
  const side = id.charCodeAt(cursor + 1);
  if (side !== 76 && side !== 82) return undefined;
  const level = readNumber(id, cursor + 2);
  if (level === -1 || cursor !== id.length) return undefined;
  if (aisle < 1 || block < 1 || bay < 1 || level < 1) return undefined;
  if (aisle > p.aisles || block > p.blocks || bay > p.baysPerBlock || level > p.levels) return undefined;
  const index = ((((aisle - 1) * p.blocks + block - 1) * p.baysPerBlock + bay - 1) * 2 + (side === 76 ? 0 : 1)) * p.levels + level - 1;
  const loc = layout.locations[index];
  return loc !== undefined && loc.id === id ? loc : undefined;
}

/** Where readNumber stopped. */
let cursor = 0;
/** The decimal number at `from` in `s` (−1 when there is no digit there); leaves `cursor` after it. */
function readNumber(s: string, from: number): number {
  let v = 0;
  let at = from;
  for (let c = s.charCodeAt(at); c >= 48 && c <= 57 && at - from < 15; c = s.charCodeAt(++at)) v = v * 10 + (c - 48);
  cursor = at;
  return at > from ? v : -1;
}

// Degree classes of a cross-aisle node in a partial tour subgraph.
const ZERO = 0;
const EVEN = 1;
const ODD = 2;
/** The state of a partial subgraph that is already a whole closed tour (nothing may be added any more). */
const CLOSED = -1;

// Options of a stage. Horizontal (cross-aisle k between two aisles): copies 0, 1, 2, or, on the front cross-aisle
// when the depot lies on that stretch, a spur out to the depot and back from the left or from the right.
const H0 = 0;
const H1 = 1;
const H2 = 2;
const SPUR_LEFT = 3;
const SPUR_RIGHT = 4;
// Vertical (one aisle in one block): nothing, through once, through twice, in and back from the front (bottom) end,
// from the back (top) end, or from both ends leaving out the largest gap between picks.
const V_NONE = 0;
const V_ONCE = 1;
const V_TWICE = 2;
const V_BOTTOM = 3;
const V_TOP = 4;
const V_GAP = 5;

const addDegree = (cls: number, copies: number): number => {
  if (copies === 0) return cls;
  if (copies === 2) return cls === ZERO ? EVEN : cls;
  return cls === ODD ? EVEN : ODD;
};

/** Id of the finished-tour state in every state space; id 1 is the empty subgraph. */
const CLOSED_ID = 0;
/** Table slots per state: horizontal (5 options × 8 nodes × 4 flag pairs) then vertical (6 options × 8 stretches). */
const V_SLOTS = 5 * 8 * 4;
const STRIDE = V_SLOTS + 6 * 8;
const EMPTY_ID = 1;
const INVALID = -1;

/**
 * The states for one frontier size (blocks + 1 cross-aisle nodes) and their transitions, built lazily and shared by
 * every call: there are few states (tens for one block, hundreds for two), so after the first routes each stage is a
 * table look-up per state and option. A state packs, per node i (0 = front), its degree class and component label,
 * labels renumbered in order of first appearance so that equivalent partial subgraphs share one code.
 */
class StateSpace {
  readonly codes: number[] = [CLOSED, 0];
  readonly idOf = new Map<number, number>([[CLOSED, CLOSED_ID], [0, EMPTY_ID]]);
  /** Per state: 1 when it is a whole tour (one component, every degree even, or CLOSED). */
  readonly finishable: number[] = [1, 0];
  /** Per state: 1 when frontier node 0 has been walked to (needed when the depot is there). */
  readonly frontTouched: number[] = [1, 0];
  /** Transitions: table[id · STRIDE + option slot] = next id + 2 (0 = not computed yet, 1 = INVALID). */
  private table = new Int32Array(64 * STRIDE);
  private readonly radix: number;
  private readonly cls: Int32Array;
  private readonly lab: Int32Array;
  private readonly relabel: Int32Array;
  /** Scratch for the dynamic programme: stamp[id] = layer the id was last offered in, slot[id] = its entry there. */
  stamp: Int32Array = new Int32Array(64).fill(-1);
  slot: Int32Array = new Int32Array(64);
  layerCounter = 0;

  constructor(readonly n: number) {
    this.radix = 3 * n;
    this.cls = new Int32Array(n + 2);
    this.lab = new Int32Array(n + 2);
    this.relabel = new Int32Array(n + 2);
  }

  private decode(id: number): void {
    let code = this.codes[id]!;
    for (let i = 0; i < this.n; i++) {
      const v = code % this.radix;
      this.cls[i] = v % 3;
      this.lab[i] = (v - (v % 3)) / 3;
      code = (code - v) / this.radix;
    }
  }

  private encode(): number {
    const { cls, lab, relabel, n } = this;
    relabel.fill(-1);
    let next = 0;
    let code = 0;
    let scale = 1;
    for (let i = 0; i < n; i++) {
      let l = 0;
      if (cls[i] !== ZERO) {
        if (relabel[lab[i]!] === -1) relabel[lab[i]!] = next++;
        l = relabel[lab[i]!]!;
      }
      code += (cls[i]! + 3 * l) * scale;
      scale *= this.radix;
    }
    let id = this.idOf.get(code);
    if (id === undefined) {
      id = this.codes.length;
      this.codes.push(code);
      this.idOf.set(code, id);
      let ok = true;
      let label = -1;
      for (let i = 0; i < n; i++) {
        if (cls[i] === ODD) ok = false;
        if (cls[i] === ZERO) continue;
        if (label === -1) label = lab[i]!;
        else if (lab[i] !== label) ok = false;
      }
      this.finishable.push(ok && label !== -1 ? 1 : 0);
      this.frontTouched.push(cls[0] !== ZERO ? 1 : 0);
      if (this.table.length < this.codes.length * STRIDE) {
        const table = new Int32Array(this.table.length * 2);
        table.set(this.table);
        this.table = table;
      }
      if (this.stamp.length < this.codes.length) {
        const stamp = new Int32Array(this.stamp.length * 2).fill(-1);
        stamp.set(this.stamp);
        this.stamp = stamp;
        const slot = new Int32Array(this.slot.length * 2);
        slot.set(this.slot);
        this.slot = slot;
      }
    }
    return id;
  }

  /**
   * State after walking cross-aisle k from the previous aisle to this one with option `opt` (frontier node k becomes
   * this aisle's node); INVALID when that cannot be part of a tour.
   */
  horizontal(id: number, k: number, opt: number, oldIsDepot: boolean, depotAhead: boolean): number {
    const key = id * STRIDE + (((opt * 8 + k) * 2 + (oldIsDepot ? 1 : 0)) * 2 + (depotAhead ? 1 : 0));
    const known = this.table[key]!;
    if (known !== 0) return known - 2;
    const next = this.computeHorizontal(id, k, opt, oldIsDepot, depotAhead);
    this.table[key] = next + 2;
    return next;
  }

  private computeHorizontal(id: number, k: number, opt: number, oldIsDepot: boolean, depotAhead: boolean): number {
    // A finished tour passes on only while nothing is required: no walk here and the depot already behind.
    if (id === CLOSED_ID) return opt === H0 && !depotAhead ? CLOSED_ID : INVALID;
    const { cls, lab, n } = this;
    this.decode(id);
    const oldCls = cls[k]!;
    const oldLab = oldCls === ZERO ? n : lab[k]!;
    const oldAdd = opt === H1 ? 1 : opt === H2 || opt === SPUR_LEFT ? 2 : 0;
    const after = addDegree(oldCls, oldAdd);
    if (after === ODD) return INVALID;
    if (oldIsDepot && after === ZERO) return INVALID;
    if (opt === H1 || opt === H2) {
      cls[k] = opt === H1 ? ODD : EVEN;
      lab[k] = oldLab;
      return this.encode();
    }
    cls[k] = opt === SPUR_RIGHT ? EVEN : ZERO;
    lab[k] = n + 1;
    if (after === ZERO) return this.encode();
    // The old node leaves the frontier unconnected to the new one: its component must live on elsewhere, or be the
    // whole tour, finished.
    let lives = false;
    let others = false;
    for (let i = 0; i < n; i++) {
      if (i === k || cls[i] === ZERO) continue;
      others = true;
      if (lab[i] === oldLab) lives = true;
    }
    if (lives) return this.encode();
    if (!others && cls[k] === ZERO && (opt === SPUR_LEFT || !depotAhead)) return CLOSED_ID;
    return INVALID;
  }

  /** State after option `opt` on the aisle stretch between frontier nodes `bottom` and `bottom + 1`. */
  vertical(id: number, bottom: number, opt: number): number {
    const key = id * STRIDE + V_SLOTS + opt * 8 + bottom;
    const known = this.table[key]!;
    if (known !== 0) return known - 2;
    const next = this.computeVertical(id, bottom, opt);
    this.table[key] = next + 2;
    return next;
  }

  private computeVertical(id: number, bottom: number, opt: number): number {
    if (opt === V_NONE) return id;
    if (id === CLOSED_ID) return INVALID;
    const { cls, lab, n } = this;
    this.decode(id);
    const top = bottom + 1;
    const addBottom = opt === V_ONCE ? 1 : opt === V_TOP ? 0 : 2;
    const addTop = opt === V_ONCE ? 1 : opt === V_BOTTOM ? 0 : 2;
    if (addBottom > 0) {
      if (cls[bottom] === ZERO) lab[bottom] = n;
      cls[bottom] = addDegree(cls[bottom]!, addBottom);
    }
    if (addTop > 0) {
      if (cls[top] === ZERO) lab[top] = n + 1;
      cls[top] = addDegree(cls[top]!, addTop);
    }
    if (opt === V_ONCE || opt === V_TWICE) {
      const gone = lab[top]!;
      const kept = lab[bottom]!;
      for (let i = 0; i < n; i++) if (cls[i] !== ZERO && lab[i] === gone) lab[i] = kept;
    }
    return this.encode();
  }
}

const spaces = new Map<number, StateSpace>();
function spaceFor(n: number): StateSpace {
  let space = spaces.get(n);
  if (space === undefined) {
    space = new StateSpace(n);
    spaces.set(n, space);
  }
  return space;
}

/** Picks of one aisle segment (aisle, block): distinct access nodes sorted by y. */
interface Segment {
  readonly nodes: number[];
  readonly ys: number[];
}

const NO_PICKS: Segment = { nodes: [], ys: [] };

type Stage =
  | { readonly kind: 'h'; readonly aisle: number; readonly k: number }
  | { readonly kind: 'v'; readonly aisle: number; readonly block: number };

/**
 * The provably shortest closed walk from the depot through every pick's access point and back, on a rack-aisle layout
 * (aisle and cross-aisle centrelines, depot on the front cross-aisle). `sequence` lists every pick (picks sharing an
 * access point adjacent, in request order); `distance` is depot → sequence… → depot by shortest walks, metres.
 * Returns null when the layout is not applicable: no rack-aisle parameters, a one-way or blocked edge, more than
 * EXACT_MAX_BLOCKS blocks, or a pick id the layout does not have.
 */
export function exactRackAisleRoute(layout: Layout, picks: readonly LocationId[]): ExactRoute | null {
  const geo = geometryOf(layout);
  if (geo === null) return null;
  const { p, graph } = geo;
  const locs: Location[] = [];
  for (const id of picks) {
    const loc = locate(layout, p, id);
    if (loc === undefined) return null;
    locs.push(loc);
  }
  if (locs.length === 0) return { sequence: [], distance: 0 };

  const K = p.blocks;
  const n = K + 1;
  // Picks per aisle stretch, keyed (aisle − 1) · blocks + block − 1.
  const segments = new Map<number, Segment>();
  const seen = new Set<number>();
  let lo = geo.depotAisle === -1 ? geo.depotLeft : geo.depotAisle;
  let hi = geo.depotAisle === -1 ? geo.depotLeft + 1 : geo.depotAisle;
  for (const loc of locs) {
    if (loc.aisle < lo) lo = loc.aisle;
    if (loc.aisle > hi) hi = loc.aisle;
    if (seen.has(loc.accessNode)) continue;
    seen.add(loc.accessNode);
    const key = (loc.aisle - 1) * K + loc.block - 1;
    let s = segments.get(key);
    if (s === undefined) {
      s = { nodes: [], ys: [] };
      segments.set(key, s);
    }
    s.nodes.push(loc.accessNode);
    s.ys.push(graph.nodes[loc.accessNode]!.y);
  }
  // Insertion sort by y: stretches hold few picks.
  for (const s of segments.values()) {
    const { nodes, ys } = s;
    for (let i = 1; i < nodes.length; i++) {
      const node = nodes[i]!;
      const y = ys[i]!;
      let j = i - 1;
      for (; j >= 0 && ys[j]! > y; j--) {
        nodes[j + 1] = nodes[j]!;
        ys[j + 1] = ys[j]!;
      }
      nodes[j + 1] = node;
      ys[j + 1] = y;
    }
  }

  // Walking outside aisles lo..hi never helps: clamping x to that range maps any closed walk onto one no longer that
  // still passes every pick and the depot. So the sweep covers only those aisles.
  const stages: Stage[] = [];
  for (let a = lo; a <= hi; a++) {
    if (a > lo) for (let k = 0; k <= K; k++) stages.push({ kind: 'h', aisle: a, k });
    for (let b = 1; b <= K; b++) stages.push({ kind: 'v', aisle: a, block: b });
  }

  // Every entry of every layer in flat arrays: its state, cost, the entry it came from and the option taken.
  const space = spaceFor(n);
  const entryState: number[] = [EMPTY_ID];
  const entryCost: number[] = [0];
  const entryFrom: number[] = [-1];
  const entryOpt: number[] = [-1];
  let prevStart = 0;
  const offer = (state: number, cost: number, from: number, opt: number): void => {
    if (state === INVALID) return;
    if (space.stamp[state] === space.layerCounter) {
      const at = space.slot[state]!;
      if (cost < entryCost[at]!) {
        entryCost[at] = cost;
        entryFrom[at] = from;
        entryOpt[at] = opt;
      }
      return;
    }
    space.stamp[state] = space.layerCounter;
    space.slot[state] = entryState.length;
    entryState.push(state);
    entryCost.push(cost);
    entryFrom.push(from);
    entryOpt.push(opt);
  };
  const hOptions = [H0, H1, H2];
  const hOptionsDepot = [H1, H2, SPUR_LEFT, SPUR_RIGHT];
  const vCosts = new Float64Array(6);
  for (const stage of stages) {
    const prevEnd = entryState.length;
    // Stamps are compared by equality, so a counter that wraps after 2^31 layers stays correct.
    space.layerCounter = (space.layerCounter + 1) | 0;
    if (stage.kind === 'h') {
      const { aisle, k } = stage;
      const gap = geo.aisleXs[aisle - 1]! - geo.aisleXs[aisle - 2]!;
      const depotHere = k === 0 && geo.depotLeft === aisle - 1;
      // The node leaving the frontier is the depot: it must have been walked to.
      const oldIsDepot = k === 0 && geo.depotAisle === aisle - 1;
      // A finished tour must have passed the depot: not on this stretch, not on this aisle or further right.
      const depotAhead = depotHere || geo.depotAisle >= aisle || geo.depotLeft >= aisle;
      const leftSpur = depotHere ? 2 * (geo.depotX - geo.aisleXs[aisle - 2]!) : 0;
      const rightSpur = depotHere ? 2 * (geo.aisleXs[aisle - 1]! - geo.depotX) : 0;
      const options = depotHere ? hOptionsDepot : hOptions;
      for (let e = prevStart; e < prevEnd; e++) {
        const state = entryState[e]!;
        const base = entryCost[e]!;
        for (let o = 0; o < options.length; o++) {
          const opt = options[o]!;
          const cost = opt === H0 ? 0 : opt === H1 ? gap : opt === H2 ? 2 * gap : opt === SPUR_LEFT ? leftSpur : rightSpur;
          offer(space.horizontal(state, k, opt, oldIsDepot, depotAhead), base + cost, e, opt);
        }
      }
    } else {
      const { aisle, block } = stage;
      const seg = segments.get((aisle - 1) * K + block - 1) ?? NO_PICKS;
      const y0 = geo.crossYs[block - 1]!;
      const y1 = geo.crossYs[block]!;
      const len = y1 - y0;
      const m = seg.ys.length;
      let widest = 0;
      for (let i = 0; i + 1 < m; i++) widest = Math.max(widest, seg.ys[i + 1]! - seg.ys[i]!);
      vCosts[V_NONE] = 0;
      vCosts[V_ONCE] = len;
      vCosts[V_TWICE] = 2 * len;
      vCosts[V_BOTTOM] = m > 0 ? 2 * (seg.ys[m - 1]! - y0) : 0;
      vCosts[V_TOP] = m > 0 ? 2 * (y1 - seg.ys[0]!) : 0;
      vCosts[V_GAP] = 2 * (len - widest);
      // No walk only where there is nothing to pick; in and back only where there is; the gap needs two pick points.
      const firstOpt = m === 0 ? V_NONE : V_ONCE;
      const lastOpt = m === 0 ? V_TWICE : m === 1 ? V_TOP : V_GAP;
      for (let e = prevStart; e < prevEnd; e++) {
        const state = entryState[e]!;
        const base = entryCost[e]!;
        for (let opt = firstOpt; opt <= lastOpt; opt++) offer(space.vertical(state, block - 1, opt), base + vCosts[opt]!, e, opt);
      }
    }
    prevStart = prevEnd;
  }

  // A finished tour: every node even, one component, the depot on it.
  let best = -1;
  let bestCost = Infinity;
  for (let e = prevStart; e < entryState.length; e++) {
    const state = entryState[e]!;
    if (space.finishable[state] !== 1) continue;
    if (state !== CLOSED_ID && geo.depotAisle === hi && space.frontTouched[state] !== 1) continue;
    if (entryCost[e]! < bestCost) {
      bestCost = entryCost[e]!;
      best = e;
    }
  }
  if (best === -1) return null;

  // The optimal subgraph, as edges between graph nodes, read back stage by stage.
  const edgesA: number[] = [];
  const edgesB: number[] = [];
  const link = (u: number, v: number, copies: number): void => {
    for (let c = 0; c < copies; c++) {
      edgesA.push(u);
      edgesB.push(v);
    }
  };
  const chain = (nodes: readonly number[], copies: number): void => {
    for (let i = 0; i + 1 < nodes.length; i++) link(nodes[i]!, nodes[i + 1]!, copies);
  };
  let at = best;
  for (let st = stages.length - 1; st >= 0; st--) {
    const opt = entryOpt[at]!;
    const stage = stages[st]!;
    if (stage.kind === 'h') {
      const u = geo.junction(stage.aisle - 1, stage.k);
      const v = geo.junction(stage.aisle, stage.k);
      const split = stage.k === 0 && geo.depotLeft === stage.aisle - 1;
      const d = graph.depotNode;
      if (opt === H1 || opt === H2) {
        if (split) chain([u, d, v], opt);
        else link(u, v, opt);
      } else if (opt === SPUR_LEFT) link(u, d, 2);
      else if (opt === SPUR_RIGHT) link(d, v, 2);
    } else {
      const seg = segments.get((stage.aisle - 1) * K + stage.block - 1) ?? NO_PICKS;
      const u = geo.junction(stage.aisle, stage.block - 1);
      const v = geo.junction(stage.aisle, stage.block);
      const m = seg.nodes.length;
      if (opt === V_ONCE || opt === V_TWICE) chain([u, ...seg.nodes, v], opt);
      else if (opt === V_BOTTOM) chain([u, ...seg.nodes], 2);
      else if (opt === V_TOP) chain([v, ...[...seg.nodes].reverse()], 2);
      else if (opt === V_GAP) {
        let cut = 0;
        let widest = -1;
        for (let i = 0; i + 1 < m; i++) {
          const g = seg.ys[i + 1]! - seg.ys[i]!;
          if (g > widest) {
            widest = g;
            cut = i;
          }
        }
        chain([u, ...seg.nodes.slice(0, cut + 1)], 2);
        chain([v, ...seg.nodes.slice(cut + 1).reverse()], 2);
      }
    }
    at = entryFrom[at]!;
  }

  // Picks in the order the Euler tour first reaches their access points; picks sharing one keep request order.
  const { nodes: subgraphNodes, firstSeen } = eulerFirstSeen(geo, edgesA, edgesB);
  // Counting sort on the first-seen step, stable in request order.
  const starts = new Int32Array(firstSeen.length + 1);
  for (const loc of locs) starts[firstSeen[geo.local[loc.accessNode]!]! + 1]! += 1;
  for (let i = 0; i < firstSeen.length; i++) starts[i + 1]! += starts[i]!;
  const order = new Int32Array(locs.length);
  for (let i = 0; i < locs.length; i++) order[starts[firstSeen[geo.local[locs[i]!.accessNode]!]!]!++] = i;
  for (const u of subgraphNodes) geo.local[u] = -1;
  const sequence: LocationId[] = [];
  // Measured as routeDistance measures it, leg by leg in sequence order, so the two agree to the last bit.
  let distance = 0;
  let from = graph.depotNode;
  for (const i of order) {
    const loc = locs[i]!;
    sequence.push(loc.id);
    distance += shortestDistance(graph, from, loc.accessNode);
    from = loc.accessNode;
  }
  distance += shortestDistance(graph, from, graph.depotNode);
  return { sequence, distance };
}

/**
 * An Euler circuit of the multigraph (edges edgesA[i]–edgesB[i]) from the depot (Hierholzer's algorithm): the
 * subgraph's nodes, numbered through `geo.local` (which the caller resets to −1 for them), and for each its rank
 * (0, 1, …) in the order the circuit first reaches them. The multigraph is connected with even degrees by construction.
 */
function eulerFirstSeen(geo: Geometry, edgesA: readonly number[], edgesB: readonly number[]): { nodes: number[]; firstSeen: Int32Array } {
  const { local } = geo;
  // Local numbering of the subgraph's nodes, compressed adjacency.
  const nodes: number[] = [];
  const number = (u: number): number => {
    if (local[u] === -1) local[u] = nodes.push(u) - 1;
    return local[u]!;
  };
  const m = edgesA.length;
  const ea = new Int32Array(m);
  const eb = new Int32Array(m);
  for (let e = 0; e < m; e++) {
    ea[e] = number(edgesA[e]!);
    eb[e] = number(edgesB[e]!);
  }
  const start = number(geo.graph.depotNode);
  const count = nodes.length;
  const offsets = new Int32Array(count + 1);
  for (let e = 0; e < m; e++) {
    offsets[ea[e]! + 1]! += 1;
    offsets[eb[e]! + 1]! += 1;
  }
  for (let v = 0; v < count; v++) offsets[v + 1]! += offsets[v]!;
  const fill = offsets.slice(0, count);
  const arcs = new Int32Array(2 * m);
  for (let e = 0; e < m; e++) {
    arcs[fill[ea[e]!]!++] = e;
    arcs[fill[eb[e]!]!++] = e;
  }
  const used = new Uint8Array(m);
  const cursorOf = offsets.slice(0, count);
  const stack = new Int32Array(m + 1);
  let top = 0;
  stack[0] = start;
  const circuit: number[] = [];
  while (top >= 0) {
    const u = stack[top]!;
    let c = cursorOf[u]!;
    while (c < offsets[u + 1]! && used[arcs[c]!] === 1) c++;
    cursorOf[u] = c;
    if (c === offsets[u + 1]!) {
      circuit.push(u);
      top--;
      continue;
    }
    const e = arcs[c]!;
    used[e] = 1;
    stack[++top] = ea[e] === u ? eb[e]! : ea[e]!;
  }
  // The circuit comes out reversed; a closed walk read backwards is as short, so either direction will do.
  const firstSeen = new Int32Array(count).fill(-1);
  let seenCount = 0;
  for (const v of circuit) if (firstSeen[v] === -1) firstSeen[v] = seenCount++;
  return { nodes, firstSeen };
}
