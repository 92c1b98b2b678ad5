import { inspect } from 'node:util';
import { expect } from 'vitest';
import { isCaptchaUnavailableError, type CaptchaUnavailableError, type CaptchaUnavailableReason } from '../../src/captcha/errors.js';
import type { CaptchaResult } from '../../src/contract/stores.js';

/** A secret and a token distinctive enough that finding them anywhere is a leak. */
export const SECRET = 'sk-live-SECRET-7f3a9c1e';
export const TOKEN = '0.TOKEN-4b1d_e9Q.ab12';

/** The fixed instant the verifiers' clock reads in these tests, and timestamps around it. */
export const NOW = new Date('2030-01-01T12:00:00Z');
export const clock = (): Date => NOW;
export const secondsBefore = (seconds: number): string => new Date(NOW.getTime() - seconds * 1000).toISOString();

/** Fails when `value` (an error with its stack and properties, or a result) mentions the secret or the token. */
export function expectNoSecrets(value: unknown): void {
  const text = value instanceof Error ? `${inspect(value, { depth: 6 })}\n${value.stack ?? ''}\n${String(value)}` : JSON.stringify(value);
  expect(text).not.toContain(SECRET);
  expect(text).not.toContain(TOKEN);
}

/** Awaits a verification that must reject with a CaptchaUnavailableError for `reason`, leaking nothing. */
export async function expectUnavailable(
  verification: Promise<CaptchaResult>,
  reason: CaptchaUnavailableReason,
): Promise<CaptchaUnavailableError> {
  const outcome = await verification.then(
    (result) => ({ resolved: result }),
    (error: unknown) => ({ rejected: error }),
  );
  if ('resolved' in outcome) throw new Error(`expected a rejection (${reason}), got ${JSON.stringify(outcome.resolved)}`);
  const error = outcome.rejected;
  if (!isCaptchaUnavailableError(error)) throw new Error(`expected a CaptchaUnavailableError, got ${String(error)}`);
  expect(error.code).toBe('captcha_unavailable');
  expect(error.reason).toBe(reason);
  expectNoSecrets(error);
  return error;
}

/** Awaits a verification that must resolve with `success: false`, leaking nothing. */
export async function expectRefused(verification: Promise<CaptchaResult>): Promise<CaptchaResult> {
  const result = await verification;
  expect(result.success).toBe(false);
  expect(typeof result.reason).toBe('string');
  expectNoSecrets(result);
  return result;
}
