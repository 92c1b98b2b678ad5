import type { CastConfig } from '../config/schema.js';
import type { CastErrorCode, GuardDenial, SessionRef } from './decision.js';
import type { LaunchPlan } from './launch-plan.js';
import type { NormalizedRequest } from './request.js';
import type { CastStores } from './stores.js';

// The built-in guards' names, in their default order: the one list `GuardName` and `defaultGuards` follow.
export const builtInGuardNames = [
  'expiry',
  'referrer',
  'signedLink',
  'authentication',
  'parameters',
  'captcha',
  'resume',
  'rateLimit',
  'quota',
  'liveSessions',
  'provision',
] as const;

/** The name of one of the built-in guards. */
export type BuiltInGuardName = (typeof builtInGuardNames)[number];

/**
 * A guard's name. The built-in names autocomplete; custom guards may use any other string.
 *
 * @example
 * ```ts
 * import type { GuardName } from 'castgate';
 * const name: GuardName = 'businessHours';
 * ```
 */
export type GuardName = BuiltInGuardName | (string & {});

/**
 * Gives back what a guard took (a rate-limit slot, a quota unit). Called by the pipeline, newest
 * first, when a later guard denies or fails. Must be idempotent.
 *
 * @example
 * ```ts
 * import { pass, type GiveBack } from 'castgate';
 * const seats = new Set<string>();
 * const release: GiveBack = async () => { seats.delete('seat-7'); };
 * const verdict = pass({ giveBack: release });
 * ```
 */
export type GiveBack = () => Promise<void>;

/**
 * What the pipeline hands every guard: the parsed config, the normalised request, the one instant
 * of the decision, the stores, what earlier guards established for the launch plan, and an
 * `AbortSignal` that is aborted when the guard's time (`storeTimeoutMs`) is up.
 *
 * @example
 * ```ts
 * import type { GuardContext } from 'castgate';
 * const isWeekend = (ctx: GuardContext) => [0, 6].includes(ctx.now.getUTCDay());
 * ```
 */
export interface GuardContext {
  readonly config: CastConfig;
  readonly request: NormalizedRequest;
  readonly now: Date;
  readonly nowMs: number;
  readonly stores: CastStores;
  readonly launch: Readonly<Partial<LaunchPlan>>;
  readonly signal: AbortSignal;
}

/**
 * A guard's answer: `pass` (optionally adding to the launch plan and saying how to give back what it
 * took), `skip` (nothing to check), `deny` with a code, or `finish` (the decision is made: a session
 * was created or resumed).
 *
 * @example
 * ```ts
 * import { deny, pass, type GuardVerdict } from 'castgate';
 * const verdict: GuardVerdict = Math.random() > 0.5 ? pass() : deny('invalid_request');
 * ```
 */
export type GuardVerdict =
  | { readonly verdict: 'pass'; readonly launch?: Partial<LaunchPlan>; readonly giveBack?: GiveBack; readonly note?: string }
  | { readonly verdict: 'skip' }
  | { readonly verdict: 'deny'; readonly error: GuardDenial; readonly note?: string }
  | {
      readonly verdict: 'finish';
      readonly outcome: 'created' | 'resumed';
      readonly session: SessionRef;
      readonly launch?: Partial<LaunchPlan>;
      readonly note?: string;
    };

/**
 * One step of the pipeline: a name and a `check` over the context. The pipeline, not the guard,
 * handles time-outs, failures (a throwing or timed-out `check` becomes `unavailableCode`), tracing
 * and giving back.
 *
 * @example
 * ```ts
 * import { createCastEvaluator, defaultGuards, deny, pass, type Guard } from 'castgate';
 * const weekdaysOnly: Guard = {
 *   name: 'weekdaysOnly',
 *   check: ({ now }) => ([0, 6].includes(now.getUTCDay()) ? deny('invalid_request') : pass()),
 * };
 * const evaluate = createCastEvaluator({ guards: [weekdaysOnly, ...defaultGuards] });
 * ```
 */
export interface Guard {
  readonly name: GuardName;
  /** The code used when `check` throws or times out. @defaultValue `'store_unavailable'` */
  readonly unavailableCode?: CastErrorCode;
  check(ctx: GuardContext): GuardVerdict | Promise<GuardVerdict>;
}

const passVerdict: GuardVerdict = Object.freeze({ verdict: 'pass' });
const skipVerdict: GuardVerdict = Object.freeze({ verdict: 'skip' });

/**
 * A `pass` verdict, optionally with launch-plan facts, a give-back and a trace note.
 *
 * @example
 * ```ts
 * import { pass } from 'castgate';
 * pass({ launch: { dockerNetwork: 'kiosk' } });
 * ```
 */
export function pass(extra?: { launch?: Partial<LaunchPlan>; giveBack?: GiveBack; note?: string }): GuardVerdict {
  if (extra === undefined) return passVerdict;
  // Built field by field (not spread) so every pass verdict has one shape.
  const verdict: { verdict: 'pass'; launch?: Partial<LaunchPlan>; giveBack?: GiveBack; note?: string } = { verdict: 'pass' };
  if (extra.launch !== undefined) verdict.launch = extra.launch;
  if (extra.giveBack !== undefined) verdict.giveBack = extra.giveBack;
  if (extra.note !== undefined) verdict.note = extra.note;
  return verdict;
}

/**
 * A `skip` verdict: the guard had nothing to check.
 *
 * @example
 * ```ts
 * import { skip } from 'castgate';
 * skip();
 * ```
 */
export function skip(): GuardVerdict {
  return skipVerdict;
}

/**
 * What {@link deny} takes besides the code: a message and a trace note for every code, `parameter`
 * only for `missing_parameter`/`invalid_parameter`, `retryAfterSeconds` only for `rate_limited` (a
 * field another code cannot carry is a compile error, not silently dropped).
 *
 * @example
 * ```ts
 * import type { DenyDetails } from 'castgate';
 * const details: DenyDetails<'rate_limited'> = { retryAfterSeconds: 30, note: 'bucket full' };
 * ```
 */
export type DenyDetails<C extends CastErrorCode> = { readonly message?: string; readonly note?: string } & (C extends 'rate_limited'
  ? { readonly retryAfterSeconds?: number }
  : C extends 'missing_parameter' | 'invalid_parameter'
    ? { readonly parameter?: string }
    : unknown);

/**
 * A `deny` verdict with a code and the code's own fields.
 *
 * @example
 * ```ts
 * import { deny } from 'castgate';
 * deny('invalid_parameter', { parameter: 'file' });
 * deny('rate_limited', { retryAfterSeconds: 30 });
 * ```
 */
export function deny<C extends CastErrorCode>(code: C, details?: DenyDetails<C>): GuardVerdict {
  if (details === undefined) return { verdict: 'deny', error: { code } };
  const { note, ...fields } = details as { note?: string; message?: string; parameter?: string; retryAfterSeconds?: number };
  return note === undefined ? { verdict: 'deny', error: { code, ...fields } } : { verdict: 'deny', error: { code, ...fields }, note };
}

/**
 * A `finish` verdict: the decision is made, a session was `created` or `resumed`. Without `launch`,
 * the plan is the facts earlier guards established.
 *
 * @example
 * ```ts
 * import { finish, type Guard } from 'castgate';
 * const alwaysResume: Guard = { name: 'alwaysResume', check: () => finish('resumed', { id: 's-1', userId: 'u-1' }) };
 * ```
 */
export function finish(outcome: 'created' | 'resumed', session: SessionRef, launch?: Partial<LaunchPlan>): GuardVerdict {
  return launch === undefined ? { verdict: 'finish', outcome, session } : { verdict: 'finish', outcome, session, launch };
}
