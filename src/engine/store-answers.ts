// What the engine accepts from a store (SPEC §A): only answers the contract allows. Anything else
// (a `{ ok: false }` without a finite `retryAfterMs`, a negative remaining count, another user's
// session) is a store failure, so the pipeline answers `store_unavailable` and no NaN, no stranger's
// session and no half-answer ever reaches a decision.

/**
 * Thrown by the answer checks below when a store answers outside its contract; the pipeline turns it
 * into the guard's unavailable code (`store_unavailable`), as it does a rejection.
 */
export class StoreAnswerError extends Error {
  override readonly name = 'StoreAnswerError';
  constructor(readonly store: string) {
    super(`castgate: ${store} answered outside its contract`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isWaitMs(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/** A `RateLimitStore.take` answer: `{ ok: true, reservation }` or `{ ok: false, retryAfterMs }` (finite, ≥ 0). */
export function checkTaken(answer: unknown): { ok: true; reservation: string } | { ok: false; retryAfterMs: number } {
  if (isRecord(answer)) {
    if (answer.ok === true && typeof answer.reservation === 'string') return { ok: true, reservation: answer.reservation };
    if (answer.ok === false && isWaitMs(answer.retryAfterMs)) return { ok: false, retryAfterMs: answer.retryAfterMs };
  }
  throw new StoreAnswerError('rateLimit.take');
}

/** A `RateLimitStore.peek` answer: `full` a boolean; when full, a finite `retryAfterMs` ≥ 0. */
export function checkPeeked(answer: unknown): { full: boolean; retryAfterMs: number } {
  if (isRecord(answer)) {
    if (answer.full === false) return { full: false, retryAfterMs: 0 };
    if (answer.full === true && isWaitMs(answer.retryAfterMs)) return { full: true, retryAfterMs: answer.retryAfterMs };
  }
  throw new StoreAnswerError('rateLimit.peek');
}

/** A `QuotaStore.take` answer: `{ ok: true, reservation }` or `{ ok: false }`. */
export function checkQuotaTaken(answer: unknown): { ok: true; reservation: string } | { ok: false } {
  if (isRecord(answer)) {
    if (answer.ok === true && typeof answer.reservation === 'string') return { ok: true, reservation: answer.reservation };
    if (answer.ok === false) return { ok: false };
  }
  throw new StoreAnswerError('quota.take');
}

/** A `QuotaStore.remaining` answer: a non-negative safe integer, or `undefined` (never used); `null` reads as `undefined`. */
export function checkRemaining(answer: unknown): number | undefined {
  if (answer === undefined || answer === null) return undefined;
  if (typeof answer === 'number' && Number.isSafeInteger(answer) && answer >= 0) return answer;
  throw new StoreAnswerError('quota.remaining');
}

/**
 * A `SessionProvisioner.findRunning` answer for `userId`: `null` or `undefined` when none is running;
 * else a non-empty string `id`, the request's own `userId`, and a `dockerNetwork` that is a string
 * when given. Anything else is never resumed.
 */
export function checkRunning(answer: unknown, userId: string): { id: string; userId: string; dockerNetwork?: string } | null {
  if (answer === undefined || answer === null) return null;
  if (isRecord(answer) && typeof answer.id === 'string' && answer.id !== '' && answer.userId === userId) {
    const { dockerNetwork } = answer;
    if (dockerNetwork === undefined || dockerNetwork === null) return { id: answer.id, userId };
    if (typeof dockerNetwork === 'string' && dockerNetwork !== '') return { id: answer.id, userId, dockerNetwork };
  }
  throw new StoreAnswerError('sessions.findRunning');
}
