import { describe, expect, it } from 'vitest';
import type { NoRouteView, RouteView } from '../../../server/protocol/route.ts';
import { RouteStore } from './route-store.ts';

const plan = (seq: number, taskIds: string[], operativeId = 'P1'): RouteView => ({
  siteId: 's', operativeId, seq, method: 'test', distanceM: 10, plannedAt: 0,
  stops: taskIds.map((taskId) => ({
    taskId, orderId: 'o', locationId: 'A01-B1-001-L1', skuId: 'k', skuDescription: 'd', qty: 1, x: 0, y: 0, status: 'open' as const,
  })),
  path: [0, 0, 0, 10],
});
const none = (reason: NoRouteView['reason'], operativeId = 'P1'): NoRouteView => ({ siteId: 's', operativeId, reason, message: reason });

describe('RouteStore', () => {
  it('holds the route of the watched operative only', () => {
    const store = new RouteStore();
    store.setOperative('P1');
    expect(store.applyRoute(plan(1, ['a']), 0)).toBe('applied');
    expect(store.applyRoute(plan(2, ['b'], 'P2'), 0)).toBe('other');
    expect(store.route?.stops[0]?.taskId).toBe('a');
    store.setOperative('P2');
    expect(store.route).toBeNull();
  });

  it('replaces a plan with a newer one and notes when it was re-planned; drops an older one', () => {
    const store = new RouteStore();
    store.setOperative('P1');
    store.applyRoute(plan(5, ['a', 'b']), 100);
    expect(store.replannedAtMs).toBeNull();
    const v = store.routeVersion;
    expect(store.applyRoute(plan(7, ['b', 'a']), 200)).toBe('replanned');
    expect(store.replannedAtMs).toBe(200);
    expect(store.routeVersion).toBe(v + 1);
    expect(store.applyRoute(plan(6, ['a']), 300)).toBe('stale');
    expect(store.route?.seq).toBe(7);
  });

  it('ticking off stops is progress, not a re-plan (no notice)', () => {
    const store = new RouteStore();
    store.setOperative('P1');
    store.applyRoute(plan(5, ['a', 'b', 'c']), 0);
    const done = plan(6, ['a', 'b', 'c']);
    const progressed: RouteView = { ...done, stops: done.stops.map((s, i) => (i === 0 ? { ...s, status: 'picked' as const } : s)) };
    expect(store.applyRoute(progressed, 10)).toBe('progressed');
    expect(store.replannedAtMs).toBeNull();
    // The server may also drop finished stops from the plan: still progress.
    expect(store.applyRoute(plan(7, ['b', 'c']), 20)).toBe('progressed');
    expect(store.applyRoute(plan(8, ['c', 'd']), 30)).toBe('replanned');
    expect(store.replannedAtMs).toBe(30);
  });

  it('treats the same plan again (ack and push) as no change', () => {
    const store = new RouteStore();
    store.setOperative('P1');
    store.applyRoute(plan(5, ['a']), 0);
    const v = store.routeVersion;
    expect(store.applyRoute(plan(5, ['a']), 10)).toBe('same');
    expect(store.routeVersion).toBe(v);
    expect(store.replannedAtMs).toBeNull();
  });

  it('a "no route" replaces the plan, and a plan replaces a "no route"', () => {
    const store = new RouteStore();
    store.setOperative('P1');
    store.applyRoute(plan(5, ['a']), 0);
    expect(store.applyRoute(none('NO_TASKS'), 1)).toBe('applied');
    expect(store.route).toBeNull();
    expect(store.noRoute?.reason).toBe('NO_TASKS');
    expect(store.applyRoute(none('NO_TASKS'), 2)).toBe('same');
    expect(store.applyRoute(plan(1, ['c']), 3)).toBe('applied');
    expect(store.noRoute).toBeNull();
  });

  it('gives React a new summary on each change and the same one otherwise', () => {
    const store = new RouteStore();
    let calls = 0;
    store.subscribe(() => calls++);
    const before = store.getSummary();
    expect(store.getSummary()).toBe(before);
    store.setStatus('live');
    expect(store.getSummary()).not.toBe(before);
    expect(store.getSummary().status).toBe('live');
    store.setStatus('live');
    expect(calls).toBe(1);
  });
});
