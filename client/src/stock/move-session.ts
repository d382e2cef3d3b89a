/**
 * One move task on the handheld (put-away, replenishment), without React: scan the source, then the target. A
 * target other than the suggestion asks for a reason from a list before anything is sent (the twin refuses it
 * without one: OVERRIDE_REASON_REQUIRED). A wrong source records nothing. Immutable steps. A serial-tracked SKU (twin
 * R80) scans one serial per unit after the source: the task's units fill the list and lead on to the target; fewer
 * found is a short move of the units scanned.
 */
import type { CompleteMoveTaskRequest, MoveTaskView } from '../../../server/protocol/move-tasks.ts';
import { addSerial, removeSerial, serialRefusal } from '../views/serial-scan.ts';

/** Where the operative is in a task. */
export type MoveStep = 'source' | 'serials' | 'target' | 'reason' | 'ready';

export interface MoveScans {
  readonly taskId: string;
  readonly step: MoveStep;
  readonly fromScan: string | null;
  readonly toScan: string | null;
  readonly overrideReason: string | null;
  /** Serials scanned (serial-tracked SKUs only), one per unit moved. */
  readonly serials: readonly string[];
}

/** What a scan did, for the message line. */
export type MoveScanOutcome =
  | { readonly kind: 'source-ok' }
  | { readonly kind: 'wrong-source'; readonly scanned: string; readonly expected: string }
  | { readonly kind: 'target-suggested'; readonly target: string }
  /** A bin other than the suggestion (or no suggestion): the reason comes next, or it is ready. */
  | { readonly kind: 'target-other'; readonly target: string; readonly needsReason: boolean }
  | { readonly kind: 'same-as-source'; readonly scanned: string }
  /** A serial was added; `left` more fill the task (0: on to the target). */
  | { readonly kind: 'serial-added'; readonly serial: string; readonly left: number }
  | { readonly kind: 'serial-refused'; readonly text: string; readonly code: string }
  | { readonly kind: 'ignored' };

/** Reasons offered when the operative puts stock elsewhere than suggested. */
export const OVERRIDE_REASONS = ['Suggested bin is full', 'Suggested bin is blocked or damaged', 'Suggested bin holds other stock', 'Closer bin with the same item', 'Supervisor instruction'] as const;

/** Location codes are compared as labels print them: case and surrounding blanks do not matter. */
export const sameLocation = (scanned: string, locationId: string): boolean => scanned.trim().toUpperCase() === locationId.trim().toUpperCase();

/** Fresh scans for a task. */
export function startMove(task: Pick<MoveTaskView, 'id'>): MoveScans {
  return { taskId: task.id, step: 'source', fromScan: null, toScan: null, overrideReason: null, serials: [] };
}

/** The suggested target, if any. */
const suggestionOf = (task: MoveTaskView): string | null => task.suggestedToLocationId ?? null;

/** Applies one scan at the current step. */
export function scanMove(scans: MoveScans, task: MoveTaskView, raw: string): { scans: MoveScans; outcome: MoveScanOutcome } {
  const code = raw.trim();
  if (code === '' || scans.taskId !== task.id) return { scans, outcome: { kind: 'ignored' } };
  if (scans.step === 'source') {
    if (!sameLocation(code, task.fromLocationId) && !sameLocation(code, task.fromLabel)) {
      return { scans, outcome: { kind: 'wrong-source', scanned: code, expected: task.fromLabel } };
    }
    return { scans: { ...scans, step: task.serialTracked === true && task.qty > 0 ? 'serials' : 'target', fromScan: code }, outcome: { kind: 'source-ok' } };
  }
  if (scans.step === 'serials') {
    const added = addSerial(scans.serials, code, task.qty);
    const refusal = serialRefusal(added.outcome);
    if (refusal !== null) return { scans, outcome: { kind: 'serial-refused', ...refusal } };
    const left = task.qty - added.serials.length;
    return { scans: { ...scans, serials: added.serials, step: left === 0 ? 'target' : 'serials' }, outcome: { kind: 'serial-added', serial: code, left } };
  }
  if (scans.step === 'target') {
    if (sameLocation(code, task.fromLocationId) || sameLocation(code, task.fromLabel)) return { scans, outcome: { kind: 'same-as-source', scanned: code } };
    const suggested = suggestionOf(task);
    if (suggested !== null && sameLocation(code, suggested)) {
      return { scans: { ...scans, step: 'ready', toScan: code, overrideReason: null }, outcome: { kind: 'target-suggested', target: code } };
    }
    // With no suggestion any bin will do; off the suggestion the twin wants a reason.
    const needsReason = suggested !== null;
    return { scans: { ...scans, step: needsReason ? 'reason' : 'ready', toScan: code, overrideReason: null }, outcome: { kind: 'target-other', target: code, needsReason } };
  }
  return { scans, outcome: { kind: 'ignored' } };
}

/** Fewer units found than the task's: on to the target with the serials scanned (a short move). */
export function finishSerials(scans: MoveScans): MoveScans {
  return scans.step === 'serials' ? { ...scans, step: 'target' } : scans;
}

/** Removes a serial scanned by mistake; back to scanning serials. */
export function removeMoveSerial(scans: MoveScans, serial: string): MoveScans {
  if (scans.step !== 'serials' && scans.step !== 'target') return scans;
  return { ...scans, serials: removeSerial(scans.serials, serial), step: 'serials' };
}

/** The units the move will record: the serials scanned for a serial-tracked SKU, else what the operative typed. */
export function unitsOf(scans: MoveScans, task: MoveTaskView, typed: string): number {
  if (task.serialTracked === true) return scans.serials.length;
  return typed.trim() === '' ? task.qty : Number(typed);
}

/** Records the reason for the other target; ready to send. */
export function chooseReason(scans: MoveScans, reason: string): MoveScans {
  const r = reason.trim();
  if (scans.step !== 'reason' || r === '') return scans;
  return { ...scans, step: 'ready', overrideReason: r.slice(0, 200) };
}

/** Back to scanning the target (the operative changed their mind). */
export function rescanTarget(scans: MoveScans): MoveScans {
  return scans.fromScan === null ? scans : { ...scans, step: 'target', toScan: null, overrideReason: null };
}

/** The completion request once both scans (and a reason, when needed) are in; `qty` below the task's is short. */
export function completionOf(scans: MoveScans, operativeId: string, scanId: string, qty?: number): CompleteMoveTaskRequest | null {
  if (scans.step !== 'ready' || scans.fromScan === null || scans.toScan === null) return null;
  return {
    operativeId,
    fromScan: scans.fromScan,
    toScan: scans.toScan,
    scanId,
    ...(qty === undefined ? {} : { qty }),
    ...(scans.overrideReason === null ? {} : { overrideReason: scans.overrideReason }),
    ...(scans.serials.length === 0 ? {} : { serials: [...scans.serials] }),
  };
}
