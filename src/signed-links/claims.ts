/** The `typ` header of a castgate link token: no other JWT signed with the same secret passes. */
export const linkTokenType = 'castlink+jwt';

/** The largest token castgate reads: anything longer is refused before it is parsed. */
export const maxLinkTokenLength = 8192;

/** The most parameters one token may sign. */
export const maxSignedParams = 64;

/** The longest signed parameter value (a remote-app value's own cap, SPEC §5). */
export const maxSignedValueLength = 4096;

/**
 * The payload of a link token. `key`: the config key it is for; `jti`: random, per token; `exp` and
 * `nbf`: JWT NumericDates (whole seconds); `params`: the signed raw query values (present, even
 * empty, means the dynamic parameters are bound); `once`: single use.
 */
export interface LinkClaims {
  readonly key: string;
  readonly jti: string;
  readonly exp?: number;
  readonly nbf?: number;
  readonly params?: Readonly<Record<string, string>>;
  readonly once?: true;
}

/** A plain object of string to string with at most {@link maxSignedParams} entries, else `undefined`. */
export function paramsOf(value: unknown): Record<string, string> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return undefined;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > maxSignedParams) return undefined;
  const params: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, raw] of entries) {
    if (name.length === 0 || typeof raw !== 'string' || raw.length > maxSignedValueLength) return undefined;
    params[name] = raw;
  }
  return params;
}
