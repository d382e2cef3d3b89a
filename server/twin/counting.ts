/**
 * Cycle counting (R33–R38): count tasks, blind counts reconciled against the moves made while counting (the bin is
 * never frozen), variance tolerance, recount and supervisor approval, adjustments as ledger moves, and the pure
 * scheduler `planCycleCounts`. Each `decide…` returns the events or a domain error, like order-lifecycle.ts.
 */
import type { ApproveCount, CountedLineInput, CreateCounts, RejectCount, StartCount, SubmitCount } from './commands.ts';
import type { DomainError } from './errors.ts';
import { domainError } from './errors.ts';
import type { CountAdjustment, CountLine, CountSerialChange, CountSubmitted, CountVariance, StockKey, TwinEvent } from './events.ts';
import type { EpochMs, LocationId, SkuId, TenantId } from './ids.ts';
import { quantKey } from './keys.ts';
import type { Sku } from './site.ts';
import { checkCountedSerials, isFoundable, noSerialsFor, serialIsAt, serialsAt } from './serials.ts';
import type { CountAttempt, CountHistory, CountId, CountReason, CountTask, TwinState } from './state.ts';

export const asCountId = (s: string): CountId => s as CountId;

/** Reason code written on every count adjustment's ledger move. */
export const COUNT_REASON_CODE = 'CYCLE_COUNT';
/** Most bins one `createCounts` may name, and most lines one count may report. */
export const MAX_COUNTS_PER_COMMAND = 500;
export const MAX_COUNT_LINES = 100;

/**
 * Variance tolerance (R36). Units are summed over the count's lines as |variance|; percent is those units over the
 * units the twin expected at submission (the catalogue has no unit values yet, so units stand in for value).
 */
export interface CountTolerance {
  /** Adjusted at once when both the units and the percent are within these. */
  readonly autoAdjustUnits: number;
  readonly autoAdjustPercent: number;
  /** A first count beyond either of these is counted again, blind, before a supervisor sees it. */
  readonly recountUnits: number;
  readonly recountPercent: number;
}

export const DEFAULT_COUNT_TOLERANCE: CountTolerance = { autoAdjustUnits: 2, autoAdjustPercent: 5, recountUnits: 10, recountPercent: 25 };

const REASONS: readonly CountReason[] = ['scheduled', 'short-pick', 'manual'];
const isText = (v: unknown, max: number): v is string => typeof v === 'string' && v.trim().length > 0 && v.length <= max;
const EXPIRY_RE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** Key of one (tenant, sku, lot) within a bin. */
const lineKey = (k: { tenantId: TenantId; skuId: SkuId; lot: string }): string => `${k.tenantId}|${k.skuId}|${k.lot}`;
const byKey = (a: StockKey, b: StockKey): number => {
  const x = lineKey(a);
  const y = lineKey(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

/** The bin's stock as count lines, sorted by (tenant, sku, lot). */
export function binLines(state: TwinState, locationId: LocationId): CountLine[] {
  const out: CountLine[] = [];
  for (const key of state.quantsByLocation.get(locationId) ?? []) {
    const q = state.quants.get(key);
    if (q !== undefined) out.push({ tenantId: q.tenantId, skuId: q.skuId, lot: q.lot, expiry: q.expiry, qty: q.onHand });
  }
  return out.sort(byKey);
}

function countOf(state: TwinState, countId: CountId): CountTask | DomainError {
  return state.counts.get(countId) ?? domainError('UNKNOWN_COUNT', `unknown count ${String(countId)}`, { countId });
}

const finished = (count: CountTask): DomainError =>
  domainError('COUNT_FINISHED', `count ${count.id} is ${count.status}`, { countId: count.id, status: count.status });

/** [R33] Count tasks for one or more bins: known bins, each with no count open, new ids; all or none. */
export function decideCreateCounts(state: TwinState, c: CreateCounts, at: EpochMs): TwinEvent[] | DomainError {
  if (!REASONS.includes(c.reason)) return domainError('INVALID_STATE', `reason must be one of ${REASONS.join(', ')}`, { reason: c.reason });
  if (c.counts.length === 0 || c.counts.length > MAX_COUNTS_PER_COMMAND) {
    return domainError('INVALID_QUANTITY', `name 1 to ${MAX_COUNTS_PER_COMMAND} bins to count`, { counts: c.counts.length });
  }
  const ids = new Set<CountId>();
  const locations = new Set<LocationId>();
  const events: TwinEvent[] = [];
  for (const { countId, locationId } of c.counts) {
    if (countId.trim().length === 0 || countId.length > 64) return domainError('INVALID_STATE', 'countId must be 1 to 64 characters', { countId });
    if (state.counts.has(countId) || ids.has(countId)) return domainError('DUPLICATE_COUNT', `count ${countId} already exists`, { countId });
    if (!state.locationsById.has(locationId)) return domainError('UNKNOWN_LOCATION', `unknown location ${locationId}`, { locationId });
    const open = state.openCountByLocation.get(locationId);
    if (open !== undefined || locations.has(locationId)) {
      return domainError('COUNT_ALREADY_OPEN', `location ${locationId} already has an open count`, { locationId, countId: open ?? null });
    }
    ids.add(countId);
    locations.add(locationId);
    events.push({ type: 'CountCreated', at, countId, locationId, reason: c.reason });
  }
  return events;
}

/** [R34] A counter starts the count (or the recount): the bin's stock at this seq becomes the expectation. */
export function decideStartCount(state: TwinState, c: StartCount, at: EpochMs): TwinEvent[] | DomainError {
  const count = countOf(state, c.countId);
  if ('code' in count) return count;
  if (!isText(c.counterId, 64)) return domainError('INVALID_STATE', 'counterId must be 1 to 64 characters', {});
  if (count.status === 'counting' || count.status === 'recounting') {
    return domainError('COUNT_IN_PROGRESS', `count ${count.id} is already being counted`, { countId: count.id });
  }
  if (count.status !== 'open' && count.status !== 'recount') return finished(count);
  return [
    {
      type: 'CountStarted',
      at,
      countId: count.id,
      locationId: count.locationId,
      counterId: c.counterId,
      attempt: count.attempts.length + 1,
      expectedAtSeq: state.seq,
      expected: binLines(state, count.locationId),
    },
  ];
}

/** [R35] The counted lines, checked and keyed; or why they cannot be taken. */
function countedLines(state: TwinState, count: CountTask, attempt: CountAttempt, lines: readonly CountedLineInput[]): CountLine[] | DomainError {
  if (lines.length > MAX_COUNT_LINES) {
    return domainError('INVALID_QUANTITY', `a count reports 0 to ${MAX_COUNT_LINES} lines`, {});
  }
  const known = new Map<string, CountLine>();
  for (const l of [...attempt.expected, ...attempt.moved, ...binLines(state, count.locationId)]) known.set(lineKey(l), { ...l, qty: 0 });
  const out = new Map<string, CountLine>();
  const seenSerials = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] as CountedLineInput;
    const sku: Sku | undefined = state.skusById.get(l.skuId);
    if (sku === undefined) return domainError('UNKNOWN_SKU', `line ${i + 1}: unknown SKU ${l.skuId}`, { lineNo: i + 1, skuId: l.skuId });
    if (typeof l.qty !== 'number' || !Number.isSafeInteger(l.qty) || l.qty < 0) {
      return domainError('INVALID_QUANTITY', `line ${i + 1}: counted qty must be a whole number ≥ 0`, { lineNo: i + 1, qty: l.qty });
    }
    const lot = l.lot ?? '';
    if (sku.lotTracked && lot === '') return domainError('LOT_REQUIRED', `line ${i + 1}: SKU ${sku.id} is lot-tracked: name the lot`, { lineNo: i + 1 });
    if (!sku.lotTracked && (lot !== '' || l.expiry !== undefined)) {
      return domainError('INVALID_STATE', `line ${i + 1}: SKU ${sku.id} is not lot-tracked: no lot or expiry`, { lineNo: i + 1 });
    }
    const key = lineKey({ tenantId: sku.tenantId, skuId: sku.id, lot });
    if (out.has(key)) return domainError('INVALID_STATE', `line ${i + 1}: ${sku.id} lot '${lot}' is listed twice`, { lineNo: i + 1 });
    let expiry = known.get(key)?.expiry ?? null;
    if (!known.has(key) && sku.lotTracked) {
      if (l.expiry === undefined || !EXPIRY_RE.test(l.expiry)) {
        return domainError('LOT_REQUIRED', `line ${i + 1}: lot ${lot} is new to the bin: give its expiry YYYY-MM-DD`, { lineNo: i + 1 });
      }
      expiry = l.expiry;
    }
    // R80: a serial-tracked SKU is counted by serial, one scan per unit found.
    const badSerial = sku.serialTracked === true ? checkCountedSerials(state, sku, lot, count.locationId, l.qty, l.serials, seenSerials) : noSerialsFor(sku, l.serials);
    if (badSerial !== null) return { ...badSerial, message: `line ${i + 1}: ${badSerial.message}` };
    out.set(key, { tenantId: sku.tenantId, skuId: sku.id, lot, expiry, qty: l.qty, ...(sku.serialTracked === true ? { serials: [...(l.serials ?? [])] } : {}) });
  }
  // R4: a bin holds one (tenant, SKU); stock found of another one is moved out, not counted in.
  const owners = new Set<string>();
  for (const l of [...known.values(), ...out.values()]) if (known.has(lineKey(l)) || l.qty > 0) owners.add(`${l.tenantId}|${l.skuId}`);
  if (owners.size > 1) {
    return domainError('COUNT_MIXED_BIN', `a bin holds one SKU of one client; found ${[...owners].sort().join(' and ')}`, {
      locationId: count.locationId,
      owners: [...owners].sort(),
    });
  }
  return [...out.values()].sort(byKey);
}

/** [R35] Per (tenant, sku, lot): counted − (expected at start + net moves since), every key either side names. */
export function reconcile(attempt: Pick<CountAttempt, 'expected' | 'moved'>, counted: readonly CountLine[]): CountVariance[] {
  const rows = new Map<string, { key: StockKey; expected: number; moved: number; counted: number }>();
  const row = (k: StockKey) => {
    const key = lineKey(k);
    let r = rows.get(key);
    if (r === undefined) rows.set(key, (r = { key: { tenantId: k.tenantId, skuId: k.skuId, lot: k.lot, expiry: k.expiry }, expected: 0, moved: 0, counted: 0 }));
    return r;
  };
  for (const l of attempt.expected) row(l).expected += l.qty;
  for (const l of attempt.moved) row(l).moved += l.qty;
  for (const l of counted) row(l).counted += l.qty;
  return [...rows.values()]
    .map((r) => ({ ...r.key, expected: r.expected, moved: r.moved, counted: r.counted, variance: r.counted - (r.expected + r.moved) }))
    .sort(byKey);
}

/**
 * [R80] Names, per serial-tracked (tenant, SKU, lot), the serials the twin had in stock in the bin at submission but
 * the counter did not scan (`missingSerials`) and those scanned that it did not have there (`foundSerials`).
 */
export function withSerials(state: TwinState, locationId: LocationId, variances: readonly CountVariance[], counted: readonly CountLine[]): CountVariance[] {
  return variances.map((v) => {
    if (state.skusById.get(v.skuId)?.serialTracked !== true) return v;
    const scanned = new Set(counted.find((l) => lineKey(l) === lineKey(v))?.serials ?? []);
    const here = serialsAt(state, v.tenantId, v.skuId, v.lot, locationId);
    const hereSet = new Set(here);
    return { ...v, missingSerials: here.filter((s) => !scanned.has(s)), foundSerials: [...scanned].filter((s) => !hereSet.has(s)).sort() };
  });
}

/** Σ|variance| and that as a percent of the units the twin expected at submission. */
export function varianceSize(variances: readonly CountVariance[]): { units: number; percent: number } {
  let units = 0;
  let base = 0;
  for (const v of variances) {
    units += Math.abs(v.variance);
    base += v.expected + v.moved;
  }
  return { units, percent: base > 0 ? (100 * units) / base : units > 0 ? 100 : 0 };
}

const sameVariances = (a: readonly CountVariance[], b: readonly CountVariance[]): boolean => {
  const nonZero = (vs: readonly CountVariance[]) => vs.filter((v) => v.variance !== 0).map((v) => `${lineKey(v)}=${v.variance}`).join(',');
  return nonZero(a) === nonZero(b);
};

/** [R36] What follows a submission: adjust now, count again, or wait for a supervisor. */
export function countOutcome(attemptNo: number, variances: readonly CountVariance[], first: readonly CountVariance[] | null, tol: CountTolerance): CountSubmitted['outcome'] {
  const { units, percent } = varianceSize(variances);
  const within = units <= tol.autoAdjustUnits && percent <= tol.autoAdjustPercent;
  if (attemptNo === 1) {
    if (within) return 'adjust';
    return units > tol.recountUnits || percent > tol.recountPercent ? 'recount' : 'approval';
  }
  // The recount stands on its own when it disagrees with the first count; when it agrees, a supervisor decides.
  if (first !== null && sameVariances(first, variances)) return 'approval';
  return within ? 'adjust' : 'approval';
}

/**
 * [R37] The ledger adjustments for the variances, against the bin now: a loss never takes a quant below what open
 * picks hold reserved — the rest is `deferred` to those picks, which will find the bin short (R19).
 */
export function adjustmentsFor(state: TwinState, locationId: LocationId, variances: readonly CountVariance[]): CountAdjustment[] {
  const out: CountAdjustment[] = [];
  for (const v of variances) {
    if (v.variance === 0) continue;
    const q = state.quants.get(quantKey(locationId, v.tenantId, v.skuId, v.lot));
    const free = q === undefined ? 0 : q.onHand - q.reserved;
    const qty = v.variance > 0 ? v.variance : -Math.min(-v.variance, free);
    out.push({ tenantId: v.tenantId, skuId: v.skuId, lot: v.lot, expiry: q?.expiry ?? v.expiry, variance: v.variance, qty, deferred: v.variance - qty });
  }
  return out;
}

/**
 * [R80] The serial changes of a closing count, against the twin now: serials missing at submission and still in stock
 * in the bin are written off; serials found that are in stock nowhere come into it (one put elsewhere since is left).
 */
export function serialChangesFor(state: TwinState, locationId: LocationId, variances: readonly CountVariance[]): CountSerialChange[] {
  const out: CountSerialChange[] = [];
  for (const v of variances) {
    const writtenOff = (v.missingSerials ?? []).filter((s) => serialIsAt(state, v.tenantId, v.skuId, v.lot, locationId, s));
    const found = (v.foundSerials ?? []).filter((s) => isFoundable(state, v.tenantId, v.skuId, s));
    if (writtenOff.length > 0 || found.length > 0) out.push({ tenantId: v.tenantId, skuId: v.skuId, lot: v.lot, expiry: v.expiry, writtenOff, found });
  }
  return out;
}

/** A found-stock adjustment must not mix the bin (R4): it may have changed owner since the count. */
function mixesBin(state: TwinState, locationId: LocationId, adjustments: readonly CountAdjustment[]): DomainError | null {
  for (const a of adjustments) {
    if (a.qty <= 0) continue;
    for (const key of state.quantsByLocation.get(locationId) ?? []) {
      const q = state.quants.get(key);
      if (q !== undefined && (q.tenantId !== a.tenantId || q.skuId !== a.skuId)) {
        return domainError('COUNT_MIXED_BIN', `location ${locationId} now holds ${q.skuId} of ${q.tenantId}; move it out first`, { locationId });
      }
    }
  }
  return null;
}

/** [R35][R36] Takes the counter's blind count, reconciles it, and adjusts, recounts or waits for approval. */
export function decideSubmitCount(state: TwinState, c: SubmitCount, at: EpochMs, tol: CountTolerance = DEFAULT_COUNT_TOLERANCE): TwinEvent[] | DomainError {
  const count = countOf(state, c.countId);
  if ('code' in count) return count;
  if (c.scanId !== undefined && !isText(c.scanId, 128)) return domainError('INVALID_STATE', 'scanId must be 1 to 128 characters', {});
  // A device resending a submission that was applied gets an acknowledgement, not a second effect.
  if (c.scanId !== undefined && count.attempts.some((a) => a.scanId === c.scanId)) return [];
  if (c.attempt !== undefined) {
    if (!Number.isSafeInteger(c.attempt) || c.attempt < 1) return domainError('INVALID_QUANTITY', 'attempt must be a positive whole number', { attempt: c.attempt });
    const named = count.attempts[c.attempt - 1];
    if (named !== undefined && (named.submittedAt !== null || c.attempt < count.attempts.length)) {
      return domainError('COUNT_FINISHED', `attempt ${c.attempt} of count ${count.id} is already over`, { countId: count.id, attempt: c.attempt, current: count.attempts.length });
    }
    if (named === undefined) {
      return domainError('COUNT_NOT_STARTED', `attempt ${c.attempt} of count ${count.id} has not started`, { countId: count.id, attempt: c.attempt, status: count.status });
    }
  }
  if (count.status === 'open' || count.status === 'recount') {
    return domainError('COUNT_NOT_STARTED', `count ${count.id} is ${count.status}: start it first`, { countId: count.id, status: count.status });
  }
  if (count.status !== 'counting' && count.status !== 'recounting') return finished(count);
  const attempt = count.attempts[count.attempts.length - 1] as CountAttempt;
  if (c.counterId !== attempt.counterId) {
    return domainError('COUNT_NOT_ASSIGNED', `count ${count.id} is being counted by another counter`, { countId: count.id });
  }
  const counted = countedLines(state, count, attempt, c.lines);
  if ('code' in counted) return counted;
  const variances = withSerials(state, count.locationId, reconcile(attempt, counted), counted);
  const first = count.attempts.length > 1 ? (count.attempts[0]?.variances ?? null) : null;
  const outcome = countOutcome(count.attempts.length, variances, first, tol);
  const events: TwinEvent[] = [
    {
      type: 'CountSubmitted',
      at,
      countId: count.id,
      locationId: count.locationId,
      counterId: c.counterId,
      attempt: count.attempts.length,
      counted,
      variances,
      outcome,
      scanId: c.scanId ?? null,
    },
  ];
  if (outcome === 'adjust') {
    const adjustments = adjustmentsFor(state, count.locationId, variances);
    const mixed = mixesBin(state, count.locationId, adjustments);
    if (mixed !== null) return mixed;
    const serials = serialChangesFor(state, count.locationId, variances);
    events.push({ type: 'CountAdjusted', at, countId: count.id, locationId: count.locationId, approverId: null, reasonCode: COUNT_REASON_CODE, adjustments, ...(serials.length > 0 ? { serials } : {}) });
  }
  return events;
}

function pendingCount(state: TwinState, countId: CountId, approverId: string): CountTask | DomainError {
  const count = countOf(state, countId);
  if ('code' in count) return count;
  if (!isText(approverId, 64)) return domainError('INVALID_STATE', 'approverId must be 1 to 64 characters', {});
  if (count.status !== 'pending-approval') {
    return domainError('COUNT_NOT_PENDING', `count ${count.id} is ${count.status}, not pending approval`, { countId: count.id, status: count.status });
  }
  if (count.attempts.some((a) => a.counterId === approverId)) {
    return domainError('COUNT_SELF_APPROVAL', `${approverId} counted this bin and cannot approve or reject the count`, { countId: count.id });
  }
  return count;
}

/** [R37] A supervisor approves: the last count's variances become ledger adjustments (against the bin now). */
export function decideApproveCount(state: TwinState, c: ApproveCount, at: EpochMs): TwinEvent[] | DomainError {
  const count = pendingCount(state, c.countId, c.approverId);
  if ('code' in count) return count;
  const variances = count.attempts[count.attempts.length - 1]?.variances ?? [];
  const adjustments = adjustmentsFor(state, count.locationId, variances);
  const mixed = mixesBin(state, count.locationId, adjustments);
  if (mixed !== null) return mixed;
  const serials = serialChangesFor(state, count.locationId, variances);
  return [{ type: 'CountAdjusted', at, countId: count.id, locationId: count.locationId, approverId: c.approverId, reasonCode: COUNT_REASON_CODE, adjustments, ...(serials.length > 0 ? { serials } : {}) }];
}

/** [R37] A supervisor rejects: nothing is adjusted and the bin is requested for a new count. */
export function decideRejectCount(state: TwinState, c: RejectCount, at: EpochMs): TwinEvent[] | DomainError {
  const count = pendingCount(state, c.countId, c.approverId);
  if ('code' in count) return count;
  if (!isText(c.reason, 200)) return domainError('INVALID_STATE', 'reason must be 1 to 200 characters', {});
  return [
    { type: 'CountRejected', at, countId: count.id, locationId: count.locationId, approverId: c.approverId, reason: c.reason },
    { type: 'CountRequested', at, locationId: count.locationId, reason: 'count rejected', taskId: null },
  ];
}

/** Called by `apply` for every change of a bin's on-hand stock: a count in progress there records the move (R35). */
export function noteCountMove(state: TwinState, locationId: LocationId, k: StockKey, qty: number): void {
  const countId = state.openCountByLocation.get(locationId);
  if (countId === undefined) return;
  const count = state.counts.get(countId);
  if (count === undefined || (count.status !== 'counting' && count.status !== 'recounting')) return;
  const attempt = count.attempts[count.attempts.length - 1];
  if (attempt === undefined) return;
  const key = lineKey(k);
  const row = attempt.moved.find((m) => lineKey(m) === key);
  if (row === undefined) attempt.moved.push({ tenantId: k.tenantId, skuId: k.skuId, lot: k.lot, expiry: k.expiry, qty });
  else row.qty += qty;
}

/** How long a closed count stays in the twin (listed, reviewable); its bin keeps a summary in `countHistory`. */
export const COUNT_RETENTION_MS = 30 * 86_400_000;

/**
 * Called by `apply` when a count closes (status already set): frees the bin, records its history (R38), and drops
 * closed counts older than the retention so the twin does not grow with years of counts.
 */
export function closeCount(state: TwinState, count: CountTask, at: EpochMs): void {
  count.closedAt = at;
  if (state.openCountByLocation.get(count.locationId) === count.id) state.openCountByLocation.delete(count.locationId);
  let history: CountHistory | undefined = state.countHistory.get(count.locationId);
  if (history === undefined) state.countHistory.set(count.locationId, (history = { locationId: count.locationId, lastCountedAt: null, discrepancies: 0 }));
  if (count.status === 'adjusted') history.lastCountedAt = at;
  const variance = count.attempts[count.attempts.length - 1]?.variances?.some((v) => v.variance !== 0) ?? false;
  if (count.status === 'rejected' || variance) history.discrepancies++;
  state.closedCounts.push(count.id);
  let drop = 0;
  while (drop < state.closedCounts.length) {
    const old = state.counts.get(state.closedCounts[drop] as CountId);
    if (old !== undefined && (old.closedAt as number) >= at - COUNT_RETENTION_MS) break;
    if (old !== undefined) state.counts.delete(old.id);
    drop++;
  }
  if (drop > 0) state.closedCounts.splice(0, drop);
}


// ---------------------------------------------------------------------------------------------------------------
// Scheduling (R38)

export type AbcClass = 'A' | 'B' | 'C';

export interface CountPlanOptions {
  /** The day planned, `YYYY-MM-DD` (UTC); ages are measured from its start. */
  readonly date: string;
  /** Most bins to count that day. */
  readonly dailyCapacity: number;
  /** Days between counts of a bin per class (default A 30, B 90, C 365). */
  readonly intervalDays?: Readonly<Record<AbcClass, number>>;
  /** Cumulative demand share up to which SKUs are A, then B (default 0.8, 0.95); the rest are C. */
  readonly classShares?: { readonly a: number; readonly b: number };
  /** Value of one unit of a SKU (default 1: the catalogue has no prices yet). */
  readonly unitValueOf?: (sku: Sku) => number;
}

export interface CountPlanEntry {
  readonly locationId: LocationId;
  /** `scheduled`, or for a bin with a count request `short-pick` (raised by a short pick) or `manual` (any other). */
  readonly reason: CountReason;
  readonly abcClass: AbcClass;
  readonly skuId: SkuId;
  /** When the bin was last counted (a count closed), or null. */
  readonly lastCountedAt: EpochMs | null;
  /** Whole days since the day of that count ÷ the class interval (≥ 1 when due); null when never counted. */
  readonly overdue: number | null;
  /** Closed counts of the bin that found a variance. */
  readonly discrepancies: number;
  /** On-hand units × unit value. */
  readonly value: number;
}

export const DEFAULT_INTERVAL_DAYS: Readonly<Record<AbcClass, number>> = { A: 30, B: 90, C: 365 };
const DAY_MS = 86_400_000;
const CLASS_RANK: Readonly<Record<AbcClass, number>> = { A: 0, B: 1, C: 2 };

/** ABC class per SKU by its share of the site's demand weight: the top `a` share A, up to `b` B, the rest C. */
export function abcClasses(skus: readonly Sku[], shares: { readonly a: number; readonly b: number } = { a: 0.8, b: 0.95 }): Map<SkuId, AbcClass> {
  const sorted = [...skus].sort((x, y) => y.demandWeight - x.demandWeight || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  const total = sorted.reduce((n, s) => n + Math.max(0, s.demandWeight), 0);
  const out = new Map<SkuId, AbcClass>();
  let before = 0;
  for (const s of sorted) {
    // A SKU's class is set by the share of demand before it, so the top SKU is always A.
    const share = total > 0 ? before / total : 1;
    out.set(s.id, share < shares.a ? 'A' : share < shares.b ? 'B' : 'C');
    before += Math.max(0, s.demandWeight);
  }
  return out;
}

/**
 * [R38] Which bins to count on `date`, at most `dailyCapacity`: bins with an open count request first; then stocked
 * bins due by class interval (never counted, or counted at least an interval ago), most overdue first (never counted
 * before any), then A before B before C, more discrepancies, higher value, location id. Bins with an open count are
 * skipped. Pure and deterministic.
 */
export function planCycleCounts(state: TwinState, options: CountPlanOptions): CountPlanEntry[] {
  const dayStart = Date.parse(`${options.date}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(options.date) || Number.isNaN(dayStart)) throw new RangeError(`date must be YYYY-MM-DD, got ${options.date}`);
  if (!Number.isSafeInteger(options.dailyCapacity) || options.dailyCapacity < 0) throw new RangeError('dailyCapacity must be a whole number ≥ 0');
  const intervals = options.intervalDays ?? DEFAULT_INTERVAL_DAYS;
  const classes = abcClasses(state.site.skus, options.classShares);
  const valueOf = options.unitValueOf ?? (() => 1);

  const candidates: (CountPlanEntry & { requested: boolean })[] = [];
  for (const location of state.site.layout.locations) {
    if (state.openCountByLocation.has(location.id)) continue;
    const lines = binLines(state, location.id);
    const request = state.countRequests.get(location.id);
    const requested = request !== undefined;
    if (lines.length === 0 && !requested) continue;
    const skuId = lines[0]?.skuId;
    const sku = skuId === undefined ? undefined : state.skusById.get(skuId);
    const abcClass = sku === undefined ? 'C' : (classes.get(sku.id) ?? 'C');
    const history = state.countHistory.get(location.id);
    const last = history?.lastCountedAt ?? null;
    // Whole days since the day of the last count, so a bin counted on day d is due again on day d + interval.
    const overdue = last === null ? null : Math.round((dayStart - Math.floor(last / DAY_MS) * DAY_MS) / DAY_MS) / intervals[abcClass];
    if (!requested && overdue !== null && overdue < 1) continue;
    const units = lines.reduce((n, l) => n + l.qty, 0);
    candidates.push({
      locationId: location.id,
      reason: request === undefined ? 'scheduled' : request.reason === 'short pick' ? 'short-pick' : 'manual',
      abcClass,
      skuId: (skuId ?? '') as SkuId,
      lastCountedAt: last,
      overdue,
      discrepancies: history?.discrepancies ?? 0,
      value: sku === undefined ? 0 : units * valueOf(sku),
      requested,
    });
  }
  const rankOverdue = (o: number | null): number => (o === null ? Number.POSITIVE_INFINITY : o);
  candidates.sort(
    (x, y) =>
      Number(y.requested) - Number(x.requested) ||
      (rankOverdue(y.overdue) === rankOverdue(x.overdue) ? 0 : rankOverdue(y.overdue) > rankOverdue(x.overdue) ? 1 : -1) ||
      CLASS_RANK[x.abcClass] - CLASS_RANK[y.abcClass] ||
      y.discrepancies - x.discrepancies ||
      y.value - x.value ||
      (x.locationId < y.locationId ? -1 : x.locationId > y.locationId ? 1 : 0),
  );
  return candidates.slice(0, options.dailyCapacity).map(({ requested: _requested, ...entry }) => entry);
}
