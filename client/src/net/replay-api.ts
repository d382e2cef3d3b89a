/**
 * HTTP reads of time travel: the span of the site's log and a replayed window (server/api/replay.routes.ts). The
 * what-if playback answers in the same shape (`parseReplay`).
 */
import type { FloorDiff, FloorSnapshot } from '../../../server/protocol/floor.ts';

/** Earliest and latest logged twin time (epoch ms; null for an empty log) and the last seq. */
export interface HistoryRangeView {
  readonly firstAt: number | null;
  readonly lastAt: number | null;
  readonly lastSeq: number;
}

/** A replayed window: the floor at `from`, then one diff per `stepMs` of twin time up to `to` (epoch ms). */
export interface ReplayData {
  readonly from: number;
  readonly to: number;
  readonly stepMs: number;
  readonly snapshot: FloorSnapshot;
  readonly frames: readonly FloorDiff[];
}

/** Fetches a replay; an error body's message becomes the thrown error's message. */
export type FetchReplay = (siteId: string, from: number, to: number, stepMs: number, signal?: AbortSignal) => Promise<ReplayData>;

/** GETs `path` as JSON; an error body's message becomes the thrown error's message. */
export async function getJson(path: string, signal?: AbortSignal): Promise<unknown> {
  const response = await fetch(path, { signal: signal ?? null, headers: { accept: 'application/json' } });
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const message = (body as { error?: { message?: unknown } } | null)?.error?.message;
    throw new Error(typeof message === 'string' ? message : `${path}: HTTP ${response.status}`);
  }
  return body;
}

const timeOf = (iso: unknown): number | null => {
  if (typeof iso !== 'string') return null;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : null;
};

/** `GET /api/sites/:id/history-range`. */
export async function fetchHistoryRange(siteId: string, signal?: AbortSignal): Promise<HistoryRangeView> {
  const body = (await getJson(`/api/sites/${encodeURIComponent(siteId)}/history-range`, signal)) as Record<string, unknown>;
  return { firstAt: timeOf(body['firstAt']), lastAt: timeOf(body['lastAt']), lastSeq: Number(body['lastSeq'] ?? 0) };
}

/** `GET /api/sites/:id/replay?from&to&stepMs`; checks the shape the player indexes blindly. */
export const fetchReplay: FetchReplay = async (siteId, from, to, stepMs, signal) => {
  const query = new URLSearchParams({ from: new Date(from).toISOString(), to: new Date(to).toISOString(), stepMs: String(stepMs) });
  const path = `/api/sites/${encodeURIComponent(siteId)}/replay?${query.toString()}`;
  return parseReplay(await getJson(path, signal), path);
};

/** A replay body (`from`/`to` ISO) as `ReplayData`, checking the shape the player indexes blindly; `path` names it in errors. */
export function parseReplay(raw: unknown, path: string): ReplayData {
  const body = (raw ?? {}) as Record<string, unknown>;
  const snapshot = body['snapshot'] as FloorSnapshot | undefined;
  const frames = body['frames'];
  const bodyFrom = timeOf(body['from']);
  const bodyTo = timeOf(body['to']);
  if (snapshot === undefined || !Array.isArray(snapshot.fill) || !Array.isArray(frames) || bodyFrom === null || bodyTo === null) {
    throw new Error(`${path}: malformed replay`);
  }
  return { from: bodyFrom, to: bodyTo, stepMs: Number(body['stepMs']), snapshot, frames: frames as FloorDiff[] };
}
