/**
 * Redis key names. Every key is `prefix` + a hash tag `{...}`, so the keys one script touches share a
 * Redis Cluster slot: a rate-limit window is `{rl:<key>}`; a quota counter is `{q:<configKey>}` and
 * each of its reservations `{q:<configKey>}:r:<reservation>` (the same tag as its counter). The tag
 * is never empty and the namespaces never overlap, so distinct inputs never share a key.
 */
export interface KeyNames {
  rateLimit(key: string): string;
  quotaCounter(configKey: string): string;
  quotaReservation(configKey: string, reservation: string): string;
}

/** Key names under `prefix`; throws a `TypeError` for a prefix with `{` or `}` (it would move the hash tag). */
export function createKeyNames(prefix: string): KeyNames {
  if (typeof prefix !== 'string' || /[{}]/.test(prefix)) {
    throw new TypeError('castgate/redis: `prefix` must be a string without `{` or `}`');
  }
  return {
    rateLimit: (key) => `${prefix}{rl:${key}}`,
    quotaCounter: (configKey) => `${prefix}{q:${configKey}}`,
    quotaReservation: (configKey, reservation) => `${prefix}{q:${configKey}}:r:${reservation}`,
  };
}
