import type { CastConfig } from '../config/schema.js';
import {
  buildRedirectUrl,
  castErrorMessages,
  castErrorStatus,
  type CastDecision,
  type CastError,
  type CastErrorCode,
  type GuardDenial,
  type GuardTrace,
} from '../contract/decision.js';
import type { GuardName, GuardVerdict } from '../contract/guard.js';
import type { LaunchPlan } from '../contract/launch-plan.js';

// Where decisions and their trace entries are built: the pipeline and the request check before it
// both answer through here, so a denial has one shape whichever step made it.

/** Messages replaced per code (the evaluator option `messages`). */
export type MessageOverrides = Partial<Record<CastErrorCode, string>> | undefined;

/** The public error of a denial: the message (override, then the guard's, then the default) and the status. */
export function toError(denial: GuardDenial, messages: MessageOverrides): CastError {
  const { code } = denial;
  const message = messages?.[code] ?? denial.message ?? castErrorMessages[code];
  const error: { -readonly [K in keyof CastError]: CastError[K] } = { code, message, status: castErrorStatus[code] };
  if (code === 'rate_limited' && denial.retryAfterSeconds !== undefined) error.retryAfterSeconds = denial.retryAfterSeconds;
  if ((code === 'missing_parameter' || code === 'invalid_parameter') && denial.parameter !== undefined) error.parameter = denial.parameter;
  return error;
}

/**
 * Challenges, not final denials (SPEC §A): the visitor can still get in (solve the captcha, sign
 * in), so the host answers them itself and `errorUrl` never swallows them.
 */
const challengeCodes: ReadonlySet<CastErrorCode> = new Set(['captcha_required', 'captcha_failed', 'auth_required']);

/**
 * A denied decision: the error from the code tables, and `redirectUrl` when the config has `errorUrl`
 * and the denial is final (never for `captcha_required`, `captcha_failed` or `auth_required`).
 */
export function deniedDecision(
  decisionId: string,
  config: CastConfig,
  denial: GuardDenial,
  trace: GuardTrace[],
  messages: MessageOverrides,
): CastDecision {
  const error = toError(denial, messages);
  return config.errorUrl === undefined || challengeCodes.has(error.code)
    ? { allowed: false, decisionId, error, trace }
    : { allowed: false, decisionId, error, redirectUrl: buildRedirectUrl(config.errorUrl, error.code, error.message), trace };
}

/** An allowed decision from a `finish` verdict; its plan, or the facts gathered so far when it brings none. */
export function allowedDecision(
  decisionId: string,
  verdict: Extract<GuardVerdict, { verdict: 'finish' }>,
  gathered: Partial<LaunchPlan>,
  trace: GuardTrace[],
): CastDecision {
  // A finishing guard hands over the whole plan (built from the facts gathered so far).
  const launch = (verdict.launch ?? gathered) as LaunchPlan;
  return { allowed: true, decisionId, outcome: verdict.outcome, session: verdict.session, launch, trace };
}

/** One guard's trace entry: a `finish` reads as `pass`; a note is kept only when there is one. */
export function traceEntry(guard: GuardName, verdict: GuardVerdict, durationMs: number): GuardTrace {
  switch (verdict.verdict) {
    case 'pass':
      return verdict.note === undefined ? { guard, verdict: 'pass', durationMs } : { guard, verdict: 'pass', durationMs, note: verdict.note };
    case 'finish':
      return verdict.note === undefined ? { guard, verdict: 'pass', durationMs } : { guard, verdict: 'pass', durationMs, note: verdict.note };
    case 'skip':
      return { guard, verdict: 'skip', durationMs };
    case 'deny':
      return verdict.note === undefined
        ? { guard, verdict: 'deny', code: verdict.error.code, durationMs }
        : { guard, verdict: 'deny', code: verdict.error.code, durationMs, note: verdict.note };
  }
}
