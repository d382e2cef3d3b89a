/**
 * Pure helpers of the client portal (no React, no three): the bin attributes that light the client's bins on the
 * read-only floor, money and rate formatting, invoice periods, order progress and the tab keyboard model.
 */
import type { BinAttributesView, LayoutView } from '../../../server/protocol/floor.ts';
import type { PortalFloorView, PortalOrder } from './portal-api.ts';

/**
 * The floor's client colour mode, fed from the portal: the client is tenant 0 and every bin holding its stock is lit;
 * every other bin (empty, or another client's, which the portal never learns) is −1, drawn as empty. Throws when the
 * answer does not line up with the layout (another layout, an index out of range or naming another bin).
 */
export function portalBinAttributes(layout: LayoutView, floor: PortalFloorView, tenant: { readonly id: string; readonly name: string }, heatHours: number): BinAttributesView {
  if (floor.layoutId !== layout.layoutId) throw new Error(`floor answer is for layout ${floor.layoutId}, the page has ${layout.layoutId}`);
  const n = layout.ids.length;
  const column = new Array<number>(n).fill(-1);
  for (const bin of floor.bins) {
    if (!Number.isInteger(bin.index) || bin.index < 0 || bin.index >= n || layout.ids[bin.index] !== bin.locationId) {
      throw new Error(`floor answer names bin ${bin.locationId} at index ${bin.index}, which the layout does not have`);
    }
    column[bin.index] = 0;
  }
  const zeros = new Array<number>(n).fill(0);
  return {
    siteId: floor.siteId,
    layoutId: layout.layoutId,
    seq: floor.seq,
    at: 0,
    tenants: [{ id: tenant.id, name: tenant.name }],
    tenant: column,
    abc: new Array<number>(n).fill(-1),
    heat: zeros,
    heatHours,
    replenish: zeros,
  };
}

/** How many bins an attributes view lights (tenant ≥ 0). */
export function litCount(view: Pick<BinAttributesView, 'tenant'>): number {
  let n = 0;
  for (const t of view.tenant) if (t >= 0) n++;
  return n;
}

/** Minor units as money, e.g. 123456 GBP → "£1,234.56"; negative amounts keep their sign. */
export function formatMoney(minor: number, currency = 'GBP'): string {
  return new Intl.NumberFormat('en-GB', { style: 'currency', currency }).format(minor / 100);
}

/** A share 0..1 as a whole percent with one decimal ("97.5 %"), or an en dash when there is nothing to rate. */
export function formatRate(rate: number | null): string {
  return rate === null || !Number.isFinite(rate) ? '–' : `${(Math.round(rate * 1000) / 10).toFixed(1)} %`;
}

/** Whole units with thousands separators. */
export function formatUnits(n: number): string {
  return new Intl.NumberFormat('en-GB').format(n);
}

/** An ISO instant as "27 Nov 2026, 08:00" in UTC (the site's clock), or an en dash. */
export function formatInstant(iso: string | null): string {
  if (iso === null) return '–';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC' }).format(ms);
}

/**
 * A billing period (whole UTC days, both `from` and `to` included): the calendar month `monthsBack` months before the
 * one containing `nowIso`.
 */
export function monthPeriod(nowIso: string, monthsBack: number): { from: string; to: string; label: string } {
  const now = new Date(nowIso);
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - monthsBack, 1));
  const end = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 0));
  const day = (d: Date): string => d.toISOString().slice(0, 10);
  const label = new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(start);
  return { from: day(start), to: day(end), label };
}

/** "picked 3 of 5" for an order: units picked over units ordered (less cancelled). */
export function orderProgress(order: Pick<PortalOrder, 'lines'>): { picked: number; wanted: number } {
  let picked = 0;
  let wanted = 0;
  for (const line of order.lines) {
    picked += line.picked;
    wanted += line.qty - line.cancelled;
  }
  return { picked, wanted };
}

/** Whether an order missed its carrier cut-off: despatched after it, or not despatched with the cut-off passed. */
export function missedCutoff(order: Pick<PortalOrder, 'dueAt' | 'despatchedAt' | 'status'>, nowIso: string): boolean {
  if (order.dueAt === null || order.status === 'cancelled') return false;
  const due = Date.parse(order.dueAt);
  return order.despatchedAt !== null ? Date.parse(order.despatchedAt) > due : Date.parse(nowIso) > due;
}

/** Order lines typed one per line as `SKU quantity` (space, tab or comma between), or the first line that is wrong. */
export function parseOrderLines(text: string): { ok: true; lines: { skuId: string; qty: number }[] } | { ok: false; error: string } {
  const lines: { skuId: string; qty: number }[] = [];
  const rows = text.split(/\r?\n/);
  for (const [i, raw] of rows.entries()) {
    const row = raw.trim();
    if (row === '') continue;
    const m = /^([A-Za-z0-9][A-Za-z0-9._:#-]{0,63})[\s,;]+(\d{1,7})$/.exec(row);
    if (m === null) return { ok: false, error: `line ${i + 1}: write a SKU and a whole quantity, e.g. "SKU-00002 3"` };
    const qty = Number(m[2]);
    if (qty < 1) return { ok: false, error: `line ${i + 1}: the quantity must be at least 1` };
    lines.push({ skuId: m[1] as string, qty });
  }
  if (lines.length === 0) return { ok: false, error: 'add at least one line' };
  return { ok: true, lines };
}
