import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asOrderId } from '../../server/twin/ids.ts';
import { generateSite } from '../../server/twin/layout/generator.ts';
import { newTwin } from '../../server/twin/test-site.ts';
import { toSnapshotData } from '../../server/twin/twin.ts';
import { parseScenario } from './parse-scenario.ts';
import { REPO_ROOT, ScenarioFileError, loadScenarioFile } from './scenario-files.ts';

const SCENARIOS = path.join(REPO_ROOT, 'data/scenarios');
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'floortwin-scenarios-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, json: unknown): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, typeof json === 'string' ? json : JSON.stringify(json));
  return file;
}

/** The error list of a file that must not load. */
async function errorsOf(file: string, root?: string): Promise<readonly string[]> {
  const error: unknown = await loadScenarioFile(file, root === undefined ? {} : { root }).then(
    () => new Error('expected the file to be refused'),
    (e: unknown) => e,
  );
  if (!(error instanceof ScenarioFileError)) throw error;
  expect(error.file).toBe(file);
  return error.errors;
}

describe('data/scenarios', () => {
  it('holds the scenarios the simulator ships with, each valid', async () => {
    const files = (await readdir(SCENARIOS)).filter((f) => f.endsWith('.json')).sort();
    expect(files).toEqual(['black-friday-what-if.json', 'labour-bound-small.json', 'normal-day.json', 'peak-day-optimised.json', 'peak-day.json']);
    for (const file of files) {
      const result = parseScenario(JSON.parse(await readFile(path.join(SCENARIOS, file), 'utf8')));
      expect(result.ok ? [] : result.errors, file).toEqual([]);
      // The file's name is its scenario's name.
      expect(result.ok && result.scenario.name).toBe(file.replace(/\.json$/, ''));
    }
  });

  it('loads the small scenario to a stocked generated site, and the peak day to the stocked demo site', async () => {
    const small = await loadScenarioFile(path.join(SCENARIOS, 'labour-bound-small.json'));
    expect(small.site.id).toBe('small');
    expect(small.state.quants.size).toBeGreaterThan(0);
    const peak = await loadScenarioFile(path.join(SCENARIOS, 'peak-day.json'));
    expect(peak.site.id).toBe('demo');
    expect(peak.scenario.demand.lines).toBe(100_000);
    expect(peak.scenario.labour.shifts.reduce((n, s) => n + s.pickers, 0)).toBe(150);
    expect(peak.state.quants.size).toBeGreaterThan(5000);
  });
});

describe('loadScenarioFile', () => {
  it('refuses a bad file with one error per bad field, named by path', async () => {
    const file = await write('bad.json', { name: 'bad', labour: { shifts: [{ start: '25:00', end: '14:00', pickers: 3 }] }, policies: { routing: 'zigzag' } });
    const errors = await errorsOf(file);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toBe('labour.shifts[0].start: expected HH:MM');
    expect(errors[1]).toMatch(/^policies\.routing: expected one of /);
  });

  it('refuses a file that is not JSON, or not there', async () => {
    expect((await errorsOf(await write('broken.json', '{ "name": ')))[0]).toMatch(/^not valid JSON/);
    expect((await errorsOf(path.join(dir, 'absent.json')))[0]).toMatch(/^cannot read the file/);
  });

  it('loads a site file relative to the repository root, with its initial stock', async () => {
    const file = await write('site-file.json', { name: 'site-file', site: { kind: 'file', path: 'data/sites/demo.json' }, start: { kind: 'demo-stock' } });
    const { site, state } = await loadScenarioFile(file);
    expect(site.id).toBe('demo');
    expect(state.quants.size).toBeGreaterThan(5000);
    const missing = await write('site-missing.json', { name: 'm', site: { kind: 'file', path: 'data/sites/nowhere.json' } });
    expect((await errorsOf(missing))[0]).toMatch(/^site\.path: /);
  });

  it('refuses a referenced path outside the repository', async () => {
    const escape = await write('escape.json', { name: 'e', site: { kind: 'file', path: '../../etc/passwd' } });
    expect((await errorsOf(escape))[0]).toMatch(/^site\.path: '\.\.\/\.\.\/etc\/passwd' must be a file inside /);
    const absolute = await write('absolute.json', { name: 'a', start: { kind: 'snapshot', path: '/etc/passwd' } });
    expect((await errorsOf(absolute))[0]).toMatch(/^start\.path: '\/etc\/passwd' must be a file inside /);
  });

  it('starts from a snapshot file of the same site, and refuses one of another site', async () => {
    const params = { id: 'snap-site', name: 'Snap', aisles: 2, blocks: 1, baysPerBlock: 4, levels: 1, skuCount: 10, tenants: 1, stockFillRatio: 0.5, baseDate: '2026-11-01' };
    const twin = newTwin(generateSite(params, 1).site);
    const tenant = twin.state.site.tenants[0]!.id;
    twin.ok({ type: 'createOrder', orderId: asOrderId('S1'), tenantId: tenant, lines: [{ skuId: twin.state.site.skus[0]!.id, qty: 2 }] });
    // The file `GET /api/sites/:siteId/snapshot` writes: siteId first, then the snapshot.
    await write('snap.json', { siteId: 'snap-site', ...toSnapshotData(twin.state) });
    const scenario = { name: 'from-snapshot', site: { kind: 'generated', seed: 1, params }, start: { kind: 'snapshot', path: 'snap.json' } };
    const { state } = await loadScenarioFile(await write('from-snapshot.json', scenario), { root: dir });
    expect([...state.orders.keys()]).toEqual(['S1']);

    await write('other.json', { siteId: 'demo', ...toSnapshotData(twin.state) });
    const other = await write('from-other.json', { ...scenario, start: { kind: 'snapshot', path: 'other.json' } });
    expect((await errorsOf(other, dir))[0]).toMatch(/^start\.path: the snapshot is of site 'demo'/);

    await write('not-snapshot.json', { seq: 'one' });
    const bad = await write('from-bad.json', { ...scenario, start: { kind: 'snapshot', path: 'not-snapshot.json' } });
    expect((await errorsOf(bad, dir))[0]).toMatch(/^start\.path: 'not-snapshot\.json' seq: /);
  });
});
