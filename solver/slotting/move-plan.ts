/**
 * Re-slotting move plan: from the current assignment towards a target one, one move at a time, the move that saves most
 * first (greedy by marginal saving, re-evaluated after every move), under a budget — continuous slotting, not a big bang.
 */
import type { LocationId, SkuId } from '../../server/twin/ids.ts';
import type { Layout } from '../../server/twin/layout/types.ts';
import type { Assignment, SlotRules, SlotSku } from './model.ts';
import { ineligibility, locationIndex, slotCosts, velocityPerSlot } from './model.ts';

/**
 * One plan entry. `relocate`: the SKU goes from `from` to the free location `to`. `swap`: the SKU goes from `from` to
 * `to` and `swappedSku`, which held `to`, goes to `from` — two handlings on the floor (one via a buffer or the truck),
 * one plan entry, one unit of the budget.
 */
export interface SlotMove {
  readonly kind: 'relocate' | 'swap';
  readonly sku: SkuId;
  readonly from: LocationId;
  readonly to: LocationId;
  readonly swappedSku?: SkuId;
  /** Decrease of the expected slot cost (assignmentCost units: picks × round-trip metres) this move alone brings. */
  readonly saving: number;
}

export interface MovePlan {
  readonly moves: SlotMove[];
  /** Sum of the moves' savings. */
  readonly predictedSaving: number;
  /** SKU slots still not on a target location after the plan (budget spent, no saving left, or a rule in the way). */
  readonly remaining: number;
}

export interface PlanOptions {
  /** Most plan entries; default unlimited. */
  readonly budget?: number;
  /** Slot costs (default slotCosts(layout, rules)); must be the ones the target was built with. */
  readonly costs?: Float64Array;
  /**
   * Also make moves that cost (after every saving one is made), so the plan arrives at the target exactly where the
   * rules allow; default false: the plan ends when no move saves.
   */
  readonly reachTarget?: boolean;
}

/** Max-heap of (saving, SKU index) pairs; stale entries are re-checked when popped. */
class SavingHeap {
  private readonly keys: number[] = [];
  private readonly items: number[] = [];
  get size(): number {
    return this.keys.length;
  }
  push(key: number, item: number): void {
    let i = this.keys.length;
    this.keys.push(key);
    this.items.push(item);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.above(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }
  pop(): { key: number; item: number } {
    const top = { key: this.keys[0]!, item: this.items[0]! };
    const key = this.keys.pop()!;
    const item = this.items.pop()!;
    if (this.keys.length > 0) {
      this.keys[0] = key;
      this.items[0] = item;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.keys.length && this.above(l, m)) m = l;
        if (r < this.keys.length && this.above(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }
  /** Higher saving first; ties by lower SKU index, so plans are deterministic. */
  private above(a: number, b: number): boolean {
    return this.keys[a]! > this.keys[b]! || (this.keys[a] === this.keys[b] && this.items[a]! < this.items[b]!);
  }
  private swap(a: number, b: number): void {
    [this.keys[a], this.keys[b]] = [this.keys[b]!, this.keys[a]!];
    [this.items[a], this.items[b]] = [this.items[b]!, this.items[a]!];
  }
}

/**
 * Plans moves from `current` to `target`. Each SKU's next move takes its costliest location not in its target set to its
 * cheapest target location it does not hold yet (a swap when that is occupied and the occupant may go back). A move
 * that saves nothing is made only when it frees a location another SKU wants, one that costs only with `reachTarget`;
 * SKUs absent from either assignment stay as they are (put-away places new ones).
 */
export function planMoves(layout: Layout, current: Assignment, target: Assignment, skus: readonly SlotSku[], rules: SlotRules = {}, options: PlanOptions = {}): MovePlan {
  const costs = options.costs ?? slotCosts(layout, rules);
  const budget = options.budget ?? Infinity;
  // A SKU on its target is never moved again, so every move puts one more slot on target and the plan ends.
  const reachTarget = options.reachTarget === true;
  const excluded = new Set<string>(rules.excludedLocations ?? []);
  const index = locationIndex(layout);
  const skuIndex = new Map(skus.map((s, i) => [s.id, i]));
  const w = skus.map(velocityPerSlot);
  const occupant = new Int32Array(layout.locations.length).fill(-1);
  const targetOwner = new Int32Array(layout.locations.length).fill(-1);
  const held: Set<number>[] = skus.map(() => new Set());
  const wanted: number[][] = skus.map(() => []);
  const sorted = (a: Assignment): [LocationId, SkuId][] => [...a].sort((x, y) => (x[0] < y[0] ? -1 : 1));
  for (const [l, s] of sorted(current)) {
    const li = index.get(l);
    const si = skuIndex.get(s);
    if (li === undefined || si === undefined) continue;
    occupant[li] = si;
    held[si]!.add(li);
  }
  for (const [l, s] of sorted(target)) {
    const li = index.get(l);
    const si = skuIndex.get(s);
    if (li === undefined || si === undefined) continue;
    targetOwner[li] = si;
    wanted[si]!.push(li);
  }
  for (const list of wanted) list.sort((a, b) => costs[a]! - costs[b]! || a - b);

  /** The SKU's best next move now, or null when it has none. */
  const candidate = (s: number): { from: number; to: number; other: number; saving: number } | null => {
    const targets = wanted[s]!;
    if (targets.length === 0) return null;
    let from = -1;
    for (const li of held[s]!) if (targetOwner[li] !== s && (from === -1 || costs[li]! > costs[from]! || (costs[li] === costs[from] && li < from))) from = li;
    if (from === -1) return null;
    const to = targets.find((li) => occupant[li] !== s);
    if (to === undefined) return null;
    const other = occupant[to]!;
    if (other !== -1 && ineligibility(skus[other]!, layout.locations[from]!, rules, excluded) !== null) return null;
    const saving = other === -1 ? w[s]! * (costs[from]! - costs[to]!) : (w[s]! - w[other]!) * (costs[from]! - costs[to]!);
    // A move that saves nothing is worth its handling only when it frees a location another SKU wants.
    if (!reachTarget && (saving < 0 || (saving === 0 && (targetOwner[from] === -1 || targetOwner[from] === s)))) return null;
    return { from, to, other, saving };
  };

  const heap = new SavingHeap();
  const offer = (s: number): void => {
    if (s < 0) return;
    const c = candidate(s);
    if (c !== null) heap.push(c.saving, s);
  };
  for (let s = 0; s < skus.length; s++) offer(s);
  const moves: SlotMove[] = [];
  let predicted = 0;
  while (heap.size > 0 && moves.length < budget) {
    const { key, item: s } = heap.pop();
    const c = candidate(s);
    if (c === null) continue;
    if (c.saving !== key) {
      heap.push(c.saving, s); // stale: back in at its current saving
      continue;
    }
    const { from, to, other } = c;
    held[s]!.delete(from);
    held[s]!.add(to);
    occupant[to] = s;
    occupant[from] = other;
    if (other !== -1) {
      held[other]!.delete(to);
      held[other]!.add(from);
    }
    const sku = skus[s]!.id;
    moves.push(other === -1
      ? { kind: 'relocate', sku, from: layout.locations[from]!.id, to: layout.locations[to]!.id, saving: c.saving }
      : { kind: 'swap', sku, from: layout.locations[from]!.id, to: layout.locations[to]!.id, swappedSku: skus[other]!.id, saving: c.saving });
    predicted += c.saving;
    // Savings that may have grown: the SKUs moved and those that want either location.
    offer(s);
    offer(other);
    offer(targetOwner[from]!);
    offer(targetOwner[to]!);
  }
  let remaining = 0;
  for (let s = 0; s < skus.length; s++) for (const li of wanted[s]!) if (occupant[li] !== s && held[s]!.size > 0) remaining++;
  return { moves, predictedSaving: predicted, remaining };
}

/** The assignment after a plan's moves; throws on a move that does not fit the assignment (a planner bug, not input). */
export function applyMoves(assignment: Assignment, moves: readonly SlotMove[]): Map<LocationId, SkuId> {
  const out = new Map(assignment);
  for (const m of moves) {
    if (out.get(m.from) !== m.sku) throw new Error(`applyMoves: ${m.sku} is not at ${m.from}`);
    const there = out.get(m.to);
    if (m.kind === 'relocate' ? there !== undefined : there !== m.swappedSku) throw new Error(`applyMoves: ${m.to} does not hold what the move expects`);
    out.set(m.to, m.sku);
    if (m.kind === 'swap') out.set(m.from, m.swappedSku!);
    else out.delete(m.from);
  }
  return out;
}
