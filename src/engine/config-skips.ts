import type { CastConfig } from '../config/schema.js';
import type { Guard } from '../contract/guard.js';

// Built-in guards whose verdict some configs decide whatever the request: the expiry guard skips a
// config without `validUntil`, the captcha guard one without `requireCaptcha`, the authentication
// guard passes every request to a config with `allowAnonymous`, … A parsed config is frozen, so which
// of a guard list's guards those are is worked out once per config and guard list, and the pipeline
// traces them (0 ms: they have nothing to check) without calling them: a decision only computes what
// depends on its request. The registry is keyed by the guard's `check` function, and the pipeline
// calls a guard whose `check` was replaced (a spy, a wrapper) as usual. Not public API.

/** What a guard answers every request to a config, when the config alone decides it. */
export type ConfigVerdict = 'skip' | 'pass';

type VerdictFor = (config: CastConfig) => ConfigVerdict | undefined;

const registry = new WeakMap<Guard['check'], VerdictFor>();

/** Registers the configs `guard` skips whatever the request; answers the guard. */
export function skipsConfigsWhen<G extends Guard>(guard: G, skips: (config: CastConfig) => boolean): G {
  return decidedByConfig(guard, (config) => (skips(config) ? 'skip' : undefined));
}

/** Registers the configs `guard` passes whatever the request; answers the guard. */
export function passesConfigsWhen<G extends Guard>(guard: G, passes: (config: CastConfig) => boolean): G {
  return decidedByConfig(guard, (config) => (passes(config) ? 'pass' : undefined));
}

function decidedByConfig<G extends Guard>(guard: G, verdictFor: VerdictFor): G {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- a key compared by identity, never called
  registry.set(guard.check, verdictFor);
  return guard;
}

/** A guard's verdict on every request to a config, and the `check` it was worked out for. */
export interface KnownVerdict {
  readonly check: Guard['check'];
  readonly verdict: ConfigVerdict;
}

/**
 * Per guard of a list, its verdict when the config alone decides it (use it only while the guard's
 * `check` is still `check`), else `undefined`; `undefined` when the config decides none.
 */
export type ConfigSkips = readonly (KnownVerdict | undefined)[] | undefined;

const byConfig = new WeakMap<CastConfig, WeakMap<readonly Guard[], { readonly skips: ConfigSkips }>>();

function computeSkips(config: CastConfig, guards: readonly Guard[]): ConfigSkips {
  let any = false;
  const skips: (KnownVerdict | undefined)[] = [];
  for (const guard of guards) {
    // eslint-disable-next-line @typescript-eslint/unbound-method -- a key compared by identity, never called
    const { check } = guard;
    const verdict = registry.get(check)?.(config);
    skips.push(verdict === undefined ? undefined : Object.freeze({ check, verdict }));
    any ||= verdict !== undefined;
  }
  return any ? Object.freeze(skips) : undefined;
}

/** The guards of `guards` that `config` alone decides (see {@link ConfigSkips}), worked out once. */
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
