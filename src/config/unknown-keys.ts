import { didYouMean } from './did-you-mean.js';
import type { CastConfigIssue } from './errors.js';

type PathKey = string | number;

/**
 * The most unknown keys of one object reported one by one (each with its "did you mean" hint);
 * the rest are counted in one more issue at the object's path. This bounds the work and the
 * report whatever the input: 9,990 unknown keys cost 20 suggestions, not 9,990 × every field.
 */
export const maxUnknownKeyIssues = 20;

/**
 * The issues for the unknown keys of the object at `objectPath`: one `unknown_key` issue per key
 * for the first {@link maxUnknownKeyIssues} (with the closest known key, when one is close), then
 * one issue at `objectPath` counting the others. `what` completes "is not …" (e.g. `'a known
 * field'`). At most `maxUnknownKeyIssues + 1` issues, and as many suggestions as listed keys.
 */
export function unknownKeyIssues(
  objectPath: readonly PathKey[],
  keys: readonly string[],
  known: readonly string[],
  what: string,
): CastConfigIssue[] {
  const issues: CastConfigIssue[] = keys.slice(0, maxUnknownKeyIssues).map((key) => {
    const guess = known.length > 0 ? didYouMean(key, known) : undefined;
    return {
      path: [...objectPath, key],
      code: 'unknown_key',
      message: guess === undefined ? `is not ${what}` : `is not ${what}; did you mean "${guess}"?`,
    };
  });
  const rest = keys.length - maxUnknownKeyIssues;
  if (rest > 0) {
    issues.push({
      path: [...objectPath],
      code: 'unknown_key',
      message: `has ${rest} more unknown ${rest === 1 ? 'key' : 'keys'} (only the first ${maxUnknownKeyIssues} are listed)`,
    });
  }
  return issues;
}
