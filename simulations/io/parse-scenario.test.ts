import { describe, expect, it } from 'vitest';
import { SCENARIO_DEFAULTS } from '../scenario/defaults.ts';
import { formatIssuePath, parseScenario } from './parse-scenario.ts';

/** The errors of a document that must not parse. */
function errorsOf(json: unknown): string[] {
  const result = parseScenario(json);
  if (result.ok) throw new Error('expected the scenario to be refused');
  return result.errors;
}

describe('parseScenario defaults', () => {
  it('fills every field a file leaves out with SCENARIO_DEFAULTS', () => {
    const result = parseScenario({ name: 'minimal' });
    expect(result).toEqual({ ok: true, scenario: { ...SCENARIO_DEFAULTS, name: 'minimal' } });
  });

  it('accepts the defaults themselves unchanged', () => {
    expect(parseScenario(SCENARIO_DEFAULTS)).toEqual({ ok: true, scenario: SCENARIO_DEFAULTS });
  });

  it('fills the fields a part leaves out, keeping the ones it gives', () => {
    const result = parseScenario({ name: 'part', labour: { shifts: [{ start: '08:00', end: '12:00', pickers: 3 }] }, congestion: { enabled: false } });
    if (!result.ok) throw new Error(result.errors.join('; '));
    expect(result.scenario.labour).toEqual({ ...SCENARIO_DEFAULTS.labour, shifts: [{ start: '08:00', end: '12:00', pickers: 3 }] });
    expect(result.scenario.congestion).toEqual({ ...SCENARIO_DEFAULTS.congestion, enabled: false });
    expect(result.scenario.demand).toEqual(SCENARIO_DEFAULTS.demand);
  });

  it('gives each parse its own copy of the defaults', () => {
    const a = parseScenario({ name: 'a' });
    const b = parseScenario({ name: 'b' });
    if (!a.ok || !b.ok) throw new Error('expected both to parse');
    expect(a.scenario.demand.hourlyProfile).not.toBe(b.scenario.demand.hourlyProfile);
    expect(a.scenario.demand.hourlyProfile).not.toBe(SCENARIO_DEFAULTS.demand.hourlyProfile);
  });

  it('reads a generated site with its parameters and tenants', () => {
    const params = { id: 'g', name: 'G', aisles: 2, blocks: 1, baysPerBlock: 3, levels: 1, skuCount: 5, tenants: [{ id: 't1', name: 'T1' }], stockFillRatio: 0.5, baseDate: '2026-11-01' };
    const result = parseScenario({ name: 'g', site: { kind: 'generated', seed: 3, params } });
    expect(result.ok && result.scenario.site).toEqual({ kind: 'generated', seed: 3, params });
  });
});

describe('parseScenario errors name each bad field by its path', () => {
  it.each([
    ['a time of day that is not HH:MM', { labour: { shifts: [{ start: '6am', end: '14:00', pickers: 3 }] } }, 'labour.shifts[0].start: expected HH:MM'],
    ['a shift that ends before it starts', { labour: { shifts: [{ start: '14:00', end: '06:00', pickers: 3 }] } }, 'labour.shifts[0].end: must be after start'],
    ['no shift', { labour: { shifts: [] } }, 'labour.shifts: at least one shift'],
    ['pickers not whole', { labour: { shifts: [{ start: '06:00', end: '14:00', pickers: 2.5 }] } }, 'labour.shifts[0].pickers: expected a whole number'],
    ['an hourly profile without 24 hours', { demand: { hourlyProfile: [1, 2, 3] } }, 'demand.hourlyProfile: expected 24 weights'],
    ['an hourly profile of zeros', { demand: { hourlyProfile: new Array<number>(24).fill(0) } }, 'demand.hourlyProfile: at least one hour'],
    ['a zero multiplier', { demand: { multiplier: 0 } }, 'demand.multiplier:'],
    ['a negative peak multiplier', { demand: { peaks: [{ from: '10:00', to: '14:00', multiplier: -3 }] } }, 'demand.peaks[0].multiplier:'],
    ['a peak that ends before it starts', { demand: { peaks: [{ from: '14:00', to: '10:00', multiplier: 3 }] } }, 'demand.peaks[0].to: must be after from'],
    ['a distribution of zeros', { demand: { linesPerOrder: { kind: 'given', distribution: { weights: [0, 0] } } } }, 'demand.linesPerOrder.distribution.weights: at least one weight'],
    ['an unknown routing method', { policies: { routing: 'fastest' } }, 'policies.routing: expected one of best, exact,'],
    ['an unknown batching kind', { policies: { batching: { kind: 'zone' } } }, "policies.batching.kind: expected kind 'single-order', 'fcfs' or 'savings'"],
    ['an in-memory site kind in a file', { site: { kind: 'definition' } }, "site.kind: expected kind 'demo', 'generated' or 'file'"],
    ['an in-memory start kind in a file', { start: { kind: 'state' } }, "start.kind: expected kind 'empty', 'demo-stock' or 'snapshot'"],
    ['a misspelt field', { labour: { pickerz: 3 } }, "labour: unknown field 'pickerz'"],
    ['a start time that is not ISO UTC', { startAt: '27/11/2026 06:00' }, 'startAt: expected an ISO 8601 UTC time'],
    ['a congestion factor above 1', { congestion: { passingSpeedFactor: 1.5 } }, 'congestion.passingSpeedFactor:'],
    ['a cut-off without a time', { stations: { cutoffs: [{ carrier: 'DPD' }] } }, 'stations.cutoffs[0].at: required'],
  ])('%s', (_what, part, expected) => {
    const errors = errorsOf({ name: 'bad', ...part });
    expect(errors.some((e) => e.startsWith(expected)), `${JSON.stringify(errors)} should include '${expected}…'`).toBe(true);
  });

  it('reports every bad field at once', () => {
    const errors = errorsOf({ demand: { multiplier: -1 }, labour: { walkSpeedMps: 0 }, sampleMinutes: 'often' });
    expect(errors.map((e) => e.split(':')[0])).toEqual(['name', 'demand.multiplier', 'labour.walkSpeedMps', 'sampleMinutes']);
  });

  it('refuses what is not an object', () => {
    for (const json of [null, [], 'peak-day', 42]) expect(errorsOf(json)[0]).toMatch(/^\(scenario\): /);
  });

  it('formats paths with indexes in brackets', () => {
    expect(formatIssuePath(['labour', 'shifts', 0, 'start'])).toBe('labour.shifts[0].start');
    expect(formatIssuePath([])).toBe('(scenario)');
  });
});
