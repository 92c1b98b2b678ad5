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
import type { GiveBack, Guard, GuardContext, GuardVerdict } from '../contract/guard.js';
import type { LaunchPlan } from '../contract/launch-plan.js';
import type { NormalizedRequest } from '../contract/request.js';
import type { CastStores } from '../contract/stores.js';
import { armDeadline, DeadlineExceededError, unwatchDeadline, watchDeadline, withDeadline, type DeadlineWatched } from './deadline.js';

/** What one evaluation needs besides the config, request and stores. */
export interface PipelineSettings {
  readonly messages: Partial<Record<CastErrorCode, string>> | undefined;
  readonly storeTimeoutMs: number;
}

function toError(denial: GuardDenial, settings: PipelineSettings): CastError {
  const { code } = denial;
  const message = settings.messages?.[code] ?? denial.message ?? castErrorMessages[code];
  const error: { -readonly [K in keyof CastError]: CastError[K] } = { code, message, status: castErrorStatus[code] };
  if (code === 'rate_limited' && denial.retryAfterSeconds !== undefined) error.retryAfterSeconds = denial.retryAfterSeconds;
  if ((code === 'missing_parameter' || code === 'invalid_parameter') && denial.parameter !== undefined) error.parameter = denial.parameter;
  return error;
}

/** A denied decision: the error from the code tables, and `redirectUrl` when the config has `errorUrl`. */
export function deniedDecision(config: CastConfig, denial: GuardDenial, trace: GuardTrace[], settings: PipelineSettings): CastDecision {
  const error = toError(denial, settings);
  return config.errorUrl === undefined
    ? { allowed: false, error, trace }
    : { allowed: false, error, redirectUrl: buildRedirectUrl(config.errorUrl, error.code, error.message), trace };
}

function traceEntry(guard: Guard, verdict: GuardVerdict, durationMs: number): GuardTrace {
  switch (verdict.verdict) {
    case 'pass':
      return verdict.note === undefined
        ? { guard: guard.name, verdict: 'pass', durationMs }
        : { guard: guard.name, verdict: 'pass', durationMs, note: verdict.note };
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

function isThenable(value: unknown): value is PromiseLike<GuardVerdict> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** Gives back, newest first, each under its own deadline; answers a trace note. Never rejects. */
async function giveBackAll(giveBacks: readonly GiveBack[], timeoutMs: number): Promise<string> {
  let failed = 0;
  for (let i = giveBacks.length - 1; i >= 0; i--) {
    try {
      await withDeadline((giveBacks[i] as GiveBack)(), timeoutMs);
    } catch {
      failed++;
    }
  }
  return failed === 0 ? `gave back ${giveBacks.length} reservation(s)` : `give-back failed for ${failed} of ${giveBacks.length} reservation(s)`;
}

/**
 * One evaluation: the guard context, and the loop that runs the guards in order. Synchronous guards
 * run back to back; an asynchronous one suspends the loop until its promise settles or its deadline
 * (`storeTimeoutMs`) passes, whichever comes first. A call that settles after its deadline is too
 * late: what it took is given back. Hand-rolled instead of `async`/`await` so a decision on memory
 * stores costs one promise of its own, not one per guard and per deadline.
 */
export class Run implements GuardContext, DeadlineWatched {
  /** The launch-plan facts guards established so far (guards see it read-only). */
  readonly launch: Partial<LaunchPlan> = {};
  readonly nowMs: number;
  deadline = Number.POSITIVE_INFINITY;
  readonly #guards: readonly Guard[];
  readonly #settings: PipelineSettings;
  readonly #trace: GuardTrace[] = [];
  #giveBacks: GiveBack[] | undefined;
  #index = 0;
  #clock = 0;
  #settled = false;
  #watching = false;
  #controller: AbortController | undefined;
  #resolve: (decision: CastDecision) => void = () => undefined;
  #reject: (error: unknown) => void = () => undefined;

  constructor(
    readonly config: CastConfig,
    readonly request: NormalizedRequest,
    readonly stores: CastStores,
    guards: readonly Guard[],
    settings: PipelineSettings,
  ) {
    this.nowMs = request.now.getTime();
    this.#guards = guards;
    this.#settings = settings;
  }

  get now(): Date {
    return this.request.now;
  }

  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    return this.#controller.signal;
  }

  /** Runs the guards; resolves with the decision, rejects only for a guard list that never finishes. */
  start(): Promise<CastDecision> {
    return new Promise<CastDecision>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
      this.#clock = performance.now();
      this.#advance();
    });
  }

  /** Called by the deadline watcher when the guard in flight outlived `storeTimeoutMs`. */
  expire(): void {
    if (this.#settled) return;
    this.#watching = false;
    const error = new DeadlineExceededError(this.#settings.storeTimeoutMs);
    try {
      this.#controller?.abort(error);
      const guard = this.#guards[this.#index];
      if (guard !== undefined) this.#apply(guard, failureVerdict(guard, error));
    } catch (failure) {
      this.#fail(failure);
    }
  }

  // Both callbacks run on a promise nobody else awaits: nothing may escape them.
  readonly #onVerdict = (verdict: GuardVerdict): void => {
    if (this.#settled) {
      this.#tooLate(verdict);
      return;
    }
    try {
      const guard = this.#guards[this.#index] as Guard;
      if (this.#apply(guard, verdict)) this.#advance();
    } catch (error) {
      this.#fail(error);
    }
  };

  readonly #onFailure = (error: unknown): void => {
    if (this.#settled) return;
    try {
      const guard = this.#guards[this.#index] as Guard;
      this.#apply(guard, failureVerdict(guard, error));
    } catch (failure) {
      this.#fail(failure);
    }
  };

  #advance(): void {
    try {
      const guards = this.#guards;
      while (this.#index < guards.length) {
        const guard = guards[this.#index] as Guard;
        let result: GuardVerdict | PromiseLike<GuardVerdict>;
        try {
          result = guard.check(this);
        } catch (error) {
          result = failureVerdict(guard, error);
        }
        if (isThenable(result)) {
          this.deadline = this.#clock + this.#settings.storeTimeoutMs;
          if (this.#watching) {
            armDeadline(this.deadline);
          } else {
            this.#watching = true;
            watchDeadline(this);
          }
          result.then(this.#onVerdict, this.#onFailure);
          return;
        }
        if (!this.#apply(guard, result)) return;
      }
      this.#finishWithoutDecision();
    } catch (error) {
      this.#fail(error);
    }
  }

  /** Records a verdict; answers whether the loop goes on. Throws for a verdict that is not one. */
  #apply(guard: Guard, verdict: GuardVerdict): boolean {
    if (typeof verdict !== 'object' || (verdict as GuardVerdict | null) === null) {
      throw new TypeError(`castgate: guard "${guard.name}" answered no verdict (expected pass, skip, deny or finish)`);
    }
    const finished = performance.now();
    const entry = traceEntry(guard, verdict, finished - this.#clock);
    this.#clock = finished;
    this.#index++;
    switch (verdict.verdict) {
      case 'skip':
        this.#trace.push(entry);
        return true;
      case 'pass':
        this.#trace.push(entry);
        if (verdict.launch !== undefined) Object.assign(this.launch, verdict.launch);
        if (verdict.giveBack !== undefined) (this.#giveBacks ??= []).push(verdict.giveBack);
        return true;
      case 'deny':
        this.#settle();
        this.#deny(entry, verdict.error);
        return false;
      case 'finish': {
        this.#settle();
        this.#trace.push(entry);
        // A finishing guard hands over the whole plan (built from the facts gathered so far).
        const launch = (verdict.launch ?? this.launch) as LaunchPlan;
        this.#resolve({ allowed: true, outcome: verdict.outcome, session: verdict.session, launch, trace: this.#trace });
        return false;
      }
      default:
        throw new TypeError(`castgate: guard "${guard.name}" answered an unknown verdict`);
    }
  }

  #settle(): void {
    this.#settled = true;
    if (this.#watching) {
      this.#watching = false;
      unwatchDeadline(this);
    }
  }

  #deny(entry: GuardTrace, error: GuardDenial): void {
    const giveBacks = this.#giveBacks;
    if (giveBacks === undefined) {
      this.#trace.push(entry);
      this.#resolve(deniedDecision(this.config, error, this.#trace, this.#settings));
      return;
    }
    void giveBackAll(giveBacks, this.#settings.storeTimeoutMs).then((note) => {
      this.#trace.push({ ...entry, note: entry.note === undefined ? note : `${entry.note}; ${note}` });
      this.#resolve(deniedDecision(this.config, error, this.#trace, this.#settings));
    });
  }

  /** A call settled after its deadline: the decision is made, so give back what it took. */
  #tooLate(verdict: GuardVerdict): void {
    if (verdict.verdict === 'pass' && verdict.giveBack !== undefined) void giveBackAll([verdict.giveBack], this.#settings.storeTimeoutMs);
  }

  #finishWithoutDecision(): void {
    this.#settle();
    const giveBacks = this.#giveBacks ?? [];
    void giveBackAll(giveBacks, this.#settings.storeTimeoutMs).then(() => {
      this.#reject(new TypeError('castgate: no guard finished the evaluation (a guard list needs provisionGuard last)'));
    });
  }

  /** A programmer error (a guard that answers no verdict): give back what was taken, then reject. */
  #fail(error: unknown): void {
    if (this.#settled) return;
    this.#settle();
    void giveBackAll(this.#giveBacks ?? [], this.#settings.storeTimeoutMs).then(() => {
      this.#reject(error);
    });
  }
}
