import type { GuardContext } from '../contract/guard.js';
import type { LaunchPlan } from '../contract/launch-plan.js';
import type { RateLimitInput } from '../contract/stores.js';

// The inputs the built-in guards hand to stores. Their `signal` is read lazily from the context, on
// the prototype: an AbortController costs more than a memory store's whole call, and most stores
// never read it. (An object literal with its own getter would cost more still: V8 gives each one a
// dictionary-mode shape that survives into the old generation.)

/** A rate-limit `take` or `peek`. */
export class RateLimitCall implements RateLimitInput {
  readonly #ctx: GuardContext;
  constructor(
    ctx: GuardContext,
    readonly key: string,
    readonly limit: number,
    readonly windowMs: number,
    readonly nowMs: number,
  ) {
    this.#ctx = ctx;
  }

  get signal(): AbortSignal {
    return this.#ctx.signal;
  }
}

/** A quota `take`. */
export class QuotaCall {
  readonly #ctx: GuardContext;
  constructor(
    ctx: GuardContext,
    readonly configKey: string,
    readonly initial: number,
  ) {
    this.#ctx = ctx;
  }

  get signal(): AbortSignal {
    return this.#ctx.signal;
  }
}

/** A provisioner `findRunning`. */
export class FindRunningCall {
  readonly #ctx: GuardContext;
  constructor(
    ctx: GuardContext,
    readonly configKey: string,
    readonly userId: string,
  ) {
    this.#ctx = ctx;
  }

  get signal(): AbortSignal {
    return this.#ctx.signal;
  }
}

/** A provisioner `provision`. */
export class ProvisionCall {
  readonly #ctx: GuardContext;
  constructor(
    ctx: GuardContext,
    readonly configKey: string,
    readonly plan: LaunchPlan,
  ) {
    this.#ctx = ctx;
  }

  get signal(): AbortSignal {
    return this.#ctx.signal;
  }
}
