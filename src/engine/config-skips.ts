import type { CastConfig } from '../config/schema.js';
import type { Guard } from '../contract/guard.js';

// Built-in guards that skip every request for some configs (the expiry guard for a config without
// `validUntil`, the captcha guard for one without `requireCaptcha`, …). A parsed config is frozen,
// so which of a guard list's guards skip it is worked out once per config and guard list, and the
// pipeline traces them as skipped without calling them: a decision only computes what depends on
// its request. The registry is keyed by the guard's `check` function, and the pipeline calls a guard
// whose `check` was replaced (a spy, a wrapper) as usual. Not public API.

type SkipsFor = (config: CastConfig) => boolean;

const registry = new WeakMap<Guard['check'], SkipsFor>();

/** Registers the configs `guard` skips whatever the request; answers the guard. */
export function skipsConfigsWhen<G extends Guard>(guard: G, skipsFor: SkipsFor): G {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- a key compared by identity, never called
  registry.set(guard.check, skipsFor);
  return guard;
}

/**
 * Per guard of a list, its `check` function when the guard skips `config` whatever the request
 * (compare it with the guard's `check` at call time), else `undefined`; `undefined` when none does.
 */
export type ConfigSkips = readonly (Guard['check'] | undefined)[] | undefined;

const byConfig = new WeakMap<CastConfig, WeakMap<readonly Guard[], { readonly skips: ConfigSkips }>>();

function computeSkips(config: CastConfig, guards: readonly Guard[]): ConfigSkips {
  let any = false;
  const skips: (Guard['check'] | undefined)[] = [];
  for (const guard of guards) {
    // eslint-disable-next-line @typescript-eslint/unbound-method -- a key compared by identity, never called
    const { check } = guard;
    const skipsFor = registry.get(check);
    const skipped = skipsFor !== undefined && skipsFor(config);
    skips.push(skipped ? check : undefined);
    any ||= skipped;
  }
  return any ? Object.freeze(skips) : undefined;
}

/** The guards of `guards` that skip `config` whatever the request (see {@link ConfigSkips}), worked out once. */
export function configSkipsOf(config: CastConfig, guards: readonly Guard[]): ConfigSkips {
  let byGuards = byConfig.get(config);
  if (byGuards === undefined) {
    byGuards = new WeakMap();
    byConfig.set(config, byGuards);
  }
  let entry = byGuards.get(guards);
  if (entry === undefined) {
    entry = { skips: computeSkips(config, guards) };
    byGuards.set(guards, entry);
  }
  return entry.skips;
}
