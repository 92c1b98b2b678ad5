// Deadlines, in one vocabulary for the engine, the store backends and the captcha verifiers. This
// module imports nothing, so a store backend may import it (the one exception to "a backend imports
// only types from the core", see eslint.config.js).

/**
 * The longest delay `setTimeout` and `AbortSignal.timeout` accept, in milliseconds (2^31 - 1, about
 * 24.8 days); a longer one fires at once.
 */
export const maxTimerMs = 2_147_483_647;

// The default time limits, each above the one it waits on, so the inner one fires first and the
// outer one reports a cause rather than its own time-out:
//
//   evaluator captchaTimeoutMs 6000  >  verifier timeoutMs 5000   (the provider's own HTTP deadline)
//   evaluator storeTimeoutMs   2000  >  store commandTimeoutMs 1000 (one Redis or PostgreSQL command)

/** The evaluator's limit on one verifier call (`captchaTimeoutMs`), above {@link defaultVerifierTimeoutMs}. */
export const defaultCaptchaTimeoutMs = 6000;
/** A captcha verifier's own limit on its HTTP call (`timeoutMs` of `recaptchaVerifier` and the others). */
export const defaultVerifierTimeoutMs = 5000;
/** The evaluator's limit on one store or provisioner call (`storeTimeoutMs`), above {@link defaultCommandTimeoutMs}. */
export const defaultStoreTimeoutMs = 2000;
/** A store backend's limit on one command (`commandTimeoutMs` of `createRedisStores`). */
export const defaultCommandTimeoutMs = 1000;

/**
 * Why `value` is not a usable duration, as the end of a sentence naming `name` (`` `name` must
 * be … ``), or `undefined` when it is one: a finite number of milliseconds above zero and at most
 * {@link maxTimerMs}; with `whole`, also an integer.
 */
export function durationProblem(name: string, value: unknown, whole = false): string | undefined {
  const ok = typeof value === 'number' && (whole ? Number.isSafeInteger(value) : Number.isFinite(value)) && value > 0 && value <= maxTimerMs;
  if (ok) return undefined;
  return whole
    ? `\`${name}\` must be a whole number of milliseconds from 1 to ${maxTimerMs}`
    : `\`${name}\` must be a positive number of milliseconds, at most ${maxTimerMs}`;
}

/** The error a call that outlived its deadline fails with. */
export class DeadlineExceededError extends Error {
  override readonly name = 'DeadlineExceededError';
  readonly code = 'deadline_exceeded';
  constructor(readonly timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms`);
  }
}

/** The error a call fails with when the caller's signal aborted it first; `cause` is the signal's reason. */
export class CallAbortedError extends Error {
  override readonly name = 'CallAbortedError';
  readonly code = 'aborted';
  constructor(reason: unknown) {
    super('aborted by the caller', { cause: reason });
  }
}

/**
 * Something with a deadline (a `performance.now()` instant, which may move later while watched) and
 * what to do when it passes.
 */
export interface DeadlineWatched {
  readonly deadline: number;
  expire(): void;
  /** Whether it is watched now: set by {@link watchDeadline} and {@link unwatchDeadline} only. */
  watched?: boolean;
}

// Everything watched, and one timer for the earliest deadline. Watching costs an array push and a
// flag instead of a timer per call (the hot path makes several store calls per decision; a Set insert
// and delete cost more, as each hashed a fresh object). An entry unwatched stays in the array, marked,
// until the array is emptied (nothing watched), compacted (mostly stale) or walked by the timer. The
// timer keeps the process alive exactly while something is watched: a pending decision is never
// dropped by a process whose event loop ran out of other work (a CLI whose store never settles
// would otherwise exit with code 13 and no decision), and an idle process is never held open.
let watchedEntries: DeadlineWatched[] = [];
let watchedCount = 0;
let timer: ReturnType<typeof setTimeout> | undefined;
let timerAt = Number.POSITIVE_INFINITY;

/** Makes sure the shared timer fires no later than `at` (a `performance.now()` instant). */
export function armDeadline(at: number): void {
  if (timer !== undefined) {
    if (timerAt <= at) return;
    clearTimeout(timer);
  }
  timerAt = at;
  timer = setTimeout(fire, Math.min(maxTimerMs, Math.max(0, at - performance.now())));
  if (watchedCount === 0) timer.unref();
}

function fire(): void {
  timer = undefined;
  timerAt = Number.POSITIVE_INFINITY;
  const now = performance.now();
  let next = Number.POSITIVE_INFINITY;
  const due: DeadlineWatched[] = [];
  const waiting: DeadlineWatched[] = [];
  for (const entry of watchedEntries) {
    if (entry.watched !== true) continue;
    if (entry.deadline <= now) {
      due.push(entry);
    } else {
      waiting.push(entry);
      if (entry.deadline < next) next = entry.deadline;
    }
  }
  // Entries watched while the due ones expire join `waiting`, and arm the timer themselves.
  watchedEntries = waiting;
  for (const entry of due) {
    // One expiry may have unwatched another due entry: that one no longer expires.
    if (entry.watched !== true) continue;
    entry.watched = false;
    watchedCount--;
    entry.expire();
  }
  if (next !== Number.POSITIVE_INFINITY) armDeadline(next);
}

/** Starts watching `entry`: its `expire` runs once its deadline has passed, unless unwatched first. */
export function watchDeadline(entry: DeadlineWatched): void {
  if (entry.watched !== true) {
    entry.watched = true;
    watchedEntries.push(entry);
    if (++watchedCount === 1) timer?.ref();
  }
  armDeadline(entry.deadline);
}

/** Stops watching `entry`; with nothing left to watch, the timer no longer keeps the process alive. */
export function unwatchDeadline(entry: DeadlineWatched): void {
  if (entry.watched !== true) return;
  entry.watched = false;
  if (--watchedCount === 0) {
    timer?.unref();
    watchedEntries = [];
  } else if (watchedEntries.length > 2 * watchedCount + 64) {
    watchedEntries = watchedEntries.filter((other) => other.watched === true);
  }
}

/**
 * Settles like `promise`, or rejects with {@link DeadlineExceededError} after `timeoutMs` (calling
 * `onTimeout` first, e.g. to abort the call's signal). A non-`Error` rejection is wrapped in one. The
 * timer is shared; it keeps the process alive only while something is watched.
 */
export function withDeadline<T>(promise: PromiseLike<T>, timeoutMs: number, onTimeout?: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const entry: DeadlineWatched = {
      watched: false,
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

/**
 * Runs `work` (a store command) under a deadline and the caller's `signal`: settles with its answer,
 * or rejects with `work`'s own failure (also a synchronous throw), with {@link DeadlineExceededError}
 * once `timeoutMs` passes, or with {@link CallAbortedError} once `signal` aborts, whichever comes
 * first. An already aborted signal rejects without calling `work`. A late answer or failure is
 * absorbed (never an unhandled rejection).
 */
export function runWithDeadline<T>(work: () => PromiseLike<T>, timeoutMs: number, signal: AbortSignal | undefined): Promise<T> {
  if (signal?.aborted === true) return Promise.reject(new CallAbortedError(signal.reason));
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = (): boolean => {
      if (settled) return false;
      settled = true;
      unwatchDeadline(entry);
      signal?.removeEventListener('abort', onAbort);
      return true;
    };
    const onAbort = (): void => {
      if (finish()) reject(new CallAbortedError(signal?.reason));
    };
    const entry: DeadlineWatched = {
      watched: false,
      deadline: performance.now() + timeoutMs,
      expire: () => {
        if (finish()) reject(new DeadlineExceededError(timeoutMs));
      },
    };
    watchDeadline(entry);
    signal?.addEventListener('abort', onAbort, { once: true });
    // The executor turns a synchronous throw of `work` into a rejection.
    new Promise<T>((resolveWork) => {
      resolveWork(work());
    }).then(
      (value) => {
        if (finish()) resolve(value);
      },
      (error: unknown) => {
        // Passed on as it is: the caller keeps it as the `cause` of its own error.
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        if (finish()) reject(error);
      },
    );
  });
}

/**
 * A signal that aborts with {@link DeadlineExceededError} once `timeoutMs` passes, or with the
 * caller's reason once `signal` aborts, for a call that takes a signal (`fetch`). Call `clear()` when
 * the call is over, so nothing stays watched.
 */
export function deadlineSignal(timeoutMs: number, signal: AbortSignal | undefined): { readonly signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  const onAbort = (): void => {
    clear();
    controller.abort(signal?.reason);
  };
  const entry: DeadlineWatched = {
    watched: false,
    deadline: performance.now() + timeoutMs,
    expire: () => {
      signal?.removeEventListener('abort', onAbort);
      controller.abort(new DeadlineExceededError(timeoutMs));
    },
  };
  function clear(): void {
    unwatchDeadline(entry);
    signal?.removeEventListener('abort', onAbort);
  }
  if (signal?.aborted === true) {
    controller.abort(signal.reason);
  } else {
    watchDeadline(entry);
    signal?.addEventListener('abort', onAbort, { once: true });
  }
  return { signal: controller.signal, clear };
}
