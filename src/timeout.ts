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

interface Watched {
  readonly deadline: number;
  readonly expire: () => void;
}

// Every call in flight with its deadline, and one unref'd timer for the earliest. A call that
// settles in time costs a Set insert and delete instead of a timer of its own (the hot path runs
// several store calls per decision).
let watchedCalls: Set<Watched> | undefined;
let timer: ReturnType<typeof setTimeout> | undefined;
let timerAt = Number.POSITIVE_INFINITY;

function arm(at: number): void {
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
  const now = performance.now();
  let next = Number.POSITIVE_INFINITY;
  const watched = watchedCalls ?? new Set<Watched>();
  for (const entry of watched) {
    if (entry.deadline <= now) {
      watched.delete(entry);
      entry.expire();
    } else if (entry.deadline < next) {
      next = entry.deadline;
    }
  }
  if (next !== Number.POSITIVE_INFINITY) arm(next);
}

/**
 * Settles like `promise`, or rejects with {@link DeadlineExceededError} after `timeoutMs` (calling
 * `onTimeout` first, e.g. to abort the call's signal). The one place a deadline is enforced. The
 * timer is shared and unref'd: it never keeps a process alive.
 */
export function withDeadline<T>(promise: PromiseLike<T>, timeoutMs: number, onTimeout?: () => void): Promise<T> {
  const watched = (watchedCalls ??= new Set());
  return new Promise<T>((resolve, reject) => {
    const entry: Watched = {
      deadline: performance.now() + timeoutMs,
      expire: () => {
        onTimeout?.();
        reject(new DeadlineExceededError(timeoutMs));
      },
    };
    watched.add(entry);
    arm(entry.deadline);
    promise.then(
      (value) => {
        watched.delete(entry);
        resolve(value);
      },
      (error: unknown) => {
        watched.delete(entry);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
