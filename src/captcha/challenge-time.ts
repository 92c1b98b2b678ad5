/** How far in the future a `challenge_ts` may be (clock skew between us and the provider). */
export const challengeFutureSkewSeconds = 30;

const isoInstant = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d{2}):?(\d{2}))$/i;

/**
 * Reads a provider's `challenge_ts` (ISO 8601 with an offset, e.g. `2030-01-01T12:00:00Z` or
 * hCaptcha's `2030-01-01T12:00:00.000000Z`) as epoch milliseconds. Answers `undefined` for anything
 * else: a non-string, no offset, impossible fields such as `2030-02-30`.
 */
export function parseChallengeTimestamp(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = isoInstant.exec(value);
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second, fraction = '', zulu, sign, offsetHours, offsetMinutes] = match;
  const fields = [year, month, day, hour, minute, second].map(Number) as [number, number, number, number, number, number];
  const [y, mo, d, h, mi, s] = fields;
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  const lastDay = new Date(0);
  lastDay.setUTCFullYear(y, mo, 0);
  if (d > lastDay.getUTCDate()) return undefined;
  let offsetMs = 0;
  if (zulu === undefined) {
    const oh = Number(offsetHours);
    const om = Number(offsetMinutes);
    if (oh > 23 || om > 59) return undefined;
    offsetMs = (sign === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  const millis = Number(fraction.padEnd(3, '0').slice(0, 3));
  const utc = new Date(0);
  utc.setUTCFullYear(y, mo - 1, d);
  utc.setUTCHours(h, mi, s, millis);
  return utc.getTime() - offsetMs;
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
