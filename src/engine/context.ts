import type { CastConfig } from '../config/schema.js';
import type { CastErrorCode } from '../contract/decision.js';
import type { GuardContext } from '../contract/guard.js';
import type { LaunchPlan } from '../contract/launch-plan.js';
import type { NormalizedRequest } from '../contract/request.js';
import type { CastStores, LeaseRef } from '../contract/stores.js';
import { defaultLeaseTtlMs } from './session-leases.js';

/** The evaluator options some built-in guards read (SPEC §16); never shown to guards as such. */
export interface GuardSettings {
  /** `linkKeys`, checked: kid → secret bytes. */
  readonly linkKeys: ReadonlyMap<string, Uint8Array>;
  readonly leaseTtlMs: number;
}

const noLinkKeys: ReadonlyMap<string, Uint8Array> = new Map();
const defaultGuardSettings: GuardSettings = { linkKeys: noLinkKeys, leaseTtlMs: defaultLeaseTtlMs };

/** The evaluator option `captchaFailuresPerClient` when none is given (SPEC §A). */
export const defaultCaptchaFailuresPerClient = 5;

/**
 * What one evaluation shows its guards, and nothing more: no way back to the loop that runs them. The
 * pipeline writes the launch facts and aborts the signal; guards only read.
 */
export class EvaluationContext implements GuardContext {
  /** The launch-plan facts guards established so far (the pipeline adds to it; guards see it read-only). */
  readonly launch: Partial<LaunchPlan> = {};
  readonly nowMs: number;
  #controller: AbortController | undefined;
  #unavailableCode: CastErrorCode | undefined;
  readonly #captchaFailuresPerClient: number;
  readonly #settings: GuardSettings;
  #heldLeases: LeaseRef[] | undefined;
  #onVerifierCall: (() => void) | undefined;
  /** The guards' record of this evaluation's quota unit (guards/admitted-units.ts owns its shape). */
  #unit: unknown;

  constructor(
    readonly config: CastConfig,
    readonly request: NormalizedRequest,
    readonly stores: CastStores,
    captchaFailuresPerClient: number = defaultCaptchaFailuresPerClient,
    settings: GuardSettings = defaultGuardSettings,
  ) {
    this.nowMs = request.now.getTime();
    this.#captchaFailuresPerClient = captchaFailuresPerClient;
    this.#settings = settings;
  }

  /** The evaluator option `captchaFailuresPerClient` of this evaluation. */
  static captchaFailuresPerClientOf(ctx: EvaluationContext): number {
    return ctx.#captchaFailuresPerClient;
  }

  get now(): Date {
    return this.request.now;
  }

  // Made on first read: an AbortController costs more than a memory store's whole call.
  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    return this.#controller.signal;
  }

  /** Aborts the signal of the guard in flight (its time is up). For the pipeline only. */
  static abort(ctx: EvaluationContext, reason: unknown): void {
    ctx.#controller?.abort(reason);
  }

  /** The code the call in flight fails with, if its guard named one (see {@link unavailableAs}). For the pipeline only. */
  static unavailableCodeOf(ctx: EvaluationContext): CastErrorCode | undefined {
    return ctx.#unavailableCode;
  }

  /** Sets (or, with `undefined` when a guard has answered, forgets) the code of the call in flight. */
  static setUnavailableCode(ctx: EvaluationContext, code: CastErrorCode | undefined): void {
    ctx.#unavailableCode = code;
  }

  /** What the quota guards recorded of this evaluation's unit. For guards/admitted-units.ts only. */
  static unitOf(ctx: EvaluationContext): unknown {
    return ctx.#unit;
  }

  /** Records this evaluation's quota unit. For guards/admitted-units.ts only. */
  static setUnit(ctx: EvaluationContext, unit: unknown): void {
    ctx.#unit = unit;
  }

  /** The evaluator options built-in guards read. */
  static settingsOf(ctx: EvaluationContext): GuardSettings {
    return ctx.#settings;
  }

  /** What the pipeline does when a guard is about to call the captcha verifier (it moves the deadline). */
  static setVerifierCallHook(ctx: EvaluationContext, hook: () => void): void {
    ctx.#onVerifierCall = hook;
  }

  /** Tells the pipeline the guard's next call is the captcha verifier's. */
  static verifierCall(ctx: EvaluationContext): void {
    ctx.#onVerifierCall?.();
  }

  /** Records leases a guard holds for the session about to start (the pipeline binds them to it). */
  static hold(ctx: EvaluationContext, leases: readonly LeaseRef[]): void {
    (ctx.#heldLeases ??= []).push(...leases);
  }

  /** The leases held for the session about to start, if any. For the pipeline only. */
  static heldLeasesOf(ctx: EvaluationContext): readonly LeaseRef[] | undefined {
    return ctx.#heldLeases;
  }
}

/** The evaluator's `linkKeys` (empty for a context the pipeline did not make). */
export function linkKeysOf(ctx: GuardContext): ReadonlyMap<string, Uint8Array> {
  return ctx instanceof EvaluationContext ? EvaluationContext.settingsOf(ctx).linkKeys : noLinkKeys;
}

/** The evaluator's `leaseTtlMs` (the default for a context the pipeline did not make). */
export function leaseTtlMsOf(ctx: GuardContext): number {
  return ctx instanceof EvaluationContext ? EvaluationContext.settingsOf(ctx).leaseTtlMs : defaultLeaseTtlMs;
}

/**
 * Hands the leases a guard took for the session about to start to the pipeline, which binds them to
 * the session id once it is provisioned (SPEC §16). A no-op for a context the pipeline did not make.
 */
export function holdLeases(ctx: GuardContext, leases: readonly LeaseRef[]): void {
  if (ctx instanceof EvaluationContext) EvaluationContext.hold(ctx, leases);
}

/**
 * How many failed captchas one client may have in a window (the evaluator option
 * `captchaFailuresPerClient`); the default for a context the pipeline did not make.
 */
export function captchaFailuresPerClientOf(ctx: GuardContext): number {
  return ctx instanceof EvaluationContext ? EvaluationContext.captchaFailuresPerClientOf(ctx) : defaultCaptchaFailuresPerClient;
}

/**
 * Names the code a failure or time-out of the call a guard makes next answers, instead of its
 * `unavailableCode` (one guard may ask two parties: the captcha guard asks the rate-limit store, then
 * the provider). Holds until the guard answers; a later call may name another code.
 */
export function unavailableAs(ctx: GuardContext, code: CastErrorCode): void {
  if (ctx instanceof EvaluationContext) EvaluationContext.setUnavailableCode(ctx, code);
}

/**
 * Says the call a guard makes next is a captcha verifier call: its deadline is the evaluator's
 * `captchaTimeoutMs` from now, instead of `storeTimeoutMs` from the guard's start. Holds until the
 * guard answers.
 */
export function verifierCallNext(ctx: GuardContext): void {
  if (ctx instanceof EvaluationContext) EvaluationContext.verifierCall(ctx);
}
