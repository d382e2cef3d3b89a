/**
 * The built server (scripts/build-server.js: what `npm start` and the Docker image run) works as the sources do: it
 * starts from dist/ without tsx and answers, and its worker threads load their built entries (the solver's through
 * its own bootstrap, the simulation's at the bootstrap's path) and answer as the sources do. Builds dist/ first when a
 * source is newer (ensureServerBuilt).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenarioFile, REPO_ROOT, resolveScenarioFiles } from '../../simulations/io/scenario-files.ts';
import { runScenario } from '../../simulations/model/run-scenario.ts';
import { createSimulationPool } from '../../simulations/experiments/pool.ts';
import { PiscinaSolverPool } from '../solver-pool/piscina-solver-pool.ts';
import { solverPoolContract } from '../solver-pool/solver-pool.contract.ts';
import { BUILT_SERVER_ENTRY, ensureServerBuilt, startServerProcess, uniqueSchema, type ServerProcess } from './server-process.ts';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist');

beforeAll(() => ensureServerBuilt(), 180_000);

describe('the built server', () => {
  let server: ServerProcess | undefined;
  beforeAll(async () => {
    server = await startServerProcess({ DB_SCHEMA: uniqueSchema('built_server'), DEMO_SHIFT: 'off' }, { built: true, timeoutMs: 180_000 });
  }, 240_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('runs dist/server/main.js with no TypeScript loader, and serves the seeded site', async () => {
    expect(server?.child.spawnargs.slice(1)).toEqual([BUILT_SERVER_ENTRY]);
    expect((await server!.fetch('/readyz')).status).toBe(200);
    const summary = await server!.fetch('/api/sites/demo/summary');
    expect(summary.status).toBe(200);
    expect(((await summary.json()) as { seq: number }).seq).toBeGreaterThan(0);
  });
});

describe('the built simulation worker', () => {
  const pool = createSimulationPool({ threads: 1, niceIncrement: 0, workerFile: path.join(dist, 'simulations/experiments/simulation-worker.js') });
  afterAll(() => pool.close());

  it('runs a scenario exactly as the sources do in process', async () => {
    const { scenario } = await loadScenarioFile(path.join(REPO_ROOT, 'data/scenarios/labour-bound-small.json'));
    const short = { ...scenario, durationHours: 1, seed: 7 };
    const inWorker = await pool.run({ scenario: short });
    expect(inWorker.kpis.linesPicked).toBeGreaterThan(0);
    expect(JSON.stringify(inWorker)).toBe(JSON.stringify(runScenario(await resolveScenarioFiles(short))));
  });
});

solverPoolContract('PiscinaSolverPool on the built worker', () => new PiscinaSolverPool({ threads: 1, workerFile: path.join(dist, 'server/solver-pool/solver-worker.js') }));
