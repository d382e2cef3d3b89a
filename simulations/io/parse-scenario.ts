/**
 * Validates a scenario document (a `data/scenarios/*.json` file, or a request body) and fills the defaults of
 * `SCENARIO_DEFAULTS`. Errors name each bad field by path (`labour.shifts[0].start: expected HH:MM`), so a planner can
 * fix the file, and a route can answer 400 with them. Zod lives here because it is an adapter library.
 */
import { z } from 'zod';
import { asTenantId } from '../../server/twin/ids.ts';
import { MAX_ASSIGN_TASKS } from '../../server/twin/work-assignment.ts';
import { ROUTE_METHODS } from '../../solver/routing/plan-route.ts';
import { SCENARIO_DEFAULTS as D } from '../scenario/defaults.ts';
import { isTimeOfDay, minutesOfDay } from '../scenario/time-of-day.ts';
import type { Scenario, SlottingPolicy } from '../scenario/types.ts';

/** Longest run a scenario may ask for, hours (two weeks). */
export const MAX_DURATION_HOURS = 24 * 14;

/** A default's fresh, mutable copy (zod's output types are mutable; the defaults are readonly and shared). */
type Mutable<T> = T extends readonly (infer U)[] ? Mutable<U>[] : T extends object ? { -readonly [K in keyof T]: Mutable<T[K]> } : T;
const copyOf =
  <T>(value: T) =>
  (): Mutable<T> =>
    structuredClone(value) as Mutable<T>;

const timeOfDay = z.string().refine(isTimeOfDay, { message: 'expected HH:MM' });
const positive = z.number().positive();
const nonNegative = z.number().nonnegative();
const count = z.number().int().nonnegative();
const path = z.string().min(1, { message: 'expected a path relative to the repository root' });

/** `from` before `to` on one day, both HH:MM; reports on `to`. */
const beforeOnDay = (from: string, to: string): boolean => !isTimeOfDay(from) || !isTimeOfDay(to) || minutesOfDay(from) < minutesOfDay(to);

const countDistribution = z.strictObject({
  weights: z
    .array(nonNegative)
    .min(1)
    .refine((w) => w.some((x) => x > 0), { message: 'at least one weight must be > 0' }),
});

const siteParams = z.strictObject({
  id: z.string().min(1),
  name: z.string().min(1),
  aisles: z.number().int().positive(),
  blocks: z.number().int().positive(),
  baysPerBlock: z.number().int().positive(),
  levels: z.number().int().positive(),
  bayLength: positive.optional(),
  aisleSpacing: positive.optional(),
  crossAisleWidth: positive.optional(),
  depotX: nonNegative.optional(),
  levelHeight: positive.optional(),
  binDepth: positive.optional(),
  capacityUnits: z.number().int().positive().optional(),
  zones: z
    .array(
      z.strictObject({
        id: z.string().min(1),
        name: z.string().min(1),
        aisles: z.array(z.number().int()).optional(),
        blocks: z.array(z.number().int()).optional(),
        levels: z.array(z.number().int()).optional(),
      }),
    )
    .optional(),
  skuCount: z.number().int().positive(),
  tenants: z.union([
    z.number().int().positive(),
    z
      .array(z.strictObject({ id: z.string().min(1), name: z.string().min(1) }))
      .min(1)
      .transform((ts) => ts.map((t) => ({ id: asTenantId(t.id), name: t.name }))),
  ], { error: 'expected a number of tenants or a list of { id, name }' }),
  stockFillRatio: z.number().min(0).max(1),
  baseDate: z.iso.date(),
  lotTrackedShare: z.number().min(0).max(1).optional(),
  zipfExponent: nonNegative.optional(),
  maxLocationsPerSku: z.number().int().positive().optional(),
});

const site = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('demo') }),
    z.strictObject({ kind: z.literal('generated'), params: siteParams, seed: count }),
    z.strictObject({ kind: z.literal('file'), path }),
  ],
  { error: "expected kind 'demo', 'generated' or 'file'" },
);

const start = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('empty') }),
    z.strictObject({ kind: z.literal('demo-stock') }),
    z.strictObject({ kind: z.literal('snapshot'), path }),
  ],
  { error: "expected kind 'empty', 'demo-stock' or 'snapshot'" },
);

const fitted = z.discriminatedUnion(
  'kind',
  [z.strictObject({ kind: z.literal('given'), distribution: countDistribution }), z.strictObject({ kind: z.literal('history') })],
  { error: "expected kind 'given' or 'history'" },
);

const peak = z
  .strictObject({ from: timeOfDay, to: timeOfDay, multiplier: positive })
  .refine((p) => beforeOnDay(p.from, p.to), { message: 'must be after from', path: ['to'] });

const demand = z
  .strictObject({
    lines: nonNegative.default(D.demand.lines),
    hourlyProfile: z
      .array(nonNegative)
      .length(24, { message: 'expected 24 weights, one per hour 0..23' })
      .refine((w) => w.some((x) => x > 0), { message: 'at least one hour must have a weight > 0' })
      .default(copyOf(D.demand.hourlyProfile)),
    peaks: z.array(peak).default([]),
    multiplier: positive.default(D.demand.multiplier),
    linesPerOrder: fitted.default(copyOf(D.demand.linesPerOrder)),
    unitsPerLine: fitted.default(copyOf(D.demand.unitsPerLine)),
    skuPopularity: z
      .discriminatedUnion(
        'kind',
        [
          z.strictObject({ kind: z.literal('site') }),
          z.strictObject({ kind: z.literal('history') }),
          z.strictObject({ kind: z.literal('zipf'), exponent: nonNegative }),
        ],
        { error: "expected kind 'site', 'history' or 'zipf'" },
      )
      .default(copyOf(D.demand.skuPopularity)),
  })
  // Absent: every field takes its own default.
  .prefault({});

const shift = z
  .strictObject({ start: timeOfDay, end: timeOfDay, pickers: count })
  .refine((s) => beforeOnDay(s.start, s.end), { message: 'must be after start', path: ['end'] });

const labour = z
  .strictObject({
    shifts: z.array(shift).min(1, { message: 'at least one shift' }).default(copyOf(D.labour.shifts)),
    breaks: z
      .array(z.strictObject({ at: timeOfDay, minutes: positive, staggerMinutes: nonNegative.default(0) }))
      .default([]),
    walkSpeedMps: positive.default(D.labour.walkSpeedMps),
    pickSecondsPerLine: nonNegative.default(D.labour.pickSecondsPerLine),
    pickSecondsPerUnit: nonNegative.default(D.labour.pickSecondsPerUnit),
    replenishers: count.default(D.labour.replenishers),
  })
  .prefault({});

const stations = z
  .strictObject({
    packStations: z.number().int().positive().default(D.stations.packStations),
    packSecondsPerOrder: nonNegative.default(D.stations.packSecondsPerOrder),
    packSecondsPerUnit: nonNegative.default(D.stations.packSecondsPerUnit),
    cutoffs: z
      .array(z.strictObject({ carrier: z.string().min(1), at: timeOfDay }))
      .min(1, { message: 'at least one carrier cut-off' })
      .default(copyOf(D.stations.cutoffs)),
  })
  .prefault({});

const slottingObject = z.strictObject({
  kind: z.enum(['coi', 'abc', 'coi-affinity'], { error: "expected kind 'coi', 'abc' or 'coi-affinity'" }),
  history: z.enum(['demand', 'start-state'], { error: "expected 'demand' or 'start-state'" }).default('demand'),
});

/** `'as-is'` or a re-slotting object; an object's own bad fields are named by their path (not one union error). */
const slottingPolicy = z.unknown().transform((value, ctx): SlottingPolicy => {
  if (value === 'as-is') return 'as-is';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    ctx.addIssue({ code: 'custom', message: "expected 'as-is' or { \"kind\": \"coi\" | \"abc\" | \"coi-affinity\", \"history\"? }" });
    return z.NEVER;
  }
  const parsed = slottingObject.safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ ...issue });
    return z.NEVER;
  }
  return parsed.data;
});

const policies = z
  .strictObject({
    routing: z.enum(ROUTE_METHODS, { error: `expected one of ${ROUTE_METHODS.join(', ')}` }).default(D.policies.routing),
    batching: z
      .discriminatedUnion(
        'kind',
        [
          z.strictObject({ kind: z.literal('single-order') }),
          z.strictObject({ kind: z.literal('fcfs'), maxOrders: z.number().int().positive(), maxLines: z.number().int().positive() }),
          z.strictObject({
            kind: z.literal('savings'),
            maxOrders: z.number().int().positive(),
            maxLines: z.number().int().positive().max(MAX_ASSIGN_TASKS),
            localSearch: z.boolean().default(false),
          }),
        ],
        { error: "expected kind 'single-order', 'fcfs' or 'savings'" },
      )
      .default(copyOf(D.policies.batching)),
    release: z
      .discriminatedUnion(
        'kind',
        [z.strictObject({ kind: z.literal('continuous') }), z.strictObject({ kind: z.literal('waves'), everyMinutes: positive })],
        { error: "expected kind 'continuous' or 'waves'" },
      )
      .default(copyOf(D.policies.release)),
    slotting: slottingPolicy.default('as-is'),
  })
  .prefault({});

const congestion = z
  .strictObject({
    enabled: z.boolean().default(D.congestion.enabled),
    pickersPerSegment: z.number().int().positive().default(D.congestion.pickersPerSegment),
    passingSpeedFactor: z.number().gt(0).max(1).default(D.congestion.passingSpeedFactor),
  })
  .prefault({});

const replenishment = z
  .strictObject({
    enabled: z.boolean().default(D.replenishment.enabled),
    triggerUnits: count.default(D.replenishment.triggerUnits),
    secondsPerTask: nonNegative.default(D.replenishment.secondsPerTask),
  })
  .prefault({});

const scenarioSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().default(D.description),
  seed: z.number().int().min(0).max(0xffff_ffff).default(D.seed),
  startAt: z.iso.datetime({ message: 'expected an ISO 8601 UTC time like 2026-11-27T06:00:00Z' }).default(D.startAt),
  durationHours: positive.max(MAX_DURATION_HOURS).default(D.durationHours),
  // SCENARIO_DEFAULTS.site/start, as literals of the file kinds (the defaults test keeps them equal).
  site: site.default({ kind: 'demo' }),
  start: start.default({ kind: 'demo-stock' }),
  demand,
  labour,
  stations,
  policies,
  congestion,
  replenishment,
  sampleMinutes: z.number().int().positive().default(D.sampleMinutes),
});

/** A zod issue path as a planner reads it: `labour.shifts[0].start`. */
export function formatIssuePath(issuePath: readonly PropertyKey[]): string {
  let out = '';
  for (const key of issuePath) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(scenario)' : out;
}

/** Zod's default wording where a planner would not follow it; undefined keeps zod's own message. */
function plainMessage(issue: { readonly code?: string; readonly input?: unknown; readonly expected?: unknown }): string | undefined {
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'required';
  if (issue.code === 'invalid_type' && issue.expected === 'int') return 'expected a whole number';
  return undefined;
}

export type ParseScenarioResult = { readonly ok: true; readonly scenario: Scenario } | { readonly ok: false; readonly errors: string[] };

/** Validates `json` as a scenario and fills defaults; on failure, one message per bad field, named by its path. */
export function parseScenario(json: unknown): ParseScenarioResult {
  const result = scenarioSchema.safeParse(json, { error: plainMessage });
  if (!result.success) {
    const errors = result.error.issues.map((issue) => {
      const where = formatIssuePath(issue.path);
      if (issue.code === 'unrecognized_keys') return `${where}: unknown field ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
      return `${where}: ${issue.message}`;
    });
    return { ok: false, errors };
  }
  const scenario: Scenario = result.data;
  return { ok: true, scenario };
}
