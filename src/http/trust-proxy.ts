const everyAddress: ReadonlySet<string> = new Set(['0.0.0.0/0', '::/0']);

/**
 * The warning an adapter emits once when its framework trusts every proxy (`true`, or a list holding
 * `0.0.0.0/0` or `::/0`): the client address is then the left-most X-Forwarded-For entry, which any
 * client writes, so the per-address rate limit can be dodged (THREATS 1.1). `undefined` otherwise.
 */
export function trustProxyWarning(setting: unknown, settingName: string): string | undefined {
  const entries = typeof setting === 'string' ? setting.split(',').map((entry) => entry.trim()) : Array.isArray(setting) ? (setting as unknown[]) : [];
  const trustsAll = setting === true || entries.some((entry) => typeof entry === 'string' && everyAddress.has(entry));
  if (!trustsAll) return undefined;
  return (
    `castgate: ${settingName} trusts every proxy, so the client address is the left-most X-Forwarded-For entry, which any ` +
    "client can write: the per-address rate limit can be bypassed. List your proxies instead, e.g. ['loopback'] or ['10.0.0.0/8']."
  );
}
