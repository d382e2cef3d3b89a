/**
 * Move tasks, pick faces, replenishment and expiry alerts (twin SPEC R56–R66, R41) over HTTP: list and create tasks,
 * plan put-away of the dock (or returns desk) with scored suggestions, hand the next task to an operative, complete
 * it with two scans (an override of the suggestion needs a reason, recorded), cancel; pick faces with min/max; the
 * replenishment plan on demand (the site pipeline runs it too, server/site/stock-tasks.ts). Thin: parse, submit,
 * map the result; views are read from the twin. Idempotent like the other routes: a client-chosen `taskId` or
 * `scanId` sent again creates nothing twice (answered 200 with `duplicate: true`); planned tasks get ids from the
 * twin's seq, so the same plan submitted twice creates each task once.
 */
import { randomUUID } from 'node:crypto';
import { Router, type Response } from 'express';
import { z } from 'zod';
import {
  CancelMoveTaskRequestSchema,
  CompleteMoveTaskRequestSchema,
  CreateMoveTaskRequestSchema,
  ExpiryAlertsQuerySchema,
  ListMoveTasksQuerySchema,
  NextMoveTaskRequestSchema,
  PutawayRequestSchema,
  SetPickFaceRequestSchema,
  type MoveTaskView,
  type PickFaceView,
  type PutawaySuggestionView,
} from '../protocol/move-tasks.ts';
import type { SiteRunner } from '../site/site-runner.ts';
import { planPutaway, replenishOnce, twinDay } from '../site/stock-tasks.ts';
import type { Command } from '../twin/commands.ts';
import { asLocationId, asOperativeId, asSkuId, asTenantId } from '../twin/ids.ts';
import { listMoveTasks, pickFaceLevel, type MoveTask, type PickFace } from '../twin/move-tasks.ts';
import type { TwinState } from '../twin/state.ts';
import { expiringLots } from '../twin/stock-status.ts';
import { sendDomainError, sendError } from './http-error.ts';
import { Id, parseOr400, siteFrom } from './params.ts';
import type { SiteRegistry } from './sites.ts';

const TaskPath = z.object({ taskId: z.string().min(1).max(128).regex(/^[A-Za-z0-9][A-Za-z0-9._:#-]*$/, 'must be 1-128 characters: letters, digits, . _ : # -') }).strict();
const LocationPath = z.object({ locationId: Id }).strict();

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** A move task as the API shows it: ISO times, labels (location ids) and the SKU's name. */
export function moveTaskView(twin: TwinState, t: MoveTask): MoveTaskView {
  const to = t.toLocationId ?? t.suggestedToLocationId;
  return {
    id: t.id,
    kind: t.kind,
    tenantId: t.tenantId,
    skuId: t.skuId,
    skuName: twin.skusById.get(t.skuId)?.description ?? t.skuId,
    serialTracked: twin.skusById.get(t.skuId)?.serialTracked === true,
    lot: t.lot,
    expiry: t.expiry,
    qty: t.qty,
    fromLocationId: t.fromLocationId,
    fromLabel: t.fromLocationId,
    suggestedToLocationId: t.suggestedToLocationId,
    toLocationId: t.toLocationId,
    toLabel: to,
    priority: t.priority,
    status: t.status,
    operativeId: t.operativeId,
    createdAt: new Date(t.createdAt).toISOString(),
    doneAt: iso(t.doneAt),
    movedQty: t.movedQty,
    overrideReason: t.overrideReason,
    reason: t.reason,
    cancelReason: t.cancelReason,
  };
}

/** A pick face with its level now. */
export function pickFaceView(twin: TwinState, f: PickFace): PickFaceView {
  const { onHand, incoming } = pickFaceLevel(twin, f);
  return {
    locationId: f.locationId,
    tenantId: f.tenantId,
    skuId: f.skuId,
    skuName: twin.skusById.get(f.skuId)?.description ?? f.skuId,
    min: f.min,
    max: f.max,
    onHand,
    incoming,
    belowMin: onHand + incoming < f.min,
  };
}

const taskOf = (taskId: string) => (twin: TwinState): MoveTaskView | null => {
  const t = twin.moveTasks.get(taskId);
  return t === undefined ? null : moveTaskView(twin, t);
};

/** Submits one command on a task and answers with the task as it is then; `duplicate` when nothing was written. */
async function submitTask(res: Response, site: SiteRunner, command: Command, taskId: string, created = false): Promise<void> {
  const result = await site.submit(command);
  if (!result.ok) return sendDomainError(res, result.error);
  const view = await site.read(taskOf(taskId));
  if (view === null) return sendError(res, 500, 'INTERNAL', `move task ${taskId} vanished`);
  const wrote = result.events.length > 0;
  res.status(created && wrote ? 201 : 200).json({ task: view, duplicate: !wrote });
}

/** Submits planned create commands in order; stops at the first refusal (the tasks before it stay). */
async function submitPlanned(site: SiteRunner, commands: readonly Command[]): Promise<{ created: string[]; error: Parameters<typeof sendDomainError>[1] | null }> {
  const created: string[] = [];
  for (const command of commands) {
    const result = await site.submit(command);
    if (!result.ok) return { created, error: result.error };
    if (command.type === 'createMoveTask' && result.events.length > 0) created.push(command.taskId);
  }
  return { created, error: null };
}

/** The move-task routes; mount with the other routers. Needs only the site registry. */
export function moveTasksRouter(deps: { readonly sites: SiteRegistry }): Router {
  const { sites } = deps;
  const router = Router();
  const base = '/api/sites/:siteId';

  router.get(`${base}/move-tasks`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const q = site && parseOr400(ListMoveTasksQuerySchema, req.query, res, 'query');
    if (!site || !q) return;
    const filter = {
      ...(q.status === undefined ? {} : { status: q.status }),
      ...(q.kind === undefined ? {} : { kind: q.kind }),
      ...(q.operativeId === undefined ? {} : { operativeId: asOperativeId(q.operativeId) }),
      ...(q.tenantId === undefined ? {} : { tenantId: asTenantId(q.tenantId) }),
    };
    res.json(await site.read((twin) => {
      const all = listMoveTasks(twin, filter);
      return { total: all.length, tasks: all.slice(0, q.limit).map((t) => moveTaskView(twin, t)) };
    }));
  });

  // [S9][R56] Put-away of the dock's free stock (or restock of the returns desk) to the best bin of each line.
  router.post(`${base}/move-tasks/putaway`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const b = site && parseOr400(PutawayRequestSchema, req.body ?? {}, res, 'body');
    if (!site || !b) return;
    const filter = {
      from: b.receiptLocation,
      ...(b.tenantId === undefined ? {} : { tenantId: asTenantId(b.tenantId) }),
      ...(b.skuId === undefined ? {} : { skuId: asSkuId(b.skuId) }),
      ...(b.lot === undefined ? {} : { lot: b.lot }),
      ...(b.qty === undefined ? {} : { qty: b.qty }),
    };
    const { planned, unplaced } = await site.read((twin) => planPutaway(twin, filter));
    const { created, error } = await submitPlanned(site, planned.map((p) => p.command));
    if (error !== null && created.length === 0) return sendDomainError(res, error);
    const suggestions = new Map<string, PutawaySuggestionView>(planned.map((p) => [p.command.taskId, { ...p.suggestion }]));
    const tasks = await site.read((twin) =>
      planned.flatMap((p) => {
        const t = twin.moveTasks.get(p.command.taskId);
        return t === undefined ? [] : [{ ...moveTaskView(twin, t), suggestion: suggestions.get(t.id) ?? null }];
      }),
    );
    res.status(created.length > 0 ? 201 : 200).json({ tasks, created, unplaced, ...(error === null ? {} : { error: { code: error.code, message: error.message } }) });
  });

  router.post(`${base}/move-tasks`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const b = site && parseOr400(CreateMoveTaskRequestSchema, req.body, res, 'body');
    if (!site || !b) return;
    const taskId = b.taskId ?? `MT-${randomUUID()}`;
    const command: Command = {
      type: 'createMoveTask',
      taskId,
      kind: b.kind,
      tenantId: asTenantId(b.tenantId),
      skuId: asSkuId(b.skuId),
      ...(b.lot === undefined ? {} : { lot: b.lot }),
      fromLocationId: asLocationId(b.fromLocationId),
      ...(b.toLocationId === undefined ? {} : { toLocationId: asLocationId(b.toLocationId) }),
      qty: b.qty,
      ...(b.priority === undefined ? {} : { priority: b.priority }),
      ...(b.reason === undefined ? {} : { reason: b.reason }),
    };
    await submitTask(res, site, command, taskId, true);
  });

  router.post(`${base}/move-tasks/next`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const b = site && parseOr400(NextMoveTaskRequestSchema, req.body, res, 'body');
    if (!site || !b) return;
    const operativeId = asOperativeId(b.operativeId);
    const result = await site.submit({ type: 'requestMoveTask', operativeId, ...(b.kinds === undefined ? {} : { kinds: b.kinds }) });
    if (!result.ok) return sendDomainError(res, result.error);
    const assigned = result.events.find((e) => e.type === 'MoveTaskAssigned');
    res.json(
      await site.read((twin) => {
        // Nothing new assigned: the operative carries on with the task they already hold, if any.
        const held = listMoveTasks(twin, { status: 'assigned', operativeId }).filter((t) => b.kinds === undefined || b.kinds.includes(t.kind));
        const task = assigned !== undefined ? twin.moveTasks.get(assigned.taskId) : held[0];
        return { task: task === undefined ? null : moveTaskView(twin, task) };
      }),
    );
  });

  router.get(`${base}/move-tasks/:taskId`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const p = site && parseOr400(TaskPath, { taskId: req.params['taskId'] }, res, 'path');
    if (!site || !p) return;
    const view = await site.read(taskOf(p.taskId));
    if (view === null) return sendError(res, 404, 'UNKNOWN_TASK', `unknown move task ${p.taskId}`, { taskId: p.taskId });
    res.json({ task: view });
  });

  // [R59] Source scan, then target scan; a target other than the suggestion needs a reason, which is recorded.
  router.post(`${base}/move-tasks/:taskId/complete`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const p = site && parseOr400(TaskPath, { taskId: req.params['taskId'] }, res, 'path');
    const b = p && parseOr400(CompleteMoveTaskRequestSchema, req.body, res, 'body');
    if (!site || !p || !b) return;
    const command: Command = {
      type: 'completeMoveTask',
      taskId: p.taskId,
      operativeId: asOperativeId(b.operativeId),
      fromScan: b.fromScan,
      toScan: b.toScan,
      ...(b.qty === undefined ? {} : { qty: b.qty }),
      ...(b.overrideReason === undefined ? {} : { overrideReason: b.overrideReason }),
      scanId: b.scanId,
      ...(b.serials === undefined ? {} : { serials: b.serials }),
    };
    await submitTask(res, site, command, p.taskId);
  });

  router.post(`${base}/move-tasks/:taskId/cancel`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const p = site && parseOr400(TaskPath, { taskId: req.params['taskId'] }, res, 'path');
    const b = p && parseOr400(CancelMoveTaskRequestSchema, req.body, res, 'body');
    if (!site || !p || !b) return;
    await submitTask(res, site, { type: 'cancelMoveTask', taskId: p.taskId, reason: b.reason }, p.taskId);
  });

  router.get(`${base}/pick-faces`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    if (!site) return;
    res.json(await site.read((twin) => ({ pickFaces: [...twin.pickFaces.values()].sort((a, b) => (a.locationId < b.locationId ? -1 : 1)).map((f) => pickFaceView(twin, f)) })));
  });

  router.get(`${base}/pick-faces/:locationId`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const p = site && parseOr400(LocationPath, { locationId: req.params['locationId'] }, res, 'path');
    if (!site || !p) return;
    const view = await site.read((twin) => {
      const f = twin.pickFaces.get(asLocationId(p.locationId));
      return f === undefined ? null : pickFaceView(twin, f);
    });
    if (view === null) return sendError(res, 404, 'UNKNOWN_PICK_FACE', `${p.locationId} is not a pick face`, { locationId: p.locationId });
    res.json(view);
  });

  router.put(`${base}/pick-faces/:locationId`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const p = site && parseOr400(LocationPath, { locationId: req.params['locationId'] }, res, 'path');
    const b = p && parseOr400(SetPickFaceRequestSchema, req.body, res, 'body');
    if (!site || !p || !b) return;
    const locationId = asLocationId(p.locationId);
    const result = await site.submit({ type: 'setPickFace', locationId, tenantId: asTenantId(b.tenantId), skuId: asSkuId(b.skuId), min: b.min, max: b.max });
    if (!result.ok) return sendDomainError(res, result.error);
    res.json(await site.read((twin) => pickFaceView(twin, twin.pickFaces.get(locationId) as PickFace)));
  });

  router.delete(`${base}/pick-faces/:locationId`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const p = site && parseOr400(LocationPath, { locationId: req.params['locationId'] }, res, 'path');
    if (!site || !p) return;
    const locationId = asLocationId(p.locationId);
    if (!(await site.read((twin) => twin.pickFaces.has(locationId)))) return sendError(res, 404, 'UNKNOWN_PICK_FACE', `${p.locationId} is not a pick face`, { locationId: p.locationId });
    const result = await site.submit({ type: 'clearPickFace', locationId });
    if (!result.ok) return sendDomainError(res, result.error);
    res.json({ locationId, cleared: result.events.length > 0 });
  });

  // [R64] The replenishment plan now (with the released waves' demand); the site pipeline runs the same pass.
  router.post(`${base}/replenishment/plan`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const b = site && parseOr400(z.object({}).strict(), req.body ?? {}, res, 'body');
    if (!site || !b) return;
    const pass = await replenishOnce(site);
    const tasks = await site.read((twin) => pass.created.flatMap((id) => {
      const t = twin.moveTasks.get(id);
      return t === undefined ? [] : [moveTaskView(twin, t)];
    }));
    res.status(tasks.length > 0 ? 201 : 200).json({ tasks, refused: pass.refused });
  });

  // [R41] Expiry alert: lots expiring within `withinDays` of `asOf` (default the twin's today), expired ones included.
  router.get(`${base}/expiry-alerts`, async (req, res) => {
    const site = siteFrom(sites, req, res);
    const q = site && parseOr400(ExpiryAlertsQuerySchema, req.query, res, 'query');
    if (!site || !q) return;
    res.json(
      await site.read((twin) => {
        const options = { asOf: q.asOf ?? twinDay(twin.now), withinDays: q.withinDays, ...(q.tenantId === undefined ? {} : { tenantId: asTenantId(q.tenantId) }) };
        const lots = expiringLots(twin, options);
        return { ...options, expired: lots.filter((l) => l.daysLeft < 0).length, lots };
      }),
    );
  });

  return router;
}
