import { PostgresStoreError } from './errors.js';

/** SQLSTATEs of a query PostgreSQL aborted as a whole (nothing it did stays), so it may be sent again. */
const retryableStates = new Set(['40001', '40P01']);
/** SQLSTATEs that mean the schema is not there: the tables or functions of `migrate()` are missing. */
const notMigratedStates = new Set(['42P01', '42883', '3F000']);
/** A short, random pause before sending an aborted query again, longer after each attempt (at most ~20 ms). */
function backoff(attempt: number): Promise<void> {
  return new Promise((resolve) => {
    setTimeout(resolve, Math.random() * Math.min(attempt, 10) * 2).unref();
  });
}

function sqlState(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

function failure(operation: string, error: unknown): PostgresStoreError {
  if (error instanceof PostgresStoreError) return error;
  const state = sqlState(error);
  const hint = state !== undefined && notMigratedStates.has(state) ? ' (its tables or functions are missing: run `migrate()`)' : '';
  return new PostgresStoreError('query_failed', `castgate/postgres: ${operation} failed${hint}`, { cause: error });
}

/**
 * Runs `work` (one query) against a deadline and the caller's signal: settles with its answer, or
 * rejects with a {@link PostgresStoreError} when it fails, when `timeoutMs` passes, or when `signal`
 * aborts, whichever comes first. A query PostgreSQL aborted whole (a serialization failure or a
 * deadlock, SQLSTATE 40001 or 40P01: nothing of it stays) is sent again after a short random pause
 * while time remains, so such an error never reaches a visitor (castgate's statements meet none
 * under READ COMMITTED, the default; a host that makes SERIALIZABLE the default can). An answer that arrives after the caller was given up on goes to
 * `onLate` (which gives back what the query took); a late failure is absorbed. The timer is unref'd
 * so it never keeps the process alive.
 */
export function withDeadline<T>(
  operation: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  work: () => PromiseLike<T>,
  onLate?: (value: T) => void,
): Promise<T> {
  if (signal?.aborted === true) {
    return Promise.reject(new PostgresStoreError('aborted', `castgate/postgres: ${operation} aborted by the caller`, { cause: signal.reason }));
  }
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const givenUp = (): boolean => settled;
    const finish = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      return true;
    };
    const onAbort = (): void => {
      if (finish()) reject(new PostgresStoreError('aborted', `castgate/postgres: ${operation} aborted by the caller`, { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      if (finish()) reject(new PostgresStoreError('timeout', `castgate/postgres: ${operation} got no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    timer.unref();
    signal?.addEventListener('abort', onAbort, { once: true });

    const attempt = async (): Promise<T> => {
      for (let n = 1; ; n++) {
        try {
          return await work();
        } catch (error) {
          const state = sqlState(error);
          if (givenUp() || state === undefined || !retryableStates.has(state)) throw error;
        }
        await backoff(n);
        // Given up on meanwhile: send nothing more (the rejection was already answered).
        if (givenUp()) throw new PostgresStoreError('timeout', `castgate/postgres: ${operation} given up`);
      }
    };
    attempt().then(
      (value) => {
        if (finish()) resolve(value);
        else onLate?.(value);
      },
      (error: unknown) => {
        if (finish()) reject(failure(operation, error));
      },
    );
  });
}
