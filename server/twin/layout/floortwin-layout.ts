/**
 * Floortwin's own layout file, `floortwin-layout/1`: a rack-aisle layout plus heights, bin sizes, zones, one-way lanes
 * and blocked segments. Pure. Its `rackAisle` part exports to the interchange format exactly.
 */
import type { Layout, RackAisleParams, Zone } from './types.ts';
import type { ParseResult } from './parse-result.ts';
import { describeValue, isRecord, parseError, parsed } from './parse-result.ts';
import { RACK_AISLE_FORMAT, layoutFromRackAisle, parseRackAisle } from './rack-aisle.ts';
import type { BlockedRule, LocationIdParts, OneWayRule, RackAisleDocument } from './rack-aisle.ts';

export type { BlockedRule, OneWayRule } from './rack-aisle.ts';

/** The format tag of a Floortwin layout file. */
export const FLOORTWIN_LAYOUT_FORMAT = 'floortwin-layout/1';

/** A named zone and which locations it takes (each filter optional; all given filters must match; first zone wins). */
export interface ZoneRule {
  readonly id: string;
  readonly name: string;
  readonly aisles?: readonly number[];
  readonly blocks?: readonly number[];
  readonly levels?: readonly number[];
}

/** A `floortwin-layout/1` document. Locations not matched by a zone rule fall in zone `B{block}`. */
export interface FloortwinLayoutDocument {
  readonly format: typeof FLOORTWIN_LAYOUT_FORMAT;
  readonly id: string;
  readonly name: string;
  readonly rackAisle: RackAisleDocument;
  /** Metres per rack level. */
  readonly levelHeight: number;
  /** Bin depth across the aisle, metres; below rackAisle.aisleSpacing / 2. */
  readonly binDepth: number;
  /** Units of an average item one bin holds. */
  readonly capacityUnits: number;
  readonly zones?: readonly ZoneRule[];
  readonly oneWay?: readonly OneWayRule[];
  readonly blocked?: readonly BlockedRule[];
}

const isPosInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1;
const isIntIn = (v: unknown, lo: number, hi: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;

function intList(v: unknown, lo: number, hi: number): readonly number[] | null {
  if (!Array.isArray(v) || v.length === 0) return null;
  const list: unknown[] = v;
  return list.every((n): n is number => isIntIn(n, lo, hi)) ? list : null;
}

/** Validates a `floortwin-layout/1` document, including its embedded rack-aisle part and every rule against it. */
export function parseFloortwinLayout(json: unknown): ParseResult<FloortwinLayoutDocument> {
  const where = 'floortwin layout';
  if (!isRecord(json)) return parseError(`${where}: expected a JSON object (got ${describeValue(json)})`);
  if (json.format !== FLOORTWIN_LAYOUT_FORMAT) {
    return parseError(`${where}: "format" must be "${FLOORTWIN_LAYOUT_FORMAT}" (got ${describeValue(json.format)})`);
  }
  for (const key of ['id', 'name'] as const) {
    const v = json[key];
    if (typeof v !== 'string' || v.length === 0) return parseError(`${where}: "${key}" must be a non-empty string (got ${describeValue(v)})`);
  }
  if (!isRecord(json.rackAisle)) return parseError(`${where}: "rackAisle" must be a rack-aisle/1 object (got ${describeValue(json.rackAisle)})`);
  // The embedded part may leave out its format tag; it is the interchange format either way.
  const ra = parseRackAisle({ format: RACK_AISLE_FORMAT, ...json.rackAisle });
  if (!ra.ok) return parseError(`${where}: rackAisle: ${ra.error.replace(/^rack-aisle layout: /, '')}`);
  const p = ra.params;
  for (const key of ['levelHeight', 'binDepth'] as const) {
    const v = json[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      return parseError(`${where}: "${key}" must be a positive number of metres (got ${describeValue(v)})`);
    }
  }
  if ((json.binDepth as number) >= p.aisleSpacing / 2) {
    return parseError(`${where}: "binDepth" must be less than half the aisle spacing (${p.aisleSpacing / 2})`);
  }
  if (!isPosInt(json.capacityUnits)) {
    return parseError(`${where}: "capacityUnits" must be a positive integer (got ${describeValue(json.capacityUnits)})`);
  }

  const zones: ZoneRule[] = [];
  if (json.zones !== undefined) {
    if (!Array.isArray(json.zones)) return parseError(`${where}: "zones" must be an array`);
    for (const [i, z] of json.zones.entries()) {
      if (!isRecord(z) || typeof z.id !== 'string' || z.id.length === 0 || typeof z.name !== 'string') {
        return parseError(`${where}: zones[${i}] must have a string "id" and "name"`);
      }
      const rule: { id: string; name: string; aisles?: readonly number[]; blocks?: readonly number[]; levels?: readonly number[] } =
        { id: z.id, name: z.name };
      const limits = { aisles: p.aisles, blocks: p.blocks, levels: p.levels } as const;
      for (const key of ['aisles', 'blocks', 'levels'] as const) {
        if (z[key] === undefined) continue;
        const list = intList(z[key], 1, limits[key]);
        if (list === null) return parseError(`${where}: zones[${i}].${key} must be a non-empty list of ${key} 1..${limits[key]}`);
        rule[key] = list;
      }
      zones.push(rule);
    }
  }

  const oneWay: OneWayRule[] = [];
  if (json.oneWay !== undefined) {
    if (!Array.isArray(json.oneWay)) return parseError(`${where}: "oneWay" must be an array`);
    for (const [i, r] of json.oneWay.entries()) {
      const bad = parseError<FloortwinLayoutDocument>(
        `${where}: oneWay[${i}] must be {"aisle": 1..${p.aisles}, "block"?: 1..${p.blocks}, "direction": "up"|"down"} or {"crossAisle": 0..${p.blocks}, "direction": "left"|"right"}`,
      );
      if (!isRecord(r)) return bad;
      if (r.aisle !== undefined) {
        if (!isIntIn(r.aisle, 1, p.aisles) || (r.block !== undefined && !isIntIn(r.block, 1, p.blocks))) return bad;
        if (r.direction !== 'up' && r.direction !== 'down') return bad;
        oneWay.push(r.block === undefined ? { aisle: r.aisle, direction: r.direction } : { aisle: r.aisle, block: r.block, direction: r.direction });
      } else {
        if (!isIntIn(r.crossAisle, 0, p.blocks) || (r.direction !== 'left' && r.direction !== 'right')) return bad;
        oneWay.push({ crossAisle: r.crossAisle, direction: r.direction });
      }
    }
  }

  const blocked: BlockedRule[] = [];
  if (json.blocked !== undefined) {
    if (!Array.isArray(json.blocked)) return parseError(`${where}: "blocked" must be an array`);
    const n = p.baysPerBlock;
    for (const [i, r] of json.blocked.entries()) {
      const bad = parseError<FloortwinLayoutDocument>(
        `${where}: blocked[${i}] must be {"aisle": 1..${p.aisles}, "block": 1..${p.blocks}, "fromBay"?: 0..${n}, "toBay"?: 1..${n + 1}} with fromBay < toBay, or {"crossAisle": 0..${p.blocks}, "fromAisle", "toAisle"} with different aisles`,
      );
      if (!isRecord(r)) return bad;
      if (r.aisle !== undefined) {
        if (!isIntIn(r.aisle, 1, p.aisles) || !isIntIn(r.block, 1, p.blocks)) return bad;
        const from = r.fromBay ?? 0;
        const to = r.toBay ?? n + 1;
        if (!isIntIn(from, 0, n) || !isIntIn(to, 1, n + 1) || from >= to) return bad;
        const rule: { aisle: number; block: number; fromBay?: number; toBay?: number } = { aisle: r.aisle, block: r.block };
        if (r.fromBay !== undefined) rule.fromBay = from;
        if (r.toBay !== undefined) rule.toBay = to;
        blocked.push(rule);
      } else {
        if (!isIntIn(r.crossAisle, 0, p.blocks) || !isIntIn(r.fromAisle, 1, p.aisles) || !isIntIn(r.toAisle, 1, p.aisles)) return bad;
        if (r.fromAisle === r.toAisle) return bad;
        blocked.push({ crossAisle: r.crossAisle, fromAisle: r.fromAisle, toAisle: r.toAisle });
      }
    }
  }

  const doc: {
    -readonly [K in keyof FloortwinLayoutDocument]: FloortwinLayoutDocument[K];
  } = {
    format: FLOORTWIN_LAYOUT_FORMAT,
    id: json.id as string,
    name: json.name as string,
    rackAisle: { format: RACK_AISLE_FORMAT, ...p },
    levelHeight: json.levelHeight as number,
    binDepth: json.binDepth as number,
    capacityUnits: json.capacityUnits,
  };
  if (json.zones !== undefined) doc.zones = zones;
  if (json.oneWay !== undefined) doc.oneWay = oneWay;
  if (json.blocked !== undefined) doc.blocked = blocked;
  return parsed(doc);
}

function zoneMatches(rule: ZoneRule, parts: LocationIdParts): boolean {
  return (rule.aisles?.includes(parts.aisle) ?? true)
    && (rule.blocks?.includes(parts.block) ?? true)
    && (rule.levels?.includes(parts.level) ?? true);
}

/** Builds the Layout of a validated `floortwin-layout/1` document. */
export function layoutFromFloortwin(doc: FloortwinLayoutDocument): Layout {
  const rules = doc.zones ?? [];
  const params: RackAisleParams = {
    id: doc.rackAisle.id,
    aisles: doc.rackAisle.aisles,
    blocks: doc.rackAisle.blocks,
    baysPerBlock: doc.rackAisle.baysPerBlock,
    levels: doc.rackAisle.levels,
    bayLength: doc.rackAisle.bayLength,
    aisleSpacing: doc.rackAisle.aisleSpacing,
    crossAisleWidth: doc.rackAisle.crossAisleWidth,
    depot: { x: doc.rackAisle.depot.x },
  };
  const zones: Zone[] = rules.map((r) => ({ id: r.id, name: r.name }));
  return layoutFromRackAisle(params, {
    id: doc.id,
    name: doc.name,
    levelHeight: doc.levelHeight,
    binDepth: doc.binDepth,
    capacityUnits: doc.capacityUnits,
    zones,
    zoneOf: (parts) => rules.find((r) => zoneMatches(r, parts))?.id ?? `B${parts.block}`,
    oneWay: doc.oneWay ?? [],
    blocked: doc.blocked ?? [],
  });
}

/** Reads a layout file of either format (`rack-aisle/1` or `floortwin-layout/1`, told apart by `format`) into a Layout. */
export function parseLayoutDocument(json: unknown): ParseResult<Layout> {
  if (isRecord(json) && json.format === FLOORTWIN_LAYOUT_FORMAT) {
    const doc = parseFloortwinLayout(json);
    return doc.ok ? parsed(layoutFromFloortwin(doc.value)) : doc;
  }
  if (isRecord(json) && json.format !== undefined && json.format !== RACK_AISLE_FORMAT) {
    return parseError(`layout: unknown "format" ${describeValue(json.format)} (expected "${RACK_AISLE_FORMAT}" or "${FLOORTWIN_LAYOUT_FORMAT}")`);
  }
  const ra = parseRackAisle(json);
  return ra.ok ? parsed(layoutFromRackAisle(ra.params)) : parseError(ra.error);
}
