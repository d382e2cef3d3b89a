import { describe, expect, it } from 'vitest';
import { asLocationId } from '../ids.ts';
import type { Layout } from './types.ts';
import {
  bayY,
  crossAisleY,
  exportRackAisle,
  formatLocationId,
  layoutFromRackAisle,
  parseLocationId,
  parseRackAisle,
} from './rack-aisle.ts';
import { shortestDistance } from '../../../solver/routing/distance-oracle.ts';

const specExample = {
  format: 'rack-aisle/1',
  id: 'demo-2block',
  aisles: 10,
  blocks: 2,
  baysPerBlock: 20,
  levels: 4,
  bayLength: 1.0,
  aisleSpacing: 3.0,
  crossAisleWidth: 2.0,
  depot: { x: 0 },
};

function build(json: unknown): Layout {
  const r = parseRackAisle(json);
  if (!r.ok) throw new Error(r.error);
  return layoutFromRackAisle(r.params);
}

function at(layout: Layout, id: string): number {
  const loc = layout.locations.find((l) => l.id === id);
  if (loc === undefined) throw new Error(`no ${id}`);
  return loc.accessNode;
}

describe('parseRackAisle', () => {
  it('[L1] accepts the spec example', () => {
    const r = parseRackAisle(specExample);
    expect(r.ok).toBe(true);
  });

  it('[L1] defaults the depot to x = 0', () => {
    const { depot: _d, ...rest } = specExample;
    const r = parseRackAisle(rest);
    expect(r.ok && r.params.depot).toEqual({ x: 0 });
  });

  it.each([
    ['format', { ...specExample, format: 'rack-aisle/2' }, /format/],
    ['missing aisles', { ...specExample, aisles: undefined }, /"aisles"/],
    ['zero blocks', { ...specExample, blocks: 0 }, /"blocks" must be a positive integer/],
    ['fractional bays', { ...specExample, baysPerBlock: 2.5 }, /"baysPerBlock"/],
    ['string levels', { ...specExample, levels: '4' }, /"levels"/],
    ['negative bay length', { ...specExample, bayLength: -1 }, /"bayLength" must be a positive number/],
    ['zero spacing', { ...specExample, aisleSpacing: 0 }, /"aisleSpacing"/],
    ['missing cross-aisle width', { ...specExample, crossAisleWidth: undefined }, /"crossAisleWidth"/],
    ['depot off the cross-aisle', { ...specExample, depot: { x: 27.5 } }, /depot\.x/],
    ['depot negative', { ...specExample, depot: { x: -1 } }, /depot\.x/],
    ['depot not an object', { ...specExample, depot: 3 }, /depot/],
    ['empty id', { ...specExample, id: '' }, /"id"/],
    ['not an object', [1, 2], /JSON object/],
  ])('[L1] rejects %s', (_name, json, message) => {
    const r = parseRackAisle(json);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toMatch(message);
      expect(r.error).not.toContain('\n');
    }
  });
});

describe('round trip parse → layout → export', () => {
  const files = [
    specExample,
    { format: 'rack-aisle/1', id: 'single', aisles: 1, blocks: 1, baysPerBlock: 1, levels: 1, bayLength: 1.3, aisleSpacing: 2.7, crossAisleWidth: 1.5, depot: { x: 0 } },
    { format: 'rack-aisle/1', id: 'mid-depot', aisles: 7, blocks: 3, baysPerBlock: 12, levels: 6, bayLength: 0.9, aisleSpacing: 3.25, crossAisleWidth: 2.5, depot: { x: 8.125 } },
    { format: 'rack-aisle/1', id: 'wide', aisles: 120, blocks: 1, baysPerBlock: 4, levels: 2, bayLength: 2, aisleSpacing: 4, crossAisleWidth: 3, depot: { x: 476 } },
  ];
  it.each(files.map((f) => [f.id, f] as const))('[L2] %s round-trips exactly, field order included', (_id, file) => {
    const out = exportRackAisle(build(file));
    expect(out).toEqual(file);
    expect(JSON.stringify(out)).toBe(JSON.stringify(file));
  });
});

describe('geometry', () => {
  const layout = build(specExample);

  it('[L4] builds every location: both sides, all levels', () => {
    expect(layout.locations).toHaveLength(10 * 2 * 20 * 4 * 2);
    expect(new Set(layout.locations.map((l) => l.id)).size).toBe(layout.locations.length);
    layout.locations.forEach((l, i) => expect(l.index).toBe(i));
  });

  it('[L3] places bay pick points by the spec formula (hand-computed)', () => {
    const p = layout.rackAisle!;
    // pitch = 20 · 1 + 2 = 22; y = (b − 1) · 22 + 1 + (j − 0.5)
    expect(bayY(p, 1, 1)).toBeCloseTo(1.5);
    expect(bayY(p, 1, 2)).toBeCloseTo(2.5);
    expect(bayY(p, 1, 20)).toBeCloseTo(20.5);
    expect(bayY(p, 2, 1)).toBeCloseTo(23.5);
    expect(bayY(p, 2, 17)).toBeCloseTo(39.5);
    expect(crossAisleY(p, 0)).toBe(0);
    expect(crossAisleY(p, 1)).toBe(22);
    expect(crossAisleY(p, 2)).toBe(44);
    const loc = layout.locations.find((l) => l.id === 'A03-B2-017-L4')!;
    expect(loc.access).toEqual({ x: 6, y: 39.5 });
    expect(loc.y).toBeCloseTo(39.5);
    expect(loc.z).toBeCloseTo(3 * 1.2);
    expect(loc.zone).toBe('B2');
    // L is left of the centreline (smaller x), R right, each half a spacing minus half a depth away.
    expect(loc.x).toBeCloseTo(6 - (1.5 - loc.depth / 2));
    const r = layout.locations.find((l) => l.id === 'A03-B2-017-R4')!;
    expect(r.x).toBeCloseTo(6 + (1.5 - r.depth / 2));
    expect(r.accessNode).toBe(loc.accessNode);
  });

  it('[L5] measures shortest walks on the aisle network (hand-computed)', () => {
    const g = layout.graph;
    const depot = g.depotNode;
    expect(g.nodes[depot]).toMatchObject({ x: 0, y: 0, kind: 'depot' });
    // Depot (0,0) → A07-B1-002 (18, 2.5): along the front cross-aisle then up aisle 7.
    expect(shortestDistance(g, depot, at(layout, 'A07-B1-002-R1'))).toBeCloseTo(20.5);
    // A07-B1-002 → A03-B2-017: 12 across, 37 up, through the middle cross-aisle.
    expect(shortestDistance(g, at(layout, 'A07-B1-002-R1'), at(layout, 'A03-B2-017-L4'))).toBeCloseTo(49);
    // Neighbouring aisles near the back of block 2: out by the back cross-aisle (4.5 + 3 + 4.5).
    expect(shortestDistance(g, at(layout, 'A03-B2-017-L1'), at(layout, 'A04-B2-017-L1'))).toBeCloseTo(12);
    // Neighbouring aisles at bay 3 of block 1 (y = 3.5): out by the front cross-aisle.
    expect(shortestDistance(g, at(layout, 'A01-B1-003-R1'), at(layout, 'A02-B1-003-L1'))).toBeCloseTo(3.5 + 3 + 3.5);
    // Same aisle, other block: straight along the aisle through the junction.
    expect(shortestDistance(g, at(layout, 'A05-B1-020-R1'), at(layout, 'A05-B2-001-R1'))).toBeCloseTo(3);
  });

  it('[L5] puts a depot between aisles on the front cross-aisle', () => {
    const mid = build({ ...specExample, depot: { x: 4.5 } });
    const g = mid.graph;
    expect(g.nodes[g.depotNode]).toMatchObject({ x: 4.5, y: 0, kind: 'depot' });
    expect(shortestDistance(g, g.depotNode, at(mid, 'A03-B1-001-L1'))).toBeCloseTo(1.5 + 1.5);
    expect(shortestDistance(g, g.depotNode, at(mid, 'A02-B1-001-L1'))).toBeCloseTo(1.5 + 1.5);
    expect(shortestDistance(g, g.depotNode, at(mid, 'A01-B1-001-L1'))).toBeCloseTo(4.5 + 1.5);
    expect(mid.graph.nodes).toHaveLength(layout.graph.nodes.length + 1);
  });

  it('[L5] joins a depot on an aisle despite floating-point spacing (0.3 = 3 × 0.1)', () => {
    const odd = build({ ...specExample, aisles: 5, aisleSpacing: 0.1, bayLength: 0.1, crossAisleWidth: 0.1, depot: { x: 0.3 } });
    const g = odd.graph;
    expect(g.nodes[g.depotNode]!.kind).toBe('depot');
    for (const l of odd.locations.slice(0, 50)) expect(shortestDistance(g, g.depotNode, l.accessNode)).toBeLessThan(Infinity);
    expect(g.nodes).toHaveLength(layout.graph.nodes.length / 2);
  });

  it('[L5] has no edges outside aisles 1..last on the cross-aisles', () => {
    const maxX = 27;
    for (const n of layout.graph.nodes) expect(n.x).toBeGreaterThanOrEqual(0);
    for (const n of layout.graph.nodes) expect(n.x).toBeLessThanOrEqual(maxX);
  });
});

describe('location ids', () => {
  it('[L4] formats per the spec', () => {
    expect(formatLocationId({ aisle: 3, block: 2, bay: 17, side: 'L', level: 4 })).toBe('A03-B2-017-L4');
    expect(formatLocationId({ aisle: 123, block: 1, bay: 1234, side: 'R', level: 12 })).toBe('A123-B1-1234-R12');
  });
  it('parses canonical ids and rejects others', () => {
    expect(parseLocationId('A03-B2-017-L4')).toEqual({ aisle: 3, block: 2, bay: 17, side: 'L', level: 4 });
    expect(parseLocationId('A123-B1-1234-R12')).toEqual({ aisle: 123, block: 1, bay: 1234, side: 'R', level: 12 });
    for (const bad of ['A3-B2-017-L4', 'A003-B2-017-L4', 'A03-B2-17-L4', 'A03-B2-017-X4', 'A03-B02-017-L4', 'A00-B1-001-L1', 'a03-B2-017-L4', '']) {
      expect(parseLocationId(bad)).toBeNull();
    }
  });
  it('every built id parses back to its location', () => {
    const layout = build(specExample);
    for (const l of layout.locations.slice(0, 500)) {
      expect(parseLocationId(l.id)).toEqual({ aisle: l.aisle, block: l.block, bay: l.bay, side: l.side, level: l.level });
    }
    expect(asLocationId('A10-B2-020-R4')).toBe(layout.locations[layout.locations.length - 1]!.id);
  });
});
