/**
 * The slotting planner's HTTP calls (no React). Same origin; the shapes mirror `server/api/slotting.routes.ts`.
 */
import { jsonCaller } from '../net/json-call.ts';

export type RunStatus = 'running' | 'done' | 'failed';

/** One move of the plan; `savingPerOrderM` is the predicted metres saved per order of the history. */
export interface SlotMoveView {
  readonly kind: 'relocate' | 'swap';
  readonly sku: string;
  readonly from: string;
  readonly to: string;
  readonly swappedSku?: string;
  readonly saving: number;
  readonly savingPerOrderM: number;
}

/** Walking in one simulated run. */
export interface SimulatedWalk {
  readonly distanceWalkedMetres: number;
  readonly linesPicked: number;
  readonly metresPerLine: number | null;
}

export interface VerificationView {
  readonly status: RunStatus;
  readonly hours: number;
  readonly pickers: number;
  readonly movesApplied: number;
  readonly movesSkipped: readonly unknown[];
  readonly before?: SimulatedWalk;
  readonly after?: SimulatedWalk;
  /** Shares (0..1) of walking saved: by the routed estimate and by the simulator. */
  readonly predictedSaving: number | null;
  readonly simulatedSaving: number | null;
  readonly error?: string;
}

/** `GET /api/sites/:siteId/slotting/:id`. */
export interface SlottingRunView {
  readonly id: string;
  readonly status: RunStatus;
  readonly request: { readonly moves: number; readonly affinity: boolean; readonly orders: number; readonly fromSeq: number };
  readonly released: number;
  readonly error?: string;
  readonly distancePerOrder?: { readonly before: number; readonly after: number };
  readonly predictedSaving?: number | null;
  readonly moves?: readonly SlotMoveView[];
  readonly unplaced?: number;
  readonly verification?: VerificationView;
}

/** `POST …/slotting/:id/release`: the move tasks created (swaps run as stock moves now), and what was skipped and why. */
export interface ReleaseView {
  readonly kind: 'move-tasks' | 'immediate-stock-moves';
  readonly applied: readonly { readonly index: number; readonly sku: string; readonly from: string; readonly to: string; readonly tasks: readonly string[]; readonly stockMoves: number }[];
  readonly skipped: readonly { readonly index: number; readonly sku: string; readonly code: string; readonly reason: string }[];
  readonly stopped: { readonly index: number; readonly code: string; readonly reason: string } | null;
  readonly released: number;
  readonly remaining: number;
}

/** An error the server answered with, or a network failure (status 0). */
export class SlottingApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SlottingApiError';
  }
}

const call = jsonCaller(SlottingApiError);

const runs = (siteId: string): string => `/api/sites/${encodeURIComponent(siteId)}/slotting`;

/** Starts a plan; the run is then polled with {@link fetchRun}. */
export function startRun(siteId: string, body: { moves: number; affinity: boolean; historyDays?: number }): Promise<{ id: string; orders: number }> {
  return call('POST', runs(siteId), body);
}

export function fetchRun(siteId: string, id: string): Promise<SlottingRunView> {
  return call('GET', `${runs(siteId)}/${encodeURIComponent(id)}`);
}

/** Starts the simulator check of a finished plan; its result shows in the run. */
export function verifyRun(siteId: string, id: string, body: { hours: number }): Promise<unknown> {
  return call('POST', `${runs(siteId)}/${encodeURIComponent(id)}/verify`, body);
}

/** Runs the plan's next `count` moves as stock moves now. */
export function releaseMoves(siteId: string, id: string, count: number): Promise<ReleaseView> {
  return call('POST', `${runs(siteId)}/${encodeURIComponent(id)}/release`, { count });
}
