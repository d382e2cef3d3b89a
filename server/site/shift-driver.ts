/** Runs the simulated demo shift against a live site: the model is pure, this adapter owns the timer. */
import { createDemoShift, type DemoShift } from '../../simulations/shift/demo-shift.ts';
import type { Clock } from '../twin/clock.ts';
import type { SiteRunner } from './site-runner.ts';

export interface ShiftDriverOptions {
  readonly pickers: number;
  readonly ordersPerHour: number;
  readonly seed: number;
  /** The site's clock: the shift's virtual time follows it. */
  readonly clock: Clock;
  /** How often the timer lets the simulation catch up, ms. */
  readonly tickMs?: number;
  readonly log?: (message: string) => void;
  /** Where pickers take their routes from (default `plan`: the model plans its own). */
  readonly routeSource?: 'twin' | 'plan';
}

export interface ShiftDriver {
  readonly shift: DemoShift;
  stop(): void;
}

export function startShiftDriver(runner: SiteRunner, options: ShiftDriverOptions): ShiftDriver {
  const startAt = options.clock.now();
  const shift = createDemoShift({
    port: { state: () => runner.twin, submit: (command) => runner.submit(command) },
    seed: options.seed,
    pickers: options.pickers,
    ordersPerHour: options.ordersPerHour,
    startAt,
    ...(options.routeSource === undefined ? {} : { routeSource: options.routeSource }),
  });
  shift.start();
  const timer = setInterval(() => shift.sim.runUntil(options.clock.now()), options.tickMs ?? 100);
  timer.unref();
  options.log?.(`demo shift started: ${options.pickers} pickers, ${options.ordersPerHour} orders/hour`);
  return {
    shift,
    stop() {
      clearInterval(timer);
      shift.stop();
    },
  };
}
