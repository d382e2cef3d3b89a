/** HTTP reads the floor view needs before it joins the live stream. Same origin; the server owns the routes. */
import type { LayoutView } from '../../../server/protocol/floor.ts';
import { handleUnauthenticated } from '../auth/session.ts';

/** A site as listed by `GET /api/sites`. */
export interface SiteSummary {
  readonly id: string;
  readonly name: string;
}

async function getJson(path: string, signal?: AbortSignal): Promise<unknown> {
  const response = await fetch(path, { signal: signal ?? null, headers: { accept: 'application/json' } });
  if (!response.ok) {
    // No session: to the sign-in page, which returns here.
    handleUnauthenticated(response.status);
    throw new Error(`${path}: HTTP ${response.status}`);
  }
  return response.json();
}

const isNumberArray = (v: unknown): v is number[] => Array.isArray(v) && v.every((n) => typeof n === 'number');

/** Lists the sites this server hosts. */
export async function fetchSites(signal?: AbortSignal): Promise<SiteSummary[]> {
  const body = (await getJson('/api/sites', signal)) as { sites?: unknown };
  if (!Array.isArray(body.sites)) throw new Error('/api/sites: no sites array');
  return body.sites.filter(
    (s): s is SiteSummary => typeof s === 'object' && s !== null && typeof (s as SiteSummary).id === 'string',
  );
}

/** Fetches a site's static layout; checks the columns line up, since the renderer indexes them blindly. */
export async function fetchLayout(siteId: string, signal?: AbortSignal): Promise<LayoutView> {
  const path = `/api/sites/${encodeURIComponent(siteId)}/layout`;
  const layout = (await getJson(path, signal)) as LayoutView;
  const n = Array.isArray(layout.ids) ? layout.ids.length : -1;
  const columns = [layout.x, layout.y, layout.z, layout.w, layout.d, layout.h];
  if (n < 0 || !columns.every((c) => isNumberArray(c) && c.length === n) || !isNumberArray(layout.segments)) {
    throw new Error(`${path}: malformed layout`);
  }
  return layout;
}

/** An operative as listed by `GET /api/sites/:id/operatives`. */
export interface OperativeSummary {
  readonly id: string;
  readonly name: string;
  readonly activity: string;
  readonly tasks: number;
}

/**
 * Lists the site's operatives (for choosing who carries the handheld, or whose route to show). Accepts both spellings
 * the server has used: `{ id, tasks }` and `{ operativeId, openTasks }`.
 */
export async function fetchOperatives(siteId: string, signal?: AbortSignal): Promise<OperativeSummary[]> {
  const path = `/api/sites/${encodeURIComponent(siteId)}/operatives`;
  const body = (await getJson(path, signal)) as { operatives?: unknown };
  if (!Array.isArray(body.operatives)) throw new Error(`${path}: no operatives array`);
  const out: OperativeSummary[] = [];
  for (const raw of body.operatives as unknown[]) {
    if (typeof raw !== 'object' || raw === null) continue;
    const o = raw as Record<string, unknown>;
    const id = typeof o['id'] === 'string' ? o['id'] : typeof o['operativeId'] === 'string' ? o['operativeId'] : null;
    if (id === null) continue;
    const tasks = Number(o['tasks'] ?? o['openTasks'] ?? 0);
    out.push({
      id,
      name: typeof o['name'] === 'string' ? o['name'] : id,
      activity: typeof o['activity'] === 'string' ? o['activity'] : 'idle',
      tasks: Number.isFinite(tasks) ? tasks : 0,
    });
  }
  return out;
}
