/** Allocation maths shared by allocate, short-pick re-allocation and release: which quants, and the tasks they become. */
import type { Allocation, PickTaskSpec } from './events.ts';
import type { LocationId, SkuId, TaskId } from './ids.ts';
import { asTaskId } from './ids.ts';
import { skuKey } from './keys.ts';
import type { OrderState, Quant, TwinState } from './state.ts';
import { dockLocationId, freeOf, heldOf, movingOf } from './stock-status.ts';

/** Sorts FEFO: earliest expiry first (no expiry last). */
export function compareExpiry(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

/**
 * Quants of the order's tenant and `skuId` in layout bins with free stock to give, FEFO-sorted; `exclude` bins are
 * left out. Held units (R39) and units committed to move tasks (R57) are never candidates; nor is the dock (R44),
 * unless `dock` asks for the dock's quants instead (a cross-dock refill, R65).
 */
export function candidateQuants(state: TwinState, order: OrderState, skuId: SkuId, exclude?: LocationId, dock = false): Quant[] {
  const candidates: Quant[] = [];
  const dockId = dockLocationId(state.site.id);
  for (const key of state.quantsBySku.get(skuKey(order.tenantId, skuId)) ?? []) {
    const q = state.quants.get(key);
    if (q === undefined || freeOf(state, q) <= 0 || q.locationId === exclude) continue;
    if (dock ? q.locationId === dockId : state.locationsById.has(q.locationId)) candidates.push(q);
  }
  return candidates.sort((a, b) => compareExpiry(a.expiry, b.expiry));
}

/**
 * [R9][R10] Picks quants for `need` units: FEFO, then within one expiry the bin with the smallest available that
 * covers the rest (fewest, fullest-emptying picks), else the largest available (fewest splits); ties by location, lot.
 * `taken` holds units already promised to earlier lines of the same order; it is updated. `heldOf` gives a quant's
 * held units (R39), which are never allocated.
 */
export function allocateLine(
  candidates: readonly Quant[],
  taken: Map<string, number>,
  need: number,
  heldOf: (key: string) => number = () => 0,
): { quant: Quant; qty: number }[] {
  const out: { quant: Quant; qty: number }[] = [];
  let rest = need;
  const avail = (q: Quant): number => q.onHand - q.reserved - heldOf(q.key) - (taken.get(q.key) ?? 0);
  let start = 0;
  while (rest > 0 && start < candidates.length) {
    const expiry = (candidates[start] as Quant).expiry;
    let end = start;
    while (end < candidates.length && (candidates[end] as Quant).expiry === expiry) end++;
    // Within one expiry group, choose greedily until the group is empty or the line is covered.
    for (;;) {
      let best: Quant | undefined;
      let bestAvail = 0;
      let bestCovers = false;
      for (let i = start; i < end; i++) {
        const q = candidates[i] as Quant;
        const a = avail(q);
        if (a <= 0) continue;
        const covers = a >= rest;
        let better: boolean;
        if (best === undefined) better = true;
        else if (covers !== bestCovers) better = covers;
        else if (a !== bestAvail) better = covers ? a < bestAvail : a > bestAvail;
        else better = q.locationId < best.locationId || (q.locationId === best.locationId && q.lot < best.lot);
        if (better) {
          best = q;
          bestAvail = a;
          bestCovers = covers;
        }
      }
      if (best === undefined) break;
      const qty = Math.min(bestAvail, rest);
      out.push({ quant: best, qty });
      taken.set(best.key, (taken.get(best.key) ?? 0) + qty);
      rest -= qty;
      if (rest === 0) break;
    }
    start = end;
  }
  return out;
}

/** Allocations for `need` units of one line (fewer when stock is short); `crossDock` for a refill (R65). */
export function allocationsFor(
  state: TwinState,
  order: OrderState,
  line: { readonly lineNo: number; readonly skuId: SkuId },
  need: number,
  taken: Map<string, number>,
  exclude?: LocationId,
  crossDock = false,
): Allocation[] {
  // Held (R39) and committed (R57, R71: move tasks and transfers) units are not allocated.
  const notFree = (key: string): number => heldOf(state, key) + movingOf(state, key) + (state.transferringByQuant.get(key) ?? 0);
  const picked = allocateLine(candidateQuants(state, order, line.skuId, exclude), taken, need, notFree);
  // R65: what the bins cannot give, a refill takes from the dock (bins always first, whatever their expiry).
  const got = picked.reduce((n, p) => n + p.qty, 0);
  if (crossDock && got < need) picked.push(...allocateLine(candidateQuants(state, order, line.skuId, exclude, true), taken, need - got, notFree));
  return picked.map(({ quant, qty }) => ({
    lineNo: line.lineNo,
    locationId: quant.locationId,
    tenantId: quant.tenantId,
    skuId: quant.skuId,
    lot: quant.lot,
    expiry: quant.expiry,
    qty,
  }));
}

/** [R13] One pick task per allocation, numbered after the order's existing tasks: `${orderId}-T${n}`. */
export function tasksFor(
  order: OrderState,
  allocations: readonly Omit<Allocation, 'tenantId'>[],
  group: { readonly waveId?: string | null; readonly batchId?: string | null } = {},
): PickTaskSpec[] {
  const first = order.taskIds.length + 1;
  return allocations.map((a, i) => ({
    taskId: asTaskId(`${order.id}-T${first + i}`) satisfies TaskId,
    orderId: order.id,
    lineNo: a.lineNo,
    locationId: a.locationId,
    tenantId: order.tenantId,
    skuId: a.skuId,
    lot: a.lot,
    expiry: a.expiry,
    qty: a.qty,
    waveId: group.waveId ?? null,
    batchId: group.batchId ?? null,
  }));
}
