import type { CastConfig } from '../config/schema.js';
import { readQueryParam, type CastQuery } from '../contract/query.js';

/**
 * The query parameters a config reads from a request: `kasm_url` with `dynamicKasmUrl`,
 * `docker_network` with `dynamicDockerNetwork`, and each remote-app argument's `urlParamName`.
 */
export function dynamicParameterNames(config: CastConfig): string[] {
  const names: string[] = [];
  if (config.dynamicKasmUrl) names.push('kasm_url');
  if (config.dynamicDockerNetwork) names.push('docker_network');
  for (const arg of config.remoteApp?.args ?? []) if (arg.urlParamName !== undefined) names.push(arg.urlParamName);
  return names;
}

/**
 * The first parameter a request does not carry as the token signed it, or `undefined` when every one
 * matches: each signed parameter must be present once, as a string equal to the signed value (its
 * raw value, before any check or normalisation), and a dynamic parameter the token does not sign
 * must be absent.
 */
export function unboundParameter(config: CastConfig, query: CastQuery | undefined, signed: Readonly<Record<string, string>>): string | undefined {
  for (const [name, value] of Object.entries(signed)) {
    if (readQueryParam(query, name) !== value) return name;
  }
  for (const name of dynamicParameterNames(config)) {
    if (!Object.hasOwn(signed, name) && readQueryParam(query, name) !== undefined) return name;
  }
  return undefined;
}
