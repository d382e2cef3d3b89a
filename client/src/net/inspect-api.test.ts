import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  fetchAlerts,
  fetchInspection,
  focusOn,
  InspectApiError,
  InspectSelection,
  layoutIndex,
  locationPoint,
  newAlertIds,
  searchFloor,
  type FloorAlert,
} from './inspect-api.ts';

function camera() {
  const calls: string[] = [];
  return {
    calls,
    flyTo: (x: number, y: number) => calls.push(`fly ${x},${y}`),
    selectLocation: (id: string | null) => calls.push(`select ${id}`),
  };
}

const json = (status: number, body: unknown): Response => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('InspectSelection and focusOn', () => {
  it('notifies on a new kind or id only, and clears with null', () => {
    const selection = new InspectSelection();
    const seen: unknown[] = [];
    const off = selection.subscribe(() => seen.push(selection.getSnapshot()));
    selection.select({ kind: 'sku', id: 'A' });
    selection.select({ kind: 'sku', id: 'A' });
    selection.select({ kind: 'order', id: 'A' });
    selection.select(null);
    off();
    selection.select({ kind: 'sku', id: 'B' });
    expect(seen).toEqual([{ kind: 'sku', id: 'A' }, { kind: 'order', id: 'A' }, null]);
  });

  it('highlights a location and flies there; flies to other things with a place; never flies without one', () => {
    const selection = new InspectSelection();
    const cam = camera();
    focusOn(selection, cam, { kind: 'location', id: 'L1', x: 1, y: 4 });
    focusOn(selection, cam, { kind: 'operative', id: 'P1', x: 3.5, y: 0 });
    focusOn(selection, cam, { kind: 'sku', id: 'A', x: null, y: null });
    expect(cam.calls).toEqual(['select L1', 'fly 1,4', 'select null', 'fly 3.5,0', 'select null']);
    expect(selection.getSnapshot()).toEqual({ kind: 'sku', id: 'A' });
  });
});

describe('layout helpers', () => {
  it('finds a location\'s floor point by id', () => {
    const layout = { ids: ['L1', 'L2'], x: [1, 5], y: [4, 6] };
    const index = layoutIndex(layout);
    expect(locationPoint(layout, index, 'L2')).toEqual({ x: 5, y: 6 });
    expect(locationPoint(layout, index, 'NOPE')).toBeUndefined();
  });

  it('tells which alerts are new since the last poll', () => {
    const alert = (id: string) => ({ id }) as FloorAlert;
    const seen = new Set<string>();
    expect(newAlertIds(seen, [alert('a'), alert('b')])).toEqual(['a', 'b']);
    expect(newAlertIds(seen, [alert('b'), alert('c')])).toEqual(['c']);
    expect(newAlertIds(seen, [alert('a')])).toEqual(['a']);
  });
});

describe('HTTP reads', () => {
  it('searches with the trimmed query and a limit, and skips the server for a blank one', async () => {
    const fetchMock = vi.fn((_url: string) => Promise.resolve(json(200, { hits: [{ kind: 'sku', id: 'A', label: 'A' }] })));
    vi.stubGlobal('fetch', fetchMock);
    expect(await searchFloor('demo site', '  bc-a ')).toEqual([{ kind: 'sku', id: 'A', label: 'A' }]);
    expect(fetchMock.mock.calls[0]?.[0]).toBe('/api/sites/demo%20site/search?q=bc-a&limit=20');
    expect(await searchFloor('demo', '   ')).toEqual([]);
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it('reads each kind from its path and tags the answer', async () => {
    const fetchMock = vi.fn((url: string) => Promise.resolve(json(200, { url })));
    vi.stubGlobal('fetch', fetchMock);
    expect(await fetchInspection('demo', { kind: 'location', id: 'A01#1' })).toEqual({ kind: 'location', view: { url: '/api/sites/demo/locations/A01%231' } });
    expect((await fetchInspection('demo', { kind: 'sku', id: 'S' })).kind).toBe('sku');
    expect((await fetchInspection('demo', { kind: 'order', id: 'O' })).view).toEqual({ url: '/api/sites/demo/orders/O' });
    expect((await fetchInspection('demo', { kind: 'operative', id: 'P' })).view).toEqual({ url: '/api/sites/demo/operatives/P' });
  });

  it('turns the server\'s error body and a network failure into InspectApiError', async () => {
    vi.stubGlobal('fetch', vi.fn(() => Promise.resolve(json(404, { error: { code: 'UNKNOWN_SKU', message: "no SKU 'X'", details: null } }))));
    await expect(fetchInspection('demo', { kind: 'sku', id: 'X' })).rejects.toMatchObject({ status: 404, code: 'UNKNOWN_SKU', message: "no SKU 'X'" });
    vi.stubGlobal('fetch', vi.fn(() => Promise.reject(new TypeError('failed to fetch'))));
    await expect(fetchAlerts('demo')).rejects.toBeInstanceOf(InspectApiError);
    vi.stubGlobal('fetch', vi.fn(() => Promise.resolve(json(200, { nope: true }))));
    await expect(fetchAlerts('demo')).rejects.toMatchObject({ code: 'MALFORMED' });
  });
});
