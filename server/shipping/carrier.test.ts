import { describe, expect, it } from 'vitest';
import type { Carrier, CarrierService } from './carrier.ts';
import { chooseService } from './carrier.ts';
import { builtinCarrier } from './builtin-carrier.ts';

/** A second carrier with its own services; only its service list matters to the choice rule. */
function otherCarrier(id: string, services: CarrierService[]): Carrier {
  const base = builtinCarrier();
  return { ...base, id, name: id, services };
}

const post = builtinCarrier({ country: 'GB' });
const pick = (r: ReturnType<typeof chooseService>): string => ('error' in r ? `error: ${r.error}` : `${r.carrier.id}/${r.service}`);

describe('chooseService', () => {
  it('honours the requested service when a carrier offers it for the weight and destination', () => {
    expect(pick(chooseService({ service: 'express', weightG: 1000, country: 'GB' }, [post], 'GB'))).toBe('floortwin-post/express');
    expect(pick(chooseService({ service: ' Next-Day ', weightG: 1000, country: 'gb' }, [post], 'GB'))).toBe('floortwin-post/next-day');
  });

  it('falls back when the requested service cannot take the parcel', () => {
    // next-day stops at 20 kg.
    expect(pick(chooseService({ service: 'next-day', weightG: 25_000, country: 'GB' }, [post], 'GB'))).toBe('floortwin-post/standard');
    expect(pick(chooseService({ service: 'teleport', weightG: 500, country: 'GB' }, [post], 'GB'))).toBe('floortwin-post/standard');
  });

  it('sends international destinations with an international service', () => {
    expect(pick(chooseService({ service: null, weightG: 500, country: 'FR' }, [post], 'GB'))).toBe('floortwin-post/international');
    expect(pick(chooseService({ service: 'next-day', weightG: 500, country: 'FR' }, [post], 'GB'))).toBe('floortwin-post/international');
    expect(pick(chooseService({ service: null, weightG: 40_000, country: 'FR' }, [post], 'GB'))).toMatch(/^error: no international service takes 40000 g to FR/);
  });

  it('uses freight when the parcel is too heavy for every parcel service', () => {
    expect(pick(chooseService({ service: null, weightG: 30_001, country: 'GB' }, [post], 'GB'))).toBe('floortwin-post/freight');
    expect(pick(chooseService({ service: 'standard', weightG: 30_001, country: 'GB' }, [post], 'GB'))).toBe('floortwin-post/freight');
    expect(pick(chooseService({ service: null, weightG: 2_000_000, country: 'GB' }, [post], 'GB'))).toMatch(/^error:/);
  });

  it('defaults to standard, from the first carrier that offers it', () => {
    const courier = otherCarrier('courier', [{ code: 'standard', name: 'Std', maxWeightG: 10_000, international: false }]);
    expect(pick(chooseService({ service: null, weightG: 500, country: 'GB' }, [post, courier], 'GB'))).toBe('floortwin-post/standard');
    expect(pick(chooseService({ service: null, weightG: 500, country: 'GB' }, [courier, post], 'GB'))).toBe('courier/standard');
    // Too heavy for the courier: the next carrier takes it.
    expect(pick(chooseService({ service: null, weightG: 15_000, country: 'GB' }, [courier, post], 'GB'))).toBe('floortwin-post/standard');
  });

  it('takes the lightest domestic parcel service when no carrier has standard', () => {
    const courier = otherCarrier('courier', [
      { code: 'economy', name: 'Economy', maxWeightG: 5_000, international: false },
      { code: 'priority', name: 'Priority', maxWeightG: 2_000, international: false },
    ]);
    expect(pick(chooseService({ service: null, weightG: 1_000, country: 'GB' }, [courier], 'GB'))).toBe('courier/priority');
    expect(pick(chooseService({ service: null, weightG: 3_000, country: 'GB' }, [courier], 'GB'))).toBe('courier/economy');
    expect(pick(chooseService({ service: null, weightG: 6_000, country: 'GB' }, [courier], 'GB'))).toMatch(/^error:/);
    expect(pick(chooseService({ service: null, weightG: 1_000, country: 'GB' }, [], 'GB'))).toMatch(/^error:/);
  });

  it('refuses an invalid weight', () => {
    expect(pick(chooseService({ service: null, weightG: Number.NaN, country: 'GB' }, [post], 'GB'))).toMatch(/^error: invalid parcel weight/);
    expect(pick(chooseService({ service: null, weightG: -1, country: 'GB' }, [post], 'GB'))).toMatch(/^error:/);
  });
});
