/**
 * Socket.IO gateway of handheld picking: `picker:signOn`, `picker:signOff`, `picker:next`, `picker:scan` and
 * `picker:position` (the picker's own position, only for an operative signed on over the same connection; volatile:
 * while the connection's reports are being applied, a newer report of an operative replaces that operative's waiting
 * one, which is acked `applied: false`). Handlers
 * are thin: validate with the protocol's zod schemas, submit one twin command through the site's runner, answer from
 * committed state. A scan carries `deviceId` + `scanId` down to the core, which acks a resend of an applied scan
 * without applying it twice; a refused scan (wrong location, wrong item, …) records nothing and is acked with the
 * domain error.
 */
import type { Socket } from 'socket.io';
import type { z } from 'zod';
import {
  NextPickRequestSchema,
  ScanRequestSchema,
  serialIssueCode,
  SignOffRequestSchema,
  SignOnRequestSchema,
  type NextPickResult,
  type NextPickView,
  type PickTaskView,
  type PickingFailure,
  type ScanRequest,
  type ScanResult,
  type SignOffResult,
  type SignOnResult,
} from '../protocol/picking.ts';
import { insideBounds, PositionReportSchema, type PositionResult } from '../protocol/positions.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../protocol/socket.ts';
import { siteBounds } from '../api/positions.routes.ts';
import type { SiteRegistry } from '../api/sites.ts';
import type { SiteRunner } from '../site/site-runner.ts';
import type { Command, UpdatePosition } from '../twin/commands.ts';
import { asOperativeId, asTaskId, type OperativeId, type TaskId } from '../twin/ids.ts';
import type { TwinState } from '../twin/state.ts';
import { remainingRoute } from '../twin/twin.ts';
import { ackOf, serve, validationDetails, wireError } from './socket-handlers.ts';
import { deniedUnless, PICKING_ROLES } from './socket-auth.ts';
import { answerOtherServers, askOtherServers, defaultRealtimeLog, type FloorServer, type RealtimeLog } from './socket-server.ts';

type PickingSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

export interface PickingGatewayOptions {
  readonly log?: RealtimeLog;
  /** Tasks asked for in one `requestWork` when the operative has none open (default 10). */
  readonly maxTasks?: number;
  /**
   * Told of each confirm scan the twin decided on: accepted (applied; not a resend), or refused as the wrong location or
   * item. Other refusals are not scan errors and are not reported. Feeds pick accuracy (`kpi-feed.ts` `scanRecorder`).
   */
  readonly onScan?: (siteId: string, accepted: boolean) => void;
  /**
   * Where a site's requests go when this process does not decide it (issue 10): 'moving' — nobody serves it right now,
   * answered SITE_MOVING (the handheld resends); 'remote' — another process does, the request is forwarded to it over
   * the Redis adapter (`serverSideEmit`) and its answer returned; undefined — not a site of this deployment.
   */
  readonly placement?: (siteId: string) => 'moving' | 'remote' | undefined;
}

/** Handle on an attached picking gateway. */
export interface PickingGateway {
  /** Detaches from new connections and answers further requests with UNAVAILABLE. Does not close the server. */
  close(): void;
}

const DEFAULT_MAX_TASKS = 10;

/** A position report validated and waiting to be applied. */
interface WaitingPosition {
  readonly runner: SiteRunner;
  readonly command: UpdatePosition;
  readonly resolve: (result: PositionResult) => void;
}

/** One connection's handheld session: who signed on over it, and its position reports (latest wins per operative). */
interface Session {
  /** `siteId\u0000operativeId` of each operative signed on over this connection. */
  readonly signedOn: Set<string>;
  sending: boolean;
  /** The latest report per operative (same keys) not yet handed to the runner. */
  readonly waiting: Map<string, WaitingPosition>;
}

const sessionKey = (siteId: string, operativeId: string): string => `${siteId}\u0000${operativeId}`;

const PICKING_EVENTS = ['picker:signOn', 'picker:signOff', 'picker:position', 'picker:next', 'picker:scan'] as const;
type PickingEvent = (typeof PICKING_EVENTS)[number];
type PickingAnswer = SignOnResult | SignOffResult | PositionResult | NextPickResult | ScanResult;

/** A handheld request another process received for a site this one decides (cross-process, over the adapter). */
interface ForwardedRequest {
  readonly event: PickingEvent;
  readonly raw: unknown;
  /** `<process>:<socket id>`: the handheld connection the request came over (its session lives here). */
  readonly origin: string;
}

const FORWARD_EVENT = 'picking:forward';
/** Sessions of forwarded connections are forgotten after this long without a request. */
const REMOTE_SESSION_IDLE_MS = 10 * 60_000;

const siteIdOf = (raw: unknown): string | null =>
  typeof raw === 'object' && raw !== null && typeof (raw as { siteId?: unknown }).siteId === 'string' ? (raw as { siteId: string }).siteId : null;

/** A twin task as the handheld shows it. */
function taskView(twin: TwinState, taskId: TaskId): PickTaskView | null {
  const task = twin.tasks.get(taskId);
  if (task === undefined) return null;
  const sku = twin.skusById.get(task.skuId);
  return {
    taskId: task.id,
    orderId: task.orderId,
    locationId: task.locationId,
    skuId: task.skuId,
    skuDescription: sku?.description ?? task.skuId,
    barcode: sku?.barcode ?? '',
    qty: task.qty,
    lot: task.lot,
    expiry: task.expiry,
    serialTracked: sku?.serialTracked === true,
  };
}

/**
 * The operative's open assigned tasks in the order to walk them: the planned route first, then anything assigned
 * since the plan (in assignment order). Null when the operative is not signed on.
 */
export function nextPickView(twin: TwinState, operativeId: OperativeId): NextPickView | null {
  const op = twin.operatives.get(operativeId);
  if (op === undefined) return null;
  const ordered = remainingRoute(twin, operativeId);
  const planned = new Set(ordered);
  for (const id of op.taskIds) if (!planned.has(id)) ordered.push(id);
  const tasks: PickTaskView[] = [];
  for (const id of ordered) {
    const view = taskView(twin, id);
    if (view !== null) tasks.push(view);
  }
  return { siteId: twin.site.id, operativeId, seq: twin.seq, pick: tasks[0] ?? null, tasks, remaining: tasks.length };
}

const failure = (code: string, message: string, details?: unknown): PickingFailure => ({ ok: false, error: wireError(code, message, details) });

const badRequest = (what: string, error: z.ZodError): PickingFailure =>
  failure('BAD_REQUEST', `invalid ${what} request`, validationDetails(error));

/** A runner's refusal (domain or UNAVAILABLE) on the wire. */
const refused = (error: { code: string; message: string; details?: unknown }): PickingFailure =>
  failure(error.code, error.message, error.details);

/**
 * The command a scan stands for; a short's optional scans are for the handheld's flow, the core needs only the count
 * (and the serials of the units found, R78).
 */
function scanCommand(scan: ScanRequest): Command {
  const common = { taskId: asTaskId(scan.taskId), operativeId: asOperativeId(scan.operativeId), scanId: scan.scanId, deviceId: scan.deviceId };
  const serials = scan.serials === undefined ? {} : { serials: scan.serials };
  return scan.kind === 'confirm'
    ? { type: 'confirmPick', ...common, scannedLocation: scan.scannedLocation, scannedItem: scan.scannedItem, qty: scan.qty, ...serials }
    : { type: 'shortPick', ...common, foundQty: scan.foundQty, ...serials };
}

/** Serves the handheld's picking requests on `io` for the sites in `sites`. */
export function attachPickingGateway(io: FloorServer, sites: SiteRegistry, options: PickingGatewayOptions = {}): PickingGateway {
  const log = options.log ?? defaultRealtimeLog;
  const maxTasks = options.maxTasks ?? DEFAULT_MAX_TASKS;
  let closed = false;

  /** The site's runner, or why the request cannot be served. */
  function runnerOf(siteId: string): SiteRunner | PickingFailure {
    if (closed) return failure('UNAVAILABLE', 'the picking gateway is shutting down');
    return sites.get(siteId) ?? failure('UNKNOWN_SITE', `unknown site ${siteId}`);
  }
  const isFailure = (value: SiteRunner | PickingFailure): value is PickingFailure => 'ok' in value;

  /** The next pick; asks the twin for work first when the operative has nothing open (if `askForWork`). */
  async function next(runner: SiteRunner, operativeId: OperativeId, askForWork: boolean): Promise<NextPickResult> {
    const open = await runner.read((twin) => twin.operatives.get(operativeId)?.taskIds.length ?? null);
    if (open === null) return failure('OPERATIVE_NOT_SIGNED_ON', `operative ${operativeId} is not signed on`, { operativeId });
    if (open === 0 && askForWork) {
      const result = await runner.submit({ type: 'requestWork', operativeId, maxTasks });
      if (!result.ok) return refused(result.error);
    }
    const view = await runner.read((twin) => nextPickView(twin, operativeId));
    if (view === null) return failure('OPERATIVE_NOT_SIGNED_ON', `operative ${operativeId} is not signed on`, { operativeId });
    return { ok: true, seq: view.seq, next: view };
  }

  async function signOn(raw: unknown, session: Session): Promise<SignOnResult> {
    const parsed = SignOnRequestSchema.safeParse(raw);
    if (!parsed.success) return badRequest('picker:signOn', parsed.error);
    const { siteId, operativeId, name, zones, skills } = parsed.data;
    const runner = runnerOf(siteId);
    if (isFailure(runner)) return runner;
    const result = await runner.submit({
      type: 'signOn',
      operativeId: asOperativeId(operativeId),
      name: name ?? operativeId,
      ...(zones === undefined ? {} : { zones }),
      ...(skills === undefined ? {} : { skills }),
    });
    if (result.ok) {
      session.signedOn.add(sessionKey(siteId, operativeId));
      return { ok: true, seq: result.lastSeq, resumed: false };
    }
    // A handheld that restarts, or a second device, carries on with the operative's session.
    if (result.error.code === 'ALREADY_SIGNED_ON') {
      session.signedOn.add(sessionKey(siteId, operativeId));
      return { ok: true, seq: await runner.read((twin) => twin.seq), resumed: true };
    }
    return refused(result.error);
  }

  async function signOff(raw: unknown, session: Session): Promise<SignOffResult> {
    const parsed = SignOffRequestSchema.safeParse(raw);
    if (!parsed.success) return badRequest('picker:signOff', parsed.error);
    const runner = runnerOf(parsed.data.siteId);
    if (isFailure(runner)) return runner;
    const result = await runner.submit({ type: 'signOff', operativeId: asOperativeId(parsed.data.operativeId) });
    if (result.ok) session.signedOn.delete(sessionKey(parsed.data.siteId, parsed.data.operativeId));
    return result.ok ? { ok: true, seq: result.lastSeq } : refused(result.error);
  }

  /** Validates a position report and queues it as the connection's latest; resolves when it is applied or replaced. */
  function position(raw: unknown, session: Session): PositionResult | Promise<PositionResult> {
    const parsed = PositionReportSchema.safeParse(raw);
    if (!parsed.success) return badRequest('picker:position', parsed.error);
    const { siteId, operativeId, x, y, activity } = parsed.data;
    if (!session.signedOn.has(sessionKey(siteId, operativeId))) {
      return failure('NOT_SIGNED_ON_HERE', `operative ${operativeId} did not sign on over this connection`, { siteId, operativeId });
    }
    const runner = runnerOf(siteId);
    if (isFailure(runner)) return runner;
    const bounds = siteBounds(runner.site);
    if (!insideBounds(bounds, x, y)) return failure('OUT_OF_BOUNDS', `(${x}, ${y}) is outside site ${siteId}`, { x, y, bounds });
    const command: UpdatePosition = {
      type: 'updatePosition',
      operativeId: asOperativeId(operativeId),
      position: { x, y },
      ...(activity === undefined ? {} : { activity }),
    };
    const key = sessionKey(siteId, operativeId);
    return new Promise((resolve) => {
      session.waiting.get(key)?.resolve({ ok: true, applied: false });
      session.waiting.delete(key);
      session.waiting.set(key, { runner, command, resolve });
      if (!session.sending) void sendPositions(session);
    });
  }

  /** Applies the connection's waiting reports together, round after round, until none waits. `submit` never rejects. */
  async function sendPositions(session: Session): Promise<void> {
    session.sending = true;
    while (session.waiting.size > 0) {
      const round = [...session.waiting.values()];
      session.waiting.clear();
      await Promise.all(
        round.map(async ({ runner, command, resolve }) => {
          const result = await runner.submit(command);
          resolve(result.ok ? { ok: true, applied: true } : refused(result.error));
        }),
      );
    }
    session.sending = false;
  }

  async function nextPick(raw: unknown): Promise<NextPickResult> {
    const parsed = NextPickRequestSchema.safeParse(raw);
    if (!parsed.success) return badRequest('picker:next', parsed.error);
    const runner = runnerOf(parsed.data.siteId);
    if (isFailure(runner)) return runner;
    return next(runner, asOperativeId(parsed.data.operativeId), parsed.data.askForWork ?? true);
  }

  async function scan(raw: unknown): Promise<ScanResult> {
    const parsed = ScanRequestSchema.safeParse(raw);
    if (!parsed.success) {
      const serial = serialIssueCode(parsed.error);
      return serial === null ? badRequest('picker:scan', parsed.error) : failure(serial.code, serial.message, serial.details);
    }
    const runner = runnerOf(parsed.data.siteId);
    if (isFailure(runner)) return runner;
    const result = await runner.submit(scanCommand(parsed.data));
    if (parsed.data.kind === 'confirm') {
      const mismatch = !result.ok && (result.error.code === 'WRONG_LOCATION_SCANNED' || result.error.code === 'WRONG_ITEM_SCANNED');
      if (mismatch || (result.ok && result.events.length > 0)) options.onScan?.(runner.siteId, result.ok);
    }
    if (!result.ok) return refused(result.error);
    const operativeId = asOperativeId(parsed.data.operativeId);
    // The scan is recorded whatever happens next: if asking for more work fails, answer with what is open.
    let after = await next(runner, operativeId, true);
    if (!after.ok) after = await next(runner, operativeId, false);
    const view: NextPickView = after.ok
      ? after.next
      : { siteId: runner.siteId, operativeId, seq: result.lastSeq, pick: null, tasks: [], remaining: 0 };
    // The core acks a resend of an applied scan with no events.
    return { ok: true, seq: result.lastSeq, duplicate: result.events.length === 0, next: view };
  }

  const internal = { ok: false as const, error: wireError('INTERNAL', 'request failed') };

  function handle(event: PickingEvent, raw: unknown, session: Session): PickingAnswer | Promise<PickingAnswer> {
    switch (event) {
      case 'picker:signOn':
        return signOn(raw, session);
      case 'picker:signOff':
        return signOff(raw, session);
      case 'picker:position':
        return position(raw, session);
      case 'picker:next':
        return nextPick(raw);
      case 'picker:scan':
        return scan(raw);
    }
  }

  /** Serves here when this process decides the request's site; otherwise forwards it, or answers SITE_MOVING. */
  function route(event: PickingEvent, raw: unknown, session: Session, origin: string): PickingAnswer | Promise<PickingAnswer> {
    const siteId = siteIdOf(raw);
    const where = siteId === null || closed || sites.get(siteId) !== undefined ? undefined : options.placement?.(siteId);
    if (where === undefined) return handle(event, raw, session);
    if (where === 'moving') return failure('SITE_MOVING', `site ${siteId} is moving to another server; retry`, { siteId });
    return forward({ event, raw, origin });
  }

  async function forward(request: ForwardedRequest): Promise<PickingAnswer> {
    const answer = await askOtherServers<PickingAnswer>(io, FORWARD_EVENT, request, log);
    return answer ?? failure('SITE_MOVING', 'the server deciding this site did not answer; retry');
  }

  // Requests other processes forward here: answered when this process decides the site, null otherwise.
  const remoteSessions = new Map<string, { session: Session; usedAt: number }>();
  const stopAnswering = answerOtherServers<PickingAnswer>(
    io,
    FORWARD_EVENT,
    (payload) => {
      const request = payload as ForwardedRequest;
      const siteId = siteIdOf(request.raw);
      if (closed || siteId === null || sites.get(siteId) === undefined || !PICKING_EVENTS.includes(request.event)) return null;
      let remote = remoteSessions.get(request.origin);
      if (remote === undefined) {
        remote = { session: { signedOn: new Set(), sending: false, waiting: new Map() }, usedAt: Date.now() };
        remoteSessions.set(request.origin, remote);
      }
      remote.usedAt = Date.now();
      return handle(request.event, request.raw, remote.session);
    },
    log,
  );
  const pruneRemote = setInterval(() => {
    const before = Date.now() - REMOTE_SESSION_IDLE_MS;
    for (const [origin, remote] of remoteSessions) if (remote.usedAt < before) remoteSessions.delete(origin);
  }, 60_000);
  pruneRemote.unref();

  function onConnection(socket: PickingSocket): void {
    const session: Session = { signedOn: new Set(), sending: false, waiting: new Map() };
    const origin = `${process.pid}:${socket.id}`;
    // Any picker, supervisor or site manager may act for an operative (a handheld is shared across a shift).
    const denied = (): PickingFailure | null => {
      const error = deniedUnless(socket, PICKING_ROLES, 'use the handheld');
      return error === null ? null : { ok: false, error };
    };
    for (const event of PICKING_EVENTS) {
      socket.on(event, (raw: unknown, ack: unknown) => {
        serve(log, event, () => denied() ?? route(event, raw, session, origin), ackOf<PickingAnswer>(ack), internal);
      });
    }
  }

  io.on('connection', onConnection);

  return {
    close() {
      closed = true;
      io.off('connection', onConnection);
      stopAnswering();
      clearInterval(pruneRemote);
    },
  };
}
