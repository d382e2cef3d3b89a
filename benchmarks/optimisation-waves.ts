/**
 * Waves benchmark (issue 7): count waves (today's automatic release: up to 200 orders by cut-off every 5 s while fewer
 * than 100 wait in the pickers' queue), planned waves (planWave every 15 minutes, and every 5) and waveless release
 * (planWave every 30 s, 5 minutes of cover) on a simulated peak. The simulator's run-scenario has no hook for a release planner, so
 * this is a deterministic event-driven model of the floor: orders arrive by a seeded Poisson process with a peak,
 * each with a carrier cut-off; pickers take released orders one at a time in the twin's queue order (priority, then
 * age); packed first come first served at the pack stations. Reports orders that miss their cut-off (packed after it
 * or never), pack-station idle time while work waited upstream, and the pack queue (overflow).
 * `waveRows()` feeds `npm run bench -- optimisation`; `npx tsx benchmarks/optimisation-waves.ts` prints the table.
 */
import { fileURLToPath } from 'node:url';
import { createRng } from '../server/twin/rng.ts';
import type { Rng } from '../server/twin/rng.ts';
import type { WavePlanOrder, WavePlanRequest } from '../solver/waves/waves.ts';
import { isWavePlanError, planWave } from '../solver/waves/waves.ts';
import { printTable, type Row } from './bench-util.ts';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY0 = Date.UTC(2026, 10, 27);
const at = (hh: number, mm = 0): number => DAY0 + hh * HOUR + mm * MIN;
const SEEDS = [1, 2, 3];

/** The peak: arrivals per hour by hour of day; 12 pickers, 4 pack stations, four carrier cut-offs. */
export const PEAK = {
  arrivalsPerHour: new Map<number, number>([[6, 120], [7, 160], [8, 300], [9, 320], [10, 300], [11, 200], [12, 150], [13, 120]]),
  cutoffs: [at(11), at(13), at(15), at(17)],
  /** An order's cut-off is the first at least this long after it arrives (else the last one). */
  handlingLeadMs: 90 * MIN,
  pickers: 12,
  pickSecondsPerOrder: 60,
  pickSecondsPerLine: 30,
  packStations: 4,
  packSecondsPerOrder: 60,
  packSecondsPerLine: 5,
  /** 10 % of orders are express (priority 1). */
  expressShare: 0.1,
  endAt: at(20),
} as const;

/** What the planner is told: a configured per-picker rate (the pipeline's default) and the stations' rate. */
const PLANNER = { picksPerHour: 60, packOrdersPerHour: 50 } as const;

interface SimOrder {
  readonly id: string;
  readonly arrival: number;
  readonly lines: number;
  readonly cutoffAt: number;
  readonly priority: number;
  packedAt: number | null;
}

/** `planned-5`: planned waves every 5 minutes instead of 15. */
export type ReleasePolicyName = 'count' | 'planned' | 'planned-5' | 'waveless';

export interface WaveSimResult {
  readonly policy: ReleasePolicyName;
  readonly orders: number;
  readonly missed: number;
  /** Pack-station time idle while orders waited unreleased or in picking, as a share of station time until the last pack. */
  readonly packStarvedShare: number;
  readonly packQueueMean: number;
  readonly packQueueMax: number;
  /** Picker time idle while orders waited unreleased, as a share of picker time until the last pick. */
  readonly pickerStarvedShare: number;
  readonly releases: number;
  readonly atRiskReleased: number;
  readonly plannerMs: number;
}

const LINE_WEIGHTS = [40, 25, 15, 10, 5, 3, 2];

function drawLines(rng: Rng): number {
  const total = LINE_WEIGHTS.reduce((a, b) => a + b, 0);
  let x = rng.next() * total;
  for (const [i, w] of LINE_WEIGHTS.entries()) {
    x -= w;
    if (x < 0) return i + 1;
  }
  return LINE_WEIGHTS.length;
}

/** Seeded arrivals: Poisson within each hour at that hour's rate. */
export function peakOrders(seed: number): SimOrder[] {
  const rng = createRng(seed);
  const orders: SimOrder[] = [];
  for (const [hour, rate] of PEAK.arrivalsPerHour) {
    let t = at(hour);
    for (;;) {
      t += (-Math.log(1 - rng.next()) / rate) * HOUR;
      if (t >= at(hour + 1)) break;
      const cutoffAt = PEAK.cutoffs.find((c) => c >= t + PEAK.handlingLeadMs) ?? PEAK.cutoffs[PEAK.cutoffs.length - 1]!;
      const arrival = Math.round(t);
      orders.push({ id: `O${String(orders.length + 1).padStart(5, '0')}`, arrival, lines: drawLines(rng), cutoffAt, priority: rng.next() < PEAK.expressShare ? 1 : 0, packedAt: null });
    }
  }
  return orders;
}

/** The twin's release queue order: highest priority, then oldest, then id. */
const floorOrder = (a: SimOrder, b: SimOrder): number => b.priority - a.priority || a.arrival - b.arrival || (a.id < b.id ? -1 : 1);
/** selectWaveOrders' order: earliest cut-off, priority, age, id. */
const cutoffOrder = (a: SimOrder, b: SimOrder): number => a.cutoffAt - b.cutoffAt || floorOrder(a, b);

/** Runs one policy over the orders (copied) and measures it. Deterministic. */
export function simulateRelease(policy: ReleasePolicyName, source: readonly SimOrder[]): WaveSimResult {
  const orders = source.map((o) => ({ ...o, packedAt: null as number | null }));
  const pickDuration = (o: SimOrder): number => (PEAK.pickSecondsPerOrder + PEAK.pickSecondsPerLine * o.lines) * 1000;
  const packDuration = (o: SimOrder): number => (PEAK.packSecondsPerOrder + PEAK.packSecondsPerLine * o.lines) * 1000;
  const tickMs = policy === 'count' ? 5_000 : policy === 'planned' ? 15 * MIN : policy === 'planned-5' ? 5 * MIN : 30_000;
  let nextArrival = 0;
  const unreleased = new Map<string, SimOrder>();
  const floorQueue: SimOrder[] = [];
  const pickers: { until: number; order: SimOrder | null }[] = Array.from({ length: PEAK.pickers }, () => ({ until: 0, order: null }));
  const packQueue: SimOrder[] = [];
  const stations: { until: number; order: SimOrder | null }[] = Array.from({ length: PEAK.packStations }, () => ({ until: 0, order: null }));
  const pickTimes: number[] = [];
  let nextTick = orders[0]?.arrival ?? PEAK.endAt;
  let t = nextTick;
  let releases = 0;
  let atRiskReleased = 0;
  let plannerMs = 0;
  let packQueueArea = 0;
  let packQueueMax = 0;
  let packStarved = 0;
  let pickerStarved = 0;
  let lastPack = t;
  let lastPick = t;
  const start = t;

  const release = (ids: readonly string[]): void => {
    if (ids.length === 0) return;
    releases++;
    for (const id of ids) {
      const o = unreleased.get(id)!;
      unreleased.delete(id);
      floorQueue.push(o);
    }
    floorQueue.sort(floorOrder);
  };

  while (t < PEAK.endAt) {
    // Finishes at t.
    for (const p of pickers) {
      if (p.order !== null && p.until <= t) {
        packQueue.push(p.order);
        for (let i = 0; i < p.order.lines; i++) pickTimes.push(p.until);
        p.order = null;
      }
    }
    for (const s of stations) {
      if (s.order !== null && s.until <= t) {
        s.order.packedAt = s.until;
        s.order = null;
      }
    }
    while (nextArrival < orders.length && orders[nextArrival]!.arrival <= t) {
      const o = orders[nextArrival++]!;
      unreleased.set(o.id, o);
    }
    if (t >= nextTick) {
      nextTick = t + tickMs;
      if (policy === 'count') {
        if (floorQueue.length < 100) release([...unreleased.values()].sort(cutoffOrder).slice(0, 200).map((o) => o.id));
      } else {
        const request = planRequest(policy, t, unreleased, floorQueue, pickers, packQueue, stations, pickTimes, tickMs);
        const t0 = performance.now();
        const plan = planWave(request);
        plannerMs += performance.now() - t0;
        if (isWavePlanError(plan)) throw new Error(plan.error.message);
        atRiskReleased += plan.atRisk.filter((r) => r.released).length;
        release(plan.release);
      }
    }
    // Starts at t.
    for (const p of pickers) {
      if (p.order === null && floorQueue.length > 0) {
        p.order = floorQueue.shift()!;
        p.until = t + pickDuration(p.order);
        lastPick = Math.max(lastPick, p.until);
      }
    }
    for (const s of stations) {
      if (s.order === null && packQueue.length > 0) {
        s.order = packQueue.shift()!;
        s.until = t + packDuration(s.order);
        lastPack = Math.max(lastPack, s.until);
      }
    }
    // Next event.
    let next = Math.min(nextTick, PEAK.endAt);
    if (nextArrival < orders.length) next = Math.min(next, orders[nextArrival]!.arrival);
    for (const p of pickers) if (p.order !== null) next = Math.min(next, p.until);
    for (const s of stations) if (s.order !== null) next = Math.min(next, s.until);
    const dt = next - t;
    packQueueArea += packQueue.length * dt;
    packQueueMax = Math.max(packQueueMax, packQueue.length);
    const upstream = unreleased.size + floorQueue.length + pickers.filter((p) => p.order !== null).length;
    if (upstream > 0) packStarved += stations.filter((s) => s.order === null).length * dt;
    if (unreleased.size > 0) pickerStarved += pickers.filter((p) => p.order === null).length * dt;
    t = next;
  }
  const missed = orders.filter((o) => o.packedAt === null || o.packedAt > o.cutoffAt).length;
  return {
    policy,
    orders: orders.length,
    missed,
    packStarvedShare: packStarved / (PEAK.packStations * Math.max(1, lastPack - start)),
    packQueueMean: packQueueArea / Math.max(1, lastPack - start),
    packQueueMax,
    pickerStarvedShare: pickerStarved / (PEAK.pickers * Math.max(1, lastPick - start)),
    releases,
    atRiskReleased,
    plannerMs,
  };
}

/** The planner's request, built the way the pipeline builds it from the twin (wavePlanRequest). */
function planRequest(
  policy: 'planned' | 'planned-5' | 'waveless', now: number, unreleased: ReadonlyMap<string, SimOrder>, floorQueue: readonly SimOrder[],
  pickers: readonly { order: SimOrder | null }[], packQueue: readonly SimOrder[], stations: readonly { order: SimOrder | null }[],
  pickTimes: readonly number[], intervalMs: number,
): WavePlanRequest {
  const orders: WavePlanOrder[] = [...unreleased.values()].map((o) => ({ id: o.id, lines: o.lines, cutoffAt: o.cutoffAt, priority: o.priority, createdAt: o.arrival }));
  const picking = pickers.filter((p) => p.order !== null).map((p) => p.order!);
  const lines = [...floorQueue, ...picking].reduce((s, o) => s + o.lines, 0);
  const unpacked = floorQueue.length + picking.length + packQueue.length + stations.filter((s) => s.order !== null).length;
  let lastHour = 0;
  for (let i = pickTimes.length - 1; i >= 0 && pickTimes[i]! > now - HOUR; i--) lastHour++;
  return {
    mode: policy === 'waveless' ? 'waveless' : 'wave',
    now,
    orders,
    labour: { pickers: PEAK.pickers, picksPerHour: Math.max(PLANNER.picksPerHour, lastHour / PEAK.pickers) },
    packing: { stations: PEAK.packStations, ordersPerHour: PLANNER.packOrdersPerHour },
    released: { lines, orders: unpacked },
    intervalMs,
    maxOrders: 1_000,
  };
}

/** One row per policy, summed over the seeds. */
export function waveRows(): Row[] {
  const policies: ReleasePolicyName[] = ['count', 'planned', 'planned-5', 'waveless'];
  const instances = SEEDS.map((seed) => peakOrders(seed));
  return policies.map((policy) => {
    const results = instances.map((orders) => simulateRelease(policy, orders));
    const sum = (f: (r: WaveSimResult) => number): number => results.reduce((s, r) => s + f(r), 0);
    const mean = (f: (r: WaveSimResult) => number): number => sum(f) / results.length;
    const orders = sum((r) => r.orders);
    return {
      policy,
      orders,
      'missed cut-off': `${sum((r) => r.missed)} (${((100 * sum((r) => r.missed)) / orders).toFixed(1)} %)`,
      'pack idle while work waited': `${(100 * mean((r) => r.packStarvedShare)).toFixed(1)} %`,
      'pack queue mean / max': `${mean((r) => r.packQueueMean).toFixed(1)} / ${Math.max(...results.map((r) => r.packQueueMax))}`,
      'picker idle while orders waited': `${(100 * mean((r) => r.pickerStarvedShare)).toFixed(1)} %`,
      releases: sum((r) => r.releases),
      'released at risk': policy === 'count' ? '–' : sum((r) => r.atRiskReleased),
      'planner ms (total)': policy === 'count' ? '–' : Math.round(sum((r) => r.plannerMs)),
    };
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  printTable(`Release policies on a simulated peak (${SEEDS.length} seeds; ${PEAK.pickers} pickers, ${PEAK.packStations} pack stations)`, waveRows());
}
