import type { CastConfig } from '../config/schema.js';
import type { CastDecision, CastErrorCode, GuardDenial, GuardTrace } from '../contract/decision.js';
import type { GiveBack, Guard, GuardVerdict } from '../contract/guard.js';
import type { NormalizedRequest } from '../contract/request.js';
import type { CastStores, LeaseRef } from '../contract/stores.js';
import { configSkipsOf, type ConfigSkips } from './config-skips.js';
import { EvaluationContext, type GuardSettings } from './context.js';
import { armDeadline, DeadlineExceededError, unwatchDeadline, watchDeadline, withDeadline, type DeadlineWatched } from './deadline.js';
import { allowedDecision, deniedDecision, traceEntry, type MessageOverrides } from './decision-builder.js';
import { describeFailure } from './events.js';

/** What one evaluation needs besides the config, request and stores. */
export interface PipelineSettings extends Partial<GuardSettings> {
  readonly messages: MessageOverrides;
  readonly storeTimeoutMs: number;
  /** The limit on a captcha verifier call (SPEC §1). @defaultValue 6000 */
  readonly captchaTimeoutMs?: number;
  /** Failed captchas one client may have per window (SPEC §A). @defaultValue 5 */
  readonly captchaFailuresPerClient?: number;
}

/**
 * Where a run is: `running` guards back to back, `waiting` for the promise of `#guards[#index]` (its
 * deadline watched), or `settled` (the decision is made or the run failed; nothing changes any more).
 */
type Phase = 'running' | 'waiting' | 'settled';

function failureVerdict(guard: Guard, ctx: EvaluationContext, error: unknown): GuardVerdict {
  const { ip, user, captchaToken } = ctx.request;
  const scrub = [ip, user?.id, typeof captchaToken === 'string' ? captchaToken : undefined];
  const note = error instanceof DeadlineExceededError ? `timed out after ${error.timeoutMs} ms` : `failed: ${describeFailure(error, scrub)}`;
  const code: CastErrorCode = EvaluationContext.unavailableCodeOf(ctx) ?? guard.unavailableCode ?? 'store_unavailable';
  return { verdict: 'deny', error: { code }, note };
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
 * The loop of one evaluation: runs the guards in order over an {@link EvaluationContext} (all a guard
 * sees; it never sees this loop). Synchronous guards run back to back; an asynchronous one suspends
 * the loop until its promise settles or its deadline (`storeTimeoutMs`) passes, whichever comes
 * first. A call that settles after its deadline is too late: what it took is given back.
 * Hand-rolled instead of `async`/`await` so a decision on memory stores costs one promise of its
 * own, not one per guard and per deadline.
 */
export class Run implements DeadlineWatched {
  /** When the guard in flight times out (a `performance.now()` instant); infinite until the first wait. */
  deadline = Number.POSITIVE_INFINITY;
  /** Whether the deadline watcher holds this run (deadline.ts keeps it). */
  watched = false;
  readonly #ctx: EvaluationContext;
  readonly #guards: readonly Guard[];
  readonly #skips: ConfigSkips;
  readonly #settings: PipelineSettings;
  readonly #trace: GuardTrace[] = [];
  #giveBacks: GiveBack[] | undefined;
  #phase: Phase = 'running';
  /** The guard running, or awaited when `waiting`. */
  #index = 0;
  /** When the current guard started (`performance.now()`): its trace duration and its deadline count from here. */
  #guardStartedAt = 0;
  /** When the call in flight started, and its limit: the guard's start and `storeTimeoutMs`, unless it is a verifier call. */
  #callStartedAt = 0;
  #callTimeoutMs: number;
  // How the run ends. A run that decides without waiting (memory stores) makes no promise of its own
  // until it returns one already settled; a run that waits gets its resolve/reject here.
  #resolve: ((decision: CastDecision) => void) | undefined;
  #reject: ((error: unknown) => void) | undefined;
  #decided: CastDecision | undefined;
  #failed: { readonly error: unknown } | undefined;

  readonly #decisionId: string;

  constructor(
    config: CastConfig,
    request: NormalizedRequest,
    stores: CastStores,
    guards: readonly Guard[],
    settings: PipelineSettings,
    decisionId: string,
  ) {
    const { linkKeys, leaseTtlMs } = settings;
    const guardSettings = linkKeys === undefined || leaseTtlMs === undefined ? undefined : { linkKeys, leaseTtlMs };
    this.#ctx = new EvaluationContext(config, request, stores, settings.captchaFailuresPerClient, guardSettings);
    this.#decisionId = decisionId;
    this.#guards = guards;
    this.#skips = configSkipsOf(config, guards);
    this.#settings = settings;
    this.#callTimeoutMs = settings.storeTimeoutMs;
    // Only the captcha guard calls a verifier, and only for a config that requires one: no hook (and no
    // closure per decision) for the others.
    if (settings.captchaTimeoutMs !== undefined && config.requireCaptcha) {
      const captchaTimeoutMs = settings.captchaTimeoutMs;
      EvaluationContext.setVerifierCallHook(this.#ctx, () => {
        this.#callStartedAt = performance.now();
        this.#callTimeoutMs = captchaTimeoutMs;
        if (this.#phase !== 'waiting') return;
        this.deadline = this.#callStartedAt + captchaTimeoutMs;
        armDeadline(this.deadline);
      });
    }
  }

  /**
   * Runs the guards from `startedAt` (a `performance.now()` instant: the evaluation's start, read once
   * for both); resolves with the decision, rejects only for a guard list that never finishes.
   */
  start(startedAt: number): Promise<CastDecision> {
    this.#guardStartedAt = startedAt;
    this.#callStartedAt = startedAt;
    this.#advance();
    if (this.#decided !== undefined) return Promise.resolve(this.#decided);
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passed on as thrown
    if (this.#failed !== undefined) return Promise.reject(this.#failed.error);
    return new Promise<CastDecision>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  /** Ends the run with its decision: now, or once `start` has made the promise. */
  #finish(decision: CastDecision): void {
    if (this.#resolve === undefined) this.#decided = decision;
    else this.#resolve(decision);
  }

  /** Ends the run with a programmer error. */
  #end(error: unknown): void {
    if (this.#reject === undefined) this.#failed = { error };
    else this.#reject(error);
  }

  /** Called by the deadline watcher when the call in flight outlived its limit (`storeTimeoutMs` or `captchaTimeoutMs`). */
  expire(): void {
    if (this.#phase !== 'waiting') return;
    const error = new DeadlineExceededError(this.#callTimeoutMs);
    try {
      EvaluationContext.abort(this.#ctx, error);
      this.#applyFailure(error);
    } catch (failure) {
      this.#fail(failure);
    }
  }

  // Both callbacks run on a promise nobody else awaits: nothing may escape them. (Methods, bound only
  // when a guard is awaited: a run on memory stores never waits, so it makes no closures for them.)
  #onVerdict(verdict: GuardVerdict): void {
    if (this.#phase !== 'waiting') {
      this.#tooLate(verdict);
      return;
    }
    this.#phase = 'running';
    try {
      if (this.#apply(this.#guards[this.#index] as Guard, verdict, true)) this.#advance();
    } catch (error) {
      this.#fail(error);
    }
  }

  #onFailure(error: unknown): void {
    if (this.#phase !== 'waiting') return;
    try {
      this.#applyFailure(error);
    } catch (failure) {
      this.#fail(failure);
    }
  }

  #applyFailure(error: unknown): void {
    const guard = this.#guards[this.#index] as Guard;
    this.#apply(guard, failureVerdict(guard, this.#ctx, error), true);
  }

  #advance(): void {
    try {
      const guards = this.#guards;
      const ctx = this.#ctx;
      const skips = this.#skips;
      while (this.#index < guards.length) {
        const guard = guards[this.#index] as Guard;
        // A guard whose verdict the config alone decides is traced without a call (config-skips.ts).
        const known = skips?.[this.#index];
        if (known !== undefined && known.check === guard.check) {
          this.#trace.push({ guard: guard.name, verdict: known.verdict, durationMs: 0 });
          this.#index++;
          continue;
        }
        let result: GuardVerdict | PromiseLike<GuardVerdict>;
        try {
          result = guard.check(ctx);
        } catch (error) {
          result = failureVerdict(guard, ctx, error);
        }
        if (isThenable(result)) {
          this.#wait(result);
          return;
        }
        if (!this.#apply(guard, result, false)) return;
      }
      this.#finishWithoutDecision();
    } catch (error) {
      this.#fail(error);
    }
  }

  /** Suspends the loop on the current guard's promise, under its deadline (one watch for the whole run). */
  #wait(result: PromiseLike<GuardVerdict>): void {
    const first = this.deadline === Number.POSITIVE_INFINITY;
    this.deadline = this.#callStartedAt + this.#callTimeoutMs;
    if (first) watchDeadline(this);
    else armDeadline(this.deadline);
    this.#phase = 'waiting';
    result.then(
      (verdict) => {
        this.#onVerdict(verdict);
      },
      (error: unknown) => {
        this.#onFailure(error);
      },
    );
  }

  /**
   * Records a verdict; answers whether the loop goes on. Throws for a verdict that is not one. A guard
   * that skipped without waiting had nothing to check: it is traced with 0 ms and reads no clock (a
   * clock read costs more than such a guard), so its few nanoseconds count toward the next guard.
   */
  #apply(guard: Guard, verdict: GuardVerdict, waited: boolean): boolean {
    if (typeof verdict !== 'object' || (verdict as GuardVerdict | null) === null) {
      throw new TypeError(`castgate: guard "${guard.name}" answered no verdict (expected pass, skip, deny or finish)`);
    }
    let durationMs = 0;
    if (waited || verdict.verdict !== 'skip') {
      const finished = performance.now();
      durationMs = finished - this.#guardStartedAt;
      this.#guardStartedAt = finished;
      this.#callStartedAt = finished;
    }
    this.#callTimeoutMs = this.#settings.storeTimeoutMs;
    const entry = traceEntry(guard.name, verdict, durationMs);
    this.#index++;
    EvaluationContext.setUnavailableCode(this.#ctx, undefined);
    switch (verdict.verdict) {
      case 'skip':
        this.#trace.push(entry);
        return true;
      case 'pass':
        this.#trace.push(entry);
        if (verdict.launch !== undefined) Object.assign(this.#ctx.launch, verdict.launch);
        if (verdict.giveBack !== undefined) (this.#giveBacks ??= []).push(verdict.giveBack);
        return true;
      case 'deny':
        this.#settle();
        this.#deny(entry, verdict.error);
        return false;
      case 'finish': {
        this.#settle();
        const held = EvaluationContext.heldLeasesOf(this.#ctx);
        if (verdict.outcome === 'created' && held !== undefined && held.length > 0) {
          void this.#bind(verdict.session.id, held).then((note) => {
            this.#trace.push(note === undefined ? entry : { ...entry, note });
            this.#finish(allowedDecision(this.#decisionId, verdict, this.#ctx.launch, this.#trace));
          });
          return false;
        }
        this.#trace.push(entry);
        this.#finish(allowedDecision(this.#decisionId, verdict, this.#ctx.launch, this.#trace));
        return false;
      }
      default:
        throw new TypeError(`castgate: guard "${guard.name}" answered an unknown verdict`);
    }
  }

  /**
   * Binds a created session's id to the leases held for it (SPEC §16), under its own deadline.
   * Never rejects: the session is running, so a failure only adds a trace note (the leases then
   * expire unrenewed after `leaseTtlMs`).
   */
  async #bind(sessionId: string, leases: readonly LeaseRef[]): Promise<string | undefined> {
    const { config, nowMs, stores } = this.#ctx;
    const ttlMs = EvaluationContext.settingsOf(this.#ctx).leaseTtlMs;
    try {
      const store = stores.leases;
      if (store === undefined) throw new TypeError('stores.leases is missing');
      await withDeadline(store.bind({ configKey: config.key, sessionId, leases, ttlMs, nowMs }), this.#settings.storeTimeoutMs);
      return undefined;
    } catch (error) {
      const reason = error instanceof DeadlineExceededError ? `timed out after ${error.timeoutMs} ms` : 'failed';
      return `leases not bound to the session (${reason}): they expire unrenewed after ${ttlMs} ms`;
    }
  }

  #settle(): void {
    this.#phase = 'settled';
    if (this.deadline !== Number.POSITIVE_INFINITY) unwatchDeadline(this);
  }

  #deny(entry: GuardTrace, error: GuardDenial): void {
    const { config } = this.#ctx;
    const { messages } = this.#settings;
    const giveBacks = this.#giveBacks;
    if (giveBacks === undefined) {
      this.#trace.push(entry);
      this.#finish(deniedDecision(this.#decisionId, config, error, this.#trace, messages));
      return;
    }
    void giveBackAll(giveBacks, this.#settings.storeTimeoutMs).then((note) => {
      this.#trace.push({ ...entry, note: entry.note === undefined ? note : `${entry.note}; ${note}` });
      this.#finish(deniedDecision(this.#decisionId, config, error, this.#trace, messages));
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
      this.#end(new TypeError('castgate: no guard finished the evaluation (a guard list needs provisionGuard last)'));
    });
  }

  /** A programmer error (a guard that answers no verdict): give back what was taken, then reject. */
  #fail(error: unknown): void {
    if (this.#phase === 'settled') return;
    this.#settle();
    void giveBackAll(this.#giveBacks ?? [], this.#settings.storeTimeoutMs).then(() => {
      this.#end(error);
    });
  }
}
