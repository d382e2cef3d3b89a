/** The sites this process runs, by id. */
import type { SiteRunner } from '../site/site-runner.ts';

export interface SiteRegistry {
  get(siteId: string): SiteRunner | undefined;
  list(): readonly SiteRunner[];
}

export function siteRegistry(runners: readonly SiteRunner[]): SiteRegistry {
  const byId = new Map(runners.map((runner) => [runner.siteId, runner]));
  return { get: (siteId) => byId.get(siteId), list: () => [...byId.values()] };
}
