/**
 * `work`, or a rejection naming the bound when it has not settled within `ms` (the work keeps running; a late answer
 * is ignored). For anything that must not wait on a dependency that may hang: a stopped Redis keeps its socket open
 * and never answers, a stuck solver never returns. `onTimeout` runs once when the bound is hit (to back off).
 */
export function boundedWait<T>(work: Promise<T>, ms: number, options: { readonly what?: string; readonly onTimeout?: () => void } = {}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      options.onTimeout?.();
      reject(new Error(`${options.what === undefined ? '' : `${options.what}: `}no answer in ${ms} ms`));
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
