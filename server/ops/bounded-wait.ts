/**
 * A hung Redis (SIGSTOP, a dead link) keeps its socket open and never answers; callers that must not wait for it bound
 * the wait here. `onTimeout` runs once when the bound is hit (to back off from the dependency).
 */
export function boundedWait<T>(work: Promise<T>, ms: number, onTimeout: () => void = () => undefined): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout();
      reject(new Error(`no answer in ${ms} ms`));
    }, ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
