import { readFile } from 'node:fs/promises';
import { CastConfigError, isCastConfigError, parseCastConfig, type CastConfig } from 'castgate';

/**
 * Where an adapter looks a cast key up. A real host would read its database; the examples read a
 * JSON file once at start-up.
 *
 * @example
 * ```ts
 * const source: ConfigSource = createConfigSource([parseCastConfig({ name: 'Demo', key: 'demo-0123456789abcdef', imageId: 'img' })]);
 * source.get('demo-0123456789abcdef')?.imageId; // 'img'
 * ```
 */
export interface ConfigSource {
  /** The config with this key, or `undefined` for an unknown key. Answers synchronously or not. */
  get(key: string): CastConfig | undefined | Promise<CastConfig | undefined>;
  /** Every config, when the source knows them up front (adapters check them at start-up). */
  readonly configs?: readonly CastConfig[] | undefined;
}

/**
 * A {@link ConfigSource} that holds all its configs in memory.
 *
 * @example
 * ```ts
 * const keys = (source: StaticConfigSource) => source.configs.map((config) => config.key);
 * ```
 */
export interface StaticConfigSource extends ConfigSource {
  readonly configs: readonly CastConfig[];
}

/**
 * A config source over configs already parsed; throws a `TypeError` when two configs share a key.
 *
 * @example
 * ```ts
 * const source = createConfigSource([parseCastConfig({ name: 'Demo', key: 'demo-0123456789abcdef', imageId: 'img' })]);
 * ```
 */
export function createConfigSource(configs: readonly CastConfig[]): StaticConfigSource {
  const byKey = new Map<string, CastConfig>();
  for (const config of configs) {
    if (byKey.has(config.key)) throw new TypeError(`two cast configs share the key "${config.key}"`);
    byKey.set(config.key, config);
  }
  return { configs: [...configs], get: (key) => byKey.get(key) };
}

/**
 * Reads a JSON file holding one camelCase config or an array of them, parses each with
 * `parseCastConfig`, and answers a {@link ConfigSource}. Rejects with a `CastConfigError` whose
 * issue paths start with the array index of the config at fault, or with the read or JSON error.
 *
 * @example
 * ```ts
 * const source = await loadConfigSource(new URL('../configs.json', import.meta.url));
 * ```
 */
export async function loadConfigSource(file: string | URL): Promise<StaticConfigSource> {
  const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
  const inputs: readonly unknown[] = Array.isArray(parsed) ? parsed : [parsed];
  const configs = inputs.map((input, index) => {
    try {
      return parseCastConfig(input);
    } catch (error) {
      if (isCastConfigError(error)) {
        throw new CastConfigError(error.issues.map((issue) => ({ ...issue, path: [index, ...issue.path] })));
      }
      throw error;
    }
  });
  return createConfigSource(configs);
}
