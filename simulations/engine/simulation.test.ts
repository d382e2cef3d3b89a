import { describe, expect, it } from 'vitest';
import { epochMs } from '../../server/twin/ids.ts';
import { randomExponential, randomInt } from '../../server/twin/rng.ts';
import type { EventListKind } from './event-list.ts';
import { Simulation, deriveSeed } from './simulation.ts';
import { VirtualClock } from './virtual-clock.ts';

const T0 = epochMs(Date.UTC(2026, 0, 5, 8, 0, 0));

// Every rule holds on both event lists: the heap and its array-scanned benchmark peer.
describe.each<EventListKind>(['heap', 'array'])('Simulation (%s event list)', (eventList) => {
  describe('Simulation.runUntil', () => {
    it('[E2] runs every event with time ≤ t, including ones scheduled on the way, and none after', () => {
      const sim = new Simulation({ seed: 1, startAt: T0, eventList });
      const log: string[] = [];
      sim.schedule(T0 + 100, () => {
        log.push('a');
        sim.scheduleIn(0, () => { log.push('a+0'); });
        sim.scheduleIn(50, () => { log.push('a+50'); });
        sim.scheduleIn(51, () => { log.push('a+51'); });
      });
      sim.schedule(T0 + 150, () => { log.push('b'); });
      expect(sim.runUntil(T0 + 150)).toBe(4);
      // 'b' and 'a+50' share a time; 'b' was scheduled first (E1).
      expect(log).toEqual(['a', 'a+0', 'b', 'a+50']);
      expect(sim.nextEventAt()).toBe(T0 + 151);
      sim.runUntil(T0 + 1000);
      expect(log.at(-1)).toBe('a+51');
      expect(sim.eventsProcessed).toBe(5);
      expect(sim.eventsQueued).toBe(0);
    });

    it('[E3] the clock reads each event time while it runs, then the target time', () => {
      const sim = new Simulation({ seed: 1, startAt: T0, eventList });
      const seen: number[] = [];
      sim.schedule(T0 + 10, (s) => { seen.push(s.now() - T0); });
      sim.schedule(T0 + 30, (s) => { seen.push(s.now() - T0); });
      sim.runUntil(T0 + 20);
      expect(sim.now()).toBe(T0 + 20);
      sim.runUntil(T0 + 5); // earlier target: nothing runs, the clock stays
      expect(sim.now()).toBe(T0 + 20);
      sim.runUntil(T0 + 40);
      expect(seen).toEqual([10, 30]);
      expect(sim.now()).toBe(T0 + 40);
    });

    it('[E3] the virtual clock never goes backwards', () => {
      const clock = new VirtualClock(T0);
      clock.advanceTo(T0 + 5);
      expect(clock.now()).toBe(T0 + 5);
      expect(() => clock.advanceTo(T0 + 4)).toThrow(RangeError);
    });

    it('[E4] refuses to schedule in the past or with a negative delay', () => {
      const sim = new Simulation({ seed: 1, startAt: T0, eventList });
      sim.runUntil(T0 + 100);
      expect(() => sim.schedule(T0 + 99, () => undefined)).toThrow(RangeError);
      expect(() => sim.scheduleIn(-1, () => undefined)).toThrow(RangeError);
      expect(() => sim.schedule(Number.NaN, () => undefined)).toThrow(RangeError);
    });

    it('[E5] waits for an in-flight operation: no event runs and the clock stays until it settles', async () => {
      const sim = new Simulation({ seed: 1, startAt: T0, eventList });
      const log: string[] = [];
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      sim.schedule(T0 + 10, async (s) => {
        log.push('start');
        await gate;
        // Still at the handler's time: the step took no virtual time.
        log.push(`resumed@${s.now() - T0}`);
        s.scheduleIn(5, () => { log.push('after'); });
      });
      sim.schedule(T0 + 12, () => { log.push('other'); });
      sim.runUntil(T0 + 100);
      expect(log).toEqual(['start']);
      expect(sim.inFlight).toBe(1);
      expect(sim.now()).toBe(T0 + 10);
      expect(sim.runUntil(T0 + 100)).toBe(0);
      release();
      // Settling resumes the run toward the last target by itself.
      await sim.idle();
      expect(log).toEqual(['start', 'resumed@10', 'other', 'after']);
      expect(sim.now()).toBe(T0 + 100);
      await sim.advanceTo(T0 + 200);
      expect(sim.now()).toBe(T0 + 200);
    });

    it('[E5] a chain of asynchronous steps runs at the virtual times it asks for, however slow the promises are', async () => {
      const sim = new Simulation({ seed: 1, startAt: T0, eventList });
      const times: number[] = [];
      const slow = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 2));
      const step = async (s: Simulation): Promise<void> => {
        times.push(s.now() - T0);
        await slow();
        await slow();
        if (times.length < 5) s.scheduleIn(250, step);
      };
      sim.schedule(T0, step);
      await sim.advanceTo(T0 + 10_000);
      expect(times).toEqual([0, 250, 500, 750, 1000]);
    });

    it('[E7] a rejected in-flight operation is rethrown by the next run; a throwing handler stops at once', async () => {
      const sim = new Simulation({ seed: 1, startAt: T0, eventList });
      sim.schedule(T0 + 1, () => Promise.reject(new Error('boom')));
      await expect(sim.advanceTo(T0 + 10)).rejects.toThrow('boom');
      const sim2 = new Simulation({ seed: 1, startAt: T0, eventList });
      sim2.schedule(T0 + 1, () => {
        throw new Error('sync boom');
      });
      expect(() => sim2.runUntil(T0 + 10)).toThrow('sync boom');
    });
  });

  describe('Simulation streams and determinism', () => {
    it('[E6] a stream depends only on the root seed and its name', () => {
      const a = new Simulation({ seed: 42, startAt: T0, eventList });
      const b = new Simulation({ seed: 42, startAt: T0, eventList });
      // b creates and drains other streams first: 'orders' must not move.
      b.stream('picker:1').next();
      b.stream('picker:2').next();
      const fromA = Array.from({ length: 5 }, () => a.stream('orders').next());
      const fromB = Array.from({ length: 5 }, () => b.stream('orders').next());
      expect(fromB).toEqual(fromA);
      expect(a.stream('orders')).toBe(a.stream('orders'));
      expect(deriveSeed(42, 'orders')).not.toBe(deriveSeed(43, 'orders'));
      expect(deriveSeed(42, 'orders')).not.toBe(deriveSeed(42, 'order'));
    });

    it('[E8] the same seed gives the same run byte for byte; another seed gives another', async () => {
      const run = async (seed: number, list: EventListKind = eventList): Promise<string> => {
        const sim = new Simulation({ seed, startAt: T0, eventList: list });
        const trace: string[] = [];
        // Three actors with their own streams, some steps asynchronous.
        for (let actor = 0; actor < 3; actor++) {
          const rng = sim.stream(`actor:${actor}`);
          const step = async (s: Simulation): Promise<void> => {
            trace.push(`${s.now() - T0}:${actor}:${randomInt(rng, 0, 9)}`);
            if (rng.next() < 0.5) await Promise.resolve();
            s.scheduleIn(Math.round(randomExponential(rng, 1000)), step);
          };
          sim.scheduleIn(randomInt(rng, 0, 100), step);
        }
        await sim.advanceTo(T0 + 60_000);
        return JSON.stringify(trace);
      };
      const first = await run(7);
      expect(first.length).toBeGreaterThan(100);
      expect(await run(7)).toBe(first);
      expect(await run(8)).not.toBe(first);
      // The other event list runs the same model identically (E1 is the whole contract).
      expect(await run(7, eventList === 'heap' ? 'array' : 'heap')).toBe(first);
    });
  });
});
