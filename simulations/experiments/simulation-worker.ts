/**
 * The piscina worker: resolves a job's scenario (loading any site or snapshot file it names) and runs it, recording the
 * floor when the job asks (the recording travels back inside the result, by structured clone).
 */
import { resolveScenarioFiles } from '../io/scenario-files.ts';
import type { SimulationResult } from '../model/result.ts';
import { runScenario } from '../model/run-scenario.ts';
import type { SimulationJob } from './pool.ts';

export default async function runSimulationJob(job: SimulationJob): Promise<SimulationResult> {
  const scenario = job.seed === undefined ? job.scenario : { ...job.scenario, seed: job.seed };
  return runScenario(await resolveScenarioFiles(scenario), job.record === undefined ? {} : { record: job.record });
}
