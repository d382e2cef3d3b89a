/**
 * The demand model of a scenario: when orders arrive and what they contain. Pure: randomness comes from the `Rng`
 * the caller passes (a named simulation stream), so arrivals and order contents can use separate streams.
 *
 * Arrivals are a non-homogeneous Poisson process whose rate follows `hourlyProfile` (by UTC hour) times every peak
 * covering the instant, times `multiplier`. The rate is scaled so that the profile alone brings `demand.lines` lines
 * over the run; peaks and the multiplier add to that (Black Friday 10:00–14:00 × 3 is three times the rate then).
 */
import type { EpochMs, SkuId, TenantId } from '../../server/twin/ids.ts';
import { epochMs } from '../../server/twin/ids.ts';
import { MAX_ORDER_LINES } from '../../server/twin/keys.ts';
import { pickWeighted, randomExponential, type Rng } from '../../server/twin/rng.ts';
import type { Sku } from '../../server/twin/site.ts';
import type { TwinState } from '../../server/twin/state.ts';
import { minutesOfDay } from './time-of-day.ts';
import type { CountDistribution, Scenario, ScenarioDemand } from './types.ts';

export interface OrderLineDraft {
  readonly skuId: SkuId;
  readonly qty: number;
}

export interface OrderDraft {
  readonly tenantId: TenantId;
  readonly lines: readonly OrderLineDraft[];
}

export interface DemandModel {
  /**
   * Time of the next arrival strictly after `t` (non-homogeneous Poisson by thinning over hourlyProfile × peaks ×
   * multiplier), or null when it would fall at or after the end of the run. Whole milliseconds.
   */
  nextArrivalAfter(t: EpochMs, rng: Rng): EpochMs | null;
  /** One order: tenant by its SKUs' total popularity, distinct SKUs of that tenant by popularity, qty by unitsPerLine. */
  drawOrder(rng: Rng): OrderDraft;
  /** Expected orders over the whole run (for progress and sizing). */
  readonly expectedOrders: number;
  /** Expected order lines over the whole run (peaks and multiplier included). */
  readonly expectedLines: number;
}

const MINUTE_MS = 60_000;
/** Redraws of an already chosen SKU before switching to exact sampling without replacement. */
const MAX_REJECTIONS = 32;

/** Running sums of `weights` (the form `pickWeighted` takes). */
export function cumulativeOf(weights: readonly number[]): number[] {
  const out: number[] = [];
  let total = 0;
  for (const w of weights) {
    total += w;
    out.push(total);
  }
  return out;
}

/**
 * Builds the demand model of `scenario`, fitting the `history` kinds from `startState.orders`. Throws an Error naming
 * the scenario field when the demand cannot be drawn (a history kind with no orders to fit, no SKU with weight).
 */
export function createDemandModel(scenario: Scenario, startState: TwinState): DemandModel {
  const demand = scenario.demand;
  const startAt = Date.parse(scenario.startAt);
  const endAt = startAt + scenario.durationHours * 3_600_000;
  if (!Number.isFinite(startAt) || !(endAt >= startAt)) throw new Error(`startAt/durationHours: not a valid run window`);

  const linesDist = fitCounts(demand.linesPerOrder, 'demand.linesPerOrder', startState, (o) => [o.lines.length]);
  const unitsDist = fitCounts(demand.unitsPerLine, 'demand.unitsPerLine', startState, (o) => o.lines.map((l) => l.qty));
  const linesCum = cumulativeOf(linesDist);
  const unitsCum = cumulativeOf(unitsDist);

  // SKUs of each tenant with a positive weight, in site order; tenants in site order.
  const skuWeights = popularity(demand, startState);
  const tenants: { id: TenantId; skus: Sku[]; cum: number[] }[] = [];
  for (const tenant of startState.site.tenants) {
    const skus: Sku[] = [];
    const weights: number[] = [];
    startState.site.skus.forEach((sku, i) => {
      const w = skuWeights[i] ?? 0;
      if (sku.tenantId === tenant.id && w > 0) {
        skus.push(sku);
        weights.push(w);
      }
    });
    if (skus.length > 0) tenants.push({ id: tenant.id, skus, cum: cumulativeOf(weights) });
  }
  if (tenants.length === 0) throw new Error(`demand.skuPopularity: no SKU of the site has a positive weight`);
  const tenantCum = cumulativeOf(tenants.map((t) => t.cum[t.cum.length - 1] ?? 0));

  // Mean lines per order once capped by the tenant's SKU count (an order has distinct SKUs).
  const tenantTotal = tenantCum[tenantCum.length - 1] ?? 1;
  const linesTotal = linesCum[linesCum.length - 1] ?? 1;
  let meanLines = 0;
  tenants.forEach((t, ti) => {
    const pTenant = ((tenantCum[ti] ?? 0) - (ti > 0 ? (tenantCum[ti - 1] ?? 0) : 0)) / tenantTotal;
    linesDist.forEach((w, k) => {
      meanLines += pTenant * (w / linesTotal) * Math.min(k + 1, t.skus.length, MAX_ORDER_LINES);
    });
  });

  // Relative rate per absolute UTC minute of the run: hours and peaks change only on whole minutes.
  const firstMinute = Math.floor(startAt / MINUTE_MS);
  const minuteCount = Math.max(0, Math.ceil(endAt / MINUTE_MS) - firstMinute);
  const peaks = demand.peaks.map((p) => ({ from: minutesOfDay(p.from), to: minutesOfDay(p.to), multiplier: p.multiplier }));
  const rate = new Float64Array(minuteCount);
  let profileIntegral = 0;
  let rateIntegral = 0;
  let maxRate = 0;
  for (let i = 0; i < minuteCount; i++) {
    const minuteStart = (firstMinute + i) * MINUTE_MS;
    const minuteOfDay = (firstMinute + i) % (24 * 60);
    const base = demand.hourlyProfile[Math.floor(minuteOfDay / 60)] ?? 0;
    let w = base;
    for (const p of peaks) if (covers(p.from, p.to, minuteOfDay)) w *= p.multiplier;
    rate[i] = w;
    const overlap = Math.min(endAt, minuteStart + MINUTE_MS) - Math.max(startAt, minuteStart);
    if (overlap > 0) {
      profileIntegral += base * overlap;
      rateIntegral += w * overlap;
      if (w > maxRate) maxRate = w;
    }
  }

  const expectedLines = profileIntegral > 0 ? (demand.lines * demand.multiplier * rateIntegral) / profileIntegral : 0;
  const expectedOrders = meanLines > 0 ? expectedLines / meanLines : 0;
  // Orders per ms per unit of relative rate.
  const ordersPerMsPerWeight = rateIntegral > 0 ? expectedOrders / rateIntegral : 0;
  const maxOrdersPerMs = maxRate * ordersPerMsPerWeight;

  const rateAt = (t: number): number => rate[Math.floor(t / MINUTE_MS) - firstMinute] ?? 0;

  return {
    expectedOrders,
    expectedLines,
    nextArrivalAfter(t: EpochMs, rng: Rng): EpochMs | null {
      if (!(maxOrdersPerMs > 0)) return null;
      let at = Math.max(t, startAt);
      for (;;) {
        // Candidate of the homogeneous process at the maximum rate; accepted with probability rate / max (thinning).
        at += Math.max(1, Math.ceil(randomExponential(rng, 1 / maxOrdersPerMs)));
        if (at >= endAt) return null;
        if (rng.next() * maxRate < rateAt(at)) return epochMs(at);
      }
    },
    drawOrder(rng: Rng): OrderDraft {
      const tenant = tenants[pickWeighted(rng, tenantCum)] as (typeof tenants)[number];
      const count = Math.min(pickWeighted(rng, linesCum) + 1, tenant.skus.length, MAX_ORDER_LINES);
      const chosen = drawDistinct(rng, tenant.cum, count);
      return {
        tenantId: tenant.id,
        lines: chosen.map((i) => ({ skuId: (tenant.skus[i] as Sku).id, qty: pickWeighted(rng, unitsCum) + 1 })),
      };
    },
  };
}

/** True when minute-of-day `m` lies in [from, to), wrapping past midnight when `to` ≤ `from`. */
function covers(from: number, to: number, m: number): boolean {
  return from < to ? m >= from && m < to : m >= from || m < to;
}

/** `count` distinct indexes drawn by weight without replacement, in the order drawn. */
function drawDistinct(rng: Rng, cum: readonly number[], count: number): number[] {
  const picked: number[] = [];
  const taken = new Set<number>();
  let rejections = 0;
  while (picked.length < count && rejections < MAX_REJECTIONS) {
    const i = pickWeighted(rng, cum);
    if (taken.has(i)) {
      rejections++;
      continue;
    }
    taken.add(i);
    picked.push(i);
  }
  if (picked.length < count) {
    // A few heavy items keep coming back: draw the rest exactly from what is left.
    const rest: number[] = [];
    const restWeights: number[] = [];
    for (let i = 0; i < cum.length; i++) {
      if (taken.has(i)) continue;
      rest.push(i);
      restWeights.push((cum[i] ?? 0) - (i > 0 ? (cum[i - 1] ?? 0) : 0));
    }
    while (picked.length < count && rest.length > 0) {
      const j = pickWeighted(rng, cumulativeOf(restWeights));
      picked.push(rest[j] as number);
      rest.splice(j, 1);
      restWeights.splice(j, 1);
    }
  }
  return picked;
}

/** Weights over 1..n: the given distribution, or the histogram of `values` over the start state's orders. */
function fitCounts(
  spec: { readonly kind: 'given'; readonly distribution: CountDistribution } | { readonly kind: 'history' },
  field: string,
  state: TwinState,
  values: (order: { readonly lines: readonly { readonly qty: number }[] }) => number[],
): number[] {
  let weights: number[];
  if (spec.kind === 'given') {
    weights = [...spec.distribution.weights];
  } else {
    weights = [];
    for (const order of state.orders.values()) {
      for (const v of values(order)) {
        if (!Number.isInteger(v) || v < 1) continue;
        while (weights.length < v) weights.push(0);
        weights[v - 1] = (weights[v - 1] ?? 0) + 1;
      }
    }
    if (weights.length === 0) throw new Error(`${field}: 'history' needs orders in the start state, and it has none`);
  }
  if (!weights.some((w) => w > 0) || weights.some((w) => !(w >= 0))) {
    throw new Error(`${field}: weights must be ≥ 0 with at least one > 0`);
  }
  return weights;
}

/** Popularity weight of each SKU of the site, in site order. */
function popularity(demand: ScenarioDemand, state: TwinState): number[] {
  const skus = state.site.skus;
  const spec = demand.skuPopularity;
  switch (spec.kind) {
    case 'site':
      return skus.map((s) => s.demandWeight);
    case 'zipf':
      return skus.map((_, i) => 1 / Math.pow(i + 1, spec.exponent));
    case 'history': {
      const lines = new Map<SkuId, number>();
      for (const order of state.orders.values()) for (const l of order.lines) lines.set(l.skuId, (lines.get(l.skuId) ?? 0) + 1);
      if (lines.size === 0) throw new Error(`demand.skuPopularity: 'history' needs orders in the start state, and it has none`);
      return skus.map((s) => lines.get(s.id) ?? 0);
    }
  }
}
