/** What a what-if run settled on (`GET /api/sites/:site/what-if/:id` → `request`), shared with the planner view. */
import type { RouteMethod } from '../../solver/routing/plan-route.ts';

export interface WhatIfPlanView {
  readonly startAt: string;
  readonly hours: number;
  readonly fromSeq: number;
  readonly seed: number;
  readonly orderMultiplier: number;
  readonly pickerDelta: number;
  readonly routing: RouteMethod;
  /** Operatives signed on at the fork: the baseline's pickers. */
  readonly pickersNow: number;
  readonly pickers: number;
  /** Live arrival rate the demand is fitted to (before the multiplier), and where it was measured. */
  readonly linesPerHour: number;
  readonly rateFrom: 'last-hour' | 'all-orders' | 'none';
  readonly cutoffs: readonly string[];
  /** The what-if run records its first hour on the floor (`GET …/what-if/:id/playback`). */
  readonly watch: boolean;
}
