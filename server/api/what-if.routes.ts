/**
 * What-if from the live floor: fork the site's committed state (never touching the live twin), simulate the rest of the
 * shift as it stands and under the planner's changed assumptions on the simulation pool, and answer both KPIs side by
 * side. With `watch` (the default) the what-if run also records its first hour on the floor (M13, about 1 MB for 20
 * pickers), which the planner plays back on the 3D floor. Runs live in memory only: the latest
 * {@link WhatIfRouterDeps.maxRuns}, at most `maxRunning` at once.
 */
import { Router } from 'express';
import { z } from 'zod';
import type { FloorRecording, SimulationKpis, SimulationResult } from '../../simulations/model/result.ts';
import { summariseExperiment } from '../../simulations/experiments/experiment.ts';
import type { SimulationPool } from '../../simulations/experiments/pool.ts';
import { loadReportAssets } from '../../simulations/report/report-assets.ts';
import { renderReport } from '../../simulations/report/render-report.ts';
import { ROUTE_METHODS } from '../../solver/routing/plan-route.ts';
import { toSnapshotData } from '../twin/twin.ts';
import { BackgroundJobs, type BackgroundJob } from './background-jobs.ts';
import { sendError } from './http-error.ts';
import { parseOr400, siteFrom } from './params.ts';
import type { SiteRegistry } from './sites.ts';
import { MAX_HOURS, MIN_HOURS, planWhatIf, type WhatIfPlan } from './what-if-scenario.ts';

/** Dependencies of `whatIfRouter`. */
export interface WhatIfRouterDeps {
  readonly sites: SiteRegistry;
  /** Where the runs execute (`createSimulationPool`: worker threads); owned and closed by the caller. */
  readonly pool: Pick<SimulationPool, 'run'>;
  /** Runs kept in memory; the oldest finished one is dropped beyond this. Default 20. */
  readonly maxRuns?: number;
  /** What-ifs simulating at once (each is two runs); more are answered 429. Default 2. */
  readonly maxRunning?: number;
  readonly log?: (message: string, error?: unknown) => void;
}

const WhatIfBody = z
  .object({
    hours: z.number().min(MIN_HOURS, `at least ${MIN_HOURS} hours`).max(MAX_HOURS, `at most ${MAX_HOURS} hours`).optional(),
    orderMultiplier: z.number().min(0, 'at least 0').max(10, 'at most 10 (×10 orders)').default(1),
    pickerDelta: z.number().int('must be a whole number of pickers').min(-1000).max(1000).default(0),
    routing: z.enum(ROUTE_METHODS).optional(),
    seed: z.number().int('must be a whole number').min(0).max(2 ** 32 - 1).optional(),
    /** Record the what-if run's first hour for `GET …/playback`; false saves the recording's time and memory. */
    watch: z.boolean().default(true),
  })
  .strict();

/** Which report: the what-if run's (charts, heat map), the baseline's, or both side by side. */
const ReportQuery = z.object({ run: z.enum(['whatIf', 'baseline', 'comparison']).default('whatIf') }).strict();

interface WhatIfRun extends BackgroundJob {
  /** What the what-if settled on; the scenarios (which carry the site and the fork) are not kept. */
  readonly request: Omit<WhatIfPlan, 'baseline' | 'whatIf'>;
  baseline?: SimulationResult;
  /** The what-if run's result, without its recording (kept apart: only the playback route sends it). */
  result?: SimulationResult;
  recording?: FloorRecording;
}

const runView = (run: WhatIfRun) => ({
  id: run.id,
  siteId: run.siteId,
  status: run.status,
  request: run.request,
  ...(run.baseline ? { baseline: run.baseline.kpis satisfies SimulationKpis } : {}),
  ...(run.result ? { result: run.result.kpis satisfies SimulationKpis } : {}),
  ...(run.error !== undefined ? { error: run.error } : {}),
});

/**
 * `POST /api/sites/:siteId/what-if` (202 `{ id, status }`), `GET …/what-if/:id` (status, plan, baseline and what-if
 * KPIs), `GET …/what-if/:id/report?run=whatIf|baseline|comparison` (HTML, default the what-if run) and
 * `GET …/what-if/:id/playback` (the what-if run's recorded hour as the replay player reads it:
 * `{ siteId, scenario, from, to, stepMs, snapshot, frames }`, times ISO as `GET …/replay`; 409 until done).
 */
export function whatIfRouter(deps: WhatIfRouterDeps): Router {
  const jobs = new BackgroundJobs<WhatIfRun>({ maxJobs: deps.maxRuns ?? 20, maxRunning: deps.maxRunning ?? 2, log: deps.log });
  const maxRunning = deps.maxRunning ?? 2;
  const router = Router();
  const findRun = (siteId: string, raw: unknown, res: Parameters<typeof sendError>[0]): WhatIfRun | undefined =>
    jobs.find(siteId, raw, res, 'UNKNOWN_WHAT_IF', 'what-if');

  router.post('/api/sites/:siteId/what-if', async (req, res) => {
    const site = siteFrom(deps.sites, req, res);
    const body = site && parseOr400(WhatIfBody, req.body ?? {}, res, 'body');
    if (!site || !body) return;
    if (jobs.full) {
      res.setHeader('Retry-After', '5');
      return sendError(res, 429, 'TOO_MANY_WHAT_IFS', `${maxRunning} what-ifs are running; retry when one finishes`);
    }
    // The fork: a deep copy of committed state taken in one synchronous step; the live twin is only read.
    const snapshot = await site.read((twin) => toSnapshotData(twin));
    const { baseline, whatIf, ...request } = planWhatIf(site.site, snapshot, body);
    const run: WhatIfRun = { id: jobs.newId(), siteId: site.siteId, status: 'running', request };
    jobs.start(run, async () => {
      // Settled, not all: the job (and its slot) ends only once both runs have left the pool.
      const [asIs, changed] = await Promise.allSettled([deps.pool.run({ scenario: baseline }), deps.pool.run({ scenario: whatIf, ...(request.watch ? { record: {} } : {}) })]);
      if (asIs.status === 'rejected') throw asIs.reason;
      if (changed.status === 'rejected') throw changed.reason;
      const { recording, ...result } = changed.value;
      run.baseline = asIs.value;
      run.result = result;
      if (recording !== undefined) run.recording = recording;
    });
    res.status(202).location(`/api/sites/${site.siteId}/what-if/${run.id}`).json({ id: run.id, status: run.status });
  });

  router.get('/api/sites/:siteId/what-if/:id', (req, res) => {
    const site = siteFrom(deps.sites, req, res);
    const run = site && findRun(site.siteId, req.params['id'], res);
    if (!run) return;
    res.json(runView(run));
  });

  router.get('/api/sites/:siteId/what-if/:id/report', async (req, res) => {
    const site = siteFrom(deps.sites, req, res);
    const run = site && findRun(site.siteId, req.params['id'], res);
    const query = run && parseOr400(ReportQuery, req.query, res, 'query');
    if (!run || !query) return;
    const { baseline, result } = run;
    if (run.status !== 'done' || !result || !baseline)
      return sendError(res, 409, 'NOT_READY', run.status === 'failed' ? `what-if failed: ${run.error ?? ''}` : 'the what-if is still running', { status: run.status });
    const shown =
      query.run === 'whatIf' ? result
      : query.run === 'baseline' ? baseline
      : summariseExperiment([baseline.scenario, result.scenario], [run.request.seed], [[baseline], [result]]);
    res.type('html').send(renderReport(shown, await loadReportAssets()));
  });

  router.get('/api/sites/:siteId/what-if/:id/playback', (req, res) => {
    const site = siteFrom(deps.sites, req, res);
    const run = site && findRun(site.siteId, req.params['id'], res);
    if (!run) return;
    if (run.status !== 'done')
      return sendError(res, 409, 'NOT_READY', run.status === 'failed' ? `what-if failed: ${run.error ?? ''}` : 'the what-if is still running', { status: run.status });
    const { recording, result } = run;
    if (!recording || !result) return sendError(res, 404, 'NO_PLAYBACK', `what-if '${run.id}' was run without watch: true, so nothing was recorded`);
    res.json({
      siteId: recording.siteId,
      scenario: result.scenario,
      from: new Date(recording.from).toISOString(),
      to: new Date(recording.to).toISOString(),
      stepMs: recording.stepMs,
      snapshot: recording.snapshot,
      frames: recording.frames,
    });
  });

  return router;
}
