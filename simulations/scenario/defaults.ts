/**
 * Default values of every scenario field that has one: the parser fills them into a scenario file, and tests and the
 * what-if service build scenarios from them. Pure data. `data/scenarios/README.md` lists them.
 */
import type { Scenario } from './types.ts';

/** A complete scenario: one 8-hour day shift of 20 pickers on the demo site with its stock. */
export const SCENARIO_DEFAULTS: Scenario = {
  name: 'scenario',
  description: '',
  seed: 1,
  startAt: '2026-11-27T06:00:00Z',
  durationHours: 8,
  site: { kind: 'demo' },
  start: { kind: 'demo-stock' },
  demand: {
    lines: 10_000,
    hourlyProfile: Array.from({ length: 24 }, () => 1),
    peaks: [],
    multiplier: 1,
    // Mean ≈ 2.3 lines per order, ≈ 1.4 units per line: typical e-commerce fulfilment.
    linesPerOrder: { kind: 'given', distribution: { weights: [40, 25, 15, 10, 5, 3, 2] } },
    unitsPerLine: { kind: 'given', distribution: { weights: [70, 20, 7, 3] } },
    skuPopularity: { kind: 'site' },
  },
  labour: {
    shifts: [{ start: '06:00', end: '14:00', pickers: 20 }],
    breaks: [],
    walkSpeedMps: 1.2,
    pickSecondsPerLine: 8,
    pickSecondsPerUnit: 2,
    replenishers: 2,
  },
  stations: {
    packStations: 10,
    packSecondsPerOrder: 30,
    packSecondsPerUnit: 4,
    cutoffs: [{ carrier: 'standard', at: '17:00' }],
  },
  policies: {
    routing: 'best',
    batching: { kind: 'fcfs', maxOrders: 8, maxLines: 30 },
    release: { kind: 'continuous' },
    slotting: 'as-is',
  },
  congestion: { enabled: true, pickersPerSegment: 2, passingSpeedFactor: 0.7 },
  replenishment: { enabled: true, triggerUnits: 5, secondsPerTask: 90 },
  sampleMinutes: 15,
};

/** `SCENARIO_DEFAULTS` with the top-level parts in `overrides` replaced (parts are replaced whole, not merged). */
export function scenarioWith(overrides: Partial<Scenario>): Scenario {
  return { ...SCENARIO_DEFAULTS, ...overrides };
}
