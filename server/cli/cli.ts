/**
 * Floortwin's command line: `npm run --silent cli -- <command> [flags]`. A thin dispatcher; each command lives in
 * `<name>.command.ts` and returns its exit code. Errors are one line on stderr; usage errors exit 2.
 */
import { EXIT_USAGE, ROUTE_USAGE, runRoute } from './route.command.ts';
import type { CliIo } from './route.command.ts';
import { SIMULATE_USAGE } from './simulate.command.ts';
import { EXPERIMENT_USAGE } from './experiment.command.ts';
import { LOAD_USAGE } from '../../simulations/load/load.command.ts';
import { SLOT_USAGE } from './slot.command.ts';
import { FAULTS_SIM_USAGE } from './faults-sim.command.ts';
import { INVOICE_SIM_USAGE } from './invoice-sim.command.ts';

const USAGE = [
  'usage: npm run --silent cli -- <command> [flags]',
  'commands:',
  `  ${ROUTE_USAGE.replace(/^usage: /, '')}`,
  '  check [flags]    check the invariants of a live site',
  `  ${SIMULATE_USAGE.replace(/^usage: /, '')}`,
  `  ${EXPERIMENT_USAGE.replace(/^usage: /, '')}`,
  `  ${LOAD_USAGE.replace(/^usage: /, '')}`,
  `  ${SLOT_USAGE.replace(/^usage: /, '')}`,
  `  ${FAULTS_SIM_USAGE.replace(/^usage: /, '')}`,
  `  ${INVOICE_SIM_USAGE.replace(/^usage: /, '')}`,
].join('\n');

const io: CliIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'route':
      return runRoute(rest, io);
    case 'check': {
      // Loaded on demand so `route` does not pay for the database client the check command needs.
      const { runCheck } = await import('./check.command.ts');
      return runCheck(rest);
    }
    case 'simulate': {
      const { runSimulate } = await import('./simulate.command.ts');
      return runSimulate(rest, { ...io, errIsTty: process.stderr.isTTY });
    }
    case 'experiment': {
      const { runExperiment } = await import('./experiment.command.ts');
      return runExperiment(rest, { ...io, errIsTty: process.stderr.isTTY });
    }
    case 'load': {
      const { runLoadCommand } = await import('../../simulations/load/load.command.ts');
      return runLoadCommand(rest, io);
    }
    case 'slot': {
      const { runSlot } = await import('./slot.command.ts');
      return runSlot(rest, io);
    }
    case 'faults-sim': {
      const { runFaultsSimCommand } = await import('./faults-sim.command.ts');
      return runFaultsSimCommand(rest, io);
    }
    case 'invoice-sim': {
      const { runInvoiceSim } = await import('./invoice-sim.command.ts');
      return runInvoiceSim(rest, { ...io, errIsTty: process.stderr.isTTY });
    }
    case 'help':
    case '--help':
    case '-h':
      io.out(`${USAGE}\n`);
      return 0;
    case undefined:
      io.err('cli: missing command (try: route, check, simulate, experiment, load, slot, faults-sim, help)\n');
      return EXIT_USAGE;
    default:
      io.err(`cli: unknown command ${JSON.stringify(command)} (try: route, check, simulate, experiment, load, slot, faults-sim, help)\n`);
      return EXIT_USAGE;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    // exitCode rather than exit(): lets a large stdout document drain before the process ends.
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`cli: ${(e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' ')}\n`);
    process.exitCode = 1;
  },
);
