import type { CastConfigIssue } from './errors.js';

/**
 * Size caps for the pre-pass over raw config input. They are far above any real config and exist
 * so that hostile input is refused before zod (which recurses) sees it. The caps in force are
 * {@link configInputLimits} (read-only: `parseCastConfig` and `fromKasmCastConfig` always apply them).
 *
 * @example
 * ```ts
 * import { configInputLimits, type InputLimits } from 'castgate';
 * const caps: InputLimits = configInputLimits;
 * console.log(`at most ${caps.maxArrayLength} referrers, nested ${caps.maxDepth} deep`);
 * ```
 */
export interface InputLimits {
  /** Deepest container nesting (the root object is level 1). */
  readonly maxDepth: number;
  /** Keys and array items in the whole input. */
  readonly maxNodes: number;
  /** Items in any one array (the longest lists, referrers, hold 1000). */
  readonly maxArrayLength: number;
  /** Characters in any one string value. */
  readonly maxStringLength: number;
  /** Characters in all strings and keys together. */
  readonly maxTotalStringLength: number;
  /** Characters in any one object key. */
  readonly maxKeyLength: number;
}

/**
 * The caps `parseCastConfig` and `fromKasmCastConfig` apply before validating (SPEC §7: nesting
 * 32; THREATS §9.6).
 *
 * @example
 * ```ts
 * import { configInputLimits } from 'castgate';
 * configInputLimits.maxDepth; // 32
 * ```
 */
export const configInputLimits: InputLimits = Object.freeze({
  maxDepth: 32,
  maxNodes: 10_000,
  maxArrayLength: 1000,
  maxStringLength: 262_144,
  maxTotalStringLength: 1_048_576,
  maxKeyLength: 256,
});

/** Own keys that are refused at any depth: they are how prototype pollution gets in. */
const forbiddenKeys = ['__proto__', 'constructor', 'prototype'] as const;

type PathKey = string | number;
type Container = Record<string, unknown> | unknown[];

interface Task {
  readonly value: unknown;
  readonly path: readonly PathKey[];
  readonly depth: number;
  readonly place: (copy: unknown) => void;
}

/**
 * The outcome of {@link snapshotInput}: a copy of the input made of plain data only (plain
 * objects, arrays, fresh `Date`s, primitives), or the issues that stopped it.
 */
export type SnapshotResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly issues: readonly CastConfigIssue[] };

/**
 * Options of {@link snapshotInput}: where the value sits (issue paths and the depth count start
 * there) and the caps.
 */
export interface SnapshotOptions {
  readonly basePath?: readonly PathKey[];
  readonly baseDepth?: number;
  readonly limits?: InputLimits;
}

/**
 * Walks raw config input iteratively (never recursively, so 100,000-deep nesting cannot overflow
 * the stack) and copies it into plain data that the rest of parsing can read without touching the
 * caller's objects again: each property is read once (a getter cannot answer differently later),
 * `Date`s are copied, and the input is never written to. Refuses, with the path: own
 * `__proto__`, `constructor` or `prototype` keys at any depth, nesting past `maxDepth`, inputs past
 * the size caps, and values that are not plain data (class instances, maps, functions, proxies
 * that throw). Never throws.
 */
export function snapshotInput(input: unknown, options: SnapshotOptions = {}): SnapshotResult {
  const limits = options.limits ?? configInputLimits;
  const issues: CastConfigIssue[] = [];
  let result: unknown;
  let nodes = 0;
  let characters = 0;
  const base = options.basePath ?? [];
  let current: readonly PathKey[] = base;
  const stack: Task[] = [
    { value: input, path: current, depth: options.baseDepth ?? 0, place: (copy) => (result = copy) },
  ];

  try {
    while (stack.length > 0) {
      const task = stack.pop();
      if (task === undefined) break;
      const { value, path, depth } = task;
      current = path;

      if (typeof value === 'string') {
        if (value.length > limits.maxStringLength) {
          issues.push({ path, code: 'too_big', message: `must be at most ${limits.maxStringLength} characters` });
        } else if ((characters += value.length) > limits.maxTotalStringLength) {
          issues.push({ path: base, code: 'too_big', message: `holds more than ${limits.maxTotalStringLength} characters in all` });
          break;
        } else {
          task.place(value);
        }
        continue;
      }
      if (typeof value === 'function') {
        issues.push({ path, code: 'invalid_type', message: 'must be plain data, not a function' });
        continue;
      }
      if (typeof value !== 'object' || value === null) {
        task.place(value);
        continue;
      }

      const isArray = Array.isArray(value);
      if (!isArray && !isPlainObject(value)) {
        const date = dateTime(value);
        if (date !== undefined) {
          task.place(Object.freeze(new Date(date)));
          continue;
        }
        issues.push({ path, code: 'invalid_type', message: 'must be plain data (an object, array, string, number, boolean or null)' });
        continue;
      }
      if (depth + 1 > limits.maxDepth) {
        issues.push({ path, code: 'too_deep', message: `is nested more than ${limits.maxDepth} levels deep` });
        continue;
      }

      const children: Task[] = [];
      let copy: Container;
      if (isArray) {
        const length = value.length;
        if (length > limits.maxArrayLength) {
          issues.push({ path, code: 'too_big', message: `must have at most ${limits.maxArrayLength} items` });
          continue;
        }
        nodes += length;
        if (nodes > limits.maxNodes) {
          issues.push({ path: base, code: 'too_big', message: `holds more than ${limits.maxNodes} keys and items in all` });
          break;
        }
        const array: unknown[] = new Array<unknown>(length);
        copy = array;
        for (let index = 0; index < length; index++) {
          const childPath = [...path, index];
          current = childPath;
          children.push({ value: value[index], path: childPath, depth: depth + 1, place: (v) => (array[index] = v) });
        }
      } else {
        const source = value as Record<string, unknown>;
        const keys = Object.keys(source);
        nodes += keys.length;
        if (nodes > limits.maxNodes) {
          issues.push({ path: base, code: 'too_big', message: `holds more than ${limits.maxNodes} keys and items in all` });
          break;
        }
        const object: Record<string, unknown> = {};
        copy = object;
        for (const name of forbiddenKeys) {
          // Non-enumerable ones too: Object.keys would not list them.
          if (Object.hasOwn(source, name) && !keys.includes(name)) {
            issues.push({ path: [...path, name], code: 'forbidden_key', message: `must not have an own "${name}" key` });
          }
        }
        for (const key of keys) {
          characters += key.length;
          if (isForbidden(key)) {
            issues.push({ path: [...path, key], code: 'forbidden_key', message: `must not have an own "${key}" key` });
          } else if (key.length > limits.maxKeyLength) {
            issues.push({ path, code: 'too_big', message: `has a key longer than ${limits.maxKeyLength} characters` });
          } else {
            const childPath = [...path, key];
            current = childPath; // so that a getter that throws is reported at its own path
            children.push({
              value: source[key],
              path: childPath,
              depth: depth + 1,
              place: (v) => Object.defineProperty(object, key, { value: v, enumerable: true, writable: true, configurable: true }),
            });
          }
        }
        if (characters > limits.maxTotalStringLength) {
          issues.push({ path: base, code: 'too_big', message: `holds more than ${limits.maxTotalStringLength} characters in all` });
          break;
        }
      }
      task.place(copy);
      // Reversed, so that issues come out in input order.
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as Task);
    }
  } catch {
    // A getter or proxy that throws: report where, never rethrow.
    issues.push({ path: current, code: 'invalid_type', message: 'could not be read (a getter or proxy threw)' });
  }

  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: result };
}

function isForbidden(key: string): boolean {
  return (forbiddenKeys as readonly string[]).includes(key);
}

/** A plain object of any realm: its prototype is null or a prototype whose own prototype is null. */
function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || (typeof proto === 'object' && Object.getPrototypeOf(proto) === null);
}

/** The time value of a real `Date` (of any realm, NaN for an Invalid Date), else undefined. */
function dateTime(value: object): number | undefined {
  try {
    return Date.prototype.getTime.call(value);
  } catch {
    return undefined;
  }
}
