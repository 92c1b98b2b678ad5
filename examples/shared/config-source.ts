import { readFile } from 'node:fs/promises';
import { CastConfigError, isCastConfigError, parseCastConfig, type CastConfig } from 'castgate';

/**
 * Reads a JSON file holding one camelCase config or an array of them and parses each with
 * `parseCastConfig` (a real host reads its database instead, e.g. through the `configs` function
 * option). Rejects with a `CastConfigError` whose issue paths start with the array index of the
 * config at fault, or with the read or JSON error.
 *
 * @example
 * ```ts
 * const configs = await loadConfigs(new URL('../configs.json', import.meta.url));
 * ```
 */
export async function loadConfigs(file: string | URL): Promise<CastConfig[]> {
  const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
  const inputs: readonly unknown[] = Array.isArray(parsed) ? parsed : [parsed];
  return inputs.map((input, index) => {
    try {
      return parseCastConfig(input);
    } catch (error) {
      if (isCastConfigError(error)) {
        throw new CastConfigError(error.issues.map((issue) => ({ ...issue, path: [index, ...issue.path] })));
      }
      throw error;
    }
  });
}
