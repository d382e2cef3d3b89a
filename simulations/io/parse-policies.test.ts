import { describe, expect, it } from 'vitest';
import { parseScenario } from './parse-scenario.ts';

const errorsOf = (json: unknown): string[] => {
  const r = parseScenario(json);
  return r.ok ? [] : r.errors;
};
const policiesOf = (policies: unknown): unknown => {
  const r = parseScenario({ name: 'p', policies });
  if (!r.ok) throw new Error(r.errors.join('; '));
  return r.scenario.policies;
};

describe('parseScenario: the optimisation engine as policies (M14, M15)', () => {
  it('keeps as-is slotting the default and leaves existing policies as they were', () => {
    expect(policiesOf({})).toMatchObject({ batching: { kind: 'fcfs', maxOrders: 8, maxLines: 30 }, slotting: 'as-is' });
    expect(policiesOf({ slotting: 'as-is' })).toMatchObject({ slotting: 'as-is' });
  });

  it('reads savings batching, localSearch off by default', () => {
    expect(policiesOf({ batching: { kind: 'savings', maxOrders: 6, maxLines: 20 } })).toMatchObject({
      batching: { kind: 'savings', maxOrders: 6, maxLines: 20, localSearch: false },
    });
    expect(policiesOf({ batching: { kind: 'savings', maxOrders: 6, maxLines: 20, localSearch: true } })).toMatchObject({
      batching: { kind: 'savings', localSearch: true },
    });
  });

  it('reads re-slotting, history from the demand by default', () => {
    expect(policiesOf({ slotting: { kind: 'coi' } })).toMatchObject({ slotting: { kind: 'coi', history: 'demand' } });
    expect(policiesOf({ slotting: { kind: 'coi-affinity', history: 'start-state' } })).toMatchObject({ slotting: { kind: 'coi-affinity', history: 'start-state' } });
    expect(policiesOf({ slotting: { kind: 'abc' } })).toMatchObject({ slotting: { kind: 'abc' } });
  });

  it.each([
    ['savings without maxLines', { batching: { kind: 'savings', maxOrders: 4 } }, 'policies.batching.maxLines: required'],
    ['savings with zero orders', { batching: { kind: 'savings', maxOrders: 0, maxLines: 10 } }, 'policies.batching.maxOrders:'],
    ['savings over the assignment limit', { batching: { kind: 'savings', maxOrders: 4, maxLines: 501 } }, 'policies.batching.maxLines:'],
    ['a localSearch that is not a boolean', { batching: { kind: 'savings', maxOrders: 4, maxLines: 10, localSearch: 'yes' } }, 'policies.batching.localSearch:'],
    ['slotting by an unknown name', { slotting: 'coi' }, "policies.slotting: expected 'as-is' or"],
    ['an unknown slotting kind', { slotting: { kind: 'random' } }, "policies.slotting.kind: expected kind 'coi', 'abc' or 'coi-affinity'"],
    ['an unknown history', { slotting: { kind: 'coi', history: 'yesterday' } }, "policies.slotting.history: expected 'demand' or 'start-state'"],
    ['a misspelt slotting field', { slotting: { kind: 'coi', histroy: 'demand' } }, "policies.slotting: unknown field 'histroy'"],
  ])('%s is an error naming the field', (_what, policies, expected) => {
    const errors = errorsOf({ name: 'bad', policies });
    expect(errors.some((e) => e.startsWith(expected)), `${JSON.stringify(errors)} should include '${expected}…'`).toBe(true);
  });
});
