/**
 * Redis key names. Every key of one config shares the Redis Cluster hash tag `{q:<configKey>}`, so
 * one script can touch the config's quota and any of its rate-limit windows, and different configs
 * spread over the masters:
 * - `{q:<configKey>}`: the quota counter (the 0.1 name, so counters survive the upgrade);
 * - `{q:<configKey>}:h`: the quota units that can still be given back (a sorted set, score = until when);
 * - `{q:<configKey>}:p`: with `reservationTtlMs`, the pending units (score = when they come back);
 * - `{q:<configKey>}:g:<reservation>`: a unit of the default combined take that was given back (a
 *   marker that lives as long as the give-back is honoured, so a second one adds nothing);
 * - `{q:<configKey>}:w:<a><rest>`: the window of the rate-limit key `<a>:<configKey><rest>` (the
 *   engine's keys have this shape: `cast:<configKey>:<client>`);
 * - `{rl:<key>}`: the window of any other rate-limit key (its own slot).
 * All behind `prefix`. Inside a tag, `%`, `{` and `}` are written `%25`, `%7B` and `%7D` (a brace
 * would move the tag), so distinct inputs never share a key.
 */
export interface KeyNames {
  /** The window of a rate-limit key. */
  window(key: string): string;
  /** The config key whose slot a rate-limit key's window is in, or `undefined` when it has its own. */
  configOfWindow(key: string): string | undefined;
  /**
   * The window of rate-limit key `key` when it is the engine's `<a>:<configKey>:<rest>` for this
   * `configKey` (its window is in the config's slot), else `undefined`. One scan of the key.
   */
  windowIn(key: string, configKey: string): string | undefined;
  counter(configKey: string): string;
  honoured(configKey: string): string;
  pending(configKey: string): string;
  /** The marker of a given-back unit of the default combined take. */
  given(configKey: string, reservation: string): string;
}

/** How many config keys' spelled names a store remembers (they are few; the bound only caps a misuse). */
const rememberedConfigs = 1024;

const tagUnsafe = /[%{}]/u;

/** Writes `%`, `{` and `}` as `%25`, `%7B`, `%7D`: a brace-free, one-to-one spelling for a hash tag. */
function tagged(text: string): string {
  if (!tagUnsafe.test(text)) return text;
  return text.replace(/[%{}]/gu, (c) => (c === '%' ? '%25' : c === '{' ? '%7B' : '%7D'));
}

/** Key names under `prefix`; throws a `TypeError` for a prefix with `{` or `}` (it would move the hash tag). */
export function createKeyNames(prefix: string): KeyNames {
  if (typeof prefix !== 'string' || /[{}]/u.test(prefix)) {
    throw new TypeError('castgate/redis: `prefix` must be a string without `{` or `}`');
  }
  // The counter's name of each config key, spelled once: the hot path asks for it on every decision.
  const counters = new Map<string, string>();
  const counter = (configKey: string): string => {
    let name = counters.get(configKey);
    if (name === undefined) {
      if (counters.size >= rememberedConfigs) counters.clear();
      name = `${prefix}{q:${tagged(configKey)}}`;
      counters.set(configKey, name);
    }
    return name;
  };
  return {
    windowIn(key, configKey) {
      const first = key.indexOf(':');
      if (first === -1 || !key.startsWith(configKey, first + 1)) return undefined;
      const second = first + 1 + configKey.length;
      if (key.indexOf(':', first + 1) !== second) return undefined;
      return `${counter(configKey)}:w:${key.slice(0, first)}${key.slice(second)}`;
    },
    window(key) {
      const first = key.indexOf(':');
      const second = first === -1 ? -1 : key.indexOf(':', first + 1);
      if (second === -1) return `${prefix}{rl:${tagged(key)}}`;
      return `${prefix}{q:${tagged(key.slice(first + 1, second))}}:w:${key.slice(0, first)}${key.slice(second)}`;
    },
    configOfWindow(key) {
      const first = key.indexOf(':');
      const second = first === -1 ? -1 : key.indexOf(':', first + 1);
      return second === -1 ? undefined : key.slice(first + 1, second);
    },
    counter,
    honoured: (configKey) => `${counter(configKey)}:h`,
    pending: (configKey) => `${counter(configKey)}:p`,
    given: (configKey, reservation) => `${counter(configKey)}:g:${reservation}`,
  };
}
