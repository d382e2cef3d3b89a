import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BinAttributesView } from '../../../server/protocol/floor.ts';
import { BinAttributesStore, parseBinAttributes, pollBinAttributes } from './bin-attributes.ts';

const view = (heatHours: number, seq: number, heat = [0, 3, 1]): BinAttributesView => ({
  siteId: 's', layoutId: 'l', seq, at: 0, heatHours,
  tenants: [{ id: 't', name: 'T' }], tenant: [0, 0, -1], abc: [0, 2, -1], heat, replenish: [0, 1, 0],
});

describe('BinAttributesStore', () => {
  it('bumps the version on mode and data changes, keeps answers of the current window only', () => {
    const store = new BinAttributesStore();
    const v0 = store.version;
    store.setMode('abc');
    expect(store.version).toBe(v0 + 1);
    expect(store.applyAttributes(view(8, 5))).toBe(true);
    expect(store.maxHeat).toBe(3);
    expect(store.applyAttributes(view(8, 4))).toBe(false);
    expect(store.applyAttributes(view(1, 9))).toBe(false);
    store.setHeatHours(1);
    expect(store.attributes).toBeNull();
    expect(() => store.setHeatHours(0)).toThrow(RangeError);
  });

  it('refuses answers whose columns do not line up with the layout', () => {
    expect(parseBinAttributes(view(8, 1), 3).seq).toBe(1);
    expect(() => parseBinAttributes(view(8, 1), 4)).toThrow(/'tenant' is not 4/);
    expect(() => parseBinAttributes({ ...view(8, 1), heat: [0, 1.5, 0] }, 3)).toThrow(/'heat'/);
    expect(() => parseBinAttributes(null, 3)).toThrow(/not an object/);
  });
});

describe('pollBinAttributes', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is idle on fill, fetches at once on another mode, refreshes every interval, stops on fill', async () => {
    const store = new BinAttributesStore();
    const fetcher = vi.fn((_site: string, hours: number) => Promise.resolve(view(hours, fetcher.mock.calls.length)));
    const stop = pollBinAttributes(store, { siteId: 's', bins: 3, intervalMs: 1000, fetcher });
    await vi.advanceTimersByTimeAsync(5000);
    expect(fetcher).not.toHaveBeenCalled();
    store.setMode('client');
    expect(fetcher).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(store.attributes?.seq).toBe(1);
    store.setMode('abc'); // data is shared by the modes: no extra request
    expect(fetcher).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(fetcher).toHaveBeenCalledTimes(2);
    store.setHeatHours(24);
    expect(fetcher).toHaveBeenCalledTimes(3);
    expect(fetcher.mock.calls[2]?.[1]).toBe(24);
    await vi.advanceTimersByTimeAsync(0);
    expect(store.attributes?.heatHours).toBe(24);
    store.setMode('fill');
    await vi.advanceTimersByTimeAsync(5000);
    expect(fetcher).toHaveBeenCalledTimes(3);
    stop();
  });

  it('reports a failure and keeps polling; a stale answer after a window change is dropped', async () => {
    const store = new BinAttributesStore();
    let fail = true;
    const pending: ((v: BinAttributesView) => void)[] = [];
    const fetcher = vi.fn((_site: string, hours: number) =>
      fail ? Promise.reject(new Error('HTTP 500')) : new Promise<BinAttributesView>((resolve) => pending.push(() => resolve(view(hours, 1)))),
    );
    const stop = pollBinAttributes(store, { siteId: 's', bins: 3, intervalMs: 1000, fetcher });
    store.setMode('heat');
    await vi.advanceTimersByTimeAsync(0);
    expect(store.getSnapshot().error).toBe('HTTP 500');
    fail = false;
    await vi.advanceTimersByTimeAsync(1000);
    expect(fetcher).toHaveBeenCalledTimes(2);
    store.setHeatHours(1); // aborts the request in flight
    expect(fetcher).toHaveBeenCalledTimes(3);
    for (const resolve of pending) resolve(view(8, 1));
    await vi.advanceTimersByTimeAsync(0);
    expect(store.attributes?.heatHours).toBe(1);
    expect(store.getSnapshot().error).toBeNull();
    stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(fetcher).toHaveBeenCalledTimes(3);
  });
});
