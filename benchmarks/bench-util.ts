/** Shared by the benchmarks: print a table and write JSON to bench/results/. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const benchRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export type Row = Record<string, string | number>;

export function printTable(title: string, rows: readonly Row[]): void {
  console.log(`\n${title}`);
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0] ?? {});
  const cell = (v: string | number | undefined) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : (v ?? ''));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  console.log(columns.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  '));
  for (const row of rows) console.log(columns.map((c, i) => cell(row[c]).padEnd(widths[i] ?? 0)).join('  '));
}

export async function writeResults(name: string, data: unknown): Promise<string> {
  const dir = path.join(benchRoot, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  await writeFile(file, `${JSON.stringify({ name, at: new Date().toISOString(), ...(data as object) }, null, 2)}\n`);
  return file;
}

/** Event-loop delay over one run, ms. */
export interface EventLoopLag {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly wallMs: number;
}

/**
 * Event-loop delay while `during` runs: a `monitorEventLoopDelay` histogram, plus a 1 ms heartbeat that keeps the loop
 * turning while we only await and records the longest gap itself (a loop blocked for the whole run leaves the monitor
 * a single late sample at best). Returns the lag and what `during` resolved to.
 */
export async function measureEventLoopLag<T>(during: () => Promise<T>): Promise<{ lag: EventLoopLag; value: T }> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  let last = performance.now();
  let longestGap = 0;
  const heartbeat = setInterval(() => {
    const now = performance.now();
    longestGap = Math.max(longestGap, now - last);
    last = now;
  }, 1);
  histogram.enable();
  const started = performance.now();
  const value = await during();
  const wallMs = performance.now() - started;
  // Give the loop a turn so a run that blocked it throughout is sampled at all.
  await new Promise((resolve) => setTimeout(resolve, 5));
  histogram.disable();
  clearInterval(heartbeat);
  const ms = (ns: number): number => Math.round((ns / 1e6) * 100) / 100;
  return {
    lag: { p50Ms: ms(histogram.percentile(50)), p99Ms: ms(histogram.percentile(99)), maxMs: Math.round(Math.max(ms(histogram.max), longestGap) * 100) / 100, wallMs: Math.round(wallMs) },
    value,
  };
}

/** A server spawned by {@link spawnUntilReady}: ready (its /readyz answered 200) `readyMs` after the spawn. */
export interface ReadyServer {
  readonly child: ChildProcess;
  readonly url: string;
  readonly readyMs: number;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
  readonly exited: Promise<void>;
}

/** Spawns `node <args>` from the repository root and polls its /readyz every `pollMs` until 200 (throws if it exits). */
export async function spawnUntilReady(args: readonly string[], env: NodeJS.ProcessEnv, pollMs: number): Promise<ReadyServer> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: benchRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let port: string | undefined;
  for (;;) {
    port ??= /listening on http:\/\/localhost:(\d+)/.exec(output)?.[1];
    if (port && (await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false))) break;
    if (child.exitCode !== null) throw new Error(`server exited:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  return { child, url: `http://127.0.0.1:${port}`, readyMs: performance.now() - started, output: () => output, exited };
}
