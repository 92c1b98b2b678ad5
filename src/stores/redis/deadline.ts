import { RedisStoreError } from './errors.js';

/**
 * Runs `work` against a deadline and the caller's signal: settles with its answer, or rejects with a
 * {@link RedisStoreError} when it fails, when `timeoutMs` passes, or when `signal` aborts, whichever
 * comes first. A late answer or failure of `work` is absorbed (never an unhandled rejection), and
 * the timer is cleared and unref'd so it never keeps the process alive.
 */
export function withDeadline<T>(operation: string, timeoutMs: number, signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
  if (signal?.aborted === true) {
    return Promise.reject(new RedisStoreError('aborted', `castgate/redis: ${operation} aborted by the caller`, { cause: signal.reason }));
  }
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      return true;
    };
    const onAbort = (): void => {
      if (finish()) reject(new RedisStoreError('aborted', `castgate/redis: ${operation} aborted by the caller`, { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      if (finish()) reject(new RedisStoreError('timeout', `castgate/redis: ${operation} got no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    timer.unref();
    signal?.addEventListener('abort', onAbort, { once: true });

    // The executor turns a synchronous throw of `work` into a rejection.
    new Promise<T>((resolveWork) => {
      resolveWork(work());
    }).then(
      (value) => {
        if (finish()) resolve(value);
      },
      (error: unknown) => {
        if (finish()) reject(new RedisStoreError('command_failed', `castgate/redis: ${operation} failed`, { cause: error }));
      },
    );
  });
}
