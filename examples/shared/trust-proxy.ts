/**
 * Which proxies an example app trusts to report the client address (`X-Forwarded-For`): `false`
 * (none: the socket address is the client), a list of addresses, CIDR ranges or Express/proxy-addr
 * names (`'loopback'`, `'uniquelocal'`, `'10.0.0.0/8'`), as an array or a comma-separated string,
 * or `true` (every proxy: unsafe, the client then picks its own address). Hop counts are not
 * offered: they cannot check who the nearest peer is (THREATS 1.2).
 *
 * @example
 * ```ts
 * const behindNginx: TrustProxy = ['loopback', '10.0.0.0/8'];
 * ```
 */
export type TrustProxy = boolean | string | readonly string[];

const everyAddress: ReadonlySet<string> = new Set(['0.0.0.0/0', '::/0']);

/**
 * The warning to print once at start-up when a trust-proxy setting trusts every proxy (`true`,
 * or a list holding `0.0.0.0/0` or `::/0`), else `undefined`. With such a setting the framework's
 * `req.ip` is the left-most `X-Forwarded-For` entry, which the client writes, so the per-address
 * rate limit can be dodged by changing that header.
 *
 * @example
 * ```ts
 * trustProxyWarning(true, 'Express "trust proxy"'); // 'castgate example: Express "trust proxy" is true …'
 * trustProxyWarning(['loopback'], 'Express "trust proxy"'); // undefined
 * ```
 */
export function trustProxyWarning(setting: TrustProxy, settingName: string): string | undefined {
  const entries = typeof setting === 'string' ? setting.split(',').map((entry) => entry.trim()) : typeof setting === 'boolean' ? [] : setting;
  const trustsAll = setting === true || entries.some((entry) => everyAddress.has(entry));
  if (!trustsAll) return undefined;
  return (
    `castgate example: ${settingName} trusts every proxy, so the client address is the left-most X-Forwarded-For ` +
    'entry, which any client can write: the per-address rate limit can be bypassed. List your proxies instead, ' +
    "e.g. ['loopback'] or ['10.0.0.0/8'] (addresses or CIDR ranges)."
  );
}
