/**
 * `faults-sim [--seeds N] [--ops N] [--first-seed N]`: the C8 fault simulation at full size (default 100 seeds ×
 * 2,000 ticks, the reliability plan's per-PR figure; 10,000 seeds weekly). Prints one line per failing seed with its
 * first violations and trace hash (replay it with `--first-seed S --seeds 1`), then a JSON summary. Exit 0 when no
 * seed has a violation, 1 otherwise; bad usage: one line on stderr, exit 2.
 */
import { runFaultSim } from '../../simulations/faults/faults-sim.ts';
import type { FaultSimStats } from '../../simulations/faults/faults-sim.ts';
import { EXIT_BAD_INPUT, EXIT_OK } from './route.command.ts';
import type { CliIo } from './route.command.ts';
import { CommandError, integerFlag, parseArgs } from './simulate.command.ts';

export const FAULTS_SIM_USAGE = 'usage: faults-sim [--seeds N] [--ops N] [--first-seed N]';

/** Runs the fault simulation over the seeds; returns the exit code. */
export function runFaultsSimCommand(argv: readonly string[], io: CliIo): number {
  try {
    const { positionals, flags } = parseArgs(argv, ['seeds', 'ops', 'first-seed'], []);
    if (positionals.length > 0) throw new CommandError([`unexpected argument ${JSON.stringify(positionals[0])} (${FAULTS_SIM_USAGE})`]);
    const seeds = integerFlag(flags, 'seeds', 1, 1_000_000) ?? 100;
    const ops = integerFlag(flags, 'ops', 1, 1_000_000) ?? 2_000;
    const first = integerFlag(flags, 'first-seed', 0, 2 ** 31 - 1) ?? 1;
    const totals: Record<keyof FaultSimStats, number> = { intents: 0, deliveries: 0, commits: 0, refusals: 0, duplicates: 0, reorders: 0, crashes: 0, lostAcks: 0, idempotentReplays: 0, clockJumps: 0, resends: 0 };
    const failing: number[] = [];
    const started = performance.now();
    for (let seed = first; seed < first + seeds; seed++) {
      const r = runFaultSim({ seed, ops });
      for (const k of Object.keys(totals) as (keyof FaultSimStats)[]) totals[k] += r.stats[k];
      if (r.violations.length > 0) {
        failing.push(seed);
        io.out(`seed ${seed} FAILED (trace ${r.traceHash}): ${r.violations.slice(0, 3).join(' | ')}\n`);
      }
    }
    const seconds = Math.round((performance.now() - started) / 100) / 10;
    io.out(`${JSON.stringify({ seeds, ops, firstSeed: first, failingSeeds: failing, seconds, totals })}\n`);
    return failing.length === 0 ? EXIT_OK : EXIT_BAD_INPUT;
  } catch (e) {
    if (e instanceof CommandError) {
      io.err(`faults-sim: ${e.message.replace(/\s*\n\s*/g, ' ')}\n`);
      return e.exitCode;
    }
    throw e;
  }
}
