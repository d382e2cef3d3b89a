/**
 * More steps of the first floor as User Timing marks `ft:<step>`, beside perf-probe's `markLoad` steps (the client
 * benchmark lists every `ft:*` mark). Kept apart only because perf-probe.ts has another owner this session.
 */

/** Socket and renderer steps of the first floor, in the order they usually happen. */
export type ExtraLoadStep = 'socket-connected' | 'join-sent' | 'join-answered' | 'shaders-compiled';

/** Marks `step` once per page; a no-op outside a browser. */
export function markExtraStep(step: ExtraLoadStep): void {
  if (typeof performance === 'undefined' || typeof performance.mark !== 'function') return;
  if (performance.getEntriesByName(`ft:${step}`, 'mark').length === 0) performance.mark(`ft:${step}`);
}
