import { describe, expect, it } from 'vitest';
import { asLocationId } from '../../server/twin/ids.ts';
import { generateSite } from '../../server/twin/layout/generator.ts';
import { isRouteError, planRoute } from '../../solver/routing/plan-route.ts';
import { AisleSegments, SegmentBoard } from './aisle-segments.ts';
import { dailyInstants, dailyWindows } from './time-of-day.ts';
import { TripPlanner } from './trip-planner.ts';

const { site } = generateSite(
  { id: 'trips', name: 'Trips', aisles: 4, blocks: 2, baysPerBlock: 6, levels: 1, capacityUnits: 20, skuCount: 30, tenants: 1, stockFillRatio: 0.5, baseDate: '2026-11-01' },
  3,
);
const layout = site.layout;
const segments = new AisleSegments(layout);
const ids = ['A01-B1-003-L1', 'A03-B2-005-R1', 'A02-B1-001-L1', 'A04-B2-002-L1', 'A03-B2-005-L1'].map(asLocationId);

describe('TripPlanner', () => {
  it('[M4] cuts the solver route into one leg per stop plus the way back, as long as the route', () => {
    const trip = new TripPlanner(layout, 'best', segments).plan(ids);
    const route = planRoute({ layout, picks: ids, method: 'best' });
    if (isRouteError(route)) throw new Error(route.error.message);
    // A03-B2-005 L and R share an access node: one stop.
    expect(trip.stops).toHaveLength(4);
    expect(trip.legs).toHaveLength(5);
    const nodes = route.sequence.map((id) => layout.locations.find((l) => l.id === id)?.accessNode);
    expect(trip.stops).toEqual([...new Set(nodes)]);
    expect(trip.metres).toBeCloseTo(route.distance, 6);
    expect(trip.legs.reduce((m, leg) => m + leg.metres, 0)).toBeCloseTo(route.distance, 6);
    // Each leg ends where its stop is.
    trip.stops.forEach((node, k) => {
      const end = trip.legs[k]?.points.at(-1);
      expect(end).toEqual({ x: layout.graph.nodes[node]?.x, y: layout.graph.nodes[node]?.y });
    });
  });

  it('[M4] plans a pick set once: the same locations in another order give the same trip', () => {
    const planner = new TripPlanner(layout, 'best', segments);
    expect(planner.plan([...ids].reverse())).toBe(planner.plan(ids));
    expect(planner.lastFallback).toBeNull();
  });
});

describe('AisleSegments', () => {
  it('[M6] gives one segment per aisle and block, and counts a walk along an aisle in it', () => {
    expect(segments.count).toBe(4 * 2);
    const seen = new Map<string, number>();
    for (const loc of layout.locations) {
      const s = segments.segmentOfAccessNode(loc.accessNode);
      const key = `${loc.aisle}|${loc.block}`;
      expect(seen.get(key) ?? s).toBe(s);
      seen.set(key, s);
    }
    expect(new Set(seen.values()).size).toBe(8);
    const a = layout.locations.find((l) => l.id === 'A02-B1-001-L1')?.access;
    const b = layout.locations.find((l) => l.id === 'A02-B1-004-L1')?.access;
    if (a === undefined || b === undefined) throw new Error('locations missing');
    expect(segments.segmentOfPiece(a, b)).toBe(seen.get('2|1'));
    // Across the aisles (a cross-aisle walk) is in none.
    expect(segments.segmentOfPiece({ x: 0, y: 0 }, { x: 3, y: 0 })).toBe(-1);
  });

  it('[M6] lets pickersPerSegment pick at once and hands places over first in, first out', () => {
    const board = new SegmentBoard(2, 1);
    const order: string[] = [];
    expect(board.enter(0, () => order.push('never'))).toBe(true);
    expect(board.enter(0, () => order.push('second'))).toBe(false);
    expect(board.enter(0, () => order.push('third'))).toBe(false);
    expect(board.enter(1, () => order.push('never'))).toBe(true);
    expect(board.occupants(0)).toBe(3);
    board.leave(0);
    board.leave(0);
    expect(order).toEqual(['second', 'third']);
    expect(board.occupants(0)).toBe(1);
    board.leave(0);
    expect(board.occupants(0)).toBe(0);
  });
});

describe('daily times', () => {
  const day = Date.UTC(2026, 10, 27);
  const h = (n: number): number => n * 3_600_000;

  it('[M3] clips shift windows to the run and runs a night shift past midnight', () => {
    expect(dailyWindows(h(6), h(14), day + h(8), day + h(20))).toEqual([{ start: day + h(8), end: day + h(14) }]);
    expect(dailyWindows(h(22), h(6), day + h(20), day + h(44))).toEqual([{ start: day + h(22), end: day + h(30) }]);
    // A 24-hour pattern over two days is one window.
    expect(dailyWindows(h(0), h(0), day, day + h(48))).toEqual([{ start: day, end: day + h(48) }]);
  });

  it('[M7] lists the daily instants of a time in a window, start included, end excluded', () => {
    expect(dailyInstants(h(17), day + h(6), day + h(17))).toEqual([]);
    expect(dailyInstants(h(17), day + h(6), day + h(17) + 1)).toEqual([day + h(17)]);
    expect(dailyInstants(h(6), day + h(6), day + h(54))).toEqual([day + h(6), day + h(30)]);
  });
});
