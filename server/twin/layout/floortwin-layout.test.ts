import { describe, expect, it } from 'vitest';
import { FLOORTWIN_LAYOUT_FORMAT, layoutFromFloortwin, parseFloortwinLayout, parseLayoutDocument } from './floortwin-layout.ts';
import { exportRackAisle } from './rack-aisle.ts';

const rackAisle = {
  format: 'rack-aisle/1',
  id: 'ra',
  aisles: 4,
  blocks: 2,
  baysPerBlock: 5,
  levels: 3,
  bayLength: 1,
  aisleSpacing: 3,
  crossAisleWidth: 2,
  depot: { x: 1.5 },
};
const doc = {
  format: FLOORTWIN_LAYOUT_FORMAT,
  id: 'site-layout',
  name: 'Test site',
  rackAisle,
  levelHeight: 1.5,
  binDepth: 0.8,
  capacityUnits: 60,
  zones: [{ id: 'FAST', name: 'Fast movers', aisles: [1, 2], blocks: [1], levels: [1, 2] }],
  oneWay: [{ aisle: 2, direction: 'up' }, { crossAisle: 2, direction: 'right' }],
  blocked: [{ aisle: 3, block: 1, fromBay: 2, toBay: 4 }, { crossAisle: 1, fromAisle: 3, toAisle: 4 }],
};

describe('floortwin-layout/1', () => {
  it('parses and builds a layout with extras', () => {
    const r = parseFloortwinLayout(doc);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const layout = layoutFromFloortwin(r.value);
    expect(layout.id).toBe('site-layout');
    expect(layout.name).toBe('Test site');
    expect(layout.locations).toHaveLength(4 * 2 * 5 * 3 * 2);
    const l = layout.locations.find((x) => x.id === 'A01-B1-002-L2')!;
    expect(l.zone).toBe('FAST');
    expect(l.z).toBeCloseTo(1.5);
    expect(l.depth).toBe(0.8);
    expect(l.capacityUnits).toBe(60);
    expect(layout.locations.find((x) => x.id === 'A01-B1-002-L3')!.zone).toBe('B1');
    expect(layout.zones.map((z) => z.id)).toEqual(['FAST', 'B1', 'B2']);
    expect(layout.zones[0]).toEqual({ id: 'FAST', name: 'Fast movers' });
  });

  it('[L2] exports its rack-aisle part exactly', () => {
    const layout = parseLayoutDocument(doc);
    expect(layout.ok).toBe(true);
    if (layout.ok) expect(JSON.stringify(exportRackAisle(layout.value))).toBe(JSON.stringify(rackAisle));
  });

  it('[L6] flags one-way and blocked edges in the walk graph', () => {
    const r = parseLayoutDocument(doc);
    if (!r.ok) throw new Error(r.error);
    const g = r.value.graph;
    const aisle2 = g.edges.filter((e) => g.nodes[e.a]!.x === 3 && g.nodes[e.b]!.x === 3);
    expect(aisle2.length).toBe(2 * 6);
    for (const e of aisle2) {
      expect(e.oneWay).toBe(true);
      expect(g.nodes[e.b]!.y).toBeGreaterThan(g.nodes[e.a]!.y);
    }
    const aisle3Blocked = g.edges.filter((e) => e.blocked === true && g.nodes[e.a]!.x === 6 && g.nodes[e.b]!.x === 6);
    // Between bay 2 and bay 4 pick points: two edges.
    expect(aisle3Blocked.map((e) => [g.nodes[e.a]!.y, g.nodes[e.b]!.y])).toEqual([[2.5, 3.5], [3.5, 4.5]]);
    const crossBlocked = g.edges.filter((e) => e.blocked === true && g.nodes[e.a]!.y === g.nodes[e.b]!.y);
    expect(crossBlocked.map((e) => [g.nodes[e.a]!.x, g.nodes[e.b]!.x, g.nodes[e.a]!.y])).toEqual([[6, 9, 7]]);
    const back = g.edges.filter((e) => g.nodes[e.a]!.y === 14 && g.nodes[e.b]!.y === 14);
    expect(back.every((e) => e.oneWay === true && g.nodes[e.b]!.x > g.nodes[e.a]!.x)).toBe(true);
  });

  it('reads a plain rack-aisle file through the same entry point', () => {
    const r = parseLayoutDocument(rackAisle);
    expect(r.ok && r.value.locations.length).toBe(240);
  });

  it.each([
    ['unknown format', { ...doc, format: 'floortwin-layout/9' }, /format/],
    ['bad rack-aisle part', { ...doc, rackAisle: { ...rackAisle, aisles: 0 } }, /rackAisle: "aisles"/],
    ['bin too deep', { ...doc, binDepth: 1.5 }, /binDepth/],
    ['capacity', { ...doc, capacityUnits: 0 }, /capacityUnits/],
    ['zone aisle out of range', { ...doc, zones: [{ id: 'Z', name: 'z', aisles: [9] }] }, /zones\[0\]\.aisles/],
    ['one-way direction', { ...doc, oneWay: [{ aisle: 1, direction: 'left' }] }, /oneWay\[0\]/],
    ['blocked range', { ...doc, blocked: [{ aisle: 1, block: 1, fromBay: 4, toBay: 2 }] }, /blocked\[0\]/],
    ['missing name', { ...doc, name: undefined }, /"name"/],
  ])('rejects %s', (_n, json, message) => {
    const r = parseLayoutDocument(json);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });

  it('rejects an unknown format tag naming it', () => {
    const r = parseLayoutDocument({ format: 'cad/3' });
    expect(r.ok === false && r.error).toMatch(/cad\/3/);
  });
});
