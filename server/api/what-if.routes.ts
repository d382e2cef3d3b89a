/**
 * What-if from the live floor: fork the site's committed state (never touching the live twin), simulate the rest of the
 * shift as it stands and under the planner's changed assumptions on the simulation pool, and answer both KPIs side by
 * side. Runs live in memory only: the latest {@link WhatIfRouterDeps.maxRuns}, at most `maxRunning` at once.
 */
import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import type { SimulationKpis, SimulationResult } from '../../simulations/model/result.ts';
import { summariseExperiment } from '../../simulations/experiments/experiment.ts';
import type { SimulationPool } from '../../simulations/experiments/pool.ts';
import { loadReportAssets } from '../../simulations/report/report-assets.ts';
import { renderReport } from '../../simulations/report/render-report.ts';
import { ROUTE_METHODS } from '../../solver/routing/plan-route.ts';
import { toSnapshotData } from '../twin/twin.ts';
import { sendError } from './http-error.ts';
import { Id, parseOr400, siteFrom } from './params.ts';
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
  })
  .strict();

/** Which report: the what-if run's (charts, heat map), the baseline's, or both side by side. */
const ReportQuery = z.object({ run: z.enum(['whatIf', 'baseline', 'comparison']).default('whatIf') }).strict();

type RunStatus = 'running' | 'done' | 'failed';

interface WhatIfRun {
  readonly id: string;
  readonly siteId: string;
  status: RunStatus;
  /** What the what-if settled on; the scenarios (which carry the site and the fork) are not kept. */
  readonly request: Omit<WhatIfPlan, 'baseline' | 'whatIf'>;
  baseline?: SimulationResult;
  result?: SimulationResult;
  error?: string;
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
 * KPIs) and `GET …/what-if/:id/report?run=whatIf|baseline|comparison` (HTML, default the what-if run).
 */
export function whatIfRouter(deps: WhatIfRouterDeps): Router {
  const maxRuns = deps.maxRuns ?? 20;
  const maxRunning = deps.maxRunning ?? 2;
  // Insertion order is creation order: the first finished entry is the oldest to evict.
  const runs = new Map<string, WhatIfRun>();
  let running = 0;
  const router = Router();

  const evict = (): void => {
    for (const [id, run] of runs) {
      if (runs.size <= maxRuns) return;
      if (run.status !== 'running') runs.delete(id);
    }
  };

  const findRun = (siteId: string, raw: unknown, res: Parameters<typeof sendError>[0]): WhatIfRun | undefined => {
    const id = Id.safeParse(raw);
    const run = id.success ? runs.get(id.data) : undefined;
    if (run !== undefined && run.siteId === siteId) return run;
    sendError(res, 404, 'UNKNOWN_WHAT_IF', `no what-if '${String(raw)}' for site '${siteId}'`);
    return undefined;
  };

  router.post('/api/sites/:siteId/what-if', async (req, res) => {
    const site = siteFrom(deps.sites, req, res);
    const body = site && parseOr400(WhatIfBody, req.body ?? {}, res, 'body');
    if (!site || !body) return;
    if (running >= maxRunning) {
      res.setHeader('Retry-After', '5');
      return sendError(res, 429, 'TOO_MANY_WHAT_IFS', `${maxRunning} what-ifs are running; retry when one finishes`);
    }
    running++;
    let plan: WhatIfPlan;
    try {
      // The fork: a deep copy of committed state taken in one synchronous step; the live twin is only read.
      const snapshot = await site.read((twin) => toSnapshotData(twin));
      plan = planWhatIf(site.site, snapshot, body);
    } catch (error) {
      running--;
      throw error;
    }
    const { baseline, whatIf, ...request } = plan;
    const run: WhatIfRun = { id: randomUUID(), siteId: site.siteId, status: 'running', request };
    runs.set(run.id, run);
    evict();
    // Settled, not all: a slot is free only once both runs have left the pool.
    void Promise.allSettled([deps.pool.run({ scenario: baseline }), deps.pool.run({ scenario: whatIf })]).then(([asIs, changed]) => {
      running--;
      if (asIs.status === 'fulfilled' && changed.status === 'fulfilled') {
        run.baseline = asIs.value;
        run.result = changed.value;
        run.status = 'done';
      } else {
        const error: unknown = asIs.status === 'rejected' ? asIs.reason : changed.status === 'rejected' ? changed.reason : null;
        run.status = 'failed';
        run.error = error instanceof Error ? error.message : String(error);
        deps.log?.(`what-if ${run.id} on ${run.siteId} failed`, error);
      }
      evict();
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

  return router;
}
