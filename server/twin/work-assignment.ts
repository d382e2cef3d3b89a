/**
 * Push assignment of pick work (R67–R70): operatives' zones and skills, `assignWork` (the assignment engine hands
 * released tasks to an operative) and `unassignWork` (takes them back to the release queue). Pure, like decide.ts.
 */
import type { AssignWork, SignOn, UnassignWork } from './commands.ts';
import type { DomainError } from './errors.ts';
import { domainError } from './errors.ts';
import type { TwinEvent } from './events.ts';
import type { EpochMs, TaskId } from './ids.ts';
import type { OperativeState, PickTask, TwinState } from './state.ts';

/** Most tasks one assignWork / unassignWork names. */
export const MAX_ASSIGN_TASKS = 500;
/** Most zones or skills an operative lists; longest name of one. */
const MAX_TAGS = 50;
const MAX_TAG_LENGTH = 64;
const MAX_REASON = 200;

const isText = (v: unknown, max: number): v is string => typeof v === 'string' && v.trim().length > 0 && v.length <= max;

function tags(what: 'zones' | 'skills', list: readonly string[] | undefined): string[] | DomainError {
  if (list === undefined) return [];
  if (list.length > MAX_TAGS) return domainError('INVALID_STATE', `${what} lists at most ${MAX_TAGS} names`, { [what]: list });
  for (const t of list) {
    if (!isText(t, MAX_TAG_LENGTH)) return domainError('INVALID_STATE', `each of ${what} is 1 to ${MAX_TAG_LENGTH} characters`, { [what]: list });
  }
  if (new Set(list).size !== list.length) return domainError('INVALID_STATE', `${what} names one twice`, { [what]: list });
  return [...list];
}

/** [R67] The zones and skills of a sign-on: each a list of distinct names, 1–64 characters, at most 50. */
export function signOnProfile(c: SignOn): { zones: string[]; skills: string[] } | DomainError {
  const zones = tags('zones', c.zones);
  if (!Array.isArray(zones)) return zones;
  const skills = tags('skills', c.skills);
  if (!Array.isArray(skills)) return skills;
  return { zones, skills };
}

/** The zone of a task's location ('' when the location is not in the layout). */
export function taskZone(state: TwinState, task: PickTask): string {
  return state.locationsById.get(task.locationId)?.zone ?? '';
}

/** [R67] True when the operative may work in `zone` (no zones listed = every zone). */
export function worksInZone(op: OperativeState, zone: string): boolean {
  return op.zones.length === 0 || op.zones.includes(zone);
}

/** [R68] True when the operative holds an open task pushed to them: requestWork hands them nothing more. */
export function holdsPushedWork(state: TwinState, op: OperativeState): boolean {
  return op.taskIds.some((id) => state.tasks.get(id)?.pushed === true);
}

/** [R70] True when the operative holds tasks and has shown no progress for longer than `thresholdMs`. */
export function isBehind(op: OperativeState, now: EpochMs, thresholdMs: number): boolean {
  return op.taskIds.length > 0 && now - op.lastProgressAt > thresholdMs;
}

function taskList(taskIds: readonly TaskId[]): DomainError | null {
  if (taskIds.length === 0 || taskIds.length > MAX_ASSIGN_TASKS) {
    return domainError('INVALID_QUANTITY', `name 1 to ${MAX_ASSIGN_TASKS} tasks`, { tasks: taskIds.length });
  }
  if (new Set(taskIds).size !== taskIds.length) return domainError('INVALID_STATE', 'a task is named twice', { taskIds: [...taskIds] });
  return null;
}

/**
 * [R68] Pushes released tasks to a signed-on operative as `TasksAssigned { pushed: true }`. Checks, in order: signed
 * on; 1…500 distinct tasks; `requiredSkill` 1–64 characters; per task: known, not done, not assigned, in a zone the
 * operative works in; the operative holds `requiredSkill`.
 */
export function decideAssignWork(state: TwinState, c: AssignWork, at: EpochMs): TwinEvent[] | DomainError {
  const op = state.operatives.get(c.operativeId);
  if (op === undefined) return domainError('OPERATIVE_NOT_SIGNED_ON', `operative ${c.operativeId} is not signed on`, { operativeId: c.operativeId });
  const badList = taskList(c.taskIds);
  if (badList !== null) return badList;
  if (c.requiredSkill !== undefined && !isText(c.requiredSkill, MAX_TAG_LENGTH)) {
    return domainError('INVALID_STATE', `requiredSkill must be 1 to ${MAX_TAG_LENGTH} characters`, {});
  }
  for (const taskId of c.taskIds) {
    const task = state.tasks.get(taskId);
    if (task === undefined) return domainError('UNKNOWN_TASK', `unknown task ${taskId}`, { taskId });
    if (task.status === 'assigned') {
      return domainError('TASK_ALREADY_ASSIGNED', `task ${taskId} is already assigned to ${task.operativeId ?? 'someone'}`, {
        taskId,
        assignedTo: task.operativeId,
      });
    }
    if (task.status !== 'released') return domainError('TASK_DONE', `task ${taskId} is already ${task.status}`, { taskId, status: task.status });
    const zone = taskZone(state, task);
    if (!worksInZone(op, zone)) {
      return domainError('ZONE_NOT_ALLOWED', `operative ${op.id} does not work in zone ${zone} (task ${taskId})`, {
        taskId,
        zone,
        zones: [...op.zones],
      });
    }
  }
  if (c.requiredSkill !== undefined && !op.skills.includes(c.requiredSkill)) {
    return domainError('SKILL_REQUIRED', `operative ${op.id} lacks the skill ${c.requiredSkill}`, {
      skill: c.requiredSkill,
      skills: [...op.skills],
    });
  }
  return [{ type: 'TasksAssigned', at, operativeId: op.id, taskIds: [...c.taskIds], pushed: true }];
}

/**
 * [R69] Takes tasks back from an operative (`TasksUnassigned`): the ones listed, or every open one; they are released
 * again and their orders rejoin the release queue at their place (priority, age, id). Checks, in order: signed on; a
 * reason of 1–200 characters; when listed, 1…500 distinct tasks, each known and assigned to this operative. Nothing
 * open → ok, no events.
 */
export function decideUnassignWork(state: TwinState, c: UnassignWork, at: EpochMs): TwinEvent[] | DomainError {
  const op = state.operatives.get(c.operativeId);
  if (op === undefined) return domainError('OPERATIVE_NOT_SIGNED_ON', `operative ${c.operativeId} is not signed on`, { operativeId: c.operativeId });
  if (!isText(c.reason, MAX_REASON)) return domainError('REASON_REQUIRED', `give a reason of 1 to ${MAX_REASON} characters`, {});
  let taskIds: TaskId[];
  if (c.taskIds === undefined) taskIds = [...op.taskIds];
  else {
    const badList = taskList(c.taskIds);
    if (badList !== null) return badList;
    for (const taskId of c.taskIds) {
      const task = state.tasks.get(taskId);
      if (task === undefined) return domainError('UNKNOWN_TASK', `unknown task ${taskId}`, { taskId });
      if (task.status !== 'assigned' || task.operativeId !== op.id) {
        return domainError('TASK_NOT_ASSIGNED', `task ${taskId} is not assigned to ${op.id}`, { taskId, status: task.status, assignedTo: task.operativeId });
      }
    }
    const listed = new Set(c.taskIds);
    // The operative's own order, so the event reads the same however the caller listed them.
    taskIds = op.taskIds.filter((id) => listed.has(id));
  }
  if (taskIds.length === 0) return [];
  return [{ type: 'TasksUnassigned', at, operativeId: op.id, taskIds, reason: c.reason.trim() }];
}
