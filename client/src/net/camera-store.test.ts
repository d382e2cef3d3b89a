import { describe, expect, it, vi } from 'vitest';
import { CameraStore } from './camera-store.ts';

describe('CameraStore', () => {
  it('numbers fly requests so the rig can tell a new one, even to the same point', () => {
    const store = new CameraStore();
    expect(store.fly).toBeNull();
    store.flyTo(10, 20);
    expect(store.fly).toEqual({ x: 10, y: 20, seq: 1 });
    store.flyTo(10, 20);
    expect(store.fly?.seq).toBe(2);
    expect(() => store.flyTo(Number.NaN, 0)).toThrow(RangeError);
  });

  it('selects and clears a location, notifying subscribers only on change', () => {
    const store = new CameraStore();
    const listener = vi.fn();
    const off = store.subscribe(listener);
    const before = store.getSnapshot();
    store.selectLocation('A01-B1-001-L1');
    expect(store.selectedLocation).toBe('A01-B1-001-L1');
    expect(store.getSnapshot()).not.toBe(before);
    store.selectLocation('A01-B1-001-L1');
    expect(listener).toHaveBeenCalledTimes(1);
    store.selectLocation(null);
    expect(store.selectedLocation).toBeNull();
    off();
    store.selectLocation('x');
    expect(listener).toHaveBeenCalledTimes(2);
  });

  it('switches view mode and keeps the snapshot stable between changes', () => {
    const store = new CameraStore();
    expect(store.viewMode).toBe('3d');
    store.toggleViewMode();
    expect(store.getSnapshot().viewMode).toBe('2d');
    const snap = store.getSnapshot();
    store.setViewMode('2d');
    expect(store.getSnapshot()).toBe(snap);
    store.toggleViewMode();
    expect(store.viewMode).toBe('3d');
  });
});
