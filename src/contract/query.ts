/**
 * The query of a cast request: a `URLSearchParams`, or a plain object as frameworks parse it.
 *
 * @example
 * ```ts
 * import type { CastQuery } from 'castgate';
 * const query: CastQuery = new URLSearchParams('file=C%3A%5Ca.xlsx');
 * ```
 */
export type CastQuery = URLSearchParams | Readonly<Record<string, string | readonly string[] | undefined>>;

/** Marks a query value that is repeated or not a string: never validate one copy and use another. */
export const invalidQueryValue: unique symbol = Symbol('castgate.invalidQueryValue');

/**
 * Reads one query parameter: its string value, `undefined` when absent, or {@link invalidQueryValue}
 * when it is repeated or not a string. Values are looked up as own properties only, so `constructor`
 * or `__proto__` never read a prototype's property. A one-element array counts as its element.
 */
export function readQueryParam(query: CastQuery | undefined, name: string): string | undefined | typeof invalidQueryValue {
  if (query === undefined) return undefined;
  if (query instanceof URLSearchParams) {
    const first = query.get(name);
    if (first === null) return undefined;
    // Repeated values are refused; getAll only runs when the name is present.
    return query.getAll(name).length === 1 ? first : invalidQueryValue;
  }
  if (typeof query !== 'object' || !Object.hasOwn(query, name)) return undefined;
  const value: unknown = query[name];
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.length === 1 && typeof value[0] === 'string') return value[0];
  return invalidQueryValue;
}
