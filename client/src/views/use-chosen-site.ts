/** The site a 2D page works on: `?site=` when the server hosts it, else the first it lists; with a retry on failure. */
import { useEffect, useState } from 'react';
import { fetchSites } from '../net/api.ts';

export interface ChosenSite {
  /** Null until the server has answered. */
  readonly siteId: string | null;
  /** Why no site could be chosen (server unreachable, no sites). */
  readonly error: string | null;
  /** Asks the server again. */
  readonly retry: () => void;
}

export function useChosenSite(params: URLSearchParams): ChosenSite {
  const [siteId, setSiteId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const abort = new AbortController();
    fetchSites(abort.signal)
      .then((sites) => {
        const chosen = sites.find((s) => s.id === params.get('site')) ?? sites[0];
        if (chosen === undefined) throw new Error('This server hosts no sites yet.');
        setSiteId(chosen.id);
        setError(null);
      })
      .catch((e: unknown) => {
        if (!abort.signal.aborted) setError(e instanceof Error ? e.message : String(e));
      });
    return () => abort.abort();
  }, [params, attempt]);

  return { siteId, error, retry: () => setAttempt((n) => n + 1) };
}
