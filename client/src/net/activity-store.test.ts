/** The floor's activity markers outside React: a capped ring, expiry, refusals, and the pulse's shape. */
import { describe, expect, it } from 'vitest';
import { ACTIVITY_KINDS, ACTIVITY_STYLE, ActivityStore, pulseAt } from './activity-store.ts';

const msg = (seq: number, kind: (typeof ACTIVITY_KINDS)[number] = 'receipt', locationIndex = 3) => ({ seq, kind, locationIndex });

describe('ActivityStore', () => {
  it('shows a marker from arrival until its lifetime ends', () => {
    const store = new ActivityStore({ capacity: 4, lifetimeMs: 1_000, bins: 10 });
    expect(store.push(msg(1, 'putaway', 7), 100)).toBe(true);
    expect(store.activeAt(100)).toBe(1);
    expect(store.activeAt(1_099)).toBe(1);
    expect(store.activeAt(1_100)).toBe(0);
    expect(store.received.putaway).toBe(1);
    expect([...store.locationIndex]).toContain(7);
  });

  it('is capped: past capacity the oldest marker gives way to the newest', () => {
    const store = new ActivityStore({ capacity: 3, lifetimeMs: 10_000, bins: 10 });
    for (let i = 1; i <= 5; i++) store.push(msg(i, 'count', i), i);
    expect(store.activeAt(10)).toBe(3);
    expect([...store.locationIndex].sort()).toEqual([3, 4, 5]);
    expect(store.received.count).toBe(5);
  });

  it('refuses an unknown kind, a bin outside the layout and the same seq twice, changing nothing', () => {
    const store = new ActivityStore({ capacity: 4, lifetimeMs: 1_000, bins: 10 });
    const version = store.version;
    expect(store.push({ seq: 1, kind: 'teleport' as never, locationIndex: 1 }, 0)).toBe(false);
    expect(store.push(msg(2, 'receipt', 10), 0)).toBe(false);
    expect(store.push(msg(3, 'receipt', -2), 0)).toBe(false);
    expect(store.push(msg(4, 'receipt', 1.5), 0)).toBe(false);
    expect(store.version).toBe(version);
    expect(store.push(msg(5, 'receipt', -1), 0)).toBe(true);
    expect(store.push(msg(5, 'receipt', -1), 10)).toBe(false);
    expect(store.rejected).toBe(5);
    expect(store.activeAt(10)).toBe(1);
    // Once its marker is gone the seq may show again (a server restarted on a fresh log numbers from 1 again).
    expect(store.push(msg(5, 'count', 2), 2_000)).toBe(true);
  });

  it('forgets every marker when the layout changes', () => {
    const store = new ActivityStore({ capacity: 4, lifetimeMs: 1_000 });
    store.push(msg(1), 0);
    store.setBins(2);
    expect(store.activeAt(0)).toBe(0);
    expect(store.push(msg(2, 'receipt', 3), 0)).toBe(false);
  });

  it('has a style (label and colour) for every kind the protocol names', () => {
    for (const kind of ACTIVITY_KINDS) expect(ACTIVITY_STYLE[kind].hex).toMatch(/^#[0-9a-f]{6}$/);
    expect(new Set(ACTIVITY_KINDS.map((k) => ACTIVITY_STYLE[k].hex)).size).toBe(ACTIVITY_KINDS.length);
    expect(() => new ActivityStore({ capacity: 0 })).toThrow(RangeError);
  });
});

describe('pulseAt', () => {
  it('grows and fades over its lifetime, and is over at the end', () => {
    const start = pulseAt(0, 1_000);
    const late = pulseAt(900, 1_000);
    expect(start).toEqual({ scale: 1, intensity: 1 });
    expect(late?.scale).toBeGreaterThan(2.5);
    expect(late?.intensity).toBeCloseTo(0.1);
    expect(pulseAt(1_000, 1_000)).toBeNull();
    expect(pulseAt(-1, 1_000)).toBeNull();
  });
});
