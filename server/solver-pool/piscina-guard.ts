/** Worker errors outside a task, made survivable for both piscina pools (solver and simulation). */
import type { Piscina } from 'piscina';

/**
 * Unhandled, piscina's 'error' event (a worker that cannot load its file, or dies outside a task) is thrown and ends
 * the whole server; handled, the task that worker ran never settles. So: report the error, and fail every task in
 * flight. Returns the `run` to use instead of `pool.run`.
 */
export function guardedRun<T, R>(pool: Piscina<T, R>, onError: (error: unknown) => void): (task: T) => Promise<R> {
  const inFlight = new Set<(error: unknown) => void>();
  pool.on('error', (error: unknown) => {
    onError(error);
    for (const fail of inFlight) fail(error);
    inFlight.clear();
  });
  return (task) =>
    new Promise<R>((resolve, reject) => {
      inFlight.add(reject);
      void pool
        .run(task)
        .then(resolve, reject)
        .finally(() => inFlight.delete(reject));
    });
}
