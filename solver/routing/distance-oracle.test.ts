import { describe, expect, it } from 'vitest';
import { createRng, randomInt } from '../../server/twin/rng.ts';
import type { Rng } from '../../server/twin/rng.ts';
import type { WalkGraph } from '../../server/twin/layout/types.ts';
import { parseLayoutDocument } from '../../server/twin/layout/floortwin-layout.ts';
import { shortestDistance, shortestPathNodes, walkPolyline } from './distance-oracle.ts';
import { shortestFrom } from './shortest-paths.ts';

function randomLayout(rng: Rng): WalkGraph {
  const aisles = randomInt(rng, 1, 7);
  const blocks = randomInt(rng, 1, 3);
  const bays = randomInt(rng, 1, 6);
  const spacing = 3;
  const oneWay: unknown[] = [];
  const blocked: unknown[] = [];
  for (let i = randomInt(rng, 0, 4); i > 0; i--) {
    if (rng.next() < 0.7) oneWay.push({ aisle: randomInt(rng, 1, aisles), ...(rng.next() < 0.5 ? { block: randomInt(rng, 1, blocks) } : {}), direction: rng.next() < 0.5 ? 'up' : 'down' });
    else oneWay.push({ crossAisle: randomInt(rng, 0, blocks), direction: rng.next() < 0.5 ? 'left' : 'right' });
  }
  for (let i = randomInt(rng, 0, 3); i > 0; i--) {
    if (rng.next() < 0.7) {
      const from = randomInt(rng, 0, bays);
      blocked.push({ aisle: randomInt(rng, 1, aisles), block: randomInt(rng, 1, blocks), fromBay: from, toBay: randomInt(rng, from + 1, bays + 1) });
    } else if (aisles > 1) {
      const a = randomInt(rng, 1, aisles - 1);
      blocked.push({ crossAisle: randomInt(rng, 0, blocks), fromAisle: a, toAisle: randomInt(rng, a + 1, aisles) });
    }
  }
  const r = parseLayoutDocument({
    format: 'floortwin-layout/1', id: 'r', name: 'r', levelHeight: 1, binDepth: 0.5, capacityUnits: 10, oneWay, blocked,
    rackAisle: {
      format: 'rack-aisle/1', id: 'r', aisles, blocks, baysPerBlock: bays, levels: 1, bayLength: 1, aisleSpacing: spacing,
      crossAisleWidth: 2, depot: { x: rng.next() < 0.5 ? 0 : Math.round(rng.next() * (aisles - 1) * spacing * 2) / 2 },
    },
  });
  if (!r.ok) throw new Error(r.error);
  return r.value.graph;
}

describe('[R1] distance oracle', () => {
  it('equals plain Dijkstra on every pair, with one-way lanes and blocked segments', () => {
    const rng = createRng(99);
    for (let t = 0; t < 60; t++) {
      const g = randomLayout(rng);
      for (let u = 0; u < g.nodes.length; u++) {
        const ref = shortestFrom(g, u).dist;
        for (let v = 0; v < g.nodes.length; v++) expect(shortestDistance(g, u, v)).toBeCloseTo(ref[v]!, 9);
      }
    }
  });

  it('returns walks along allowed edges whose length is the distance', () => {
    const rng = createRng(5);
    for (let t = 0; t < 40; t++) {
      const g = randomLayout(rng);
      const allowed = new Map<string, number>();
      for (const e of g.edges) {
        if (e.blocked === true) continue;
        allowed.set(`${e.a}>${e.b}`, e.length);
        if (e.oneWay !== true) allowed.set(`${e.b}>${e.a}`, e.length);
      }
      for (let k = 0; k < 40; k++) {
        const u = randomInt(rng, 0, g.nodes.length - 1);
        const v = randomInt(rng, 0, g.nodes.length - 1);
        const d = shortestDistance(g, u, v);
        const path = shortestPathNodes(g, u, v);
        if (!Number.isFinite(d)) {
          expect(path).toBeNull();
          continue;
        }
        expect(path![0]).toBe(u);
        expect(path![path!.length - 1]).toBe(v);
        let length = 0;
        for (let i = 1; i < path!.length; i++) {
          const leg = allowed.get(`${path![i - 1]}>${path![i]}`);
          expect(leg).toBeDefined();
          length += leg!;
        }
        expect(length).toBeCloseTo(d, 9);
      }
    }
  });

  it('draws a closed polyline through the stops', () => {
    const rng = createRng(8);
    const g = randomLayout(rng);
    const stops = [g.depotNode];
    const line = walkPolyline(g, stops);
    expect(line).toEqual([{ x: g.nodes[g.depotNode]!.x, y: 0 }]);
  });
});
