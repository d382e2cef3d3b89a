/** A small data hook for the portal's panels: runs `load` when its inputs change, aborts the stale request. */
import { useCallback, useEffect, useState } from 'react';

export interface Loaded<T> {
  readonly data: T | null;
  readonly error: string | null;
  readonly loading: boolean;
  /** Loads again with the same inputs. */
  reload(): void;
}

/** `key` names the inputs: a new key loads anew (the previous request is aborted and its answer ignored). */
export function useLoad<T>(key: string | null, load: (signal: AbortSignal) => Promise<T>): Loaded<T> {
  const [state, setState] = useState<{ key: string | null; data: T | null; error: string | null; loading: boolean }>({ key: null, data: null, error: null, loading: false });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (key === null) return;
    const abort = new AbortController();
    setState((s) => ({ ...s, loading: true, error: null }));
    load(abort.signal).then(
      (data) => {
        if (!abort.signal.aborted) setState({ key, data, error: null, loading: false });
      },
      (error: unknown) => {
        if (!abort.signal.aborted) setState({ key, data: null, error: error instanceof Error ? error.message : String(error), loading: false });
      },
    );
    return () => abort.abort();
    // `load` is a new function every render; `key` says when its inputs changed.
  }, [key, attempt]);
  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  return { data: state.key === key ? state.data : null, error: state.error, loading: state.loading, reload };
}
