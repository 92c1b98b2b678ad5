import type { CastConfig } from '../config/schema.js';
import { deny, pass, skip, type Guard, type GuardVerdict } from '../contract/guard.js';
import type { LaunchPlan } from '../contract/launch-plan.js';
import { dockerNetworkName } from '../net/docker-network.js';
import { domainMatcherOf, hostIsListed } from '../net/domain-match.js';
import { maxHttpUrlLength, readHttpUrl } from '../net/url.js';
import { invalidQueryValue, readQueryParam, type CastQuery } from '../contract/query.js';
import { buildParsedRemoteAppArgs } from '../remote-app/build.js';

/** The longest `kasm_url` value accepted, in characters. */
export const maxKasmUrlLength = maxHttpUrlLength;
const reservedDockerNetworks: ReadonlySet<string> = new Set(['host', 'none', 'bridge', 'default']);
// Docker also resolves a network by a unique prefix of its ID, so `7f` may select `host`.
const networkIdShaped = /^[0-9a-f]+$/u;

/**
 * Validates a `kasm_url` value: no controls or white space in the raw string, at most 2048
 * characters, an absolute `http:`/`https:` URL with a host and no user info, its host on
 * `allowedHosts` when given. Answers the serialised URL, or `null`.
 */
export function checkKasmUrl(raw: string, allowedHosts: readonly string[] | undefined): string | null {
  if (raw.length === 0 || raw.length > maxKasmUrlLength) return null;
  const url = readHttpUrl(raw);
  if (typeof url === 'string') return null;
  if (allowedHosts !== undefined && !hostIsListed(url.hostname, domainMatcherOf(allowedHosts))) return null;
  return url.href;
}

/**
 * Whether a `docker_network` value is acceptable: a Docker network name
 * (`[A-Za-z0-9][A-Za-z0-9_.-]{0,127}`) and, when `allowed` is set, on it (the whole allow-list);
 * without one, never `host`, `none`, `bridge` or `default`, and never a value of lower-case hex only
 * (`^[0-9a-f]+$`), which Docker may resolve as a prefix of a network's ID, `host`'s included.
 */
export function isAllowedDockerNetwork(name: string, allowed: readonly string[] | undefined): boolean {
  if (!dockerNetworkName.test(name)) return false;
  if (allowed !== undefined) return allowed.includes(name);
  return !reservedDockerNetworks.has(name) && !networkIdShaped.test(name);
}

function checkKasmUrlParam(config: CastConfig, query: CastQuery | undefined): GuardVerdict | string | undefined {
  const raw = readQueryParam(query, 'kasm_url');
  if (raw === undefined) return undefined;
  if (!config.dynamicKasmUrl) return deny('invalid_parameter', { parameter: 'kasm_url', message: 'kasm_url parameter not allowed' });
  const href = raw === invalidQueryValue ? null : checkKasmUrl(raw, config.kasmUrlAllowedHosts);
  return href ?? deny('invalid_parameter', { parameter: 'kasm_url', message: 'Invalid kasm_url parameter.' });
}

function checkDockerNetworkParam(config: CastConfig, query: CastQuery | undefined): GuardVerdict | string | undefined {
  const raw = readQueryParam(query, 'docker_network');
  if (raw === undefined) return undefined;
  if (!config.dynamicDockerNetwork) {
    return deny('invalid_parameter', { parameter: 'docker_network', message: 'docker_network parameter not allowed' });
  }
  return raw !== invalidQueryValue && isAllowedDockerNetwork(raw, config.allowedDockerNetworks)
    ? raw
    : deny('invalid_parameter', { parameter: 'docker_network', message: 'Invalid docker_network parameter.' });
}

/**
 * Checks the URL parameters the config uses: `kasm_url` (only with `dynamicKasmUrl`, else
 * `invalid_parameter` "kasm_url parameter not allowed"), `docker_network` (only with
 * `dynamicDockerNetwork`), and the remote app's arguments through `buildRemoteAppArgs`
 * (`missing_parameter` / `invalid_parameter`, naming the parameter). Adds the dynamic `KASM_URL`, the
 * Docker network and the RemoteApp command line to the launch plan.
 *
 * @example
 * ```ts
 * import { parseCastConfig } from 'castgate';
 * const config = parseCastConfig({ name: 'Kiosk', key: 'kiosk-0123456789abcdef', imageId: 'chrome', allowAnonymous: true,
 *   dynamicKasmUrl: true, kasmUrlAllowedHosts: ['*.example.com'] });
 * // https://host/#/cast/kiosk-0123456789abcdef?kasm_url=https://docs.example.com/start
 * ```
 */
export const parametersGuard: Guard = {
  name: 'parameters',
  check({ config, request }) {
    const { query } = request;
    const kasmUrl = checkKasmUrlParam(config, query);
    if (typeof kasmUrl === 'object') return kasmUrl;
    const dockerNetwork = checkDockerNetworkParam(config, query);
    if (typeof dockerNetwork === 'object') return dockerNetwork;
    if (config.remoteApp === undefined) {
      if (kasmUrl === undefined && dockerNetwork === undefined) return skip();
      const launch: { env?: Record<string, string>; dockerNetwork?: string } = {};
      if (kasmUrl !== undefined) launch.env = { KASM_URL: kasmUrl };
      if (dockerNetwork !== undefined) launch.dockerNetwork = dockerNetwork;
      return pass({ launch });
    }
    const args = buildParsedRemoteAppArgs(config.remoteApp, query);
    if (!args.ok) return deny(args.error.code, { parameter: args.error.parameter });
    const launch: { -readonly [K in keyof LaunchPlan]?: LaunchPlan[K] } = {
      remoteApp: { name: args.name, argv: args.argv, commandLine: args.commandLine },
    };
    if (kasmUrl !== undefined) launch.env = { KASM_URL: kasmUrl };
    if (dockerNetwork !== undefined) launch.dockerNetwork = dockerNetwork;
    return args.warnings.length === 0 ? pass({ launch }) : pass({ launch, note: args.warnings.join('; ') });
  },
};
