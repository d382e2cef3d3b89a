/**
 * `simulate SCENARIO.json [--seed N] [--out DIR] [--no-html]`: runs one scenario in this process, shows progress on
 * stderr, writes DIR/result.json and DIR/report.html (DIR defaults to simulation-output/<scenario name>/) and prints
 * the KPIs. Usage errors: one line on stderr, exit 2; a bad scenario file: each problem on its own line, exit 2.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { KPI_INFO, KPI_NAMES, formatKpi } from '../../simulations/experiments/kpi-info.ts';
import { ScenarioFileError, loadScenarioFile } from '../../simulations/io/scenario-files.ts';
import type { SimulationResult } from '../../simulations/model/result.ts';
import { runScenario } from '../../simulations/model/run-scenario.ts';
import { writeReport } from '../../simulations/report/report-assets.ts';
import { EXIT_OK, EXIT_USAGE, parseFlags } from './route.command.ts';
import type { CliIo } from './route.command.ts';

export const SIMULATE_USAGE = 'usage: simulate SCENARIO.json [--seed N] [--out DIR] [--no-html]';

/** A CLI's streams, and whether stderr is a terminal (a live progress bar) or not (a line every 10 %). */
export interface ProgressIo extends CliIo {
  /** Default: whether this process's stderr is a TTY. */
  readonly errIsTty?: boolean;
}

/** Bad usage (exit 2, one line) or a bad scenario (exit 2, one line per problem). */
export class CommandError extends Error {
  constructor(readonly lines: readonly string[], readonly exitCode: number = EXIT_USAGE) {
    super(lines.join('; '));
  }
}

/** The command's arguments: positionals, `--name value` flags of `valued`, and the bare `--name` flags of `booleans`. */
export function parseArgs(args: readonly string[], valued: readonly string[], booleans: readonly string[]): {
  positionals: string[];
  flags: Map<string, string>;
  switches: Set<string>;
} {
  const positionals: string[] = [];
  const flagArgs: string[] = [];
  const switches = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) positionals.push(arg);
    else if (booleans.includes(arg.slice(2))) {
      if (switches.has(arg.slice(2))) throw new CommandError([`flag ${arg} given twice`]);
      switches.add(arg.slice(2));
    } else {
      flagArgs.push(arg);
      const next = args[i + 1];
      if (!arg.includes('=') && next !== undefined && !next.startsWith('--')) {
        flagArgs.push(next);
        i++;
      }
    }
  }
  try {
    return { positionals, flags: parseFlags(flagArgs, valued), switches };
  } catch (e) {
    throw new CommandError([(e as Error).message]);
  }
}

/** A whole number flag within [min, max]. */
export function integerFlag(flags: Map<string, string>, name: string, min: number, max: number): number | undefined {
  const text = flags.get(name);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new CommandError([`--${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`]);
  }
  return n;
}

/** A file-system-friendly folder name for a scenario. */
export function folderName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '');
  return safe === '' ? 'scenario' : safe.slice(0, 80);
}

/**
 * Progress on stderr: on a terminal one line redrawn in place (`[#####.....]  50 %`), otherwise a plain line each
 * time another 10 % is done. `done()` ends the line.
 */
export function progressReporter(io: ProgressIo, label: string): { update(fraction: number): void; done(): void } {
  const tty = io.errIsTty ?? process.stderr.isTTY === true;
  const width = 30;
  let lastShown = -1;
  return {
    update(fraction) {
      const f = Math.max(0, Math.min(1, fraction));
      if (tty) {
        const percent = Math.floor(f * 100);
        if (percent === lastShown) return;
        lastShown = percent;
        const filled = Math.round(f * width);
        io.err(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(percent).padStart(3)} %`);
      } else {
        const tenth = Math.floor(f * 10 + 1e-9);
        if (tenth <= lastShown || tenth === 0) return;
        lastShown = tenth;
        io.err(`${label} ${tenth * 10} %\n`);
      }
    },
    done() {
      if (tty && lastShown >= 0) io.err('\n');
    },
  };
}

/** Rows as text columns: the first left-aligned, the others right-aligned. */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => { widths[i] = Math.max(widths[i] ?? 0, cell.length); });
  return rows.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd()).join('\n');
}

/** The KPI table printed after a run, with the checks. */
export function kpiSummary(result: SimulationResult): string {
  const rows = [['KPI', 'value'], ...KPI_NAMES.map((name) => [KPI_INFO[name].label, formatKpi(name, result.kpis[name])])];
  const { lines } = result;
  const checks = [
    `order lines: ${lines.arrived} arrived = ${lines.despatched} despatched + ${lines.backordered} backordered + ${lines.cancelled} cancelled + ${lines.open} open${lines.balanced ? '' : '  (NOT BALANCED)'}`,
    result.invariantViolations.length === 0 ? 'twin invariants: all hold' : `twin invariants: ${result.invariantViolations.length} violated`,
  ];
  return `${formatTable(rows)}\n${checks.join('\n')}\n`;
}

/** Loads a scenario file; its problems become a CommandError listing each. */
export async function loadScenarioOrFail(file: string): ReturnType<typeof loadScenarioFile> {
  try {
    return await loadScenarioFile(file);
  } catch (e) {
    if (e instanceof ScenarioFileError) throw new CommandError(e.errors.map((problem) => `${e.file}: ${problem}`));
    throw e;
  }
}

async function writeJson(file: string, value: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(value, null, 2)}\n`, 'utf8');
}

/** Runs the simulate command; returns the exit code. */
export async function runSimulate(args: readonly string[], io: ProgressIo): Promise<number> {
  try {
    const { positionals, flags, switches } = parseArgs(args, ['seed', 'out'], ['no-html']);
    if (positionals.length !== 1) {
      throw new CommandError([positionals.length === 0 ? `missing SCENARIO (${SIMULATE_USAGE})` : `one SCENARIO only, got ${positionals.length} (${SIMULATE_USAGE})`]);
    }
    const seed = integerFlag(flags, 'seed', 0, 2 ** 32 - 1);
    const resolved = await loadScenarioOrFail(positionals[0]!);
    const scenario = seed === undefined ? resolved.scenario : { ...resolved.scenario, seed };
    const outDir = flags.get('out') ?? path.join('simulation-output', folderName(scenario.name));

    const progress = progressReporter(io, `simulate ${scenario.name}`);
    const result = runScenario({ ...resolved, scenario }, { onProgress: (f) => progress.update(f) });
    progress.update(1);
    progress.done();

    const written = [path.join(outDir, 'result.json')];
    await writeJson(written[0]!, result);
    if (!switches.has('no-html')) {
      written.push(path.join(outDir, 'report.html'));
      await writeReport(written[1]!, result);
    }
    io.out(`${result.scenario} · seed ${result.seed} · ${result.startAt} → ${result.endAt} · ${result.events} events\n`);
    io.out(kpiSummary(result));
    io.out(`wrote ${written.join(', ')}\n`);
    return EXIT_OK;
  } catch (e) {
    if (e instanceof CommandError) {
      for (const line of e.lines) io.err(`simulate: ${line.replace(/\s*\n\s*/g, ' ')}\n`);
      return e.exitCode;
    }
    throw e;
  }
}
