import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SimulationResult } from '../../simulations/model/result.ts';
import { folderName, formatTable, progressReporter, runSimulate } from './simulate.command.ts';

const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'floortwin-simulate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The small labour-bound scenario, cut to one hour so a run takes about a second. */
const small = JSON.parse(readFileSync(join(root, 'data/scenarios/labour-bound-small.json'), 'utf8')) as Record<string, unknown>;
function scenarioFile(name: string, overrides: Record<string, unknown> = {}): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ ...small, durationHours: 1, ...overrides }));
  return file;
}

async function simulate(args: string[], errIsTty = false) {
  let stdout = '';
  let stderr = '';
  const code = await runSimulate(args, { out: (t) => { stdout += t; }, err: (t) => { stderr += t; }, errIsTty });
  return { code, stdout, stderr };
}

function expectOneLineUsageError(run: { code: number; stdout: string; stderr: string }, mentions: RegExp): void {
  expect(run.code).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(mentions);
}

describe('simulate', () => {
  const file = scenarioFile('small');

  it('runs the scenario, writes result.json and report.html, prints the KPIs and shows progress every 10 %', async () => {
    const out = join(dir, 'run-a');
    const run = await simulate([file, '--out', out]);
    expect(run.code).toBe(0);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as SimulationResult;
    expect(result.scenario).toBe('labour-bound-small');
    expect(result.seed).toBe(1);
    expect(result.kpis.linesPicked).toBeGreaterThan(0);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('id="chart-throughput"');
    expect(html).toContain('Simulation report: labour-bound-small');
    expect(run.stdout).toMatch(/^Lines picked +[\d,]+$/m);
    expect(run.stdout).toMatch(/^Cut-off hit rate +[\d.]+ %$/m);
    expect(run.stdout).toContain('twin invariants: all hold');
    expect(run.stdout).toContain(join(out, 'report.html'));
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines.at(-1)).toBe('simulate labour-bound-small 100 %');
    const percents = lines.map((l) => Number(/ (\d+) %$/.exec(l)?.[1]));
    expect(percents.every((p, i) => p % 10 === 0 && (i === 0 || p > percents[i - 1]!))).toBe(true);
  });

  it('gives byte-identical results for the same seed, and uses --seed', async () => {
    const [a, b, c] = [join(dir, 'same-1'), join(dir, 'same-2'), join(dir, 'seed-5')];
    expect((await simulate([file, '--out', a, '--no-html'])).code).toBe(0);
    expect((await simulate([`--out=${b}`, '--no-html', file])).code).toBe(0);
    expect((await simulate([file, '--seed', '5', '--out', c, '--no-html'])).code).toBe(0);
    const text = (d: string) => readFileSync(join(d, 'result.json'), 'utf8');
    expect(text(a)).toBe(text(b));
    expect((JSON.parse(text(c)) as SimulationResult).seed).toBe(5);
    expect(text(c)).not.toBe(text(a));
    expect(existsSync(join(a, 'report.html'))).toBe(false);
  });

  it('draws one updating progress line on a terminal', async () => {
    const run = await simulate([file, '--out', join(dir, 'tty'), '--no-html'], true);
    expect(run.code).toBe(0);
    expect(run.stderr.startsWith('\r')).toBe(true);
    expect(run.stderr.endsWith('100 %\n')).toBe(true);
    expect(run.stderr.slice(0, -1)).not.toContain('\n');
  });

  it('answers bad usage with one line and exit 2', async () => {
    expectOneLineUsageError(await simulate([]), /missing SCENARIO/);
    expectOneLineUsageError(await simulate([file, file]), /one SCENARIO only/);
    expectOneLineUsageError(await simulate([file, '--speed', '3']), /unknown flag --speed/);
    expectOneLineUsageError(await simulate([file, '--seed', 'x1']), /--seed must be a whole number/);
    expectOneLineUsageError(await simulate([file, '--seed']), /--seed needs a value/);
  });

  it('lists every problem of a bad scenario file, one per line, and exits 2', async () => {
    const bad = scenarioFile('bad', { durationHours: -1, labour: { ...(small['labour'] as object), walkSpeedMps: 'fast' } });
    const run = await simulate([bad, '--out', join(dir, 'bad')]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.every((l) => l.startsWith(`simulate: ${bad}: `))).toBe(true);
    expect(run.stderr).toMatch(/durationHours/);
    expect(run.stderr).toMatch(/labour\.walkSpeedMps/);
    expect(existsSync(join(dir, 'bad'))).toBe(false);
    const missing = await simulate([join(dir, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read/);
  });
});

describe('simulate helpers', () => {
  it('names output folders safely', () => {
    expect(folderName('Black Friday / +40 %')).toBe('Black-Friday-40');
    expect(folderName('../..')).toBe('scenario');
  });

  it('aligns table columns', () => {
    expect(formatTable([['KPI', 'value'], ['Lines picked', '1,234']])).toBe('KPI           value\nLines picked  1,234');
  });

  it('prints a plain line only when another tenth is done', () => {
    let text = '';
    const p = progressReporter({ out: () => {}, err: (t) => { text += t; }, errIsTty: false }, 'x');
    for (const f of [0, 0.05, 0.1, 0.15, 0.34, 0.35, 1]) p.update(f);
    p.done();
    expect(text).toBe('x 10 %\nx 30 %\nx 100 %\n');
  });
});
