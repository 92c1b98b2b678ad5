/**
 * The error a call that outlived its deadline fails with.
 */
export class DeadlineExceededError extends Error {
  override readonly name = 'DeadlineExceededError';
  readonly code = 'deadline_exceeded';
  constructor(readonly timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms`);
  }
}

/**
 * Something with a deadline (a `performance.now()` instant, which may move later while watched) and
 * what to do when it passes.
 */
export interface DeadlineWatched {
  readonly deadline: number;
  expire(): void;
}

// Everything watched, and one unref'd timer for the earliest deadline. Watching costs a Set insert
// and delete instead of a timer per call (the hot path makes several store calls per decision).
let watchedEntries: Set<DeadlineWatched> | undefined;
let timer: ReturnType<typeof setTimeout> | undefined;
let timerAt = Number.POSITIVE_INFINITY;

/** Makes sure the shared timer fires no later than `at` (a `performance.now()` instant). */
export function armDeadline(at: number): void {
  if (timer !== undefined) {
    if (timerAt <= at) return;
    clearTimeout(timer);
  }
  timerAt = at;
  timer = setTimeout(fire, Math.max(0, at - performance.now()));
  timer.unref();
}

function fire(): void {
  timer = undefined;
  timerAt = Number.POSITIVE_INFINITY;
  const watched = watchedEntries;
  if (watched === undefined) return;
  const now = performance.now();
  let next = Number.POSITIVE_INFINITY;
  for (const entry of watched) {
    if (entry.deadline <= now) {
      watched.delete(entry);
      entry.expire();
    } else if (entry.deadline < next) {
      next = entry.deadline;
    }
  }
  if (next !== Number.POSITIVE_INFINITY) armDeadline(next);
}

/** Starts watching `entry`: its `expire` runs once its deadline has passed, unless unwatched first. */
export function watchDeadline(entry: DeadlineWatched): void {
  (watchedEntries ??= new Set()).add(entry);
  armDeadline(entry.deadline);
}

/** Stops watching `entry`. */
export function unwatchDeadline(entry: DeadlineWatched): void {
  watchedEntries?.delete(entry);
}

/**
 * Settles like `promise`, or rejects with {@link DeadlineExceededError} after `timeoutMs` (calling
 * `onTimeout` first, e.g. to abort the call's signal). The timer is shared and unref'd: it never
 * keeps a process alive.
 */
export function withDeadline<T>(promise: PromiseLike<T>, timeoutMs: number, onTimeout?: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const entry: DeadlineWatched = {
      deadline: performance.now() + timeoutMs,
      expire: () => {
        onTimeout?.();
        reject(new DeadlineExceededError(timeoutMs));
      },
    };
    watchDeadline(entry);
    promise.then(
      (value) => {
        unwatchDeadline(entry);
        resolve(value);
      },
      (error: unknown) => {
        unwatchDeadline(entry);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
