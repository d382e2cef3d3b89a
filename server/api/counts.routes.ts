/**
 * Cycle counts (twin SPEC R33–R38): create, start, submit blind, approve or reject, list, and the day's scheduled
 * plan. Thin: parse, submit one command, map the result. Blind: nothing a counter reads (list, task, start and submit
 * answers) carries an expected quantity or a variance; `/review` shows them only once a count waits for a
 * supervisor or is closed.
 */
import { randomUUID } from 'node:crypto';
import { Router, type Response } from 'express';
import { z } from 'zod';
import type { SiteRunner } from '../site/site-runner.ts';
import { asCountId, planCycleCounts } from '../twin/counting.ts';
import { asLocationId, asSkuId } from '../twin/ids.ts';
import { SerialsSchema } from '../protocol/serials.ts';
import type { CountReason, CountTask, TwinState } from '../twin/state.ts';
import type { Command } from '../twin/commands.ts';
import { sendDomainError, sendError } from './http-error.ts';
import { Id, Limit, Offset, parseOr400, siteFrom } from './params.ts';
import type { SiteRegistry } from './sites.ts';

const Reason = z.enum(['scheduled', 'short-pick', 'manual']);
const Status = z.enum(['open', 'counting', 'recount', 'recounting', 'pending-approval', 'adjusted', 'rejected']);
const PersonId = z.string().trim().min(1).max(64);
const IsoDate = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'must be a date YYYY-MM-DD');

const CreateBody = z.object({ locationIds: z.array(Id).min(1).max(500), reason: Reason.default('manual') }).strict();
const StartBody = z.object({ counterId: PersonId }).strict();
const SubmitBody = z
  .object({
    counterId: PersonId,
    lines: z
      .array(
        z
          .object({
            skuId: Id,
            lot: z.string().trim().min(1).max(64).optional(),
            expiry: IsoDate.optional(),
            qty: z.number().int('must be a whole number of units').min(0, 'must be 0 or more').max(1_000_000),
            /** One serial per unit found, for a serial-tracked SKU (twin R80). */
            serials: SerialsSchema.optional(),
          })
          .strict(),
      )
      .max(100),
    scanId: z.string().trim().min(1).max(128).optional(),
    /** The attempt counted (`attempt` of the started count): a late duplicate of an earlier attempt is refused (R35). */
    attempt: z.number().int().min(1).max(100).optional(),
  })
  .strict();
const ApproveBody = z.object({ approverId: PersonId }).strict();
const RejectBody = z.object({ approverId: PersonId, reason: z.string().trim().min(1).max(200) }).strict();
const ListQuery = z.object({ status: Status.optional(), locationId: Id.optional(), limit: Limit, offset: Offset }).strict();
const PlanQuery = z.object({ date: IsoDate, capacity: z.coerce.number().int().min(0).max(10_000) }).strict();
const PlanBody = z.object({ date: IsoDate, capacity: z.number().int().min(1).max(500) }).strict();
const CountPath = z.object({ countId: Id }).strict();

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** What a counter may see of a count: where, why, its state — never a quantity (R34). */
export function blindCountView(count: CountTask) {
  const attempt = count.attempts[count.attempts.length - 1];
  return {
    id: count.id,
    locationId: count.locationId,
    reason: count.reason,
    status: count.status,
    attempt: count.attempts.length,
    counterId: attempt?.counterId ?? null,
    createdAt: iso(count.createdAt),
    startedAt: iso(attempt?.startedAt ?? null),
    closedAt: iso(count.closedAt),
  };
}

/** The supervisor's view: expected, moved, counted and the variance per line, and the adjustments made. */
export function reviewCountView(count: CountTask) {
  return {
    ...blindCountView(count),
    approverId: count.approverId,
    rejectReason: count.rejectReason,
    attempts: count.attempts.map((a) => ({
      counterId: a.counterId,
      expectedAtSeq: a.expectedAtSeq,
      startedAt: iso(a.startedAt),
      submittedAt: iso(a.submittedAt),
      variances: a.variances,
    })),
    adjustments: count.adjustments,
  };
}

/** Counts whose figures a supervisor may see: nobody is counting them blind any more. */
const REVIEWABLE: readonly CountTask['status'][] = ['pending-approval', 'adjusted', 'rejected'];

function countsOf(twin: TwinState, q: z.infer<typeof ListQuery>) {
  const all = [...twin.counts.values()]
    .filter((c) => (q.status === undefined || c.status === q.status) && (q.locationId === undefined || c.locationId === q.locationId))
    .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { total: all.length, counts: all.slice(q.offset, q.offset + q.limit).map(blindCountView) };
}

/** Submits one command and answers with the count's view (blind unless `review`), or the domain error. */
async function submitAndShow(res: Response, site: SiteRunner, command: Command & { countId: CountTask['id'] }, view: (c: CountTask) => unknown): Promise<void> {
  const result = await site.submit(command);
  if (!result.ok) return sendDomainError(res, result.error);
  const count = await site.read((twin) => twin.counts.get(command.countId));
  if (count === undefined) return sendError(res, 500, 'INTERNAL', `count ${command.countId} vanished`);
  res.json(view(count));
}

/** Creates one count per bin, grouped by reason (one command per reason, all or none within it). */
async function createCounts(res: Response, site: SiteRunner, entries: readonly { locationId: string; reason: CountReason }[]): Promise<void> {
  const ids: CountTask['id'][] = [];
  for (const reason of ['short-pick', 'scheduled', 'manual'] as const) {
    const group = entries.filter((e) => e.reason === reason);
    if (group.length === 0) continue;
    const counts = group.map((e) => ({ countId: asCountId(`CNT-${randomUUID()}`), locationId: asLocationId(e.locationId) }));
    const result = await site.submit({ type: 'createCounts', reason, counts });
    if (!result.ok) return sendDomainError(res, result.error);
    ids.push(...counts.map((c) => c.countId));
  }
  const views = await site.read((twin) => ids.map((id) => twin.counts.get(id)).filter((c) => c !== undefined).map(blindCountView));
  res.status(201).json({ counts: views });
}

/** The cycle-count routes; mount with the other routers. Needs only the site registry. */
export function countsRouter(deps: { readonly sites: SiteRegistry }): Router {
  const { sites } = deps;
  const router = Router();
  const base = '/api/sites/:siteId/counts';

  router.get(base, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const q = site && parseOr400(ListQuery, req.query, res, 'query');
    if (!site || !q) return;
    res.json(await site.read((twin) => countsOf(twin, q)));
  });

  router.post(base, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const body = site && parseOr400(CreateBody, req.body, res, 'body');
    if (!site || !body) return;
    await createCounts(res, site, body.locationIds.map((locationId) => ({ locationId, reason: body.reason })));
  });

  router.get(`${base}/plan`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const q = site && parseOr400(PlanQuery, req.query, res, 'query');
    if (!site || !q) return;
    const plan = await site.read((twin) => planCycleCounts(twin, { date: q.date, dailyCapacity: q.capacity }));
    res.json({ date: q.date, capacity: q.capacity, plan: plan.map((e) => ({ ...e, lastCountedAt: iso(e.lastCountedAt) })) });
  });

  // Creates the counts of the day's plan (the bins planned now; a bin given a count meanwhile is a 409).
  router.post(`${base}/plan`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const body = site && parseOr400(PlanBody, req.body, res, 'body');
    if (!site || !body) return;
    const plan = await site.read((twin) => planCycleCounts(twin, { date: body.date, dailyCapacity: body.capacity }));
    if (plan.length === 0) {
      res.status(200).json({ counts: [] });
      return;
    }
    await createCounts(res, site, plan);
  });

  router.get(`${base}/:countId`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const path = site && parseOr400(CountPath, { countId: req.params['countId'] }, res, 'path');
    if (!site || !path) return;
    const count = await site.read((twin) => twin.counts.get(asCountId(path.countId)));
    if (count === undefined) return sendError(res, 404, 'UNKNOWN_COUNT', `unknown count ${path.countId}`, { countId: path.countId });
    res.json(blindCountView(count));
  });

  router.get(`${base}/:countId/review`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const path = site && parseOr400(CountPath, { countId: req.params['countId'] }, res, 'path');
    if (!site || !path) return;
    const count = await site.read((twin) => twin.counts.get(asCountId(path.countId)));
    if (count === undefined) return sendError(res, 404, 'UNKNOWN_COUNT', `unknown count ${path.countId}`, { countId: path.countId });
    if (!REVIEWABLE.includes(count.status)) {
      return sendError(res, 409, 'COUNT_BLIND', `count ${count.id} is ${count.status}: its figures stay hidden until it is submitted`, { status: count.status });
    }
    res.json(reviewCountView(count));
  });

  router.post(`${base}/:countId/start`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const path = site && parseOr400(CountPath, { countId: req.params['countId'] }, res, 'path');
    const body = path && parseOr400(StartBody, req.body, res, 'body');
    if (!site || !path || !body) return;
    await submitAndShow(res, site, { type: 'startCount', countId: asCountId(path.countId), counterId: body.counterId }, blindCountView);
  });

  router.post(`${base}/:countId/submit`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const path = site && parseOr400(CountPath, { countId: req.params['countId'] }, res, 'path');
    const body = path && parseOr400(SubmitBody, req.body, res, 'body');
    if (!site || !path || !body) return;
    const lines = body.lines.map((l) => ({
      skuId: asSkuId(l.skuId),
      qty: l.qty,
      ...(l.lot === undefined ? {} : { lot: l.lot }),
      ...(l.expiry === undefined ? {} : { expiry: l.expiry }),
      ...(l.serials === undefined ? {} : { serials: l.serials }),
    }));
    const command = { type: 'submitCount' as const, countId: asCountId(path.countId), counterId: body.counterId, lines };
    await submitAndShow(
      res,
      site,
      { ...command, ...(body.scanId === undefined ? {} : { scanId: body.scanId }), ...(body.attempt === undefined ? {} : { attempt: body.attempt }) },
      blindCountView,
    );
  });

  router.post(`${base}/:countId/approve`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const path = site && parseOr400(CountPath, { countId: req.params['countId'] }, res, 'path');
    const body = path && parseOr400(ApproveBody, req.body, res, 'body');
    if (!site || !path || !body) return;
    await submitAndShow(res, site, { type: 'approveCount', countId: asCountId(path.countId), approverId: body.approverId }, reviewCountView);
  });

  router.post(`${base}/:countId/reject`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const path = site && parseOr400(CountPath, { countId: req.params['countId'] }, res, 'path');
    const body = path && parseOr400(RejectBody, req.body, res, 'body');
    if (!site || !path || !body) return;
    await submitAndShow(res, site, { type: 'rejectCount', countId: asCountId(path.countId), approverId: body.approverId, reason: body.reason }, reviewCountView);
  });

  return router;
}
