/**
 * The classic routing policies as pick orders: S-shape, largest gap and combined (Hall 1993; Roodbergen & de Koster
 * 2001). Single block: the textbook definitions. Several blocks: Roodbergen & de Koster's block-by-block extension —
 * walk up the left-most pick aisle to the farthest block with picks, sweep that block, then each nearer block in turn
 * (entering from its back cross-aisle, leaving by its front one), starting from whichever end of the block is nearer.
 */

/** What a policy needs to know of one pick: its aisle, block and pick point y (metres). */
export interface PolicyPick {
  readonly aisle: number;
  readonly block: number;
  readonly y: number;
}

/** Rack-aisle geometry the policies reason in. */
export interface PolicyGeometry {
  readonly aisles: number;
  readonly aisleSpacing: number;
  /** y of cross-aisle k's centreline, k = 0..blocks. */
  readonly crossAisleY: (k: number) => number;
}

/** The classic policies offered under their customary names. */
export type PolicyName = 's-shape' | 'largest-gap' | 'combined';

type Side = 'front' | 'back';

interface Ctx {
  readonly picks: readonly PolicyPick[];
  readonly geo: PolicyGeometry;
  /** Maps a real aisle to the aisle the sweep reasons in (identity, or mirrored right-to-left). */
  readonly aisleOf: (i: number) => number;
}

const byY = (ctx: Ctx, dir: 'up' | 'down') => (i: number, j: number): number =>
  dir === 'up' ? ctx.picks[i]!.y - ctx.picks[j]!.y : ctx.picks[j]!.y - ctx.picks[i]!.y;

/** Picks of one block grouped per (sweep) aisle, aisles in sweep order from `startAisle`'s nearer end. */
function sweepAisles(ctx: Ctx, indices: readonly number[], fromAisle: number): number[][] {
  const groups = new Map<number, number[]>();
  for (const i of indices) {
    const a = ctx.aisleOf(i);
    const g = groups.get(a);
    if (g === undefined) groups.set(a, [i]);
    else g.push(i);
  }
  const aisles = [...groups.keys()].sort((a, b) => a - b);
  const lo = aisles[0] ?? fromAisle;
  const hi = aisles[aisles.length - 1] ?? fromAisle;
  if (Math.abs(fromAisle - hi) < Math.abs(fromAisle - lo)) aisles.reverse();
  return aisles.map((a) => groups.get(a) ?? []);
}

/** Orders one block's picks. The picker enters on side `entry` at sweep aisle `at` and leaves on the front side. */
type BlockRule = (ctx: Ctx, block: number, indices: readonly number[], entry: Side, at: number) => { order: number[]; at: number };

const away = (entry: Side): 'up' | 'down' => (entry === 'front' ? 'up' : 'down');

const sShapeBlock: BlockRule = (ctx, _block, indices, entry, at) => {
  const aisles = sweepAisles(ctx, indices, at);
  const order: number[] = [];
  let dir = away(entry);
  for (const group of aisles) {
    order.push(...[...group].sort(byY(ctx, dir)));
    dir = dir === 'up' ? 'down' : 'up';
  }
  const last = aisles[aisles.length - 1]?.[0];
  return { order, at: last === undefined ? at : ctx.aisleOf(last) };
};

/** Splits an aisle's picks at its largest gap: the part reached from the front and the part reached from the back. */
function splitAtLargestGap(ctx: Ctx, group: readonly number[], yFront: number, yBack: number): { front: number[]; back: number[] } {
  const sorted = [...group].sort(byY(ctx, 'up'));
  const ys = [yFront, ...sorted.map((i) => ctx.picks[i]!.y), yBack];
  let gapAt = 0;
  let gap = -1;
  for (let k = 0; k + 1 < ys.length; k++) {
    const g = ys[k + 1]! - ys[k]!;
    if (g > gap) {
      gap = g;
      gapAt = k;
    }
  }
  // Gap k lies between ys[k] and ys[k+1]: sorted[0..k−1] are reached from the front.
  return { front: sorted.slice(0, gapAt), back: sorted.slice(gapAt).reverse() };
}

const largestGapBlock: BlockRule = (ctx, block, indices, entry, at) => {
  const aisles = sweepAisles(ctx, indices, at);
  const yFront = ctx.geo.crossAisleY(block - 1);
  const yBack = ctx.geo.crossAisleY(block);
  const m = aisles.length;
  const order: number[] = [];
  if (m === 0) return { order, at };
  const aisleAt = (g: readonly number[]): number => ctx.aisleOf(g[0]!);
  if (m === 1) {
    order.push(...[...aisles[0]!].sort(byY(ctx, away(entry))));
    return { order, at: aisleAt(aisles[0]!) };
  }
  const parts = aisles.map((g) => splitAtLargestGap(ctx, g, yFront, yBack));
  if (entry === 'front') {
    // Up the first aisle, back parts along the back cross-aisle, down the last aisle, front parts on the way back.
    order.push(...[...aisles[0]!].sort(byY(ctx, 'up')));
    for (let k = 1; k < m - 1; k++) order.push(...parts[k]!.back);
    order.push(...[...aisles[m - 1]!].sort(byY(ctx, 'down')));
    for (let k = m - 2; k >= 1; k--) order.push(...parts[k]!.front);
    return { order, at: aisleAt(aisles[m > 2 ? 1 : m - 1]!) };
  }
  // Entered from the back: back parts across, down the last aisle entirely, front parts on the way back.
  for (let k = 0; k < m - 1; k++) order.push(...parts[k]!.back);
  order.push(...[...aisles[m - 1]!].sort(byY(ctx, 'down')));
  for (let k = m - 2; k >= 0; k--) order.push(...parts[k]!.front);
  return { order, at: aisleAt(aisles[0]!) };
};

const combinedBlock: BlockRule = (ctx, block, indices, entry, at) => {
  const aisles = sweepAisles(ctx, indices, at);
  const m = aisles.length;
  if (m === 0) return { order: [], at };
  const yFront = ctx.geo.crossAisleY(block - 1);
  const yBack = ctx.geo.crossAisleY(block);
  const h = yBack - yFront;
  const xs = aisles.map((g) => ctx.aisleOf(g[0]!));
  const sides: Side[] = ['front', 'back'];
  // best[k][s]: least walk having finished aisle k on side s; choice: traverse (flip side) or return (same side).
  const best: number[][] = [];
  const how: { from: Side; traverse: boolean }[][] = [];
  for (let k = 0; k < m; k++) {
    const group = aisles[k]!;
    const ys = group.map((i) => ctx.picks[i]!.y);
    const deepFromFront = Math.max(...ys) - yFront;
    const deepFromBack = yBack - Math.min(...ys);
    best.push([Infinity, Infinity]);
    how.push([{ from: 'front', traverse: false }, { from: 'front', traverse: false }]);
    for (const from of sides) {
      const arrive = k === 0
        ? (from === entry ? 0 : Infinity) + Math.abs(at - xs[0]!) * ctx.geo.aisleSpacing
        : best[k - 1]![sides.indexOf(from)]! + Math.abs(xs[k - 1]! - xs[k]!) * ctx.geo.aisleSpacing;
      const options: { to: Side; cost: number; traverse: boolean }[] = [
        { to: from === 'front' ? 'back' : 'front', cost: arrive + h, traverse: true },
        { to: from, cost: arrive + 2 * (from === 'front' ? deepFromFront : deepFromBack), traverse: false },
      ];
      for (const o of options) {
        const s = sides.indexOf(o.to);
        if (o.cost < best[k]![s]!) {
          best[k]![s] = o.cost;
          how[k]![s] = { from, traverse: o.traverse };
        }
      }
    }
  }
  // The picker must leave by the front: finishing on the back costs one more aisle length.
  let side: Side = best[m - 1]![0]! <= best[m - 1]![1]! + h ? 'front' : 'back';
  const plan: { from: Side; traverse: boolean }[] = new Array<{ from: Side; traverse: boolean }>(m);
  for (let k = m - 1; k >= 0; k--) {
    const step = how[k]![sides.indexOf(side)]!;
    plan[k] = step;
    side = step.from;
  }
  const order: number[] = [];
  for (let k = 0; k < m; k++) {
    const step = plan[k]!;
    order.push(...[...aisles[k]!].sort(byY(ctx, step.from === 'front' ? 'up' : 'down')));
  }
  return { order, at: xs[m - 1]! };
};

const RULES: Record<PolicyName, BlockRule> = { 's-shape': sShapeBlock, 'largest-gap': largestGapBlock, combined: combinedBlock };

/** Orders picks by a policy, sweeping left to right (or, with `mirrored`, right to left). Returns indices into `picks`. */
export function policyOrder(policy: PolicyName, picks: readonly PolicyPick[], geo: PolicyGeometry, mirrored = false): number[] {
  if (picks.length === 0) return [];
  const aisleOf = (i: number): number => (mirrored ? geo.aisles + 1 - picks[i]!.aisle : picks[i]!.aisle);
  const ctx: Ctx = { picks, geo, aisleOf };
  const rule = RULES[policy];
  const all = picks.map((_, i) => i);
  const farthest = Math.max(...picks.map((p) => p.block));
  const first = Math.min(...all.map(aisleOf));
  const order: number[] = [];
  // Up the first pick aisle to the farthest block, picking on the way.
  const onTheWay = all.filter((i) => aisleOf(i) === first && picks[i]!.block < farthest).sort(byY(ctx, 'up'));
  order.push(...onTheWay);
  const taken = new Set(onTheWay);
  let at = first;
  for (let b = farthest; b >= 1; b--) {
    const inBlock = all.filter((i) => !taken.has(i) && picks[i]!.block === b);
    if (inBlock.length === 0) continue;
    const r = rule(ctx, b, inBlock, b === farthest ? 'front' : 'back', at);
    order.push(...r.order);
    at = r.at;
  }
  return order;
}
