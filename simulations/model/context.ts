/** What every part of the model shares: the simulation, the run's twin, the KPI recorder and the one way to change it. */
import type { Command } from '../../server/twin/commands.ts';
import type { TwinEvent } from '../../server/twin/events.ts';
import type { TwinState } from '../../server/twin/state.ts';
import { applyEvents, decide } from '../../server/twin/twin.ts';
import type { Simulation } from '../engine/simulation.ts';
import type { MetricsRecorder } from './metrics.ts';

/** The shared parts of one run; built by `createModelContext`. */
export interface ModelContext {
  readonly sim: Simulation;
  /** The run's own twin (M1); read it freely, change it only with `send`. */
  readonly state: TwinState;
  readonly metrics: MetricsRecorder;
  /** The run's window, epoch ms. */
  readonly startAt: number;
  readonly endAt: number;
  /** Decides and applies one command at the virtual time; true when the twin accepted it, else counted (M1). */
  readonly send: (command: Command) => boolean;
  /** Counts a refusal by `kind:CODE`. */
  readonly reject: (key: string) => void;
  /** The refusals so far, keys sorted. */
  readonly rejected: () => Record<string, number>;
}

/**
 * A context whose `send` runs the real core (`decide` + `applyEvents`) at `sim.now()`; `observe` (the floor recording)
 * sees the events of every accepted command once they are applied.
 */
export function createModelContext(
  sim: Simulation,
  state: TwinState,
  metrics: MetricsRecorder,
  window: { startAt: number; endAt: number },
  observe?: (events: readonly TwinEvent[]) => void,
): ModelContext {
  const refusals = new Map<string, number>();
  const reject = (key: string): void => {
    refusals.set(key, (refusals.get(key) ?? 0) + 1);
  };
  return {
    sim,
    state,
    metrics,
    startAt: window.startAt,
    endAt: window.endAt,
    reject,
    send: (command) => {
      const decision = decide(state, command, { now: sim.now() });
      if (!decision.ok) {
        reject(`${command.type}:${decision.error.code}`);
        return false;
      }
      applyEvents(state, decision.events);
      observe?.(decision.events);
      return true;
    },
    rejected: () => Object.fromEntries([...refusals].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  };
}
