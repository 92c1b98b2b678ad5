import { systemClock, type Clock } from '../contract/clock.js';
import { isParsedCastConfig } from '../config/parse.js';
import type { CastConfig } from '../config/schema.js';
import type { CastDecision, CastErrorCode, GuardTrace } from '../contract/decision.js';
import type { Guard } from '../contract/guard.js';
import { defaultGuards } from '../guards/index.js';
import { defaultCaptchaFailuresPerClient } from './context.js';
import { deniedDecision } from './decision-builder.js';
import { nextDecisionId } from './decision-id.js';
import { defaultCaptchaTimeoutMs, defaultStoreTimeoutMs, durationProblem } from './deadline.js';
import { decisionEvent, notifyDecision, type CastDecisionHook } from './events.js';
import { Run } from './pipeline.js';
import { normalizeRequest, type CastRequest, type NormalizedRequest } from '../contract/request.js';
import type { CastStores } from '../contract/stores.js';
import { checkLinkKeys } from '../signed-links/secret.js';
import { checkLeaseTtlMs, defaultLeaseTtlMs } from './session-leases.js';

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
  /** A store or provisioner call that takes longer counts as failed. @defaultValue 2000 */
  readonly storeTimeoutMs?: number;
  /**
   * A captcha verifier call that takes longer counts as failed (`captcha_unavailable`). Above the
   * verifiers' own `timeoutMs` (5000) by default, so theirs fires first. @defaultValue 6000
   */
  readonly captchaTimeoutMs?: number;
  /** Where the time comes from when a request has no `now`. @defaultValue the system clock */
  readonly clock?: Clock;
  /**
   * How many failed captchas (`captcha_failed`, with or without a provider call) one client bucket
   * may have within the config's `ipRateLimit.withinSeconds` (600 s without one) before it is
   * `rate_limited` without a provider call. A success does not reset it. A whole number ≥ 1.
   * @defaultValue 5
   */
  readonly captchaFailuresPerClient?: number;
  /**
   * Called once per decision with its {@link CastDecisionEvent} (masked client, code, durations,
   * trace; never the raw address, a token, a secret or a user id), before the evaluation resolves.
   * A hook that throws, rejects or never settles changes and delays nothing.
   */
  readonly onDecision?: CastDecisionHook;
  /**
   * The keys that verify signed links (SPEC §16): kid → secret (a string or bytes, at least 32
   * bytes). Two kids at once let you rotate. Required by configs with `requireSignedLink`.
   */
  readonly linkKeys?: Readonly<Record<string, string | Uint8Array>>;
  /**
   * How long a live-session lease lasts after its last renewal (SPEC §16): the host renews it with
   * `renewCastSession` while the session runs. @defaultValue 120_000
   */
  readonly leaseTtlMs?: number;
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
  readonly captchaTimeoutMs: number;
  readonly clock: Clock;
  readonly captchaFailuresPerClient: number;
  readonly onDecision: CastDecisionHook | undefined;
  readonly linkKeys: ReadonlyMap<string, Uint8Array>;
  readonly leaseTtlMs: number;
}

const noLinkKeys: ReadonlyMap<string, Uint8Array> = new Map();

function resolveSettings(options: EvaluateCastOptions, base?: Settings): Settings {
  const ipv6Prefix = options.ipv6Prefix ?? base?.ipv6Prefix ?? 64;
  if (!Number.isInteger(ipv6Prefix) || ipv6Prefix < 32 || ipv6Prefix > 128) {
    throw new RangeError('castgate: ipv6Prefix must be a whole number from 32 to 128');
  }
  const storeTimeoutMs = options.storeTimeoutMs ?? base?.storeTimeoutMs ?? defaultStoreTimeoutMs;
  const problem = durationProblem('storeTimeoutMs', storeTimeoutMs);
  if (problem !== undefined) throw new RangeError(`castgate: ${problem}`);
  const captchaTimeoutMs = options.captchaTimeoutMs ?? base?.captchaTimeoutMs ?? defaultCaptchaTimeoutMs;
  const captchaProblem = durationProblem('captchaTimeoutMs', captchaTimeoutMs);
  if (captchaProblem !== undefined) throw new RangeError(`castgate: ${captchaProblem}`);
  const clock = options.clock ?? base?.clock ?? systemClock;
  if (typeof clock !== 'function') throw new TypeError('castgate: clock must be a function returning a Date');
  const messages = options.messages === undefined ? base?.messages : { ...base?.messages, ...options.messages };
  const captchaFailuresPerClient = options.captchaFailuresPerClient ?? base?.captchaFailuresPerClient ?? defaultCaptchaFailuresPerClient;
  if (!Number.isSafeInteger(captchaFailuresPerClient) || captchaFailuresPerClient < 1 || captchaFailuresPerClient > 10_000) {
    throw new RangeError('castgate: captchaFailuresPerClient must be a whole number from 1 to 10000');
  }
  const onDecision = options.onDecision ?? base?.onDecision;
  if (onDecision !== undefined && typeof onDecision !== 'function') throw new TypeError('castgate: onDecision must be a function');
  const linkKeys = options.linkKeys === undefined ? (base?.linkKeys ?? noLinkKeys) : checkLinkKeys(options.linkKeys);
  const leaseTtlMs = options.leaseTtlMs === undefined ? (base?.leaseTtlMs ?? defaultLeaseTtlMs) : checkLeaseTtlMs(options.leaseTtlMs);
  return { messages, ipv6Prefix, storeTimeoutMs, captchaTimeoutMs, clock, captchaFailuresPerClient, onDecision, linkKeys, leaseTtlMs };
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
  if (typeof candidate !== 'object' || candidate === null) throw new TypeError('castgate: stores must be { rateLimit, quota, sessions, captcha?, leases? }');
  if (typeof candidate.rateLimit !== 'object' || typeof candidate.quota !== 'object' || typeof candidate.sessions !== 'object') {
    throw new TypeError('castgate: stores must be { rateLimit, quota, sessions, captcha?, leases? }');
  }
  if (config.requireCaptcha && config.allowAnonymous && candidate.captcha === undefined) {
    throw new TypeError(`castgate: config "${config.key}" has requireCaptcha, so stores.captcha is required`);
  }
  if ((config.maxLiveSessions !== undefined || config.maxLiveSessionsPerClient !== undefined) && typeof candidate.leases !== 'object') {
    throw new TypeError(`castgate: config "${config.key}" caps live sessions, so stores.leases is required`);
  }
}

function checkLinkSettings(settings: Settings, config: CastConfig): void {
  if (config.requireSignedLink && settings.linkKeys.size === 0) {
    throw new TypeError(`castgate: config "${config.key}" has requireSignedLink, so the evaluator needs linkKeys`);
  }
}

/**
 * Creates an evaluator with its own guard list and defaults. The pipeline runs the guards in order,
 * traces each, turns a guard that throws or outlives `storeTimeoutMs` (a verifier call:
 * `captchaTimeoutMs`) into its `unavailableCode`
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

  return function evaluate(config, request, stores, callOptions) {
    let settings: Settings;
    try {
      settings = callOptions === undefined ? base : resolveSettings(callOptions, base);
      if (!isParsedCastConfig(config)) {
        throw new TypeError('castgate: config must come from parseCastConfig or fromKasmCastConfig');
      }
      checkStores(stores, config);
      checkLinkSettings(settings, config);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const started = performance.now();
    let normalized: NormalizedRequest | null;
    try {
      normalized = normalizeRequest(request, settings.clock, settings.ipv6Prefix);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const decisionId = nextDecisionId();
    const { onDecision } = settings;
    if (normalized === null) {
      const trace: GuardTrace[] = [{ guard: 'request', verdict: 'deny', code: 'invalid_request', durationMs: performance.now() - started }];
      const decision = deniedDecision(decisionId, config, { code: 'invalid_request' }, trace, settings.messages);
      if (onDecision !== undefined) notifyDecision(onDecision, decisionEvent(decision, config.key, request, performance.now() - started));
      return Promise.resolve(decision);
    }
    const decided = new Run(config, normalized, stores, guards, settings, decisionId).start(started);
    if (onDecision === undefined) return decided;
    return decided.then((decision) => {
      notifyDecision(onDecision, decisionEvent(decision, config.key, request, performance.now() - started));
      return decision;
    });
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
