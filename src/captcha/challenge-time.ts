import { parseIsoInstant } from '../net/iso-time.js';

/** How far in the future a `challenge_ts` may be (clock skew between us and the provider). */
export const challengeFutureSkewSeconds = 30;

/**
 * Reads a provider's `challenge_ts` (ISO 8601 with an offset, e.g. `2030-01-01T12:00:00Z` or
 * hCaptcha's `2030-01-01T12:00:00.000000Z`; the lenient syntax of `parseIsoInstant`) as epoch
 * milliseconds. Answers `undefined` for anything else: a non-string, no offset, impossible fields
 * such as `2030-02-30`.
 */
export function parseChallengeTimestamp(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = parseIsoInstant(value, 'lenient');
  return typeof ms === 'number' ? ms : undefined;
}

/**
 * Checks a provider's `challenge_ts` against the clock: it must parse, be at most
 * {@link challengeFutureSkewSeconds} in the future, and at most `maxAgeSeconds` old. Answers why it
 * fails, in castgate's words, or `undefined` when it passes.
 */
export function checkChallengeTime(value: unknown, nowMs: number, maxAgeSeconds: number): string | undefined {
  const challengeMs = parseChallengeTimestamp(value);
  if (challengeMs === undefined) return 'challenge timestamp is missing or invalid';
  if (challengeMs - nowMs > challengeFutureSkewSeconds * 1000) return 'challenge timestamp is in the future';
  if (nowMs - challengeMs > maxAgeSeconds * 1000) return `challenge is older than ${maxAgeSeconds} seconds`;
  return undefined;
}
