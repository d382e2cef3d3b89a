import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ExperimentResult } from '../../simulations/experiments/experiment.ts';
import { runExperiment } from './experiment.command.ts';

const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'floortwin-experiment-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const small = JSON.parse(readFileSync(join(root, 'data/scenarios/labour-bound-small.json'), 'utf8')) as Record<string, unknown>;
const labour = small['labour'] as { shifts: { start: string; end: string; pickers: number }[] };
function scenarioFile(name: string, overrides: Record<string, unknown> = {}): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ ...small, durationHours: 1, ...overrides }));
  return file;
}

async function experiment(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runExperiment(args, { out: (t) => { stdout += t; }, err: (t) => { stderr += t; }, errIsTty: false });
  return { code, stdout, stderr };
}

describe('experiment', () => {
  const baseline = scenarioFile('baseline', { name: 'four pickers' });
  const doubled = scenarioFile('doubled', { name: 'eight pickers', labour: { ...labour, shifts: labour.shifts.map((s) => ({ ...s, pickers: s.pickers * 2 })) } });

  it('runs scenarios × seeds on worker threads, prints the comparison and writes experiment.json and report.html', async () => {
    const out = join(dir, 'exp');
    const run = await experiment([baseline, doubled, '--seeds', '2', '--threads', '2', '--out', out]);
    expect(run.code).toBe(0);
    const result = JSON.parse(readFileSync(join(out, 'experiment.json'), 'utf8')) as ExperimentResult;
    expect(result.scenarios).toEqual(['four pickers', 'eight pickers']);
    expect(result.seeds).toEqual([1, 2]);
    expect(result.runs).toHaveLength(4);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('eight pickers − baseline');
    expect(run.stdout).toContain('four pickers (baseline)');
    expect(run.stdout).toMatch(/^Lines picked +[\d,]+ ± [\d,]+ +[\d,]+ ± [\d,]+ +\+[\d,]+ \[/m);
    expect(run.stderr.trimEnd().split('\n').at(-1)).toBe('experiment (4 runs) 100 %');
  });

  it('answers bad usage and bad scenario files with exit 2', async () => {
    const none = await experiment(['--seeds', '2']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^experiment: missing SCENARIO/);
    const zero = await experiment([baseline, '--seeds', '0']);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(/--seeds must be a whole number from 1/);
    const bad = scenarioFile('bad', { sampleMinutes: 0 });
    const out = join(dir, 'bad-exp');
    const run = await experiment([baseline, bad, '--out', out]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/sampleMinutes/);
    expect(run.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });
});
