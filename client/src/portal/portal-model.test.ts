import { describe, expect, it } from 'vitest';
import type { LayoutView } from '../../../server/protocol/floor.ts';
import type { PortalFloorView } from './portal-api.ts';
import { formatMoney, formatRate, litCount, missedCutoff, monthPeriod, orderProgress, parseOrderLines, portalBinAttributes } from './portal-model.ts';

const layout = {
  siteId: 'demo',
  layoutId: 'L-1',
  ids: ['A', 'B', 'C', 'D'],
  x: [0, 1, 2, 3],
  y: [0, 0, 0, 0],
  z: [0, 0, 0, 0],
  w: [1, 1, 1, 1],
  d: [1, 1, 1, 1],
  h: [1, 1, 1, 1],
  segments: [],
  depot: { x: 0, y: 0 },
  bounds: { minX: 0, minY: 0, maxX: 3, maxY: 1 },
} satisfies LayoutView;

const floor = (bins: PortalFloorView['bins'], layoutId = 'L-1'): PortalFloorView => ({ siteId: 'demo', layoutId, seq: 7, count: bins.length, units: 0, bins, offFloor: [] });
const tenant = { id: 'acme', name: 'Acme' };

describe('portalBinAttributes', () => {
  it('lights exactly the listed bins as tenant 0, every other bin empty', () => {
    const view = portalBinAttributes(layout, floor([{ locationId: 'B', index: 1, units: 3 }, { locationId: 'D', index: 3, units: 1 }]), tenant, 8);
    expect(view.tenant).toEqual([-1, 0, -1, 0]);
    expect(view.tenants).toEqual([tenant]);
    expect(view.heat).toHaveLength(4);
    expect(view.abc).toEqual([-1, -1, -1, -1]);
    expect(view.heatHours).toBe(8);
    expect(litCount(view)).toBe(2);
  });

  it('refuses an answer for another layout or naming a bin the layout does not have at that index', () => {
    expect(() => portalBinAttributes(layout, floor([], 'L-2'), tenant, 8)).toThrow(/layout L-2/);
    expect(() => portalBinAttributes(layout, floor([{ locationId: 'C', index: 1, units: 1 }]), tenant, 8)).toThrow(/bin C at index 1/);
    expect(() => portalBinAttributes(layout, floor([{ locationId: 'E', index: 4, units: 1 }]), tenant, 8)).toThrow(/index 4/);
  });
});

describe('formatting', () => {
  it('money in minor units', () => {
    expect(formatMoney(123456)).toBe('£1,234.56');
    expect(formatMoney(-5)).toBe('-£0.05');
    expect(formatMoney(1000, 'EUR')).toBe('€10.00');
  });

  it('rates as percent, nothing to rate as a dash', () => {
    expect(formatRate(0.975)).toBe('97.5 %');
    expect(formatRate(1)).toBe('100.0 %');
    expect(formatRate(null)).toBe('–');
  });
});

describe('monthPeriod', () => {
  it('gives whole calendar months with the last day included (billing periods are inclusive)', () => {
    expect(monthPeriod('2026-11-27T08:00:00.000Z', 0)).toEqual({ from: '2026-11-01', to: '2026-11-30', label: 'November 2026' });
    expect(monthPeriod('2026-11-27T08:00:00.000Z', 1)).toEqual({ from: '2026-10-01', to: '2026-10-31', label: 'October 2026' });
    expect(monthPeriod('2026-01-15T00:00:00.000Z', 1)).toEqual({ from: '2025-12-01', to: '2025-12-31', label: 'December 2025' });
    expect(monthPeriod('2028-03-01T00:00:00.000Z', 1).to).toBe('2028-02-29');
  });
});

describe('orders', () => {
  const line = { lineNo: 1, skuId: 'S', qty: 5, allocated: 5, backordered: 0, picked: 3, shorted: 0, cancelled: 1 };
  it('progress is picked over ordered less cancelled', () => {
    expect(orderProgress({ lines: [line, { ...line, lineNo: 2, qty: 2, picked: 2, cancelled: 0 }] })).toEqual({ picked: 5, wanted: 6 });
  });

  it('a missed cut-off: despatched after it, or still not despatched once it passed; cancelled never', () => {
    const now = '2026-11-27T12:00:00.000Z';
    expect(missedCutoff({ dueAt: '2026-11-27T10:00:00.000Z', despatchedAt: '2026-11-27T09:59:00.000Z', status: 'despatched' }, now)).toBe(false);
    expect(missedCutoff({ dueAt: '2026-11-27T10:00:00.000Z', despatchedAt: '2026-11-27T10:01:00.000Z', status: 'despatched' }, now)).toBe(true);
    expect(missedCutoff({ dueAt: '2026-11-27T10:00:00.000Z', despatchedAt: null, status: 'released' }, now)).toBe(true);
    expect(missedCutoff({ dueAt: '2026-11-27T14:00:00.000Z', despatchedAt: null, status: 'released' }, now)).toBe(false);
    expect(missedCutoff({ dueAt: '2026-11-27T10:00:00.000Z', despatchedAt: null, status: 'cancelled' }, now)).toBe(false);
    expect(missedCutoff({ dueAt: null, despatchedAt: null, status: 'open' }, now)).toBe(false);
  });
});

describe('parseOrderLines', () => {
  it('reads one SKU and quantity per line, skipping blank lines', () => {
    expect(parseOrderLines('SKU-00002 3\n\nSKU-00010,1\r\n  SKU-7\t12  ')).toEqual({
      ok: true,
      lines: [
        { skuId: 'SKU-00002', qty: 3 },
        { skuId: 'SKU-00010', qty: 1 },
        { skuId: 'SKU-7', qty: 12 },
      ],
    });
  });

  it('names the first wrong line', () => {
    expect(parseOrderLines('SKU-1 2\nSKU-2')).toEqual({ ok: false, error: expect.stringMatching(/^line 2:/) as unknown });
    expect(parseOrderLines('SKU-1 0')).toEqual({ ok: false, error: expect.stringMatching(/at least 1/) as unknown });
    expect(parseOrderLines('SKU-1 1.5')).toMatchObject({ ok: false });
    expect(parseOrderLines('  \n')).toEqual({ ok: false, error: 'add at least one line' });
  });
});
