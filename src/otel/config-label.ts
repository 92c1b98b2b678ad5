import { createHash } from 'node:crypto';

const cacheLimit = 1024;

/**
 * Labels configs on spans and metrics without their keys (a key is a bearer secret for an anonymous
 * config): the host's `configLabel(key)` when it answers a non-empty string, else `sha256:` and the
 * first 16 hex digits of the key's SHA-256, stable across processes so dashboards can group by it.
 * A host labeller that throws or answers anything else falls back to the fingerprint.
 */
export function createConfigLabeller(custom: ((configKey: string) => string | undefined) | undefined): (configKey: string) => string {
  const fingerprints = new Map<string, string>();
  const fingerprint = (configKey: string): string => {
    let label = fingerprints.get(configKey);
    if (label === undefined) {
      label = `sha256:${createHash('sha256').update(configKey).digest('hex').slice(0, 16)}`;
      if (fingerprints.size >= cacheLimit) fingerprints.clear();
      fingerprints.set(configKey, label);
    }
    return label;
  };
  if (custom === undefined) return fingerprint;
  return (configKey) => {
    try {
      const label: unknown = custom(configKey);
      return typeof label === 'string' && label !== '' ? label : fingerprint(configKey);
    } catch {
      return fingerprint(configKey);
    }
  };
}
