/**
 * What-if from the live floor (`POST/GET /api/sites/:site/what-if`): start a fork of the floor under changed
 * assumptions, poll until both runs are done, and fetch the what-if run's recorded hour for the floor
 * (`…/playback`). Shapes mirror server/api/what-if.routes.ts.
 */
import type { SimulationKpis } from '../../../simulations/model/result.ts';
import type { RouteMethod } from '../../../solver/routing/plan-route.ts';
import type { WhatIfPlanView } from '../../../server/protocol/what-if.ts';
import { getJson, parseReplay, type ReplayData } from './replay-api.ts';

export type { WhatIfPlanView };

/** What the planner changes; omitted fields take the server's defaults. */
export interface WhatIfInput {
  readonly hours?: number;
  readonly orderMultiplier?: number;
  readonly pickerDelta?: number;
  readonly routing?: RouteMethod;
  readonly seed?: number;
  /** Record the what-if run's first hour for watching on the floor; the server's default is true. */
  readonly watch?: boolean;
}

export type WhatIfStatus = 'running' | 'done' | 'failed';

export interface WhatIfView {
  readonly id: string;
  readonly siteId: string;
  readonly status: WhatIfStatus;
  readonly request: WhatIfPlanView;
  readonly baseline?: SimulationKpis;
  readonly result?: SimulationKpis;
  readonly error?: string;
}

const base = (siteId: string): string => `/api/sites/${encodeURIComponent(siteId)}/what-if`;

/** The server's error message (`{ error: { message } }`), or the HTTP status. */
async function failure(res: Response, what: string): Promise<Error> {
  const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
  return new Error(body?.error?.message ?? `${what}: HTTP ${res.status}`);
}

/** Starts a what-if; resolves with its id once the server accepted it (202). */
export async function startWhatIf(siteId: string, input: WhatIfInput): Promise<string> {
  const res = await fetch(base(siteId), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) });
  if (res.status !== 202) throw await failure(res, 'what-if');
  return ((await res.json()) as { id: string }).id;
}

export async function fetchWhatIf(siteId: string, id: string, signal?: AbortSignal): Promise<WhatIfView> {
  const res = await fetch(`${base(siteId)}/${encodeURIComponent(id)}`, signal ? { signal } : {});
  if (!res.ok) throw await failure(res, 'what-if');
  return (await res.json()) as WhatIfView;
}

/** Where the HTML report of a finished what-if opens. */
export function whatIfReportUrl(siteId: string, id: string): string {
  return `${base(siteId)}/${encodeURIComponent(id)}/report`;
}

/** A what-if run's recorded hour, as the replay player plays it, with the name of its scenario. */
export interface WhatIfPlayback extends ReplayData {
  readonly scenario: string;
}

/** `GET …/what-if/:id/playback`: 409 while running, 404 when the what-if was run without `watch`. */
export async function fetchWhatIfPlayback(siteId: string, id: string, signal?: AbortSignal): Promise<WhatIfPlayback> {
  const path = `${base(siteId)}/${encodeURIComponent(id)}/playback`;
  const body = await getJson(path, signal);
  const scenario = (body as { scenario?: unknown } | null)?.scenario;
  return { ...parseReplay(body, path), scenario: typeof scenario === 'string' ? scenario : 'simulation' };
}

/** Polls every `everyMs` until the what-if is done or failed (or `signal` aborts). */
export async function waitForWhatIf(siteId: string, id: string, signal: AbortSignal, everyMs = 1000): Promise<WhatIfView> {
  for (;;) {
    const view = await fetchWhatIf(siteId, id, signal);
    if (view.status !== 'running') return view;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, everyMs);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(new Error('aborted'));
      }, { once: true });
    });
  }
}
