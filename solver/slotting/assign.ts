/**
 * Storage assignment: random, class-based (ABC zones), turnover-based (COI) and COI improved by affinity. Every answer
 * keeps the rules of model.ts (see validateAssignment); callers validate before acting.
 */
import type { LocationId, SkuId } from '../../server/twin/ids.ts';
import type { Layout, Location } from '../../server/twin/layout/types.ts';
import type { Rng } from '../../server/twin/rng.ts';
import { randomInt, shuffle } from '../../server/twin/rng.ts';
import type { Assignment, SlotRules, SlotSku } from './model.ts';
import { ineligibility, slotCosts, slotsOf, velocityPerSlot } from './model.ts';

export interface AssignResult {
  readonly assignment: Map<LocationId, SkuId>;
  /** SKUs (with how many slots) no eligible free location was left for. */
  readonly unplaced: readonly { readonly sku: SkuId; readonly slots: number }[];
}

/** Everything eligibility reads of a location: locations with the same signature accept the same SKUs. */
function signature(loc: Location, rules: SlotRules, excluded: ReadonlySet<string>): string {
  return [excluded.has(loc.id) ? 'x' : '', rules.locationTenant?.[loc.id] ?? '', loc.zone, loc.level, loc.width, loc.depth, loc.height, loc.capacityUnits].join('|');
}

/**
 * Places SKUs in the given order, each slot on the first free eligible location of `preference` (location indices,
 * most preferred first). Locations are grouped by eligibility signature, so a placement costs one look per group.
 */
export function placeInOrder(layout: Layout, skus: readonly SlotSku[], rules: SlotRules, preference: readonly number[]): AssignResult {
  const excluded = new Set<string>(rules.excludedLocations ?? []);
  const groupOf = new Map<string, number>();
  const groups: { rep: Location; members: number[]; next: number }[] = [];
  const rank = new Int32Array(layout.locations.length).fill(-1);
  preference.forEach((i, r) => (rank[i] = r));
  for (const i of preference) {
    const loc = layout.locations[i]!;
    const key = signature(loc, rules, excluded);
    let g = groupOf.get(key);
    if (g === undefined) {
      g = groups.push({ rep: loc, members: [], next: 0 }) - 1;
      groupOf.set(key, g);
    }
    groups[g]!.members.push(i);
  }
  const assignment = new Map<LocationId, SkuId>();
  const unplaced: { sku: SkuId; slots: number }[] = [];
  for (const sku of skus) {
    const eligible = groups.filter((g) => ineligibility(sku, g.rep, rules, excluded) === null);
    let missing = 0;
    for (let k = 0; k < slotsOf(sku); k++) {
      let best: (typeof groups)[number] | undefined;
      for (const g of eligible) {
        if (g.next < g.members.length && (best === undefined || rank[g.members[g.next]!]! < rank[best.members[best.next]!]!)) best = g;
      }
      if (best === undefined) {
        missing++;
        continue;
      }
      assignment.set(layout.locations[best.members[best.next++]!]!.id, sku.id);
    }
    if (missing > 0) unplaced.push({ sku: sku.id, slots: missing });
  }
  return { assignment, unplaced };
}

/** Location indices cheapest first (ties by index). */
export function locationsByCost(costs: Float64Array): number[] {
  return Array.from(costs.keys()).sort((a, b) => costs[a]! - costs[b]! || a - b);
}

/** SKUs by picks per slot, highest first (ties by id): the COI order. */
export function skusByVelocity(skus: readonly SlotSku[]): SlotSku[] {
  return [...skus].sort((a, b) => velocityPerSlot(b) - velocityPerSlot(a) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Turnover-based dedicated storage (cube-per-order index): the highest picks per slot to the cheapest slots. With no
 * rule binding, this sorting is optimal for the separable cost Σ picks-per-slot × slot cost (rearrangement inequality);
 * with rules, it is the greedy that keeps them.
 */
export function assignCoi(layout: Layout, skus: readonly SlotSku[], rules: SlotRules = {}, costs: Float64Array = slotCosts(layout, rules)): AssignResult {
  return placeInOrder(layout, skusByVelocity(skus), rules, locationsByCost(costs));
}

/** Random storage: SKUs in random order, each on random eligible free locations. */
export function assignRandom(layout: Layout, skus: readonly SlotSku[], rng: Rng, rules: SlotRules = {}): AssignResult {
  const order = shuffle(rng, [...skus]);
  const preference = shuffle(rng, Array.from(layout.locations, (l) => l.index));
  return placeInOrder(layout, order, rules, preference);
}

/** Class shares of ABC storage by SKU count: A the fastest 20 %, B the next 30 %, C the rest. */
export const DEFAULT_ABC_SHARES: readonly [number, number] = [0.2, 0.3];

/**
 * Class-based storage: SKUs in ABC classes by velocity; each class gets the next cheapest zone of slots and is placed
 * at random inside it (swaps inside a class are made only where both SKUs may go to the other's location).
 */
export function assignAbc(layout: Layout, skus: readonly SlotSku[], rng: Rng, rules: SlotRules = {}, shares: readonly [number, number] = DEFAULT_ABC_SHARES, costs: Float64Array = slotCosts(layout, rules)): AssignResult {
  const ranked = skusByVelocity(skus);
  const cutA = Math.round(ranked.length * shares[0]);
  const cutB = Math.round(ranked.length * (shares[0] + shares[1]));
  const classes = [ranked.slice(0, cutA), ranked.slice(cutA, cutB), ranked.slice(cutB)];
  const result = placeInOrder(layout, classes.flat(), rules, locationsByCost(costs));
  const excluded = new Set<string>(rules.excludedLocations ?? []);
  const byId = new Map(skus.map((s) => [s.id, s]));
  const locById = new Map(layout.locations.map((l) => [l.id as string, l]));
  for (const cls of classes) {
    const members = new Set(cls.map((s) => s.id));
    const locs = [...result.assignment].filter(([, s]) => members.has(s)).map(([l]) => l).sort();
    // Fisher–Yates over the zone's locations, swapping occupants when both may move.
    for (let i = locs.length - 1; i > 0; i--) {
      const j = randomInt(rng, 0, i);
      const a = locs[i]!;
      const b = locs[j]!;
      const sa = byId.get(result.assignment.get(a)!)!;
      const sb = byId.get(result.assignment.get(b)!)!;
      if (ineligibility(sa, locById.get(b)!, rules, excluded) === null && ineligibility(sb, locById.get(a)!, rules, excluded) === null) {
        result.assignment.set(a, sb.id);
        result.assignment.set(b, sa.id);
      }
    }
  }
  return result;
}

export interface AffinityOptions {
  /** Passes over the SKUs; default 3. */
  readonly passes?: number;
  /** Locations whose slot costs differ by at most this many metres count as equally good; default 0 (COI cost kept). */
  readonly costSlackM?: number;
  /** Candidate aisles tried per SKU and pass; default 4. */
  readonly candidates?: number;
}

/**
 * Affinity: improves an assignment so SKUs ordered together share aisles. Swaps the occupants of two locations of equal
 * slot cost (within the slack) when that lowers the number of (order, aisle-block) visits over the history, so the
 * separable COI cost stays the same (exactly, at zero slack) while routes enter fewer aisles. SKUs with several slots
 * are left where they are. Deterministic: SKUs are visited by velocity, candidates by visit count then key.
 */
export function improveByAffinity(
  layout: Layout, start: Assignment, skus: readonly SlotSku[], orders: readonly (readonly SkuId[])[], rules: SlotRules = {},
  options: AffinityOptions = {}, costs: Float64Array = slotCosts(layout, rules),
): Map<LocationId, SkuId> {
  const slack = options.costSlackM ?? 0;
  const excluded = new Set<string>(rules.excludedLocations ?? []);
  const skuIndex = new Map(skus.map((s, i) => [s.id, i]));
  const locIndex = new Map(layout.locations.map((l) => [l.id as string, l.index]));
  const at = new Int32Array(skus.length).fill(-1);
  const occupant = new Int32Array(layout.locations.length).fill(-1);
  const single = skus.map((s) => slotsOf(s) === 1);
  for (const [l, s] of [...start].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const si = skuIndex.get(s);
    const li = locIndex.get(l);
    if (si === undefined || li === undefined) continue;
    occupant[li] = si;
    if (single[si] === true) at[si] = li;
  }
  const aisleKey = (li: number): number => {
    const loc = layout.locations[li]!;
    return loc.aisle * 1000 + loc.block;
  };
  // Orders as SKU indices of single-slot SKUs, and per order how many of its SKUs sit in each aisle-block.
  const orderSkus: number[][] = [];
  for (const o of orders) {
    const list = [...new Set(o.map((s) => skuIndex.get(s)).filter((i): i is number => i !== undefined && single[i] === true && at[i] !== -1))].sort((a, b) => a - b);
    if (list.length > 1) orderSkus.push(list);
  }
  const ordersOf: number[][] = skus.map(() => []);
  orderSkus.forEach((list, o) => list.forEach((s) => ordersOf[s]!.push(o)));
  const counts: Map<number, number>[] = orderSkus.map((list) => {
    const m = new Map<number, number>();
    for (const s of list) m.set(aisleKey(at[s]!), (m.get(aisleKey(at[s]!)) ?? 0) + 1);
    return m;
  });
  /** Change in aisle visits when SKU s moves from aisle a to aisle b (applied when `apply`). */
  const moveDelta = (s: number, a: number, b: number, apply: boolean): number => {
    if (a === b) return 0;
    let d = 0;
    for (const o of ordersOf[s]!) {
      const m = counts[o]!;
      const ca = m.get(a)!;
      const cb = m.get(b) ?? 0;
      if (ca === 1) d--;
      if (cb === 0) d++;
      if (apply) {
        if (ca === 1) m.delete(a);
        else m.set(a, ca - 1);
        m.set(b, cb + 1);
      }
    }
    return d;
  };
  // Locations in cost buckets (width = slack, or rounding noise at zero slack), then by aisle-block.
  const width = Math.max(slack, 1e-6);
  const bucketOf = (li: number): number => Math.round(costs[li]! / width);
  const buckets = new Map<number, Map<number, number[]>>();
  for (const loc of layout.locations) {
    const b = bucketOf(loc.index);
    let byAisle = buckets.get(b);
    if (byAisle === undefined) buckets.set(b, (byAisle = new Map<number, number[]>()));
    const k = aisleKey(loc.index);
    const list = byAisle.get(k);
    if (list === undefined) byAisle.set(k, [loc.index]);
    else list.push(loc.index);
  }
  const order = skus.map((_, i) => i).filter((i) => at[i] !== -1 && ordersOf[i]!.length > 0)
    .sort((x, y) => velocityPerSlot(skus[y]!) - velocityPerSlot(skus[x]!) || x - y);
  const maxCandidates = options.candidates ?? 4;
  for (let pass = 0; pass < (options.passes ?? 3); pass++) {
    let improved = false;
    for (const s of order) {
      const from = at[s]!;
      const a = aisleKey(from);
      // Aisles the SKU's order partners are in, by how many orders would then share them.
      const tally = new Map<number, number>();
      for (const o of ordersOf[s]!) for (const k of counts[o]!.keys()) if (k !== a) tally.set(k, (tally.get(k) ?? 0) + 1);
      const candidates = [...tally].sort((x, y) => y[1] - x[1] || x[0] - y[0]).slice(0, maxCandidates);
      const byAisle = buckets.get(bucketOf(from))!;
      let done = false;
      for (const [b] of candidates) {
        if (done) break;
        for (const to of byAisle.get(b) ?? []) {
          if (Math.abs(costs[to]! - costs[from]!) > slack + 1e-9) continue;
          const t = occupant[to]!;
          if (t !== -1 && at[t] === -1) continue; // a multi-slot SKU stays
          if (ineligibility(skus[s]!, layout.locations[to]!, rules, excluded) !== null) continue;
          if (t !== -1 && ineligibility(skus[t]!, layout.locations[from]!, rules, excluded) !== null) continue;
          const d1 = moveDelta(s, a, b, true);
          const d2 = t === -1 ? 0 : moveDelta(t, b, a, true);
          if (d1 + d2 < 0) {
            occupant[to] = s;
            occupant[from] = t;
            at[s] = to;
            if (t !== -1) at[t] = from;
            improved = true;
            done = true;
            break;
          }
          if (t !== -1) moveDelta(t, a, b, true);
          moveDelta(s, b, a, true);
        }
      }
    }
    if (!improved) break;
  }
  const out = new Map<LocationId, SkuId>();
  for (let li = 0; li < occupant.length; li++) if (occupant[li] !== -1) out.set(layout.locations[li]!.id, skus[occupant[li]!]!.id);
  return out;
}
