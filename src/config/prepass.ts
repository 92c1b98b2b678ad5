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

/** What a walk has counted and found so far; `current` is the path being read, so that a getter or proxy that throws is reported at its own path. */
interface Walk {
  readonly limits: InputLimits;
  readonly base: readonly PathKey[];
  readonly issues: CastConfigIssue[];
  nodes: number;
  characters: number;
  current: readonly PathKey[];
}

/** What one step answers: the children to visit next, or `stop` when a whole-input cap is passed. */
type Step = readonly Task[] | 'stop';

const noChildren: readonly Task[] = [];

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
  const base = options.basePath ?? [];
  const walk: Walk = { limits: options.limits ?? configInputLimits, base, issues: [], nodes: 0, characters: 0, current: base };
  let result: unknown;
  const stack: Task[] = [{ value: input, path: base, depth: options.baseDepth ?? 0, place: (copy) => (result = copy) }];

  try {
    while (stack.length > 0) {
      const task = stack.pop();
      if (task === undefined) break;
      walk.current = task.path;
      const children = visit(walk, task);
      if (children === 'stop') break;
      // Reversed, so that issues come out in input order.
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as Task);
    }
  } catch {
    // A getter or proxy that throws: report where, never rethrow.
    walk.issues.push({ path: walk.current, code: 'invalid_type', message: 'could not be read (a getter or proxy threw)' });
  }

  const { issues } = walk;
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: result };
}

/** One value: places its copy (containers after their children are listed) or records why it cannot be copied. */
function visit(walk: Walk, task: Task): Step {
  const { value, path, depth } = task;
  if (typeof value === 'string') return visitString(walk, task, value);
  if (typeof value === 'function') {
    walk.issues.push({ path, code: 'invalid_type', message: 'must be plain data, not a function' });
    return noChildren;
  }
  if (typeof value !== 'object' || value === null) {
    task.place(value);
    return noChildren;
  }
  const isArray = Array.isArray(value);
  if (!isArray && !isPlainObject(value)) return visitNonPlain(walk, task, value);
  if (depth + 1 > walk.limits.maxDepth) {
    walk.issues.push({ path, code: 'too_deep', message: `is nested more than ${walk.limits.maxDepth} levels deep` });
    return noChildren;
  }
  return isArray ? visitArray(walk, task, value as unknown[]) : visitObject(walk, task, value as Record<string, unknown>);
}

/** A string: refused past the length cap; counts towards the total, and stops the walk past it. */
function visitString(walk: Walk, task: Task, value: string): Step {
  const { limits } = walk;
  if (value.length > limits.maxStringLength) {
    walk.issues.push({ path: task.path, code: 'too_big', message: `must be at most ${limits.maxStringLength} characters` });
    return noChildren;
  }
  walk.characters += value.length;
  if (walk.characters > limits.maxTotalStringLength) return tooManyCharacters(walk);
  task.place(value);
  return noChildren;
}

/** An object that is neither a plain object nor an array: a `Date` is copied, anything else refused. */
function visitNonPlain(walk: Walk, task: Task, value: object): Step {
  const date = dateTime(value);
  if (date === undefined) {
    walk.issues.push({ path: task.path, code: 'invalid_type', message: 'must be plain data (an object, array, string, number, boolean or null)' });
  } else {
    task.place(Object.freeze(new Date(date)));
  }
  return noChildren;
}

/** An array: refused past the length cap; its items count as nodes; a fresh array holds their copies. */
function visitArray(walk: Walk, task: Task, value: unknown[]): Step {
  const { path, depth } = task;
  const { length } = value;
  if (length > walk.limits.maxArrayLength) {
    walk.issues.push({ path, code: 'too_big', message: `must have at most ${walk.limits.maxArrayLength} items` });
    return noChildren;
  }
  if (!countNodes(walk, length)) return 'stop';
  const array: unknown[] = new Array<unknown>(length);
  const children: Task[] = [];
  for (let index = 0; index < length; index++) {
    const childPath = [...path, index];
    walk.current = childPath;
    children.push({ value: value[index], path: childPath, depth: depth + 1, place: (v) => (array[index] = v) });
  }
  task.place(array);
  return children;
}

/**
 * A plain object: its keys count as nodes and characters; forbidden keys (enumerable or not) and
 * over-long keys are refused; a fresh object holds the copies of the others' values.
 */
function visitObject(walk: Walk, task: Task, source: Record<string, unknown>): Step {
  const { path, depth } = task;
  const keys = Object.keys(source);
  if (!countNodes(walk, keys.length)) return 'stop';
  const object: Record<string, unknown> = {};
  reportHiddenForbiddenKeys(walk, source, keys, path);
  const children: Task[] = [];
  for (const key of keys) {
    walk.characters += key.length;
    if (isForbidden(key)) {
      walk.issues.push({ path: [...path, key], code: 'forbidden_key', message: `must not have an own "${key}" key` });
    } else if (key.length > walk.limits.maxKeyLength) {
      walk.issues.push({ path, code: 'too_big', message: `has a key longer than ${walk.limits.maxKeyLength} characters` });
    } else {
      const childPath = [...path, key];
      walk.current = childPath; // so that a getter that throws is reported at its own path
      children.push({
        value: source[key],
        path: childPath,
        depth: depth + 1,
        place: (v) => Object.defineProperty(object, key, { value: v, enumerable: true, writable: true, configurable: true }),
      });
    }
  }
  if (walk.characters > walk.limits.maxTotalStringLength) return tooManyCharacters(walk);
  task.place(object);
  return children;
}

/** Refuses own forbidden keys that `Object.keys` does not list (non-enumerable ones). */
function reportHiddenForbiddenKeys(walk: Walk, source: object, keys: readonly string[], path: readonly PathKey[]): void {
  for (const name of forbiddenKeys) {
    if (Object.hasOwn(source, name) && !keys.includes(name)) {
      walk.issues.push({ path: [...path, name], code: 'forbidden_key', message: `must not have an own "${name}" key` });
    }
  }
}

/** Adds `count` keys or items to the total; false (with the issue recorded) once it passes the cap. */
function countNodes(walk: Walk, count: number): boolean {
  walk.nodes += count;
  if (walk.nodes <= walk.limits.maxNodes) return true;
  walk.issues.push({ path: walk.base, code: 'too_big', message: `holds more than ${walk.limits.maxNodes} keys and items in all` });
  return false;
}

/** Records that the input holds more characters than the cap, and stops the walk. */
function tooManyCharacters(walk: Walk): 'stop' {
  walk.issues.push({ path: walk.base, code: 'too_big', message: `holds more than ${walk.limits.maxTotalStringLength} characters in all` });
  return 'stop';
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
