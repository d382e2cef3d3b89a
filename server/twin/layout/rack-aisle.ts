/**
 * The rack-aisle interchange format (../shared/spec/rack-aisle-layout.md): parse, build a Layout with its walk graph,
 * export exactly, and the location id scheme. Pure.
 */
import type { LocationId } from '../ids.ts';
import { asLocationId } from '../ids.ts';
import type { Layout, Location, RackAisleParams, RackSide, WalkEdge, WalkGraph, WalkNode, Zone } from './types.ts';
import { describeValue, isRecord } from './parse-result.ts';

/** The format tag of a rack-aisle file. */
export const RACK_AISLE_FORMAT = 'rack-aisle/1';

/** A rack-aisle file as JSON: the format tag then the parameters, fields in the spec's order. */
export type RackAisleDocument = { readonly format: typeof RACK_AISLE_FORMAT } & RackAisleParams;

/** Guard against files that would build an absurd number of locations (memory), not a format rule. */
export const MAX_RACK_AISLE_LOCATIONS = 2_000_000;

const MAX_ANY = Number.MAX_SAFE_INTEGER;

function positiveInteger(o: Record<string, unknown>, key: string, where: string): number | string {
  const v = o[key];
  if (v === undefined) return `${where}: missing required field "${key}"`;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_ANY) {
    return `${where}: "${key}" must be a positive integer (got ${describeValue(v)})`;
  }
  return v;
}

function positiveNumber(o: Record<string, unknown>, key: string, where: string): number | string {
  const v = o[key];
  if (v === undefined) return `${where}: missing required field "${key}"`;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    return `${where}: "${key}" must be a positive number of metres (got ${describeValue(v)})`;
  }
  return v;
}

/**
 * Validates a rack-aisle/1 document. Every field is required except `depot` (default `{ x: 0 }`); counts are positive
 * integers, lengths positive numbers, and the depot lies on the front cross-aisle between aisle 1 and the last aisle.
 * Unknown extra fields are ignored.
 */
export function parseRackAisle(json: unknown): { ok: true; params: RackAisleParams } | { ok: false; error: string } {
  const where = 'rack-aisle layout';
  if (!isRecord(json)) return { ok: false, error: `${where}: expected a JSON object (got ${describeValue(json)})` };
  if (json.format === undefined) return { ok: false, error: `${where}: missing required field "format"` };
  if (json.format !== RACK_AISLE_FORMAT) {
    return { ok: false, error: `${where}: "format" must be "${RACK_AISLE_FORMAT}" (got ${describeValue(json.format)})` };
  }
  if (json.id === undefined) return { ok: false, error: `${where}: missing required field "id"` };
  if (typeof json.id !== 'string' || json.id.length === 0) {
    return { ok: false, error: `${where}: "id" must be a non-empty string (got ${describeValue(json.id)})` };
  }
  const aisles = positiveInteger(json, 'aisles', where);
  if (typeof aisles === 'string') return { ok: false, error: aisles };
  const blocks = positiveInteger(json, 'blocks', where);
  if (typeof blocks === 'string') return { ok: false, error: blocks };
  const baysPerBlock = positiveInteger(json, 'baysPerBlock', where);
  if (typeof baysPerBlock === 'string') return { ok: false, error: baysPerBlock };
  const levels = positiveInteger(json, 'levels', where);
  if (typeof levels === 'string') return { ok: false, error: levels };
  const bayLength = positiveNumber(json, 'bayLength', where);
  if (typeof bayLength === 'string') return { ok: false, error: bayLength };
  const aisleSpacing = positiveNumber(json, 'aisleSpacing', where);
  if (typeof aisleSpacing === 'string') return { ok: false, error: aisleSpacing };
  const crossAisleWidth = positiveNumber(json, 'crossAisleWidth', where);
  if (typeof crossAisleWidth === 'string') return { ok: false, error: crossAisleWidth };
  let depotX = 0;
  if (json.depot !== undefined) {
    if (!isRecord(json.depot)) {
      return { ok: false, error: `${where}: "depot" must be an object like {"x": 0} (got ${describeValue(json.depot)})` };
    }
    const x = json.depot.x;
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      return { ok: false, error: `${where}: "depot.x" must be a number of metres (got ${describeValue(x)})` };
    }
    depotX = x;
  }
  const maxX = (aisles - 1) * aisleSpacing;
  if (depotX < 0 || depotX > maxX) {
    return { ok: false, error: `${where}: "depot.x" must lie on the front cross-aisle, within [0, ${maxX}] (got ${depotX})` };
  }
  const count = aisles * blocks * baysPerBlock * levels * 2;
  if (count > MAX_RACK_AISLE_LOCATIONS) {
    return { ok: false, error: `${where}: ${count} locations is more than the supported ${MAX_RACK_AISLE_LOCATIONS}` };
  }
  return {
    ok: true,
    params: { id: json.id, aisles, blocks, baysPerBlock, levels, bayLength, aisleSpacing, crossAisleWidth, depot: { x: depotX } },
  };
}

/** The parts of a location id. */
export interface LocationIdParts {
  readonly aisle: number;
  readonly block: number;
  readonly bay: number;
  readonly side: RackSide;
  readonly level: number;
}

/** Formats `A{aisle, ≥2 digits}-B{block}-{bay, ≥3 digits}-{L|R}{level}`, e.g. `A03-B2-017-L4`. */
export function formatLocationId(parts: LocationIdParts): LocationId {
  const aisle = String(parts.aisle).padStart(2, '0');
  const bay = String(parts.bay).padStart(3, '0');
  return asLocationId(`A${aisle}-B${parts.block}-${bay}-${parts.side}${parts.level}`);
}

const LOCATION_ID = /^A(\d{2,})-B(\d+)-(\d{3,})-([LR])(\d+)$/;

/** Parses a location id in its canonical spelling (the one `formatLocationId` writes); null when it is not one. */
export function parseLocationId(id: string): LocationIdParts | null {
  const m = LOCATION_ID.exec(id);
  if (m === null) return null;
  const parts: LocationIdParts = {
    aisle: Number(m[1]),
    block: Number(m[2]),
    bay: Number(m[3]),
    side: m[4] === 'L' ? 'L' : 'R',
    level: Number(m[5]),
  };
  if (parts.aisle < 1 || parts.block < 1 || parts.bay < 1 || parts.level < 1) return null;
  return formatLocationId(parts) === id ? parts : null;
}

/** Distance between consecutive cross-aisle centrelines, metres. */
export const blockPitch = (p: RackAisleParams): number => p.baysPerBlock * p.bayLength + p.crossAisleWidth;
/** x of aisle `a`'s centreline (1-based), metres. */
export const aisleX = (p: RackAisleParams, a: number): number => (a - 1) * p.aisleSpacing;
/** y of cross-aisle `k`'s centreline (0 = front .. blocks = back), metres. */
export const crossAisleY = (p: RackAisleParams, k: number): number => k * blockPitch(p);
/** y of the pick point of bay `j` in block `b` (both 1-based), metres, per the spec formula. */
export const bayY = (p: RackAisleParams, b: number, j: number): number =>
  (b - 1) * blockPitch(p) + p.crossAisleWidth / 2 + (j - 0.5) * p.bayLength;

/** A one-way lane: an aisle (in one block or all) walkable only up (increasing y) or down, or a cross-aisle only left/right. */
export type OneWayRule =
  | { readonly aisle: number; readonly block?: number; readonly direction: 'up' | 'down' }
  | { readonly crossAisle: number; readonly direction: 'left' | 'right' };

/**
 * A blocked segment. In an aisle: the stretch of block `block` between bay `fromBay` and bay `toBay` pick points
 * (0 = the front cross-aisle junction, baysPerBlock + 1 = the back one; defaults: the whole block). Bays strictly
 * inside the stretch cannot be reached through it. In a cross-aisle: between aisles `fromAisle` and `toAisle`.
 */
export type BlockedRule =
  | { readonly aisle: number; readonly block: number; readonly fromBay?: number; readonly toBay?: number }
  | { readonly crossAisle: number; readonly fromAisle: number; readonly toAisle: number };

/** Extras a richer layout adds to the rack-aisle geometry. All optional. */
export interface LayoutBuildOptions {
  readonly id?: string;
  readonly name?: string;
  /** Height of one rack level, metres (z of level l is (l − 1) · levelHeight). */
  readonly levelHeight?: number;
  /** Bin depth across the aisle, metres; must be below aisleSpacing / 2. */
  readonly binDepth?: number;
  readonly capacityUnits?: number;
  /** Zone of a location; default `B{block}`. */
  readonly zoneOf?: (parts: LocationIdParts) => string;
  /** Zones to list first (with names); zones used but not listed are added as `{ id, name: id }`. */
  readonly zones?: readonly Zone[];
  readonly oneWay?: readonly OneWayRule[];
  readonly blocked?: readonly BlockedRule[];
}

/** Default rack level height, metres. */
export const DEFAULT_LEVEL_HEIGHT = 1.2;
/** Default capacity of one bin in units of an average item. */
export const DEFAULT_CAPACITY_UNITS = 100;
/** Default bin depth: a quarter of the aisle spacing, at most 1 m, so the walkway keeps half the spacing. */
export const defaultBinDepth = (p: RackAisleParams): number => Math.min(1, p.aisleSpacing / 4);

/** Node numbering: each aisle's centreline points are contiguous, front to back, junctions included. */
export function rackAisleNodeIds(p: RackAisleParams): {
  perAisle: number;
  junction: (aisle: number, crossAisle: number) => number;
  access: (aisle: number, block: number, bay: number) => number;
} {
  const perAisle = (p.blocks + 1) + p.blocks * p.baysPerBlock;
  const stride = p.baysPerBlock + 1;
  return {
    perAisle,
    junction: (a, k) => (a - 1) * perAisle + k * stride,
    access: (a, b, j) => (a - 1) * perAisle + (b - 1) * stride + j,
  };
}

/**
 * Builds every location (both sides, all levels of every bay) and the walk graph: nodes at every pick point and every
 * aisle/cross-aisle junction plus the depot, edges along aisle and cross-aisle centrelines.
 */
export function layoutFromRackAisle(params: RackAisleParams, options: LayoutBuildOptions = {}): Layout {
  const p = params;
  const ids = rackAisleNodeIds(p);
  const nodes: WalkNode[] = [];
  for (let a = 1; a <= p.aisles; a++) {
    const x = aisleX(p, a);
    for (let k = 0; k <= p.blocks; k++) {
      nodes.push({ id: nodes.length, x, y: crossAisleY(p, k), kind: 'junction' });
      if (k === p.blocks) break;
      for (let j = 1; j <= p.baysPerBlock; j++) nodes.push({ id: nodes.length, x, y: bayY(p, k + 1, j), kind: 'access' });
    }
  }
  // The depot is its own node on the front cross-aisle, unless it stands exactly at an aisle's junction.
  // Compared with a tolerance: (a − 1) · spacing and depot.x may differ in the last bit for the same point.
  const depotAisle = Math.min(p.aisles, Math.max(1, Math.round(p.depot.x / p.aisleSpacing) + 1));
  const onAisle = Math.abs(aisleX(p, depotAisle) - p.depot.x) <= 1e-9 * Math.max(1, p.aisleSpacing * p.aisles);
  let depotNode: number;
  if (onAisle) {
    depotNode = ids.junction(depotAisle, 0);
    nodes[depotNode] = { id: depotNode, x: aisleX(p, depotAisle), y: 0, kind: 'depot' };
  } else {
    depotNode = nodes.length;
    nodes.push({ id: depotNode, x: p.depot.x, y: 0, kind: 'depot' });
  }

  const oneWay = options.oneWay ?? [];
  const blocked = options.blocked ?? [];
  const edges: WalkEdge[] = [];
  const addEdge = (a: number, b: number, flags: { oneWayFrom?: number; blocked?: boolean }): void => {
    const na = nodes[a];
    const nb = nodes[b];
    if (na === undefined || nb === undefined) throw new Error(`walk graph: bad node ${a} or ${b}`);
    const length = Math.abs(na.x - nb.x) + Math.abs(na.y - nb.y);
    const from = flags.oneWayFrom;
    const edge: { a: number; b: number; length: number; oneWay?: boolean; blocked?: boolean } =
      from === undefined || from === a ? { a, b, length } : { a: b, b: a, length };
    if (from !== undefined) edge.oneWay = true;
    if (flags.blocked === true) edge.blocked = true;
    edges.push(edge);
  };

  // Aisle edges: position q..q+1 along block b of aisle a (q = 0 is the front junction, baysPerBlock + 1 the back).
  for (let a = 1; a <= p.aisles; a++) {
    for (let b = 1; b <= p.blocks; b++) {
      const dir = findLast(oneWay, (r) => 'aisle' in r && r.aisle === a && (r.block === undefined || r.block === b));
      const base = ids.junction(a, b - 1);
      for (let q = 0; q <= p.baysPerBlock; q++) {
        const lo = base + q;
        const hi = base + q + 1;
        const isBlocked = blocked.some(
          (r) => 'aisle' in r && r.aisle === a && r.block === b && q >= (r.fromBay ?? 0) && q + 1 <= (r.toBay ?? p.baysPerBlock + 1),
        );
        const flags: { oneWayFrom?: number; blocked?: boolean } = { blocked: isBlocked };
        if (dir !== undefined) flags.oneWayFrom = dir.direction === 'up' ? lo : hi;
        addEdge(lo, hi, flags);
      }
    }
  }
  // Cross-aisle edges between neighbouring aisles; the front one is split at the depot when it lies between aisles.
  for (let k = 0; k <= p.blocks; k++) {
    const dir = findLast(oneWay, (r) => 'crossAisle' in r && r.crossAisle === k);
    for (let a = 1; a < p.aisles; a++) {
      const isBlocked = blocked.some(
        (r) => 'crossAisle' in r && r.crossAisle === k && a >= Math.min(r.fromAisle, r.toAisle) && a + 1 <= Math.max(r.fromAisle, r.toAisle),
      );
      const left = ids.junction(a, k);
      const right = ids.junction(a + 1, k);
      const stops = k === 0 && !onAisle && p.depot.x > aisleX(p, a) && p.depot.x < aisleX(p, a + 1)
        ? [left, depotNode, right]
        : [left, right];
      for (let s = 0; s + 1 < stops.length; s++) {
        const u = stops[s] ?? 0;
        const v = stops[s + 1] ?? 0;
        const flags: { oneWayFrom?: number; blocked?: boolean } = { blocked: isBlocked };
        if (dir !== undefined) flags.oneWayFrom = dir.direction === 'right' ? u : v;
        addEdge(u, v, flags);
      }
    }
  }

  const levelHeight = options.levelHeight ?? DEFAULT_LEVEL_HEIGHT;
  const depth = options.binDepth ?? defaultBinDepth(p);
  const capacityUnits = options.capacityUnits ?? DEFAULT_CAPACITY_UNITS;
  const zoneOf = options.zoneOf ?? ((parts: LocationIdParts) => `B${parts.block}`);
  const offset = p.aisleSpacing / 2 - depth / 2;
  const locations: Location[] = [];
  const zoneIds = new Set<string>();
  for (let a = 1; a <= p.aisles; a++) {
    const x = aisleX(p, a);
    for (let b = 1; b <= p.blocks; b++) {
      for (let j = 1; j <= p.baysPerBlock; j++) {
        const y = bayY(p, b, j);
        const accessNode = ids.access(a, b, j);
        for (const side of ['L', 'R'] as const) {
          for (let level = 1; level <= p.levels; level++) {
            const parts: LocationIdParts = { aisle: a, block: b, bay: j, side, level };
            const zone = zoneOf(parts);
            zoneIds.add(zone);
            locations.push({
              id: formatLocationId(parts),
              index: locations.length,
              // Looking up the aisle (increasing y), L is the rack on the left (smaller x).
              x: side === 'L' ? x - offset : x + offset,
              y,
              z: (level - 1) * levelHeight,
              width: p.bayLength,
              depth,
              height: levelHeight,
              capacityUnits,
              zone,
              aisle: a,
              block: b,
              bay: j,
              side,
              level,
              access: { x, y },
              accessNode,
            });
          }
        }
      }
    }
  }
  const zones: Zone[] = [...(options.zones ?? [])];
  for (const z of [...zoneIds].sort()) if (!zones.some((d) => d.id === z)) zones.push({ id: z, name: z });

  const graph: WalkGraph = { nodes, edges, depotNode };
  return {
    id: options.id ?? p.id,
    name: options.name ?? p.id,
    locations,
    zones,
    graph,
    depot: { x: p.depot.x, y: 0 },
    rackAisle: p,
  };
}

function findLast<T>(items: readonly T[], pred: (t: T) => boolean): T | undefined {
  for (let i = items.length - 1; i >= 0; i--) {
    const t = items[i];
    if (t !== undefined && pred(t)) return t;
  }
  return undefined;
}

/** Exports the rack-aisle parameters a layout was built from, exactly, fields in the spec's order. Throws when it has none. */
export function exportRackAisle(layout: Layout): RackAisleDocument {
  const p = layout.rackAisle;
  if (p === undefined) throw new Error(`layout ${layout.id} is not a rack-aisle layout`);
  return {
    format: RACK_AISLE_FORMAT,
    id: p.id,
    aisles: p.aisles,
    blocks: p.blocks,
    baysPerBlock: p.baysPerBlock,
    levels: p.levels,
    bayLength: p.bayLength,
    aisleSpacing: p.aisleSpacing,
    crossAisleWidth: p.crossAisleWidth,
    depot: { x: p.depot.x },
  };
}
