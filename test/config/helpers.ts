import { expect } from 'vitest';
import { isCastConfigError, type CastConfigIssue, type CastConfigIssueCode } from '../../src/config/errors.js';
import { isParsedCastConfig, parseCastConfig } from '../../src/config/parse.js';

/** The smallest valid camelCase config: a name, a key and an image. */
export const base = { name: 'Demo', key: 'demo-key-0123456789', imageId: 'img-chrome' } as const;

/** A thunk that parses {@link base} with `extra` fields on top (for {@link issuesOf} and {@link expectIssue}). */
export const parse = (extra: Record<string, unknown>) => () => parseCastConfig({ ...base, ...extra });

/** The issues `run(input)` throws; fails the test when it does not throw a CastConfigError. */
export function issuesOf(run: () => unknown): readonly CastConfigIssue[] {
  try {
    run();
  } catch (error) {
    if (isCastConfigError(error)) return error.issues;
    throw error;
  }
  throw new Error('expected a CastConfigError, but the input was accepted');
}

/** Asserts that `run` throws a CastConfigError with an issue at exactly `path` with `code`. */
export function expectIssue(run: () => unknown, path: readonly (string | number)[], code: CastConfigIssueCode): CastConfigIssue {
  const issues = issuesOf(run);
  const found = issues.find((issue) => JSON.stringify(issue.path) === JSON.stringify(path));
  expect(found, `no issue at ${JSON.stringify(path)}; got ${JSON.stringify(issues)}`).toBeDefined();
  expect(found?.code).toBe(code);
  return found!;
}

/** Asserts that every object, array and Date reachable from `value` is frozen. */
export function expectDeepFrozen(value: unknown, path = 'config'): void {
  if (typeof value !== 'object' || value === null) return;
  expect(Object.isFrozen(value), `${path} is not frozen`).toBe(true);
  for (const [key, item] of Object.entries(value)) expectDeepFrozen(item, `${path}.${key}`);
}

/** Nests `leaf` `depth` levels deep under `key`, without recursion. */
export function nested(depth: number, key: string, leaf: unknown = 1): unknown {
  let value: unknown = leaf;
  for (let i = 0; i < depth; i++) value = { [key]: value };
  return value;
}

/**
 * Runs a config parser on `input` and expects it to answer a frozen, registered config or throw a
 * CastConfigError, and to leave the input as it was (the fast-check properties of both parsers).
 */
export function expectOnlyConfigErrors(parse: (input: unknown) => unknown, input: unknown): void {
  const before = structuredClone(input);
  try {
    const config = parse(input);
    expectDeepFrozen(config);
    expect(isParsedCastConfig(config)).toBe(true);
  } catch (error) {
    expect(isCastConfigError(error), String(error)).toBe(true);
  }
  expect(input).toEqual(before);
}
