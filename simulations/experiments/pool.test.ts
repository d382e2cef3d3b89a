import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toSnapshotData } from '../../server/twin/twin.ts';
import { REPO_ROOT, loadScenarioFile, resolveScenarioFiles } from '../io/scenario-files.ts';
import { runScenario } from '../model/run-scenario.ts';
import type { Scenario } from '../scenario/types.ts';
import { createSimulationPool } from './pool.ts';

/** The small labour-bound scenario, cut to one hour so a run takes about a second. */
async function smallScenario(): Promise<Scenario> {
  const { scenario } = await loadScenarioFile(path.join(REPO_ROOT, 'data/scenarios/labour-bound-small.json'));
  return { ...scenario, durationHours: 1 };
}

describe('createSimulationPool', () => {
  const pool = createSimulationPool({ threads: 2, niceIncrement: 0 });
  afterAll(() => pool.close());

  it('runs a job in a worker with the job seed, giving exactly the in-process result', async () => {
    const scenario = await smallScenario();
    const [a, b] = await Promise.all([pool.run({ scenario, seed: 7 }), pool.run({ scenario, seed: 8 })]);
    expect(a.seed).toBe(7);
    expect(b.seed).toBe(8);
    expect(a.kpis.linesPicked).toBeGreaterThan(0);
    expect(a.kpis).not.toEqual(b.kpis);
    const inProcess = runScenario(await resolveScenarioFiles({ ...scenario, seed: 7 }));
    expect(JSON.stringify(a)).toBe(JSON.stringify(inProcess));
  });

  it("uses the scenario's own seed when the job gives none", async () => {
    const scenario = { ...(await smallScenario()), seed: 3 };
    expect((await pool.run({ scenario })).seed).toBe(3);
  });

  it('runs an in-memory scenario (live site definition and snapshot) as the what-if service sends it', async () => {
    const file = await smallScenario();
    const resolved = await resolveScenarioFiles(file);
    const scenario: Scenario = { ...file, site: { kind: 'definition', definition: resolved.site }, start: { kind: 'state', snapshot: toSnapshotData(resolved.state) } };
    const inWorker = await pool.run({ scenario, seed: 11 });
    expect(inWorker.kpis.linesPicked).toBeGreaterThan(0);
    expect(JSON.stringify(inWorker)).toBe(JSON.stringify(runScenario(await resolveScenarioFiles({ ...scenario, seed: 11 }))));
  });

  it('rejects a job whose scenario names a site file that does not exist, and keeps working', async () => {
    const scenario: Scenario = { ...(await smallScenario()), site: { kind: 'file', path: 'data/sites/no-such-site.json' } };
    await expect(pool.run({ scenario })).rejects.toThrow(/site\.path/);
    await expect(pool.run({ scenario: await smallScenario() })).resolves.toMatchObject({ scenario: 'labour-bound-small' });
  });

  it('refuses work after close', async () => {
    const closed = createSimulationPool({ threads: 1 });
    await closed.close();
    await expect(closed.run({ scenario: await smallScenario() })).rejects.toThrow(/closed/);
  });
});

describe('a pool whose worker cannot start', () => {
  it('rejects the job and reports the error instead of crashing the process', async () => {
    const errors: unknown[] = [];
    const broken = createSimulationPool({ threads: 1, workerFile: '/nonexistent/simulation-worker.js', onError: (e) => errors.push(e) });
    try {
      await expect(broken.run({ scenario: await smallScenario() })).rejects.toThrow(/nonexistent/);
      expect(errors.length).toBeGreaterThan(0);
    } finally {
      await broken.close();
    }
  });
});
