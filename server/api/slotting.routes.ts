/**
 * The slotting planner on the live site: a move plan from the site's committed stock and order history (solver/slotting,
 * run off the event loop), checked by simulating the rest of the shift on a fork with and without the moves, and
 * released as re-slot move tasks for operatives (R56–R66; the handheld's put-away/replenish flow does them with two
 * scans). A swap goes through an empty buffer bin in three moves that must follow each other, so it runs as immediate
 * stock moves; `as: 'immediate'` runs every move that way.
 */
import { Router } from 'express';
import { z } from 'zod';
import type { SimulationPool } from '../../simulations/experiments/pool.ts';
import type { SimulationKpis } from '../../simulations/model/result.ts';
import type { SlottingInput, SlottingOptions, SlottingReport } from '../../solver/slotting/slot-report.ts';
import type { Command } from '../twin/commands.ts';
import type { SkuId } from '../twin/ids.ts';
import type { SiteDefinition } from '../twin/site.ts';
import { fromSnapshotData, toSnapshotData, type TwinSnapshotData } from '../twin/twin.ts';
import { BackgroundJobs, messageOf, type BackgroundJob, type JobStatus } from './background-jobs.ts';
import { sendError } from './http-error.ts';
import { parseOr400, siteFrom } from './params.ts';
import type { SiteRegistry } from './sites.ts';
import { applySlotMoves, type SkippedSlotMove } from './slotting-moves.ts';
import { planWhatIf } from './what-if-scenario.ts';

/** Dependencies of `slottingRouter`. */
export interface SlottingRouterDeps {
  readonly sites: SiteRegistry;
  /** Runs `slottingReport` (main.ts: on the solver pool's worker threads; tests may pass the pure function). */
  readonly runSlotting: (input: SlottingInput, options: SlottingOptions) => Promise<SlottingReport>;
  /** Where verification simulations run (`createSimulationPool`); owned and closed by the caller. */
  readonly pool: Pick<SimulationPool, 'run'>;
  /** Plans kept in memory. Default 10. */
  readonly maxRuns?: number;
  /** Plans and verifications running at once; more are answered 429. Default 2. */
  readonly maxRunning?: number;
  /** Fewer orders in the history than this: 409 NOT_ENOUGH_HISTORY. Default 50. */
  readonly minOrders?: number;
  readonly log?: (message: string, error?: unknown) => void;
}

const DAY_MS = 86_400_000;
/** Pickers of a verification when none are signed on and the request names none. */
const DEFAULT_VERIFY_PICKERS = 4;
const Seed = z.number().int('must be a whole number').min(0).max(2 ** 32 - 1);

const SlottingBody = z
  .object({
    moves: z.number().int('must be a whole number of moves').min(1, 'at least 1').max(5_000, 'at most 5,000').default(100),
    affinity: z.boolean().default(true),
    historyDays: z.number().positive('must be more than 0').max(3_650, 'at most 3,650 days').optional(),
    seed: Seed.default(1),
  })
  .strict();
const VerifyBody = z
  .object({
    hours: z.number().min(0.5, 'at least 0.5 hours').max(24, 'at most 24 hours').default(2),
    pickers: z.number().int('must be a whole number of pickers').min(1).max(1_000).optional(),
    seed: Seed.optional(),
  })
  .strict();
const ReleaseBody = z
  .object({
    count: z.number().int('must be a whole number of moves').min(1, 'at least 1').max(5_000, 'at most 5,000'),
    /** `tasks` (default): relocations become re-slot move tasks for operatives; `immediate`: stock moves now. */
    as: z.enum(['tasks', 'immediate']).default('tasks'),
  })
  .strict();

/** What one simulated run says about walking. */
interface SimulatedWalk {
  readonly distanceWalkedMetres: number;
  readonly linesPicked: number;
  /** Metres walked per line picked (null when nothing was picked). */
  readonly metresPerLine: number | null;
}

interface Verification {
  status: JobStatus;
  readonly hours: number;
  readonly pickers: number;
  readonly seed: number;
  readonly movesApplied: number;
  readonly movesSkipped: readonly SkippedSlotMove[];
  before?: SimulatedWalk;
  after?: SimulatedWalk;
  error?: string;
}

interface SlottingRun extends BackgroundJob {
  readonly request: {
    readonly moves: number;
    readonly affinity: boolean;
    readonly historyDays: number | null;
    readonly seed: number;
    readonly fromSeq: number;
    /** Orders of the history the plan was fitted to. */
    readonly orders: number;
  };
  /** The fork the plan was made on; verification simulates from it. */
  readonly snapshot: TwinSnapshotData;
  report?: SlottingReport;
  verification?: Verification;
  /** Moves of the plan released so far (the next release starts after them). */
  released: number;
  releasing: boolean;
}

/** The order history of a fork: each order's distinct SKUs, orders created within `historyDays` of the fork. */
export function historyOf(snapshot: TwinSnapshotData, historyDays?: number): SkuId[][] {
  const since = historyDays === undefined ? -Infinity : snapshot.now - historyDays * DAY_MS;
  return snapshot.orders
    .filter((o) => o.createdAt >= since && o.lines.length > 0)
    .map((o) => [...new Set(o.lines.map((l) => l.skuId))]);
}

/** The stock of a fork as slotting reads it. */
const stockOf = (snapshot: TwinSnapshotData): SlottingInput['stock'] =>
  snapshot.quants.filter((q) => q.onHand > 0).map((q) => ({ locationId: q.locationId, skuId: q.skuId, tenantId: q.tenantId, lot: q.lot, onHand: q.onHand }));

const walkOf = (kpis: SimulationKpis): SimulatedWalk => ({
  distanceWalkedMetres: kpis.distanceWalkedMetres,
  linesPicked: kpis.linesPicked,
  metresPerLine: kpis.linesPicked > 0 ? kpis.distanceWalkedMetres / kpis.linesPicked : null,
});

const savingShare = (before: number | null | undefined, after: number | null | undefined): number | null =>
  before === null || before === undefined || after === null || after === undefined || before <= 0 ? null : (before - after) / before;

function runView(run: SlottingRun) {
  const { report, verification } = run;
  const orders = Math.max(1, run.request.orders);
  return {
    id: run.id,
    siteId: run.siteId,
    status: run.status,
    request: run.request,
    released: run.released,
    ...(run.error !== undefined ? { error: run.error } : {}),
    ...(report
      ? {
          distancePerOrder: report.distancePerOrder,
          slotCost: report.slotCost,
          predictedSaving: savingShare(report.distancePerOrder.before, report.distancePerOrder.after),
          // The slot cost is picks × round-trip metres over the history: per order, it is metres saved per order.
          moves: (report.moves ?? []).map((m) => ({ ...m, savingPerOrderM: m.saving / orders })),
          unplaced: report.unplaced.length,
        }
      : {}),
    ...(verification
      ? {
          verification: {
            ...verification,
            predictedSaving: report ? savingShare(report.distancePerOrder.before, report.distancePerOrder.after) : null,
            simulatedSaving: savingShare(verification.before?.metresPerLine, verification.after?.metresPerLine),
          },
        }
      : {}),
  };
}

/**
 * `POST /api/sites/:siteId/slotting` (202 `{ id, status, orders }`), `GET …/slotting/:id` (status, plan, distances),
 * `POST …/slotting/:id/verify` (202; simulated before/after in the GET) and `POST …/slotting/:id/release { count }`
 * (the next `count` moves run as stock moves now; answers what was applied and what was skipped).
 */
export function slottingRouter(deps: SlottingRouterDeps): Router {
  const jobs = new BackgroundJobs<SlottingRun>({ maxJobs: deps.maxRuns ?? 10, maxRunning: deps.maxRunning ?? 2, log: deps.log });
  const minOrders = deps.minOrders ?? 50;
  const router = Router();

  const tooMany = (res: Parameters<typeof sendError>[0]): void => {
    res.setHeader('Retry-After', '5');
    sendError(res, 429, 'TOO_MANY_SLOTTING_RUNS', 'slotting runs are busy; retry when one finishes');
  };

  router.post('/api/sites/:siteId/slotting', async (req, res) => {
    const site = siteFrom(deps.sites, req, res);
    const body = site && parseOr400(SlottingBody, req.body ?? {}, res, 'body');
    if (!site || !body) return;
    if (jobs.full) return tooMany(res);
    // The fork: a deep copy of committed state taken in one step; the live twin is only read.
    const snapshot = await site.read((twin) => toSnapshotData(twin));
    const orders = historyOf(snapshot, body.historyDays);
    if (orders.length < minOrders) {
      return sendError(res, 409, 'NOT_ENOUGH_HISTORY', `slotting needs at least ${minOrders} orders of history; the site has ${orders.length}`, {
        orders: orders.length,
        minOrders,
      });
    }
    const run: SlottingRun = {
      id: jobs.newId(),
      siteId: site.siteId,
      status: 'running',
      request: { moves: body.moves, affinity: body.affinity, historyDays: body.historyDays ?? null, seed: body.seed, fromSeq: snapshot.seq, orders: orders.length },
      snapshot,
      released: 0,
      releasing: false,
    };
    const input: SlottingInput = { site: site.site, stock: stockOf(snapshot), orders };
    jobs.start(run, async () => {
      run.report = await deps.runSlotting(input, { moves: body.moves, affinity: body.affinity, seed: body.seed });
    });
    res.status(202).location(`/api/sites/${site.siteId}/slotting/${run.id}`).json({ id: run.id, status: run.status, orders: orders.length });
  });

  router.get('/api/sites/:siteId/slotting/:id', (req, res) => {
    const site = siteFrom(deps.sites, req, res);
    const run = site && jobs.find(site.siteId, req.params['id'], res, 'UNKNOWN_SLOTTING_RUN', 'slotting run');
    if (run) res.json(runView(run));
  });

  /** The run's plan, or answers 409 while it is not ready. */
  const planOf = (run: SlottingRun, res: Parameters<typeof sendError>[0]): SlottingReport | undefined => {
    if (run.status === 'done' && run.report) return run.report;
    sendError(res, 409, 'NOT_READY', run.status === 'failed' ? `slotting failed: ${run.error ?? ''}` : 'the plan is still being made', { status: run.status });
    return undefined;
  };

  router.post('/api/sites/:siteId/slotting/:id/verify', (req, res) => {
    const site = siteFrom(deps.sites, req, res);
    const run = site && jobs.find(site.siteId, req.params['id'], res, 'UNKNOWN_SLOTTING_RUN', 'slotting run');
    const body = run && parseOr400(VerifyBody, req.body ?? {}, res, 'body');
    const plan = run && body && planOf(run, res);
    if (!site || !run || !body || !plan) return;
    if (run.verification?.status === 'running') return sendError(res, 409, 'ALREADY_VERIFYING', 'this plan is being verified');
    if (jobs.full) return tooMany(res);
    const verification = startVerification(site.site, run.snapshot, plan, body);
    run.verification = verification.record;
    jobs.track(
      run,
      `verify ${run.id}`,
      async () => {
        const [before, after] = await Promise.all(verification.scenarios.map((scenario) => deps.pool.run({ scenario })));
        verification.record.before = walkOf(before!.kpis);
        verification.record.after = walkOf(after!.kpis);
        verification.record.status = 'done';
      },
      (error) => {
        verification.record.status = 'failed';
        verification.record.error = messageOf(error);
      },
    );
    res.status(202).json({ id: run.id, verification: verification.record });
  });

  router.post('/api/sites/:siteId/slotting/:id/release', async (req, res) => {
    const site = siteFrom(deps.sites, req, res);
    const run = site && jobs.find(site.siteId, req.params['id'], res, 'UNKNOWN_SLOTTING_RUN', 'slotting run');
    const body = run && parseOr400(ReleaseBody, req.body, res, 'body');
    const plan = run && body && planOf(run, res);
    if (!site || !run || !body || !plan) return;
    if (run.releasing) return sendError(res, 409, 'ALREADY_RELEASING', 'moves of this plan are being released');
    run.releasing = true;
    try {
      const moves = (plan.moves ?? []).slice(run.released, run.released + body.count);
      // Tried on a fork of committed state first, so a move that no longer fits is skipped whole, never half done.
      const fork = fromSnapshotData(site.site, await site.read((twin) => toSnapshotData(twin)));
      const outcome = applySlotMoves(fork, moves, run.released);
      const applied: { index: number; sku: SkuId; from: string; to: string; stockMoves: number; tasks: string[] }[] = [];
      let stopped: { index: number; code: string; reason: string } | null = null;
      for (const { index, move, commands } of outcome.applied) {
        const asTasks = body.as === 'tasks' && move.kind === 'relocate';
        const tasks: string[] = [];
        for (const [k, stockMove] of commands.entries()) {
          // One task per quant moved; the id is the plan entry's, so a resend creates nothing twice.
          const taskId = `RSL-${run.id}-${index + 1}-${k + 1}`;
          const command: Command = asTasks
            ? {
                type: 'createMoveTask',
                taskId,
                kind: 'reslot',
                tenantId: stockMove.tenantId,
                skuId: stockMove.skuId,
                ...(stockMove.lot === undefined || stockMove.lot === '' ? {} : { lot: stockMove.lot }),
                fromLocationId: stockMove.fromLocationId,
                toLocationId: stockMove.toLocationId,
                qty: stockMove.qty,
                reason: `slotting plan ${run.id}, move ${index + 1}`,
              }
            : stockMove;
          if (asTasks) tasks.push(taskId);
          const result = await site.submit(command);
          // The floor changed between the fork and now: stop rather than act on a stale plan.
          if (!result.ok) stopped = { index, code: result.error.code, reason: result.error.message };
          if (stopped) break;
        }
        if (stopped) break;
        applied.push({ index, sku: move.sku, from: move.from, to: move.to, stockMoves: tasks.length === 0 ? commands.length : 0, tasks });
      }
      run.released = stopped ? stopped.index : run.released + moves.length;
      res.json({
        kind: body.as === 'tasks' ? 'move-tasks' : 'immediate-stock-moves',
        applied,
        skipped: outcome.skipped.filter((s) => stopped === null || s.index < stopped.index).map(({ index, move, code, reason }) => ({ index, sku: move.sku, from: move.from, to: move.to, code, reason })),
        stopped,
        released: run.released,
        remaining: (plan.moves ?? []).length - run.released,
      });
    } finally {
      run.releasing = false;
    }
  });

  return router;
}

/** The two scenarios of a verification — the fork as stocked, and with the plan's moves — and its record. */
function startVerification(
  site: SiteDefinition,
  snapshot: TwinSnapshotData,
  plan: SlottingReport,
  body: z.infer<typeof VerifyBody>,
): { record: Verification; scenarios: ReturnType<typeof planWhatIf>['whatIf'][] } {
  const moved = fromSnapshotData(site, snapshot);
  const outcome = applySlotMoves(moved, plan.moves ?? []);
  const pickers = body.pickers ?? (snapshot.operatives.length > 0 ? snapshot.operatives.length : DEFAULT_VERIFY_PICKERS);
  const seed = body.seed ?? snapshot.seq;
  // Same seed, hours, pickers and demand (fitted from the fork's orders, which the moves leave alone): only stock differs.
  const scenarioOf = (start: TwinSnapshotData, name: string) => ({
    ...planWhatIf(site, start, { hours: body.hours, orderMultiplier: 1, pickerDelta: pickers - snapshot.operatives.length, seed }).whatIf,
    name,
  });
  return {
    record: { status: 'running', hours: body.hours, pickers, seed, movesApplied: outcome.applied.length, movesSkipped: outcome.skipped },
    scenarios: [scenarioOf(snapshot, `slotting check: as stocked (${site.id} @${snapshot.seq})`), scenarioOf(toSnapshotData(moved), `slotting check: with the plan (${site.id} @${snapshot.seq})`)],
  };
}
