/**
 * The work assigner for one site: pushes released work to operatives (issue 7's task assignment). Every
 * `intervalMs`, and soon after work is released or handed back, it reads committed state, asks the solver pool for an
 * optimal assignment (solver/assignment, rules A1–A8: nearest, least loaded, zones and skills, cut-offs, priority) and
 * submits one `assignWork` (R68) per pick unit — a batch or an order, whole — or `assignMoveTask` per move task.
 *
 * Reassignment: when an operative signs off, the core returns their open tasks to the release queue (R14) and the
 * assigner gives them out again at once; when an operative **falls behind** — holding tasks with no pick for longer
 * than `behindAfterMs` (R70) — it takes their tasks back with `unassignWork` (R69, the reason in the log and the
 * event) and gives them to others. A benched operative gets no pushed work until they show progress again.
 *
 * It never blocks the runner: reads go through `runner.read` (committed state), commands through `runner.submit`.
 */
import type { AssignmentOptions, AssignOperative, AssignWorkUnit, AssignmentResult } from '../../solver/assignment/assignment.ts';
import { isAssignmentError } from '../../solver/assignment/assignment.ts';
import type { SolverPool } from '../solver-pool/solver-pool.ts';
import type { SequencedEvent } from '../twin/events.ts';
import type { EpochMs, LocationId, OperativeId, TaskId } from '../twin/ids.ts';
import type { PickTask, TwinState } from '../twin/state.ts';
import type { Layout } from '../twin/layout/types.ts';
import { effectiveLayout } from '../twin/twin.ts';
import { isBehind } from '../twin/work-assignment.ts';
import type { SiteRunner } from './site-runner.ts';

export interface WorkAssignerOptions {
  readonly pool: SolverPool;
  /** How often to assign, ms; 0 = no timer (runs only when asked, e.g. by tests or a route). */
  readonly intervalMs: number;
  /** Site time (the twin's clock). */
  readonly now: () => EpochMs;
  /** Take tasks back from an operative with no pick for this long while holding tasks, ms; 0 = never. Default 5 min. */
  readonly behindAfterMs?: number;
  /** Only operatives holding fewer open pick tasks than this get pushed work (default 1: idle ones). */
  readonly topUpBelowTasks?: number;
  /** Most units considered per run, from the head of the queue (bounds the solve). Default 200. */
  readonly maxUnits?: number;
  /** The skill a pick unit needs (from its tasks), or null; default none. Move units: `moveSkill`. */
  readonly skillOf?: (twin: TwinState, tasks: readonly PickTask[]) => string | null;
  /** The skill move tasks need (e.g. a reach truck); default none. */
  readonly moveSkill?: string | null;
  /** Weights and time model of the solver (A5, A6). */
  readonly assignment?: AssignmentOptions;
  /** Longest wait for the solver, ms; default 2,000 (the run is skipped, logged). */
  readonly timeoutMs?: number;
  readonly log?: (message: string, error?: unknown) => void;
}

export interface WorkAssignerStats {
  runs: number;
  unitsAssigned: number;
  tasksPushed: number;
  moveTasksPushed: number;
  /** Operatives whose tasks were taken back for falling behind, and the tasks. */
  behind: number;
  tasksTakenBack: number;
  /** Sign-offs whose open tasks were put back in play. */
  signOffs: number;
  /** Assignments refused because state moved on while the solver ran (someone pulled the work). */
  stale: number;
  failures: number;
}

/** One unit as read from committed state: what to tell the solver, and the command that carries it out. */
interface UnitRead {
  readonly unit: AssignWorkUnit;
  readonly taskIds: readonly TaskId[];
  readonly move: boolean;
}

interface Snapshot {
  readonly nowMs: EpochMs;
  /** The layout with blocked segments (R28): travel avoids them. */
  readonly layout: Layout;
  readonly operatives: AssignOperative[];
  readonly units: UnitRead[];
  readonly behind: { readonly id: OperativeId; readonly tasks: number; readonly idleMs: number }[];
}

const DEFAULT_BEHIND_MS = 5 * 60_000;

/**
 * The units waiting in committed state, in queue order: per R31 a batch is one unit (all its queued orders), else an
 * order; then open move tasks between layout bins, highest priority first. Pure.
 */
export function readUnits(
  twin: TwinState,
  options: Pick<WorkAssignerOptions, 'maxUnits' | 'skillOf' | 'moveSkill'> = {},
): UnitRead[] {
  const max = options.maxUnits ?? 200;
  const units: UnitRead[] = [];
  const batchIndex = new Map<string, number>();
  const parts: { key: string; tasks: PickTask[]; dueAt: number | null; priority: number }[] = [];
  for (const orderId of twin.releaseQueue) {
    const order = twin.orders.get(orderId);
    if (order === undefined) continue;
    const tasks = order.taskIds.map((id) => twin.tasks.get(id)).filter((t): t is PickTask => t?.status === 'released');
    if (tasks.length === 0) continue;
    const batchId = tasks[0]!.batchId;
    const at = batchId === null ? undefined : batchIndex.get(batchId);
    if (at !== undefined) {
      const part = parts[at]!;
      part.tasks.push(...tasks);
      if (order.dueAt !== null) part.dueAt = part.dueAt === null ? order.dueAt : Math.min(part.dueAt, order.dueAt);
      part.priority = Math.max(part.priority, order.priority);
      continue;
    }
    if (parts.length >= max) continue;
    if (batchId !== null) batchIndex.set(batchId, parts.length);
    parts.push({ key: batchId ?? orderId, tasks, dueAt: order.dueAt, priority: order.priority });
  }
  for (const p of parts) {
    units.push({
      unit: {
        id: p.key,
        kind: 'pick',
        locationIds: [...new Set(p.tasks.map((t) => t.locationId))],
        tasks: p.tasks.length,
        skill: options.skillOf?.(twin, p.tasks) ?? null,
        dueAtMs: p.dueAt,
        priority: p.priority,
      },
      taskIds: p.tasks.map((t) => t.id),
      move: false,
    });
  }
  const moves = [...twin.moveTasks.values()]
    .filter((m) => m.status === 'open' && m.suggestedToLocationId !== null)
    // Dock and returns desk are not layout bins: those tasks are left to pull (requestMoveTask).
    .filter((m) => twin.locationsById.has(m.fromLocationId) && twin.locationsById.has(m.suggestedToLocationId as LocationId))
    .sort((a, b) => b.priority - a.priority || a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  for (const m of moves.slice(0, Math.max(0, max - units.length))) {
    units.push({
      unit: {
        id: `move:${m.id}`,
        kind: 'move',
        locationIds: [m.fromLocationId, m.suggestedToLocationId as LocationId],
        tasks: 1,
        skill: options.moveSkill ?? null,
        priority: m.priority,
      },
      taskIds: [m.id as TaskId],
      move: true,
    });
  }
  return units;
}

export class WorkAssigner {
  readonly stats: WorkAssignerStats = {
    runs: 0, unitsAssigned: 0, tasksPushed: 0, moveTasksPushed: 0, behind: 0, tasksTakenBack: 0, signOffs: 0, stale: 0, failures: 0,
  };
  private timer: NodeJS.Timeout | null = null;
  private readonly unsubscribe: () => void;
  private running: Promise<void> | null = null;
  private again = false;
  private soon: NodeJS.Timeout | null = null;
  private closed = false;
  /** Operatives benched for falling behind, with the progress time they were benched at. */
  private readonly benched = new Map<OperativeId, number>();

  constructor(
    private readonly runner: SiteRunner,
    private readonly options: WorkAssignerOptions,
  ) {
    this.unsubscribe = runner.subscribe({
      committed: (events) => this.onCommitted(events),
      volatile: () => undefined,
      reloaded: () => this.schedule(),
    });
  }

  start(): void {
    if (this.options.intervalMs > 0 && this.timer === null && !this.closed) {
      this.timer = setInterval(() => void this.runOnce(), this.options.intervalMs);
      this.timer.unref();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== null) clearInterval(this.timer);
    if (this.soon !== null) clearTimeout(this.soon);
    this.unsubscribe();
    await this.running;
  }

  /** Resolves when no run is in flight or scheduled (tests). */
  async idle(): Promise<void> {
    while (this.running !== null || this.soon !== null) {
      if (this.running !== null) await this.running;
      else await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  /** One pass: take work back from operatives behind, then assign. Concurrent calls coalesce into one more pass. */
  runOnce(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.running !== null) {
      this.again = true;
      return this.running;
    }
    const run = (async () => {
      try {
        do {
          this.again = false;
          await this.pass();
        } while (this.again && !this.closed);
      } catch (error) {
        this.stats.failures++;
        this.options.log?.(`site ${this.runner.siteId}: work assignment failed`, error);
      } finally {
        this.running = null;
      }
    })();
    this.running = run;
    return run;
  }

  private onCommitted(events: readonly SequencedEvent[]): void {
    let wake = false;
    for (const { event } of events) {
      if (event.type === 'OperativeSignedOff') {
        this.benched.delete(event.operativeId);
        if (event.unassignedTaskIds.length > 0) {
          this.stats.signOffs++;
          this.options.log?.(
            `site ${this.runner.siteId}: ${event.operativeId} signed off holding ${event.unassignedTaskIds.length} task(s); reassigning`,
          );
        }
        wake = true;
      } else if (
        event.type === 'OrderReleased' ||
        event.type === 'TasksUnassigned' ||
        event.type === 'OperativeSignedOn' ||
        event.type === 'MoveTaskCreated'
      ) {
        wake = true;
      }
    }
    if (wake) this.schedule();
  }

  /** A pass soon (after the rest of this tick's commits), when the timer is on. */
  private schedule(): void {
    if (this.closed || this.options.intervalMs <= 0 || this.soon !== null) return;
    this.soon = setTimeout(() => {
      this.soon = null;
      void this.runOnce();
    }, 0);
  }

  private async pass(): Promise<void> {
    this.stats.runs++;
    const nowMs = this.options.now();
    const behindAfterMs = this.options.behindAfterMs ?? DEFAULT_BEHIND_MS;
    const read = await this.runner.read((twin) => this.read(twin, nowMs, behindAfterMs));
    for (const b of read.behind) await this.takeBack(b);
    if (read.behind.length > 0) {
      // The tasks taken back are in the queue now: read again so they are given out in this pass.
      const again = await this.runner.read((twin) => this.read(twin, nowMs, behindAfterMs));
      await this.assign(again);
    } else await this.assign(read);
  }

  private read(twin: TwinState, nowMs: EpochMs, behindAfterMs: number): Snapshot {
    const topUpBelow = this.options.topUpBelowTasks ?? 1;
    const operatives: AssignOperative[] = [];
    const behind: Snapshot['behind'] = [];
    for (const op of twin.operatives.values()) {
      const benchedAt = this.benched.get(op.id);
      if (benchedAt !== undefined && benchedAt === op.lastProgressAt) continue;
      this.benched.delete(op.id);
      if (behindAfterMs > 0 && isBehind(op, nowMs, behindAfterMs)) {
        behind.push({ id: op.id, tasks: op.taskIds.length, idleMs: nowMs - op.lastProgressAt });
        continue;
      }
      if (op.taskIds.length >= topUpBelow) continue;
      // Work ahead: the remaining share of the planned route (R27), else nothing known.
      const routeTasks = op.route?.taskIds.length ?? 0;
      const remainingRouteM = op.route === null || routeTasks === 0 ? 0 : (op.route.distanceM * op.taskIds.length) / routeTasks;
      operatives.push({
        id: op.id,
        position: op.position,
        loadTasks: op.taskIds.length,
        remainingRouteM: Math.min(remainingRouteM, op.route?.distanceM ?? 0),
        zones: op.zones,
        skills: op.skills,
      });
    }
    const units = operatives.length === 0 ? [] : readUnits(twin, this.options);
    return { nowMs, layout: effectiveLayout(twin), operatives, units, behind };
  }

  /** [R69][R70] Takes every open task back from an operative behind, with the reason in the log and the event. */
  private async takeBack(b: Snapshot['behind'][number]): Promise<void> {
    const reason = `falls behind: no pick for ${Math.round(b.idleMs / 1000)} s while holding ${b.tasks} task(s)`;
    const result = await this.runner.submit({ type: 'unassignWork', operativeId: b.id, reason });
    if (!result.ok) {
      this.options.log?.(`site ${this.runner.siteId}: taking work back from ${b.id} refused (${result.error.code}): ${result.error.message}`);
      return;
    }
    const progress = await this.runner.read((twin) => twin.operatives.get(b.id)?.lastProgressAt);
    if (progress !== undefined) this.benched.set(b.id, progress);
    this.stats.behind++;
    this.stats.tasksTakenBack += b.tasks;
    this.options.log?.(`site ${this.runner.siteId}: took ${b.tasks} task(s) back from ${b.id} (${reason}); reassigning`);
  }

  private async assign(read: Snapshot): Promise<void> {
    if (read.operatives.length === 0 || read.units.length === 0) return;
    const result = await this.solve(read);
    if (result === null) return;
    const byId = new Map(read.units.map((u) => [u.unit.id, u]));
    for (const a of result.assignments) {
      const unit = byId.get(a.unitId);
      if (unit === undefined) continue;
      const operativeId = a.operativeId as OperativeId;
      const submitted = unit.move
        ? await this.runner.submit({ type: 'assignMoveTask', taskId: unit.taskIds[0]!, operativeId })
        : await this.runner.submit({
            type: 'assignWork',
            operativeId,
            taskIds: unit.taskIds,
            ...(unit.unit.skill === null || unit.unit.skill === undefined ? {} : { requiredSkill: unit.unit.skill }),
          });
      if (submitted.ok) {
        this.stats.unitsAssigned++;
        if (unit.move) this.stats.moveTasksPushed++;
        else this.stats.tasksPushed += unit.taskIds.length;
        continue;
      }
      // Someone pulled the work or signed off while the solver ran: the next pass sees the new state.
      this.stats.stale++;
      this.options.log?.(`site ${this.runner.siteId}: ${unit.unit.id} to ${operativeId} refused (${submitted.error.code}): ${submitted.error.message}`);
    }
  }

  private async solve(read: Snapshot): Promise<AssignmentResult | null> {
    const timeoutMs = this.options.timeoutMs ?? 2_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const answer = await Promise.race([
        this.options.pool.assignWork({
          layout: read.layout,
          nowMs: read.nowMs,
          operatives: read.operatives,
          units: read.units.map((u) => u.unit),
          ...(this.options.assignment === undefined ? {} : { options: this.options.assignment }),
        }),
        timeout,
      ]);
      if (isAssignmentError(answer)) throw new Error(`${answer.error.code} ${answer.error.message}`);
      return answer;
    } catch (error) {
      this.stats.failures++;
      this.options.log?.(`site ${this.runner.siteId}: assignment solver failed; nothing pushed this round`, error);
      return null;
    } finally {
      clearTimeout(timer);
    }
  }
}
