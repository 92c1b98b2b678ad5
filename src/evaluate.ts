import { systemClock, type Clock } from './clock.js';
import { isParsedCastConfig } from './config/parse.js';
import type { CastConfig } from './config/schema.js';
import {
  buildRedirectUrl,
  castErrorMessages,
  castErrorStatus,
  type CastDecision,
  type CastError,
  type CastErrorCode,
  type GuardDenial,
  type GuardTrace,
} from './decision.js';
import type { GiveBack, Guard, GuardContext, GuardVerdict } from './guard.js';
import { defaultGuards } from './guards/index.js';
import type { LaunchPlan } from './launch-plan.js';
import { normalizeRequest, type CastRequest, type NormalizedRequest } from './request.js';
import type { CastStores } from './stores/types.js';
import { DeadlineExceededError, withDeadline } from './timeout.js';

/**
 * Options of one evaluation: the fourth argument of {@link evaluateCast}, or given once to
 * {@link createCastEvaluator} (per-call options win).
 *
 * @example
 * ```ts
 * import type { EvaluateCastOptions } from 'castgate';
 * const options: EvaluateCastOptions = { messages: { rate_limited: 'Trop de demandes.' }, ipv6Prefix: 56, storeTimeoutMs: 500 };
 * ```
 */
export interface EvaluateCastOptions {
  /** Replaces default messages per code, e.g. to translate them. */
  readonly messages?: Partial<Record<CastErrorCode, string>>;
  /** How many leading bits of an IPv6 address make one rate-limit bucket (32–128). @defaultValue 64 */
  readonly ipv6Prefix?: number;
  /** A store, provisioner or verifier call that takes longer counts as failed. @defaultValue 2000 */
  readonly storeTimeoutMs?: number;
  /** Where the time comes from when a request has no `now`. @defaultValue the system clock */
  readonly clock?: Clock;
}

/**
 * Options of {@link createCastEvaluator}: the guard list and the defaults of every evaluation.
 *
 * @example
 * ```ts
 * import { createCastEvaluator, defaultGuards, type CastEvaluatorOptions } from 'castgate';
 * const options: CastEvaluatorOptions = { guards: defaultGuards, storeTimeoutMs: 1000 };
 * const evaluate = createCastEvaluator(options);
 * ```
 */
export interface CastEvaluatorOptions extends EvaluateCastOptions {
  /** The pipeline, in order. @defaultValue {@link defaultGuards} */
  readonly guards?: readonly Guard[];
}

/**
 * An evaluator: `(config, request, stores, options?) => Promise<CastDecision>`.
 *
 * @example
 * ```ts
 * import { createCastEvaluator, type CastEvaluator } from 'castgate';
 * const evaluate: CastEvaluator = createCastEvaluator();
 * ```
 */
export type CastEvaluator = (
  config: CastConfig,
  request: CastRequest,
  stores: CastStores,
  options?: EvaluateCastOptions,
) => Promise<CastDecision>;

interface Settings {
  readonly messages: Partial<Record<CastErrorCode, string>> | undefined;
  readonly ipv6Prefix: number;
  readonly storeTimeoutMs: number;
  readonly clock: Clock;
}

function resolveSettings(options: EvaluateCastOptions, base?: Settings): Settings {
  const ipv6Prefix = options.ipv6Prefix ?? base?.ipv6Prefix ?? 64;
  if (!Number.isInteger(ipv6Prefix) || ipv6Prefix < 32 || ipv6Prefix > 128) {
    throw new RangeError('castgate: ipv6Prefix must be a whole number from 32 to 128');
  }
  const storeTimeoutMs = options.storeTimeoutMs ?? base?.storeTimeoutMs ?? 2000;
  if (!Number.isFinite(storeTimeoutMs) || storeTimeoutMs <= 0 || storeTimeoutMs > 2_147_483_647) {
    throw new RangeError('castgate: storeTimeoutMs must be a positive number of milliseconds');
  }
  const clock = options.clock ?? base?.clock ?? systemClock;
  if (typeof clock !== 'function') throw new TypeError('castgate: clock must be a function returning a Date');
  const messages = options.messages === undefined ? base?.messages : { ...base?.messages, ...options.messages };
  return { messages, ipv6Prefix, storeTimeoutMs, clock };
}

function checkGuards(guards: unknown): readonly Guard[] {
  if (!Array.isArray(guards) || guards.length === 0) throw new TypeError('castgate: guards must be a non-empty array');
  const checked: Guard[] = [];
  for (const guard of guards as unknown[]) {
    const candidate = guard as Partial<Guard> | null;
    if (typeof candidate !== 'object' || candidate === null || typeof candidate.name !== 'string' || typeof candidate.check !== 'function') {
      throw new TypeError('castgate: every guard needs a string name and a check function');
    }
    checked.push(candidate as Guard);
  }
  return Object.freeze(checked);
}

function checkStores(stores: unknown, config: CastConfig): asserts stores is CastStores {
  const candidate = stores as Partial<CastStores> | null;
  if (typeof candidate !== 'object' || candidate === null) throw new TypeError('castgate: stores must be { rateLimit, quota, sessions, captcha? }');
  if (typeof candidate.rateLimit !== 'object' || typeof candidate.quota !== 'object' || typeof candidate.sessions !== 'object') {
    throw new TypeError('castgate: stores must be { rateLimit, quota, sessions, captcha? }');
  }
  if (config.requireCaptcha && config.allowAnonymous && candidate.captcha === undefined) {
    throw new TypeError(`castgate: config "${config.key}" has requireCaptcha, so stores.captcha is required`);
  }
}

class Context implements GuardContext {
  launch: Partial<LaunchPlan> = {};
  readonly nowMs: number;
  #controller: AbortController | undefined;

  constructor(
    readonly config: CastConfig,
    readonly request: NormalizedRequest,
    readonly stores: CastStores,
    private readonly timeoutMs: number,
  ) {
    this.nowMs = request.now.getTime();
  }

  get now(): Date {
    return this.request.now;
  }

  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    return this.#controller.signal;
  }

  /** Aborts the signal handed to the call that outlived its deadline (if any store asked for it). */
  readonly abortOnTimeout = (): void => {
    this.#controller?.abort(new DeadlineExceededError(this.timeoutMs));
  };
}

function isThenable(value: unknown): value is PromiseLike<GuardVerdict> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function toError(denial: GuardDenial, settings: Settings): CastError {
  const { code } = denial;
  const message = settings.messages?.[code] ?? denial.message ?? castErrorMessages[code];
  const error: { -readonly [K in keyof CastError]: CastError[K] } = { code, message, status: castErrorStatus[code] };
  if (code === 'rate_limited' && denial.retryAfterSeconds !== undefined) error.retryAfterSeconds = denial.retryAfterSeconds;
  if ((code === 'missing_parameter' || code === 'invalid_parameter') && denial.parameter !== undefined) error.parameter = denial.parameter;
  return error;
}

function denied(config: CastConfig, denial: GuardDenial, trace: GuardTrace[], settings: Settings): CastDecision {
  const error = toError(denial, settings);
  return config.errorUrl === undefined
    ? { allowed: false, error, trace }
    : { allowed: false, error, redirectUrl: buildRedirectUrl(config.errorUrl, error.code, error.message), trace };
}

async function giveBackAll(giveBacks: GiveBack[], timeoutMs: number): Promise<string> {
  let failed = 0;
  for (const giveBack of giveBacks.toReversed()) {
    try {
      await withDeadline(giveBack(), timeoutMs);
    } catch {
      failed++;
    }
  }
  return failed === 0 ? `gave back ${giveBacks.length} reservation(s)` : `give-back failed for ${failed} of ${giveBacks.length} reservation(s)`;
}

function traceEntry(guard: Guard, verdict: GuardVerdict, durationMs: number): GuardTrace {
  switch (verdict.verdict) {
    case 'pass':
      return verdict.note === undefined ? { guard: guard.name, verdict: 'pass', durationMs } : { guard: guard.name, verdict: 'pass', durationMs, note: verdict.note };
    case 'finish':
      return { guard: guard.name, verdict: 'pass', durationMs };
    case 'skip':
      return { guard: guard.name, verdict: 'skip', durationMs };
    case 'deny':
      return verdict.note === undefined
        ? { guard: guard.name, verdict: 'deny', code: verdict.error.code, durationMs }
        : { guard: guard.name, verdict: 'deny', code: verdict.error.code, durationMs, note: verdict.note };
  }
}

function failureVerdict(guard: Guard, error: unknown): GuardVerdict {
  const note = error instanceof DeadlineExceededError ? `timed out after ${error.timeoutMs} ms` : 'failed';
  return { verdict: 'deny', error: { code: guard.unavailableCode ?? 'store_unavailable' }, note };
}

/**
 * Creates an evaluator with its own guard list and defaults. The pipeline runs the guards in order,
 * traces each, turns a guard that throws or outlives `storeTimeoutMs` into its `unavailableCode`
 * (`store_unavailable` by default), and on any denial gives back, newest first, everything earlier
 * guards took. Throws `TypeError`/`RangeError` for bad options.
 *
 * @example
 * ```ts
 * import { createCastEvaluator, defaultGuards, deny, pass, type Guard } from 'castgate';
 * const officeHours: Guard = {
 *   name: 'officeHours',
 *   check: ({ now }) => (now.getUTCHours() >= 8 && now.getUTCHours() < 18 ? pass() : deny('invalid_request')),
 * };
 * const evaluate = createCastEvaluator({ guards: [officeHours, ...defaultGuards], storeTimeoutMs: 1000 });
 * ```
 */
export function createCastEvaluator(options: CastEvaluatorOptions = {}): CastEvaluator {
  const guards = checkGuards(options.guards ?? defaultGuards);
  const base = resolveSettings(options);

  return async function evaluate(config, request, stores, callOptions) {
    const settings = callOptions === undefined ? base : resolveSettings(callOptions, base);
    if (!isParsedCastConfig(config)) {
      throw new TypeError('castgate: config must come from parseCastConfig or fromKasmCastConfig');
    }
    checkStores(stores, config);
    const trace: GuardTrace[] = [];
    const started = performance.now();
    const normalized = normalizeRequest(request, settings.clock, settings.ipv6Prefix);
    if (normalized === null) {
      trace.push({ guard: 'request', verdict: 'deny', code: 'invalid_request', durationMs: performance.now() - started });
      return denied(config, { code: 'invalid_request' }, trace, settings);
    }
    const ctx = new Context(config, normalized, stores, settings.storeTimeoutMs);
    const giveBacks: GiveBack[] = [];
    let clock = performance.now();
    for (const guard of guards) {
      let verdict: GuardVerdict;
      try {
        const result = guard.check(ctx);
        verdict = isThenable(result) ? await withDeadline(result, settings.storeTimeoutMs, ctx.abortOnTimeout) : result;
      } catch (error) {
        verdict = failureVerdict(guard, error);
      }
      const finished = performance.now();
      const entry = traceEntry(guard, verdict, finished - clock);
      clock = finished;
      switch (verdict.verdict) {
        case 'skip':
          trace.push(entry);
          break;
        case 'pass':
          trace.push(entry);
          if (verdict.launch !== undefined) ctx.launch = { ...ctx.launch, ...verdict.launch };
          if (verdict.giveBack !== undefined) giveBacks.push(verdict.giveBack);
          break;
        case 'deny': {
          if (giveBacks.length > 0) {
            const note = await giveBackAll(giveBacks, settings.storeTimeoutMs);
            trace.push({ ...entry, note: entry.note === undefined ? note : `${entry.note}; ${note}` });
          } else {
            trace.push(entry);
          }
          return denied(config, verdict.error, trace, settings);
        }
        case 'finish': {
          trace.push(entry);
          const launch = verdict.launch === undefined ? ctx.launch : { ...ctx.launch, ...verdict.launch };
          return { allowed: true, outcome: verdict.outcome, session: verdict.session, launch: launch as LaunchPlan, trace };
        }
      }
    }
    await giveBackAll(giveBacks, settings.storeTimeoutMs);
    throw new TypeError('castgate: no guard finished the evaluation (a guard list needs provisionGuard last)');
  };
}

/**
 * Decides one request to a cast link: runs the default guards (SPEC §3) on a config from
 * {@link parseCastConfig}, the request and the stores. Resolves to a {@link CastDecision}; never
 * rejects for anything a request, a store or a verifier does (those become denials); rejects only
 * for programmer errors (a hand-made config, missing stores, bad options).
 *
 * @example
 * ```ts
 * import { createMemoryStores, evaluateCast, parseCastConfig } from 'castgate';
 * const config = parseCastConfig({ name: 'Demo', key: 'demo-0123456789abcdef', imageId: 'chrome', allowAnonymous: true });
 * const decision = await evaluateCast(config, { ip: '203.0.113.9' }, createMemoryStores());
 * if (decision.allowed) console.log(decision.launch.imageId);
 * else console.log(decision.error.code, decision.error.status);
 * ```
 */
export const evaluateCast: CastEvaluator = /* @__PURE__ */ createCastEvaluator();
