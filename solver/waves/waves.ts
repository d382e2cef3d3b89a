/**
 * Wave sizing and waveless release (rules W1–W8 in SPEC.md): which allocated orders to release now so that orders
 * whose carrier cut-off is still reachable make it, the pickers on shift stay busy until the next release, and the
 * pack stations are not flooded. Pure and deterministic: plain data in, plain data out, no clock.
 */

/** `wave`: one release sized to the time until the next wave; `waveless`: a top-up re-planned every interval. */
export type WavePlanMode = 'wave' | 'waveless';

/** An allocated order not yet released. */
export interface WavePlanOrder {
  readonly id: string;
  /** Pick lines (tasks), whole ≥ 1. */
  readonly lines: number;
  /** Carrier cut-off (the order must be packed by then), epoch ms; null: none. */
  readonly cutoffAt: number | null;
  /** Higher goes first among equals. */
  readonly priority: number;
  /** Epoch ms; older goes first among equals. */
  readonly createdAt: number;
}

export interface WavePlanRequest {
  readonly mode: WavePlanMode;
  /** Epoch ms. */
  readonly now: number;
  readonly orders: readonly WavePlanOrder[];
  /** Pickers on shift and each one's rate, lines (picks) per hour. */
  readonly labour: { readonly pickers: number; readonly picksPerHour: number };
  /**
   * Pack stations staffed and each one's rate, orders per hour; `bufferMs`: pack work allowed beyond the horizon, so
   * the stations do not starve while the next release is still being picked (default 5 minutes).
   */
  readonly packing: { readonly stations: number; readonly ordersPerHour: number; readonly bufferMs?: number };
  /** Work already on the floor: lines released and not picked; orders released and not yet packed (picked included). */
  readonly released: { readonly lines: number; readonly orders: number };
  /** `wave`: ms until the next wave; `waveless`: ms until the next re-plan. */
  readonly intervalMs: number;
  /** `waveless` only: work kept queued beyond the next re-plan, ms (default 5 minutes). */
  readonly coverMs?: number;
  /** Most orders to release (default unlimited). */
  readonly maxOrders?: number;
}

/** An order the plan expects to miss its cut-off ([W7]). */
export interface WaveRisk {
  readonly orderId: string;
  readonly cutoffAt: number;
  /** Projected pack time when released by this plan ([W6]); null when held back. */
  readonly projectedAt: number | null;
  readonly released: boolean;
}

export interface WavePlan {
  readonly mode: WavePlanMode;
  /** Orders to release now, in W4 order. */
  readonly release: string[];
  /** Lines of the released orders. */
  readonly lines: number;
  /** At-risk orders, released ones first, each part in W4 order. */
  readonly atRisk: WaveRisk[];
  readonly horizonMs: number;
  /** Lines and orders the plan could release ([W5]), after the work already on the floor. */
  readonly lineCap: number;
  readonly orderCap: number;
  /** When the floor is projected to have picked everything released (including this plan), or null without pickers. */
  readonly pickedByAt: number | null;
  /** Candidates held back for a later release. */
  readonly heldBack: number;
}

export interface WavePlanError {
  readonly error: { readonly code: 'BAD_REQUEST'; readonly message: string };
}

/** Narrows a planWave answer to its error. */
export const isWavePlanError = (r: WavePlan | WavePlanError): r is WavePlanError => 'error' in r;

/** Default pack work allowed beyond the horizon ([W5]). */
export const DEFAULT_PACK_BUFFER_MS = 5 * 60_000;

/** Default work kept queued beyond the next waveless re-plan. */
export const DEFAULT_COVER_MS = 5 * 60_000;

const HOUR_MS = 3_600_000;

/** An order with its derived times. */
interface Candidate {
  readonly order: WavePlanOrder;
  /** Latest start, epoch ms ([W2]); +∞ without a cut-off. */
  readonly latestStart: number;
  readonly pickMs: number;
}

/** Plans one release ([W1]–[W8]). */
export function planWave(request: WavePlanRequest): WavePlan | WavePlanError {
  const problem = validate(request);
  if (problem !== null) return { error: { code: 'BAD_REQUEST', message: problem } };
  const { now, labour, packing, released, intervalMs } = request;
  const packMs = HOUR_MS / packing.ordersPerHour;
  const candidates: Candidate[] = request.orders.map((order) => {
    const pickMs = (order.lines / labour.picksPerHour) * HOUR_MS;
    return { order, pickMs, latestStart: order.cutoffAt === null ? Number.POSITIVE_INFINITY : order.cutoffAt - pickMs - packMs };
  });
  // [W3]
  const horizonMs = request.mode === 'wave' ? intervalMs : intervalMs + (request.coverMs ?? DEFAULT_COVER_MS);
  const nextChance = now + intervalMs;
  // [W4]
  const mustGo = candidates.filter((c) => c.latestStart >= now && c.latestStart < nextChance).sort(byCutoff);
  const late = candidates.filter((c) => c.latestStart < now).sort(byPriority);
  const rest = candidates.filter((c) => c.latestStart >= nextChance).sort(byCutoff);
  // [W5]
  const labourPerMs = (labour.pickers * labour.picksPerHour) / HOUR_MS;
  const packPerMs = (packing.stations * packing.ordersPerHour) / HOUR_MS;
  const lineCap = Math.max(0, wholeOf(labourPerMs * horizonMs) - released.lines);
  const orderCap = Math.max(0, Math.min(wholeOf(packPerMs * (horizonMs + (packing.bufferMs ?? DEFAULT_PACK_BUFFER_MS))) - released.orders, request.maxOrders ?? Number.POSITIVE_INFINITY));
  const taken: Candidate[] = [];
  const heldBack: Candidate[] = [];
  let lines = 0;
  const ordered = [...mustGo, ...late, ...rest];
  for (const c of ordered) {
    if (taken.length < orderCap && lines + c.order.lines <= lineCap) {
      taken.push(c);
      lines += c.order.lines;
    } else heldBack.push(c);
  }
  // A huge order would never fit: alone on an empty floor it goes.
  const first = ordered[0];
  if (taken.length === 0 && first !== undefined && released.lines === 0 && labourPerMs > 0 && orderCap >= 1) {
    taken.push(first);
    lines = first.order.lines;
    heldBack.splice(heldBack.indexOf(first), 1);
  }
  // [W6], [W7]
  const atRisk: WaveRisk[] = [];
  let cumulative = released.lines;
  for (const [k, c] of taken.entries()) {
    cumulative += c.order.lines;
    const pickedAt = now + Math.max(c.pickMs, cumulative / labourPerMs);
    const packedAt = Math.max(pickedAt + packMs, now + (released.orders + k + 1) / packPerMs);
    if (c.order.cutoffAt !== null && packedAt > c.order.cutoffAt) atRisk.push({ orderId: c.order.id, cutoffAt: c.order.cutoffAt, projectedAt: packedAt, released: true });
  }
  for (const c of heldBack) {
    if (c.order.cutoffAt !== null && c.latestStart < nextChance) atRisk.push({ orderId: c.order.id, cutoffAt: c.order.cutoffAt, projectedAt: null, released: false });
  }
  return {
    mode: request.mode,
    release: taken.map((c) => c.order.id),
    lines,
    atRisk,
    horizonMs,
    lineCap,
    orderCap,
    pickedByAt: labourPerMs > 0 ? now + (released.lines + lines) / labourPerMs : null,
    heldBack: heldBack.length,
  };
}

/** ⌊x⌋, but a product that should be whole and lands a hair below (2/h × 30 min = 0.999…) counts as whole. */
const wholeOf = (x: number): number => Math.floor(x + 1e-9);

const byId = (a: Candidate, b: Candidate): number => (a.order.id < b.order.id ? -1 : a.order.id > b.order.id ? 1 : 0);

/** Earliest cut-off (none last), higher priority, older, id. */
function byCutoff(a: Candidate, b: Candidate): number {
  const ca = a.order.cutoffAt ?? Number.POSITIVE_INFINITY;
  const cb = b.order.cutoffAt ?? Number.POSITIVE_INFINITY;
  if (ca !== cb) return ca < cb ? -1 : 1;
  return byPriorityAgeId(a, b);
}

/** Higher priority, earlier cut-off, older, id. */
function byPriority(a: Candidate, b: Candidate): number {
  if (a.order.priority !== b.order.priority) return b.order.priority - a.order.priority;
  const ca = a.order.cutoffAt ?? Number.POSITIVE_INFINITY;
  const cb = b.order.cutoffAt ?? Number.POSITIVE_INFINITY;
  if (ca !== cb) return ca < cb ? -1 : 1;
  return byPriorityAgeId(a, b);
}

function byPriorityAgeId(a: Candidate, b: Candidate): number {
  if (a.order.priority !== b.order.priority) return b.order.priority - a.order.priority;
  if (a.order.createdAt !== b.order.createdAt) return a.order.createdAt - b.order.createdAt;
  return byId(a, b);
}

/** A plain boolean keeps the declared element type (Array.isArray would narrow the list to any[]). */
const isList = (v: unknown): boolean => Array.isArray(v);
const isWhole = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isPositive = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v > 0;
const isFiniteNumber = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);

/** [W1] The first problem with the request, or null. Requests cross a worker boundary, so shapes are checked too. */
function validate(r: WavePlanRequest): string | null {
  if (r.mode !== 'wave' && r.mode !== 'waveless') return `mode must be 'wave' or 'waveless', not ${JSON.stringify(r.mode)}`;
  if (!isFiniteNumber(r.now)) return 'now must be a finite time in epoch ms';
  if (!isPositive(r.intervalMs)) return 'intervalMs must be a number > 0';
  if (r.coverMs !== undefined && !(isFiniteNumber(r.coverMs) && r.coverMs >= 0)) return 'coverMs must be a number ≥ 0';
  if (r.maxOrders !== undefined && !isWhole(r.maxOrders)) return 'maxOrders must be a whole number ≥ 0';
  if (typeof r.labour !== 'object' || r.labour === null) return 'labour must be { pickers, picksPerHour }';
  if (!isWhole(r.labour.pickers)) return 'labour.pickers must be a whole number ≥ 0';
  if (!isPositive(r.labour.picksPerHour)) return 'labour.picksPerHour must be a number > 0';
  if (typeof r.packing !== 'object' || r.packing === null) return 'packing must be { stations, ordersPerHour }';
  if (!isWhole(r.packing.stations)) return 'packing.stations must be a whole number ≥ 0';
  if (!isPositive(r.packing.ordersPerHour)) return 'packing.ordersPerHour must be a number > 0';
  if (r.packing.bufferMs !== undefined && !(isFiniteNumber(r.packing.bufferMs) && r.packing.bufferMs >= 0)) return 'packing.bufferMs must be a number ≥ 0';
  if (typeof r.released !== 'object' || r.released === null) return 'released must be { lines, orders }';
  if (!isWhole(r.released.lines)) return 'released.lines must be a whole number ≥ 0';
  if (!isWhole(r.released.orders)) return 'released.orders must be a whole number ≥ 0';
  if (!isList(r.orders)) return 'orders must be a list';
  const seen = new Set<string>();
  for (const [i, o] of r.orders.entries()) {
    if (typeof o !== 'object' || o === null || typeof o.id !== 'string' || o.id === '') return `order ${i + 1} must have a non-empty id`;
    if (seen.has(o.id)) return `order ${o.id} is listed twice`;
    seen.add(o.id);
    if (!isWhole(o.lines) || o.lines < 1) return `order ${o.id}: lines must be a whole number ≥ 1`;
    if (o.cutoffAt !== null && !isFiniteNumber(o.cutoffAt)) return `order ${o.id}: cutoffAt must be a time in epoch ms or null`;
    if (!isFiniteNumber(o.priority)) return `order ${o.id}: priority must be a finite number`;
    if (!isFiniteNumber(o.createdAt)) return `order ${o.id}: createdAt must be a time in epoch ms`;
  }
  return null;
}
